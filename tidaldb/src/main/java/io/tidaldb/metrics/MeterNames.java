package io.tidaldb.metrics;

/**
 * The names of tidalDB's meters and tags: the one place they are defined.
 *
 * <pre>{@code
 * double uptime = registry.get(MeterNames.UPTIME)
 *     .tag(MeterNames.PARTITION_ID, "0")
 *     .timeGauge()
 *     .value(TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>Names are Micrometer's dotted lowercase names; each registry renders them in its own
 * convention. Prometheus shows {@link #UPTIME} as {@code tidaldb_uptime_seconds} (a time gauge, in
 * the registry's base time unit), {@link #HEALTH_OK} as {@code tidaldb_health_ok} and {@link #INFO}
 * as {@code tidaldb_info}. Every meter carries the tag {@link #PARTITION_ID}.
 */
public final class MeterNames {

  /** Time since the database was opened, by its clock: a time gauge. */
  public static final String UPTIME = "tidaldb.uptime";

  /** 1 while {@code TidalDb.healthCheck()} passes, else 0: a gauge. */
  public static final String HEALTH_OK = "tidaldb.health.ok";

  /** Always 1, tagged with {@link #VERSION} and {@link #BUILD_HASH}: a gauge. */
  public static final String INFO = "tidaldb.info";

  /** The tag that tells databases apart: the builder's {@code partitionId(String)}, {@code "0"} by default. */
  public static final String PARTITION_ID = "partition_id";

  /** The tag of {@link #INFO} holding {@code BuildInfo.version()}. */
  public static final String VERSION = "version";

  /** The tag of {@link #INFO} holding {@code BuildInfo.buildHash()}. */
  public static final String BUILD_HASH = "build_hash";

  private MeterNames() {}
}

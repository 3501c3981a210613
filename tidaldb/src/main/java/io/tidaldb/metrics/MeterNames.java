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
 * as {@code tidaldb_info}. Every meter carries the tag {@link #PARTITION_ID}. Units are Micrometer
 * base units ({@code baseUnit}), never part of the name: Prometheus adds {@code _seconds},
 * {@code _bytes} and {@code _total} itself. {@code docs/METRICS.md} lists every meter with its
 * Prometheus name.
 */
public final class MeterNames {

  /** Time since the database was opened, by its clock: a time gauge. */
  public static final String UPTIME = "tidaldb.uptime";

  /** 1 while {@code TidalDb.healthCheck()} passes, else 0: a gauge. */
  public static final String HEALTH_OK = "tidaldb.health.ok";

  /** Always 1, tagged with {@link #VERSION} and {@link #BUILD_HASH}: a gauge. */
  public static final String INFO = "tidaldb.info";

  /** The last acknowledged sequence of the write-ahead log: a gauge (persistent databases). */
  public static final String WAL_SEQUENCE = "tidaldb.wal.sequence";

  /** The write-ahead log's segment files: a gauge (persistent databases). */
  public static final String WAL_SEGMENTS = "tidaldb.wal.segments";

  /** Bytes written to the write-ahead log since open: a function counter in bytes (persistent databases). */
  public static final String WAL_WRITTEN = "tidaldb.wal.written";

  /**
   * Failures that stopped the write-ahead log since open (0, or 1 once it has stopped: it then refuses
   * writes until the database is reopened): a function counter (persistent databases).
   */
  public static final String WAL_FAILURES = "tidaldb.wal.failures";

  /** Fsyncs of log segments, each timed as it happens: a timer (persistent databases). */
  public static final String WAL_FSYNC = "tidaldb.wal.fsync";

  /** Accepted signal writes, tagged {@link #SIGNAL}: a function counter. */
  public static final String SIGNAL_WRITES = "tidaldb.signal.writes";

  /**
   * The time of signal writes, from the call until durable and applied: a timer over one write in
   * {@code TidalDbBuilder.writeLatencySampling(int)} (64 by default), each recorded as it is measured.
   */
  public static final String SIGNAL_WRITE_LATENCY = "tidaldb.signal.write.latency";

  /** Signal reads (each entity of a batch read counts): a function counter. */
  public static final String SIGNAL_READS = "tidaldb.signal.reads";

  /** The (entity, signal) entries the ledger holds: a gauge. */
  public static final String LEDGER_ENTRIES = "tidaldb.ledger.entries";

  /** Entries evicted to make room since open: a function counter. */
  public static final String LEDGER_EVICTIONS = "tidaldb.ledger.evictions";

  /** Checkpoints completed since binding, each timed as it completes: a timer (persistent databases). */
  public static final String CHECKPOINT = "tidaldb.checkpoint";

  /** Checkpoints that failed since open: a function counter (persistent databases). */
  public static final String CHECKPOINT_FAILURES = "tidaldb.checkpoint.failures";

  /**
   * Time since the checkpoint in effect was taken (from an earlier run too), or last found current
   * by the periodic checkpoint (nothing written since, so none was needed); before either, time since
   * open: a time gauge by the database's clock (persistent databases). More than a few checkpoint
   * intervals means checkpoints are not keeping up.
   */
  public static final String CHECKPOINT_AGE = "tidaldb.checkpoint.age";

  /**
   * The configured period of checkpoints ({@code TidalDbBuilder.checkpointInterval}), 0 when periodic
   * checkpoints are off: a time gauge (persistent databases). Alert rules compare the age with it.
   */
  public static final String CHECKPOINT_INTERVAL = "tidaldb.checkpoint.interval";

  /** Ranking queries answered ({@code top}), tagged {@link #PROFILE}: a function counter. */
  public static final String RANKING_QUERIES = "tidaldb.ranking.queries";

  /** The time of ranking queries ({@code top}), from the call to the answer, tagged {@link #PROFILE}: a timer. */
  public static final String RANKING_QUERY_LATENCY = "tidaldb.ranking.query.latency";

  /** The tag of the ranking meters holding the profile's name ({@code "adhoc"} unless the profile is named). */
  public static final String PROFILE = "profile";

  /** The tag of {@link #SIGNAL_WRITES} holding the signal's name. */
  public static final String SIGNAL = "signal";

  /** The tag that tells databases apart: the builder's {@code partitionId(String)}, {@code "0"} by default. */
  public static final String PARTITION_ID = "partition_id";

  /** The tag of {@link #INFO} holding {@code BuildInfo.version()}. */
  public static final String VERSION = "version";

  /** The tag of {@link #INFO} holding {@code BuildInfo.buildHash()}. */
  public static final String BUILD_HASH = "build_hash";

  private MeterNames() {}
}

package io.tidaldb.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tidaldb.BuildInfo;
import io.tidaldb.ConfigException;
import io.tidaldb.TidalDb;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Binds a database's meters to a Micrometer registry, and removes exactly those meters on
 * {@link #close()}.
 *
 * <pre>{@code
 * try (TidalDbMetrics metrics = new TidalDbMetrics(db)) {
 *   metrics.bindTo(registry);
 *   ...
 * }   // the meters are gone from the registry
 * }</pre>
 *
 * <p>{@code TidalDbBuilder.meterRegistry(registry)} does this for you, and closes the binder with
 * the database. Every meter carries the tag {@value MeterNames#PARTITION_ID} from the database's
 * {@code partitionId}, so that databases with distinct ids share one registry; binding a second
 * database with the same id to the same registry fails with a {@link ConfigException}. The meters
 * are read when the registry is scraped or published, and they refer to the database weakly: a
 * binder never keeps a forgotten database alive.
 */
public final class TidalDbMetrics implements MeterBinder, AutoCloseable {

  /** Serialises the check for a clash with the registration, across every binder of this class loader. */
  private static final Object BINDING = new Object();

  private final WeakReference<TidalDb> db;
  private final String partitionId;
  private final Tags tags;
  private final List<Bound> bound = new ArrayList<>();
  private boolean closed;

  /**
   * A binder for {@code db}'s meters.
   *
   * @param db the open database to observe
   */
  public TidalDbMetrics(TidalDb db) {
    this(db, Tags.empty());
  }

  /**
   * A binder for {@code db}'s meters, with tags added to every meter.
   *
   * @param db the open database to observe
   * @param tags tags for every meter, besides {@value MeterNames#PARTITION_ID}
   */
  public TidalDbMetrics(TidalDb db, Iterable<Tag> tags) {
    Objects.requireNonNull(db, "db");
    this.db = new WeakReference<>(db);
    this.partitionId = db.config().partitionId();
    this.tags = Tags.of(tags).and(MeterNames.PARTITION_ID, partitionId);
  }

  /**
   * Registers the database's meters in {@code registry}.
   *
   * @param registry the registry to add the meters to
   * @throws ConfigException if the registry already holds tidalDB meters with the same partition id
   * @throws IllegalStateException if this binder is closed, or its database was garbage-collected
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (BINDING) {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("this TidalDbMetrics is closed; create a new one");
        }
        TidalDb database = db.get();
        if (database == null) {
          throw new IllegalStateException("the database of this TidalDbMetrics was garbage-collected");
        }
        if (registry.find(MeterNames.UPTIME).tag(MeterNames.PARTITION_ID, partitionId).meter() != null) {
          throw new ConfigException("partitionId(\"" + partitionId + "\"): the meter registry already holds tidalDB"
              + " meters tagged " + MeterNames.PARTITION_ID + "=\"" + partitionId + "\" (another open TidalDb bound"
              + " them); give each database that shares a registry its own partitionId(...)");
        }
        for (Meter meter : register(registry, database)) {
          bound.add(new Bound(registry, meter));
        }
      }
    }
  }

  /** The meters, one line each. Gauges hold the database weakly (Micrometer's default). */
  private List<Meter> register(MeterRegistry registry, TidalDb database) {
    return List.of(
        TimeGauge.builder(MeterNames.UPTIME, database, TimeUnit.NANOSECONDS, d -> d.uptime().toNanos())
            .description("Time since the database was opened, by its clock.").tags(tags).register(registry),
        Gauge.builder(MeterNames.HEALTH_OK, database, TidalDbMetrics::healthOk)
            .description("Whether the database is healthy: 1 = ok, 0 = degraded.").tags(tags).register(registry),
        Gauge.builder(MeterNames.INFO, () -> 1).description("Build and version information.").tags(tags)
            .tag(MeterNames.VERSION, BuildInfo.version()).tag(MeterNames.BUILD_HASH, BuildInfo.buildHash())
            .register(registry));
  }

  private static double healthOk(TidalDb database) {
    try {
      database.healthCheck();
      return 1;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Removes every meter this binder registered, from every registry it was bound to. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Bound b : bound) {
      b.registry().remove(b.meter());
    }
    bound.clear();
  }

  private record Bound(MeterRegistry registry, Meter meter) {}
}

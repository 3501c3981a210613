package io.tidaldb.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tidaldb.ConfigException;
import io.tidaldb.TidalDb;
import io.tidaldb.internal.metrics.DatabaseMeters;
import io.tidaldb.internal.metrics.MetricsSources;

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
 * database with the same id to the same registry fails with a {@link ConfigException}. Gauges and
 * counters are read when the registry is scraped or published; the four timers (write latency,
 * fsync, checkpoint, ranking query latency) are fed each time as it is measured, counting from
 * binding, so a {@code MeterFilter} on the registry gives them percentiles and histograms. Nothing
 * here refers to the database strongly: a binder never keeps a forgotten database alive.
 */
public final class TidalDbMetrics implements MeterBinder, AutoCloseable {

  private final DatabaseMeters meters;

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
    this.meters = new DatabaseMeters(MetricsSources.of(db), tags);
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
    meters.bindTo(registry);
  }

  /** Removes every meter this binder registered, from every registry it was bound to. Idempotent. */
  @Override
  public void close() {
    meters.close();
  }
}

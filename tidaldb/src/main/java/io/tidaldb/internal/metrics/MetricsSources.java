package io.tidaldb.internal.metrics;

import java.util.Objects;
import java.util.function.Function;

/**
 * Finds the {@link MetricsSource} of a database for the public binder {@code TidalDbMetrics}, which
 * is given the database itself. {@code TidalDb} installs the lookup when its class is initialised;
 * it is keyed by the database's class so that this package, which sits below {@code TidalDb}, need
 * not name it (docs/ARCHITECTURE.md).
 */
public final class MetricsSources {

  private static volatile Lookup<?> lookup;

  private MetricsSources() {}

  /**
   * Installs the lookup; only the first call counts.
   *
   * @param type the database's class
   * @param source reads a database's source
   * @param <D> the database's class
   */
  public static synchronized <D> void install(Class<D> type, Function<? super D, MetricsSource> source) {
    if (lookup == null) {
      lookup = new Lookup<>(type, source);
    }
  }

  /**
   * The source of {@code database}.
   *
   * @param database an open database
   * @return what its meters read
   */
  public static MetricsSource of(Object database) {
    Objects.requireNonNull(database, "database");
    return lookup.apply(database);
  }

  private record Lookup<D>(Class<D> type, Function<? super D, MetricsSource> source) {
    MetricsSource apply(Object database) {
      return source.apply(type.cast(database));
    }
  }
}

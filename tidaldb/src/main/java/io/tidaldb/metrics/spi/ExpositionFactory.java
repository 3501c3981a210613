package io.tidaldb.metrics.spi;

import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Creates the {@link Exposition} behind {@code /metrics}: a service found with
 * {@link java.util.ServiceLoader}. {@code io.tidaldb:tidaldb-metrics-exposition} provides the one
 * implementation (a private Prometheus registry), and both transports depend on it, so that the
 * core itself never depends on a Prometheus library.
 *
 * <pre>{@code
 * Exposition exposition = ServiceLoader.load(ExpositionFactory.class).findFirst().orElseThrow()
 *     .create(new TidalDbMetrics(db));
 * }</pre>
 */
public interface ExpositionFactory {

  /**
   * Creates an exposition of exactly the meters {@code meters} binds.
   *
   * @param meters the binder of the meters to expose
   * @return a new exposition; close it when done
   */
  Exposition create(MeterBinder meters);
}

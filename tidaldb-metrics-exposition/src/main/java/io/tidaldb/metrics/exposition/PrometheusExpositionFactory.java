package io.tidaldb.metrics.exposition;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tidaldb.metrics.spi.Exposition;
import io.tidaldb.metrics.spi.ExpositionFactory;

/**
 * The {@link ExpositionFactory} both metrics transports use, found with
 * {@link java.util.ServiceLoader}: it binds the meters to a private {@link PrometheusMeterRegistry}.
 *
 * <pre>{@code
 * try (Exposition exposition = new PrometheusExpositionFactory().create(new TidalDbMetrics(db))) {
 *   String text = new String(exposition.render(ExpositionFormat.PROMETHEUS_TEXT), UTF_8);
 * }
 * }</pre>
 *
 * <p>Not API: public only for {@code ServiceLoader}. The registry is private to the endpoint, so
 * {@code /metrics} serves tidalDB's meters and nothing else, whatever registry the host uses.
 */
public final class PrometheusExpositionFactory implements ExpositionFactory {

  /** Called by {@link java.util.ServiceLoader}. */
  public PrometheusExpositionFactory() {}

  @Override
  public Exposition create(MeterBinder meters) {
    PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM);
    try {
      meters.bindTo(registry);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return new PrometheusExposition(registry);
  }
}

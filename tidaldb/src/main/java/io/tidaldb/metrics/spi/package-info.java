/**
 * What a metrics transport implements to serve {@code /metrics} and {@code /healthz}: a
 * {@link io.tidaldb.metrics.spi.MetricsTransport} found with {@link java.util.ServiceLoader} (a
 * {@code provides} clause on the module path, {@code META-INF/services} on the classpath), which
 * starts a {@link io.tidaldb.metrics.spi.MetricsServer} over the transport-neutral
 * {@link io.tidaldb.metrics.spi.MetricsEndpoint}; and the {@link io.tidaldb.metrics.spi.ExpositionFactory}
 * that renders the meters. Applications do not use it; {@code tidaldb-metrics-jdk} and
 * {@code tidaldb-metrics-undertow} implement it.
 *
 * <pre>{@code
 * public final class MyTransport implements MetricsTransport {
 *   public String name() { return "mine"; }
 *   public MetricsServer start(MetricsServerSpec spec) throws IOException { ... }
 * }
 * }</pre>
 */
package io.tidaldb.metrics.spi;

package io.tidaldb.metrics.spi;

import java.io.IOException;

/**
 * An HTTP server that serves a {@link MetricsEndpoint}: the service that
 * {@code TidalDbBuilder.enableMetrics(...)} looks up with {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * public final class JdkMetricsTransport implements MetricsTransport {
 *   public String name() { return "jdk"; }
 *   public MetricsServer start(MetricsServerSpec spec) throws IOException { ... }
 * }
 * // META-INF/services/io.tidaldb.metrics.spi.MetricsTransport: io.tidaldb.metrics.jdk.JdkMetricsTransport
 * }</pre>
 *
 * <p>One operation, {@link #start}; {@link #name()} is how a user picks a transport when several are
 * on the classpath. tidalDB ships two, {@code "jdk"} ({@code io.tidaldb:tidaldb-metrics-jdk}) and
 * {@code "undertow"} ({@code io.tidaldb:tidaldb-metrics-undertow}). A transport is a thin adapter: it
 * turns each request into a {@link MetricsEndpoint.Request}, and writes the
 * {@link MetricsEndpoint.Response} back; routing, negotiation and rendering are the endpoint's.
 * Implementations need a public no-argument constructor.
 */
public interface MetricsTransport {

  /**
   * The name users pass to {@code enableMetrics(hostPort, name)}.
   *
   * @return a short lowercase name, such as {@code "jdk"}
   */
  String name();

  /**
   * Binds {@code spec.address()} and starts serving {@code spec.endpoint()}.
   *
   * <p>Contract: every thread the server starts is a daemon thread whose name starts with
   * {@code spec.threadNamePrefix()}; request handling uses at most {@code spec.workerThreads()}
   * threads; {@link MetricsServer#close()} returns within about {@code spec.shutdownTimeout()} and
   * leaves no thread, socket or file handle behind. If the address cannot be bound, this method
   * throws and leaves nothing behind either.
   *
   * @param spec where to listen, what to serve, and the limits
   * @return the running server
   * @throws IOException if the address cannot be bound (for example, it is in use)
   */
  MetricsServer start(MetricsServerSpec spec) throws IOException;
}

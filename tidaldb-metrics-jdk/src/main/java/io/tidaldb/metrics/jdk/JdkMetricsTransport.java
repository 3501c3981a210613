package io.tidaldb.metrics.jdk;

import io.tidaldb.metrics.spi.MetricsServer;
import io.tidaldb.metrics.spi.MetricsServerSpec;
import io.tidaldb.metrics.spi.MetricsTransport;
import java.io.IOException;

/**
 * The {@code "jdk"} metrics transport: {@code /healthz} and {@code /metrics} on the JDK's built-in
 * {@code com.sun.net.httpserver.HttpServer}, with no dependency beyond the JDK.
 *
 * <pre>{@code
 * // with io.tidaldb:tidaldb-metrics-jdk on the classpath:
 * try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:9464").open()) { ... }
 * }</pre>
 *
 * <p>Keep-alive: the JDK's server writes a response's headers and body in two TCP segments, and
 * without {@code TCP_NODELAY} the second waits for the client's delayed ACK (about 40 ms a request on
 * Linux). The only switch for {@code TCP_NODELAY} in this server is the JVM-wide system property
 * {@code sun.net.httpserver.nodelay}, which this transport never sets. When the JVM runs without
 * {@code -Dsun.net.httpserver.nodelay=true}, each response carries {@code Connection: close}, which
 * sends it at once; with the property, connections are kept alive. Either way no request stalls.
 * The choice is logged when the server starts; {@code docs/METRICS.md} has the measurements.
 */
public final class JdkMetricsTransport implements MetricsTransport {

  /** Called by {@link java.util.ServiceLoader}. */
  public JdkMetricsTransport() {}

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public MetricsServer start(MetricsServerSpec spec) throws IOException {
    return JdkMetricsServer.start(spec);
  }
}

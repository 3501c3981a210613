/** The {@code /metrics} and {@code /healthz} endpoint on the JDK's built-in HTTP server. */
module io.tidaldb.metrics.jdk {
  requires io.tidaldb;
  requires jdk.httpserver;

  provides io.tidaldb.metrics.spi.MetricsTransport with io.tidaldb.metrics.jdk.JdkMetricsTransport;
}

package io.tidaldb.metrics.undertow;

import io.tidaldb.metrics.spi.MetricsServer;
import io.tidaldb.metrics.spi.MetricsServerSpec;
import io.tidaldb.metrics.spi.MetricsTransport;
import java.io.IOException;

/**
 * The {@code "undertow"} metrics transport: {@code /healthz} and {@code /metrics} on Undertow, with
 * {@code TCP_NODELAY} on its own sockets and connections kept alive.
 *
 * <pre>{@code
 * // with io.tidaldb:tidaldb-metrics-undertow on the classpath:
 * try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:9464").open()) { ... }
 * }</pre>
 */
public final class UndertowMetricsTransport implements MetricsTransport {

  /** Called by {@link java.util.ServiceLoader}. */
  public UndertowMetricsTransport() {}

  @Override
  public String name() {
    return "undertow";
  }

  @Override
  public MetricsServer start(MetricsServerSpec spec) throws IOException {
    return UndertowMetricsServer.start(spec);
  }
}

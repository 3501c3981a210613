package io.tidaldb.metrics.spi;

import java.net.InetSocketAddress;

/**
 * A running metrics server, started by {@link MetricsTransport#start(MetricsServerSpec)}.
 *
 * <pre>{@code
 * try (MetricsServer server = transport.start(spec)) {
 *   InetSocketAddress at = server.address();   // the real port when spec asked for port 0
 * }
 * }</pre>
 */
public interface MetricsServer extends AutoCloseable {

  /**
   * The address the server listens on, with the port the operating system chose for port 0.
   *
   * @return the bound address
   */
  InetSocketAddress address();

  /**
   * Stops the server: stops accepting, lets requests in flight finish for at most the spec's shutdown
   * timeout, then closes every connection and ends every thread it started. Idempotent.
   */
  @Override
  void close();
}

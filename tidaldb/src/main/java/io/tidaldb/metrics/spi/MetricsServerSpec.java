package io.tidaldb.metrics.spi;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link MetricsTransport} starts: the address, the endpoint to serve, and the limits.
 *
 * <pre>{@code
 * MetricsServer server = transport.start(new MetricsServerSpec(
 *     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), endpoint,
 *     "tidaldb-metrics-jdk-0", 4, Duration.ofSeconds(1)));
 * }</pre>
 *
 * @param address the resolved address to bind; port 0 for a free port
 * @param endpoint the transport-neutral handler of every request
 * @param threadNamePrefix the prefix of every thread the server starts, such as {@code tidaldb-metrics-jdk-0}
 * @param workerThreads the most threads that handle requests at once
 * @param shutdownTimeout how long {@link MetricsServer#close()} lets requests in flight finish
 */
public record MetricsServerSpec(
    InetSocketAddress address,
    MetricsEndpoint endpoint,
    String threadNamePrefix,
    int workerThreads,
    Duration shutdownTimeout) {

  /** Checks the components. */
  public MetricsServerSpec {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("the address must be resolved: " + address);
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads must be at least 1: " + workerThreads);
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must not be negative: " + shutdownTimeout);
    }
  }
}

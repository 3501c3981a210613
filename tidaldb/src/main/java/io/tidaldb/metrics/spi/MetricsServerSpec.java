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
 *     "tidaldb-metrics-jdk-0", 4, Duration.ofSeconds(1), Duration.ofSeconds(5), 256));
 * }</pre>
 *
 * <p>A transport enforces {@code requestTimeout} and {@code maxConnections} on its own connections,
 * never by changing a JVM-wide setting of the host; where its server cannot enforce part of them, it
 * says so in a warning when it starts.
 *
 * @param address the resolved address to bind; port 0 for a free port
 * @param endpoint the transport-neutral handler of every request
 * @param threadNamePrefix the prefix of every thread the server starts, such as {@code tidaldb-metrics-jdk-0}
 * @param workerThreads the threads kept ready to handle requests (a transport that reads requests on
 *     blocking threads starts more as requests arrive, up to {@code maxConnections})
 * @param shutdownTimeout how long {@link MetricsServer#close()} lets requests in flight finish
 * @param requestTimeout how long a connection may take to deliver a whole request, and to take its
 *     response, before the server closes it
 * @param maxConnections the most connections served at once; one over the cap is closed at once
 */
public record MetricsServerSpec(
    InetSocketAddress address,
    MetricsEndpoint endpoint,
    String threadNamePrefix,
    int workerThreads,
    Duration shutdownTimeout,
    Duration requestTimeout,
    int maxConnections) {

  /**
   * Checks the components.
   *
   * @param address the resolved address to bind; port 0 for a free port
   * @param endpoint the transport-neutral handler of every request
   * @param threadNamePrefix the prefix of every thread the server starts, such as {@code tidaldb-metrics-jdk-0}
   * @param workerThreads the threads kept ready to handle requests (a transport that reads requests on
   *     blocking threads starts more as requests arrive, up to {@code maxConnections})
   * @param shutdownTimeout how long {@link MetricsServer#close()} lets requests in flight finish
   * @param requestTimeout how long a connection may take to deliver a whole request, and to take its
   *     response, before the server closes it
   * @param maxConnections the most connections served at once; one over the cap is closed at once
   */
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
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("requestTimeout must be at least 1 ms: " + requestTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
    }
  }
}

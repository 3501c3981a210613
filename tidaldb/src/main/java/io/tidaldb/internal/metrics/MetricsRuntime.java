package io.tidaldb.internal.metrics;

import io.micrometer.core.instrument.Tags;
import io.tidaldb.ConfigException;
import io.tidaldb.metrics.MetricsConfig;
import io.tidaldb.metrics.spi.Exposition;
import io.tidaldb.metrics.spi.MetricsEndpoint;
import io.tidaldb.metrics.spi.MetricsServer;
import io.tidaldb.metrics.spi.MetricsServerSpec;
import io.tidaldb.metrics.spi.MetricsTransport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Wires a database's metrics when it opens: binds the host's registry and starts the endpoint.
 *
 * <pre>{@code
 * Optional<InetSocketAddress> at = MetricsRuntime.start(config.metrics(), source, resources::add);
 * }</pre>
 *
 * <p><strong>Not API</strong>: {@code TidalDb.open()} calls it; applications use
 * {@code TidalDbBuilder.meterRegistry(...)} and {@code enableMetrics(...)}. Public for
 * {@code TidalDb}, in a package the module does not export.
 */
public final class MetricsRuntime {

  /** Request handling is a few microseconds of work; a handful of threads keeps up with any scraper. */
  static final int WORKER_THREADS = 4;

  /** How long {@code close()} lets requests in flight finish before it closes their connections. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);

  private static final System.Logger LOG = System.getLogger(MetricsRuntime.class.getName());

  private MetricsRuntime() {}

  /**
   * Binds a database's meters to the host's registry, and starts the endpoint, as {@code config}
   * says. Everything acquired is handed to {@code resources}, in order, to be closed in reverse order.
   *
   * @param config the database's metrics settings
   * @param db what the meters and {@code /healthz} read of the database being opened
   * @param resources takes each resource to close with the database
   * @return the endpoint's address, if {@code enableMetrics} was called
   * @throws ConfigException if the meters clash with another database's, no transport fits, or the
   *     address cannot be bound
   */
  public static Optional<InetSocketAddress> start(MetricsConfig config, MetricsSource db,
      Consumer<AutoCloseable> resources) {
    config.meterRegistry().ifPresent(registry -> {
      DatabaseMeters binder = new DatabaseMeters(db, Tags.empty());
      binder.bindTo(registry);
      resources.accept(binder);
    });
    if (config.endpoint().isEmpty()) {
      return Optional.empty();
    }
    InetSocketAddress given = config.endpoint().get();
    String setting = "enableMetrics(\"" + given.getHostString() + ":" + given.getPort() + "\""
        + config.transport().map(t -> ", \"" + t + "\"").orElse("") + ")";
    MetricsTransport transport = TransportLoader.select(setting, config.transport());
    InetSocketAddress address = resolve(setting, given);
    DatabaseMeters served = new DatabaseMeters(db, Tags.empty());
    resources.accept(served);
    Exposition exposition = TransportLoader.exposition(setting).create(registry -> {
      config.endpointFilters().forEach(registry.config()::meterFilter);
      served.bindTo(registry);
    });
    resources.accept(exposition);
    MetricsEndpoint endpoint = new MetricsEndpoint(new HealthProbe(db), exposition);
    String threads = "tidaldb-metrics-" + transport.name() + "-" + db.partitionId();
    MetricsServer server;
    try {
      server = transport.start(new MetricsServerSpec(address, endpoint, threads, WORKER_THREADS, SHUTDOWN_TIMEOUT,
          config.requestTimeout(), config.maxConnections()));
    } catch (BindException e) {
      throw new ConfigException(setting + ": cannot listen on " + describe(address) + ": the address is in use or not"
          + " available (" + e.getMessage() + "); choose another port, or port 0 for a free one", e);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(setting + ": the " + transport.name() + " transport cannot listen on "
          + describe(address) + ": " + e, e);
    }
    resources.accept(server);
    InetSocketAddress bound = server.address();
    LOG.log(System.Logger.Level.INFO, () -> "tidalDB metrics for partition " + db.partitionId() + " at http://"
        + describe(bound) + MetricsEndpoint.METRICS_PATH + " and " + MetricsEndpoint.HEALTHZ_PATH + " ("
        + transport.name() + " transport)");
    return Optional.of(bound);
  }

  private static InetSocketAddress resolve(String setting, InetSocketAddress given) {
    InetAddress host;
    try {
      host = InetAddress.getByName(given.getHostString());
    } catch (UnknownHostException e) {
      throw new ConfigException(setting + ": cannot resolve the host \"" + given.getHostString() + "\"", e);
    }
    if (!host.isLoopbackAddress()) {
      LOG.log(System.Logger.Level.WARNING, setting + ": the metrics endpoint listens on " + host.getHostAddress()
          + ", which is not a loopback address: anyone who can reach this host can read /metrics and /healthz,"
          + " without authentication. Bind 127.0.0.1 unless a scraper on another host needs it.");
    }
    return new InetSocketAddress(host, given.getPort());
  }

  private static String describe(InetSocketAddress address) {
    String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}

package io.tidaldb.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.tidaldb.ConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics settings a database was opened with: the host's registry, and the endpoint, if any.
 *
 * <pre>{@code
 * MetricsConfig metrics = db.config().metrics();
 * metrics.meterRegistry();   // Optional[the host's registry]
 * metrics.endpoint();        // Optional[127.0.0.1:0], as given to enableMetrics (not yet resolved)
 * metrics.transport();       // Optional["jdk"], when enableMetrics named one
 * metrics.requestTimeout();  // PT5S: a connection that has not sent a whole request by then is closed
 * metrics.maxConnections();  // 256: a connection over this many is closed at once
 * metrics.endpointFilters(); // [the MeterFilters of the endpoint's own registry]
 * }</pre>
 *
 * <p>The endpoint's two limits protect it from slow or stalled clients (a client that sends one byte
 * and waits must neither hold a thread nor a file descriptor for long, nor keep {@code /healthz} from
 * answering). What each transport enforces is in {@code docs/METRICS.md}.
 *
 * @param meterRegistry the host's registry, given to {@code TidalDbBuilder.meterRegistry(...)}
 * @param endpoint where {@code /metrics} and {@code /healthz} listen, unresolved, as given to
 *     {@code TidalDbBuilder.enableMetrics(...)}
 * @param transport the transport chosen by name; empty to use the one on the classpath
 * @param requestTimeout how long the endpoint waits for a connection to deliver a whole request (and
 *     to take the response); a connection that takes longer is closed. Set with
 *     {@code TidalDbBuilder.metricsRequestTimeout(...)}
 * @param maxConnections the most connections the endpoint serves at once; a connection over the cap
 *     is closed at once, never queued. Set with {@code TidalDbBuilder.metricsMaxConnections(...)}
 * @param endpointFilters the {@code MeterFilter}s of the registry behind {@code /metrics}, in order
 *     (percentiles, histograms, SLO buckets); the host's registry keeps its own. Added with
 *     {@code TidalDbBuilder.metricsMeterFilter(...)}
 */
public record MetricsConfig(
    Optional<MeterRegistry> meterRegistry, Optional<InetSocketAddress> endpoint, Optional<String> transport,
    Duration requestTimeout, int maxConnections, List<MeterFilter> endpointFilters) {

  /** The endpoint's request timeout unless {@code TidalDbBuilder.metricsRequestTimeout(...)} is set. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** The shortest request timeout accepted. */
  public static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(10);

  /** The longest request timeout accepted. */
  public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofHours(1);

  /** The endpoint's connection cap unless {@code TidalDbBuilder.metricsMaxConnections(...)} is set. */
  public static final int DEFAULT_MAX_CONNECTIONS = 256;

  /**
   * The highest connection cap accepted: the jdk transport holds a thread for each request in
   * progress, so the cap bounds its threads too.
   */
  public static final int MAX_CONNECTIONS_LIMIT = 10_000;

  /** No registry and no endpoint: the default. */
  public static final MetricsConfig NONE = new MetricsConfig(Optional.empty(), Optional.empty(), Optional.empty(),
      DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_CONNECTIONS, List.of());

  /** A host, a colon and a port; the host may be a bracketed IPv6 literal. */
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.%a-zA-Z]+]|[^:\\[\\]\\s]+):([0-9]{1,5})");

  private static final Pattern PORT_ONLY = Pattern.compile("[0-9]{1,5}");

  /**
   * Checks the components.
   *
   * @param meterRegistry the host's registry, given to {@code TidalDbBuilder.meterRegistry(...)}
   * @param endpoint where {@code /metrics} and {@code /healthz} listen, unresolved, as given to
   *     {@code TidalDbBuilder.enableMetrics(...)}
   * @param transport the transport chosen by name; empty to use the one on the classpath
   * @param requestTimeout how long the endpoint waits for a connection to deliver a whole request (and
   *     to take the response); a connection that takes longer is closed. Set with
   *     {@code TidalDbBuilder.metricsRequestTimeout(...)}
   * @param maxConnections the most connections the endpoint serves at once; a connection over the cap
   *     is closed at once, never queued. Set with {@code TidalDbBuilder.metricsMaxConnections(...)}
   * @param endpointFilters the {@code MeterFilter}s of the registry behind {@code /metrics}, in order
   *     (percentiles, histograms, SLO buckets); the host's registry keeps its own. Added with
   *     {@code TidalDbBuilder.metricsMeterFilter(...)}
   * @throws ConfigException if {@code requestTimeout} or {@code maxConnections} is out of range
   */
  public MetricsConfig {
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(transport, "transport");
    if (transport.isPresent() && endpoint.isEmpty()) {
      throw new IllegalArgumentException("a transport applies to an endpoint");
    }
    if (requestTimeout == null) {
      throw new ConfigException("metricsRequestTimeout(null): a value is required");
    }
    if (requestTimeout.compareTo(MIN_REQUEST_TIMEOUT) < 0 || requestTimeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
      throw new ConfigException("metricsRequestTimeout(" + requestTimeout + "): give from " + MIN_REQUEST_TIMEOUT
          + " to " + MAX_REQUEST_TIMEOUT + " (" + DEFAULT_REQUEST_TIMEOUT + " unless set)");
    }
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS_LIMIT) {
      throw new ConfigException("metricsMaxConnections(" + maxConnections + "): give from 1 to " + MAX_CONNECTIONS_LIMIT
          + " (" + DEFAULT_MAX_CONNECTIONS + " unless set)");
    }
    endpointFilters = List.copyOf(Objects.requireNonNull(endpointFilters, "endpointFilters"));
  }

  /**
   * These settings with the host's registry. Used by {@code TidalDbBuilder.meterRegistry(...)}.
   *
   * @param registry the host's registry
   * @return new settings
   * @throws ConfigException if {@code registry} is null or a registry was already given
   */
  public MetricsConfig withMeterRegistry(MeterRegistry registry) {
    if (registry == null) {
      throw new ConfigException("meterRegistry(null): a value is required");
    }
    if (meterRegistry.isPresent()) {
      throw new ConfigException("meterRegistry was already set (to " + meterRegistry.get() + "); set it once");
    }
    return new MetricsConfig(Optional.of(registry), endpoint, transport, requestTimeout, maxConnections,
        endpointFilters);
  }

  /**
   * These settings with an endpoint. Used by {@code TidalDbBuilder.enableMetrics(...)}.
   *
   * @param hostPort {@code host:port} ({@code [::1]:port} for IPv6), or a port alone for loopback
   * @param transportName the transport's name, or null for the one on the classpath
   * @return new settings
   * @throws ConfigException if {@code hostPort} is malformed, the name is blank, or an endpoint was
   *     already given
   */
  public MetricsConfig withEndpoint(String hostPort, String transportName) {
    String setting = transportName == null
        ? "enableMetrics(\"" + hostPort + "\")"
        : "enableMetrics(\"" + hostPort + "\", \"" + transportName + "\")";
    if (endpoint.isPresent()) {
      throw new ConfigException("enableMetrics was already called (with " + endpoint.get().getHostString() + ":"
          + endpoint.get().getPort() + "); call it once");
    }
    if (hostPort == null) {
      throw new ConfigException(setting + ": a host:port is required, such as \"127.0.0.1:9464\"");
    }
    if (transportName != null && transportName.isBlank()) {
      throw new ConfigException(setting + ": name a transport, \"jdk\" or \"undertow\", or call enableMetrics(hostPort)");
    }
    return new MetricsConfig(meterRegistry, Optional.of(parseHostPort(setting, hostPort.strip())),
        Optional.ofNullable(transportName).map(String::strip), requestTimeout, maxConnections, endpointFilters);
  }

  /**
   * These settings with another request timeout. Used by {@code TidalDbBuilder.metricsRequestTimeout(...)}.
   *
   * @param timeout from {@link #MIN_REQUEST_TIMEOUT} to {@link #MAX_REQUEST_TIMEOUT}
   * @return new settings
   * @throws ConfigException if {@code timeout} is null or out of range
   */
  public MetricsConfig withRequestTimeout(Duration timeout) {
    return new MetricsConfig(meterRegistry, endpoint, transport, timeout, maxConnections, endpointFilters);
  }

  /**
   * These settings with another connection cap. Used by {@code TidalDbBuilder.metricsMaxConnections(...)}.
   *
   * @param connections from 1 to {@link #MAX_CONNECTIONS_LIMIT}
   * @return new settings
   * @throws ConfigException if {@code connections} is out of range
   */
  public MetricsConfig withMaxConnections(int connections) {
    return new MetricsConfig(meterRegistry, endpoint, transport, requestTimeout, connections, endpointFilters);
  }

  /**
   * These settings with one more filter for the endpoint's registry. Used by
   * {@code TidalDbBuilder.metricsMeterFilter(...)}.
   *
   * @param filter the filter, applied after those added before
   * @return new settings
   * @throws ConfigException if {@code filter} is null
   */
  public MetricsConfig withEndpointFilter(MeterFilter filter) {
    if (filter == null) {
      throw new ConfigException("metricsMeterFilter(null): give a MeterFilter, such as one that turns on"
          + " percentile histograms (docs/METRICS.md, \"Percentiles and histograms\")");
    }
    List<MeterFilter> filters = new ArrayList<>(endpointFilters);
    filters.add(filter);
    return new MetricsConfig(meterRegistry, endpoint, transport, requestTimeout, maxConnections, filters);
  }

  private static InetSocketAddress parseHostPort(String setting, String hostPort) {
    String host;
    String port;
    Matcher matcher = HOST_PORT.matcher(hostPort);
    if (matcher.matches()) {
      host = matcher.group(1);
      port = matcher.group(2);
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
    } else if (PORT_ONLY.matcher(hostPort).matches()) {
      host = "127.0.0.1";
      port = hostPort;
    } else {
      throw new ConfigException(setting + ": expected host:port, such as \"127.0.0.1:9464\", \"[::1]:9464\" or"
          + " \"0.0.0.0:9464\" (every interface), or a port alone for loopback; port 0 picks a free port");
    }
    int number = Integer.parseInt(port);
    if (number > 65535) {
      throw new ConfigException(setting + ": port " + number + " is out of range; use 0 to 65535 (0 picks a free port)");
    }
    return InetSocketAddress.createUnresolved(host, number);
  }
}

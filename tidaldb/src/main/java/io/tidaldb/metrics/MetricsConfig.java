package io.tidaldb.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidaldb.ConfigException;
import java.net.InetSocketAddress;
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
 * }</pre>
 *
 * @param meterRegistry the host's registry, given to {@code TidalDbBuilder.meterRegistry(...)}
 * @param endpoint where {@code /metrics} and {@code /healthz} listen, unresolved, as given to
 *     {@code TidalDbBuilder.enableMetrics(...)}
 * @param transport the transport chosen by name; empty to use the one on the classpath
 */
public record MetricsConfig(
    Optional<MeterRegistry> meterRegistry, Optional<InetSocketAddress> endpoint, Optional<String> transport) {

  /** No registry and no endpoint: the default. */
  public static final MetricsConfig NONE = new MetricsConfig(Optional.empty(), Optional.empty(), Optional.empty());

  /** A host, a colon and a port; the host may be a bracketed IPv6 literal. */
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.%a-zA-Z]+]|[^:\\[\\]\\s]+):([0-9]{1,5})");

  private static final Pattern PORT_ONLY = Pattern.compile("[0-9]{1,5}");

  /** Checks the components. */
  public MetricsConfig {
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(transport, "transport");
    if (transport.isPresent() && endpoint.isEmpty()) {
      throw new IllegalArgumentException("a transport applies to an endpoint");
    }
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
    return new MetricsConfig(Optional.of(registry), endpoint, transport);
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
        Optional.ofNullable(transportName).map(String::strip));
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

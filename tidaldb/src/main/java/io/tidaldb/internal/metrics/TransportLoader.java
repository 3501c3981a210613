package io.tidaldb.internal.metrics;

import io.tidaldb.ConfigException;
import io.tidaldb.metrics.spi.ExpositionFactory;
import io.tidaldb.metrics.spi.MetricsTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Finds the transport and the exposition on the classpath, with errors that say what to add or choose. */
final class TransportLoader {

  /** The transports tidalDB ships, by name, with the artifact that holds each. */
  static final Map<String, String> KNOWN = Map.of(
      "jdk", "io.tidaldb:tidaldb-metrics-jdk",
      "undertow", "io.tidaldb:tidaldb-metrics-undertow");

  private static final String BOTH_ARTIFACTS =
      "add io.tidaldb:tidaldb-metrics-jdk (the JDK's built-in HttpServer) or io.tidaldb:tidaldb-metrics-undertow"
      + " (Undertow) to the runtime classpath";

  private TransportLoader() {}

  static MetricsTransport select(String setting, Optional<String> name) {
    Map<String, MetricsTransport> available = new TreeMap<>();
    for (MetricsTransport transport : load(MetricsTransport.class, setting)) {
      MetricsTransport previous = available.putIfAbsent(transport.name(), transport);
      if (previous != null && previous.getClass() != transport.getClass()) {
        throw new ConfigException(setting + ": two metrics transports are named \"" + transport.name() + "\" ("
            + previous.getClass().getName() + " and " + transport.getClass().getName() + "); keep one on the classpath");
      }
    }
    if (name.isPresent()) {
      MetricsTransport chosen = available.get(name.get());
      if (chosen != null) {
        return chosen;
      }
      String artifact = KNOWN.get(name.get());
      if (artifact != null) {
        throw new ConfigException(setting + ": the metrics transport \"" + name.get() + "\" is not on the classpath;"
            + " add " + artifact + onClasspath(available));
      }
      throw new ConfigException(setting + ": unknown metrics transport \"" + name.get() + "\"; the known transports are "
          + quoted(KNOWN.keySet()) + onClasspath(available));
    }
    if (available.isEmpty()) {
      throw new ConfigException(setting + ": no metrics transport is on the classpath; " + BOTH_ARTIFACTS
          + ", or drop enableMetrics and bind your own registry with meterRegistry(...)");
    }
    if (available.size() > 1) {
      String first = available.keySet().iterator().next();
      throw new ConfigException(setting + ": several metrics transports are on the classpath (" + quoted(available.keySet())
          + "); choose one with enableMetrics(hostPort, name), for example enableMetrics(\"...\", \"" + first + "\")");
    }
    return available.values().iterator().next();
  }

  static ExpositionFactory exposition(String setting) {
    List<ExpositionFactory> factories = load(ExpositionFactory.class, setting);
    if (factories.isEmpty()) {
      throw new ConfigException(setting + ": io.tidaldb:tidaldb-metrics-exposition is missing from the classpath;"
          + " both transports depend on it: was it excluded?");
    }
    return factories.get(0);
  }

  private static <T> List<T> load(Class<T> service, String setting) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<T> found = new ArrayList<>();
    try {
      for (T provider : ServiceLoader.load(service, loader == null ? service.getClassLoader() : loader)) {
        found.add(provider);
      }
    } catch (ServiceConfigurationError e) {
      throw new ConfigException(setting + ": cannot load a " + service.getSimpleName() + " from the classpath: "
          + e.getMessage(), e);
    }
    return found;
  }

  private static String onClasspath(Map<String, MetricsTransport> available) {
    return available.isEmpty() ? " (no transport is on the classpath)"
        : " (on the classpath: " + quoted(available.keySet()) + ")";
  }

  private static String quoted(Iterable<String> names) {
    List<String> list = new ArrayList<>();
    names.forEach(list::add);
    return list.stream().sorted().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
  }
}

package io.tidaldb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * AC-12: the core's resolved runtime dependencies hold neither Undertow nor a Prometheus library.
 * The build writes them (maven-dependency-plugin's {@code list} goal, see tidaldb/pom.xml) to the
 * file named by the system property {@code tidaldb.runtimeDependencies}.
 */
class RuntimeDependenciesTest {

  private static final Pattern COORDINATES =
      Pattern.compile("^\\s*([\\w.-]+):([\\w.-]+):([\\w.-]+)(?::[\\w.-]+)?:([\\w.-]+):(compile|runtime)\\b.*$");

  @Test
  void runtimeDependencies_areMicrometerCoreAndItsOwn_neverUndertowOrPrometheus() throws IOException {
    String property = System.getProperty("tidaldb.runtimeDependencies");
    assertNotNull(property, "run with Maven: the build writes the dependency list and names it in tidaldb.runtimeDependencies");
    List<String> artifacts = Files.readAllLines(Path.of(property)).stream()
        .map(COORDINATES::matcher).filter(Matcher::matches)
        .map(m -> m.group(1) + ":" + m.group(2)).sorted().collect(Collectors.toList());
    assertTrue(artifacts.contains("io.micrometer:micrometer-core"), "the list must be real: " + artifacts);
    for (String artifact : artifacts) {
      assertTrue(!artifact.startsWith("io.undertow:") && !artifact.startsWith("org.jboss")
          && !artifact.startsWith("io.prometheus:") && !artifact.contains("prometheus"), artifact + " in " + artifacts);
    }
    assertEquals(List.of(), artifacts.stream().filter(a -> !a.startsWith("io.micrometer:")
        && !a.equals("org.hdrhistogram:HdrHistogram") && !a.equals("org.jspecify:jspecify")
        && !a.equals("org.latencyutils:LatencyUtils")).collect(Collectors.toList()),
        "the core may depend on the JDK and micrometer-core (with its own dependencies) only");
  }
}

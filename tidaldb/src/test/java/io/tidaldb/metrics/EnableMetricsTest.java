package io.tidaldb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.ConfigException;
import io.tidaldb.TidalDb;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.test.TempTidalHome;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The core alone: no transport is on this module's classpath. */
class EnableMetricsTest {

  @Test
  void enableMetrics_withoutATransport_failsOpenNamingBothArtifacts_andReleasesEverything() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TempTidalHome temp = TempTidalHome.create()) {
      ConfigException e = assertThrows(ConfigException.class, () -> TidalDb.builder().dataDir(temp.path())
          .meterRegistry(registry).enableMetrics("127.0.0.1:0").open());
      assertTrue(e.getMessage().contains("io.tidaldb:tidaldb-metrics-jdk"), e.getMessage());
      assertTrue(e.getMessage().contains("io.tidaldb:tidaldb-metrics-undertow"), e.getMessage());
      assertTrue(e.getMessage().startsWith("enableMetrics(\"127.0.0.1:0\")"), e.getMessage());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      assertEquals(List.of(), registry.getMeters(), "meters bound before the failure are removed");
      assertTrue(Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().startsWith("tidaldb-metrics")), "no metrics thread is left");
    }
  }

  @Test
  void enableMetrics_namingATransportThatIsNotOnTheClasspath_namesItsArtifact() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", "undertow").open());
    assertTrue(e.getMessage().contains("add io.tidaldb:tidaldb-metrics-undertow"), e.getMessage());
  }

  @Test
  void enableMetrics_withAnUnknownTransport_namesTheKnownOnes() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", "tomcat").open());
    assertTrue(e.getMessage().contains("unknown metrics transport \"tomcat\""), e.getMessage());
    assertTrue(e.getMessage().contains("\"jdk\", \"undertow\""), e.getMessage());
  }

  @Test
  void enableMetrics_withAMalformedHostPort_failsAtTheSetterNamingTheValue() {
    for (String bad : List.of("localhost", "127.0.0.1:", ":9464", "127.0.0.1:http", "127.0.0.1:65536", "::1:9464",
        "[::1", "", "host name:80")) {
      ConfigException e = assertThrows(ConfigException.class, () -> TidalDb.builder().enableMetrics(bad), bad);
      assertTrue(e.getMessage().startsWith("enableMetrics(\"" + bad + "\")"), e.getMessage());
    }
    assertThrows(ConfigException.class, () -> TidalDb.builder().enableMetrics(null));
    assertThrows(ConfigException.class, () -> TidalDb.builder().enableMetrics("127.0.0.1:0", null));
    assertThrows(ConfigException.class, () -> TidalDb.builder().enableMetrics("127.0.0.1:0", " "));
  }

  @Test
  void enableMetrics_acceptsHostPortForms_andResolvesThemIntoTheConfig() {
    assertEquals(Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 9464)), endpoint("127.0.0.1:9464"));
    assertEquals(Optional.of(InetSocketAddress.createUnresolved("::1", 0)), endpoint("[::1]:0"));
    assertEquals(Optional.of(InetSocketAddress.createUnresolved("localhost", 80)), endpoint("localhost:80"));
    assertEquals(Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 9464)), endpoint("9464"));
  }

  @Test
  void settingsGivenTwice_fail() {
    assertThrows(ConfigException.class, () -> TidalDb.builder().enableMetrics("0").enableMetrics("0"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThrows(ConfigException.class, () -> TidalDb.builder().meterRegistry(registry).meterRegistry(registry));
    assertThrows(ConfigException.class, () -> TidalDb.builder().meterRegistry(null));
  }

  @Test
  void endpointLimits_areFiveSecondsAnd256UnlessSet_andTheSettingsReachTheConfig() {
    MetricsConfig defaults = MetricsConfig.NONE.withEndpoint("0", null);
    assertEquals(Duration.ofSeconds(5), defaults.requestTimeout());
    assertEquals(256, defaults.maxConnections());
    ConfigException both = assertThrows(ConfigException.class, () -> TidalDb.builder().ephemeral()
        .metricsRequestTimeout(Duration.ofMillis(300)).metricsMaxConnections(8).open());
    assertTrue(both.getMessage().startsWith("metricsRequestTimeout(PT0.3S) applies to the metrics endpoint, which is"
        + " not enabled: call enableMetrics("), both.getMessage());
    ConfigException onlyCap = assertThrows(ConfigException.class,
        () -> TidalDb.builder().ephemeral().metricsMaxConnections(8).open());
    assertTrue(onlyCap.getMessage().startsWith("metricsMaxConnections(8) applies to the metrics endpoint"),
        onlyCap.getMessage());
  }

  @Test
  void endpointLimits_outOfRangeNullOrGivenTwice_failAtTheSetterNamingTheValue() {
    for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(9), Duration.ofMillis(-1), Duration.ofHours(2))) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> TidalDb.builder().metricsRequestTimeout(bad), bad.toString());
      assertTrue(e.getMessage().startsWith("metricsRequestTimeout(" + bad + "): give from PT0.01S to PT1H"),
          e.getMessage());
    }
    for (int bad : List.of(0, -1, 10_001)) {
      ConfigException e = assertThrows(ConfigException.class, () -> TidalDb.builder().metricsMaxConnections(bad));
      assertTrue(e.getMessage().startsWith("metricsMaxConnections(" + bad + "): give from 1 to 10000"), e.getMessage());
    }
    assertThrows(ConfigException.class, () -> TidalDb.builder().metricsRequestTimeout(null));
    ConfigException twice = assertThrows(ConfigException.class, () -> TidalDb.builder()
        .metricsRequestTimeout(Duration.ofSeconds(1)).metricsRequestTimeout(Duration.ofSeconds(2)));
    assertEquals("metricsRequestTimeout was already set (to PT1S); set it once", twice.getMessage());
    assertThrows(ConfigException.class, () -> TidalDb.builder().metricsMaxConnections(1).metricsMaxConnections(2));
  }

  @Test
  void withoutMetrics_thereIsNoAddress() {
    try (TidalDb db = TidalDb.builder().ephemeral().open()) {
      assertEquals(Optional.empty(), db.metricsAddress());
      assertEquals(MetricsConfig.NONE, db.config().metrics());
    }
  }

  private static Optional<InetSocketAddress> endpoint(String hostPort) {
    return MetricsConfig.NONE.withEndpoint(hostPort, null).endpoint();
  }
}

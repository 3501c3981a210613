package io.tidaldb.metrics.undertow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.ConfigException;
import io.tidaldb.TidalDb;
import org.junit.jupiter.api.Test;

/** This module's tests have both transports on the classpath (tidaldb-metrics-jdk in test scope). */
class TransportChoiceTest {

  @Test
  void enableMetrics_withTwoTransportsAndNoChoice_failsNamingTheChoice() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0").open());
    assertTrue(e.getMessage().contains("several metrics transports are on the classpath (\"jdk\", \"undertow\")"),
        e.getMessage());
    assertTrue(e.getMessage().contains("enableMetrics(hostPort, name)"), e.getMessage());
  }

  @Test
  void enableMetrics_withAnUnknownName_namesTheKnownAndThePresentTransports() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", "netty").open());
    assertTrue(e.getMessage().contains("the known transports are \"jdk\", \"undertow\""), e.getMessage());
    assertTrue(e.getMessage().contains("on the classpath: \"jdk\", \"undertow\""), e.getMessage());
  }

  @Test
  void enableMetrics_withAChoice_startsThatTransport() {
    try (TidalDb jdk = TidalDb.builder().ephemeral().partitionId("j").enableMetrics("127.0.0.1:0", "jdk").open();
        TidalDb undertow = TidalDb.builder().ephemeral().partitionId("u").enableMetrics("127.0.0.1:0", "undertow").open()) {
      assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("tidaldb-metrics-jdk-j")));
      assertTrue(Thread.getAllStackTraces().keySet().stream()
          .anyMatch(t -> t.getName().startsWith("tidaldb-metrics-undertow-u")));
    }
  }
}

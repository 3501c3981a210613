package io.tidaldb.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.BuildInfo;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.testing.ChildJvm;
import io.tidaldb.testing.ExpositionParser;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user acceptance test of the scoping document (SCOPING-m0p2.md, section 7), step by step:
 * a home written through the WAL, inspected by the packaged {@code tidalctl} as a real child
 * process, and a database serving {@code /healthz} and {@code /metrics} on each transport in turn.
 */
class ScopingUatIT {


  /** Given: a home whose WAL holds two events, checkpointed at 2, then shut down. */
  private static TidalHome walHome(TempTidalHome temp) {
    TidalHome home = temp.home().ensureAll();
    try (Wal wal = Wal.open(WalConfig.of(home.wal()))) {
      wal.append(new WalEvent(42L, 0, 1.0f, 1_767_225_600_000_000_000L));
      wal.append(new WalEvent(43L, 1, 2.0f, 1_767_225_601_000_000_000L));
      wal.checkpoint(2);
    }
    return home;
  }

  @Test
  void steps1and2_tidalctlStatusAndPaths_onTheWalHome() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = walHome(temp);

      ChildJvm.Result status = Reactor.tidalctl("status", "--path", home.base().toString());
      assertEquals(0, status.exitCode(), status.stderr());
      JsonNode report = Reactor.json(status.stdout());
      assertTrue(report.get("wal").get("segments").asInt() >= 1, report.toString());
      assertEquals(2, report.get("wal").get("checkpoint_seq").asLong());
      assertEquals("ok", report.get("status").asText());
      assertEquals(System.getProperty("tidaldb.expectedVersion"), report.get("version").asText());
      assertEquals(BuildInfo.version(), report.get("version").asText());

      ChildJvm.Result paths = Reactor.tidalctl("paths", "--path", home.base().toString());
      assertEquals(0, paths.exitCode(), paths.stderr());
      JsonNode layout = Reactor.json(paths.stdout());
      assertEquals(home.base().resolve("wal").toString(), layout.get("wal").asText());
      assertTrue(layout.get("exists").get("wal").asBoolean());
    }
  }

  @ParameterizedTest(name = "transport {0}")
  @ValueSource(strings = {"jdk", "undertow"})
  void steps3to8_healthzMetricsUptimeCloseRefused(String transport) throws Exception {
    TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", transport).open();
    InetSocketAddress address = db.metricsAddress().orElseThrow();
    try {
      // Step 3: /healthz answers 200 with status ok and a positive uptime.
      HttpResponse<String> health = Reactor.get(address, "/healthz");
      assertEquals(200, health.statusCode());
      JsonNode healthz = Reactor.json(health.body());
      assertEquals("ok", healthz.get("status").asText());
      assertTrue(healthz.get("uptime_seconds").asDouble() > 0, health.body());

      // Step 4: /metrics answers 200 with the three meters, in strict Prometheus text.
      double firstUptime = uptime(scrape(address));

      // Steps 5 and 6: later, the uptime is larger (waited for, not slept).
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .until(() -> uptime(scrape(address)) > firstUptime);
    } finally {
      // Step 7: close() returns.
      db.close();
    }
    // Step 8: the port refuses connections.
    assertThrows(ConnectException.class, () -> Reactor.get(address, "/healthz"));
  }

  private static ExpositionParser.Exposition scrape(InetSocketAddress address) throws IOException, InterruptedException {
    HttpResponse<String> metrics = Reactor.get(address, "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        metrics.headers().map().toString());
    ExpositionParser.Exposition exposition = ExpositionParser.prometheusText(metrics.body());
    assertEquals(1.0, exposition.family("tidaldb_health_ok").sample(Map.of("partition_id", "0")).value());
    assertEquals(1.0, exposition.family("tidaldb_info").sample(Map.of("partition_id", "0",
        "version", BuildInfo.version(), "build_hash", BuildInfo.buildHash())).value());
    return exposition;
  }

  private static double uptime(ExpositionParser.Exposition exposition) {
    double uptime = exposition.family("tidaldb_uptime_seconds").sample(Map.of("partition_id", "0")).value();
    assertTrue(uptime > 0, "uptime " + uptime);
    return uptime;
  }
}

package io.tidaldb.metrics.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidaldb.TidalDb;
import io.tidaldb.testing.ExpositionParser;
import io.tidaldb.testing.MetricsTransportContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The behaviour docs/METRICS.md describes for a host whose registry is itself a PrometheusMeterRegistry. */
class HostPrometheusRegistryTest {

  @Test
  void hostPrometheusRegistry_showsTidalDbsMetersBesideItsOwn_whileTheEndpointServesTidalDbsOnly() throws Exception {
    PrometheusMeterRegistry host = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    host.counter("host.requests").increment();
    try (TidalDb db = TidalDb.builder().ephemeral().meterRegistry(host).enableMetrics("127.0.0.1:0").open()) {
      ExpositionParser.Exposition hostScrape = ExpositionParser.prometheusText(host.scrape());
      Set<String> expected = new HashSet<>(MetricsTransportContract.EPHEMERAL_FAMILIES);
      expected.add("host_requests_total");
      assertEquals(expected, hostScrape.families().keySet());
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + db.metricsAddress().orElseThrow().getPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      ExpositionParser.Exposition endpoint = ExpositionParser.prometheusText(response.body());
      assertEquals(MetricsTransportContract.EPHEMERAL_FAMILIES, endpoint.families().keySet());
      assertEquals(endpoint.family("tidaldb_info").samples(), hostScrape.family("tidaldb_info").samples());
      assertEquals(1.0, endpoint.family("tidaldb_health_ok").sample(Map.of("partition_id", "0")).value());
    }
    assertTrue(!host.scrape().contains("tidaldb_"), "close() removes tidalDB's meters from the host's registry");
  }

  @Test
  void enableMetrics_withoutAName_usesTheOneTransportOnTheClasspath() {
    try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0").open()) {
      assertTrue(db.metricsAddress().orElseThrow().getPort() > 0);
    }
  }
}

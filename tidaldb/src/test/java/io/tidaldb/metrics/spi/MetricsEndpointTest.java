package io.tidaldb.metrics.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.FlatJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

  private HealthReport health = HealthReport.ok(Duration.ofMillis(127_300));
  private RuntimeException renderFailure;

  private final Exposition exposition = new Exposition() {
    @Override
    public Set<ExpositionFormat> formats() {
      return EnumSet.of(ExpositionFormat.PROMETHEUS_TEXT);
    }

    @Override
    public byte[] render(ExpositionFormat format) {
      if (renderFailure != null) {
        throw renderFailure;
      }
      return ("rendered " + format + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {}
  };

  private final MetricsEndpoint endpoint = new MetricsEndpoint(() -> health, exposition);

  @Test
  void healthz_writesTheUptimeInPlainFractionalSeconds() {
    MetricsEndpoint.Response response = get("/healthz");
    assertEquals(200, response.status());
    Map<String, Object> json = FlatJson.parse(body(response));
    assertEquals(127.3, json.get("uptime_seconds"));
    assertEquals("0", MetricsEndpoint.seconds(Duration.ZERO));
    assertEquals("0.000001", MetricsEndpoint.seconds(Duration.ofNanos(1_000)));
    assertEquals("86400", MetricsEndpoint.seconds(Duration.ofDays(1)));
  }

  @Test
  void healthz_whenDegraded_is503WithTheReasonEscaped() {
    health = HealthReport.degraded(Duration.ofSeconds(2), "the \"home\" \\ is\ngone\u0001");
    MetricsEndpoint.Response response = get("/healthz");
    assertEquals(503, response.status());
    Map<String, Object> json = FlatJson.parse(body(response));
    assertEquals("degraded", json.get("status"));
    assertEquals("the \"home\" \\ is\ngone\u0001", json.get("reason"));
  }

  @Test
  void metrics_whenRenderingFails_is500WithAContentType() {
    renderFailure = new IllegalStateException("registry closed");
    MetricsEndpoint.Response response = get("/metrics");
    assertEquals(500, response.status());
    assertTrue(body(response).contains("registry closed"), body(response));
    assertEquals("text/plain; charset=utf-8", response.headers().get("Content-Type"));
  }

  @Test
  void head_keepsTheBodyLengthButSendsNoBody() {
    MetricsEndpoint.Response get = get("/metrics");
    MetricsEndpoint.Response head = endpoint.handle(new MetricsEndpoint.Request("HEAD", "/metrics", Optional.empty()));
    assertEquals(get.body().length, head.body().length);
    assertTrue(get.sendBody());
    assertFalse(head.sendBody());
    assertEquals(get.headers(), head.headers());
  }

  @Test
  void methodsAreCaseSensitive_andUnknownPathsWin() {
    assertEquals(405, endpoint.handle(new MetricsEndpoint.Request("get", "/metrics", Optional.empty())).status());
    assertEquals(404, endpoint.handle(new MetricsEndpoint.Request("DELETE", "/nope", Optional.empty())).status());
  }

  private MetricsEndpoint.Response get(String path) {
    return endpoint.handle(new MetricsEndpoint.Request("GET", path, Optional.empty()));
  }

  private static String body(MetricsEndpoint.Response response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}

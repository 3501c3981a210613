package io.tidaldb.metrics.spi;

import io.tidaldb.BuildInfo;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The transport-neutral behaviour of {@code /healthz} and {@code /metrics}: routing, content
 * negotiation and rendering, written once and used by every {@link MetricsTransport}.
 *
 * <pre>{@code
 * MetricsEndpoint.Response response = endpoint.handle(
 *     new MetricsEndpoint.Request("GET", "/metrics", Optional.of("application/openmetrics-text")));
 * response.status();        // 200
 * response.headers();       // {Content-Type=application/openmetrics-text; version=1.0.0; charset=utf-8, ...}
 * response.body();          // the exposition, ending with "# EOF\n"
 * }</pre>
 *
 * <ul>
 *   <li>{@code GET /healthz}: {@code 200} and {@code {"status":"ok","uptime_seconds":..,"version":..,
 *       "build_hash":..}}; {@code 503} with {@code "status":"degraded"} and the {@code "reason"} when
 *       the database is not healthy.
 *   <li>{@code GET /metrics}: {@code 200} in the format the {@code Accept} header asks for (Prometheus
 *       text 0.0.4 unless it asks for OpenMetrics or Prometheus protobuf), always with an explicit
 *       {@code Content-Type}.
 *   <li>{@code HEAD}: the same status and headers, no body. Other methods: {@code 405} with
 *       {@code Allow: GET, HEAD}. Other paths: {@code 404}.
 * </ul>
 *
 * <p>A transport writes {@code Content-Length: body().length} on every response, and the body only
 * when {@link Response#sendBody()} is true. This class is thread-safe.
 */
public final class MetricsEndpoint {

  /** The path of the exposition. */
  public static final String METRICS_PATH = "/metrics";

  /** The path of the health report. */
  public static final String HEALTHZ_PATH = "/healthz";

  /** The value of the {@code Allow} header: the methods both paths answer. */
  public static final String ALLOWED_METHODS = "GET, HEAD";

  private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  private final Supplier<HealthReport> health;
  private final Exposition exposition;
  private final Set<ExpositionFormat> formats;

  /**
   * An endpoint that reports {@code health} and renders {@code exposition}.
   *
   * @param health the state {@code /healthz} reports, read on every request
   * @param exposition the meters {@code /metrics} renders
   */
  public MetricsEndpoint(Supplier<HealthReport> health, Exposition exposition) {
    this.health = Objects.requireNonNull(health, "health");
    this.exposition = Objects.requireNonNull(exposition, "exposition");
    EnumSet<ExpositionFormat> supported = EnumSet.copyOf(exposition.formats());
    supported.add(ExpositionFormat.PROMETHEUS_TEXT);
    this.formats = Collections.unmodifiableSet(supported);
  }

  /**
   * Answers one request. Never throws: a failure to render is a {@code 500} with the reason.
   *
   * @param request the method, path and {@code Accept} header
   * @return the response to write
   */
  public Response handle(Request request) {
    Objects.requireNonNull(request, "request");
    try {
      return route(request);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "tidalDB metrics endpoint failed to answer " + request, e);
      return text(500, "tidalDB could not answer " + request.path() + ": " + e + "\n", true);
    }
  }

  private Response route(Request request) {
    String path = request.path();
    if (!path.equals(METRICS_PATH) && !path.equals(HEALTHZ_PATH)) {
      return text(404, "not found: tidalDB serves GET " + METRICS_PATH + " and GET " + HEALTHZ_PATH + "\n",
          !request.isHead());
    }
    if (!request.method().equals("GET") && !request.isHead()) {
      Response refused = text(405, "method " + request.method() + " is not allowed on " + path + "; use GET or HEAD\n",
          true);
      Map<String, String> headers = new LinkedHashMap<>(refused.headers());
      headers.put("Allow", ALLOWED_METHODS);
      return new Response(405, headers, refused.body(), true);
    }
    return path.equals(HEALTHZ_PATH) ? healthz(request) : metrics(request);
  }

  private Response healthz(Request request) {
    HealthReport report = health.get();
    StringBuilder json = new StringBuilder(160).append("{\"status\":\"").append(report.isOk() ? "ok" : "degraded")
        .append('"');
    report.problem().ifPresent(problem -> json.append(",\"reason\":").append(jsonString(problem)));
    json.append(",\"uptime_seconds\":").append(seconds(report.uptime()))
        .append(",\"version\":").append(jsonString(BuildInfo.version()))
        .append(",\"build_hash\":").append(jsonString(BuildInfo.buildHash()))
        .append("}\n");
    return new Response(report.isOk() ? 200 : 503, headers(JSON), json.toString().getBytes(StandardCharsets.UTF_8),
        !request.isHead());
  }

  private Response metrics(Request request) {
    ExpositionFormat format = ContentNegotiation.choose(request.accept(), formats);
    Map<String, String> headers = headers(format.contentType());
    headers.put("Vary", "Accept");
    return new Response(200, headers, exposition.render(format), !request.isHead());
  }

  private static Response text(int status, String body, boolean sendBody) {
    return new Response(status, headers(TEXT), body.getBytes(StandardCharsets.UTF_8), sendBody);
  }

  private static Map<String, String> headers(String contentType) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    headers.put("Cache-Control", "no-store");
    return headers;
  }

  /** Fractional seconds with up to nanosecond digits and no exponent, such as {@code 127.3}. */
  static String seconds(Duration duration) {
    BigDecimal seconds = BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    return seconds.signum() == 0 ? "0" : seconds.stripTrailingZeros().toPlainString();
  }

  static String jsonString(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * One request, as a transport sees it.
   *
   * @param method the HTTP method, such as {@code GET} (case-sensitive, as HTTP defines it)
   * @param path the decoded path, without the query string
   * @param accept the {@code Accept} header; several header lines joined with {@code ", "}
   */
  public record Request(String method, String path, Optional<String> accept) {
    /**
     * Checks the components.
     *
     * @param method the HTTP method, such as {@code GET} (case-sensitive, as HTTP defines it)
     * @param path the decoded path, without the query string
     * @param accept the {@code Accept} header; several header lines joined with {@code ", "}
     */
    public Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(accept, "accept");
    }

    boolean isHead() {
      return method.equals("HEAD");
    }
  }

  /**
   * One response, for a transport to write: the status, the headers, {@code Content-Length} equal to
   * {@code body().length}, and the body if {@link #sendBody()}.
   *
   * @param status the HTTP status code
   * @param headers the response headers, {@code Content-Type} first; never {@code Content-Length}
   * @param body the body, also for {@code HEAD}, whose length is the {@code Content-Length}
   * @param sendBody false for {@code HEAD}: write the headers only
   */
  public record Response(int status, Map<String, String> headers, byte[] body, boolean sendBody) {
    /**
     * Checks and copies the components.
     *
     * @param status the HTTP status code
     * @param headers the response headers, {@code Content-Type} first; never {@code Content-Length}
     * @param body the body, also for {@code HEAD}, whose length is the {@code Content-Length}
     * @param sendBody false for {@code HEAD}: write the headers only
     */
    public Response {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(body, "body");
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }
}

package io.tidaldb.metrics.spi;

/**
 * The exposition formats {@code /metrics} can answer in, each with the exact {@code Content-Type}
 * it is served with.
 *
 * <pre>{@code
 * ExpositionFormat.OPENMETRICS_TEXT.contentType();   // application/openmetrics-text; version=1.0.0; charset=utf-8
 * }</pre>
 */
public enum ExpositionFormat {

  /** The Prometheus text format 0.0.4: the default. */
  PROMETHEUS_TEXT("text/plain; version=0.0.4; charset=utf-8"),

  /** OpenMetrics 1.0.0 text, ending with {@code # EOF}. */
  OPENMETRICS_TEXT("application/openmetrics-text; version=1.0.0; charset=utf-8"),

  /** Prometheus protobuf: length-delimited {@code io.prometheus.client.MetricFamily} messages. */
  PROMETHEUS_PROTOBUF("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");

  private final String contentType;

  ExpositionFormat(String contentType) {
    this.contentType = contentType;
  }

  /**
   * The {@code Content-Type} of a body in this format.
   *
   * @return the media type with its parameters
   */
  public String contentType() {
    return contentType;
  }
}

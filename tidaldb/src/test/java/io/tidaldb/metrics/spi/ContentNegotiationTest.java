package io.tidaldb.metrics.spi;

import static io.tidaldb.metrics.spi.ExpositionFormat.OPENMETRICS_TEXT;
import static io.tidaldb.metrics.spi.ExpositionFormat.PROMETHEUS_PROTOBUF;
import static io.tidaldb.metrics.spi.ExpositionFormat.PROMETHEUS_TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContentNegotiationTest {

  private static final Set<ExpositionFormat> ALL = EnumSet.allOf(ExpositionFormat.class);
  private static final Set<ExpositionFormat> TEXTS = EnumSet.of(PROMETHEUS_TEXT, OPENMETRICS_TEXT);

  @Test
  void choose_followsQualityThenSpecificityThenOrder() {
    check(PROMETHEUS_TEXT, null, ALL);
    check(PROMETHEUS_TEXT, "", ALL);
    check(PROMETHEUS_TEXT, "*/*", ALL);
    check(PROMETHEUS_TEXT, "text/plain", ALL);
    check(OPENMETRICS_TEXT, "application/openmetrics-text", ALL);
    check(OPENMETRICS_TEXT, "application/openmetrics-text; version=0.0.1", ALL);
    check(OPENMETRICS_TEXT, "APPLICATION/OpenMetrics-Text;Version=1.0.0", ALL);
    check(PROMETHEUS_TEXT, "application/openmetrics-text;version=2.0.0", ALL);
    check(OPENMETRICS_TEXT, "application/*", ALL);
    check(OPENMETRICS_TEXT, "text/plain;q=0.5, application/openmetrics-text", ALL);
    check(OPENMETRICS_TEXT, "application/openmetrics-text, text/plain", ALL);
    check(PROMETHEUS_TEXT, "text/plain, application/openmetrics-text", ALL);
    check(PROMETHEUS_TEXT, "application/openmetrics-text;q=0, */*", ALL);
    check(PROMETHEUS_TEXT, "application/json", ALL);
    check(PROMETHEUS_TEXT, "text/plain;q=abc", ALL);
    check(PROMETHEUS_PROTOBUF, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
        + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1", ALL);
    check(PROMETHEUS_TEXT, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
        + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1", TEXTS);
    check(PROMETHEUS_TEXT, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", ALL);
    check(PROMETHEUS_TEXT, "application/vnd.google.protobuf", ALL);
    check(OPENMETRICS_TEXT, "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
        + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1", ALL);
  }

  private static void check(ExpositionFormat expected, String accept, Set<ExpositionFormat> supported) {
    assertEquals(expected, ContentNegotiation.choose(Optional.ofNullable(accept), supported), String.valueOf(accept));
  }
}

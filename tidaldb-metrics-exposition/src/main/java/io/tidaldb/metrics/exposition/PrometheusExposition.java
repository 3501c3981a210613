package io.tidaldb.metrics.exposition;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tidaldb.metrics.spi.Exposition;
import io.tidaldb.metrics.spi.ExpositionFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Renders a private registry's meters with client_java's writers, each chosen by format, never by a
 * header: negotiation is the endpoint's. Protobuf is offered only when the writer can produce it
 * (its shaded protobuf classes are on the classpath), and is written to a byte stream, so the body is
 * the exact delimited bytes (never a string round trip, which would corrupt them).
 */
final class PrometheusExposition implements Exposition {

  private final PrometheusMeterRegistry registry;
  private final Map<ExpositionFormat, ExpositionFormatWriter> writers;

  PrometheusExposition(PrometheusMeterRegistry registry) {
    this.registry = registry;
    ExpositionFormats formats = ExpositionFormats.init();
    EnumMap<ExpositionFormat, ExpositionFormatWriter> byFormat = new EnumMap<>(ExpositionFormat.class);
    byFormat.put(ExpositionFormat.PROMETHEUS_TEXT, formats.getPrometheusTextFormatWriter());
    byFormat.put(ExpositionFormat.OPENMETRICS_TEXT, formats.getOpenMetricsTextFormatWriter());
    if (formats.getPrometheusProtobufWriter().isAvailable()) {
      byFormat.put(ExpositionFormat.PROMETHEUS_PROTOBUF, formats.getPrometheusProtobufWriter());
    }
    for (Map.Entry<ExpositionFormat, ExpositionFormatWriter> entry : byFormat.entrySet()) {
      if (!entry.getKey().contentType().equals(entry.getValue().getContentType())) {
        throw new IllegalStateException("the " + entry.getKey() + " writer declares " + entry.getValue().getContentType()
            + ", not " + entry.getKey().contentType());
      }
    }
    this.writers = Collections.unmodifiableMap(byFormat);
  }

  @Override
  public Set<ExpositionFormat> formats() {
    return writers.keySet();
  }

  @Override
  public byte[] render(ExpositionFormat format) {
    ExpositionFormatWriter writer = writers.get(format);
    if (writer == null) {
      throw new IllegalArgumentException(format + " is not available; available: " + formats());
    }
    MetricSnapshots snapshots = registry.getPrometheusRegistry().scrape();
    ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
    try {
      writer.write(body, snapshots);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + format, e);
    }
    return body.toByteArray();
  }

  @Override
  public void close() {
    registry.close();
  }
}

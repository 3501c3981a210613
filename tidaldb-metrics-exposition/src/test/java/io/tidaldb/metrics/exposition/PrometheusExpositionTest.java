package io.tidaldb.metrics.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import io.tidaldb.TidalDb;
import io.tidaldb.metrics.TidalDbMetrics;
import io.tidaldb.metrics.spi.Exposition;
import io.tidaldb.metrics.spi.ExpositionFormat;
import io.tidaldb.testing.ExpositionParser;
import io.tidaldb.testing.MetricsTransportContract;
import io.tidaldb.testing.ProtobufExposition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PrometheusExpositionTest {

  @Test
  void render_writesEveryFormat_andProtobufIsReadByTheLibrarysOwnParser() throws IOException {
    try (TidalDb db = TidalDb.builder().ephemeral().open();
        Exposition exposition = new PrometheusExpositionFactory().create(new TidalDbMetrics(db))) {
      assertEquals(EnumSet.allOf(ExpositionFormat.class), exposition.formats());
      ExpositionParser.prometheusText(new String(exposition.render(ExpositionFormat.PROMETHEUS_TEXT), StandardCharsets.UTF_8));
      ExpositionParser.openMetrics(new String(exposition.render(ExpositionFormat.OPENMETRICS_TEXT), StandardCharsets.UTF_8));
      byte[] protobuf = exposition.render(ExpositionFormat.PROMETHEUS_PROTOBUF);
      List<String> ours = ProtobufExposition.parse(protobuf).stream().map(ProtobufExposition.Family::name)
          .collect(Collectors.toList());
      List<String> theirs = new ArrayList<>();
      ByteArrayInputStream in = new ByteArrayInputStream(protobuf);
      for (Metrics.MetricFamily family; (family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null; ) {
        theirs.add(family.getName());
      }
      assertEquals(MetricsTransportContract.EPHEMERAL_FAMILIES.stream().sorted().collect(Collectors.toList()),
          theirs.stream().sorted().collect(Collectors.toList()));
      assertEquals(theirs, ours);
    }
  }
}

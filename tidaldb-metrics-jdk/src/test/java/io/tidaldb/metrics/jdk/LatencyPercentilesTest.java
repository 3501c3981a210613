package io.tidaldb.metrics.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidaldb.ConfigException;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.ExpositionParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The latency timers take a {@code MeterFilter} like any Micrometer timer: the host's registry with
 * its own filters, the endpoint's with {@code metricsMeterFilter(...)}; the scrape shows the p99 and
 * the histogram buckets that alert rules and dashboards read (docs/METRICS.md).
 */
class LatencyPercentilesTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
      .build();

  /** The recipe of docs/METRICS.md: a percentile histogram (and here a p99) for every tidalDB timer. */
  static final MeterFilter HISTOGRAMS = new MeterFilter() {
    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      return id.getName().startsWith("tidaldb.")
          ? DistributionStatisticConfig.builder().percentiles(0.99).percentilesHistogram(true).build().merge(config)
          : config;
    }
  };

  @Test
  void hostRegistryWithAPercentileFilter_scrapesTheP99OfWriteLatency() {
    PrometheusMeterRegistry host = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    host.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        return DistributionStatisticConfig.builder().percentiles(0.99).build().merge(config);
      }
    });
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).meterRegistry(host).writeLatencySampling(1).open()) {
      for (int i = 0; i < 100; i++) {
        db.signal("view", i, 1.0, T0);
      }
      String scrape = host.scrape();
      ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(scrape);
      double p99 = parsed.family("tidaldb_signal_write_latency_seconds")
          .sample(Map.of("partition_id", "0", "quantile", "0.99")).value();
      assertTrue(p99 > 0, "p99 line in:\n" + scrape);
      assertEquals(100.0, parsed.family("tidaldb_signal_write_latency_seconds").samples().stream()
          .filter(s -> s.name().equals("tidaldb_signal_write_latency_seconds_count")).findFirst().orElseThrow().value());
    }
  }

  @Test
  void metricsMeterFilter_givesTheEndpointsTimersHistogramBuckets() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).writeLatencySampling(1)
            .checkpointInterval(Duration.ZERO).enableMetrics("127.0.0.1:0", "jdk").metricsMeterFilter(HISTOGRAMS).open()) {
      for (int i = 0; i < 20; i++) {
        db.signal("view", i, 1.0, T0);
      }
      db.checkpoint();
      String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + db.metricsAddress().orElseThrow().getPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(body);
      for (String timer : new String[] {"tidaldb_signal_write_latency_seconds", "tidaldb_wal_fsync_seconds",
          "tidaldb_checkpoint_seconds"}) {
        assertEquals("histogram", parsed.family(timer).type(), timer);
        double infBucket = parsed.family(timer).samples().stream()
            .filter(s -> s.name().equals(timer + "_bucket") && "+Inf".equals(s.labels().get("le")))
            .findFirst().orElseThrow(() -> new AssertionError("no +Inf bucket of " + timer + " in:\n" + body)).value();
        assertTrue(infBucket > 0, timer + " counted in its buckets");
      }
      assertTrue(parsed.family("tidaldb_signal_write_latency_seconds").samples().stream()
          .filter(s -> s.name().equals("tidaldb_signal_write_latency_seconds_bucket")).count() > 10,
          "percentile histogram buckets");
    }
  }

  @Test
  void metricsMeterFilter_withoutAnEndpoint_failsOpenNamingWhatToDo() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TidalDb.builder().ephemeral().metricsMeterFilter(HISTOGRAMS).open());
    assertTrue(e.getMessage().startsWith("metricsMeterFilter(...) applies to the metrics endpoint"), e.getMessage());
  }
}

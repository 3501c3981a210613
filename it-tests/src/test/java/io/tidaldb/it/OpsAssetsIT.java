package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.ExpositionParser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operations assets in {@code ops/} name only metrics that a running database really exposes:
 * every query of the Grafana dashboard, and every expression of the Prometheus rules. The database
 * is a persistent one with a signal written, a checkpoint taken, a ranking query answered and
 * percentile histograms turned on (the recipe of docs/METRICS.md), scraped over {@code /metrics}.
 */
class OpsAssetsIT {

  private static final Pattern METRIC = Pattern.compile("\\btidaldb_[a-z0-9_]+\\b");
  private static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");

  /** Every sample name of the scrape: {@code tidaldb_wal_fsync_seconds_bucket}, {@code tidaldb_health_ok}, ... */
  private static Set<String> exposed;

  @BeforeAll
  static void scrapeARunningDatabase() throws Exception {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
        .build();
    MeterFilter histograms = new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        return id.getName().startsWith("tidaldb.")
            ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
            : config;
      }
    };
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(schema).writeLatencySampling(1)
            .enableMetrics("127.0.0.1:0", "jdk").metricsMeterFilter(histograms).open()) {
      for (int i = 0; i < 10; i++) {
        db.signal("view", i, 1.0, T0);
      }
      db.checkpoint();
      db.top(RankingProfile.builder().name("trending").decayScore("view", 1).build(), 5, T0);
      HttpResponse<String> response = Reactor.get(db.metricsAddress().orElseThrow(), "/metrics");
      assertEquals(200, response.statusCode());
      exposed = ExpositionParser.prometheusText(response.body()).families().values().stream()
          .flatMap(family -> family.samples().stream()).map(ExpositionParser.Sample::name)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void grafanaDashboard_everyPanelQueriesMetricsTheExpositionHas() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(Reactor.root().resolve("ops/grafana/tidaldb-dashboard.json").toFile());
    List<String> problems = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      String title = panel.get("title").asText();
      titles.add(title);
      JsonNode targets = panel.path("targets");
      if (targets.isEmpty()) {
        problems.add("panel \"" + title + "\" has no query");
      }
      for (JsonNode target : targets) {
        problems.addAll(unknownMetrics("panel \"" + title + "\"", target.get("expr").asText()));
      }
    }
    for (JsonNode variable : dashboard.get("templating").get("list")) {
      if (variable.has("definition")) {
        problems.addAll(unknownMetrics("variable $" + variable.get("name").asText(), variable.get("definition").asText()));
      }
    }
    assertEquals(List.of(), problems, "the exposition has: " + exposed);
    assertTrue(titles.containsAll(List.of("Writes/s", "p99 write latency", "Fsync time", "WAL size and segments",
        "Checkpoint age", "Checkpoint duration", "Ledger entries and evictions", "Ranking queries")), titles.toString());
  }

  @Test
  void prometheusRules_everyExpressionNamesMetricsTheExpositionHas() throws IOException {
    Path rules = Reactor.root().resolve("ops/prometheus/tidaldb-rules.yml");
    List<String> problems = new ArrayList<>();
    int expressions = 0;
    List<String> lines = Files.readAllLines(rules);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("expr:")) {
        StringBuilder expr = new StringBuilder(line.substring("expr:".length()));
        while (i + 1 < lines.size() && lines.get(i + 1).startsWith("          ")) {   // a block scalar's lines
          expr.append(' ').append(lines.get(++i).strip());
        }
        expressions++;
        problems.addAll(unknownMetrics(rules.getFileName() + " line " + (i + 1), expr.toString()));
      }
    }
    assertEquals(8, expressions, "the rules file's expressions");
    assertEquals(List.of(), problems, "the exposition has: " + exposed);
  }

  private static List<String> unknownMetrics(String where, String query) {
    List<String> problems = new ArrayList<>();
    Matcher matcher = METRIC.matcher(query);
    boolean any = false;
    while (matcher.find()) {
      any = true;
      if (!exposed.contains(matcher.group())) {
        problems.add(where + " names " + matcher.group() + ", which /metrics does not have");
      }
    }
    if (!any && !query.contains("up{")) {
      problems.add(where + " names no tidaldb metric: " + query);
    }
    return problems;
  }

  @Test
  void exposition_hasTheHistogramBucketsTheP99QueriesNeed() {
    assertFalse(exposed.isEmpty());
    assertTrue(exposed.containsAll(Set.of("tidaldb_signal_write_latency_seconds_bucket", "tidaldb_wal_fsync_seconds_bucket",
        "tidaldb_checkpoint_seconds_bucket", "tidaldb_ranking_query_latency_seconds_bucket")), exposed.toString());
  }
}

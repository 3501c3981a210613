package io.tidaldb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ranking meters: one counter and one timer per profile name, tagged, removed on close. */
class RankingMetricsTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
      .build();

  @Test
  void rankingQueries_areCountedAndTimed_perProfileName_adhocByDefault() {
    MeterRegistry registry = new SimpleMeterRegistry();
    MeterRegistry late = new SimpleMeterRegistry();
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).meterRegistry(registry).open()) {
      db.signal("view", 1, 1, T0);
      assertNull(registry.find(MeterNames.RANKING_QUERIES).meter(), "no meter before the first query");
      RankingProfile trending = RankingProfile.builder().name("trending").decayScore("view", 1).build();
      db.top(trending, 10, T0);
      db.top(trending, 10, T0, id -> true);
      db.top(RankingProfile.builder().decayScore("view", 2).build(), 10, T0);
      assertEquals(2.0, queries(registry, "trending"));
      assertEquals(1.0, queries(registry, "adhoc"));
      Timer latency = registry.get(MeterNames.RANKING_QUERY_LATENCY).tag(MeterNames.PROFILE, "trending")
          .tag(MeterNames.PARTITION_ID, "0").timer();
      assertEquals(2.0, latency.count());
      assertTrue(latency.totalTime(TimeUnit.NANOSECONDS) > 0);
      try (TidalDbMetrics binder = new TidalDbMetrics(db)) {
        binder.bindTo(late);
        assertEquals(2.0, queries(late, "trending"), "a binder bound later sees the profiles queried before");
      }
      assertNull(late.find(MeterNames.RANKING_QUERIES).meter(), "closing the binder removed its ranking meters");
    }
    assertEquals(List.of(), registry.find(MeterNames.RANKING_QUERIES).meters(), "close() removed the ranking meters");
    assertEquals(List.of(), registry.find(MeterNames.RANKING_QUERY_LATENCY).meters());
  }

  private static double queries(MeterRegistry registry, String profile) {
    return registry.get(MeterNames.RANKING_QUERIES).tag(MeterNames.PROFILE, profile).tag(MeterNames.PARTITION_ID, "0")
        .functionCounter().count();
  }
}

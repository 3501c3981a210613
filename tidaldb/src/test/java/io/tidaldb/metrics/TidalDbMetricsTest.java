package io.tidaldb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.BuildInfo;
import io.tidaldb.ConfigException;
import io.tidaldb.TidalDb;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TidalDbMetricsTest {

  /** The meters of an ephemeral database without signals: the three of issue 4 and the ledger's. */
  static final List<String> EPHEMERAL_METERS = List.of("tidaldb.health.ok", "tidaldb.info", "tidaldb.ledger.entries",
      "tidaldb.ledger.evictions", "tidaldb.signal.reads", "tidaldb.signal.write.latency", "tidaldb.uptime");

  private final MeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void meterRegistry_bindsTheMetersTaggedWithThePartition() {
    try (TidalDb db = TidalDb.builder().ephemeral().meterRegistry(registry).open()) {
      assertEquals(EPHEMERAL_METERS, names(registry));
      registry.getMeters().forEach(m -> assertEquals("0", m.getId().getTag(MeterNames.PARTITION_ID), m.getId().toString()));
      assertEquals(1.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
      assertEquals(1.0, registry.get(MeterNames.INFO).tag(MeterNames.VERSION, BuildInfo.version())
          .tag(MeterNames.BUILD_HASH, BuildInfo.buildHash()).gauge().value());
      assertTrue(registry.get(MeterNames.UPTIME).timeGauge().value(TimeUnit.SECONDS) > 0);
    }
  }

  @Test
  void uptime_followsTheInjectedClock_inFractionalSeconds() {
    ManualClock clock = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).meterRegistry(registry).open()) {
      assertEquals(0.0, registry.get(MeterNames.UPTIME).timeGauge().value(TimeUnit.SECONDS));
      clock.advance(Duration.ofMillis(127_300));
      assertEquals(127.3, registry.get(MeterNames.UPTIME).timeGauge().value(TimeUnit.SECONDS), 1e-9);
    }
  }

  @Test
  void healthGauge_dropsToZero_whenTheHomeIsDeletedUnderIt() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path().resolve("home")).meterRegistry(registry).open()) {
      assertEquals(1.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
      TempTidalHome.deleteRecursively(temp.path().resolve("home"));
      assertEquals(0.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
    }
  }

  @Test
  void close_removesExactlyTidalDbsMeters() {
    registry.counter("host.requests").increment();
    TidalDb db = TidalDb.builder().ephemeral().meterRegistry(registry).open();
    assertEquals(EPHEMERAL_METERS.size() + 1, registry.getMeters().size());
    db.close();
    assertEquals(List.of("host.requests"), names(registry));
    db.close();
    assertEquals(List.of("host.requests"), names(registry));
  }

  @Test
  // "try" lint: the test closes one of the two databases early, inside the block, on purpose.
  @SuppressWarnings("try")
  void twoDatabases_withDistinctPartitionIds_shareOneRegistry() {
    try (TidalDb a = TidalDb.builder().ephemeral().partitionId("a").meterRegistry(registry).open();
        TidalDb b = TidalDb.builder().ephemeral().partitionId("b").meterRegistry(registry).open()) {
      assertEquals(2, registry.find(MeterNames.UPTIME).timeGauges().size());
      a.close();
      assertNull(registry.find(MeterNames.UPTIME).tag(MeterNames.PARTITION_ID, "a").timeGauge());
      assertNotNull(registry.find(MeterNames.UPTIME).tag(MeterNames.PARTITION_ID, "b").timeGauge());
    }
    assertEquals(List.of(), registry.getMeters());
  }

  @Test
  void samePartitionIdTwiceInOneRegistry_failsOpen_andLeavesTheSecondHomeUnlocked() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb first = TidalDb.builder().ephemeral().meterRegistry(registry).open()) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> TidalDb.builder().dataDir(temp.path()).meterRegistry(registry).open());
      assertTrue(e.getMessage().contains("partitionId(\"0\")"), e.getMessage());
      assertTrue(e.getMessage().contains("already holds tidalDB meters"), e.getMessage());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      assertEquals(EPHEMERAL_METERS, names(registry), "the first database's meters are untouched");
      first.healthCheck();
    }
  }

  @Test
  void compositeRegistry_getsTheMetersAndLosesThemOnClose() {
    CompositeMeterRegistry composite = new CompositeMeterRegistry();
    composite.add(registry);
    try (TidalDb db = TidalDb.builder().ephemeral().meterRegistry(composite).open()) {
      assertEquals(1.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
    }
    assertEquals(List.of(), composite.getMeters());
  }

  @Test
  void binder_boundByHand_addsTagsAndIsClosedOnce() {
    try (TidalDb db = TidalDb.builder().ephemeral().partitionId("p7").open()) {
      TidalDbMetrics metrics = new TidalDbMetrics(db, Tags.of("service", "feed"));
      metrics.bindTo(registry);
      assertEquals("feed", registry.get(MeterNames.HEALTH_OK).tag(MeterNames.PARTITION_ID, "p7").gauge().getId()
          .getTag("service"));
      metrics.close();
      metrics.close();
      assertEquals(List.of(), registry.getMeters());
      assertThrows(IllegalStateException.class, () -> metrics.bindTo(registry));
    }
  }

  private static List<String> names(MeterRegistry registry) {
    return registry.getMeters().stream().map(m -> m.getId().getName()).sorted().collect(Collectors.toList());
  }
}

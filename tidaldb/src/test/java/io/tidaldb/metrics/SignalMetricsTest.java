package io.tidaldb.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The WAL, signal, ledger and checkpoint meters: present, tagged, and moving with the work done. */
class SignalMetricsTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ONE_HOUR).add()
      .signal("like", EntityKind.ITEM, DecaySpec.permanent()).add()
      .build();

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double value(String name) {
    return registry.get(name).tag(MeterNames.PARTITION_ID, "0").meter().measure().iterator().next().getValue();
  }

  @Test
  void persistentDatabase_bindsEveryMeter_taggedWithThePartition_withBaseUnits() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).meterRegistry(registry).open()) {
      List<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).distinct().sorted().toList();
      assertEquals(List.of("tidaldb.checkpoint", "tidaldb.checkpoint.age", "tidaldb.checkpoint.failures",
          "tidaldb.checkpoint.interval", "tidaldb.health.ok", "tidaldb.info", "tidaldb.ledger.entries",
          "tidaldb.ledger.evictions", "tidaldb.signal.reads", "tidaldb.signal.write.latency", "tidaldb.signal.writes",
          "tidaldb.uptime", "tidaldb.wal.failures", "tidaldb.wal.fsync", "tidaldb.wal.segments", "tidaldb.wal.sequence",
          "tidaldb.wal.written"), names);
      for (Meter meter : registry.getMeters()) {
        assertEquals("0", meter.getId().getTag(MeterNames.PARTITION_ID), meter.getId().toString());
      }
      assertEquals(List.of("like", "view"), registry.find(MeterNames.SIGNAL_WRITES).functionCounters().stream()
          .map(c -> c.getId().getTag(MeterNames.SIGNAL)).sorted().toList());
      assertEquals("bytes", registry.get(MeterNames.WAL_WRITTEN).functionCounter().getId().getBaseUnit());
      assertEquals(0.0, value(MeterNames.WAL_SEQUENCE));
      assertEquals(0.0, value(MeterNames.LEDGER_ENTRIES));
      assertTrue(registry.get(MeterNames.CHECKPOINT_AGE).timeGauge().value(TimeUnit.SECONDS) >= 0,
          "no checkpoint yet: the age counts from open");
      db.healthCheck();
    }
    assertEquals(List.of(), registry.getMeters(), "close() removes them all");
  }

  @Test
  void meters_moveWithWritesReadsAndCheckpoints() {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).clock(clock).meterRegistry(registry)
            .checkpointInterval(Duration.ZERO).open()) {
      for (int i = 0; i < 300; i++) {
        db.signal("view", i % 50, 1.0, T0);
      }
      for (int i = 0; i < 100; i++) {
        db.signalAsync("like", i, 1.0, T0).join();
      }
      db.decayScore("view", 1L, T0);
      db.decayScores("view", new long[] {1, 2, 3}, T0, new double[3]);
      db.windowCount("view", 1L, Window.ONE_HOUR);

      assertEquals(300.0, registry.get(MeterNames.SIGNAL_WRITES).tag(MeterNames.SIGNAL, "view").functionCounter().count());
      assertEquals(100.0, registry.get(MeterNames.SIGNAL_WRITES).tag(MeterNames.SIGNAL, "like").functionCounter().count());
      assertEquals(5.0, registry.get(MeterNames.SIGNAL_READS).functionCounter().count());
      assertEquals(400.0, value(MeterNames.WAL_SEQUENCE));
      assertEquals(150.0, value(MeterNames.LEDGER_ENTRIES));
      assertEquals(0.0, registry.get(MeterNames.LEDGER_EVICTIONS).functionCounter().count());
      assertEquals(1.0, value(MeterNames.WAL_SEGMENTS));
      assertTrue(registry.get(MeterNames.WAL_WRITTEN).functionCounter().count() >= 32 + 400 * (40 + 24),
          "a header per segment, and per event a batch of one under SYNC");
      Timer fsync = registry.get(MeterNames.WAL_FSYNC).timer();
      assertTrue(fsync.count() >= 400, "SYNC fsyncs every lone write: " + fsync.count());
      assertTrue(fsync.totalTime(TimeUnit.NANOSECONDS) > 0);
      Timer latency = registry.get(MeterNames.SIGNAL_WRITE_LATENCY).timer();
      assertTrue(latency.count() >= 0 && latency.count() <= 400, "one write in 64 is timed: " + latency.count());

      assertEquals(0.0, registry.get(MeterNames.CHECKPOINT).timer().count());
      assertEquals(400, db.checkpoint());
      assertEquals(1.0, registry.get(MeterNames.CHECKPOINT).timer().count());
      assertEquals(0.0, registry.get(MeterNames.CHECKPOINT_AGE).timeGauge().value(TimeUnit.SECONDS));
      clock.advance(Duration.ofSeconds(42));
      assertEquals(42.0, registry.get(MeterNames.CHECKPOINT_AGE).timeGauge().value(TimeUnit.SECONDS));
    }
  }

  @Test
  void writeLatency_timesAboutOneWriteIn64() {
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).meterRegistry(registry).open()) {
      for (int i = 0; i < 64_000; i++) {
        db.signal("like", i, 1.0, T0);
      }
      double count = registry.get(MeterNames.SIGNAL_WRITE_LATENCY).timer().count();
      assertTrue(count > 700 && count < 1_300, "expected about 1,000 samples: " + count);
      assertTrue(registry.get(MeterNames.SIGNAL_WRITE_LATENCY).timer().totalTime(TimeUnit.NANOSECONDS) > 0);
    }
  }

  @Test
  void failedCheckpoint_isCounted() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).meterRegistry(registry)
            .checkpointInterval(Duration.ofMillis(20)).open()) {
      Files.createDirectories(temp.home().ledgerSnapshot(1)).resolve("x").toFile().createNewFile();
      db.signal("like", 1L, 1.0, T0);
      await().atMost(Duration.ofSeconds(20)).until(
          () -> registry.get(MeterNames.CHECKPOINT_FAILURES).functionCounter().count() >= 2);
      assertEquals(0.0, registry.get(MeterNames.CHECKPOINT).timer().count());
      assertThrows(StorageException.class, db::checkpoint);
    }
  }
}

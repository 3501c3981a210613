package io.tidaldb.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.ConfigException;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbBuilder;
import io.tidaldb.Window;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.FaultyDisk;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Write latency, fsync time, checkpoint duration and ranking query latency are Micrometer timers fed
 * with each measurement, so a {@code MeterFilter} gives them percentiles and histograms; the
 * checkpoint gauges and the WAL failure counter that alert rules need.
 */
class LatencyTimersTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
      .build();

  /** Turns on the 0.99 percentile for every tidalDB timer. */
  static final MeterFilter P99 = new MeterFilter() {
    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      return id.getName().startsWith("tidaldb.")
          ? DistributionStatisticConfig.builder().percentiles(0.99).build().merge(config)
          : config;
    }
  };

  private static MeterRegistry registryWithP99() {
    MeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(P99);
    return registry;
  }

  private static Timer timer(MeterRegistry registry, String name) {
    return registry.get(name).tag(MeterNames.PARTITION_ID, "0").timer();
  }

  private static double p99Seconds(Timer timer) {
    ValueAtPercentile[] values = timer.takeSnapshot().percentileValues();
    assertEquals(1, values.length, Arrays.toString(values));
    assertEquals(0.99, values[0].percentile());
    return values[0].value(TimeUnit.SECONDS);
  }

  @Test
  void writeFsyncAndCheckpointLatency_areTimers_whosePercentilesAMeterFilterTurnsOn() {
    MeterRegistry registry = registryWithP99();
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).meterRegistry(registry)
            .writeLatencySampling(1).checkpointInterval(Duration.ZERO).open()) {
      for (int i = 0; i < 50; i++) {
        db.signal("view", i, 1.0, T0);
      }
      db.checkpoint();
      for (String name : new String[] {MeterNames.SIGNAL_WRITE_LATENCY, MeterNames.WAL_FSYNC, MeterNames.CHECKPOINT}) {
        Timer timer = timer(registry, name);
        assertTrue(timer.count() > 0, name + " recorded nothing");
        assertTrue(p99Seconds(timer) > 0, name + " has a p99 above zero");
        assertTrue(timer.max(TimeUnit.NANOSECONDS) > 0, name + " knows its longest time");
      }
      assertEquals(50, timer(registry, MeterNames.SIGNAL_WRITE_LATENCY).count(), "sampling 1 times every write");
      assertEquals(1, timer(registry, MeterNames.CHECKPOINT).count());
      assertTrue(timer(registry, MeterNames.WAL_FSYNC).count() >= 50, "SYNC fsyncs every lone write");
    }
  }

  @Test
  void rankingQueryLatency_isATimer_whosePercentilesAMeterFilterTurnsOn() {
    MeterRegistry registry = registryWithP99();
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).meterRegistry(registry).open()) {
      db.signal("view", 1, 1.0, T0);
      RankingProfile trending = RankingProfile.builder().name("trending").decayScore("view", 1).build();
      for (int i = 0; i < 5; i++) {
        db.top(trending, 10, T0);
      }
      Timer latency = registry.get(MeterNames.RANKING_QUERY_LATENCY).tag(MeterNames.PROFILE, "trending").timer();
      assertEquals(5, latency.count(), "the first query of a profile is timed too");
      assertTrue(p99Seconds(latency) > 0);
    }
  }

  @Test
  void writeLatencySampling_setsHowManyWritesPerTimedOne() {
    MeterRegistry every = new SimpleMeterRegistry();
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).meterRegistry(every).writeLatencySampling(1).open()) {
      for (int i = 0; i < 1_000; i++) {
        db.signal("view", i, 1.0, T0);
      }
      assertEquals(1_000, timer(every, MeterNames.SIGNAL_WRITE_LATENCY).count());
      assertEquals(1_000, db.stats().writeLatencySamples());
      assertEquals(1, db.config().writeLatencySampling());
    }
    MeterRegistry sparse = new SimpleMeterRegistry();
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).meterRegistry(sparse).writeLatencySampling(1_000)
        .open()) {
      for (int i = 0; i < 100_000; i++) {
        db.signal("view", i % 1_000, 1.0, T0);
      }
      long count = timer(sparse, MeterNames.SIGNAL_WRITE_LATENCY).count();
      assertTrue(count > 50 && count < 170, "expected about 100 of 100,000 writes timed: " + count);
    }
    try (TidalDb db = TidalDb.builder().ephemeral().open()) {
      assertEquals(TidalDbBuilder.DEFAULT_WRITE_LATENCY_SAMPLING, db.config().writeLatencySampling());
    }
  }

  @Test
  void writeLatencySampling_outOfRange_failsNamingTheSettingAndTheRange() {
    ConfigException zero = assertThrows(ConfigException.class, () -> TidalDb.builder().writeLatencySampling(0));
    assertTrue(zero.getMessage().startsWith("writeLatencySampling(0): give from 1"), zero.getMessage());
    assertThrows(ConfigException.class,
        () -> TidalDb.builder().writeLatencySampling(TidalDbBuilder.MAX_WRITE_LATENCY_SAMPLING + 1));
    ConfigException twice = assertThrows(ConfigException.class,
        () -> TidalDb.builder().writeLatencySampling(8).writeLatencySampling(16));
    assertTrue(twice.getMessage().contains("already set"), twice.getMessage());
  }

  @Test
  void checkpointAge_beforeTheFirstCheckpoint_countsFromOpen() {
    ManualClock clock = ManualClock.at(T0);
    MeterRegistry registry = new SimpleMeterRegistry();
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).clock(clock).meterRegistry(registry)
            .checkpointInterval(Duration.ZERO).open()) {
      assertEquals(0.0, age(registry));
      clock.advance(Duration.ofSeconds(90));
      assertEquals(90.0, age(registry), "no checkpoint for 90 s after open: an alert on the age can fire");
      db.signal("view", 1, 1.0, clock.instant());
      db.checkpoint();
      assertEquals(0.0, age(registry));
    }
  }

  @Test
  void checkpointAge_ofAnIdleDatabase_fallsBackAtTheNextPeriodicCheck_soAnAlertOnItDoesNotFire() {
    ManualClock clock = ManualClock.at(T0);
    MeterRegistry registry = new SimpleMeterRegistry();
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).clock(clock).meterRegistry(registry)
            .checkpointInterval(Duration.ofMillis(20)).open()) {
      db.signal("view", 1, 1.0, T0);
      await("the periodic checkpoint").atMost(Duration.ofSeconds(20)).until(() -> db.stats().checkpoints() == 1);
      clock.advance(Duration.ofHours(1));
      await("the periodic check to find nothing new").atMost(Duration.ofSeconds(20)).until(() -> age(registry) == 0);
      assertEquals(1, db.stats().checkpoints(), "nothing was written: no checkpoint was needed");
      assertEquals(T0, db.stats().lastCheckpointTime().orElseThrow(), "the checkpoint in effect is still the first");
    }
  }

  private static double age(MeterRegistry registry) {
    return registry.get(MeterNames.CHECKPOINT_AGE).timeGauge().value(TimeUnit.SECONDS);
  }

  @Test
  void checkpointInterval_gauge_showsTheConfiguredPeriod_zeroWhenPeriodicCheckpointsAreOff() {
    MeterRegistry periodic = new SimpleMeterRegistry();
    MeterRegistry off = new SimpleMeterRegistry();
    try (TempTidalHome a = TempTidalHome.create();
        TempTidalHome b = TempTidalHome.create();
        TidalDb every45 = TidalDb.builder().dataDir(a.path()).meterRegistry(periodic)
            .checkpointInterval(Duration.ofSeconds(45)).open();
        TidalDb manual = TidalDb.builder().dataDir(b.path()).meterRegistry(off).checkpointInterval(Duration.ZERO)
            .open()) {
      assertEquals(45.0, periodic.get(MeterNames.CHECKPOINT_INTERVAL).timeGauge().value(TimeUnit.SECONDS));
      assertEquals(0.0, off.get(MeterNames.CHECKPOINT_INTERVAL).timeGauge().value(TimeUnit.SECONDS));
    }
  }

  @Test
  void walFailures_countsTheFailureThatStoppedTheLog() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).meterRegistry(registry)
          .checkpointInterval(Duration.ZERO).open();
      try (FaultyDisk disk = FaultyDisk.fullAfter(db.home().orElseThrow().wal(), 4_000)) {
        assertEquals(0.0, registry.get(MeterNames.WAL_FAILURES).functionCounter().count());
        assertThrows(StorageException.class, () -> {
          for (int i = 0; i < 1_000_000; i++) {
            db.signal("view", i, 1.0, T0);
          }
        });
        assertEquals(1.0, registry.get(MeterNames.WAL_FAILURES).functionCounter().count());
        assertEquals(1, db.stats().walFailures());
        disk.free();
      } finally {
        try {
          db.close();
        } catch (RuntimeException expected) {
          // close() reports the failure that had stopped the log, after releasing everything
        }
      }
    }
  }
}

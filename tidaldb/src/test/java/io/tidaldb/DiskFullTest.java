package io.tidaldb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.metrics.MeterNames;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.TinyTmpfs;
import io.tidaldb.wal.FaultyDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a persistent database tells when its disk fails: a WAL that stopped (a full disk) or a
 * checkpoint that cannot write its snapshot makes {@code healthCheck()} fail naming the cause, and
 * the {@code tidaldb.health.ok} gauge read 0; after space is freed, a reopen recovers every
 * acknowledged write.
 */
class DiskFullTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final int ENTITIES = 100;

  private static TidalDb open(Path home, SimpleMeterRegistry registry) {
    return TidalDb.builder().dataDir(home).clock(ManualClock.at(T0)).schema(SignalApiTest.SCHEMA)
        .checkpointInterval(Duration.ZERO).meterRegistry(registry).open();
  }

  @Test
  void walOnAFullTmpfs_failsHealthNamingTheCause_andAReopenAfterSpaceIsFreedRecoversEveryAcknowledgedWrite()
      throws IOException {
    try (TinyTmpfs disk = TinyTmpfs.mount("3m")) {
      Path ballast = disk.path().resolve("ballast");
      Files.write(ballast, new byte[512 << 10]);
      Path home = disk.path().resolve("home");
      fillUntilTheWalFails(home, wal -> { }, () -> deleteIfExists(ballast));
    }
  }

  @Test
  void walOnADiskThatFailsWrites_failsHealthNamingTheCause_andAReopenRecoversEveryAcknowledgedWrite() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      FaultyDisk[] fault = new FaultyDisk[1];
      try {
        fillUntilTheWalFails(temp.path(), wal -> fault[0] = FaultyDisk.fullAfter(wal, 8_000), () -> fault[0].free());
      } finally {
        if (fault[0] != null) {
          fault[0].close();
        }
      }
    }
  }

  /**
   * Opens a database on {@code home}, breaks its disk with {@code breakDisk} (given the WAL directory),
   * writes until {@code signal()} throws, checks that health reports the WAL, frees space with
   * {@code free}, and checks that a reopen holds every acknowledged write and is healthy.
   */
  private static void fillUntilTheWalFails(Path home, Consumer<Path> breakDisk, Runnable free) {
    long[] acknowledged = new long[ENTITIES];
    long lastAcknowledged = 0;
    int failedEntity = -1;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TidalDb db = open(home, registry);
    try {
      Path wal = db.home().orElseThrow().wal();
      breakDisk.accept(wal);
      db.healthCheck();
      assertEquals(1.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
      StorageException full = null;
      for (long i = 0; full == null; i++) {
        int entity = (int) (i % ENTITIES);
        try {
          lastAcknowledged = db.signal("like", entity, 1.0, T0);
          acknowledged[entity]++;
        } catch (StorageException e) {
          full = e;
          failedEntity = entity;
        }
        assertTrue(i < 10_000_000, "the disk never filled up");
      }
      assertTrue(String.valueOf(full.getCause()).contains(FaultyDisk.NO_SPACE), full.toString());

      TidalDbException unhealthy = assertThrows(TidalDbException.class, db::healthCheck);
      assertTrue(unhealthy.getMessage().contains("write-ahead log") && unhealthy.getMessage().contains(wal.toString()),
          unhealthy.getMessage());
      assertTrue(unhealthy.getMessage().contains(FaultyDisk.NO_SPACE), unhealthy.getMessage());
      assertEquals(0.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
      assertThrows(TidalDbException.class, () -> db.signal("like", 0, 1.0, T0), "the stopped WAL refuses writes");
      assertThrows(TidalDbException.class, db::healthCheck, "the WAL stays stopped: health stays failed");

      free.run();
    } finally {
      closeAfterFailure(db);
    }
    try (TidalDb reopened = open(home, new SimpleMeterRegistry())) {
      reopened.healthCheck();
      // The write that failed was never acknowledged: it may be lost (a torn tail) or kept (written
      // whole before its fsync failed). Every acknowledged one is there.
      long recovered = reopened.stats().lastSequence();
      assertTrue(recovered == lastAcknowledged || recovered == lastAcknowledged + 1,
          "recovered up to " + recovered + ", acknowledged up to " + lastAcknowledged);
      for (int entity = 0; entity < ENTITIES; entity++) {
        long kept = entity == failedEntity && recovered > lastAcknowledged ? 1 : 0;
        assertEquals(acknowledged[entity] + kept, reopened.windowCount("like", entity, Window.ALL_TIME), "entity " + entity);
      }
      assertEquals(recovered + 1, reopened.signal("like", 0, 1.0, T0), "the reopened log takes writes again");
    }
  }

  @ParameterizedTest(name = "blocked at {0}")
  @ValueSource(strings = {"the temporary file", "the snapshot's name"})
  void checkpointThatCannotWriteItsSnapshot_failsHealthUntilALaterCheckpointSucceeds(String where) throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (TidalDb db = open(temp.path(), registry)) {
        db.signal("like", 1, 1.0, T0);
        assertEquals(1, db.checkpoint());
        long sequence = db.signal("like", 2, 1.0, T0);
        Path snapshot = temp.home().ledgerSnapshot(sequence);
        // A non-empty directory where the snapshot (or its temporary file) goes: the write or the
        // rename fails, as on a full or broken disk, and nothing can remove it.
        Path blocker = where.equals("the snapshot's name") ? snapshot : snapshot.resolveSibling(snapshot.getFileName()
            + TidalHome.TEMP_SUFFIX);
        Files.createDirectories(blocker.resolve("occupied"));

        assertThrows(StorageException.class, db::checkpoint);
        TidalDbException unhealthy = assertThrows(TidalDbException.class, db::healthCheck);
        assertTrue(unhealthy.getMessage().contains("checkpoint at sequence " + sequence + " failed"),
            unhealthy.getMessage());
        assertEquals(0.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
        assertThrows(StorageException.class, db::checkpoint);
        assertEquals(sequence + 1, db.signal("like", 3, 1.0, T0), "a failed checkpoint does not stop writes");
        assertThrows(TidalDbException.class, db::healthCheck, "health fails while the failure stands");

        TempTidalHome.deleteRecursively(blocker);
        assertEquals(sequence + 1, db.checkpoint());
        db.healthCheck();
        assertEquals(1.0, registry.get(MeterNames.HEALTH_OK).gauge().value());
      }
    }
  }

  @Test
  void failedCheckpoint_isRetriedByThePeriodicCheckpoints_evenWithNothingNewToCover() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SignalApiTest.SCHEMA)
            .checkpointInterval(TidalDbBuilder.MIN_CHECKPOINT_INTERVAL).open()) {
      long sequence = db.signal("like", 1, 1.0, T0);
      await("the periodic checkpoint").atMost(Duration.ofSeconds(30))
          .until(() -> db.stats().lastCheckpointSequence() == sequence);
      Path snapshot = temp.home().ledgerSnapshot(sequence);
      Path blocker = snapshot.resolveSibling(snapshot.getFileName() + TidalHome.TEMP_SUFFIX);
      Files.createDirectories(blocker.resolve("occupied"));
      assertThrows(StorageException.class, db::checkpoint);
      assertThrows(TidalDbException.class, db::healthCheck);

      TempTidalHome.deleteRecursively(blocker);
      await("a periodic checkpoint to succeed").atMost(Duration.ofSeconds(10))
          .ignoreExceptionsInstanceOf(TidalDbException.class).untilAsserted(db::healthCheck);
    }
  }

  private static void closeAfterFailure(TidalDb db) {
    try {
      db.close();
    } catch (TidalDbException e) {
      // The WAL had failed: close() reports it after releasing everything.
    }
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

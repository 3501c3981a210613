package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.WalSegments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A home opened with a WAL directory that is not its own: an unmounted volume, a lost walDir setting. */
class WalDirMismatchTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final Schema SCHEMA = SignalApiTest.SCHEMA;

  private static TidalDb open(Path dataDir, Path walDir) {
    return TidalDb.builder().dataDir(dataDir).walDir(walDir).clock(ManualClock.at(T0)).schema(SCHEMA)
        .checkpointInterval(Duration.ZERO).open();
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }

  @Test
  void open_withAnEmptyWalDirBesideACheckpointedHome_refusesNamingBothDirectories() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome volumes = TempTidalHome.create()) {
      Path walA = volumes.path().resolve("wal-a");
      Path walB = volumes.path().resolve("wal-b");
      try (TidalDb db = open(temp.path(), walA)) {
        db.signal("view", 7L, 1.0, T0);
        db.signal("view", 7L, 1.0, T0);
        assertEquals(2, db.checkpoint());
      }
      ConfigException e = assertThrows(ConfigException.class, () -> open(temp.path(), walB));
      assertTrue(e.getMessage().contains(temp.path().toString()), e.getMessage());
      assertTrue(e.getMessage().contains(walB.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("walDir"), e.getMessage());
      assertEquals(List.of(temp.home().ledgerSnapshot(2)), temp.home().ledgerSnapshots(), "the snapshot is untouched");
      try (TidalDb db = open(temp.path(), walA)) {
        assertEquals(2.0, db.decayScore("view", 7L, T0), "the right WAL directory still opens the home whole");
        assertEquals(3, db.signal("view", 7L, 1.0, T0), "and its sequences go on");
      }
    }
  }

  @Test
  void open_withTheDefaultWalDirEmptied_refuses() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path wal = temp.home().wal();
      try (TidalDb db = open(temp.path(), wal)) {
        db.signal("view", 7L, 1.0, T0);
        db.checkpoint();
      }
      for (Path file : files(wal)) {
        Files.delete(file);
      }
      ConfigException e = assertThrows(ConfigException.class, () -> open(temp.path(), wal));
      assertTrue(e.getMessage().contains(wal.toString()), e.getMessage());
    }
  }

  @Test
  void open_withAnEmptyWalDirBesideAHomeWrittenButNeverCheckpointed_refusesNamingBothDirectories() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome volumes = TempTidalHome.create()) {
      Path walA = volumes.path().resolve("wal-a");
      Path walB = volumes.path().resolve("wal-b");
      try (TidalDb db = open(temp.path(), walA)) {
        db.signal("view", 7L, 1.0, T0);
      }
      assertEquals(List.of(), temp.home().ledgerSnapshots(), "no checkpoint: the SCHEMA is all the home holds");
      ConfigException e = assertThrows(ConfigException.class, () -> open(temp.path(), walB));
      assertTrue(e.getMessage().contains(temp.path().toString()), e.getMessage());
      assertTrue(e.getMessage().contains(walB.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("SCHEMA"), e.getMessage());
      assertEquals(List.of(), files(walB), "the refused WAL directory is left as it was");
      try (TidalDb db = open(temp.path(), walA)) {
        assertEquals(1.0, db.decayScore("view", 7L, T0), "the right WAL directory still opens the home whole");
      }
    }
  }

  @Test
  void open_ofAHomeClosedWithoutWrites_reopens() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path wal = temp.home().wal();
      try (TidalDb db = open(temp.path(), wal)) {
        assertEquals(0, db.stats().lastSequence());
      }
      assertTrue(Files.exists(temp.home().schemaFile()), "a never-written home stores its schema");
      assertEquals(List.of(temp.home().walLockFile()), files(wal), "and leaves only the LOCK in its WAL directory");
      try (TidalDb db = open(temp.path(), wal)) {
        assertEquals(1, db.signal("view", 7L, 1.0, T0));
      }
      try (TidalDb db = open(temp.path(), wal)) {
        assertEquals(1.0, db.decayScore("view", 7L, T0));
      }
    }
  }

  @Test
  void open_ofAHomeCheckpointedBeforeAnyWrite_reopens() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path wal = temp.home().wal();
      try (TidalDb db = open(temp.path(), wal)) {
        assertEquals(0, db.checkpoint());
      }
      try (TidalDb db = open(temp.path(), wal)) {
        assertEquals(1, db.signal("view", 7L, 1.0, T0));
      }
    }
  }

  /**
   * A WAL directory that is not the home's but is not empty either (another home's log) cannot be
   * told from the right one; its checkpoints must still not delete the home's newer snapshot.
   */
  @Test
  void checkpoint_onAnotherHomesLog_keepsTheHomesNewerSnapshot() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome volumes = TempTidalHome.create()) {
      Path walA = volumes.path().resolve("wal-a");
      Path walB = volumes.path().resolve("wal-b");
      try (TempTidalHome other = TempTidalHome.create(); TidalDb db = open(other.path(), walB)) {
        db.signal("like", 9L, 1.0, T0);
      }
      try (TidalDb db = open(temp.path(), walA)) {
        for (int i = 0; i < 5; i++) {
          db.signal("view", 7L, 1.0, T0);
        }
        assertEquals(5, db.checkpoint());
      }
      try (TidalDb db = open(temp.path(), walB)) {
        db.signal("view", 8L, 1.0, T0);
        assertEquals(2, db.checkpoint());
      }
      assertTrue(Files.exists(temp.home().ledgerSnapshot(5)), "the checkpoint at 2 kept the snapshot at 5");
      try (TidalDb db = open(temp.path(), walA)) {
        assertEquals(5.0, db.decayScore("view", 7L, T0), "the home opens whole with its own log");
        assertEquals(5, CheckpointMeta.read(walA).orElseThrow().sequence());
      }
    }
  }

  @Test
  void checkpoint_deletesTheOlderSnapshots() {
    try (TempTidalHome temp = TempTidalHome.create(); TidalDb db = open(temp.path(), temp.home().wal())) {
      db.signal("view", 7L, 1.0, T0);
      db.checkpoint();
      db.signal("view", 7L, 1.0, T0);
      db.checkpoint();
      assertEquals(List.of(temp.home().ledgerSnapshot(2)), temp.home().ledgerSnapshots());
      assertEquals(1, WalSegments.list(temp.home().wal()).size());
    }
  }
}

package io.tidaldb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.WalSegments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a persistent database keeps across close and reopen: the WAL, checkpoints and their snapshots. */
class RecoveryTest {

  static final Instant T0 = SignalApiTest.T0;
  static final Schema SCHEMA = SignalApiTest.SCHEMA;

  /** A database on {@code dir} with periodic checkpoints off, reading at the clock's now. */
  static TidalDb open(Path dir, ManualClock clock) {
    return TidalDb.builder().dataDir(dir).clock(clock).schema(SCHEMA).checkpointInterval(Duration.ZERO).open();
  }

  /** Writes {@code count} events over every signal, 200 entities, times spread over the last two days. */
  static void write(TidalDb db, long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      SignalSpec signal = SCHEMA.signals().get(random.nextInt(SCHEMA.signals().size()));
      double weight = signal.negativeWeights() && random.nextInt(5) == 0 ? -1.0 : 1 + random.nextInt(3);
      db.signal(signal.name(), random.nextInt(200), weight, T0.minusSeconds(random.nextLong(2 * 86_400)));
    }
  }

  /** Every read of every (signal, entity) the writes touch, as a user would make them, in one list. */
  static List<Double> reads(TidalDb db) {
    List<Double> reads = new ArrayList<>();
    for (SignalSpec signal : SCHEMA.signals()) {
      for (long entity = 0; entity < 200; entity++) {
        reads.add(db.decayScore(signal.name(), entity, T0));
        for (Window window : signal.windows()) {
          reads.add((double) db.windowCount(signal.name(), entity, window));
        }
      }
    }
    return reads;
  }

  /** The README's example of a durable database, as written there. */
  @Test
  void readmeDurableExample_runs() {
    Schema schema = SCHEMA;
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = TidalDb.builder()
              .dataDir(temp.path())
              .schema(schema)
              .checkpointInterval(Duration.ofSeconds(30))
              .open()) {
        db.signal("view", 42L, 1.0, Instant.now());
        long covered = db.checkpoint();
        TidalDbStats stats = db.stats();
        assertEquals(1, covered);
        assertEquals(1, stats.totalSignalWrites());
        assertEquals(1, stats.checkpoints());
      }
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        assertEquals(1, db.windowCount("view", 42L, Window.ALL_TIME));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "interval"})
  void reopenAfterCleanClose_restoresEveryScoreAndCount(String mode) {
    ManualClock clock = ManualClock.at(T0);
    Durability durability = mode.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(5));
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Double> before;
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SCHEMA).durability(durability)
          .open()) {
        write(db, 1, 2_000);
        before = reads(db);
        assertEquals(2_000, db.stats().lastSequence());
      }
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(before, reads(db));
        assertEquals(2_000, db.stats().lastSequence(), "sequences continue across reopening");
        assertEquals(2_001, db.signal("view", 1L, 1.0, T0));
      }
    }
  }

  @Test
  void checkpoint_thenMoreWrites_reopenRestoresTheSnapshotAndReplaysTheRest() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Double> before;
      try (TidalDb db = open(temp.path(), clock)) {
        write(db, 2, 1_000);
        assertEquals(1_000, db.checkpoint());
        write(db, 3, 500);
        before = reads(db);
      }
      assertTrue(Files.isRegularFile(temp.home().ledgerSnapshot(1_000)));
      assertEquals(1_000, CheckpointMeta.read(temp.home().wal()).orElseThrow().sequence());
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(before, reads(db));
        assertEquals(1_500, db.stats().lastSequence());
        assertEquals(1_000, db.stats().lastCheckpointSequence());
      }
    }
  }

  @Test
  void restoreThenCheckpointAgain_writesByteIdenticalSnapshot() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path snapshot = temp.home().ledgerSnapshot(3_000);
      try (TidalDb db = open(temp.path(), clock)) {
        write(db, 4, 3_000);
        db.checkpoint();
      }
      byte[] first = Files.readAllBytes(snapshot);
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(3_000, db.checkpoint());
      }
      assertArrayEquals(first, Files.readAllBytes(snapshot));
    }
  }

  @Test
  void ledgerRecoveredFromSnapshotAndLog_checkpointsTheBytesOfOneThatNeverStopped() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome a = TempTidalHome.create(); TempTidalHome b = TempTidalHome.create()) {
      try (TidalDb db = open(a.path(), clock)) {
        write(db, 5, 800);
        db.checkpoint();
        write(db, 6, 700);
      }
      try (TidalDb db = open(a.path(), clock)) {
        db.checkpoint();
      }
      try (TidalDb db = open(b.path(), clock)) {
        write(db, 5, 800);
        write(db, 6, 700);
        db.checkpoint();
      }
      assertArrayEquals(Files.readAllBytes(b.home().ledgerSnapshot(1_500)), Files.readAllBytes(a.home().ledgerSnapshot(1_500)));
    }
  }

  @Test
  void corruptedSnapshot_isRefusedNamingFileAndOffset_andNeverTrusted() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), clock)) {
        write(db, 7, 300);
        db.checkpoint();
      }
      Path snapshot = temp.home().ledgerSnapshot(300);
      byte[] bytes = Files.readAllBytes(snapshot);
      bytes[bytes.length / 2] ^= 0x01;
      Files.write(snapshot, bytes);
      CorruptionException e = assertThrows(CorruptionException.class, () -> open(temp.path(), clock));
      assertEquals(snapshot, e.file());
      assertEquals(bytes.length - 4, e.offset(), "the checksum trailer is where the damage shows");
      assertTrue(e.getMessage().contains("The snapshot is not used"), e.getMessage());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse(), "a refused open releases the home");
      assertArrayEquals(bytes, Files.readAllBytes(snapshot), "the damaged file is left for the operator");
    }
  }

  @Test
  void missingSnapshot_whileTheLogHoldsEverything_isRebuiltFromTheLog() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Double> before;
      try (TidalDb db = open(temp.path(), clock)) {
        write(db, 8, 400);
        db.checkpoint();
        write(db, 9, 100);
        before = reads(db);
      }
      Files.delete(temp.home().ledgerSnapshot(400));
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(before, reads(db));
      }
    }
  }

  @Test
  void snapshotNewerThanTheCheckpoint_isIgnored_andTheNextCheckpointDeletesIt() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Double> before;
      try (TidalDb db = open(temp.path(), clock)) {
        write(db, 10, 200);
        db.checkpoint();
        write(db, 11, 100);
        before = reads(db);
      }
      // What a crash between writing a snapshot and checkpoint.meta leaves: a snapshot the checkpoint does not name.
      Path orphan = temp.home().ledgerSnapshot(250);
      Files.copy(temp.home().ledgerSnapshot(200), orphan);
      Files.writeString(temp.home().base().resolve(temp.home().ledgerSnapshot(260).getFileName() + ".tmp"), "half");
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(before, reads(db));
        assertEquals(300, db.checkpoint());
      }
      assertEquals(List.of(temp.home().ledgerSnapshot(300)), temp.home().ledgerSnapshots());
      try (var files = Files.list(temp.path())) {
        assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList());
      }
    }
  }

  @Test
  void checkpoint_removesTheWalSegmentsBelowIt() {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SCHEMA)
          .durability(Durability.interval(Duration.ofMillis(50))).checkpointInterval(Duration.ZERO).open()) {
        SignalType follow = db.signalType("follow");
        CompletableFuture<Long> last = null;
        int events = 1_600_000;   // 24 bytes each: more than two 16 MiB segments
        for (int i = 0; i < events; i++) {
          last = follow.recordAsync(i % 1000, 1.0, T0);
        }
        last.join();
        int segments = WalSegments.list(temp.home().wal()).size();
        assertTrue(segments >= 3, "segments: " + segments);
        assertEquals(events, db.checkpoint());
        assertEquals(1, WalSegments.list(temp.home().wal()).size(), "only the newest segment stays");
        assertEquals(1, db.stats().walSegments());
        db.signal("follow", 7L, 1.0, T0);
      }
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(1_601.0, db.decayScore("follow", 7L, T0), "the snapshot's 1,600 events and the one after it");
        assertEquals(1_600_001, db.stats().lastSequence());
      }
    }
  }

  @Test
  void periodicCheckpoint_happensByItself_andSkipsWhenNothingIsNew() {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SCHEMA)
            .checkpointInterval(Duration.ofMillis(20)).open()) {
      assertTrue(db.stats().lastCheckpointTime().isEmpty());
      write(db, 12, 50);
      await().atMost(Duration.ofSeconds(20)).until(() -> db.stats().lastCheckpointSequence() == 50);
      assertEquals(50, CheckpointMeta.read(temp.home().wal()).orElseThrow().sequence());
      assertEquals(List.of(temp.home().ledgerSnapshot(50)), temp.home().ledgerSnapshots());
      long taken = db.stats().checkpoints();
      assertEquals(T0, db.stats().lastCheckpointTime().orElseThrow(), "checkpoint times come from the database's clock");
      write(db, 13, 1);
      await().atMost(Duration.ofSeconds(20)).until(() -> db.stats().lastCheckpointSequence() == 51);
      assertEquals(taken + 1, db.stats().checkpoints(), "no checkpoint is taken while nothing is new");
    }
  }

  @Test
  void failedCheckpoint_isCountedAndLeavesThePreviousOneWhole() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Double> before;
      try (TidalDb db = open(temp.path(), clock)) {
        write(db, 14, 100);
        db.checkpoint();
        byte[] good = Files.readAllBytes(temp.home().ledgerSnapshot(100));
        write(db, 15, 20);
        Path inTheWay = Files.createDirectories(temp.home().ledgerSnapshot(120));
        Files.writeString(inTheWay.resolve("occupied"), "x");
        StorageException e = assertThrows(StorageException.class, db::checkpoint);
        assertTrue(e.getMessage().contains(inTheWay.toString()), e.getMessage());
        assertEquals(1, db.stats().checkpointFailures());
        assertEquals(100, db.stats().lastCheckpointSequence());
        assertEquals(100, CheckpointMeta.read(temp.home().wal()).orElseThrow().sequence());
        assertArrayEquals(good, Files.readAllBytes(temp.home().ledgerSnapshot(100)));
        assertEquals(List.of(temp.home().ledgerSnapshot(100)), temp.home().ledgerSnapshots());
        write(db, 16, 5);
        before = reads(db);
        TempTidalHome.deleteRecursively(inTheWay);
        assertEquals(125, db.checkpoint(), "the next checkpoint succeeds");
        assertEquals(1, db.stats().checkpointFailures());
      }
      try (TidalDb db = open(temp.path(), clock)) {
        assertEquals(before, reads(db));
      }
    }
  }

  @Test
  void badInput_onAPersistentDatabase_writesNothingToTheLog() throws IOException {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create(); TidalDb db = open(temp.path(), clock)) {
      db.signal("view", 1L, 1.0, T0);
      byte[] log = Files.readAllBytes(WalSegments.list(temp.home().wal()).get(0).path());
      List<Runnable> bad = List.of(
          () -> db.signal("vew", 1L, 1.0, T0),
          () -> db.signal("view", 1L, Double.NaN, T0),
          () -> db.signal("view", 1L, Double.POSITIVE_INFINITY, T0),
          () -> db.signal("view", 1L, 1e39, T0),
          () -> db.signal("view", 1L, -1.0, T0),
          () -> db.signal("view", 1L, 1.0, Instant.parse("1969-12-31T23:59:59Z")),
          () -> db.signal("view", 1L, 1.0, Instant.parse("2262-04-12T00:00:00Z")),
          () -> db.signal("view", 1L, 1.0, null),
          () -> db.signalAsync("view", 1L, Double.NaN, T0),
          () -> db.signalType("view").record(1L, -2.0, T0),
          () -> db.signalType("view").recordAsync(1L, 1.0, Instant.MIN));
      for (Runnable write : bad) {
        assertThrows(InvalidSignalException.class, write::run);
      }
      assertArrayEquals(log, Files.readAllBytes(WalSegments.list(temp.home().wal()).get(0).path()), "the log did not grow");
      assertEquals(1, db.stats().lastSequence());
      assertEquals(2, db.signal("view", 1L, 1.0, T0));
    }
  }

  @Test
  void signalAsync_fromAnActionOnTheLedgerApplierThread_isRefused() {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create(); TidalDb db = open(temp.path(), clock)) {
      boolean seen = false;
      for (int attempt = 0; attempt < 20 && !seen; attempt++) {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CompletableFuture<Long> chained = db.signalAsync("view", 1L, 1.0, T0).thenCompose(seq -> {
          ranOn.set(Thread.currentThread());
          return db.signalAsync("view", 2L, 1.0, T0);
        });
        Throwable failure = chained.handle((seq, e) -> e).join();
        // An action chained on a future that completed already runs on the caller's thread: try again.
        if (!ranOn.get().getName().equals("tidaldb-ledger-applier")) {
          assertEquals(null, failure);
          continue;
        }
        seen = true;
        CompletionException e = assertThrows(CompletionException.class, chained::join);
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        assertTrue(e.getCause().getMessage().contains("thenApplyAsync"), e.getCause().getMessage());
        AtomicReference<Throwable> checkpoint = new AtomicReference<>();
        db.signalAsync("view", 3L, 1.0, T0).thenAccept(seq -> {
          if (Thread.currentThread().getName().equals("tidaldb-ledger-applier")) {
            checkpoint.set(assertThrows(IllegalStateException.class, db::checkpoint));
          }
        }).join();
        if (checkpoint.get() != null) {
          assertTrue(checkpoint.get().getMessage().contains("checkpoint() on tidalDB's ledger applier thread"));
        }
      }
      assertTrue(seen, "an action should have run on the ledger applier thread");
      long before = db.stats().lastSequence();
      assertEquals(before + 2, db.signalAsync("view", 1L, 1.0, T0)
          .thenComposeAsync(seq -> db.signalAsync("view", 2L, 1.0, T0)).join(), "with an executor it goes through");
    }
  }

  @Test
  void checkpoint_ofAnEphemeralDatabase_isUnsupported() {
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).open()) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, db::checkpoint);
      assertTrue(e.getMessage().contains("persistent"), e.getMessage());
      assertThrows(ConfigException.class, () -> TidalDb.builder().ephemeral().checkpointInterval(Duration.ofSeconds(1)).open());
    }
  }

  @Test
  void checkpointInterval_isChecked() {
    TidalDbBuilder builder = TidalDb.builder();
    ConfigException tooShort = assertThrows(ConfigException.class, () -> builder.checkpointInterval(Duration.ofMillis(1)));
    assertTrue(tooShort.getMessage().contains("checkpointInterval(PT0.001S)"), tooShort.getMessage());
    assertThrows(ConfigException.class, () -> builder.checkpointInterval(Duration.ofSeconds(-1)));
    assertThrows(ConfigException.class, () -> builder.checkpointInterval(null));
    builder.checkpointInterval(Duration.ZERO);
    assertThrows(ConfigException.class, () -> builder.checkpointInterval(Duration.ofSeconds(5)));
  }

  @Test
  void close_endsTheCheckpointThread() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).partitionId("p9").checkpointInterval(Duration.ofMillis(10))
          .open();
      assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("tidaldb-checkpoint-p9")));
      db.close();
      assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("tidaldb-checkpoint-p9")
          && t.isAlive()));
      assertThrows(DatabaseClosedException.class, db::checkpoint);
    }
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.WalBatch;
import io.tidaldb.wal.WalEvent;
import io.tidaldb.wal.WalReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Batch writes: {@link SignalType#recordAll} and {@link SignalBatch} with a source position. */
class SignalBatchTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final long T0_NANOS = T0.getEpochSecond() * 1_000_000_000L;

  private static TidalDb persistent(Path home, ManualClock clock) {
    return TidalDb.builder().dataDir(home).clock(clock).schema(SignalApiTest.SCHEMA).checkpointInterval(Duration.ZERO)
        .open();
  }

  private static List<WalBatch> frames(Path wal) {
    List<WalBatch> frames = new ArrayList<>();
    WalReader.of(wal).scan(b -> frames.add(b));
    return frames;
  }

  @Test
  void recordAll_writesEveryEventInOneLogFrame_withConsecutiveSequences_andTheLedgerHasThem() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      int n = 1000;
      long[] ids = new long[n];
      double[] weights = new double[n];
      long[] times = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i % 10;
        weights[i] = 1 + i % 3;
        times[i] = T0_NANOS - i * 1_000_000_000L;
      }
      try (TidalDb db = persistent(temp.path(), clock)) {
        db.signal("like", 7, 1.0, T0);
        SignalType view = db.signalType("view");
        assertEquals(2, view.recordAll(ids, weights, times));
        assertEquals(1001, db.stats().lastSequence());
        assertEquals(n / 10, db.windowCount("view", 3, Window.ALL_TIME));
        assertEquals(n, db.stats().signalWrites().get("view"));
      }
      List<WalBatch> frames = frames(temp.home().wal());
      assertEquals(2, frames.size(), "one frame for the single write, one for the whole batch");
      assertEquals(n, frames.get(1).eventCount());
      try (TidalDb db = persistent(temp.path(), clock)) {
        assertEquals(n / 10, db.windowCount("view", 3, Window.ALL_TIME), "replayed whole");
      }
    }
  }

  @Test
  void recordAll_withOneBadEvent_writesNothing_andNamesTheEvent() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = SignalApiTest.open(clock)) {
      SignalType view = db.signalType("view");
      long[] ids = {1, 2, 3};
      long[] times = {T0_NANOS, T0_NANOS, T0_NANOS};
      InvalidSignalException nan = assertThrows(InvalidSignalException.class,
          () -> view.recordAll(ids, new double[] {1, Double.NaN, 1}, times));
      assertTrue(nan.getMessage().contains("event 1 of 3") && nan.getMessage().contains("NaN"), nan.getMessage());
      assertThrows(InvalidSignalException.class, () -> view.recordAll(ids, new double[] {1, 1, -1}, times),
          "view takes no negative weights");
      assertThrows(InvalidSignalException.class, () -> view.recordAll(ids, new double[] {1, 1, 1},
          new long[] {T0_NANOS, -1, T0_NANOS}), "before 1970");
      assertThrows(InvalidSignalException.class, () -> view.recordAll(ids, new double[] {1, 1, 1},
          new long[] {T0_NANOS, T0_NANOS + Duration.ofHours(2).toNanos(), T0_NANOS}), "beyond maxFutureSkew");
      assertThrows(InvalidSignalException.class, () -> view.recordAll(ids, new double[] {1, 1},
          times), "lengths differ");
      assertThrows(InvalidSignalException.class, () -> view.recordAll(new long[0], new double[0], new long[0]));
      assertThrows(InvalidSignalException.class, () -> view.recordAll(null, new double[0], new long[0]));
      assertThrows(InvalidSignalException.class, () -> view.recordAll(ids, new double[] {1, 1, 1},
          new Instant[] {T0, null, T0}));
      int tooMany = SignalBatch.MAX_EVENTS + 1;
      InvalidSignalException large = assertThrows(InvalidSignalException.class,
          () -> view.recordAll(new long[tooMany], new double[tooMany], new long[tooMany]));
      assertTrue(large.getMessage().contains("1 to " + SignalBatch.MAX_EVENTS), large.getMessage());
      assertEquals(0, db.stats().lastSequence(), "nothing was written");
      assertEquals(0, db.windowCount("view", 1, Window.ALL_TIME));
      assertEquals(1, view.recordAll(ids, new double[] {1, 1, 1}, new Instant[] {T0, T0, T0}));
      assertEquals(1, db.windowCount("view", 1, Window.ALL_TIME));
    }
  }

  @Test
  void signalBatch_acrossSignals_isReusedAfterClear_andRefusesBadEventsWithoutChangingTheBatch() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = SignalApiTest.open(clock); TidalDb other = SignalApiTest.open(clock)) {
      SignalBatch batch = db.newBatch();
      SignalType like = db.signalType("like");
      batch.add("view", 1, 1.0, T0).add(like, 1, 2.0, T0_NANOS).add("follow", 9, 1.0, T0_NANOS);
      assertThrows(InvalidSignalException.class, () -> batch.add("nope", 1, 1.0, T0));
      assertThrows(InvalidSignalException.class, () -> batch.add("view", 1, -1.0, T0));
      assertThrows(InvalidSignalException.class, () -> batch.add(other.signalType("view"), 1, 1.0, T0));
      assertThrows(InvalidSignalException.class, () -> batch.sourcePosition(-1));
      assertEquals(3, batch.size());
      assertEquals(1, db.write(batch));
      assertEquals(2.0, db.decayScore("like", 1, T0));
      assertEquals(OptionalLong.empty(), db.sourcePosition(), "no batch carried a position");
      assertThrows(InvalidSignalException.class, () -> other.write(batch), "a batch belongs to its database");

      batch.clear();
      assertTrue(batch.isEmpty());
      assertThrows(InvalidSignalException.class, () -> db.write(batch), "empty, no position: nothing to write");
      for (int i = 0; i < 500; i++) {
        batch.add("view", 2, 1.0, T0);
      }
      assertEquals(4, db.write(batch.sourcePosition(41)));
      assertEquals(500, db.windowCount("view", 2, Window.ALL_TIME));
      assertEquals(OptionalLong.of(41), db.sourcePosition());
      assertEquals(504, db.stats().lastSequence(), "the position marker takes the sequence after the events");
      assertEquals(505, db.write(batch.clear().sourcePosition(42)), "a position alone is a write too");
      assertEquals(OptionalLong.of(42), db.sourcePosition());
    }
  }

  /**
   * A producer keeps 200 batches in flight with one future per batch, refilling one batch object at
   * once: the batches land whole, in order, applied, and with the last position, also after reopening.
   */
  @Test
  void writeAsync_manyBatchesInFlight_oneFuturePerBatch_landWholeAndInOrder() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<java.util.concurrent.CompletableFuture<Long>> futures = new ArrayList<>();
      try (TidalDb db = persistent(temp.path(), clock)) {
        SignalBatch batch = db.newBatch();
        for (int b = 0; b < 200; b++) {
          batch.clear().sourcePosition(b);
          for (int e = 0; e < 50; e++) {
            batch.add("view", b, 1.0, T0);
          }
          futures.add(db.writeAsync(batch));   // the batch is copied: refilled right away
        }
        assertEquals(1 + 199 * 51, futures.get(199).join());
        for (int b = 0; b < 200; b++) {
          assertEquals(1 + b * 51L, futures.get(b).join(), "batch " + b + ": 50 events and its marker before it");
        }
        assertEquals(50, db.windowCount("view", 123, Window.ALL_TIME));
        assertEquals(OptionalLong.of(199), db.sourcePosition());
        assertThrows(InvalidSignalException.class, () -> db.writeAsync(db.newBatch()), "empty, no position");
      }
      try (TidalDb db = persistent(temp.path(), clock)) {
        assertEquals(50, db.windowCount("view", 199, Window.ALL_TIME));
        assertEquals(OptionalLong.of(199), db.sourcePosition());
        assertEquals(200 * 51, db.stats().lastSequence());
      }
    }
  }

  @Property(tries = 30)
  void sourcePosition_isTheLastWrittenBatchs_notTheLargest(@ForAll @IntRange(min = 0, max = 1000) int a,
      @ForAll @IntRange(min = 0, max = 1000) int b) {
    try (TidalDb db = SignalApiTest.open(ManualClock.at(T0))) {
      db.write(db.newBatch().add("view", 1, 1.0, T0).sourcePosition(a));
      db.write(db.newBatch().add("view", 1, 1.0, T0));
      assertEquals(OptionalLong.of(a), db.sourcePosition(), "a batch without a position leaves it");
      db.write(db.newBatch().add("view", 1, 1.0, T0).sourcePosition(b));
      assertEquals(OptionalLong.of(b), db.sourcePosition());
    }
  }

  /**
   * The position survives close and reopen, and a checkpoint: after it the marker is no longer
   * replayed (it is below the checkpoint, and its segment may be gone), so the snapshot carries it.
   */
  @Test
  void sourcePosition_survivesReopen_andACheckpointThatCoversItsMarker() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = persistent(temp.path(), clock)) {
        db.write(db.newBatch().add("view", 1, 1.0, T0).sourcePosition(1234));
      }
      try (TidalDb db = persistent(temp.path(), clock)) {
        assertEquals(OptionalLong.of(1234), db.sourcePosition(), "replayed from the log");
        db.write(db.newBatch().add("view", 1, 1.0, T0).sourcePosition(5678));
        db.signal("view", 2, 1.0, T0);
        db.checkpoint();
      }
      Path snapshot = temp.home().ledgerSnapshots().get(0);
      assertEquals(3, Files.readAllBytes(snapshot)[4], "a snapshot with a position is format version 3");
      try (TidalDb db = persistent(temp.path(), clock)) {
        assertEquals(OptionalLong.of(5678), db.sourcePosition(), "from the snapshot");
        assertEquals(2, db.windowCount("view", 1, Window.ALL_TIME));
      }
    }
  }

  @Test
  void snapshotWithoutAPosition_staysVersion2() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = persistent(temp.path(), ManualClock.at(T0))) {
        db.signalType("view").recordAll(new long[] {1}, new double[] {1}, new long[] {T0_NANOS});
        db.checkpoint();
      }
      assertEquals(2, Files.readAllBytes(temp.home().ledgerSnapshots().get(0))[4]);
    }
  }

  /**
   * Batches and single writes on several threads at once: each batch's events are consecutive in
   * the log and followed by its marker, and the ledger after reopening reads what the live one read
   * (the ledger applies batches in log order too).
   */
  @Test
  void batchesAndSingleWrites_concurrently_stayWholeAndInLogOrder() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Double> live = new ArrayList<>();
      TreeMap<Long, long[]> batches = new TreeMap<>();   // first sequence -> {batch id, size}
      AtomicLong lastBatchPosition = new AtomicLong(-1);
      try (TidalDb db = persistent(temp.path(), clock)) {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int thread = t;
          Thread th = new Thread(() -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            SignalBatch batch = db.newBatch();
            for (int i = 0; i < 200; i++) {
              if (thread < 2) {
                long id = thread * 1000L + i;
                int size = 1 + i % 17;
                batch.clear().sourcePosition(id);
                for (int e = 0; e < size; e++) {
                  batch.add(e % 2 == 0 ? "view" : "like", id, 1.0, T0);
                }
                long first = db.write(batch);
                synchronized (batches) {
                  batches.put(first, new long[] {id, size});
                }
              } else {
                db.signal("view", 10_000 + i % 7, 1.0, T0);
              }
            }
          }, "writer-" + t);
          threads.add(th);
          th.start();
        }
        start.countDown();
        for (Thread th : threads) {
          th.join();
        }
        lastBatchPosition.set(batches.lastEntry().getValue()[0]);
        assertEquals(OptionalLong.of(lastBatchPosition.get()), db.sourcePosition(), "the batch last in the log");
        for (long e = 0; e < 2000; e++) {
          live.add(db.decayScore("view", e, T0) + db.decayScore("like", e, T0));
        }
        live.add(db.decayScore("view", 10_003, T0));
      }
      TreeMap<Long, WalEvent> log = new TreeMap<>();
      WalReader.of(temp.home().wal()).events(1, Long.MAX_VALUE,
          (seq, entity, type, weight, ts) -> log.put(seq, new WalEvent(entity, type, weight, ts)));
      assertEquals(400 * 1L + 400 + batches.values().stream().mapToLong(b -> b[1]).sum(), log.size());
      for (var batch : batches.entrySet()) {
        long first = batch.getKey();
        long id = batch.getValue()[0];
        int size = (int) batch.getValue()[1];
        for (int e = 0; e < size; e++) {
          assertEquals(id, log.get(first + e).entityId(), "batch " + id + " is consecutive in the log");
        }
        WalEvent marker = log.get(first + size);
        assertTrue(WalEvent.isSourcePosition(marker.signalTypeId()), "the marker follows batch " + id);
        assertEquals(id, marker.entityId());
      }
      try (TidalDb db = persistent(temp.path(), clock)) {
        List<Double> reopened = new ArrayList<>();
        for (long e = 0; e < 2000; e++) {
          reopened.add(db.decayScore("view", e, T0) + db.decayScore("like", e, T0));
        }
        reopened.add(db.decayScore("view", 10_003, T0));
        assertEquals(live, reopened, "the live ledger is the one the log rebuilds");
        assertEquals(OptionalLong.of(lastBatchPosition.get()), db.sourcePosition());
      }
    }
  }
}

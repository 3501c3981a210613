package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.HookedClock;
import io.tidaldb.wal.FaultyDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Pipelined writes ({@code signalAsync}, {@code recordAsync}, {@code writeAsync}) of a persistent
 * database: the log's writer thread only writes and fsyncs; the ledger applier thread applies each
 * acknowledged write in log order and completes its future.
 */
class PipelinedWriteTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final String WRITER = "tidaldb-wal-writer";
  private static final Duration BOUND = Duration.ofSeconds(30);

  private static TidalDb open(Path dir, HookedClock clock) {
    return TidalDb.builder().dataDir(dir).clock(clock).schema(SignalApiTest.SCHEMA).durability(Durability.SYNC)
        .checkpointInterval(Duration.ZERO).open();
  }

  /**
   * An action chained on a pipelined write's future that takes its time (here: waits for the test)
   * used to run on the log's writer thread, holding the log: every other write, blocking ones
   * included, waited for it. It now runs on the applier thread, and the log goes on.
   */
  @Test
  void slowActionOnAPipelinedFuture_doesNotHoldUpOtherWriters() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      HookedClock clock = HookedClock.at(T0);
      try (TidalDb db = open(temp.path(), clock)) {
        CountDownLatch inAction = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch chained = new CountDownLatch(1);
        clock.onNextCallFrom(WRITER, () -> CloseTest.awaitQuietly(chained));   // not done before the action is chained
        CompletableFuture<Void> slow = db.signalAsync("view", 0L, 1.0, T0).thenRun(() -> {
          inAction.countDown();
          CloseTest.awaitQuietly(release);
        });
        chained.countDown();
        CloseTest.awaitQuietly(inAction);
        try {
          assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (long entity = 1; entity <= 10; entity++) {
              db.signal("view", entity, 1.0, T0);   // blocking writes: durable and applied
            }
          }, "blocking writes wait for an action chained on another write's future");
          assertEquals(1.0, db.decayScore("view", 10L, T0), 1e-9);
        } finally {
          release.countDown();
        }
        slow.join();
        assertEquals(11, db.stats().lastSequence());
      }
    }
  }

  /**
   * The ledger never shows a pipelined event the log has not acknowledged: while the log's writer
   * is held before writing it, a read does not see it; once its future completes, a read on any
   * thread does.
   */
  @Test
  void pipelinedEvent_isInvisibleUntilAcknowledged_andVisibleOnceItsFutureCompletes() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), clock)) {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        clock.onNextCallFrom(WRITER, () -> {   // the writer reads the clock as it writes the batch
          held.countDown();
          CloseTest.awaitQuietly(release);
        });
        CompletableFuture<Long> pending = db.signalAsync("view", 7L, 1.0, T0);
        CloseTest.awaitQuietly(held);
        assertFalse(pending.isDone());
        assertEquals(0.0, db.decayScore("view", 7L, T0), "not durable yet, so not in the ledger");
        release.countDown();
        CompletableFuture<Double> seenAfter = pending.thenApplyAsync(seq -> db.decayScore("view", 7L, T0));
        assertEquals(1.0, seenAfter.join(), 1e-9);
        assertEquals(1L, pending.join());
      }
    }
  }

  /** Futures of single events and of batches complete in log order, each with its own sequence. */
  @Test
  void pipelinedFutures_completeInLogOrder() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), clock)) {
        CountDownLatch chained = new CountDownLatch(1);
        clock.onNextCallFrom(WRITER, () -> CloseTest.awaitQuietly(chained));   // none completes before all are chained
        SignalType view = db.signalType("view");
        List<Long> completed = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        List<CompletableFuture<Void>> recorded = new ArrayList<>();
        SignalBatch batch = db.newBatch();
        for (int i = 0; i < 5_000; i++) {
          CompletableFuture<Long> f;
          if (i % 100 == 99) {
            batch.clear();
            batch.add(view, i, 1.0, T0).add(view, i + 1, 1.0, T0);
            f = db.writeAsync(batch);
          } else {
            f = view.recordAsync(i % 300, 1.0, T0);
          }
          recorded.add(f.thenAccept(completed::add));
          futures.add(f);
        }
        chained.countDown();
        CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).join();   // every completion recorded
        List<Long> issued = new ArrayList<>();
        for (CompletableFuture<Long> f : futures) {
          issued.add(f.join());
        }
        int firstOutOfOrder = 0;
        while (firstOutOfOrder < issued.size() && issued.get(firstOutOfOrder).equals(completed.get(firstOutOfOrder))) {
          firstOutOfOrder++;
        }
        int at = firstOutOfOrder;
        assertEquals(issued.size(), at, () -> "completed in the order issued, which is the log's; from index " + at
            + ": issued " + issued.subList(at, Math.min(issued.size(), at + 5)) + ", completed "
            + completed.subList(at, Math.min(completed.size(), at + 5)));
        for (int i = 1; i < issued.size(); i++) {
          assertTrue(issued.get(i) > issued.get(i - 1));
        }
        assertEquals(5_050, db.stats().lastSequence());
      }
    }
  }

  /**
   * close() with pipelined writes in flight completes every future (the log writes what it holds,
   * then the applier applies it), never hangs, and the reopened ledger has every event.
   */
  @Test
  void close_withPipelinedWritesInFlight_completesEveryFuture() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      TidalDb db = open(temp.path(), HookedClock.at(T0));
      for (long entity = 0; entity < 20_000; entity++) {
        futures.add(db.signalAsync("view", entity, 1.0, T0));
      }
      assertTimeoutPreemptively(BOUND, db::close);
      for (CompletableFuture<Long> f : futures) {
        assertTrue(f.isDone(), "every future is complete once close() returns");
        f.join();
      }
      assertThrows(DatabaseClosedException.class, () -> db.signalAsync("view", 1L, 1.0, T0));
      CloseTest.assertReopensWith(temp.path(), 20_000);
    }
  }

  /**
   * One producer pipelining single events and batches (some with a source position) into a ledger
   * of several stripes, first below its bound (long runs are applied on two threads, stripes split
   * between them) and then past it (evictions: one by one):
   * the reopened database answers what the live one did, bit for bit, as recovery replays the log
   * one event at a time.
   */
  @Test
  void pipelinedWritesAppliedOnTwoThreads_reopenAnswersBitForBit() {
    HookedClock clock = HookedClock.at(T0);
    Set<Long> entities = new TreeSet<>();
    SplittableRandom random = new SplittableRandom(14);
    long position = 0;
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Long> before;
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SignalApiTest.SCHEMA)
          .maxEntries(8_192).durability(Durability.SYNC).checkpointInterval(Duration.ZERO).open()) {
        SignalBatch batch = db.newBatch();
        for (int pool : new int[] {2_000, 12_000}) {   // 2,000 entities fit the bound; 12,000 do not
          CountDownLatch queued = new CountDownLatch(1);
          clock.onNextCallFrom(WRITER, () -> CloseTest.awaitQuietly(queued));   // long runs for the applier
          List<CompletableFuture<Long>> pending = new ArrayList<>();
          for (int i = 0; i < 40_000; i++) {
            if (i == 15_000) {
              queued.countDown();   // ~43,500 events queued: less than the log's queue holds
            }
            boolean grouped = i % 10 == 0;   // batches of 20 between single events, some with a position
            batch.clear();
            for (int e = 0; e < (grouped ? 20 : 1); e++) {
              long entity = random.nextInt(pool);
              entities.add(entity);
              SignalSpec signal = SignalApiTest.SCHEMA.signals().get(random.nextInt(SignalApiTest.SCHEMA.signals().size()));
              Instant at = T0.minusSeconds(random.nextLong(2 * 86_400));
              if (grouped) {
                batch.add(signal.name(), entity, 1 + random.nextInt(3), at);
              } else {
                pending.add(db.signalAsync(signal.name(), entity, 1 + random.nextInt(3), at));
              }
            }
            if (grouped) {
              if (random.nextBoolean()) {
                batch.sourcePosition(++position);
              }
              pending.add(db.writeAsync(batch));
            }
          }
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        }
        assertEquals(position, db.sourcePosition().orElseThrow());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("tidaldb-ledger-applier-2")), "runs were applied on two threads");
        assertTrue(db.stats().ledgerEvictions() > 0, "the second pool went past the bound");
        before = RestartAtCapacityTest.answers(db, entities);
      }
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SignalApiTest.SCHEMA)
          .maxEntries(8_192).durability(Durability.SYNC).checkpointInterval(Duration.ZERO).open()) {
        assertEquals(before, RestartAtCapacityTest.answers(db, entities));
        assertEquals(position, db.sourcePosition().orElseThrow());
      }
    }
  }

  /**
   * Blocking calls from an action chained on a pipelined future (which runs on the applier thread)
   * are refused: they would wait for that thread itself.
   */
  @Test
  void blockingCallsFromAnActionOnAPipelinedFuture_areRefused() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), clock)) {
        CountDownLatch chained = new CountDownLatch(1);
        clock.onNextCallFrom(WRITER, () -> CloseTest.awaitQuietly(chained));   // not done before the actions are chained
        CompletableFuture<Long> pending = db.signalAsync("view", 1L, 1.0, T0);
        CompletableFuture<Long> write = pending.thenApply(seq -> db.signal("view", 2L, 1.0, T0));
        CompletableFuture<Long> checkpoint = pending.thenApply(seq -> db.checkpoint());
        chained.countDown();
        CompletionException e = assertThrows(CompletionException.class, write::join);
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        assertTrue(e.getCause().getMessage().contains("thenApplyAsync"), e.getCause().getMessage());
        CompletionException c = assertThrows(CompletionException.class, checkpoint::join);
        assertTrue(c.getCause() instanceof IllegalStateException, String.valueOf(c.getCause()));
        db.signal("view", 4L, 1.0, T0);
        assertEquals(2, db.stats().lastSequence());
      }
    }
  }

  /** Pipelined writes acknowledged before the rest are issued, in the full-disk test. */
  private static final int ACKNOWLEDGED_FIRST = 100;

  /**
   * A log that fails (here a full disk) with pipelined writes in flight: every future ends (none
   * hangs), the ones the log did not acknowledge fail with its error and never reach the ledger,
   * and after space is freed a reopen holds every acknowledged one.
   */
  @Test
  void pipelinedWrites_whenTheLogFails_failTheUnacknowledged_andAReopenHoldsEveryAcknowledgedOne() {
    int writes = 3_000;
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      FaultyDisk disk = null;
      TidalDb db = open(temp.path(), HookedClock.at(T0));
      try {
        disk = FaultyDisk.fullAfter(db.home().orElseThrow().wal(), 16_000);
        for (long entity = 0; entity < writes; entity++) {
          try {
            futures.add(db.signalAsync("view", entity, 1.0, T0));
          } catch (TidalDbException refused) {
            break;   // the log had already stopped when this write came
          }
          if (entity == ACKNOWLEDGED_FIRST - 1) {
            // a few batches fit on the disk whatever the threads' timing: without this wait, a producer
            // faster than the writer could hand it all 3,000 in one batch, too big for the room left
            futures.forEach(CompletableFuture::join);
          }
        }
        for (CompletableFuture<Long> future : futures) {
          assertTimeoutPreemptively(BOUND, () -> future.handle((seq, error) -> seq).join(), "a future never ended");
        }
        Set<Long> acknowledged = new TreeSet<>();
        int failed = 0;
        for (int entity = 0; entity < futures.size(); entity++) {
          CompletableFuture<Long> future = futures.get(entity);
          if (future.isCompletedExceptionally()) {
            failed++;
            Throwable cause = assertThrows(CompletionException.class, future::join).getCause();
            assertTrue(cause instanceof StorageException, () -> "the log's error, not " + cause);
            assertEquals(0.0, db.decayScore("view", (long) entity, T0), "a write the log refused is not applied");
          } else {
            acknowledged.add((long) entity);
            assertEquals(1.0, db.decayScore("view", (long) entity, T0), 1e-9);
          }
        }
        assertTrue(failed > 0 && !acknowledged.isEmpty(), () -> "the disk must fill mid-stream: " + acknowledged.size()
            + " acknowledged, " + futures.size() + " issued");
        assertThrows(TidalDbException.class, db::healthCheck);
        assertThrows(TidalDbException.class, db::close, "close() reports the log's failure");
        disk.free();
        disk.close();
        disk = null;
        try (TidalDb reopened = open(temp.path(), HookedClock.at(T0))) {
          for (long entity : acknowledged) {
            assertEquals(1.0, reopened.decayScore("view", entity, T0), 1e-9, () -> "acknowledged write lost: " + entity);
          }
          reopened.healthCheck();
        }
      } finally {
        if (disk != null) {
          disk.close();
        }
        if (!db.isClosed()) {
          try {
            db.close();
          } catch (TidalDbException ignored) {
            // the failure is what this test is about
          }
        }
      }
    }
  }
}

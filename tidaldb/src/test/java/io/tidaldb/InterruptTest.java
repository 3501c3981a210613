package io.tidaldb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.HookedClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.CheckpointMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Interrupts are not how tidalDB is stopped ({@code close()} is): a stray one breaks nothing. */
class InterruptTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final String WRITER = "tidaldb-wal-writer";
  /** Where actions chained on a pipelined write's future run. */
  private static final String APPLIER = "tidaldb-ledger-applier";
  private static final Duration BOUND = Duration.ofSeconds(30);

  private static TidalDb open(Path dir, HookedClock clock, Durability durability, Duration checkpointInterval) {
    return TidalDb.builder().dataDir(dir).clock(clock).schema(SignalApiTest.SCHEMA).durability(durability)
        .checkpointInterval(checkpointInterval).partitionId("interrupt").open();
  }

  private static Durability durability(String mode) {
    return mode.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "interval"})
  void interruptFromWriteCallback_writesGoOn(String mode) {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), clock, durability(mode), Duration.ZERO)) {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch chained = new CountDownLatch(1);
        clock.onNextCallFrom(WRITER, () -> {   // the write waits until the action is chained and more is queued
          held.countDown();
          CloseTest.awaitQuietly(chained);
        });
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CompletableFuture<Void> interrupting = db.signalAsync("view", 0L, 1.0, T0).thenRun(() -> {
          ranOn.set(Thread.currentThread());
          Thread.currentThread().interrupt();
        });
        CloseTest.awaitQuietly(held);
        List<CompletableFuture<Long>> queuedBehind = new ArrayList<>();
        for (long entity = 1; entity <= 10; entity++) {
          queuedBehind.add(db.signalAsync("view", entity, 1.0, T0));   // the writer's next batch
        }
        chained.countDown();
        interrupting.join();
        assertEquals(APPLIER, ranOn.get().getName());
        for (CompletableFuture<Long> write : queuedBehind) {
          write.join();
        }
        for (long entity = 11; entity < 1_000; entity++) {
          db.signal("view", entity, 1.0, T0);
        }
        db.healthCheck();
      }
      CloseTest.assertReopensWith(temp.path(), 1_000);
    }
  }

  /**
   * The checkpoint thread is interrupted at every clock read it makes (the idle check, the checkpoint's
   * own time), wherever a checkpoint is when the hook is armed: no checkpoint fails. (Before the
   * checkpoint read its time once, the log read the clock again after the interrupt was cleared and
   * the checkpoint's file write failed with ClosedByInterruptException.)
   */
  @Test
  void interruptOfCheckpointThread_failsNeitherTheCheckpointNorTheLog() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), clock, Durability.SYNC, TidalDbBuilder.MIN_CHECKPOINT_INTERVAL)) {
        AtomicReference<Thread> interrupted = new AtomicReference<>();
        clock.onEveryCallFrom("tidaldb-checkpoint-interrupt", () -> {
          interrupted.set(Thread.currentThread());
          Thread.currentThread().interrupt();
        });
        for (long entity = 0; entity < 100; entity++) {
          db.signal("view", entity, 1.0, T0);
        }
        await().atMost(BOUND).until(() -> db.stats().lastCheckpointSequence() == 100);
        assertEquals(0, db.stats().checkpointFailures(), "the interrupted checkpoints complete");
        assertTrue(interrupted.get().isAlive(), "the checkpoint thread goes on");
        for (long entity = 100; entity < 200; entity++) {
          db.signal("view", entity, 1.0, T0);
        }
        await().atMost(BOUND).until(() -> db.stats().lastCheckpointSequence() == 200);
        assertEquals(0, db.stats().checkpointFailures());
      }
      assertEquals(200, CheckpointMeta.read(TidalHome.at(temp.path()).wal()).orElseThrow().sequence());
      CloseTest.assertReopensWith(temp.path(), 200);
    }
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A full ledger answers after a reopen exactly what it answered before the close: eviction decides
 * the same way live and in the recovery's replay, and the snapshot keeps what eviction depends on.
 */
class RestartAtCapacityTest {

  static final Instant T0 = SignalApiTest.T0;
  static final Schema SCHEMA = SignalApiTest.SCHEMA;

  private static TidalDb open(TempTidalHome temp, ManualClock clock, long maxEntries) {
    return TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SCHEMA).maxEntries(maxEntries)
        .durability(Durability.interval(Duration.ofMillis(5))).checkpointInterval(Duration.ZERO).open();
  }

  /**
   * Every answer for every entity in {@code entities}: the score's bits at two times, each window's
   * count, and each velocity's bits, in one list.
   */
  static List<Long> answers(TidalDb db, Set<Long> entities) {
    List<Long> answers = new ArrayList<>();
    for (SignalSpec signal : SCHEMA.signals()) {
      for (long entity : entities) {
        answers.add(Double.doubleToRawLongBits(db.decayScore(signal.name(), entity, T0)));
        answers.add(Double.doubleToRawLongBits(db.decayScore(signal.name(), entity, T0.plusSeconds(5_400))));
        for (Window window : signal.windows()) {
          answers.add(db.windowCount(signal.name(), entity, window));
          if (signal.velocity() && window != Window.ALL_TIME) {
            answers.add(Double.doubleToRawLongBits(db.velocity(signal.name(), entity, window)));
          }
        }
      }
    }
    return answers;
  }

  /** The scenario: 3,000 entities into a ledger of 1,024, a checkpoint at the 2,000th. */
  @Test
  void reopenAtCapacity_answersExactlyWhatItAnsweredBeforeClose() {
    ManualClock clock = ManualClock.at(T0);
    Set<Long> entities = new TreeSet<>();
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Long> before;
      try (TidalDb db = open(temp, clock, 1_024)) {
        for (long entity = 0; entity < 3_000; entity++) {
          db.signal("view", entity, 1.0, T0.minusSeconds(3_000 - entity));
          entities.add(entity);
          if (entity == 1_999) {
            db.checkpoint();
          }
        }
        before = answers(db, entities);
      }
      try (TidalDb db = open(temp, clock, 1_024)) {
        assertEquals(before, answers(db, entities));
      }
    }
  }

  /**
   * Random capacities, random events (entities, signals, weights, times up to two days late) and
   * random checkpoints: every answer for every entity ever recorded is the same, bit for bit, after
   * the reopen.
   */
  @Property(tries = 40)
  void reopen_answersBitForBitWhatItAnsweredBeforeClose(
      @ForAll @IntRange(min = 1, max = 300) int maxEntries,
      @ForAll @IntRange(min = 0, max = 1_500) int events,
      @ForAll @IntRange(min = 1, max = 4) int entitiesPerEntry,
      @ForAll @IntRange(min = 0, max = 3) int checkpoints,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ManualClock clock = ManualClock.at(T0);
    Set<Long> entities = new TreeSet<>();
    Set<Integer> checkpointAt = new TreeSet<>();
    for (int i = 0; i < checkpoints && events > 0; i++) {
      checkpointAt.add(random.nextInt(events));
    }
    int pool = maxEntries * entitiesPerEntry;
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Long> before;
      try (TidalDb db = open(temp, clock, maxEntries)) {
        for (int i = 0; i < events; i++) {
          write(db, random, pool, entities);
          if (checkpointAt.contains(i)) {
            db.checkpoint();
          }
        }
        before = answers(db, entities);
      }
      try (TidalDb db = open(temp, clock, maxEntries)) {
        assertEquals(before, answers(db, entities));
      }
    }
  }

  /** One random event: any signal, an entity of {@code pool}, a time up to two days before T0 or an hour after. */
  private static void write(TidalDb db, SplittableRandom random, int pool, Set<Long> entities) {
    SignalSpec signal = SCHEMA.signals().get(random.nextInt(SCHEMA.signals().size()));
    long entity = random.nextInt(pool);
    double weight = signal.negativeWeights() && random.nextInt(5) == 0 ? -1.0 : 0.5 + random.nextInt(4);
    db.signal(signal.name(), entity, weight, T0.minusSeconds(random.nextLong(2 * 86_400)).plusSeconds(3_600));
    entities.add(entity);
  }

  /**
   * Writers on several threads, blocking and asynchronous, into a full ledger of several stripes,
   * with a checkpoint while they write: the reopened database answers what the live one did, bit
   * for bit, although the threads' applies interleave in an order the log does not record.
   */
  @Test
  void concurrentWritersAtCapacity_reopenAnswersExactlyTheSame() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    Set<Long> entities = new ConcurrentSkipListSet<>();
    int threads = 4;
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Long> before;
      try (TidalDb db = open(temp, clock, 2_048)) {
        Writers writers = new Writers(threads, "restart-at-capacity-writer-", t -> {
          SplittableRandom random = new SplittableRandom(t);
          List<CompletableFuture<Long>> pending = new ArrayList<>();
          for (int i = 0; i < 4_000; i++) {
            long entity = random.nextInt(6_000);
            entities.add(entity);
            Instant at = T0.minusSeconds(random.nextLong(2 * 86_400));
            SignalSpec signal = SCHEMA.signals().get(random.nextInt(SCHEMA.signals().size()));
            if (random.nextBoolean()) {
              pending.add(db.signalAsync(signal.name(), entity, 1 + random.nextInt(3), at));
            } else {
              db.signal(signal.name(), entity, 1 + random.nextInt(3), at);
            }
          }
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        });
        db.checkpoint();
        before = writers.answersAfter(db, entities);
      }
      try (TidalDb db = open(temp, clock, 2_048)) {
        assertEquals(before, answers(db, entities));
      }
    }
  }

  /**
   * Eight blocking writers under {@code SYNC} (single signals and batches, so group commits with
   * several batches fsynced at once, each batch applied by whoever acknowledges it) into a full
   * ledger: the reopened database answers what the live one did, bit for bit: the live ledger
   * applied the events in the log's order, as the recovery's replay does.
   */
  @Test
  void blockingWritersUnderSyncAtCapacity_reopenAnswersExactlyTheSame() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    Set<Long> entities = new ConcurrentSkipListSet<>();
    int threads = 8;
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<Long> before;
      try (TidalDb db = openSync(temp, clock, 256)) {
        Writers writers = new Writers(threads, "restart-at-capacity-sync-writer-", t -> {
          SplittableRandom random = new SplittableRandom(100 + t);
          for (int i = 0; i < 300; i++) {
            if (random.nextInt(4) == 0) {
              SignalBatch batch = db.newBatch();
              for (int e = 1 + random.nextInt(5); e > 0; e--) {
                long entity = random.nextInt(1_000);
                entities.add(entity);
                batch.add(SCHEMA.signals().get(random.nextInt(SCHEMA.signals().size())).name(), entity,
                    1 + random.nextInt(3), T0.minusSeconds(random.nextLong(2 * 86_400)));
              }
              db.write(batch);
            } else {
              long entity = random.nextInt(1_000);
              entities.add(entity);
              db.signal(SCHEMA.signals().get(random.nextInt(SCHEMA.signals().size())).name(), entity,
                  1 + random.nextInt(3), T0.minusSeconds(random.nextLong(2 * 86_400)));
            }
          }
        });
        before = writers.answersAfter(db, entities);
      }
      try (TidalDb db = openSync(temp, clock, 256)) {
        assertEquals(before, answers(db, entities));
      }
    }
  }

  private static TidalDb openSync(TempTidalHome temp, ManualClock clock, long maxEntries) {
    return TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SCHEMA).maxEntries(maxEntries)
        .durability(Durability.SYNC).checkpointInterval(Duration.ZERO).open();
  }

  /** One writer thread's work: writer {@code t} of the group. */
  @FunctionalInterface
  private interface Writing {
    void write(int t) throws Exception;
  }

  /** Daemon writer threads named {@code name + t}, started together; what they throw is kept. */
  private static final class Writers {
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    Writers(int count, String name, Writing writing) {
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < count; t++) {
        int writer = t;
        Thread thread = new Thread(() -> {
          try {
            start.await();
            writing.write(writer);
          } catch (Throwable e) {
            failures.add(e);
          }
        }, name + t);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      start.countDown();
    }

    /** Waits for the writers, checks they failed nowhere and filled the ledger, and reads the answers. */
    List<Long> answersAfter(TidalDb db, Set<Long> entities) throws InterruptedException {
      for (Thread thread : threads) {
        thread.join(120_000);
        assertTrue(!thread.isAlive(), thread.getName() + " did not finish");
      }
      assertEquals(List.of(), failures);
      assertTrue(db.stats().ledgerEvictions() > 0, "the ledger was full");
      return answers(db, entities);
    }
  }
}

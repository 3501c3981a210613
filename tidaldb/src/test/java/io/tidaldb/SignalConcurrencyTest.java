package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SignalConcurrencyTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final int WRITERS = 4;
  private static final int WRITES = 50_000;
  private static final int SHARED = 16;

  /** Entity written by writer {@code w} at step {@code i}: a third of the writes go to shared entities. */
  private static long entity(int w, int i) {
    return i % 3 == 0 ? i % SHARED : 1_000_000L * (w + 1) + i % 2_000;
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(task));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(2, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentWriters_onSharedAndOwnEntities_loseNoEvent() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = SignalApiTest.open(clock)) {
      SignalType view = db.signalType("view");
      SignalType follow = db.signalType("follow");
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Callable<Long>> tasks = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        tasks.add(() -> {
          start.await();
          long last = 0;
          for (int i = 0; i < WRITES; i++) {
            Instant at = T0.minus(Duration.ofSeconds(i % 3_000));
            last = Math.max(last, view.record(entity(writer, i), 1.0, at));
            follow.record(entity(writer, i), 1.0, at);
          }
          return last;
        });
      }
      for (int r = 0; r < 2; r++) {
        tasks.add(() -> {
          // Reads race the writers (optimistic reads across index growth): a permanent score
          // only ever grows, and no read fails.
          start.await();
          double[] seen = new double[SHARED];
          double[] batch = new double[SHARED];
          long[] ids = new long[SHARED];
          for (int i = 0; i < SHARED; i++) {
            ids[i] = i;
          }
          long reads = 0;
          while (writing.get()) {
            follow.decayScores(ids, T0, batch);
            for (int i = 0; i < SHARED; i++) {
              assertTrue(batch[i] >= seen[i], "score of " + i + " fell from " + seen[i] + " to " + batch[i]);
              seen[i] = batch[i];
            }
            view.windowCount(entity(1, (int) (reads % WRITES)), Window.ONE_HOUR);
            reads++;
          }
          return reads;
        });
      }
      start.countDown();
      List<Callable<Long>> writers = tasks.subList(0, WRITERS);
      List<Callable<Long>> readers = tasks.subList(WRITERS, tasks.size());
      ExecutorService readerPool = Executors.newFixedThreadPool(readers.size());
      try {
        List<Future<Long>> readResults = new ArrayList<>();
        for (Callable<Long> reader : readers) {
          readResults.add(readerPool.submit(reader));
        }
        runAll(writers);
        writing.set(false);
        for (Future<Long> result : readResults) {
          assertTrue(result.get(1, TimeUnit.MINUTES) > 0);
        }
      } finally {
        readerPool.shutdownNow();
      }

      long[] expected = new long[SHARED];
      for (int w = 0; w < WRITERS; w++) {
        for (int i = 0; i < WRITES; i += 3) {
          expected[(int) entity(w, i)]++;
        }
      }
      for (int e = 0; e < SHARED; e++) {
        assertEquals(expected[e], db.decayScore("follow", e, T0));
        assertEquals(expected[e], db.windowCount("view", e, Window.ALL_TIME));
        assertEquals(expected[e], db.windowCount("view", e, Window.ONE_HOUR));
      }
      long total = 0;
      for (int w = 0; w < WRITERS; w++) {
        for (int k = 0; k < 2_000; k++) {
          total += db.windowCount("view", 1_000_000L * (w + 1) + k, Window.ALL_TIME);
        }
      }
      for (long e : expected) {
        total += e;
      }
      assertEquals((long) WRITERS * WRITES, total);
      assertEquals(2L * WRITERS * WRITES + 1, db.signal("view", 1L, 1.0, T0), "every write got its own sequence number");
    }
  }

  @Test
  void concurrentWriters_inAFullLedger_stayWithinTheBound() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).schema(SignalApiTest.SCHEMA).maxEntries(3_000).open()) {
      List<Callable<Long>> tasks = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        tasks.add(() -> {
          for (int i = 0; i < 20_000; i++) {
            db.signal("follow", writer * 100_000L + i, 1.0, T0.plusMillis(i));
          }
          return 0L;
        });
      }
      runAll(tasks);
      long present = 0;
      for (int w = 0; w < WRITERS; w++) {
        for (int i = 0; i < 20_000; i++) {
          present += db.decayScore("follow", w * 100_000L + i, T0) > 0 ? 1 : 0;
        }
      }
      assertTrue(present <= 3_000 && present > 2_900, "entries present: " + present);
    }
  }
}

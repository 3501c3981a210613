package io.tidaldb.internal.signal;

import static io.tidaldb.internal.signal.Ledgers.SECOND;
import static io.tidaldb.internal.signal.Ledgers.T0;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link SignalLedger#decayScores}, which reads its candidates in passes (index slots, then hot
 * records, then the arithmetic), against one {@link SignalLedger#decayScore} per candidate.
 */
class BatchReadTest {

  private static final Schema SCHEMA = Schema.builder()
      .signal("exp", EntityKind.ITEM, DecaySpec.exponential(Duration.ofHours(1))).windows(Window.ONE_HOUR).add()
      .signal("lin", EntityKind.ITEM, DecaySpec.linear(Duration.ofMinutes(10))).windows(Window.ALL_TIME).add()
      .signal("sum", EntityKind.USER, DecaySpec.permanent()).negativeWeights(true).add()
      .build();

  /** Up to 700 entity ids: ones that collide often, the extremes, and arbitrary ones. */
  @Provide
  Arbitrary<List<Long>> ids() {
    return Arbitraries.oneOf(Arbitraries.longs().between(-300, 300), Arbitraries.of(0L, Long.MIN_VALUE, Long.MAX_VALUE),
        Arbitraries.longs()).list().ofMaxSize(700);
  }

  /**
   * Any ledger content, any candidates (absent ones, repeated ones, more than one block of them), any
   * read time. A bound of 1,500 entries keeps the ledger in one stripe and its tables up to 3/4 full,
   * where keys sit far from their home slot and share tags; a bound of 10^9 spreads them over 64
   * stripes.
   */
  @Property(tries = 300)
  void decayScores_equalsOneReadPerCandidate(
      @ForAll("ids") List<Long> written, @ForAll("ids") List<Long> absent, @ForAll @IntRange(max = 2) int typeId,
      @ForAll boolean oneStripe, @ForAll @IntRange(max = 3_600) int readAfterSeconds) {
    SignalLedger ledger = Ledgers.of(SCHEMA, oneStripe ? 1_500 : 1_000_000_000L);
    long t = T0;
    for (long id : written) {
      ledger.apply(id, typeId, Math.floorMod(id, 7) + 0.5f, t);
      t += SECOND;
    }
    List<Long> candidates = new ArrayList<>(written);
    candidates.addAll(absent);
    candidates.addAll(written.subList(0, written.size() / 3));
    long[] ids = candidates.stream().mapToLong(Long::longValue).toArray();
    long at = t + readAfterSeconds * SECOND;

    double[] out = new double[ids.length + 2];
    Arrays.fill(out, -1);
    ledger.decayScores(typeId, ids, at, out);

    double[] expected = new double[ids.length + 2];
    Arrays.fill(expected, -1);
    for (int i = 0; i < ids.length; i++) {
      expected[i] = ledger.decayScore(typeId, ids[i], at);
    }
    assertArrayEquals(expected, out);
  }

  /** Dense tables (long probe sequences, shared tags) and candidates in every stripe, over several blocks. */
  @Test
  void decayScores_ofEveryEntryAndAsManyAbsentOnes_equalsOneReadPerCandidate() {
    for (long maxEntries : new long[] {2_000, 1_000_000}) {
      SignalLedger ledger = Ledgers.of(SCHEMA, maxEntries);
      SplittableRandom random = new SplittableRandom(maxEntries);
      long[] present = new long[1_500];
      for (int i = 0; i < present.length; i++) {
        present[i] = random.nextLong();
        ledger.apply(present[i], 0, 1f + i % 5, T0 + random.nextLong(3_600) * SECOND);
      }
      long[] ids = new long[2 * present.length];
      Set<Integer> stripes = new HashSet<>();
      for (int i = 0; i < present.length; i++) {
        ids[2 * i] = present[i];
        ids[2 * i + 1] = present[i] + 1;
        stripes.add(ledger.stripeOf(0, present[i]).index);
      }
      assertEquals(ledger.stripeCount(), stripes.size(), "the candidates touch every stripe");
      double[] out = new double[ids.length];
      ledger.decayScores(0, ids, T0 + 3_600 * SECOND, out);
      for (int i = 0; i < ids.length; i++) {
        assertEquals(ledger.decayScore(0, ids[i], T0 + 3_600 * SECOND), out[i], "candidate " + i);
        assertEquals(i % 2 == 0, out[i] > 0, "candidate " + i);
      }
    }
  }

  @Test
  void decayScores_ofNoCandidates_writesNothing() {
    SignalLedger ledger = Ledgers.of(SCHEMA);
    ledger.apply(1L, 0, 1f, T0);
    double[] out = {7.0};
    ledger.decayScores(0, new long[0], T0, out);
    assertArrayEquals(new double[] {7.0}, out);
  }

  /**
   * A write holds a candidate's stripe while the batch reads: the batch's stamp for that stripe
   * fails, and the stripe's candidates are read again under its read lock, after the write.
   */
  @Test
  void decayScores_overlappingAWrite_readsThatStripeAgainAfterTheWrite() throws Exception {
    SignalLedger ledger = Ledgers.of(SCHEMA);
    long[] ids = new long[200];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i * 7_919L;
      ledger.apply(ids[i], 2, 1f, T0);
    }
    Stripe held = ledger.stripeOf(2, ids[0]);
    double[] out = new double[ids.length];
    FutureTask<Void> read = new FutureTask<>(() -> ledger.decayScores(2, ids, T0, out), null);
    Thread reader = new Thread(read, "batch-reader");
    long stamp = held.lock.writeLock();
    try {
      reader.start();
      await().atMost(Duration.ofSeconds(10)).until(
          () -> reader.getState() == Thread.State.WAITING || reader.getState() == Thread.State.TERMINATED);
      held.apply(2, ids[0], EntryTable.hash(ids[0]), 41f, T0);
    } finally {
      held.lock.unlockWrite(stamp);
    }
    read.get(10, TimeUnit.SECONDS);
    assertEquals(42.0, out[0]);
    for (int i = 1; i < ids.length; i++) {
      assertEquals(1.0, out[i]);
    }
  }

  /**
   * Writers insert and update entries (tables grow, chunks are added, the index is rehashed) while
   * readers score every entity, absent ones and repeated ones, in batches. Every score read must be
   * one the entity really had at some point (one of its prefix sums, faded to the read time), and
   * never lower than one read before: a torn read (an id, a time and a score from different moments
   * or entries) would give a value outside that set.
   */
  @Test
  void decayScores_underConcurrentWriters_returnsOnlyScoresThatWereTrue() throws Exception {
    int entities = 2_048;
    int events = 40;
    SplittableRandom random = new SplittableRandom(11);
    long[] ids = new long[entities];
    for (int e = 0; e < entities; e++) {
      ids[e] = random.nextLong();
    }
    long readAt = T0 + (events + 1) * 7 * SECOND;
    double[][] valid = new double[entities][];
    SignalLedger reference = Ledgers.of(SCHEMA);
    for (int e = 0; e < entities; e++) {
      valid[e] = new double[events + 1];
      for (int k = 1; k <= events; k++) {
        reference.apply(ids[e], 0, weight(e), time(e, k));
        valid[e][k] = reference.decayScore(0, ids[e], readAt);
      }
      assertTrue(isSorted(valid[e]));
    }
    long[] candidates = new long[entities + 300];
    int[] entityOf = new int[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      entityOf[i] = i < entities ? i : i < entities + 150 ? random.nextInt(entities) : -1;
      candidates[i] = entityOf[i] >= 0 ? ids[entityOf[i]] : random.nextLong();
    }

    SignalLedger ledger = Ledgers.of(SCHEMA);
    assertEquals(SignalLedger.MAX_STRIPES, ledger.stripeCount());
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    int writers = 2;
    List<Callable<Long>> writerTasks = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      writerTasks.add(() -> {
        start.await();
        for (int k = 1; k <= events; k++) {
          for (int e = writer; e < entities; e += writers) {
            ledger.apply(ids[e], 0, weight(e), time(e, k));
          }
        }
        return 0L;
      });
    }
    List<Callable<Long>> readerTasks = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readerTasks.add(() -> {
        start.await();
        double[] out = new double[candidates.length];
        double[] seen = new double[entities];
        long batches = 0;
        boolean last = false;
        while (!last) {
          last = !writing.get();
          ledger.decayScores(0, candidates, readAt, out);
          for (int i = 0; i < candidates.length; i++) {
            int e = entityOf[i];
            if (e < 0) {
              assertEquals(0.0, out[i], "absent candidate " + i);
              continue;
            }
            assertTrue(Arrays.binarySearch(valid[e], out[i]) >= 0, "entity " + e + " read " + out[i]
                + ", a score it never had: " + Arrays.toString(valid[e]));
            assertTrue(out[i] >= seen[e], "entity " + e + " fell from " + seen[e] + " to " + out[i]);
            seen[e] = out[i];
          }
          batches++;
        }
        for (int e = 0; e < entities; e++) {
          assertEquals(valid[e][events], seen[e], "entity " + e + " after the last write");
        }
        return batches;
      });
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers + readerTasks.size());
    try {
      List<Future<Long>> readers = new ArrayList<>();
      for (Callable<Long> task : readerTasks) {
        readers.add(pool.submit(task));
      }
      List<Future<Long>> done = new ArrayList<>();
      for (Callable<Long> task : writerTasks) {
        done.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Long> writer : done) {
        writer.get(2, TimeUnit.MINUTES);
      }
      writing.set(false);
      for (Future<Long> reader : readers) {
        assertTrue(reader.get(2, TimeUnit.MINUTES) > 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A weight of its own for each entity, exact in a float, so that entities' scores differ. */
  private static float weight(int entity) {
    return 1f + (entity % 97) / 8f;
  }

  /** Event {@code k} of an entity: seven seconds apart, offset per entity. */
  private static long time(int entity, int k) {
    return T0 + k * 7 * SECOND + entity * 1_000_000L;
  }

  private static boolean isSorted(double[] values) {
    for (int i = 1; i < values.length; i++) {
      if (values[i] < values[i - 1]) {
        return false;
      }
    }
    return true;
  }
}

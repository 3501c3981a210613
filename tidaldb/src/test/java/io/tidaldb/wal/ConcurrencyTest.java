package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

  private static final int THREADS = 8;
  private static final int PER_THREAD = 2_000;

  @Test
  void eightThreadsAppendingAtOnce_getGaplessSequences_andEveryEventRecovers() throws Exception {
    AtomicLong fsyncs = new AtomicLong();
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      List<long[]> sequences = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try (Wal wal = Wal.open(WalConfig.builder(dir).segmentSize(64 * 1024).fsyncListener(n -> fsyncs.incrementAndGet())
          .build())) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[]>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          results.add(pool.submit(() -> {
            start.await();
            long[] mine = new long[PER_THREAD];
            for (int i = 0; i < PER_THREAD; i++) {
              mine[i] = wal.append(new WalEvent(thread * 1_000_000L + i, thread, i, i));
            }
            return mine;
          }));
        }
        start.countDown();
        for (Future<long[]> result : results) {
          sequences.add(result.get());
        }
      } finally {
        pool.shutdownNow();
      }
      TreeMap<Long, WalEvent> expected = new TreeMap<>();
      for (int t = 0; t < THREADS; t++) {
        long[] mine = sequences.get(t);
        for (int i = 0; i < PER_THREAD; i++) {
          assertTrue(i == 0 || mine[i] > mine[i - 1], "a thread's sequences must increase");
          assertEquals(null, expected.put(mine[i], new WalEvent(t * 1_000_000L + i, t, i, i)), "sequence given twice");
        }
      }
      assertEquals(1L, expected.firstKey());
      assertEquals((long) THREADS * PER_THREAD, expected.lastKey(), "sequences must be gapless");
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(expected, WalTesting.replay(wal, 1));
      }
      assertTrue(fsyncs.get() < (long) THREADS * PER_THREAD,
          "concurrent appenders must share fsyncs (group commit): " + fsyncs.get() + " fsyncs");
    }
  }
}

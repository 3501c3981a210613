package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link Wal#appendGroup}: one group, one batch frame, never split, whatever else is appended at once. */
class AppendGroupTest {

  /** The smallest segment: 1 KiB holds (1024 - 32 - 48) / 24 = 39 events in one batch. */
  private static final long SMALL_SEGMENT = 1024;

  private static long[] entities(long base, int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = base + i;
    }
    return ids;
  }

  @Test
  void appendGroup_isOneBatchFrame_withConsecutiveSequences_andOneFsyncUnderSync() throws Exception {
    AtomicLong fsyncs = new AtomicLong();
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      long first;
      try (Wal wal = Wal.open(WalConfig.builder(dir).fsyncListener(n -> fsyncs.incrementAndGet()).build())) {
        wal.append(new WalEvent(1, 0, 1f, 1));
        long before = fsyncs.get();
        first = wal.appendGroup(entities(100, 1000), new int[1000], new float[1000], new long[1000], 1000);
        assertEquals(2, first);
        assertEquals(1001, wal.lastSequence());
        assertEquals(before + 1, fsyncs.get(), "one fsync for the whole group");
      }
      List<WalBatch> batches = new ArrayList<>();
      WalReader.of(dir).scan(batches::add);
      assertEquals(2, batches.size());
      assertEquals(1000, batches.get(1).eventCount());
      assertEquals(first, batches.get(1).firstSequence());
      assertEquals(100 + 999, batches.get(1).event(999).entityId());
    }
  }

  @Test
  void appendGroup_largerThanOneFrame_isRefused_andWritesNothing() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (Wal wal = Wal.open(WalConfig.builder(temp.path().resolve("wal")).segmentSize(SMALL_SEGMENT).build())) {
        assertEquals(39, wal.maxGroupEvents());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> wal.appendGroup(entities(0, 40), new int[40], new float[40], new long[40], 40));
        assertTrue(e.getMessage().contains("1 to 39 events"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> wal.appendGroup(new long[3], new int[3], new float[3],
            new long[3], 4));
        int[] badType = new int[] {0, WalEvent.MAX_SIGNAL_TYPE_ID + 1};
        assertThrows(IllegalArgumentException.class, () -> wal.appendGroup(new long[2], badType, new float[2],
            new long[2], 2));
        assertEquals(0, wal.lastSequence(), "nothing was written");
        assertEquals(1, wal.appendGroup(entities(0, 39), new int[39], new float[39], new long[39], 39));
      }
    }
  }

  /**
   * Four threads append groups of 1 to 39 events while four append single events, into 1 KiB
   * segments (39 events each at most), under SYNC and the interval mode: every group is whole in
   * one batch frame, with consecutive sequences, and every sequence is given once.
   */
  @Test
  void groupsAndSingleAppends_atOnce_acrossSegmentRolls_neverSplitAGroup() throws Exception {
    for (Durability durability : List.of(Durability.SYNC, Durability.interval(java.time.Duration.ofMillis(5)))) {
      try (TempTidalHome temp = TempTidalHome.create()) {
        Path dir = temp.path().resolve("wal");
        Map<Long, long[]> groups = new ConcurrentHashMap<>();   // first sequence -> entity ids
        List<Thread> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try (Wal wal = Wal.open(WalConfig.builder(dir).segmentSize(SMALL_SEGMENT).durability(durability).build())) {
          for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
              SplittableRandom random = new SplittableRandom(thread);
              awaitQuietly(start);
              for (int i = 0; i < 150; i++) {
                long base = (thread * 1_000L + i) * 100;
                if (thread < 4) {
                  int n = 1 + random.nextInt(39);
                  long[] ids = entities(base, n);
                  groups.put(wal.appendGroup(ids, new int[n], new float[n], new long[n], n), ids);
                } else {
                  wal.append(base, 1, 1f, 0);
                }
              }
            }, "appender-" + t);
            threads.add(th);
            th.start();
          }
          start.countDown();
          for (Thread th : threads) {
            th.join();
          }
          assertTrue(wal.segmentCount() > 10, "the groups rolled many segments: " + wal.segmentCount());
        }
        TreeMap<Long, List<WalEvent>> frames = new TreeMap<>();   // first sequence -> events (the visitor's batch is reused)
        ScanResult result = WalReader.of(dir).scan(b -> frames.put(b.firstSequence(), b.events()));
        assertTrue(result.problem().isEmpty(), String.valueOf(result.problem()));
        assertEquals(4 * 150 * 1L + groups.values().stream().mapToLong(g -> g.length).sum(), result.lastSequence(),
            "every sequence given once, none lost");
        for (Map.Entry<Long, long[]> group : groups.entrySet()) {
          long first = group.getKey();
          long[] ids = group.getValue();
          Map.Entry<Long, List<WalEvent>> frame = frames.floorEntry(first);
          long frameLast = frame.getKey() + frame.getValue().size() - 1;
          assertTrue(frameLast >= first + ids.length - 1, durability + ": the group at " + first + " of " + ids.length
              + " events is split: its frame holds " + frame.getKey() + ".." + frameLast);
          for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], frame.getValue().get((int) (first - frame.getKey()) + i).entityId());
          }
        }
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

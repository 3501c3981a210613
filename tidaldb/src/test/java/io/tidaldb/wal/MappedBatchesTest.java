package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Interval-mode batches that land in prepared space are copied into a mapping of it
 * ({@link MappedWindow}), not written with a system call each; the log reads back the same, live
 * and after a reopen, across windows and segments; and a log whose space cannot be mapped writes
 * its batches instead.
 */
class MappedBatchesTest {

  private static final int SEGMENT = 4 << 20;

  /** The JVM's count of mapped buffers not yet unmapped. */
  private static final BufferPoolMXBean MAPPED = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
      .filter(pool -> pool.getName().equals("mapped")).findFirst().orElseThrow();

  @Test
  void intervalBatches_areCopiedIntoAMapping_withoutAWriteEach_andReadBackLiveAndAfterAReopen() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      assumeTrue(MappedWindow.usableIn(temp.path()), "batches are copied into a mapping on Linux, on a file system"
          + " that overwrites in place (ext4, XFS, tmpfs), which " + temp.path() + " is not");
      Path dir = temp.path().resolve("wal");
      long mappedBefore = MAPPED.getCount();
      // ~4.8 MB: five windows of prepared space (1 MiB each) over two segments
      Run run = run(interval(dir), false, 150_000, (wal, appended) -> {
        assertEquals(appended, WalTesting.readAll(dir), "a reader of the files sees every copied batch while the log runs");
        assertTrue(wal.failure().isEmpty(), "the log goes on: " + wal.failure());
        assertTrue(MAPPED.getCount() <= mappedBefore + 1, "one window mapped at a time, each unmapped as the log"
            + " moves on: " + MAPPED.getCount() + " mappings, " + mappedBefore + " before");
      });
      assertEquals(mappedBefore, MAPPED.getCount(), "the log's windows are unmapped when it closes, not left to the"
          + " garbage collector");
      assertTrue(run.writes() < run.batches() / 100, run.writes() + " writes for " + run.batches() + " batches: one"
          + " per segment header and prepared 64 KiB, none per batch");
      assertTrue(WalTesting.batches(dir).stream().map(WalTesting.BatchAt::segment).distinct().count() >= 2, "the log rolled");
      assertReopenedLogReplays(dir, run);
    }
  }

  @Test
  void underSync_eachBatchIsWrittenWithItsOwnWrite() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      Run run = run(WalConfig.builder(dir).durability(Durability.SYNC).build(), false, 60, (wal, appended) -> { });
      assertTrue(run.writes() >= run.batches(), run.writes() + " writes for " + run.batches() + " batches");
      assertReopenedLogReplays(dir, run);
    }
  }

  @Test
  void spaceThatCannotBeMapped_batchesAreWrittenInstead_andNothingIsLost() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); AutoCloseable quiet = WalTesting.quietRecovery()) {
      Path dir = temp.path().resolve("wal");
      Run run = run(interval(dir), true, 20_000,
          (wal, appended) -> assertTrue(wal.failure().isEmpty(), "the log goes on: " + wal.failure()));
      assertTrue(run.writes() >= run.batches(), run.writes() + " writes for " + run.batches() + " batches");
      assertReopenedLogReplays(dir, run);
    }
  }

  private static WalConfig interval(Path dir) {
    return WalConfig.builder(dir).segmentSize(SEGMENT).durability(Durability.interval(Duration.ofMillis(5))).build();
  }

  /** What a run wrote: its batches, the segment channels' writes, its events by sequence. */
  private record Run(int batches, long writes, TreeMap<Long, WalEvent> events) {}

  /**
   * Appends {@code events} events to a log of {@code config} whose segment channels count their
   * writes (and refuse to be mapped if told), then runs {@code whileOpen} with the log and the events
   * appended, before closing it.
   */
  private static Run run(WalConfig config, boolean refuseMap, int events,
      BiConsumer<Wal, TreeMap<Long, WalEvent>> whileOpen) {
    AtomicLong writes = new AtomicLong();
    TreeMap<Long, WalEvent> expected = new TreeMap<>();
    int batches;
    try (WalTesting.SegmentsWrapped counting = WalTesting.wrapSegments(c -> new Counting(c, writes, refuseMap));
        Wal wal = Wal.open(config)) {
      batches = appendMixed(wal, events, expected);
      whileOpen.accept(wal, expected);
    }
    return new Run(batches, writes.get(), expected);
  }

  private static void assertReopenedLogReplays(Path dir, Run run) {
    try (Wal wal = Wal.open(WalConfig.of(dir))) {
      assertTrue(wal.recovery().truncation().isEmpty(), "every batch was whole: " + wal.recovery().truncation());
      assertEquals(run.events(), WalTesting.replay(wal, 1));
    }
  }

  /** Appends {@code events} events, alone and in groups of up to 40; {@return the batches appended} */
  private static int appendMixed(Wal wal, int events, TreeMap<Long, WalEvent> expected) {
    SplittableRandom random = new SplittableRandom(7);
    long[] ids = new long[40];
    int[] types = new int[40];
    float[] weights = new float[40];
    long[] times = new long[40];
    int batches = 0;
    for (long i = 1; i <= events; ) {
      int group = random.nextInt(4) == 0 ? 1 + random.nextInt(40) : 1;
      group = (int) Math.min(group, events - i + 1);
      for (int j = 0; j < group; j++) {
        WalEvent e = WalTesting.event(i + j);
        ids[j] = e.entityId();
        types[j] = e.signalTypeId();
        weights[j] = e.weight();
        times[j] = e.timestampNanos();
        expected.put(i + j, e);
      }
      long first = group == 1 ? wal.append(ids[0], types[0], weights[0], times[0])
          : wal.appendGroup(ids, types, weights, times, group);
      assertEquals(i, first);
      i += group;
      batches++;
    }
    return batches;
  }

  /** Segment channels that count their writes and, if told, refuse to be mapped. */
  private static final class Counting extends ForwardingFileChannel {
    private final AtomicLong writes;
    private final boolean refuseMap;

    private Counting(FileChannel delegate, AtomicLong writes, boolean refuseMap) {
      super(delegate);
      this.writes = writes;
      this.refuseMap = refuseMap;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      writes.incrementAndGet();
      return delegate.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      if (refuseMap) {
        throw new IOException("this file system does not map files");
      }
      return delegate.map(mode, position, size);
    }
  }
}

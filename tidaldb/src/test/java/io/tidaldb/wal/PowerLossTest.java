package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.CorruptionException;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A power loss under {@code Durability.interval(d)}: the batches written since the last fsync were
 * only in the page cache, and the disk may keep a later one and lose an earlier one. Recovery must
 * tell such a never-fsynced tail (cut it, as a torn tail) from damage to data that was durable
 * (refuse it, as corruption), by the durable mark every batch header carries.
 */
class PowerLossTest {

  /**
   * A log under the interval mode, one event per batch: events 1..4, an fsync, then one batch per
   * entry of {@code afterSync}, with an fsync after each batch whose entry is true. Returns the log's
   * files; the log is closed (which fsyncs, but the marks in the headers were written before).
   */
  private static Map<String, byte[]> intervalLog(Path dir, boolean... syncAfter) {
    try (Wal wal = Wal.open(WalTesting.fast(dir).build())) {
      for (int i = 1; i <= 4; i++) {
        wal.append(event(i));
      }
      wal.sync();
      for (int i = 0; i < syncAfter.length; i++) {
        wal.append(event(5 + i));
        if (syncAfter[i]) {
          wal.sync();
        }
      }
    }
    return WalTesting.snapshot(dir);
  }

  /** The log with the bytes of one batch zeroed, as a page the disk never wrote reads back. */
  private static Map<String, byte[]> zeroed(Map<String, byte[]> log, WalTesting.BatchAt batch) {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    log.forEach((name, bytes) -> copy.put(name, bytes.clone()));
    Arrays.fill(copy.get(batch.segment()), (int) batch.offset(), (int) batch.offset() + batch.size(), (byte) 0);
    return copy;
  }

  private static WalTesting.BatchAt batchOf(List<WalTesting.BatchAt> batches, long sequence) {
    return batches.stream().filter(b -> b.firstSequence() == sequence).findFirst().orElseThrow();
  }

  @Test
  void powerLossInIntervalMode_lostMiddleBatchOfTheUnsyncedTail_isCutAndReported_andTheDurableEventsStay() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); AutoCloseable quiet = WalTesting.quietRecovery()) {
      Path dir = temp.path().resolve("wal");
      // Durable up to 4; then three batches (5, 6, 7) that no fsync covered before the power loss.
      Map<String, byte[]> log = intervalLog(dir, false, false, false);
      List<WalTesting.BatchAt> batches = WalTesting.batches(dir);
      TreeMap<Long, WalEvent> all = WalTesting.readAll(dir);
      WalTesting.BatchAt lost = batchOf(batches, 6);
      WalTesting.BatchAt kept = batchOf(batches, 7);
      WalTesting.restore(dir, zeroed(log, lost));

      ScanResult verify = WalReader.of(dir).verify();
      assertEquals(WalProblem.Kind.TORN_TAIL, verify.problem().orElseThrow().kind(), verify.problem().get().detail());
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        Recovery recovery = wal.recovery();
        Recovery.Truncation cut = recovery.truncation().orElseThrow();
        assertEquals(WalProblem.Kind.TORN_TAIL, cut.problem().kind());
        assertEquals(dir.resolve(lost.segment()), cut.file());
        assertEquals(lost.offset(), cut.offset());
        assertEquals(lost.size() + kept.size(), cut.bytesRemoved(), "the lost batch and the never-fsynced one after it");
        assertTrue(cut.problem().detail().contains("never fsynced") && cut.problem().detail().contains("sequences 7..7"),
            cut.problem().detail());
        assertEquals(5, recovery.lastSequence());
        assertEquals(all.headMap(6L), WalTesting.replay(wal, 1), "every event before the lost batch, 1..4 durable");
        assertEquals(6, wal.append(event(6)), "the cut sequences were never durable and are given out again");
      }
    }
  }

  @Test
  void powerLossInIntervalMode_flipEveryByteOfTheFirstUnsyncedBatch_isCutAsATornTail() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); WalTesting.Scratch scratch = WalTesting.Scratch.create();
        AutoCloseable quiet = WalTesting.quietRecovery()) {
      Map<String, byte[]> log = intervalLog(temp.path().resolve("original"), false, false, false);
      WalTesting.BatchAt damaged = batchOf(WalTesting.batches(temp.path().resolve("original")), 5);
      Path dir = scratch.path().resolve("flip");
      for (int i = 0; i < damaged.size(); i++) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        log.forEach((name, bytes) -> copy.put(name, bytes.clone()));
        copy.get(damaged.segment())[(int) damaged.offset() + i] ^= (byte) 0xFF;
        WalTesting.restore(dir, copy);
        try (Wal wal = Wal.open(WalConfig.of(dir))) {
          Recovery.Truncation cut = wal.recovery().truncation().orElseThrow();
          assertEquals(WalProblem.Kind.TORN_TAIL, cut.problem().kind(), "flip at " + i + ": " + cut.problem());
          assertEquals(damaged.offset(), cut.offset());
          assertEquals(4, wal.recovery().lastSequence());
        }
      }
    }
  }

  @Test
  void reopen_fsyncsWhatRecoveryKept_beforeTheNextBatchMarksItDurable() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      // As after a kill -9 under the interval mode: events 5, 6, 7 reached the OS but no fsync.
      intervalLog(dir, false, false, false);
      AtomicLong fsyncs = new AtomicLong();
      try (Wal wal = Wal.open(WalTesting.fast(dir).fsyncListener(nanos -> fsyncs.incrementAndGet()).build())) {
        assertEquals(1, fsyncs.get(), "the recovered log is fsynced before anything new is written");
        assertEquals(7, wal.durableSequence());
        wal.append(event(8));
      }
      List<WalTesting.BatchAt> batches = WalTesting.batches(dir);
      List<Long> marks = new ArrayList<>();
      WalReader.of(dir).scan(batch -> marks.add(batch.durableSequence().orElseThrow()));
      assertEquals(List.of(0L, 0L, 0L, 0L, 4L, 4L, 4L, 7L), marks, "each batch's durable mark, batches "
          + batches);
    }
  }

  @Test
  void damageToABatchALaterBatchMarksDurable_refusesToOpen_namingFileAndOffset() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      // 5 unsynced, 6 then an fsync (so 7's header says: durable up to 6), 7.
      Map<String, byte[]> log = intervalLog(dir, false, true, false);
      List<WalTesting.BatchAt> batches = WalTesting.batches(dir);
      for (long sequence : new long[] {5, 6}) {
        WalTesting.BatchAt damaged = batchOf(batches, sequence);
        Map<String, byte[]> broken = zeroed(log, damaged);
        WalTesting.restore(dir, broken);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)).close(),
            "batch " + sequence + " was durable: a later batch says so");
        assertEquals(dir.resolve(damaged.segment()), e.file());
        assertEquals(damaged.offset(), e.offset());
        assertTrue(e.getMessage().contains(damaged.segment()) && e.getMessage().contains("offset " + damaged.offset()),
            e.getMessage());
        assertArrayEquals(broken.get(damaged.segment()), WalTesting.snapshot(dir).get(damaged.segment()),
            "a refused open must change nothing");
        assertEquals(WalProblem.Kind.CORRUPTION, WalReader.of(dir).verify().problem().orElseThrow().kind());
      }
    }
  }
}

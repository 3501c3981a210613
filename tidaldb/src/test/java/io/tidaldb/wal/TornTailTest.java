package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A crash can leave any prefix of the bytes written: recovery must keep exactly the complete
 * batches of that prefix, never throw, and let appending continue with the next sequence.
 */
class TornTailTest {

  /** A log of nine batches of varied sizes over two 1 KiB segments, written under the interval mode. */
  static Map<String, byte[]> smallLog(Path dir) {
    return smallLog(dir, Durability.interval(Duration.ofDays(1)));
  }

  /** The same log written under {@code durability}: under {@code SYNC}, every batch is durable before the next. */
  static Map<String, byte[]> smallLog(Path dir, Durability durability) {
    int[] sizes = {1, 3, 7, 2, 12, 1, 5, 2, 4};
    long seq = 1;
    try (Wal wal = Wal.open(WalConfig.builder(dir).durability(durability).segmentSize(1024).build())) {
      for (int size : sizes) {
        List<CompletableFuture<Long>> batch = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          batch.add(wal.appendAsync(event(seq++)));
        }
        batch.forEach(CompletableFuture::join);
      }
    }
    return WalTesting.snapshot(dir);
  }

  @Test
  void recovery_afterACutAtEveryByteOffset_keepsExactlyTheCompleteBatchesBeforeIt() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); WalTesting.Scratch scratch = WalTesting.Scratch.create();
        AutoCloseable quiet = WalTesting.quietRecovery()) {
      Path original = temp.path().resolve("original");
      Map<String, byte[]> log = smallLog(original);
      List<WalTesting.BatchAt> batches = WalTesting.batches(original);
      List<String> segments = new ArrayList<>(log.keySet());
      assertTrue(segments.size() >= 2, "the log must span at least two segments: " + segments);
      assertTrue(batches.size() >= 8, "the log must hold several batches: " + batches.size());
      long total = log.values().stream().mapToLong(b -> b.length).sum();
      TreeMap<Long, WalEvent> all = WalTesting.readAll(original);

      Path dir = scratch.path().resolve("cut");
      for (long cut = 0; cut <= total; cut++) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        long before = 0;
        int segmentIndex = -1;
        long local = 0;
        for (int s = 0; s < segments.size(); s++) {
          byte[] bytes = log.get(segments.get(s));
          if (cut < before + bytes.length || s == segments.size() - 1) {
            segmentIndex = s;
            local = cut - before;
            files.put(segments.get(s), Arrays.copyOf(bytes, (int) local));
            break;
          }
          files.put(segments.get(s), bytes);
          before += bytes.length;
        }
        long expectedLast = 0;
        for (WalTesting.BatchAt b : batches) {
          int at = segments.indexOf(b.segment());
          if (at < segmentIndex || (at == segmentIndex && b.offset() + b.size() <= local)) {
            expectedLast = b.firstSequence() + b.events() - 1;
          }
        }
        String cutSegment = segments.get(segmentIndex);
        long cutAt = local;
        boolean atBoundary = local == WalFormat.SEGMENT_HEADER_SIZE || batches.stream().anyMatch(
            b -> b.segment().equals(cutSegment) && b.offset() + b.size() == cutAt);
        WalTesting.restore(dir, files);
        long finalCut = cut;
        try (Wal wal = Wal.open(WalConfig.builder(dir).segmentSize(1024).build())) {
          Recovery recovery = wal.recovery();
          assertEquals(expectedLast, recovery.lastSequence(), () -> "cut at " + finalCut);
          assertEquals(!atBoundary, recovery.truncation().isPresent(), () -> "cut at " + finalCut + ": " + recovery);
          recovery.truncation().ifPresent(t -> assertEquals(WalProblem.Kind.TORN_TAIL, t.problem().kind()));
          assertEquals(expectedLast + 1, wal.append(event(expectedLast + 1)), () -> "cut at " + finalCut);
        }
        TreeMap<Long, WalEvent> expected = new TreeMap<>(all.headMap(expectedLast + 1));
        expected.put(expectedLast + 1, event(expectedLast + 1));
        assertTrue(expected.equals(WalTesting.readAll(dir)), "cut at " + cut + ": the log must hold the events up to "
            + expectedLast + " and the one appended after recovery");
      }
    }
  }

  @Test
  void recovery_ofAZeroFilledTail_cutsItAndLosesNothing() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      Map<String, byte[]> log = smallLog(dir);
      TreeMap<Long, WalEvent> all = WalTesting.readAll(dir);
      String last = new ArrayList<>(log.keySet()).get(log.size() - 1);
      byte[] bytes = log.get(last);
      log.put(last, Arrays.copyOf(bytes, bytes.length + 4096));
      WalTesting.restore(dir, log);

      ScanResult verify = WalReader.of(dir).verify();
      assertEquals(WalProblem.Kind.TORN_TAIL, verify.problem().orElseThrow().kind());
      assertTrue(verify.problem().get().detail().contains("zero-filled"), verify.problem().get().detail());
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        Recovery.Truncation cut = wal.recovery().truncation().orElseThrow();
        assertEquals(bytes.length, cut.offset());
        assertEquals(4096, cut.bytesRemoved());
        assertEquals(all.lastKey(), wal.recovery().lastSequence());
      }
      assertArrayEquals(bytes, WalTesting.snapshot(dir).get(last), "the segment must be cut back to its valid bytes");
      assertEquals(all, WalTesting.readAll(dir));
    }
  }

  @Test
  void recovery_ofALastBatchOverwrittenWithZeros_treatsItAsATornTail() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      Map<String, byte[]> log = smallLog(dir);
      List<WalTesting.BatchAt> batches = WalTesting.batches(dir);
      WalTesting.BatchAt lastBatch = batches.get(batches.size() - 1);
      byte[] bytes = log.get(lastBatch.segment());
      Arrays.fill(bytes, (int) lastBatch.offset(), bytes.length, (byte) 0);
      WalTesting.restore(dir, log);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(lastBatch.firstSequence() - 1, wal.recovery().lastSequence());
        assertEquals(lastBatch.offset(), wal.recovery().truncation().orElseThrow().offset());
      }
    }
  }
}

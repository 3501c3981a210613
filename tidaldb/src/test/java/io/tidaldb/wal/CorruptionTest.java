package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.CorruptionException;
import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Damage must never be accepted silently: in the last batch it is a torn tail and cut off; anywhere
 * else it is corruption, refused with the file and offset (or cut there, when the policy says so).
 */
class CorruptionTest {

  private static Map<String, byte[]> flipped(Map<String, byte[]> log, String segment, long offset) {
    Map<String, byte[]> copy = new java.util.LinkedHashMap<>();
    log.forEach((name, bytes) -> copy.put(name, bytes.clone()));
    copy.get(segment)[(int) offset] ^= (byte) 0xFF;
    return copy;
  }

  @Test
  void flipEveryByte_ofEarlierBatches_raisesCorruptionNamingFileAndOffset() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); WalTesting.Scratch scratch = WalTesting.Scratch.create()) {
      Path original = temp.path().resolve("original");
      // Written under SYNC: every batch was durable before the next one, and the next one's header says
      // so. (Under the interval mode, damage followed only by never-fsynced batches is a torn tail:
      // PowerLossTest.)
      Map<String, byte[]> log = TornTailTest.smallLog(original, Durability.SYNC);
      List<WalTesting.BatchAt> batches = WalTesting.batches(original);
      String lastSegment = batches.get(batches.size() - 1).segment();
      // A batch in the middle of the last segment (valid data follows it) and one in an earlier segment.
      WalTesting.BatchAt followed = batches.stream().filter(b -> b.segment().equals(lastSegment)).findFirst().orElseThrow();
      WalTesting.BatchAt earlier = batches.stream().filter(b -> !b.segment().equals(lastSegment)).skip(1).findFirst()
          .orElseThrow();
      assertTrue(followed != batches.get(batches.size() - 1), "the last segment must hold more than one batch");
      Path dir = scratch.path().resolve("flip");
      for (WalTesting.BatchAt batch : List.of(followed, earlier)) {
        for (int i = 0; i < batch.size(); i++) {
          WalTesting.restore(dir, flipped(log, batch.segment(), batch.offset() + i));
          CorruptionException e = assertThrows(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)).close(),
              "a flipped byte at " + i + " of the batch at " + batch + " must be refused");
          assertEquals(dir.resolve(batch.segment()), e.file());
          assertEquals(batch.offset(), e.offset(), e.getMessage());
          assertTrue(e.getMessage().contains(batch.segment()) && e.getMessage().contains("offset " + batch.offset()),
              e.getMessage());
          assertArrayEquals(flipped(log, batch.segment(), batch.offset() + i).get(batch.segment()),
              WalTesting.snapshot(dir).get(batch.segment()), "a refused open must change nothing");
          ScanResult verify = WalReader.of(dir).verify();
          assertEquals(WalProblem.Kind.CORRUPTION, verify.problem().orElseThrow().kind());
          assertEquals(batch.offset(), verify.problem().get().offset());
        }
      }
    }
  }

  @Test
  void flipEveryByte_ofTheLastBatch_isCutOffAsATornTail() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); WalTesting.Scratch scratch = WalTesting.Scratch.create();
        AutoCloseable quiet = WalTesting.quietRecovery()) {
      Path original = temp.path().resolve("original");
      Map<String, byte[]> log = TornTailTest.smallLog(original);
      List<WalTesting.BatchAt> batches = WalTesting.batches(original);
      WalTesting.BatchAt last = batches.get(batches.size() - 1);
      Path dir = scratch.path().resolve("flip");
      for (int i = 0; i < last.size(); i++) {
        WalTesting.restore(dir, flipped(log, last.segment(), last.offset() + i));
        try (Wal wal = Wal.open(WalConfig.of(dir))) {
          Recovery recovery = wal.recovery();
          assertEquals(last.firstSequence() - 1, recovery.lastSequence(), "flip at " + i);
          Recovery.Truncation cut = recovery.truncation().orElseThrow();
          assertEquals(WalProblem.Kind.TORN_TAIL, cut.problem().kind());
          assertEquals(last.offset(), cut.offset());
          assertEquals(last.size(), cut.bytesRemoved());
          assertEquals(last.firstSequence(), wal.append(event(last.firstSequence())));
        }
      }
    }
  }

  @Test
  void truncatePolicy_cutsAtTheFirstCorruptionAndDeletesLaterSegments() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); AutoCloseable quiet = WalTesting.quietRecovery()) {
      Path dir = temp.path().resolve("wal");
      Map<String, byte[]> log = TornTailTest.smallLog(dir);
      List<WalTesting.BatchAt> batches = WalTesting.batches(dir);
      WalTesting.BatchAt victim = batches.get(3);
      List<String> later = log.keySet().stream().filter(name -> name.compareTo(victim.segment()) > 0).toList();
      assertTrue(!later.isEmpty(), "the damaged segment must have later segments");
      WalTesting.restore(dir, flipped(log, victim.segment(), victim.offset() + WalFormat.BATCH_HEADER_SIZE));
      try (Wal wal = Wal.open(WalConfig.builder(dir).corruptionPolicy(CorruptionPolicy.TRUNCATE).build())) {
        Recovery recovery = wal.recovery();
        Recovery.Truncation cut = recovery.truncation().orElseThrow();
        assertEquals(WalProblem.Kind.CORRUPTION, cut.problem().kind());
        assertEquals(victim.offset(), cut.offset());
        assertEquals(later.stream().map(dir::resolve).toList(), cut.deletedSegments());
        assertEquals(victim.firstSequence() - 1, recovery.lastSequence());
        assertEquals(victim.firstSequence(), wal.append(event(victim.firstSequence())));
      }
      assertEquals(victim.firstSequence(), WalTesting.readAll(dir).lastKey());
    }
  }

  @Test
  void missingSegmentInTheMiddle_isCorruption() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalTesting.fast(dir).segmentSize(1024).build())) {
        for (int i = 1; i <= 40; i++) {
          wal.append(event(i));
        }
      }
      Map<String, byte[]> log = WalTesting.snapshot(dir);
      assertTrue(log.size() >= 3, "the log must span three segments: " + log.keySet());
      String middle = List.copyOf(log.keySet()).get(1);
      log.remove(middle);
      WalTesting.restore(dir, log);
      CorruptionException e = assertThrows(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)));
      assertTrue(e.getMessage().contains("a segment is missing"), e.getMessage());
      assertEquals(WalProblem.Kind.CORRUPTION, WalReader.of(dir).verify().problem().orElseThrow().kind());
    }
  }
}

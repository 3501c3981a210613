package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The space the writer prepares ahead of its batches ({@link WalFormat#PREPARED}): durable writes
 * land inside the file instead of growing it, and every reader takes the space for the log's end.
 */
class PreparedSpaceTest {

  private static final int EVENTS = 200;

  @Test
  void syncAppends_writeIntoPreparedSpace_soTheSegmentDoesNotGrowWithEachBatch() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.builder(dir).durability(Durability.SYNC).build())) {
        wal.append(event(1));
        Path segment = dir.resolve(Segment.fileName(1));
        long size = Files.size(segment);
        for (long i = 2; i <= EVENTS; i++) {
          wal.append(event(i));
        }
        assertEquals(size, Files.size(segment), "199 durable appends after the first must not change the file's size"
            + " (an fsync after a write that grows the file also commits the new size through the journal)");
        assertTrue(size > wal.bytesWritten(), "the file holds space prepared past its last batch");
      }
    }
  }

  @Test
  void aLiveLogsPreparedSpace_isReadAsItsCleanEnd_byToolsAndByRecoveryAfterACrash() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      Path crashed = temp.path().resolve("crashed");
      long dataBytes;
      try (Wal wal = Wal.open(WalConfig.builder(dir).durability(Durability.SYNC).build())) {
        for (long i = 1; i <= EVENTS; i++) {
          wal.append(event(i));
        }
        dataBytes = wal.bytesWritten();
        ScanResult live = WalReader.of(dir).verify();
        assertEquals(Optional.empty(), live.problem(), "a tool reading a live log sees no damage");
        assertEquals(EVENTS, live.lastSequence());
        // What the disk holds if the process dies now (every append was fsynced).
        WalTesting.restore(crashed, WalTesting.snapshot(dir));
      }
      TreeMap<Long, WalEvent> expected = WalTesting.readAll(dir);
      try (Wal wal = Wal.open(WalConfig.of(crashed))) {
        assertEquals(Optional.empty(), wal.recovery().truncation(), "prepared space is not a torn tail");
        assertEquals(EVENTS, wal.recovery().lastSequence());
        assertEquals(dataBytes, Files.size(crashed.resolve(Segment.fileName(1))),
            "recovery cuts the prepared space off, as close() would have");
        assertEquals(EVENTS + 1, wal.append(event(EVENTS + 1)));
      }
      expected.put((long) EVENTS + 1, event(EVENTS + 1));
      assertEquals(expected, WalTesting.readAll(crashed));
    }
  }

  @Test
  void aBatchTornInsidePreparedSpace_isCutAsATornTail() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      Path crashed = temp.path().resolve("crashed");
      try (Wal wal = Wal.open(WalConfig.builder(dir).durability(Durability.SYNC).build())) {
        for (long i = 1; i <= EVENTS; i++) {
          wal.append(event(i));
        }
        Map<String, byte[]> image = WalTesting.snapshot(dir);
        WalTesting.restore(crashed, image);
      }
      List<WalTesting.BatchAt> batches = WalTesting.batches(dir);
      WalTesting.BatchAt last = batches.get(batches.size() - 1);
      Map<String, byte[]> image = WalTesting.snapshot(crashed);
      byte[] bytes = image.get(last.segment());
      // The crash came in the middle of the last batch's write: its second half still reads as prepared space.
      int half = (int) last.offset() + WalFormat.BATCH_HEADER_SIZE / 2;
      java.util.Arrays.fill(bytes, half, (int) last.offset() + WalFormat.batchSize(1), WalFormat.PREPARED);
      WalTesting.restore(crashed, image);
      try (Wal wal = Wal.open(WalConfig.of(crashed))) {
        Recovery.Truncation cut = wal.recovery().truncation().orElseThrow();
        assertEquals(WalProblem.Kind.TORN_TAIL, cut.problem().kind());
        assertEquals(last.offset(), cut.offset());
        assertEquals(last.firstSequence() - 1, wal.recovery().lastSequence());
      }
    }
  }

  @Test
  void everyFinishedSegment_endsWithItsLastBatch_whileTheLogRuns() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.builder(dir).durability(Durability.SYNC).segmentSize(4096).build())) {
        for (long i = 1; i <= EVENTS; i++) {
          wal.append(event(i));
        }
        assertTrue(wal.segmentCount() > 3, "the test needs several segments");
        ScanResult live = WalReader.of(dir).verify();
        assertEquals(Optional.empty(), live.problem(),
            "prepared space left in a segment that is not the last would read as corruption");
        assertEquals(EVENTS, live.events());
      }
    }
  }

  @Test
  void aDiskTooFullToPrepareSpace_stillTakesBatchesThatFit() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (FaultyDisk disk = FaultyDisk.fullAfter(dir, 64 * 1024);
          Wal wal = Wal.open(WalConfig.builder(dir).durability(Durability.SYNC).build())) {
        for (long i = 1; i <= EVENTS; i++) {
          assertEquals(i, wal.append(event(i)), "64 KiB hold the batches, though not the space prepared for them");
        }
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(Optional.empty(), wal.recovery().truncation());
        assertEquals(EVENTS, wal.recovery().lastSequence());
      }
    }
  }
}

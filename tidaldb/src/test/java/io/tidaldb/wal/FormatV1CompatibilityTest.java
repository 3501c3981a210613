package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.CorruptionException;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.WalV1Segments;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A log written in format version 1 (before the durable mark) still opens, replays and takes new
 * events, under the rules of version 1. The fixture {@code format-v1/} was written by the version-1
 * writer itself (see its README).
 */
class FormatV1CompatibilityTest {

  private static final String FIRST = Segment.fileName(1);
  private static final String SECOND = Segment.fileName(25);
  /** The fixture's batch timestamp: 2026-01-01T00:00:00Z. */
  private static final long WRITTEN_AT = 1_767_225_600_000_000_000L;

  /** The fixture's files, by name. */
  static Map<String, byte[]> fixture() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : List.of(FIRST, SECOND)) {
      try (InputStream in = FormatV1CompatibilityTest.class.getResourceAsStream("format-v1/" + name)) {
        files.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  /** {@code sizes} batches of events numbered from {@code first}. */
  private static List<List<WalEvent>> batches(long first, int... sizes) {
    List<List<WalEvent>> batches = new ArrayList<>();
    long next = first;
    for (int size : sizes) {
      List<WalEvent> batch = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        batch.add(event(next++));
      }
      batches.add(batch);
    }
    return batches;
  }

  @Test
  void theTestsVersion1Writer_writesWhatTheVersion1WriterWrote() {
    Map<String, byte[]> fixture = fixture();
    assertArrayEquals(fixture.get(FIRST), WalV1Segments.segment(1, WRITTEN_AT, batches(1, 3, 3, 3, 3, 3, 3, 3, 3)));
    assertArrayEquals(fixture.get(SECOND), WalV1Segments.segment(25, WRITTEN_AT, batches(25, 3, 3, 1)));
  }

  @Test
  void aVersion1Log_opensReplaysAndReadsAsVersion1() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = WalTesting.restore(temp.path().resolve("wal"), fixture());
      List<Integer> versions = new ArrayList<>();
      List<OptionalLong> marks = new ArrayList<>();
      ScanResult scan = WalReader.of(dir).scan(batch -> {
        versions.add(batch.formatVersion());
        marks.add(batch.durableSequence());
        assertEquals(WalFormat.V1_BATCH_HEADER_SIZE + batch.eventCount() * WalFormat.EVENT_SIZE, batch.sizeBytes());
      });
      assertTrue(scan.isClean(), () -> scan.problem().toString());
      assertEquals(11, versions.size());
      assertTrue(versions.stream().allMatch(v -> v == 1), versions.toString());
      assertTrue(marks.stream().allMatch(OptionalLong::isEmpty), "a version-1 batch has no durable mark");
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertTrue(wal.recovery().truncation().isEmpty());
        assertEquals(31, wal.recovery().lastSequence());
        TreeMap<Long, WalEvent> replayed = WalTesting.replay(wal, 1);
        assertEquals(LongStream.rangeClosed(1, 31).boxed().toList(), List.copyOf(replayed.keySet()));
        replayed.forEach((seq, e) -> assertEquals(event(seq), e));
      }
    }
  }

  @Test
  void aVersion1Log_takesNewEventsInANewVersion2Segment_andLeavesItsOwnBytesAlone() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Map<String, byte[]> fixture = fixture();
      Path dir = WalTesting.restore(temp.path().resolve("wal"), fixture);
      try (Wal wal = Wal.open(WalConfig.builder(dir).segmentSize(1024).build())) {
        for (long i = 32; i <= 40; i++) {
          assertEquals(i, wal.append(event(i)));
        }
      }
      Map<String, byte[]> after = WalTesting.snapshot(dir);
      assertEquals(List.of(FIRST, SECOND, Segment.fileName(32)), List.copyOf(after.keySet()));
      assertArrayEquals(fixture.get(FIRST), after.get(FIRST));
      assertArrayEquals(fixture.get(SECOND), after.get(SECOND), "a version-1 segment gets no version-2 batch");
      List<long[]> batches = new ArrayList<>();
      WalReader.of(dir).scan(b -> batches.add(new long[] {b.firstSequence(), b.formatVersion(),
          b.durableSequence().orElse(-1)}));
      long[] firstNew = batches.stream().filter(b -> b[0] == 32).findFirst().orElseThrow();
      assertEquals(2, firstNew[1]);
      assertEquals(31, firstNew[2], "the old log was fsynced on open, and the first new batch says so");
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertTrue(wal.recovery().truncation().isEmpty());
        TreeMap<Long, WalEvent> all = WalTesting.replay(wal, 1);
        assertEquals(40, all.size());
        all.forEach((seq, e) -> assertEquals(event(seq), e));
      }
    }
  }

  @Test
  void aVersion1LastSegmentWithoutBatches_isGivenAVersion2Header() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Map<String, byte[]> fixture = fixture();
      fixture.put(SECOND, WalV1Segments.segment(25, WRITTEN_AT, List.of()));
      Path dir = WalTesting.restore(temp.path().resolve("wal"), fixture);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(24, wal.recovery().lastSequence());
        assertEquals(25, wal.append(event(25)));
      }
      assertEquals(List.of(FIRST, SECOND), List.copyOf(WalTesting.snapshot(dir).keySet()));
      assertEquals(2, Files.readAllBytes(dir.resolve(SECOND))[WalFormat.SEG_VERSION]);
      assertEquals(event(25), WalTesting.readAll(dir).get(25L));
    }
  }

  @Test
  void aVersion1Log_keepsTheRulesOfVersion1_aTornTailIsCut_damageBeforeAValidBatchIsCorruption() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create(); AutoCloseable quiet = WalTesting.quietRecovery()) {
      Path dir = temp.path().resolve("wal");
      // The last batch (one event at offset 256 of the second segment) zeroed: a torn tail.
      Map<String, byte[]> torn = fixture();
      Arrays.fill(torn.get(SECOND), 256, torn.get(SECOND).length, (byte) 0);
      WalTesting.restore(dir, torn);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        Recovery.Truncation cut = wal.recovery().truncation().orElseThrow();
        assertEquals(WalProblem.Kind.TORN_TAIL, cut.problem().kind());
        assertEquals(256, cut.offset());
        assertEquals(30, wal.recovery().lastSequence());
      }
      // The first batch of the second segment zeroed, valid ones after it: version 1 has no durable
      // mark to show they were never fsynced, so this is corruption, as it always was.
      Map<String, byte[]> damaged = fixture();
      Arrays.fill(damaged.get(SECOND), 32, 32 + 112, (byte) 0);
      WalTesting.restore(dir, damaged);
      CorruptionException e = assertThrows(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)).close());
      assertEquals(dir.resolve(SECOND), e.file());
      assertEquals(32, e.offset());
    }
  }
}

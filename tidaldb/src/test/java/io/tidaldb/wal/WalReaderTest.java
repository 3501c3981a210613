package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The read-only reader that tools build on: what it reports, and that it changes nothing. */
class WalReaderTest {

  private static Path log(Path dir, int events) {
    try (Wal wal = Wal.open(WalTesting.fast(dir).segmentSize(1024).maxBatchEvents(7).build())) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      for (int i = 1; i <= events; i++) {
        futures.add(wal.appendAsync(event(i)));
      }
      futures.forEach(CompletableFuture::join);
    }
    return dir;
  }

  @Test
  void verify_ofACleanLog_reportsItsShape() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = log(temp.path().resolve("wal"), 100);
      ScanResult result = WalReader.of(dir).verify();
      assertTrue(result.isClean());
      assertEquals(WalSegments.list(dir), result.segments());
      assertEquals(1, result.firstSequence());
      assertEquals(100, result.lastSequence());
      assertEquals(100, result.events());
      long onDisk = WalSegments.list(dir).stream().mapToLong(s -> s.path().toFile().length()).sum();
      assertEquals(onDisk, result.bytes());
      assertTrue(result.batches() >= 100 / 7, "batches hold at most 7 events here");
    }
  }

  @Test
  void events_withinBounds_deliversExactlyThatRangeInOrder() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = log(temp.path().resolve("wal"), 100);
      List<Long> seen = new ArrayList<>();
      ScanResult result = WalReader.of(dir).events(37, 61, (seq, entity, type, weight, ts) -> {
        assertEquals(event(seq), new WalEvent(entity, type, weight, ts));
        seen.add(seq);
      });
      assertTrue(result.isClean());
      assertEquals(java.util.stream.LongStream.rangeClosed(37, 61).boxed().toList(), seen);
      assertThrows(IllegalArgumentException.class, () -> WalReader.of(dir).events(5, 4, (a, b, c, d, e) -> { }));
    }
  }

  @Test
  void scan_withinBounds_visitsTheBatchesOverlappingTheRange() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = log(temp.path().resolve("wal"), 100);
      List<long[]> ranges = new ArrayList<>();
      WalReader.of(dir).scan(50, 60, batch -> ranges.add(new long[] {batch.firstSequence(), batch.lastSequence()}));
      assertTrue(ranges.get(0)[0] <= 50 && ranges.get(0)[1] >= 50, Arrays.toString(ranges.get(0)));
      assertTrue(ranges.get(ranges.size() - 1)[1] >= 60);
      for (int i = 1; i < ranges.size(); i++) {
        assertEquals(ranges.get(i - 1)[1] + 1, ranges.get(i)[0], "batches come in order, without gaps");
      }
    }
  }

  @Test
  void reader_onATornLog_reportsTheTornTailAndChangesNothing() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = log(temp.path().resolve("wal"), 100);
      Segment last = WalSegments.list(dir).get(WalSegments.list(dir).size() - 1);
      byte[] bytes = Files.readAllBytes(last.path());
      Files.write(last.path(), Arrays.copyOf(bytes, bytes.length - 5));
      Map<String, byte[]> before = WalTesting.snapshot(dir);

      ScanResult result = WalReader.of(dir).verify();
      WalProblem problem = result.problem().orElseThrow();
      assertEquals(WalProblem.Kind.TORN_TAIL, problem.kind());
      assertEquals(last.path(), problem.file());
      assertTrue(problem.detail().contains("incomplete batch"), problem.detail());
      assertTrue(result.lastSequence() < 100);
      WalReader.of(dir).scan(batch -> { });
      WalReader.of(dir).events(1, Long.MAX_VALUE, (a, b, c, d, e) -> { });

      Map<String, byte[]> after = WalTesting.snapshot(dir);
      assertEquals(before.keySet(), after.keySet(), "the reader must create or delete nothing");
      before.forEach((name, content) -> assertArrayEquals(content, after.get(name), name + " must be unchanged"));
    }
  }

  @Test
  void batchView_copiesOutEventsThatOutliveTheCall() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = log(temp.path().resolve("wal"), 20);
      List<WalEvent> kept = new ArrayList<>();
      WalReader.of(dir).scan(batch -> kept.addAll(batch.events()));
      for (int i = 0; i < 20; i++) {
        assertEquals(event(i + 1), kept.get(i));
      }
    }
  }
}

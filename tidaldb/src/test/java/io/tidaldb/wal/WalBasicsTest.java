package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DatabaseClosedException;
import io.tidaldb.testing.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class WalBasicsTest {

  @Test
  void append_onAFreshDirectory_startsAtOneAndSurvivesReopen() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(0, wal.recovery().lastSequence());
        assertEquals(1, wal.recovery().nextSequence());
        assertEquals(0, wal.segmentCount());
        assertEquals(1, wal.append(event(1)));
        assertEquals(2, wal.append(event(2)));
        assertEquals(2, wal.lastSequence());
        assertEquals(1, wal.segmentCount());
        assertTrue(wal.bytesWritten() > 0);
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        Recovery recovery = wal.recovery();
        assertEquals(2, recovery.lastSequence());
        assertEquals(3, recovery.nextSequence());
        assertEquals(2, recovery.eventsAfterCheckpoint());
        assertEquals(Optional.empty(), recovery.truncation());
        assertEquals(3, wal.append(event(3)));
        assertEquals(List.of(event(1), event(2), event(3)), new ArrayList<>(WalTesting.replay(wal, 1).values()));
      }
    }
  }

  @Test
  void appendAsync_manyInFlight_completeInOrderWithGaplessSequences() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      try (Wal wal = Wal.open(WalConfig.builder(dir).segmentSize(64 * 1024).maxBatchEvents(500).build())) {
        for (int i = 1; i <= 20_000; i++) {
          futures.add(wal.appendAsync(event(i)));
        }
        for (int i = 0; i < futures.size(); i++) {
          assertEquals(i + 1, futures.get(i).join());
        }
        assertTrue(wal.segmentCount() > 1, "64 KiB segments must have rolled over");
      }
      var events = WalTesting.readAll(dir);
      assertEquals(20_000, events.size());
      events.forEach((seq, e) -> assertEquals(event(seq), e));
    }
  }

  @Test
  void close_twice_isHarmless_andAppendAfterCloseSaysClosed() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Wal wal = Wal.open(WalConfig.of(temp.path()));
      wal.append(event(1));
      wal.close();
      wal.close();
      assertThrows(DatabaseClosedException.class, () -> wal.append(event(2)));
      assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("tidaldb-wal-writer")),
          "close() must stop the writer thread");
    }
  }
}

package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DatabaseClosedException;
import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WalBasicsTest {

  @Test
  void append_onAFreshDirectory_startsAtOneAndSurvivesReopen() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      long written;
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(0, wal.recovery().lastSequence());
        assertEquals(1, wal.recovery().nextSequence());
        assertEquals(0, wal.segmentCount());
        assertEquals(1, wal.append(event(1)));
        assertEquals(2, wal.append(event(2)));
        assertEquals(2, wal.lastSequence());
        assertEquals(1, wal.segmentCount());
        written = wal.bytesWritten();
      }
      assertEquals(Files.size(dir.resolve(Segment.fileName(1))), written,
          "a closed segment ends with its last batch: the space prepared after it is cut off");
      assertEquals(List.of(Segment.of(dir, 1)), WalSegments.list(dir));
      assertEquals(List.of(), WalSegments.unknownFiles(dir));
      assertFalse(Files.exists(temp.path().resolve("LOCK")), "the home's LOCK is TidalDb's business, not the WAL's");
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        Recovery recovery = wal.recovery();
        assertEquals(2, recovery.lastSequence());
        assertEquals(3, recovery.nextSequence());
        assertEquals(2, recovery.eventsAfterCheckpoint());
        assertEquals(Optional.empty(), recovery.truncation());
        WalEvent third = event(3);
        assertEquals(3, wal.append(third.entityId(), third.signalTypeId(), third.weight(), third.timestampNanos()));
        assertThrows(IllegalArgumentException.class, () -> wal.appendAsync(1L, 70_000, 1f, 0L),
            "the primitive overloads check the signal type id too");
        assertEquals(List.of(event(1), event(2), event(3)), new ArrayList<>(WalTesting.replay(wal, 1).values()));
      }
    }
  }

  /** A producer that outruns the disk fills the queues past their first size: they must grow intact. */
  @Test
  void appendAsync_manyInFlight_completeInOrderWithGaplessSequences() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      try (Wal wal = Wal.open(WalConfig.builder(dir).segmentSize(64 * 1024).build())) {
        for (int i = 1; i <= 20_000; i++) {
          futures.add(wal.appendAsync(event(i)));
        }
        for (int i = 0; i < futures.size(); i++) {
          assertEquals(i + 1, futures.get(i).join());
        }
        assertTrue(wal.segmentCount() > 1, "64 KiB segments must have rolled over");
      }
      for (Segment segment : WalSegments.list(dir)) {
        assertTrue(Files.size(segment.path()) <= 64 * 1024, segment + " must not outgrow segmentSize");
      }
      var events = WalTesting.readAll(dir);
      assertEquals(20_000, events.size());
      events.forEach((seq, e) -> assertEquals(event(seq), e));
    }
  }

  @Test
  void close_withEventsInFlight_writesThemAllBeforeReturning() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      Wal wal = Wal.open(WalConfig.builder(temp.path()).maxBatchEvents(100).build());
      for (int i = 1; i <= 5_000; i++) {
        futures.add(wal.appendAsync(event(i)));
      }
      wal.close();
      for (int i = 0; i < futures.size(); i++) {
        assertTrue(futures.get(i).isDone(), "close() returns after every queued event is written");
        assertEquals(i + 1, futures.get(i).join());
      }
      assertEquals(5_000, WalTesting.readAll(temp.path()).size());
    }
  }

  @Test
  void batch_closesWhenFull_beforeTheDelayPasses() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (Wal wal = Wal.open(WalConfig.builder(temp.path()).maxBatchEvents(10).maxBatchDelay(Duration.ofSeconds(1))
          .build())) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          futures.add(wal.appendAsync(event(i)));
        }
        futures.forEach(CompletableFuture::join);
      }
      List<WalTesting.BatchAt> batches = WalTesting.batches(temp.path());
      assertEquals(1, batches.size(), "ten events queued within the delay make one batch: " + batches);
      assertEquals(10, batches.get(0).events());
    }
  }

  @Test
  void batch_thatDoesNotFill_isWrittenWhenTheDelayPasses() {
    try (TempTidalHome temp = TempTidalHome.create();
        Wal wal = Wal.open(WalConfig.builder(temp.path()).maxBatchDelay(Duration.ofMillis(20)).build())) {
      assertEquals(1, wal.append(event(1)));
      assertEquals(1, wal.durableSequence());
    }
  }

  @Test
  void intervalMode_fsyncsWithinTheIntervalWithoutBeingAsked() {
    AtomicLong fsyncs = new AtomicLong();
    try (TempTidalHome temp = TempTidalHome.create();
        Wal wal = Wal.open(WalConfig.builder(temp.path()).durability(Durability.interval(Duration.ofMillis(50)))
            .fsyncListener(nanos -> fsyncs.incrementAndGet()).build())) {
      assertEquals(1, wal.append(event(1)));
      assertEquals(1, wal.lastSequence(), "acknowledged once handed to the operating system");
      await().atMost(Duration.ofSeconds(10)).until(() -> wal.durableSequence() == 1);
      assertTrue(fsyncs.get() >= 1);
    }
  }

  @Test
  void blockingCallsFromTheWriterThread_failInsteadOfWaitingForever() {
    try (TempTidalHome temp = TempTidalHome.create();
        Wal wal = Wal.open(WalConfig.builder(temp.path()).maxBatchEvents(2).maxBatchDelay(Duration.ofSeconds(1))
            .build())) {
      // The first event waits in the queue for a second one; the action chained on it therefore runs
      // on the writer thread, when the second event fills the batch.
      CompletableFuture<Long> first = wal.appendAsync(event(1));
      CompletableFuture<Long> nested = first.thenApply(seq -> wal.append(event(99)));
      CompletableFuture<Void> closing = first.thenRun(wal::close);
      wal.appendAsync(event(2));
      for (CompletableFuture<?> refused : List.of(nested, closing)) {
        CompletionException e = assertThrows(CompletionException.class, refused::join);
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        assertTrue(e.getCause().getMessage().contains("writer thread"), e.getCause().getMessage());
      }
      assertEquals(3, wal.append(event(3)), "the log goes on");
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

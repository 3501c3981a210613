package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.Durability;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.WalReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A checkpoint taken while writers run captures exactly the events up to its sequence: its snapshot
 * is byte for byte the snapshot of a ledger built from the log's events 1..S alone. Permanent decay
 * and whole weights keep the arithmetic exact, so that the order of applying cannot change a bit.
 */
class CheckpointCutTest {

  static final Schema SCHEMA = Schema.builder()
      .signal("count", EntityKind.ITEM, DecaySpec.permanent())
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).add()
      .signal("other", EntityKind.USER, DecaySpec.permanent()).windows(Window.ALL_TIME).add()
      .build();

  static final Instant T0 = Instant.ofEpochSecond(Ledgers.T0 / 1_000_000_000L);

  @ParameterizedTest
  @ValueSource(strings = {"sync", "interval"})
  void checkpointsUnderConcurrentWrites_captureExactlyTheEventsUpToTheirSequence(String mode) throws Exception {
    Durability durability = mode.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(2));
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).durability(durability)
            .checkpointInterval(Duration.ZERO).open()) {
      AtomicBoolean stop = new AtomicBoolean();
      // At most 10,000 events per checkpoint taken (90,000 in all: under 16 MiB even as one batch each):
      // writes and checkpoints interleave, and the log keeps one segment, which a checkpoint never
      // removes, so the test can read every event back from sequence 1.
      java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int w = 0; w < 3; w++) {
        int writer = w;
        Thread thread = new Thread(() -> {
          SplittableRandom random = new SplittableRandom(writer);
          SignalType count = db.signalType("count");
          SignalType other = db.signalType("other");
          CompletableFuture<Long> last = null;
          try {
            while (!stop.get()) {
              if (events.incrementAndGet() > (taken.get() + 1) * 10_000L) {
                events.decrementAndGet();
                Thread.yield();
                continue;
              }
              long entity = random.nextInt(5_000);
              Instant at = T0.minusSeconds(random.nextLong(8 * 86_400));
              if (writer == 0) {
                last = count.recordAsync(entity, 1 + random.nextInt(4), at);   // a pipelining producer
              } else {
                (random.nextBoolean() ? count : other).record(entity, 1 + random.nextInt(4), at);
              }
            }
            if (last != null) {
              last.join();
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }, "writer-" + w);
        writers.add(thread);
        thread.start();
      }
      List<Long> sequences = new ArrayList<>();
      List<byte[]> snapshots = new ArrayList<>();
      try {
        while (sequences.size() < 8) {
          long sequence = db.checkpoint();
          if (sequence > (sequences.isEmpty() ? 0 : sequences.get(sequences.size() - 1))) {
            sequences.add(sequence);
            snapshots.add(Files.readAllBytes(temp.home().ledgerSnapshot(sequence)));
            taken.set(sequences.size());
          }
        }
      } finally {
        stop.set(true);
        for (Thread thread : writers) {
          thread.join();
        }
      }
      assertEquals(List.of(), failures);
      assertEquals(1, io.tidaldb.wal.WalSegments.list(temp.home().wal()).size(), "the whole history is in one segment");
      for (int i = 0; i < sequences.size(); i++) {
        long sequence = sequences.get(i);
        Path written = temp.path().resolve("cut-" + sequence);
        Files.write(written, snapshots.get(i));
        SignalLedger rebuilt = Ledgers.of(SCHEMA);
        ScanResult scan = WalReader.of(temp.home().wal()).events(1, sequence,
            (seq, entity, type, weight, ts) -> rebuilt.apply(entity, type, weight, ts));
        assertTrue(scan.problem().isEmpty(), scan.toString());
        Path expected = temp.path().resolve("expected-" + sequence);
        LedgerSnapshotWriter.write(rebuilt, sequence, LedgerSnapshotReader.inspect(written).createdNanos(), expected);
        assertArrayEquals(Files.readAllBytes(expected), snapshots.get(i), "checkpoint at sequence " + sequence);
      }
      assertTrue(sequences.get(sequences.size() - 1) > 100, "writes ran during the checkpoints: " + sequences);
    }
  }
}

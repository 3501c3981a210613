package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  @Test
  void checkpoint_survivesReopen_andRecoveryCountsOnlyWhatFollowsIt() {
    Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.builder(dir).clock(clock).build())) {
        for (int i = 1; i <= 10; i++) {
          wal.append(event(i));
        }
        wal.checkpoint(7);
        assertEquals(7, wal.lastCheckpoint().orElseThrow().sequence());
      }
      CheckpointMeta meta = CheckpointMeta.read(dir).orElseThrow();
      assertEquals(new CheckpointMeta(7, clock.instant().getEpochSecond() * 1_000_000_000L), meta);
      assertEquals(clock.instant(), meta.time());
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(Optional.of(meta), wal.recovery().checkpoint());
        assertEquals(3, wal.recovery().eventsAfterCheckpoint());
        assertEquals(List.of(8L, 9L, 10L), new ArrayList<>(WalTesting.replay(wal, 8).keySet()));
      }
    }
  }

  @Test
  void truncateBefore_deletesOnlySegmentsTheCheckpointCovers_andTheLogContinues() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalTesting.fast(dir).segmentSize(1024).build())) {
        for (int i = 1; i <= 200; i++) {
          wal.append(event(i));
        }
        int before = wal.segmentCount();
        assertEquals(0, wal.truncateBefore(1), "nothing is covered without a checkpoint");
        wal.checkpoint(120);
        int removed = wal.truncateBefore(121);
        assertTrue(removed > 0 && removed < before, "removed " + removed + " of " + before);
        assertEquals(before - removed, wal.segmentCount());
        assertEquals(WalSegments.list(dir).size(), wal.segmentCount());
        Segment first = WalSegments.list(dir).get(0);
        assertTrue(first.firstSequence() <= 121, "the segment holding 121 must stay: " + first);
        assertEquals(80, WalTesting.replay(wal, 121).size());
        wal.checkpoint(200);
        wal.truncateBefore(201);
        assertEquals(1, wal.segmentCount(), "the newest segment always stays");
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(200, wal.recovery().lastSequence());
        assertEquals(0, wal.recovery().eventsAfterCheckpoint());
        assertEquals(201, wal.append(event(201)));
      }
    }
  }

  @Test
  void checkpoint_underTheIntervalMode_makesTheLogDurableUpToItFirst() {
    List<Long> fsyncs = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TempTidalHome temp = TempTidalHome.create();
        Wal wal = Wal.open(WalConfig.builder(temp.path()).durability(io.tidaldb.Durability.interval(Duration.ofDays(1)))
            .fsyncListener(fsyncs::add).build())) {
      wal.append(event(1));
      assertEquals(0, wal.durableSequence());
      wal.checkpoint(1);
      assertEquals(1, wal.durableSequence());
      assertFalse(fsyncs.isEmpty(), "the fsync must be reported to the listener");
    }
  }

  /**
   * Child process: writes checkpoint 5, then halts the JVM (no shutdown hooks, no flushing) at one
   * step of writing checkpoint 10.
   */
  public static final class HaltDuringCheckpoint {
    public static void main(String[] args) {
      Path dir = Path.of(args[0]);
      int step = Integer.parseInt(args[1]);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        for (int i = 1; i <= 10; i++) {
          wal.append(event(i));
        }
        wal.checkpoint(5);
        CheckpointWriter.crashPoint = reached -> {
          if (reached == step) {
            Runtime.getRuntime().halt(42);
          }
        };
        wal.checkpoint(10);
      }
      System.exit(1);
    }
  }

  @Test
  void crashAtEveryStepOfTheCheckpointProtocol_leavesTheOldOrTheNewCheckpoint() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      for (int step = CheckpointWriter.BEFORE_WRITE; step <= CheckpointWriter.DIR_SYNCED; step++) {
        Path dir = temp.path().resolve("step-" + step);
        ChildJvm.Result result = ChildJvm.run(Duration.ofSeconds(60), HaltDuringCheckpoint.class, dir.toString(),
            Integer.toString(step));
        assertEquals(42, result.exitCode(), "the child must halt at step " + step + ": " + result.stderr());
        long sequence = CheckpointMeta.read(dir).orElseThrow().sequence();
        long expected = step < CheckpointWriter.RENAMED ? 5 : 10;
        assertEquals(expected, sequence, "after a crash at step " + step);
        assertTrue(sequence == 5 || sequence == 10);
        try (Wal wal = Wal.open(WalConfig.of(dir))) {
          assertEquals(10, wal.recovery().lastSequence());
          assertEquals(10 - expected, wal.recovery().eventsAfterCheckpoint());
        }
        assertFalse(Files.exists(dir.resolve(CheckpointMeta.TEMP_FILE_NAME)), "open() removes a leftover temp file");
      }
    }
  }
}

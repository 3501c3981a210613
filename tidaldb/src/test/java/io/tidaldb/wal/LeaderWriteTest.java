package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.Durability;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.HookedClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A blocking append with no one in its way writes its batch itself (the leader of a group commit),
 * with no hand-off to the writer thread; an interrupt of that application thread in the middle of
 * its write or fsync breaks nothing.
 */
class LeaderWriteTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static Durability durability(String mode) {
    return mode.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "interval"})
  void loneBlockingAppend_writesItsBatchOnTheCallersThread(String mode) throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      // The thread that seals a batch reads its time: the clock remembers which threads read it.
      Set<String> readers = ConcurrentHashMap.newKeySet();
      HookedClock clock = HookedClock.at(T0);
      clock.onEveryCallFrom("", () -> readers.add(Thread.currentThread().getName()));
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.builder(dir).durability(durability(mode)).clock(clock).build())) {
        wal.append(0, 0, 1f, 0);   // the first batch starts the segment: the writer thread's job
        readers.clear();
        for (int i = 1; i <= 100; i++) {
          assertEquals(i + 1, wal.append(i, 0, 1f, 0));
        }
        assertEquals(Set.of(Thread.currentThread().getName()), readers,
            "every batch was sealed by the appending thread itself, not handed to the writer thread");
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(101, wal.recovery().lastSequence());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "interval"})
  void interruptInTheMiddleOfALeadersWriteAndFsync_isSurvived_andTheCallerKeepsItsInterrupt(String mode)
      throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      AtomicInteger interruptWrites = new AtomicInteger();
      AtomicInteger interruptForces = new AtomicInteger();
      AtomicInteger interruptMaps = new AtomicInteger();
      Thread caller = Thread.currentThread();
      long appended = 0;
      // in interval mode a batch that lands in prepared space is copied into a mapping, with no write
      // to interrupt: the leader's next write is the next MiB of space it prepares, then it maps that
      // space (every other strike lands there)
      try (WalTesting.SegmentsWrapped striking = WalTesting.wrapSegments(c -> new Interrupting(c, interruptWrites,
          interruptForces, interruptMaps, caller));
          Wal wal = Wal.open(WalConfig.builder(dir).durability(durability(mode)).build())) {
        wal.append(0, 0, 1f, 0);
        appended++;
        for (int strike = 1; strike <= (mode.equals("sync") ? 20 : 4); strike++) {
          boolean map = MappedWindow.usableIn(dir) && mode.equals("interval") && strike % 2 == 0;
          AtomicInteger armed = map ? interruptMaps : interruptWrites;
          armed.set(1);
          interruptForces.set(mode.equals("sync") ? 1 : 0);
          int appends = 0;
          do {
            assertEquals(appended + 1, wal.append(appended, 0, 1f, 0));
            appended++;
            appends++;
            assertTrue(appends <= WalFormat.PREPARE_AHEAD / WalFormat.batchSize(1) + 1,
                "no " + (map ? "mapping" : "write") + " of the leader's was struck in " + appends + " appends");
          } while (armed.get() > 0);
          assertTrue(Thread.interrupted(), "the caller's interrupt is its own: it is kept");
          if (mode.equals("sync")) {
            assertEquals(1, appends, "under SYNC each append writes its batch itself");
          }
        }
        assertTrue(wal.failure().isEmpty(), "the log goes on: " + wal.failure());
      } finally {
        Thread.interrupted();
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(appended, wal.recovery().lastSequence());
        assertTrue(wal.recovery().truncation().isEmpty(), "every batch was written whole, once");
        assertEquals(appended, WalTesting.replay(wal, 1).size());
      }
    }
  }

  /**
   * A segment channel that interrupts the calling thread just before the next write, fsync or
   * mapping it is armed for, as an application's interrupt landing in the middle of it would: the real channel
   * then closes itself and throws {@code ClosedByInterruptException}. Only the appending thread's
   * own writes are struck (a segment's start is the writer thread's).
   */
  private static final class Interrupting extends ForwardingFileChannel {
    private final AtomicInteger writes;
    private final AtomicInteger forces;
    private final AtomicInteger maps;
    private final Thread caller;

    Interrupting(FileChannel delegate, AtomicInteger writes, AtomicInteger forces, AtomicInteger maps, Thread caller) {
      super(delegate);
      this.writes = writes;
      this.forces = forces;
      this.maps = maps;
      this.caller = caller;
    }

    private void strike(AtomicInteger armed) {
      if (Thread.currentThread() == caller && armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      strike(writes);
      return delegate.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      strike(forces);
      delegate.force(metaData);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      strike(maps);
      return delegate.map(mode, position, size);
    }
  }
}

package io.tidaldb.wal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.StorageException;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Under {@code SYNC}, the next group commit writes and fsyncs its batch while the previous batch's
 * fsync is in flight; batches are still acknowledged in log order (each once its own and every earlier
 * fsync returned), a failed fsync fails its batch and every later one, and whoever acknowledges a
 * batch tells the sinks of all its events, then wakes their writers together.
 */
class PipelinedGroupCommitTest {

  private static final long BOUND_SECONDS = 10;
  /** How long a held fsync or write waits for its release at most: longer than any wait of the test. */
  private static final long HOLD_SECONDS = 3 * BOUND_SECONDS;

  private final WalWriter.SegmentOpener healthy = WalWriter.segmentOpener;

  @AfterEach
  void restoreOpener() {
    WalWriter.segmentOpener = healthy;
  }

  @Test
  void secondGroupsFsync_startsWhileTheFirstIsInFlight_andIsAcknowledgedOnlyAfterIt() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      HeldForces forces = holdingForces(false);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        FutureTask<Long> first = firstGroupHeld(wal, forces, () -> wal.append(1, 0, 1f, 0));
        FutureTask<Long> second = start("appender-second", () -> wal.append(2, 0, 1f, 0));

        assertTrue(forces.secondReturned.await(BOUND_SECONDS, TimeUnit.SECONDS),
            "the second group's fsync started and returned while the first one's was in flight");
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(BOUND_SECONDS))
            .until(() -> !second.isDone());   // its own fsync returned; the earlier one has not
        assertEquals(1, wal.durableSequence(), "nothing after the batch in flight counts as durable");

        forces.releaseFirst.countDown();
        assertEquals(2, first.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(3, second.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(3, wal.durableSequence());
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(3, WalTesting.replay(wal, 1).size());
      }
    }
  }

  @Test
  void whileAnFsyncIsInFlight_aSecondStartsOnlyForABatchAsLargeAsTheLast_andALoneWriterLeadsOnceItReturns()
      throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      EachForceHeld forces = holdingEachForce();
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        forces.armAfterStarting(wal);
        FutureTask<Long> a = start("appender-a", () -> wal.append(1, 0, 1f, 0));
        forces.awaitStarted(1);
        FutureTask<Long> b = start("appender-b", () -> wal.append(2, 0, 1f, 0));
        forces.awaitStarted(2);   // two batches of one event in flight: both fsync slots taken
        List<FutureTask<Long>> three = List.of(
            start("appender-c", () -> wal.append(3, 0, 1f, 0)),
            start("appender-d", () -> wal.append(4, 0, 1f, 0)),
            start("appender-e", () -> wal.append(5, 0, 1f, 0)));
        await().atMost(Duration.ofSeconds(BOUND_SECONDS)).until(() -> three.stream().allMatch(f ->
            threadOf(f).getState() == Thread.State.WAITING));
        forces.release(0);
        assertEquals(2, a.get(BOUND_SECONDS, TimeUnit.SECONDS));
        forces.awaitStarted(3);   // c, d and e: one batch of three, while b's is in flight
        forces.release(1);
        assertEquals(3, b.get(BOUND_SECONDS, TimeUnit.SECONDS));

        FutureTask<Long> f = start("appender-f", () -> wal.append(6, 0, 1f, 0));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(BOUND_SECONDS))
            .until(() -> forces.started() == 3 && !f.isDone());   // one event, against three in flight: it waits
        forces.release(2);
        for (FutureTask<Long> appended : three) {
          appended.get(BOUND_SECONDS, TimeUnit.SECONDS);
        }
        forces.awaitStarted(4);   // the batch in flight returned: f leads its own
        forces.release(3);
        assertEquals(7, f.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(7, wal.durableSequence());
        forces.armed.set(false);   // the close's own fsync goes through
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(7, WalTesting.replay(wal, 1).size());
      }
    }
  }

  @Test
  void aGroupInFlight_countsAsOneWriter_soASingleEventStartsTheSecondFsyncAtOnce() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      EachForceHeld forces = holdingEachForce();
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        forces.armAfterStarting(wal);
        int n = 100;
        FutureTask<Long> group = start("appender-group", () ->
            wal.appendGroup(new long[n], new int[n], new float[n], new long[n], n));
        forces.awaitStarted(1);
        FutureTask<Long> single = start("appender-single", () -> wal.append(1, 0, 1f, 0));
        forces.awaitStarted(2);   // one writer queued against one writer in flight, though 100 events
        forces.release(1);
        forces.release(0);
        assertEquals(2, group.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(2 + n, single.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(2 + n, wal.durableSequence());
        forces.armed.set(false);
      }
    }
  }

  @Test
  void appenderInterruptedWhileItWaitsForAnEarlierBatch_isAcknowledgedAsUsual_andKeepsItsInterrupt() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      HeldForces forces = holdingForces(false);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        FutureTask<Long> first = firstGroupHeld(wal, forces, () -> wal.append(1, 0, 1f, 0));
        Map<String, Boolean> keptInterrupt = new ConcurrentHashMap<>();
        FutureTask<Long> second = start("appender-second", () -> {
          long sequence = wal.append(2, 0, 1f, 0);
          keptInterrupt.put("second", Thread.currentThread().isInterrupted());
          return sequence;
        });
        assertTrue(forces.secondReturned.await(BOUND_SECONDS, TimeUnit.SECONDS), "the second group's fsync returned");
        await().atMost(Duration.ofSeconds(BOUND_SECONDS)).until(() -> threadOf(second).getState() == Thread.State.WAITING);
        threadOf(second).interrupt();   // while it waits for the first batch's fsync
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(BOUND_SECONDS)).until(() -> !second.isDone());

        forces.releaseFirst.countDown();
        assertEquals(2, first.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(3, second.get(BOUND_SECONDS, TimeUnit.SECONDS), "the interrupt did not end its wait");
        assertEquals(Map.of("second", true), keptInterrupt, "the appender keeps its interrupt");
        assertTrue(wal.failure().isEmpty(), "the log goes on: " + wal.failure());
      }
    }
  }

  @Test
  void failedFsyncOfTheFirstGroup_failsTheSecondGroupToo_thoughItsOwnFsyncSucceeded() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      HeldForces forces = holdingForces(true);
      Wal wal = Wal.open(WalConfig.of(dir));
      try {
        Map<Long, String> told = new ConcurrentHashMap<>();
        WalEventSink sink = (seq, entity, type, weight, nanos) -> told.put(seq, Thread.currentThread().getName());
        FutureTask<Long> first = firstGroupHeld(wal, forces, () -> wal.append(1, 0, 1f, 0, sink));
        FutureTask<Long> second = start("appender-second", () -> wal.append(2, 0, 1f, 0, sink));
        assertTrue(forces.secondReturned.await(BOUND_SECONDS, TimeUnit.SECONDS),
            "the second group's fsync returned while the first one's was in flight");

        forces.releaseFirst.countDown();   // the first fsync now fails
        ExecutionException firstFailure = assertThrows(ExecutionException.class,
            () -> first.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(StorageException.class, firstFailure.getCause());
        ExecutionException secondFailure = assertThrows(ExecutionException.class,
            () -> second.get(BOUND_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(StorageException.class, secondFailure.getCause(),
            "a batch after one whose fsync failed is not acknowledged, though its own fsync returned");
        assertEquals(Map.of(), told, "no sink is told of an event that was not acknowledged");
        assertEquals(1, wal.durableSequence());
        assertTrue(wal.failure().isPresent(), "the log stopped");
      } finally {
        assertThrows(io.tidaldb.TidalDbException.class, wal::close);   // it reports the failure
      }
    }
  }

  @Test
  void followersOfOneBatch_areToldAndWokenByTheThreadThatAcknowledgesIt() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      HeldWrite heldWrite = new HeldWrite();
      WalWriter.segmentOpener = (path, options) -> new Holding(healthy.open(path, options), null, heldWrite);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        wal.append(0, 0, 1f, 0);
        Map<Long, String> told = new ConcurrentHashMap<>();
        Map<Long, Boolean> toldBeforeReturn = new ConcurrentHashMap<>();
        WalEventSink sink = (seq, entity, type, weight, nanos) -> told.put(seq, Thread.currentThread().getName());
        heldWrite.armed.set(true);
        FutureTask<Long> leader = start("appender-leader", () -> wal.append(1, 0, 1f, 0, sink));
        assertTrue(heldWrite.started.await(BOUND_SECONDS, TimeUnit.SECONDS), "the leader is writing its batch");
        // Three followers queue behind the held write: they form the next batch together.
        List<FutureTask<Long>> followers = List.of(
            start("appender-follower-1", () -> checked(wal.append(11, 0, 1f, 0, sink), told, toldBeforeReturn)),
            start("appender-follower-2", () -> checked(wal.append(12, 0, 1f, 0, sink), told, toldBeforeReturn)),
            start("appender-follower-3", () -> checked(wal.append(13, 0, 1f, 0, sink), told, toldBeforeReturn)));
        await().atMost(Duration.ofSeconds(BOUND_SECONDS)).until(() -> followers.stream().allMatch(f ->
            threadOf(f).getState() == Thread.State.WAITING || threadOf(f).getState() == Thread.State.TIMED_WAITING));
        heldWrite.release.countDown();

        assertEquals(2, leader.get(BOUND_SECONDS, TimeUnit.SECONDS));
        for (FutureTask<Long> follower : followers) {
          follower.get(BOUND_SECONDS, TimeUnit.SECONDS);
        }
        assertEquals(Map.of(3L, true, 4L, true, 5L, true), toldBeforeReturn, "each was told before its append returned");
        String acknowledger = told.get(3L);
        assertEquals(Map.of(2L, "appender-leader", 3L, acknowledger, 4L, acknowledger, 5L, acknowledger), told,
            "one thread told the whole batch's events, the others were woken after it");
      }
    }
  }

  /** Segments from now on hold each fsync once armed ({@link EachForceHeld}); {@return the forces to arm and release} */
  private EachForceHeld holdingEachForce() {
    EachForceHeld forces = new EachForceHeld();
    WalWriter.segmentOpener = (path, options) -> new Holding(healthy.open(path, options), null, null, forces);
    return forces;
  }

  /** Segments from now on hold their first armed fsync ({@link HeldForces}); {@return the forces to arm and release} */
  private HeldForces holdingForces(boolean failFirst) {
    HeldForces forces = new HeldForces(failFirst);
    WalWriter.segmentOpener = (path, options) -> new Holding(healthy.open(path, options), forces, null);
    return forces;
  }

  /**
   * Starts the segment, arms {@code forces} and starts {@code append} on thread "appender-first";
   * {@return its task} once its group's fsync has started (and is held).
   */
  private FutureTask<Long> firstGroupHeld(Wal wal, HeldForces forces, Callable<Long> append) throws InterruptedException {
    wal.append(0, 0, 1f, 0);   // starts the segment
    forces.armed.set(0);
    FutureTask<Long> first = start("appender-first", append);
    assertTrue(forces.firstStarted.await(BOUND_SECONDS, TimeUnit.SECONDS), "the first group's fsync started");
    return first;
  }

  private static long checked(long sequence, Map<Long, String> told, Map<Long, Boolean> toldBeforeReturn) {
    toldBeforeReturn.put(sequence, told.containsKey(sequence));
    return sequence;
  }

  private final Map<FutureTask<Long>, Thread> threads = new ConcurrentHashMap<>();

  private FutureTask<Long> start(String name, Callable<Long> append) {
    FutureTask<Long> task = new FutureTask<>(append);
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    threads.put(task, thread);
    thread.start();
    return task;
  }

  private Thread threadOf(FutureTask<Long> task) {
    return threads.get(task);
  }

  /**
   * Once armed (set to 0), holds the first fsync until released (then lets it through, or fails it)
   * and records when the second one starts and returns.
   */
  private static final class HeldForces {
    final AtomicInteger armed = new AtomicInteger(-1);
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final CountDownLatch releaseFirst = new CountDownLatch(1);
    final CountDownLatch secondReturned = new CountDownLatch(1);
    final boolean failFirst;

    HeldForces(boolean failFirst) {
      this.failFirst = failFirst;
    }

    void force(FileChannel delegate, boolean metaData) throws IOException {
      int n = armed.get() < 0 ? -1 : armed.getAndIncrement();
      if (n == 0) {
        firstStarted.countDown();
        try {
          releaseFirst.await(HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (failFirst) {
          throw new IOException("Input/output error");
        }
      }
      delegate.force(metaData);
      if (n == 1) {
        secondReturned.countDown();
      }
    }
  }

  /** Once armed, holds the next batch write until released. */
  private static final class HeldWrite {
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    void beforeWrite() {
      if (armed.compareAndSet(true, false)) {
        started.countDown();
        try {
          release.await(HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Once armed, holds each fsync, numbered from 0 in the order they start, until it is released. */
  private static final class EachForceHeld {
    final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger started = new AtomicInteger();
    private final CountDownLatch[] releases = new CountDownLatch[16];

    EachForceHeld() {
      for (int i = 0; i < releases.length; i++) {
        releases[i] = new CountDownLatch(1);
      }
    }

    void force(FileChannel delegate, boolean metaData) throws IOException {
      if (armed.get()) {
        int n = started.getAndIncrement();
        try {
          releases[n].await(HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      delegate.force(metaData);
    }

    /** Starts {@code wal}'s segment (with an event of its own, fsynced at once), then holds every fsync after. */
    void armAfterStarting(Wal wal) {
      wal.append(0, 0, 1f, 0);
      armed.set(true);
    }

    int started() {
      return started.get();
    }

    void awaitStarted(int n) {
      await().atMost(Duration.ofSeconds(BOUND_SECONDS)).until(() -> started.get() >= n);
      assertEquals(n, started.get(), "fsyncs started");
    }

    void release(int n) {
      releases[n].countDown();
    }
  }

  private static final class Holding extends ForwardingFileChannel {
    private final HeldForces forces;
    private final HeldWrite write;
    private final EachForceHeld each;

    Holding(FileChannel delegate, HeldForces forces, HeldWrite write) {
      this(delegate, forces, write, null);
    }

    Holding(FileChannel delegate, HeldForces forces, HeldWrite write, EachForceHeld each) {
      super(delegate);
      this.forces = forces;
      this.write = write;
      this.each = each;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (write != null) {
        write.beforeWrite();
      }
      return delegate.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (forces != null) {
        forces.force(delegate, metaData);
      } else if (each != null) {
        each.force(delegate, metaData);
      } else {
        delegate.force(metaData);
      }
    }
  }
}

package io.tidaldb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.HookedClock;
import io.tidaldb.wal.CheckpointMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class CloseTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final String WRITER = "tidaldb-wal-writer";
  /** Where actions chained on a pipelined write's future run. */
  private static final String APPLIER = "tidaldb-ledger-applier";
  private static final Duration BOUND = Duration.ofSeconds(30);

  @Test
  void close_twice_isHarmless() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).open();
      db.close();
      db.close();
      assertTrue(db.isClosed());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
    }
  }

  @Test
  void useAfterClose_saysTheDatabaseIsClosed() {
    TidalDb db = TidalDb.builder().ephemeral().open();
    db.close();
    DatabaseClosedException e = assertThrows(DatabaseClosedException.class, db::healthCheck);
    assertTrue(e.getMessage().contains("TidalDb(ephemeral) is closed"), e.getMessage());
  }

  @Test
  void close_fromManyThreadsAtOnce_returnsInEachOnlyWhenReleased() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).open();
      int threads = 8;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Boolean>> results = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(pool.submit(() -> {
            start.await();
            db.close();
            return HomeChecks.lockStatus(temp.home()).inUse();
          }));
        }
        start.countDown();
        for (Future<Boolean> result : results) {
          assertFalse(result.get(), "every close() must return only once the lock is released");
        }
      } finally {
        pool.shutdownNow();
      }
      try (TidalDb again = TidalDb.builder().dataDir(temp.path()).open()) {
        again.healthCheck();
      }
    }
  }

  @Test
  void forgottenHandle_isReleasedByTheCleaner_withAWarningNamingWhereItWasOpened() {
    Logger logger = Logger.getLogger(TidalDb.class.getName());
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(capture);
    boolean parents = logger.getUseParentHandlers();
    logger.setUseParentHandlers(false);
    try (TempTidalHome temp = TempTidalHome.create()) {
      openAndForget(temp.path());
      assertTrue(HomeChecks.lockStatus(temp.home()).inUse());
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
        System.gc();
        return !HomeChecks.lockStatus(temp.home()).inUse();
      });
      try (TidalDb again = TidalDb.builder().dataDir(temp.path()).open()) {
        again.healthCheck();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> !records.isEmpty());
      LogRecord warning = records.get(0);
      assertEquals(Level.WARNING, warning.getLevel());
      assertTrue(warning.getMessage().contains("garbage-collected without close()"), warning.getMessage());
      assertTrue(warning.getMessage().contains(temp.path().toString()), warning.getMessage());
      StackTraceElement[] openedAt = warning.getThrown().getStackTrace();
      assertTrue(List.of(openedAt).stream().anyMatch(f -> f.getMethodName().equals("openAndForget")),
          "the warning's stack trace must show where the handle was opened");
    } finally {
      logger.setUseParentHandlers(parents);
      logger.removeHandler(capture);
    }
  }

  private static void openAndForget(Path dir) {
    TidalDb.builder().dataDir(dir).open().healthCheck();
  }

  @Test
  void healthCheck_failsWhenTheHomeDirectoryIsDeletedUnderIt() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path().resolve("home")).open()) {
      db.healthCheck();
      TempTidalHome.deleteRecursively(temp.path().resolve("home"));
      TidalDbException e = assertThrows(TidalDbException.class, db::healthCheck);
      assertTrue(e.getMessage().contains("is gone"), e.getMessage());
      assertFalse(Files.exists(temp.path().resolve("home")));
    }
  }

  private static TidalDb open(Path dir, HookedClock clock, Duration checkpointInterval) {
    return TidalDb.builder().dataDir(dir).clock(clock).schema(SignalApiTest.SCHEMA)
        .checkpointInterval(checkpointInterval).partitionId("close").open();
  }

  /** Reopens the home in this JVM and checks that it holds {@code events} views, one per entity from 0. */
  static void assertReopensWith(Path dir, long events) {
    try (TidalDb again = open(dir, HookedClock.at(T0), Duration.ZERO)) {
      assertEquals(events, again.stats().lastSequence());
      long views = 0;
      for (long entity = 0; entity < events; entity++) {
        views += again.windowCount("view", entity, Window.ALL_TIME);
      }
      assertEquals(events, views, "every acknowledged write is there after reopening");
    }
  }

  /** Waits for a latch in a hook on one of the database's threads (bounded, so a broken test cannot hang). */
  static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the test did not release the hook");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread startDaemon(String name, Runnable action) {
    Thread thread = new Thread(action, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Test
  void closeFromWriteCallback_releasesEverythingAndHomeReopens() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = open(temp.path(), clock, Duration.ZERO);
      for (long entity = 0; entity < 100; entity++) {
        db.signal("view", entity, 1.0, T0);
      }
      CountDownLatch chained = new CountDownLatch(1);
      clock.onNextCallFrom(WRITER, () -> awaitQuietly(chained));   // the write waits until the action is chained
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      CompletableFuture<Void> closedInCallback = db.signalAsync("view", 100L, 1.0, T0).thenRun(() -> {
        ranOn.set(Thread.currentThread());
        db.close();
      });
      chained.countDown();
      closedInCallback.join();
      assertEquals(APPLIER, ranOn.get().getName());
      assertTrue(db.isClosed(), "isClosed() is true as soon as close() returns");
      assertThrows(DatabaseClosedException.class, () -> db.signal("view", 1L, 1.0, T0));
      await().atMost(BOUND).until(() -> !HomeChecks.lockStatus(temp.home()).inUse());
      assertFalse(ranOn.get().isAlive(), "the lock is released only after the applier thread stopped");
      await().atMost(BOUND).until(() -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().equals("tidaldb-closer")));
      assertReopensWith(temp.path(), 101);
    }
  }

  @Test
  void closeFromCheckpointThread_finishesTheCheckpointBeforeReleasingTheHome() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = open(temp.path(), clock, TidalDbBuilder.MIN_CHECKPOINT_INTERVAL);
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      // Written first: a periodic check that finds nothing new reads the clock too, and must not be
      // the one that closes. The next read on the checkpoint thread is then the checkpoint's own.
      db.signal("view", 0L, 1.0, T0);
      clock.onNextCallFrom("tidaldb-checkpoint-close", () -> {   // in the middle of the checkpoint
        ranOn.set(Thread.currentThread());
        db.close();
      });
      await().atMost(BOUND).until(() -> ranOn.get() != null && !ranOn.get().isAlive()
          && !HomeChecks.lockStatus(temp.home()).inUse());
      assertTrue(db.isClosed());
      assertEquals(0, db.stats().checkpointFailures(), "the checkpoint under way completes before the home is released");
      assertEquals(1, db.stats().checkpoints());
      long covered = CheckpointMeta.read(temp.home().wal()).orElseThrow().sequence();
      assertEquals(List.of(temp.home().ledgerSnapshot(covered)), temp.home().ledgerSnapshots(),
          "no snapshot is written after the home is released");
      assertReopensWith(temp.path(), 1);
    }
  }

  @Test
  void secondClose_fromTheWriterThreadWhileTheFirstWaitsForIt_neverHangs() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = open(temp.path(), clock, Duration.ZERO);
      for (long entity = 0; entity < 10; entity++) {
        db.signal("view", entity, 1.0, T0);
      }
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      clock.onNextCallFrom(WRITER, () -> {
        held.countDown();
        awaitQuietly(release);
      });
      CompletableFuture<Void> secondClose = db.signalAsync("view", 10L, 1.0, T0).thenRun(db::close);
      awaitQuietly(held);
      Thread first = startDaemon("first-close", db::close);
      await().atMost(BOUND).until(() -> first.getState() == Thread.State.WAITING);   // joining the writer
      release.countDown();
      assertTimeoutPreemptively(BOUND, () -> {
        first.join();
        secondClose.join();
      });
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      assertReopensWith(temp.path(), 11);
    }
  }

  @Test
  void secondClose_fromTheCheckpointThreadWhileTheFirstWaitsForTheCheckpointer_neverHangs() {
    HookedClock clock = HookedClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = open(temp.path(), clock, TidalDbBuilder.MIN_CHECKPOINT_INTERVAL);
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicReference<Thread> checkpointThread = new AtomicReference<>();
      clock.onNextCallFrom("tidaldb-checkpoint-close", () -> {
        checkpointThread.set(Thread.currentThread());
        held.countDown();
        awaitQuietly(release);
        db.close();
      });
      db.signal("view", 0L, 1.0, T0);
      awaitQuietly(held);
      Thread first = startDaemon("first-close", db::close);
      await().atMost(BOUND).until(() -> first.getState() == Thread.State.WAITING);   // joining the checkpoint thread
      release.countDown();
      assertTimeoutPreemptively(BOUND, () -> first.join());
      assertFalse(checkpointThread.get().isAlive());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      assertReopensWith(temp.path(), 1);
    }
  }

  /** A host registry that breaks on removing a meter, as a buggy registry might. */
  private static final class BrokenRegistry extends SimpleMeterRegistry {
    @Override
    public Meter remove(Meter meter) {
      throw new RegistryError();
    }
  }

  private static final class RegistryError extends Error {
    private static final long serialVersionUID = 1L;

    RegistryError() {
      super("the host's registry broke while removing a meter");
    }
  }

  @Test
  void errorFromOneResource_othersStillReleased() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SignalApiTest.SCHEMA).checkpointInterval(Duration.ZERO)
          .meterRegistry(new BrokenRegistry()).open();
      for (long entity = 0; entity < 5; entity++) {
        db.signal("view", entity, 1.0, T0);
      }
      assertThrows(RegistryError.class, db::close, "close() reports the error, after releasing everything else");
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse(), "the lock is released despite the registry's error");
      assertReopensWith(temp.path(), 5);
      assertTimeoutPreemptively(BOUND, db::close, "a second close() after a failed one returns at once");
    }
  }

  @Test
  void secondClose_fromInsideTheRelease_neverHangs() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      AtomicReference<TidalDb> opened = new AtomicReference<>();
      SimpleMeterRegistry closesOnRemove = new SimpleMeterRegistry() {
        @Override
        public Meter remove(Meter meter) {
          opened.get().close();   // a host's listener that closes the database again while it is released
          return super.remove(meter);
        }
      };
      TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SignalApiTest.SCHEMA).checkpointInterval(Duration.ZERO)
          .meterRegistry(closesOnRemove).open();
      opened.set(db);
      db.signal("view", 0L, 1.0, T0);
      assertTimeoutPreemptively(BOUND, db::close);
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      assertReopensWith(temp.path(), 1);
    }
  }

  @Test
  void errorWhileOpening_releasesTheHome() {
    SimpleMeterRegistry breaksOnGauges = new SimpleMeterRegistry() {
      @Override
      protected <T> io.micrometer.core.instrument.Gauge newGauge(Meter.Id id, T obj,
          java.util.function.ToDoubleFunction<T> valueFunction) {
        throw new RegistryError();
      }
    };
    try (TempTidalHome temp = TempTidalHome.create()) {
      assertThrows(RegistryError.class, () -> TidalDb.builder().dataDir(temp.path()).schema(SignalApiTest.SCHEMA)
          .meterRegistry(breaksOnGauges).open());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse(), "a failed open() leaves the home free at once");
      assertReopensWith(temp.path(), 0);
    }
  }
}

package io.tidaldb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class CloseTest {

  @Test
  void close_twice_isHarmless() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).open();
      db.close();
      db.close();
      assertTrue(db.isClosed());
      assertFalse(temp.home().lockStatus().inUse());
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
            return temp.home().lockStatus().inUse();
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
      assertTrue(temp.home().lockStatus().inUse());
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
        System.gc();
        return !temp.home().lockStatus().inUse();
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
}

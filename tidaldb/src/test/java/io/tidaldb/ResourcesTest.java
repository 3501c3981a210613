package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ResourcesTest {

  private static Resources resources() {
    return new Resources("TidalDb(/var/lib/tidaldb)", new Throwable("opened here"));
  }

  private static void close(Resources resources) {
    resources.markClosedByUser();
    resources.run();
    resources.awaitReleased(true);
  }

  @Test
  void failedCloseOfAResourceThatStillRuns_keepsWhatWasAcquiredBeforeIt() {
    Resources resources = resources();
    AtomicBoolean lockReleased = new AtomicBoolean();
    resources.add(() -> lockReleased.set(true));
    resources.add(() -> {
      throw new IllegalStateException("the writer thread did not stop");
    }, "its write-ahead log's writer thread", () -> true);
    TidalDbException e = assertThrows(TidalDbException.class, () -> close(resources));
    assertFalse(lockReleased.get(), "the lock must stay while the log's writer may still write");
    assertTrue(e.getMessage().contains("TidalDb(/var/lib/tidaldb) could not stop its write-ahead log's writer thread,"
        + " so it keeps its home locked"), e.getMessage());
    assertTrue(e.getMessage().contains("restart the process"), e.getMessage());
    assertTrue(e.getCause().getCause() instanceof IllegalStateException, e.toString());
  }

  @Test
  void failedCloseOfAResourceThatStopped_stillReleasesTheOthers() {
    Resources resources = resources();
    AtomicBoolean lockReleased = new AtomicBoolean();
    resources.add(() -> lockReleased.set(true));
    resources.add(() -> {
      throw new IllegalStateException("the log had failed before close()");
    }, "its write-ahead log's writer thread", () -> false);
    TidalDbException e = assertThrows(TidalDbException.class, () -> close(resources));
    assertTrue(lockReleased.get());
    assertTrue(e.getMessage().contains("closing TidalDb(/var/lib/tidaldb) failed"), e.getMessage());
  }

  @Test
  void errorFromOneResource_isRethrownAfterTheOthersAreReleased() {
    Resources resources = resources();
    AtomicBoolean lockReleased = new AtomicBoolean();
    StackOverflowError error = new StackOverflowError("from a resource");
    resources.add(() -> lockReleased.set(true));
    resources.add(() -> {
      throw new IllegalStateException("first");
    });
    resources.add(() -> {
      throw error;
    });
    StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> close(resources));
    assertSame(error, thrown);
    assertTrue(lockReleased.get());
    assertTrue(thrown.getSuppressed().length == 1 && thrown.getSuppressed()[0] instanceof IllegalStateException,
        "the other failure is suppressed in the error");
  }
}

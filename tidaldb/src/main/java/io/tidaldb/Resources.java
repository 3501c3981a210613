package io.tidaldb;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an open {@link TidalDb} holds (lock, files, threads), released in reverse order of
 * acquisition, exactly once: by {@code close()}, or by the cleaner when a handle was forgotten.
 *
 * <p>It must not refer to its {@code TidalDb}, or the handle could never become unreachable.
 */
final class Resources implements Runnable {

  private static final System.Logger LOG = System.getLogger(TidalDb.class.getName());

  /**
   * One daemon thread per JVM, shared by every database, to release forgotten handles (like the
   * JDK's common cleaner). It is the only thread tidalDB starts that outlives {@code close()}.
   */
  static final Cleaner CLEANER = Cleaner.create(runnable -> {
    Thread thread = new Thread(runnable, "tidaldb-cleaner");
    thread.setDaemon(true);
    return thread;
  });

  private final String description;
  private final Throwable openedAt;
  private final Deque<AutoCloseable> held = new ArrayDeque<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean closedByUser = new AtomicBoolean();
  private final CompletableFuture<Void> released = new CompletableFuture<>();

  Resources(String description, Throwable openedAt) {
    this.description = description;
    this.openedAt = openedAt;
  }

  String description() {
    return description;
  }

  /** Adds a resource, to be closed before everything added earlier. Only while opening. */
  synchronized void add(AutoCloseable resource) {
    held.push(resource);
  }

  boolean isClosing() {
    return closing.get();
  }

  /** Marks the release as asked for by {@code close()}; true for the first call only. */
  boolean markClosedByUser() {
    boolean first = closedByUser.compareAndSet(false, true);
    closing.set(true);
    return first;
  }

  /**
   * Waits until the release is complete. The first {@code close()} reports a failure to release;
   * later calls are no-ops.
   */
  void awaitReleased(boolean reportFailure) {
    try {
      released.join();
    } catch (CompletionException e) {
      if (reportFailure && e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
    }
  }

  /** The cleaning action: runs once, from {@code close()} or from the cleaner thread. */
  @Override
  public void run() {
    closing.set(true);
    if (!closedByUser.get()) {
      LOG.log(System.Logger.Level.WARNING, description + " was garbage-collected without close(); its lock, files"
          + " and threads are released now. Close every TidalDb you open (try-with-resources). It was opened at:",
          openedAt);
    }
    RuntimeException failure = releaseAll();
    if (failure == null) {
      released.complete(null);
    } else {
      released.completeExceptionally(failure);
    }
  }

  /** Releases what a failed {@code open()} had already acquired, keeping the open's own error first. */
  void closeAfterFailedOpen(RuntimeException openFailure) {
    closing.set(true);
    RuntimeException failure = releaseAll();
    if (failure != null) {
      openFailure.addSuppressed(failure);
    }
    released.complete(null);
  }

  private synchronized RuntimeException releaseAll() {
    RuntimeException failure = null;
    while (!held.isEmpty()) {
      AutoCloseable resource = held.pop();
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new TidalDbException("closing " + description + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }
}

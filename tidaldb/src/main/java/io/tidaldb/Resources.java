package io.tidaldb;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * What an open {@link TidalDb} holds (lock, files, threads), released in reverse order of
 * acquisition, exactly once: by {@code close()}, or by the cleaner when a handle was forgotten.
 * A resource that fails to close (an {@code Error} included) does not keep the others from being
 * released, except that nothing acquired before a resource is released while that resource still
 * runs: the home's lock never goes while the log's writer thread could still write.
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

  /** The thread that releases a database closed from one of its own threads. */
  static final String CLOSER_THREAD = "tidaldb-closer";

  /** A resource, and whether it still runs (so that what was acquired before it must stay). */
  private record Held(AutoCloseable resource, String name, BooleanSupplier stillRunning) {}

  private final String description;
  private final Throwable openedAt;
  private final Deque<Held> held = new ArrayDeque<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean closedByUser = new AtomicBoolean();
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  /** The thread running {@link #run()}, while it runs. */
  private volatile Thread releasing;

  Resources(String description, Throwable openedAt) {
    this.description = description;
    this.openedAt = openedAt;
  }

  String description() {
    return description;
  }

  /** Adds a resource, to be closed before everything added earlier. Only while opening. */
  synchronized void add(AutoCloseable resource) {
    held.push(new Held(resource, resource.getClass().getSimpleName(), () -> false));
  }

  /**
   * Adds a resource that may still run after a failed {@code close()} (a thread that did not stop):
   * while {@code stillRunning} says so, nothing added before it is released. Only while opening.
   */
  synchronized void add(AutoCloseable resource, String name, BooleanSupplier stillRunning) {
    held.push(new Held(resource, name, stillRunning));
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
   * later calls are no-ops. On the thread doing the release (a resource's {@code close()} calling
   * back) it returns at once: it would wait for itself.
   */
  void awaitReleased(boolean reportFailure) {
    if (releasing == Thread.currentThread()) {
      return;
    }
    try {
      released.join();
    } catch (CompletionException e) {
      if (reportFailure && e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (reportFailure && e.getCause() instanceof Error failure) {
        throw failure;
      }
    }
  }

  /**
   * Runs {@code release} on a new daemon thread, {@value #CLOSER_THREAD}, and returns: for a
   * {@code close()} on a thread that the release waits for (the log's writer thread, the checkpoint
   * thread). Nobody waits to be told of a failure, so it is logged.
   */
  void releaseOnCloserThread(Runnable release) {
    Thread closer = new Thread(() -> {
      release.run();
      try {
        released.join();
      } catch (CompletionException e) {
        LOG.log(System.Logger.Level.ERROR, "closing " + description + " (asked for on one of its own threads, released"
            + " on " + CLOSER_THREAD + ") failed: " + e.getCause().getMessage(), e.getCause());
      }
    }, CLOSER_THREAD);
    closer.setDaemon(true);
    closer.start();
  }

  /** The cleaning action: runs once, from {@code close()}, the closer thread or the cleaner thread. */
  @Override
  public void run() {
    releasing = Thread.currentThread();
    closing.set(true);
    Throwable failure;
    try {
      if (!closedByUser.get()) {
        LOG.log(System.Logger.Level.WARNING, description + " was garbage-collected without close(); its lock, files"
            + " and threads are released now. Close every TidalDb you open (try-with-resources). It was opened at:",
            openedAt);
      }
      failure = releaseAll();
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    releasing = null;
    if (failure == null) {
      released.complete(null);
    } else {
      released.completeExceptionally(failure);
    }
  }

  /** Releases what a failed {@code open()} had already acquired, keeping the open's own error first. */
  void closeAfterFailedOpen(Throwable openFailure) {
    closing.set(true);
    Throwable failure = releaseAll();
    if (failure != null) {
      openFailure.addSuppressed(failure);
    }
    released.complete(null);
  }

  /**
   * Closes every resource, newest first, and returns what went wrong: an {@code Error} as it is
   * (the first one; the rest suppressed), otherwise a {@link TidalDbException}; null if nothing.
   */
  private synchronized Throwable releaseAll() {
    Throwable failure = null;
    while (!held.isEmpty()) {
      Held next = held.pop();
      try {
        next.resource().close();
      } catch (Exception | Error e) {
        failure = collect(failure, e);
      }
      if (next.stillRunning().getAsBoolean()) {
        failure = new TidalDbException(description + " could not stop " + next.name() + ", so it keeps its home"
            + " locked (releasing the lock would let another process write to the same files); restart the process to"
            + " release the home", failure);
        LOG.log(System.Logger.Level.ERROR, failure.getMessage(), failure);
        break;
      }
    }
    return failure;
  }

  private Throwable collect(Throwable failure, Throwable next) {
    if (failure == null) {
      return next instanceof Error ? next : new TidalDbException("closing " + description + " failed", next);
    }
    if (next instanceof Error && !(failure instanceof Error)) {
      next.addSuppressed(failure);
      return next;
    }
    failure.addSuppressed(next);
    return failure;
  }
}

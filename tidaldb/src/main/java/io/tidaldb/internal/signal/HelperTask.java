package io.tidaldb.internal.signal;

import io.tidaldb.TidalDbException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A share of a query handed to the ranking pool that runs only if a helper thread starts it before
 * the query's own thread is done: a pool busy with another query then costs nothing but the work the
 * query's thread does itself, instead of a wait for the pool to come round to a task with nothing
 * left to do. The caller {@link #withdraw}s the task once its own share is done, and waits for the
 * task's {@link #future} only if that fails (the task started).
 *
 * @param <T> the task's result
 */
final class HelperTask<T> {

  private final AtomicBoolean started = new AtomicBoolean();
  private final Future<T> future;

  /**
   * Submits {@code task}, to run unless withdrawn first ({@code withdrawn} is then its result).
   *
   * @throws RejectedExecutionException when the pool is closing
   */
  HelperTask(ExecutorService pool, Callable<T> task, T withdrawn) {
    this.future = pool.submit(() -> started.compareAndSet(false, true) ? task.call() : withdrawn);
  }

  /**
   * {@return {@code task} submitted to {@code pool} as a helper task, or null when there is no pool
   * or it is closing (the caller then does the work itself)}
   */
  static <T> HelperTask<T> offer(ExecutorService pool, Callable<T> task, T withdrawn) {
    if (pool == null) {
      return null;
    }
    try {
      return new HelperTask<>(pool, task, withdrawn);
    } catch (RejectedExecutionException closing) {
      return null;
    }
  }

  /** {@return whether the task had not started: it never will, and nothing need wait for it} */
  boolean withdraw() {
    return started.compareAndSet(false, true);
  }

  Future<T> future() {
    return future;
  }

  /**
   * {@return the task's result once it has ended}, waiting through interrupts (the interrupt is
   * kept for the caller): for a task that reads under locks the caller holds and must not release
   * before it ends. Its failure is thrown here ({@link #rethrown}).
   */
  T awaitEnd() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw rethrown(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A ranking thread's failure, to throw on the query's thread: itself when unchecked (an {@code Error} is thrown here). */
  static RuntimeException rethrown(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException r) {
      return r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new TidalDbException("a ranking thread failed: " + cause, cause);
  }
}

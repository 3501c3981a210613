package io.tidaldb.metrics.jdk;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of the JDK server, which enforces the request timeout and the connection cap on the
 * threads that serve requests.
 *
 * <pre>{@code
 * ExchangeDeadlines deadlines = new ExchangeDeadlines("tidaldb-metrics-jdk-0", 4, 256, Duration.ofSeconds(5));
 * httpServer.setExecutor(deadlines);
 * // in the handler: if (!ExchangeDeadlines.beginHandling()) throw ...; try { ... } finally { endHandling(); }
 * }</pre>
 *
 * <p>How the JDK 17 server ({@code sun.net.httpserver.ServerImpl}) serves a connection: its dispatcher
 * thread accepts it and waits, in a selector, for its first byte; it then hands the connection to
 * this executor, whose thread reads the request line and headers from the now blocking channel, runs
 * the handler, and writes the response. Nothing bounds those reads and writes unless the JVM-wide
 * property {@code sun.net.httpserver.maxReqTime} is set, so each client that sends one byte and stalls
 * holds a thread for good. Hence:
 *
 * <ul>
 *   <li><b>The cap.</b> At most {@code maxConnections} threads, and no queue: a request that arrives
 *       while every thread serves one is rejected, and the dispatcher closes its connection at once.
 *       Threads start as requests arrive and end after 30 s idle, so stalled clients cannot starve
 *       {@code /healthz} while they are under the cap.
 *   <li><b>The timeout.</b> Each exchange gets a deadline: if its thread is still reading the request,
 *       or writing the response, when the deadline passes, the thread is interrupted. The server's
 *       channels are interruptible, so the interrupt closes the channel, the blocked read or write
 *       fails, and the server drops the connection. The handler's own work (rendering) is never
 *       interrupted: the deadline is suspended from {@link #beginHandling()} to {@link #endHandling()},
 *       and writing the response gets a deadline of its own.
 * </ul>
 */
final class ExchangeDeadlines implements Executor {

  private static final long IDLE_THREAD_SECONDS = 30;
  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  private final ThreadPoolExecutor workers;
  private final ScheduledThreadPoolExecutor timer;
  private final long timeoutNanos;

  /**
   * Starts no thread yet: threads start with the first request.
   *
   * @param prefix the prefix of the thread names
   * @param coreThreads the threads started for the first requests even while others are idle
   * @param maxConnections the most requests served at once
   * @param requestTimeout how long reading a request, and writing its response, may each take
   */
  ExchangeDeadlines(String prefix, int coreThreads, int maxConnections, Duration requestTimeout) {
    this.timeoutNanos = requestTimeout.toNanos();
    this.workers = new ThreadPoolExecutor(Math.min(coreThreads, maxConnections), maxConnections,
        IDLE_THREAD_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads(prefix + "-worker-"));
    this.workers.allowCoreThreadTimeOut(true);
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads(prefix + "-request-timeout-"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Runs one exchange of the JDK server under a deadline.
   *
   * @throws RejectedExecutionException when {@code maxConnections} requests are in progress: the
   *     server's dispatcher then closes the connection
   */
  @Override
  public void execute(Runnable exchange) {
    workers.execute(new Deadline(exchange));
  }

  /**
   * Called by the handler, on the exchange's thread, once the request has been read: suspends the
   * deadline while the response is computed.
   *
   * @return false if the deadline has already passed (the thread is interrupted, and the connection is
   *     being closed): the handler must not answer
   */
  static boolean beginHandling() {
    Deadline deadline = CURRENT.get();
    return deadline == null || deadline.suspend();
  }

  /** Called by the handler, on the exchange's thread, before it writes the response: a fresh deadline. */
  static void endHandling() {
    Deadline deadline = CURRENT.get();
    if (deadline != null) {
      deadline.resume();
    }
  }

  /** Interrupts every thread, and waits at most {@code nanos} for them to end. */
  void shutdownNow(long nanos) throws InterruptedException {
    workers.shutdownNow();
    try {
      workers.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    } finally {
      timer.shutdownNow();
      timer.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private static ThreadFactory daemonThreads(String namePrefix) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, namePrefix + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One exchange: its thread, and whether the thread may be interrupted when the deadline passes. */
  private final class Deadline implements Runnable {
    private static final int IO = 0;
    private static final int HANDLING = 1;
    private static final int EXPIRED = 2;
    private static final int DONE = 3;

    private final Runnable exchange;
    /** Touched by the exchange's thread only. */
    private ScheduledFuture<?> expiry;
    /** Guarded by this: read by the timer thread. */
    private Thread thread;
    private int state;
    private long generation;

    Deadline(Runnable exchange) {
      this.exchange = exchange;
    }

    @Override
    public void run() {
      synchronized (this) {
        thread = Thread.currentThread();
        state = IO;
      }
      CURRENT.set(this);
      try {
        arm();
        exchange.run();
      } finally {
        synchronized (this) {
          state = DONE;
        }
        if (expiry != null) {
          expiry.cancel(false);
        }
        CURRENT.remove();
        // A deadline that passed after the last read or write left the flag set: clear it, so that it
        // does not reach the next exchange this thread runs.
        Thread.interrupted();
      }
    }

    private void arm() {
      long armed;
      synchronized (this) {
        armed = ++generation;
      }
      expiry = timer.schedule(() -> expire(armed), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(long armed) {
      synchronized (this) {
        if (armed == generation && state == IO) {
          state = EXPIRED;
          thread.interrupt();
        }
      }
    }

    boolean suspend() {
      synchronized (this) {
        if (state == EXPIRED) {
          return false;
        }
        state = HANDLING;
        generation++;
      }
      expiry.cancel(false);
      return true;
    }

    void resume() {
      synchronized (this) {
        if (state != HANDLING) {
          return;
        }
        state = IO;
      }
      arm();
    }
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.DatabaseClosedException;
import io.tidaldb.internal.Threads;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pipelined writes of a persistent database ({@code signalAsync}, {@code recordAsync},
 * {@code writeAsync}): the producer appends to the log without waiting and queues the write here;
 * the applier thread {@value #THREAD_NAME} waits until the log acknowledges it (fsynced under
 * {@code SYNC}, written under the interval mode), applies it to the ledger in the log's order
 * ({@link ApplyOrder}), leaves the write gate and completes its future. So the log's writer thread
 * only writes and fsyncs, the ledger's work runs on another core, and an event costs its future and
 * a few array stores: no future of the log's, no continuation object.
 *
 * <pre>{@code
 * steps.enter("signalAsync()");                        // the write gate
 * CompletableFuture<Long> f = applier.record(42L, viewId, 1.0f, nanos, start);
 * // the applier thread: awaitAcknowledged(seq), ledger.apply(...), gate exit, f.complete(seq)
 * }</pre>
 *
 * <p>Promises kept: a future completes only once its event is acknowledged by the log and applied to
 * the ledger, so the ledger never shows an event the log could lose; futures complete in log order;
 * when the log fails, the future of every write it did not acknowledge fails with the log's failure.
 * The queue is filled under the same lock as the log append, so its order is the log's; two queues
 * alternate (producers fill one while the applier drains the other), each bounded by
 * {@link #capacity}: a producer that gets that far ahead of the ledger waits (back pressure).
 *
 * <p>A long run of writes with consecutive sequences is applied on two threads when it cannot take
 * the ledger past its bound ({@link #applyInParallel}): the helper thread {@value #HELPER_NAME}
 * takes the odd stripes.
 *
 * <p>Actions chained on these futures without an executor run on the applier thread; a write, a
 * checkpoint or a {@code close()} that waits from there would wait for that very thread, so the
 * engine refuses them there ({@link #onThread()}). The threads start with the first pipelined write
 * (a database written only by blocking calls has none) and {@link #close()} stops them, after the log
 * is closed: the applier then applies and completes everything still queued.
 */
final class LedgerApplier implements Runnable {

  static final String THREAD_NAME = "tidaldb-ledger-applier";

  /** A pipelined grouped write ({@code writeAsync}): its events, copied, and how to apply them. */
  interface Group {
    /** {@return the log entries the group takes, a source-position marker counting as one} */
    int entries();

    /** Applies the group to the ledger in log order; {@code first} is its first sequence. */
    void apply(long first);

    /** Counts the group's events per signal. */
    void counted();

    /**
     * Applies, in order, those of the group's events whose stripe has parity {@code parity}, for a run
     * applied on two threads (see {@link LedgerApplier#applyInParallel}).
     *
     * @return the first failure, or null
     */
    Throwable applyStripes(SignalLedger ledger, int parity);

    /** {@return the group's events, not counting a source-position marker} */
    int events();

    /** Records the source position the group carries, if any: after its events, in log order. */
    void positioned();
  }

  static final String HELPER_NAME = "tidaldb-ledger-applier-2";

  private static final int INITIAL = 1024;
  /** Runs of at least this many events are applied on two threads (below it the hand-off costs more than it saves). */
  static final int PARALLEL_RUN = 512;

  private final SignalLog log;
  private final WriteSteps steps;
  /** The most writes one queue holds. */
  private final int capacity;

  private final ReentrantLock lock = new ReentrantLock();
  /** Wakes the applier thread. */
  private final Condition work = lock.newCondition();
  /** Wakes producers waiting for room. */
  private final Condition space = lock.newCondition();
  // Guarded by lock.
  private Pending filling = new Pending(INITIAL);
  private Pending draining = new Pending(INITIAL);
  private boolean applierWaiting;
  private int spaceWaiters;
  private boolean started;
  private boolean closing;

  /** The applier thread's only: the log's failure, once an acknowledgement waited for failed. */
  private Throwable failure;
  private final Thread thread;
  /** Null on a one-processor machine, where a second thread cannot help. */
  private final Helper helper;

  LedgerApplier(SignalLog log, WriteSteps steps, int capacity) {
    this.log = log;
    this.steps = steps;
    this.capacity = capacity;
    this.thread = new Thread(this, THREAD_NAME);
    this.thread.setDaemon(true);
    this.helper = Runtime.getRuntime().availableProcessors() > 1 ? new Helper() : null;
  }

  /**
   * Appends one event to the log without waiting and queues it for the ledger.
   *
   * @param start the write's {@link WriteSteps#startTiming()}
   * @return the future sequence: completed once the event is acknowledged and applied
   * @throws io.tidaldb.TidalDbException if the log refuses the append (closed, or failed earlier)
   */
  CompletableFuture<Long> record(long entityId, int typeId, float weight, long nanos, long start) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    lock.lock();
    try {
      awaitRoom();
      long sequence = log.appendPipelined(entityId, typeId, weight, nanos);
      filling.put(sequence, entityId, typeId, weight, nanos, start, future, null);
      wake();
    } finally {
      lock.unlock();
    }
    return future;
  }

  /**
   * Appends a group to the log as one atomic frame without waiting and queues it for the ledger.
   *
   * @return the future first sequence: completed once the whole group is acknowledged and applied
   */
  CompletableFuture<Long> recordGroup(long[] entityIds, int[] typeIds, float[] weights, long[] nanos, Group group) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    lock.lock();
    try {
      awaitRoom();
      long first = log.appendGroupPipelined(entityIds, typeIds, weights, nanos, group.entries());
      filling.put(first, 0, 0, 0, 0, 0, future, group);
      wake();
    } finally {
      lock.unlock();
    }
    return future;
  }

  private void awaitRoom() {
    while (filling.count >= capacity && !closing) {
      spaceWaiters++;
      try {
        space.awaitUninterruptibly();
      } finally {
        spaceWaiters--;
      }
    }
    if (closing) {
      throw new DatabaseClosedException("the ledger applier");
    }
  }

  private void wake() {
    if (!started) {
      started = true;
      thread.start();
    } else if (applierWaiting) {
      applierWaiting = false;
      work.signal();
    }
  }

  /** {@return whether the calling thread is the applier thread, where actions chained on these futures run} */
  boolean onThread() {
    return Thread.currentThread() == thread || (helper != null && helper.onThread());
  }

  /** {@return whether the applier thread runs} */
  boolean isRunning() {
    return thread.isAlive() || (helper != null && helper.isRunning());
  }

  /**
   * Applies and completes everything queued, then stops the thread. Call it after the log is closed
   * (which writes what it holds), not on the applier thread.
   */
  void close() {
    lock.lock();
    try {
      closing = true;
      work.signal();
      space.signalAll();
      if (!started) {
        return;
      }
    } finally {
      lock.unlock();
    }
    Threads.joinUninterruptibly(thread);
    if (helper != null) {
      helper.stop();
    }
  }

  @Override
  public void run() {
    while (true) {
      Pending batch;
      lock.lock();
      try {
        while (filling.count == 0) {
          if (closing) {
            return;
          }
          applierWaiting = true;
          work.awaitUninterruptibly();
          applierWaiting = false;
        }
        batch = filling;
        filling = draining;
        draining = batch;
        if (spaceWaiters > 0) {
          space.signalAll();
        }
      } finally {
        lock.unlock();
      }
      drain(batch);
    }
  }

  /** Applies and completes the writes of {@code batch} in their (the log's) order, then empties it. */
  private void drain(Pending batch) {
    Thread.interrupted();   // an interrupt from a chained action is not a way to stop the applier: close() is
    int oneByOneUntil = 0;   // the end of a run found unfit for two threads: not looked at again
    for (int i = 0; i < batch.count; i++) {
      if (helper != null && i >= oneByOneUntil && failure == null) {
        int end = runEnd(batch, i);
        int applied = applyInParallel(batch, i, end);
        if (applied > i) {
          i = applied - 1;
          continue;
        }
        oneByOneUntil = end;
      }
      long first = batch.sequences[i];
      Group group = batch.groups[i];
      CompletableFuture<Long> future = batch.futures[i];
      batch.futures[i] = null;
      batch.groups[i] = null;
      long last = group == null ? first : first + group.entries() - 1;
      if (failure == null) {
        try {
          log.awaitAcknowledged(last);
        } catch (RuntimeException e) {
          failure = e;   // the log stopped: it acknowledges nothing after this either
        }
      }
      if (failure != null) {
        steps.exit();
        future.completeExceptionally(failure);
        continue;
      }
      try {
        if (group == null) {
          steps.apply(first, batch.entityIds[i], batch.typeIds[i], batch.weights[i], batch.nanos[i]);
        } else {
          group.apply(first);
        }
      } catch (RuntimeException | Error e) {
        steps.exit();
        future.completeExceptionally(e);
        continue;
      }
      steps.exit();
      succeeded(batch, i, group, future);
    }
    batch.count = 0;
  }

  /** Counts and times applied write {@code i} of {@code batch}, then completes its future with its first sequence. */
  private void succeeded(Pending batch, int i, Group group, CompletableFuture<Long> future) {
    if (group == null) {
      steps.counted(batch.typeIds[i]);
      steps.timed(batch.starts[i]);
    } else {
      group.counted();
    }
    future.complete(batch.sequences[i]);
  }

  /** {@return the end of the run of writes with consecutive sequences (no other write between) that starts at {@code from}} */
  private static int runEnd(Pending batch, int from) {
    int end = from + 1;
    while (end < batch.count && batch.sequences[end] == lastOf(batch, end - 1) + 1) {
      end++;
    }
    return end;
  }

  /** {@return the last sequence of write {@code i}} */
  private static long lastOf(Pending batch, int i) {
    Group group = batch.groups[i];
    return group == null ? batch.sequences[i] : batch.sequences[i] + group.entries() - 1;
  }

  /**
   * Applies the run of writes {@code [from, to)} of {@code batch} (consecutive sequences, events and
   * groups) on two threads, this one taking the even stripes and the {@link Helper} the odd ones, then
   * completes their futures in order. Each stripe still gets its events in log order, and when the
   * run cannot take the ledger past its bound no event evicts, so the ledger is bit for bit the one
   * applying them one by one gives (what recovery does): so only the longest prefix of the run whose
   * events could all be new entries without taking the ledger past its bound is applied here.
   *
   * @return the end of what was applied and completed: {@code from} when nothing was, because that
   *     prefix is short (under {@value #PARALLEL_RUN} events) or the log has not acknowledged it (the
   *     caller then goes one by one)
   */
  private int applyInParallel(Pending batch, int from, int end) {
    SignalLedger ledger = steps.ledger;
    if (ledger.stripeCount() < 2) {
      return from;
    }
    long room = ledger.roomWithoutEviction();
    long events = 0;
    int to = from;
    while (to < end) {
      int more = batch.groups[to] == null ? 1 : batch.groups[to].events();
      if (events + more > room) {
        break;
      }
      events += more;
      to++;
    }
    if (events < PARALLEL_RUN) {
      return from;
    }
    long first = batch.sequences[from];
    long last = lastOf(batch, to - 1);
    try {
      log.awaitAcknowledged(last);
    } catch (RuntimeException e) {
      return from;   // one by one, which fails the writes the log did not acknowledge
    }
    steps.order.awaitTurn(first);
    try {
      helper.submit(batch, from, to);
      applyStripes(ledger, batch, from, to, 0);
      helper.await();
      for (int i = from; i < to; i++) {
        if (batch.helperErrors[i] != null) {
          batch.errors[i] = batch.errors[i] != null ? batch.errors[i] : batch.helperErrors[i];
          batch.helperErrors[i] = null;
        }
        if (batch.groups[i] != null && batch.errors[i] == null) {
          batch.groups[i].positioned();
        }
      }
    } finally {
      steps.order.done(last);
    }
    steps.exit(to - from);   // every event of the run is applied
    for (int i = from; i < to; i++) {
      CompletableFuture<Long> future = batch.futures[i];
      Group group = batch.groups[i];
      batch.futures[i] = null;
      batch.groups[i] = null;
      Throwable error = batch.errors[i];
      if (error != null) {
        batch.errors[i] = null;
        future.completeExceptionally(error);
        continue;
      }
      succeeded(batch, i, group, future);
    }
    return to;
  }

  /** Applies the events of {@code [from, to)} whose stripe has parity {@code parity}, in order. */
  private static void applyStripes(SignalLedger ledger, Pending batch, int from, int to, int parity) {
    Throwable[] errors = parity == 0 ? batch.errors : batch.helperErrors;   // one array per thread
    for (int i = from; i < to; i++) {
      Group group = batch.groups[i];
      if (group != null) {
        Throwable error = group.applyStripes(ledger, parity);
        if (error != null) {
          errors[i] = error;
        }
        continue;
      }
      Throwable error = applyOnParity(ledger, batch.entityIds[i], batch.typeIds[i], batch.weights[i], batch.nanos[i],
          parity);
      if (error != null) {
        errors[i] = error;
      }
    }
  }

  /**
   * Applies one event of a run applied on two threads if its stripe is this thread's: the parity of
   * the stripe's index ({@code parity} 0 is the applier's, 1 the helper's).
   *
   * @return the apply's failure, or null
   */
  static Throwable applyOnParity(SignalLedger ledger, long entityId, int typeId, float weight, long nanos, int parity) {
    if ((ledger.stripeIndexOf(typeId, entityId) & 1) != parity) {
      return null;
    }
    try {
      ledger.apply(entityId, typeId, weight, nanos);
      return null;
    } catch (RuntimeException | Error e) {
      return e;
    }
  }

  /**
   * The second applier thread {@value #HELPER_NAME}: applies the odd stripes of a run while the
   * applier applies the even ones, so that the ledger's work uses both cores of a small machine.
   */
  private final class Helper implements Runnable {
    private final ReentrantLock helperLock = new ReentrantLock();
    private final Condition changed = helperLock.newCondition();
    private final Thread helperThread = new Thread(this, HELPER_NAME);
    // Guarded by helperLock.
    private Pending batch;
    private int from;
    private int to;
    private boolean assigned;
    private boolean finished;
    private boolean stopping;
    private boolean running;

    Helper() {
      helperThread.setDaemon(true);
    }

    void submit(Pending run, int start, int end) {
      helperLock.lock();
      try {
        if (!running) {
          running = true;
          helperThread.start();
        }
        batch = run;
        from = start;
        to = end;
        assigned = true;
        finished = false;
        changed.signalAll();
      } finally {
        helperLock.unlock();
      }
    }

    void await() {
      helperLock.lock();
      try {
        while (!finished) {
          changed.awaitUninterruptibly();
        }
        batch = null;
      } finally {
        helperLock.unlock();
      }
    }

    boolean onThread() {
      return Thread.currentThread() == helperThread;
    }

    boolean isRunning() {
      return helperThread.isAlive();
    }

    void stop() {
      helperLock.lock();
      try {
        stopping = true;
        changed.signalAll();
        if (!running) {
          return;
        }
      } finally {
        helperLock.unlock();
      }
      Threads.joinUninterruptibly(helperThread);
    }

    @Override
    public void run() {
      while (true) {
        Pending run;
        int start;
        int end;
        helperLock.lock();
        try {
          while (!assigned && !stopping) {
            changed.awaitUninterruptibly();
          }
          if (!assigned) {
            return;
          }
          assigned = false;
          run = batch;
          start = from;
          end = to;
        } finally {
          helperLock.unlock();
        }
        Thread.interrupted();
        try {
          applyStripes(steps.ledger, run, start, end, 1);
        } finally {
          helperLock.lock();
          try {
            finished = true;
            changed.signalAll();
          } finally {
            helperLock.unlock();
          }
        }
      }
    }
  }

  /** One queue of pipelined writes, as parallel arrays in log order; grows up to the capacity. */
  private static final class Pending {
    long[] sequences;
    long[] entityIds;
    int[] typeIds;
    float[] weights;
    long[] nanos;
    long[] starts;
    CompletableFuture<Long>[] futures;
    Group[] groups;
    /** The failure of an event's apply on the parallel path, until its future is failed with it. */
    Throwable[] errors;
    /** The same, as the {@link Helper} finds them. */
    Throwable[] helperErrors;
    int count;

    Pending(int length) {
      sequences = new long[length];
      entityIds = new long[length];
      typeIds = new int[length];
      weights = new float[length];
      nanos = new long[length];
      starts = new long[length];
      futures = newFutures(length);
      groups = new Group[length];
      errors = new Throwable[length];
      helperErrors = new Throwable[length];
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Long>[] newFutures(int length) {
      return (CompletableFuture<Long>[]) new CompletableFuture<?>[length];
    }

    void put(long sequence, long entityId, int typeId, float weight, long at, long start,
        CompletableFuture<Long> future, Group group) {
      if (count == sequences.length) {
        int grown = count * 2;
        sequences = Arrays.copyOf(sequences, grown);
        entityIds = Arrays.copyOf(entityIds, grown);
        typeIds = Arrays.copyOf(typeIds, grown);
        weights = Arrays.copyOf(weights, grown);
        nanos = Arrays.copyOf(nanos, grown);
        starts = Arrays.copyOf(starts, grown);
        futures = Arrays.copyOf(futures, grown);
        groups = Arrays.copyOf(groups, grown);
        errors = Arrays.copyOf(errors, grown);
        helperErrors = Arrays.copyOf(helperErrors, grown);
      }
      int i = count++;
      sequences[i] = sequence;
      entityIds[i] = entityId;
      typeIds[i] = typeId;
      weights[i] = weight;
      nanos[i] = at;
      starts[i] = start;
      futures[i] = future;
      groups[i] = group;
    }
  }
}

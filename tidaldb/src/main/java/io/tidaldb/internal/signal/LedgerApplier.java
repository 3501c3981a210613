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
 * <p>Actions chained on these futures without an executor run on the applier thread; a write, a
 * checkpoint or a {@code close()} that waits from there would wait for that very thread, so the
 * engine refuses them there ({@link #onThread()}). The thread starts with the first pipelined write
 * (a database written only by blocking calls has none) and {@link #close()} stops it, after the log
 * is closed: it then applies and completes everything still queued.
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
  }

  private static final int INITIAL = 1024;

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

  LedgerApplier(SignalLog log, WriteSteps steps, int capacity) {
    this.log = log;
    this.steps = steps;
    this.capacity = capacity;
    this.thread = new Thread(this, THREAD_NAME);
    this.thread.setDaemon(true);
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
    return Thread.currentThread() == thread;
  }

  /** {@return whether the applier thread runs} */
  boolean isRunning() {
    return thread.isAlive();
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
    for (int i = 0; i < batch.count; i++) {
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
      if (group == null) {
        steps.counted(batch.typeIds[i]);
        steps.timed(batch.starts[i]);
      } else {
        group.counted();
      }
      future.complete(first);
    }
    batch.count = 0;
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

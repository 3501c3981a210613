package io.tidaldb.wal;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * One of the {@link WalWriter}'s batches: events as parallel primitive arrays, with the future of
 * each pipelined appender, and for a blocking appender's events the appender's thread (to wake once
 * they are acknowledged) and what it asked to be told of them then ({@link WalEventSink}). Guarded
 * by the writer's lock while it fills, owned by the holder of the I/O turn while it is written, then
 * by whoever acknowledges it; the writer reuses it once it is acknowledged.
 */
final class EventQueue {

  long[] entityIds;
  int[] signalTypeIds;
  float[] weights;
  long[] timestamps;
  CompletableFuture<?>[] futures;
  /** The blocking appender of each event (at every event of its group), or null for a pipelined one. */
  Thread[] waiters;
  /** What the blocking appender of each event is told once it is acknowledged, or null. */
  WalEventSink[] sinks;
  int count;
  /** How many appends (single events or groups) the queue holds: the writers it stands for. */
  int appends;
  /** How many of {@link #futures} are not null. */
  int futureCount;
  /**
   * How many pipelined appends without a future (single events or groups) the queue holds: the
   * writer thread writes them, as it writes those with one, and wakes their waiters.
   */
  int handedOver;
  long firstSequence;
  /** Written, and under {@code SYNC} fsynced: it may be acknowledged once every earlier batch is. */
  boolean acknowledgeable;

  EventQueue(int length) {
    entityIds = new long[length];
    signalTypeIds = new int[length];
    weights = new float[length];
    timestamps = new long[length];
    futures = new CompletableFuture<?>[length];
    waiters = new Thread[length];
    sinks = new WalEventSink[length];
  }

  void put(long entityId, int signalTypeId, float weight, long timestampNanos, CompletableFuture<Long> future,
      Thread waiter, WalEventSink sink, int capacity) {
    ensureRoom(1, capacity);
    int i = count++;
    appends++;
    entityIds[i] = entityId;
    signalTypeIds[i] = signalTypeId;
    weights[i] = weight;
    timestamps[i] = timestampNanos;
    futures[i] = future;
    waiters[i] = waiter;
    sinks[i] = sink;
    if (future != null) {
      futureCount++;
    }
  }

  void putGroup(long[] ids, int[] types, float[] ws, long[] times, int n, CompletableFuture<Long> future,
      Thread waiter, WalEventSink sink, int capacity) {
    ensureRoom(n, capacity);
    int at = count;
    System.arraycopy(ids, 0, entityIds, at, n);
    System.arraycopy(types, 0, signalTypeIds, at, n);
    System.arraycopy(ws, 0, weights, at, n);
    System.arraycopy(times, 0, timestamps, at, n);
    futures[at] = future;   // the group's one future, at its first event
    if (waiter != null) {
      Arrays.fill(waiters, at, at + n, waiter);
      Arrays.fill(sinks, at, at + n, sink);
    }
    if (future != null) {
      futureCount++;
    }
    count = at + n;
    appends++;
  }

  /** Makes room for {@code more} events, doubling the arrays up to {@code capacity}. */
  private void ensureRoom(int more, int capacity) {
    if (count + more <= entityIds.length) {
      return;
    }
    long length = entityIds.length;
    while (length < count + more) {
      length *= 2;
    }
    int grown = (int) Math.min(length, capacity);
    entityIds = Arrays.copyOf(entityIds, grown);
    signalTypeIds = Arrays.copyOf(signalTypeIds, grown);
    weights = Arrays.copyOf(weights, grown);
    timestamps = Arrays.copyOf(timestamps, grown);
    futures = Arrays.copyOf(futures, grown);
    waiters = Arrays.copyOf(waiters, grown);
    sinks = Arrays.copyOf(sinks, grown);
  }

  /** Wakes the blocking appenders of the batch's events, each once (not the calling thread). */
  void wakeWaiters() {
    Thread me = Thread.currentThread();
    Thread last = null;
    for (int i = 0; i < count; i++) {
      Thread waiter = waiters[i];
      if (waiter != null && waiter != last && waiter != me) {
        LockSupport.unpark(waiter);
      }
      last = waiter;
    }
  }

  /** {@return the first blocking appender waiting for this batch, or null} */
  Thread firstWaiter() {
    for (int i = 0; i < count; i++) {
      if (waiters[i] != null) {
        return waiters[i];
      }
    }
    return null;
  }

  /** Completes every future with its event's sequence (a group's with its first), in order. */
  @SuppressWarnings("unchecked")
  void complete() {
    for (int i = 0; i < count; i++) {
      if (futures[i] != null) {
        ((CompletableFuture<Long>) futures[i]).complete(firstSequence + i);
        futures[i] = null;
      }
    }
  }

  /**
   * Moves the futures into {@code into} (to fail them) and wakes the blocking appenders, leaving the
   * events: for a batch that is being written or fsynced.
   */
  void failFutures(List<CompletableFuture<?>> into) {
    for (int i = 0; i < count; i++) {
      if (futures[i] != null) {
        into.add(futures[i]);
        futures[i] = null;
      }
    }
    futureCount = 0;
    wakeWaiters();
  }

  /** Moves the futures into {@code into} (to fail them), wakes the blocking appenders and empties the queue. */
  void drainFutures(List<CompletableFuture<?>> into) {
    failFutures(into);
    clear();
  }

  void clear() {
    Arrays.fill(waiters, 0, count, null);
    Arrays.fill(sinks, 0, count, null);
    acknowledgeable = false;
    count = 0;
    appends = 0;
    futureCount = 0;
    handedOver = 0;
  }
}

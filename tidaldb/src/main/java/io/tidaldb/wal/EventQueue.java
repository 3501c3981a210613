package io.tidaldb.wal;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One of the {@link WalWriter}'s two queues: events as parallel primitive arrays, with the future of
 * each pipelined appender; a null future marks a blocking appender's event (and the events of a
 * group after its first). Guarded by the writer's lock while it fills, owned by the holder of the
 * I/O turn while it is written.
 */
final class EventQueue {

  long[] entityIds;
  int[] signalTypeIds;
  float[] weights;
  long[] timestamps;
  CompletableFuture<?>[] futures;
  int count;
  /** How many of {@link #futures} are not null. */
  int futureCount;
  /**
   * How many pipelined appends without a future (single events or groups) the queue holds: the
   * writer thread writes them, as it writes those with one, and wakes their waiters.
   */
  int handedOver;
  long firstSequence;

  EventQueue(int length) {
    entityIds = new long[length];
    signalTypeIds = new int[length];
    weights = new float[length];
    timestamps = new long[length];
    futures = new CompletableFuture<?>[length];
  }

  void put(long entityId, int signalTypeId, float weight, long timestampNanos, CompletableFuture<Long> future,
      int capacity) {
    ensureRoom(1, capacity);
    int i = count++;
    entityIds[i] = entityId;
    signalTypeIds[i] = signalTypeId;
    weights[i] = weight;
    timestamps[i] = timestampNanos;
    futures[i] = future;
    if (future != null) {
      futureCount++;
    }
  }

  void putGroup(long[] ids, int[] types, float[] ws, long[] times, int n, CompletableFuture<Long> future,
      int capacity) {
    ensureRoom(n, capacity);
    int at = count;
    System.arraycopy(ids, 0, entityIds, at, n);
    System.arraycopy(types, 0, signalTypeIds, at, n);
    System.arraycopy(ws, 0, weights, at, n);
    System.arraycopy(times, 0, timestamps, at, n);
    futures[at] = future;   // the group's one future, at its first event
    if (future != null) {
      futureCount++;
    }
    count = at + n;
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

  /** Moves the futures into {@code into} (to fail them) and empties the queue. */
  void drainFutures(List<CompletableFuture<?>> into) {
    for (int i = 0; i < count; i++) {
      if (futures[i] != null) {
        into.add(futures[i]);
      }
    }
    Arrays.fill(futures, null);
    clear();
  }

  void clear() {
    count = 0;
    futureCount = 0;
    handedOver = 0;
  }
}

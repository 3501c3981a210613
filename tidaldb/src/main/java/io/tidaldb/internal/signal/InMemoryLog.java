package io.tidaldb.internal.signal;

import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEventSink;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A log that keeps nothing: it numbers events from 1. The log of an ephemeral database, which
 * writes nothing anywhere.
 */
final class InMemoryLog implements SignalLog {

  private final AtomicLong sequence = new AtomicLong();

  @Override
  public long append(long entityId, int signalTypeId, float weight, long timestampNanos, WalEventSink apply) {
    long appended = sequence.incrementAndGet();
    apply.accept(appended, entityId, signalTypeId, weight, timestampNanos);
    return appended;
  }

  @Override
  public long appendPipelined(long entityId, int signalTypeId, float weight, long timestampNanos) {
    return sequence.incrementAndGet();
  }

  @Override
  public long appendGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos, int count,
      WalEventSink apply) {
    long first = sequence.getAndAdd(count) + 1;
    for (int i = 0; i < count; i++) {
      apply.accept(first + i, entityIds[i], signalTypeIds[i], weights[i], timestampsNanos[i]);
    }
    return first;
  }

  @Override
  public long appendGroupPipelined(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos,
      int count) {
    return sequence.getAndAdd(count) + 1;
  }

  @Override
  public void awaitAcknowledged(long sequence) {
    // Every sequence is acknowledged as it is handed out.
  }

  @Override
  public int maxGroup() {
    return WalConfig.DEFAULT_MAX_BATCH_EVENTS;   // as a persistent database's log, so that a batch fits either
  }

  @Override
  public long lastSequence() {
    return sequence.get();
  }

  @Override
  public void refuseOnWriterThread(String what) {
    // There is no writer thread: futures complete on the caller's thread.
  }

  @Override
  public boolean onWriterThread() {
    return false;
  }

  @Override
  public boolean isRunning() {
    return false;
  }

  @Override
  public void close() {
    // Nothing is held.
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.internal.LatencyRecorder;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalEventSink;
import java.util.function.LongConsumer;

/**
 * The log of a persistent database: its home's write-ahead log. Also keeps the fsync statistics
 * the WAL reports to its listener.
 */
final class WalLog implements SignalLog {

  /**
   * Told each fsync's duration by the thread that fsynced (the WAL calls its listener one call at a
   * time, so one thread at a time writes its fields), which it also reports to the fsync timers.
   */
  static final class FsyncStats implements LongConsumer {
    private final LatencyRecorder recorder;
    private volatile long count;
    private volatile long nanos;

    FsyncStats(LatencyRecorder recorder) {
      this.recorder = recorder;
    }

    @Override
    public void accept(long duration) {
      nanos = nanos + duration;
      count = count + 1;
      recorder.record(duration);
    }

    long count() {
      return count;
    }

    long nanos() {
      return nanos;
    }
  }

  final Wal wal;
  final FsyncStats fsyncs;

  WalLog(Wal wal, FsyncStats fsyncs) {
    this.wal = wal;
    this.fsyncs = fsyncs;
  }

  @Override
  public long append(long entityId, int signalTypeId, float weight, long timestampNanos, WalEventSink apply) {
    return wal.append(entityId, signalTypeId, weight, timestampNanos, apply);
  }

  @Override
  public long appendPipelined(long entityId, int signalTypeId, float weight, long timestampNanos) {
    return wal.appendPipelined(entityId, signalTypeId, weight, timestampNanos);
  }

  @Override
  public long appendGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos, int count,
      WalEventSink apply) {
    return wal.appendGroup(entityIds, signalTypeIds, weights, timestampsNanos, count, apply);
  }

  @Override
  public long appendGroupPipelined(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos,
      int count) {
    return wal.appendGroupPipelined(entityIds, signalTypeIds, weights, timestampsNanos, count);
  }

  @Override
  public void awaitAcknowledged(long sequence) {
    wal.awaitAcknowledged(sequence);
  }

  @Override
  public int maxGroup() {
    return wal.maxGroupEvents();
  }

  @Override
  public long lastSequence() {
    return wal.lastSequence();
  }

  @Override
  public void refuseOnWriterThread(String what) {
    wal.refuseOnWriterThread(what);
  }

  @Override
  public boolean onWriterThread() {
    return wal.onWriterThread();
  }

  @Override
  public boolean isRunning() {
    return !wal.isReleased();
  }

  @Override
  public void close() {
    wal.close();
  }
}

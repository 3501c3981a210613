package io.tidaldb.internal.signal;

import io.tidaldb.wal.WalEvent;
import io.tidaldb.wal.WalEventSink;
import java.util.OptionalLong;

/**
 * The upstream position (such as a Kafka offset) that the home's signals have reached: the one the
 * last batch written with a position carried, in log order. The write path sets it when it applies
 * such a batch (in the log's order, so the last in the log wins), a checkpoint stores it in its
 * snapshot, and recovery restores it from the snapshot and the log's position markers after it.
 */
final class SourcePosition {

  /** Stands for "no batch has carried a position"; positions themselves are never negative. */
  static final long NONE = -1;

  private volatile long value = NONE;

  void set(long position) {
    value = position;
  }

  /** {@return the position, or {@link #NONE}} */
  long get() {
    return value;
  }

  /**
   * A sink for replaying the log into the ledger: a position marker moves this position, every other
   * event goes to {@code signals}. The one place a replay tells markers from signals.
   */
  WalEventSink following(WalEventSink signals) {
    return (sequence, entityId, typeId, weight, timestampNanos) -> {
      if (WalEvent.isSourcePosition(typeId)) {
        set(entityId);
      } else {
        signals.accept(sequence, entityId, typeId, weight, timestampNanos);
      }
    };
  }

  OptionalLong asOptional() {
    long v = value;
    return v == NONE ? OptionalLong.empty() : OptionalLong.of(v);
  }
}

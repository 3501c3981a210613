package io.tidaldb.internal.signal;

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

  OptionalLong asOptional() {
    long v = value;
    return v == NONE ? OptionalLong.empty() : OptionalLong.of(v);
  }
}

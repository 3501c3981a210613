package io.tidaldb.internal.signal;

import io.tidaldb.InvalidSignalException;
import io.tidaldb.SignalSpec;
import io.tidaldb.wal.WalEvent;
import io.tidaldb.wal.WalEventSink;
import java.time.Instant;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The grouped write path of a {@link SignalEngine} ({@code SignalBatch}, {@code SignalType.recordAll}):
 * the checks of each event before any is written, then one atomic log group and the ledger in the
 * log's order, with the optional source-position marker. Not API (see the package documentation).
 *
 * <pre>{@code
 * GroupWrites groups = engine.groups();
 * weights[0] = groups.checkedWeight(view, 1.0);
 * nanos[0] = groups.checkedTime(view, at);
 * long first = groups.recordGroup(entityIds, typeIds, weights, nanos, 1, -1);
 * }</pre>
 */
public final class GroupWrites {

  private final WriteSteps steps;
  private final SignalInputs inputs;
  private final SourcePosition sourcePosition;
  private final WalEventSink applyOnAcknowledge = this::applyOnAcknowledge;

  GroupWrites(WriteSteps steps, SignalInputs inputs, SourcePosition sourcePosition) {
    this.steps = steps;
    this.inputs = inputs;
    this.sourcePosition = sourcePosition;
  }

  /**
   * Records a group of checked events atomically (see {@code SignalBatch}): one log group (one batch
   * frame, one fsync under {@code SYNC}), then the ledger, in the log's order. When
   * {@code position >= 0} a source-position marker follows the events in the same frame, so element
   * {@code count} of every array must be free for it.
   *
   * @param entityIds the events' entity ids
   * @param typeIds the events' signal type ids, of this engine's schema
   * @param weights the events' weights, as {@link #checkedWeight} returned them
   * @param nanos the events' times, as {@link #checkedTime} returned them
   * @param count how many events; with the marker at most {@link #maxGroup()}
   * @param position the upstream position this group brings the home to, or {@code -1} for none
   * @return the sequence of the first event (of the marker if {@code count} is 0)
   * @throws InvalidSignalException if the group is empty or too large; nothing is written
   * @throws IllegalStateException on the WAL's writer thread
   */
  public long recordGroup(long[] entityIds, int[] typeIds, float[] weights, long[] nanos, int count, long position) {
    int total = groupSize(entityIds, typeIds, weights, nanos, count, position);
    long start = steps.startTiming();
    steps.enter("write()");
    long first;
    try {
      // the WAL first, then the ledger, in log order: applied by whoever acknowledges the group's batch
      first = steps.log.appendGroup(entityIds, typeIds, weights, nanos, total, applyOnAcknowledge);
    } finally {
      steps.exit();
    }
    steps.countedAll(typeIds, count);
    steps.timed(start);
    return first;
  }

  /**
   * {@link #recordGroup} without waiting: one future for the whole group (no future per event), which
   * completes with the first sequence once the group is durable and applied to the ledger (in log
   * order, by the {@link LedgerApplier} of a persistent database). The arrays may be reused as soon as
   * this returns.
   *
   * @return the future first sequence; it fails with a {@code TidalDbException} if the log cannot
   *     write the group
   * @throws InvalidSignalException if the group is empty or too large; nothing is written
   * @throws IllegalStateException on the WAL's writer thread or the ledger applier's
   */
  public CompletableFuture<Long> recordGroupAsync(long[] entityIds, int[] typeIds, float[] weights, long[] nanos,
      int count, long position) {
    int total = groupSize(entityIds, typeIds, weights, nanos, count, position);
    steps.enter("writeAsync()");
    if (steps.applier == null) {
      long first;
      try {
        first = steps.log.appendGroupPipelined(entityIds, typeIds, weights, nanos, total);
        applyGroup(first, total, entityIds, typeIds, weights, nanos, count, position);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      } finally {
        steps.exit();
      }
      steps.countedAll(typeIds, count);
      return CompletableFuture.completedFuture(first);
    }
    // the ledger applies them later: one copy per group
    Pending group = new Pending(Arrays.copyOf(entityIds, total), Arrays.copyOf(typeIds, total),
        Arrays.copyOf(weights, total), Arrays.copyOf(nanos, total), count, total, position);
    try {
      return steps.applier.recordGroup(group.entityIds, group.typeIds, group.weights, group.nanos, group);
    } catch (RuntimeException e) {
      steps.exit();
      throw e;
    }
  }

  /** Applies one event of a blocking group once the log acknowledges it; the source-position marker sets the position. */
  private void applyOnAcknowledge(long sequence, long entityId, int typeId, float weight, long nanos) {
    if (typeId != WalEvent.SOURCE_POSITION_TYPE_ID) {
      steps.apply(sequence, entityId, typeId, weight, nanos);
      return;
    }
    steps.order.awaitTurn(sequence);
    try {
      sourcePosition.set(entityId);
    } finally {
      steps.order.done(sequence);
    }
  }

  /** A pipelined group on its way to the ledger: its copied events and its source position. */
  private final class Pending implements LedgerApplier.Group {
    final long[] entityIds;
    final int[] typeIds;
    final float[] weights;
    final long[] nanos;
    final int count;
    final int total;
    final long position;

    Pending(long[] entityIds, int[] typeIds, float[] weights, long[] nanos, int count, int total, long position) {
      this.entityIds = entityIds;
      this.typeIds = typeIds;
      this.weights = weights;
      this.nanos = nanos;
      this.count = count;
      this.total = total;
      this.position = position;
    }

    @Override
    public int entries() {
      return total;
    }

    @Override
    public void apply(long first) {
      applyGroup(first, total, entityIds, typeIds, weights, nanos, count, position);
    }

    @Override
    public void counted() {
      steps.countedAll(typeIds, count);
    }

    @Override
    public Throwable applyStripes(SignalLedger ledger, int parity) {
      Throwable first = null;
      for (int i = 0; i < count; i++) {
        Throwable error = LedgerApplier.applyOnParity(ledger, entityIds[i], typeIds[i], weights[i], nanos[i], parity);
        first = first == null ? error : first;
      }
      return first;
    }

    @Override
    public int events() {
      return count;
    }

    @Override
    public void positioned() {
      if (position >= 0) {
        sourcePosition.set(position);
      }
    }
  }

  /** Checks a group's size and puts the source-position marker after its events; {@return the log entries} */
  private int groupSize(long[] entityIds, int[] typeIds, float[] weights, long[] nanos, int count, long position) {
    int total = position >= 0 ? count + 1 : count;
    if (total == 0) {
      throw new InvalidSignalException("an empty batch with no source position has nothing to write; add events or"
          + " a source position first");
    }
    int max = steps.log.maxGroup();
    if (total > max) {
      throw new InvalidSignalException("a batch of " + count + " events" + (position >= 0 ? " and a source position"
          : "") + " is larger than one atomic write takes (" + max + " entries, a source position counting"
          + " as one); split it");
    }
    if (position >= 0) {
      entityIds[count] = position;
      typeIds[count] = WalEvent.SOURCE_POSITION_TYPE_ID;
      weights[count] = 0f;
      nanos[count] = 0;
    }
    return total;
  }

  private void applyGroup(long first, int total, long[] entityIds, int[] typeIds, float[] weights, long[] nanos,
      int count, long position) {
    steps.order.awaitTurn(first);
    try {
      for (int i = 0; i < count; i++) {
        steps.ledger.apply(entityIds[i], typeIds[i], weights[i], nanos[i]);
      }
      if (position >= 0) {
        sourcePosition.set(position);
      }
    } finally {
      steps.order.done(first + total - 1);
    }
  }

  /** {@return the most log entries one {@link #recordGroup} takes, a source position counting as one} */
  public int maxGroup() {
    return steps.log.maxGroup();
  }

  /**
   * {@return the upstream position of the last batch written with one, in log order: restored on
   * open from the checkpoint's snapshot and the log after it}
   */
  public OptionalLong sourcePosition() {
    return sourcePosition.asOptional();
  }

  /**
   * Checks a weight as {@link SignalEngine#record} does, for a write that checks all its events first.
   *
   * @return the weight as the log stores it
   * @throws InvalidSignalException if the weight cannot be stored for this signal
   */
  public float checkedWeight(SignalSpec signal, double weight) {
    return SignalInputs.storedWeight(signal, weight);
  }

  /**
   * Checks an event time as {@link SignalEngine#record} does, for a write that checks all its events
   * first.
   *
   * @return the time as the log stores it, in nanoseconds since the epoch
   * @throws InvalidSignalException if the time cannot be stored or is too far ahead of the clock
   */
  public long checkedTime(SignalSpec signal, Instant at) {
    return inputs.eventNanos(signal, at);
  }

  /**
   * Checks an event time given in nanoseconds since the epoch as {@link SignalEngine#record} checks
   * an {@code Instant}.
   *
   * @return {@code epochNanos}
   * @throws InvalidSignalException if the time is negative (before 1970) or too far ahead of the clock
   */
  public long checkedTime(SignalSpec signal, long epochNanos) {
    if (epochNanos < 0) {
      throw new InvalidSignalException("the event time " + epochNanos + " ns for signal \"" + signal.name() + "\" is"
          + " before 1970-01-01T00:00:00Z: times are nanoseconds since the epoch and cannot be negative");
    }
    return inputs.eventNanos(signal, epochNanos);
  }
}

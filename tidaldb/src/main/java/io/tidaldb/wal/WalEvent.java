package io.tidaldb.wal;

import io.tidaldb.SignalSpec;
import java.time.Instant;

/**
 * One event in the write-ahead log: a signal of one type, with a weight, recorded against an entity
 * at a moment.
 *
 * <pre>{@code
 * long seq = wal.append(new WalEvent(42L, 3, 1.0f, WalEvent.epochNanos(clock.instant())));
 * }</pre>
 *
 * <p>On disk an event takes 24 bytes (see {@code docs/FORMAT.md}). The weight is stored as the raw
 * bits of a 32-bit float, so every float value (NaN included) reads back bit for bit; deciding which
 * weights are acceptable is the caller's business.
 *
 * @param entityId the entity the signal is about (an item, user or creator id)
 * @param signalTypeId the signal's type, {@code 0..65535}
 * @param weight the event's weight
 * @param timestampNanos when the event happened, in nanoseconds since the epoch
 */
public record WalEvent(long entityId, int signalTypeId, float weight, long timestampNanos) {

  /**
   * The largest signal type id the log can store (an unsigned 16-bit field): a schema's ids go up to
   * {@link SignalSpec#MAX_ID}, and the one above is {@link #SOURCE_POSITION_TYPE_ID}.
   */
  public static final int MAX_SIGNAL_TYPE_ID = WalFormat.MAX_SIGNAL_TYPE_ID;

  /** Nanoseconds in a second, the log's unit of time. */
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /**
   * The signal type id reserved for a <b>source-position marker</b> (docs/FORMAT.md): an event with
   * this id is not a signal; its entity-id field holds the upstream position (such as a Kafka offset)
   * that the batch frame it ends, written atomically with it, brings the home to. Readers that apply
   * signals skip it; it still takes a sequence number.
   */
  public static final int SOURCE_POSITION_TYPE_ID = WalFormat.SOURCE_POSITION_TYPE_ID;

  /**
   * Whether an event's signal type id marks a source position rather than a signal.
   *
   * @param signalTypeId a stored signal type id
   * @return true for {@link #SOURCE_POSITION_TYPE_ID}
   */
  public static boolean isSourcePosition(int signalTypeId) {
    return signalTypeId == SOURCE_POSITION_TYPE_ID;
  }

  /**
   * Checks the signal type id.
   *
   * @param entityId the entity the signal is about (an item, user or creator id)
   * @param signalTypeId the signal's type, {@code 0..65535}
   * @param weight the event's weight
   * @param timestampNanos when the event happened, in nanoseconds since the epoch
   * @throws IllegalArgumentException if {@code signalTypeId} is outside {@code 0..65535}
   */
  public WalEvent {
    checkSignalTypeId(signalTypeId);
  }

  /**
   * An instant as the log stores times: nanoseconds since the epoch. The one conversion tidalDB
   * uses, for events, batches, checkpoints and ledger snapshots.
   *
   * @param at an instant between 1677 and 2262, what a signed 64-bit count of nanoseconds holds
   *     (callers that take times from users check the range first)
   * @return nanoseconds since the epoch
   */
  public static long epochNanos(Instant at) {
    return at.getEpochSecond() * NANOS_PER_SECOND + at.getNano();
  }

  /**
   * A time as the log stores it, as an instant: the inverse of {@link #epochNanos(Instant)}.
   *
   * @param epochNanos nanoseconds since the epoch (negative is before it)
   * @return the instant
   */
  public static Instant instantOf(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, NANOS_PER_SECOND), Math.floorMod(epochNanos, NANOS_PER_SECOND));
  }

  static void checkSignalTypeId(int signalTypeId) {
    if (signalTypeId < 0 || signalTypeId > MAX_SIGNAL_TYPE_ID) {
      throw new IllegalArgumentException("signalTypeId " + signalTypeId + " is out of range: a signal type id is 0.."
          + MAX_SIGNAL_TYPE_ID);
    }
  }
}

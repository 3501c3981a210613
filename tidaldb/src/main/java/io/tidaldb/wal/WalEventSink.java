package io.tidaldb.wal;

/**
 * Receives events read back from the log, one call per event, as primitives: replaying millions of
 * events allocates no object per event.
 *
 * <pre>{@code
 * wal.replay(checkpointSeq + 1, (seq, entityId, signalTypeId, weight, timestampNanos) ->
 *     ledger.apply(entityId, signalTypeId, weight, timestampNanos));
 * }</pre>
 *
 * <p>Calls come in sequence order, from the thread that asked for the replay. An exception thrown by
 * the sink stops the replay and reaches the caller unchanged.
 */
@FunctionalInterface
public interface WalEventSink {

  /**
   * One event.
   *
   * @param sequence the event's sequence number
   * @param entityId the entity the signal is about
   * @param signalTypeId the signal's type, {@code 0..65535}
   * @param weight the event's weight
   * @param timestampNanos when the event happened, in nanoseconds since the epoch
   */
  void accept(long sequence, long entityId, int signalTypeId, float weight, long timestampNanos);
}

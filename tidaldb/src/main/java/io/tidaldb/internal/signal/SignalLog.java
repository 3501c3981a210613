package io.tidaldb.internal.signal;

import io.tidaldb.wal.WalEventSink;

/**
 * Where an accepted signal goes before the ledger: the write-ahead log of a persistent database, or
 * a plain sequence for an ephemeral one. Its arguments are exactly a WAL event's fields.
 *
 * <p>The write path applies an event to the ledger only once the log has acknowledged it (a blocking
 * append hands it to its {@code apply} then, a pipelined one is applied once acknowledged), so that
 * the ledger never shows an event the log could lose.
 */
interface SignalLog extends AutoCloseable {

  /**
   * Appends one event and returns once it is as durable as the database's durability mode asks and
   * handed to {@code apply}: once it is, in log order with every blocking append's events, on
   * whichever thread acknowledges it (see {@code Wal.append(..., WalEventSink)}).
   *
   * @return the event's sequence number, from 1
   * @throws RuntimeException what {@code apply} threw (the event is in the log)
   */
  long append(long entityId, int signalTypeId, float weight, long timestampNanos, WalEventSink apply);

  /**
   * Appends one event without waiting: returns its sequence number at once; it is as durable as the
   * database's durability mode asks once {@link #lastSequence()} reaches it ({@link #awaitAcknowledged}),
   * so that one producer can keep many appends in flight.
   */
  long appendPipelined(long entityId, int signalTypeId, float weight, long timestampNanos);

  /**
   * Appends {@code count} events as one atomic group (all in the log after a crash, or none) and
   * returns once the group is as durable as the database's durability mode asks and each of its
   * events handed to {@code apply}, as {@link #append} does.
   *
   * @return the sequence of the group's first event; the others follow it without a gap
   */
  long appendGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos, int count,
      WalEventSink apply);

  /**
   * {@link #appendGroup} without waiting: the arrays are copied and the first sequence returned at
   * once; the group is as durable as the mode asks once {@link #lastSequence()} reaches its last event.
   */
  long appendGroupPipelined(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos,
      int count);

  /**
   * Waits until {@link #lastSequence()} reaches {@code sequence}.
   *
   * @throws io.tidaldb.TidalDbException if the log stopped (failed or closed) before
   */
  void awaitAcknowledged(long sequence);

  /** {@return the most events one {@link #appendGroup} takes} */
  int maxGroup();

  /** {@return the last sequence acknowledged (0 before the first event)} */
  long lastSequence();

  /**
   * Throws if the calling thread must not record signals: the log's own writer thread, on which
   * actions chained on an append's future run. A write there could wait for the writer (a checkpoint
   * holding the write gate waits for it in turn).
   *
   * @throws IllegalStateException on such a thread
   */
  void refuseOnWriterThread(String what);

  /** {@return whether the calling thread is the log's own writer thread (see {@link #refuseOnWriterThread})} */
  boolean onWriterThread();

  /** {@return whether a thread of the log still runs or one of its files is still open} */
  boolean isRunning();

  @Override
  void close();
}

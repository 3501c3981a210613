package io.tidaldb.signal;

import java.util.concurrent.CompletableFuture;

/**
 * Where an accepted signal goes before the ledger: the write-ahead log of a persistent database, or
 * a plain sequence for an ephemeral one. Its arguments are exactly a WAL event's fields.
 *
 * <p>The write path appends first and applies to the ledger only once {@code append} returned (or
 * the future completed), so that the ledger never shows an event the log could lose.
 */
interface SignalLog extends AutoCloseable {

  /**
   * Appends one event and returns once it is as durable as the database's durability mode asks.
   *
   * @return the event's sequence number, from 1
   */
  long append(long entityId, int signalTypeId, float weight, long timestampNanos);

  /**
   * Appends one event; the future completes with its sequence number once it is as durable as the
   * database's durability mode asks, so that one producer can keep many appends in flight.
   */
  CompletableFuture<Long> appendAsync(long entityId, int signalTypeId, float weight, long timestampNanos);

  @Override
  void close();
}

package io.tidaldb;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a database has done since it was opened, and what it holds: a snapshot of its counters,
 * read by {@link TidalDb#stats()}. The meters of {@link io.tidaldb.metrics.TidalDbMetrics} are
 * made of these values.
 *
 * <pre>{@code
 * TidalDbStats stats = db.stats();
 * stats.lastSequence();        // the last acknowledged write's sequence
 * stats.ledgerEntries();       // (entity, signal) entries held
 * stats.lastCheckpointTime();  // Optional[2026-03-01T10:30:15Z]
 * }</pre>
 *
 * <p>Counts are since {@code open()} (a reopened database starts them at zero) unless said
 * otherwise. The log and checkpoint values are 0 (or empty) for an ephemeral database, which has
 * neither.
 *
 * @param lastSequence the sequence of the last acknowledged write, 0 before the first; it continues
 *     across reopening, so on a database just opened it is the number of signals ever recorded
 * @param signalWrites accepted writes per signal name, for every signal of the schema
 * @param signalReads reads: each score, window count or velocity, and each entity of a batch read
 * @param writeLatencySamples how many writes were timed: one in {@link Config#writeLatencySampling()}
 *     (64 unless {@link TidalDbBuilder#writeLatencySampling(int)} says otherwise), picked at random
 * @param writeLatencyNanos the total time of the timed writes, from the call until the event was
 *     durable and applied (for an asynchronous write, until its future completed)
 * @param ledgerEntries the (entity, signal) entries the ledger holds
 * @param ledgerEvictions entries evicted to make room since the database was opened
 * @param walSegments the write-ahead log's segment files
 * @param walBytesWritten bytes written to the write-ahead log since the database was opened
 * @param fsyncs fsyncs of log segments since the database was opened
 * @param fsyncNanos their total duration
 * @param checkpoints checkpoints completed since the database was opened
 * @param checkpointNanos their total duration
 * @param checkpointFailures checkpoints that failed since the database was opened
 * @param lastCheckpointSequence the sequence the last checkpoint covers (from an earlier run too); 0
 *     if none
 * @param lastCheckpointTime when the last checkpoint was taken (from an earlier run too), by the
 *     database's clock
 * @param lastCheckpointCurrent when the checkpoint in effect was last known to cover every
 *     acknowledged write, by the database's clock: when it was taken, or later, when the database
 *     opened with nothing after it or the periodic checkpoint found nothing written since (a
 *     checkpoint is skipped then); empty if never. {@code tidaldb.checkpoint.age} counts from it
 * @param walFailures failures that stopped the write-ahead log since the database was opened: 0, or 1
 *     once the log has stopped (it then refuses writes until the database is reopened)
 */
public record TidalDbStats(
    long lastSequence,
    Map<String, Long> signalWrites,
    long signalReads,
    long writeLatencySamples,
    long writeLatencyNanos,
    long ledgerEntries,
    long ledgerEvictions,
    int walSegments,
    long walBytesWritten,
    long fsyncs,
    long fsyncNanos,
    long checkpoints,
    long checkpointNanos,
    long checkpointFailures,
    long lastCheckpointSequence,
    Optional<Instant> lastCheckpointTime,
    Optional<Instant> lastCheckpointCurrent,
    long walFailures) {

  /**
   * Checks the components and makes the map unmodifiable.
   *
   * @param lastSequence the sequence of the last acknowledged write, 0 before the first; it continues
   *     across reopening, so on a database just opened it is the number of signals ever recorded
   * @param signalWrites accepted writes per signal name, for every signal of the schema
   * @param signalReads reads: each score, window count or velocity, and each entity of a batch read
   * @param writeLatencySamples how many writes were timed: one in {@link Config#writeLatencySampling()}
   *     (64 unless {@link TidalDbBuilder#writeLatencySampling(int)} says otherwise), picked at random
   * @param writeLatencyNanos the total time of the timed writes, from the call until the event was
   *     durable and applied (for an asynchronous write, until its future completed)
   * @param ledgerEntries the (entity, signal) entries the ledger holds
   * @param ledgerEvictions entries evicted to make room since the database was opened
   * @param walSegments the write-ahead log's segment files
   * @param walBytesWritten bytes written to the write-ahead log since the database was opened
   * @param fsyncs fsyncs of log segments since the database was opened
   * @param fsyncNanos their total duration
   * @param checkpoints checkpoints completed since the database was opened
   * @param checkpointNanos their total duration
   * @param checkpointFailures checkpoints that failed since the database was opened
   * @param lastCheckpointSequence the sequence the last checkpoint covers (from an earlier run too); 0
   *     if none
   * @param lastCheckpointTime when the last checkpoint was taken (from an earlier run too), by the
   *     database's clock
   * @param lastCheckpointCurrent when the checkpoint in effect was last known to cover every
   *     acknowledged write, by the database's clock: when it was taken, or later, when the database
   *     opened with nothing after it or the periodic checkpoint found nothing written since (a
   *     checkpoint is skipped then); empty if never. {@code tidaldb.checkpoint.age} counts from it
   * @param walFailures failures that stopped the write-ahead log since the database was opened: 0, or 1
   *     once the log has stopped (it then refuses writes until the database is reopened)
   */
  public TidalDbStats {
    signalWrites = Map.copyOf(Objects.requireNonNull(signalWrites, "signalWrites"));
    Objects.requireNonNull(lastCheckpointTime, "lastCheckpointTime");
    Objects.requireNonNull(lastCheckpointCurrent, "lastCheckpointCurrent");
  }

  /** {@return the accepted writes of every signal together} */
  public long totalSignalWrites() {
    return signalWrites.values().stream().mapToLong(Long::longValue).sum();
  }
}

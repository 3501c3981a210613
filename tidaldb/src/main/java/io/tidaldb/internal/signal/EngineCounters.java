package io.tidaldb.internal.signal;

import io.tidaldb.SignalSpec;
import io.tidaldb.TidalDbStats;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's counters and sizes, read one at a time (what a meter reads at a scrape, without
 * building the whole {@link TidalDbStats}) or all at once ({@link #snapshot()}, behind
 * {@code TidalDb.stats()}).
 */
public final class EngineCounters {

  private final List<SignalSpec> signals;
  private final LongAdder[] writes;
  private final ReadCounter reads;
  private final LongAdder latencySamples;
  private final LongAdder latencyNanos;
  private final SignalLedger ledger;
  private final SignalLog log;
  private final Checkpoints checkpoints;

  EngineCounters(List<SignalSpec> signals, LongAdder[] writes, ReadCounter reads, LongAdder latencySamples,
      LongAdder latencyNanos, SignalLedger ledger, SignalLog log, Checkpoints checkpoints) {
    this.signals = signals;
    this.writes = writes;
    this.reads = reads;
    this.latencySamples = latencySamples;
    this.latencyNanos = latencyNanos;
    this.ledger = ledger;
    this.log = log;
    this.checkpoints = checkpoints;
  }

  /** {@return the accepted writes of the signal with this id} */
  public long writes(int signalId) {
    return writes[signalId].sum();
  }

  /** {@return the signal reads (each entity of a batch read counts)} */
  public long reads() {
    return reads.sum();
  }

  /** {@return the (entity, signal) entries the ledger holds} */
  public long ledgerEntries() {
    return ledger.size();
  }

  /** {@return the ledger entries evicted to make room} */
  public long ledgerEvictions() {
    return ledger.evictions();
  }

  /** {@return the last acknowledged sequence of the log} */
  public long lastSequence() {
    return log.lastSequence();
  }

  /** {@return the log's segment files; 0 without a log} */
  public int walSegments() {
    return log instanceof WalLog wal ? wal.wal.segmentCount() : 0;
  }

  /** {@return the bytes written to the log; 0 without a log} */
  public long walBytesWritten() {
    return log instanceof WalLog wal ? wal.wal.bytesWritten() : 0;
  }

  /** {@return 1 if the log stopped after a failure, else 0} */
  public long walFailures() {
    return log instanceof WalLog wal && wal.wal.failure().isPresent() ? 1 : 0;
  }

  /** {@return the checkpoints that failed} */
  public long checkpointFailures() {
    return checkpoints.failures();
  }

  /** {@return when the checkpoint in effect was last known to cover every acknowledged write} */
  public Optional<Instant> lastCheckpointCurrent() {
    return checkpoints.lastCurrent();
  }

  /** {@return every counter and size, read now} */
  public TidalDbStats snapshot() {
    Map<String, Long> perSignal = new HashMap<>();
    for (SignalSpec signal : signals) {
      perSignal.put(signal.name(), writes[signal.id()].sum());
    }
    int segments = 0;
    long bytes = 0;
    long fsyncs = 0;
    long fsyncNanos = 0;
    long walFailures = 0;
    if (log instanceof WalLog wal) {
      walFailures = wal.wal.failure().isPresent() ? 1 : 0;
      segments = wal.wal.segmentCount();
      bytes = wal.wal.bytesWritten();
      fsyncs = wal.fsyncs.count();
      fsyncNanos = wal.fsyncs.nanos();
    }
    Checkpoints c = checkpoints;
    // The checkpoint in effect first, then the counters: a checkpoint is published after it is counted.
    long checkpointSequence = c.lastSequence();
    Optional<Instant> checkpointTime = c.lastTime();
    Optional<Instant> checkpointCurrent = c.lastCurrent();
    return new TidalDbStats(log.lastSequence(), perSignal, reads.sum(), latencySamples.sum(), latencyNanos.sum(),
        ledger.size(), ledger.evictions(), segments, bytes, fsyncs, fsyncNanos,
        c.completed(), c.totalNanos(), c.failures(),
        checkpointSequence, checkpointTime, checkpointCurrent, walFailures);
  }
}

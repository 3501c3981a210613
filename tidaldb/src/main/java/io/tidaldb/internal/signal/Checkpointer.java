package io.tidaldb.internal.signal;

import io.tidaldb.DatabaseClosedException;
import io.tidaldb.TidalHome;
import io.tidaldb.internal.LatencyRecorder;
import io.tidaldb.internal.Threads;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes checkpoints of a persistent database: on demand ({@link #checkpoint()}) and every interval
 * on a daemon thread, {@code tidaldb-checkpoint-<partition>}, that {@link #close()} stops.
 *
 * <p>A checkpoint at sequence {@code S}:
 * <ol>
 *   <li>closes the {@link WriteGate} (waits until no write is between its log append and its ledger
 *       apply), reads {@code S}, the log's last sequence, marks every stripe of the ledger for
 *       capture ({@link LedgerCapture}), and opens the gate again;
 *   <li>captures the stripes that no writer captured first, and writes {@code ledger-S.snap}
 *       atomically;
 *   <li>records {@code S} in {@code checkpoint.meta} ({@link Wal#checkpoint(long)}, which makes the
 *       log durable up to {@code S} first);
 *   <li>deletes the older snapshots, then the WAL segments wholly below {@code S + 1}.
 * </ol>
 * A snapshot newer than {@code S} is never deleted: it is not this checkpoint's to judge (a crash
 * between 2 and 3 leaves one, which recovery ignores and the first checkpoint past it deletes; a log
 * that is not the home's own would otherwise delete the home's snapshot). A failure at any step
 * leaves the previous checkpoint whole; it is counted and logged, and the periodic thread tries
 * again at the next interval (also when nothing was written since). Until a checkpoint succeeds,
 * {@link #failure()} reports it, and the database's health check fails.
 */
final class Checkpointer implements Checkpoints {

  private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

  private final Wal wal;
  private final SignalLedger ledger;
  private final WriteGate gate;
  private final TidalHome home;
  private final Clock clock;
  private final Duration interval;
  private final String threadName;
  private final LatencyRecorder latency;
  private final SourcePosition position;

  /** One checkpoint at a time; held for a whole checkpoint. */
  private final ReentrantLock running = new ReentrantLock();
  /** Guards {@link #stopping} for the periodic thread's wait. */
  private final ReentrantLock timer = new ReentrantLock();
  private final Condition stopped = timer.newCondition();
  private boolean stopping;
  private boolean closed;
  private volatile Thread thread;

  private volatile long completed;
  private volatile long totalNanos;
  /**
   * The checkpoint in effect as the counters know it: published after {@link #completed} counts it,
   * so that whoever reads this first and the counters after sees them agree.
   */
  private volatile Optional<CheckpointMeta> published;
  private volatile long failures;
  /**
   * When the checkpoint in effect was last found to cover every acknowledged write (on open, or by the
   * periodic thread finding nothing new); null until then.
   */
  private volatile Instant confirmed;
  /** The checkpoint that failed last, until a later one succeeds; null when the last one succeeded. */
  private volatile Failure failure;

  /**
   * A checkpoint that failed and has not been followed by a successful one.
   *
   * @param sequence the sequence it was to cover
   * @param cause why it failed
   */
  record Failure(long sequence, Throwable cause) {}

  Checkpointer(Wal wal, SignalLedger ledger, WriteGate gate, TidalHome home, Clock clock, Duration interval,
      String partitionId, LatencyRecorder latency, SourcePosition position) {
    this.position = position;
    this.wal = wal;
    this.ledger = ledger;
    this.gate = gate;
    this.home = home;
    this.clock = clock;
    this.interval = interval;
    this.threadName = "tidaldb-checkpoint-" + partitionId;
    this.latency = latency;
    this.published = wal.lastCheckpoint();
    this.confirmed = wal.lastSequence() == lastSequence() ? clock.instant() : null;
  }

  /** Starts the periodic thread, unless the interval is zero (periodic checkpoints off). */
  void start() {
    if (interval.isZero()) {
      return;
    }
    thread = new Thread(this::runPeriodically, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  private void runPeriodically() {
    long period = interval.toNanos();
    while (true) {
      timer.lock();
      try {
        long left = period;
        while (!stopping && left > 0) {
          try {
            left = stopped.awaitNanos(left);
          } catch (InterruptedException e) {
            // Only close() stops this thread.
          }
        }
        if (stopping) {
          return;
        }
      } finally {
        timer.unlock();
      }
      if (wal.failure().isPresent()) {
        continue;   // the log has stopped: only a reopen helps
      }
      if (failure == null && wal.lastSequence() == lastSequence()) {
        confirmed = clock.instant();   // nothing is new and nothing to retry: the checkpoint in effect is current
        continue;
      }
      try {
        checkpoint();
      } catch (DatabaseClosedException e) {
        return;
      } catch (RuntimeException | Error e) {
        // Counted and logged in take() (an OutOfMemoryError while the snapshot is built included):
        // the next interval tries again.
      }
    }
  }

  /**
   * Takes a checkpoint now.
   *
   * @return the sequence it covers: every event up to it is in the snapshot
   * @throws DatabaseClosedException if the database is closed
   * @throws io.tidaldb.StorageException if a file cannot be written; the previous checkpoint is intact
   * @throws IllegalStateException on the WAL's writer thread, which the checkpoint waits for
   */
  @Override
  public long checkpoint() {
    wal.refuseOnWriterThread("checkpoint()");
    running.lock();
    try {
      if (closed) {
        throw new DatabaseClosedException("the checkpoints of " + home.base());
      }
      return take();
    } finally {
      running.unlock();
    }
  }

  private long take() {
    long start = System.nanoTime();
    long sequence;
    LedgerCapture capture;
    long sourcePosition;
    gate.close();
    try {
      sequence = wal.lastSequence();
      sourcePosition = position.get();   // with the gate closed, the position of exactly the events up to sequence
      capture = ledger.beginCapture();
    } finally {
      gate.open();
    }
    long pause = System.nanoTime() - start;
    Path file = home.ledgerSnapshot(sequence);
    LedgerSnapshot.Header header;
    try {
      capture.finish();
      Instant now = clock.instant();
      clearStrayInterrupt();
      header = LedgerSnapshotWriter.write(capture, sequence, sourcePosition, WalEvent.epochNanos(now), file);
      clearStrayInterrupt();
      wal.checkpoint(sequence, now);   // the same time: no clock read (where an interrupt could land) after the clear
      failure = null;
    } catch (RuntimeException | Error e) {
      capture.abandon();
      failures = failures + 1;
      if (!(e instanceof DatabaseClosedException)) {
        failure = new Failure(sequence, e);
      }
      LOG.log(System.Logger.Level.WARNING, "checkpoint at sequence " + sequence + " of " + home.base() + " failed;"
          + " the previous checkpoint (sequence " + lastSequence() + ") stays in effect and the log keeps every event"
          + " after it: " + e.getMessage(), e);
      throw e;
    }
    clearStrayInterrupt();
    int segments = CheckpointCleanup.removeCovered(home, wal, sequence);
    long took = System.nanoTime() - start;
    totalNanos = totalNanos + took;
    completed = completed + 1;
    published = wal.lastCheckpoint();
    latency.record(took);
    LOG.log(System.Logger.Level.DEBUG, () -> "checkpoint at sequence " + sequence + ": " + header.entries()
        + " entries, " + header.bytes() + " bytes in " + file.getFileName() + ", " + segments
        + " WAL segments removed; " + TimeUnit.NANOSECONDS.toMillis(took) + " ms, writes paused "
        + TimeUnit.NANOSECONDS.toMicros(pause) + " µs");
    return sequence;
  }

  /**
   * On the periodic thread, clears an interrupt before file I/O: a FileChannel closes itself when an
   * interrupted thread uses it ({@code ClosedByInterruptException}), which would fail the checkpoint.
   * Only {@link #close()} stops that thread, so an interrupt there is stray and ignored. (One that
   * lands in the middle of a write still fails that checkpoint; the next interval tries again.) On a
   * caller's thread ({@code TidalDb.checkpoint()}) the interrupt is the caller's, and stays.
   */
  private void clearStrayInterrupt() {
    if (onCheckpointThread()) {
      Thread.interrupted();
    }
  }

  /** {@return the sequence of the checkpoint in effect, 0 if none} */
  @Override
  public long lastSequence() {
    return published.map(CheckpointMeta::sequence).orElse(0L);
  }

  /** {@return when the checkpoint in effect was taken} */
  @Override
  public Optional<Instant> lastTime() {
    return published.map(CheckpointMeta::time);
  }

  /**
   * {@return when the checkpoint in effect was last known to cover every acknowledged write: when it
   * was taken, or later, when the database opened with nothing after it or the periodic thread found
   * nothing written since}
   */
  @Override
  public Optional<Instant> lastCurrent() {
    Optional<Instant> taken = lastTime();
    Instant seen = confirmed;
    if (seen == null) {
      return taken;
    }
    return Optional.of(taken.filter(t -> t.isAfter(seen)).orElse(seen));
  }

  @Override
  public long completed() {
    return completed;
  }

  /** {@return whether the calling thread is the periodic checkpoint thread} */
  @Override
  public boolean onCheckpointThread() {
    Thread t = thread;
    return t != null && t == Thread.currentThread();
  }

  /** {@return whether the periodic thread still runs} */
  @Override
  public boolean isRunning() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  @Override
  public long totalNanos() {
    return totalNanos;
  }

  @Override
  public long failures() {
    return failures;
  }

  /** {@return the checkpoint that failed last, if no checkpoint has succeeded since} */
  @Override
  public Optional<Failure> failure() {
    return Optional.ofNullable(failure);
  }

  /** Stops the periodic thread, waits for a checkpoint under way, and refuses later ones. Idempotent. */
  @Override
  public void close() {
    timer.lock();
    try {
      stopping = true;
      stopped.signalAll();
    } finally {
      timer.unlock();
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      Threads.joinUninterruptibly(t);
    }
    running.lock();
    try {
      closed = true;
    } finally {
      running.unlock();
    }
  }
}

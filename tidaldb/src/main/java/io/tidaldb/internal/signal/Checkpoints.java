package io.tidaldb.internal.signal;

import java.time.Instant;
import java.util.Optional;

/**
 * The checkpoints of an engine, as the engine reads them: the {@link Checkpointer} of a persistent
 * home, or {@link #NONE} for an ephemeral database (or a read-only one), which has nothing on disk
 * to recover from.
 */
interface Checkpoints extends AutoCloseable {

  /** No checkpoints: an ephemeral database's. {@link #checkpoint()} is refused; the rest reads zero. */
  Checkpoints NONE = new Checkpoints() {
    @Override
    public long checkpoint() {
      throw new UnsupportedOperationException("checkpoint() needs a persistent database: an ephemeral one keeps"
          + " nothing on disk to recover from");
    }

    @Override
    public long lastSequence() {
      return 0;
    }

    @Override
    public Optional<Instant> lastTime() {
      return Optional.empty();
    }

    @Override
    public Optional<Instant> lastCurrent() {
      return Optional.empty();
    }

    @Override
    public long completed() {
      return 0;
    }

    @Override
    public long totalNanos() {
      return 0;
    }

    @Override
    public long failures() {
      return 0;
    }

    @Override
    public Optional<Checkpointer.Failure> failure() {
      return Optional.empty();
    }

    @Override
    public boolean onCheckpointThread() {
      return false;
    }

    @Override
    public boolean isRunning() {
      return false;
    }

    @Override
    public void close() {}
  };

  /**
   * Takes a checkpoint now.
   *
   * @return the sequence it covers
   * @throws UnsupportedOperationException for an ephemeral database
   */
  long checkpoint();

  /** {@return the sequence of the checkpoint in effect, 0 if none} */
  long lastSequence();

  /** {@return when the checkpoint in effect was taken} */
  Optional<Instant> lastTime();

  /** {@return when the checkpoint in effect was last known to cover every acknowledged write} */
  Optional<Instant> lastCurrent();

  /** {@return the checkpoints completed} */
  long completed();

  /** {@return the time spent in completed checkpoints} */
  long totalNanos();

  /** {@return the checkpoints that failed} */
  long failures();

  /** {@return the checkpoint that failed last, if no checkpoint has succeeded since} */
  Optional<Checkpointer.Failure> failure();

  /** {@return whether the calling thread is the periodic checkpoint thread} */
  boolean onCheckpointThread();

  /** {@return whether the periodic thread still runs} */
  boolean isRunning();

  /** Stops the checkpoints. Idempotent. */
  @Override
  void close();
}

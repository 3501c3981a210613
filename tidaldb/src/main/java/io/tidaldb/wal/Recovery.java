package io.tidaldb.wal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Wal#open(WalConfig)} found and did before accepting appends.
 *
 * <pre>{@code
 * try (Wal wal = Wal.open(WalConfig.of(home.wal()))) {
 *   Recovery recovery = wal.recovery();
 *   recovery.truncation().ifPresent(t -> log.warn("cut " + t.bytesRemoved() + " bytes at " + t.file() + "@" + t.offset()));
 *   long from = recovery.checkpoint().map(CheckpointMeta::sequence).orElse(0L) + 1;
 *   wal.replay(from, ledger::apply);   // recovery.eventsAfterCheckpoint() events
 * }
 * }</pre>
 *
 * <p>Recovery validates every batch after the checkpoint but keeps none of them in memory: the
 * events themselves are read with {@link Wal#replay(long, WalEventSink)}.
 *
 * @param checkpoint the checkpoint read from {@code checkpoint.meta}, if there is one
 * @param firstSequence the first sequence still in the log; 0 if the log has no segment
 * @param lastSequence the last sequence in the log after recovery; 0 if it holds no event
 * @param nextSequence the sequence the next append gets
 * @param eventsAfterCheckpoint how many events follow the checkpoint (what a replay delivers)
 * @param segments how many segments the log has after recovery
 * @param truncation what was cut off, if anything
 * @param unknownFiles entries of the WAL directory that are not part of the log (left alone)
 */
public record Recovery(
    Optional<CheckpointMeta> checkpoint,
    long firstSequence,
    long lastSequence,
    long nextSequence,
    long eventsAfterCheckpoint,
    int segments,
    Optional<Truncation> truncation,
    List<Path> unknownFiles) {

  /**
   * Checks the components and makes the list unmodifiable.
   *
   * @param checkpoint the checkpoint read from {@code checkpoint.meta}, if there is one
   * @param firstSequence the first sequence still in the log; 0 if the log has no segment
   * @param lastSequence the last sequence in the log after recovery; 0 if it holds no event
   * @param nextSequence the sequence the next append gets
   * @param eventsAfterCheckpoint how many events follow the checkpoint (what a replay delivers)
   * @param segments how many segments the log has after recovery
   * @param truncation what was cut off, if anything
   * @param unknownFiles entries of the WAL directory that are not part of the log (left alone)
   */
  public Recovery {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(truncation, "truncation");
    unknownFiles = List.copyOf(unknownFiles);
  }

  /**
   * What recovery cut off: a torn tail (always), or everything from the first corruption on (only
   * with {@link CorruptionPolicy#TRUNCATE}).
   *
   * @param problem why, and where the cut is: the segment and the offset the log now ends at
   * @param bytesRemoved how many bytes were removed, deleted segments included
   * @param deletedSegments the segments deleted because they followed the cut
   */
  public record Truncation(WalProblem problem, long bytesRemoved, List<Path> deletedSegments) {

    /**
     * Checks the components and makes the list unmodifiable.
     *
     * @param problem why, and where the cut is: the segment and the offset the log now ends at
     * @param bytesRemoved how many bytes were removed, deleted segments included
     * @param deletedSegments the segments deleted because they followed the cut
     */
    public Truncation {
      Objects.requireNonNull(problem, "problem");
      deletedSegments = List.copyOf(deletedSegments);
    }

    /** {@return the segment that was cut} */
    public Path file() {
      return problem.file();
    }

    /** {@return the offset the cut segment now ends at (or was cut from)} */
    public long offset() {
      return problem.offset();
    }
  }
}

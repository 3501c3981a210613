package io.tidaldb.wal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link WalReader} found in a log: its segments, the files that are not part of it, how much
 * it read, the range of sequences, and the first problem, if any.
 *
 * <pre>{@code
 * ScanResult result = WalReader.of(home.wal()).verify();
 * if (result.problem().map(p -> p.kind() == WalProblem.Kind.CORRUPTION).orElse(false)) {
 *   System.exit(3);
 * }
 * }</pre>
 *
 * @param segments every segment of the directory, oldest first
 * @param unknownFiles entries of the directory that are neither segments nor checkpoint files
 * @param batches how many valid batches were read
 * @param events how many events those batches hold
 * @param bytes how many bytes of valid data were read (headers included)
 * @param firstSequence the first sequence of the log (of its oldest segment); 0 if there are no segments
 * @param lastSequence the last sequence of valid data read; {@code firstSequence - 1} (or 0) if none
 * @param problem the first problem found, where the read stopped; empty if the log is clean
 */
public record ScanResult(
    List<Segment> segments,
    List<Path> unknownFiles,
    long batches,
    long events,
    long bytes,
    long firstSequence,
    long lastSequence,
    Optional<WalProblem> problem) {

  /**
   * Checks the components and makes the lists unmodifiable.
   *
   * @param segments every segment of the directory, oldest first
   * @param unknownFiles entries of the directory that are neither segments nor checkpoint files
   * @param batches how many valid batches were read
   * @param events how many events those batches hold
   * @param bytes how many bytes of valid data were read (headers included)
   * @param firstSequence the first sequence of the log (of its oldest segment); 0 if there are no segments
   * @param lastSequence the last sequence of valid data read; {@code firstSequence - 1} (or 0) if none
   * @param problem the first problem found, where the read stopped; empty if the log is clean
   */
  public ScanResult {
    segments = List.copyOf(segments);
    unknownFiles = List.copyOf(unknownFiles);
    Objects.requireNonNull(problem, "problem");
  }

  /** {@return true if the read found no problem (unknown files are not a problem)} */
  public boolean isClean() {
    return problem.isEmpty();
  }
}

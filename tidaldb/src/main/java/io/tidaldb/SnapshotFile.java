package io.tidaldb;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a ledger snapshot file, {@code ledger-<sequence>.snap} with the sequence in 20
 * zero-padded digits, so that names sort by sequence: the one place that writes and reads that
 * name, as {@code wal.Segment} does for log segments. {@link TidalHome#ledgerSnapshot(long)} and
 * {@link TidalHome#ledgerSnapshotSequence(Path)} are its public face.
 *
 * @param sequence the last write-ahead log sequence the snapshot reflects, at least 0
 */
record SnapshotFile(long sequence) implements Comparable<SnapshotFile> {

  private static final String PREFIX = "ledger-";
  private static final String SUFFIX = ".snap";
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "([0-9]{20})" + Pattern.quote(SUFFIX));

  /** Checks the sequence. */
  SnapshotFile {
    if (sequence < 0) {
      throw new IllegalArgumentException("a ledger snapshot's sequence is 0 or more, not " + sequence);
    }
  }

  /** {@return the file name, such as {@code ledger-00000000000000001234.snap}} */
  String fileName() {
    return PREFIX + String.format("%020d", sequence) + SUFFIX;
  }

  /**
   * The snapshot a file name says, if it is exactly a ledger snapshot's.
   *
   * @param file a path; only its last element counts
   * @return the snapshot's name, or empty
   */
  static Optional<SnapshotFile> parse(Path file) {
    Path name = file.getFileName();
    Matcher matcher = name == null ? null : NAME.matcher(name.toString());
    if (matcher == null || !matcher.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SnapshotFile(Long.parseLong(matcher.group(1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public int compareTo(SnapshotFile other) {
    return Long.compare(sequence, other.sequence);
  }
}

package io.tidaldb.wal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One segment file of the log, named after the sequence number of its first event:
 * {@code wal-{first_seq:020}.seg}, zero-padded to 20 digits so that names sort by sequence.
 *
 * <pre>{@code
 * Segment.fileName(201);                                   // "wal-00000000000000000201.seg"
 * Segment.parse(dir.resolve("wal-00000000000000000201.seg")).orElseThrow().firstSequence();  // 201
 * Segment.parse(dir.resolve("notes.txt"));                 // Optional.empty()
 * }</pre>
 *
 * <p>This is the one place the naming rule lives. Segments order by first sequence.
 *
 * @param path the segment file
 * @param firstSequence the sequence number of the segment's first event, at least 1
 */
public record Segment(Path path, long firstSequence) implements Comparable<Segment> {

  private static final String PREFIX = "wal-";
  private static final String SUFFIX = ".seg";
  private static final int DIGITS = 20;

  /**
   * Checks that the path carries the name the first sequence gives.
   *
   * @param path the segment file
   * @param firstSequence the sequence number of the segment's first event, at least 1
   * @throws IllegalArgumentException if the sequence is below 1 or the file name does not match it
   */
  public Segment {
    Objects.requireNonNull(path, "path");
    if (firstSequence < 1) {
      throw new IllegalArgumentException("a segment's first sequence is at least 1, not " + firstSequence);
    }
    Path name = path.getFileName();
    if (name == null || !name.toString().equals(fileName(firstSequence))) {
      throw new IllegalArgumentException(path + " is not named " + fileName(firstSequence));
    }
  }

  /**
   * The segment starting at {@code firstSequence} in {@code dir}.
   *
   * @param dir the WAL directory
   * @param firstSequence the sequence number of its first event
   * @return the segment (nothing is read or written)
   */
  public static Segment of(Path dir, long firstSequence) {
    return new Segment(dir.resolve(fileName(firstSequence)), firstSequence);
  }

  /**
   * The file name of the segment starting at {@code firstSequence}.
   *
   * @param firstSequence the sequence number of its first event, at least 1
   * @return a name such as {@code wal-00000000000000000001.seg}
   */
  public static String fileName(long firstSequence) {
    if (firstSequence < 1) {
      throw new IllegalArgumentException("a segment's first sequence is at least 1, not " + firstSequence);
    }
    String digits = Long.toString(firstSequence);
    return PREFIX + "0".repeat(DIGITS - digits.length()) + digits + SUFFIX;
  }

  /**
   * Reads a path as a segment, if its name is exactly a segment's name.
   *
   * @param file any path
   * @return the segment, or empty when the name is not {@code wal-} + 20 digits + {@code .seg}
   *     naming a sequence of at least 1
   */
  public static Optional<Segment> parse(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return Optional.empty();
    }
    String text = name.toString();
    if (text.length() != PREFIX.length() + DIGITS + SUFFIX.length() || !text.startsWith(PREFIX) || !text.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    long value = 0;
    for (int i = PREFIX.length(); i < PREFIX.length() + DIGITS; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
      int digit = c - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        return Optional.empty();
      }
      value = value * 10 + digit;
    }
    return value < 1 ? Optional.empty() : Optional.of(new Segment(file, value));
  }

  /** {@return the segment's file name} */
  public String fileName() {
    return path.getFileName().toString();
  }

  @Override
  public int compareTo(Segment other) {
    int bySequence = Long.compare(firstSequence, other.firstSequence);
    return bySequence != 0 ? bySequence : path.compareTo(other.path);
  }
}

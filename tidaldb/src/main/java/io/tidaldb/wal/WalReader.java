package io.tidaldb.wal;

import io.tidaldb.StorageException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads a WAL directory without changing it: checks every batch, walks the batches, or streams the
 * events of a range of sequences. This is the code recovery itself uses; tools such as
 * {@code tidalctl wal dump} and {@code tidalctl wal verify} need no format knowledge of their own.
 *
 * <pre>{@code
 * WalReader reader = WalReader.of(home.wal());
 * ScanResult result = reader.verify();                           // every batch checked
 * reader.scan(batch -> print(batch.firstSequence(), batch.events()));
 * reader.events(100, 200, (seq, entity, type, weight, ts) -> print(seq, entity));
 * }</pre>
 *
 * <p>A reader never writes: it creates nothing (not even the directory), truncates nothing, and
 * takes no lock, so it is safe on a copy, on a read-only disk, and beside a live process (whose
 * newest batch it may see as a torn tail). It streams: memory stays at a 1 MiB window plus the
 * largest batch, whatever the size of the log. Each call reads the directory afresh; the reader
 * holds no open file between calls and needs no closing.
 *
 * <p>A call reads until the end of the log or the first problem, and reports that problem in its
 * {@link ScanResult} rather than throwing: a torn tail ({@link WalProblem.Kind#TORN_TAIL}) is
 * told apart from corruption ({@link WalProblem.Kind#CORRUPTION}) by the same rule recovery applies.
 * Only an I/O failure throws ({@link StorageException}).
 */
public final class WalReader {

  private final Path dir;

  private WalReader(Path dir) {
    this.dir = dir;
  }

  /**
   * A reader of the WAL in {@code dir}. Nothing is read yet.
   *
   * @param dir the WAL directory (for a home, {@code home.wal()})
   * @return the reader
   */
  public static WalReader of(Path dir) {
    return new WalReader(Objects.requireNonNull(dir, "dir"));
  }

  /** {@return the WAL directory this reader reads} */
  public Path dir() {
    return dir;
  }

  /**
   * Checks every batch of every segment: headers, sequence continuity, checksums.
   *
   * @return what was found; {@link ScanResult#isClean()} if nothing is wrong
   * @throws StorageException if a file cannot be read
   */
  public ScanResult verify() {
    return new LogScanner(WalSegments.listing(dir)).run().result();
  }

  /**
   * Hands every valid batch to {@code visitor}, in log order, until the end or the first problem.
   *
   * @param visitor receives each batch; the {@link WalBatch} is valid only during the call
   * @return what was found
   * @throws StorageException if a file cannot be read
   */
  public ScanResult scan(Consumer<WalBatch> visitor) {
    return scan(1, Long.MAX_VALUE, visitor);
  }

  /**
   * Hands the valid batches holding any sequence in {@code [fromSequence, toSequence]} to
   * {@code visitor}, in log order. Segments wholly before the range are not read (only their
   * headers are checked), the batches of the segment holding {@code fromSequence} are all checked,
   * and nothing after {@code toSequence} is read, so a problem there is not reported.
   *
   * @param fromSequence the first sequence of interest
   * @param toSequence the last sequence of interest (inclusive)
   * @param visitor receives each batch; the {@link WalBatch} is valid only during the call
   * @return what was found
   * @throws IllegalArgumentException if {@code fromSequence > toSequence}
   * @throws StorageException if a file cannot be read
   */
  public ScanResult scan(long fromSequence, long toSequence, Consumer<WalBatch> visitor) {
    checkRange(fromSequence, toSequence);
    Objects.requireNonNull(visitor, "visitor");
    return new LogScanner(WalSegments.listing(dir)).skipSegmentsBelow(fromSequence).upTo(toSequence)
        .visitor(batch -> {
          if (batch.lastSequence() >= fromSequence) {
            visitor.accept(batch);
          }
        }).run().result();
  }

  /**
   * Hands every event with a sequence in {@code [fromSequence, toSequence]} to {@code sink}, in
   * order, without allocating per event. Segments wholly before the range are not read (only
   * their headers are checked); nothing after {@code toSequence} is read.
   *
   * @param fromSequence the first sequence wanted
   * @param toSequence the last sequence wanted (inclusive); {@code Long.MAX_VALUE} for all
   * @param sink receives each event
   * @return what was found
   * @throws IllegalArgumentException if {@code fromSequence > toSequence}
   * @throws StorageException if a file cannot be read
   */
  public ScanResult events(long fromSequence, long toSequence, WalEventSink sink) {
    checkRange(fromSequence, toSequence);
    Objects.requireNonNull(sink, "sink");
    return new LogScanner(WalSegments.listing(dir)).skipSegmentsBelow(fromSequence).upTo(toSequence)
        .sink(fromSequence, toSequence, sink).run().result();
  }

  private static void checkRange(long from, long to) {
    if (from > to) {
      throw new IllegalArgumentException("the range [" + from + ", " + to + "] is empty: from must not exceed to");
    }
  }

  @Override
  public String toString() {
    return "WalReader(" + dir + ")";
  }
}

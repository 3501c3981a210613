package io.tidaldb.wal;

import io.tidaldb.CorruptionException;
import io.tidaldb.StorageException;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recovery of a WAL directory when {@link Wal#open} opens it (docs/DURABILITY.md, "Recovery"): deletes
 * a leftover {@code checkpoint.meta.tmp}, reads the checkpoint, validates every batch after it, cuts a
 * torn tail (or, under {@link CorruptionPolicy#TRUNCATE}, the log at a corruption), and readies the
 * last segment for appending. Every check that can refuse comes before anything on disk is changed.
 */
final class WalRecovery {

  private static final System.Logger LOG = System.getLogger(Wal.class.getName());

  private WalRecovery() {}

  /**
   * What recovery leaves for the log to go on with.
   *
   * @param recovery the report
   * @param segments the segments, in sequence order (mutable: the log's segment list starts from it)
   * @param appendTo the segment to append to, or null to start a new one with the first batch
   * @param lastEnd the size of {@code appendTo}
   */
  record Recovered(Recovery recovery, List<Segment> segments, Segment appendTo, long lastEnd) {}

  static Recovered run(WalConfig config) {
    Path dir = config.dir();
    try {
      DurableFiles.deleteTemporaries(dir, target -> target.getFileName().toString().equals(CheckpointMeta.FILE_NAME));
    } catch (IOException e) {
      throw new StorageException("cannot remove the leftover " + CheckpointMeta.TEMP_FILE_NAME + " in " + dir, e);
    }
    Optional<CheckpointMeta> checkpoint = CheckpointMeta.read(dir);
    long checkpointSeq = checkpoint.map(CheckpointMeta::sequence).orElse(0L);
    WalSegments.Listing listing = WalSegments.listing(dir);
    if (!listing.unknownFiles().isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "the WAL directory " + dir + " holds files that are not part of the log;"
          + " they are left alone: " + listing.unknownFiles());
    }
    LogScanner.ScanEnd outcome = new LogScanner(listing).skipSegmentsBelow(checkpointSeq + 1).run();
    List<Segment> segments = new ArrayList<>(listing.segments());
    long lastSeq = outcome.result().lastSequence();
    Optional<Recovery.Truncation> truncation = Optional.empty();
    Optional<WalProblem> problem = outcome.problem();
    if (problem.isPresent()) {
      WalProblem p = problem.get();
      if (outcome.refuseAlways()
          || (p.kind() == WalProblem.Kind.CORRUPTION && config.corruptionPolicy() == CorruptionPolicy.FAIL)) {
        throw outcome.toException();
      }
    }
    // Every check that can refuse comes before anything on disk is changed.
    if (!segments.isEmpty() && segments.get(0).firstSequence() > checkpointSeq + 1) {
      throw new CorruptionException(segments.get(0).path(), 0, "the log starts at sequence "
          + segments.get(0).firstSequence() + " but the checkpoint covers only up to " + checkpointSeq
          + ": older segments are missing");
    }
    if (checkpointSeq > lastSeq) {
      throw new CorruptionException(dir.resolve(CheckpointMeta.FILE_NAME), WalFormat.C_SEQUENCE, "the checkpoint is at"
          + " sequence " + checkpointSeq + " but the log " + (problem.isPresent() ? "would end" : "ends") + " at "
          + lastSeq + ": segments are missing or damaged below the checkpoint");
    }
    if (problem.isPresent()) {
      WalProblem p = problem.get();
      truncation = Optional.of(cut(dir, segments, outcome.endSegment(), p, lastSeq + 1));
      Recovery.Truncation t = truncation.get();
      LOG.log(p.kind() == WalProblem.Kind.TORN_TAIL ? System.Logger.Level.WARNING : System.Logger.Level.ERROR,
          (p.kind() == WalProblem.Kind.TORN_TAIL ? "cut a torn tail off the WAL: " : "cut the WAL at a corruption: ")
          + p.file() + " at offset " + p.offset() + " (" + p.detail() + "); " + t.bytesRemoved() + " bytes removed"
          + (t.deletedSegments().isEmpty() ? "" : ", segments deleted: " + t.deletedSegments()));
    }
    long first = segments.isEmpty() ? 0 : segments.get(0).firstSequence();
    Segment appendTo = null;
    long lastEnd = 0;
    if (!segments.isEmpty()) {
      Segment last = segments.get(segments.size() - 1);
      try {
        appendTo = readyForAppending(last, outcome.preparedFrom(), config);
        lastEnd = Files.size(last.path());
      } catch (IOException e) {
        throw new StorageException("cannot ready the last segment " + last.path() + " for appending", e);
      }
    }
    Recovery recovery = new Recovery(checkpoint, first, lastSeq, lastSeq + 1, lastSeq - checkpointSeq,
        segments.size(), truncation, listing.unknownFiles());
    return new Recovered(recovery, segments, appendTo, lastEnd);
  }

  /**
   * Readies the last segment, as recovery left it, for appending. Fsyncs it (and tells the fsync
   * listener): the previous process may have written its tail without an fsync (interval mode, then
   * a crash), and the next batch's durable mark says that everything before it is durable. A
   * segment of an older format version takes no batch of the current one: if it holds no batch it
   * gets a fresh header, otherwise the writer starts a new segment with its first batch. Space a
   * writer had prepared ahead of its batches ({@link WalFormat#PREPARED}) is cut off first, as its
   * {@code close()} would have: the log's end, not a problem, so not reported.
   *
   * @param preparedFrom where the prepared space starts, or -1 if the segment has none
   * @return the segment to append to, or null to start a new one
   */
  private static Segment readyForAppending(Segment last, long preparedFrom, WalConfig config) throws IOException {
    try (FileChannel channel = FileChannel.open(last.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (preparedFrom >= 0) {
        channel.truncate(preparedFrom);
      }
      ByteBuffer header = WalFormat.allocate(WalFormat.SEGMENT_HEADER_SIZE);
      for (int n = 0; n >= 0 && header.hasRemaining(); ) {
        n = channel.read(header, header.position());
      }
      int version = header.getShort(WalFormat.SEG_VERSION) & 0xFFFF;
      boolean current = version == WalFormat.VERSION;
      if (!current && channel.size() == WalFormat.SEGMENT_HEADER_SIZE) {
        writeFreshHeader(channel, last.firstSequence());
        current = true;
      }
      WalWriter.force(channel, config);
      return current ? last : null;
    }
  }

  /** Replaces whatever a segment holds by the header of an empty segment of the current format version. */
  private static void writeFreshHeader(FileChannel channel, long firstSequence) throws IOException {
    channel.truncate(0);
    ByteBuffer header = WalFormat.allocate(WalFormat.SEGMENT_HEADER_SIZE);
    WalFormat.writeSegmentHeader(header, firstSequence);
    DurableFiles.writeFully(channel, header, 0);
  }

  /**
   * Cuts the log at a problem: truncates its segment there and deletes every later segment. A
   * segment cut inside its header gets a fresh header if it is still where the next event goes, and
   * is deleted otherwise.
   */
  private static Recovery.Truncation cut(Path dir, List<Segment> segments, int at, WalProblem problem, long nextSeq) {
    long removed = 0;
    List<Path> deleted = new ArrayList<>();
    try {
      for (int i = segments.size() - 1; i > at; i--) {
        Path path = segments.remove(i).path();
        removed += Files.size(path);
        Files.delete(path);
        deleted.add(0, path);
      }
      Segment segment = segments.get(at);
      long size = Files.size(segment.path());
      removed += size - problem.offset();
      if (problem.offset() < WalFormat.SEGMENT_HEADER_SIZE && segment.firstSequence() != nextSeq) {
        Files.delete(segment.path());
        segments.remove(at);
        deleted.add(0, segment.path());
      } else {
        try (FileChannel channel = FileChannel.open(segment.path(), StandardOpenOption.WRITE)) {
          channel.truncate(problem.offset());
          if (problem.offset() < WalFormat.SEGMENT_HEADER_SIZE) {
            writeFreshHeader(channel, segment.firstSequence());
          }
          channel.force(true);
        }
      }
      if (!deleted.isEmpty()) {
        DurableFiles.syncDirectory(dir);
      }
    } catch (IOException e) {
      throw new StorageException("cannot cut the WAL at " + problem.file() + " offset " + problem.offset(), e);
    }
    return new Recovery.Truncation(problem, removed, deleted);
  }
}

package io.tidaldb.wal;

import io.tidaldb.CorruptionException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDbException;
import io.tidaldb.UnsupportedFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Walks the segments of a log in order, validating every batch, and stops at the first problem.
 * The one reading path: {@link WalReader} (tools) and {@link Wal} (recovery, replay) both use it.
 *
 * <p>Read-only and streaming: a sliding window over each segment, never more than one batch in
 * memory (plus the window). The rule that tells a torn tail from corruption lives in
 * {@link #damage}. Each segment's header version says the layout of its batches
 * ({@link WalFormat.BatchLayout}): a log written before version 2 reads as it always did.
 *
 * <p>Why one class of about 450 lines: it does one job, one streaming pass, and its parts share that
 * pass's state. The torn-tail rule ({@link #damage}, {@code validBatchesAfter}) searches the rest of
 * the segment through the same sliding window, CRC and batch layout the batch reader is using at
 * the damaged offset; moved out, it would reach back into the scanner's buffer through accessors,
 * and the rule and the reader it judges would no longer be read side by side.
 */
final class LogScanner {

  static final int WINDOW = 1 << 20;

  /**
   * Where a scan ended: what it found ({@link ScanResult}), and for recovery the index of the segment
   * where it stopped, and the offset in the last segment where the writer's prepared space starts
   * ({@link WalFormat#PREPARED}), or -1 if the scan found none.
   */
  record ScanEnd(ScanResult result, int endSegment, int unsupportedVersion, boolean foreign, long preparedFrom) {

    Optional<WalProblem> problem() {
      return result.problem();
    }

    /** Whether recovery must refuse whatever the policy: a newer format, or a file that is not ours. */
    boolean refuseAlways() {
      return result.problem().map(p -> p.kind() == WalProblem.Kind.UNSUPPORTED_VERSION).orElse(false) || foreign;
    }

    /** The exception for a problem that is not a torn tail. */
    TidalDbException toException() {
      WalProblem p = result.problem().orElseThrow();
      return switch (p.kind()) {
        case UNSUPPORTED_VERSION -> new UnsupportedFormatException(p.file(), p.offset(), unsupportedVersion,
            WalFormat.VERSION);
        case CORRUPTION -> new CorruptionException(p.file(), p.offset(), p.detail());
        case TORN_TAIL -> throw new IllegalStateException("a torn tail is not an error: " + p);
      };
    }
  }

  private final WalSegments.Listing listing;
  private final List<Segment> segments;
  private long skipBelow = 0;
  private long to = Long.MAX_VALUE;
  private Consumer<WalBatch> visitor;
  private WalEventSink sink;
  private long sinkFrom = Long.MIN_VALUE;
  private long sinkTo = Long.MAX_VALUE;

  private final CRC32C crc = new CRC32C();
  private final WalBatch view = new WalBatch();
  private WalFormat.BatchLayout layout = WalFormat.V2;
  private ByteBuffer buf = WalFormat.allocate(0);
  private long bufStart;
  private int bufLen;
  private FileChannel channel;
  private long size;

  private long batches;
  private long events;
  private long bytes;
  private int unsupportedVersion;
  private int batchCount;
  private boolean foreign;
  private long preparedFrom = -1;

  LogScanner(WalSegments.Listing listing) {
    this.listing = listing;
    this.segments = listing.segments();
  }

  /** Segments wholly below {@code sequence} are only checked for a valid header, not read. */
  LogScanner skipSegmentsBelow(long sequence) {
    this.skipBelow = sequence;
    return this;
  }

  /** Stops before a batch (or segment) that starts after {@code sequence}; nothing beyond is looked at. */
  LogScanner upTo(long sequence) {
    this.to = sequence;
    return this;
  }

  LogScanner visitor(Consumer<WalBatch> visitor) {
    this.visitor = visitor;
    return this;
  }

  /** Events with sequences in {@code [from, to]} go to the sink. */
  LogScanner sink(long from, long to, WalEventSink sink) {
    this.sinkFrom = from;
    this.sinkTo = to;
    this.sink = sink;
    return this;
  }

  ScanEnd run() {
    long expected = -1;
    long last = segments.isEmpty() ? 0 : segments.get(0).firstSequence() - 1;
    WalProblem problem = null;
    int endSegment = segments.size() - 1;
    scan:
    for (int i = 0; i < segments.size(); i++) {
      Segment segment = segments.get(i);
      if (segment.firstSequence() > to) {
        break;
      }
      if (expected >= 0 && segment.firstSequence() != expected) {
        problem = new WalProblem(WalProblem.Kind.CORRUPTION, segment.path(), 0, "the segment starts at sequence "
            + segment.firstSequence() + " but the log before it ends at " + (expected - 1)
            + (segment.firstSequence() > expected ? ": a segment is missing" : ": segments overlap"));
        endSegment = i;
        break;
      }
      boolean skip = i + 1 < segments.size() && segments.get(i + 1).firstSequence() <= skipBelow;
      try (FileChannel ch = FileChannel.open(segment.path(), StandardOpenOption.READ)) {
        open(ch);
        problem = checkSegmentHeader(i, segment);
        if (problem != null) {
          endSegment = i;
          break;
        }
        if (skip) {
          expected = segments.get(i + 1).firstSequence();
          last = expected - 1;
          continue;
        }
        bytes += WalFormat.SEGMENT_HEADER_SIZE;
        long pos = WalFormat.SEGMENT_HEADER_SIZE;
        long seq = segment.firstSequence();
        while (pos < size) {
          if (seq > to) {
            break scan;
          }
          if (i == segments.size() - 1 && buf.get(window(pos, 1)) == WalFormat.PREPARED && preparedToTheEnd(pos)) {
            // The writer's prepared space (no batch starts with this byte): the log's clean end.
            preparedFrom = pos;
            break scan;
          }
          problem = readBatch(i, segment, pos, seq);
          if (problem != null) {
            endSegment = i;
            break scan;
          }
          pos += layout.batchSize(batchCount);
          seq += batchCount;
          last = seq - 1;
        }
        expected = seq;
      } catch (NoSuchFileException e) {
        throw new StorageException("the segment " + segment.path() + " disappeared while it was read"
            + " (was the log truncated meanwhile?)", e);
      } catch (IOException e) {
        throw new StorageException("cannot read the segment " + segment.path(), e);
      } finally {
        channel = null;
      }
    }
    long first = segments.isEmpty() ? 0 : segments.get(0).firstSequence();
    ScanResult result = new ScanResult(segments, listing.unknownFiles(), batches, events, bytes, first, last,
        Optional.ofNullable(problem));
    return new ScanEnd(result, endSegment, unsupportedVersion, foreign, preparedFrom);
  }

  /** Whether every byte from {@code pos} to the end of the segment is {@link WalFormat#PREPARED}. */
  private boolean preparedToTheEnd(long pos) throws IOException {
    for (long at = pos; at < size; ) {
      int length = (int) Math.min(size - at, WINDOW);
      int w = window(at, length);
      for (int k = 0; k < length; k++) {
        if (buf.get(w + k) != WalFormat.PREPARED) {
          return false;
        }
      }
      at += length;
    }
    return true;
  }

  private void open(FileChannel ch) throws IOException {
    channel = ch;
    size = ch.size();
    bufStart = 0;
    bufLen = 0;
    // The window grows with the segments read, up to WINDOW: a small log costs a small buffer.
    long wanted = Math.min(WINDOW, size);
    if (buf.capacity() < wanted) {
      buf = WalFormat.allocate((int) wanted);
    }
  }

  /**
   * Makes {@code length} bytes at file offset {@code offset} available in the window, reading as
   * needed; the caller has checked that the file holds them.
   *
   * @return the index of {@code offset} in the window
   */
  private int window(long offset, int length) throws IOException {
    if (offset >= bufStart && offset + length <= bufStart + bufLen) {
      return (int) (offset - bufStart);
    }
    if (length > buf.capacity()) {
      buf = WalFormat.allocate(Math.max(length, WINDOW));
    }
    buf.clear();
    buf.limit((int) Math.min(buf.capacity(), size - offset));
    bufStart = offset;
    while (buf.hasRemaining()) {
      if (channel.read(buf, offset + buf.position()) < 0) {
        break;
      }
    }
    bufLen = buf.position();
    buf.clear();
    if (bufLen < length) {
      throw new IOException("the file ended at " + (offset + bufLen) + " while " + length + " bytes at " + offset
          + " were read (did it shrink meanwhile?)");
    }
    return 0;
  }

  private WalProblem checkSegmentHeader(int i, Segment segment) throws IOException {
    Path file = segment.path();
    if (size < WalFormat.SEGMENT_HEADER_SIZE) {
      return damage(i, 0, segment.firstSequence(), "incomplete segment header (" + size + " of "
          + WalFormat.SEGMENT_HEADER_SIZE + " bytes)");
    }
    int h = window(0, WalFormat.SEGMENT_HEADER_SIZE);
    long magic = buf.getLong(h + WalFormat.SEG_MAGIC);
    if (magic != WalFormat.SEGMENT_MAGIC) {
      if (allZero(h, WalFormat.SEGMENT_HEADER_SIZE)) {
        return damage(i, 0, segment.firstSequence(), "zero-filled segment header");
      }
      foreign = true;
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, 0, "not a tidalDB WAL segment: magic "
          + WalFormat.hex(magic, 8) + ", expected " + WalFormat.hex(WalFormat.SEGMENT_MAGIC, 8) + " (\"TIDALWAL\")");
    }
    int version = buf.getShort(h + WalFormat.SEG_VERSION) & 0xFFFF;
    if (version > WalFormat.VERSION) {
      return unsupported(file, 0, version);
    }
    if (WalFormat.crc(crc, buf, h, WalFormat.SEG_CRC) != buf.getInt(h + WalFormat.SEG_CRC)) {
      return damage(i, 0, segment.firstSequence(), "segment header checksum mismatch");
    }
    long first = buf.getLong(h + WalFormat.SEG_FIRST_SEQ);
    if (version < 1 || first != segment.firstSequence()) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, 0, "the segment header says version " + version
          + " and first sequence " + first + "; the file name says first sequence " + segment.firstSequence());
    }
    layout = WalFormat.layout(version);
    return null;
  }

  /** Validates the batch at {@code pos} and hands it on; null if it is valid. */
  private WalProblem readBatch(int i, Segment segment, long pos, long expectedSeq) throws IOException {
    Path file = segment.path();
    int headerSize = layout.headerSize();
    long remaining = size - pos;
    if (remaining < headerSize) {
      int at = window(pos, (int) remaining);
      return damage(i, pos, expectedSeq, (allZero(at, (int) remaining) ? "zero-filled" : "incomplete")
          + " batch header (" + remaining + " of " + headerSize + " bytes)");
    }
    int h = window(pos, headerSize);
    if (WalFormat.crc(crc, buf, h, layout.headerCrc()) != buf.getInt(h + layout.headerCrc())) {
      return damage(i, pos, expectedSeq, allZero(h, headerSize) ? "zero-filled space where a batch should start"
          : "batch header checksum mismatch");
    }
    int magic = buf.getInt(h + WalFormat.B_MAGIC);
    int version = buf.getShort(h + WalFormat.B_VERSION) & 0xFFFF;
    if (magic != WalFormat.BATCH_MAGIC) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, "not a batch: magic " + WalFormat.hex(magic, 4));
    }
    if (version > WalFormat.VERSION) {
      return unsupported(file, pos, version);
    }
    long count = Integer.toUnsignedLong(buf.getInt(h + WalFormat.B_EVENT_COUNT));
    long payload = Integer.toUnsignedLong(buf.getInt(h + WalFormat.B_PAYLOAD_LENGTH));
    long first = buf.getLong(h + WalFormat.B_FIRST_SEQ);
    if (version != layout.version() || count < 1 || count > WalFormat.MAX_EVENTS_PER_BATCH
        || payload != count * WalFormat.EVENT_SIZE) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, "inconsistent batch header: version " + version
          + " in a version-" + layout.version() + " segment, " + count + " events, payload " + payload + " bytes");
    }
    if (first != expectedSeq) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, "the batch starts at sequence " + first
          + ", expected " + expectedSeq);
    }
    if (layout.hasDurableMark() && (buf.getLong(h + layout.durableSequence()) < 0
        || buf.getLong(h + layout.durableSequence()) >= first)) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, "inconsistent batch header: durable mark "
          + buf.getLong(h + layout.durableSequence()) + " is not below the batch's first sequence " + first);
    }
    if (remaining < headerSize + payload) {
      return damage(i, pos, expectedSeq, "incomplete batch (" + remaining + " of " + (headerSize + payload)
          + " bytes)");
    }
    int total = (int) (headerSize + payload);
    int at = window(pos, total);
    if (WalFormat.crc(crc, buf, at + headerSize, (int) payload) != buf.getInt(at + layout.payloadCrc())) {
      return damage(i, pos, expectedSeq, "batch payload checksum mismatch");
    }
    batchCount = (int) count;
    batches++;
    events += count;
    bytes += total;
    if (visitor != null) {
      view.point(file, buf, at, pos, layout);
      visitor.accept(view);
    }
    if (sink != null) {
      long last = first + count - 1;
      if (last >= sinkFrom && first <= sinkTo) {
        int from = (int) Math.max(0, sinkFrom - first);
        int end = (int) Math.min(count, sinkTo - first + 1);
        WalBatch.deliver(buf, at + headerSize, first, from, end, sink);
      }
    }
    return null;
  }

  /**
   * The torn-tail rule, for damage at {@code pos} of segment {@code i} where sequence
   * {@code sequence} should start. Damage is a torn tail (the trace of a crash or a power loss during
   * writes that were never fsynced) when nothing shows that it was durable:
   *
   * <ul>
   *   <li>a later segment does: the writer fsyncs a segment before it creates the next one;
   *   <li>so does the segment's own header, if the damage is in it (it is fsynced before any batch);
   *   <li>and so does a later valid batch whose durable mark is at or above {@code sequence}: it was
   *       written after an fsync that covered the damaged batch. A version-1 batch has no mark, so any
   *       valid version-1 batch after the damage counts (the rule of version 1).
   * </ul>
   *
   * <p>Valid batches after the damage whose marks are all below {@code sequence} were written before
   * any fsync covered it: a power loss under the interval mode can keep them and lose the damaged
   * one. They were never durable either, and are cut with it. Under {@code SYNC} the same holds of the
   * (at most {@code WalWriter.FORCES_IN_FLIGHT}) batches whose fsyncs were in flight together: none
   * of them was acknowledged before the fsync of every earlier one returned.
   */
  private WalProblem damage(int i, long pos, long sequence, String reason) throws IOException {
    Path file = segments.get(i).path();
    if (i != segments.size() - 1) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, reason
          + "; this is not the last segment, so it is not a torn tail (a segment is fsynced before the next one exists)");
    }
    if (pos < WalFormat.SEGMENT_HEADER_SIZE) {
      for (WalFormat.BatchLayout any : new WalFormat.BatchLayout[] {WalFormat.V2, WalFormat.V1}) {
        Survivors after = validBatchesAfter(pos + 1, any, Long.MIN_VALUE);
        if (after.batches() > 0) {
          return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, reason + "; a valid batch follows at offset "
              + after.firstOffset() + " (the segment header is fsynced before any batch is written)");
        }
      }
      return tornTail(file, pos, reason);
    }
    Survivors after = validBatchesAfter(pos + 1, layout, sequence);
    if (after.batches() == 0) {
      return tornTail(file, pos, reason);
    }
    if (after.durableMark() >= sequence) {
      return new WalProblem(WalProblem.Kind.CORRUPTION, file, pos, reason + "; a valid batch follows at offset "
          + after.markOffset() + (layout.hasDurableMark() ? " written when sequence " + after.durableMark()
          + " was durable, so this batch (from sequence " + sequence + ") had been fsynced" : ""));
    }
    boolean one = after.batches() == 1;
    return new WalProblem(WalProblem.Kind.TORN_TAIL, file, pos, reason + "; " + (one ? "the valid batch" : "the "
        + after.batches() + " valid batches") + " after it (offset " + after.firstOffset() + " on, sequences "
        + after.firstSequence() + ".." + after.lastSequence() + ") " + (one ? "was" : "were")
        + " written when only sequences up to " + after.durableMark() + " were durable, so the damaged batch and"
        + " what follows were never fsynced: an unsynced tail that a power loss tore, cut with the damage (" + (size - pos)
        + " bytes to the end of the segment)");
  }

  private WalProblem tornTail(Path file, long pos, String reason) {
    return new WalProblem(WalProblem.Kind.TORN_TAIL, file, pos, reason + "; nothing valid follows ("
        + (size - pos) + " bytes to the end of the segment)");
  }

  /**
   * The valid batches found after damage: how many, where the first starts, the sequences they hold
   * (first of the first, last of the last), their highest durable mark ({@code Long.MAX_VALUE} for a
   * version-1 batch, which has none) and where the batch carrying it starts.
   */
  private record Survivors(int batches, long firstOffset, long firstSequence, long lastSequence, long durableMark,
      long markOffset) {}

  /**
   * Looks for complete, valid batches of {@code layout} (magic, both CRCs, within the file) at every
   * byte offset from {@code from} to the end of the segment, jumping over each one found. Stops as
   * soon as one carries a durable mark at or above {@code stopAtMark}.
   */
  private Survivors validBatchesAfter(long from, WalFormat.BatchLayout layout, long stopAtMark) throws IOException {
    int headerSize = layout.headerSize();
    int found = 0;
    long firstOffset = -1;
    long firstSequence = 0;
    long lastSequence = 0;
    long mark = Long.MIN_VALUE;
    long markOffset = -1;
    for (long y = from; y + headerSize <= size; ) {
      int h = window(y, headerSize);
      if (buf.getInt(h + WalFormat.B_MAGIC) != WalFormat.BATCH_MAGIC
          || WalFormat.crc(crc, buf, h, layout.headerCrc()) != buf.getInt(h + layout.headerCrc())) {
        y++;
        continue;
      }
      long payload = Integer.toUnsignedLong(buf.getInt(h + WalFormat.B_PAYLOAD_LENGTH));
      if (y + headerSize + payload > size || payload > Integer.MAX_VALUE - headerSize) {
        y++;
        continue;
      }
      int at = window(y, (int) (headerSize + payload));
      if (WalFormat.crc(crc, buf, at + headerSize, (int) payload) != buf.getInt(at + layout.payloadCrc())) {
        y++;
        continue;
      }
      long first = buf.getLong(at + WalFormat.B_FIRST_SEQ);
      long batchMark = layout.hasDurableMark() ? buf.getLong(at + layout.durableSequence()) : Long.MAX_VALUE;
      if (found++ == 0) {
        firstOffset = y;
        firstSequence = first;
      }
      lastSequence = first + Integer.toUnsignedLong(buf.getInt(at + WalFormat.B_EVENT_COUNT)) - 1;
      if (batchMark > mark) {
        mark = batchMark;
        markOffset = y;
      }
      if (mark >= stopAtMark) {
        break;
      }
      y += headerSize + payload;
    }
    return new Survivors(found, firstOffset, firstSequence, lastSequence, mark, markOffset);
  }

  private WalProblem unsupported(Path file, long pos, int version) {
    unsupportedVersion = version;
    return new WalProblem(WalProblem.Kind.UNSUPPORTED_VERSION, file, pos, "format version " + version
        + "; this build reads version " + WalFormat.VERSION + " and older");
  }

  private boolean allZero(int at, int length) {
    for (int k = 0; k < length; k++) {
      if (buf.get(at + k) != 0) {
        return false;
      }
    }
    return true;
  }
}

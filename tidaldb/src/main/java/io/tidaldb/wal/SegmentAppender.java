package io.tidaldb.wal;

import io.tidaldb.Durability;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The file side of the log: encodes a batch frame into a reusable direct buffer, writes it at the
 * end of the current segment, fsyncs, and starts new segments. Not thread-safe: one thread at a time
 * uses it, the one that holds the {@link WalWriter}'s I/O turn (its writer thread, or a blocking
 * appender leading a group commit), but for {@link #force(int)} (see "Fsyncs in flight").
 *
 * <p><b>Interrupts.</b> A {@link FileChannel} closes itself when a thread that uses it is
 * interrupted ({@link ClosedByInterruptException}). The I/O turn may be held by an application
 * thread, whose interrupts tidalDB does not control, so every segment write and fsync here survives
 * one: the interrupt is cleared, the segment reopened, and the write (positional, so idempotent:
 * the same bytes at the same offset) or fsync done again. {@link #takeSwallowedInterrupt()} tells
 * the caller, which restores the interrupt on its own thread. (A write error the disk reported
 * between the interrupt and the reopen is not seen by the new descriptor; the next fsync of the
 * reopened file reports errors from then on.)
 *
 * <p><b>Fsyncs in flight.</b> Under {@code SYNC} a leading appender gives the I/O turn back once its
 * batch is written and fsyncs it with {@link #force(int)} on a channel of its own (one per slot, up
 * to {@link WalWriter#FORCES_IN_FLIGHT}), while the next leader writes: so an interrupt of one
 * fsyncing thread closes only its own descriptor, and each descriptor reports the write-back errors
 * of the pages it waited for (Linux reports such an error once per open file, so two fsyncs on one
 * descriptor could each miss what the other saw). Starting a segment and closing happen only when
 * no such fsync is in flight.
 *
 * <p><b>Prepared space.</b> Before a batch would grow the file, the appender fills the next
 * {@link WalFormat#PREPARE_AHEAD} bytes (at most to the segment's size) with
 * {@link WalFormat#PREPARED}, so that most batches are written inside the file: their
 * {@code fdatasync} then has the data to flush and no file size or block allocation to commit
 * through the file system's journal (one fsync per write is the whole cost of a {@code SYNC}
 * write). The space is cut off again when the segment is finished ({@link #roll}, {@link #close});
 * after a crash, a reader finds it after the last batch and takes it for the log's clean end
 * ({@code LogScanner}). If it cannot be prepared (a full disk), the appender cuts what it wrote of it
 * and appends without preparing in this segment.
 *
 * <p><b>Mapped batches.</b> In interval mode (on Linux, on a file system that overwrites in place) a
 * batch that lands in prepared space is copied into a shared mapping of that space
 * ({@link MappedWindow}) rather than written with {@code pwrite}: the same bytes in the same page
 * cache, without a system call per batch. The copy itself cannot be interrupted (the mapping can,
 * and is retried as a write is); the space is still prepared, cut and fsynced through the channel.
 */
final class SegmentAppender {

  /** Gives up after this many interrupts in a row on one operation: someone interrupts in a loop. */
  private static final int MAX_INTERRUPT_RETRIES = 16;

  private final Path dir;
  private final WalConfig config;
  private final int capacity;
  private final Consumer<Segment> created;
  private final CRC32C crc = new CRC32C();
  private FileChannel channel;
  /** The descriptors of {@link #force(int)}, by slot, opened on the current segment as first needed. */
  private final FileChannel[] forceChannels = new FileChannel[WalWriter.FORCES_IN_FLIGHT];
  /** Serialises the calls of the fsync listener: the fsyncs of two slots may end at once. */
  private final Object fsyncReports = new Object();
  private Segment segment;
  private long position;
  /** The file's size: {@link #position} plus the prepared space after it. */
  private long prepared;
  /** False once preparing space failed in this segment (a full disk): batches then grow the file. */
  private boolean preparing;
  private ByteBuffer fill;
  /**
   * Where an interval-mode log copies batches that land in prepared space ({@link MappedWindow});
   * null under {@code SYNC} and where {@link MappedWindow#usableIn} says no.
   */
  private final MappedWindow window;
  /** Whether batches are copied into {@link #window}: false once that failed in this segment, whose batches are then written. */
  private boolean copying;
  private ByteBuffer out;
  private boolean swallowedInterrupt;
  private volatile long bytesWritten;

  /**
   * @param last the segment to append to, as recovery readied it; null to start a new one with the
   *     first batch
   * @param lastEnd its size
   * @param created told about each new segment
   */
  SegmentAppender(WalConfig config, Segment last, long lastEnd, Consumer<Segment> created, int initialEvents)
      throws IOException {
    this.dir = config.dir();
    this.config = config;
    this.capacity = config.effectiveBatchEvents();
    this.created = created;
    this.out = WalFormat.allocate(WalFormat.batchSize(Math.min(initialEvents, capacity)));
    this.window = config.durability() instanceof Durability.Interval && MappedWindow.usableIn(dir) ? new MappedWindow()
        : null;
    this.copying = window != null;
    if (last != null) {
      channel = open(last.path());
      segment = last;
      position = lastEnd;
      prepared = lastEnd;
      preparing = true;
    }
  }

  /** Whether a batch of {@code events} goes into the current segment, without starting a new one. */
  boolean fits(int events) {
    return channel != null
        && (position + WalFormat.batchSize(events) <= config.segmentSize() || position <= WalFormat.SEGMENT_HEADER_SIZE);
  }

  /**
   * Starts a new segment whose first sequence is {@code firstSequence}: creates it, writes and fsyncs
   * its header, fsyncs the directory. The caller has fsynced the current one first (every segment but
   * the last is complete on disk before the next one exists).
   */
  void roll(long firstSequence) throws IOException {
    finishSegment();
    close();
    Segment next = Segment.of(dir, firstSequence);
    channel = create(next.path());
    segment = next;
    ByteBuffer header = WalFormat.allocate(WalFormat.SEGMENT_HEADER_SIZE);
    WalFormat.writeSegmentHeader(header, firstSequence);
    writeAt(header, 0);
    forceSegment(false);
    DurableFiles.syncDirectory(dir);
    position = WalFormat.SEGMENT_HEADER_SIZE;
    prepared = position;
    copying = window != null;
    preparing = true;
    bytesWritten += WalFormat.SEGMENT_HEADER_SIZE;
    created.accept(next);
  }

  /**
   * Encodes {@code count} events as one batch frame and writes it at the end of the segment (which
   * {@link #fits} it).
   *
   * @param durableMark the highest sequence known to be fsynced, for the frame's header
   * @param timestampNanos the frame's time
   */
  void append(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestamps, int count,
      long firstSequence, long durableMark, long timestampNanos) throws IOException {
    int size = WalFormat.batchSize(count);
    if (out.capacity() < size) {
      out = WalFormat.allocate(Math.max(size, Math.min(out.capacity() * 2, WalFormat.batchSize(capacity))));
    }
    ByteBuffer buffer = out.clear();
    int e = WalFormat.BATCH_HEADER_SIZE;
    for (int i = 0; i < count; i++, e += WalFormat.EVENT_SIZE) {
      WalFormat.putEvent(buffer, e, entityIds[i], signalTypeIds[i], weights[i], timestamps[i]);
    }
    WalFormat.sealBatch(buffer, 0, crc, count, firstSequence, timestampNanos, durableMark);
    buffer.limit(size);
    prepare(position + size);
    if (!copiedIntoPrepared(buffer, position)) {
      writeAt(buffer, position);
    }
    position += size;
    bytesWritten += size;
  }

  /**
   * Copies a batch into the mapping of the prepared space it lands in ({@link MappedWindow}).
   * {@return false if it was not: no mapping (see {@link #window}), or the batch is not in prepared
   * space; the caller writes it}
   */
  private boolean copiedIntoPrepared(ByteBuffer batch, long at) throws IOException {
    if (!copying || at + batch.limit() > prepared) {
      return false;
    }
    try {
      // mapping is a channel operation: an interrupt closes the channel, as during a write
      onChannel(channel -> window.write(channel, batch, at, prepared));
      return true;
    } catch (ClosedByInterruptException e) {
      throw e;   // interrupted again and again: as a write would be
    } catch (IOException | RuntimeException e) {
      window.release();
      copying = false;
      System.getLogger(Wal.class.getName()).log(System.Logger.Level.WARNING, "cannot copy batches into a mapping"
          + " of the WAL segment " + segment.path() + " (" + e + "); its batches are written with write()");
      return false;
    }
  }

  /** Fsyncs the segment ({@code fdatasync}) and tells the configuration's fsync listener how long it took. */
  void force() throws IOException {
    long start = System.nanoTime();
    forceSegment(false);
    reportFsync(System.nanoTime() - start);
  }

  /**
   * Fsyncs the segment on the descriptor of {@code slot}, for a batch written while another slot's
   * fsync may be in flight (see the class documentation); safe to call from one thread per slot
   * while the holder of the I/O turn writes. An interrupt closes only this slot's descriptor, which
   * is reopened and the fsync done again; the caller restores the interrupt (the thread's own, so
   * not through {@link #takeSwallowedInterrupt()}, which belongs to the holder of the turn).
   *
   * @return whether an interrupt was cleared
   */
  boolean force(int slot) throws IOException {
    long start = System.nanoTime();
    boolean swallowed = false;
    if (forceChannels[slot] == null) {
      forceChannels[slot] = open(segment.path());
    }
    for (int attempt = 0; ; attempt++) {
      try {
        forceChannels[slot].force(false);
        break;
      } catch (ClosedByInterruptException e) {
        swallowed = true;
        forceChannels[slot] = null;   // closed by the interrupt: opened again below, or by the next call
        forceChannels[slot] = reopened(e, attempt);
      }
    }
    reportFsync(System.nanoTime() - start);
    return swallowed;
  }

  /**
   * Makes sure the file extends to at least {@code end} with prepared space, preparing up to
   * {@link WalFormat#PREPARE_AHEAD} bytes past the current size in one step when it does not.
   */
  private void prepare(long end) throws IOException {
    if (end <= prepared || !preparing) {
      return;
    }
    long to = Math.max(end, Math.min(prepared + WalFormat.PREPARE_AHEAD, config.segmentSize()));
    if (fill == null) {
      fill = WalFormat.allocate(64 * 1024);
      while (fill.hasRemaining()) {
        fill.put(WalFormat.PREPARED);
      }
    }
    try {
      for (long at = prepared; at < to; ) {
        int n = (int) Math.min(fill.capacity(), to - at);
        fill.limit(n);
        writeAt(fill, at);
        at += n;
        prepared = at;
      }
    } catch (IOException e) {
      preparing = false;
      releaseWindow();
      System.getLogger(Wal.class.getName()).log(System.Logger.Level.WARNING, "cannot prepare space in the WAL segment "
          + segment.path() + " (" + e.getMessage() + "); the segment's next batches grow the file instead");
      channel.truncate(position);
      prepared = position;
    }
  }

  /**
   * Cuts the prepared space off the segment, so that a finished segment ends with its last batch,
   * and makes that durable.
   */
  private void finishSegment() throws IOException {
    releaseWindow();
    if (prepared > position) {
      channel.truncate(position);
      prepared = position;
      forceSegment(true);
    }
  }

  /** Unmaps the prepared space, before the file is cut below it or the segment is left. */
  private void releaseWindow() {
    if (window != null) {
      window.release();
    }
  }

  private void writeAt(ByteBuffer buffer, long at) throws IOException {
    onChannel(channel -> {
      buffer.position(0);
      DurableFiles.writeFully(channel, buffer, at);
    });
  }

  private void forceSegment(boolean metadata) throws IOException {
    onChannel(channel -> channel.force(metadata));
  }

  /** An operation on the segment's channel. */
  private interface ChannelIo {
    void run(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code io} on the segment's channel; an interrupt that closed the channel is cleared (and
   * remembered for {@link #takeSwallowedInterrupt()}), the segment opened again and {@code io} run
   * again, up to {@value #MAX_INTERRUPT_RETRIES} times.
   */
  private void onChannel(ChannelIo io) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        io.run(channel);
        return;
      } catch (ClosedByInterruptException e) {
        swallowedInterrupt = true;
        channel = reopened(e, attempt);
      }
    }
  }

  /**
   * Clears the interrupt that closed a channel of the segment ({@code e}) and opens the segment
   * again, or throws {@code e} after {@value #MAX_INTERRUPT_RETRIES} attempts.
   */
  private FileChannel reopened(ClosedByInterruptException e, int attempt) throws IOException {
    Thread.interrupted();
    if (attempt >= MAX_INTERRUPT_RETRIES) {
      throw e;
    }
    return open(segment.path());
  }

  /** Opens an existing segment for writing, and for reading as well, which a mapping of it needs ({@link MappedWindow}). */
  private static FileChannel open(Path segment) throws IOException {
    return WalWriter.segmentOpener.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** {@link #open} for a segment that does not exist yet. */
  private static FileChannel create(Path segment) throws IOException {
    return WalWriter.segmentOpener.open(segment, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  /**
   * Tells the configuration's fsync listener how long an fsync took, one call at a time per log
   * (two leaders' fsyncs may end at once; another log's do not wait for this one's).
   */
  private void reportFsync(long nanos) {
    synchronized (fsyncReports) {
      WalWriter.reportFsync(config, nanos);
    }
  }

  /** {@return whether an interrupt was cleared since the last call (the caller restores it on its thread)} */
  boolean takeSwallowedInterrupt() {
    boolean swallowed = swallowedInterrupt;
    swallowedInterrupt = false;
    return swallowed;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  private void closeForceChannels() {
    for (int slot = 0; slot < forceChannels.length; slot++) {
      FileChannel c = forceChannels[slot];
      forceChannels[slot] = null;
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          System.getLogger(Wal.class.getName()).log(System.Logger.Level.WARNING, "cannot close a WAL segment in "
              + dir, e);
        }
      }
    }
  }

  /**
   * Closes the segment's channel (idempotent), cutting its prepared space off first; a failure of
   * either is only logged (a reader takes prepared space left behind for the log's end).
   */
  void close() {
    closeForceChannels();
    if (channel != null) {
      try {
        finishSegment();
      } catch (IOException e) {
        System.getLogger(Wal.class.getName()).log(System.Logger.Level.WARNING, "cannot cut the prepared space off the"
            + " WAL segment " + segment.path() + "; it is read as the log's end", e);
      }
    }
    FileChannel c = channel;
    channel = null;
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        System.getLogger(Wal.class.getName()).log(System.Logger.Level.WARNING, "cannot close a WAL segment in " + dir,
            e);
      }
    }
  }
}

package io.tidaldb.wal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A shared mapping of a segment's prepared space, into which an interval-mode log copies its
 * batches: a store into the page cache instead of a {@code pwrite} system call (on this project's
 * machine a 72-byte batch costs 0.2 to 0.45 µs copied against 1.7 µs appended with {@code pwrite}
 * and 3.4 µs written over prepared bytes; BENCHMARKS.md, "Batches copied into a mapping").
 *
 * <p>What a batch promises does not change. Once copied, its bytes are in the kernel's page cache,
 * as after a {@code write}: a killed process loses none of them, and the file's {@code fdatasync}
 * ({@link SegmentAppender#force()}) writes them to the disk, since Linux keeps one page cache for
 * mapped and written pages. Only Linux is relied on for that ({@link #SUPPORTED}); elsewhere batches
 * are written with {@code pwrite}. Under {@code SYNC} they are written with {@code pwrite} too: an
 * fsync per batch is the whole cost there, and a store into a page that the last fsync cleaned
 * faults, costing about what the system call does.
 *
 * <p>Only space already prepared is mapped, and only on a file system that overwrites in place
 * ({@link #usableIn}): its blocks were allocated by the writes that filled it, so a store never
 * allocates one (a full disk cannot surface as a {@code SIGBUS} in a store; it surfaces in the
 * {@code write} that prepares the space, as before). A store can still be refused once the disk or
 * the file system has failed (an I/O error reading a page back, a file system shut down): the JVM
 * then skips the copy and raises an {@code InternalError} in this thread at some later point. So
 * each copy is read back; a batch that did not arrive is written with {@code pwrite} instead, whose
 * error stops the log as any write error does (the {@code InternalError} may still surface later:
 * the disk has failed by then). The window is unmapped before
 * the file is cut below it ({@link #release()}), and when the next batch lies past it. Unmapping is
 * the JDK's {@code sun.misc.Unsafe.invokeCleaner}, the one way to unmap before the garbage collector
 * does on Java 17, so that a deleted segment's blocks are freed at once; where it is not available
 * the collector unmaps. Not thread-safe: the holder of the log's I/O turn uses it, as it does the
 * {@link SegmentAppender}.
 */
final class MappedWindow {

  /** Whether batches may be copied into a mapping here: Linux, whose {@code fdatasync} writes mapped pages. */
  private static final boolean SUPPORTED = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

  /**
   * The file systems whose overwrite of an allocated block needs no new space, so that a store into
   * prepared space faults only if the disk or the file system has failed: a copy-on-write file system
   * (btrfs, bcachefs, ZFS) allocates on every overwrite, and a full one would refuse the store with
   * a {@code SIGBUS}, which the JVM turns into an {@code InternalError} thrown at some later point.
   * On others, and where the type cannot be read, batches are written.
   */
  private static final Set<String> OVERWRITE_IN_PLACE = Set.of("ext2", "ext3", "ext4", "xfs", "tmpfs");

  /** {@return whether batches may be copied into mappings of files in {@code dir}: Linux, and a file system that overwrites in place} */
  static boolean usableIn(Path dir) {
    if (!SUPPORTED) {
      return false;
    }
    try {
      return OVERWRITE_IN_PLACE.contains(Files.getFileStore(dir).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static final Unmapper UNMAPPER = Unmapper.find();

  private MappedByteBuffer mapping;
  /** The file offsets the mapping covers, {@code [start, end)}. */
  private long start;
  private long end;

  /**
   * Copies {@code batch} (from 0 to its limit) to file offset {@code at}, mapping
   * {@code [at, preparedEnd)} first when the window does not hold it.
   *
   * @param preparedEnd where the prepared space ends: the window never maps past it
   * @throws java.nio.channels.ClosedByInterruptException if an interrupt closed the channel while it
   *     mapped (nothing was written)
   * @throws IOException if the space cannot be mapped (nothing was written), or the copy did not reach
   *     the mapping (the file system refused a page: the caller writes the batch with the channel
   *     instead, which reports why)
   */
  void write(FileChannel channel, ByteBuffer batch, long at, long preparedEnd) throws IOException {
    int length = batch.limit();
    if (mapping == null || at < start || at + length > end) {
      release();
      mapping = channel.map(FileChannel.MapMode.READ_WRITE, at, preparedEnd - at);
      mapping.order(batch.order());   // so that the read-back compares the longs as the frame holds them
      start = at;
      end = preparedEnd;
    }
    int offset = (int) (at - start);
    try {
      mapping.put(offset, batch, 0, length);
      // a store the file system refused (SIGBUS) is skipped, not thrown: read the batch back
      if (!arrived(batch, length, offset)) {
        throw new IOException("a batch copied into the mapping of " + length + " bytes at " + at + " did not reach it");
      }
    } catch (InternalError e) {
      // how the JVM reports a fault in a copy into a mapping, when it reports it in time
      throw new IOException("a fault in a copy into the mapped segment at " + at + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@return whether the mapping holds {@code batch}'s first {@code length} bytes at {@code offset}}:
   * compared a long at a time (a frame is a whole number of longs; a tail is compared byte by byte):
   * a few nanoseconds for a small batch ({@code ByteBuffer.mismatch}, which needs both buffers'
   * positions and limits set, made a blocking write about a tenth slower).
   */
  private boolean arrived(ByteBuffer batch, int length, int offset) {
    int i = 0;
    for (; i + Long.BYTES <= length; i += Long.BYTES) {
      if (mapping.getLong(offset + i) != batch.getLong(i)) {
        return false;
      }
    }
    for (; i < length; i++) {
      if (mapping.get(offset + i) != batch.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** Unmaps the window, if any: before the file is cut below it, or the segment is left. */
  void release() {
    MappedByteBuffer m = mapping;
    mapping = null;
    if (m != null) {
      UNMAPPER.unmap(m);
    }
  }

  /** Unmaps a buffer at once, or leaves it to the garbage collector where the JDK does not let it. */
  private record Unmapper(Object unsafe, Method invokeCleaner) {

    static Unmapper find() {
      try {
        Class<?> type = Class.forName("sun.misc.Unsafe");
        Field field = type.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        return new Unmapper(field.get(null), type.getMethod("invokeCleaner", ByteBuffer.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        System.getLogger(Wal.class.getName()).log(System.Logger.Level.DEBUG, "mapped WAL space is unmapped by the"
            + " garbage collector: " + e);
        return new Unmapper(null, null);
      }
    }

    void unmap(MappedByteBuffer buffer) {
      if (invokeCleaner == null) {
        return;
      }
      try {
        invokeCleaner.invoke(unsafe, buffer);
      } catch (ReflectiveOperationException | RuntimeException e) {
        System.getLogger(Wal.class.getName()).log(System.Logger.Level.DEBUG, "cannot unmap WAL space; the garbage"
            + " collector will: " + e);
      }
    }
  }
}

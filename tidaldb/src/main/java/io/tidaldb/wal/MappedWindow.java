package io.tidaldb.wal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Locale;

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
 * <p>Only space already prepared is mapped: its blocks were allocated by the writes that filled it,
 * so a store never allocates one (a full disk cannot surface as a {@code SIGBUS} in a store; it
 * surfaces in the {@code write} that prepares the space, as before). The window is unmapped before
 * the file is cut below it ({@link #release()}), and when the next batch lies past it. Unmapping is
 * the JDK's {@code sun.misc.Unsafe.invokeCleaner}, the one way to unmap before the garbage collector
 * does on Java 17, so that a deleted segment's blocks are freed at once; where it is not available
 * the collector unmaps. Not thread-safe: the holder of the log's I/O turn uses it, as it does the
 * {@link SegmentAppender}.
 */
final class MappedWindow {

  /** Whether batches may be copied into a mapping here: Linux, whose {@code fdatasync} writes mapped pages. */
  static final boolean SUPPORTED = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

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
   * @throws IOException if the space cannot be mapped (nothing was written; the caller writes the
   *     batch with the channel instead)
   */
  void write(FileChannel channel, ByteBuffer batch, long at, long preparedEnd) throws IOException {
    int length = batch.limit();
    if (mapping == null || at < start || at + length > end) {
      release();
      mapping = channel.map(FileChannel.MapMode.READ_WRITE, at, preparedEnd - at);
      start = at;
      end = preparedEnd;
    }
    mapping.put((int) (at - start), batch, 0, length);
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

package io.tidaldb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that fills up under a WAL directory: the WAL's segment files are opened through channels
 * that write {@code room} bytes in all, then fail every write and fsync with
 * {@code IOException("No space left on device")}, as a full file system does. Installed for the
 * segments of one directory only (other logs in the JVM write normally), until {@link #close()}.
 *
 * <pre>{@code
 * try (FaultyDisk disk = FaultyDisk.fullAfter(home.wal(), 4096)) {
 *   ... write until signal() throws StorageException ...
 * }
 * }</pre>
 *
 * <p>It ships in the core's test-jar, so that tests in other packages and modules (the transports'
 * contract tests) can break a WAL the same way.
 */
public final class FaultyDisk implements AutoCloseable {

  /** The message Linux gives for {@code ENOSPC}. */
  public static final String NO_SPACE = "No space left on device";

  private final WalWriter.SegmentOpener previous;
  private final AtomicLong room;

  private FaultyDisk(Path dir, long room) {
    this.previous = WalWriter.segmentOpener;
    this.room = new AtomicLong(room);
    Path under = dir.toAbsolutePath().normalize();
    WalWriter.SegmentOpener healthy = previous;
    WalWriter.segmentOpener = (path, options) -> {
      FileChannel channel = healthy.open(path, options);
      return path.toAbsolutePath().normalize().startsWith(under) ? new Filling(channel, this.room) : channel;
    };
  }

  /**
   * Makes the segments under {@code dir} run out of space after {@code room} more bytes.
   *
   * @param dir the WAL directory
   * @param room how many bytes the disk still takes
   * @return the installed fault; close it to make the disk healthy again for new channels
   */
  public static FaultyDisk fullAfter(Path dir, long room) {
    return new FaultyDisk(dir, room);
  }

  /** Makes room again: later writes succeed (a log that already failed stays stopped). */
  public void free() {
    room.set(Long.MAX_VALUE);
  }

  /** Uninstalls the fault: segments are opened as usual again. */
  @Override
  public void close() {
    WalWriter.segmentOpener = previous;
  }

  /**
   * A channel that writes while there is room, then fails as a full disk does. As on a real file
   * system, only bytes past the file's end take room (an overwrite inside the file takes none), and
   * a truncation gives back what it cuts.
   */
  private static final class Filling extends ForwardingFileChannel {

    private final AtomicLong room;

    Filling(FileChannel delegate, AtomicLong room) {
      super(delegate);
      this.room = room;
    }

    /** How many of {@code growth} new bytes fit; throws when none does. */
    private long take(long growth) throws IOException {
      while (true) {
        long left = room.get();
        if (left <= 0) {
          throw new IOException(NO_SPACE);
        }
        long granted = Math.min(left, growth);
        if (room.compareAndSet(left, left == Long.MAX_VALUE ? left : left - granted)) {
          return granted;
        }
      }
    }

    private int write(ByteBuffer src, long position, boolean positional) throws IOException {
      if (!src.hasRemaining()) {
        return 0;
      }
      long at = positional ? position : delegate.position();
      long growth = Math.max(0, at + src.remaining() - Math.max(at, delegate.size()));
      int fits = src.remaining();
      if (growth > 0) {
        long granted = take(growth);
        fits -= (int) (growth - granted);
      }
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + fits);
      int written = positional ? delegate.write(part, position) : delegate.write(part);
      src.position(src.position() + written);
      return written;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      long cut = delegate.size() - size;
      delegate.truncate(size);
      if (cut > 0) {
        room.getAndUpdate(left -> left == Long.MAX_VALUE ? left : left + cut);
      }
      return this;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return write(src, -1, false);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return write(src, position, true);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        total += write(srcs[i]);
      }
      return total;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (room.get() <= 0) {
        throw new IOException(NO_SPACE);
      }
      delegate.force(metaData);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new IOException(NO_SPACE + " (transferFrom is not simulated)");
    }
  }
}

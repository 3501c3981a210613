package io.tidaldb.internal;

import io.tidaldb.CorruptionException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The file-system steps that make tidalDB's files durable, in one place for the write-ahead log and
 * the signal files: replacing a file atomically, writing a buffer fully, making a directory's entries
 * durable, reading a file that may be absent.
 *
 * <p>Not API: the {@code io.tidaldb.internal} packages are not exported, and may change in any release.
 */
public final class DurableFiles {

  /** The steps of {@link #replace} after the body has written the temporary file. */
  public enum Step {
    /** The temporary file fsynced and closed. */
    TEMP_SYNCED,
    /** Renamed over the target; the directory not yet fsynced. */
    RENAMED,
    /** The directory fsynced: the new file is durable. */
    DIR_SYNCED
  }

  /** Writes a file's body to an open channel. */
  @FunctionalInterface
  public interface Body {
    /**
     * Writes the whole body.
     *
     * @param channel the temporary file, open for writing, empty
     * @throws IOException if the write fails
     */
    void write(FileChannel channel) throws IOException;
  }

  private DurableFiles() {}

  /**
   * The temporary sibling {@link #replace} writes before renaming it over {@code target}:
   * {@code target}'s name plus {@link TidalHome#TEMP_SUFFIX}.
   *
   * @param target the file to be replaced
   * @return its temporary sibling
   */
  public static Path temporaryOf(Path target) {
    return target.resolveSibling(target.getFileName() + TidalHome.TEMP_SUFFIX);
  }

  /**
   * Replaces {@code target} atomically: writes {@link #temporaryOf its temporary sibling}, fsyncs it,
   * renames it over the target and fsyncs the directory. A crash at any moment leaves the old file or
   * the new one, never a mix; a failure leaves the old file and no temporary file.
   *
   * @param target the file to replace (or create)
   * @param body writes the new content
   * @throws IOException if a step fails, or the file system cannot rename atomically
   */
  public static void replace(Path target, Body body) throws IOException {
    replace(target, body, step -> { });
  }

  /**
   * {@link #replace(Path, Body)}, telling {@code steps} each step as it is reached (crash tests halt
   * the process there).
   *
   * @param target the file to replace (or create)
   * @param body writes the new content
   * @param steps told each step after the body
   * @throws IOException if a step fails, or the file system cannot rename atomically
   */
  public static void replace(Path target, Body body, Consumer<Step> steps) throws IOException {
    Path temp = temporaryOf(target);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        body.write(channel);
        channel.force(true);
      }
      steps.accept(Step.TEMP_SYNCED);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      steps.accept(Step.RENAMED);
      syncDirectory(target.toAbsolutePath().getParent());
      steps.accept(Step.DIR_SYNCED);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Deletes the temporary files a crash during {@link #replace} left in {@code dir}: those whose
   * target {@code owned} accepts (another component's files in the same directory are left alone).
   * A missing directory has none.
   *
   * @param dir the directory
   * @param owned whether a target file (the temporary file's name without the suffix) is the caller's
   * @throws IOException if the directory cannot be listed or a file deleted
   */
  public static void deleteTemporaries(Path dir, Predicate<Path> owned) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + TidalHome.TEMP_SUFFIX)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (owned.test(entry.resolveSibling(name.substring(0, name.length() - TidalHome.TEMP_SUFFIX.length())))) {
          Files.deleteIfExists(entry);
        }
      }
    } catch (NoSuchFileException e) {
      // no directory, no leftovers
    }
  }

  /**
   * Writes all of {@code buffer}'s remaining bytes at {@code position}.
   *
   * @param channel the file
   * @param buffer the bytes, consumed
   * @param position where the first byte goes
   * @throws IOException if a write fails
   */
  public static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  /**
   * Makes a directory's entries (created, renamed, deleted files) durable.
   *
   * @param dir the directory
   * @throws IOException if the fsync fails
   */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * The bytes of a file that may not exist and has a bounded size. The size is checked before
   * anything is read, so that a file grown huge (junk from a disk or a tool) is refused instead of
   * filling the heap.
   *
   * @param file the file
   * @param what what the file is, for the error message ("the schema file")
   * @param maxBytes the most bytes the file can hold in its format
   * @return its bytes, or empty if there is no such file
   * @throws CorruptionException if the file is larger than {@code maxBytes}, naming the file and
   *     offset {@code maxBytes}
   * @throws StorageException if it exists and cannot be read
   */
  public static Optional<byte[]> readIfPresent(Path file, String what, int maxBytes) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > maxBytes) {
        throw new CorruptionException(file, maxBytes, what + " has " + size + " bytes, more than the " + maxBytes
            + " its format allows");
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) size);
      int read = 0;
      while (read < size) {
        int n = channel.read(bytes, read);
        if (n < 0) {
          break;   // the file shrank meanwhile: what is there is what it holds
        }
        read += n;
      }
      return Optional.of(read == size ? bytes.array() : Arrays.copyOf(bytes.array(), read));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("cannot read " + what + " " + file, e);
    }
  }
}

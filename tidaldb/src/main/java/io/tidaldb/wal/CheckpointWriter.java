package io.tidaldb.wal;

import io.tidaldb.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.IntConsumer;

/**
 * Replaces {@code checkpoint.meta} atomically: temp file, fsync, rename, fsync of the directory.
 * A crash at any step leaves the old checkpoint or the new one.
 */
final class CheckpointWriter {

  /** Nothing done yet. */
  static final int BEFORE_WRITE = 0;
  /** Half of the temp file written. */
  static final int PARTIAL_TEMP = 1;
  /** The temp file written, not fsynced. */
  static final int TEMP_WRITTEN = 2;
  /** The temp file fsynced and closed. */
  static final int TEMP_SYNCED = 3;
  /** Renamed over {@code checkpoint.meta}; directory not fsynced. */
  static final int RENAMED = 4;
  /** The directory fsynced: done. */
  static final int DIR_SYNCED = 5;

  /**
   * Test hook, not API: told each step as it is reached. The crash-point tests set it (from a child
   * JVM's main in this package) to halt the process at a chosen step.
   */
  static volatile IntConsumer crashPoint = step -> { };

  private CheckpointWriter() {}

  static void write(Path dir, CheckpointMeta meta) {
    Path temp = dir.resolve(CheckpointMeta.TEMP_FILE_NAME);
    Path target = dir.resolve(CheckpointMeta.FILE_NAME);
    ByteBuffer bytes = WalFormat.encodeCheckpoint(meta);
    try {
      crashPoint.accept(BEFORE_WRITE);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(channel, bytes.duplicate().limit(bytes.capacity() / 2), 0);
        crashPoint.accept(PARTIAL_TEMP);
        writeFully(channel, bytes.duplicate().position(bytes.capacity() / 2), bytes.capacity() / 2);
        crashPoint.accept(TEMP_WRITTEN);
        channel.force(true);
      }
      crashPoint.accept(TEMP_SYNCED);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      crashPoint.accept(RENAMED);
      syncDirectory(dir);
      crashPoint.accept(DIR_SYNCED);
    } catch (IOException e) {
      throw new StorageException("cannot write the checkpoint " + target, e);
    }
  }

  static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  /** Makes a directory's entries (created, renamed, deleted files) durable. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}

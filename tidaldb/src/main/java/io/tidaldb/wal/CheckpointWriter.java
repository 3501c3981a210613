package io.tidaldb.wal;

import io.tidaldb.StorageException;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * Replaces {@code checkpoint.meta} atomically ({@link DurableFiles#replace}: temp file, fsync, rename,
 * fsync of the directory), with a crash-test hook at every step. A crash at any step leaves the old
 * checkpoint or the new one.
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
    Path target = dir.resolve(CheckpointMeta.FILE_NAME);
    ByteBuffer bytes = WalFormat.encodeCheckpoint(meta);
    int half = bytes.capacity() / 2;
    try {
      crashPoint.accept(BEFORE_WRITE);
      DurableFiles.replace(target, channel -> {
        DurableFiles.writeFully(channel, bytes.duplicate().limit(half), 0);
        crashPoint.accept(PARTIAL_TEMP);
        DurableFiles.writeFully(channel, bytes.duplicate().position(half), half);
        crashPoint.accept(TEMP_WRITTEN);
      }, step -> crashPoint.accept(switch (step) {
        case TEMP_SYNCED -> TEMP_SYNCED;
        case RENAMED -> RENAMED;
        case DIR_SYNCED -> DIR_SYNCED;
      }));
    } catch (IOException e) {
      throw new StorageException("cannot write the checkpoint " + target, e);
    }
  }
}

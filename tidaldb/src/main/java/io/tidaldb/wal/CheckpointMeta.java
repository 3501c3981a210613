package io.tidaldb.wal;

import io.tidaldb.CorruptionException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.internal.DurableFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The last checkpoint of a WAL directory: every event up to {@link #sequence()} is captured
 * elsewhere (the ledger's snapshot), so recovery replays only what follows it.
 *
 * <pre>{@code
 * Optional<CheckpointMeta> checkpoint = CheckpointMeta.read(home.wal());
 * long replayFrom = checkpoint.map(CheckpointMeta::sequence).orElse(0L) + 1;
 * }</pre>
 *
 * <p>On disk it is {@code checkpoint.meta}, a fixed-size record with a CRC32C (layout in
 * {@code docs/FORMAT.md}), replaced atomically: written to {@code checkpoint.meta.tmp}, fsynced,
 * renamed over the old one, and the directory fsynced. A crash at any moment leaves the old
 * checkpoint or the new one, never a mix. A damaged file is not trusted and not worked around:
 * {@link #read(Path)} fails (see there).
 *
 * @param sequence the last sequence the checkpoint covers; 0 covers nothing
 * @param timestampNanos when the checkpoint was taken, in nanoseconds since the epoch
 */
public record CheckpointMeta(long sequence, long timestampNanos) {

  /** The checkpoint's file name in the WAL directory. */
  public static final String FILE_NAME = "checkpoint.meta";

  /** The temporary file a new checkpoint is written to before it is renamed into place. */
  public static final String TEMP_FILE_NAME = FILE_NAME + TidalHome.TEMP_SUFFIX;

  /**
   * The most bytes {@link #read} reads: a checkpoint is {@value WalFormat#CHECKPOINT_SIZE} bytes, and
   * this leaves room for a newer version's record, whose magic and version are read to tell it from
   * damage. A larger file is refused unread.
   */
  private static final int MAX_READ_BYTES = 4096;

  /**
   * Checks the sequence.
   *
   * @param sequence the last sequence the checkpoint covers; 0 covers nothing
   * @param timestampNanos when the checkpoint was taken, in nanoseconds since the epoch
   * @throws IllegalArgumentException if {@code sequence} is negative
   */
  public CheckpointMeta {
    if (sequence < 0) {
      throw new IllegalArgumentException("a checkpoint's sequence is 0 or more, not " + sequence);
    }
  }

  /** {@return when the checkpoint was taken} */
  public Instant time() {
    return WalEvent.instantOf(timestampNanos);
  }

  /**
   * Reads the checkpoint of a WAL directory. Read-only.
   *
   * <p>A damaged {@code checkpoint.meta} (wrong size, foreign magic, checksum mismatch) is an error,
   * not an absent checkpoint: the atomic protocol never leaves a half-written file, so damage means
   * the disk or something outside tidalDB changed it, and guessing an older checkpoint could make the
   * ledger replay events twice. Restore the file from a backup, or delete it to recover from the
   * oldest segment (events already in a snapshot are then replayed again).
   *
   * @param dir the WAL directory
   * @return the checkpoint, or empty if there is none (no file, or no directory)
   * @throws CorruptionException if the file is damaged (too large to be a checkpoint included, which is
   *     refused before it is read), naming the file and offset
   * @throws UnsupportedFormatException if the file was written by a newer tidalDB
   * @throws StorageException if the file cannot be read
   */
  public static Optional<CheckpointMeta> read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    return DurableFiles.readIfPresent(file, "the checkpoint", MAX_READ_BYTES).map(bytes -> WalFormat.decodeCheckpoint(file, bytes));
  }

  static boolean isCheckpointFile(Path entry) {
    Path name = entry.getFileName();
    return name != null && (name.toString().equals(FILE_NAME) || name.toString().equals(TEMP_FILE_NAME));
  }
}

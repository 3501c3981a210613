package io.tidaldb.internal.signal;

import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.internal.DurableFiles;
import io.tidaldb.wal.Wal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The last step of a {@link Checkpointer}'s checkpoint: once the checkpoint at {@code S} is in
 * effect, deletes the ledger snapshots older than {@code ledger-S.snap} and the WAL segments wholly
 * below {@code S + 1}. Logs under the {@code Checkpointer}'s name, where the operator looks for
 * checkpoints.
 *
 * <pre>{@code
 * int segmentsDeleted = CheckpointCleanup.removeCovered(home, wal, sequence);
 * }</pre>
 */
final class CheckpointCleanup {

  private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

  private CheckpointCleanup() {}

  /**
   * Deletes the older snapshots and the WAL segments below the checkpoint. The checkpoint is in
   * effect already: a failure here is logged and left for the next checkpoint to finish.
   *
   * @return how many segments were deleted
   */
  static int removeCovered(TidalHome home, Wal wal, long sequence) {
    try {
      deleteOlderSnapshots(home, sequence);
      return wal.truncateBefore(sequence + 1);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "checkpoint at sequence " + sequence + " of " + home.base() + " is in"
          + " effect, but removing what it covers failed; the next checkpoint tries again: " + e.getMessage(), e);
      return 0;
    }
  }

  /**
   * Deletes the ledger snapshots older than the one at {@code keep}. (Temporary files a crash left
   * behind are removed on open; a failed atomic write removes its own.)
   */
  private static void deleteOlderSnapshots(TidalHome home, long keep) {
    try {
      boolean deleted = false;
      for (Path snapshot : home.ledgerSnapshots()) {
        if (TidalHome.ledgerSnapshotSequence(snapshot).getAsLong() < keep) {
          deleted |= Files.deleteIfExists(snapshot);
        }
      }
      if (deleted) {
        DurableFiles.syncDirectory(home.base());
      }
    } catch (IOException e) {
      throw new StorageException("cannot delete old ledger snapshots in " + home.base(), e);
    }
  }
}

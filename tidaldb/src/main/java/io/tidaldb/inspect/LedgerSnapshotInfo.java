package io.tidaldb.inspect;

import io.tidaldb.CorruptionException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.internal.signal.SignalFileReader;
import io.tidaldb.wal.WalEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a ledger snapshot file says about itself, read without opening a database: the state of the
 * signal ledger at a checkpoint. Tools such as {@code tidalctl status} use it; they need no format
 * knowledge of their own.
 *
 * <pre>{@code
 * TidalHome home = TidalHome.at(Path.of("/var/lib/tidaldb"));
 * for (Path file : home.ledgerSnapshots()) {
 *   LedgerSnapshotInfo info = LedgerSnapshotInfo.read(file);   // checks the whole file
 *   System.out.println(info.sequence() + " " + info.entries() + " " + info.time());
 * }
 * }</pre>
 *
 * <p>Which snapshot a database restores on open is the one named by the sequence in the log's
 * {@code checkpoint.meta} ({@link TidalHome#ledgerSnapshot(long)}); others are leftovers of a crash
 * during a checkpoint, which the next checkpoint deletes. The format is in {@code docs/SIGNALS.md}.
 *
 * @param file the snapshot file
 * @param sequence the last write-ahead log sequence the snapshot reflects
 * @param time when the snapshot was written, by the database's clock
 * @param entries the (entity, signal) entries it holds
 * @param bytes the file's size
 * @param signals the names of the signals it holds, in id order
 */
public record LedgerSnapshotInfo(Path file, long sequence, Instant time, long entries, long bytes, List<String> signals) {

  /**
   * Checks the components and makes the list unmodifiable.
   *
   * @param file the snapshot file
   * @param sequence the last write-ahead log sequence the snapshot reflects
   * @param time when the snapshot was written, by the database's clock
   * @param entries the (entity, signal) entries it holds
   * @param bytes the file's size
   * @param signals the names of the signals it holds, in id order
   */
  public LedgerSnapshotInfo {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(time, "time");
    signals = List.copyOf(signals);
  }

  /**
   * Reads a snapshot and checks all of it (checksum, structure, and that the sequence it covers is
   * the one its name says). Read-only.
   *
   * @param file the snapshot file
   * @return what it holds
   * @throws CorruptionException if the file is damaged, naming the offset
   * @throws UnsupportedFormatException if a newer tidalDB wrote it
   * @throws StorageException if it cannot be read (a missing file included)
   */
  public static LedgerSnapshotInfo read(Path file) {
    SignalFileReader.SnapshotHeader header = SignalFileReader.inspectSnapshot(file);
    return new LedgerSnapshotInfo(file, header.sequence(), WalEvent.instantOf(header.createdNanos()), header.entries(), header.bytes(), header.signals());
  }
}

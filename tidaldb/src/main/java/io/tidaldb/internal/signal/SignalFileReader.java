package io.tidaldb.internal.signal;

import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The read-only entry points to the signal files of a home, behind the exported
 * {@code io.tidaldb.inspect} package. Not API: the {@code io.tidaldb.internal} packages may change in
 * any release.
 */
public final class SignalFileReader {

  private SignalFileReader() {}

  /**
   * Reads a {@code SCHEMA} file.
   *
   * @param file the file
   * @return the schema, or empty if the file does not exist
   */
  public static Optional<Schema> readSchema(Path file) {
    return SchemaFile.read(file);
  }

  /**
   * Reads and checks a whole ledger snapshot without restoring it.
   *
   * @param file the snapshot
   * @return what its header says, once the whole file checked out
   */
  public static SnapshotHeader inspectSnapshot(Path file) {
    LedgerSnapshot.Header header = LedgerSnapshotReader.inspect(file);
    return new SnapshotHeader(header.sequence(), header.createdNanos(), header.entries(), header.bytes(),
        header.signals().stream().map(SignalSpec::name).toList());
  }

  /**
   * What a checked ledger snapshot says about itself.
   *
   * @param sequence the last log sequence it reflects
   * @param createdNanos when it was written, in nanoseconds since the epoch
   * @param entries the (entity, signal) entries it holds
   * @param bytes the file's size
   * @param signals the names of its signals, in id order
   */
  public record SnapshotHeader(long sequence, long createdNanos, long entries, long bytes, List<String> signals) {}
}

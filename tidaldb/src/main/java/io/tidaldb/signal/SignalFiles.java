package io.tidaldb.signal;

import io.tidaldb.LedgerSnapshotInfo;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The read-only entry points to the signal files of a home, behind {@link Schema#storedIn} and
 * {@link LedgerSnapshotInfo#read}. <strong>Not API</strong>: public only because those types live in
 * another package.
 */
public final class SignalFiles {

  private SignalFiles() {}

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
   * @return what it says about itself
   */
  public static LedgerSnapshotInfo inspectSnapshot(Path file) {
    LedgerSnapshot.Header header = LedgerSnapshot.inspect(file);
    long nanos = header.createdNanos();
    Instant time = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    return new LedgerSnapshotInfo(file, header.sequence(), time, header.entries(), header.bytes(),
        header.signals().stream().map(SignalSpec::name).toList());
  }
}

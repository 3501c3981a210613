package io.tidaldb.inspect;

import io.tidaldb.CorruptionException;
import io.tidaldb.Schema;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.internal.signal.SignalFileReader;
import java.util.Optional;

/**
 * Reads the schema a persistent home stores: the one it was last opened with. Read-only; the home
 * may be in use.
 *
 * <pre>{@code
 * StoredSchema.read(TidalHome.at(Path.of("/var/lib/tidaldb")))
 *     .ifPresent(s -> s.signals().forEach(signal -> System.out.println(signal.id() + " " + signal.name())));
 * }</pre>
 *
 * <p>A schema is compatible with the one a home stores when it starts with the same signals, in the
 * same order ({@link Schema}); the format of the {@code SCHEMA} file is in {@code docs/SIGNALS.md}.
 */
public final class StoredSchema {

  private StoredSchema() {}

  /**
   * The schema {@code home} stores.
   *
   * @param home the home
   * @return the stored schema, or empty if the home stores none (it was never opened with signals)
   * @throws CorruptionException if the {@code SCHEMA} file is damaged, naming the offset
   * @throws UnsupportedFormatException if a newer tidalDB wrote it
   * @throws StorageException if it cannot be read
   */
  public static Optional<Schema> read(TidalHome home) {
    return SignalFileReader.readSchema(home.schemaFile());
  }
}

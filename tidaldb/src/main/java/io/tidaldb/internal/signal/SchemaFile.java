package io.tidaldb.internal.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import io.tidaldb.StorageException;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.Window;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code SCHEMA} file of a persistent home: the signals it was opened with, so that the signal
 * type ids in its write-ahead log keep their meaning. The one place the file's format is written
 * and read. Little-endian (docs/SIGNALS.md, "Files"):
 *
 * <pre>
 * header   magic "TDSC" (4) | version u16 = 1 | reserved u16 = 0 | signal count u32
 *          | reserved u32 = 0                                                     (16 bytes)
 * signals  one signal record each ({@link SignalRecords}), ids 0, 1, 2, ... in order
 * trailer  CRC32C u32 of every byte before it
 * </pre>
 *
 * <p>Written atomically ({@link DurableFiles#replace}); a damaged file is a {@link CorruptionException}.
 */
final class SchemaFile {

  static final int MAGIC = 0x43534454;   // "TDSC" read as a little-endian int
  static final int VERSION = 1;
  static final int HEADER_BYTES = 16;
  static final int TRAILER_BYTES = 4;
  /** The largest file the format can hold: every signal id taken, each with the longest record. */
  static final int MAX_BYTES = HEADER_BYTES + (SignalSpec.MAX_ID + 1) * SignalRecords.MAX_BYTES + TRAILER_BYTES;

  private SchemaFile() {}

  static void write(Path file, Schema schema) {
    try {
      DurableFiles.replace(file, channel -> {
        ChecksummedFileWriter out = new ChecksummedFileWriter(channel);
        out.i32(MAGIC).i16(VERSION).i16(0).i32(schema.signals().size()).i32(0);
        for (SignalSpec signal : schema.signals()) {
          SignalRecords.write(signal, out);
        }
        out.finish();
      });
    } catch (IOException e) {
      throw new StorageException("cannot write the schema file " + file, e);
    }
  }

  /**
   * Reads a stored schema. Read-only.
   *
   * @return the schema, or empty if there is no file
   * @throws CorruptionException if the file is damaged, naming the offset; a file larger than
   *     {@link #MAX_BYTES} is refused before it is read
   * @throws UnsupportedFormatException if a newer tidalDB wrote it
   * @throws StorageException if it cannot be read
   */
  static Optional<Schema> read(Path file) {
    Optional<byte[]> stored = DurableFiles.readIfPresent(file, "the schema file", MAX_BYTES);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = stored.get();
    ChecksummedFileReader in = ChecksummedFileReader.framed(file, bytes, "schema file", MAGIC, HEADER_BYTES, TRAILER_BYTES, VERSION);
    int count = in.i32();
    in.i32();
    if (count < 0 || count > SignalSpec.MAX_ID + 1) {
      throw new CorruptionException(file, 8, "signal count " + count + " is out of range");
    }
    List<SignalSpec> signals = new ArrayList<>();
    for (int id = 0; id < count; id++) {
      int at = in.position();
      SignalSpec signal = SignalRecords.read(in);
      if (signal.id() != id) {
        throw new CorruptionException(file, at, "signal record " + signal.id() + " stands where id " + id + " belongs");
      }
      signals.add(signal);
    }
    if (in.remaining() != 0) {
      throw new CorruptionException(file, in.position(), in.remaining() + " bytes follow the last signal record");
    }
    return Optional.of(rebuild(file, signals));
  }

  /** The schema whose signals are {@code signals}, ids in order, as the builder makes it. */
  private static Schema rebuild(Path file, List<SignalSpec> signals) {
    try {
      Schema.Builder builder = Schema.builder();
      for (SignalSpec s : signals) {
        Schema.SignalBuilder signal = builder.signal(s.name(), s.entityKind(), s.decay());
        if (!s.windows().isEmpty()) {
          signal.windows(s.windows().toArray(Window[]::new));
        }
        builder = signal.velocity(s.velocity()).negativeWeights(s.negativeWeights()).add();
      }
      return builder.build();
    } catch (ConfigException e) {
      throw new CorruptionException(file, HEADER_BYTES, "the stored signals are not a valid schema: " + e.getMessage());
    }
  }
}

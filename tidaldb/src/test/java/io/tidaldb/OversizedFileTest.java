package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.CheckpointMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A small file of the home grown huge (junk from a disk or a tool): {@code open()} refuses it as
 * corruption naming the file, without reading it into memory. The files are sparse, past 2 GiB, so
 * that reading them whole fails on any heap.
 */
class OversizedFileTest {

  private static final Instant T0 = SignalApiTest.T0;

  /** Past what one Java array can hold. */
  static final long HUGE = 3L << 30;

  private static TidalDb open(Path dir) {
    return TidalDb.builder().dataDir(dir).clock(ManualClock.at(T0)).schema(SignalApiTest.SCHEMA)
        .checkpointInterval(Duration.ZERO).open();
  }

  /** A home with a schema, a log and a checkpoint at sequence 2. */
  private static TidalHome checkpointedHome(TempTidalHome temp) {
    try (TidalDb db = open(temp.path())) {
      db.signal("view", 7L, 1.0, T0);
      db.signal("view", 7L, 1.0, T0);
      db.checkpoint();
    }
    return temp.home();
  }

  /** Makes {@code file} {@code size} bytes long without writing them: a sparse file. */
  static void growSparse(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
      channel.write(ByteBuffer.wrap(new byte[] {0x5a}), size - 1);
    }
  }

  private static void assertRefused(TempTidalHome temp, Path file) {
    CorruptionException e = assertThrows(CorruptionException.class, () -> open(temp.path()));
    assertEquals(file, e.file(), e.getMessage());
    assertTrue(e.getMessage().contains(Long.toString(HUGE)), e.getMessage());
  }

  @Test
  void open_withAHugeCheckpointMeta_isCorruptionNamingTheFile() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = checkpointedHome(temp).wal().resolve(CheckpointMeta.FILE_NAME);
      growSparse(file, HUGE);
      assertRefused(temp, file);
    }
  }

  @Test
  void open_withAHugeSchemaFile_isCorruptionNamingTheFile() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = checkpointedHome(temp).schemaFile();
      growSparse(file, HUGE);
      assertRefused(temp, file);
    }
  }

  @Test
  void open_withAHugeLedgerSnapshot_isCorruptionNamingTheFile() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = checkpointedHome(temp).ledgerSnapshot(2);
      growSparse(file, HUGE);
      assertRefused(temp, file);
    }
  }
}

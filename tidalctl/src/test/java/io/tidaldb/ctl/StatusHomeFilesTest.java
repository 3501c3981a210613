package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code tidalctl status} on a home whose small files grew huge, or whose WAL directory is empty. */
class StatusHomeFilesTest {

  /** Past what one Java array can hold: reading such a file whole fails on any heap. */
  private static final long HUGE = 3L << 30;

  /** A home with a log, a stored schema and a ledger snapshot at sequence 14. */
  private static TidalHome checkpointedHome(TempTidalHome temp) {
    TidalHome home = Homes.write(temp.path(), 10, 10);
    Homes.checkpointed(home, 4);
    return home;
  }

  private static void growSparse(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {0x5a}), HUGE - 1);
    }
  }

  private static void assertCorruptionNaming(Path file, Cli.Result result) {
    assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
    JsonNode errors = result.json().get("errors");
    assertEquals(1, errors.size(), result.toString());
    assertEquals("corruption", errors.get(0).get("kind").asText());
    assertEquals(file.toString(), errors.get(0).get("file").asText());
    assertTrue(errors.get(0).get("detail").asText().contains(Long.toString(HUGE)), result.toString());
  }

  @Test
  void status_withAHugeCheckpointMeta_isCorruptionNamingTheFile_exitThree() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Homes.checkpointFile(checkpointedHome(temp));
      growSparse(file);
      assertCorruptionNaming(file, Cli.run("status", "--path", temp.path().toString()));
    }
  }

  @Test
  void status_withAHugeSchemaFile_isCorruptionNamingTheFile_exitThree() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = checkpointedHome(temp).schemaFile();
      growSparse(file);
      assertCorruptionNaming(file, Cli.run("status", "--path", temp.path().toString()));
    }
  }

  @Test
  void status_withAHugeLedgerSnapshot_isCorruptionNamingTheFile_exitThree() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = checkpointedHome(temp);
      Path file = home.ledgerSnapshot(14);
      growSparse(file);
      assertCorruptionNaming(file, Cli.run("status", "--path", temp.path().toString()));
    }
  }

  @Test
  void status_withAnEmptyWalDirBesideALedgerSnapshot_isAnErrorNamingBothDirectories() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = checkpointedHome(temp);
      List<Path> logFiles;
      try (Stream<Path> entries = Files.list(home.wal())) {
        logFiles = entries.toList();
      }
      for (Path file : logFiles) {
        Files.delete(file);
      }
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode(), result.toString());
      JsonNode status = result.json();
      assertEquals("error", status.get("status").asText());
      JsonNode error = status.get("errors").get(0);
      assertEquals("missing_log", error.get("kind").asText());
      assertEquals(home.wal().toString(), error.get("file").asText());
      assertTrue(error.get("detail").asText().contains(home.base().toString()), result.toString());
      assertTrue(error.get("detail").asText().contains(home.ledgerSnapshot(14).getFileName().toString()), result.toString());
    }
  }

  @Test
  void status_ofAHomeOpenedWithoutWrites_isOk() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (io.tidaldb.TidalDb db = io.tidaldb.TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        db.healthCheck();
      }
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
      assertEquals(0, result.json().get("errors").size(), result.toString());
    }
  }
}

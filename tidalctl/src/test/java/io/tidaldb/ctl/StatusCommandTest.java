package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.BuildInfo;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.testing.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

  @Test
  void status_ofAHomeWithSegmentsAndACheckpoint_reportsEveryField() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 40, 25);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      JsonNode status = result.json();
      assertEquals(BuildInfo.version(), status.get("version").asText());
      assertEquals(BuildInfo.buildHash(), status.get("build_hash").asText());
      assertEquals("ok", status.get("status").asText());
      assertEquals("persistent", status.get("storage_mode").asText());
      JsonNode wal = status.get("wal");
      int segments = Homes.segments(home).size();
      assertTrue(segments >= 2, "the fixture spans segments: " + segments);
      assertEquals(segments, wal.get("segments").asInt());
      assertEquals(1, wal.get("first_seq").asLong());
      assertEquals(Homes.segments(home).get(segments - 1).firstSequence(), wal.get("last_segment_seq").asLong());
      assertEquals(40, wal.get("last_seq").asLong());
      assertEquals(25, wal.get("checkpoint_seq").asLong());
      Instant checkpointTime = Instant.parse(wal.get("checkpoint_ts").asText());
      assertTrue(checkpointTime.isAfter(Instant.now().minusSeconds(600)), checkpointTime.toString());
      long bytes;
      try (var files = Files.list(home.wal())) {
        bytes = files.mapToLong(p -> p.toFile().length()).sum();
      }
      assertEquals(bytes, wal.get("wal_dir_bytes").asLong());
      assertEquals(0, wal.get("unknown_files").size());
      assertEquals(temp.path().toString(), status.get("dirs").get("base").asText());
      assertEquals(home.creators().toString(), status.get("dirs").get("creators").asText());
      assertFalse(status.get("in_use").asBoolean());
      assertEquals(0, status.get("warnings").size());
      assertEquals(0, status.get("errors").size());
    }
  }

  @Test
  void status_ofAnEmptyDirectory_isEmptyWithNoSegments() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals("empty", result.json().get("status").asText());
      assertEquals(0, result.json().get("wal").get("segments").asInt());
      assertEquals(0, result.json().get("wal").get("first_seq").asLong());
      assertTrue(result.json().get("wal").get("checkpoint_seq").isNull());
      assertEquals("unknown", result.json().get("storage_mode").asText());
    }
  }

  @Test
  void status_ofAMissingHome_exitsNonZeroWithAJsonErrorOnStderr() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path missing = temp.path().resolve("nonexistent");
      Cli.Result result = Cli.run("status", "--path", missing.toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode());
      assertEquals("", result.stdout());
      JsonNode error = result.errorJson();
      assertEquals("error", error.get("status").asText());
      assertEquals("home_missing", error.get("error").asText());
      assertEquals(missing.toString(), error.get("path").asText());
      assertTrue(error.get("message").asText().contains("does not exist"));
    }
  }

  @Test
  void status_ofARegularFile_exitsOne() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Files.writeString(temp.path().resolve("f"), "x");
      Cli.Result result = Cli.run("status", "--path", file.toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode());
      assertEquals("not_a_directory", result.errorJson().get("error").asText());
    }
  }

  @Test
  void status_withPretty_isIndented_andCarriesTheSameDocument() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 3, 2);
      Cli.Result compact = Cli.run("status", "--path", temp.path().toString());
      Cli.Result pretty = Cli.run("status", "--path", temp.path().toString(), "--pretty");
      assertEquals(1, compact.stdout().strip().lines().count());
      assertTrue(pretty.stdout().strip().lines().count() > 20, pretty.stdout());
      assertTrue(pretty.stdout().contains("\n  \"wal\": {\n    \"segments\": "), pretty.stdout());
      assertEquals(compact.json(), pretty.json());
    }
  }

  @Test
  void status_asText_isReadable() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 3, 2);
      String text = Cli.run("status", "--path", temp.path().toString(), "--format", "text").stdout();
      assertTrue(text.lines().anyMatch(l -> l.matches("status +ok")), text);
      assertTrue(text.lines().anyMatch(l -> l.matches("wal\\.checkpoint_seq +2")), text);
      assertTrue(text.lines().anyMatch(l -> l.matches("wal\\.unknown_files +-")), text);
    }
  }

  @Test
  void status_listsGarbageFilesInTheWalDirectory_withoutCountingThem() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 5, 0);
      Files.writeString(home.wal().resolve("notes.txt"), "hello");
      Files.writeString(home.wal().resolve("wal-123.seg"), "not a segment name");
      JsonNode wal = Cli.run("status", "--path", temp.path().toString()).json().get("wal");
      assertEquals(Homes.segments(home).size(), wal.get("segments").asInt());
      assertEquals("[\"notes.txt\",\"wal-123.seg\"]", wal.get("unknown_files").toString());
    }
  }

  @Test
  void status_withATornTail_isOkWithAWarning() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 10, 0);
      Homes.tearTail(home, 5);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals("ok", result.json().get("status").asText());
      assertEquals(9, result.json().get("wal").get("last_seq").asLong());
      assertEquals("torn_tail", result.json().get("warnings").get(0).get("kind").asText());
    }
  }

  @Test
  void status_withADamagedCheckpoint_reportsTheErrorAndTheRest_exitThree() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 10, 4);
      Path checkpoint = Homes.checkpointFile(home);
      byte[] bytes = Files.readAllBytes(checkpoint);
      Files.write(checkpoint, java.util.Arrays.copyOf(bytes, bytes.length - 3));
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      JsonNode status = result.json();
      assertEquals("error", status.get("status").asText());
      assertEquals("corruption", status.get("errors").get(0).get("kind").asText());
      assertEquals(checkpoint.toString(), status.get("errors").get(0).get("file").asText());
      assertTrue(status.get("wal").get("checkpoint_seq").isNull());
      assertEquals(10, status.get("wal").get("last_seq").asLong(), "the rest of the report is still read");
    }
  }

  @Test
  void status_withASegmentFromANewerFormat_saysSo_exitOne() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 3, 0);
      Path segment = Homes.makeNewerFormat(home);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode(), result.toString());
      JsonNode error = result.json().get("errors").get(0);
      assertEquals("unsupported_version", error.get("kind").asText());
      assertEquals(segment.toString(), error.get("file").asText());
    }
  }

  @Test
  void status_whileALiveDatabaseHoldsTheHome_reportsInUse() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 3, 0);
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        Cli.Result result = Cli.run("status", "--path", temp.path().toString());
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.json().get("in_use").asBoolean());
        assertEquals(ProcessHandle.current().pid(), result.json().get("in_use_pid").asLong());
        db.healthCheck();
      }
      assertFalse(Cli.run("status", "--path", temp.path().toString()).json().get("in_use").asBoolean());
    }
  }
}

package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.BuildInfo;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
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
      assertTrue(status.get("ledger").get("snapshot").isNull(), "a log without a database's checkpoint has no snapshot");
      assertTrue(status.get("schema").isNull());
      assertEquals(temp.path().toString(), status.get("dirs").get("base").asText());
      assertEquals(home.creators().toString(), status.get("dirs").get("creators").asText());
      assertFalse(status.get("in_use").asBoolean());
      assertEquals(0, status.get("warnings").size());
      assertEquals(0, status.get("errors").size());
    }
  }

  @Test
  void status_ofAHomeWithACheckpointedLedger_reportsTheSnapshotAndTheStoredSchema() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 30, 12);
      Path snapshot = Homes.checkpointed(home, 9);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      JsonNode ledger = result.json().get("ledger");
      assertEquals(snapshot.toString(), ledger.get("snapshot").get("file").asText());
      assertEquals(39, ledger.get("snapshot").get("sequence").asLong());
      assertEquals(39, result.json().get("wal").get("checkpoint_seq").asLong());
      assertEquals(39, ledger.get("snapshot").get("entries").asLong(), "30 + 9 events on distinct entities");
      assertEquals(Files.size(snapshot), ledger.get("snapshot").get("bytes").asLong());
      assertTrue(Instant.parse(ledger.get("snapshot").get("time").asText()).isAfter(Instant.now().minusSeconds(600)));
      assertEquals("[\"" + snapshot.getFileName() + "\"]", ledger.get("snapshot_files").toString());
      JsonNode schema = result.json().get("schema");
      assertEquals(home.schemaFile().toString(), schema.get("file").asText());
      assertEquals(List.of("view", "like", "follow"), names(schema.get("signals")));
      assertEquals(2, schema.get("signals").get("follow").get("id").asInt());
      assertEquals("creator", schema.get("signals").get("follow").get("entity_kind").asText());
      assertEquals("exponential(PT168H)", schema.get("signals").get("view").get("decay").asText());
      assertEquals("[\"ONE_HOUR\",\"ALL_TIME\"]", schema.get("signals").get("view").get("windows").toString());
      assertEquals(0, result.json().get("warnings").size());

      String text = Cli.run("status", "--path", temp.path().toString(), "--format", "text").stdout();
      assertTrue(text.lines().anyMatch(l -> l.matches("ledger\\.snapshot\\.sequence +39")), text);
      assertTrue(text.lines().anyMatch(l -> l.matches("schema\\.signals\\.like\\.id +1")), text);
    }
  }

  @Test
  void status_withADamagedSnapshot_reportsTheErrorWithFileAndOffset_exitThree() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 10, 0);
      Path snapshot = Homes.checkpointed(home, 5);
      Homes.flip(snapshot, 50);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      JsonNode status = result.json();
      assertEquals("error", status.get("status").asText());
      JsonNode error = status.get("errors").get(0);
      assertEquals("corruption", error.get("kind").asText());
      assertEquals(snapshot.toString(), error.get("file").asText());
      assertTrue(error.get("offset").asLong() > 0, error.toString());
      assertTrue(status.get("ledger").get("snapshot").isNull());
      assertEquals(15, status.get("wal").get("checkpoint_seq").asLong(), "the rest of the report is still read");
      assertEquals(3, status.get("schema").get("signals").size());
    }
  }

  @Test
  void status_withADamagedSchema_reportsTheError_exitThree() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 4, 0);
      Homes.checkpointed(home, 2);
      Homes.flip(home.schemaFile(), 20);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      assertEquals(home.schemaFile().toString(), result.json().get("errors").get(0).get("file").asText());
      assertTrue(result.json().get("schema").isNull());
      assertEquals(6, result.json().get("ledger").get("snapshot").get("sequence").asLong());
    }
  }

  @Test
  void status_whenTheCheckpointsSnapshotIsMissing_warns() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 4, 0);
      Files.delete(Homes.checkpointed(home, 2));
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals("missing_snapshot", result.json().get("warnings").get(0).get("kind").asText());
      assertTrue(result.json().get("ledger").get("snapshot").isNull());
    }
  }

  @Test
  void status_whenTheSnapshotIsMissingAndTheLogNoLongerStartsAt1_reportsTheCorruptionOpenWouldRefuse() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 40, 0);
      Path snapshot = Homes.checkpointed(home, 2);
      assertTrue(Homes.segments(home).get(0).firstSequence() > 1, "the checkpoint removed the first segments");
      Files.delete(snapshot);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      JsonNode error = result.json().get("errors").get(0);
      assertEquals("missing_snapshot", error.get("kind").asText());
      assertEquals(snapshot.toString(), error.get("file").asText());
      assertTrue(error.get("detail").asText().contains("opening refuses"), error.toString());
      assertEquals("error", result.json().get("status").asText());
    }
  }

  @Test
  void status_whenTheSnapshotCoversAnotherSequenceThanItsName_reportsCorruption() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 4, 0);
      byte[] older = Files.readAllBytes(Homes.checkpointed(home, 2));
      Path current = Homes.checkpointed(home, 2);
      Files.write(current, older);
      Cli.Result result = Cli.run("status", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      assertTrue(result.json().get("errors").get(0).get("detail").asText().contains("but its name says"), result.toString());
    }
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
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
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        Cli.Result result = Cli.run("status", "--path", temp.path().toString());
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.json().get("in_use").asBoolean());
        assertEquals(ProcessHandle.current().pid(), result.json().get("in_use_pid").asLong());
        db.healthCheck();
      }
      assertFalse(Cli.run("status", "--path", temp.path().toString()).json().get("in_use").asBoolean());
    }
  }

  @Test
  void statusAndWalVerify_doNotReportTheWalDirectorysLockFile_asAnUnknownFile() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 3, 0);
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        assertTrue(Files.exists(home.walLockFile()), "an open database locks its WAL directory");
        for (List<String> command : List.of(List.of("status"), List.of("wal", "verify"))) {
          Cli.Result result = Cli.run(Stream.concat(command.stream(), Stream.of("--path", temp.path().toString()))
              .toArray(String[]::new));
          assertEquals(0, result.exitCode(), result.toString());
          JsonNode unknown = command.size() == 1 ? result.json().get("wal").get("unknown_files")
              : result.json().get("unknown_files");
          assertEquals(0, unknown.size(), String.join(" ", command) + ": " + unknown);
        }
      }
    }
  }
}

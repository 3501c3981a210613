package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.TidalDb;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a command finds the home and its log: {@code -p/--path}, {@code TIDALDB_HOME}, {@code --wal-dir}. */
class HomeOptionTest {

  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shortOptionP_namesTheHome() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Cli.Result result = Cli.run("paths", "-p", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals(temp.path().toString(), result.json().get("base").asText());
    }
  }

  @Test
  void tidaldbHome_isTheDefaultPath() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 5, 0);
      Cli.Result result = Cli.runWithEnvironment(Map.of("TIDALDB_HOME", temp.path().toString()), "status");
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals(temp.path().toString(), result.json().get("dirs").get("base").asText());
      assertEquals(5, result.json().get("wal").get("last_seq").asLong());
    }
  }

  @Test
  void pathOption_winsOverTidaldbHome() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome other = TempTidalHome.create()) {
      Cli.Result result = Cli.runWithEnvironment(Map.of("TIDALDB_HOME", other.path().toString()),
          "paths", "--path", temp.path().toString());
      assertEquals(temp.path().toString(), result.json().get("base").asText());
    }
  }

  @Test
  void help_showsTheShortOptionAndTheEnvironmentDefault() {
    Cli.Result result = Cli.runWithEnvironment(Map.of("TIDALDB_HOME", "/srv/tidal"), "status", "--help");
    assertTrue(result.stdout().contains("-p, --path=<dir>"), result.stdout());
    assertTrue(result.stdout().contains("TIDALDB_HOME"), result.stdout());
    assertTrue(result.stdout().contains("--wal-dir=<dir>"), result.stdout());
  }

  @Test
  void status_withWalDir_readsALogMovedWithTheBuildersWalDir() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome log = TempTidalHome.create()) {
      Path walDir = log.path().resolve("wal");
      long last = writeWithMovedWal(temp.path(), walDir, 7);
      Cli.Result result = Cli.run("status", "-p", temp.path().toString(), "--wal-dir", walDir.toString());
      assertEquals(0, result.exitCode(), result.toString());
      JsonNode status = result.json();
      assertEquals("ok", status.get("status").asText());
      assertEquals(last, status.get("wal").get("last_seq").asLong());
      assertEquals(walDir.toString(), status.get("dirs").get("wal").asText());
      assertEquals(List.of("view"), names(status.get("schema").get("signals")));
    }
  }

  @Test
  void walDump_withWalDir_printsTheMovedLogsEvents() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome log = TempTidalHome.create()) {
      Path walDir = log.path().resolve("wal");
      writeWithMovedWal(temp.path(), walDir, 4);
      Cli.Result result = Cli.run("wal", "dump", "-p", temp.path().toString(), "--wal-dir", walDir.toString());
      assertEquals(0, result.exitCode(), result.toString());
      List<String> lines = result.stdout().lines().filter(l -> !l.isBlank()).toList();
      assertEquals(4, lines.size(), result.stdout());
      assertTrue(lines.get(0).contains("\"signal\":\"view\""), lines.get(0));
    }
  }

  @Test
  void walVerify_withWalDir_checksTheMovedLog() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome log = TempTidalHome.create()) {
      Path walDir = log.path().resolve("wal");
      long last = writeWithMovedWal(temp.path(), walDir, 3);
      Cli.Result result = Cli.run("wal", "verify", "-p", temp.path().toString(), "--wal-dir", walDir.toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals(walDir.toString(), result.json().get("wal_dir").asText());
      assertEquals(last, result.json().get("last_seq").asLong());
    }
  }

  @Test
  void paths_withWalDir_reportsTheMovedLog() {
    try (TempTidalHome temp = TempTidalHome.create(); TempTidalHome log = TempTidalHome.create()) {
      Cli.Result result = Cli.run("paths", "-p", temp.path().toString(), "--wal-dir", log.path().toString());
      assertEquals(log.path().toString(), result.json().get("wal").asText());
      assertTrue(result.json().get("exists").get("wal").asBoolean());
    }
  }

  @Test
  void readingCommands_withAWalDirThatIsNotADirectory_exitOneNamingIt() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path missing = temp.path().resolve("no-such-wal");
      for (String[] command : List.of(new String[] {"status"}, new String[] {"wal", "dump"}, new String[] {"wal", "verify"})) {
        List<String> args = new java.util.ArrayList<>(List.of(command));
        args.addAll(List.of("-p", temp.path().toString(), "--wal-dir", missing.toString()));
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode(), result.toString());
        assertEquals("wal_dir_missing", result.errorJson().get("error").asText());
        assertTrue(result.errorJson().get("message").asText().contains(missing.toString()), result.stderr());
      }
    }
  }

  /** Opens a database whose log lives in {@code walDir}, records {@code signals} views, and closes it. */
  private static long writeWithMovedWal(Path base, Path walDir, int signals) {
    io.tidaldb.Schema schema = io.tidaldb.Schema.builder()
        .signal("view", io.tidaldb.EntityKind.ITEM, io.tidaldb.DecaySpec.permanent()).add()
        .build();
    long last = 0;
    try (TidalDb db = TidalDb.builder().dataDir(base).walDir(walDir).schema(schema)
        .checkpointInterval(Duration.ZERO).open()) {
      for (int i = 0; i < signals; i++) {
        last = db.signal("view", 100 + i, 1.0, AT.plusSeconds(i));
      }
    }
    return last;
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

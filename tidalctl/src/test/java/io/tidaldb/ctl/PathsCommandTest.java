package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathsCommandTest {

  private static final List<String> KEYS = List.of("base", "wal", "items", "users", "creators", "cache");

  @Test
  void paths_ofAnOpenedHome_listsSixPaths_theBaseAndTheLogPresent_theReservedOnesAbsent() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb.builder().dataDir(temp.path()).open().close();
      Cli.Result result = Cli.run("paths", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      JsonNode json = result.json();
      assertEquals(temp.path().toString(), json.get("base").asText());
      assertEquals(temp.path().resolve("wal").toString(), json.get("wal").asText());
      for (String key : KEYS) {
        assertEquals(TidalHome.at(temp.path()).path(TidalHome.Dir.valueOf(key.toUpperCase())).toString(), json.get(key).asText());
        assertEquals(TidalHome.Dir.valueOf(key.toUpperCase()).inUse(), json.get("exists").get(key).asBoolean(), key);
      }
      assertEquals(KEYS, fieldNames(json.get("exists")));
    }
  }

  @Test
  void paths_existenceFlags_matchTheFileSystem() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Files.createDirectories(temp.path().resolve("wal"));
      Files.createDirectories(temp.path().resolve("items"));
      JsonNode exists = Cli.run("paths", "--path", temp.path().toString()).json().get("exists");
      assertTrue(exists.get("base").asBoolean());
      assertTrue(exists.get("wal").asBoolean());
      assertTrue(exists.get("items").asBoolean());
      assertFalse(exists.get("users").asBoolean());
      assertFalse(exists.get("creators").asBoolean());
      assertFalse(exists.get("cache").asBoolean());
    }
  }

  @Test
  void paths_ofAMissingHome_printsThePathsItWouldHave_allAbsent() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path missing = temp.path().resolve("not-yet");
      Cli.Result result = Cli.run("paths", "--path", missing.toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals(missing.resolve("cache").toString(), result.json().get("cache").asText());
      result.json().get("exists").forEach(flag -> assertFalse(flag.asBoolean()));
      assertFalse(Files.exists(missing), "paths must not create anything");
    }
  }

  @Test
  void paths_ofARegularFile_isAnErrorWithJsonOnStderr() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Files.writeString(temp.path().resolve("file"), "x");
      Cli.Result result = Cli.run("paths", "--path", file.toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode(), result.toString());
      assertEquals("", result.stdout());
      JsonNode error = result.errorJson();
      assertEquals("error", error.get("status").asText());
      assertEquals("not_a_directory", error.get("error").asText());
      assertEquals(file.toString(), error.get("path").asText());
    }
  }

  @Test
  void paths_withPretty_isIndented_withoutItCompact() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      String compact = Cli.run("paths", "--path", temp.path().toString()).stdout();
      String pretty = Cli.run("paths", "--path", temp.path().toString(), "--pretty").stdout();
      assertEquals(1, compact.strip().lines().count(), compact);
      assertTrue(pretty.strip().lines().count() > 10, pretty);
      assertTrue(pretty.contains("\n  \"base\": "), pretty);
      assertEquals(Cli.JSON.valueToTree(compactTree(compact)), compactTree(pretty));
    }
  }

  @Test
  void paths_asText_alignsKeysAndValues() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      String text = Cli.run("paths", "--path", temp.path().toString(), "--format", "text").stdout();
      List<String> lines = text.lines().toList();
      assertEquals(12, lines.size(), text);
      assertTrue(lines.get(0).startsWith("base  "), text);
      assertTrue(lines.contains("exists.creators  false") || lines.stream().anyMatch(l -> l.matches("exists\\.creators +false")), text);
      int valueColumn = lines.get(0).indexOf(temp.path().toString());
      assertTrue(lines.stream().allMatch(l -> l.length() > valueColumn && l.charAt(valueColumn - 1) == ' '
          && l.charAt(valueColumn) != ' '), "values start in one column:\n" + text);
    }
  }

  private static JsonNode compactTree(String json) {
    try {
      return Cli.JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

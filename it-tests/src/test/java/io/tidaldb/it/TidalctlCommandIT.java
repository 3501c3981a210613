package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidaldb.BuildInfo;
import io.tidaldb.TidalDb;
import io.tidaldb.testing.ChildJvm;
import io.tidaldb.testing.TempTidalHome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged {@code tidalctl} command, run as a real child process on homes the core wrote. */
class TidalctlCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  static ChildJvm.Result tidalctl(String... args) {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(Reactor.tidalctl().toString());
    command.addAll(java.util.List.of(args));
    return ChildJvm.run(TIMEOUT, new ProcessBuilder(command));
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void version_matchesTheCore() {
    ChildJvm.Result result = tidalctl("--version");
    assertEquals(0, result.exitCode(), result.stderr());
    assertEquals("tidalctl " + BuildInfo.version() + " (" + BuildInfo.buildHash() + ")", result.stdout().strip());
  }

  @Test
  void paths_onAHomeWrittenByTheCore_reportsTheLayout() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb.builder().dataDir(temp.path()).open().close();
      ChildJvm.Result result = tidalctl("paths", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.stderr());
      JsonNode paths = json(result.stdout());
      assertEquals(temp.path().resolve("wal").toString(), paths.get("wal").asText());
      assertTrue(paths.get("exists").get("wal").asBoolean());
    }
  }

  @Test
  void paths_onARegularFile_exitsOneWithAJsonError() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      java.nio.file.Path file = java.nio.file.Files.writeString(temp.path().resolve("f"), "x");
      ChildJvm.Result result = tidalctl("paths", "--path", file.toString());
      assertEquals(1, result.exitCode());
      assertEquals("not_a_directory", json(result.stderr()).get("error").asText());
      assertEquals("", result.stdout());
    }
  }
}

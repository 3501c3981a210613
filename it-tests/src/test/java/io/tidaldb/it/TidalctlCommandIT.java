package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.BuildInfo;
import io.tidaldb.TidalDb;
import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import org.junit.jupiter.api.Test;

/** The packaged {@code tidalctl} command, run as a real child process on homes the core wrote. */
class TidalctlCommandIT {

  @Test
  void version_matchesTheCore() {
    ChildJvm.Result result = Reactor.tidalctl("--version");
    assertEquals(0, result.exitCode(), result.stderr());
    assertEquals("tidalctl " + BuildInfo.version() + " (" + BuildInfo.buildHash() + ")", result.stdout().strip());
  }

  @Test
  void paths_onAHomeWrittenByTheCore_reportsTheLayout() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb.builder().dataDir(temp.path()).open().close();
      ChildJvm.Result result = Reactor.tidalctl("paths", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.stderr());
      JsonNode paths = Reactor.json(result.stdout());
      assertEquals(temp.path().resolve("wal").toString(), paths.get("wal").asText());
      assertTrue(paths.get("exists").get("wal").asBoolean());
    }
  }

  @Test
  void paths_onARegularFile_exitsOneWithAJsonError() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      java.nio.file.Path file = java.nio.file.Files.writeString(temp.path().resolve("f"), "x");
      ChildJvm.Result result = Reactor.tidalctl("paths", "--path", file.toString());
      assertEquals(1, result.exitCode());
      assertEquals("not_a_directory", Reactor.json(result.stderr()).get("error").asText());
      assertEquals("", result.stdout());
    }
  }
}

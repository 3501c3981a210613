package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EphemeralTest {

  /** Child process: opens and closes an ephemeral database, exercising what it offers. */
  public static final class OpenEphemeral {
    public static void main(String[] args) {
      for (int i = 0; i < 3; i++) {
        try (TidalDb db = TidalDb.builder().ephemeral().open()) {
          db.healthCheck();
          db.uptime();
        }
      }
      System.out.println("DONE");
    }
  }

  @Test
  void ephemeralOpenAndClose_leaveNoFileAnywhere() throws IOException {
    // A child JVM whose working, temporary and home directories are all fresh and empty: after the
    // run, every place a database could have written to must still be empty.
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path cwd = Files.createDirectories(temp.path().resolve("cwd"));
      Path tmp = Files.createDirectories(temp.path().resolve("tmp"));
      Path home = Files.createDirectories(temp.path().resolve("home"));
      ProcessBuilder builder = ChildJvm.builder(OpenEphemeral.class,
          List.of("-Djava.io.tmpdir=" + tmp, "-Duser.home=" + home, "-XX:-UsePerfData"))
          .directory(cwd.toFile());
      ChildJvm.Result result = ChildJvm.run(Duration.ofSeconds(60), builder);
      assertEquals(0, result.exitCode(), result.stderr());
      assertEquals("DONE", result.stdout().trim());
      for (Path dir : List.of(cwd, tmp, home)) {
        try (Stream<Path> left = Files.walk(dir)) {
          assertEquals(List.of(dir), left.toList(), "an ephemeral database must write nothing under " + dir);
        }
      }
    }
  }
}

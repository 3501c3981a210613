package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.TidalHome;
import io.tidaldb.testing.TempTidalHome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QuickstartTest {

  @Test
  void run_createsTheHome_reportsItHealthy_andReleasesIt() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("quickstart-home");
      String first = run(dir);
      assertTrue(first.contains("opened " + dir + ": healthy"), first);
      for (TidalHome.Dir d : TidalHome.Dir.values()) {
        assertTrue(TidalHome.at(dir).exists(d), d + " should exist after the quickstart");
      }
      assertFalse(TidalHome.at(dir).lockStatus().inUse(), "the quickstart must close its database");
      String second = run(dir);
      assertTrue(second.contains("opened " + dir + ": healthy"), "a second run reopens the same home: " + second);
    }
  }

  private static String run(Path dir) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Quickstart.run(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}

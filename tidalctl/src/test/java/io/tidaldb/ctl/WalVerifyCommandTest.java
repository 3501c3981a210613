package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WalVerifyCommandTest {

  @Test
  void verify_ofACleanLog_reportsItsShape_exitZero() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 40, 10);
      Cli.Result result = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      JsonNode report = result.json();
      assertEquals("ok", report.get("status").asText());
      assertEquals(Homes.segments(home).size(), report.get("segments").asInt());
      assertEquals(40, report.get("batches").asLong());
      assertEquals(40, report.get("events").asLong());
      assertEquals(1, report.get("first_seq").asLong());
      assertEquals(40, report.get("last_seq").asLong());
      assertTrue(report.get("problem").isNull());
      assertEquals("ok", report.get("checkpoint").get("status").asText());
      assertEquals(10, report.get("checkpoint").get("seq").asLong());
    }
  }

  @Test
  void verify_ofATornTail_reportsIt_exitZero() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 20, 0);
      Homes.tearTail(home, 3);
      Cli.Result result = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals("torn_tail", result.json().get("status").asText());
      assertEquals(19, result.json().get("last_seq").asLong());
      assertEquals("torn_tail", result.json().get("problem").get("kind").asText());
    }
  }

  @Test
  void verify_ofCorruption_namesFileAndOffset_exitThree() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 40, 0);
      Path damaged = Homes.flipByte(home, Homes.SEGMENT_HEADER + Homes.ONE_EVENT_BATCH + 50);
      Cli.Result result = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      JsonNode problem = result.json().get("problem");
      assertEquals("corruption", result.json().get("status").asText());
      assertEquals("corruption", problem.get("kind").asText());
      assertEquals(damaged.toString(), problem.get("file").asText());
      assertEquals(Homes.SEGMENT_HEADER + Homes.ONE_EVENT_BATCH, problem.get("offset").asLong());
      assertEquals(1, result.json().get("last_seq").asLong());
    }
  }

  @Test
  void verify_ofADamagedCheckpoint_exitThree() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 5, 3);
      Path checkpoint = Homes.checkpointFile(home);
      byte[] bytes = Files.readAllBytes(checkpoint);
      bytes[20] ^= 1;
      Files.write(checkpoint, bytes);
      Cli.Result result = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      assertEquals("checkpoint_corruption", result.json().get("status").asText());
      assertEquals("corruption", result.json().get("checkpoint").get("status").asText());
    }
  }

  @Test
  void verify_ofANewerFormat_exitOne() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 3, 0);
      Homes.makeNewerFormat(home);
      Cli.Result result = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode(), result.toString());
      assertEquals("unsupported_version", result.json().get("status").asText());
    }
  }

  @Test
  void verify_ofAMissingHome_exitOne() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Cli.Result result = Cli.run("wal", "verify", "--path", temp.path().resolve("gone").toString());
      assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode());
      assertEquals("home_missing", result.errorJson().get("error").asText());
    }
  }
}

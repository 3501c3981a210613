package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.BuildInfo;
import org.junit.jupiter.api.Test;

class CliBasicsTest {

  @Test
  void version_printsTheCoresVersionAndBuildHash() {
    Cli.Result result = Cli.run("--version");
    assertEquals(0, result.exitCode());
    assertEquals("tidalctl " + BuildInfo.version() + " (" + BuildInfo.buildHash() + ")", result.stdout().strip());
  }

  @Test
  void help_listsTheCommandsAndTheExitCodes() {
    Cli.Result result = Cli.run("--help");
    assertEquals(0, result.exitCode());
    assertTrue(result.stdout().contains("paths"), result.stdout());
    assertTrue(result.stdout().contains("Exit codes:"), result.stdout());
    assertTrue(result.stdout().contains("corruption found"), result.stdout());
    Cli.Result sub = Cli.run("paths", "--help");
    assertTrue(sub.stdout().contains("--path=<dir>"), sub.stdout());
    assertTrue(sub.stdout().contains("Exit codes:"), sub.stdout());
  }

  @Test
  void missingPathOption_isAUsageErrorWithJsonOnStderr() {
    Cli.Result result = Cli.run("paths");
    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertEquals("usage", result.errorJson().get("error").asText());
    assertTrue(result.errorJson().get("message").asText().contains("--path"), result.stderr());
  }

  @Test
  void unknownCommandOrFormat_isAUsageError() {
    assertEquals(ExitCodes.USAGE, Cli.run("frobnicate").exitCode());
    Cli.Result badFormat = Cli.run("paths", "--path", "/tmp", "--format", "yaml");
    assertEquals(ExitCodes.USAGE, badFormat.exitCode(), badFormat.toString());
    assertTrue(badFormat.errorJson().get("message").asText().contains("yaml"), badFormat.stderr());
  }

  @Test
  void noCommand_printsUsageAndExitsWithTheUsageCode() {
    Cli.Result result = Cli.run();
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertTrue(result.stderr().contains("Usage: tidalctl"), result.stderr());
  }
}

package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
  void missingPathOption_printsPicocliMessageAndUsageAsPlainTextOnStderr_exitTwo() {
    Cli.Result result = Cli.run("paths");
    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertEquals("", result.stdout());
    assertTrue(result.stderr().startsWith("Missing required option: '--path=<dir>'"), result.stderr());
    assertTrue(result.stderr().contains("TIDALDB_HOME"), "says how else to name the home: " + result.stderr());
    assertTrue(result.stderr().contains("Usage: tidalctl paths"), result.stderr());
    assertFalse(result.stderr().contains("{"), "plain text, not JSON: " + result.stderr());
  }

  @Test
  void unknownOption_printsTheMessageAndTheCommandsUsage_exitTwo() {
    Cli.Result result = Cli.run("status", "-p", "/tmp", "--bogus");
    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertTrue(result.stderr().startsWith("Unknown option: '--bogus'"), result.stderr());
    assertTrue(result.stderr().contains("Usage: tidalctl status"), result.stderr());
  }

  @Test
  void unknownCommand_suggestsTheClosestOne_exitTwo() {
    Cli.Result result = Cli.run("stauts");
    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertTrue(result.stderr().startsWith("Unmatched argument at index 0: 'stauts'"), result.stderr());
    assertTrue(result.stderr().contains("Did you mean: tidalctl status"), result.stderr());
  }

  @Test
  void badFormatValue_namesTheValueAndTheChoices_inPlainText() {
    Cli.Result badFormat = Cli.run("paths", "--path", "/tmp", "--format", "yaml");
    assertEquals(ExitCodes.USAGE, badFormat.exitCode(), badFormat.toString());
    assertTrue(badFormat.stderr().contains("'yaml'") && badFormat.stderr().contains("json, text"), badFormat.stderr());
    assertTrue(badFormat.stderr().contains("Usage: tidalctl paths"), badFormat.stderr());
  }

  @Test
  void errorsAboutTheHome_stayJsonOnStderr() {
    Cli.Result result = Cli.run("status", "-p", "/nonexistent/tidaldb-home");
    assertEquals(ExitCodes.HOME_UNREADABLE, result.exitCode(), result.toString());
    assertEquals("home_missing", result.errorJson().get("error").asText());
  }

  @Test
  void noCommand_printsUsageAndExitsWithTheUsageCode() {
    Cli.Result result = Cli.run();
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertTrue(result.stderr().contains("Usage: tidalctl"), result.stderr());
  }
}

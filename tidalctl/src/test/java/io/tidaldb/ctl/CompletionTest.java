package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompletionTest {

  @Test
  void generateCompletion_printsABashAndZshScriptForEveryCommandAndOption() {
    Cli.Result result = Cli.run("generate-completion");
    assertEquals(0, result.exitCode(), result.toString());
    String script = result.stdout();
    assertTrue(script.contains("complete -F _complete_tidalctl"), "registers the completion function");
    for (String word : new String[] {"status", "paths", "wal", "dump", "verify", "--wal-dir", "--path", "--format"}) {
      assertTrue(script.contains(word), "completes " + word);
    }
  }

  @Test
  void help_listsGenerateCompletion() {
    assertTrue(Cli.run("--help").stdout().contains("generate-completion"));
  }
}

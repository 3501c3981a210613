package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ops/prometheus/tidaldb-rules.yml} passes {@code promtool check rules}, and its unit tests in
 * {@code ops/prometheus/tests/} pass {@code promtool test rules}. Skipped when {@code promtool} is
 * not on the PATH ({@code .ci/run} installs it where it can: the Debian package {@code prometheus}).
 */
class PrometheusRulesIT {

  private static Path promtool;

  @BeforeAll
  static void findPromtool() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst();
    assumeTrue(found.isPresent(), "promtool is not on the PATH, so the Prometheus rules are not checked here; install"
        + " it (Debian/Ubuntu: apt-get install prometheus) to run these tests");
    promtool = found.get();
  }

  @Test
  void promtoolCheckRules_acceptsTheRules() throws Exception {
    Result result = promtool("check", "rules", "ops/prometheus/tidaldb-rules.yml");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("SUCCESS"), result.output());
  }

  @Test
  void promtoolTestRules_passesTheRulesUnitTests() throws Exception {
    List<String> args = new ArrayList<>(List.of("test", "rules"));
    try (Stream<Path> tests = Files.list(Reactor.root().resolve("ops/prometheus/tests"))) {
      tests.filter(p -> p.toString().endsWith(".yml")).sorted()
          .forEach(p -> args.add(Reactor.root().relativize(p).toString()));
    }
    assertTrue(args.size() > 2, "no unit tests in ops/prometheus/tests");
    Result result = promtool(args.toArray(String[]::new));
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("SUCCESS"), result.output());
  }

  private static Result promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(promtool.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(Reactor.root().toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish within 60 s: " + command);
    return new Result(process.exitValue(), String.join(" ", command) + "\n" + new String(output, StandardCharsets.UTF_8));
  }

  private record Result(int exitCode, String output) {}
}

package io.tidaldb.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** Runs {@code tidalctl} in-process with captured output, as a user at a shell would see it. */
final class Cli {

  /** Reads what tidalctl prints; tidalctl itself only writes JSON (with jackson-core). */
  static final ObjectMapper JSON = new ObjectMapper();

  private Cli() {}

  /** Runs {@code tidalctl} in an environment without {@code TIDALDB_HOME}. */
  static Result run(String... args) {
    return runWithEnvironment(Map.of(), args);
  }

  /** Runs {@code tidalctl} with these environment variables (and no others). */
  static Result runWithEnvironment(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = Tidalctl.run(new PrintWriter(out), new PrintWriter(err), environment, args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  record Result(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      return parse(stdout);
    }

    JsonNode errorJson() {
      return parse(stderr);
    }

    private static JsonNode parse(String text) {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: «" + text + "»", e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }
}

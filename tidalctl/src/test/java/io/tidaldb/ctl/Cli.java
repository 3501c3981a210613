package io.tidaldb.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Runs {@code tidalctl} in-process with captured output, as a user at a shell would see it. */
final class Cli {

  private Cli() {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = Tidalctl.run(new PrintWriter(out), new PrintWriter(err), args);
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
        return Output.JSON.readTree(text);
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

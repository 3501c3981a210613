package io.tidaldb.ctl;

import io.tidaldb.CorruptionException;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.wal.WalProblem;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/** How problems found in a home's files appear in reports and decide the exit code. One home for both. */
final class Problems {

  private Problems() {}

  /** {@code torn_tail}, {@code corruption} or {@code unsupported_version}. */
  static String kind(WalProblem problem) {
    return problem.kind().name().toLowerCase(Locale.ROOT);
  }

  static JsonObject json(WalProblem problem) {
    return json(kind(problem), problem.file(), problem.offset(), problem.detail());
  }

  static JsonObject json(CorruptionException e) {
    return json("corruption", e.file(), e.offset(), e.getMessage());
  }

  static JsonObject json(UnsupportedFormatException e) {
    return json("unsupported_version", e.file(), e.offset(), e.getMessage());
  }

  /** A problem's JSON: {@code kind}, {@code file}, {@code offset}, {@code detail}. */
  static JsonObject json(String kind, Path file, long offset, String detail) {
    JsonObject node = Output.object();
    node.put("kind", kind);
    node.put("file", file.toString());
    node.put("offset", offset);
    node.put("detail", detail);
    return node;
  }

  /**
   * The exit code a problem calls for: a torn tail is the normal trace of a crash (0); corruption is
   * {@link ExitCodes#CORRUPTION}; a newer format cannot be read by this build ({@link ExitCodes#HOME_UNREADABLE}).
   */
  static int exitCode(WalProblem problem) {
    return switch (problem.kind()) {
      case TORN_TAIL -> ExitCodes.OK;
      case CORRUPTION -> ExitCodes.CORRUPTION;
      case UNSUPPORTED_VERSION -> ExitCodes.HOME_UNREADABLE;
    };
  }

  /** The more serious of two exit codes: corruption outranks an unreadable file, which outranks ok. */
  static int worst(int a, int b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(int exitCode) {
    return switch (exitCode) {
      case ExitCodes.OK -> 0;
      case ExitCodes.HOME_UNREADABLE -> 1;
      case ExitCodes.CORRUPTION -> 2;
      default -> 3;
    };
  }

  /**
   * The problems a report found while reading a home, in {@code errors} and {@code warnings}, and
   * the exit code they call for together.
   */
  static final class Findings {
    final JsonArray warnings = new JsonArray();
    final JsonArray errors = new JsonArray();
    private int exitCode = ExitCodes.OK;

    /**
     * Reads one file of the home; a damaged file or one from a newer tidalDB becomes an entry in
     * {@code errors} (and the exit code it calls for) instead of ending the report.
     */
    <T> Optional<T> read(Supplier<Optional<T>> reader) {
      try {
        return reader.get();
      } catch (CorruptionException e) {
        error(json(e), ExitCodes.CORRUPTION);
      } catch (UnsupportedFormatException e) {
        error(json(e), ExitCodes.HOME_UNREADABLE);
      }
      return Optional.empty();
    }

    /** A problem of the WAL: a torn tail is a warning, the rest are errors. */
    JsonObject add(WalProblem problem) {
      JsonObject node = json(problem);
      if (Problems.exitCode(problem) == ExitCodes.OK) {
        warnings.add(node);
      } else {
        error(node, Problems.exitCode(problem));
      }
      return node;
    }

    void error(JsonObject problem, int code) {
      errors.add(problem);
      exitCode = worst(exitCode, code);
    }

    int exitCode() {
      return exitCode;
    }
  }
}

package io.tidaldb.ctl;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A failure {@code tidalctl} reports as a JSON error object on stderr and an exit code.
 *
 * @see Output#error(CliFailure)
 */
final class CliFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final String kind;
  private final Path path;

  CliFailure(int exitCode, String kind, String message, Path path) {
    super(message);
    this.exitCode = exitCode;
    this.kind = kind;
    this.path = path;
  }

  static CliFailure homeUnreadable(String kind, Path path, String message) {
    return new CliFailure(ExitCodes.HOME_UNREADABLE, kind, message, path);
  }

  int exitCode() {
    return exitCode;
  }

  /** A short, stable, machine-readable name such as {@code home_missing}. */
  String kind() {
    return kind;
  }

  Optional<Path> path() {
    return Optional.ofNullable(path);
  }
}

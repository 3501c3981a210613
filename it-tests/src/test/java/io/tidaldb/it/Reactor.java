package io.tidaldb.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the reactor's build outputs are, for tests that run them as a user would. */
final class Reactor {

  private Reactor() {}

  static Path root() {
    String root = System.getProperty("tidaldb.reactorRoot");
    if (root == null) {
      throw new IllegalStateException("run through Maven (failsafe sets tidaldb.reactorRoot)");
    }
    return Path.of(root).toAbsolutePath().normalize();
  }

  /** The packaged {@code tidalctl} command, as the README tells users to run it. */
  static Path tidalctl() {
    Path command = root().resolve("tidalctl/target/tidalctl/bin/tidalctl");
    if (!Files.isExecutable(command)) {
      throw new IllegalStateException(command + " is missing or not executable: build with mvn package first");
    }
    return command;
  }
}

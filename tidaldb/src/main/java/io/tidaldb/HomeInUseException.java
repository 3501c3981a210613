package io.tidaldb;

import java.nio.file.Path;

/**
 * The home directory is locked by another open {@link TidalDb}, in this JVM or in another process.
 *
 * <p>A persistent home admits one writer at a time: it holds an operating-system lock on the
 * home's {@code LOCK} file while it is open. Close the other handle (or stop the other process),
 * or open a different home. {@code tidalctl} can still inspect a home that is in use.
 */
public class HomeInUseException extends TidalDbException {

  private final Path home;

  /**
   * Creates the exception.
   *
   * @param home the base directory of the home that is in use
   * @param message who holds it, where that is known
   */
  public HomeInUseException(Path home, String message) {
    super(message);
    this.home = home;
  }

  /**
   * The base directory of the home that is in use.
   *
   * @return the home's base directory
   */
  public Path home() {
    return home;
  }
}

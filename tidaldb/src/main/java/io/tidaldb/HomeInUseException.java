package io.tidaldb;

import java.nio.file.Path;

/**
 * The home directory, or its write-ahead log directory, is locked by another open {@link TidalDb},
 * in this JVM or in another process.
 *
 * <p>A persistent home admits one writer at a time: it holds an operating-system lock on the
 * home's {@code LOCK} file while it is open, and one on the WAL directory's {@code LOCK} file
 * ({@link TidalHome#walLockFile()}), so that two homes whose {@code walDir} is the same directory
 * are refused too. Close the other handle (or stop the other process), or open a different home
 * (or give it its own {@code walDir}). {@code tidalctl} can still inspect a home that is in use.
 */
public class HomeInUseException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  private final Path home;

  /**
   * Creates the exception.
   *
   * @param home the directory that is in use: the home's base directory, or its WAL directory
   * @param message who holds it, where that is known
   */
  public HomeInUseException(Path home, String message) {
    super(message);
    this.home = home;
  }

  /**
   * The directory that is in use: the base directory of the home, or the WAL directory when another
   * home holds that.
   *
   * @return the locked directory
   */
  public Path home() {
    return home;
  }
}

package io.tidaldb;

/**
 * The unchecked base of every exception tidalDB throws on purpose.
 *
 * <p>Catch this type to handle any tidalDB failure; catch a subtype to handle one kind:
 * {@link ConfigException} (a setting is wrong), {@link HomeInUseException} (another handle or
 * process holds the home), {@link CorruptionException} (a file on disk is damaged),
 * {@link StorageException} (the operating system refused an I/O operation),
 * {@link DatabaseClosedException} (the handle was used after {@code close()}),
 * {@link InvalidSignalException} (a signal write or read was given something it cannot accept) and
 * {@link UnsupportedFormatException} (a file was written by a newer tidalDB).
 *
 * <p>Every message says what went wrong and, where there is one, what to do about it.
 */
public class TidalDbException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message for the user.
   *
   * @param message what went wrong and what to do about it
   */
  public TidalDbException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message for the user and the failure that caused it.
   *
   * @param message what went wrong and what to do about it
   * @param cause the underlying failure
   */
  public TidalDbException(String message, Throwable cause) {
    super(message, cause);
  }
}

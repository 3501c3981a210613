package io.tidaldb;

/**
 * A signal write or read was refused because of what it was given: a signal the schema does not
 * declare, a weight that is NaN, infinite, too large for a float or negative where the signal
 * forbids it, a time the log cannot represent, or a window the signal does not count. Nothing was
 * written. The message names the argument and the value, and what would be accepted.
 *
 * <pre>{@code
 * try {
 *   db.signal("view", itemId, weight, at);
 * } catch (InvalidSignalException e) {
 *   deadLetters.add(event, e.getMessage());   // this event can never be stored; retrying will not help
 * }
 * }</pre>
 *
 * <p>Retrying the same call fails the same way, unlike a {@link StorageException}.
 */
public class InvalidSignalException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which argument, which value, and what would be accepted
   */
  public InvalidSignalException(String message) {
    super(message);
  }
}

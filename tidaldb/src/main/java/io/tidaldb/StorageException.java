package io.tidaldb;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The operating system refused an I/O operation tidalDB needed: a disk full, a permission taken
 * away, a file system gone read-only. It wraps the {@link IOException}, which stays available as the
 * {@linkplain #getCause() cause}.
 */
public class StorageException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  /**
   * Wraps an I/O failure.
   *
   * @param message what tidalDB was doing, and on which path
   * @param cause the I/O failure
   */
  public StorageException(String message, IOException cause) {
    super(message + ": " + describe(cause), cause);
  }

  /**
   * Wraps an I/O failure that already travelled unchecked.
   *
   * @param message what tidalDB was doing, and on which path
   * @param cause the unchecked I/O failure
   */
  public StorageException(String message, UncheckedIOException cause) {
    this(message, cause.getCause());
  }

  /**
   * The I/O failure behind this exception.
   *
   * @return the {@link IOException} that caused it
   */
  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }

  /**
   * An I/O failure as tidalDB's messages name it: its type, and its message if it has one.
   *
   * @param e the failure
   * @return such as {@code "AccessDeniedException (/var/lib/tidaldb/LOCK)"}
   */
  public static String describe(IOException e) {
    String simple = e.getClass().getSimpleName();
    return e.getMessage() == null ? simple : simple + " (" + e.getMessage() + ")";
  }
}

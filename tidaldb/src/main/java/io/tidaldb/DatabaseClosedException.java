package io.tidaldb;

/**
 * A {@link TidalDb} (or a handle derived from it) was used after {@link TidalDb#close()}. Open the
 * database again to go on.
 */
public class DatabaseClosedException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param what the database that is closed, as the user would recognise it
   */
  public DatabaseClosedException(String what) {
    super(what + " is closed; open it again with TidalDb.builder()...open()");
  }
}

package io.tidaldb;

/**
 * A setting given to {@link TidalDbBuilder} (or to another builder of tidalDB) is wrong, missing,
 * or in conflict with another setting. The message names the setting and the value.
 *
 * <pre>{@code
 * TidalDb.builder().ephemeral().walDir(Path.of("/tmp/wal")).open();
 * // ConfigException: walDir(/tmp/wal) has no meaning with ephemeral(): ...
 * }</pre>
 */
public class ConfigException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception naming the setting and the value.
   *
   * @param message which setting, which value, and what would be accepted
   */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * Creates an exception naming the setting and the value, with the failure that revealed it.
   *
   * @param message which setting, which value, and what would be accepted
   * @param cause the failure that revealed the problem (for example an I/O error)
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}

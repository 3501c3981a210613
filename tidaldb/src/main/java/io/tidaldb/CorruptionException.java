package io.tidaldb;

import java.nio.file.Path;

/**
 * A file tidalDB wrote is damaged in a way that recovery must not paper over: a checksum does not
 * match, a header is not one of ours, or valid data follows damaged data.
 *
 * <p>The exception names the file and the byte offset of the first damage, so that an operator can
 * look at it ({@code tidalctl wal verify --path <home>}), restore it from a backup, or choose to
 * truncate the log at the first corruption and lose what follows.
 */
public class CorruptionException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  private final Path file;
  private final long offset;
  private final String detail;

  /**
   * Creates the exception.
   *
   * @param file the damaged file
   * @param offset the byte offset of the first damage in {@code file}
   * @param detail what is wrong at that offset
   */
  public CorruptionException(Path file, long offset, String detail) {
    super(file + " is corrupt at offset " + offset + ": " + detail);
    this.file = file;
    this.offset = offset;
    this.detail = detail;
  }

  /**
   * What is wrong at {@link #offset()}, without the file and offset the message starts with.
   *
   * @return the detail given when the exception was created
   */
  public String detail() {
    return detail;
  }

  /**
   * The damaged file.
   *
   * @return the path of the damaged file
   */
  public Path file() {
    return file;
  }

  /**
   * The byte offset of the first damage found in {@link #file()}.
   *
   * @return a byte offset, from 0
   */
  public long offset() {
    return offset;
  }
}

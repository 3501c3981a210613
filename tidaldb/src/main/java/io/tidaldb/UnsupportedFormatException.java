package io.tidaldb;

import java.nio.file.Path;

/**
 * A file is in a tidalDB format, but in a newer version than this build reads: it was written by a
 * newer tidalDB. Nothing is damaged; open it with the version that wrote it (or a newer one).
 *
 * <pre>{@code
 * Wal.open(WalConfig.of(dir));
 * // UnsupportedFormatException: .../wal-00000000000000000001.seg at offset 0 has format version 2;
 * //   this tidalDB (0.1.0) reads version 1 ...
 * }</pre>
 */
public class UnsupportedFormatException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  private final Path file;
  private final long offset;
  private final int version;

  /**
   * Creates the exception.
   *
   * @param file the file in the newer format
   * @param offset the byte offset of the header that carries the version
   * @param version the format version found there
   * @param supported the newest version this build reads
   */
  public UnsupportedFormatException(Path file, long offset, int version, int supported) {
    super(file + " at offset " + offset + " has format version " + version + "; this tidalDB (" + BuildInfo.version()
        + ") reads version " + supported + " and older. It was written by a newer tidalDB: open it with that version.");
    this.file = file;
    this.offset = offset;
    this.version = version;
  }

  /** {@return the file in the newer format} */
  public Path file() {
    return file;
  }

  /** {@return the byte offset of the header that carries the version} */
  public long offset() {
    return offset;
  }

  /** {@return the format version found in the file} */
  public int version() {
    return version;
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.CorruptionException;
import io.tidaldb.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A little-endian reader over a file's bytes (without its 4-byte checksum trailer) that reports a
 * truncated or malformed file as a {@link CorruptionException} naming the file and the offset.
 */
final class ChecksummedFileReader {

  private final Path file;
  private final ByteBuffer buffer;
  private int position;
  /** The format version {@link #framed} found; 0 for a decoder made otherwise. */
  private int version;

  /** Reads {@code bytes[0, limit)}. */
  ChecksummedFileReader(Path file, byte[] bytes, int limit) {
    this.file = file;
    this.buffer = ByteBuffer.wrap(bytes, 0, limit).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Checks the framing every checksummed tidalDB file shares (at least a header and a CRC32C
   * trailer, the magic, the checksum, the version) and returns a decoder placed after the header's
   * version and its reserved u16.
   *
   * @param what the file's kind, as the user would name it ("ledger snapshot")
   * @param magic the file's first four bytes, read as a little-endian int
   * @throws CorruptionException if any of it is wrong
   * @throws UnsupportedFormatException if the version is newer than {@code version}
   */
  static ChecksummedFileReader framed(Path file, byte[] bytes, String what, int magic, int headerBytes, int trailerBytes, int version) {
    return framed(file, bytes, what, magic, headerBytes, trailerBytes, version, version);
  }

  /**
   * {@link #framed(Path, byte[], String, int, int, int, int)} for a format that still reads its
   * versions from {@code oldest} to {@code newest}; {@link #version()} tells which one was found.
   */
  static ChecksummedFileReader framed(Path file, byte[] bytes, String what, int magic, int headerBytes, int trailerBytes, int oldest,
      int newest) {
    if (bytes.length < headerBytes + trailerBytes) {
      throw new CorruptionException(file, bytes.length, "the file has " + bytes.length + " bytes, fewer than a header"
          + " and a checksum (" + (headerBytes + trailerBytes) + ")");
    }
    ChecksummedFileReader in = new ChecksummedFileReader(file, bytes, bytes.length - trailerBytes);
    checkMagic(file, in.i32(), what, magic);
    checkCrc(file, bytes, trailerBytes);
    int found = in.u16();
    if (found > newest) {
      throw new UnsupportedFormatException(file, 4, found, newest);
    }
    if (found < oldest) {
      throw new CorruptionException(file, 4, "format version " + found + " does not exist");
    }
    in.version = found;
    in.u16();
    return in;
  }

  /**
   * Checks a file's first four bytes.
   *
   * @param found the file's first four bytes, read as a little-endian int
   * @throws CorruptionException at offset 0 if they are not {@code magic}
   */
  static void checkMagic(Path file, int found, String what, int magic) {
    if (found != magic) {
      String name = new String(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).array(),
          StandardCharsets.US_ASCII);
      throw new CorruptionException(file, 0, "not a tidalDB " + what + " (the magic is not \"" + name + "\")");
    }
  }

  int version() {
    return version;
  }

  int position() {
    return position;
  }

  /** Goes back (or forth) to {@code offset}, a position this decoder has already passed. */
  void seek(int offset) {
    position = offset;
  }

  int remaining() {
    return buffer.limit() - position;
  }

  private int take(int bytes) {
    if (buffer.limit() - position < bytes) {
      throw new CorruptionException(file, position, "the file ends inside a record (" + bytes + " more bytes needed)");
    }
    int at = position;
    position += bytes;
    return at;
  }

  int u8() {
    return buffer.get(take(1)) & 0xFF;
  }

  int u16() {
    return buffer.getShort(take(2)) & 0xFFFF;
  }

  int i32() {
    return buffer.getInt(take(4));
  }

  long i64() {
    return buffer.getLong(take(8));
  }

  byte[] bytes(int length) {
    byte[] out = new byte[length];
    buffer.get(take(length), out);
    return out;
  }

  /** A bucket count: an unsigned LEB128 varint from 1 to {@code Integer.MAX_VALUE}. */
  int varint() {
    int at = position;
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = u8();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (value > Integer.MAX_VALUE || value == 0) {
          throw new CorruptionException(file, at, "bucket count " + value + " is out of range");
        }
        return (int) value;
      }
    }
    throw new CorruptionException(file, at, "a bucket count runs past 5 bytes");
  }

  CorruptionException corrupt(int offset, String detail) {
    return new CorruptionException(file, offset, detail);
  }

  /** Checks the CRC32C trailer of {@code trailer} bytes over every byte before it. */
  static void checkCrc(Path file, byte[] bytes, int trailer) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - trailer);
    int stored = ByteBuffer.wrap(bytes, bytes.length - trailer, trailer).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if ((int) crc.getValue() != stored) {
      throw new CorruptionException(file, bytes.length - trailer, "the CRC32C checksum does not match the content");
    }
  }
}

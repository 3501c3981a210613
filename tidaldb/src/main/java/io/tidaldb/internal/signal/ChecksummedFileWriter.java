package io.tidaldb.internal.signal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * A little-endian writer to a file through a 64 KiB buffer, keeping the CRC32C of everything
 * written: the snapshot and schema files end with {@link #finish()}, the checksum of every byte
 * before it.
 */
final class ChecksummedFileWriter {

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private long written;

  ChecksummedFileWriter(FileChannel channel) {
    this.channel = channel;
  }

  private ChecksummedFileWriter room(int bytes) throws IOException {
    if (buffer.remaining() < bytes) {
      flush();
    }
    return this;
  }

  private void flush() throws IOException {
    buffer.flip();
    crc.update(buffer.duplicate());
    while (buffer.hasRemaining()) {
      written += channel.write(buffer);
    }
    buffer.clear();
  }

  ChecksummedFileWriter i8(int value) throws IOException {
    room(1).buffer.put((byte) value);
    return this;
  }

  ChecksummedFileWriter i16(int value) throws IOException {
    room(2).buffer.putShort((short) value);
    return this;
  }

  ChecksummedFileWriter i32(int value) throws IOException {
    room(4).buffer.putInt(value);
    return this;
  }

  ChecksummedFileWriter i64(long value) throws IOException {
    room(8).buffer.putLong(value);
    return this;
  }

  ChecksummedFileWriter bytes(byte[] value) throws IOException {
    return bytes(value, 0, value.length);
  }

  ChecksummedFileWriter bytes(byte[] value, int offset, int length) throws IOException {
    int at = offset;
    int left = length;
    while (left > 0) {
      if (!buffer.hasRemaining()) {
        flush();
      }
      int n = Math.min(left, buffer.remaining());
      buffer.put(value, at, n);
      at += n;
      left -= n;
    }
    return this;
  }

  /** Writes the CRC32C of everything before it, and flushes. */
  void finish() throws IOException {
    flush();
    buffer.putInt((int) crc.getValue());
    buffer.flip();
    while (buffer.hasRemaining()) {
      written += channel.write(buffer);
    }
  }

  /** {@return the bytes written to the channel so far} */
  long written() {
    return written;
  }
}

package io.tidaldb.internal.signal;

import java.util.Arrays;

/**
 * A growable little-endian byte array: where a checkpoint encodes a stripe's entries, in their
 * file layout, before they are merged into the snapshot file.
 */
final class GrowableByteArray {

  private byte[] bytes;
  private int size;

  GrowableByteArray(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  private void room(int n) {
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
    }
  }

  void i64(long value) {
    room(8);
    for (int i = 0; i < 8; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  void i32(int value) {
    room(4);
    for (int i = 0; i < 4; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  /** An unsigned LEB128 varint: 7 bits per byte, low bits first, high bit set on all but the last. */
  void varint(int value) {
    room(5);
    int v = value;
    while ((v & ~0x7F) != 0) {
      bytes[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
  }

  int size() {
    return size;
  }

  /** The array written into; valid up to {@link #size()}. */
  byte[] array() {
    return bytes;
  }
}

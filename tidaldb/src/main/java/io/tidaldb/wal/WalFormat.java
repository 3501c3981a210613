package io.tidaldb.wal;

import io.tidaldb.CorruptionException;
import io.tidaldb.SignalSpec;
import io.tidaldb.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The one home of the WAL's byte layout: segment header, batch header, event, and
 * {@code checkpoint.meta}. Everything is little-endian and every checksum is CRC32C. The layout is
 * documented byte by byte in {@code docs/FORMAT.md}; change the two together.
 *
 * <p>Every method works on absolute positions of a little-endian buffer and leaves the buffer's
 * position and limit as it found them.
 */
final class WalFormat {

  private WalFormat() {}

  /**
   * The format version of segments and batches this code writes, and the newest it reads. Version 2
   * added the durable mark to the batch header; version 1 is still read (see {@link BatchLayout}).
   */
  static final int VERSION = 2;

  /** The format version of {@code checkpoint.meta}, which version 2 of the log left unchanged. */
  static final int CHECKPOINT_VERSION = 1;

  // ---- segment header: 32 bytes at offset 0 of every segment file ----

  /** {@code "TIDALWAL"} in ASCII, the first 8 bytes of every segment. */
  static final long SEGMENT_MAGIC = asciiLong("TIDALWAL");
  static final int SEGMENT_HEADER_SIZE = 32;
  static final int SEG_MAGIC = 0;            // u64
  static final int SEG_VERSION = 8;          // u16
  static final int SEG_FIRST_SEQ = 16;       // u64
  static final int SEG_CRC = 28;             // u32 over bytes [0, 28)

  // ---- prepared space: after the last batch of the last segment ----

  /**
   * The byte the writer fills the space ahead of its next batches with ({@code 0xFF}), so that an
   * fsync after a batch written there finds the file's size and blocks already on disk and has no
   * metadata to commit. A run of it from where a batch would start to the end of the last segment is
   * the log's clean end, never damage: a batch header cannot start with it ({@link #BATCH_MAGIC}).
   */
  static final byte PREPARED = (byte) 0xFF;
  /** How far ahead of a batch the writer prepares space in one step (at most to the segment's size). */
  static final int PREPARE_AHEAD = 1 << 20;

  // ---- batch header (version 2): 48 bytes, followed by eventCount * EVENT_SIZE payload bytes ----

  /** {@code "TBAT"} in ASCII, the first 4 bytes of every batch. */
  static final int BATCH_MAGIC = (int) asciiLong("TBAT");
  static final int BATCH_HEADER_SIZE = 48;
  static final int B_MAGIC = 0;              // u32
  static final int B_VERSION = 4;            // u16
  static final int B_EVENT_COUNT = 8;        // u32
  static final int B_PAYLOAD_LENGTH = 12;    // u32
  static final int B_FIRST_SEQ = 16;         // u64
  static final int B_TIMESTAMP = 24;         // i64 epoch nanos
  static final int B_DURABLE_SEQ = 32;       // u64: the highest sequence fsynced when the batch was written
  static final int B_PAYLOAD_CRC = 40;       // u32 over the payload
  static final int B_HEADER_CRC = 44;        // u32 over bytes [0, 44)

  // ---- batch header (version 1): the same up to byte 32, then the two CRCs; no durable mark ----

  static final int V1_BATCH_HEADER_SIZE = 40;
  static final int V1_B_PAYLOAD_CRC = 32;    // u32 over the payload
  static final int V1_B_HEADER_CRC = 36;     // u32 over bytes [0, 36)

  /**
   * Where the fields of a batch header that moved between versions are. A segment's header version
   * says which layout all of its batches have. In both, the header CRC is the last field, over every
   * header byte before it, and the payload CRC comes just before it.
   *
   * @param version the format version
   * @param headerSize the header's size in bytes; the payload follows it
   * @param durableSequence the offset of the durable mark, or -1 if the version has none
   * @param payloadCrc the offset of the payload's CRC
   * @param headerCrc the offset of the header's CRC, which covers bytes {@code [0, headerCrc)}
   */
  record BatchLayout(int version, int headerSize, int durableSequence, int payloadCrc, int headerCrc) {

    int batchSize(int eventCount) {
      return headerSize + eventCount * EVENT_SIZE;
    }

    boolean hasDurableMark() {
      return durableSequence >= 0;
    }
  }

  static final BatchLayout V1 = new BatchLayout(1, V1_BATCH_HEADER_SIZE, -1, V1_B_PAYLOAD_CRC, V1_B_HEADER_CRC);
  static final BatchLayout V2 = new BatchLayout(2, BATCH_HEADER_SIZE, B_DURABLE_SEQ, B_PAYLOAD_CRC, B_HEADER_CRC);

  /** The batch layout of a segment of format {@code version}, from 1 to {@link #VERSION}. */
  static BatchLayout layout(int version) {
    return switch (version) {
      case 1 -> V1;
      case 2 -> V2;
      default -> throw new IllegalArgumentException("no batch layout for format version " + version);
    };
  }

  // ---- event: 24 bytes ----

  static final int EVENT_SIZE = 24;
  static final int E_ENTITY_ID = 0;          // u64
  static final int E_SIGNAL_TYPE = 8;        // u16
  static final int E_WEIGHT = 12;            // f32 (IEEE 754 bits)
  static final int E_TIMESTAMP = 16;         // i64 epoch nanos
  /**
   * The signal type id reserved for a source-position marker (docs/FORMAT.md, "Source position
   * marker"): an event with this id records no signal; its entity-id field holds the upstream
   * position that the batch frame it ends brings the home to. The one id above every schema's.
   */
  static final int SOURCE_POSITION_TYPE_ID = SignalSpec.MAX_ID + 1;
  /** The largest id the u16 field holds (0xFFFF): a schema's signals and the marker. Also the field's mask. */
  static final int MAX_SIGNAL_TYPE_ID = SOURCE_POSITION_TYPE_ID;

  /** The most events one batch may hold; keeps a payload length well inside a u32. */
  static final int MAX_EVENTS_PER_BATCH = 1 << 24;

  // ---- checkpoint.meta: 36 bytes ----

  /** {@code "TIDALCKP"} in ASCII, the first 8 bytes of {@code checkpoint.meta}. */
  static final long CHECKPOINT_MAGIC = asciiLong("TIDALCKP");
  static final int CHECKPOINT_SIZE = 36;
  static final int C_MAGIC = 0;              // u64
  static final int C_VERSION = 8;            // u32
  static final int C_SEQUENCE = 16;          // u64
  static final int C_TIMESTAMP = 24;         // i64 epoch nanos
  static final int C_CRC = 32;               // u32 over bytes [0, 32)

  private static long asciiLong(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.wrap(java.util.Arrays.copyOf(bytes, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** A little-endian direct buffer. */
  static ByteBuffer allocate(int capacity) {
    return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int batchSize(int eventCount) {
    return BATCH_HEADER_SIZE + eventCount * EVENT_SIZE;
  }

  /**
   * CRC32C of {@code length} bytes at {@code offset}. Leaves position and limit as it found them
   * (without allocating a duplicate: this runs for every batch read).
   */
  static int crc(CRC32C crc, ByteBuffer buffer, int offset, int length) {
    int position = buffer.position();
    int limit = buffer.limit();
    buffer.limit(buffer.capacity()).position(offset).limit(offset + length);
    crc.reset();
    crc.update(buffer);
    buffer.limit(limit).position(position);
    return (int) crc.getValue();
  }

  // ---- segment header ----

  /** Writes the header of a segment in the current format version. */
  static void writeSegmentHeader(ByteBuffer buffer, long firstSequence) {
    for (int i = 0; i < SEGMENT_HEADER_SIZE; i++) {
      buffer.put(i, (byte) 0);
    }
    buffer.putLong(SEG_MAGIC, SEGMENT_MAGIC);
    buffer.putShort(SEG_VERSION, (short) VERSION);
    buffer.putLong(SEG_FIRST_SEQ, firstSequence);
    buffer.putInt(SEG_CRC, crc(new CRC32C(), buffer, 0, SEG_CRC));
  }

  // ---- batch ----

  static void putEvent(ByteBuffer buffer, int at, long entityId, int signalTypeId, float weight, long timestampNanos) {
    buffer.putLong(at + E_ENTITY_ID, entityId);
    buffer.putInt(at + E_SIGNAL_TYPE, signalTypeId & MAX_SIGNAL_TYPE_ID);
    buffer.putFloat(at + E_WEIGHT, weight);
    buffer.putLong(at + E_TIMESTAMP, timestampNanos);
  }

  /**
   * Completes a batch whose {@code eventCount} events are already in place after the header at
   * {@code at}: fills in the header and both checksums.
   *
   * @param durableSequence the highest sequence known to be fsynced as the batch is written (the
   *     durable mark recovery uses to tell a tail lost to a power loss from damage to durable data)
   * @return the batch's size in bytes
   */
  static int sealBatch(ByteBuffer buffer, int at, CRC32C crc, int eventCount, long firstSequence, long timestampNanos,
      long durableSequence) {
    int payload = eventCount * EVENT_SIZE;
    buffer.putInt(at + B_MAGIC, BATCH_MAGIC);
    buffer.putShort(at + B_VERSION, (short) VERSION);
    buffer.putShort(at + B_VERSION + 2, (short) 0);
    buffer.putInt(at + B_EVENT_COUNT, eventCount);
    buffer.putInt(at + B_PAYLOAD_LENGTH, payload);
    buffer.putLong(at + B_FIRST_SEQ, firstSequence);
    buffer.putLong(at + B_TIMESTAMP, timestampNanos);
    buffer.putLong(at + B_DURABLE_SEQ, durableSequence);
    buffer.putInt(at + B_PAYLOAD_CRC, crc(crc, buffer, at + BATCH_HEADER_SIZE, payload));
    buffer.putInt(at + B_HEADER_CRC, crc(crc, buffer, at, B_HEADER_CRC));
    return BATCH_HEADER_SIZE + payload;
  }

  static long entityId(ByteBuffer buffer, int event) {
    return buffer.getLong(event + E_ENTITY_ID);
  }

  static int signalTypeId(ByteBuffer buffer, int event) {
    return buffer.getShort(event + E_SIGNAL_TYPE) & MAX_SIGNAL_TYPE_ID;
  }

  static float weight(ByteBuffer buffer, int event) {
    return buffer.getFloat(event + E_WEIGHT);
  }

  static long timestampNanos(ByteBuffer buffer, int event) {
    return buffer.getLong(event + E_TIMESTAMP);
  }

  // ---- checkpoint ----

  static ByteBuffer encodeCheckpoint(CheckpointMeta meta) {
    ByteBuffer buffer = ByteBuffer.allocate(CHECKPOINT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(C_MAGIC, CHECKPOINT_MAGIC);
    buffer.putInt(C_VERSION, CHECKPOINT_VERSION);
    buffer.putLong(C_SEQUENCE, meta.sequence());
    buffer.putLong(C_TIMESTAMP, meta.timestampNanos());
    buffer.putInt(C_CRC, crc(new CRC32C(), buffer, 0, C_CRC));
    return buffer;
  }

  static CheckpointMeta decodeCheckpoint(Path file, byte[] bytes) {
    // Magic and version come first and stay put in every version, so that a file from a newer
    // tidalDB is told apart from a damaged one even if its size or layout changed.
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length >= C_VERSION + 4) {
      long magic = buffer.getLong(C_MAGIC);
      if (magic != CHECKPOINT_MAGIC) {
        throw new CorruptionException(file, C_MAGIC, "not a tidalDB checkpoint: magic "
            + hex(magic, 8) + ", expected " + hex(CHECKPOINT_MAGIC, 8) + " (\"TIDALCKP\")");
      }
      int version = buffer.getInt(C_VERSION);
      if (version > CHECKPOINT_VERSION) {
        throw new UnsupportedFormatException(file, 0, version, CHECKPOINT_VERSION);
      }
    }
    if (bytes.length != CHECKPOINT_SIZE) {
      throw new CorruptionException(file, Math.min(bytes.length, CHECKPOINT_SIZE),
          "a checkpoint is exactly " + CHECKPOINT_SIZE + " bytes, this file has " + bytes.length);
    }
    int stored = buffer.getInt(C_CRC);
    int actual = crc(new CRC32C(), buffer, 0, C_CRC);
    if (stored != actual) {
      throw new CorruptionException(file, C_CRC, "checksum mismatch (stored " + hex(stored, 4)
          + ", computed " + hex(actual, 4) + "); restore the file, or delete it to recover from the oldest segment");
    }
    int version = buffer.getInt(C_VERSION);
    if (version < 1) {
      throw new CorruptionException(file, C_VERSION, "format version " + version + " does not exist");
    }
    long sequence = buffer.getLong(C_SEQUENCE);
    if (sequence < 0) {
      throw new CorruptionException(file, C_SEQUENCE, "negative sequence " + sequence);
    }
    return new CheckpointMeta(sequence, buffer.getLong(C_TIMESTAMP));
  }

  static String hex(long value, int bytes) {
    return "0x" + String.format("%0" + (bytes * 2) + "x", bytes == 8 ? value : value & ((1L << (bytes * 8)) - 1));
  }
}

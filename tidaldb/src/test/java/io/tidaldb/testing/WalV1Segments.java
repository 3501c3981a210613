package io.tidaldb.testing;

import io.tidaldb.wal.Segment;
import io.tidaldb.wal.WalEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes WAL segments in format version 1, the layout before the durable mark, from what
 * {@code docs/FORMAT.md} says of it (literal offsets; nothing from the production code), so that
 * tests can check that a newer tidalDB still reads a log an older one wrote. The core's tests check
 * it against segments the version-1 writer itself produced.
 *
 * <pre>{@code
 * WalV1Segments.write(home.wal(), 1, nowNanos, List.of(List.of(e1, e2), List.of(e3)));
 * }</pre>
 */
public final class WalV1Segments {

  private static final int SEGMENT_HEADER = 32;
  private static final int BATCH_HEADER = 40;
  private static final int EVENT = 24;

  private WalV1Segments() {}

  /**
   * The bytes of a version-1 segment.
   *
   * @param firstSequence the sequence of its first event (and the number in its name)
   * @param batchTimestampNanos the timestamp every batch header gets
   * @param batches the events of each batch, in order; an empty list is a segment with no batch
   * @return the segment file's bytes
   */
  public static byte[] segment(long firstSequence, long batchTimestampNanos, List<List<WalEvent>> batches) {
    int size = SEGMENT_HEADER;
    for (List<WalEvent> batch : batches) {
      size += BATCH_HEADER + EVENT * batch.size();
    }
    byte[] bytes = new byte[size];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, "TIDALWAL".getBytes(StandardCharsets.US_ASCII));
    b.putShort(8, (short) 1);
    b.putLong(16, firstSequence);
    b.putInt(28, crc(bytes, 0, 28));
    int at = SEGMENT_HEADER;
    long sequence = firstSequence;
    for (List<WalEvent> batch : batches) {
      int payload = EVENT * batch.size();
      b.put(at, "TBAT".getBytes(StandardCharsets.US_ASCII));
      b.putShort(at + 4, (short) 1);
      b.putInt(at + 8, batch.size());
      b.putInt(at + 12, payload);
      b.putLong(at + 16, sequence);
      b.putLong(at + 24, batchTimestampNanos);
      for (int i = 0; i < batch.size(); i++) {
        int e = at + BATCH_HEADER + i * EVENT;
        WalEvent event = batch.get(i);
        b.putLong(e, event.entityId());
        b.putShort(e + 8, (short) event.signalTypeId());
        b.putFloat(e + 12, event.weight());
        b.putLong(e + 16, event.timestampNanos());
      }
      b.putInt(at + 32, crc(bytes, at + BATCH_HEADER, payload));
      b.putInt(at + 36, crc(bytes, at, 36));
      at += BATCH_HEADER + payload;
      sequence += batch.size();
    }
    return bytes;
  }

  /**
   * Writes a version-1 segment into a WAL directory (created if missing).
   *
   * @return the segment file
   */
  public static Path write(Path walDir, long firstSequence, long batchTimestampNanos, List<List<WalEvent>> batches) {
    try {
      Files.createDirectories(walDir);
      return Files.write(walDir.resolve(Segment.fileName(firstSequence)),
          segment(firstSequence, batchTimestampNanos, batches));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }
}

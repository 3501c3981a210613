package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * docs/FORMAT.md must be enough to write a reader: this test reads logs with nothing but what the
 * document says (literal offsets, magics and checksum ranges, no {@link WalFormat}), and checks that
 * the document's hex dumps are what the writer produces.
 */
class FormatDocumentTest {

  private static final Path DOCUMENT = Path.of("..", "docs", "FORMAT.md");

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  /** A reader written from the document: every event of one segment, as {sequence, entity, type}. */
  private static List<long[]> readPerDocument(Path segment, long expectedFirst) throws Exception {
    byte[] bytes = Files.readAllBytes(segment);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("TIDALWAL", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
    assertEquals(1, b.getShort(8));
    assertEquals(expectedFirst, b.getLong(16));
    assertEquals(crc(bytes, 0, 28), b.getInt(28));
    List<long[]> events = new ArrayList<>();
    long expected = expectedFirst;
    for (int at = 32; at < bytes.length; ) {
      assertEquals("TBAT", new String(bytes, at, 4, StandardCharsets.US_ASCII));
      assertEquals(1, b.getShort(at + 4));
      int count = b.getInt(at + 8);
      int payload = b.getInt(at + 12);
      assertEquals(count * 24, payload);
      assertEquals(expected, b.getLong(at + 16));
      assertEquals(crc(bytes, at + 40, payload), b.getInt(at + 32));
      assertEquals(crc(bytes, at, 36), b.getInt(at + 36));
      for (int i = 0; i < count; i++) {
        int e = at + 40 + i * 24;
        events.add(new long[] {expected + i, b.getLong(e), b.getShort(e + 8) & 0xFFFF,
            Float.floatToRawIntBits(b.getFloat(e + 12)), b.getLong(e + 16)});
      }
      expected += count;
      at += 40 + payload;
    }
    return events;
  }

  @Test
  void aReaderWrittenFromTheDocument_readsWhatTheWalWrote() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalTesting.fast(dir).segmentSize(1024).maxBatchEvents(9).build())) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
          futures.add(wal.appendAsync(WalTesting.event(i)));
        }
        futures.forEach(CompletableFuture::join);
      }
      List<long[]> perDocument = new ArrayList<>();
      for (Segment segment : WalSegments.list(dir)) {
        assertTrue(segment.fileName().matches("wal-\\d{20}\\.seg"));
        assertEquals(perDocument.size() + 1, Long.parseLong(segment.fileName().substring(4, 24)));
        perDocument.addAll(readPerDocument(segment.path(), perDocument.size() + 1));
      }
      assertEquals(100, perDocument.size());
      for (long[] e : perDocument) {
        WalEvent expected = WalTesting.event(e[0]);
        assertEquals(expected.entityId(), e[1]);
        assertEquals(expected.signalTypeId(), e[2]);
        assertEquals(Float.floatToRawIntBits(expected.weight()), e[3]);
        assertEquals(expected.timestampNanos(), e[4]);
      }
    }
  }

  @Test
  void theDocumentsHexDumps_areWhatTheWriterProduces() throws Exception {
    List<byte[]> dumps = hexDumps(Files.readString(DOCUMENT));
    assertEquals(2, dumps.size(), "FORMAT.md has two hex dumps: a segment and a checkpoint");
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.builder(dir).clock(clock).build())) {
        wal.append(new WalEvent(42L, 3, 1.0f, 1_767_225_600_000_000_000L));
        wal.checkpoint(1);
      }
      assertArrayEquals(dumps.get(0), Files.readAllBytes(dir.resolve(Segment.fileName(1))));
      assertArrayEquals(dumps.get(1), Files.readAllBytes(dir.resolve(CheckpointMeta.FILE_NAME)));
    }
  }

  /** The bytes of each {@code xxd} dump in the document, in order. */
  private static List<byte[]> hexDumps(String document) {
    Pattern line = Pattern.compile("^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} ?)+)", Pattern.MULTILINE);
    List<byte[]> dumps = new ArrayList<>();
    for (String block : document.split("```")) {
      Matcher m = line.matcher(block);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      while (m.find()) {
        String hex = m.group(1).replace(" ", "");
        for (int i = 0; i < hex.length(); i += 2) {
          bytes.write(Integer.parseInt(hex.substring(i, i + 2), 16));
        }
      }
      if (bytes.size() > 0) {
        dumps.add(bytes.toByteArray());
      }
    }
    return dumps;
  }
}

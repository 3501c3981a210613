package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.WalV1Segments;
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
 * docs/FORMAT.md must be enough to write a reader: this test reads logs of both versions with
 * nothing but what the document says (literal offsets, magics and checksum ranges, no
 * {@link WalFormat}), checks the document's batch header table against {@link WalFormat}, and checks
 * that the document's hex dumps are what the writers produce.
 */
class FormatDocumentTest {

  private static final Path DOCUMENT = Path.of("..", "docs", "FORMAT.md");

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  /**
   * A reader written from the document: every event of one segment, as {sequence, entity, type,
   * weight bits, timestamp}; the durable marks of its batches go to {@code marks} (none in version 1).
   */
  private static List<long[]> readPerDocument(Path segment, long expectedFirst, List<Long> marks) throws Exception {
    byte[] bytes = Files.readAllBytes(segment);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("TIDALWAL", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
    int version = b.getShort(8);
    assertTrue(version == 1 || version == 2, "version " + version);
    int header = version == 2 ? 48 : 40;
    assertEquals(expectedFirst, b.getLong(16));
    assertEquals(crc(bytes, 0, 28), b.getInt(28));
    List<long[]> events = new ArrayList<>();
    long expected = expectedFirst;
    for (int at = 32; at < bytes.length; ) {
      assertEquals("TBAT", new String(bytes, at, 4, StandardCharsets.US_ASCII));
      assertEquals(version, b.getShort(at + 4));
      int count = b.getInt(at + 8);
      int payload = b.getInt(at + 12);
      assertEquals(count * 24, payload);
      assertEquals(expected, b.getLong(at + 16));
      if (version == 2) {
        long mark = b.getLong(at + 32);
        assertTrue(mark >= 0 && mark < expected, "a durable mark is below the batch's first sequence: " + mark);
        marks.add(mark);
      }
      assertEquals(crc(bytes, at + header, payload), b.getInt(at + header - 8));
      assertEquals(crc(bytes, at, header - 4), b.getInt(at + header - 4));
      for (int i = 0; i < count; i++) {
        int e = at + header + i * 24;
        events.add(new long[] {expected + i, b.getLong(e), b.getShort(e + 8) & 0xFFFF,
            Float.floatToRawIntBits(b.getFloat(e + 12)), b.getLong(e + 16)});
      }
      expected += count;
      at += header + payload;
    }
    return events;
  }

  private static void assertEventsAreTheTestEvents(List<long[]> perDocument, int count) {
    assertEquals(count, perDocument.size());
    for (long[] e : perDocument) {
      WalEvent expected = WalTesting.event(e[0]);
      assertEquals(expected.entityId(), e[1]);
      assertEquals(expected.signalTypeId(), e[2]);
      assertEquals(Float.floatToRawIntBits(expected.weight()), e[3]);
      assertEquals(expected.timestampNanos(), e[4]);
    }
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
      List<Long> marks = new ArrayList<>();
      for (Segment segment : WalSegments.list(dir)) {
        assertTrue(segment.fileName().matches("wal-\\d{20}\\.seg"));
        assertEquals(perDocument.size() + 1, Long.parseLong(segment.fileName().substring(4, 24)));
        perDocument.addAll(readPerDocument(segment.path(), perDocument.size() + 1, marks));
      }
      assertEventsAreTheTestEvents(perDocument, 100);
      assertTrue(marks.stream().anyMatch(m -> m > 0), "rotation fsyncs, and later batches say so: " + marks);
    }
  }

  @Test
  void aReaderWrittenFromTheDocument_readsWhatTheVersion1WriterWrote() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = WalTesting.restore(temp.path().resolve("wal"), FormatV1CompatibilityTest.fixture());
      List<long[]> perDocument = new ArrayList<>();
      List<Long> marks = new ArrayList<>();
      for (Segment segment : WalSegments.list(dir)) {
        perDocument.addAll(readPerDocument(segment.path(), perDocument.size() + 1, marks));
      }
      assertEventsAreTheTestEvents(perDocument, 31);
      assertEquals(List.of(), marks, "version 1 has no durable mark");
    }
  }

  @Test
  void theDocumentsBatchHeaderTable_isWalFormatsLayout() throws Exception {
    String document = Files.readString(DOCUMENT);
    String section = document.substring(document.indexOf("### Batch, version 2"));
    section = section.substring(0, section.indexOf("\n\n", section.indexOf("| offset |")));
    Matcher row = Pattern.compile("^\\| (\\d+) \\| (\\d+|24·n) \\|", Pattern.MULTILINE).matcher(section);
    List<int[]> rows = new ArrayList<>();
    while (row.find()) {
      rows.add(new int[] {Integer.parseInt(row.group(1)), row.group(2).equals("24·n") ? -1 : Integer.parseInt(row.group(2))});
    }
    int[][] expected = {{WalFormat.B_MAGIC, 4}, {WalFormat.B_VERSION, 2}, {WalFormat.B_VERSION + 2, 2},
        {WalFormat.B_EVENT_COUNT, 4}, {WalFormat.B_PAYLOAD_LENGTH, 4}, {WalFormat.B_FIRST_SEQ, 8},
        {WalFormat.B_TIMESTAMP, 8}, {WalFormat.B_DURABLE_SEQ, 8}, {WalFormat.B_PAYLOAD_CRC, 4},
        {WalFormat.B_HEADER_CRC, 4}, {WalFormat.BATCH_HEADER_SIZE, -1}};
    assertEquals(expected.length, rows.size(), "rows of the version-2 batch table");
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], rows.get(i), "row " + i + " of the version-2 batch table");
    }
    assertTrue(section.contains("format version: `" + WalFormat.VERSION + "`"), "the table names the current version");
  }

  @Test
  void theDocumentsHexDumps_areWhatTheWriterProduces() throws Exception {
    List<byte[]> dumps = hexDumps(Files.readString(DOCUMENT));
    assertEquals(3, dumps.size(), "FORMAT.md has three hex dumps: a segment, the same in version 1, a checkpoint");
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalConfig.builder(dir).clock(clock).build())) {
        wal.append(new WalEvent(42L, 3, 1.0f, 1_767_225_600_000_000_000L));
        wal.checkpoint(1);
      }
      assertArrayEquals(dumps.get(0), Files.readAllBytes(dir.resolve(Segment.fileName(1))));
      assertArrayEquals(dumps.get(1), WalV1Segments.segment(1, 1_767_225_600_000_000_000L,
          List.of(List.of(new WalEvent(42L, 3, 1.0f, 1_767_225_600_000_000_000L)))),
          "the version-1 dump (checked against the version-1 writer before version 2 existed)");
      assertArrayEquals(dumps.get(2), Files.readAllBytes(dir.resolve(CheckpointMeta.FILE_NAME)));
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

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * docs/SIGNALS.md section 7 must be enough to write a reader: this test reads a home's SCHEMA and
 * ledger snapshot with nothing but the offsets, sizes and rules given there, and checks what it
 * decodes against what the database reads.
 */
class SignalFilesDocumentTest {

  static final Instant T0 = SignalApiTest.T0;

  /** One decoded signal record, per the table "The signal record". */
  record SignalRecord(int id, int kind, int decayKind, long decayNanos, int windows, int flags, String name) {}

  private static SignalRecord record(ByteBuffer b) {
    int id = Short.toUnsignedInt(b.getShort());
    int kind = Byte.toUnsignedInt(b.get());
    int decayKind = Byte.toUnsignedInt(b.get());
    long decayNanos = b.getLong();
    int windows = Byte.toUnsignedInt(b.get());
    int flags = Byte.toUnsignedInt(b.get());
    byte[] name = new byte[Byte.toUnsignedInt(b.get())];
    b.get(name);
    return new SignalRecord(id, kind, decayKind, decayNanos, windows, flags, new String(name, StandardCharsets.US_ASCII));
  }

  private static ByteBuffer checked(Path file, String magic, int version) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(magic, new String(bytes, 0, 4, StandardCharsets.US_ASCII));
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    assertEquals((int) crc.getValue(), b.getInt(bytes.length - 4), "CRC32C of every byte before it");
    assertEquals(version, b.getShort(4), "format version");
    return b.limit(bytes.length - 4);
  }

  private static long varint(ByteBuffer b) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      int next = Byte.toUnsignedInt(b.get());
      value |= (long) (next & 0x7F) << shift;
      if ((next & 0x80) == 0) {
        return value;
      }
    }
  }

  /** Skips a ring of {@code slots} slots; returns the sum of its counts. */
  private static long ring(ByteBuffer b, int slots) {
    long[] words = new long[(slots + 63) / 64];
    for (int w = 0; w < words.length; w++) {
      words[w] = b.getLong();
    }
    long sum = 0;
    for (long word : words) {
      for (int bit = 0; bit < 64; bit++) {
        if ((word >>> bit & 1) != 0) {
          sum += varint(b);
        }
      }
    }
    return sum;
  }

  @Test
  void schemaAndSnapshot_readWithTheDocumentAlone_matchTheDatabase() throws Exception {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create()) {
      long covered;
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SignalApiTest.SCHEMA)
          .checkpointInterval(Duration.ZERO).open()) {
        for (int i = 0; i < 200; i++) {
          db.signal("view", i % 37, 1 + i % 3, T0.minusSeconds(i * 97L));
          db.signal("follow", -i, 2.0, T0.minusSeconds(i));
          db.signal("boost", i % 5, 1.0, T0.minusSeconds(i * 31L));
        }
        covered = db.checkpoint();
      }

      ByteBuffer schema = checked(temp.home().schemaFile(), "TDSC", 1);
      int count = schema.getInt(8);
      schema.position(16);
      List<SignalRecord> records = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        records.add(record(schema));
      }
      assertEquals(schema.limit(), schema.position(), "nothing follows the records");
      assertEquals(SignalApiTest.SCHEMA.names(), records.stream().map(SignalRecord::name).toList());
      assertEquals(new SignalRecord(0, 0, 1, Duration.ofDays(7).toNanos(), 0b1111, 1, "view"), records.get(0));
      assertEquals(new SignalRecord(3, 2, 0, 0, 0, 0, "follow"), records.get(3));

      ByteBuffer snapshot = checked(temp.home().ledgerSnapshot(covered), "TDLS", 2);
      assertEquals(600, snapshot.getLong(8), "S");
      assertEquals(T0.getEpochSecond() * 1_000_000_000L, snapshot.getLong(16), "written at the clock's time");
      int signals = snapshot.getInt(24);
      assertEquals(4, signals);
      snapshot.position(32);
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).checkpointInterval(Duration.ZERO).open()) {
        for (int s = 0; s < signals; s++) {
          SignalRecord signal = record(snapshot);
          assertEquals(records.get(s), signal);
          long entries = snapshot.getLong();
          long previous = Long.MIN_VALUE;
          for (long e = 0; e < entries; e++) {
            long id = snapshot.getLong();
            assertTrue(e == 0 || id > previous, "sorted by entity id");
            previous = id;
            long last = snapshot.getLong();
            double score = snapshot.getDouble();
            long total = snapshot.getLong();
            int number = snapshot.getInt();
            assertTrue(number >= 0 && number < entries, "an entry number within its table: " + number);
            if (signal.decayKind() == 2) {
              assertTrue(snapshot.getLong() <= last, "a linear bucket holds water since last at the latest");
            }
            long minutes = (signal.windows() & 1) != 0 ? ring(snapshot, 60) : 0;
            long hours = (signal.windows() & 0b110) != 0 ? ring(snapshot, (signal.windows() & 0b100) != 0 ? 168 : 24) : 0;
            Instant at = Instant.ofEpochSecond(0, last);
            assertEquals(db.decayScore(signal.name(), id, at), score, "the score as of last");
            if ((signal.windows() & 0b1000) != 0) {
              assertEquals(db.windowCount(signal.name(), id, Window.ALL_TIME), total);
            }
            assertTrue(minutes <= total && hours <= total, "a ring counts at most every event");
            if (s == 0) {
              assertEquals(db.windowCount(signal.name(), id, Window.SEVEN_DAYS), hours, "events of the last 168 hours");
            }
          }
          assertEquals(s == 0 ? 37 : s == 2 ? 5 : s == 3 ? 200 : 0, entries, signal.name());
        }
      }
      assertEquals(snapshot.limit(), snapshot.position(), "nothing follows the last section");
    }
  }
}

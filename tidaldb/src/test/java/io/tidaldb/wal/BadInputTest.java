package io.tidaldb.wal;

import static io.tidaldb.wal.WalTesting.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.TidalDbException;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.test.TempTidalHome;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** What the WAL does with files it did not write, damaged metadata, and bad settings. */
class BadInputTest {

  private static void assertMessage(RuntimeException e, String... fragments) {
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), () -> "«" + e.getMessage() + "» should contain «" + fragment + "»");
    }
  }

  private static <T extends RuntimeException> T assertThrowsWith(Class<T> type, Executable action, String... fragments) {
    T e = assertThrows(type, action);
    assertMessage(e, fragments);
    return e;
  }

  private static Path logOf(Path dir, int events) {
    try (Wal wal = Wal.open(WalTesting.fast(dir).build())) {
      for (int i = 1; i <= events; i++) {
        wal.append(event(i));
      }
    }
    return dir;
  }

  @Test
  void garbageFiles_areIgnoredByRecoveryAndReportedAsUnknown() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = logOf(temp.path().resolve("wal"), 5);
      Files.writeString(dir.resolve("notes.txt"), "hello");
      Files.writeString(dir.resolve("wal-abc.seg"), "not a segment");
      Files.writeString(dir.resolve("wal-1.seg"), "a segment name without its padding");
      Files.write(dir.resolve("wal-00000000000000000000.seg"), new byte[100]);
      Files.createDirectory(dir.resolve("wal-00000000000000000099.seg"));
      List<Path> strangers = List.of("notes.txt", "wal-00000000000000000000.seg", "wal-00000000000000000099.seg",
          "wal-1.seg", "wal-abc.seg").stream().map(dir::resolve).toList();

      assertEquals(strangers, WalSegments.unknownFiles(dir));
      assertEquals(List.of(Segment.of(dir, 1)), WalSegments.list(dir));
      ScanResult verify = WalReader.of(dir).verify();
      assertTrue(verify.isClean());
      assertEquals(strangers, verify.unknownFiles());
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        assertEquals(strangers, wal.recovery().unknownFiles());
        assertEquals(5, wal.recovery().lastSequence());
        assertEquals(6, wal.append(event(6)));
      }
      assertEquals("hello", Files.readString(dir.resolve("notes.txt")), "unknown files are left alone");
    }
  }

  @Test
  void reader_onAMissingDirectory_findsNothingAndCreatesNothing() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("absent");
      ScanResult result = WalReader.of(dir).verify();
      assertTrue(result.isClean());
      assertEquals(0, result.lastSequence());
      assertEquals(List.of(), WalSegments.list(dir));
      assertEquals(Optional.empty(), CheckpointMeta.read(dir));
      assertFalse(Files.exists(dir), "reading must never create the directory");
    }
  }

  @Test
  void checkpointMeta_truncatedOrWrongSized_failsClearly() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = logOf(temp.path().resolve("wal"), 3);
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        wal.checkpoint(2);
      }
      Path file = dir.resolve(CheckpointMeta.FILE_NAME);
      byte[] good = Files.readAllBytes(file);
      assertEquals(WalFormat.CHECKPOINT_SIZE, good.length);

      Files.write(file, java.util.Arrays.copyOf(good, 10));
      assertThrowsWith(CorruptionException.class, () -> CheckpointMeta.read(dir), file.toString(), "exactly 36 bytes",
          "has 10");
      Files.write(file, java.util.Arrays.copyOf(good, 100));
      assertThrowsWith(CorruptionException.class, () -> CheckpointMeta.read(dir), "exactly 36 bytes", "has 100");
      assertThrowsWith(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)), "has 100");
      Files.write(file, new byte[0]);
      assertThrowsWith(CorruptionException.class, () -> CheckpointMeta.read(dir), "has 0");

      byte[] flipped = good.clone();
      flipped[WalFormat.C_SEQUENCE] ^= 1;
      Files.write(file, flipped);
      CorruptionException e = assertThrowsWith(CorruptionException.class, () -> CheckpointMeta.read(dir),
          "checksum mismatch");
      assertEquals(file, e.file());

      byte[] foreign = good.clone();
      foreign[0] = 'X';
      Files.write(file, foreign);
      assertThrowsWith(CorruptionException.class, () -> CheckpointMeta.read(dir), "not a tidalDB checkpoint");

      Files.write(file, good);
      assertEquals(2, CheckpointMeta.read(dir).orElseThrow().sequence());
    }
  }

  @Test
  void checkpointMeta_fromANewerVersion_isRefusedAsUnsupported() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = logOf(temp.path().resolve("wal"), 3);
      ByteBuffer newer = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
      newer.putLong(0, WalFormat.CHECKPOINT_MAGIC).putInt(WalFormat.C_VERSION, 2);
      Files.write(dir.resolve(CheckpointMeta.FILE_NAME), newer.array());
      UnsupportedFormatException e = assertThrowsWith(UnsupportedFormatException.class, () -> CheckpointMeta.read(dir),
          "format version 2", "reads version 1");
      assertEquals(2, e.version());
    }
  }

  @Test
  void segment_withAForeignMagic_isRefusedAsCorruption() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      Files.createDirectories(dir);
      Path segment = dir.resolve(Segment.fileName(1));
      Files.writeString(segment, "PK\u0003\u0004 this is a zip file that someone named like a segment");
      CorruptionException e = assertThrowsWith(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)),
          "not a tidalDB WAL segment", "TIDALWAL");
      assertEquals(segment, e.file());
      assertEquals(0, e.offset());
      assertThrows(CorruptionException.class,
          () -> Wal.open(WalConfig.builder(dir).corruptionPolicy(CorruptionPolicy.TRUNCATE).build()),
          "a file that is not ours is never cut, whatever the policy");
      assertTrue(Files.readString(segment).startsWith("PK"), "a foreign file must be left alone");
    }
  }

  @Test
  void segment_fromAFutureFormatVersion_isRefusedAsUnsupported() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = logOf(temp.path().resolve("wal"), 3);
      Path segment = dir.resolve(Segment.fileName(1));
      byte[] bytes = Files.readAllBytes(segment);
      ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      header.putShort(WalFormat.SEG_VERSION, (short) 7);
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, WalFormat.SEG_CRC);
      header.putInt(WalFormat.SEG_CRC, (int) crc.getValue());
      Files.write(segment, bytes);
      for (CorruptionPolicy policy : CorruptionPolicy.values()) {
        UnsupportedFormatException e = assertThrowsWith(UnsupportedFormatException.class,
            () -> Wal.open(WalConfig.builder(dir).corruptionPolicy(policy).build()), segment.toString(), "version 7");
        assertEquals(7, e.version());
      }
      assertEquals(WalProblem.Kind.UNSUPPORTED_VERSION, WalReader.of(dir).verify().problem().orElseThrow().kind());
      assertEquals(bytes.length, Files.size(segment), "nothing may be cut from a newer file");
    }
  }

  @Test
  void batch_fromAFutureFormatVersion_isRefusedAsUnsupported() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = logOf(temp.path().resolve("wal"), 3);
      Path segment = dir.resolve(Segment.fileName(1));
      byte[] bytes = Files.readAllBytes(segment);
      int at = WalFormat.SEGMENT_HEADER_SIZE;
      ByteBuffer batch = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      batch.putShort(at + WalFormat.B_VERSION, (short) (WalFormat.VERSION + 1));
      CRC32C crc = new CRC32C();
      crc.update(bytes, at, WalFormat.B_HEADER_CRC);
      batch.putInt(at + WalFormat.B_HEADER_CRC, (int) crc.getValue());
      Files.write(segment, bytes);
      UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> Wal.open(WalConfig.of(dir)));
      assertEquals(at, e.offset());
    }
  }

  @Test
  void batch_whoseDurableMarkIsNotBelowItsFirstSequence_isCorruption() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = logOf(temp.path().resolve("wal"), 3);
      Path segment = dir.resolve(Segment.fileName(1));
      byte[] bytes = Files.readAllBytes(segment);
      int at = WalFormat.SEGMENT_HEADER_SIZE + WalFormat.batchSize(1);
      ByteBuffer batch = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      batch.putLong(at + WalFormat.B_DURABLE_SEQ, 2);
      CRC32C crc = new CRC32C();
      crc.update(bytes, at, WalFormat.B_HEADER_CRC);
      batch.putInt(at + WalFormat.B_HEADER_CRC, (int) crc.getValue());
      Files.write(segment, bytes);
      CorruptionException e = assertThrowsWith(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)),
          "durable mark 2", "first sequence 2");
      assertEquals(at, e.offset());
    }
  }

  @Test
  void segmentsMissingAroundTheCheckpoint_areCorruption_andNothingIsChanged() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      try (Wal wal = Wal.open(WalTesting.fast(dir).segmentSize(1024).build())) {
        for (int i = 1; i <= 100; i++) {
          wal.append(event(i));
        }
        wal.checkpoint(100);
      }
      List<Segment> segments = WalSegments.list(dir);
      Files.delete(segments.get(segments.size() - 1).path());
      var before = WalTesting.snapshot(dir);
      CorruptionException beyond = assertThrowsWith(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)),
          "checkpoint is at sequence 100", "segments are missing");
      assertEquals(dir.resolve(CheckpointMeta.FILE_NAME), beyond.file());
      assertEquals(before.keySet(), WalTesting.snapshot(dir).keySet());

      Files.delete(dir.resolve(CheckpointMeta.FILE_NAME));
      Files.delete(segments.get(0).path());
      CorruptionException older = assertThrowsWith(CorruptionException.class, () -> Wal.open(WalConfig.of(dir)),
          "older segments are missing");
      assertEquals(segments.get(1).path(), older.file());
    }
  }

  @Test
  void walDir_thatIsARegularFile_isAConfigError() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Files.writeString(temp.path().resolve("file"), "x");
      assertThrowsWith(ConfigException.class, () -> Wal.open(WalConfig.of(file)), "dir(" + file + ")", "regular file");
    }
  }

  @Test
  void openTwiceInOneJvm_isRefused() {
    try (TempTidalHome temp = TempTidalHome.create(); Wal wal = Wal.open(WalConfig.of(temp.path()))) {
      assertThrowsWith(TidalDbException.class, () -> Wal.open(WalConfig.of(temp.path())), "already open");
    }
  }

  @Test
  void settings_outOfRange_nameTheSettingAndTheValue() {
    Path dir = Path.of("/tmp/wal");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).segmentSize(100), "segmentSize(100)", "1024");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).segmentSize(2L << 30), "segmentSize(2147483648)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).maxBatchEvents(0), "maxBatchEvents(0)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).maxBatchDelay(Duration.ofMillis(-1)),
        "maxBatchDelay(PT-0.001S)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).maxBatchDelay(Duration.ofSeconds(5)),
        "maxBatchDelay(PT5S)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).durability(null), "durability(null)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).corruptionPolicy(null), "corruptionPolicy(null)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).fsyncListener(null), "fsyncListener(null)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(null), "builder(null)");
    assertThrowsWith(ConfigException.class, () -> WalConfig.builder(dir).segmentSize(4096).segmentSize(8192),
        "segmentSize", "already set");
    assertThrowsWith(IllegalArgumentException.class, () -> new WalEvent(1, 65_536, 1f, 0), "signalTypeId 65536",
        "0..65535");
    assertThrowsWith(IllegalArgumentException.class, () -> new WalEvent(1, -1, 1f, 0), "signalTypeId -1");
  }

  @Test
  void checkpointAndTruncate_outOfRange_sayWhatIsAllowed() {
    try (TempTidalHome temp = TempTidalHome.create(); Wal wal = Wal.open(WalTesting.fast(temp.path()).build())) {
      wal.append(event(1));
      wal.append(event(2));
      assertThrowsWith(IllegalArgumentException.class, () -> wal.checkpoint(3), "checkpoint(3)", "last appended", "(2)");
      wal.checkpoint(2);
      assertThrowsWith(IllegalArgumentException.class, () -> wal.checkpoint(1), "checkpoint(1)", "current one (2)");
      assertThrowsWith(IllegalArgumentException.class, () -> wal.truncateBefore(4), "truncateBefore(4)",
          "truncateBefore(3)");
    }
  }

  @Test
  void segmentNames_parseOnlyExactNames() {
    Path dir = Path.of("/w");
    assertEquals("wal-00000000000000000201.seg", Segment.fileName(201));
    assertEquals(Optional.of(Segment.of(dir, 201)), Segment.parse(dir.resolve("wal-00000000000000000201.seg")));
    for (String name : List.of("wal-201.seg", "wal-0000000000000000020x.seg", "wal-00000000000000000000.seg",
        "wal-99999999999999999999.seg", "WAL-00000000000000000001.seg", "wal-00000000000000000001.seg.tmp")) {
      assertEquals(Optional.empty(), Segment.parse(dir.resolve(name)), name);
    }
    assertTrue(Segment.of(dir, 9).compareTo(Segment.of(dir, 10)) < 0);
  }
}

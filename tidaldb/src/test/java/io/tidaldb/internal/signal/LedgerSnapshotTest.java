package io.tidaldb.internal.signal;

import static io.tidaldb.internal.signal.Ledgers.DAY;
import static io.tidaldb.internal.signal.Ledgers.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.StorageException;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.Window;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class LedgerSnapshotTest {

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).velocity(true).add()
      .signal("share", EntityKind.USER, DecaySpec.linear(Duration.ofHours(6))).windows(Window.TWENTY_FOUR_HOURS).add()
      .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).negativeWeights(true).add()
      .build();

  record Event(int type, long entity, long t, float w) {}

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Long> entities = Arbitraries.oneOf(Arbitraries.longs().between(-5, 5),
        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE), Arbitraries.longs());
    return Combinators.combine(Arbitraries.integers().between(0, 2), entities,
            Arbitraries.longs().between(0, 10 * DAY), Arbitraries.floats().between(0, 100))
        .as((type, entity, offset, w) -> new Event(type, entity, T0 + offset, w))
        .list().ofMaxSize(300);
  }

  private static SignalLedger ledgerOf(List<Event> events) {
    SignalLedger ledger = Ledgers.of(SCHEMA);
    for (Event e : events) {
      ledger.apply(e.entity(), e.type(), e.type() == 2 && e.entity() % 2 == 0 ? -e.w() : e.w(), e.t());
    }
    return ledger;
  }

  private static SignalLedger sample() {
    SignalLedger ledger = Ledgers.of(SCHEMA);
    for (int i = 0; i < 50; i++) {
      ledger.apply(i, i % 3, 1.5f, T0 - i * Ledgers.HOUR);
    }
    for (int i = 0; i < 400; i++) {
      ledger.apply(7L, 0, 1f, T0);   // a hot bucket: wide counters
    }
    return ledger;
  }

  @Property(tries = 200)
  void restoreThenWriteAgain_isByteIdenticalAndReadsTheSame(@ForAll("events") List<Event> events) throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      SignalLedger original = ledgerOf(events);
      Path first = temp.path().resolve("first.snapshot");
      LedgerSnapshotWriter.write(original, 42, T0, first);

      SignalLedger restored = Ledgers.of(SCHEMA);
      LedgerSnapshot.Header header = LedgerSnapshotReader.read(first, restored);
      Path second = temp.path().resolve("second.snapshot");
      LedgerSnapshotWriter.write(restored, header.sequence(), header.createdNanos(), second);

      assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
      assertEquals(new LedgerSnapshot.Header(42, T0, original.size(), SCHEMA.signals(), Files.size(first)), header);
      assertEquals(original.size(), restored.size());
      long now = T0 + 10 * DAY;
      for (Event e : events) {
        assertEquals(original.decayScore(e.type(), e.entity(), now), restored.decayScore(e.type(), e.entity(), now));
        for (Window window : SCHEMA.signals().get(e.type()).windows()) {
          for (long later : new long[] {0, Ledgers.HOUR, DAY}) {
            assertEquals(original.windowCount(e.type(), e.entity(), window, now + later),
                restored.windowCount(e.type(), e.entity(), window, now + later));
          }
        }
      }
    }
  }

  @Test
  void hotEntity_roundTripsItsWideCounters() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(sample(), 1, T0, file);
      SignalLedger restored = Ledgers.of(SCHEMA);
      LedgerSnapshotReader.read(file, restored);
      assertEquals(400, restored.windowCount(0, 7L, Window.ONE_HOUR, T0));
      assertEquals(400, restored.windowCount(0, 7L, Window.ALL_TIME, T0));
    }
  }

  @Test
  void everyFlippedByte_isDetected() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(sample(), 1, T0, file);
      byte[] good = Files.readAllBytes(file);
      for (int offset = 0; offset < good.length; offset++) {
        byte[] bad = good.clone();
        bad[offset] ^= 0x10;
        Files.write(file, bad);
        int at = offset;
        CorruptionException e = assertThrows(CorruptionException.class, () -> LedgerSnapshotReader.read(file, Ledgers.of(SCHEMA)),
            () -> "a flipped byte at offset " + at + " was not detected");
        assertEquals(file, e.file());
      }
    }
  }

  @Test
  void truncatedFile_isDetectedAtEveryLength() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(sample(), 1, T0, file);
      byte[] good = Files.readAllBytes(file);
      for (int length = 0; length < good.length; length++) {
        Files.write(file, java.util.Arrays.copyOf(good, length));
        assertThrows(CorruptionException.class, () -> LedgerSnapshotReader.read(file, Ledgers.of(SCHEMA)));
      }
    }
  }

  @Test
  void foreignFileOrFutureVersion_saysWhat() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      Files.writeString(file, "this is not a snapshot, just some text");
      CorruptionException foreign = assertThrows(CorruptionException.class, () -> LedgerSnapshotReader.read(file, Ledgers.of(SCHEMA)));
      assertTrue(foreign.getMessage().contains("not a tidalDB ledger snapshot"), foreign.getMessage());
      assertEquals(0, foreign.offset());

      LedgerSnapshotWriter.write(sample(), 1, T0, file);
      byte[] bytes = Files.readAllBytes(file);
      bytes[4] = 9;
      Files.write(file, bytes);
      CorruptionException damaged = assertThrows(CorruptionException.class, () -> LedgerSnapshotReader.read(file, Ledgers.of(SCHEMA)));
      assertTrue(damaged.getMessage().contains("checksum"), "a changed version byte is damage: " + damaged.getMessage());

      resealed(file, bytes);
      UnsupportedFormatException future = assertThrows(UnsupportedFormatException.class,
          () -> LedgerSnapshotReader.read(file, Ledgers.of(SCHEMA)));
      assertTrue(future.getMessage().contains("format version 9"), future.getMessage());
      assertEquals(4, future.offset());
      assertEquals(9, future.version());
    }
  }

  /**
   * A version-1 snapshot (entries without their entry number) made from a version-2 one of a
   * signal without windows, whose entries are 36 bytes: it still restores, every read the same.
   */
  @Test
  void versionOneSnapshot_isStillRead() throws IOException {
    Schema plain = Schema.builder().signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).add().build();
    try (TempTidalHome temp = TempTidalHome.create()) {
      SignalLedger original = Ledgers.of(plain);
      for (int i = 0; i < 100; i++) {
        original.apply(i * 7L, 0, 1 + i % 4, T0 - i * Ledgers.HOUR);
      }
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(original, 5, T0, file);
      byte[] v2 = Files.readAllBytes(file);
      int entriesAt = LedgerSnapshot.HEADER_BYTES + 15 + "follow".length() + 8;
      java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
      v1.write(v2, 0, entriesAt);
      for (int at = entriesAt; at < v2.length - 4; at += 36) {
        v1.write(v2, at, 32);
      }
      v1.write(new byte[4]);
      byte[] bytes = v1.toByteArray();
      bytes[4] = 1;
      resealed(file, bytes);

      SignalLedger restored = Ledgers.of(plain);
      assertEquals(100, LedgerSnapshotReader.read(file, restored).entries());
      for (int i = 0; i < 100; i++) {
        assertEquals(original.decayScore(0, i * 7L, T0), restored.decayScore(0, i * 7L, T0));
      }
    }
  }

  /**
   * A full ledger and its restored copy evict the same entries for the same new writes: the
   * snapshot puts every entry back at its number in its table, which eviction samples by.
   */
  @Test
  void restoredFullLedger_evictsWhatTheOriginalEvicts() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      SignalLedger original = Ledgers.of(SCHEMA, 300);
      java.util.SplittableRandom random = new java.util.SplittableRandom(3);
      for (int i = 0; i < 2_000; i++) {
        original.apply(random.nextInt(1_000), random.nextInt(3), 1f, T0 - random.nextLong(DAY));
      }
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(original, 1, T0, file);
      SignalLedger restored = Ledgers.of(SCHEMA, 300);
      LedgerSnapshotReader.read(file, restored);
      for (int i = 0; i < 2_000; i++) {
        long entity = random.nextInt(1_000);
        int type = random.nextInt(3);
        long t = T0 - random.nextLong(DAY);
        original.apply(entity, type, 1f, t);
        restored.apply(entity, type, 1f, t);
      }
      for (int type = 0; type < 3; type++) {
        for (long entity = 0; entity < 1_000; entity++) {
          assertEquals(original.decayScore(type, entity, T0), restored.decayScore(type, entity, T0),
              "signal " + type + ", entity " + entity);
        }
      }
    }
  }

  /** Writes {@code bytes} to {@code file} with a valid checksum trailer: a file from a newer writer. */
  static void resealed(Path file, byte[] bytes) throws IOException {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    Files.write(file, bytes);
  }

  @Test
  void snapshotOfAnotherSchema_isRefusedNamingTheSignal() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(sample(), 1, T0, file);
      Schema changed = Schema.builder()
          .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).velocity(true).add()
          .build();
      ConfigException e = assertThrows(ConfigException.class, () -> LedgerSnapshotReader.read(file, Ledgers.of(changed)));
      assertTrue(e.getMessage().contains("holds 3 signals but the schema declares 1"), e.getMessage());

      Schema fewer = Schema.builder()
          .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).velocity(true).add()
          .signal("share", EntityKind.USER, DecaySpec.linear(Duration.ofHours(6))).windows(Window.TWENTY_FOUR_HOURS).add()
          .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).negativeWeights(true).add()
          .build();
      ConfigException differs = assertThrows(ConfigException.class, () -> LedgerSnapshotReader.read(file, Ledgers.of(fewer)));
      assertTrue(differs.getMessage().contains("signal 0 \"view\" as declared differently"), differs.getMessage());
    }
  }

  @Test
  void schemaWithSignalsAppended_readsTheSnapshot() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(sample(), 1, T0, file);
      Schema.Builder builder = Schema.builder();
      for (var signal : SCHEMA.signals()) {
        builder.signal(signal.name(), signal.entityKind(), signal.decay())
            .windows(signal.windows().toArray(Window[]::new)).velocity(signal.velocity())
            .negativeWeights(signal.negativeWeights()).add();
      }
      Schema grown = builder.signal("save", EntityKind.ITEM, DecaySpec.permanent()).add().build();
      SignalLedger restored = Ledgers.of(grown);
      assertEquals(51, LedgerSnapshotReader.read(file, restored).entries());
    }
  }

  @Test
  void write_replacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = temp.path().resolve("ledger.snapshot");
      LedgerSnapshotWriter.write(Ledgers.of(SCHEMA), 1, T0, file);
      LedgerSnapshotWriter.write(sample(), 2, T0, file);
      assertEquals(2, LedgerSnapshotReader.read(file, Ledgers.of(SCHEMA)).sequence());
      try (var files = Files.list(temp.path())) {
        assertEquals(List.of(file), files.toList());
      }
    }
  }

  @Test
  void failedWrite_leavesThePreviousFileAndNoTemporaryFile() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path target = Files.createDirectories(temp.path().resolve("occupied"));
      Files.writeString(target.resolve("inside"), "x");
      StorageException e = assertThrows(StorageException.class, () -> LedgerSnapshotWriter.write(sample(), 1, T0, target));
      assertTrue(e.getMessage().contains("cannot write the ledger snapshot " + target), e.getMessage());
      assertTrue(Files.isDirectory(target));
      assertTrue(Files.notExists(temp.path().resolve("occupied.tmp")));
    }
  }
}

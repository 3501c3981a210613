package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.inspect.StoredSchema;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A persistent home remembers its schema, so that the signal type ids in its log keep their meaning. */
class SchemaPersistenceTest {

  static final Instant T0 = SignalApiTest.T0;

  static Schema.Builder view(Schema.Builder builder) {
    return builder.signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
        .windows(Window.ONE_HOUR, Window.ALL_TIME).velocity(true).add();
  }

  static Schema.Builder like(Schema.Builder builder) {
    return builder.signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add();
  }

  static final Schema STORED = like(view(Schema.builder())).build();

  static TidalDb open(Path dir, Schema schema) {
    return TidalDb.builder().dataDir(dir).schema(schema).open();
  }

  @Test
  void firstOpen_storesTheSchema_andReopeningWithItWorks() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), STORED)) {
        db.signal("like", 5L, 1.0, T0);
      }
      assertEquals(Optional.of(STORED), StoredSchema.read(temp.home()));
      try (TidalDb db = open(temp.path(), STORED)) {
        assertEquals(1.0, db.decayScore("like", 5L, T0));
      }
    }
  }

  @Test
  void reopenWithoutASchema_usesTheStoredOne() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), STORED)) {
        db.signal("like", 5L, 2.0, T0);
      }
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        assertEquals(STORED, db.config().schema());
        assertEquals(2.0, db.decayScore("like", 5L, T0));
      }
    }
  }

  @Test
  void signalsAppended_areAccepted_andStored() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), STORED)) {
        db.signal("view", 1L, 1.0, T0);
      }
      Schema grown = like(view(Schema.builder())).signal("share", EntityKind.USER, DecaySpec.permanent()).add().build();
      try (TidalDb db = open(temp.path(), grown)) {
        assertEquals(1.0, db.decayScore("view", 1L, T0));
        db.signal("share", 9L, 1.0, T0);
      }
      assertEquals(Optional.of(grown), StoredSchema.read(temp.home()));
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        assertEquals(1.0, db.decayScore("share", 9L, T0));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "removed   | signal \"like\" (id 1) is stored but missing from the new schema",
      "reordered | id 0 is signal \"view\" in the stored schema but \"like\" in the new one",
      "renamed   | id 1 is signal \"like\" in the stored schema but \"likes\" in the new one",
      "half-life | signal \"view\" (id 0) changed: decay exponential(PT168H) -> exponential(PT24H)",
      "windows   | signal \"view\" (id 0) changed: windows [ONE_HOUR, ALL_TIME] -> [ONE_HOUR, TWENTY_FOUR_HOURS, ALL_TIME]",
      "kind      | signal \"like\" (id 1) changed: entity kind ITEM -> CREATOR",
  })
  void incompatibleSchema_isRefusedNamingTheDifference_andChangesNothing(String change, String difference)
      throws IOException {
    Schema changed = switch (change) {
      case "removed" -> view(Schema.builder()).build();
      case "reordered" -> view(like(Schema.builder())).build();
      case "renamed" -> view(Schema.builder()).signal("likes", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))
          .windows(Window.ALL_TIME).add().build();
      case "half-life" -> like(Schema.builder().signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1)))
          .windows(Window.ONE_HOUR, Window.ALL_TIME).velocity(true).add()).build();
      case "windows" -> like(Schema.builder().signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).velocity(true).add()).build();
      default -> view(Schema.builder()).signal("like", EntityKind.CREATOR, DecaySpec.exponential(Duration.ofDays(30)))
          .windows(Window.ALL_TIME).add().build();
    };
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = open(temp.path(), STORED)) {
        db.signal("like", 5L, 1.0, T0);
      }
      byte[] stored = Files.readAllBytes(temp.home().schemaFile());
      ConfigException e = assertThrows(ConfigException.class, () -> open(temp.path(), changed));
      assertTrue(e.getMessage().contains(difference), e.getMessage());
      assertTrue(e.getMessage().contains(temp.home().schemaFile().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("Declare the stored signals first and exactly as before (view, like)"),
          e.getMessage());
      assertArrayEquals(stored, Files.readAllBytes(temp.home().schemaFile()));
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      try (TidalDb db = open(temp.path(), STORED)) {
        assertEquals(1.0, db.decayScore("like", 5L, T0), "the home is as it was");
      }
    }
  }

  @Test
  void damagedSchemaFile_isRefusedNamingFileAndOffset() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      open(temp.path(), STORED).close();
      Path file = temp.home().schemaFile();
      byte[] bytes = Files.readAllBytes(file);
      bytes[20] ^= 0x40;
      Files.write(file, bytes);
      CorruptionException e = assertThrows(CorruptionException.class, () -> open(temp.path(), STORED));
      assertEquals(file, e.file());
      assertEquals(bytes.length - 4, e.offset());
      assertThrows(CorruptionException.class, () -> StoredSchema.read(temp.home()));
    }
  }

  @Test
  void everyFlippedByteAndEveryTruncation_ofTheSchemaFile_isDetected() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      open(temp.path(), STORED).close();
      Path file = temp.home().schemaFile();
      byte[] good = Files.readAllBytes(file);
      for (int offset = 0; offset < good.length; offset++) {
        byte[] bad = good.clone();
        bad[offset] ^= 0x08;
        Files.write(file, bad);
        int at = offset;
        assertThrows(CorruptionException.class, () -> StoredSchema.read(temp.home()), () -> "flipped byte at " + at);
      }
      for (int length = 0; length < good.length; length++) {
        Files.write(file, java.util.Arrays.copyOf(good, length));
        assertThrows(CorruptionException.class, () -> StoredSchema.read(temp.home()));
      }
    }
  }

  @Test
  void homeWithoutSchema_storesNone_andReadsAsEmpty() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb.builder().dataDir(temp.path()).open().close();
      assertEquals(Optional.empty(), StoredSchema.read(temp.home()));
      assertFalse(Files.exists(temp.home().schemaFile()));
    }
  }

  @Test
  void logWithSignalTypesTheSchemaLacks_isRefusedNamingTheId() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = temp.home().ensureAll();
      try (Wal wal = Wal.open(WalConfig.of(home.wal()))) {
        wal.append(new WalEvent(1L, 0, 1.0f, 1_000L));
        wal.append(new WalEvent(2L, 3, 1.0f, 2_000L));
      }
      ConfigException e = assertThrows(ConfigException.class, () -> open(temp.path(), STORED));
      assertTrue(e.getMessage().contains("signal type id 3 (sequence 2)"), e.getMessage());
      assertTrue(e.getMessage().contains("the schema declares 2 (view, like)"), e.getMessage());
      assertFalse(Files.exists(home.schemaFile()), "a refused open stores no schema");
      UnaryOperator<Schema.Builder> share = b -> b.signal("share", EntityKind.ITEM, DecaySpec.permanent()).add();
      Schema four = share.apply(like(view(Schema.builder())).signal("save", EntityKind.ITEM, DecaySpec.permanent()).add())
          .build();
      try (TidalDb db = open(temp.path(), four)) {
        assertEquals(1.0, db.decayScore("share", 2L, T0), "with the schema that wrote the log, it opens");
      }
    }
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ConfigValidationTest {

  private static void assertConfigError(Executable action, String... fragments) {
    ConfigException e = assertThrows(ConfigException.class, action);
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), () -> "message «" + e.getMessage() + "» should contain «" + fragment + "»");
    }
  }

  @Test
  void open_withBothEphemeralAndDataDir_namesBoth() {
    assertConfigError(() -> TidalDb.builder().ephemeral().dataDir(Path.of("/tmp/x")).open(),
        "ephemeral()", "dataDir(/tmp/x)", "choose one");
  }

  @Test
  void open_withNeitherEphemeralNorDataDir_saysWhatToCall() {
    assertConfigError(() -> TidalDb.builder().open(), "ephemeral()", "dataDir(Path)");
  }

  @Test
  void open_withDataDirThatIsARegularFile_namesThePath() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Files.writeString(temp.path().resolve("not-a-dir"), "x");
      assertConfigError(() -> TidalDb.builder().dataDir(file).open(), "dataDir(" + file + ")", "regular file");
      assertTrue(Files.isRegularFile(file), "the file must be left alone");
      assertTrue(Files.readString(file).equals("x"));
    }
  }

  @Test
  void open_withDataDirUnderARegularFile_saysItCannotBeCreated() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Files.writeString(temp.path().resolve("plain"), "x");
      Path dir = file.resolve("home");
      assertConfigError(() -> TidalDb.builder().dataDir(dir).open(), "dataDir(" + dir + ")", "cannot be created");
    }
  }

  @Test
  void open_withDataDirOnAFileSystemThatRefusesWrites_saysItIsNotWritable() {
    // /proc refuses new files even to root, so this holds however the tests are run.
    Path dir = Path.of("/proc/self");
    assertConfigError(() -> TidalDb.builder().dataDir(dir).open(), "dataDir(" + dir + ")", "not writable");
  }

  @Test
  void open_withWalDirThatIsARegularFile_namesWalDir() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path file = Files.writeString(temp.path().resolve("wal-file"), "x");
      assertConfigError(() -> TidalDb.builder().dataDir(temp.path().resolve("home")).walDir(file).open(),
          "walDir(" + file + ")", "regular file");
      assertFalse(Files.exists(temp.path().resolve("home/LOCK")), "nothing may be locked or left half-made");
    }
  }

  @Test
  void open_withDirectoryOverridesThatCollide_namesTheDirectories() {
    Path base = Path.of("/tmp/tidaldb-collide");
    assertConfigError(() -> TidalDb.builder().dataDir(base).walDir(base.resolve("x")).cacheDir(base.resolve("x")).open(),
        "cache directory /tmp/tidaldb-collide/x", "wal directory");
    assertConfigError(() -> TidalDb.builder().dataDir(base).walDir(base).open(), "wal directory", "base directory");
    assertConfigError(() -> TidalDb.builder().dataDir(base).cacheDir(base.resolve("items")).open(), "items directory");
    assertFalse(Files.exists(base), "a rejected configuration must not touch the disk");
  }

  @Test
  void open_ephemeralWithDiskSettings_rejectsEach() {
    assertConfigError(() -> TidalDb.builder().ephemeral().walDir(Path.of("/tmp/w")).open(), "walDir(/tmp/w)", "ephemeral()");
    assertConfigError(() -> TidalDb.builder().ephemeral().cacheDir(Path.of("/tmp/c")).open(), "cacheDir(/tmp/c)", "ephemeral()");
    assertConfigError(() -> TidalDb.builder().ephemeral().durability(Durability.SYNC).open(), "durability(SYNC)", "ephemeral()");
  }

  @Test
  void setters_rejectNullWithTheSettingsName() {
    assertConfigError(() -> TidalDb.builder().dataDir(null), "dataDir(null)");
    assertConfigError(() -> TidalDb.builder().walDir(null), "walDir(null)");
    assertConfigError(() -> TidalDb.builder().cacheDir(null), "cacheDir(null)");
    assertConfigError(() -> TidalDb.builder().durability(null), "durability(null)");
    assertConfigError(() -> TidalDb.builder().clock(null), "clock(null)");
    assertConfigError(() -> TidalDb.builder().partitionId(null), "partitionId(null)");
  }

  @Test
  void setters_rejectASecondValueNamingTheFirst() {
    assertConfigError(() -> TidalDb.builder().dataDir(Path.of("/a")).dataDir(Path.of("/b")), "dataDir", "already set", "/a");
    assertConfigError(() -> TidalDb.builder().ephemeral().ephemeral(), "ephemeral()", "already");
    assertConfigError(() -> TidalDb.builder().clock(Clock.systemUTC()).clock(Clock.systemUTC()), "clock", "already set");
  }

  @Test
  void partitionId_rejectsMalformedIds() {
    assertConfigError(() -> TidalDb.builder().partitionId(""), "partitionId(\"\")", "[A-Za-z0-9_.-]");
    assertConfigError(() -> TidalDb.builder().partitionId("a b"), "partitionId(\"a b\")");
    assertConfigError(() -> TidalDb.builder().partitionId("x".repeat(65)), "1 to 64");
  }

  @Test
  void durabilityInterval_rejectsPeriodsOutOfRange() {
    assertConfigError(() -> Durability.interval(null), "Durability.interval(null)");
    assertConfigError(() -> Durability.interval(Duration.ZERO), "PT0S", "between 1 ms and 1 day");
    assertConfigError(() -> Durability.interval(Duration.ofDays(2)), "PT48H");
  }
}

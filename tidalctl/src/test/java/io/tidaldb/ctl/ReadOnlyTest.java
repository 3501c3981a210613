package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** tidalctl never changes a home: every file's bytes, and the set of files, are the same after each command. */
class ReadOnlyTest {

  enum Fixture {
    CLEAN(home -> {}),
    TORN(home -> Homes.tearTail(home, 9)),
    CORRUPT(home -> Homes.flipByte(home, Homes.SEGMENT_HEADER + Homes.ONE_EVENT_BATCH + 44)),
    GARBAGE(home -> write(home.wal().resolve("junk.bin"), new byte[] {1, 2, 3})),
    DAMAGED_CHECKPOINT(home -> write(Homes.checkpointFile(home), new byte[] {9, 9})),
    DATABASE(home -> Homes.checkpointed(home, 12)),
    DAMAGED_SNAPSHOT(home -> Homes.flip(Homes.checkpointed(home, 12), 40)),
    DAMAGED_SCHEMA(home -> {
      Homes.checkpointed(home, 3);
      Homes.flip(home.schemaFile(), 17);
    });

    final Consumer<TidalHome> damage;

    Fixture(Consumer<TidalHome> damage) {
      this.damage = damage;
    }
  }

  private static final List<List<String>> COMMANDS = List.of(
      List.of("status"), List.of("status", "--format", "text"), List.of("paths"),
      List.of("wal", "dump"), List.of("wal", "dump", "--batches"), List.of("wal", "verify"),
      List.of("top", "--profile", "view=1,like=5"));

  @ParameterizedTest
  @EnumSource(Fixture.class)
  void everyCommand_leavesEveryFileAsItWas(Fixture fixture) {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 30, 12);
      fixture.damage.accept(home);
      Map<String, String> before = snapshot(temp.path());
      for (List<String> command : COMMANDS) {
        String[] args = Stream.concat(command.stream(), Stream.of("--path", temp.path().toString())).toArray(String[]::new);
        Cli.run(args);
        assertEquals(before, snapshot(temp.path()), "after tidalctl " + String.join(" ", command));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fixture.class, names = {"CLEAN", "TORN", "DATABASE"})
  void everyCommand_whileALiveDatabaseHoldsTheHome_worksAndChangesNothing(Fixture fixture) {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 30, 12);
      fixture.damage.accept(home);
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        Map<String, String> before = snapshot(temp.path());
        for (List<String> command : COMMANDS) {
          String[] args = Stream.concat(command.stream(), Stream.of("--path", temp.path().toString())).toArray(String[]::new);
          Cli.Result result = Cli.run(args);
          assertEquals(0, result.exitCode(), String.join(" ", command) + ": " + result);
          assertEquals(before, snapshot(temp.path()), "after tidalctl " + String.join(" ", command));
        }
        db.healthCheck();
      }
    }
  }

  /** Every regular file under {@code root}, with a digest of its bytes; directories by name. */
  static Map<String, String> snapshot(Path root) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.toList()) {
        String key = root.relativize(path).toString();
        files.put(key, Files.isDirectory(path) ? "dir" : Arrays.toString(java.security.MessageDigest.getInstance("SHA-256")
            .digest(Files.readAllBytes(path))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    return files;
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.tidaldb.bench.signal;

import io.tidaldb.Durability;
import io.tidaldb.TidalDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** Persistent homes for the signal benchmarks, on the disk under test, deleted afterwards. */
final class BenchHomes {

  private BenchHomes() {}

  static Path fresh(String parent, String prefix) {
    try {
      return Files.createTempDirectory(Files.createDirectories(Path.of(parent)), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code "sync"}, or {@code "interval"}: an fsync at least every 10 ms. */
  static Durability durability(String name) {
    return name.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(10));
  }

  /** A persistent database with the benchmark schema, on the fixed benchmark clock. */
  static TidalDb open(Path home, Durability durability, Duration checkpointInterval, long maxEntries) {
    return TidalDb.builder().dataDir(home).schema(BenchSchema.SCHEMA).durability(durability)
        .checkpointInterval(checkpointInterval).maxEntries(maxEntries)
        .clock(java.time.Clock.fixed(BenchSchema.NOW, java.time.ZoneOffset.UTC)).open();
  }

  static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

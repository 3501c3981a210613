package io.tidaldb.bench.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Fresh directories for a benchmark's log, on the disk under test, deleted afterwards. */
final class BenchDirs {

  private BenchDirs() {}

  static Path fresh(String parent, String prefix) {
    try {
      return Files.createTempDirectory(Files.createDirectories(Path.of(parent)), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  static long size(Path dir) {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths.mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

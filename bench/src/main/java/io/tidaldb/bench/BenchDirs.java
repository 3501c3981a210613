package io.tidaldb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Fresh directories for the benchmarks that write (logs, homes, peers' files), on the disk under test, deleted afterwards. */
public final class BenchDirs {

  private BenchDirs() {}

  /** A new empty directory under {@code parent} (created if missing), named {@code prefix} and a random suffix. */
  public static Path fresh(String parent, String prefix) {
    try {
      return Files.createTempDirectory(Files.createDirectories(Path.of(parent)), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything below it. */
  public static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes of the files directly in {@code dir}. */
  public static long size(Path dir) {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths.mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.tidaldb.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small, real file system that fills up: a {@code tmpfs} of a few MiB mounted on a fresh directory,
 * for tests of what tidalDB does when the disk is full ({@code ENOSPC}). Mounting needs Linux and
 * root (CI runs as root); where it is impossible the test is skipped with the reason, through a JUnit
 * assumption. {@link #close()} unmounts it and deletes the directory.
 *
 * <pre>{@code
 * try (TinyTmpfs disk = TinyTmpfs.mount("3m");
 *      TidalDb db = TidalDb.builder().dataDir(disk.path().resolve("home")).open()) {
 *   ... write until signal() throws StorageException ...
 * }
 * }</pre>
 */
public final class TinyTmpfs implements AutoCloseable {

  private final Path path;
  private boolean mounted = true;

  private TinyTmpfs(Path path) {
    this.path = path;
  }

  /**
   * Mounts a tmpfs of {@code size} on a new temporary directory, or skips the calling test.
   *
   * @param size the size, as {@code mount -o size=} takes it, such as {@code "3m"}
   * @return the mounted file system
   */
  public static TinyTmpfs mount(String size) {
    assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
        "a tmpfs can be mounted on Linux only; this is " + System.getProperty("os.name"));
    Path dir;
    try {
      dir = Files.createTempDirectory("tidaldb-tmpfs-").toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Run mount = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    if (mount.exitCode() != 0) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assumeTrue(mount.exitCode() == 0, () -> "cannot mount a tmpfs here (it needs root and the right to mount,"
        + " as on CI): mount exited " + mount.exitCode() + ": " + mount.output());
    return new TinyTmpfs(dir);
  }

  /** {@return the mount point} */
  public Path path() {
    return path;
  }

  /** Unmounts the file system and deletes its mount point. Idempotent. */
  @Override
  public void close() {
    if (!mounted) {
      return;
    }
    Run umount = run("umount", path.toString());
    if (umount.exitCode() != 0) {
      throw new AssertionError("cannot unmount the tmpfs " + path + " (a file still open on it?): " + umount.output());
    }
    mounted = false;
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Run(int exitCode, String output) {}

  private static Run run(String... command) {
    try {
      Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Run(-1, String.join(" ", command) + " did not finish within 30 s");
      }
      return new Run(process.exitValue(), output);
    } catch (IOException e) {
      return new Run(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}

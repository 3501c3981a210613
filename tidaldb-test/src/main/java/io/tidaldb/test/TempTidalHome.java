package io.tidaldb.test;

import io.tidaldb.TidalHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A temporary tidalDB home for tests: a fresh directory, deleted with everything in it on
 * {@link #close()}.
 *
 * <pre>{@code
 * try (TempTidalHome temp = TempTidalHome.create();
 *      TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>To look at the files after a test, call {@link #keep()}, or run the tests with
 * {@code -Dtidaldb.test.keepHomes=true}: the home then stays and its path is printed on close.
 * It ships in {@code io.tidaldb:tidaldb-test} (add it with scope {@code test}), never in the core's
 * jar. {@link TidalDbExtension#temporaryHome(io.tidaldb.Schema)} creates and deletes one per test.
 */
public final class TempTidalHome implements AutoCloseable {

  /** Set this system property to {@code true} to keep every temporary home for debugging. */
  public static final String KEEP_PROPERTY = "tidaldb.test.keepHomes";

  private final Path path;
  private boolean keep = Boolean.getBoolean(KEEP_PROPERTY);
  private boolean closed;

  private TempTidalHome(Path path) {
    this.path = path;
  }

  /**
   * Creates an empty directory under the system's temporary directory. The home's layout is not
   * created: opening a database there creates it.
   *
   * @return the temporary home
   */
  public static TempTidalHome create() {
    try {
      return new TempTidalHome(Files.createTempDirectory("tidaldb-test-").toRealPath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary home", e);
    }
  }

  /** {@return the home's base directory} */
  public Path path() {
    return path;
  }

  /** {@return the default layout under the base directory} */
  public TidalHome home() {
    return TidalHome.at(path);
  }

  /**
   * Keeps the directory on close, and prints where it is.
   *
   * @return this
   */
  public TempTidalHome keep() {
    keep = true;
    return this;
  }

  /** Deletes the directory and everything under it, unless kept. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (keep) {
      System.err.println("TempTidalHome kept for debugging: " + path);
      return;
    }
    deleteRecursively(path);
  }

  /**
   * Deletes a directory tree; a missing tree is fine.
   *
   * @param root the directory (or file) to delete
   */
  public static void deleteRecursively(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          if (exc != null) {
            throw exc;
          }
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // Already gone.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  @Override
  public String toString() {
    return "TempTidalHome(" + path + (keep ? ", kept" : "") + ")";
  }
}

package io.tidaldb.wal;

import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What a WAL directory holds: its segments, in order, and the files that are not part of the log.
 * Read-only: nothing here creates or writes anything.
 *
 * <pre>{@code
 * List<Segment> segments = WalSegments.list(home.wal());        // sorted by first sequence
 * List<Path> strangers = WalSegments.unknownFiles(home.wal());  // neither segments, checkpoint nor LOCK
 * }</pre>
 *
 * <p>A directory that does not exist holds nothing: both lists are empty.
 */
public final class WalSegments {

  private WalSegments() {}

  /**
   * The segments in {@code dir}, sorted by first sequence. Files whose names are not exactly a
   * segment's name are left out (see {@link #unknownFiles(Path)}).
   *
   * @param dir the WAL directory
   * @return the segments, oldest first; empty if the directory does not exist
   * @throws StorageException if the directory cannot be read, or is a regular file
   */
  public static List<Segment> list(Path dir) {
    return listing(dir).segments();
  }

  /**
   * The entries of {@code dir} that are neither segments nor {@code checkpoint.meta} (or its
   * temporary file) nor the {@code LOCK} file an open database holds there
   * ({@link io.tidaldb.TidalHome#walLockFile()}): recovery ignores them and tools report them.
   *
   * @param dir the WAL directory
   * @return their paths, sorted by name; empty if the directory does not exist
   * @throws StorageException if the directory cannot be read, or is a regular file
   */
  public static List<Path> unknownFiles(Path dir) {
    return listing(dir).unknownFiles();
  }

  /** Segments and strangers, from one read of the directory. */
  record Listing(List<Segment> segments, List<Path> unknownFiles) {}

  static Listing listing(Path dir) {
    List<Segment> segments = new ArrayList<>();
    List<Path> unknown = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Optional<Segment> segment = Files.isRegularFile(entry) ? Segment.parse(entry) : Optional.empty();
        if (segment.isPresent()) {
          segments.add(segment.get());
        } else if (!CheckpointMeta.isCheckpointFile(entry)
            && !entry.getFileName().toString().equals(TidalHome.LOCK_FILE_NAME)) {
          unknown.add(entry);
        }
      }
    } catch (NoSuchFileException e) {
      return new Listing(List.of(), List.of());
    } catch (IOException e) {
      throw new StorageException("cannot list the WAL directory " + dir, e);
    }
    Collections.sort(segments);
    Collections.sort(unknown);
    return new Listing(List.copyOf(segments), List.copyOf(unknown));
  }
}

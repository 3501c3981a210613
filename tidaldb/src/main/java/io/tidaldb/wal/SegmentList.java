package io.tidaldb.wal;

import io.tidaldb.StorageException;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The segments of an open log, oldest first: recovery's list, then each segment the writer starts.
 * Truncation deletes from the front under the write lock of {@link #files()}; replay reads the files
 * under its read lock, so it never sees a segment disappear under it.
 */
final class SegmentList {

  private final Path dir;
  private final List<Segment> segments;
  private final ReentrantReadWriteLock files = new ReentrantReadWriteLock();

  SegmentList(Path dir, List<Segment> recovered) {
    this.dir = dir;
    this.segments = new ArrayList<>(recovered);
  }

  /** Adds a segment the writer started (it is the newest). */
  void added(Segment segment) {
    synchronized (segments) {
      segments.add(segment);
    }
  }

  /** {@return how many segments the log has now} */
  int count() {
    synchronized (segments) {
      return segments.size();
    }
  }

  /**
   * Deletes the segments whose events are all below {@code sequence}, oldest first; never the newest.
   *
   * @return how many were deleted
   * @throws StorageException if a segment cannot be deleted
   */
  int deleteBelow(long sequence) {
    files.writeLock().lock();
    try {
      List<Segment> doomed = new ArrayList<>();
      synchronized (segments) {
        for (int i = 0; i + 1 < segments.size() && segments.get(i + 1).firstSequence() <= sequence; i++) {
          doomed.add(segments.get(i));
        }
      }
      for (Segment segment : doomed) {
        Files.deleteIfExists(segment.path());
        synchronized (segments) {
          segments.remove(segment);
        }
      }
      if (!doomed.isEmpty()) {
        DurableFiles.syncDirectory(dir);
      }
      return doomed.size();
    } catch (IOException e) {
      throw new StorageException("cannot delete old segments in " + dir, e);
    } finally {
      files.writeLock().unlock();
    }
  }

  /** Runs {@code read} while no segment can be deleted. */
  <T> T whileKept(Supplier<T> read) {
    files.readLock().lock();
    try {
      return read.get();
    } finally {
      files.readLock().unlock();
    }
  }
}

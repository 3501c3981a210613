package io.tidaldb.wal;

import io.tidaldb.Durability;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Shared helpers for the WAL tests: events that tell their own index, reading a log back, file copies. */
final class WalTesting {

  private WalTesting() {}

  /** An event whose every field is derived from {@code i}, so a reader can check it. */
  static WalEvent event(long i) {
    return new WalEvent(1_000_000L + i, (int) (i % 65_536), i * 0.5f, 1_700_000_000_000_000_000L + i);
  }

  /** Settings for tests: small segments, no fsync wait per append (close() still fsyncs). */
  static WalConfig.Builder fast(Path dir) {
    return WalConfig.builder(dir).durability(Durability.interval(Duration.ofDays(1)));
  }

  /**
   * A directory for the many short-lived copies of the every-offset tests: on tmpfs where there is
   * one (fsync costs nothing there, and these tests are about bytes, not disks), else a temporary
   * directory. Deleted on close.
   */
  record Scratch(Path path) implements AutoCloseable {
    static Scratch create() {
      Path shm = Path.of("/dev/shm");
      try {
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
          return new Scratch(Files.createTempDirectory(shm, "tidaldb-test-"));
        }
        return new Scratch(Files.createTempDirectory("tidaldb-test-"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      TempTidalHome.deleteRecursively(path);
    }
  }

  /**
   * Mutes the WAL's recovery warnings while a test cuts thousands of torn tails on purpose; restores
   * the level on close.
   */
  /** Puts back the segment opener that {@link #wrapSegments} replaced. */
  interface SegmentsWrapped extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Opens every WAL segment channel through {@code wrap}, around the opener installed now, until the
   * result is closed: how a test counts, holds or strikes a log's writes.
   */
  static SegmentsWrapped wrapSegments(UnaryOperator<FileChannel> wrap) {
    WalWriter.SegmentOpener previous = WalWriter.segmentOpener;
    WalWriter.segmentOpener = (path, options) -> wrap.apply(previous.open(path, options));
    return () -> WalWriter.segmentOpener = previous;
  }

  static AutoCloseable quietRecovery() {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(Wal.class.getName());
    java.util.logging.Level before = logger.getLevel();
    logger.setLevel(java.util.logging.Level.OFF);
    return () -> logger.setLevel(before);
  }

  /** Every event in the log, by sequence, read with the public reader; fails on any problem. */
  static TreeMap<Long, WalEvent> readAll(Path dir) {
    TreeMap<Long, WalEvent> events = new TreeMap<>();
    ScanResult result = WalReader.of(dir).events(1, Long.MAX_VALUE,
        (seq, entity, type, weight, ts) -> events.put(seq, new WalEvent(entity, type, weight, ts)));
    if (!result.isClean()) {
      throw new AssertionError("unexpected problem: " + result.problem().get());
    }
    return events;
  }

  /** Every event replayed by an open log from {@code from}. */
  static TreeMap<Long, WalEvent> replay(Wal wal, long from) {
    TreeMap<Long, WalEvent> events = new TreeMap<>();
    wal.replay(from, (seq, entity, type, weight, ts) -> {
      if (events.put(seq, new WalEvent(entity, type, weight, ts)) != null) {
        throw new AssertionError("sequence " + seq + " replayed twice");
      }
    });
    return events;
  }

  /** The files of a log directory by name, as bytes; not the {@code LOCK} file a {@code Wal} leaves there. */
  static Map<String, byte[]> snapshot(Path dir) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.filter(e -> !e.getFileName().toString().equals(TidalHome.LOCK_FILE_NAME)).sorted().toList()) {
        files.put(entry.getFileName().toString(), Files.readAllBytes(entry));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Writes files into an empty directory (created if needed). */
  static Path restore(Path dir, Map<String, byte[]> files) {
    try {
      if (Files.exists(dir)) {
        TempTidalHome.deleteRecursively(dir);
      }
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(dir.resolve(file.getKey()), file.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The batches of a log: segment file name and offset, first sequence, size. */
  record BatchAt(String segment, long offset, long firstSequence, int events, int size) {}

  static List<BatchAt> batches(Path dir) {
    List<BatchAt> batches = new ArrayList<>();
    ScanResult result = WalReader.of(dir).scan(b -> batches.add(new BatchAt(b.segment().getFileName().toString(),
        b.offset(), b.firstSequence(), b.eventCount(), b.sizeBytes())));
    if (!result.isClean()) {
      throw new AssertionError("unexpected problem: " + result.problem().get());
    }
    return batches;
  }
}

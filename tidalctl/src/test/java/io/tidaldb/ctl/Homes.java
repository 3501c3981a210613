package io.tidaldb.ctl;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalHome;
import io.tidaldb.Window;
import io.tidaldb.wal.Segment;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import io.tidaldb.wal.WalSegments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/** Homes written by the core's WAL, and the damage a disk or a crash can do to them. */
final class Homes {

  /**
   * The signals of the events {@link #write} puts in the log (type ids 0, 1 and 2): what a database
   * opened on such a home must declare.
   */
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(java.time.Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.ALL_TIME).add()
      .signal("like", EntityKind.ITEM, DecaySpec.permanent()).add()
      .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).add()
      .build();

  /** Small segments, so that a few dozen events span several of them. */
  static final long SEGMENT_SIZE = 1024;

  /** The size of the segment header, where the first batch starts (docs/FORMAT.md). */
  static final int SEGMENT_HEADER = 32;

  /** The size of a batch of one event, as {@link #write} writes them: a 48-byte header and a 24-byte event (docs/FORMAT.md). */
  static final int ONE_EVENT_BATCH = 48 + 24;

  private Homes() {}

  /** A home whose WAL holds {@code events} events (one batch each), checkpointed at {@code checkpoint} (0: none). */
  static TidalHome write(Path base, int events, long checkpoint) {
    TidalHome home = TidalHome.at(base).ensureAll();
    try (Wal wal = Wal.open(WalConfig.builder(home.wal()).segmentSize(SEGMENT_SIZE).build())) {
      for (int i = 1; i <= events; i++) {
        wal.append(event(i));
      }
      if (checkpoint > 0) {
        wal.checkpoint(checkpoint);
      }
    }
    return home;
  }

  /**
   * Opens a database on a home that {@link #write} wrote, records {@code signals} more events, takes
   * a checkpoint and closes: the home then has a stored schema and a ledger snapshot.
   *
   * @return the snapshot of the checkpoint
   */
  static Path checkpointed(TidalHome home, int signals) {
    java.time.Instant at = java.time.Instant.parse("2026-01-01T00:00:00Z");
    try (io.tidaldb.TidalDb db = io.tidaldb.TidalDb.builder().dataDir(home.base()).schema(SCHEMA).open()) {
      for (int i = 0; i < signals; i++) {
        db.signal(SCHEMA.signals().get(i % 3).name(), 2000 + i, 1.0, at.plusSeconds(i));
      }
      return home.ledgerSnapshot(db.checkpoint());
    }
  }

  /**
   * Stores {@link #SCHEMA} in a home that {@link #write} wrote, as a database opened on it does, and
   * leaves its log as it was (no new event, no checkpoint).
   */
  static void storeSchema(Path base) {
    io.tidaldb.TidalDb.builder().dataDir(base).schema(SCHEMA).checkpointInterval(java.time.Duration.ZERO).open().close();
  }

  /** Flips one byte of a file. */
  static void flip(Path file, int offset) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      bytes[offset] ^= 0x21;
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The event written with sequence {@code i} by {@link #write}. */
  static WalEvent event(long i) {
    return new WalEvent(1000 + i, (int) (i % 3), (float) i / 2, 1_767_225_600_000_000_000L + i * 1_000_000_000L);
  }

  static List<Segment> segments(TidalHome home) {
    return WalSegments.list(home.wal());
  }

  /** Cuts the last {@code bytes} bytes off the last segment, as a crash mid-write does. */
  static void tearTail(TidalHome home, int bytes) {
    List<Segment> segments = segments(home);
    Path last = segments.get(segments.size() - 1).path();
    try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Flips one byte of the first segment at {@code offset}: damage followed by valid data. */
  static Path flipByte(TidalHome home, long offset) {
    Path first = segments(home).get(0).path();
    try {
      byte[] bytes = Files.readAllBytes(first);
      bytes[(int) offset] ^= 0x5A;
      Files.write(first, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return first;
  }

  /**
   * Rewrites the last segment's header as format version 3, with a valid checksum: a segment
   * written by a newer tidalDB. Offsets from docs/FORMAT.md: version u16 at 8, CRC32C of
   * bytes [0, 28) at 28, little-endian.
   */
  static Path makeNewerFormat(TidalHome home) {
    List<Segment> segments = segments(home);
    Path last = segments.get(segments.size() - 1).path();
    try {
      byte[] bytes = Files.readAllBytes(last);
      ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      header.putShort(8, (short) 3);
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, 28);
      header.putInt(28, (int) crc.getValue());
      Files.write(last, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return last;
  }

  static Path checkpointFile(TidalHome home) {
    return home.wal().resolve(io.tidaldb.wal.CheckpointMeta.FILE_NAME);
  }
}

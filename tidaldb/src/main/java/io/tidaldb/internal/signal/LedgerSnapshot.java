package io.tidaldb.internal.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.SignalSpec;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The ledger snapshot file: the one place its format is written and read.
 *
 * <pre>{@code
 * LedgerSnapshot.write(ledger, lastSequence, nowNanos, file);      // atomic, checksummed
 * LedgerSnapshot.Header header = LedgerSnapshot.read(file, freshLedger);
 * }</pre>
 *
 * <p>The encoding is canonical: signals in id order, entries sorted by entity id, each ring as a
 * bitmap of its non-zero buckets followed by their counts. It depends on the ledger's state only
 * (not on counter widths or the order of the tables' arrays), so restoring a snapshot and writing
 * it again gives the same bytes. That state includes each entry's number in its table, which
 * eviction samples by: restoring puts every entry back at its number, so that a full ledger evicts
 * after a restart exactly what it would have evicted without one. The layout, all little-endian
 * (docs/SIGNALS.md, "Files", has it with offsets):
 *
 * <pre>
 * header   magic "TDLS" (4) | version u16 = 2 or 3 | flags u16 = 0 | sequence i64 | created nanos i64
 *          | signal count u32 | reserved u32 = 0                                        (32 bytes)
 *          | version 3 only: source position i64 (at least 0)                            (8 bytes)
 * signal   a signal record ({@link SignalRecords}) | entry count i64, then the entries:
 * entry    entity id i64 | last i64 | score f64 | all-time count i64 | entry number u32
 *          | for a linear signal: holds water since i64
 *          | per ring (minutes, then hours): bitmap of ceil(slots / 64) u64 words,
 *            then one unsigned LEB128 count per set bit, in slot order
 * trailer  CRC32C u32 of every byte before it
 * </pre>
 *
 * Version 1 (still read) had neither the entry number nor the time since which a linear
 * signal's bucket holds water (taken as {@code last}, which gives version 1's late-event rule).
 * Version 3 is version 2 with the source position ({@code SignalBatch.sourcePosition}) after the
 * header; it is written only when a batch with a position was written before the checkpoint, so a
 * home that never used positions keeps writing version 2, which older tidalDB versions read.
 *
 * <p>A file is written to a temporary sibling, fsynced, renamed over the target atomically, and
 * the directory fsynced ({@link DurableFiles#replace}): a crash leaves either the old file or the new one,
 * never a mix.
 */
final class LedgerSnapshot {

  static final int MAGIC = 0x534C4454;   // "TDLS" read as a little-endian int
  /** The version written without a source position: 2 added each entry's number in its table. */
  static final int VERSION = 2;
  /** The version written with a source position: version 2 plus the position after the header. */
  static final int VERSION_WITH_POSITION = 3;
  /** The oldest version still read: 1, whose entries have no number and are restored in file order. */
  static final int OLDEST_VERSION = 1;
  static final int HEADER_BYTES = 32;
  static final int TRAILER_BYTES = 4;
  /** The smallest entry: four longs and no rings (version 1). */
  private static final int MIN_ENTRY_BYTES = 32;

  private LedgerSnapshot() {}

  /**
   * What a snapshot says about itself.
   *
   * @param sequence the last log sequence the state reflects
   * @param createdNanos when it was written, in nanoseconds since the epoch
   * @param entries the entries it holds, over all signals
   * @param signals the signals it holds, in id order
   * @param bytes the file's size
   * @param sourcePosition the source position the snapshot carries, or {@link SourcePosition#NONE}
   */
  record Header(long sequence, long createdNanos, long entries, List<SignalSpec> signals, long bytes,
      long sourcePosition) {
    Header {
      signals = List.copyOf(signals);
    }

    /** A header without a source position. */
    Header(long sequence, long createdNanos, long entries, List<SignalSpec> signals, long bytes) {
      this(sequence, createdNanos, entries, signals, bytes, SourcePosition.NONE);
    }
  }

  /** The largest snapshot {@link #read} can load: it reads the file into one array. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  /**
   * Writes the ledger's state atomically to {@code file}, capturing it whole first: writers to the
   * ledger wait while that runs. A checkpoint captures stripe by stripe instead (see
   * {@link LedgerCapture}) and calls {@link #write(LedgerCapture, long, long, Path)}.
   *
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static Header write(SignalLedger ledger, long sequence, long createdNanos, Path file) {
    LedgerCapture capture = ledger.beginCapture();
    try {
      capture.finish();
    } catch (RuntimeException e) {
      capture.abandon();
      throw e;
    }
    return write(capture, sequence, SourcePosition.NONE, createdNanos, file);
  }

  /**
   * Writes a finished capture atomically to {@code file}.
   *
   * @return the header of the file written
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static Header write(LedgerCapture capture, long sequence, long createdNanos, Path file) {
    return write(capture, sequence, SourcePosition.NONE, createdNanos, file);
  }

  /**
   * Writes a finished capture atomically to {@code file}, with the source position the ledger's
   * state reflects: version 3 when there is one ({@code position >= 0}), version 2 otherwise.
   *
   * @return the header of the file written
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static Header write(LedgerCapture capture, long sequence, long position, long createdNanos, Path file) {
    SignalLedger ledger = capture.ledger;
    long[] totals = new long[2];
    List<SignalSpec> signals = new ArrayList<>();
    try {
      DurableFiles.replace(file, channel -> {
        ChecksummedFileWriter out = new ChecksummedFileWriter(channel);
        out.i32(MAGIC).i16(position >= 0 ? VERSION_WITH_POSITION : VERSION).i16(0).i64(sequence).i64(createdNanos)
            .i32(ledger.signalCount()).i32(0);
        if (position >= 0) {
          out.i64(position);
        }
        for (int typeId = 0; typeId < ledger.signalCount(); typeId++) {
          SignalSpec spec = ledger.layout(typeId).spec;
          signals.add(spec);
          SignalRecords.write(spec, out);
          totals[0] += merge(capture, typeId, out);
        }
        out.finish();
        totals[1] = out.written();
        if (totals[1] > MAX_BYTES) {
          // Refused before the rename: the previous snapshot and the log after it stay in effect.
          throw new IOException("the snapshot would be " + totals[1] + " bytes; this version reads snapshots of at"
              + " most " + MAX_BYTES + " bytes (one array): lower maxEntries");
        }
      });
    } catch (IOException e) {
      throw new StorageException("cannot write the ledger snapshot " + file, e);
    }
    return new Header(sequence, createdNanos, totals[0], signals, totals[1], position >= 0 ? position
        : SourcePosition.NONE);
  }

  /**
   * Writes one signal's entry count and entries: a k-way merge of the stripes' sorted runs by entity
   * id, through a binary heap of stripe numbers.
   */
  private static long merge(LedgerCapture capture, int typeId, ChecksummedFileWriter out) throws IOException {
    int stripes = capture.stripeCount();
    LedgerCapture.Run[] runs = new LedgerCapture.Run[stripes];
    int[] next = new int[stripes];
    int[] heap = new int[stripes];
    int size = 0;
    long count = 0;
    for (int s = 0; s < stripes; s++) {
      runs[s] = capture.run(s, typeId);
      count += runs[s].ids.length;
      if (runs[s].ids.length > 0) {
        heap[size++] = s;
      }
    }
    out.i64(count);
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(heap, size, i, runs, next);
    }
    while (size > 0) {
      int s = heap[0];
      LedgerCapture.Run run = runs[s];
      int i = next[s]++;
      out.bytes(run.data, run.starts[i], run.starts[i + 1] - run.starts[i]);
      if (next[s] == run.ids.length) {
        heap[0] = heap[--size];
      }
      siftDown(heap, size, 0, runs, next);
    }
    return count;
  }

  private static void siftDown(int[] heap, int size, int at, LedgerCapture.Run[] runs, int[] next) {
    int i = at;
    while (true) {
      int smallest = i;
      int left = 2 * i + 1;
      int right = left + 1;
      if (left < size && head(heap[left], runs, next) < head(heap[smallest], runs, next)) {
        smallest = left;
      }
      if (right < size && head(heap[right], runs, next) < head(heap[smallest], runs, next)) {
        smallest = right;
      }
      if (smallest == i) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[smallest];
      heap[smallest] = t;
      i = smallest;
    }
  }

  private static long head(int stripe, LedgerCapture.Run[] runs, int[] next) {
    return runs[stripe].ids[next[stripe]];
  }

  /**
   * Reads a snapshot into {@code into}, which must hold no entries. The checksum is verified before
   * anything is applied.
   *
   * @return the snapshot's header
   * @throws CorruptionException if the file is damaged, naming the offset
   * @throws UnsupportedFormatException if a newer tidalDB wrote it
   * @throws ConfigException if the snapshot holds a signal the ledger's schema declares differently
   * @throws StorageException if the file cannot be read
   */
  static Header read(Path file, SignalLedger into) {
    return decode(file, into);
  }

  /**
   * Reads and checks a snapshot without restoring it anywhere: what {@code tidalctl status} reports.
   *
   * @return the snapshot's header
   * @throws CorruptionException if the file is damaged, naming the offset
   * @throws UnsupportedFormatException if a newer tidalDB wrote it
   * @throws StorageException if the file cannot be read
   */
  static Header inspect(Path file) {
    return decode(file, null);
  }

  private static Header decode(Path file, SignalLedger into) {
    byte[] bytes = readChecked(file);
    ChecksummedFileReader in = ChecksummedFileReader.framed(file, bytes, "ledger snapshot", MAGIC, HEADER_BYTES, TRAILER_BYTES, OLDEST_VERSION,
        VERSION_WITH_POSITION);
    long sequence = in.i64();
    long created = in.i64();
    int signals = in.i32();
    in.i32();
    long position = SourcePosition.NONE;
    if (in.version() >= VERSION_WITH_POSITION) {
      position = in.i64();
      if (position < 0) {
        throw in.corrupt(HEADER_BYTES, "source position " + position + " is negative");
      }
    }
    if (sequence < 0) {
      throw new CorruptionException(file, 8, "sequence " + sequence + " is negative");
    }
    OptionalLong named = TidalHome.ledgerSnapshotSequence(file);
    if (named.isPresent() && named.getAsLong() != sequence) {
      throw new CorruptionException(file, 8, "the snapshot says it covers sequence " + sequence + " but its name says "
          + named.getAsLong());
    }
    if (signals < 0 || signals > SignalSpec.MAX_ID + 1) {
      throw new CorruptionException(file, 24, "signal count " + signals + " is out of range");
    }
    if (into != null && signals > into.signalCount()) {
      throw new ConfigException("the ledger snapshot " + file + " holds " + signals + " signals but the schema declares "
          + into.signalCount() + "; a schema may add signals after the existing ones, never remove them");
    }
    List<SignalSpec> specs = new ArrayList<>();
    List<SignalLayout> layouts = new ArrayList<>();
    int[] sectionStarts = new int[signals];
    Placements placements = into == null ? null : new Placements(in.remaining() / MIN_ENTRY_BYTES);
    long entries = 0;
    for (int typeId = 0; typeId < signals; typeId++) {
      int at = in.position();
      SignalSpec spec = SignalRecords.read(in);
      if (spec.id() != typeId) {
        throw in.corrupt(at, "signal record " + spec.id() + " stands where id " + typeId + " belongs");
      }
      specs.add(spec);
      SignalLayout layout = into != null ? into.layout(typeId) : new SignalLayout(spec);
      if (into != null && !spec.equals(layout.spec)) {
        throw new ConfigException("the ledger snapshot " + file + " holds signal " + typeId + " \"" + spec.name()
            + "\" as declared differently from the schema's " + layout.spec + "; existing signals must stay as they were"
            + " declared");
      }
      layouts.add(layout);
      long count = in.i64();
      if (count < 0 || count > in.remaining() / MIN_ENTRY_BYTES) {
        throw in.corrupt(in.position() - 8, "entry count " + count + " does not fit the file");
      }
      sectionStarts[typeId] = in.position();
      Entry entry = new Entry(layout, in.version());
      for (long e = 0; e < count; e++) {
        int offset = in.position();
        entry.read(in, e > 0);
        if (placements != null) {
          placements.add(entry.number, offset);
        }
      }
      entries += count;
    }
    if (in.remaining() != 0) {
      throw in.corrupt(in.position(), in.remaining() + " bytes follow the last entry");
    }
    if (into != null) {
      restore(in, layouts, sectionStarts, placements, into);
    }
    return new Header(sequence, created, entries, specs, bytes.length, position);
  }

  /**
   * The bytes of a snapshot file. A file whose first bytes are not a snapshot's magic, or that is
   * larger than any snapshot ({@link #MAX_BYTES}), is refused before it is read whole: junk grown
   * huge must not fill the heap.
   */
  private static byte[] readChecked(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      while (magic.hasRemaining()) {
        if (channel.read(magic, magic.position()) < 0) {
          break;   // a short file is left to the framing check, which names its size
        }
      }
      if (!magic.hasRemaining()) {
        ChecksummedFileReader.checkMagic(file, magic.getInt(0), "ledger snapshot", MAGIC);
      }
    } catch (IOException e) {
      throw new StorageException("cannot read the ledger snapshot " + file, e);
    }
    return DurableFiles.readIfPresent(file, "the ledger snapshot", (int) MAX_BYTES).orElseThrow(() ->
        new StorageException("cannot read the ledger snapshot " + file, new NoSuchFileException(file.toString())));
  }

  /**
   * Restores the checked entries in the order of their entry numbers, so that every table of a
   * ledger with the same stripes gets each entry back at the number it had: eviction samples by
   * entry number, and so decides after the restore as it would have in the ledger that wrote the
   * file. (A version-1 file has no numbers: its entries are restored in file order.)
   */
  private static void restore(ChecksummedFileReader in, List<SignalLayout> layouts, int[] sectionStarts, Placements placements,
      SignalLedger into) {
    long[] order = placements.sorted();
    Entry[] byType = new Entry[layouts.size()];
    for (long placement : order) {
      int offset = (int) placement;
      int found = Arrays.binarySearch(sectionStarts, offset);
      int typeId = found >= 0 ? found : -found - 2;   // section starts strictly increase: one holds the offset
      if (byType[typeId] == null) {
        byType[typeId] = new Entry(layouts.get(typeId), in.version());
      }
      Entry entry = byType[typeId];
      in.seek(offset);
      entry.read(in, false);
      into.restore(typeId, entry.id, entry.last, entry.score, entry.total, entry.holdsWaterSince,
          entry.counters);
    }
  }

  /** Where each entry goes: its entry number and its offset in the file, packed to sort together. */
  private static final class Placements {
    private long[] packed;
    private int size;

    Placements(int atMost) {
      packed = new long[Math.max(1, Math.min(atMost, 1 << 16))];
    }

    void add(int number, int offset) {
      if (size == packed.length) {
        packed = Arrays.copyOf(packed, size * 2);
      }
      packed[size++] = (long) number << 32 | (offset & 0xFFFF_FFFFL);
    }

    /** By entry number, then by offset (the file's order). */
    long[] sorted() {
      long[] order = Arrays.copyOf(packed, size);
      Arrays.sort(order);
      return order;
    }
  }

  /** One entry as read, checked against the one before it. */
  private static final class Entry {
    final SignalLayout layout;
    final int version;
    final int[] counters;
    long id;
    long last;
    double score;
    long total;
    int number;
    long holdsWaterSince;

    Entry(SignalLayout layout, int version) {
      this.layout = layout;
      this.version = version;
      this.counters = new int[layout.stride];
    }

    /** Reads the entry at {@code in}'s position; {@code follows} when it must come after {@link #id}. */
    void read(ChecksummedFileReader in, boolean follows) {
      int at = in.position();
      long previous = id;
      id = in.i64();
      if (follows && id <= previous) {
        throw in.corrupt(at, "entity " + id + " is not after entity " + previous);
      }
      last = in.i64();
      score = Double.longBitsToDouble(in.i64());
      total = in.i64();
      if (last < 0 || total < 0 || Double.isNaN(score)) {
        throw in.corrupt(at, "entity " + id + " has an impossible state");
      }
      number = version == 1 ? 0 : in.i32();
      if (number < 0 || number >= EntryTable.MAX_ENTRIES) {
        throw in.corrupt(at + 32, "entity " + id + " has entry number " + number + ", outside 0.."
            + (EntryTable.MAX_ENTRIES - 1));
      }
      holdsWaterSince = last;
      if (version > 1 && layout.drains) {
        holdsWaterSince = in.i64();
        if (holdsWaterSince < 0 || holdsWaterSince > last) {
          throw in.corrupt(at + 36, "entity " + id + " holds water since " + holdsWaterSince + ", outside 0..last ("
              + last + ")");
        }
      }
      readRing(in, counters, 0, layout.minuteSlots);
      readRing(in, counters, layout.minuteSlots, layout.hourSlots);
    }
  }

  private static void readRing(ChecksummedFileReader in, int[] counters, int base, int slots) {
    if (slots == 0) {
      return;
    }
    long[] words = new long[(slots + 63) / 64];
    int at = in.position();
    for (int w = 0; w < words.length; w++) {
      words[w] = in.i64();
    }
    if (slots % 64 != 0 && (words[words.length - 1] >>> (slots % 64)) != 0) {
      throw in.corrupt(at, "a ring of " + slots + " buckets marks buckets beyond its last");
    }
    for (int slot = 0; slot < slots; slot++) {
      counters[base + slot] = (words[slot / 64] >>> (slot % 64) & 1) == 0 ? 0 : in.varint();
    }
  }
}

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
 * Reads and checks the ledger snapshot file ({@link LedgerSnapshot} has the format): the checksum
 * before anything is applied, each entry against the one before it, and the schema's signals
 * against the file's; then restores the entries in the order of their entry numbers.
 *
 * <pre>{@code
 * LedgerSnapshot.Header header = LedgerSnapshotReader.read(file, freshLedger);
 * LedgerSnapshot.Header status = LedgerSnapshotReader.inspect(file);   // checked, restored nowhere
 * }</pre>
 */
final class LedgerSnapshotReader {

  private LedgerSnapshotReader() {}


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
  static LedgerSnapshot.Header read(Path file, SignalLedger into) {
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
  static LedgerSnapshot.Header inspect(Path file) {
    return decode(file, null);
  }

  private static LedgerSnapshot.Header decode(Path file, SignalLedger into) {
    byte[] bytes = readChecked(file);
    ChecksummedFileReader in = ChecksummedFileReader.framed(file, bytes, "ledger snapshot", LedgerSnapshot.MAGIC,
        LedgerSnapshot.HEADER_BYTES, LedgerSnapshot.TRAILER_BYTES, LedgerSnapshot.OLDEST_VERSION,
        LedgerSnapshot.VERSION_WITH_POSITION);
    long sequence = in.i64();
    long created = in.i64();
    int signals = in.i32();
    in.i32();
    long position = SourcePosition.NONE;
    if (in.version() >= LedgerSnapshot.VERSION_WITH_POSITION) {
      position = in.i64();
      if (position < 0) {
        throw in.corrupt(LedgerSnapshot.HEADER_BYTES, "source position " + position + " is negative");
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
    Placements placements = into == null ? null : new Placements(in.remaining() / LedgerSnapshot.MIN_ENTRY_BYTES);
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
      if (count < 0 || count > in.remaining() / LedgerSnapshot.MIN_ENTRY_BYTES) {
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
    return new LedgerSnapshot.Header(sequence, created, entries, specs, bytes.length, position);
  }

  /**
   * The bytes of a snapshot file. A file whose first bytes are not a snapshot's magic, or that is
   * larger than any snapshot ({@link LedgerSnapshot#MAX_BYTES}), is refused before it is read whole:
   * junk grown huge must not fill the heap.
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
        ChecksummedFileReader.checkMagic(file, magic.getInt(0), "ledger snapshot", LedgerSnapshot.MAGIC);
      }
    } catch (IOException e) {
      throw new StorageException("cannot read the ledger snapshot " + file, e);
    }
    return DurableFiles.readIfPresent(file, "the ledger snapshot", (int) LedgerSnapshot.MAX_BYTES).orElseThrow(() ->
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
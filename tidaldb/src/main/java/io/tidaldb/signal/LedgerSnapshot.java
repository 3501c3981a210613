package io.tidaldb.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.DecaySpec;
import io.tidaldb.SignalSpec;
import io.tidaldb.StorageException;
import io.tidaldb.Window;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The ledger snapshot file: the one place its format is written and read.
 *
 * <pre>{@code
 * LedgerSnapshot.write(ledger, lastSequence, nowNanos, file);      // atomic, checksummed
 * LedgerSnapshot.Header header = LedgerSnapshot.read(file, freshLedger);
 * }</pre>
 *
 * <p>The encoding is canonical: signals in id order, entries sorted by entity id, each ring as a
 * bitmap of its non-zero buckets followed by their counts. It depends on the ledger's logical state
 * only (not on stripes, insertion order or counter widths), so restoring a snapshot and writing it
 * again gives the same bytes. The layout, all little-endian:
 *
 * <pre>
 * header   magic "TDLS" (4) | version u16 = 1 | flags u16 = 0 | sequence i64 | created nanos i64
 *          | signal count u32 | reserved u32 = 0                                        (32 bytes)
 * signal   id u16 | entity kind u8 | decay kind u8 (0 permanent, 1 exponential, 2 linear)
 *          | decay nanos i64 | windows u8 (bit 0 ONE_HOUR, 1 TWENTY_FOUR_HOURS, 2 SEVEN_DAYS,
 *          3 ALL_TIME) | flags u8 (bit 0 velocity, 1 negative weights) | name length u8 | name
 *          | entry count i64, then the entries:
 * entry    entity id i64 | last i64 | score f64 | all-time count i64
 *          | per ring (minutes, then hours): bitmap of ceil(slots / 64) u64 words,
 *            then one unsigned LEB128 count per set bit, in slot order
 * trailer  CRC32C u32 of every byte before it
 * </pre>
 *
 * <p>A file is written to a temporary sibling, fsynced, renamed over the target atomically, and
 * the directory fsynced: a crash leaves either the old file or the new one, never a mix.
 */
final class LedgerSnapshot {

  static final int MAGIC = 0x534C4454;   // "TDLS" read as a little-endian int
  static final int VERSION = 1;
  static final int HEADER_BYTES = 32;
  static final int TRAILER_BYTES = 4;

  private LedgerSnapshot() {}

  /**
   * What a snapshot says about itself.
   *
   * @param sequence the last log sequence the state reflects
   * @param createdNanos when it was written, in nanoseconds since the epoch
   * @param entries the entries it holds, over all signals
   */
  record Header(long sequence, long createdNanos, long entries) {}

  /**
   * Writes the ledger's state atomically to {@code file}. Writers to the ledger wait while it is
   * encoded (every stripe's read lock is held), so the file is one consistent cut.
   *
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static void write(SignalLedger ledger, long sequence, long createdNanos, Path file) {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        Out out = new Out(channel);
        encode(ledger, sequence, createdNanos, out);
        out.finish();
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      forceDirectory(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StorageException("cannot write the ledger snapshot " + file, e);
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void encode(SignalLedger ledger, long sequence, long createdNanos, Out out) throws IOException {
    int stripes = ledger.stripeCount();
    long[] stamps = new long[stripes];
    for (int i = 0; i < stripes; i++) {
      stamps[i] = ledger.stripeAt(i).lock.readLock();
    }
    try {
      out.i32(MAGIC).i16(VERSION).i16(0).i64(sequence).i64(createdNanos).i32(ledger.signalCount()).i32(0);
      for (int typeId = 0; typeId < ledger.signalCount(); typeId++) {
        SignalLayout layout = ledger.layout(typeId);
        writeSignal(layout.spec, out);
        long[] ids = sortedIds(ledger, typeId);
        out.i64(ids.length);
        int[] counters = new int[layout.stride];
        for (long id : ids) {
          Stripe stripe = ledger.stripeOf(typeId, id);
          EntryTable table = stripe.tables[typeId];
          int d = table.find(id, EntryTable.hash(id));
          out.i64(id).i64(table.lastAt(d)).i64(Double.doubleToRawLongBits(table.scoreAt(d))).i64(table.totalAt(d));
          table.copyCounters(d, counters);
          writeRing(counters, 0, layout.minuteSlots, out);
          writeRing(counters, layout.minuteSlots, layout.hourSlots, out);
        }
      }
    } finally {
      for (int i = 0; i < stripes; i++) {
        ledger.stripeAt(i).lock.unlockRead(stamps[i]);
      }
    }
  }

  private static long[] sortedIds(SignalLedger ledger, int typeId) {
    int total = 0;
    for (int i = 0; i < ledger.stripeCount(); i++) {
      total += ledger.stripeAt(i).tables[typeId].size();
    }
    long[] ids = new long[total];
    int n = 0;
    for (int i = 0; i < ledger.stripeCount(); i++) {
      EntryTable table = ledger.stripeAt(i).tables[typeId];
      for (int d = 0; d < table.size(); d++) {
        ids[n++] = table.keyAt(d);
      }
    }
    Arrays.sort(ids);
    return ids;
  }

  private static void writeSignal(SignalSpec spec, Out out) throws IOException {
    byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
    out.i16(spec.id()).i8(spec.entityKind().ordinal()).i8(decayKind(spec.decay())).i64(decayNanos(spec.decay()))
        .i8(windowBits(spec)).i8((spec.velocity() ? 1 : 0) | (spec.negativeWeights() ? 2 : 0)).i8(name.length)
        .bytes(name);
  }

  private static void writeRing(int[] counters, int base, int slots, Out out) throws IOException {
    if (slots == 0) {
      return;
    }
    for (int word = 0; word < (slots + 63) / 64; word++) {
      long bits = 0;
      for (int bit = 0; bit < 64 && word * 64 + bit < slots; bit++) {
        if (counters[base + word * 64 + bit] != 0) {
          bits |= 1L << bit;
        }
      }
      out.i64(bits);
    }
    for (int slot = 0; slot < slots; slot++) {
      if (counters[base + slot] != 0) {
        out.varint(counters[base + slot]);
      }
    }
  }

  static int decayKind(DecaySpec decay) {
    return decay instanceof DecaySpec.Exponential ? 1 : decay instanceof DecaySpec.Linear ? 2 : 0;
  }

  static long decayNanos(DecaySpec decay) {
    if (decay instanceof DecaySpec.Exponential exponential) {
      return exponential.halfLife().toNanos();
    }
    return decay instanceof DecaySpec.Linear linear ? linear.unitLifetime().toNanos() : 0;
  }

  static int windowBits(SignalSpec spec) {
    int bits = 0;
    for (Window window : spec.windows()) {
      bits |= 1 << window.ordinal();
    }
    return bits;
  }

  /**
   * Reads a snapshot into {@code into}, which must hold no entries. The checksum is verified before
   * anything is applied.
   *
   * @return the snapshot's header
   * @throws CorruptionException if the file is damaged, naming the offset
   * @throws ConfigException if the snapshot holds a signal the ledger's schema declares differently
   * @throws StorageException if the file cannot be read
   */
  static Header read(Path file, SignalLedger into) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new StorageException("cannot read the ledger snapshot " + file, e);
    }
    if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
      throw new CorruptionException(file, bytes.length, "the file has " + bytes.length + " bytes, fewer than a header"
          + " and a checksum (" + (HEADER_BYTES + TRAILER_BYTES) + ")");
    }
    In in = new In(file, bytes);
    if (in.i32() != MAGIC) {
      throw new CorruptionException(file, 0, "not a tidalDB ledger snapshot (the magic is not \"TDLS\")");
    }
    int version = in.u16();
    if (version != VERSION) {
      throw new CorruptionException(file, 4, "format version " + version + " is not one this tidalDB reads ("
          + VERSION + ")");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - TRAILER_BYTES);
    int stored = ByteBuffer.wrap(bytes, bytes.length - TRAILER_BYTES, TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if ((int) crc.getValue() != stored) {
      throw new CorruptionException(file, bytes.length - TRAILER_BYTES, "the CRC32C checksum does not match the content");
    }
    in.u16();
    long sequence = in.i64();
    long created = in.i64();
    int signals = in.i32();
    in.i32();
    if (signals < 0 || signals > into.signalCount()) {
      throw new ConfigException("the ledger snapshot " + file + " holds " + signals + " signals but the schema declares "
          + into.signalCount() + "; a schema may add signals after the existing ones, never remove them");
    }
    long entries = 0;
    for (int typeId = 0; typeId < signals; typeId++) {
      SignalLayout layout = into.layout(typeId);
      readSignal(file, in, layout.spec);
      long count = in.i64();
      if (count < 0 || count > (bytes.length - in.position) / 32) {
        throw new CorruptionException(file, in.position - 8, "entry count " + count + " does not fit the file");
      }
      int[] counters = new int[layout.stride];
      long previous = 0;
      for (long e = 0; e < count; e++) {
        int at = in.position;
        long id = in.i64();
        if (e > 0 && id <= previous) {
          throw new CorruptionException(file, at, "entity " + id + " is not after entity " + previous);
        }
        previous = id;
        long last = in.i64();
        double score = Double.longBitsToDouble(in.i64());
        long total = in.i64();
        if (last < 0 || total < 0 || Double.isNaN(score)) {
          throw new CorruptionException(file, at, "entity " + id + " has an impossible state");
        }
        readRing(in, counters, 0, layout.minuteSlots);
        readRing(in, counters, layout.minuteSlots, layout.hourSlots);
        into.restore(typeId, id, last, score, total, counters);
      }
      entries += count;
    }
    if (in.position != bytes.length - TRAILER_BYTES) {
      throw new CorruptionException(file, in.position, (bytes.length - TRAILER_BYTES - in.position)
          + " bytes follow the last entry");
    }
    return new Header(sequence, created, entries);
  }

  private static void readSignal(Path file, In in, SignalSpec spec) {
    int id = in.u16();
    int kind = in.u8();
    int decayKind = in.u8();
    long decayNanos = in.i64();
    int windows = in.u8();
    int flags = in.u8();
    String name = new String(in.bytes(in.u8()), StandardCharsets.US_ASCII);
    boolean same = id == spec.id() && name.equals(spec.name()) && kind == spec.entityKind().ordinal()
        && decayKind == decayKind(spec.decay()) && decayNanos == decayNanos(spec.decay())
        && windows == windowBits(spec) && flags == ((spec.velocity() ? 1 : 0) | (spec.negativeWeights() ? 2 : 0));
    if (!same) {
      throw new ConfigException("the ledger snapshot " + file + " holds signal " + id + " \"" + name + "\" as declared"
          + " differently from the schema's " + spec + "; existing signals must stay as they were declared");
    }
  }

  private static void readRing(In in, int[] counters, int base, int slots) {
    if (slots == 0) {
      return;
    }
    long[] words = new long[(slots + 63) / 64];
    for (int w = 0; w < words.length; w++) {
      words[w] = in.i64();
    }
    for (int slot = 0; slot < slots; slot++) {
      counters[base + slot] = (words[slot / 64] >>> (slot % 64) & 1) == 0 ? 0 : in.varint();
    }
  }

  /** A little-endian writer through a buffer, with the running CRC32C of everything written. */
  private static final class Out {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    Out(FileChannel channel) {
      this.channel = channel;
    }

    private Out room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
      return this;
    }

    private void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.duplicate());
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    Out i8(int value) throws IOException {
      room(1).buffer.put((byte) value);
      return this;
    }

    Out i16(int value) throws IOException {
      room(2).buffer.putShort((short) value);
      return this;
    }

    Out i32(int value) throws IOException {
      room(4).buffer.putInt(value);
      return this;
    }

    Out i64(long value) throws IOException {
      room(8).buffer.putLong(value);
      return this;
    }

    Out bytes(byte[] value) throws IOException {
      room(value.length).buffer.put(value);
      return this;
    }

    Out varint(int value) throws IOException {
      room(5);
      int v = value;
      while ((v & ~0x7F) != 0) {
        buffer.put((byte) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      buffer.put((byte) v);
      return this;
    }

    /** Writes the checksum of everything before it. */
    void finish() throws IOException {
      flush();
      buffer.putInt((int) crc.getValue());
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  /** A little-endian reader over the file's bytes that reports a truncated file with its offset. */
  private static final class In {
    private final Path file;
    private final ByteBuffer buffer;
    int position;

    In(Path file, byte[] bytes) {
      this.file = file;
      this.buffer = ByteBuffer.wrap(bytes, 0, bytes.length - TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int take(int bytes) {
      if (buffer.limit() - position < bytes) {
        throw new CorruptionException(file, position, "the file ends inside a record (" + bytes + " more bytes needed)");
      }
      int at = position;
      position += bytes;
      return at;
    }

    int u8() {
      return buffer.get(take(1)) & 0xFF;
    }

    int u16() {
      return buffer.getShort(take(2)) & 0xFFFF;
    }

    int i32() {
      return buffer.getInt(take(4));
    }

    long i64() {
      return buffer.getLong(take(8));
    }

    byte[] bytes(int length) {
      byte[] out = new byte[length];
      buffer.get(take(length), out);
      return out;
    }

    int varint() {
      int at = position;
      long value = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = u8();
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (value > Integer.MAX_VALUE || value == 0) {
            throw new CorruptionException(file, at, "bucket count " + value + " is out of range");
          }
          return (int) value;
        }
      }
      throw new CorruptionException(file, at, "a bucket count runs past 5 bytes");
    }
  }
}

package io.tidaldb.internal.signal;

import java.util.Arrays;

/**
 * The entries of one signal type in one stripe: an open-addressing index from entity id to a dense
 * entry number, the entries' hot records in one flat array, and the rest of each entry in primitive
 * arrays, in chunks of {@value #CHUNK}.
 *
 * <p>The index is one {@code int[]} with linear probing: each used slot holds the entry number + 1
 * in its low 24 bits and 8 bits of the key's hash above them, so that a probe compares the entity
 * id in the entry's hot record only when the tags match (a miss rarely touches an entry at all).
 *
 * <p>Entry {@code d}'s hot record is four longs, {@code [entityId, last, score bits, total]}, at
 * {@code HOT_BASE + d * HOT_STRIDE} of {@code hot}: what a score read touches, in one cache line.
 * {@code total} holds the all-time count in its low 40 bits ({@link #MAX_TOTAL}: it saturates there,
 * at about 1.1 trillion events of one entity and signal) and, in its high 24, the entry's wide slot
 * + 1, or 0 while its counters are bytes (see {@code wideSlots} below), so that a write and a ring
 * read learn where the counters are from the line they load anyway. One flat array rather than
 * chunks, so that a read does not also miss on a chunk's header (its length, for the bounds check,
 * lies in another line than a record 2 KiB into the chunk): a hit costs the index slot's line and
 * the record's. The array grows by an eighth at a time (at most 4 bytes per entry unused; a quarter,
 * until 2026-12-01, left 3.6 at 10,000 and 100,000 entities).
 * {@value #HOT_BASE} longs of padding put the records on 32-byte boundaries of a region-aligned
 * (humongous, in G1) array, whose data starts 16 bytes in, so that no record of a large table
 * straddles two cache lines; in a small array the alignment is whatever the allocator gives.
 *
 * <p>The rest of entry {@code d} lives in chunk {@code d >>> CHUNK_SHIFT}, at offset
 * {@code d & CHUNK_MASK}; the table's last chunk holds room for only part of its {@value #CHUNK}
 * entries, grown in steps ({@link #FIRST_CHUNK}, {@link #CHUNK_STEP}) as entries arrive:
 * <ul>
 *   <li>{@code counts}: {@link SignalLayout#stride} unsigned bytes, the minute ring then the hour
 *       ring; slot {@code k % slots} holds the count of minute (or hour) {@code k}. The counters of
 *       every slot at or past {@link #size} are zero (a chunk is allocated zeroed, and
 *       {@link #remove} zeros the slot it vacates), so that an insert does not clear them;
 *   <li>{@code since}, for linear decay only: one long, the time since which the bucket has held
 *       water ({@link SignalLayout#afterLinearWrite});
 *   <li>in {@link #rank}: two ints, the entry's rank bucket and its place there ({@link RankIndex}),
 *       kept current by every insert, apply, restore and remove.
 * </ul>
 * A ring's newest bucket is the minute (hour) of {@code last}, the entry's newest event time; the
 * ring holds the {@code slots} buckets ending there, so no bucket needs a tag of its own.
 *
 * <p>Once one of an entry's buckets passes 255 events (a hot entity; rare), its counters move for
 * good to an {@code int[stride]} in {@code wideSlots}, one table-wide array, at a slot that the
 * entry's {@code total} names; its bytes are zeroed. A removal frees the removed entry's slot for
 * the next entry to widen; the last entry, moving into the hole, takes its slot along in its record.
 *
 * <p>Not thread-safe: the {@link Stripe}'s lock guards it. Readers may call the {@code read*}
 * methods under an optimistic stamp: they never throw or loop forever on a torn state, and return
 * garbage that the failed validation then discards.
 *
 * <p>One class, longer than most, on purpose: the index, the hot records, the rings and the order
 * in which a write changes them are one structure, and the promise above (every read safe under an
 * optimistic stamp against every write) can only be checked with all of them in view. Splitting it
 * would put the two sides of that promise in different files.
 */
final class EntryTable implements RankIndex.Keys {

  /**
   * Entries per chunk, as a shift: 256, so that a table of a million entities' signal has about 20
   * chunks per array rather than 80, and a write's loads of the chunks' headers (each array's length,
   * for the bounds check, in a line of its own) mostly hit the caches (64 until 2026-12-01: the
   * apply of {@code PeerWrites}' stream took 0.93x the CPU time with 256; BENCHMARKS.md, "Chunks of
   * 256 entries").
   */
  static final int CHUNK_SHIFT = 8;
  static final int CHUNK = 1 << CHUNK_SHIFT;
  static final int CHUNK_MASK = CHUNK - 1;
  /**
   * A chunk starts this small and doubles to {@link #CHUNK_STEP}, so that a rarely used table
   * stays small.
   */
  private static final int FIRST_CHUNK = 8;
  /**
   * From this size a chunk grows by this many entries at a time to {@link #CHUNK}, so that the
   * table's last chunk holds fewer than this many unused entries (a whole chunk's room of 64, 14 KiB
   * with every window, was about 7 bytes per entry in a table of 1,000 entries), while an entry is
   * copied about four times on average as its chunk grows to {@link #CHUNK}.
   */
  static final int CHUNK_STEP = 32;

  /**
   * Levels per key unit in {@link #levelAt}: a power of two, so that {@code key * LEVELS_PER_UNIT}
   * and {@code level / LEVELS_PER_UNIT} are exact.
   */
  static final int LEVELS_PER_UNIT = 16;
  /** The highest level a home slot holds. */
  private static final int TOP_LEVEL = 255;
  /** Where a key that moves the levels up lands: one key unit below {@link #TOP_LEVEL}. */
  private static final int RELEVEL_TO = TOP_LEVEL - LEVELS_PER_UNIT;
  /** Keys at or beyond this size are not leveled: every level reads as unbounded. */
  private static final double LEVELED_KEYS_BELOW = 0x1.0p48;

  static final int HOT_STRIDE = 4;
  /** Longs before the first hot record (see the class documentation). */
  static final int HOT_BASE = 2;
  static final int ID = 0;
  static final int LAST = 1;
  static final int SCORE = 2;
  static final int TOTAL = 3;
  /** The largest all-time count, where it saturates: the mask of its bits in {@link #TOTAL}. */
  static final long MAX_TOTAL = (1L << 40) - 1;
  /** Where {@link #TOTAL} holds the wide slot + 1: its 24 high bits, room for one slot per entry. */
  private static final int WIDE_SHIFT = 40;

  /** Entries a table can number in a ref's 24 bits. */
  static final int MAX_ENTRIES = TaggedSlots.MAX_ENTRIES;

  private static final Index EMPTY = new Index(1);

  final SignalLayout layout;
  /** The entries in buckets of their rank key, for top-k queries. */
  final RankIndex rank;
  private final int stride;
  private Index index = EMPTY;
  /** The key level that level 1 of a home slot stands for ({@link #levelAt}); set by the first positive key. */
  private long levelBase;
  private boolean leveled;
  /** A key too large to level was written: {@link #levelAt} bounds nothing. */
  private boolean unleveled;
  /** The hot records, {@link #HOT_STRIDE} longs each from {@link #HOT_BASE}; empty until the first entry. */
  private long[] hot = new long[0];
  /** Entries the chunked arrays have room for. */
  private int chunkRoom;
  private byte[][] counts = new byte[0][];
  /** The widened counters, {@code int[stride]} each, by wide slot; null for a free slot. */
  private int[][] wideSlots = new int[0][];
  /** Wide slots handed out so far: the number of the next new one. */
  private int wideSlotsUsed;
  /** Freed wide slots, the first {@link #freeWideSlots} of them, reused before new ones. */
  private int[] freeWide = new int[0];
  private int freeWideSlots;
  /** Null unless the signal decays linearly. */
  private long[][] since;
  private int size;

  EntryTable(SignalLayout layout) {
    this.layout = layout;
    this.stride = layout.stride;
    this.since = layout.drains ? new long[0][] : null;
    this.rank = new RankIndex(layout);
  }

  /** The open-addressing index, replaced as a whole on growth so that a reader sees one mask with one array. */
  private static final class Index {
    /** The slots ({@link TaggedSlots}): {@code tag << 24 | (entry + 1)}, 0 for an empty slot. */
    final int[] refs;
    /** Per home slot, the level that bounds the keys of the entries whose id hashes there ({@link #levelAt}). */
    final byte[] levels;
    final int mask;
    final int threshold;

    Index(int capacity) {
      this(new int[capacity]);
    }

    Index(int[] refs) {
      this.refs = refs;
      this.levels = new byte[refs.length];
      mask = refs.length - 1;
      threshold = refs.length == 1 ? 0 : refs.length / 4 * 3;
    }
  }

  /** A well-mixed hash of an entity id (MurmurHash3's finaliser); the stripe uses its high bits. */
  static long hash(long key) {
    long h = key;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public int size() {
    return size;
  }

  /** Entry {@code d}'s rank key, for a {@link RankIndex} rebase (under the lock). */
  @Override
  public double rankKeyAt(int d) {
    return layout.rankKey(scoreAt(d), lastAt(d));
  }

  /** The hash of entry {@code d}'s id (under the lock). */
  long hashAt(int d) {
    return hash(keyAt(d));
  }

  /**
   * Loads the index lines of the four slots from {@code hash}'s home, which {@link #tagged} reads
   * next: a batched read does this for every candidate first, so that the candidates' cache misses
   * overlap. Returns the home slot and the slot three after it, OR-ed: 0 only if the home slot is
   * empty, and so the key absent. Safe under an optimistic stamp.
   */
  int prefetch(long hash) {
    Index ix = index;
    int i = (int) hash;
    return ix.refs[i & ix.mask] | ix.refs[(i + 3) & ix.mask];
  }

  /**
   * The entry named by the first of the four slots from {@code hash}'s home that carries its tag,
   * or -1: most likely the key's entry (a key nearly always sits within four slots of its home),
   * found without reading any entry and without a branch on which slot it is, so that a batched
   * read does not stall on mispredicted probes. A wrong guess (another key with the same tag, a slot
   * past an empty one) is caught by comparing the entry's id, and -1 does not prove the key absent:
   * the caller then runs {@link #find}. Safe under an optimistic stamp.
   */
  int tagged(long hash) {
    Index ix = index;
    int[] refs = ix.refs;
    int mask = ix.mask;
    int tag = TaggedSlots.tag(hash);
    int i = (int) hash;
    int r0 = refs[i & mask];
    int r1 = refs[(i + 1) & mask];
    int r2 = refs[(i + 2) & mask];
    int r3 = refs[(i + 3) & mask];
    int ref = r3 >>> 24 == tag ? r3 : 0;
    ref = r2 >>> 24 == tag ? r2 : ref;
    ref = r1 >>> 24 == tag ? r1 : ref;
    ref = r0 >>> 24 == tag ? r0 : ref;
    return TaggedSlots.entryOf(ref);
  }

  /** The entry number of {@code key}, or -1. Safe under an optimistic stamp. */
  int find(long key, long hash) {
    Index ix = index;
    int[] refs = ix.refs;
    int mask = ix.mask;
    int tag = TaggedSlots.tag(hash);
    int home = (int) hash & mask;
    // ends where it began at the latest (every slot probed once, a full torn index included); not a
    // counted loop, which the JIT would copy into three loops and unroll
    int i = home;
    do {
      int ref = refs[i];
      if (ref == 0) {
        return -1;
      }
      if (ref >>> 24 == tag) {
        int d = TaggedSlots.entryOf(ref);
        long[] records = hot;
        int o = hotOffset(records, d);
        if (o >= 0 && records[o + ID] == key) {
          return d;
        }
      }
      i = (i + 1) & mask;
    } while (i != home);
    return -1;
  }

  /**
   * The score of {@code key} read at {@code q}, or 0 if the table holds no entry for it:
   * {@link #find} then {@link #readScore} in one pass, with the record array loaded and bounded once.
   * Safe under an optimistic stamp. The probe loop is {@link #find}'s, written out again on purpose:
   * with one loop shared by both (returning the record's offset), the compiled
   * {@code SignalLedger.decayScore} grew from 1,856 to 2,112 bytes, and the whole read past the
   * size under which the JIT inlines it (BENCHMARKS.md, "A read small enough to inline").
   */
  double scoreOf(long key, long hash, long q) {
    Index ix = index;
    int[] refs = ix.refs;
    int mask = ix.mask;
    long[] records = hot;
    int tag = TaggedSlots.tag(hash);
    int home = (int) hash & mask;
    int i = home;
    do {
      int ref = refs[i];
      if (ref == 0) {
        return 0;
      }
      if (ref >>> 24 == tag) {
        int o = hotOffset(records, TaggedSlots.entryOf(ref));
        if (o >= 0 && records[o + ID] == key) {
          return layout.readAt(Double.longBitsToDouble(records[o + SCORE]), records[o + LAST], q);
        }
      }
      i = (i + 1) & mask;
    } while (i != home);
    return 0;
  }

  /**
   * A bound on the rank keys of the entries whose id hashes to {@code hash}'s home slot, by key
   * level (a key unit in {@value #LEVELS_PER_UNIT} levels): every such entry's
   * {@link SignalLayout#rankKey} is at most {@code level / LEVELS_PER_UNIT}. Returns
   * {@link Long#MIN_VALUE} when no entry homed there has had a positive read since the index was
   * built (an absent entity reads 0), and {@link Long#MAX_VALUE} when keys are too large to level.
   * Each home slot keeps one byte: the highest level written there, raised by every write
   * ({@link #apply}, {@link #restore}) and rebuilt from the entries when the index grows; a write
   * that lowers a key, or a removal, leaves it high, which still bounds. So a ranking walk can drop
   * an entity without reading its record, from a line of an array a sixteenth the size of the
   * records. Under the stripe's lock.
   */
  long levelAt(long hash) {
    if (unleveled) {
      return Long.MAX_VALUE;
    }
    Index ix = index;
    int v = ix.levels[(int) hash & ix.mask] & 0xFF;
    // without a branch on v, which a batch loads ahead (v == 0 gives MIN_VALUE: the sign bit set, the rest 0)
    long empty = (long) (v - 1) >> 63;
    return levelOf(levelBase, v) & ~empty | Long.MIN_VALUE & empty;
  }

  /** The home slots' levels ({@link #levelAt}) as they stand: replaced when the index grows. Under the stripe's lock. */
  byte[] levelBytes() {
    return index.levels;
  }

  /** {@return the key level that level byte {@code v} (1 to 255) stands for, level byte 1 standing for {@code base}} */
  static long levelOf(long base, int v) {
    return base + v - 1;
  }

  /**
   * {@return the key level that level byte 1 stands for ({@link #levelOf}), or {@link Long#MIN_VALUE}
   * while no positive key has set it (every level byte is 0 until then)}
   */
  long levelBase() {
    return leveled ? levelBase : Long.MIN_VALUE;
  }

  /** {@return whether a key too large to level was written: {@link #levelAt} bounds nothing} */
  boolean unleveled() {
    return unleveled;
  }

  // ---- reads (safe under an optimistic stamp) ----

  /** Where entry {@code d}'s hot record starts in {@code records}, or -1 if it does not fit them (a torn read). */
  private static int hotOffset(long[] records, int d) {
    return d >= 0 && d < (records.length - HOT_BASE) / HOT_STRIDE ? HOT_BASE + d * HOT_STRIDE : -1;
  }

  /**
   * Copies entry {@code d}'s id, last and score bits to {@code into[at]}, {@code into[at + 1]} and
   * {@code into[at + 2]}: what a score read needs, loaded together. Zeros for a torn read.
   */
  void readHot(int d, long[] into, int at) {
    long[] records = hot;
    int o = hotOffset(records, d);
    if (o < 0) {
      into[at] = 0;
      into[at + 1] = 0;
      into[at + 2] = 0;
      return;
    }
    into[at] = records[o + ID];
    into[at + 1] = records[o + LAST];
    into[at + 2] = records[o + SCORE];
  }

  /**
   * The hot records, as they are (entry {@code d}'s at {@code HOT_BASE + d * HOT_STRIDE}): for a
   * scan that reads them in place under an optimistic stamp (it bounds every index by the array it
   * holds, so a torn state reads garbage, never throws).
   */
  long[] hotRecords() {
    return hot;
  }

  long readLong(int d, int field) {
    long[] records = hot;
    int o = hotOffset(records, d);
    return o < 0 ? 0 : records[o + field];
  }

  /** The all-time count of entry {@code d} ({@link #totalAt}, without its wide slot's bits); 0 for a torn read. */
  long readTotal(int d) {
    return readLong(d, TOTAL) & MAX_TOTAL;
  }

  /** The wide slot that a hot record's {@code total} names, or -1 if its counters are bytes. */
  private static int wideSlotOf(long total) {
    return (int) (total >>> WIDE_SHIFT) - 1;
  }

  /** The score read at {@code q}; 0 for a torn read. */
  double readScore(int d, long q) {
    long[] records = hot;
    int o = hotOffset(records, d);
    if (o < 0) {
      return 0;
    }
    return layout.readAt(Double.longBitsToDouble(records[o + SCORE]), records[o + LAST], q);
  }

  /**
   * The events in the ring at {@code base} ({@code slots} buckets of {@code unitNanos}) whose bucket
   * lies in the {@code windowUnits} buckets ending at {@code now}'s.
   */
  long readRing(int d, int base, int slots, long unitNanos, int windowUnits, long nowNanos) {
    long[] records = hot;
    int o = hotOffset(records, d);
    if (o < 0) {
      return 0;
    }
    long head = records[o + LAST] / unitNanos;
    long now = nowNanos / unitNanos;
    long from = Math.max(Math.max(now - windowUnits + 1, head - slots + 1), 0);
    long to = Math.min(now, head);
    if (from > to) {
      return 0;
    }
    int ws = wideSlotOf(records[o + TOTAL]);
    long sum = 0;
    if (ws >= 0) {
      int[][] wides = wideSlots;
      int[] w = ws < wides.length ? wides[ws] : null;
      if (w == null || w.length != stride) {
        return 0;
      }
      for (int slot = (int) (from % slots), left = (int) (to - from); left >= 0; left--) {
        sum += w[base + slot];
        slot = slot + 1 == slots ? 0 : slot + 1;
      }
      return sum;
    }
    int c = d >>> CHUNK_SHIFT;
    byte[][] countChunks = counts;
    byte[] bytes = c < countChunks.length ? countChunks[c] : null;
    int co = (d & CHUNK_MASK) * stride;
    if (bytes == null || co + stride > bytes.length) {
      return 0;
    }
    for (int slot = (int) (from % slots), left = (int) (to - from); left >= 0; left--) {
      sum += bytes[co + base + slot] & 0xFF;
      slot = slot + 1 == slots ? 0 : slot + 1;
    }
    return sum;
  }

  // ---- writes (under the stripe's write lock) ----

  /** Adds an entry for {@code key} (absent), with no events yet. */
  int insert(long key, long hash) {
    if (size == MAX_ENTRIES) {
      throw new IllegalStateException("a ledger table holds at most " + MAX_ENTRIES + " entries");
    }
    if (size + 1 > index.threshold) {
      rehash(Math.max(16, index.refs.length * 2));
    }
    int d = size;
    ensureRoom(d);
    long[] records = hot;
    int o = HOT_BASE + d * HOT_STRIDE;
    records[o + ID] = key;
    records[o + LAST] = 0;
    records[o + SCORE] = 0;
    records[o + TOTAL] = 0;
    // the counters of a slot at or past size are zero (remove clears them); TOTAL = 0: not wide
    if (since != null) {
      since[d >>> CHUNK_SHIFT][d & CHUNK_MASK] = 0;
    }
    rank.added(d);
    TaggedSlots.place(index.refs, hash, TaggedSlots.ref(hash, d));
    size++;
    return d;
  }

  /**
   * Applies an event to entry {@code d}. {@code fresh} marks an entry just inserted, whose rings
   * are empty and whose {@code last} is not yet meaningful.
   */
  void apply(int d, long hash, boolean fresh, float weight, long t) {
    long[] chunk = hot;
    int o = HOT_BASE + d * HOT_STRIDE;
    int c = d >>> CHUNK_SHIFT;
    int e = d & CHUNK_MASK;
    // Every line of the entry the write changes is loaded here, before any of them is needed, so
    // that their cache misses overlap instead of following one another: the hot record, the rank
    // place, the home slot's level, and the counters of the event's minute and hour (their slots
    // depend on t alone).
    long stored = chunk[o + LAST];
    double score = Double.longBitsToDouble(chunk[o + SCORE]);
    long total = chunk[o + TOTAL];
    int rankBucket = rank.bucketAt(d);
    Index ix = index;
    int home = (int) hash & ix.mask;
    int level = ix.levels[home] & 0xFF;
    int[] w = null;
    byte[] bytes = null;
    int co = e * stride;
    int minuteSlot = 0;
    int minuteSeen = 0;
    int hourSlot = 0;
    int hourSeen = 0;
    if (stride > 0) {
      int ws = wideSlotOf(total);
      w = ws < 0 ? null : wideSlots[ws];
      bytes = counts[c];
      if (layout.minuteSlots > 0) {
        minuteSlot = slotOf(t, SignalLayout.MINUTE_NANOS, layout.minuteSlots);
        minuteSeen = bytes[co + minuteSlot] & 0xFF;
      }
      if (layout.hourSlots > 0) {
        hourSlot = slotOf(t, SignalLayout.HOUR_NANOS, layout.hourSlots);
        hourSeen = bytes[co + layout.minuteSlots + hourSlot] & 0xFF;
      }
    }
    long last = fresh ? t : stored;
    double next;
    if (since != null) {
      long[] spans = since[c];
      if (fresh || layout.runsDry(score, last, t)) {
        spans[e] = t;
      }
      next = layout.afterLinearWrite(score, last, spans[e], weight, t);
    } else {
      next = layout.afterWrite(score, last, weight, t);
    }
    chunk[o + SCORE] = Double.doubleToRawLongBits(next);
    chunk[o + TOTAL] = (total & MAX_TOTAL) == MAX_TOTAL ? total : total + 1;
    if (layout.minuteSlots > 0) {
      w = countRing(d, w, bytes, co, 0, layout.minuteSlots, SignalLayout.MINUTE_NANOS, last, t, minuteSlot,
          minuteSeen);
    }
    if (layout.hourSlots > 0) {
      countRing(d, w, bytes, co, layout.minuteSlots, layout.hourSlots, SignalLayout.HOUR_NANOS, last, t, hourSlot,
          hourSeen);
    }
    if (t > last || fresh) {
      chunk[o + LAST] = t;
    }
    double key = layout.rankKey(next, chunk[o + LAST]);
    rank.update(this, d, hash, rankBucket, key);
    raiseLevel(ix, home, level, key);
  }

  /** Raises the level of {@code hash}'s home slot in {@code ix} to {@code key}'s (see {@link #levelAt}). */
  private void raiseLevel(Index ix, long hash, double key) {
    int home = (int) hash & ix.mask;
    raiseLevel(ix, home, ix.levels[home] & 0xFF, key);
  }

  /**
   * Raises the level of slot {@code home} of {@code ix}, which holds {@code seen}, to {@code key}'s,
   * first moving every level up if the key's is above them all.
   */
  private void raiseLevel(Index ix, int home, int seen, double key) {
    if (key == Double.NEGATIVE_INFINITY || unleveled) {
      return;
    }
    if (!(Math.abs(key) < LEVELED_KEYS_BELOW)) {
      unleveled = true;
      return;
    }
    long level = (long) Math.ceil(key * LEVELS_PER_UNIT);
    int now = seen;
    if (!leveled) {
      levelBase = level - RELEVEL_TO + 1;
      leveled = true;
    } else if (level - levelBase + 1 > TOP_LEVEL) {
      relevel(ix, level - RELEVEL_TO + 1);
      now = ix.levels[home] & 0xFF;
    }
    int v = (int) Math.max(1, level - levelBase + 1);
    if (v > now) {
      ix.levels[home] = (byte) v;
    }
  }

  /** Moves level 1 to {@code base}: every level written falls by the difference, to 1 at least (still a bound). */
  private void relevel(Index ix, long base) {
    long shift = base - levelBase;
    byte[] levels = ix.levels;
    for (int i = 0; i < levels.length; i++) {
      int v = levels[i] & 0xFF;
      if (v != 0) {
        levels[i] = (byte) Math.max(1, v - shift);
      }
    }
    levelBase = base;
  }

  /**
   * The slot of {@code t}'s bucket in a ring of {@code slots} buckets of {@code unitNanos}. Times
   * are never negative (the log refuses them), and the bucket's number fits an int: a minute's
   * is below 2^28 until the year 2262, where nanoseconds since the epoch end.
   */
  private static int slotOf(long t, long unitNanos, int slots) {
    return (int) (t / unitNanos) % slots;
  }

  /**
   * Counts an event at {@code t} in the ring at {@code base} of entry {@code d} (its counters:
   * {@code w} if wide, else {@code bytes} from {@code co}), whose newest bucket is {@code last}'s;
   * {@code slot} is the slot of {@code t}'s bucket in the ring, and {@code seen} its byte counter
   * as loaded before this write changed anything. An event past the newest bucket first clears the
   * buckets it moves the ring over, its own among them: at most two ranges, as the ring wraps at
   * most once. Returns the entry's wide counters, which counting may have created.
   */
  private int[] countRing(int d, int[] w, byte[] bytes, int co, int base, int slots, long unitNanos, long last,
      long t, int slot, int seen) {
    long head = last / unitNanos;
    long unit = t / unitNanos;
    int value = seen;
    if (unit > head) {
      long ahead = unit - head;
      if (ahead >= slots) {
        clear(w, bytes, co + base, base, 0, slots);
      } else {
        int n = (int) ahead;
        // the slots after the newest bucket's, up to and with the event's: slot - n + 1 to slot
        int from = slot - n + 1;
        if (from >= 0) {
          clear(w, bytes, co + base, base, from, slot + 1);
        } else {
          clear(w, bytes, co + base, base, from + slots, slots);
          clear(w, bytes, co + base, base, 0, slot + 1);
        }
      }
      value = 0;
    } else if (head - unit >= slots) {
      return w;
    }
    int at = base + slot;
    if (w != null) {
      if (w[at] < Integer.MAX_VALUE) {
        w[at]++;
      }
      return w;
    }
    if (value < 255) {
      bytes[co + at] = (byte) (value + 1);
      return w;
    }
    int[] widened = widen(d);
    widened[at]++;
    return widened;
  }

  /** Zeros slots {@code [from, to)} of a ring: in {@code w} from {@code base} if wide, else in {@code bytes} from {@code at}. */
  private static void clear(int[] w, byte[] bytes, int at, int base, int from, int to) {
    if (w != null) {
      Arrays.fill(w, base + from, base + to, 0);
    } else {
      Arrays.fill(bytes, at + from, at + to, (byte) 0);
    }
  }

  private int[] wideOf(int d) {
    int ws = wideSlotOf(hot[HOT_BASE + d * HOT_STRIDE + TOTAL]);
    return ws < 0 ? null : wideSlots[ws];
  }

  private void setCounter(int d, int slot, int value) {
    int[] w = wideOf(d);
    if (w != null) {
      w[slot] = value;
    } else {
      counts[d >>> CHUNK_SHIFT][(d & CHUNK_MASK) * stride + slot] = (byte) value;
    }
  }

  /** Moves entry {@code d}'s counters from bytes to ints in a wide slot, for good. */
  private int[] widen(int d) {
    int[] w = new int[stride];
    byte[] bytes = counts[d >>> CHUNK_SHIFT];
    int o = (d & CHUNK_MASK) * stride;
    for (int i = 0; i < stride; i++) {
      w[i] = bytes[o + i] & 0xFF;
      bytes[o + i] = 0;
    }
    int ws;
    if (freeWideSlots > 0) {
      ws = freeWide[--freeWideSlots];
    } else {
      if (wideSlotsUsed == wideSlots.length) {
        wideSlots = Arrays.copyOf(wideSlots, Math.max(4, wideSlotsUsed * 2));
      }
      ws = wideSlotsUsed++;
    }
    wideSlots[ws] = w;
    int t = HOT_BASE + d * HOT_STRIDE + TOTAL;
    hot[t] = (hot[t] & MAX_TOTAL) | (long) (ws + 1) << WIDE_SHIFT;
    return w;
  }

  /** Frees entry {@code d}'s wide slot, if it has one, for the next entry to widen. */
  private void freeWideSlot(int d) {
    int t = HOT_BASE + d * HOT_STRIDE + TOTAL;
    int ws = wideSlotOf(hot[t]);
    if (ws < 0) {
      return;
    }
    hot[t] &= MAX_TOTAL;
    wideSlots[ws] = null;
    if (freeWideSlots == freeWide.length) {
      freeWide = Arrays.copyOf(freeWide, Math.max(4, freeWideSlots * 2));
    }
    freeWide[freeWideSlots++] = ws;
  }

  /** Removes entry {@code d}; the last entry moves into its place. */
  void remove(int d) {
    rank.unlink(d);
    TaggedSlots.unplace(index.refs, d, hash(keyAt(d)), this::keyAt);
    int lastEntry = size - 1;
    freeWideSlot(d);
    if (d != lastEntry) {
      move(lastEntry, d);
    }
    if (stride > 0) {
      // the slot past the entries starts empty for the next insert, which does not clear it (it
      // writes the whole hot record, the wide slot's bits among it)
      int co = (lastEntry & CHUNK_MASK) * stride;
      Arrays.fill(counts[lastEntry >>> CHUNK_SHIFT], co, co + stride, (byte) 0);
    }
    size--;
  }

  /** Moves entry {@code from} to {@code to}, wide slot and all (it is in the hot record). */
  private void move(int from, int to) {
    rank.moved(from, to);
    System.arraycopy(hot, HOT_BASE + from * HOT_STRIDE, hot, HOT_BASE + to * HOT_STRIDE, HOT_STRIDE);
    if (stride > 0) {
      System.arraycopy(counts[from >>> CHUNK_SHIFT], (from & CHUNK_MASK) * stride,
          counts[to >>> CHUNK_SHIFT], (to & CHUNK_MASK) * stride, stride);
    }
    if (since != null) {
      since[to >>> CHUNK_SHIFT][to & CHUNK_MASK] = since[from >>> CHUNK_SHIFT][from & CHUNK_MASK];
    }
    TaggedSlots.renumber(index.refs, hash(keyAt(to)), from, to);
  }

  /** The entry's counters as ints, {@link SignalLayout#stride} of them, for a snapshot. */
  void copyCounters(int d, int[] into) {
    if (stride == 0) {
      return;
    }
    int[] w = wideOf(d);
    if (w != null) {
      System.arraycopy(w, 0, into, 0, stride);
      return;
    }
    byte[] bytes = counts[d >>> CHUNK_SHIFT];
    int o = (d & CHUNK_MASK) * stride;
    for (int i = 0; i < stride; i++) {
      into[i] = bytes[o + i] & 0xFF;
    }
  }

  /**
   * Sets the whole state of entry {@code d}, just inserted, for a restore; {@code holdsWaterSince}
   * matters for linear decay only. A {@code total} above {@link #MAX_TOTAL} is restored as
   * {@code MAX_TOTAL}, where it saturates.
   */
  void restore(int d, long hash, long last, double score, long total, long holdsWaterSince, int[] counters) {
    if (total < 0) {
      throw new IllegalArgumentException("restore of entry " + d + ": all-time count " + total
          + " is negative; a snapshot's reader refuses such an entry as corrupt");
    }
    long[] chunk = hot;
    int o = HOT_BASE + d * HOT_STRIDE;
    chunk[o + LAST] = last;
    chunk[o + SCORE] = Double.doubleToRawLongBits(score);
    chunk[o + TOTAL] = Math.min(total, MAX_TOTAL);
    if (since != null) {
      since[d >>> CHUNK_SHIFT][d & CHUNK_MASK] = holdsWaterSince;
    }
    double key = layout.rankKey(score, last);
    rank.update(this, d, hash, rank.bucketAt(d), key);
    raiseLevel(index, hash, key);
    if (stride == 0) {
      return;
    }
    boolean fitsBytes = true;
    for (int i = 0; i < stride; i++) {
      fitsBytes &= counters[i] <= 255;
    }
    if (fitsBytes) {
      for (int i = 0; i < stride; i++) {
        setCounter(d, i, counters[i]);
      }
    } else {
      System.arraycopy(counters, 0, widen(d), 0, stride);
    }
  }

  private void ensureRoom(int d) {
    int room = hot.length == 0 ? 0 : (hot.length - HOT_BASE) / HOT_STRIDE;
    if (d >= room) {
      int grown = Math.max(d + 1, Math.max(FIRST_CHUNK, room + (room >> 3)));
      hot = Arrays.copyOf(hot, HOT_BASE + Math.min(grown, MAX_ENTRIES) * HOT_STRIDE);
    }
    if (d < chunkRoom) {
      return;
    }
    int c = d >>> CHUNK_SHIFT;
    if (c >= counts.length) {
      int chunks = Math.max(4, counts.length * 2);
      counts = Arrays.copyOf(counts, chunks);
      if (since != null) {
        since = Arrays.copyOf(since, chunks);
      }
    }
    int held = chunkRoom - (c << CHUNK_SHIFT);
    int entries = held < CHUNK_STEP ? Math.max(FIRST_CHUNK, held * 2) : Math.min(CHUNK, held + CHUNK_STEP);
    allocate(c, entries);
    chunkRoom = (c << CHUNK_SHIFT) + entries;
  }

  /** Allocates chunk {@code c} for {@code entries}, keeping what an earlier, smaller chunk held. */
  private void allocate(int c, int entries) {
    if (stride > 0) {
      counts[c] = counts[c] == null ? new byte[entries * stride] : Arrays.copyOf(counts[c], entries * stride);
    }
    if (since != null) {
      since[c] = since[c] == null ? new long[entries] : Arrays.copyOf(since[c], entries);
    }
    rank.allocate(c, entries);
  }

  private void rehash(int capacity) {
    Index grown = new Index(TaggedSlots.rehash(index.refs, capacity, this::keyAt));
    for (int d = 0; d < size; d++) {
      raiseLevel(grown, hashAt(d), rankKeyAt(d));
    }
    index = grown;
  }

  /** {@return the entries the chunked arrays have room for} (under the lock) */
  int chunkRoom() {
    return chunkRoom;
  }

  /** Entity id of entry {@code d} (under the lock). */
  long keyAt(int d) {
    return hot[HOT_BASE + d * HOT_STRIDE + ID];
  }

  long lastAt(int d) {
    return hot[HOT_BASE + d * HOT_STRIDE + LAST];
  }

  double scoreAt(int d) {
    return Double.longBitsToDouble(hot[HOT_BASE + d * HOT_STRIDE + SCORE]);
  }

  /** Linear decay: since when entry {@code d}'s bucket has held water (under the lock). */
  long holdsWaterSinceAt(int d) {
    return since[d >>> CHUNK_SHIFT][d & CHUNK_MASK];
  }

  /** The all-time count of entry {@code d} (under the lock). */
  long totalAt(int d) {
    return hot[HOT_BASE + d * HOT_STRIDE + TOTAL] & MAX_TOTAL;
  }
}

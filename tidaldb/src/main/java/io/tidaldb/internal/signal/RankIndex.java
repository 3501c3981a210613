package io.tidaldb.internal.signal;

import java.util.Arrays;

/**
 * One table's entries in buckets of their time-invariant rank key ({@link SignalLayout#rankKey}),
 * so that a top-k query visits the best buckets first and stops when no entry left can make the
 * cut, instead of reading every entry. Exact: a bucket only bounds its entries' reads
 * ({@link #bound}); the entries visited are read as {@code decayScore} reads them.
 *
 * <p>Buckets are numbered from the top: bucket {@code j} holds the keys {@code key} with
 * {@code ceiling - key} in {@code [depth(j), depth(j + 1))}: {@value #FINE} buckets of 1/{@value
 * #FINE_PER_UNIT} of a key unit (a halving of the score, or one weight unit for linear decay) for
 * the first {@value #FINE_UNITS} units below the ceiling, then coarser ones of 1/{@value
 * #COARSE_PER_UNIT}; the last bucket holds every key below those, and every entry whose reads are
 * all zero. A key above the ceiling moves the ceiling {@value #HEADROOM} unit above it and
 * re-buckets the table (rare: keys grow by one unit per half-life, or when a score doubles).
 *
 * <p>Each bucket is an array of its entries' {@linkplain #member members}: the entry's number and the
 * bits of its id's hash that name its stripe and home slot in any table, so that a walk streams it
 * and can bound the entry's reads of the other signals ({@link EntryTable#levelAt}) before it loads
 * any record, and the loads of the records it does read do not depend on one another (a linked list
 * made each step wait for the last).
 * Each entry records its bucket and its position in that array: two ints per entry, in chunks
 * parallel to the {@link EntryTable}'s, so that an entry leaves its bucket in constant time (the
 * bucket's last entry takes its place). A bucket's array (its count, then its members) grows by half when full and, past {@value
 * #SHRINKS_ABOVE} entries, halves when a quarter full. The entry that empties a bucket whose array
 * never grew past its first capacity gives the array back (entries pass through many buckets on
 * their way up: an array kept for each cost 40 bytes a bucket, about 17 bytes per entry in a ledger
 * of 10,000 entities), and the group of {@value #GROUP} buckets it is in when they are all empty; a
 * larger array stays for the entries that come back, which would otherwise grow it again, copy by
 * copy. Not thread-safe: changed under the stripe's write lock, read under its read lock.
 *
 * <p>A registered profile's index ({@link ProfileIndex}) keeps its entities in the same buckets, by
 * its own key ({@link #put}); its entries are numbered and chunked as a table's are.
 */
final class RankIndex {

  /** The keys of the entries numbered {@code [0, size())}, as a rebase reads them. */
  interface Keys {
    int size();

    double rankKeyAt(int d);
  }

  static final int FINE = 2048;
  static final int FINE_PER_UNIT = 256;
  static final int FINE_UNITS = FINE / FINE_PER_UNIT;
  static final int COARSE_PER_UNIT = 16;
  static final int BUCKETS = 4096;
  static final int LAST_BUCKET = BUCKETS - 1;
  static final double HEADROOM = 1.0;

  private static final int BUCKET = 0;
  private static final int POSITION = 1;
  private static final int STRIDE = 2;
  static final int FIRST_CAPACITY = 2;
  /**
   * A bucket's array shrinks only past this length: the small buckets near the top, which entries
   * enter and leave on nearly every write, would otherwise be copied back and forth.
   */
  private static final int SHRINKS_ABOVE = 64;
  private static final long[] NONE = new long[0];
  private static final int COUNT = 0;
  /**
   * A group of bucket references is the buckets of one word of {@link #occupied} (64 =
   * {@link Long#SIZE}): all its buckets are empty when that word is 0.
   */
  private static final int GROUP_SHIFT = 6;
  private static final int GROUP = 1 << GROUP_SHIFT;
  /** Where a bucket's array ({@link #members(int)}) holds its first member. */
  static final int FIRST_MEMBER = 1;
  private static final int NUMBER_BITS = 24;
  private static final long NUMBER_MASK = (1L << NUMBER_BITS) - 1;
  /** The hash's low bits: a home slot in a table of up to {@code 2^HOME_BITS} slots (2^24 entries at 3/4 full at most). */
  private static final int HOME_BITS = 25;
  private static final long HOME_MASK = (1L << HOME_BITS) - 1;
  /** The bits of {@code hash >>> STRIPE_SHIFT} that name a stripe among at most 64 ({@link SignalLedger#MAX_STRIPES}). */
  private static final int STRIPE_SHIFT = SignalLedger.STRIPE_HASH_SHIFT;
  private static final long STRIPE_MASK = SignalLedger.MAX_STRIPES - 1;

  /** The signal whose read a bucket bounds ({@link #bound}); null in a {@link ProfileIndex}, which bounds its own. */
  private final SignalLayout layout;
  /** Per chunk of entries, {@code [bucket, position]} per entry; bucket -1 for none. */
  private int[][] places = new int[0][];
  /**
   * Per bucket, its entry count in element 0 ({@link #COUNT}; an empty array for a bucket never
   * used, or emptied while of its first capacity) and its entries' {@linkplain #member members} in {@code [FIRST_MEMBER, FIRST_MEMBER + count)};
   * in groups of {@value #GROUP} buckets (one word of {@link #occupied}), a group allocated with its
   * first entry and null again once its last entry leaves (a table's keys fill a band of the
   * buckets: the rest cost no reference). The count lives in the bucket's own array, not in a
   * table-wide {@code int[BUCKETS]}: most buckets stay empty.
   */
  private long[][][] members;
  /** A bit per bucket, set while it holds entries: the next non-empty bucket in a few words. */
  private long[] occupied;
  /** The highest non-empty bucket, or {@link #BUCKETS}. */
  private int first = BUCKETS;
  /** The lowest non-empty bucket, or -1. */
  private int lowest = -1;
  /** The key at the top of bucket 0; NaN until the first positive key. */
  private double ceiling = Double.NaN;

  RankIndex(SignalLayout layout) {
    this.layout = layout;
  }

  /** An index of keys that {@link #put} gives it, for a {@link ProfileIndex}. */
  RankIndex() {
    this(null);
  }

  /** Makes room for chunk {@code c} holding {@code entries}, keeping what a smaller chunk held. */
  void allocate(int c, int entries) {
    if (c >= places.length) {
      places = Arrays.copyOf(places, Math.max(c + 1, places.length * 2));
    }
    places[c] = places[c] == null ? new int[entries * STRIDE] : Arrays.copyOf(places[c], entries * STRIDE);
  }

  /** Marks a new entry as in no bucket. */
  void added(int d) {
    int[] chunk = places[d >>> EntryTable.CHUNK_SHIFT];
    int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
    chunk[o + BUCKET] = -1;
    chunk[o + POSITION] = -1;
  }

  /**
   * What a bucket holds of entry {@code d}, whose id hashes to {@code hash}: the number in the low
   * {@value #NUMBER_BITS} bits, then the hash's {@value #HOME_BITS} low bits, then its 6 stripe bits.
   */
  static long member(int d, long hash) {
    return d | (hash & HOME_MASK) << NUMBER_BITS | (hash >>> STRIPE_SHIFT & STRIPE_MASK) << (NUMBER_BITS + HOME_BITS);
  }

  /** {@return the entry number in a member} */
  static int numberOf(long member) {
    return (int) (member & NUMBER_MASK);
  }

  /**
   * {@return the bits of the member's hash that a stripe and a home slot are taken from, in their
   * places (the others 0)}: enough for {@link LevelBounds#boundOf}, not for a lookup by id
   */
  static long homeHashOf(long member) {
    return member >>> NUMBER_BITS & HOME_MASK
        | (member >>> (NUMBER_BITS + HOME_BITS) & STRIPE_MASK) << STRIPE_SHIFT;
  }

  /**
   * Puts entry {@code d} in the bucket of its (new) score and time.
   *
   * @param hash the hash of the entry's id
   * @param bucketNow the entry's bucket before this update ({@link #bucketAt}), which the caller
   *     loads early so that its cache miss overlaps the entry's others
   * @param key the entry's new {@link SignalLayout#rankKey}
   */
  void update(EntryTable table, int d, long hash, int bucketNow, double key) {
    put(table, d, hash, bucketNow, key);
  }

  /** Puts entry {@code d} (its id hashes to {@code hash}) in the bucket of {@code key}; {@code keys} gives every entry's key if the ceiling moves. */
  void put(Keys keys, int d, long hash, double key) {
    put(keys, d, hash, bucketAt(d), key);
  }

  /**
   * Puts entry {@code d}, now in bucket {@code bucketNow}, in the bucket of {@code key}. The entry
   * joins its new bucket before it leaves the old one: a write with a positive weight only raises a
   * key, so an entry that empties the highest bucket has already made a higher one {@link #first},
   * and leaving does not scan the bitmap for the next one.
   */
  private void put(Keys keys, int d, long hash, int bucketNow, double key) {
    int old = bucketNow;
    if (key > ceiling || (Double.isNaN(ceiling) && key != Double.NEGATIVE_INFINITY)) {
      rebase(keys, key + HEADROOM);
      old = bucketAt(d);
    }
    int bucket = bucketOf(key);
    if (old != bucket) {
      int position = places[d >>> EntryTable.CHUNK_SHIFT][(d & EntryTable.CHUNK_MASK) * STRIDE + POSITION];
      link(d, member(d, hash), bucket);
      if (old >= 0) {
        leave(old, position);
      }
    }
  }

  int bucketOf(double key) {
    if (key == Double.NEGATIVE_INFINITY || Double.isNaN(ceiling)) {
      return LAST_BUCKET;
    }
    double depth = ceiling - key;
    if (depth < FINE_UNITS) {
      return (int) (depth * FINE_PER_UNIT);
    }
    double coarse = (depth - FINE_UNITS) * COARSE_PER_UNIT;
    return coarse < LAST_BUCKET - FINE ? FINE + (int) coarse : LAST_BUCKET;
  }

  /** The distance below the ceiling where bucket {@code j} starts. */
  private static double depth(int j) {
    return j <= FINE ? (double) j / FINE_PER_UNIT : FINE_UNITS + (double) (j - FINE) / COARSE_PER_UNIT;
  }

  /** {@code FINE_STEPS[r] >= 2^(r / FINE_PER_UNIT)} ({@link SignalLayout#scaledKeyBound}). */
  private static final double[] FINE_STEPS = SignalLayout.powerSteps(FINE_PER_UNIT);

  /** {@return {@code depth(j) * FINE_PER_UNIT}: bucket {@code j}'s depth in fine buckets, exactly} */
  private static int fineDepth(int j) {
    return j <= FINE ? j : FINE + (j - FINE) * (FINE_PER_UNIT / COARSE_PER_UNIT);
  }

  /**
   * {@link #bound} of bucket {@code j} at {@code q}, given {@code top}, the bound of bucket 0 at
   * {@code q}, without a {@code Math.pow} where keys are logarithms (a walk asks thousands per
   * query): {@code top * 2^(-depth(j))} ({@link SignalLayout#scaledKeyBound}); computed directly
   * where it cannot be scaled (linear keys, a top or a result out of the normal doubles).
   */
  double bound(int j, long q, double top) {
    if (layout == null || !layout.keysAreLogarithms()) {
      return bound(j, q);
    }
    double scaled = SignalLayout.scaledKeyBound(top, -fineDepth(j), FINE_PER_UNIT, FINE_STEPS);
    return scaled == scaled ? scaled : bound(j, q);
  }

  /** A bound on the read at {@code q} of every entry in bucket {@code j}. */
  double bound(int j, long q) {
    if (Double.isNaN(ceiling)) {
      return Double.POSITIVE_INFINITY;
    }
    return layout.keyBound(topKey(j), q);
  }

  /** {@return the highest key bucket {@code j} may hold; +Infinity before the first positive key} */
  double topKey(int j) {
    return Double.isNaN(ceiling) ? Double.POSITIVE_INFINITY : ceiling - depth(j);
  }

  /** Re-buckets every entry by its key in {@code keys} (all changed), under a ceiling just above the highest. */
  void rekey(Keys keys) {
    double highest = Double.NEGATIVE_INFINITY;
    for (int d = 0; d < keys.size(); d++) {
      highest = Math.max(highest, keys.rankKeyAt(d));
    }
    rebase(keys, highest == Double.NEGATIVE_INFINITY ? Double.NaN : highest + HEADROOM);
  }

  /** Re-buckets every entry in a bucket under {@code newCeiling}: each member moves as it is, to the bucket of its key. */
  private void rebase(Keys keys, double newCeiling) {
    ceiling = newCeiling;
    long[][][] old = members;
    members = null;
    first = BUCKETS;
    lowest = -1;
    if (old == null) {
      return;
    }
    for (long[][] group : old) {
      if (group == null) {
        continue;
      }
      for (long[] array : group) {
        for (int m = 0, n = countOf(array); m < n; m++) {
          long member = array[FIRST_MEMBER + m];
          int d = numberOf(member);
          link(d, member, bucketOf(keys.rankKeyAt(d)));
        }
      }
    }
  }

  /** {@return the bucket entry {@code d} is in, or -1} */
  int bucketAt(int d) {
    return places[d >>> EntryTable.CHUNK_SHIFT][(d & EntryTable.CHUNK_MASK) * STRIDE + BUCKET];
  }

  private void setPosition(int d, int position) {
    places[d >>> EntryTable.CHUNK_SHIFT][(d & EntryTable.CHUNK_MASK) * STRIDE + POSITION] = position;
  }

  private void link(int d, long member, int bucket) {
    if (members == null) {
      members = new long[BUCKETS >>> GROUP_SHIFT][][];
      occupied = new long[BUCKETS / Long.SIZE];
    }
    long[][] group = members[bucket >>> GROUP_SHIFT];
    if (group == null) {
      group = new long[GROUP][];
      Arrays.fill(group, NONE);
      members[bucket >>> GROUP_SHIFT] = group;
    }
    long[] array = group[bucket & (GROUP - 1)];
    int n = countOf(array);
    if (FIRST_MEMBER + n >= array.length) {
      array = Arrays.copyOf(array, FIRST_MEMBER + Math.max(FIRST_CAPACITY, n + (n >> 1) + 1));
      group[bucket & (GROUP - 1)] = array;
    }
    array[FIRST_MEMBER + n] = member;
    array[COUNT] = n + 1;
    occupied[bucket >>> 6] |= 1L << bucket;
    int[] chunk = places[d >>> EntryTable.CHUNK_SHIFT];
    int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
    chunk[o + BUCKET] = bucket;
    chunk[o + POSITION] = n;
    if (bucket < first) {
      first = bucket;
    }
    if (bucket > lowest) {
      lowest = bucket;
    }
  }

  /** Takes entry {@code d} out of its bucket, if in one: the bucket's last entry takes its place. */
  void unlink(int d) {
    int[] chunk = places[d >>> EntryTable.CHUNK_SHIFT];
    int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
    int bucket = chunk[o + BUCKET];
    if (bucket < 0) {
      return;
    }
    int position = chunk[o + POSITION];
    chunk[o + BUCKET] = -1;
    chunk[o + POSITION] = -1;
    leave(bucket, position);
  }

  /**
   * Empties place {@code position} of {@code bucket}, whose entry has already been given another
   * place (or none): the bucket's last entry takes it.
   */
  private void leave(int bucket, int position) {
    long[] array = members(bucket);
    int n = countOf(array) - 1;
    array[COUNT] = n;
    if (position != n) {
      long moved = array[FIRST_MEMBER + n];
      array[FIRST_MEMBER + position] = moved;
      setPosition(numberOf(moved), position);
    }
    int capacity = array.length - FIRST_MEMBER;
    if (n == 0) {
      int group = bucket >>> GROUP_SHIFT;
      occupied[group] &= ~(1L << bucket);
      if (occupied[group] == 0) { // no bucket of its group holds entries
        members[group] = null;
      } else if (capacity <= FIRST_CAPACITY) {
        members[group][bucket & (GROUP - 1)] = NONE;
      }
      if (bucket == first) {
        first = nextBucket(bucket);
      }
      if (bucket == lowest) {
        lowest = previousBucket(bucket);
      }
    } else if (n <= capacity / 4 && capacity > SHRINKS_ABOVE) {
      members[bucket >>> GROUP_SHIFT][bucket & (GROUP - 1)] =
          Arrays.copyOf(array, FIRST_MEMBER + Math.max(FIRST_CAPACITY, capacity / 2));
    }
  }

  /** Entry {@code from} (in a bucket or not) becomes entry {@code to} (in none): its place follows. */
  void moved(int from, int to) {
    int[] src = places[from >>> EntryTable.CHUNK_SHIFT];
    int so = (from & EntryTable.CHUNK_MASK) * STRIDE;
    int bucket = src[so + BUCKET];
    int position = src[so + POSITION];
    int[] dst = places[to >>> EntryTable.CHUNK_SHIFT];
    int o = (to & EntryTable.CHUNK_MASK) * STRIDE;
    dst[o + BUCKET] = bucket;
    dst[o + POSITION] = position;
    src[so + BUCKET] = -1;
    src[so + POSITION] = -1;
    if (bucket >= 0) {
      long[] array = members(bucket);
      array[FIRST_MEMBER + position] = array[FIRST_MEMBER + position] & ~NUMBER_MASK | to;
    }
  }

  // ---- reads (under the stripe's read lock) ----

  /** {@return the highest non-empty bucket, or {@link #BUCKETS} when the table is empty} */
  int first() {
    return first;
  }

  /** {@return the lowest non-empty bucket, or -1 when the table is empty} */
  int lowest() {
    return lowest;
  }

  /** {@return the next non-empty bucket below {@code j}, or {@link #BUCKETS}} */
  int nextBucket(int j) {
    int b = j + 1;
    if (occupied == null || b >= BUCKETS) {
      return BUCKETS;
    }
    int w = b >>> 6;
    long bits = occupied[w] & (-1L << b);
    while (bits == 0) {
      if (++w == occupied.length) {
        return BUCKETS;
      }
      bits = occupied[w];
    }
    return (w << 6) + Long.numberOfTrailingZeros(bits);
  }

  /** {@return the next non-empty bucket above {@code j}, or -1} */
  private int previousBucket(int j) {
    int b = j - 1;
    if (b < 0) {
      return -1;
    }
    int w = b >>> 6;
    long bits = occupied[w] & (-1L >>> (63 - (b & 63)));
    while (bits == 0) {
      if (--w < 0) {
        return -1;
      }
      bits = occupied[w];
    }
    return (w << 6) + 63 - Long.numberOfLeadingZeros(bits);
  }

  /**
   * {@return bucket {@code j}'s array: its entries' {@linkplain #member members} in the {@link #size}
   * elements from {@link #FIRST_MEMBER}}
   */
  long[] members(int j) {
    long[][] group = members == null ? null : members[j >>> GROUP_SHIFT];
    return group == null ? NONE : group[j & (GROUP - 1)];
  }

  /** {@return the entries in bucket {@code j}} */
  int size(int j) {
    return countOf(members(j));
  }

  private static int countOf(long[] array) {
    return array.length == 0 ? 0 : (int) array[COUNT];
  }
}

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
 * <p>Each entry is in one bucket's doubly linked list: three ints per entry ({@code next},
 * {@code prev}, {@code bucket}; -1 for none) in chunks parallel to the {@link EntryTable}'s.
 * Not thread-safe: changed under the stripe's write lock, read under its read lock.
 */
final class RankIndex {

  static final int FINE = 2048;
  static final int FINE_PER_UNIT = 256;
  static final int FINE_UNITS = FINE / FINE_PER_UNIT;
  static final int COARSE_PER_UNIT = 16;
  static final int BUCKETS = 4096;
  static final int LAST_BUCKET = BUCKETS - 1;
  static final double HEADROOM = 1.0;

  private static final int NEXT = 0;
  private static final int PREV = 1;
  private static final int BUCKET = 2;
  private static final int STRIDE = 3;

  private final SignalLayout layout;
  /** Per chunk of entries, {@code [next, prev, bucket]} per entry. */
  private int[][] links = new int[0][];
  /** Bucket heads, allocated with the first entry; -1 for an empty bucket. */
  private int[] heads;
  /** The highest non-empty bucket, or {@link #BUCKETS}. */
  private int first = BUCKETS;
  /** The key at the top of bucket 0; NaN until the first positive key. */
  private double ceiling = Double.NaN;

  RankIndex(SignalLayout layout) {
    this.layout = layout;
  }

  /** Makes room for chunk {@code c} holding {@code entries}, keeping what a smaller chunk held. */
  void allocate(int c, int entries) {
    if (c >= links.length) {
      links = Arrays.copyOf(links, Math.max(c + 1, links.length * 2));
    }
    links[c] = links[c] == null ? new int[entries * STRIDE] : Arrays.copyOf(links[c], entries * STRIDE);
  }

  /** Marks a new entry as in no bucket. */
  void added(int d) {
    int[] chunk = links[d >>> EntryTable.CHUNK_SHIFT];
    int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
    chunk[o + NEXT] = -1;
    chunk[o + PREV] = -1;
    chunk[o + BUCKET] = -1;
  }

  /** Puts entry {@code d} in the bucket of its (new) score and time. */
  void update(EntryTable table, int d, double score, long last) {
    double key = layout.rankKey(score, last);
    if (key > ceiling || (Double.isNaN(ceiling) && key != Double.NEGATIVE_INFINITY)) {
      rebase(table, key + HEADROOM);
    }
    int bucket = bucketOf(key);
    if (bucketAt(d) != bucket) {
      unlink(d);
      link(d, bucket);
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

  /** A bound on the read at {@code q} of every entry in bucket {@code j}. */
  double bound(int j, long q) {
    if (Double.isNaN(ceiling)) {
      return Double.POSITIVE_INFINITY;
    }
    return layout.keyBound(ceiling - depth(j), q);
  }

  private void rebase(EntryTable table, double newCeiling) {
    ceiling = newCeiling;
    if (heads != null) {
      Arrays.fill(heads, -1);
    }
    first = BUCKETS;
    for (int d = 0; d < table.size(); d++) {
      int[] chunk = links[d >>> EntryTable.CHUNK_SHIFT];
      int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
      if (chunk[o + BUCKET] >= 0) {
        chunk[o + BUCKET] = -1;
        link(d, bucketOf(layout.rankKey(table.scoreAt(d), table.lastAt(d))));
      }
    }
  }

  private int bucketAt(int d) {
    return links[d >>> EntryTable.CHUNK_SHIFT][(d & EntryTable.CHUNK_MASK) * STRIDE + BUCKET];
  }

  private void setField(int d, int field, int value) {
    links[d >>> EntryTable.CHUNK_SHIFT][(d & EntryTable.CHUNK_MASK) * STRIDE + field] = value;
  }

  private void link(int d, int bucket) {
    if (heads == null) {
      heads = new int[BUCKETS];
      Arrays.fill(heads, -1);
    }
    int head = heads[bucket];
    int[] chunk = links[d >>> EntryTable.CHUNK_SHIFT];
    int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
    chunk[o + NEXT] = head;
    chunk[o + PREV] = -1;
    chunk[o + BUCKET] = bucket;
    if (head >= 0) {
      setField(head, PREV, d);
    }
    heads[bucket] = d;
    if (bucket < first) {
      first = bucket;
    }
  }

  /** Takes entry {@code d} out of its bucket, if in one. */
  void unlink(int d) {
    int[] chunk = links[d >>> EntryTable.CHUNK_SHIFT];
    int o = (d & EntryTable.CHUNK_MASK) * STRIDE;
    int bucket = chunk[o + BUCKET];
    if (bucket < 0) {
      return;
    }
    int next = chunk[o + NEXT];
    int prev = chunk[o + PREV];
    if (prev >= 0) {
      setField(prev, NEXT, next);
    } else {
      heads[bucket] = next;
    }
    if (next >= 0) {
      setField(next, PREV, prev);
    }
    chunk[o + NEXT] = -1;
    chunk[o + PREV] = -1;
    chunk[o + BUCKET] = -1;
    if (bucket == first && next < 0 && prev < 0) {
      first = nextBucket(bucket);
    }
  }

  /** Entry {@code from} (linked) becomes entry {@code to} (unlinked): its neighbours and bucket follow. */
  void moved(int from, int to) {
    int[] src = links[from >>> EntryTable.CHUNK_SHIFT];
    int so = (from & EntryTable.CHUNK_MASK) * STRIDE;
    int next = src[so + NEXT];
    int prev = src[so + PREV];
    int bucket = src[so + BUCKET];
    int[] dst = links[to >>> EntryTable.CHUNK_SHIFT];
    int o = (to & EntryTable.CHUNK_MASK) * STRIDE;
    dst[o + NEXT] = next;
    dst[o + PREV] = prev;
    dst[o + BUCKET] = bucket;
    src[so + NEXT] = -1;
    src[so + PREV] = -1;
    src[so + BUCKET] = -1;
    if (bucket < 0) {
      return;
    }
    if (prev >= 0) {
      setField(prev, NEXT, to);
    } else {
      heads[bucket] = to;
    }
    if (next >= 0) {
      setField(next, PREV, to);
    }
  }

  // ---- reads (under the stripe's read lock) ----

  /** {@return the highest non-empty bucket, or {@link #BUCKETS} when the table is empty} */
  int first() {
    return first;
  }

  /** {@return the next non-empty bucket below {@code j}, or {@link #BUCKETS}} */
  int nextBucket(int j) {
    if (heads == null) {
      return BUCKETS;
    }
    int b = j + 1;
    while (b < BUCKETS && heads[b] < 0) {
      b++;
    }
    return b;
  }

  /** {@return the first entry of bucket {@code j}, or -1} */
  int head(int j) {
    return heads == null ? -1 : heads[j];
  }

  /** {@return the entry after {@code d} in its bucket, or -1} */
  int next(int d) {
    return links[d >>> EntryTable.CHUNK_SHIFT][(d & EntryTable.CHUNK_MASK) * STRIDE + NEXT];
  }
}

package io.tidaldb.internal.signal;

import java.util.Arrays;

/**
 * One signal's {@link SignalLayout#keyBound} at one instant, by key level ({@link EntryTable#levelAt}),
 * without a {@code Math.pow} per level. A walk meets thousands of levels per query (keys grow by one
 * unit per half-life of the event's time: a week of events spans hundreds of units), so where keys
 * are logarithms (exponential and permanent decay: a key's bound is a power of two of it) a level's
 * bound is the first level's, times {@code 2^(delta / LEVELS_PER_UNIT)} from a table rounded up and
 * an exact power of two, with a margin for the three roundings and for the slack {@code keyBound}
 * gives a larger key; linear keys' bounds are sums, computed directly.
 *
 * <p>A walk asks by id hash ({@link #boundOf}): the hash names the stripe's table and its home
 * slot, whose level byte {@code v} stands for key level {@code base + v - 1} of that table. The
 * tables of one signal have bases close to one another (each moves with its highest key), so one
 * array of bounds, indexed by the table's base less the lowest plus {@code v}, serves all of them:
 * each level's bound is computed the first time it is asked and read after that, so that a walk's
 * thousands of lookups cost an array read each, and always give the same bound for the same level.
 */
final class LevelBounds {

  /** Key levels the widest spread of the tables' bases may cover for {@link #boundOf} to keep one cache. */
  private static final int CACHED_LEVELS = 1 << 12;

  /** {@code STEPS[i] >= 2^(i / LEVELS_PER_UNIT)} ({@link SignalLayout#scaledKeyBound}). */
  private static final double[] STEPS = SignalLayout.powerSteps(EntryTable.LEVELS_PER_UNIT);

  private final SignalLayout layout;
  private final long atNanos;
  private final boolean powers;
  private long first = Long.MIN_VALUE;
  private double firstBound;

  /** Per table of the signal, by stripe: its home slots' levels, then what {@link #boundOf} adds to a level to find its bound. */
  private final byte[][] levels;
  private final int[] offsets;
  /** The tables of the signal, for a lookup the cache does not serve. */
  private final EntryTable[] tables;
  private final int typeId;
  /**
   * The bounds of the levels of every table, by {@code offsets[stripe] + level byte}: 0 at 0 (no
   * entry homed there), NaN until first asked; null when the tables' levels cannot share it (a
   * table unleveled, or bases too far apart).
   */
  private final double[] cache;
  /** The key level that {@code cache[1]} bounds. */
  private final long cacheLow;

  /** The bounds of levels of {@code layout}'s keys at {@code atNanos}, by {@link #of}. */
  LevelBounds(SignalLayout layout, long atNanos) {
    this(layout, atNanos, new EntryTable[0], 0);
  }

  /**
   * The same, and by id hash ({@link #boundOf}) for the tables of signal {@code typeId}, one per
   * stripe: read under their read locks, which the caller holds while it uses this.
   */
  LevelBounds(SignalLayout layout, long atNanos, EntryTable[] tables, int typeId) {
    this.layout = layout;
    this.atNanos = atNanos;
    this.powers = layout.keysAreLogarithms();
    this.tables = tables;
    this.typeId = typeId;
    this.levels = new byte[tables.length][];
    this.offsets = new int[tables.length];
    long low = Long.MAX_VALUE;
    long high = Long.MIN_VALUE;
    boolean shared = true;
    for (int i = 0; i < tables.length; i++) {
      EntryTable table = tables[i];
      levels[i] = table.levelBytes();
      shared &= !table.unleveled();
      long base = table.levelBase();
      if (base != Long.MIN_VALUE) {
        low = Math.min(low, base);
        high = Math.max(high, base);
      }
    }
    if (low > high) {
      low = high = 0; // no table leveled: every level byte is 0
    }
    shared &= high - low < CACHED_LEVELS;
    if (shared && tables.length > 0) {
      // level byte v >= 1 of table i stands for key level base_i + v - 1: cache[base_i - low + v]
      for (int i = 0; i < tables.length; i++) {
        long base = tables[i].levelBase();
        offsets[i] = base == Long.MIN_VALUE ? 0 : (int) (base - low);
      }
      cache = new double[(int) (high - low) + 256];
      Arrays.fill(cache, Double.NaN);
      cache[0] = 0;
      cacheLow = low;
    } else {
      cache = null;
      cacheLow = 0;
    }
  }

  /**
   * {@return a bound on the read at this instant of the entity whose id hashes to {@code hash} (or
   * to a hash with the same {@linkplain RankIndex#homeHashOf home bits})}: the bound of its home
   * slot's level ({@link EntryTable#levelAt}), 0 where no entry homed there has a positive read. No
   * branch on the level read, so that a loop's loads overlap.
   */
  double boundOf(long hash) {
    int i = SignalLedger.stripeIndex(typeId, hash, tables.length - 1);
    if (cache == null) {
      return of(tables[i].levelAt(hash));
    }
    byte[] slots = levels[i];
    return cached(i, slots[(int) hash & (slots.length - 1)] & 0xFF);
  }

  /** The bound of level byte {@code v} of table {@code i}, from the cache. */
  private double cached(int i, int v) {
    // v == 0 (no entry homed there) reads cache[0], which is 0
    int at = (offsets[i] + v) & -v >> 31;
    double bound = cache[at];
    return bound == bound ? bound : (cache[at] = of(EntryTable.levelOf(cacheLow, at)));
  }

  /** {@link #boundOf} of {@code hashes[0..n)}, into {@code out}. */
  void boundsOf(long[] hashes, int n, double[] out) {
    for (int k = 0; k < n; k++) {
      out[k] = boundOf(hashes[k]);
    }
  }

  /** {@return a bound on the read at this instant of an entry whose key is at most {@code level}'s} */
  double of(long level) {
    if (level == Long.MIN_VALUE) {
      return 0;
    }
    if (level == Long.MAX_VALUE) {
      return Double.POSITIVE_INFINITY;
    }
    if (!powers) {
      return compute(level);
    }
    if (first == Long.MIN_VALUE) {
      double bound = compute(level);
      if (bound > 0x1.0p-900 && bound < 0x1.0p900) {
        // a reference far from both ends of the doubles, which scaledKeyBound scales from
        first = level;
        firstBound = bound;
      }
      return bound;
    }
    double bound = SignalLayout.scaledKeyBound(firstBound, level - first, EntryTable.LEVELS_PER_UNIT, STEPS);
    return bound == bound ? bound : compute(level);
  }

  private double compute(long level) {
    return layout.keyBound((double) level / EntryTable.LEVELS_PER_UNIT, atNanos);
  }
}

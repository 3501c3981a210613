package io.tidaldb.internal.signal;

/**
 * One signal's {@link SignalLayout#keyBound} at one instant, by key level ({@link EntryTable#levelAt}),
 * without a {@code Math.pow} per level. A walk meets thousands of levels per query (keys grow by one
 * unit per half-life of the event's time: a week of events spans hundreds of units), so where keys
 * are logarithms (exponential and permanent decay: a key's bound is a power of two of it) a level's
 * bound is the first level's, times {@code 2^(delta / LEVELS_PER_UNIT)} from a table rounded up and
 * an exact power of two, with a margin for the three roundings and for the slack {@code keyBound}
 * gives a larger key; linear keys' bounds are sums, computed directly.
 */
final class LevelBounds {

  /** {@code STEPS[i] >= 2^(i / LEVELS_PER_UNIT)}. */
  private static final double[] STEPS = new double[EntryTable.LEVELS_PER_UNIT];
  /** Levels farther than this from the first are computed directly (the margin grows with the distance). */
  private static final long FAR = 1L << 20;

  static {
    for (int i = 0; i < STEPS.length; i++) {
      STEPS[i] = Math.nextUp(Math.pow(2, (double) i / EntryTable.LEVELS_PER_UNIT));
    }
  }

  private final SignalLayout layout;
  private final long atNanos;
  private final boolean powers;
  private long first = Long.MIN_VALUE;
  private double firstBound;

  LevelBounds(SignalLayout layout, long atNanos) {
    this.layout = layout;
    this.atNanos = atNanos;
    this.powers = layout.keysAreLogarithms();
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
        // a reference far from both ends of the doubles, so that the power it is scaled by is exact
        first = level;
        firstBound = bound;
      }
      return bound;
    }
    long delta = level - first;
    if (delta > FAR || delta < -FAR) {
      return compute(level);
    }
    // keyBound(level) = 2^(level / L - t + c + slack(level)), slack growing by 1e-12 per key unit:
    // firstBound * 2^(delta / L), rounded up, times 1 + 1e-12 * |delta| (>= the slack's growth) + 1e-15 (the roundings)
    double bound = Math.scalb(firstBound * STEPS[(int) (delta & (EntryTable.LEVELS_PER_UNIT - 1))],
        (int) Math.floorDiv(delta, EntryTable.LEVELS_PER_UNIT)) * (1 + 1e-15 + 1e-12 * Math.abs(delta));
    // a subnormal product lost bits, an infinite one says nothing: compute those directly
    return bound >= Double.MIN_NORMAL && bound < Double.POSITIVE_INFINITY ? bound : compute(level);
  }

  private double compute(long level) {
    return layout.keyBound((double) level / EntryTable.LEVELS_PER_UNIT, atNanos);
  }
}

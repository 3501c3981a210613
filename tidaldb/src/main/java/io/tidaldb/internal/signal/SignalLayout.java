package io.tidaldb.internal.signal;

import io.tidaldb.DecaySpec;
import io.tidaldb.SignalSpec;
import io.tidaldb.Window;

/**
 * What the ledger stores for one signal type and how its score moves: the decay constants, and
 * which window rings an entry carries. One per signal, derived from its {@link SignalSpec}.
 *
 * <p>The decay rules (SPEC section 5), for an entry holding score {@code S} as of {@code last}, the
 * time of its newest event:
 * <ul>
 *   <li>a write of {@code w} at {@code t >= last}: {@code S = fade(S, t - last) + w}, {@code last = t};
 *   <li>a late write ({@code t < last}): {@code S += fade(w, last - t)}; {@code last} stays. Linear
 *       decay instead uses the time {@code since} which the bucket has held water, and adds
 *       {@code w} in full when {@code t >= since}, else {@code fade(w, since - t)}
 *       ({@link #afterLinearWrite});
 *   <li>a read at {@code q >= last}: {@code fade(S, q - last)}; at {@code q < last}: {@code S}
 *       (a score never grows backwards in time);
 *   <li>reads are clamped at zero.
 * </ul>
 * {@code fade(x, d)} is {@code x * exp(-lambda d)} with {@code lambda = ln 2 / halfLife}
 * (exponential), {@code max(0, x - d / unitLifetime)} (linear), or {@code x} (permanent).
 */
final class SignalLayout {

  static final long MINUTE_NANOS = 60_000_000_000L;
  static final long HOUR_NANOS = 60 * MINUTE_NANOS;
  /** Minute buckets: the one-hour window. */
  static final int MINUTE_SLOTS = 60;
  /** Hour buckets when the longest hourly window is 24 hours. */
  static final int DAY_SLOTS = 24;
  /** Hour buckets when the signal counts seven days. */
  static final int WEEK_SLOTS = 168;

  private static final int PERMANENT = 0;
  private static final int EXPONENTIAL = 1;
  private static final int LINEAR = 2;

  final SignalSpec spec;
  private final int kind;
  /** Linear decay: an entry also keeps since when its bucket has held water. */
  final boolean drains;
  /** Exponential: ln 2 / half-life, per nanosecond. Linear: 1 / unit lifetime, per nanosecond. */
  private final double rate;
  /** {@link #rankKey}'s time rate: 1 / half-life (exponential), {@link #rate} (linear), 0 (permanent). */
  private final double keyRate;
  /**
   * {@link #rankKey}'s {@code log2(1 + m)} for the mantissa {@code m}: on the chord between the two
   * of these {@code 2^LOG2_SEGMENT_BITS + 1} points around {@code m}, which lies below the concave
   * curve by at most {@code (1/256)^2 / (8 ln 2)}, about 2.8e-6 (plus rounding).
   */
  private static final int LOG2_SEGMENT_BITS = 8;
  private static final double[] LOG2_CHORDS = new double[(1 << LOG2_SEGMENT_BITS) + 1];
  /** How far below {@code log2 S} the estimate in {@link #rankKey} may be, with room for rounding. */
  static final double LOG2_SHORTFALL = 1e-5;

  static {
    for (int i = 0; i < LOG2_CHORDS.length; i++) {
      LOG2_CHORDS[i] = Math.log1p((double) i / (1 << LOG2_SEGMENT_BITS)) / Math.log(2);
    }
  }
  /** 60 if the signal counts {@link Window#ONE_HOUR}, else 0. */
  final int minuteSlots;
  /** 168 with {@link Window#SEVEN_DAYS}, else 24 with {@link Window#TWENTY_FOUR_HOURS}, else 0. */
  final int hourSlots;
  /** Counters per entry: the minute ring, then the hour ring. */
  final int stride;

  SignalLayout(SignalSpec spec) {
    this.spec = spec;
    DecaySpec decay = spec.decay();
    if (decay instanceof DecaySpec.Exponential exponential) {
      kind = EXPONENTIAL;
      rate = Math.log(2) / exponential.halfLife().toNanos();
      keyRate = 1.0 / exponential.halfLife().toNanos();
    } else if (decay instanceof DecaySpec.Linear linear) {
      kind = LINEAR;
      rate = 1.0 / linear.unitLifetime().toNanos();
      keyRate = rate;
    } else {
      kind = PERMANENT;
      rate = 0;
      keyRate = 0;
    }
    drains = kind == LINEAR;
    minuteSlots = spec.counts(Window.ONE_HOUR) ? MINUTE_SLOTS : 0;
    hourSlots = spec.counts(Window.SEVEN_DAYS) ? WEEK_SLOTS : spec.counts(Window.TWENTY_FOUR_HOURS) ? DAY_SLOTS : 0;
    stride = minuteSlots + hourSlots;
  }

  /**
   * {@return how fast a read falls, in halvings per nanosecond: 1 / half-life (exponential), 0
   * (permanent); linear decay has no such rate ({@link #drains})}: a read at {@code q >= last} is
   * {@code S * 2^(-rate * (q - last))}
   */
  double halvingRate() {
    return kind == LINEAR ? Double.NaN : keyRate;
  }

  /** The score after an event of weight {@code w} at {@code t}, given score {@code s} as of {@code last}. */
  double afterWrite(double s, long last, double w, long t) {
    if (t >= last) {
      return fade(s, t - last) + w;
    }
    return s + fade(w, last - t);
  }

  /**
   * Linear decay: whether a bucket of level {@code s} as of {@code last} runs dry by {@code t}
   * (or at it): then a write at {@code t} starts a new span of holding water, at {@code t}.
   */
  boolean runsDry(double s, long last, long t) {
    return t >= last && s - rate * (t - last) <= 0;
  }

  /**
   * Linear decay: the level after a write of {@code w} at {@code t}, given level {@code s} as of
   * {@code last} and a bucket that has held water since {@code since} ({@code since <= last}, and
   * already moved to {@code t} by the caller if the bucket {@link #runsDry} by {@code t}).
   * <ul>
   *   <li>in time order ({@code t >= last}): drain, floor at zero, add {@code w}: the leaky bucket;
   *   <li>late, while the bucket held water ({@code since <= t < last}): {@code s + w}, exactly what
   *       the in-order bucket gives, since the bucket drains at the same rate with or without it;
   *   <li>late, before that span ({@code t < since}): the bucket ran dry at some time between
   *       {@code t} and {@code since}, for how long is not kept; the event drains from {@code t} to
   *       {@code since} as if on its own, then counts in full: {@code s + max(0, w - (since - t) / L)}.
   *       That is at most what the in-order bucket gives (equal when the bucket was empty from
   *       {@code t} to {@code since}).
   * </ul>
   */
  double afterLinearWrite(double s, long last, long since, double w, long t) {
    if (t >= last) {
      return fade(s, t - last) + w;
    }
    return t >= since ? s + w : s + fade(w, since - t);
  }

  /** The score read at {@code q}, given score {@code s} as of {@code last}; never negative. */
  double readAt(double s, long last, long q) {
    double score = q > last ? fade(s, q - last) : s;
    return score > 0 ? score : 0;
  }

  /**
   * A cheap bound on {@link #readAt}: never below it, and without {@code exp} (for exponential decay,
   * {@code s / (1 + lambda d)} with a margin far above the rounding of either side, since
   * {@code e^-x <= 1 / (1 + x)}). Lets a ranking scan skip the exact read of an entry that cannot
   * make the cut.
   */
  double readBound(double s, long last, long q) {
    if (!(s > 0)) {
      return 0;
    }
    if (kind != EXPONENTIAL || q <= last) {
      return readAt(s, last, q);
    }
    return s / (1 + rate * (q - last)) * (1 + 1e-9);
  }

  /**
   * The entry's rank key: a number that does not change with time and orders entries as their
   * reads at any instant {@code q >= last} do ({@link RankIndex}). Exponential and permanent decay:
   * about {@code log2 S + last / halfLife} (a read at {@code q} is {@code 2^(key - q / halfLife)}),
   * with {@code log2 S} taken from the bits of {@code S} without {@code Math.log} (the exponent, and
   * a chord of a 257-point table for the mantissa: a few millionths below the true logarithm at
   * most, never above). Linear: {@code S + last / unitLifetime} (a
   * read is {@code max(0, key - q / unitLifetime)}). {@code -Infinity} for an entry whose reads are
   * all zero ({@code S <= 0}).
   */
  double rankKey(double s, long last) {
    if (!(s > 0)) {
      return Double.NEGATIVE_INFINITY;
    }
    double timeTerm = keyRate * last;
    if (kind == LINEAR) {
      return s + timeTerm;
    }
    return log2Below(s) + timeTerm;
  }

  /**
   * {@code log2 s} for a positive normal {@code s}, from its bits without {@code Math.log}: never
   * above the true value, and below it by at most {@link #LOG2_SHORTFALL} (see {@link #rankKey}).
   */
  static double log2Below(double s) {
    long bits = Double.doubleToRawLongBits(s);
    int exponent = (int) (bits >>> 52) - 1023;
    long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
    int segment = (int) (mantissa >>> (52 - LOG2_SEGMENT_BITS));
    double within = (mantissa & ((1L << (52 - LOG2_SEGMENT_BITS)) - 1)) * 0x1.0p-44;
    double log2 = LOG2_CHORDS[segment] + (LOG2_CHORDS[segment + 1] - LOG2_CHORDS[segment]) * within;
    return exponent + log2;
  }

  /** {@return whether {@link #keyBound} is a power of two of the key (exponential and permanent decay), not a sum (linear)} */
  boolean keysAreLogarithms() {
    return kind != LINEAR;
  }

  /** {@return {@code steps[i] >= 2^(i / perUnit)} for {@code i < perUnit}: the table {@link #scaledKeyBound} scales by} */
  static double[] powerSteps(int perUnit) {
    double[] steps = new double[perUnit];
    for (int i = 0; i < perUnit; i++) {
      steps[i] = Math.nextUp(Math.pow(2, (double) i / perUnit));
    }
    return steps;
  }

  /**
   * {@link #keyBound} of a key {@code delta / perUnit} units from one whose bound at the same
   * instant is {@code reference}, where keys are logarithms ({@link #keysAreLogarithms}), without a
   * {@code Math.pow}: {@code reference * 2^(delta / perUnit)} from {@code steps}
   * ({@link #powerSteps}{@code (perUnit)}, rounded up) and an exact power of two, times a margin for
   * the roundings (1e-15) and for the slack {@code keyBound} adds at a larger key (1e-12 per key
   * unit). Never below {@code keyBound} there, and within about a millionth of it.
   *
   * @return NaN where it cannot be scaled (a reference or a result outside the normal doubles, or
   *     beyond 2^16 units): compute {@code keyBound} directly
   */
  static double scaledKeyBound(double reference, long delta, int perUnit, double[] steps) {
    if (!(reference >= 0x1.0p-900 && reference <= 0x1.0p900) || Math.abs(delta) > (long) perUnit << 16) {
      return Double.NaN;
    }
    double bound = Math.scalb(reference * steps[Math.floorMod(delta, perUnit)], (int) Math.floorDiv(delta, perUnit))
        * (1 + 1e-15 + 1e-12 * Math.abs((double) delta / perUnit));
    // a subnormal product lost bits, an infinite one says nothing
    return bound >= Double.MIN_NORMAL && bound < Double.POSITIVE_INFINITY ? bound : Double.NaN;
  }

  /**
   * A bound on every read at {@code q} of an entry whose {@link #rankKey} is at most {@code key}:
   * never below {@link #readAt}, at any {@code q} (before the entry's {@code last} too, where a read
   * is {@code S} itself), with a margin far above the rounding of either side.
   */
  double keyBound(double key, long q) {
    double timeTerm = keyRate * q;
    double slack = 1e-6 + 1e-12 * (Math.abs(key) + Math.abs(timeTerm));
    if (kind == LINEAR) {
      double left = key - timeTerm;
      return (left > 0 ? left : 0) * (1 + 1e-9) + slack;
    }
    // below the smallest normal double a power's rounding is absolute, not relative: every read
    // there is at most MIN_NORMAL, which bounds it
    return Math.max(Math.pow(2, key - timeTerm + LOG2_SHORTFALL + slack), Double.MIN_NORMAL);
  }

  private double fade(double x, long nanos) {
    switch (kind) {
      case EXPONENTIAL:
        return x * Math.exp(-rate * nanos);
      case LINEAR:
        double left = x - rate * nanos;
        return left > 0 ? left : 0;
      default:
        return x;
    }
  }
}

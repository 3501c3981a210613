package io.tidaldb.internal.signal;

import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.SignalSpec;
import io.tidaldb.Window;
import io.tidaldb.wal.WalEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The checks of what a write or a read brings, before anything is written or read: the weight a
 * float can hold and the signal allows, a time the log can store (and, for a write, not too far
 * ahead of the clock), a window the signal counts. Each refusal is an {@link InvalidSignalException}
 * that names the value and what to give instead.
 */
final class SignalInputs {

  /** The latest event time the log can store: {@code Long.MAX_VALUE} nanoseconds after the epoch. */
  static final Instant LATEST = Instant.ofEpochSecond(0, Long.MAX_VALUE);
  /** {@link #LATEST}'s second: every time in an earlier second is representable. */
  private static final long LATEST_SECOND = LATEST.getEpochSecond();

  private final Clock clock;
  private final Duration maxFutureSkew;
  /** {@link #maxFutureSkew} in nanoseconds, saturated at {@code Long.MAX_VALUE}. */
  private final long maxFutureNanos;
  /** Event times up to this passed the future check against an earlier clock reading (nanoseconds). */
  private volatile long futureBound = Long.MIN_VALUE;

  SignalInputs(Clock clock, Duration maxFutureSkew) {
    this.clock = clock;
    this.maxFutureSkew = maxFutureSkew;
    this.maxFutureNanos = maxFutureSkew.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
        : maxFutureSkew.toNanos();
  }

  static List<Window> boundedWindows(SignalSpec signal) {
    return signal.windows().stream().filter(w -> w != Window.ALL_TIME).toList();
  }

  static void requireWindow(SignalSpec signal, Window window) {
    if (window == null || !signal.counts(window)) {
      throw new InvalidSignalException("signal \"" + signal.name() + "\" does not count window " + window
          + "; it counts " + (signal.windows().isEmpty() ? "none (declare windows(...) in the schema)" : signal.windows()));
    }
  }

  /** The weight as the log stores it: a float. Rejects what a float cannot hold or the signal forbids. */
  static float storedWeight(SignalSpec signal, double weight) {
    if (Double.isNaN(weight) || Double.isInfinite(weight)) {
      throw new InvalidSignalException("weight " + weight + " for signal \"" + signal.name()
          + "\" is not a finite number; give a finite weight such as 1.0");
    }
    if (Math.abs(weight) > Float.MAX_VALUE) {
      throw new InvalidSignalException("weight " + weight + " for signal \"" + signal.name() + "\" is too large:"
          + " weights are stored as 32-bit floats, at most " + Float.MAX_VALUE + " in magnitude");
    }
    if (weight < 0 && !signal.negativeWeights()) {
      throw new InvalidSignalException("weight " + weight + " for signal \"" + signal.name() + "\" is negative;"
          + " declare the signal with negativeWeights(true) to accept negative weights");
    }
    return (float) weight;
  }

  /**
   * The event time as the log stores it: nanoseconds since the epoch, in a signed long. Refuses a
   * time more than {@code maxFutureSkew} ahead of the clock. Writes only: replay at recovery applies
   * what the log holds, whatever the clock says.
   *
   * <p>The clock is read only for an event past {@link #futureBound} (the latest bound a write has
   * seen: the clock only moves on, so an event at or before it is within the skew of some reading),
   * not on every write.
   */
  long eventNanos(SignalSpec signal, Instant at) {
    long nanos = representable(at) ? WalEvent.epochNanos(at) : nanos("event time", "signal \"" + signal.name() + "\"", at);
    if (nanos <= futureBound) {
      return nanos;
    }
    return withinFutureSkew(signal, nanos, at);
  }

  /**
   * As {@link #eventNanos(SignalSpec, Instant)} for a time already in nanoseconds since the epoch
   * (checked to be at or after the epoch by the caller): only the future check.
   */
  long eventNanos(SignalSpec signal, long nanos) {
    return nanos <= futureBound ? nanos : withinFutureSkew(signal, nanos, null);
  }

  private long withinFutureSkew(SignalSpec signal, long nanos, Instant at) {
    long millis = clock.millis();
    long now = Math.max(0, Math.min(millis, Long.MAX_VALUE / 1_000_000)) * 1_000_000;   // both in [0, MAX]
    long bound = now > Long.MAX_VALUE - maxFutureNanos ? Long.MAX_VALUE : now + maxFutureNanos;
    if (nanos > bound) {
      throw new InvalidSignalException("the event time " + (at != null ? at : WalEvent.instantOf(nanos)) + " for signal \""
          + signal.name() + "\" is more than " + maxFutureSkew + " ahead of the database's clock (now "
          + Instant.ofEpochMilli(millis) + ", TidalDbBuilder.maxFutureSkew(" + maxFutureSkew + ")): check the"
          + " timestamp's unit and the host's clock, or raise maxFutureSkew");
    }
    futureBound = bound;   // a racing writer may store an older bound: that only costs a clock read
    return nanos;
  }

  /** The read time in nanoseconds since the epoch; no message is built unless the time is refused. */
  static long readNanos(SignalSpec signal, Instant at) {
    return representable(at) ? WalEvent.epochNanos(at) : nanos("read time", "signal \"" + signal.name() + "\"", at);
  }

  /**
   * Whether {@code at} certainly fits nanoseconds since the epoch in a signed long (false also for
   * a time in {@link #LATEST}'s own second, which {@link #nanos} then checks to the nanosecond): the
   * check every time passes first, so that the read and write paths build an error message (and
   * allocate) only for a time they refuse ({@link #nanos} then says why).
   */
  private static boolean representable(Instant at) {
    // one unsigned compare for both ends: a negative second compares above every positive one; the
    // last second before LATEST, where the nanoseconds decide, goes to nanos(), which accepts its
    // representable part
    return at != null && Long.compareUnsigned(at.getEpochSecond(), LATEST_SECOND) < 0;
  }

  private static long nanos(String what, String subject, Instant at) {
    if (at == null) {
      throw new InvalidSignalException("the " + what + " for " + subject + " is null; give an Instant"
          + " such as Instant.now()");
    }
    if (at.getEpochSecond() < 0) {
      throw new InvalidSignalException("the " + what + " " + at + " for " + subject + " is before"
          + " 1970-01-01T00:00:00Z: times are stored as nanoseconds since the epoch and cannot be earlier");
    }
    if (at.isAfter(LATEST)) {
      throw new InvalidSignalException("the " + what + " " + at + " for " + subject + " is after "
          + LATEST + ", the latest time that nanoseconds since the epoch can hold in 64 bits");
    }
    return WalEvent.epochNanos(at);
  }

  static long rankingNanos(RankingProfile profile, Instant at) {
    return representable(at) ? WalEvent.epochNanos(at)
        : nanos("read time", "ranking profile \"" + profile.name() + "\"", at);
  }
}

package io.tidaldb;

import java.time.Duration;
import java.util.Objects;

/**
 * How a signal's score fades with time. The score is the sum of the signal's event weights, each
 * faded by the time since it happened.
 *
 * <pre>{@code
 * DecaySpec.exponential(Duration.ofDays(7));   // a view from a week ago counts half
 * DecaySpec.linear(Duration.ofHours(1));       // the score drains by 1.0 per hour, down to zero
 * DecaySpec.permanent();                       // the plain sum of weights, never fading
 * }</pre>
 *
 * <p>The durations are checked when the signal is added to a {@link Schema}, so that the error
 * names the signal: each must be positive and at most {@code Long.MAX_VALUE} nanoseconds
 * (about 292 years).
 */
public sealed interface DecaySpec permits DecaySpec.Exponential, DecaySpec.Linear, DecaySpec.Permanent {

  /**
   * Exponential decay: an event of weight {@code w} counts {@code w * 2^(-age / halfLife)}.
   *
   * @param halfLife the age at which an event counts half its weight
   * @return the decay
   */
  static DecaySpec exponential(Duration halfLife) {
    return new Exponential(halfLife);
  }

  /**
   * Linear decay, like a leaky bucket: the score drains at a constant rate of 1.0 per
   * {@code unitLifetime} and stops at zero. An event of weight 1 on its own counts 1 when it happens,
   * 0.5 half a lifetime later and nothing after a lifetime; a score of 3 takes three lifetimes to
   * drain. An event that arrives late (stamped before the entity's newest) counts as it would have
   * in time order while the bucket has held water since its time; if the bucket ran dry after it,
   * the event first drains on its own up to where the bucket last started filling again
   * (docs/SIGNALS.md, section 3). Linear signals do not accept negative weights.
   *
   * @param unitLifetime how long a weight of 1.0 takes to drain
   * @return the decay
   */
  static DecaySpec linear(Duration unitLifetime) {
    return new Linear(unitLifetime);
  }

  /**
   * No decay: the score is the sum of all weights ever recorded.
   *
   * @return the decay
   */
  static DecaySpec permanent() {
    return Permanent.INSTANCE;
  }

  /**
   * Exponential decay with a half-life. Use {@link DecaySpec#exponential(Duration)}.
   *
   * @param halfLife the age at which an event counts half its weight
   */
  record Exponential(Duration halfLife) implements DecaySpec {
    /**
     * Checks that a half-life is given; the {@link Schema} checks its value.
     *
     * @param halfLife the age at which an event counts half its weight
     */
    public Exponential {
      Objects.requireNonNull(halfLife, "halfLife");
    }

    @Override
    public String toString() {
      return "exponential(" + halfLife + ")";
    }
  }

  /**
   * Linear decay. Use {@link DecaySpec#linear(Duration)}.
   *
   * @param unitLifetime how long a weight of 1.0 takes to drain
   */
  record Linear(Duration unitLifetime) implements DecaySpec {
    /**
     * Checks that a lifetime is given; the {@link Schema} checks its value.
     *
     * @param unitLifetime how long a weight of 1.0 takes to drain
     */
    public Linear {
      Objects.requireNonNull(unitLifetime, "unitLifetime");
    }

    @Override
    public String toString() {
      return "linear(" + unitLifetime + ")";
    }
  }

  /** No decay. Use {@link DecaySpec#permanent()}. */
  record Permanent() implements DecaySpec {
    private static final Permanent INSTANCE = new Permanent();

    @Override
    public String toString() {
      return "permanent()";
    }
  }
}

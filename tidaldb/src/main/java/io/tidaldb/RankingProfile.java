package io.tidaldb;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to rank entities: a weighted sum of terms, each a signal's decayed score, its count in a
 * window, or its velocity over a window. Immutable and thread-safe; build it once and reuse it.
 *
 * <pre>{@code
 * RankingProfile trending = RankingProfile.builder()
 *     .name("trending")                           // tags the ranking meters; "adhoc" by default
 *     .decayScore("view", 1.0)                    // 1.0 x decayed score of "view"
 *     .decayScore("like", 5.0)
 *     .decayScore("dislike", -3.0)                // negative weights push an entity down
 *     .windowCount("view", Window.ONE_HOUR, 0.5)  // 0.5 x views in the last hour
 *     .velocity("view", Window.ONE_HOUR, 2.0)     // 2.0 x views per second over the last hour
 *     .build();
 * List<ScoredEntity> top = db.top(trending, 100, Instant.now());
 * }</pre>
 *
 * <p>An entity's score is {@code sum(weight_i * value_i)} over the terms in the order they were
 * added, where {@code value_i} is what {@link TidalDb#decayScore}, {@link TidalDb#windowCount} or
 * {@link TidalDb#velocity} would read for it at the query's time (0 for an entity the signal never
 * recorded). The builder checks what it can on its own (finite weights, a bounded window for
 * velocity, at least one term); the database checks the profile against its schema when the profile
 * is used (unknown signals, windows the signal does not count, velocity on a signal without it,
 * terms over different entity kinds), with an {@link InvalidSignalException} naming the term.
 */
public final class RankingProfile {

  /** The profile name when none is given. */
  public static final String DEFAULT_NAME = "adhoc";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  /** What a term reads from its signal. */
  public enum Kind {
    /** The decayed score, as {@link TidalDb#decayScore} reads it. */
    DECAY_SCORE,
    /** The events in a window, as {@link TidalDb#windowCount} counts them. */
    WINDOW_COUNT,
    /** The events per second over a window, as {@link TidalDb#velocity} reads it. */
    VELOCITY
  }

  /**
   * One term of a profile: {@code weight} times what {@code kind} reads from {@code signal}.
   *
   * @param kind what is read
   * @param signal the signal's name
   * @param window the window of a {@link Kind#WINDOW_COUNT} or {@link Kind#VELOCITY} term; null for
   *     {@link Kind#DECAY_SCORE}
   * @param weight a finite multiplier, negative allowed
   */
  public record Term(Kind kind, String signal, Window window, double weight) {

    @Override
    public String toString() {
      switch (kind) {
        case DECAY_SCORE:
          return "decayScore(\"" + signal + "\", " + weight + ")";
        case WINDOW_COUNT:
          return "windowCount(\"" + signal + "\", " + window + ", " + weight + ")";
        default:
          return "velocity(\"" + signal + "\", " + window + ", " + weight + ")";
      }
    }
  }

  private final String name;
  private final List<Term> terms;

  private RankingProfile(String name, List<Term> terms) {
    this.name = name;
    this.terms = List.copyOf(terms);
  }

  /**
   * Starts a profile.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A profile of one term: the signal's decayed score with weight 1, what
   * {@link TidalDb#top(String, int, java.time.Instant)} ranks by.
   *
   * @param signal the signal's name
   * @return the profile, named after the signal
   * @throws IllegalArgumentException if the name is null
   */
  public static RankingProfile decayScore(String signal) {
    Builder builder = builder().decayScore(signal, 1.0);
    return NAME.matcher(signal).matches() ? builder.name(signal).build() : builder.build();
  }

  /** {@return the name the ranking meters are tagged with: the builder's, or {@value #DEFAULT_NAME}} */
  public String name() {
    return name;
  }

  /** {@return the terms, in the order they are summed} */
  public List<Term> terms() {
    return terms;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RankingProfile p && p.name.equals(name) && p.terms.equals(terms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, terms);
  }

  @Override
  public String toString() {
    return "RankingProfile[" + name + ": " + terms + "]";
  }

  /**
   * Builds a {@link RankingProfile}. Each method checks its arguments at once, with a message naming
   * the term and the value.
   */
  public static final class Builder {

    private String name;
    private final List<Term> terms = new ArrayList<>();

    private Builder() {}

    /**
     * Names the profile, for the {@code profile} tag of the ranking meters. Give the few profiles an
     * application uses their own names; a name per user or per request would make a meter each.
     *
     * @param name 1 to 64 characters from {@code [a-z0-9_]}, starting with a letter
     * @return this builder
     * @throws IllegalArgumentException if the name is malformed or was already set
     */
    public Builder name(String name) {
      if (this.name != null) {
        throw new IllegalArgumentException("name(\"" + name + "\"): the profile is already named \"" + this.name
            + "\"; name it once");
      }
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("name(" + (name == null ? "null" : "\"" + name + "\"") + "): a profile"
            + " name has 1 to 64 characters from [a-z0-9_] and starts with a letter, such as \"trending\"");
      }
      this.name = name;
      return this;
    }

    /**
     * Adds {@code weight} times the signal's decayed score.
     *
     * @param signal the signal's name
     * @param weight finite; negative to push entities down
     * @return this builder
     * @throws IllegalArgumentException if the signal is null or the weight not finite
     */
    public Builder decayScore(String signal, double weight) {
      return add(new Term(Kind.DECAY_SCORE, signal, null, weight));
    }

    /**
     * Adds {@code weight} times the signal's event count in {@code window}.
     *
     * @param signal the signal's name; it must count {@code window}
     * @param window the window
     * @param weight finite; negative to push entities down
     * @return this builder
     * @throws IllegalArgumentException if the signal or window is null or the weight not finite
     */
    public Builder windowCount(String signal, Window window, double weight) {
      return add(new Term(Kind.WINDOW_COUNT, signal, window, weight));
    }

    /**
     * Adds {@code weight} times the signal's events per second over {@code window}.
     *
     * @param signal the signal's name; declared with {@code velocity(true)} and counting {@code window}
     * @param window a window other than {@link Window#ALL_TIME}
     * @param weight finite; negative to push entities down
     * @return this builder
     * @throws IllegalArgumentException if the signal or window is null, the window is
     *     {@link Window#ALL_TIME}, or the weight not finite
     */
    public Builder velocity(String signal, Window window, double weight) {
      if (window == Window.ALL_TIME) {
        throw new IllegalArgumentException("velocity(\"" + signal + "\", ALL_TIME, " + weight + "): ALL_TIME has no"
            + " length to divide by; use ONE_HOUR, TWENTY_FOUR_HOURS or SEVEN_DAYS");
      }
      return add(new Term(Kind.VELOCITY, signal, window, weight));
    }

    private Builder add(Term term) {
      if (term.signal() == null) {
        throw new IllegalArgumentException(term + ": the signal name is null; give a signal of the schema");
      }
      if (term.kind() != Kind.DECAY_SCORE && term.window() == null) {
        throw new IllegalArgumentException(term + ": the window is null; give a window the signal counts");
      }
      if (!Double.isFinite(term.weight())) {
        throw new IllegalArgumentException(term + ": the weight " + term.weight() + " is not a finite number;"
            + " give a finite weight such as 1.0 (negative weights are allowed)");
      }
      terms.add(term);
      return this;
    }

    /**
     * Builds the profile.
     *
     * @return the immutable profile
     * @throws IllegalArgumentException if no term was added
     */
    public RankingProfile build() {
      if (terms.isEmpty()) {
        throw new IllegalArgumentException("a ranking profile needs at least one term: add decayScore(signal, weight),"
            + " windowCount(signal, window, weight) or velocity(signal, window, weight)");
      }
      return new RankingProfile(name == null ? DEFAULT_NAME : name, terms);
    }
  }
}

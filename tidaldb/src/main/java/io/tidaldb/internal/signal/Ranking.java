package io.tidaldb.internal.signal;

import io.tidaldb.EntityKind;
import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import io.tidaldb.Window;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link RankingProfile} checked against a schema and resolved to signal type ids, and the one
 * place that computes a profile's score: every way of reading a score (one entity, a batch, a scan
 * of the ledger) adds the same term values in the same order, so that they agree to the bit.
 */
final class Ranking {

  final RankingProfile profile;
  final int termCount;
  final RankingProfile.Kind[] kinds;
  final int[] typeOf;
  final Window[] windows;
  final double[] weights;
  /** For a velocity term, the window's length in seconds; else 1. */
  final double[] divisors;
  /** The distinct signal type ids of the terms, in the order they first appear. */
  final int[] signals;
  /** {@code signalOf[term]}: the term's signal's position in {@link #signals}. */
  final int[] signalOf;

  private Ranking(RankingProfile profile, Schema schema) {
    this.profile = profile;
    List<RankingProfile.Term> terms = profile.terms();
    termCount = terms.size();
    kinds = new RankingProfile.Kind[termCount];
    typeOf = new int[termCount];
    windows = new Window[termCount];
    weights = new double[termCount];
    divisors = new double[termCount];
    signalOf = new int[termCount];
    int[] distinct = new int[termCount];
    int distinctCount = 0;
    EntityKind kind = null;
    SignalSpec first = null;
    for (int t = 0; t < termCount; t++) {
      RankingProfile.Term term = terms.get(t);
      SignalSpec signal = schema.signal(term.signal()).orElse(null);
      if (signal == null) {
        throw invalid(profile, t, "unknown signal \"" + term.signal() + "\"; the schema declares "
            + (schema.signals().isEmpty() ? "no signals" : String.join(", ", schema.names())));
      }
      if (term.kind() != RankingProfile.Kind.DECAY_SCORE && !signal.counts(term.window())) {
        throw invalid(profile, t, "signal \"" + signal.name() + "\" does not count window " + term.window()
            + "; it counts " + (signal.windows().isEmpty() ? "none" : signal.windows()));
      }
      if (term.kind() == RankingProfile.Kind.VELOCITY && !signal.velocity()) {
        throw invalid(profile, t, "signal \"" + signal.name() + "\" does not offer velocity; declare it with"
            + " velocity(true) in the schema, or use windowCount");
      }
      if (kind == null) {
        kind = signal.entityKind();
        first = signal;
      } else if (signal.entityKind() != kind) {
        throw invalid(profile, t, "signal \"" + signal.name() + "\" counts " + signal.entityKind() + " entities but"
            + " signal \"" + first.name() + "\" counts " + kind + " entities; a profile ranks one kind of entity");
      }
      kinds[t] = term.kind();
      typeOf[t] = signal.id();
      windows[t] = term.window();
      weights[t] = term.weight();
      divisors[t] = term.kind() == RankingProfile.Kind.VELOCITY ? SignalReads.seconds(term.window()) : 1;
      int s = 0;
      while (s < distinctCount && distinct[s] != signal.id()) {
        s++;
      }
      if (s == distinctCount) {
        distinct[distinctCount++] = signal.id();
      }
      signalOf[t] = s;
    }
    signals = Arrays.copyOf(distinct, distinctCount);
  }

  private static InvalidSignalException invalid(RankingProfile profile, int t, String problem) {
    return new InvalidSignalException("ranking profile \"" + profile.name() + "\", term " + (t + 1) + " "
        + profile.terms().get(t) + ": " + problem);
  }

  /**
   * Checks the profile against the schema.
   *
   * @throws InvalidSignalException naming the first term that does not fit
   */
  static Ranking resolve(RankingProfile profile, Schema schema) {
    if (profile == null) {
      throw new InvalidSignalException("the ranking profile is null; build one with RankingProfile.builder()");
    }
    return new Ranking(profile, schema);
  }

  /** Term {@code t}'s value for the entity, read from the ledger: what the public single reads return. */
  double value(SignalLedger ledger, int t, long entityId, long atNanos) {
    switch (kinds[t]) {
      case DECAY_SCORE:
        return ledger.decayScore(typeOf[t], entityId, atNanos);
      default:
        return ofCount(t, ledger.windowCount(typeOf[t], entityId, windows[t], atNanos));
    }
  }

  /** A window or velocity term's value from the count in its window. */
  double ofCount(int t, long count) {
    return kinds[t] == RankingProfile.Kind.VELOCITY ? count / divisors[t] : count;
  }

  /** Term {@code t}'s value for entry {@code d} of a table of its signal. Safe under an optimistic stamp. */
  double valueAt(EntryTable table, int d, int t, long atNanos) {
    switch (kinds[t]) {
      case DECAY_SCORE:
        return table.readScore(d, atNanos);
      default:
        return ofCount(t, WindowRings.countAt(table, d, windows[t], atNanos));
    }
  }

  /** The profile's score from its term values: the weighted sum, in term order. */
  double combine(double[] values) {
    double sum = 0;
    for (int t = 0; t < termCount; t++) {
      sum += weights[t] * values[t];
    }
    return sum;
  }

  /** The entity's score, by point reads. */
  double score(SignalLedger ledger, long entityId, long atNanos) {
    double sum = 0;
    for (int t = 0; t < termCount; t++) {
      sum += weights[t] * value(ledger, t, entityId, atNanos);
    }
    return sum;
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.RankingProfile;
import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * One thread's share of a scanning top-k query: the stripes it claims, its own heap and buffers.
 *
 * <p>A profile whose terms are all on one signal (the common case: a decayed score with window
 * counts or velocity of the same signal) is scored in place, under the stripe's optimistic stamp
 * (its read lock when a write got in the way): a cheap upper bound of each entry's score comes
 * first, from its hot record only (a decayed score's {@link SignalLayout#readBound}, 0 for a term
 * with a negative weight, 0 for a window its newest event cannot reach, {@link
 * WindowRings#reach}), and the exact score ({@code exp}, the window rings) is read only when
 * the bound reaches the k-th best kept so far. The floating-point sum of the bounds is never below
 * the sum of the values in the same order, so no entry that could make the cut is skipped. The
 * entries read are read exactly as {@link Ranking#score} reads them. Without a filter each attempt
 * keeps its own heap, merged when the stamp validates; with one, the candidates are kept and the
 * filter runs after the stamp validates, with no lock held.
 *
 * <p>Other profiles copy each stripe's table (entity ids and the values of the profile's terms on
 * that signal) under the stamp; the terms on other signals are then read by point reads, with no
 * lock held. An entity with entries for several of the profile's signals is scored once: from its
 * first signal in the profile's order.
 */
final class RankScan {

  private final SignalLedger ledger;
  private final Ranking ranking;
  private final int k;
  private final long atNanos;
  private final LongPredicate filter;
  final TopK top;
  /** {@code termsOn[s]}: the terms on the profile's s-th signal. */
  private final int[][] termsOn;
  private final double[] values;
  private long[] ids = new long[0];
  private double[] copied = new double[0];
  /** For a profile on one signal: its layout, and per term the {@code last} range where a window may count. */
  private final SignalLayout single;
  private final long[] reachFrom;
  private final long[] reachTo;
  /** Per window or velocity term, an earlier term that counts the same window (read once), or -1. */
  private final int[] sameWindow;
  private final long[] counts;
  /** Whether the profile has a decayed-score term. */
  private final boolean hasDecay;
  /** For a profile on one signal: this attempt's heap (no filter) or candidates (filter). */
  private TopK local;
  private double[] scores = new double[0];
  private int candidates;

  RankScan(SignalLedger ledger, Ranking ranking, int k, long atNanos, LongPredicate filter) {
    this.ledger = ledger;
    this.ranking = ranking;
    this.k = k;
    this.atNanos = atNanos;
    this.filter = filter;
    this.top = new TopK(k, ranking.signals.length > 1);
    this.values = new double[ranking.termCount];
    this.termsOn = new int[ranking.signals.length][];
    for (int s = 0; s < termsOn.length; s++) {
      int count = 0;
      for (int t = 0; t < ranking.termCount; t++) {
        count += ranking.signalOf[t] == s ? 1 : 0;
      }
      termsOn[s] = new int[count];
      count = 0;
      for (int t = 0; t < ranking.termCount; t++) {
        if (ranking.signalOf[t] == s) {
          termsOn[s][count++] = t;
        }
      }
    }
    this.single = ranking.signals.length == 1 ? ledger.layout(ranking.signals[0]) : null;
    this.reachFrom = new long[ranking.termCount];
    this.reachTo = new long[ranking.termCount];
    boolean decays = false;
    for (int t = 0; t < ranking.termCount; t++) {
      decays |= ranking.kinds[t] == RankingProfile.Kind.DECAY_SCORE;
    }
    this.hasDecay = decays;
    this.sameWindow = new int[ranking.termCount];
    this.counts = new long[ranking.termCount];
    for (int t = 0; t < ranking.termCount; t++) {
      sameWindow[t] = -1;
      for (int e = 0; e < t && ranking.kinds[t] != RankingProfile.Kind.DECAY_SCORE; e++) {
        if (sameWindow[t] < 0 && ranking.kinds[e] != RankingProfile.Kind.DECAY_SCORE
            && ranking.windows[e] == ranking.windows[t]) {
          sameWindow[t] = e;
        }
      }
    }
    if (single != null) {
      for (int t = 0; t < ranking.termCount; t++) {
        long[] reach = ranking.kinds[t] == RankingProfile.Kind.DECAY_SCORE ? new long[2]
            : WindowRings.reach(single, ranking.windows[t], atNanos);
        reachFrom[t] = reach[0];
        reachTo[t] = reach[1];
      }
    }
  }

  void stripe(Stripe stripe) {
    if (single != null) {
      singleSignalStripe(stripe, stripe.tables[ranking.signals[0]]);
      return;
    }
    for (int s = 0; s < termsOn.length; s++) {
      int[] own = termsOn[s];
      int n = copy(stripe, stripe.tables[ranking.signals[s]], own);
      for (int i = 0; i < n; i++) {
        long id = ids[i];
        if (scoredEarlier(s, id) || (filter != null && !filter.test(id))) {
          continue;
        }
        for (int t = 0; t < ranking.termCount; t++) {
          values[t] = ranking.signalOf[t] == s ? Double.NaN : ranking.value(ledger, t, id, atNanos);
        }
        for (int j = 0; j < own.length; j++) {
          values[own[j]] = copied[i * own.length + j];
        }
        top.offer(id, ranking.combine(values));
      }
    }
  }

  private void singleSignalStripe(Stripe stripe, EntryTable table) {
    long stamp = stripe.lock.tryOptimisticRead();
    boolean done = false;
    if (stamp != 0) {
      scoreInPlace(table);
      done = stripe.lock.validate(stamp);
    }
    if (!done) {
      stamp = stripe.lock.readLock();
      try {
        scoreInPlace(table);
      } finally {
        stripe.lock.unlockRead(stamp);
      }
    }
    if (filter == null) {
      top.addAll(local);
      return;
    }
    for (int i = 0; i < candidates; i++) {
      if (filter.test(ids[i])) {
        top.offer(ids[i], scores[i]);
      }
    }
  }

  /**
   * Bounds every entry, scores exactly those whose bound reaches the cut, and keeps them. Safe under
   * an optimistic stamp: a torn entry is read as garbage, never thrown on, and discarded with the attempt.
   */
  private void scoreInPlace(EntryTable table) {
    local = filter == null ? new TopK(k) : null;
    candidates = 0;
    int n = table.size();
    if (n <= 0 || n > EntryTable.MAX_ENTRIES) {
      return;
    }
    double floor = top.isFull() ? top.worstScore() : Double.NEGATIVE_INFINITY;
    double cut = floor;
    long[] records = table.hotRecords();
    int entries = Math.min(n, (records.length - EntryTable.HOT_BASE) / EntryTable.HOT_STRIDE);
    for (int d = 0; d < entries; d++) {
      int o = EntryTable.HOT_BASE + d * EntryTable.HOT_STRIDE;
      long last = records[o + EntryTable.LAST];
      double score = Double.longBitsToDouble(records[o + EntryTable.SCORE]);
      if (bound(table, d, score, last) < cut) {
        continue;
      }
      if (hasDecay) {
        double read = single.readAt(score, last, atNanos);
        for (int t = 0; t < values.length; t++) {
          if (ranking.kinds[t] == RankingProfile.Kind.DECAY_SCORE) {
            values[t] = read;
          }
        }
      }
      double exact = ranking.combine(values);
      long id = records[o + EntryTable.ID];
      if (local != null) {
        local.offer(id, exact);
        cut = local.isFull() ? Math.max(floor, local.worstScore()) : floor;
      } else {
        keep(id, exact);
      }
    }
  }

  /**
   * A bound on entry {@code d}'s score from its hot record (raw {@code score} as of {@code last});
   * leaves the window terms' exact values in {@link #values}.
   */
  private double bound(EntryTable table, int d, double score, long last) {
    double bound = 0;
    for (int t = 0; t < values.length; t++) {
      double w = ranking.weights[t];
      if (ranking.kinds[t] == RankingProfile.Kind.DECAY_SCORE) {
        bound += w > 0 ? w * single.readBound(score, last, atNanos) : 0;
      } else {
        int same = sameWindow[t];
        counts[t] = same >= 0 ? counts[same] : last >= reachFrom[t] && last < reachTo[t]
            ? WindowRings.countAt(table, d, ranking.windows[t], atNanos) : 0;
        values[t] = ranking.ofCount(t, counts[t]);
        bound += w * values[t];
      }
    }
    return bound;
  }

  private void keep(long id, double score) {
    if (candidates == ids.length) {
      int room = Math.max(64, candidates * 2);
      ids = Arrays.copyOf(ids, room);
      scores = Arrays.copyOf(scores, room);
    }
    ids[candidates] = id;
    scores[candidates++] = score;
  }

  /** Whether the entity has an entry for one of the profile's signals before the s-th: it is scored there. */
  private boolean scoredEarlier(int s, long id) {
    for (int e = 0; e < s; e++) {
      if (ledger.contains(ranking.signals[e], id)) {
        return true;
      }
    }
    return false;
  }

  /** Copies the table's ids and the values of {@code own} terms, consistently; returns the entries copied. */
  private int copy(Stripe stripe, EntryTable table, int[] own) {
    long stamp = stripe.lock.tryOptimisticRead();
    if (stamp != 0) {
      int n = copyEntries(table, own);
      if (stripe.lock.validate(stamp)) {
        return n;
      }
    }
    stamp = stripe.lock.readLock();
    try {
      return copyEntries(table, own);
    } finally {
      stripe.lock.unlockRead(stamp);
    }
  }

  /** Safe under an optimistic stamp: a torn size or entry is read as garbage, never thrown on. */
  private int copyEntries(EntryTable table, int[] own) {
    int n = table.size();
    if (n <= 0 || n > EntryTable.MAX_ENTRIES) {
      return 0;
    }
    if (ids.length < n) {
      int room = Math.max(n, ids.length * 2);
      ids = new long[room];
      copied = new double[room * own.length];
    } else if (copied.length < n * own.length) {
      copied = new double[ids.length * own.length];
    }
    for (int d = 0; d < n; d++) {
      ids[d] = table.readLong(d, EntryTable.ID);
      for (int j = 0; j < own.length; j++) {
        copied[d * own.length + j] = ranking.valueAt(table, d, own[j], atNanos);
      }
    }
    return n;
  }
}

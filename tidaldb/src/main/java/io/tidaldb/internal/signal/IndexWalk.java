package io.tidaldb.internal.signal;

import io.tidaldb.ScoredEntity;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Top-k by the signals' {@link RankIndex}es, under every stripe's read lock (a consistent cut of
 * the whole ledger, held for the walk). Each signal's indexes, one per stripe, are merged into one
 * walk from the highest bucket bound down ({@link Walk}).
 *
 * <p>One signal: visit the best bucket left, read its entries exactly, and stop when the k-th best
 * kept beats the best bound left (strictly: an equal score with a smaller id might still come).
 * Several signals: Fagin's threshold algorithm. Each step visits one bucket of one signal, the
 * signal whose next visit lowers the threshold (the profile's score of the signals' best bounds
 * left; 0 for a signal walked to its end) the most per entry read, so that a signal whose scores are
 * all nearly equal (one bucket holds most of them) is not walked at all when the others can prove
 * the answer. Every entity met is scored in full by point reads, once; unless its score is bounded
 * below the k-th best by its exact read here and the other signals' bounds (an entity not yet met
 * in a walk reads at most that walk's bound).
 *
 * <p>A filter is the caller's code, not to be run under the ledger's locks: a filtered walk collects
 * the entities it meets with their scores, and after each step the threshold, under the locks; then
 * releases them and offers the entities that pass the filter in the order met, stopping at the first
 * step whose threshold the k-th best beats. When the entities collected do not prove the answer, it
 * walks again (a new cut) collecting more, four times as many each time, up to the budget.
 */
final class IndexWalk {

  /** Entities a filtered walk collects in its first pass, per entity asked for. */
  static final int FILTERED_FIRST_PASS_PER_K = 16;

  private IndexWalk() {}

  /**
   * The best {@code k} entities under {@code ranking} that pass {@code filter} (null: all).
   *
   * @return null when the walk met {@code budget} entries without proving the answer
   */
  static List<ScoredEntity> top(SignalLedger ledger, Ranking ranking, int k, long atNanos, LongPredicate filter,
      int budget) {
    if (filter == null) {
      TopK top = new TopK(k);
      return walk(ledger, ranking, top, null, atNanos, budget) ? top.drainBestFirst() : null;
    }
    long pass = Math.min(budget, Math.max(1024L, (long) FILTERED_FIRST_PASS_PER_K * k));
    while (true) {
      WalkCandidates collected = new WalkCandidates();
      TopK top = new TopK(k);
      boolean complete = walk(ledger, ranking, top, collected, atNanos, (int) pass);
      if (collected.offer(top, filter, ranking, ledger.layout(ranking.signals[0]), atNanos) || complete) {
        return top.drainBestFirst();
      }
      if (pass >= budget) {
        return null;
      }
      pass = Math.min(budget, pass * 4);
    }
  }

  /**
   * Walks the indexes under every stripe's read lock. Unfiltered ({@code collected} null): offers
   * to {@code top} and stops when it proves the answer. Filtered: collects entities and thresholds.
   *
   * @return whether the walk ended with every entity that may make the cut met: proved (unfiltered)
   *     or every index walked to its end
   */
  private static boolean walk(SignalLedger ledger, Ranking ranking, TopK top, WalkCandidates collected, long atNanos,
      int budget) {
    int stripes = ledger.stripeCount();
    long[] stamps = new long[stripes];
    int locked = 0;
    try {
      for (; locked < stripes; locked++) {
        stamps[locked] = ledger.stripeAt(locked).lock.readLock();
      }
      int signals = ranking.signals.length;
      Walk[] walks = new Walk[signals];
      for (int s = 0; s < signals; s++) {
        walks[s] = new Walk(ledger, ranking.signals[s], atNanos);
      }
      double[] weightOn = new double[signals];
      for (int t = 0; t < ranking.termCount; t++) {
        weightOn[ranking.signalOf[t]] += ranking.weights[t];
      }
      LongSet seen = signals > 1 ? new LongSet() : null;
      Met met = signals > 1 ? new Met(signals) : null;
      SignalLayout[] layouts = new SignalLayout[signals];
      for (int s = 0; s < signals; s++) {
        layouts[s] = ledger.layout(ranking.signals[s]);
      }
      double[] values = new double[ranking.termCount];
      while (true) {
        boolean left = false;
        for (int t = 0; t < ranking.termCount; t++) {
          Walk walk = walks[ranking.signalOf[t]];
          left |= walk.best >= 0;
          values[t] = walk.best >= 0 ? walk.bounds[walk.best] : 0;
        }
        if (!left) {
          return true;
        }
        double threshold = ranking.combine(values);
        if (collected == null) {
          if (top.isFull() && top.worstScore() > threshold) {
            return true;
          }
        } else {
          collected.step(threshold);
        }
        int s = signals == 1 ? 0 : next(walks, weightOn);
        Walk walk = walks[s];
        int i = walk.best;
        EntryTable table = walk.tables[i];
        RankIndex rank = table.rank;
        for (int d = rank.head(walk.cursor[i]); d >= 0; d = rank.next(d)) {
          if (--budget < 0) {
            return false;
          }
          long id = table.keyAt(d);
          if (seen == null && collected != null) {
            // one signal, filtered: the read ({@code exp}) waits for the filter, after the locks
            collected.addRaw(id, table.scoreAt(d), table.lastAt(d));
            continue;
          }
          double own = layouts[s].readAt(table.scoreAt(d), table.lastAt(d), atNanos);
          double score;
          if (seen == null) {
            Arrays.fill(values, own);
            score = ranking.combine(values);
          } else if (!seen.add(id)) {
            continue;
          } else {
            for (int t = 0; t < ranking.termCount; t++) {
              Walk other = walks[ranking.signalOf[t]];
              values[t] = ranking.signalOf[t] == s ? own : other.best >= 0 ? other.bounds[other.best] : 0;
            }
            // not met in another walk yet, so at most that walk's bound there: a bound on the score
            if (!(top.isFull() && ranking.combine(values) < top.worstScore())) {
              met.add(id, own);
            }
            continue;
          }
          if (collected == null) {
            top.offer(id, score);
          } else {
            collected.add(id, score);
          }
        }
        if (met != null && met.size > 0) {
          met.score(ledger, ranking, s, atNanos, values);
          for (int m = 0; m < met.size; m++) {
            if (collected == null) {
              top.offer(met.ids[m], met.scores[m]);
            } else {
              collected.add(met.ids[m], met.scores[m]);
            }
          }
          met.size = 0;
        }
        walk.advance(i);
      }
    } finally {
      for (int i = 0; i < locked; i++) {
        ledger.stripeAt(i).lock.unlockRead(stamps[i]);
      }
    }
  }

  /** The walk whose next bucket lowers the threshold the most per entry read. */
  private static int next(Walk[] walks, double[] weightOn) {
    int chosen = -1;
    double best = -1;
    for (int s = 0; s < walks.length; s++) {
      Walk walk = walks[s];
      if (walk.best < 0) {
        continue;
      }
      double gain = weightOn[s] * walk.drop() / Math.max(1, walk.entries());
      if (chosen < 0 || gain > best) {
        chosen = s;
        best = gain;
      }
    }
    return chosen;
  }

  /** One signal's rank indexes, one per stripe, walked together from the highest bucket bound down. */
  private static final class Walk {
    final EntryTable[] tables;
    /** Per table, the next bucket to visit ({@link RankIndex#BUCKETS}: none left) and its bound. */
    final int[] cursor;
    final double[] bounds;
    private final long atNanos;
    /** The table whose next bucket has the highest bound, or -1 when every table is walked. */
    int best;

    Walk(SignalLedger ledger, int typeId, long atNanos) {
      int stripes = ledger.stripeCount();
      this.tables = new EntryTable[stripes];
      this.cursor = new int[stripes];
      this.bounds = new double[stripes];
      this.atNanos = atNanos;
      for (int i = 0; i < stripes; i++) {
        tables[i] = ledger.stripeAt(i).tables[typeId];
        cursor[i] = tables[i].rank.first();
        bounds[i] = bound(i);
      }
      pick();
    }

    private double bound(int i) {
      return cursor[i] < RankIndex.BUCKETS ? tables[i].rank.bound(cursor[i], atNanos) : Double.NEGATIVE_INFINITY;
    }

    /** How far the best table's bound falls past its next bucket (an estimate: the bucket below may be empty). */
    double drop() {
      int j = cursor[best];
      double below = j + 1 < RankIndex.BUCKETS ? tables[best].rank.bound(j + 1, atNanos) : 0;
      return bounds[best] - below;
    }

    /** The entries in the best table's next bucket. */
    int entries() {
      return tables[best].rank.size(cursor[best]);
    }

    /** Moves table {@code i} past the bucket just visited. */
    void advance(int i) {
      cursor[i] = tables[i].rank.nextBucket(cursor[i]);
      bounds[i] = bound(i);
      pick();
    }

    private void pick() {
      best = -1;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < cursor.length; i++) {
        if (cursor[i] < RankIndex.BUCKETS && (best < 0 || bounds[i] > max)) {
          best = i;
          max = bounds[i];
        }
      }
    }
  }

  /**
   * The entities met in one bucket, to score in full: the other signals are read for all of them
   * together ({@link SignalLedger#decayScores}, whose cache misses overlap), each value exactly what
   * a point read gives, and summed in the profile's term order as {@link Ranking#score} sums them.
   */
  private static final class Met {
    long[] ids = new long[64];
    double[] scores = new double[64];
    /** {@code reads[s]}: the s-th signal's reads of the entities met. */
    double[][] reads;
    int size;

    Met(int signals) {
      reads = new double[signals][64];
    }

    void add(long id, double own) {
      if (size == ids.length) {
        ids = Arrays.copyOf(ids, size * 2);
        scores = Arrays.copyOf(scores, size * 2);
        for (int s = 0; s < reads.length; s++) {
          reads[s] = Arrays.copyOf(reads[s], size * 2);
        }
      }
      ids[size] = id;
      scores[size++] = own;
    }

    /** Replaces each own read (met on signal {@code own}) with the entity's score. */
    void score(SignalLedger ledger, Ranking ranking, int own, long atNanos, double[] values) {
      System.arraycopy(scores, 0, reads[own], 0, size);
      for (int s = 0; s < reads.length; s++) {
        if (s != own) {
          ledger.decayScores(ranking.signals[s], ids, size, atNanos, reads[s]);
        }
      }
      for (int m = 0; m < size; m++) {
        for (int t = 0; t < ranking.termCount; t++) {
          values[t] = reads[ranking.signalOf[t]][m];
        }
        scores[m] = ranking.combine(values);
      }
    }
  }
}

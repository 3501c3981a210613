package io.tidaldb.internal.signal;

import io.tidaldb.RankingProfile;
import io.tidaldb.ScoredEntity;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongPredicate;

/**
 * The top-k index of one registered ranking profile ({@code TidalDbBuilder.indexProfile}): every
 * entity with an entry for one of the profile's signals, in buckets of one key per entity, so that a
 * top-k query visits the best bucket first and stops when no entity left can make the cut, like a
 * one-signal walk of a {@link RankIndex}, instead of the threshold walk over the signals' indexes.
 *
 * <p>Every term is a decayed score with a positive weight, of a signal that decays exponentially or
 * not at all (checked at registration, {@link #checkIndexable}). For term {@code i}, with weight
 * {@code w_i}, half-life rate {@code r_i} ({@link SignalLayout#halvingRate}) and the entry's score
 * {@code S_i} as of {@code last_i}, let {@code u_i = S_i * 2^(r_i (last_i - t0))} at a reference
 * instant {@code t0}: every read at {@code q} is at most {@code u_i * 2^(-r_i (q - t0))} (equal from
 * {@code last_i} on; before it the read is {@code S_i}, which is less). The entity's key is
 * {@code log2 sum(w_i u_i)}, so its score at {@code q} is at most {@code 2^(key - rMin (q - t0))} for
 * {@code q >= t0} and {@code 2^(key + rMax (t0 - q))} before. A bucket bounds its entities' scores
 * only: the entities visited are scored exactly, from their copies of the entries, with the
 * arithmetic of {@link Ranking#score} (term values read as {@link SignalLayout#readAt} reads them,
 * summed in term order), so the answer is the one the definition gives, bit for bit. The slack
 * {@code (rMax - rMin) |q - t0|} costs reads, never exactness; a query later than {@code t0} by more
 * than {@value #REKEY_SLACK} halvings of slack moves its part's {@code t0} to the query's time,
 * re-keying the part's entities under its write lock.
 *
 * <p>Each entity keeps a copy of its entries' score and time, for the profile's signals: the entries
 * of one entity lie in different stripes (the stripe depends on the signal too), so the index is
 * split in parts of its own, by entity, each with its own lock. A write updates the part under the
 * stripe's write lock ({@link Stripe#reindex}, {@link Stripe#unindex}): a stripe lock, then a part
 * lock, never the other way round; a query takes every part's read lock and no stripe's. Derived
 * state, never written: a restore and a replay go through the same paths.
 */
final class ProfileIndex {

  /** A query at {@code q > t0} re-keys a part once its bounds may overshoot by this many halvings. */
  static final double REKEY_SLACK = 0.125;
  /** A copy's time when the entity has no entry for the signal (event times are not negative). */
  private static final long ABSENT = -1;
  /** No event applied to the part yet: its {@code t0} is the first one's time. */
  private static final long UNSET = Long.MIN_VALUE;
  /** Above the rounding of the key, the bound and the score's sum (a relative 1e-15 or so). */
  private static final double MARGIN = SignalLayout.LOG2_SHORTFALL + 1e-6;
  private static final double LOG2_E = 1 / Math.log(2);

  final Ranking ranking;
  private final SignalLayout[] layouts;
  /** {@code positionOf[typeId]}: the signal's position in {@code ranking.signals}, or -1. */
  private final int[] positionOf;
  private final double[] log2Weights;
  /** Per distinct signal: {@link SignalLayout#halvingRate}. */
  private final double[] rates;
  private final double minRate;
  private final double maxRate;
  private final Part[] parts;
  private final int partMask;
  /** Entities scored by queries, for tests. */
  private final LongAdder scored = new LongAdder();

  ProfileIndex(Ranking ranking, SignalLedger ledger) {
    checkIndexable(ranking, ledger);
    this.ranking = ranking;
    int signals = ranking.signals.length;
    layouts = new SignalLayout[signals];
    rates = new double[signals];
    positionOf = new int[ledger.signalCount()];
    Arrays.fill(positionOf, -1);
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (int s = 0; s < signals; s++) {
      layouts[s] = ledger.layout(ranking.signals[s]);
      rates[s] = layouts[s].halvingRate();
      positionOf[ranking.signals[s]] = s;
      min = Math.min(min, rates[s]);
      max = Math.max(max, rates[s]);
    }
    minRate = min;
    maxRate = max;
    log2Weights = new double[ranking.termCount];
    for (int t = 0; t < ranking.termCount; t++) {
      log2Weights[t] = Math.log(ranking.weights[t]) * LOG2_E;
    }
    parts = new Part[ledger.stripeCount()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new Part();
    }
    partMask = parts.length - 1;
  }

  /**
   * Checks what the profile alone tells: every term a decayed score with a positive weight.
   *
   * @throws IllegalArgumentException naming the first term the index cannot serve, and why
   */
  static void checkTerms(RankingProfile profile) {
    for (int t = 0; t < profile.terms().size(); t++) {
      RankingProfile.Term term = profile.terms().get(t);
      if (term.kind() != RankingProfile.Kind.DECAY_SCORE) {
        throw refused(profile, t, "only decayed scores can be indexed: a window count or velocity falls as events"
            + " leave the window, which no key kept per entity bounds; leave the profile unregistered (top() still"
            + " answers it exactly)");
      }
      if (!(term.weight() > 0)) {
        throw refused(profile, t, "only positive weights can be indexed: with a weight of zero or less a score does"
            + " not grow with the signal's, so no key bounds it; drop the term or leave the profile unregistered");
      }
    }
  }

  /**
   * Checks the profile, resolved against the schema, as the index serves it: {@link #checkTerms}, and
   * every signal decaying exponentially or not at all.
   *
   * @throws IllegalArgumentException naming the first term the index cannot serve, and why
   */
  static void checkIndexable(Ranking ranking, SignalLedger ledger) {
    checkTerms(ranking.profile);
    for (int t = 0; t < ranking.termCount; t++) {
      if (Double.isNaN(ledger.layout(ranking.typeOf[t]).halvingRate())) {
        throw refused(ranking.profile, t, "signal \"" + ranking.profile.terms().get(t).signal() + "\" decays"
            + " linearly, and a linear decay bounds no read before the index's reference time by a factor; index"
            + " profiles of exponentially decaying or permanent signals only");
      }
    }
  }

  private static IllegalArgumentException refused(RankingProfile profile, int t, String problem) {
    return new IllegalArgumentException("indexProfile(" + profile.name() + "), term " + (t + 1) + " "
        + profile.terms().get(t) + ": " + problem);
  }

  /** Whether a query of {@code other} is answered here: the same terms in the same order, whatever the name. */
  boolean serves(Ranking other) {
    return other.profile == ranking.profile || other.profile.terms().equals(ranking.profile.terms());
  }

  /** Whether events of signal {@code typeId} change this index. */
  boolean indexes(int typeId) {
    return positionOf[typeId] >= 0;
  }

  /** Entities scored by queries so far; for tests. */
  long scored() {
    return scored.sum();
  }

  private Part partOf(long hash) {
    return parts[(int) (hash >>> SignalLedger.STRIPE_HASH_SHIFT) & partMask];
  }

  // ---- writes (under the stripe's write lock of the entry they copy) ----

  /** The entity's entry for signal {@code typeId} now holds {@code score} as of {@code last}. */
  void put(int typeId, long entityId, long hash, double score, long last) {
    Part part = partOf(hash);
    long stamp = part.lock.writeLock();
    try {
      part.put(positionOf[typeId], entityId, hash, score, last);
    } finally {
      part.lock.unlockWrite(stamp);
    }
  }

  /** The entity's entry for signal {@code typeId} was evicted. */
  void remove(int typeId, long entityId, long hash) {
    Part part = partOf(hash);
    long stamp = part.lock.writeLock();
    try {
      part.remove(positionOf[typeId], entityId, hash);
    } finally {
      part.lock.unlockWrite(stamp);
    }
  }

  // ---- reads ----

  /**
   * The best {@code k} entities under {@code query} (a profile this index {@link #serves}) at
   * {@code atNanos} that pass {@code filter} (null: all). A filter runs after the parts' locks are
   * released, on the entities collected in the order met, as a filtered {@link IndexWalk} does.
   *
   * @return null when the walk met {@code budget} entities without proving the answer
   */
  List<ScoredEntity> top(Ranking query, int k, long atNanos, LongPredicate filter, int budget) {
    rekeyBefore(atNanos);
    if (filter == null) {
      TopK top = new TopK(k);
      return walk(query, top, null, atNanos, budget) ? top.drainBestFirst() : null;
    }
    return IndexWalk.filtered(k, filter, query, layouts[0], atNanos, budget, 0,
        (top, collected, pass) -> walk(query, top, collected, atNanos, pass));
  }

  /** Moves {@code t0} of each part to {@code atNanos} where the slack of a query then passes {@link #REKEY_SLACK}. */
  private void rekeyBefore(long atNanos) {
    for (Part part : parts) {
      if (part.needsRekey(atNanos)) {
        long stamp = part.lock.writeLock();
        try {
          if (part.needsRekey(atNanos)) {
            part.rekey(atNanos);
          }
        } finally {
          part.lock.unlockWrite(stamp);
        }
      }
    }
  }

  /**
   * Walks the parts' buckets best bound first under every part's read lock. Unfiltered
   * ({@code collected} null): offers to {@code top} and stops when it proves the answer. Filtered:
   * collects entities and, before each bucket, the bound of every entity not met yet.
   *
   * @return whether the walk ended with every entity that may make the cut met (proved, unfiltered;
   *     every bucket walked, filtered); false when it would read more than {@code budget} entities
   */
  private boolean walk(Ranking query, TopK top, WalkCandidates collected, long atNanos, int budget) {
    int n = parts.length;
    long[] stamps = new long[n];
    int locked = 0;
    try {
      for (; locked < n; locked++) {
        stamps[locked] = parts[locked].lock.readLock();
      }
      int[] cursor = new int[n];
      double[] bounds = new double[n];
      for (int p = 0; p < n; p++) {
        cursor[p] = parts[p].rank.first();
        bounds[p] = parts[p].bound(cursor[p], atNanos);
      }
      double[] values = new double[query.termCount];
      int left = budget;
      long read = 0;
      try {
        while (true) {
          int best = -1;
          for (int p = 0; p < n; p++) {
            if (cursor[p] < RankIndex.BUCKETS && (best < 0 || bounds[p] > bounds[best])) {
              best = p;
            }
          }
          if (best < 0) {
            return true;
          }
          if (collected == null) {
            if (top.isFull() && top.worstScore() > bounds[best]) {
              return true;
            }
          } else {
            collected.step(bounds[best]);
          }
          Part part = parts[best];
          RankIndex rank = part.rank;
          int size = rank.size(cursor[best]);
          if ((left -= size) < 0) {
            return false;
          }
          long[] members = rank.members(cursor[best]);
          for (int m = 0; m < size; m++) {
            int d = RankIndex.numberOf(members[RankIndex.FIRST_MEMBER + m]);
            double score = part.score(query, d, atNanos, values);
            if (collected == null) {
              top.offer(part.idAt(d), score);
            } else {
              collected.add(part.idAt(d), score);
            }
          }
          read += size;
          cursor[best] = rank.nextBucket(cursor[best]);
          bounds[best] = part.bound(cursor[best], atNanos);
        }
      } finally {
        scored.add(read);
      }
    } finally {
      for (int i = 0; i < locked; i++) {
        parts[i].lock.unlockRead(stamps[i]);
      }
    }
  }

  /**
   * One part of the index: its entities numbered densely from 0 (an open-addressing index from id to
   * number), and per entity one record of {@link #stride} longs, {@code [id, key bits, then per signal
   * score bits and time]}, so that a write or a read of an entity touches one or two cache lines; the
   * buckets. Guarded by {@link #lock}.
   */
  private final class Part implements RankIndex.Keys {
    private static final int ID = 0;
    private static final int KEY = 1;
    private static final int FIRST_SIGNAL = 2;
    /**
     * Longs before the first record: a large array's data starts 16 bytes into a region-aligned
     * block, so that 48 bytes more put the records of a three-signal profile (64 bytes) each in one
     * cache line, as {@link EntryTable#HOT_BASE} does for the hot records.
     */
    private static final int RECORD_BASE = 6;

    final StampedLock lock = new StampedLock();
    final RankIndex rank = new RankIndex();
    private final int stride = FIRST_SIGNAL + 2 * layouts.length;
    /** Written under the write lock; read without it only to decide whether to take it. */
    private volatile long t0 = UNSET;
    /** Entity {@code d}'s record at {@link #at}; a signal's time {@link #ABSENT} when it has no entry. */
    private long[] records = new long[0];
    /** From id to entity number ({@link TaggedSlots}, as {@link EntryTable}'s index). */
    private int[] slots = new int[16];
    private int size;
    private final double[] terms = new double[ranking.termCount];

    @Override
    public int size() {
      return size;
    }

    /** Where entity {@code d}'s record starts in {@link #records}. */
    private int at(int d) {
      return RECORD_BASE + d * stride;
    }

    @Override
    public double rankKeyAt(int d) {
      return Double.longBitsToDouble(records[at(d) + KEY]);
    }

    long idAt(int d) {
      return records[at(d) + ID];
    }

    boolean needsRekey(long atNanos) {
      long from = t0;
      return from != UNSET && atNanos > from && (maxRate - minRate) * (double) (atNanos - from) > REKEY_SLACK;
    }

    void rekey(long atNanos) {
      t0 = atNanos;
      for (int d = 0; d < size; d++) {
        records[at(d) + KEY] = Double.doubleToRawLongBits(key(at(d)));
      }
      rank.rekey(this);
    }

    /** A bound on the score at {@code q} of every entity in bucket {@code j} ({@code -Infinity} past the last). */
    double bound(int j, long q) {
      if (j >= RankIndex.BUCKETS) {
        return Double.NEGATIVE_INFINITY;
      }
      double top = rank.topKey(j);
      double shift = q >= t0 ? -minRate * (double) (q - t0) : maxRate * (double) (t0 - q);
      return Math.pow(2, top + shift + MARGIN + 1e-12 * (Math.abs(top) + Math.abs(shift)));
    }

    /** Entity {@code d}'s score under {@code query}, as {@link Ranking#score} computes it from the ledger. */
    double score(Ranking query, int d, long q, double[] values) {
      int o = at(d) + FIRST_SIGNAL;
      for (int t = 0; t < query.termCount; t++) {
        int s = query.signalOf[t];
        values[t] = layouts[s].readAt(Double.longBitsToDouble(records[o + 2 * s]), records[o + 2 * s + 1], q);
      }
      return query.combine(values);
    }

    /**
     * {@code log2 sum(w_i u_i)} at {@link #t0} for the record at {@code o} (see the class
     * documentation), up to {@link SignalLayout#LOG2_SHORTFALL} below it; -Infinity when every read is 0.
     */
    private double key(int o) {
      double highest = Double.NEGATIVE_INFINITY;
      int positive = 0;
      for (int t = 0; t < ranking.termCount; t++) {
        int s = ranking.signalOf[t];
        double score = Double.longBitsToDouble(records[o + FIRST_SIGNAL + 2 * s]);
        if (score > 0) {
          positive++;
          terms[t] = log2Weights[t] + SignalLayout.log2Below(score)
              + rates[s] * (double) (records[o + FIRST_SIGNAL + 2 * s + 1] - t0);
          highest = Math.max(highest, terms[t]);
        } else {
          terms[t] = Double.NEGATIVE_INFINITY;
        }
      }
      if (positive <= 1) {
        return highest;
      }
      double sum = 0;
      for (double term : terms) {
        sum += Math.pow(2, term - highest);
      }
      return highest + Math.log(sum) * LOG2_E;
    }

    void put(int s, long id, long hash, double score, long last) {
      if (t0 == UNSET) {
        t0 = last;
      }
      int d = find(id, hash);
      if (d < 0) {
        d = add(id, hash);
      }
      int o = at(d);
      records[o + FIRST_SIGNAL + 2 * s] = Double.doubleToRawLongBits(score);
      records[o + FIRST_SIGNAL + 2 * s + 1] = last;
      double key = key(o);
      records[o + KEY] = Double.doubleToRawLongBits(key);
      rank.put(this, d, hash, key);
    }

    void remove(int s, long id, long hash) {
      int d = find(id, hash);
      if (d < 0) {
        return;
      }
      int o = at(d);
      records[o + FIRST_SIGNAL + 2 * s] = 0;
      records[o + FIRST_SIGNAL + 2 * s + 1] = ABSENT;
      for (int other = 0; other < layouts.length; other++) {
        if (records[o + FIRST_SIGNAL + 2 * other + 1] != ABSENT) {
          double key = key(o);
          records[o + KEY] = Double.doubleToRawLongBits(key);
          rank.put(this, d, hash, key);
          return;
        }
      }
      drop(d, hash);
    }

    private int find(long id, long hash) {
      int mask = slots.length - 1;
      int tag = TaggedSlots.tag(hash);
      for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
        int ref = slots[i];
        if (ref == 0) {
          return -1;
        }
        if (ref >>> 24 == tag && idAt(TaggedSlots.entryOf(ref)) == id) {
          return TaggedSlots.entryOf(ref);
        }
      }
    }

    private int add(long id, long hash) {
      int d = size;
      if (d == TaggedSlots.MAX_ENTRIES) {
        throw new IllegalStateException("a part of a profile's index holds at most " + TaggedSlots.MAX_ENTRIES
            + " entities");
      }
      if (at(d + 1) > records.length) {
        records = Arrays.copyOf(records, RECORD_BASE + Math.max(EntryTable.CHUNK, d * 2) * stride);
      }
      if ((d & EntryTable.CHUNK_MASK) == 0) {
        rank.allocate(d >>> EntryTable.CHUNK_SHIFT, EntryTable.CHUNK);
      }
      if ((d + 1) * 4L > slots.length * 3L) {
        slots = TaggedSlots.rehash(slots, slots.length * 2, this::idAt);
      }
      int o = at(d);
      records[o + ID] = id;
      for (int s = 0; s < layouts.length; s++) {
        records[o + FIRST_SIGNAL + 2 * s] = 0;
        records[o + FIRST_SIGNAL + 2 * s + 1] = ABSENT;
      }
      rank.added(d);
      TaggedSlots.place(slots, hash, TaggedSlots.ref(hash, d));
      size++;
      return d;
    }

    /** Drops entity {@code d} (its id hashes to {@code hash}): the last entity takes its number. */
    private void drop(int d, long hash) {
      rank.unlink(d);
      TaggedSlots.unplace(slots, d, hash, this::idAt);
      int last = size - 1;
      if (d != last) {
        rank.moved(last, d);
        System.arraycopy(records, at(last), records, at(d), stride);
        TaggedSlots.renumber(slots, EntryTable.hash(idAt(d)), last, d);
      }
      size--;
    }
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.ScoredEntity;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.function.BooleanSupplier;
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
 * the answer. Unfiltered, a bucket whose bound with the other signals' bounds falls below the k-th
 * best is skipped whole (an entity not yet met in a walk reads at most that walk's bound); the
 * entities of the others are scored in batches ({@link Met}), by bounds first and reads after: each
 * is known at first by its bucket's bound and the home bits of its id ({@link RankIndex#member}),
 * which bound its other signals by their home-slot levels ({@link EntryTable#levelAt}) without a
 * record read; most fall below the k-th best there, and only the rest have their records read. An
 * unfiltered walk keeps no set of the entities met: one met again in a second walk is dropped or
 * scored again, and the heap keeps each entity once.
 *
 * <p>A filtered walk (and a walk of one signal) copies each step's entries (ids, raw scores, times)
 * in one pass ({@link Bucket}): the bucket is an array, so the loads of the entries' records overlap.
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
   * The best {@code k} entities under {@code ranking} that pass {@code filter} (null: all). An
   * unfiltered walk of several signals splits the entities in {@value #PARTS} parts
   * by their hash, walked at once by this thread and a thread of {@code helpers} (null: one after
   * the other, on this thread). Each part's entities have their entries for every signal in
   * stripes of their own ({@link #partStripe}), so a part's walk is a threshold walk of those
   * stripes' indexes and its heap the exact best k of its entities; the parts share the highest
   * k-th best either has found, which is a cut for both (k entities of one part beat whatever falls
   * below it), and the answer is the best k of their heaps. Both walks run under the read locks this
   * thread takes, one consistent cut.
   *
   * @return null when the walk (a part's) met {@code budget} entries without proving the answer
   */
  static List<ScoredEntity> top(SignalLedger ledger, Ranking ranking, int k, long atNanos, LongPredicate filter,
      int budget, ExecutorService helpers) {
    if (filter != null || ranking.signals.length == 1) {
      return top(ledger, ranking, k, atNanos, filter, budget, Met.BATCH);
    }
    return inParts(ledger, ranking, k, atNanos, budget, Met.BATCH, helpers);
  }

  /** Parts of the entities an unfiltered walk of several signals is split in. */
  static final int PARTS = 2;

  /**
   * The walk in {@link #PARTS} parts, scoring in batches of {@code batch} (tests use small ones,
   * and no helpers).
   *
   * @return null when a part met {@code budget} entries without proving its answer
   */
  static List<ScoredEntity> inParts(SignalLedger ledger, Ranking ranking, int k, long atNanos, int budget, int batch,
      ExecutorService helpers) {
    if (ledger.stripeCount() < PARTS) {
      return top(ledger, ranking, k, atNanos, null, budget, batch); // one stripe holds every part
    }
    Cut[] cuts = new Cut[PARTS];
    AtomicLong shared = new AtomicLong(Double.doubleToLongBits(Double.NEGATIVE_INFINITY));
    for (int p = 0; p < PARTS; p++) {
      cuts[p] = new Cut(new TopK(k, true), shared);
    }
    BooleanSupplier second = () -> walkLocked(ledger, ranking, cuts[1], null, atNanos, budget, batch, 1);
    long[] stamps = lockAll(ledger);
    try {
      HelperTask<Boolean> helper = HelperTask.offer(helpers, second::getAsBoolean, Boolean.FALSE);
      boolean proved;
      try {
        proved = walkLocked(ledger, ranking, cuts[0], null, atNanos, budget, batch, 0);
      } catch (RuntimeException | Error e) {
        if (helper != null && !helper.withdraw()) {
          helper.awaitEnd();
        }
        throw e;
      }
      boolean other = helper == null || helper.withdraw() ? proved && second.getAsBoolean() : helper.awaitEnd();
      if (!proved || !other) {
        return null;
      }
    } finally {
      unlockAll(ledger, stamps);
    }
    cuts[0].top.addAll(cuts[1].top);
    return cuts[0].top.drainBestFirst();
  }

  /**
   * {@return whether stripe {@code stripe}'s table of signal {@code typeId} holds entries of part
   * {@code part}}: the entities whose hash's stripe bits are {@code part} modulo {@link #PARTS}
   * have their entry for signal {@code typeId} in the stripes {@code (part + typeId) mod PARTS}
   * ({@link SignalLedger#stripeIndex}); {@code part} -1 is every entity.
   */
  static boolean partStripe(int stripe, int typeId, int part) {
    return part < 0 || (stripe & (PARTS - 1)) == ((part + typeId) & (PARTS - 1));
  }

  /**
   * The k-th best a walk of one part of the entities cuts by: its own heap's, or the highest another
   * part's heap has published, whichever is higher (k entities beat a score strictly below either).
   */
  static final class Cut {
    final TopK top;
    /** The highest k-th best any part has published, as double bits; null for a walk of all entities. */
    private final AtomicLong shared;

    Cut(TopK top, AtomicLong shared) {
      this.top = top;
      this.shared = shared;
    }

    /** {@return whether there is a cut: some heap holds k} */
    boolean known() {
      return top.isFull() || shared != null && sharedWorst() > Double.NEGATIVE_INFINITY;
    }

    /** {@return the cut; meaningful when {@link #known()}} */
    double worst() {
      double own = top.isFull() ? top.worstScore() : Double.NEGATIVE_INFINITY;
      return shared == null ? own : Math.max(own, sharedWorst());
    }

    private double sharedWorst() {
      return Double.longBitsToDouble(shared.get());
    }

    /** Publishes this part's k-th best, if its heap is full and it is higher than the one shared. */
    void publish() {
      if (shared == null || !top.isFull()) {
        return;
      }
      double worst = top.worstScore();
      long seen = shared.get();
      while (Double.longBitsToDouble(seen) < worst && !shared.compareAndSet(seen, Double.doubleToLongBits(worst))) {
        seen = shared.get();
      }
    }
  }

  /**
   * The same, scoring the entities met in batches of {@code batch} (tests use small ones, so that
   * small ledgers take every path a large one takes).
   */
  static List<ScoredEntity> top(SignalLedger ledger, Ranking ranking, int k, long atNanos, LongPredicate filter,
      int budget, int batch) {
    if (filter == null) {
      // several signals: an entity met in two walks may be scored twice; the heap keeps it once
      TopK top = new TopK(k, ranking.signals.length > 1);
      return walk(ledger, ranking, new Cut(top, null), null, atNanos, budget, batch) ? top.drainBestFirst() : null;
    }
    // a walk collects at most its pass, and a step's buckets more
    return filtered(k, filter, ranking, ledger.layout(ranking.signals[0]), atNanos, budget, Bucket.ENTRIES,
        (top, collected, pass) -> walk(ledger, ranking, new Cut(top, null), collected, atNanos, pass, batch));
  }

  /** One pass of a filtered walk, under the walk's locks. */
  @FunctionalInterface
  interface FilteredPass {
    /**
     * Collects into {@code collected} the entities met with their scores, and the threshold before
     * each step, reading at most {@code budget} entities (and one step's more).
     *
     * @return whether the pass met every entity that may make the cut
     */
    boolean walk(TopK top, WalkCandidates collected, int budget);
  }

  /**
   * The best {@code k} entities that pass {@code filter}, by passes that collect entities under the
   * walk's locks and offer them to the filter after it: the first pass collects
   * {@value #FILTERED_FIRST_PASS_PER_K} per entity asked for (at least 1,024), each later one four
   * times as many, up to {@code budget}.
   *
   * @param first the layout of the ranking's first signal, for a walk of one signal ({@link WalkCandidates#offer})
   * @param overshoot how many entities a pass may collect beyond its budget
   * @return null when a pass of {@code budget} entities did not prove the answer
   */
  static List<ScoredEntity> filtered(int k, LongPredicate filter, Ranking ranking, SignalLayout first, long atNanos,
      int budget, int overshoot, FilteredPass walk) {
    long pass = Math.min(budget, Math.max(1024L, (long) FILTERED_FIRST_PASS_PER_K * k));
    while (true) {
      WalkCandidates collected = new WalkCandidates((int) Math.min(pass + overshoot, 1 << 16));
      TopK top = new TopK(k);
      boolean complete = walk.walk(top, collected, (int) pass);
      if (collected.offer(top, filter, ranking, first, atNanos) || complete) {
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
  private static boolean walk(SignalLedger ledger, Ranking ranking, Cut cut, WalkCandidates collected, long atNanos,
      int budget, int batch) {
    long[] stamps = lockAll(ledger);
    try {
      return walkLocked(ledger, ranking, cut, collected, atNanos, budget, batch, -1);
    } finally {
      unlockAll(ledger, stamps);
    }
  }

  /** Takes every stripe's read lock, in stripe order; {@return their stamps} */
  private static long[] lockAll(SignalLedger ledger) {
    int stripes = ledger.stripeCount();
    long[] stamps = new long[stripes];
    int locked = 0;
    try {
      for (; locked < stripes; locked++) {
        stamps[locked] = ledger.stripeAt(locked).lock.readLock();
      }
      return stamps;
    } catch (RuntimeException | Error e) {
      for (int i = 0; i < locked; i++) {
        ledger.stripeAt(i).lock.unlockRead(stamps[i]);
      }
      throw e;
    }
  }

  private static void unlockAll(SignalLedger ledger, long[] stamps) {
    for (int i = 0; i < stamps.length; i++) {
      ledger.stripeAt(i).lock.unlockRead(stamps[i]);
    }
  }

  /**
   * {@link #walk} under the read locks the caller holds, of part {@code part} of the entities
   * ({@link #partStripe}; -1: all of them), cut by {@code cut}.
   */
  private static boolean walkLocked(SignalLedger ledger, Ranking ranking, Cut cut, WalkCandidates collected,
      long atNanos, int budget, int batch, int part) {
    TopK top = cut.top;
    int signals = ranking.signals.length;
    Walk[] walks = new Walk[signals];
    for (int s = 0; s < signals; s++) {
      walks[s] = new Walk(ledger, ranking.signals[s], atNanos, part);
    }
    double[] weightOn = new double[signals];
    for (int t = 0; t < ranking.termCount; t++) {
      weightOn[ranking.signalOf[t]] += ranking.weights[t];
    }
    boolean several = signals > 1;
    // filtered, the filter sees each entity once; unfiltered, the distinct heap stands for this set
    LongIntMap seen = several && collected != null ? new LongIntMap() : null;
    Bucket bucket = new Bucket();
    SignalLayout[] layouts = new SignalLayout[signals];
    for (int s = 0; s < signals; s++) {
      layouts[s] = ledger.layout(ranking.signals[s]);
    }
    Met met = signals > 1 ? new Met(ledger, ranking.signals, layouts, atNanos) : null;
    double[] values = new double[ranking.termCount];
    // the first batch fills the heap, whose k-th best is the cut of the next: a cut found early
    // drops more of the entities met after it, so batches start small and double
    int due = Math.min(batch, Math.max(top.k(), 1));
    while (true) {
      boolean left = false;
      for (int t = 0; t < ranking.termCount; t++) {
        Walk walk = walks[ranking.signalOf[t]];
        left |= walk.best >= 0;
        values[t] = walk.boundLeft();
      }
      double threshold = left ? ranking.combine(values) : Double.NEGATIVE_INFINITY;
      if (collected == null) {
        if (!left || (cut.known() && cut.worst() > threshold)) {
          // the entities met but not yet scored may still make the cut; scoring them only raises the k-th best
          if (met != null) {
            met.score(ledger, ranking, walks, weightOn, cut, null);
          }
          return true;
        }
      } else {
        if (!left) {
          return true;
        }
        collected.step(threshold);
      }
      int s = signals == 1 ? 0 : next(walks, weightOn);
      int size = bucket.take(walks[s]);
      if ((budget -= size) < 0) {
        return false;
      }
      if (several && collected == null) {
        met.addBuckets(bucket, s, walks, ranking, values, cut);
        size = 0;
      } else {
        bucket.copy();
      }
      for (int n = 0; n < size; n++) {
        long id = bucket.ids[n];
        if (!several && collected != null) {
          // one signal, filtered: the read ({@code exp}) waits for the filter, after the locks
          collected.addRaw(id, bucket.scores[n], bucket.lasts[n]);
          continue;
        }
        double own = layouts[s].readAt(bucket.scores[n], bucket.lasts[n], atNanos);
        if (!several) {
          Arrays.fill(values, own);
          double score = ranking.combine(values);
          if (collected == null) {
            top.offer(id, score);
          } else {
            collected.add(id, score);
          }
          continue;
        }
        // several signals, filtered (the unfiltered walk adds whole buckets above): each entity once
        if (seen.add(id)) {
          met.add(id, s, own, walks);
        }
      }
      // unfiltered, the entities met are scored in batches of several buckets (their reads overlap);
      // filtered, before the next step, whose threshold must follow every entity met before it
      if (met != null && (collected != null || met.size >= due)) {
        met.score(ledger, ranking, walks, weightOn, cut, collected);
        due = Math.min(batch, 2 * due);
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

  /**
   * One signal's rank indexes, one per stripe, walked together from the highest bucket bound down:
   * the stripes with buckets left are in a heap by their next bucket's bound.
   */
  private static final class Walk {
    final EntryTable[] tables;
    /** Per table, the next bucket to visit ({@link RankIndex#BUCKETS}: none left) and its bound. */
    final int[] cursor;
    final double[] bounds;
    private final long atNanos;
    /** The tables with buckets left, a max-heap by {@link #bounds}. */
    private final int[] heap;
    private int heapSize;
    /** The table whose next bucket has the highest bound, or -1 when every table is walked. */
    int best;
    /** {@link #drop()} of the current best, or NaN until asked. */
    private double drop = Double.NaN;
    /** The highest bound at the start less the lowest bound of any bucket: how much reading the signal can tell. */
    final double span;
    /** Per table, the bound of its bucket 0 at the query's instant, which scales to the others' ({@link RankIndex#bound(int, long, double)}); NaN until asked. */
    private final double[] tops;

    /** The walk of signal {@code typeId}'s tables that hold entries of part {@code part} ({@link #partStripe}; -1: all). */
    Walk(SignalLedger ledger, int typeId, long atNanos, int part) {
      int all = ledger.stripeCount();
      int stripes = part < 0 ? all : all / PARTS;
      this.tables = new EntryTable[stripes];
      this.cursor = new int[stripes];
      this.bounds = new double[stripes];
      this.heap = new int[stripes];
      this.tops = new double[stripes];
      Arrays.fill(tops, Double.NaN);
      this.atNanos = atNanos;
      double highest = 0;
      double lowest = Double.POSITIVE_INFINITY;
      for (int i = 0, stripe = 0; i < stripes; i++, stripe++) {
        while (!partStripe(stripe, typeId, part)) {
          stripe++;
        }
        tables[i] = ledger.stripeAt(stripe).tables[typeId];
        RankIndex rank = tables[i].rank;
        cursor[i] = rank.first();
        bounds[i] = bound(i);
        if (cursor[i] < RankIndex.BUCKETS) {
          heap[heapSize] = i;
          siftUp(heapSize++);
          highest = Math.max(highest, bounds[i]);
          lowest = Math.min(lowest, bucketBound(i, rank.lowest()));
        }
      }
      span = heapSize == 0 ? 0 : highest - lowest;
      best = heapSize > 0 ? heap[0] : -1;
    }

    private double bound(int i) {
      return cursor[i] < RankIndex.BUCKETS ? bucketBound(i, cursor[i]) : Double.NEGATIVE_INFINITY;
    }

    /** {@return a bound on the read at the query's instant of every entry in bucket {@code j} of table {@code i}} */
    private double bucketBound(int i, int j) {
      double top = tops[i];
      if (top != top) {
        top = tops[i] = tables[i].rank.bound(0, atNanos);
      }
      return tables[i].rank.bound(j, atNanos, top);
    }

    /** The highest bound left on this signal (an entity not met here yet reads at most that), 0 once walked to its end. */
    double boundLeft() {
      return best >= 0 ? bounds[best] : 0;
    }

    /** How far the best table's bound falls past its next bucket (an estimate: the bucket below may be empty). */
    double drop() {
      if (Double.isNaN(drop)) {
        int j = cursor[best];
        double below = j + 1 < RankIndex.BUCKETS ? bucketBound(best, j + 1) : 0;
        drop = bounds[best] - below;
      }
      return drop;
    }

    /** The entries in the best table's next bucket. */
    int entries() {
      return tables[best].rank.size(cursor[best]);
    }

    /** Moves table {@code i}, the best, past the bucket just visited. */
    void advance(int i) {
      cursor[i] = tables[i].rank.nextBucket(cursor[i]);
      bounds[i] = bound(i);
      if (cursor[i] >= RankIndex.BUCKETS) {
        heap[0] = heap[--heapSize];
      }
      if (heapSize > 0) {
        siftDown(0);
      }
      best = heapSize > 0 ? heap[0] : -1;
      drop = Double.NaN;
    }

    private void siftUp(int from) {
      int at = from;
      int i = heap[at];
      while (at > 0) {
        int parent = (at - 1) >>> 1;
        if (!(bounds[i] > bounds[heap[parent]])) {
          break;
        }
        heap[at] = heap[parent];
        at = parent;
      }
      heap[at] = i;
    }

    private void siftDown(int from) {
      int at = from;
      int i = heap[at];
      while (true) {
        int child = 2 * at + 1;
        if (child >= heapSize) {
          break;
        }
        if (child + 1 < heapSize && bounds[heap[child + 1]] > bounds[heap[child]]) {
          child++;
        }
        if (!(bounds[heap[child]] > bounds[i])) {
          break;
        }
        heap[at] = heap[child];
        at = child;
      }
      heap[at] = i;
    }
  }

  /**
   * The buckets of one step, and a copy of their entries' ids, raw scores and times. A step takes
   * the best buckets of one signal, up to {@value #BUCKETS} of them or {@value #ENTRIES} entries
   * (the bound left is checked after the step: visiting a few buckets more than needed is exact,
   * just more work), and copies their entries in one tight pass: the buckets are arrays, so the
   * loads of the entries' records overlap instead of waiting on the work done for each.
   */
  private static final class Bucket {
    static final int BUCKETS = 16;
    static final int ENTRIES = 64;

    final EntryTable[] tables = new EntryTable[BUCKETS];
    /** Per bucket taken: its number in its table, the table's place in the walk ({@link Walk#tables}), and its bound. */
    final int[] numbers = new int[BUCKETS];
    final int[] walkTables = new int[BUCKETS];
    final double[] bounds = new double[BUCKETS];
    int taken;
    int size;
    long[] ids = new long[4 * ENTRIES];
    double[] scores = new double[4 * ENTRIES];
    long[] lasts = new long[4 * ENTRIES];

    /** Takes the walk's best buckets past it; {@return the entries in them} */
    int take(Walk walk) {
      taken = 0;
      size = 0;
      do {
        int i = walk.best;
        EntryTable table = walk.tables[i];
        tables[taken] = table;
        walkTables[taken] = i;
        bounds[taken] = walk.bounds[i];
        numbers[taken++] = walk.cursor[i];
        size += table.rank.size(walk.cursor[i]);
        walk.advance(i);
      } while (taken < BUCKETS && size < ENTRIES && walk.best >= 0);
      return size;
    }

    /** Copies the entries of the buckets taken. */
    void copy() {
      if (size > ids.length) {
        int grown = Math.max(size, ids.length * 2);
        ids = new long[grown];
        scores = new double[grown];
        lasts = new long[grown];
      }
      int n = 0;
      for (int b = 0; b < taken; b++) {
        EntryTable table = tables[b];
        RankIndex rank = table.rank;
        long[] members = rank.members(numbers[b]);
        for (int m = 0, end = rank.size(numbers[b]); m < end; m++) {
          int d = RankIndex.numberOf(members[RankIndex.FIRST_MEMBER + m]);
          ids[n] = table.keyAt(d);
          scores[n] = table.scoreAt(d);
          lasts[n++] = table.lastAt(d);
        }
      }
    }
  }

  /**
   * The entities met and not yet scored, to score in full in batches. An unfiltered walk of several
   * signals adds whole buckets ({@link #addBuckets}): an entity is known by its bucket's bound on the
   * signal it was met on, its entry number there and the bits of its id's hash that name its home
   * slot in any table ({@link RankIndex#member}), and no record is read yet. A filtered walk adds
   * entities it has read ({@link #add}). Scoring, with the k-th best as the cut once the heap is full:
   * <ol>
   *   <li>the bounds of every other signal's home-slot level ({@link LevelBounds#boundOf}), one
   *       signal at a time, the one that can tell the most first; an entity whose bounded score
   *       falls below the k-th best is dropped before the next (most are: no record of theirs is read);
   *   <li>the records of the entities left on the signal they were met on: their ids and exact reads;
   *   <li>the other signals read for all of them together ({@link SignalLedger#decayScores}, whose
   *       cache misses overlap), each value exactly what a point read gives, one signal at a time,
   *       dropping as above.
   * </ol>
   * The survivors' scores are summed in the profile's term order as {@link Ranking#score} sums them.
   * The first batch is scored once it can fill the heap (k entities met), and each next one is
   * twice as large up to {@value #BATCH}: the entities of a batch are cut by the k-th best of the
   * batches before it, which the first few raise the most.
   */
  private static final class Met {
    /** Entities met before an unfiltered walk scores them. */
    static final int BATCH = 512;

    /** The entity's id; 0 until its record is read, for an entity added by its bucket. */
    long[] ids = new long[2 * BATCH];
    /** The signal each entity was met on. */
    int[] on = new int[2 * BATCH];
    /** For an entity added by its bucket: its entry number, or -1 once its record is read. */
    private int[] numbers = new int[2 * BATCH];
    /** For an entity added by its bucket: the place in the walk of {@link #on} of its entry's table ({@link Walk#tables}). */
    private int[] walkTables = new int[2 * BATCH];
    /** For an entity added by its bucket: the bits of its hash that name its home slots ({@link RankIndex#homeHashOf}). */
    private long[] hashes = new long[2 * BATCH];
    /** {@code reads[s]}: the s-th signal's reads (or bounds, until read) of the entities met. */
    double[][] reads;
    int size;
    private long[] pending = new long[2 * BATCH];
    private int[] where = new int[2 * BATCH];
    private double[] out = new double[2 * BATCH];
    private long[] records = new long[3 * 2 * BATCH];
    /** The entities not yet dropped, in the order met: indexes into the arrays above, which never move. */
    private int[] live = new int[2 * BATCH];
    /** The bounds an entity added by {@link #addBuckets} starts with, per signal. */
    private final double[] initial;

    private final SignalLayout[] layouts;
    /** Per signal, its bounds by key level at the query's instant. */
    private final LevelBounds[] levels;
    private final long atNanos;

    Met(SignalLedger ledger, int[] typeIds, SignalLayout[] layouts, long atNanos) {
      this.layouts = layouts;
      this.atNanos = atNanos;
      reads = new double[layouts.length][2 * BATCH];
      initial = new double[layouts.length];
      levels = new LevelBounds[layouts.length];
      for (int s = 0; s < layouts.length; s++) {
        levels[s] = ledger.levelBounds(typeIds[s], atNanos);
      }
    }

    private void room(int more) {
      if (size + more <= ids.length) {
        return;
      }
      int grown = Math.max(size + more, size * 2);
      ids = Arrays.copyOf(ids, grown);
      on = Arrays.copyOf(on, grown);
      numbers = Arrays.copyOf(numbers, grown);
      walkTables = Arrays.copyOf(walkTables, grown);
      hashes = Arrays.copyOf(hashes, grown);
      pending = Arrays.copyOf(pending, grown);
      where = Arrays.copyOf(where, grown);
      out = Arrays.copyOf(out, grown);
      records = Arrays.copyOf(records, 3 * grown);
      live = Arrays.copyOf(live, grown);
      for (int s = 0; s < reads.length; s++) {
        reads[s] = Arrays.copyOf(reads[s], grown);
      }
    }

    /** Adds an entity read on {@code signal}: {@code own} is its exact read there. */
    void add(long id, int signal, double own, Walk[] walks) {
      room(1);
      ids[size] = id;
      on[size] = signal;
      numbers[size] = -1; // its record is read; its hash is never needed: a filtered walk drops nothing on levels
      for (int s = 0; s < reads.length; s++) {
        Walk walk = walks[s];
        reads[s][size] = s == signal ? own : walk.boundLeft();
      }
      size++;
    }

    /**
     * Adds the entities of the buckets {@code bucket} took on {@code signal}, each bounded by its
     * bucket, but not those of a bucket whose bound with the other signals' cannot make the cut.
     */
    void addBuckets(Bucket bucket, int signal, Walk[] walks, Ranking ranking, double[] values, Cut cut) {
      room(bucket.size);
      for (int s = 0; s < walks.length; s++) {
        initial[s] = walks[s].boundLeft();
      }
      for (int t = 0; t < ranking.termCount; t++) {
        values[t] = initial[ranking.signalOf[t]];
      }
      for (int b = 0; b < bucket.taken; b++) {
        RankIndex rank = bucket.tables[b].rank;
        int j = bucket.numbers[b];
        double bound = bucket.bounds[b];
        for (int t = 0; t < ranking.termCount; t++) {
          if (ranking.signalOf[t] == signal) {
            values[t] = bound;
          }
        }
        // an entity met in this walk first is at most the other walks' bounds there (met before in
        // another walk: it was scored or rightly dropped then; dropped or scored again now, no harm)
        if (cut.known() && ranking.combine(values) < cut.worst()) {
          continue;
        }
        long[] members = rank.members(j);
        int walkTable = bucket.walkTables[b];
        int end = rank.size(j);
        initial[signal] = bound;
        for (int s = 0; s < reads.length; s++) {
          Arrays.fill(reads[s], size, size + end, initial[s]);
        }
        Arrays.fill(on, size, size + end, signal);
        Arrays.fill(walkTables, size, size + end, walkTable);
        for (int m = 0; m < end; m++) {
          long member = members[RankIndex.FIRST_MEMBER + m];
          numbers[size + m] = RankIndex.numberOf(member);
          hashes[size + m] = RankIndex.homeHashOf(member);
        }
        size += end;
      }
    }

    /** Scores the entities met and offers them to {@code collected}, or else to {@code top}; empties the batch. */
    void score(SignalLedger ledger, Ranking ranking, Walk[] walks, double[] weightOn, Cut cut,
        WalkCandidates collected) {
      TopK top = cut.top;
      int signals = reads.length;
      int alive = size;
      for (int m = 0; m < alive; m++) {
        live[m] = m;
      }
      boolean cutting = collected == null && cut.known();
      if (cutting) {
        // the other signals' home-slot levels, from arrays a sixteenth the size of the records
        boolean[] bounded = new boolean[signals];
        for (int stage = 0; stage < signals && alive > 0; stage++) {
          int s = mostTelling(bounded, walks, weightOn);
          bounded[s] = true;
          int n = gather(s, alive, hashes);
          if (n == 0) {
            continue;
          }
          levels[s].boundsOf(pending, n, out);
          double[] into = reads[s];
          for (int k = 0; k < n; k++) {
            into[where[k]] = Math.min(into[where[k]], out[k]);
          }
          alive = dropBelow(ranking, cut, alive);
        }
      }
      if (readOwn(walks, alive) && cutting) {
        alive = dropBelow(ranking, cut, alive);
      }
      boolean[] read = new boolean[signals];
      for (int stage = 0; stage < signals && alive > 0; stage++) {
        int s = mostTelling(read, walks, weightOn);
        read[s] = true;
        int n = gather(s, alive, ids);
        ledger.decayScores(ranking.signals[s], pending, n, atNanos, out);
        double[] into = reads[s];
        for (int k = 0; k < n; k++) {
          into[where[k]] = out[k];
        }
        if (cutting && stage + 1 < signals) {
          alive = dropBelow(ranking, cut, alive);
        }
      }
      for (int i = 0; i < alive; i++) {
        int m = live[i];
        double score = combine(ranking, m);
        if (collected == null) {
          top.offer(ids[m], score);
        } else {
          collected.add(ids[m], score);
        }
      }
      size = 0;
      cut.publish();
    }

    /**
     * Puts in {@link #pending} the {@code keys} (ids or hashes) of the {@code alive} entities left
     * that were not met on signal {@code s}, and in {@link #where} their places; {@return how many}
     */
    private int gather(int s, int alive, long[] keys) {
      int n = 0;
      for (int i = 0; i < alive; i++) {
        int m = live[i];
        if (on[m] != s) {
          pending[n] = keys[m];
          where[n++] = m;
        }
      }
      return n;
    }

    /**
     * Reads the records of the {@code alive} entities left that were added by their buckets, on the
     * signal they were met on: their ids, and their exact reads there (under the walk's locks).
     * {@return whether any was read}
     */
    private boolean readOwn(Walk[] walks, int alive) {
      boolean any = false;
      // the loads first, in one pass, so that their cache misses overlap
      for (int i = 0; i < alive; i++) {
        int m = live[i];
        if (numbers[m] >= 0) {
          walks[on[m]].tables[walkTables[m]].readHot(numbers[m], records, 3 * m);
          any = true;
        }
      }
      for (int i = 0; i < alive; i++) {
        int m = live[i];
        if (numbers[m] >= 0) {
          ids[m] = records[3 * m];
          reads[on[m]][m] = layouts[on[m]].readAt(Double.longBitsToDouble(records[3 * m + 2]), records[3 * m + 1],
              atNanos);
          numbers[m] = -1;
        }
      }
      return any;
    }

    /** The signal not yet {@code done} whose read can tell the most: the highest weight times span. */
    private static int mostTelling(boolean[] done, Walk[] walks, double[] weightOn) {
      int s = -1;
      for (int c = 0; c < done.length; c++) {
        if (!done[c] && (s < 0 || weightOn[c] * walks[c].span > weightOn[s] * walks[s].span)) {
          s = c;
        }
      }
      return s;
    }

    /**
     * Drops, of the {@code alive} entities left, those whose score, with the signals not yet read at
     * their bounds, cannot make the cut; {@return how many are left}
     */
    private int dropBelow(Ranking ranking, Cut cut, int alive) {
      double worst = cut.worst();
      int kept = 0;
      for (int i = 0; i < alive; i++) {
        int m = live[i];
        if (!(combine(ranking, m) < worst)) {
          live[kept++] = m;
        }
      }
      return kept;
    }

    /** {@link Ranking#combine} of entity {@code m}'s reads (or bounds): the same sum, in the same order. */
    private double combine(Ranking ranking, int m) {
      double[] weights = ranking.weights;
      int[] signalOf = ranking.signalOf;
      double sum = 0;
      for (int t = 0; t < weights.length; t++) {
        sum += weights[t] * reads[signalOf[t]][m];
      }
      return sum;
    }
  }
}

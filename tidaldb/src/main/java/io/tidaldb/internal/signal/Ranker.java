package io.tidaldb.internal.signal;

import io.tidaldb.RankingProfile;
import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDbException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * Answers top-k queries exactly: by the signals' rank indexes when every term is a decayed score
 * with a positive weight and there is no filter ({@link #indexedTop}), else (or when the index walk
 * gives up) with a scan of the ledger: every entry of every signal of the
 * profile is scored, and a bounded heap keeps the best k. A large ledger is scanned by the calling
 * thread and the helper threads of a small pool together, stripe by stripe; the pool's daemon
 * threads ({@code tidaldb-ranking-N}) start with the first large query and end with {@link #close()}.
 *
 * <p>Each stripe's table is copied (entity ids and the values of the profile's terms on that signal)
 * under the stripe's optimistic stamp, or its read lock when a write got in the way; the terms on
 * other signals are then read by point reads, with no lock held. An entity with entries for several
 * of the profile's signals is scored once: from its first signal in the profile's order.
 *
 * <p>A profile of one decayed score with a positive weight (the most common question: "the most
 * viewed") copies each entry's raw score and time instead, and skips the exact read ({@code exp})
 * of every entry whose cheap upper bound ({@link SignalLayout#readBound}) cannot beat the k-th best
 * kept so far; the entries read are read exactly as {@code decayScore} reads them.
 */
final class Ranker implements AutoCloseable {

  /** Below this many ledger entries the calling thread scans alone: handing work over costs more. */
  static final long PARALLEL_ENTRIES = 1 << 16;
  private static final long CLOSE_TIMEOUT_SECONDS = 10;

  private final SignalLedger ledger;
  private final int helpers;
  /**
   * Entries an index walk may read before it gives up for the scan: the walk holds every stripe's
   * read lock, so it must stay short; data the index cannot cut short (most entries with nearly the
   * same score, a threshold that falls slowly) is scanned instead, on every core, without them.
   */
  static final int INDEX_BUDGET = 1 << 14;
  private final int indexBudget;
  private final LongAdder indexedQueries = new LongAdder();
  /** The pool's threads, so that {@link #close()} returns once they have ended. */
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final LongAdder scannedQueries = new LongAdder();
  private ThreadPoolExecutor pool;
  private boolean closed;

  Ranker(SignalLedger ledger) {
    this(ledger, INDEX_BUDGET);
  }

  /** A ranker whose index walks give up after reading {@code indexBudget} entries (tests use small ones). */
  Ranker(SignalLedger ledger, int indexBudget) {
    this.ledger = ledger;
    this.indexBudget = indexBudget;
    this.helpers = Math.min(Runtime.getRuntime().availableProcessors() - 1, SignalLedger.MAX_STRIPES - 1);
  }

  /** The best {@code k} entities under {@code ranking} at {@code atNanos} that pass {@code filter} (null: all). */
  List<ScoredEntity> top(Ranking ranking, int k, long atNanos, LongPredicate filter) {
    if (filter == null && k <= indexBudget && indexable(ranking)) {
      List<ScoredEntity> top = indexedTop(ranking, k, atNanos);
      if (top != null) {
        indexedQueries.increment();
        return top;
      }
    }
    scannedQueries.increment();
    int stripes = ledger.stripeCount();
    AtomicInteger next = new AtomicInteger();
    List<Future<TopK>> helping = new ArrayList<>();
    ExecutorService executor = ledger.size() >= PARALLEL_ENTRIES ? pool() : null;
    if (executor != null) {
      for (int h = 0; h < Math.min(helpers, stripes - 1); h++) {
        try {
          helping.add(executor.submit(() -> scan(ranking, k, atNanos, filter, next, stripes)));
        } catch (RejectedExecutionException closing) {
          break;
        }
      }
    }
    TopK best;
    try {
      best = scan(ranking, k, atNanos, filter, next, stripes);
    } catch (RuntimeException | Error e) {
      next.set(stripes);
      awaitQuietly(helping);
      throw e;
    }
    for (Future<TopK> f : helping) {
      best.addAll(await(f, helping));
    }
    return best.drainBestFirst();
  }

  /**
   * Whether the rank indexes answer the profile: every term a decayed score with a positive weight,
   * so that the score grows with each signal's read and bounds on the reads bound the score. A
   * filter keeps the scan: it is the caller's code, not to be run under the ledger's locks.
   */
  static boolean indexable(Ranking ranking) {
    for (int t = 0; t < ranking.termCount; t++) {
      if (ranking.kinds[t] != RankingProfile.Kind.DECAY_SCORE || !(ranking.weights[t] > 0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Top-k by the signals' {@link RankIndex}es, under every stripe's read lock (a consistent cut of
   * the whole ledger, held for the query). Each signal's indexes, one per stripe, are merged into one
   * walk from the highest bucket bound down ({@link Walk}). One signal: visit the best bucket left,
   * read its entries exactly, and stop when the k-th best kept beats the best bound left (strictly:
   * an equal score with a smaller id might still come). Several signals: Fagin's threshold
   * algorithm: a bucket of each signal in turn, every entity met there scored in full by point
   * reads (once), until the k-th best beats the profile's score of the signals' best bounds left
   * (0 for a signal walked to its end: an entity not met there has no entry for it).
   *
   * @return null when the walk read {@link #indexBudget} entries without proving the answer
   */
  private List<ScoredEntity> indexedTop(Ranking ranking, int k, long atNanos) {
    int stripes = ledger.stripeCount();
    long[] stamps = new long[stripes];
    int locked = 0;
    try {
      for (; locked < stripes; locked++) {
        stamps[locked] = ledger.stripeAt(locked).lock.readLock();
      }
      TopK top = new TopK(k);
      int signals = ranking.signals.length;
      Walk[] walks = new Walk[signals];
      for (int s = 0; s < signals; s++) {
        walks[s] = new Walk(ledger, ranking.signals[s], atNanos);
      }
      SeenSet seen = signals > 1 ? new SeenSet() : null;
      int budget = indexBudget;
      SignalLayout layout = ledger.layout(ranking.signals[0]);
      double[] values = new double[ranking.termCount];
      while (true) {
        boolean left = false;
        for (int t = 0; t < ranking.termCount; t++) {
          Walk walk = walks[ranking.signalOf[t]];
          left |= walk.best >= 0;
          values[t] = walk.best >= 0 ? walk.bounds[walk.best] : 0;
        }
        if (!left || (top.isFull() && top.worstScore() > ranking.combine(values))) {
          break;
        }
        for (Walk walk : walks) {
          int i = walk.best;
          if (i < 0) {
            continue;
          }
          EntryTable table = walk.tables[i];
          RankIndex rank = table.rank;
          for (int d = rank.head(walk.cursor[i]); d >= 0; d = rank.next(d)) {
            if (--budget < 0) {
              return null;
            }
            long id = table.keyAt(d);
            if (seen == null) {
              Arrays.fill(values, layout.readAt(table.scoreAt(d), table.lastAt(d), atNanos));
              top.offer(id, ranking.combine(values));
            } else if (seen.add(id)) {
              top.offer(id, ranking.score(ledger, id, atNanos));
            }
          }
          walk.advance(i);
        }
      }
      return top.drainBestFirst();
    } finally {
      for (int i = 0; i < locked; i++) {
        ledger.stripeAt(i).lock.unlockRead(stamps[i]);
      }
    }
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

  /** The entities a threshold query has scored: an open-addressing set of longs. */
  private static final class SeenSet {
    private long[] keys = new long[1024];
    private boolean[] used = new boolean[1024];
    private int size;

    /** {@return whether {@code id} was not in the set} (it is now) */
    boolean add(long id) {
      if (2 * (size + 1) > keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      int i = (int) EntryTable.hash(id) & mask;
      while (used[i]) {
        if (keys[i] == id) {
          return false;
        }
        i = (i + 1) & mask;
      }
      used[i] = true;
      keys[i] = id;
      size++;
      return true;
    }

    private void grow() {
      long[] oldKeys = keys;
      boolean[] oldUsed = used;
      keys = new long[oldKeys.length * 2];
      used = new boolean[oldKeys.length * 2];
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldUsed[i]) {
          add(oldKeys[i]);
        }
      }
    }
  }

  /** Queries answered by the rank index, and by a scan; for tests. */
  long indexedQueries() {
    return indexedQueries.sum();
  }

  long scannedQueries() {
    return scannedQueries.sum();
  }

  private TopK scan(Ranking ranking, int k, long atNanos, LongPredicate filter, AtomicInteger next, int stripes) {
    StripeScan scan = new StripeScan(ledger, ranking, k, atNanos, filter);
    for (int s = next.getAndIncrement(); s < stripes; s = next.getAndIncrement()) {
      scan.stripe(ledger.stripeAt(s));
    }
    return scan.top;
  }

  private static TopK await(Future<TopK> f, List<Future<TopK>> all) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      all.forEach(other -> other.cancel(false));
      throw new TidalDbException("interrupted while waiting for the ranking threads", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new TidalDbException("a ranking thread failed: " + cause, cause);
    }
  }

  private static void awaitQuietly(List<Future<TopK>> helping) {
    for (Future<TopK> f : helping) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException ignored) {
        // the caller's own failure is the one reported
      }
    }
  }

  private synchronized ExecutorService pool() {
    if (closed || helpers < 1) {
      return null;
    }
    if (pool == null) {
      AtomicInteger count = new AtomicInteger();
      pool = new ThreadPoolExecutor(helpers, helpers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
        Thread thread = new Thread(task, "tidaldb-ranking-" + count.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
      });
    }
    return pool;
  }

  /** Stops the helper threads; a query under way finishes on its calling thread. */
  @Override
  public void close() {
    ThreadPoolExecutor stopping;
    synchronized (this) {
      closed = true;
      stopping = pool;
      pool = null;
    }
    if (stopping == null) {
      return;
    }
    stopping.shutdown();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_TIMEOUT_SECONDS);
      if (!stopping.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        stopping.shutdownNow();
      }
      // the pool terminates as its last worker leaves, a moment before that thread ends: wait for them
      for (Thread thread : threads) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    } catch (InterruptedException e) {
      stopping.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** One thread's share of a query: the stripes it claims, its own heap and buffers. */
  private static final class StripeScan {
    private final SignalLedger ledger;
    private final Ranking ranking;
    private final long atNanos;
    private final LongPredicate filter;
    final TopK top;
    /** {@code termsOn[s]}: the terms on the profile's s-th signal. */
    private final int[][] termsOn;
    private final double[] values;
    private long[] ids = new long[0];
    private double[] copied = new double[0];
    /** For the one-decayed-score profile: the signal's layout, and the raw (id, last, score bits) copies. */
    private final SignalLayout bounded;
    private long[] raw = new long[0];

    StripeScan(SignalLedger ledger, Ranking ranking, int k, long atNanos, LongPredicate filter) {
      this.ledger = ledger;
      this.ranking = ranking;
      this.atNanos = atNanos;
      this.filter = filter;
      this.top = new TopK(k);
      this.values = new double[ranking.termCount];
      this.bounded = ranking.termCount == 1 && ranking.kinds[0] == RankingProfile.Kind.DECAY_SCORE
          && ranking.weights[0] > 0 ? ledger.layout(ranking.typeOf[0]) : null;
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
    }

    void stripe(Stripe stripe) {
      if (bounded != null) {
        boundedStripe(stripe);
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

    /** One decayed score, positive weight: bound first, read exactly only what may make the cut. */
    private void boundedStripe(Stripe stripe) {
      EntryTable table = stripe.tables[ranking.typeOf[0]];
      int n = copyRaw(stripe, table);
      double weight = ranking.weights[0];
      for (int i = 0; i < n; i++) {
        double score = Double.longBitsToDouble(raw[3 * i + 2]);
        long last = raw[3 * i + 1];
        if (top.isFull() && weight * bounded.readBound(score, last, atNanos) < top.worstScore()) {
          continue;
        }
        long id = raw[3 * i];
        if (filter != null && !filter.test(id)) {
          continue;
        }
        values[0] = bounded.readAt(score, last, atNanos);
        top.offer(id, ranking.combine(values));
      }
    }

    private int copyRaw(Stripe stripe, EntryTable table) {
      long stamp = stripe.lock.tryOptimisticRead();
      if (stamp != 0) {
        int n = copyRawEntries(table);
        if (stripe.lock.validate(stamp)) {
          return n;
        }
      }
      stamp = stripe.lock.readLock();
      try {
        return copyRawEntries(table);
      } finally {
        stripe.lock.unlockRead(stamp);
      }
    }

    /** Safe under an optimistic stamp, like {@link #copyEntries}. */
    private int copyRawEntries(EntryTable table) {
      int n = table.size();
      if (n <= 0 || n > EntryTable.MAX_ENTRIES) {
        return 0;
      }
      if (raw.length < 3 * n) {
        raw = new long[Math.max(3 * n, raw.length * 2)];
      }
      for (int d = 0; d < n; d++) {
        table.readHot(d, raw, 3 * d);
      }
      return n;
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
}

package io.tidaldb.internal.signal;

import io.tidaldb.RankingProfile;
import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDbException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * Answers top-k queries exactly: by a registered profile's index when the profile is one
 * ({@link ProfileIndex}); else by the signals' rank indexes when every term is a decayed score
 * with a positive weight ({@link IndexWalk}, with or without a filter), else (or when the index walk
 * gives up) with a scan of the ledger ({@link RankScan}): every entry of every signal of the profile
 * is bounded or scored, and a bounded heap keeps the best k. A large ledger is scanned by the
 * calling thread and the helper threads of a small pool together, stripe by stripe, and its walks of
 * several signals run in two parts of the entities, one on a helper thread; the pool's
 * daemon threads ({@code tidaldb-ranking-N}) start with the first large query and end with
 * {@link #close()}.
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
  private final long parallelEntries;
  private final LongAdder indexedQueries = new LongAdder();
  private final LongAdder profileQueries = new LongAdder();
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
    this(ledger, indexBudget, PARALLEL_ENTRIES);
  }

  /**
   * A ranker that also uses its helper threads on ledgers of {@code parallelEntries} entries or more
   * (tests use 0, so that small ledgers take the paths of large ones).
   */
  Ranker(SignalLedger ledger, int indexBudget, long parallelEntries) {
    this.ledger = ledger;
    this.indexBudget = indexBudget;
    this.parallelEntries = parallelEntries;
    this.helpers = Math.min(Runtime.getRuntime().availableProcessors() - 1, SignalLedger.MAX_STRIPES - 1);
  }

  /** The best {@code k} entities under {@code ranking} at {@code atNanos} that pass {@code filter} (null: all). */
  List<ScoredEntity> top(Ranking ranking, int k, long atNanos, LongPredicate filter) {
    ProfileIndex profile = k <= indexBudget ? ledger.profileIndex(ranking) : null;
    if (profile != null) {
      List<ScoredEntity> top = profile.top(ranking, k, atNanos, filter, indexBudget);
      if (top != null) {
        profileQueries.increment();
        return top;
      }
    }
    if (k <= indexBudget && indexable(ranking)) {
      // a large ledger's walk of several signals runs in two parts, one on a helper thread
      List<ScoredEntity> top = IndexWalk.top(ledger, ranking, k, atNanos, filter, indexBudget,
          ledger.size() >= parallelEntries ? pool() : null);
      if (top != null) {
        indexedQueries.increment();
        return top;
      }
    }
    scannedQueries.increment();
    int stripes = ledger.stripeCount();
    AtomicInteger next = new AtomicInteger();
    ExecutorService executor = ledger.size() >= parallelEntries ? pool() : null;
    List<HelperTask<TopK>> tasks = new ArrayList<>();
    for (int h = 0; h < Math.min(helpers, stripes - 1); h++) {
      HelperTask<TopK> task = HelperTask.offer(executor, () -> scan(ranking, k, atNanos, filter, next, stripes), null);
      if (task == null) {
        break;
      }
      tasks.add(task);
    }
    TopK best;
    try {
      best = scan(ranking, k, atNanos, filter, next, stripes);
    } catch (RuntimeException | Error e) {
      next.set(stripes);
      awaitQuietly(started(tasks));
      throw e;
    }
    List<Future<TopK>> helping = started(tasks);
    for (Future<TopK> f : helping) {
      best.addAll(await(f, helping));
    }
    return best.drainBestFirst();
  }

  /**
   * Whether the rank indexes answer the profile ({@link IndexWalk}): every term a decayed score with
   * a positive weight, so that the score grows with each signal's read and bounds on the reads bound
   * the score.
   */
  static boolean indexable(Ranking ranking) {
    for (int t = 0; t < ranking.termCount; t++) {
      if (ranking.kinds[t] != RankingProfile.Kind.DECAY_SCORE || !(ranking.weights[t] > 0)) {
        return false;
      }
    }
    return true;
  }

  /** Queries answered by the rank index, and by a scan; for tests. */
  long indexedQueries() {
    return indexedQueries.sum();
  }

  /** Queries answered by a registered profile's index; for tests. */
  long profileQueries() {
    return profileQueries.sum();
  }

  long scannedQueries() {
    return scannedQueries.sum();
  }

  private TopK scan(Ranking ranking, int k, long atNanos, LongPredicate filter, AtomicInteger next, int stripes) {
    RankScan scan = new RankScan(ledger, ranking, k, atNanos, filter);
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
      throw HelperTask.rethrown(e);
    }
  }

  /** The futures of the tasks a helper started; the others are withdrawn (they never run). */
  private static List<Future<TopK>> started(List<HelperTask<TopK>> tasks) {
    List<Future<TopK>> started = new ArrayList<>();
    for (HelperTask<TopK> task : tasks) {
      if (!task.withdraw()) {
        started.add(task.future());
      }
    }
    return started;
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

  /** The helper threads, started on first use; null once closed or on one processor. */
  synchronized ExecutorService pool() {
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
}

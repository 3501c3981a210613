package io.tidaldb.internal.signal;

import io.tidaldb.ScoredEntity;
import java.util.Arrays;
import java.util.List;

/**
 * The best {@code k} (entity, score) pairs offered so far: a binary heap of primitives whose root is
 * the worst kept, so that a candidate that does not make the cut costs one comparison. Better means
 * a higher score ({@link Double#compare}), then a smaller entity id. Not thread-safe: one per scan.
 *
 * <p>A distinct heap keeps an entity once, with its best score offered: a scan of several signals
 * that races with writes (an entry evicted between the copy of one signal's table and the check of
 * another's) may offer an entity twice, and so may a threshold walk that meets it in two signals'
 * indexes (with the same score). It keeps the set of entities kept, changed only when one enters or
 * leaves (a sift moves pairs without touching it), and finds a kept entity offered again by a pass
 * over the heap: rare, where every offer is a lookup in the set.
 */
final class TopK {

  private final int k;
  private long[] ids;
  private double[] scores;
  private int size;
  /** For a distinct heap: the entities kept (the values unused); else null. */
  private final LongIntMap kept;

  TopK(int k) {
    this(k, false);
  }

  TopK(int k, boolean distinct) {
    this.k = k;
    this.kept = distinct ? new LongIntMap(Math.min(k, 1 << 12)) : null;
    int initial = Math.min(k, 64);
    ids = new long[initial];
    scores = new double[initial];
  }

  /** {@return how many entities the heap keeps} */
  int k() {
    return k;
  }

  /** Whether (s1, id1) ranks before (s2, id2). */
  static boolean better(double s1, long id1, double s2, long id2) {
    int c = Double.compare(s1, s2);
    return c > 0 || (c == 0 && id1 < id2);
  }

  /** Offers (id, score); {@return whether the heap changed} */
  boolean offer(long id, double score) {
    if (size == k && !better(score, id, scores[0], ids[0])) {
      return false;
    }
    if (kept != null) {
      if (kept.get(id) >= 0) {
        int at = 0;
        while (ids[at] != id) {
          at++;
        }
        if (better(score, id, scores[at], id)) {
          siftDown(at, id, score, size);
          return true;
        }
        return false;
      }
      kept.put(id, 0);
    }
    if (size < k) {
      if (size == ids.length) {
        int grown = (int) Math.min(k, ids.length * 2L);
        ids = Arrays.copyOf(ids, grown);
        scores = Arrays.copyOf(scores, grown);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!better(scores[parent], ids[parent], score, id)) {
          break;
        }
        set(i, ids[parent], scores[parent]);
        i = parent;
      }
      set(i, id, score);
    } else {
      if (kept != null) {
        kept.remove(ids[0]);
      }
      siftDown(0, id, score, size);
    }
    return true;
  }

  private void set(int i, long id, double score) {
    ids[i] = id;
    scores[i] = score;
  }

  /** Puts (id, score) at {@code i} and sinks it while a child is worse, within the first {@code n}. */
  private void siftDown(int from, long id, double score, int n) {
    int i = from;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && better(scores[child], ids[child], scores[child + 1], ids[child + 1])) {
        child++;
      }
      if (!better(score, id, scores[child], ids[child])) {
        break;
      }
      set(i, ids[child], scores[child]);
      i = child;
    }
    set(i, id, score);
  }

  /** {@return whether k pairs are kept, so that a candidate must beat {@link #worstScore()}} */
  boolean isFull() {
    return size == k;
  }

  /** {@return the score of the worst pair kept; meaningful when {@link #isFull()}} */
  double worstScore() {
    return scores[0];
  }

  /** Offers everything {@code other} kept. */
  void addAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.ids[i], other.scores[i]);
    }
  }

  /** The pairs kept, best first; empties the heap. */
  List<ScoredEntity> drainBestFirst() {
    ScoredEntity[] out = new ScoredEntity[size];
    for (int n = size; n > 0; n--) {
      out[n - 1] = new ScoredEntity(ids[0], scores[0]);
      siftDown(0, ids[n - 1], scores[n - 1], n - 1);
    }
    size = 0;
    if (kept != null) {
      kept.clear();
    }
    return Arrays.asList(out);
  }
}

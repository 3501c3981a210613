package io.tidaldb.bench.peers;

import io.tidaldb.SignalType;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers of a score read: every loaded entity's decayed score, computed once, in a
 * {@link ConcurrentHashMap} of boxed values (what an application would keep) and in an open-addressing
 * {@code long[]}/{@code double[]} table (the floor of an in-memory read). {@link PeerReads} and
 * {@code ReadCpuTime} read the same two.
 */
public final class PrecomputedScores {

  /** Entity id to its score at the time given to {@link #of}. */
  public final ConcurrentHashMap<Long, Double> map;
  private final long[] keys;
  private final double[] values;
  private final int mask;

  private PrecomputedScores(int entities) {
    map = new ConcurrentHashMap<>(entities * 2);
    int capacity = Integer.highestOneBit(entities * 2 - 1) << 1;
    keys = new long[capacity];
    values = new double[capacity];
    mask = capacity - 1;
  }

  /** Scores every one of {@code ids} (non-zero, distinct) through {@code view} at {@code at}. */
  public static PrecomputedScores of(SignalType view, long[] ids, Instant at) {
    PrecomputedScores scores = new PrecomputedScores(ids.length);
    for (long id : ids) {
      double score = view.decayScore(id, at);
      scores.map.put(id, score);
      int i = scores.slot(id);
      while (scores.keys[i] != 0) {
        i = (i + 1) & scores.mask;
      }
      scores.keys[i] = id;
      scores.values[i] = score;
    }
    return scores;
  }

  private int slot(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ h >>> 32) & mask;
  }

  /** The score of {@code id} from the open-addressing table (linear probing), 0 if absent. */
  public double floor(long id) {
    for (int i = slot(id); ; i = (i + 1) & mask) {
      if (keys[i] == id) {
        return values[i];
      }
      if (keys[i] == 0) {
        return 0;
      }
    }
  }
}

package io.tidaldb.internal.signal;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * What a filtered walk met, in order, and after each step the threshold: every entity whose score
 * is above a step's threshold was met before that step.
 */
final class WalkCandidates {
  private long[] ids;
  /** The entity's score; or, for a walk of one signal, its raw score, read only if the filter accepts it. */
  private double[] scores;
  /** For a walk of one signal: the entity's last event time; else null. */
  private long[] lasts;
  private int size;
  private int[] stepEnds = new int[64];
  private double[] thresholds = new double[64];
  private int steps;

  /** Room for {@code expected} entities before the arrays grow. */
  WalkCandidates(int expected) {
    ids = new long[Math.max(16, expected)];
    scores = new double[ids.length];
  }

  void add(long id, double score) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
      scores = Arrays.copyOf(scores, size * 2);
    }
    ids[size] = id;
    scores[size++] = score;
  }

  void addRaw(long id, double rawScore, long last) {
    if (lasts == null) {
      lasts = new long[ids.length];
    }
    add(id, rawScore);
    if (lasts.length < ids.length) {
      lasts = Arrays.copyOf(lasts, ids.length);
    }
    lasts[size - 1] = last;
  }

  void step(double threshold) {
    if (steps == stepEnds.length) {
      stepEnds = Arrays.copyOf(stepEnds, steps * 2);
      thresholds = Arrays.copyOf(thresholds, steps * 2);
    }
    stepEnds[steps] = size;
    thresholds[steps++] = threshold;
  }

  /**
   * Offers the entities that pass, in order; a raw score is read as {@code decayScore} reads it
   * and weighted as {@link Ranking#combine} weighs it. {@return whether a step's threshold proved the answer}
   */
  boolean offer(TopK top, LongPredicate filter, Ranking ranking, SignalLayout layout, long atNanos) {
    double[] values = new double[ranking.termCount];
    int done = 0;
    for (int step = 0; step <= steps; step++) {
      for (int end = step < steps ? stepEnds[step] : size; done < end; done++) {
        if (filter.test(ids[done])) {
          double score = scores[done];
          if (lasts != null) {
            Arrays.fill(values, layout.readAt(score, lasts[done], atNanos));
            score = ranking.combine(values);
          }
          top.offer(ids[done], score);
        }
      }
      if (step < steps && top.isFull() && top.worstScore() > thresholds[step]) {
        return true;
      }
    }
    return false;
  }
}

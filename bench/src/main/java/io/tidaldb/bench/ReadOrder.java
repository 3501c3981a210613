package io.tidaldb.bench;

import java.util.SplittableRandom;

/**
 * The order in which a read benchmark visits its entities: uniformly at random (every read is as
 * likely to miss the caches as any other), or skewed like the popularity of items (Zipf with
 * exponent 1: a few entities take most reads, which is what ranking workloads see).
 *
 * <pre>{@code
 * long[] order = ReadOrder.of("zipf", ids, 1 << 20, 3);
 * }</pre>
 */
public final class ReadOrder {

  private ReadOrder() {}

  /**
   * {@code length} ids drawn from {@code ids}.
   *
   * @param order {@code uniform}, {@code zipf}, or {@code load} (the order the entities were loaded in,
   *     which walks each stripe's entries in storage order: kinder to the caches than any real workload)
   * @param ids the entities loaded
   * @param length how many reads to draw
   * @param seed the random seed
   * @return the ids to read, in order
   */
  public static long[] of(String order, long[] ids, int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] reads = new long[length];
    switch (order) {
      case "load":
        for (int i = 0; i < length; i++) {
          reads[i] = ids[i % ids.length];
        }
        return reads;
      case "uniform":
        for (int i = 0; i < length; i++) {
          reads[i] = ids[random.nextInt(ids.length)];
        }
        return reads;
      case "zipf":
        long[] byRank = shuffled(ids, random);
        double logSpan = Math.log(ids.length + 1.0);
        for (int i = 0; i < length; i++) {
          // (n + 1)^u - 1 for a uniform u: rank k comes up with probability ln((k + 2) / (k + 1)) / ln(n + 1),
          // about 1 / ((k + 1.5) ln(n + 1)): Zipf with exponent 1, the most popular rank first.
          int rank = (int) Math.exp(random.nextDouble() * logSpan) - 1;
          reads[i] = byRank[Math.min(rank, ids.length - 1)];
        }
        return reads;
      default:
        throw new IllegalArgumentException("order \"" + order + "\": use uniform, zipf or load");
    }
  }

  /** A copy of {@code ids} in random order, so that popularity does not follow load order. */
  private static long[] shuffled(long[] ids, SplittableRandom random) {
    long[] copy = ids.clone();
    for (int i = copy.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      long t = copy[i];
      copy[i] = copy[j];
      copy[j] = t;
    }
    return copy;
  }
}

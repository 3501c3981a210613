package io.tidaldb.bench;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * Rounds of a CPU-time measurement ({@code ApplyCpuTime}, {@code WriteCpuTime}): runs them, prints
 * each round's nanoseconds of CPU per operation and the median after the first two (the JIT's).
 */
public final class CpuRounds {

  private CpuRounds() {}

  /**
   * Runs {@code rounds} rounds of {@code operations} each and prints them.
   *
   * @param round runs one round of the given operations and returns its CPU nanoseconds per operation
   * @param unit what one operation is, for the printout ("event", "write")
   * @return the median of the rounds after the first two
   */
  public static double run(int rounds, int operations, String unit, IntToDoubleFunction round) {
    double[] perOperation = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      perOperation[r] = round.applyAsDouble(operations);
      System.out.printf("round %2d: %7.1f ns CPU per %s%n", r, perOperation[r], unit);
    }
    double[] measured = Arrays.copyOfRange(perOperation, Math.min(2, rounds - 1), rounds);
    Arrays.sort(measured);
    double median = measured[measured.length / 2];
    System.out.printf("median of rounds 2..%d: %.1f ns CPU per %s (%,.0f %ss/s of one core)%n", rounds - 1, median,
        unit, 1e9 / median, unit);
    return median;
  }
}

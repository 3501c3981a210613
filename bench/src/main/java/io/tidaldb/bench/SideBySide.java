package io.tidaldb.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds' CPU-time benchmarks side by side in one JVM: each build's benchmarks jar in its own
 * class loader, rounds alternating between them (which goes first alternates too), so that the load
 * of a shared machine hits both alike and the ratio of each round means something even when the
 * absolute numbers move. The class named must have a public no-argument constructor and public
 * methods {@code double round(int events)} (CPU nanoseconds per event) and {@code long digest()}
 * (equal for two builds that answer the same): {@code io.tidaldb.bench.peers.ApplyCpuTime},
 * {@code io.tidaldb.bench.signal.WriteCpuTime}, {@code io.tidaldb.bench.signal.TopCpuTime},
 * {@code io.tidaldb.bench.signal.ReadCpuTime}.
 *
 * <pre>
 * java -Xmx3g -cp bench/target/benchmarks.jar io.tidaldb.bench.SideBySide \
 *     /tmp/old/benchmarks.jar bench/target/benchmarks.jar io.tidaldb.bench.peers.ApplyCpuTime 12 1000000
 * </pre>
 */
public final class SideBySide {

  private SideBySide() {}

  /**
   * Runs the comparison and prints each round's CPU nanoseconds per event for both builds, the
   * medians after the first two rounds (the JIT's), the median ratio, and both digests.
   *
   * @param args the old build's jar, the new build's jar, the benchmark class, the rounds, and the
   *     events per round
   * @throws ReflectiveOperationException if a jar lacks the class or its methods
   * @throws java.net.MalformedURLException if a jar's path is not a usable URL
   */
  public static void main(String[] args) throws ReflectiveOperationException, java.net.MalformedURLException {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: SideBySide OLD_JAR NEW_JAR BENCHMARK_CLASS ROUNDS EVENTS_PER_ROUND (got " + args.length + " arguments)");
    }
    int rounds = Integer.parseInt(args[3]);
    int events = Integer.parseInt(args[4]);
    if (rounds < 3) {
      throw new IllegalArgumentException("ROUNDS must be at least 3 (the first two warm the JIT), got " + rounds);
    }
    Object[] runs = new Object[2];
    Method[] round = new Method[2];
    Method[] digest = new Method[2];
    for (int i = 0; i < 2; i++) {
      URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[i]).toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> benchmark = Class.forName(args[2], true, loader);
      runs[i] = benchmark.getConstructor().newInstance();
      round[i] = benchmark.getMethod("round", int.class);
      digest[i] = benchmark.getMethod("digest");
    }
    double[][] nanos = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < 2; k++) {
        int i = (r + k) % 2;
        nanos[i][r] = (double) round[i].invoke(runs[i], events);
      }
      System.out.printf("round %2d: old %7.1f  new %7.1f ns CPU per event  new/old %.3f%n",
          r, nanos[0][r], nanos[1][r], nanos[1][r] / nanos[0][r]);
    }
    double[] old = Arrays.copyOfRange(nanos[0], 2, rounds);
    double[] now = Arrays.copyOfRange(nanos[1], 2, rounds);
    double[] ratio = new double[rounds - 2];
    for (int r = 0; r < ratio.length; r++) {
      ratio[r] = now[r] / old[r];
    }
    Arrays.sort(old);
    Arrays.sort(now);
    Arrays.sort(ratio);
    System.out.printf("median of rounds 2..%d: old %.1f ns (%,.0f/s of one core), new %.1f ns (%,.0f/s); median new/old %.3f%n",
        rounds - 1, old[old.length / 2], 1e9 / old[old.length / 2], now[now.length / 2], 1e9 / now[now.length / 2],
        ratio[ratio.length / 2]);
    long oldDigest = (long) digest[0].invoke(runs[0]);
    long newDigest = (long) digest[1].invoke(runs[1]);
    System.out.printf("digest old %016x, new %016x: %s%n", oldDigest, newDigest,
        oldDigest == newDigest ? "the same answers" : "DIFFERENT ANSWERS");
  }
}

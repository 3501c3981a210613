package io.tidaldb.bench.signal;

import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.ReadOrder;
import io.tidaldb.bench.peers.PrecomputedScores;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;

/**
 * The reads of {@code PeerReads} (tidalDB through a {@code SignalType} and by name, a
 * {@code ConcurrentHashMap<Long, Double>} of precomputed scores, an open-addressing
 * {@code long[]}/{@code double[]} floor; the same ledger and the same uniformly random ids), timed in
 * the reading thread's CPU time rather than wall time, in alternating rounds within one JVM. On a
 * machine shared with other jobs, wall time counts the time the thread waits for a core, which
 * varied tenfold between JMH iterations; CPU time does not, so the ratios of one run are stable
 * enough to compare two builds.
 *
 * <pre>
 * java -Xmx3g -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.ReadCpuTime 1000000 7
 * </pre>
 */
public final class ReadCpuTime implements AutoCloseable {

  private static final String[] CASES = {"SignalType", "by name", "ConcurrentHashMap", "open addressing"};
  /** Rounds run and thrown away first, for the JIT. */
  private static final int WARM_UP = 3;
  /** Passes over the 2^20 ids per case and round. */
  private static final int PASSES = 4;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  /** The entities loaded, in the order they were loaded. */
  private final long[] loaded;
  private final TidalDb db;
  private final SignalType view;
  /** The ids to read, uniformly at random over {@link #loaded}. */
  private final long[] reads;
  private int next;
  private double sum;

  /**
   * Loads 1,000,000 entities and the uniformly random ids to read, for a harness that runs
   * {@link #round} ({@link io.tidaldb.bench.SideBySide}: two builds' reads alternating in one JVM):
   *
   * <pre>
   * java -Xmx7g -cp bench/target/benchmarks.jar io.tidaldb.bench.SideBySide \
   *     /tmp/old/benchmarks.jar bench/target/benchmarks.jar io.tidaldb.bench.signal.ReadCpuTime 12 4000000
   * </pre>
   */
  public ReadCpuTime() {
    this(1_000_000);
  }

  /** Loads {@code entities} entities with four events each (room for twice as many) and the ids to read. */
  private ReadCpuTime(int entities) {
    loaded = BenchSchema.ids(entities, 1);
    db = BenchSchema.open(entities * 2L);
    BenchSchema.load(db, loaded, 4);
    view = db.signalType("view");
    reads = ReadOrder.of("uniform", loaded, 1 << 20, 3);
  }

  /**
   * Reads {@code count} scores through the {@code SignalType}, going on from where the last round
   * stopped in the sequence of ids.
   *
   * @param count how many
   * @return the thread's CPU nanoseconds per read
   */
  public double round(int count) {
    Instant at = BenchSchema.NOW;
    double s = 0;
    int i = next;
    long start = threads.getCurrentThreadCpuTime();
    for (int r = 0; r < count; r++) {
      s += view.decayScore(reads[i++ & (reads.length - 1)], at);
    }
    long cpu = threads.getCurrentThreadCpuTime() - start;
    next = i;
    sum += s;
    return cpu / (double) count;
  }

  /** {@return a digest of every score read so far: equal for two builds that read the same} */
  public long digest() {
    return Double.doubleToLongBits(sum);
  }

  @Override
  public void close() {
    db.close();
  }

  /**
   * Runs the measurement and prints, per case, the median and fastest round's CPU nanoseconds per read.
   *
   * @param args the number of entities (default 1,000,000), and the rounds measured (default 7)
   */
  public static void main(String[] args) {
    int entities = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    run(entities, rounds);
  }

  private static void run(int entities, int rounds) {
    try (ReadCpuTime bench = new ReadCpuTime(entities)) {
      TidalDb db = bench.db;
      SignalType view = bench.view;
      long[] reads = bench.reads;
      ThreadMXBean threads = bench.threads;
      Instant at = BenchSchema.NOW;
      PrecomputedScores scores = PrecomputedScores.of(view, bench.loaded, at);
      double[][] nanos = new double[CASES.length][rounds];
      double sink = 0;
      for (int round = 0; round < WARM_UP + rounds; round++) {
        for (int c = 0; c < CASES.length; c++) {
          long start = threads.getCurrentThreadCpuTime();
          for (int pass = 0; pass < PASSES; pass++) {
            for (long id : reads) {
              switch (c) {
                case 0 -> sink += view.decayScore(id, at);
                case 1 -> sink += db.decayScore("view", id, at);
                case 2 -> sink += scores.map.get(id);
                default -> sink += scores.floor(id);
              }
            }
          }
          if (round >= WARM_UP) {
            nanos[c][round - WARM_UP] = (threads.getCurrentThreadCpuTime() - start) / (double) (PASSES * reads.length);
          }
        }
      }
      for (int c = 0; c < CASES.length; c++) {
        System.out.printf("%-18s median %6.1f ns, fastest %6.1f ns of CPU time per read%n", CASES[c],
            median(nanos[c]), Arrays.stream(nanos[c]).min().orElseThrow());
      }
      System.out.printf("SignalType / map %.2f, SignalType / open addressing %.2f, by name / SignalType %.2f"
          + " (checksum %s)%n", median(nanos[0]) / median(nanos[2]), median(nanos[0]) / median(nanos[3]),
          median(nanos[1]) / median(nanos[0]), sink > 0 ? "ok" : "?");
    }
  }

  private static double median(double[] x) {
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}

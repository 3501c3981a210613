package io.tidaldb.bench.signal;

import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDb;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * {@link TopBench}'s three-signal query ({@code view + 5·like + 10·share}, top 100 of 1,000,000
 * entities), timed per query in wall time, in the querying thread's CPU time and in the whole
 * process's CPU time (every thread: the ranking pool's too), in rounds of 300 queries. The process's
 * CPU per query tells whether work handed to other threads costs more than it saves: a query bound
 * by the machine's memory does not get faster on two cores, it costs twice the CPU.
 *
 * <pre>
 * java -Xmx3g -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.TopCpuTime 1000000 4
 * </pre>
 *
 * <p>Two builds side by side in one JVM ({@link io.tidaldb.bench.SideBySide}, a "round" of N
 * queries, CPU nanoseconds per query; each build loads its own ledger):
 *
 * <pre>
 * java -Xmx7g -cp bench/target/benchmarks.jar io.tidaldb.bench.SideBySide \
 *     /tmp/old/benchmarks.jar bench/target/benchmarks.jar io.tidaldb.bench.signal.TopCpuTime 14 300
 * </pre>
 */
public final class TopCpuTime implements AutoCloseable {

  private static final int QUERIES = 300;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final TidalDb db;
  private List<ScoredEntity> last = List.of();

  /** Loads {@link TopBench}'s 1,000,000 entities; {@link #close} closes the database. Public for a harness. */
  public TopCpuTime() {
    this(1_000_000);
  }

  private TopCpuTime(int entities) {
    db = TopBench.load(entities, false);
  }

  /**
   * Answers the three-signal query {@code queries} times.
   *
   * @param queries how many
   * @return the thread's CPU nanoseconds per query
   */
  public double round(int queries) {
    long start = threads.getCurrentThreadCpuTime();
    for (int q = 0; q < queries; q++) {
      last = db.top(TopBench.THREE_DECAYED, 100, BenchSchema.NOW);
    }
    return (threads.getCurrentThreadCpuTime() - start) / (double) queries;
  }

  /** {@return a digest of the last answer's ids and scores: equal for two builds that answer the same} */
  public long digest() {
    long digest = 17;
    for (ScoredEntity entity : last) {
      digest = 31 * (31 * digest + entity.entityId()) + Double.doubleToLongBits(entity.score());
    }
    return digest;
  }

  @Override
  public void close() {
    db.close();
  }

  /**
   * Loads the ledger and prints, per round, the median wall and thread CPU time of a query and the
   * process's CPU time per query.
   *
   * @param args the number of entities (default 1,000,000), and the rounds (default 4; the first warms the JIT)
   */
  public static void main(String[] args) {
    int entities = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (TopCpuTime bench = new TopCpuTime(entities)) {
      TidalDb db = bench.db;
      ThreadMXBean threads = bench.threads;
      for (int round = 0; round < rounds; round++) {
        long[] wall = new long[QUERIES];
        long[] cpu = new long[QUERIES];
        long process = os.getProcessCpuTime();
        for (int q = 0; q < QUERIES; q++) {
          long cpu0 = threads.getCurrentThreadCpuTime();
          long wall0 = System.nanoTime();
          db.top(TopBench.THREE_DECAYED, 100, BenchSchema.NOW);
          wall[q] = System.nanoTime() - wall0;
          cpu[q] = threads.getCurrentThreadCpuTime() - cpu0;
        }
        process = os.getProcessCpuTime() - process;
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("round %d: wall p50 %.1f µs, querying thread's CPU p50 %.1f µs, process CPU per query %.1f µs%n",
            round, wall[QUERIES / 2] / 1e3, cpu[QUERIES / 2] / 1e3, process / (QUERIES * 1e3));
      }
    }
  }
}

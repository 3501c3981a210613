package io.tidaldb.bench.signal;

import io.tidaldb.bench.CpuRounds;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link WriteThroughputBench#record}'s work (in-memory writes of {@code view} to 100,000 entities
 * in turn, event times spread over the week before {@link BenchSchema#NOW}) timed in the thread's
 * CPU time, round by round, so that two builds compare on a machine shared with other jobs (see
 * {@link ReadCpuTime}). {@link #digest} lets two builds be checked to answer the same.
 *
 * <pre>
 * java -Xmx2g -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.WriteCpuTime 12 4000000
 * </pre>
 */
public final class WriteCpuTime implements AutoCloseable {

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final TidalDb db = BenchSchema.open(1_000_000);
  private final SignalType view = db.signalType("view");
  private final WriteStream stream = new WriteStream();
  private long sink;

  /** Opens the database; {@link #close} closes it. Public so that a harness can drive two builds side by side. */
  public WriteCpuTime() {
    stream.prepare();
  }

  /**
   * Runs the measurement and prints each round's CPU nanoseconds per write and their median after
   * the first two rounds (the JIT's).
   *
   * @param args the rounds (default 12), and the writes per round (default 4,000,000)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 4_000_000;
    try (WriteCpuTime run = new WriteCpuTime()) {
      CpuRounds.run(rounds, events, "write", run::round);
      System.out.printf("digest %016x%n", run.digest());
    }
  }

  /**
   * Writes the stream's next {@code events} events.
   *
   * @param events how many
   * @return the thread's CPU nanoseconds per write
   */
  public double round(int events) {
    long start = threads.getCurrentThreadCpuTime();
    for (int n = 0; n < events; n++) {
      int i = stream.advance();
      sink += view.record(stream.id(i), 1.0, stream.time(i));
    }
    return (threads.getCurrentThreadCpuTime() - start) / (double) events;
  }

  /**
   * A digest of every entity's score and window counts at {@link BenchSchema#NOW}: equal for two
   * builds that answer the same.
   *
   * @return the digest
   */
  public long digest() {
    long digest = sink;
    for (long id : stream.ids) {
      digest = digest * 31 + Double.doubleToLongBits(view.decayScore(id, BenchSchema.NOW));
      for (Window window : Window.values()) {
        digest = digest * 31 + view.windowCount(id, window);
      }
    }
    return digest;
  }

  /** Closes the database. */
  @Override
  public void close() {
    db.close();
  }
}

package io.tidaldb.bench.peers;

import io.tidaldb.Durability;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.BenchDirs;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Two of {@link PeerWrites}' blocking rows as a plain loop on one thread, for a profiler
 * ({@code perf record -g} with {@code -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit}, which
 * names the compiled frames) and for two builds run in turn: the same stream (three signals,
 * 100,000 skewed ids), rounds of one second, events per second printed after each.
 *
 * <ul>
 *   <li>{@code record}: {@code SignalType.record} under {@code interval(10 ms)};
 *   <li>{@code recordAll}: {@code recordAll} of {@value PeerWrites#BATCH} events of {@code view}
 *       under {@code SYNC}.
 * </ul>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.BlockingWriteLoop record 6 [dir-on-the-disk-under-test]
 * </pre>
 */
public final class BlockingWriteLoop {

  private BlockingWriteLoop() {}

  public static void main(String[] args) {
    if (args.length < 2 || !(args[0].equals("record") || args[0].equals("recordAll"))) {
      System.err.println("usage: BlockingWriteLoop record|recordAll ROUNDS [dir]");
      System.exit(2);
    }
    boolean all = args[0].equals("recordAll");
    int rounds = Integer.parseInt(args[1]);
    Path root = BenchDirs.fresh(args.length > 2 ? args[2] : "target/bench-peers", "loop-");
    Durability durability = all ? Durability.SYNC : Durability.interval(Duration.ofMillis(10));
    try (TidalDb db = TidalDb.builder().dataDir(root.resolve("db")).schema(EventStream.SCHEMA).durability(durability)
        .open()) {
      SignalType[] signals = EventStream.handles(db);
      EventStream events = new EventStream(0);
      long[] ids = new long[PeerWrites.BATCH];
      double[] weights = new double[PeerWrites.BATCH];
      long[] times = new long[PeerWrites.BATCH];
      for (int round = 1; round <= rounds; round++) {
        long start = System.nanoTime();
        long end = start + 1_000_000_000L;
        long written = 0;
        while (System.nanoTime() < end) {
          if (all) {
            events.recordNextBatch(signals[0], ids, weights, times);
            written += ids.length;
          } else {
            for (int i = 0; i < 1_000; i++) {
              events.recordNext(signals);
            }
            written += 1_000;
          }
        }
        System.out.printf("%s round %d: %,.0f events/s%n", args[0], round, written / ((System.nanoTime() - start) / 1e9));
      }
    } finally {
      BenchDirs.delete(root);
    }
  }
}

package io.tidaldb.bench.signal;

import io.tidaldb.Durability;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.BenchDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How long a checkpoint of a large ledger stalls writes. Loads {@code N} entries (four events each,
 * every window) into a persistent database, then runs one producer that writes and times every
 * write while the main thread takes checkpoints; reports each checkpoint's duration and the
 * producer's write latencies inside and outside the checkpoints.
 *
 * <pre>
 * java -Xmx4g -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.CheckpointStall 1000000 interval
 * </pre>
 */
public final class CheckpointStall {

  private CheckpointStall() {}

  /**
   * Runs the measurement.
   *
   * @param args entries (default 1,000,000); durability {@code sync} or {@code interval} (default);
   *     checkpoints to take (default 5); a directory on the disk under test (default target/bench-signal)
   */
  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String mode = args.length > 1 ? args[1] : "interval";
    int checkpoints = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path home = BenchDirs.fresh(args.length > 3 ? args[3] : "target/bench-signal", "stall-");
    long[] ids = BenchSchema.ids(entries, 1);
    try (TidalDb db = BenchHomes.open(home, BenchHomes.durability(mode), Duration.ZERO, entries)) {
      SignalType view = db.signalType("view");
      SplittableRandom random = new SplittableRandom(3);
      CompletableFuture<Long> loaded = null;
      for (int round = 0; round < 4; round++) {
        for (long id : ids) {
          loaded = view.recordAsync(id, 1.0, BenchSchema.NOW.minusSeconds(random.nextLong(7 * 86_400)));
        }
      }
      loaded.join();
      db.checkpoint();   // warms the checkpoint path; its snapshot is the baseline file
      System.out.printf("loaded %,d entries (%,d events), %s%n", db.stats().ledgerEntries(), db.stats().lastSequence(),
          mode);

      long[] starts = new long[50_000_000];
      long[] latencies = new long[starts.length];
      int[] count = new int[1];
      AtomicBoolean stop = new AtomicBoolean();
      Thread producer = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(9);
        int n = 0;
        while (!stop.get() && n < starts.length) {
          long id = ids[r.nextInt(ids.length)];
          long start = System.nanoTime();
          view.record(id, 1.0, BenchSchema.NOW);
          starts[n] = start;
          latencies[n] = System.nanoTime() - start;
          n++;
        }
        count[0] = n;
      }, "producer");
      producer.start();
      long[][] windows = new long[checkpoints][2];
      for (int c = 0; c < checkpoints; c++) {
        Thread.sleep(1_500);
        long start = System.nanoTime();
        long sequence = db.checkpoint();
        long end = System.nanoTime();
        windows[c][0] = start;
        windows[c][1] = end;
        System.out.printf("checkpoint %d at sequence %,d: %,d ms%n", c + 1, sequence, TimeUnit.NANOSECONDS.toMillis(end - start));
      }
      Thread.sleep(1_500);
      stop.set(true);
      producer.join();
      report("writes during checkpoints", starts, latencies, count[0], windows, true);
      report("writes outside checkpoints", starts, latencies, count[0], windows, false);
      System.out.println("stats: " + db.stats());
    } finally {
      BenchDirs.delete(home);
    }
  }

  private static void report(String what, long[] starts, long[] latencies, int n, long[][] windows, boolean inside) {
    long[] selected = new long[n];
    int k = 0;
    long span = 0;
    for (int i = 0; i < n; i++) {
      boolean in = false;
      for (long[] w : windows) {
        in |= starts[i] >= w[0] && starts[i] < w[1];
      }
      if (in == inside) {
        selected[k++] = latencies[i];
      }
    }
    for (long[] w : windows) {
      span += w[1] - w[0];
    }
    long[] sorted = Arrays.copyOf(selected, k);
    Arrays.sort(sorted);
    if (k == 0) {
      System.out.println(what + ": none");
      return;
    }
    System.out.printf("%s: %,d writes%s; latency p50 %,d µs, p99 %,d µs, p99.9 %,d µs, max %,d µs%n", what, k,
        inside ? String.format(" in %,d ms (%,.0f writes/s)", TimeUnit.NANOSECONDS.toMillis(span), k / (span / 1e9)) : "",
        micros(sorted, 0.5), micros(sorted, 0.99), micros(sorted, 0.999), sorted[k - 1] / 1_000);
  }

  private static long micros(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1_000;
  }
}

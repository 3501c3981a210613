package io.tidaldb.bench.ctl;

import io.tidaldb.Durability;
import io.tidaldb.TidalHome;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a home whose WAL holds at least the given number of bytes, for benchmarking the tools
 * that read it ({@code bench/tidalctl-bench.sh}).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.ctl.FillWal /tmp/big-home 1073741824
 * </pre>
 */
public final class FillWal {

  private FillWal() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: FillWal <home-dir> <wal-bytes>");
      System.exit(2);
    }
    TidalHome home = TidalHome.at(Path.of(args[0])).ensureAll();
    long target = Long.parseLong(args[1]);
    long started = System.nanoTime();
    WalConfig config = WalConfig.builder(home.wal()).durability(Durability.interval(Duration.ofMillis(200))).build();
    long seq = 0;
    try (Wal wal = Wal.open(config)) {
      long t0 = 1_767_225_600_000_000_000L;
      CompletableFuture<Long> last = CompletableFuture.completedFuture(0L);
      for (long i = 0; wal.bytesWritten() < target; i++) {
        last = wal.appendAsync(new WalEvent(i % 1_000_003, (int) (i % 7), 1.0f, t0 + i * 1_000));
        if ((i & 0xFFFF) == 0) {
          last.join();
        }
      }
      seq = last.join();
      wal.checkpoint(seq / 2);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("wrote %d events to %s in %.1f s%n", seq, home.wal(), seconds);
  }
}

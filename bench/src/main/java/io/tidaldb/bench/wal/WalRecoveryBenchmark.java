package io.tidaldb.bench.wal;

import io.tidaldb.Durability;
import io.tidaldb.bench.BenchDirs;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import io.tidaldb.wal.WalReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a log back: {@code Wal.open} (recovery: validate every batch), recovery plus a replay of
 * every event into a primitive sink (what the ledger does on open), and {@code WalReader.verify}
 * (what {@code tidalctl wal verify} does). The log is written once per trial; the page cache is
 * warm, so this measures the code, not the disk. The setup prints the log's size: divide by the
 * time per operation for MB/s.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar WalRecoveryBenchmark -wi 2 -i 5 -f 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WalRecoveryBenchmark {

  /** Events in the log. */
  @Param({"1000000"})
  public int events;

  /** Events per batch as written: large (a pipelining producer) or small (lone blocking appenders). */
  @Param({"4096", "8"})
  public int batchEvents;

  /** A directory on the disk under test. */
  @Param({"target/bench-wal"})
  public String dir;

  private Path path;
  private long sum;

  @Setup(Level.Trial)
  public void write() {
    path = BenchDirs.fresh(dir, "recovery-");
    try (Wal wal = Wal.open(WalConfig.builder(path).durability(Durability.interval(Duration.ofSeconds(1)))
        .maxBatchEvents(batchEvents).build())) {
      CompletableFuture<Long> last = null;
      for (int i = 1; i <= events; i++) {
        last = wal.appendAsync(new WalEvent(i, i & 0xFFFF, i, i));
      }
      last.join();
    }
    System.out.println();
    System.out.println("log: " + events + " events, " + BenchDirs.size(path) + " bytes, "
        + WalReader.of(path).verify().batches() + " batches");
  }

  @TearDown(Level.Trial)
  public void delete() {
    BenchDirs.delete(path);
  }

  /** Recovery alone: open (validate every batch) and close. */
  @Benchmark
  public long recover() {
    try (Wal wal = Wal.open(WalConfig.of(path))) {
      return wal.recovery().lastSequence();
    }
  }

  /** Recovery, then every event replayed into a sink, as the ledger does on open. */
  @Benchmark
  public long recoverAndReplay() {
    try (Wal wal = Wal.open(WalConfig.of(path))) {
      sum = 0;
      wal.replay(1, (seq, entity, type, weight, ts) -> sum += entity);
      return sum;
    }
  }

  /** Every batch checked by the read-only reader. */
  @Benchmark
  public ScanResult verify() {
    return WalReader.of(path).verify();
  }
}

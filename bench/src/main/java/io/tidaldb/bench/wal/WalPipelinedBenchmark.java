package io.tidaldb.bench.wal;

import io.tidaldb.Durability;
import io.tidaldb.bench.BenchDirs;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One producer pipelining through {@code appendAsync}: it never waits for an event, only for room
 * when the queue is full, so the score is the log's sustained rate. Each iteration ends by waiting
 * until everything appended is durable, so no work is left uncounted.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar WalPipelinedBenchmark -wi 1 -w 2 -i 3 -r 3 -f 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class WalPipelinedBenchmark {

  /** {@code sync}, or {@code interval} (an fsync at least every 10 ms). */
  @Param({"sync", "interval"})
  public String durability;

  /** The most events per batch (and per fsync under SYNC). */
  @Param({"65536"})
  public int maxBatchEvents;

  /** A directory on the disk under test. */
  @Param({"target/bench-wal"})
  public String dir;

  private Path path;
  private Wal wal;
  private long n;
  private CompletableFuture<Long> last;

  @Setup(Level.Trial)
  public void open() {
    path = BenchDirs.fresh(dir, "pipelined-");
    Durability mode = durability.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(10));
    wal = Wal.open(WalConfig.builder(path).durability(mode).maxBatchEvents(maxBatchEvents).build());
  }

  @TearDown(Level.Iteration)
  public void drain() {
    if (last != null) {
      last.join();
    }
    wal.sync();
  }

  @TearDown(Level.Trial)
  public void close() {
    wal.close();
    BenchDirs.delete(path);
  }

  /** One event handed to the log without waiting for it. */
  @Benchmark
  public CompletableFuture<Long> appendAsync() {
    n++;
    last = wal.appendAsync(new WalEvent(n, 7, 1.0f, n));
    return last;
  }
}

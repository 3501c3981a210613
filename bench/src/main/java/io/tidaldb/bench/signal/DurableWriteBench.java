package io.tidaldb.bench.signal;

import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.BenchDirs;
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
 * Signal writes to a persistent database, one producer: through the write-ahead log, the write
 * gate and the ledger, over 100,000 entities with event times spread over the last week.
 * {@code recordAsync} pipelines (the producer waits only for room in the log's queue);
 * {@code record} waits for each write (under {@code SYNC}, for its fsync). Each iteration ends by
 * waiting for the last write, so no work is left uncounted. Periodic checkpoints run as configured.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar DurableWriteBench -p durability=sync,interval
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class DurableWriteBench {

  /** {@code sync}, or {@code interval} (an fsync at least every 10 ms). */
  @Param({"sync", "interval"})
  public String durability;

  /** Seconds between periodic checkpoints; 0 turns them off. */
  @Param({"10"})
  public int checkpointSeconds;

  /** A directory on the disk under test. */
  @Param({"target/bench-signal"})
  public String dir;

  private Path home;
  private TidalDb db;
  private SignalType view;
  private CompletableFuture<Long> last;

  @Setup(Level.Trial)
  public void open() {
    home = BenchDirs.fresh(dir, "writes-");
    db = BenchHomes.open(home, BenchHomes.durability(durability), Duration.ofSeconds(checkpointSeconds), 1_000_000);
    view = db.signalType("view");
  }

  @TearDown(Level.Iteration)
  public void drain() {
    if (last != null) {
      last.join();
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
    BenchDirs.delete(home);
  }

  /**
   * {@code view.recordAsync(entity, 1.0, at)}, without waiting.
   *
   * @return the future sequence
   */
  @Benchmark
  public CompletableFuture<Long> recordAsync(WriteStream stream) {
    int i = stream.advance();
    last = view.recordAsync(stream.id(i), 1.0, stream.time(i));
    return last;
  }

  /**
   * {@code view.record(entity, 1.0, at)}: returns once the write is acknowledged.
   *
   * @return the sequence
   */
  @Benchmark
  public long record(WriteStream stream) {
    int i = stream.advance();
    return view.record(stream.id(i), 1.0, stream.time(i));
  }
}

package io.tidaldb.bench.wal;

import io.tidaldb.Durability;
import io.tidaldb.bench.BenchDirs;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import java.nio.file.Path;
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
 * Blocking appends under {@code SYNC}: every call returns after the fsync of its batch. With 1
 * thread this is one fsync per event (compare {@code FsyncBaseline} at 24 bytes); with 8 and 64
 * threads, group commit shares each fsync among the threads waiting.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar WalAppendBenchmark -wi 1 -w 2 -i 3 -r 3 -f 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WalAppendBenchmark {

  /** A directory on the disk under test. */
  @Param({"target/bench-wal"})
  public String dir;

  private Path path;
  private Wal wal;

  @Setup(Level.Trial)
  public void open() {
    path = BenchDirs.fresh(dir, "append-");
    wal = Wal.open(WalConfig.builder(path).durability(Durability.SYNC).build());
  }

  @TearDown(Level.Trial)
  public void close() {
    wal.close();
    BenchDirs.delete(path);
  }

  private static WalEvent event() {
    return new WalEvent(42L, 7, 1.0f, System.nanoTime());
  }

  /** One thread: one fsync per event. */
  @Benchmark
  @Threads(1)
  public long syncBlocking1Thread() {
    return wal.append(event());
  }

  /** 8 threads sharing fsyncs. */
  @Benchmark
  @Threads(8)
  public long syncBlocking8Threads() {
    return wal.append(event());
  }

  /** 64 threads sharing fsyncs. */
  @Benchmark
  @Threads(64)
  public long syncBlocking64Threads() {
    return wal.append(event());
  }
}

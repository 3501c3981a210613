package io.tidaldb.bench.signal;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decayed-score read of an entity picked from {@code entities} loaded ones, in {@link io.tidaldb.bench.ReadOrder}
 * (uniformly at random, or Zipf-skewed). Targets: median at most 50 ns. In sample mode each call is
 * timed with {@code System.nanoTime()}, whose cost {@link #baseline()} shows.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar DecayScoreBench -bm avgt,sample
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class DecayScoreBench extends LoadedLedger {

  private long[] ids;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    ids = openAndLoad();
  }

  private long nextId() {
    int i = next++;
    if (next == ids.length) {
      next = 0;
    }
    return ids[i];
  }

  /**
   * The hot-path handle: {@code view.decayScore(id, at)}.
   *
   * @return the score
   */
  @Benchmark
  public double handle() {
    return view.decayScore(nextId(), at);
  }

  /**
   * Picks the next id and nothing else: in sample mode, the floor that timing one call costs.
   *
   * @return the id
   */
  @Benchmark
  public long baseline() {
    return nextId();
  }

  /**
   * By name: {@code db.decayScore("view", id, at)}.
   *
   * @return the score
   */
  @Benchmark
  public double byName() {
    return db.decayScore("view", nextId(), at);
  }
}

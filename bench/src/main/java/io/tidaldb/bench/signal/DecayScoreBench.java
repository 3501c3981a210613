package io.tidaldb.bench.signal;

import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.ReadOrder;
import java.time.Instant;
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
 * One decayed-score read of an entity picked from {@code entities} loaded ones, in {@link ReadOrder}
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
public class DecayScoreBench {

  /** Entities loaded, with four events each. */
  @Param({"10000", "1000000"})
  public int entities;

  /** {@code uniform} or {@code zipf}: see {@link ReadOrder}. */
  @Param({"uniform", "zipf"})
  public String order;

  private static final int READS = 1 << 20;

  private TidalDb db;
  private SignalType view;
  private long[] ids;
  private Instant at;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    db = BenchSchema.open(entities * 2L);
    long[] loaded = BenchSchema.ids(entities, 1);
    BenchSchema.load(db, loaded, 4);
    ids = ReadOrder.of(order, loaded, READS, 3);
    view = db.signalType("view");
    at = BenchSchema.NOW;
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
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

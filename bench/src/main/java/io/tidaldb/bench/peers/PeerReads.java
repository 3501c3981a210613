package io.tidaldb.bench.peers;

import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.ReadOrder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
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
 * A decayed-score read against the floor for an in-memory read: a {@code ConcurrentHashMap} that
 * holds each entity's score, already computed, as a boxed {@code Double} (what an application would
 * keep if it did the math elsewhere). Same entities, same order ({@link ReadOrder}: uniformly at
 * random, or Zipf-skewed), side by side.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PeerReads
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class PeerReads {

  /** How many entities hold a score: fits the CPU caches, or does not. */
  @Param({"10000", "1000000"})
  public int entities;

  /** {@code uniform} or {@code zipf}: see {@link ReadOrder}. */
  @Param({"uniform", "zipf"})
  public String order;

  private static final Instant NOW = EventStream.START.plusSeconds(3600);
  private static final int MASK = (1 << 16) - 1;

  private TidalDb db;
  private SignalType view;
  private ConcurrentHashMap<Long, Double> map;
  private long[] reads;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    db = TidalDb.builder().ephemeral().schema(EventStream.SCHEMA).maxEntries(entities + 1L)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).open();
    view = db.signalType("view");
    map = new ConcurrentHashMap<>(entities * 2);
    SplittableRandom random = new SplittableRandom(1);
    long[] ids = new long[entities];
    for (int i = 0; i < entities; i++) {
      ids[i] = random.nextLong();
      view.record(ids[i], 1.0, NOW.minusSeconds(random.nextInt(3600)));
      view.record(ids[i], 1.0, NOW.minusSeconds(random.nextInt(3600)));
      map.put(ids[i], view.decayScore(ids[i], NOW));
    }
    reads = ReadOrder.of(order, ids, MASK + 1, 3);
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
  }

  @Benchmark
  public double tidaldbDecayScore() {
    return view.decayScore(reads[next++ & MASK], NOW);
  }

  @Benchmark
  public double concurrentHashMapGet() {
    return map.get(reads[next++ & MASK]);
  }
}

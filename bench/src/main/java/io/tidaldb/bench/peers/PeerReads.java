package io.tidaldb.bench.peers;

import io.tidaldb.bench.signal.LoadedLedger;
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
 * A decayed-score read against the floor for an in-memory read: a {@code ConcurrentHashMap} that
 * holds each entity's score, already computed, as a boxed {@code Double} (what an application would
 * keep if it did the math elsewhere), and an open-addressing {@code long[]}/{@code double[]} table of
 * the same precomputed scores (linear probing, half full: the floor for a hash read of one entity).
 * tidalDB reads through the caller's {@code SignalType} handle and by the signal's name. The ledger of {@code DecayScoreBench} ({@link LoadedLedger});
 * the same entities in the same order ({@link io.tidaldb.bench.ReadOrder}: uniformly at random, or
 * Zipf-skewed), side by side.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PeerReads
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class PeerReads extends LoadedLedger {

  private PrecomputedScores scores;
  private long[] reads;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    reads = openAndLoad();
    scores = PrecomputedScores.of(view, loaded, at);
  }

  @Benchmark
  public double tidaldbDecayScore() {
    return view.decayScore(reads[next++ & (READS - 1)], at);
  }

  @Benchmark
  public double tidaldbDecayScoreByName() {
    return db.decayScore("view", reads[next++ & (READS - 1)], at);
  }

  @Benchmark
  public double openAddressingGet() {
    return scores.floor(reads[next++ & (READS - 1)]);
  }

  @Benchmark
  public double concurrentHashMapGet() {
    return scores.map.get(reads[next++ & (READS - 1)]);
  }
}

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
 * Scoring 200 candidates for ranking with one {@code decayScores} call; each call takes the next 200
 * of a sequence of reads in {@link io.tidaldb.bench.ReadOrder} (uniformly at random, or Zipf-skewed, which may repeat
 * a candidate). Target: at most 5 µs.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar RankCandidatesBench -bm avgt,sample
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class RankCandidatesBench extends LoadedLedger {

  static final int CANDIDATES = 200;

  private long[][] batches;
  private double[] scores;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    long[] ids = openAndLoad();
    batches = new long[ids.length / CANDIDATES][CANDIDATES];
    for (int b = 0; b < batches.length; b++) {
      System.arraycopy(ids, b * CANDIDATES, batches[b], 0, CANDIDATES);
    }
    scores = new double[CANDIDATES];
  }

  /**
   * The scores of 200 candidates.
   *
   * @return the scores, so the work cannot be optimised away
   */
  @Benchmark
  public double[] score200() {
    long[] batch = batches[next++];
    if (next == batches.length) {
      next = 0;
    }
    view.decayScores(batch, at, scores);
    return scores;
  }
}

package io.tidaldb.bench.signal;

import io.tidaldb.RankingProfile;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import java.time.Clock;
import java.time.ZoneOffset;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-memory signal writes (an ephemeral database: no log): validation, sequence, ledger apply, over
 * 100,000 entities with event times spread over the last week. Run with {@code -t 2} for two
 * producers.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar WriteThroughputBench
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Threads(1)
public class WriteThroughputBench {

  /** One database shared by every benchmark thread. */
  @State(Scope.Benchmark)
  public static class Db {
    TidalDb db;
    SignalType view;

    @Setup(Level.Trial)
    public void open() {
      db = BenchSchema.open(1_000_000);
      view = db.signalType("view");
    }

    @TearDown(Level.Trial)
    public void close() {
      db.close();
    }
  }

  /** The same database with a ranking profile on {@code view} registered, whose index every write keeps. */
  @State(Scope.Benchmark)
  public static class IndexedDb {
    TidalDb db;
    SignalType view;

    @Setup(Level.Trial)
    public void open() {
      db = TidalDb.builder().ephemeral().schema(BenchSchema.SCHEMA).maxEntries(1_000_000)
          .clock(Clock.fixed(BenchSchema.NOW, ZoneOffset.UTC))
          .indexProfile(RankingProfile.builder().name("views").decayScore("view", 1).build()).open();
      view = db.signalType("view");
    }

    @TearDown(Level.Trial)
    public void close() {
      db.close();
    }
  }

  /**
   * {@code view.record(entity, 1.0, at)} through the handle, with a registered profile on {@code view}.
   *
   * @return the sequence number
   */
  @Benchmark
  public long recordIndexed(IndexedDb db, WriteStream stream) {
    int i = stream.advance();
    return db.view.record(stream.id(i), 1.0, stream.time(i));
  }

  /**
   * {@code view.record(entity, 1.0, at)} through the handle.
   *
   * @return the sequence number
   */
  @Benchmark
  public long record(Db db, WriteStream stream) {
    int i = stream.advance();
    return db.view.record(stream.id(i), 1.0, stream.time(i));
  }

  /**
   * {@code db.signal("view", entity, 1.0, at)} by name.
   *
   * @return the sequence number
   */
  @Benchmark
  public long signalByName(Db db, WriteStream stream) {
    int i = stream.advance();
    return db.db.signal("view", stream.id(i), 1.0, stream.time(i));
  }
}

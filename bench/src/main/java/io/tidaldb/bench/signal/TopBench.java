package io.tidaldb.bench.signal;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbBuilder;
import io.tidaldb.Window;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
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
 * Exact top-100 queries over a loaded ledger: {@code entities} entities with four {@code view}
 * events each over the last week (every window declared), a {@code like} for every second entity
 * and a {@code share} for every fifth. {@code topView} and {@code topViewFilteredTo10Percent} are
 * answered by the rank index; {@code topThreeDecayed} by the threshold walk over the three signals'
 * indexes (it meets about 11,000 entities on this data);
 * {@code topThreeDecayedIndexed} by the registered profile's index; {@code topWithWindowAndVelocity}
 * by a scan, on both cores.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar TopBench -p entities=1000000
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
public class TopBench {

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).velocity(true).add()
      .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add()
      .signal("share", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(3))).windows(Window.ALL_TIME).add()
      .build();

  static final RankingProfile THREE_DECAYED = RankingProfile.builder().name("three")
      .decayScore("view", 1).decayScore("like", 5).decayScore("share", 10).build();

  static final RankingProfile WITH_WINDOW = RankingProfile.builder().name("window")
      .decayScore("view", 1).windowCount("view", Window.ONE_HOUR, 0.5).velocity("view", Window.ONE_HOUR, 2).build();

  /** Entities loaded. */
  @Param({"1000000"})
  public int entities;

  private TidalDb db;

  @Setup(Level.Trial)
  public void load() {
    db = load(entities, false);
  }

  /** A database of {@code entities} entities, loaded as the class documentation says; {@code indexed}: it registers {@link #THREE_DECAYED}. */
  static TidalDb load(int entities, boolean indexed) {
    TidalDbBuilder builder = TidalDb.builder().ephemeral().schema(SCHEMA).maxEntries(entities * 2L)
        .clock(Clock.fixed(BenchSchema.NOW, ZoneOffset.UTC));
    TidalDb db = (indexed ? builder.indexProfile(THREE_DECAYED) : builder).open();
    long[] ids = BenchSchema.ids(entities, 1);
    BenchSchema.load(db, ids, 4);
    SignalType like = db.signalType("like");
    SignalType share = db.signalType("share");
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < ids.length; i++) {
      if (i % 2 == 0) {
        like.record(ids[i], 1, BenchSchema.NOW.minusSeconds(random.nextLong(7 * 86_400)));
      }
      if (i % 5 == 0) {
        share.record(ids[i], 1, BenchSchema.NOW.minusSeconds(random.nextLong(7 * 86_400)));
      }
    }
    return db;
  }

  /** The same data in a database that registered {@link #THREE_DECAYED}: loaded only for the benchmark that asks it. */
  @State(Scope.Benchmark)
  public static class Indexed {
    /** Entities loaded. */
    @Param({"1000000"})
    public int entities;

    TidalDb db;

    @Setup(Level.Trial)
    public void load() {
      db = TopBench.load(entities, true);
    }

    @TearDown(Level.Trial)
    public void close() {
      db.close();
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
  }

  /** {@return the 100 entities with the highest decayed view score} */
  @Benchmark
  public List<ScoredEntity> topView() {
    return db.top("view", 100, BenchSchema.NOW);
  }

  /** {@return the best 100 by view + 5 x like + 10 x share, each decayed} */
  @Benchmark
  public List<ScoredEntity> topThreeDecayed() {
    return db.top(THREE_DECAYED, 100, BenchSchema.NOW);
  }

  /** {@return the best 100 by view + 5 x like + 10 x share, each decayed, from the registered profile's index} */
  @Benchmark
  public List<ScoredEntity> topThreeDecayedIndexed(Indexed indexed) {
    return indexed.db.top(THREE_DECAYED, 100, BenchSchema.NOW);
  }

  /** {@return the best 100 by decayed views plus the last hour's count and velocity} */
  @Benchmark
  public List<ScoredEntity> topWithWindowAndVelocity() {
    return db.top(WITH_WINDOW, 100, BenchSchema.NOW);
  }

  /** {@return the best 100 by decayed views among the 10 % of entities a filter accepts} */
  @Benchmark
  public List<ScoredEntity> topViewFilteredTo10Percent() {
    return db.top(RankingProfile.decayScore("view"), 100, BenchSchema.NOW, id -> Math.floorMod(id, 10) == 0);
  }
}

package io.tidaldb.bench.signal;

import io.tidaldb.Durability;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.BenchDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening a persistent home whose checkpoint holds {@code entries} ledger entries and whose log
 * holds {@code walEvents} events after it: schema check, WAL recovery, snapshot restore, replay, then
 * close. One open per iteration; the page cache is warm (the home was just written).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar RecoveryBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class RecoveryBench {

  /** Entries in the snapshot (one signal, every window, two events each over the last week). */
  @Param({"1000000"})
  public int entries;

  /** Events in the log after the checkpoint, on entities of the snapshot. */
  @Param({"1000000"})
  public int walEvents;

  /** A directory on the disk under test. */
  @Param({"target/bench-signal"})
  public String dir;

  private Path home;

  @Setup(Level.Trial)
  public void write() {
    home = BenchDirs.fresh(dir, "recovery-");
    long[] ids = BenchSchema.ids(entries, 1);
    SplittableRandom random = new SplittableRandom(5);
    try (TidalDb db = BenchHomes.open(home, Durability.interval(Duration.ofMillis(10)), Duration.ZERO, entries)) {
      SignalType view = db.signalType("view");
      CompletableFuture<Long> last = null;
      for (int round = 0; round < 2; round++) {
        for (long id : ids) {
          last = view.recordAsync(id, 1.0, BenchSchema.NOW.minusSeconds(random.nextLong(7 * 86_400)));
        }
      }
      last.join();
      long covered = db.checkpoint();
      for (int i = 0; i < walEvents; i++) {
        last = view.recordAsync(ids[random.nextInt(ids.length)], 1.0, BenchSchema.NOW.minusSeconds(random.nextLong(86_400)));
      }
      last.join();
      System.out.printf("%nhome: snapshot at %,d with %,d entries, %,d events after it%n", covered,
          db.stats().ledgerEntries(), db.stats().lastSequence() - covered);
    }
  }

  @TearDown(Level.Trial)
  public void delete() {
    BenchDirs.delete(home);
  }

  /**
   * Opens (recovers) and closes the home.
   *
   * @return the entries recovered
   */
  @Benchmark
  public long openAndClose() {
    try (TidalDb db = BenchHomes.open(home, Durability.SYNC, Duration.ZERO, entries)) {
      return db.stats().ledgerEntries();
    }
  }
}

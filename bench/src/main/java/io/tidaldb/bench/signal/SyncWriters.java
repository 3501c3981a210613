package io.tidaldb.bench.signal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.DecaySpec;
import io.tidaldb.Durability;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.bench.BenchDirs;
import io.tidaldb.metrics.MeterNames;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Blocking writers under {@code SYNC}: {@code N} threads each calling {@code record()} in a loop on
 * one persistent database, for a number of seconds after one of warm-up; prints the events per
 * second, the log's fsyncs per second ({@code tidaldb.wal.fsync}) and the events each fsync made
 * durable: how well concurrent writers share fsyncs (issue 14's "8 blocking threads" row, whose JMH
 * peer is {@code PeerWrites.tidaldbSyncOneAtATime8Threads}).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.SyncWriters 8 4 target/bench-peers
 * </pre>
 */
public final class SyncWriters {

  private SyncWriters() {}

  /**
   * Runs the measurement.
   *
   * @param args writer threads (default 8), seconds measured (default 4), a directory on the disk
   *     under test (default {@code target/bench-peers})
   * @throws InterruptedException if interrupted while the writers run
   */
  public static void main(String[] args) throws InterruptedException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Path dir = BenchDirs.fresh(args.length > 2 ? args[2] : "target/bench-peers", "sync-writers");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
            .windows(Window.ONE_HOUR, Window.ALL_TIME)
            .add()
        .build();
    try (TidalDb db = TidalDb.builder().dataDir(dir).durability(Durability.SYNC).schema(schema)
        .meterRegistry(registry).open()) {
      SignalType view = db.signalType("view");
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder events = new LongAdder();
      Thread[] writers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        long first = t * 1_000_000_000L;
        writers[t] = new Thread(() -> {
          for (long i = 0; !stop.get(); i++) {
            view.record(first + i % 100_000, 1.0, Instant.now());
            events.increment();
          }
        }, "sync-writer-" + t);
        writers[t].start();
      }
      Thread.sleep(1_000);
      long events0 = events.sum();
      long fsyncs0 = registry.get(MeterNames.WAL_FSYNC).timer().count();
      Thread.sleep(seconds * 1_000L);
      long written = events.sum() - events0;
      long fsyncs = registry.get(MeterNames.WAL_FSYNC).timer().count() - fsyncs0;
      stop.set(true);
      for (Thread writer : writers) {
        writer.join();
      }
      System.out.printf("%d threads: %,.0f events/s, %,.0f fsyncs/s, %.2f events per fsync%n", threads,
          written / (double) seconds, fsyncs / (double) seconds, written / (double) Math.max(1, fsyncs));
    } finally {
      BenchDirs.delete(dir);
    }
  }
}

package io.tidaldb.bench.signal;

import io.tidaldb.Durability;
import io.tidaldb.TidalDb;
import java.nio.file.Path;
import java.time.Duration;

/** Persistent homes for the signal benchmarks (in directories from {@link io.tidaldb.bench.BenchDirs}). */
final class BenchHomes {

  private BenchHomes() {}

  /** {@code "sync"}, or {@code "interval"}: an fsync at least every 10 ms. */
  static Durability durability(String name) {
    return name.equals("sync") ? Durability.SYNC : Durability.interval(Duration.ofMillis(10));
  }

  /** A persistent database with the benchmark schema, on the fixed benchmark clock. */
  static TidalDb open(Path home, Durability durability, Duration checkpointInterval, long maxEntries) {
    return TidalDb.builder().dataDir(home).schema(BenchSchema.SCHEMA).durability(durability)
        .checkpointInterval(checkpointInterval).maxEntries(maxEntries)
        .clock(java.time.Clock.fixed(BenchSchema.NOW, java.time.ZoneOffset.UTC)).open();
  }
}

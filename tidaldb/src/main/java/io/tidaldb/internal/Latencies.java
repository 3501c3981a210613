package io.tidaldb.internal;

import io.tidaldb.TidalDb;
import java.util.function.Function;

/**
 * The measured times of one database, for the metrics binder's timers: signal writes (sampled),
 * fsyncs of the write-ahead log, and checkpoints. (Ranking queries have theirs per profile, in
 * {@code RankingStats}.) {@code TidalDb} installs the accessor when its class is initialised.
 *
 * <pre>{@code
 * Latencies.of(db).write().subscribe(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
 * }</pre>
 *
 * <p>Not API: the {@code io.tidaldb.internal} package may change in any release.
 *
 * @param write sampled signal writes, from the call until durable and applied
 * @param fsync fsyncs of log segments (persistent databases)
 * @param checkpoint completed checkpoints (persistent databases)
 */
public record Latencies(LatencyRecorder write, LatencyRecorder fsync, LatencyRecorder checkpoint) {

  private static volatile Function<TidalDb, Latencies> accessor;

  /** {@return fresh recorders, with no subscriber} */
  public static Latencies create() {
    return new Latencies(new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder());
  }

  /**
   * Installs the accessor; only the first call counts.
   *
   * @param access reads a database's recorders
   */
  public static synchronized void install(Function<TidalDb, Latencies> access) {
    if (accessor == null) {
      accessor = access;
    }
  }

  /**
   * The recorders of {@code db}.
   *
   * @param db an open database
   * @return its recorders
   */
  public static Latencies of(TidalDb db) {
    return accessor.apply(db);
  }
}

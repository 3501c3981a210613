package io.tidaldb.internal;

/**
 * The measured times of one database, for the metrics binder's timers: signal writes (sampled),
 * fsyncs of the write-ahead log, and checkpoints. (Ranking queries have theirs per profile, in
 * {@code RankingStats}.)
 *
 * <pre>{@code
 * latencies.write().subscribe(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
 * }</pre>
 *
 * <p>Not API: the {@code io.tidaldb.internal} packages are not exported, and may change in any release.
 *
 * @param write sampled signal writes, from the call until durable and applied
 * @param fsync fsyncs of log segments (persistent databases)
 * @param checkpoint completed checkpoints (persistent databases)
 */
public record Latencies(LatencyRecorder write, LatencyRecorder fsync, LatencyRecorder checkpoint) {

  /** {@return fresh recorders, with no subscriber} */
  public static Latencies create() {
    return new Latencies(new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder());
  }
}

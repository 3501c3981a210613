package io.tidaldb.internal.metrics;

import io.tidaldb.SignalSpec;
import io.tidaldb.internal.Latencies;
import io.tidaldb.internal.signal.EngineCounters;
import io.tidaldb.internal.signal.RankingStats;
import io.tidaldb.internal.signal.SignalEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An open database as the meters and {@code /healthz} read it: the facts of its settings, fixed
 * when it opened, its clock, and its engine's counters; its uptime and health check come from the
 * database. The meters hold a source weakly, so the database keeps it for as long as it lives.
 *
 * <pre>{@code
 * MetricsSource observed = new EngineMetricsSource(new EngineMetricsSource.Facts("0", schema.signals(), true, 64,
 *     Duration.ofSeconds(30)), clock, db::uptime, db::healthCheck, engine);
 * }</pre>
 */
public final class EngineMetricsSource implements MetricsSource {

  /**
   * What a database's settings say, as the meters label and describe it.
   *
   * @param partitionId the partition id the meters are tagged with
   * @param signals the signals of the schema in effect
   * @param persistent whether the database keeps a home on disk
   * @param writeLatencySampling one write in this many is timed
   * @param checkpointInterval the periodic checkpoint interval, zero when off or ephemeral
   */
  public record Facts(String partitionId, List<SignalSpec> signals, boolean persistent, int writeLatencySampling,
      Duration checkpointInterval) {
    /** Copies the signals. */
    public Facts {
      signals = List.copyOf(signals);
    }
  }

  private final Facts facts;
  private final Clock clock;
  private final Supplier<Duration> uptime;
  private final Runnable healthCheck;
  private final SignalEngine engine;

  /**
   * A source over one open database.
   *
   * @param facts what its settings say
   * @param clock its clock
   * @param uptime its uptime
   * @param healthCheck its health check, which throws naming the problem when it is not healthy
   * @param engine its signal engine
   */
  public EngineMetricsSource(Facts facts, Clock clock, Supplier<Duration> uptime, Runnable healthCheck,
      SignalEngine engine) {
    this.facts = facts;
    this.clock = clock;
    this.uptime = uptime;
    this.healthCheck = healthCheck;
    this.engine = engine;
  }

  @Override
  public String partitionId() {
    return facts.partitionId();
  }

  @Override
  public List<SignalSpec> signals() {
    return facts.signals();
  }

  @Override
  public boolean persistent() {
    return facts.persistent();
  }

  @Override
  public int writeLatencySampling() {
    return facts.writeLatencySampling();
  }

  @Override
  public Duration checkpointInterval() {
    return facts.checkpointInterval();
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Duration uptime() {
    return uptime.get();
  }

  @Override
  public Optional<String> healthProblem() {
    try {
      healthCheck.run();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public EngineCounters counters() {
    return engine.counters();
  }

  @Override
  public Latencies latencies() {
    return engine.latencies();
  }

  @Override
  public RankingStats ranking() {
    return engine.reads().rankingStats();
  }
}

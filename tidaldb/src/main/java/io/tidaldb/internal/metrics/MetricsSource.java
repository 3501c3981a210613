package io.tidaldb.internal.metrics;

import io.tidaldb.SignalSpec;
import io.tidaldb.internal.Latencies;
import io.tidaldb.internal.signal.EngineCounters;
import io.tidaldb.internal.signal.RankingStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the meters and {@code /healthz} read of one database: its identity, its counters, its health
 * and its uptime, and nothing else. {@code TidalDb} implements it; the meters hold it weakly, as a
 * forgotten database must not be kept alive by a registry.
 */
public interface MetricsSource {

  /** {@return the database's partition id, the tag every meter carries} */
  String partitionId();

  /** {@return the declared signals, in id order} */
  List<SignalSpec> signals();

  /** {@return whether the database keeps a home (a log, checkpoints)} */
  boolean persistent();

  /** {@return one write in this many has its latency measured} */
  int writeLatencySampling();

  /** {@return the period of checkpoints, or zero when periodic checkpoints are off} */
  Duration checkpointInterval();

  /** {@return the instant now, by the database's clock} */
  Instant now();

  /** {@return the time since the database was opened, by its clock; never negative} */
  Duration uptime();

  /** {@return what keeps the database from working, as {@code healthCheck()} would say it; empty when healthy} */
  Optional<String> healthProblem();

  /** {@return the counters and sizes, each read on its own when a meter asks} */
  EngineCounters counters();

  /** {@return the recorders the timers subscribe to} */
  Latencies latencies();

  /** {@return the ranking counters, per profile} */
  RankingStats ranking();
}

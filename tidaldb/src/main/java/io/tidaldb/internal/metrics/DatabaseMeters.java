package io.tidaldb.internal.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tidaldb.BuildInfo;
import io.tidaldb.ConfigException;
import io.tidaldb.SignalSpec;
import io.tidaldb.internal.Latencies;
import io.tidaldb.internal.LatencyRecorder;
import io.tidaldb.internal.signal.RankingStats;
import io.tidaldb.metrics.MeterNames;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one database, read from its {@link MetricsSource}: what {@code TidalDbMetrics}
 * binds, and what the metrics runtime binds to the host's registry and to the endpoint's. It
 * registers them in a registry, checking for a clash of partition ids, and removes exactly those on
 * {@link #close()}. Gauges and counters are read when the registry is scraped; the four timers are
 * fed each time as it is measured, counting from binding. Nothing here refers to the source
 * strongly but the binder's owner: a registry never keeps a forgotten database alive.
 */
public final class DatabaseMeters implements MeterBinder, AutoCloseable {

  /** Serialises the check for a clash with the registration, across every binder of this class loader. */
  private static final Object BINDING = new Object();

  private final WeakReference<MetricsSource> db;
  private final String partitionId;
  private final Tags tags;
  private final List<Bound> bound = new ArrayList<>();
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private boolean closed;

  /**
   * The meters of {@code db}, with tags added to every meter.
   *
   * @param db the open database's source
   * @param tags tags for every meter, besides {@value MeterNames#PARTITION_ID}
   */
  public DatabaseMeters(MetricsSource db, Iterable<Tag> tags) {
    Objects.requireNonNull(db, "db");
    this.db = new WeakReference<>(db);
    this.partitionId = db.partitionId();
    this.tags = Tags.of(tags).and(MeterNames.PARTITION_ID, partitionId);
  }

  /**
   * Registers the database's meters in {@code registry}.
   *
   * @param registry the registry to add the meters to
   * @throws ConfigException if the registry already holds tidalDB meters with the same partition id
   * @throws IllegalStateException if this binder is closed, or its database was garbage-collected
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (BINDING) {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("this TidalDbMetrics is closed; create a new one");
        }
        MetricsSource database = db.get();
        if (database == null) {
          throw new IllegalStateException("the database of this TidalDbMetrics was garbage-collected");
        }
        if (registry.find(MeterNames.UPTIME).tag(MeterNames.PARTITION_ID, partitionId).meter() != null) {
          throw new ConfigException("partitionId(\"" + partitionId + "\"): the meter registry already holds tidalDB"
              + " meters tagged " + MeterNames.PARTITION_ID + "=\"" + partitionId + "\" (another open TidalDb bound"
              + " them); give each database that shares a registry its own partitionId(...)");
        }
        for (Meter meter : register(registry, database)) {
          bound.add(new Bound(registry, meter));
        }
        RankingStats ranking = database.ranking();
        unsubscribe.add(ranking.onNewProfile(profile -> bindProfile(registry, ranking, profile)));
        for (String profile : ranking.profiles()) {
          bindProfile(registry, ranking, profile);
        }
      }
    }
  }

  /**
   * The meters, one line each: gauges and counters read when scraped, each from its own counter (no whole {@code TidalDbStats} per meter),
   * holding the database weakly (Micrometer's default); timers fed by the database's recorders, which
   * refer to the timers and not the other way round.
   */
  private List<Meter> register(MeterRegistry registry, MetricsSource database) {
    Latencies latencies = database.latencies();
    List<Meter> meters = new ArrayList<>(List.of(
        TimeGauge.builder(MeterNames.UPTIME, database, TimeUnit.NANOSECONDS, d -> d.uptime().toNanos())
            .description("Time since the database was opened, by its clock.").tags(tags).register(registry),
        Gauge.builder(MeterNames.HEALTH_OK, database, DatabaseMeters::healthOk)
            .description("Whether the database is healthy: 1 = ok, 0 = degraded.").tags(tags).register(registry),
        Gauge.builder(MeterNames.INFO, () -> 1).description("Build and version information.").tags(tags)
            .tag(MeterNames.VERSION, BuildInfo.version()).tag(MeterNames.BUILD_HASH, BuildInfo.buildHash())
            .register(registry),
        timer(registry, MeterNames.SIGNAL_WRITE_LATENCY, latencies.write(), Tags.empty(),
            "Time from a signal write's call until it is durable and applied, over one write in "
                + database.writeLatencySampling() + "."),
        FunctionCounter.builder(MeterNames.SIGNAL_READS, database, d -> d.counters().reads())
            .description("Signal reads; each entity of a batch read counts.").tags(tags).register(registry),
        Gauge.builder(MeterNames.LEDGER_ENTRIES, database, d -> d.counters().ledgerEntries())
            .description("The (entity, signal) entries the ledger holds.").tags(tags).register(registry),
        FunctionCounter.builder(MeterNames.LEDGER_EVICTIONS, database, d -> d.counters().ledgerEvictions())
            .description("Ledger entries evicted to make room.").tags(tags).register(registry)));
    for (SignalSpec signal : database.signals()) {
      String name = signal.name();
      int id = signal.id();
      meters.add(FunctionCounter.builder(MeterNames.SIGNAL_WRITES, database,
              d -> d.counters().writes(id))
          .description("Accepted signal writes.").tags(tags).tag(MeterNames.SIGNAL, name).register(registry));
    }
    if (database.persistent()) {
      meters.addAll(List.of(
          Gauge.builder(MeterNames.WAL_SEQUENCE, database, d -> d.counters().lastSequence())
              .description("The last acknowledged sequence of the write-ahead log.").tags(tags).register(registry),
          Gauge.builder(MeterNames.WAL_SEGMENTS, database, d -> d.counters().walSegments())
              .description("The write-ahead log's segment files.").tags(tags).register(registry),
          FunctionCounter.builder(MeterNames.WAL_WRITTEN, database, d -> d.counters().walBytesWritten())
              .description("Bytes written to the write-ahead log.").baseUnit("bytes").tags(tags).register(registry),
          FunctionCounter.builder(MeterNames.WAL_FAILURES, database, d -> d.counters().walFailures())
              .description("Failures that stopped the write-ahead log (0 or 1): it refuses writes until reopened.")
              .tags(tags).register(registry),
          timer(registry, MeterNames.WAL_FSYNC, latencies.fsync(), Tags.empty(), "Fsyncs of write-ahead log segments."),
          timer(registry, MeterNames.CHECKPOINT, latencies.checkpoint(), Tags.empty(),
              "Checkpoints completed: ledger snapshot, checkpoint.meta, log segments removed."),
          TimeGauge.builder(MeterNames.CHECKPOINT_INTERVAL, database, TimeUnit.NANOSECONDS,
                  d -> d.checkpointInterval().toNanos())
              .description("The configured period of checkpoints; 0 when periodic checkpoints are off.")
              .tags(tags).register(registry),
          FunctionCounter.builder(MeterNames.CHECKPOINT_FAILURES, database, d -> d.counters().checkpointFailures())
              .description("Checkpoints that failed; the previous checkpoint stays in effect.").tags(tags)
              .register(registry),
          TimeGauge.builder(MeterNames.CHECKPOINT_AGE, database, TimeUnit.NANOSECONDS, DatabaseMeters::checkpointAge)
              .description("Time since the checkpoint in effect was taken or last found current (nothing written"
                  + " since); before that, since open. By the database's clock.")
              .tags(tags).register(registry)));
    }
    return meters;
  }

  /**
   * Registers the ranking meters of one profile name, when it is first queried (on the querying
   * thread) or when the binder is bound. Registering twice returns the meters already there.
   */
  private synchronized void bindProfile(MeterRegistry registry, RankingStats ranking, String profile) {
    if (closed) {
      return;
    }
    bound.add(new Bound(registry, FunctionCounter.builder(MeterNames.RANKING_QUERIES, ranking, r -> r.queries(profile))
        .description("Ranking queries answered (top).").tags(tags).tag(MeterNames.PROFILE, profile)
        .register(registry)));
    bound.add(new Bound(registry, timer(registry, MeterNames.RANKING_QUERY_LATENCY, ranking.latency(profile),
        Tags.of(MeterNames.PROFILE, profile), "Time of ranking queries (top), from the call to the answer.")));
  }

  /**
   * Registers a timer fed with each time {@code recorder} is told, at the point of measurement, so a
   * {@code MeterFilter} can give it percentiles, histograms and SLO buckets. It counts from binding.
   */
  private Timer timer(MeterRegistry registry, String name, LatencyRecorder recorder, Tags extra, String description) {
    Timer timer = Timer.builder(name).description(description).tags(tags).tags(extra).register(registry);
    unsubscribe.add(recorder.subscribe(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS)));
    return timer;
  }

  private static double checkpointAge(MetricsSource database) {
    Optional<Instant> last = database.counters().lastCheckpointCurrent();
    if (last.isEmpty()) {
      return database.uptime().toNanos();   // writes since open that no checkpoint covers yet
    }
    Duration age = Duration.between(last.get(), database.now());
    return age.isNegative() ? 0 : age.toNanos();
  }

  private static double healthOk(MetricsSource database) {
    return database.healthProblem().isPresent() ? 0 : 1;
  }

  /** Removes every meter this binder registered, from every registry it was bound to. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    unsubscribe.forEach(Runnable::run);
    unsubscribe.clear();
    for (Bound b : bound) {
      b.registry().remove(b.meter());
    }
    bound.clear();
  }

  private record Bound(MeterRegistry registry, Meter meter) {}
}

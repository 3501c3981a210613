package io.tidaldb;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.tidaldb.internal.signal.SignalEngine;
import io.tidaldb.metrics.MetricsConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Configures and opens a {@link TidalDb}. Obtain one from {@link TidalDb#builder()}.
 *
 * <pre>{@code
 * try (TidalDb db = TidalDb.builder()
 *         .dataDir(Path.of("/var/lib/tidaldb"))
 *         .open()) {
 *   db.healthCheck();
 * }
 * }</pre>
 *
 * <p>Choose exactly one of {@link #ephemeral()} and {@link #dataDir(Path)}. Each setting may be given
 * once. A null or malformed value fails at the setter; settings that conflict with each other, and
 * directories that cannot be used, fail in {@link #open()}. Every failure is a
 * {@link ConfigException} whose message names the setting and the value.
 *
 * <p>A builder is not thread-safe; use it from one thread and throw it away after {@code open()}.
 *
 * <p>(For maintainers: this class is longer than the house's ~350 lines on purpose. It does one job,
 * the settings and their checks, and most of it is the javadoc of its 26 public members, each
 * setting's rule next to the check that enforces it; {@link Config} holds the result and the
 * database opens from that. One setter per setting, read in one place, is what a user looks for.)
 */
public final class TidalDbBuilder {

  /** The ledger's bound on (entity, signal) entries unless {@link #maxEntries(long)} is set. */
  public static final long DEFAULT_MAX_ENTRIES = 1_000_000;

  /** The largest bound {@link #maxEntries(long)} accepts (about 280 GB of heap with every window). */
  public static final long MAX_ENTRIES_LIMIT = 1_000_000_000;

  /** How often a persistent database takes a checkpoint unless {@link #checkpointInterval(Duration)} is set. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

  /** How far ahead of the clock an event may be dated unless {@link #maxFutureSkew(Duration)} is set. */
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofHours(1);

  /** One signal write in this many is timed unless {@link #writeLatencySampling(int)} is set. */
  public static final int DEFAULT_WRITE_LATENCY_SAMPLING = 64;

  /** The sparsest write latency sampling accepted: one write in this many. */
  public static final int MAX_WRITE_LATENCY_SAMPLING = 1 << 20;

  /** The shortest checkpoint interval accepted (besides zero, which turns periodic checkpoints off). */
  public static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

  private static final Pattern PARTITION_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private boolean ephemeral;
  private Path dataDir;
  private Path walDir;
  private Path cacheDir;
  private Durability durability;
  private Clock clock;
  private String partitionId;
  private MetricsConfig metrics = MetricsConfig.NONE;
  private Duration metricsRequestTimeout;
  private Integer metricsMaxConnections;
  private Schema schema;
  private Long maxEntries;
  private Duration checkpointInterval;
  private Duration maxFutureSkew;
  private Integer writeLatencySampling;
  private final List<RankingProfile> indexedProfiles = new ArrayList<>();

  TidalDbBuilder() {}

  /**
   * Keeps everything in memory: nothing touches the disk, and the data is gone on {@code close()}.
   *
   * @return this builder
   */
  public TidalDbBuilder ephemeral() {
    if (ephemeral) {
      throw new ConfigException("ephemeral() was already called; call it once");
    }
    ephemeral = true;
    return this;
  }

  /**
   * Keeps the data in a home directory, created with its layout if missing (see {@link TidalHome}).
   *
   * @param dataDir the home's base directory
   * @return this builder
   */
  public TidalDbBuilder dataDir(Path dataDir) {
    requireNonNull("dataDir", dataDir);
    requireUnset("dataDir", this.dataDir);
    this.dataDir = dataDir;
    return this;
  }

  /**
   * Puts the write-ahead log in {@code walDir} instead of {@code dataDir/wal}, for example on a
   * faster disk. Only with {@link #dataDir(Path)}.
   *
   * @param walDir the write-ahead log's directory
   * @return this builder
   */
  public TidalDbBuilder walDir(Path walDir) {
    requireNonNull("walDir", walDir);
    requireUnset("walDir", this.walDir);
    this.walDir = walDir;
    return this;
  }

  /**
   * Puts the cache in {@code cacheDir} instead of {@code dataDir/cache}. Only with
   * {@link #dataDir(Path)}.
   *
   * @param cacheDir the cache directory
   * @return this builder
   */
  public TidalDbBuilder cacheDir(Path cacheDir) {
    requireNonNull("cacheDir", cacheDir);
    requireUnset("cacheDir", this.cacheDir);
    this.cacheDir = cacheDir;
    return this;
  }

  /**
   * When a write counts as done; {@link Durability#SYNC} unless set. Only with {@link #dataDir(Path)}.
   *
   * @param durability the durability mode
   * @return this builder
   */
  public TidalDbBuilder durability(Durability durability) {
    requireNonNull("durability", durability);
    requireUnset("durability", this.durability);
    this.durability = durability;
    return this;
  }

  /**
   * The source of time for decay, windows and uptime; {@link Clock#systemUTC()} unless set. Tests
   * inject a clock they can move.
   *
   * @param clock the clock
   * @return this builder
   */
  public TidalDbBuilder clock(Clock clock) {
    requireNonNull("clock", clock);
    requireUnset("clock", this.clock);
    this.clock = clock;
    return this;
  }

  /**
   * The value of the {@code partition_id} tag on every meter; {@code "0"} unless set. Give two
   * databases in one JVM distinct ids.
   *
   * @param partitionId 1 to 64 characters from {@code [A-Za-z0-9_.-]}
   * @return this builder
   */
  public TidalDbBuilder partitionId(String partitionId) {
    requireNonNull("partitionId", partitionId);
    requireUnset("partitionId", this.partitionId);
    if (!PARTITION_ID.matcher(partitionId).matches()) {
      throw new ConfigException("partitionId(\"" + partitionId + "\"): use 1 to 64 characters from [A-Za-z0-9_.-]");
    }
    this.partitionId = partitionId;
    return this;
  }

  /**
   * Binds tidalDB's meters (see {@link io.tidaldb.metrics.MeterNames}) to the host's registry; they
   * are removed from it on {@code close()}. Databases sharing a registry need distinct
   * {@link #partitionId(String)}s.
   *
   * @param registry the host's registry: Prometheus, any other, or a composite
   * @return this builder
   */
  public TidalDbBuilder meterRegistry(MeterRegistry registry) {
    metrics = metrics.withMeterRegistry(registry);
    return this;
  }

  /**
   * Serves {@code GET /metrics} and {@code GET /healthz} on {@code hostPort} with the one metrics
   * transport on the classpath ({@code io.tidaldb:tidaldb-metrics-jdk} or
   * {@code io.tidaldb:tidaldb-metrics-undertow}). {@link TidalDb#metricsAddress()} tells the port.
   *
   * @param hostPort such as {@code "127.0.0.1:9464"}; port 0 picks a free port; a port alone binds loopback
   * @return this builder
   */
  public TidalDbBuilder enableMetrics(String hostPort) {
    metrics = metrics.withEndpoint(hostPort, null);
    return this;
  }

  /**
   * Like {@link #enableMetrics(String)}, with the transport chosen by name.
   *
   * @param hostPort such as {@code "127.0.0.1:9464"}; port 0 picks a free port; a port alone binds loopback
   * @param transportName {@code "jdk"} or {@code "undertow"}
   * @return this builder
   */
  public TidalDbBuilder enableMetrics(String hostPort, String transportName) {
    if (transportName == null) {
      throw new ConfigException("enableMetrics(\"" + hostPort + "\", null): name a transport, \"jdk\" or \"undertow\"");
    }
    metrics = metrics.withEndpoint(hostPort, transportName);
    return this;
  }

  /**
   * How long the metrics endpoint waits for a connection to deliver a whole request (and to take the
   * response); a connection that takes longer is closed, so that clients that connect and stall hold
   * neither a thread nor a connection for long. {@link MetricsConfig#DEFAULT_REQUEST_TIMEOUT} (5 s)
   * unless set. Only with {@link #enableMetrics(String)}. What each transport enforces is in
   * {@code docs/METRICS.md}.
   *
   * @param timeout from {@link MetricsConfig#MIN_REQUEST_TIMEOUT} to {@link MetricsConfig#MAX_REQUEST_TIMEOUT}
   * @return this builder
   */
  public TidalDbBuilder metricsRequestTimeout(Duration timeout) {
    requireNonNull("metricsRequestTimeout", timeout);
    requireUnset("metricsRequestTimeout", this.metricsRequestTimeout);
    metrics = metrics.withRequestTimeout(timeout);
    this.metricsRequestTimeout = timeout;
    return this;
  }

  /**
   * The most connections the metrics endpoint serves at once; a connection over the cap is closed at
   * once, never queued. {@value MetricsConfig#DEFAULT_MAX_CONNECTIONS} unless set. Only with
   * {@link #enableMetrics(String)}. What each transport counts is in {@code docs/METRICS.md}.
   *
   * @param connections from 1 to {@value MetricsConfig#MAX_CONNECTIONS_LIMIT}
   * @return this builder
   */
  public TidalDbBuilder metricsMaxConnections(int connections) {
    requireUnset("metricsMaxConnections", this.metricsMaxConnections);
    metrics = metrics.withMaxConnections(connections);
    this.metricsMaxConnections = connections;
    return this;
  }

  /**
   * Adds a {@code MeterFilter} to the registry behind the metrics endpoint ({@code /metrics}), which
   * is tidalDB's own and otherwise out of the host's reach: the way to turn on percentiles,
   * percentile histograms or SLO buckets for the timers it serves. Filters apply in the order added.
   * Only with {@link #enableMetrics(String)}; a registry given to {@link #meterRegistry(MeterRegistry)}
   * takes the host's own filters ({@code registry.config().meterFilter(...)}, before {@code open()}).
   *
   * <pre>{@code
   * TidalDb.builder().dataDir(dir).enableMetrics("127.0.0.1:9464")
   *     .metricsMeterFilter(new MeterFilter() {
   *       public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
   *         return id.getName().startsWith("tidaldb.")
   *             ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
   *             : config;
   *       }
   *     })
   *     .open();
   * }</pre>
   *
   * @param filter a filter, such as one that turns on {@code publishPercentileHistogram}
   * @return this builder
   */
  public TidalDbBuilder metricsMeterFilter(MeterFilter filter) {
    metrics = metrics.withEndpointFilter(filter);
    return this;
  }

  /**
   * The signals the database records; {@link Schema#empty()} unless set. A persistent home stores
   * its schema and checks it on every open: the schema must declare the stored signals first, exactly
   * as before, and may append new ones (a {@link ConfigException} names the first difference). With
   * no schema set, a persistent home uses the one it stores; a database with no signals at all
   * refuses every signal write.
   *
   * @param schema the signals
   * @return this builder
   */
  public TidalDbBuilder schema(Schema schema) {
    requireNonNull("schema", schema);
    requireUnset("schema", this.schema);
    this.schema = schema;
    return this;
  }

  /**
   * The most (entity, signal) entries the signal ledger holds; {@value #DEFAULT_MAX_ENTRIES} unless
   * set. A write that needs a new entry in a full ledger first evicts the entry whose newest event
   * is oldest among a small sample (see {@code docs/SIGNALS.md}); an evicted entity reads as never
   * seen. Size it from about 280 bytes of heap per entry with every window declared.
   *
   * @param maxEntries from 1 to {@value #MAX_ENTRIES_LIMIT}
   * @return this builder
   */
  public TidalDbBuilder maxEntries(long maxEntries) {
    requireUnset("maxEntries", this.maxEntries);
    if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
      throw new ConfigException("maxEntries(" + maxEntries + "): the ledger holds from 1 to " + MAX_ENTRIES_LIMIT
          + " entries");
    }
    this.maxEntries = maxEntries;
    return this;
  }

  /**
   * How often the database takes a checkpoint: writes a snapshot of the signal ledger, records it in
   * the write-ahead log's {@code checkpoint.meta}, and removes the log segments it covers, so that
   * reopening replays only what followed (see {@code docs/SIGNALS.md}). A checkpoint is skipped when
   * nothing was written since the last one. 30 seconds unless set.
   * Only with {@link #dataDir(Path)}.
   *
   * @param interval at least {@link #MIN_CHECKPOINT_INTERVAL}; {@link Duration#ZERO} turns periodic
   *     checkpoints off (then only {@link TidalDb#checkpoint()} takes them, and the log grows until it does)
   * @return this builder
   */
  public TidalDbBuilder checkpointInterval(Duration interval) {
    requireNonNull("checkpointInterval", interval);
    requireUnset("checkpointInterval", this.checkpointInterval);
    if (interval.isNegative() || (!interval.isZero() && interval.compareTo(MIN_CHECKPOINT_INTERVAL) < 0)) {
      throw new ConfigException("checkpointInterval(" + interval + "): give at least " + MIN_CHECKPOINT_INTERVAL
          + ", or Duration.ZERO to take checkpoints only when TidalDb.checkpoint() is called");
    }
    this.checkpointInterval = interval;
    return this;
  }

  /**
   * How far ahead of the database's clock ({@link #clock(Clock)}) an event may be dated; a write
   * dated later is refused with an {@link InvalidSignalException} and nothing is written.
   * {@link #DEFAULT_MAX_FUTURE_SKEW} (one hour) unless set. An event far in the future would count
   * in windows "now" has not reached and hold its entity's decay at full weight until then, so a
   * wrong timestamp (seconds taken for milliseconds, a host clock years ahead) is refused at the
   * write instead. Events already in the write-ahead log are replayed on {@code open()} whatever
   * the clock says.
   *
   * <pre>{@code
   * TidalDb.builder().dataDir(dir).maxFutureSkew(Duration.ofMinutes(5)).open();
   * }</pre>
   *
   * @param maxFutureSkew zero or more; {@link Duration#ZERO} refuses any event dated after now
   * @return this builder
   */
  public TidalDbBuilder maxFutureSkew(Duration maxFutureSkew) {
    requireNonNull("maxFutureSkew", maxFutureSkew);
    requireUnset("maxFutureSkew", this.maxFutureSkew);
    if (maxFutureSkew.isNegative()) {
      throw new ConfigException("maxFutureSkew(" + maxFutureSkew + "): give zero or more; Duration.ZERO refuses any"
          + " event dated after the database's clock");
    }
    this.maxFutureSkew = maxFutureSkew;
    return this;
  }

  /**
   * How many signal writes per timed one, for the {@code tidaldb.signal.write.latency} timer: each
   * write is timed with probability {@code 1 / everyNth}, picked at random on the writing thread.
   * {@value #DEFAULT_WRITE_LATENCY_SAMPLING} unless set. Timing a write costs two
   * {@code System.nanoTime()} calls and the timer's update (a histogram's too, when a
   * {@code MeterFilter} turns one on), which at millions of in-memory writes per second would cost
   * more than the write's own bookkeeping; 1 times every write, which suits durable writes (each
   * waits for an fsync). The count of writes ({@code tidaldb.signal.writes}) is exact either way.
   *
   * <pre>{@code
   * TidalDb.builder().dataDir(dir).writeLatencySampling(1).open();   // time every write
   * }</pre>
   *
   * @param everyNth from 1 (every write) to {@value #MAX_WRITE_LATENCY_SAMPLING}
   * @return this builder
   */
  public TidalDbBuilder writeLatencySampling(int everyNth) {
    requireUnset("writeLatencySampling", this.writeLatencySampling);
    if (everyNth < 1 || everyNth > MAX_WRITE_LATENCY_SAMPLING) {
      throw new ConfigException("writeLatencySampling(" + everyNth + "): give from 1 (time every write) to "
          + MAX_WRITE_LATENCY_SAMPLING + " (" + DEFAULT_WRITE_LATENCY_SAMPLING + " unless set)");
    }
    this.writeLatencySampling = everyNth;
    return this;
  }

  /**
   * Keeps the top-k of {@code profile} indexed, so that {@link TidalDb#top(RankingProfile, int, java.time.Instant)}
   * with a profile of the same terms in the same order (whatever its name) reads a few hundred
   * entities instead of walking each signal's index. Repeatable, one call per profile. Every write
   * to one of the profile's signals updates the index (writes to other signals pay nothing); the
   * index lives in memory only and is rebuilt by recovery. The answer is exactly the one an
   * unregistered profile gets. See {@code docs/GUIDE.md}, "Ranking".
   *
   * <pre>{@code
   * RankingProfile hot = RankingProfile.builder().name("hot")
   *     .decayScore("view", 1).decayScore("like", 5).decayScore("share", 10).build();
   * TidalDb db = TidalDb.builder().dataDir(dir).schema(schema).indexProfile(hot).open();
   * List<ScoredEntity> best = db.top(hot, 100, Instant.now());     // from the profile's index
   * }</pre>
   *
   * @param profile decayed-score terms with positive weights, over signals that decay exponentially
   *     or not at all ({@code open()} checks the signals against the schema)
   * @return this builder
   * @throws IllegalArgumentException naming the first term the index cannot serve (a window count,
   *     a velocity, a weight of zero or less)
   * @throws ConfigException if the profile is null or one with the same terms is already registered
   */
  public TidalDbBuilder indexProfile(RankingProfile profile) {
    requireNonNull("indexProfile", profile);
    SignalEngine.requireIndexable(profile);
    for (RankingProfile registered : indexedProfiles) {
      if (registered.terms().equals(profile.terms())) {
        throw new ConfigException("indexProfile(" + profile + "): profile \"" + registered.name() + "\" has the"
            + " same terms and is already registered; one index serves both, register it once");
      }
    }
    indexedProfiles.add(profile);
    return this;
  }

  /**
   * Checks the settings, creates and locks the home (for a persistent database), and opens it.
   *
   * @return the open database; close it when done
   * @throws ConfigException if the settings are wrong or conflict, or a directory cannot be used
   * @throws HomeInUseException if another open database holds the home
   * @throws StorageException if the operating system refuses an operation on the home
   */
  public TidalDb open() {
    return TidalDb.open(resolve());
  }

  Config resolve() {
    if (ephemeral && dataDir != null) {
      throw new ConfigException("ephemeral() and dataDir(" + dataDir + ") conflict: choose one");
    }
    if (!ephemeral && dataDir == null) {
      throw new ConfigException("no storage chosen: call ephemeral() for memory only, or dataDir(Path) for a home on disk");
    }
    Clock resolvedClock = clock == null ? Clock.systemUTC() : clock;
    String resolvedPartition = partitionId == null ? "0" : partitionId;
    Schema resolvedSchema = schema == null ? Schema.empty() : schema;
    long resolvedMaxEntries = maxEntries == null ? DEFAULT_MAX_ENTRIES : maxEntries;
    Duration resolvedSkew = maxFutureSkew == null ? DEFAULT_MAX_FUTURE_SKEW : maxFutureSkew;
    int resolvedSampling = writeLatencySampling == null ? DEFAULT_WRITE_LATENCY_SAMPLING : writeLatencySampling;
    if (metrics.endpoint().isEmpty()) {
      rejectWithoutEndpoint("metricsRequestTimeout(" + metricsRequestTimeout + ")", metricsRequestTimeout);
      rejectWithoutEndpoint("metricsMaxConnections(" + metricsMaxConnections + ")", metricsMaxConnections);
      rejectWithoutEndpoint("metricsMeterFilter(...)", metrics.endpointFilters().isEmpty() ? null : metrics.endpointFilters());
    }
    if (ephemeral) {
      rejectWithEphemeral("walDir(" + walDir + ")", walDir);
      rejectWithEphemeral("cacheDir(" + cacheDir + ")", cacheDir);
      rejectWithEphemeral("durability(" + durability + ")", durability);
      rejectWithEphemeral("checkpointInterval(" + checkpointInterval + ")", checkpointInterval);
      return new Config(StorageMode.EPHEMERAL, Optional.empty(), Optional.empty(), resolvedClock, resolvedPartition, metrics,
          resolvedSchema, resolvedMaxEntries, Optional.empty(), resolvedSkew, resolvedSampling, indexedProfiles);
    }
    TidalHome home = TidalHome.at(dataDir);
    if (walDir != null) {
      home = home.withWal(walDir);
    }
    if (cacheDir != null) {
      home = home.withCache(cacheDir);
    }
    requireDistinct(home);
    Durability resolvedDurability = durability == null ? Durability.SYNC : durability;
    Duration resolvedInterval = checkpointInterval == null ? DEFAULT_CHECKPOINT_INTERVAL : checkpointInterval;
    return new Config(StorageMode.PERSISTENT, Optional.of(home), Optional.of(resolvedDurability), resolvedClock, resolvedPartition,
        metrics, resolvedSchema, resolvedMaxEntries, Optional.of(resolvedInterval), resolvedSkew, resolvedSampling,
        indexedProfiles);
  }

  private static void requireDistinct(TidalHome home) {
    for (TidalHome.Dir a : TidalHome.Dir.values()) {
      for (TidalHome.Dir b : TidalHome.Dir.values()) {
        if (a.ordinal() < b.ordinal() && home.path(a).equals(home.path(b))) {
          throw new ConfigException(b.key() + " directory " + home.path(b) + " is the same directory as the home's "
              + a.key() + " directory (check walDir and cacheDir); give each a directory of its own");
        }
      }
    }
  }

  private static void rejectWithEphemeral(String setting, Object value) {
    if (value != null) {
      throw new ConfigException(setting + " has no meaning with ephemeral(): an ephemeral database writes nothing"
          + " to disk. Drop the setting, or use dataDir(Path) instead of ephemeral()");
    }
  }

  private static void rejectWithoutEndpoint(String setting, Object value) {
    if (value != null) {
      throw new ConfigException(setting + " applies to the metrics endpoint, which is not enabled: call"
          + " enableMetrics(\"127.0.0.1:9464\") (or another address) too, or drop the setting");
    }
  }

  private static void requireNonNull(String setting, Object value) {
    if (value == null) {
      throw new ConfigException(setting + "(null): a value is required");
    }
  }

  private static void requireUnset(String setting, Object current) {
    if (current != null) {
      throw new ConfigException(setting + " was already set (to " + current + "); set it once");
    }
  }
}

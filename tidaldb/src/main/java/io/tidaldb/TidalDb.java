package io.tidaldb;

import io.tidaldb.internal.HomeLock;
import io.tidaldb.internal.home.HomeOpening;
import io.tidaldb.internal.metrics.EngineMetricsSource;
import io.tidaldb.internal.metrics.MetricsRuntime;
import io.tidaldb.internal.metrics.MetricsSource;
import io.tidaldb.internal.metrics.MetricsSources;
import io.tidaldb.internal.signal.EngineSettings;
import io.tidaldb.internal.signal.SignalEngine;
import java.lang.ref.Cleaner;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;

/**
 * An open tidalDB database: the handle an application embeds.
 *
 * <pre>{@code
 * try (TidalDb db = TidalDb.builder()
 *         .dataDir(Path.of("/var/lib/tidaldb"))
 *         .open()) {
 *   db.healthCheck();
 * }
 * }</pre>
 *
 * <p><strong>Close every database you open</strong>, best with try-with-resources: a persistent
 * database holds its home's lock, files and threads until {@link #close()}. A handle that becomes
 * unreachable without {@code close()} is released by a cleaner when the garbage collector finds it,
 * with a warning that names where it was opened; do not rely on that.
 *
 * <p>A {@code TidalDb} is thread-safe. {@code close()} may be called from any thread, any number of
 * times; when any call returns, everything the database held is released (on the database's own
 * threads the release completes just after: see {@link #close()}). Using the database after
 * {@code close()} throws {@link DatabaseClosedException}.
 *
 * <p>(For maintainers: this class is longer than the house's ~350 lines on purpose. It is the one
 * entry point an application reads top to bottom, and three quarters of it is that reading: the
 * javadoc of 27 public methods. Each method checks that the database is open and hands over to the
 * machinery, which lives elsewhere: the home's opening and locks in {@code internal.home}, the
 * engine in {@code internal.signal}, what the meters read in {@code internal.metrics}, what it
 * holds and releases in {@code Resources}. Splitting the facade would split the API a user reads.)
 */
public final class TidalDb implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(TidalDb.class.getName());

  static {
    MetricsSources.install(TidalDb.class, db -> db.observed);
  }

  private final Config config;
  private final Resources resources;
  private final Cleaner.Cleanable cleanable;
  private final Instant openedAt;
  /** The home's lock, then the WAL directory's; empty for an ephemeral database. */
  private final List<HomeLock> locks;
  private final SignalEngine signals;
  private volatile Optional<InetSocketAddress> metricsAddress = Optional.empty();
  /** What the meters read; they hold it weakly, and it lives as long as this database. */
  private final MetricsSource observed;

  private TidalDb(Config config, Resources resources, Instant openedAt, List<HomeLock> locks, SignalEngine signals) {
    this.config = config;
    this.resources = resources;
    this.openedAt = openedAt;
    this.locks = locks;
    this.signals = signals;
    this.observed = new EngineMetricsSource(new EngineMetricsSource.Facts(config.partitionId(),
        config.schema().signals(), config.storageMode() == StorageMode.PERSISTENT, config.writeLatencySampling(),
        config.checkpointInterval().orElse(Duration.ZERO)), config.clock(), this::uptime, this::healthCheck, signals);
    this.cleanable = Resources.CLEANER.register(this, resources);
  }

  /**
   * Starts configuring a database.
   *
   * @return a new builder
   */
  public static TidalDbBuilder builder() {
    return new TidalDbBuilder();
  }

  static TidalDb open(Config config) {
    Instant openedAt = config.clock().instant();
    Optional<TidalHome> home = config.home();
    String description = home.map(h -> "TidalDb(" + h.base() + ")").orElse("TidalDb(ephemeral)");
    Resources resources = new Resources(description, new Throwable("opened here"));
    try {
      List<HomeLock> locks = home.isPresent() ? HomeOpening.lock(home.get(), openedAt, resources::add) : List.of();
      SignalEngine signals = SignalEngine.open(new EngineSettings(home, config.durability(), config.checkpointInterval(),
          config.clock(), config.partitionId(), config.schema(), config.maxEntries(), config.maxFutureSkew(),
          config.writeLatencySampling(), config.indexedProfiles()));
      resources.add(signals, "its write-ahead log's writer thread or its checkpoint thread", signals::isRunning);
      Config resolved = signals.schema().equals(config.schema()) ? config : config.withSchema(signals.schema());
      TidalDb db = new TidalDb(resolved, resources, openedAt, locks, signals);
      db.startMetrics();
      LOG.log(System.Logger.Level.DEBUG, () -> "opened " + description);
      return db;
    } catch (RuntimeException | Error e) {
      resources.closeAfterFailedOpen(e);
      throw e;
    }
  }

  /** Binds the host's registry and starts the endpoint; on failure, closes what the database holds. */
  private void startMetrics() {
    try {
      metricsAddress = MetricsRuntime.start(config.metrics(), observed, resources::add);
    } catch (RuntimeException | Error e) {
      try {
        close();
      } catch (RuntimeException | Error closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * The settings this database was opened with.
   *
   * @return the resolved settings
   */
  public Config config() {
    return config;
  }

  /**
   * The directory layout of a persistent database.
   *
   * @return the layout, or empty for an ephemeral database
   */
  public Optional<TidalHome> home() {
    return config.home();
  }

  /**
   * The time since {@code open()}, by the configured clock.
   *
   * @return the uptime, never negative
   */
  public Duration uptime() {
    Duration uptime = Duration.between(openedAt, config.clock().instant());
    return uptime.isNegative() ? Duration.ZERO : uptime;
  }

  /**
   * Checks that the database can do its work: it is open, and for a persistent database the home
   * directory is still there, the {@code LOCK} files of the home and of the WAL directory are still
   * the ones it locked (not deleted, not replaced) and their locks still held, the write-ahead log
   * has not stopped after a failure (such as a full disk), and the last checkpoint did not fail. A
   * stopped log or a lost lock stays unhealthy until the database is closed and opened again; a
   * failed checkpoint until a later one succeeds. Cheap enough for every scrape: it reads fields and
   * looks up the two lock files.
   *
   * @throws DatabaseClosedException if the database is closed
   * @throws TidalDbException naming what is wrong and what to do, if it is not healthy; the failure
   *     behind it, where there is one, is its cause
   */
  public void healthCheck() {
    requireOpen();
    for (HomeLock lock : locks) {
      Optional<String> lost = lock.problem();
      if (lost.isPresent()) {
        throw new TidalDbException("unhealthy: " + lost.get());
      }
    }
    Optional<TidalDbException> problem = signals.healthProblem();
    if (problem.isPresent()) {
      throw new TidalDbException("unhealthy: " + problem.get().getMessage(), problem.get().getCause());
    }
  }

  /**
   * Records an event of a signal: appends it to the log (the write-ahead log of a persistent
   * database), then applies it to the ledger. The weight is stored as a 32-bit float. Returns once
   * the event is as durable as {@link Config#durability()} asks: under {@link Durability#SYNC},
   * fsynced. An acknowledged event survives a crash of the process and is there after reopening.
   *
   * <pre>{@code
   * long seq = db.signal("view", itemId, 1.0, Instant.now());
   * }</pre>
   *
   * @param name a signal the schema declares
   * @param entityId the entity (of the signal's {@link EntityKind}) the event is about
   * @param weight finite, at most {@link Float#MAX_VALUE} in magnitude, not negative unless the
   *     signal allows {@linkplain Schema.SignalBuilder#negativeWeights(boolean) negative weights}
   * @param at when the event happened: from 1970-01-01T00:00:00Z, and at most
   *     {@link TidalDbBuilder#maxFutureSkew(Duration)} (one hour by default) ahead of the database's
   *     clock (never after 2262-04-11T23:47:16.854775807Z, the latest time the log can store)
   * @return the event's sequence number: 1 for the first event, then increasing by one, across
   *     reopening
   * @throws InvalidSignalException if the signal is unknown, the weight or time cannot be stored, or
   *     the time is further ahead of the clock than {@code maxFutureSkew}; nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws StorageException if the log cannot be written (it then refuses further writes; reopen)
   * @throws IllegalStateException if called from an action chained on a write's future that runs on
   *     the log's writer thread
   */
  public long signal(String name, long entityId, double weight, Instant at) {
    requireOpen();
    return signals.record(signals.spec(name), entityId, weight, at);
  }

  /**
   * Records an event without waiting for the log, so that one producer can keep many writes in
   * flight. Bad input throws at once, as for {@link #signal}; the future completes with the sequence
   * number once the event is as durable as the {@link Durability} mode asks and applied to the ledger.
   *
   * <p>For a persistent database, actions chained on the future without an executor run on the
   * write-ahead log's writer thread ({@code tidaldb-wal-writer}): keep them short, and do not record
   * signals from them (that throws {@link IllegalStateException}); chain with an executor
   * ({@code thenApplyAsync}, {@code thenComposeAsync}, ...) instead. {@link #close()} from them is
   * fine (it finishes the release on another thread), and an interrupt they leave behind is ignored.
   *
   * @param name a signal the schema declares
   * @param entityId the entity the event is about
   * @param weight as for {@link #signal}
   * @param at as for {@link #signal}
   * @return the future sequence number; it fails with a {@link TidalDbException} if the log cannot
   *     write the event
   * @throws InvalidSignalException if the signal is unknown, the weight or time cannot be stored, or
   *     the time is further ahead of the clock than {@code maxFutureSkew}; nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws IllegalStateException if called on the log's writer thread (see above)
   */
  public CompletableFuture<Long> signalAsync(String name, long entityId, double weight, Instant at) {
    requireOpen();
    return signals.recordAsync(signals.spec(name), entityId, weight, at);
  }

  /**
   * A new, empty batch for {@link #write(SignalBatch)}: events of any signals of this database,
   * written atomically with one log write (and one fsync under {@link Durability#SYNC}), optionally
   * with a source position. Reuse it with {@link SignalBatch#clear()}.
   *
   * <pre>{@code
   * SignalBatch batch = db.newBatch();
   * batch.add("view", 42L, 1.0, Instant.now()).add("like", 42L, 1.0, Instant.now()).sourcePosition(1017);
   * long first = db.write(batch);
   * }</pre>
   *
   * @return an empty batch of this database
   * @throws DatabaseClosedException if the database is closed
   */
  public SignalBatch newBatch() {
    requireOpen();
    return new SignalBatch(this, signals);
  }

  /**
   * Writes a batch: all its events, and its source position if it has one, in <b>one</b> log batch
   * frame (one checksum: after a crash or power loss either every event is there or none is), then
   * into the ledger. Returns once the batch is as durable as {@link Config#durability()} asks, as
   * {@link #signal} does (under {@link Durability#SYNC}, after one fsync for the whole batch). The
   * events get consecutive sequence numbers in the batch's order; a source position takes the
   * sequence after the last event (it is a marker in the log, docs/FORMAT.md). Writes on other
   * threads are never interleaved with the batch's.
   *
   * @param batch a batch made by this database's {@link #newBatch()}, with at least one event or a
   *     source position; it is left as it was (clear it to reuse it)
   * @return the sequence number of the batch's first event (of its source position marker if it has
   *     no event)
   * @throws InvalidSignalException if the batch is another database's, or empty with no position;
   *     nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws StorageException if the log cannot be written (it then refuses further writes; reopen)
   * @throws IllegalStateException if called on the log's writer thread
   */
  public long write(SignalBatch batch) {
    requireOpen();
    if (batch == null) {
      throw new InvalidSignalException("write(null): give a batch from newBatch()");
    }
    return batch.writeTo(this);
  }

  /**
   * Writes a batch without waiting, for a producer that keeps many batches in flight: one future per
   * batch, not per event. The batch is copied before this returns, so it may be cleared and refilled
   * at once. The batch is atomic and ordered as with {@link #write(SignalBatch)}; the future completes
   * with the first sequence once the batch is as durable as the {@link Durability} mode asks and
   * applied to the ledger. Batches written one after the other from one thread get increasing
   * sequences; their futures complete in that order.
   *
   * <p>As for {@link #signalAsync}, actions chained on the future without an executor run on the
   * log's writer thread: keep them short, and do not write from them.
   *
   * <pre>{@code
   * CompletableFuture<Long> last = null;
   * for (List<Event> chunk : chunks) {
   *   batch.clear();
   *   chunk.forEach(e -> batch.add("view", e.item(), 1.0, e.time()));
   *   last = db.writeAsync(batch);
   * }
   * last.join();   // every batch before it is durable and applied too
   * }</pre>
   *
   * @param batch a batch made by this database's {@link #newBatch()}, with at least one event or a
   *     source position
   * @return the future sequence of the batch's first event (of its position marker if it has no
   *     event); it fails with a {@link TidalDbException} if the log cannot write the batch
   * @throws InvalidSignalException if the batch is another database's, or empty with no position;
   *     nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws IllegalStateException if called on the log's writer thread
   */
  public CompletableFuture<Long> writeAsync(SignalBatch batch) {
    requireOpen();
    if (batch == null) {
      throw new InvalidSignalException("writeAsync(null): give a batch from newBatch()");
    }
    return batch.writeAsyncTo(this);
  }

  /**
   * The source position of the last batch written with one ({@link SignalBatch#sourcePosition(long)}),
   * in log order: where an upstream consumer resumes. It survives close and reopen, checkpoints, and
   * a crash: after a {@code kill -9} it is the position of the last acknowledged batch that carried
   * one (or of a later one whose write was under way and reached the log whole).
   *
   * @return the position, or empty if no batch with a position was ever written to this home
   * @throws DatabaseClosedException if the database is closed
   */
  public OptionalLong sourcePosition() {
    requireOpen();
    return signals.groups().sourcePosition();
  }

  /**
   * A handle on one signal, for the hot path: its methods skip the lookup by name.
   *
   * <pre>{@code
   * SignalType view = db.signalType("view");
   * view.record(itemId, 1.0, Instant.now());
   * }</pre>
   *
   * @param name a signal the schema declares
   * @return the handle, valid as long as this database is open
   * @throws InvalidSignalException if the schema does not declare the signal
   * @throws DatabaseClosedException if the database is closed
   */
  public SignalType signalType(String name) {
    requireOpen();
    return new SignalType(this, signals, signals.spec(name));
  }

  /**
   * The entity's decayed score for a signal at {@code at}: the sum of its weights, each faded by
   * the signal's {@link DecaySpec} from its time to {@code at}. Never negative; 0 for an entity
   * never recorded. Read at "now" (the clock's instant); a time before the entity's newest event
   * reads the score as of that event.
   *
   * @param name a signal the schema declares
   * @param entityId the entity
   * @param at the time to read at
   * @return the score
   * @throws InvalidSignalException if the signal is unknown or the time cannot be represented
   * @throws DatabaseClosedException if the database is closed
   */
  public double decayScore(String name, long entityId, Instant at) {
    requireOpen();
    return signals.reads().decayScore(signals.spec(name), entityId, at);
  }

  /**
   * The decayed scores of many entities at once, for ranking candidates: {@code out[i]} receives
   * the score of {@code entityIds[i]}, as {@link #decayScore} would return it. Prefer it to a loop
   * of {@link #decayScore} when the entries may not be in the CPU's caches (a large ledger): it
   * reads all candidates' entries together, so that their memory accesses overlap. Ids may repeat
   * or be unknown (they read 0); elements of {@code out} past {@code entityIds.length} are left as
   * they are.
   *
   * @param name a signal the schema declares
   * @param entityIds the entities
   * @param at the time to read at
   * @param out receives the scores; at least as long as {@code entityIds}
   * @throws InvalidSignalException if the signal is unknown, the time cannot be represented, or
   *     {@code out} is shorter than {@code entityIds}
   * @throws DatabaseClosedException if the database is closed
   */
  public void decayScores(String name, long[] entityIds, Instant at, double[] out) {
    requireOpen();
    signals.reads().decayScores(signals.spec(name), entityIds, at, out);
  }

  /**
   * How many events of a signal the entity had in a window ending now, by the database's clock.
   * 0 for an entity never recorded. See {@link Window} for what each window covers.
   *
   * @param name a signal the schema declares
   * @param entityId the entity
   * @param window a window the signal declares
   * @return the number of events
   * @throws InvalidSignalException if the signal is unknown or does not count {@code window}
   * @throws DatabaseClosedException if the database is closed
   */
  public long windowCount(String name, long entityId, Window window) {
    requireOpen();
    return signals.reads().windowCount(signals.spec(name), entityId, window);
  }

  /**
   * Events per second over a window ending now: {@link #windowCount} divided by the window's length
   * in seconds. Only for signals declared with {@code velocity(true)}.
   *
   * @param name a signal the schema declares with velocity
   * @param entityId the entity
   * @param window a window the signal declares, other than {@link Window#ALL_TIME}
   * @return events per second
   * @throws InvalidSignalException if the signal is unknown, does not offer velocity, or does not
   *     count {@code window}, or {@code window} is {@link Window#ALL_TIME}
   * @throws DatabaseClosedException if the database is closed
   */
  public double velocity(String name, long entityId, Window window) {
    requireOpen();
    return signals.reads().velocity(signals.spec(name), entityId, window);
  }

  /**
   * The {@code k} entities with the highest score under {@code profile} at {@code at}, best first:
   * an exact answer over every entity that has an entry for at least one of the profile's signals.
   * Ties go to the smaller entity id; fewer than {@code k} come back when fewer exist. Each returned
   * score is exactly what {@link #score(RankingProfile, long, Instant)} returns for that entity.
   *
   * <pre>{@code
   * List<ScoredEntity> hot = db.top(trending, 100, Instant.now());
   * }</pre>
   *
   * <p>The answer comes from a scan of the profile's signals in the ledger (on every core for a
   * large ledger: see the "Ranking" chapter of the guide for the costs). Writes may go on meanwhile:
   * each entity is scored as of some moment during the query.
   *
   * @param profile the ranking profile, checked against the schema
   * @param k how many entities to return, at least 1
   * @param at the time to score at: any instant from 1970 to 2262, before or after the events
   * @return the best entities, best first; empty when no entity has an entry
   * @throws InvalidSignalException if the profile does not fit the schema (the message names the
   *     term), {@code k < 1}, or the time cannot be represented
   * @throws DatabaseClosedException if the database is closed
   */
  public List<ScoredEntity> top(RankingProfile profile, int k, Instant at) {
    requireOpen();
    return signals.reads().top(profile, k, at, null);
  }

  /**
   * Like {@link #top(RankingProfile, int, Instant)}, over the entities {@code filter} accepts: the
   * best {@code k} of those, not the best {@code k} filtered afterwards.
   *
   * <pre>{@code
   * List<ScoredEntity> fresh = db.top(trending, 100, Instant.now(), id -> !seen.contains(id));
   * }</pre>
   *
   * <p>{@code filter} is called at most once per entity, before the entity is scored, from the
   * calling thread and the database's ranking threads at once: it must be thread-safe and quick.
   * An exception it throws ends the query and is rethrown to the caller.
   *
   * @param profile the ranking profile, checked against the schema
   * @param k how many entities to return, at least 1
   * @param at the time to score at
   * @param filter accepts the entities that may be returned
   * @return the best accepted entities, best first
   * @throws InvalidSignalException if the profile does not fit the schema, {@code k < 1}, the time
   *     cannot be represented, or {@code filter} is null
   * @throws DatabaseClosedException if the database is closed
   */
  public List<ScoredEntity> top(RankingProfile profile, int k, Instant at, LongPredicate filter) {
    requireOpen();
    if (filter == null) {
      throw new InvalidSignalException("top(..., filter = null): give a filter such as id -> true, or call"
          + " top(profile, k, at)");
    }
    return signals.reads().top(profile, k, at, filter);
  }

  /**
   * The {@code k} entities with the highest decayed score of one signal at {@code at}, best first:
   * {@link #top(RankingProfile, int, Instant)} with the profile
   * {@link RankingProfile#decayScore(String) RankingProfile.decayScore(name)}, whose scores are
   * exactly what {@link #decayScore} returns.
   *
   * <pre>{@code
   * List<ScoredEntity> mostViewed = db.top("view", 10, Instant.now());
   * }</pre>
   *
   * @param name a signal the schema declares
   * @param k how many entities to return, at least 1
   * @param at the time to score at
   * @return the best entities, best first
   * @throws InvalidSignalException if the signal is unknown, {@code k < 1}, or the time cannot be
   *     represented
   * @throws DatabaseClosedException if the database is closed
   */
  public List<ScoredEntity> top(String name, int k, Instant at) {
    requireOpen();
    return signals.reads().top(RankingProfile.decayScore(signals.spec(name).name()), k, at, null);
  }

  /**
   * The entity's score under {@code profile} at {@code at}: the weighted sum of the profile's terms,
   * in their order, each read as {@link #decayScore}, {@link #windowCount} or {@link #velocity}
   * reads it, but at {@code at} (windows and velocity too). 0 for an entity never recorded.
   *
   * @param profile the ranking profile, checked against the schema
   * @param entityId the entity
   * @param at the time to score at
   * @return the score; negative only with negative weights
   * @throws InvalidSignalException if the profile does not fit the schema or the time cannot be
   *     represented
   * @throws DatabaseClosedException if the database is closed
   */
  public double score(RankingProfile profile, long entityId, Instant at) {
    requireOpen();
    return signals.reads().score(profile, entityId, at);
  }

  /**
   * The scores of many entities under {@code profile}: {@code out[i]} receives exactly what
   * {@link #score(RankingProfile, long, Instant)} returns for {@code entityIds[i]}, with the decayed
   * scores read in batches as {@link #decayScores} reads them. Elements of {@code out} past
   * {@code entityIds.length} are left as they are.
   *
   * @param profile the ranking profile, checked against the schema
   * @param entityIds the entities; may repeat or be unknown (they score 0)
   * @param at the time to score at
   * @param out receives the scores; at least as long as {@code entityIds}
   * @throws InvalidSignalException if the profile does not fit the schema, the time cannot be
   *     represented, or {@code out} is shorter than {@code entityIds}
   * @throws DatabaseClosedException if the database is closed
   */
  public void scores(RankingProfile profile, long[] entityIds, Instant at, double[] out) {
    requireOpen();
    signals.reads().scores(profile, entityIds, at, out);
  }

  /**
   * Takes a checkpoint now: waits until no write is between its log append and its ledger apply
   * (writes pause for that moment only), writes a snapshot of the ledger as of the log's last
   * sequence, records that sequence in the log's {@code checkpoint.meta}, and removes older
   * snapshots and the log segments the checkpoint covers. Reopening then restores the snapshot and
   * replays only the events after it. Periodic checkpoints do the same every
   * {@link TidalDbBuilder#checkpointInterval(Duration)}.
   *
   * <pre>{@code
   * long covered = db.checkpoint();   // every event up to this sequence is in the snapshot
   * }</pre>
   *
   * <p>A failed checkpoint leaves the previous one in effect (and every log segment after it); it is
   * counted in {@link TidalDbStats#checkpointFailures()}.
   *
   * @return the last sequence the checkpoint covers (0 if nothing was ever written)
   * @throws UnsupportedOperationException for an ephemeral database, which keeps nothing on disk
   * @throws StorageException if the snapshot or {@code checkpoint.meta} cannot be written
   * @throws DatabaseClosedException if the database is closed
   * @throws IllegalStateException if called from an action chained on a write's future that runs on
   *     the log's writer thread
   */
  public long checkpoint() {
    requireOpen();
    return signals.checkpoint();
  }

  /**
   * What the database has done since it was opened, and what it holds: writes, reads, ledger
   * entries, the log and its fsyncs, checkpoints. Cheap enough to call every second; readable after
   * {@code close()} too.
   *
   * @return a snapshot of the counters
   */
  public TidalDbStats stats() {
    return signals.stats();
  }

  /**
   * Where {@code /metrics} and {@code /healthz} listen, with the port chosen for port 0. The address
   * stays readable after {@code close()}, which closes the port.
   *
   * @return the endpoint's address, or empty without {@link TidalDbBuilder#enableMetrics(String)}
   */
  public Optional<InetSocketAddress> metricsAddress() {
    return metricsAddress;
  }

  /**
   * Whether {@link #close()} has been called.
   *
   * @return true once the database is closed or closing
   */
  public boolean isClosed() {
    return resources.isClosing();
  }

  void requireOpen() {
    if (resources.isClosing()) {
      throw new DatabaseClosedException(resources.description());
    }
  }

  /**
   * Releases everything the database holds: its lock, files and threads. Writes accepted before are
   * written (and fsynced) first; the lock goes last, only once the log's writer thread has stopped
   * and its files are closed. Idempotent, and safe to call from any thread. On an ordinary thread,
   * every call returns only once the release is complete.
   *
   * <p>On one of the database's own threads, which the release waits for (an action chained on a
   * write's future without an executor runs on the log's writer thread {@code tidaldb-wal-writer};
   * code a periodic checkpoint calls runs on {@code tidaldb-checkpoint-<partition>}), it cannot
   * wait: it closes the database at once ({@link #isClosed()} is true, and every use but
   * {@link #stats()} throws {@link DatabaseClosedException}), hands the release to a daemon thread,
   * {@code tidaldb-closer}, and returns. The release then completes asynchronously, in the same
   * order; a failure of it is logged. A {@code close()} from another thread waits for it.
   *
   * @throws TidalDbException if something could not be released (the first call only, and not on
   *     the database's own threads); everything else was released. An {@code Error} a resource threw
   *     is rethrown the same way.
   */
  @Override
  public void close() {
    boolean first = resources.markClosedByUser();
    if (signals.onOwnThread()) {
      if (first) {
        resources.releaseOnCloserThread(cleanable::clean);
      }
      return;
    }
    cleanable.clean();
    resources.awaitReleased(first);
  }

  @Override
  public String toString() {
    return resources.description() + (isClosed() ? " [closed]" : "");
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.SignalSpec;
import io.tidaldb.TidalDbException;
import io.tidaldb.TidalDbStats;
import io.tidaldb.Window;
import io.tidaldb.internal.Latencies;
import io.tidaldb.wal.WalEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * The signal write and read paths of one database: checks the input, appends to the log, applies
 * to the ledger, and answers reads. {@code TidalDb} and {@code SignalType} delegate here after
 * resolving the signal's name once. Not API (see the package documentation).
 *
 * <pre>{@code
 * SignalEngine engine = SignalEngine.open(settings);      // a persistent home: recovered here
 * SignalSpec view = engine.spec("view");
 * long seq = engine.record(view, 42L, 1.0, Instant.now());
 * }</pre>
 *
 * <p>A persistent database's writes pass the {@link WriteGate} around their log append and ledger
 * apply, so that a {@link Checkpointer} can cut the ledger at an exact sequence.
 */
public final class SignalEngine implements AutoCloseable {

  private final Schema schema;
  private final Clock clock;
  private final SignalInputs inputs;
  private final SignalLog log;
  private final SignalLedger ledger;
  /** {@link WriteGate#ALWAYS_OPEN} for a database without checkpoints. */
  private final WriteGate gate;
  /** {@link ApplyOrder#ANY} for a database that is never rebuilt from a log. */
  private final ApplyOrder order;
  private final Checkpoints checkpointer;
  private final LongAdder[] writes;
  private final LongAdder reads = new LongAdder();
  private final LongAdder latencySamples = new LongAdder();
  private final LongAdder latencyNanos = new LongAdder();
  /** One write in this many is timed ({@code TidalDbBuilder.writeLatencySampling}). */
  private final int sampleEvery;
  private final Latencies latencies;
  private final Ranker ranker;
  private final RankingStats rankingStats = new RankingStats();
  private final EngineCounters counters;
  /** The first {@value #IDENTITY_LOOKUPS} declared signals, which {@link #spec} finds by the identity of their name. */
  private final SignalSpec[] firstSignals;
  static final int IDENTITY_LOOKUPS = 8;
  private final SourcePosition sourcePosition;

  SignalEngine(Schema schema, SignalLedger ledger, Clock clock, Duration maxFutureSkew, SignalLog log, WriteGate gate,
      Checkpoints checkpointer, int sampleEvery, Latencies latencies, SourcePosition sourcePosition) {
    this.schema = schema;
    this.sourcePosition = sourcePosition;
    this.sampleEvery = sampleEvery;
    this.latencies = latencies;
    this.clock = clock;
    this.inputs = new SignalInputs(clock, maxFutureSkew);
    this.log = log;
    this.ledger = ledger;
    this.gate = gate;
    this.order = checkpointer == Checkpoints.NONE ? ApplyOrder.ANY : new ApplyOrder(log.lastSequence());
    this.checkpointer = checkpointer;
    this.ranker = new Ranker(ledger);
    this.firstSignals = schema.signals().stream().limit(IDENTITY_LOOKUPS).toArray(SignalSpec[]::new);
    this.writes = new LongAdder[schema.signals().size()];
    for (int i = 0; i < writes.length; i++) {
      writes[i] = new LongAdder();
    }
    this.counters = new EngineCounters(schema.signals(), writes, reads, latencySamples, latencyNanos, ledger, log,
        checkpointer);
  }

  /** An engine over a fresh ledger and an in-memory log: an ephemeral database's, which takes no checkpoint. */
  SignalEngine(EngineSettings settings) {
    this(settings.schema(), new SignalLedger(layouts(settings.schema()), settings.maxEntries()), settings.clock(),
        settings.maxFutureSkew(), new InMemoryLog(), WriteGate.ALWAYS_OPEN, Checkpoints.NONE,
        settings.writeLatencySampling(), Latencies.create(), new SourcePosition());
  }

  static List<SignalLayout> layouts(Schema schema) {
    List<SignalLayout> layouts = new ArrayList<>();
    for (SignalSpec signal : schema.signals()) {
      layouts.add(new SignalLayout(signal));
    }
    return layouts;
  }

  /**
   * Creates the signal engine of a database being opened. For a persistent home this is recovery:
   * it checks the schema against the stored one, opens the write-ahead log, restores the snapshot
   * of the last checkpoint and replays the log after it, stores the schema, and starts periodic
   * checkpoints (docs/SIGNALS.md, "Recovery").
   *
   * @param settings the database's settings, as the engine needs them
   * @return the engine; close it with the database
   * @throws io.tidaldb.ConfigException if the schema does not fit the home's
   * @throws io.tidaldb.CorruptionException if the log, the checkpoint or the snapshot is damaged
   */
  public static SignalEngine open(EngineSettings settings) {
    if (settings.home().isEmpty()) {
      return new SignalEngine(settings);
    }
    return EngineLoader.open(settings);
  }

  /**
   * Rebuilds a home's signals in memory, read-only, for cold inspection ({@code tidalctl top}): the
   * stored schema, the checkpoint's snapshot and the log after it. Writes nothing and takes no lock;
   * the engine's log is in memory. Close it when done.
   *
   * @param home the home to read
   * @param maxEntries the ledger's bound, as the application sets it ({@code TidalDbBuilder.maxEntries})
   * @return an engine to read from
   * @throws io.tidaldb.CorruptionException if the log or the snapshot is damaged
   * @throws io.tidaldb.StorageException if a file cannot be read
   */
  public static SignalEngine openReadOnly(io.tidaldb.TidalHome home, long maxEntries) {
    return EngineLoader.readOnly(home, maxEntries, Clock.systemUTC());
  }

  /** {@return the schema in effect: the builder's, or the stored one if the builder gave none} */
  public Schema schema() {
    return schema;
  }

  /**
   * The signal called {@code name}.
   *
   * @param name a signal name
   * @return its declaration
   * @throws InvalidSignalException if the schema does not declare it; the message lists those it does
   */
  public SignalSpec spec(String name) {
    // the name a caller passes is most often the very string the schema was declared with (string
    // literals are interned): found by identity among the first few signals, with no hash lookup
    SignalSpec[] first = firstSignals;
    for (SignalSpec declared : first) {
      if (declared.name() == name) {
        return declared;
      }
    }
    SignalSpec signal = name == null ? null : schema.signal(name).orElse(null);
    if (signal == null) {
      String quoted = name == null ? "null" : "\"" + name + "\"";
      throw new InvalidSignalException(schema.signals().isEmpty()
          ? "unknown signal " + quoted + ": the schema declares no signals; declare them with TidalDbBuilder.schema(Schema)"
          : "unknown signal " + quoted + "; the schema declares " + String.join(", ", schema.names()));
    }
    return signal;
  }

  /**
   * Records one event: checks it, appends it to the log, then applies it to the ledger.
   *
   * @return the event's sequence number
   * @throws InvalidSignalException if the weight or time cannot be stored, or the time is more than
   *     the database's {@code maxFutureSkew} ahead of its clock; nothing is written
   * @throws IllegalStateException on the WAL's writer thread
   */
  public long record(SignalSpec signal, long entityId, double weight, Instant at) {
    float stored = SignalInputs.storedWeight(signal, weight);
    long nanos = inputs.eventNanos(signal, at);
    int typeId = signal.id();
    long start = sampled() ? System.nanoTime() : 0;
    enter("signal()");
    long sequence;
    try {
      sequence = log.append(entityId, typeId, stored, nanos);   // the WAL first
      apply(sequence, entityId, typeId, stored, nanos);         // then the ledger
    } finally {
      exit();
    }
    writes[typeId].increment();
    if (start != 0) {
      timed(start);
    }
    return sequence;
  }

  /**
   * Records one event without waiting for the log: bad input throws at once, and the future
   * completes with the sequence number once the event is durable and applied.
   *
   * @return the future sequence number
   * @throws InvalidSignalException if the weight or time cannot be stored, or the time is more than
   *     the database's {@code maxFutureSkew} ahead of its clock; nothing is written
   * @throws IllegalStateException on the WAL's writer thread
   */
  public CompletableFuture<Long> recordAsync(SignalSpec signal, long entityId, double weight, Instant at) {
    float stored = SignalInputs.storedWeight(signal, weight);
    long nanos = inputs.eventNanos(signal, at);
    int typeId = signal.id();
    long start = sampled() ? System.nanoTime() : 0;
    enter("signalAsync()");
    CompletableFuture<Long> appended;
    try {
      appended = log.appendAsync(entityId, typeId, stored, nanos);
    } catch (RuntimeException e) {
      exit();
      throw e;
    }
    return appended.handle((sequence, failure) -> {
      try {
        if (failure == null) {
          apply(sequence, entityId, typeId, stored, nanos);
        }
      } finally {
        exit();
      }
      if (failure != null) {
        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
      }
      writes[typeId].increment();
      if (start != 0) {
        timed(start);
      }
      return sequence;
    });
  }

  /**
   * Records a group of checked events atomically (see {@code SignalBatch}): one log group (one batch
   * frame, one fsync under {@code SYNC}), then the ledger, in the log's order. When
   * {@code position >= 0} a source-position marker follows the events in the same frame, so element
   * {@code count} of every array must be free for it.
   *
   * @param entityIds the events' entity ids
   * @param typeIds the events' signal type ids, of this engine's schema
   * @param weights the events' weights, as {@link #checkedWeight} returned them
   * @param nanos the events' times, as {@link #checkedTime} returned them
   * @param count how many events; with the marker at most {@link #maxGroup()}
   * @param position the upstream position this group brings the home to, or {@code -1} for none
   * @return the sequence of the first event (of the marker if {@code count} is 0)
   * @throws InvalidSignalException if the group is empty or too large; nothing is written
   * @throws IllegalStateException on the WAL's writer thread
   */
  public long recordGroup(long[] entityIds, int[] typeIds, float[] weights, long[] nanos, int count, long position) {
    int total = groupSize(entityIds, typeIds, weights, nanos, count, position);
    long start = sampled() ? System.nanoTime() : 0;
    enter("write()");
    long first;
    try {
      first = log.appendGroup(entityIds, typeIds, weights, nanos, total);   // the WAL first
      applyGroup(first, total, entityIds, typeIds, weights, nanos, count, position);   // then the ledger
    } finally {
      exit();
    }
    for (int i = 0; i < count; i++) {
      writes[typeIds[i]].increment();
    }
    if (start != 0) {
      timed(start);
    }
    return first;
  }

  /**
   * {@link #recordGroup} without waiting: one future for the whole group (no future per event), which
   * completes with the first sequence once the group is durable and applied to the ledger (on the
   * log's writer thread, in log order). The arrays may be reused as soon as this returns.
   *
   * @return the future first sequence; it fails with a {@code TidalDbException} if the log cannot
   *     write the group
   * @throws InvalidSignalException if the group is empty or too large; nothing is written
   * @throws IllegalStateException on the WAL's writer thread
   */
  public CompletableFuture<Long> recordGroupAsync(long[] entityIds, int[] typeIds, float[] weights, long[] nanos,
      int count, long position) {
    int total = groupSize(entityIds, typeIds, weights, nanos, count, position);
    long[] ids = Arrays.copyOf(entityIds, total);   // the ledger applies them later: one copy per group
    int[] types = Arrays.copyOf(typeIds, total);
    float[] ws = Arrays.copyOf(weights, total);
    long[] times = Arrays.copyOf(nanos, total);
    enter("writeAsync()");
    CompletableFuture<Long> appended;
    try {
      appended = log.appendGroupAsync(ids, types, ws, times, total);
    } catch (RuntimeException e) {
      exit();
      throw e;
    }
    return appended.handle((first, failure) -> {
      try {
        if (failure == null) {
          applyGroup(first, total, ids, types, ws, times, count, position);
        }
      } finally {
        exit();
      }
      if (failure != null) {
        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
      }
      for (int i = 0; i < count; i++) {
        writes[types[i]].increment();
      }
      return first;
    });
  }

  /** Checks a group's size and puts the source-position marker after its events; {@return the log entries} */
  private int groupSize(long[] entityIds, int[] typeIds, float[] weights, long[] nanos, int count, long position) {
    int total = position >= 0 ? count + 1 : count;
    if (total == 0) {
      throw new InvalidSignalException("an empty batch with no source position has nothing to write; add events or"
          + " a source position first");
    }
    if (total > log.maxGroup()) {
      throw new InvalidSignalException("a batch of " + count + " events" + (position >= 0 ? " and a source position"
          : "") + " is larger than one atomic write takes (" + log.maxGroup() + " entries, a source position counting"
          + " as one); split it");
    }
    if (position >= 0) {
      entityIds[count] = position;
      typeIds[count] = WalEvent.SOURCE_POSITION_TYPE_ID;
      weights[count] = 0f;
      nanos[count] = 0;
    }
    return total;
  }

  private void applyGroup(long first, int total, long[] entityIds, int[] typeIds, float[] weights, long[] nanos,
      int count, long position) {
    order.awaitTurn(first);
    try {
      for (int i = 0; i < count; i++) {
        ledger.apply(entityIds[i], typeIds[i], weights[i], nanos[i]);
      }
      if (position >= 0) {
        sourcePosition.set(position);
      }
    } finally {
      order.done(first + total - 1);
    }
  }

  /** {@return the most log entries one {@link #recordGroup} takes, a source position counting as one} */
  public int maxGroup() {
    return log.maxGroup();
  }

  /**
   * {@return the upstream position of the last batch written with one, in log order: restored on
   * open from the checkpoint's snapshot and the log after it}
   */
  public OptionalLong sourcePosition() {
    return sourcePosition.asOptional();
  }

  /**
   * Checks a weight as {@link #record} does, for a write that checks all its events first.
   *
   * @return the weight as the log stores it
   * @throws InvalidSignalException if the weight cannot be stored for this signal
   */
  public float checkedWeight(SignalSpec signal, double weight) {
    return SignalInputs.storedWeight(signal, weight);
  }

  /**
   * Checks an event time as {@link #record} does, for a write that checks all its events first.
   *
   * @return the time as the log stores it, in nanoseconds since the epoch
   * @throws InvalidSignalException if the time cannot be stored or is too far ahead of the clock
   */
  public long checkedTime(SignalSpec signal, Instant at) {
    return inputs.eventNanos(signal, at);
  }

  /**
   * Checks an event time given in nanoseconds since the epoch as {@link #record} checks an
   * {@code Instant}.
   *
   * @return {@code epochNanos}
   * @throws InvalidSignalException if the time is negative (before 1970) or too far ahead of the clock
   */
  public long checkedTime(SignalSpec signal, long epochNanos) {
    if (epochNanos < 0) {
      throw new InvalidSignalException("the event time " + epochNanos + " ns for signal \"" + signal.name() + "\" is"
          + " before 1970-01-01T00:00:00Z: times are nanoseconds since the epoch and cannot be negative");
    }
    return inputs.eventNanos(signal, epochNanos);
  }

  /**
   * Applies an appended event to the ledger; in a persistent database in the log's order (see
   * {@link ApplyOrder}), so that recovery rebuilds exactly this ledger.
   */
  private void apply(long sequence, long entityId, int typeId, float weight, long nanos) {
    order.awaitTurn(sequence);
    try {
      ledger.apply(entityId, typeId, weight, nanos);
    } finally {
      order.done(sequence);
    }
  }

  private void enter(String what) {
    log.refuseOnWriterThread(what);
    gate.enter();
  }

  private void exit() {
    gate.exit();
  }

  private boolean sampled() {
    return ThreadLocalRandom.current().nextInt(sampleEvery) == 0;
  }

  private void timed(long start) {
    long nanos = System.nanoTime() - start;
    latencyNanos.add(nanos);
    latencySamples.increment();
    latencies.write().record(nanos);
  }

  /** The decayed score at {@code at}. */
  public double decayScore(SignalSpec signal, long entityId, Instant at) {
    reads.increment();
    return ledger.decayScore(signal.id(), entityId, SignalInputs.readNanos(signal, at));
  }

  /** The decayed scores of {@code entityIds[i]} into {@code out[i]}. */
  public void decayScores(SignalSpec signal, long[] entityIds, Instant at, double[] out) {
    if (entityIds == null || out == null) {
      throw new InvalidSignalException("decayScores(\"" + signal.name() + "\", " + (entityIds == null ? "null" : "ids")
          + ", at, " + (out == null ? "null" : "out") + "): give an array of entity ids and an array for the scores");
    }
    if (out.length < entityIds.length) {
      throw new InvalidSignalException("decayScores(\"" + signal.name() + "\", ...): out holds " + out.length
          + " scores but " + entityIds.length + " entity ids were given; out must be at least as long as the ids");
    }
    long atNanos = SignalInputs.readNanos(signal, at);
    reads.add(entityIds.length);
    ledger.decayScores(signal.id(), entityIds, atNanos, out);
  }

  /** The events in {@code window}, as of the clock's now. */
  public long windowCount(SignalSpec signal, long entityId, Window window) {
    SignalInputs.requireWindow(signal, window);
    reads.increment();
    return ledger.windowCount(signal.id(), entityId, window, nowNanos());
  }

  /** The events in {@code window} per second of the window's length, as of the clock's now. */
  public double velocity(SignalSpec signal, long entityId, Window window) {
    if (!signal.velocity()) {
      throw new InvalidSignalException("signal \"" + signal.name() + "\" does not offer velocity; declare it with"
          + " velocity(true) in the schema");
    }
    if (window == Window.ALL_TIME) {
      throw new InvalidSignalException("velocity(\"" + signal.name() + "\", ..., ALL_TIME): ALL_TIME has no length to"
          + " divide by; use one of " + SignalInputs.boundedWindows(signal));
    }
    SignalInputs.requireWindow(signal, window);
    reads.increment();
    return ledger.windowCount(signal.id(), entityId, window, nowNanos()) / (double) seconds(window);
  }

  /** A bounded window's length in seconds, from {@link Window#length()}, the one home of the lengths. */
  static long seconds(Window window) {
    return window.length().orElseThrow(() -> new IllegalArgumentException(window + " has no length")).toSeconds();
  }

  private long nowNanos() {
    long millis = clock.millis();
    return Math.min(millis, Long.MAX_VALUE / 1_000_000) * 1_000_000;
  }

  /**
   * The best {@code k} entities under the profile at {@code at}, best first (see
   * {@code TidalDb.top}).
   *
   * @param filter keeps the entities it accepts; null keeps all
   * @throws InvalidSignalException if the profile does not fit the schema, {@code k < 1}, or the time
   *     cannot be represented
   */
  public List<ScoredEntity> top(RankingProfile profile, int k, Instant at, LongPredicate filter) {
    long start = System.nanoTime();
    Ranking ranking = Ranking.resolve(profile, schema);
    if (k < 1) {
      throw new InvalidSignalException("top(" + profile.name() + ", k = " + k + ", ...): k must be at least 1; it is"
          + " the number of entities to return");
    }
    long atNanos = SignalInputs.rankingNanos(profile, at);
    List<ScoredEntity> top = ranker.top(ranking, k, atNanos, filter);
    rankingStats.record(profile.name(), System.nanoTime() - start);
    return top;
  }

  /** The entity's score under the profile at {@code at} (see {@code TidalDb.score}). */
  public double score(RankingProfile profile, long entityId, Instant at) {
    Ranking ranking = Ranking.resolve(profile, schema);
    return ranking.score(ledger, entityId, SignalInputs.rankingNanos(profile, at));
  }

  /** The scores of {@code entityIds[i]} under the profile into {@code out[i]} (see {@code TidalDb.scores}). */
  public void scores(RankingProfile profile, long[] entityIds, Instant at, double[] out) {
    Ranking ranking = Ranking.resolve(profile, schema);
    if (entityIds == null || out == null) {
      throw new InvalidSignalException("scores(" + profile.name() + ", " + (entityIds == null ? "null" : "ids")
          + ", at, " + (out == null ? "null" : "out") + "): give an array of entity ids and an array for the scores");
    }
    if (out.length < entityIds.length) {
      throw new InvalidSignalException("scores(" + profile.name() + ", ...): out holds " + out.length
          + " scores but " + entityIds.length + " entity ids were given; out must be at least as long as the ids");
    }
    long atNanos = SignalInputs.rankingNanos(profile, at);
    int n = entityIds.length;
    Arrays.fill(out, 0, n, 0.0);
    double[] values = new double[n];
    for (int t = 0; t < ranking.termCount; t++) {
      if (ranking.kinds[t] == RankingProfile.Kind.DECAY_SCORE) {
        ledger.decayScores(ranking.typeOf[t], entityIds, atNanos, values);
      } else {
        for (int i = 0; i < n; i++) {
          values[i] = ranking.value(ledger, t, entityIds[i], atNanos);
        }
      }
      double weight = ranking.weights[t];
      for (int i = 0; i < n; i++) {
        out[i] += weight * values[i];
      }
    }
  }

  /** {@return the ranking queries answered, per profile name} */
  public RankingStats rankingStats() {
    return rankingStats;
  }

  /** {@return where the timed writes, fsyncs and checkpoints are reported as they happen} */
  public Latencies latencies() {
    return latencies;
  }

  /**
   * Takes a checkpoint now (see {@link Checkpointer}).
   *
   * @return the sequence it covers
   * @throws UnsupportedOperationException for an ephemeral database
   */
  public long checkpoint() {
    return checkpointer.checkpoint();
  }

  /**
   * What keeps this engine from doing its work now, for {@code TidalDb.healthCheck()}: the log
   * stopped after a failure, or the last checkpoint failed and none has succeeded since. Reads a few
   * fields; touches no file.
   *
   * @return the problem, with its cause and what to do, or empty when there is none
   */
  public Optional<TidalDbException> healthProblem() {
    if (log instanceof WalLog walLog) {
      Optional<TidalDbException> stopped = walLog.wal.failure();
      if (stopped.isPresent()) {
        return Optional.of(new TidalDbException("the write-ahead log in " + walLog.wal.config().dir() + " stopped"
            + " after a failure and refuses writes: " + stopped.get().getMessage() + ". Make room on its disk (or"
            + " repair it), then close the database and open it again: every acknowledged write is recovered",
            stopped.get()));
      }
    }
    Optional<Checkpointer.Failure> failed = checkpointer.failure();
    if (failed.isPresent()) {
      Checkpointer.Failure f = failed.get();
      return Optional.of(new TidalDbException("the checkpoint at sequence " + f.sequence() + " failed: "
          + f.cause().getMessage() + ". Writes go on into the log, but the checkpoint of sequence "
          + checkpointer.lastSequence() + " stays in effect, so the log grows and a reopen replays more of it; make"
          + " room on the disk (or repair it): the next checkpoint that succeeds clears this", f.cause()));
    }
    return Optional.empty();
  }

  /** {@return the counters and sizes behind {@code TidalDb.stats()}} */
  public TidalDbStats stats() {
    return counters.snapshot();
  }

  /** {@return the counters and sizes, to read one at a time} */
  public EngineCounters counters() {
    return counters;
  }

  /**
   * Whether the calling thread is one of the engine's own: the WAL's writer thread (where actions
   * chained on a write's future run) or the periodic checkpoint thread. {@link #close()} waits for
   * those threads, so it must not be called on them.
   *
   * @return true on a thread {@code close()} waits for
   */
  public boolean onOwnThread() {
    return log.onWriterThread() || checkpointer.onCheckpointThread();
  }

  /**
   * Whether a thread of the engine still runs or a file of its log is still open: false once
   * {@link #close()} has stopped them, even when it then reported a failure.
   *
   * @return true while the engine may still write into the home
   */
  public boolean isRunning() {
    return log.isRunning() || checkpointer.isRunning();
  }

  /**
   * Stops the ranking threads and the checkpoints, then closes the log (which writes what is queued).
   * Not on one of the engine's own threads ({@link #onOwnThread()}): it waits for them.
   */
  @Override
  public void close() {
    ranker.close();
    try {
      checkpointer.close();
    } finally {
      log.close();
    }
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import io.tidaldb.TidalDbException;
import io.tidaldb.TidalDbStats;
import io.tidaldb.internal.Latencies;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The signal engine of one database: opens it (recovery, through {@link EngineLoader}), resolves
 * signal names, records single events (checks the input, appends to the log, applies to the
 * ledger), and wires the other paths to the same log and ledger: {@link #groups()} for the atomic
 * grouped writes, {@link #reads()} for scores and ranking. It owns the health, the counters and the
 * closing of all of them. {@code TidalDb}, {@code SignalType} and {@code SignalBatch} delegate here
 * after resolving the signal's name once. Not API (see the package documentation).
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
  private final SignalInputs inputs;
  private final SignalLog log;
  private final Checkpoints checkpointer;
  private final Latencies latencies;
  private final WriteSteps steps;
  private final GroupWrites groups;
  private final SignalReads reads;
  private final EngineCounters counters;
  /** The first {@value #IDENTITY_LOOKUPS} declared signals, which {@link #spec} finds by the identity of their name. */
  private final SignalSpec[] firstSignals;
  static final int IDENTITY_LOOKUPS = 8;

  SignalEngine(Schema schema, SignalLedger ledger, Clock clock, Duration maxFutureSkew, SignalLog log, WriteGate gate,
      Checkpoints checkpointer, int sampleEvery, Latencies latencies, SourcePosition sourcePosition) {
    this.schema = schema;
    this.latencies = latencies;
    this.inputs = new SignalInputs(clock, maxFutureSkew);
    this.log = log;
    this.checkpointer = checkpointer;
    this.firstSignals = schema.signals().stream().limit(IDENTITY_LOOKUPS).toArray(SignalSpec[]::new);
    LongAdder[] writes = new LongAdder[schema.signals().size()];
    for (int i = 0; i < writes.length; i++) {
      writes[i] = new LongAdder();
    }
    ReadCounter readCount = new ReadCounter();
    LongAdder latencySamples = new LongAdder();
    LongAdder latencyNanos = new LongAdder();
    ApplyOrder order = checkpointer == Checkpoints.NONE ? ApplyOrder.ANY : new ApplyOrder(log.lastSequence());
    this.steps = new WriteSteps(log, ledger, gate, order, writes, sampleEvery, latencies, latencySamples, latencyNanos,
        log instanceof WalLog walLog ? walLog.wal.maxGroupEvents() : 0);
    this.groups = new GroupWrites(steps, inputs, sourcePosition);
    this.reads = new SignalReads(schema, clock, ledger, readCount);
    this.counters = new EngineCounters(schema.signals(), writes, readCount, latencySamples, latencyNanos, ledger, log,
        checkpointer);
  }

  /** An engine over a fresh ledger and an in-memory log: an ephemeral database's, which takes no checkpoint. */
  SignalEngine(EngineSettings settings) {
    this(settings.schema(), ledger(settings.schema(), settings), settings.clock(),
        settings.maxFutureSkew(), new InMemoryLog(), WriteGate.ALWAYS_OPEN, Checkpoints.NONE,
        settings.writeLatencySampling(), Latencies.create(), new SourcePosition());
  }

  /**
   * An empty ledger for the schema, with the settings' bound, that keeps the registered profiles
   * indexed.
   *
   * @throws ConfigException naming a registered profile's term that does not fit the schema or that
   *     the index cannot serve
   */
  static SignalLedger ledger(Schema schema, EngineSettings settings) {
    SignalLedger ledger = new SignalLedger(layouts(schema), settings.maxEntries());
    List<Ranking> rankings = new ArrayList<>();
    for (RankingProfile profile : settings.indexedProfiles()) {
      try {
        rankings.add(Ranking.resolve(profile, schema));
      } catch (InvalidSignalException e) {
        throw new ConfigException("indexProfile(" + profile.name() + ") does not fit the schema: " + e.getMessage(), e);
      }
    }
    try {
      ledger.indexProfiles(rankings);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    return ledger;
  }

  /**
   * Checks that a profile's terms can be indexed ({@code TidalDbBuilder.indexProfile}): decayed
   * scores with positive weights.
   *
   * @param profile the profile to register
   * @throws IllegalArgumentException naming the first term the index cannot serve, and why
   */
  public static void requireIndexable(RankingProfile profile) {
    ProfileIndex.checkTerms(profile);
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
    long start = steps.startTiming();
    steps.enter("signal()");
    long sequence;
    try {
      // the WAL first, then the ledger, in log order: applied by whoever acknowledges the event's batch
      sequence = log.append(entityId, typeId, stored, nanos, steps.applyOnAcknowledge);
    } finally {
      steps.exit();
    }
    steps.counted(typeId);
    steps.timed(start);
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
    long start = steps.startTiming();
    steps.enter("signalAsync()");
    if (steps.applier == null) {
      return recordNow(entityId, typeId, stored, nanos, start);
    }
    try {
      return steps.applier.record(entityId, typeId, stored, nanos, start);   // exits the gate once applied
    } catch (RuntimeException e) {
      steps.exit();
      throw e;
    }
  }

  /** An ephemeral database's pipelined write: nothing to wait for, so it is applied at once. */
  private CompletableFuture<Long> recordNow(long entityId, int typeId, float stored, long nanos, long start) {
    long sequence;
    try {
      sequence = log.appendPipelined(entityId, typeId, stored, nanos);
      steps.apply(sequence, entityId, typeId, stored, nanos);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      steps.exit();
    }
    steps.counted(typeId);
    steps.timed(start);
    return CompletableFuture.completedFuture(sequence);
  }

  /** {@return the grouped writes ({@code SignalBatch}, {@code recordAll}) and the checks they make first} */
  public GroupWrites groups() {
    return groups;
  }

  /** {@return the reads: scores, window counts, velocity and ranking} */
  public SignalReads reads() {
    return reads;
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
    steps.refuseOnApplier("checkpoint()");
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
   * Whether the calling thread is one of the engine's own: the ledger applier thread (where actions
   * chained on a pipelined write's future run, {@link LedgerApplier}), the WAL's writer thread or the
   * periodic checkpoint thread. {@link #close()} waits for those threads, so it must not be called on
   * them.
   *
   * @return true on a thread {@code close()} waits for
   */
  public boolean onOwnThread() {
    return log.onWriterThread() || checkpointer.onCheckpointThread()
        || (steps.applier != null && steps.applier.onThread());
  }

  /**
   * Whether a thread of the engine still runs or a file of its log is still open: false once
   * {@link #close()} has stopped them, even when it then reported a failure.
   *
   * @return true while the engine may still write into the home
   */
  public boolean isRunning() {
    return log.isRunning() || checkpointer.isRunning() || (steps.applier != null && steps.applier.isRunning());
  }

  /**
   * Stops the ranking threads and the checkpoints, then closes the log (which writes what is queued).
   * Not on one of the engine's own threads ({@link #onOwnThread()}): it waits for them.
   */
  @Override
  public void close() {
    reads.close();
    try {
      checkpointer.close();
    } finally {
      try {
        log.close();   // writes and fsyncs what is queued
      } finally {
        if (steps.applier != null) {
          steps.applier.close();   // then applies it and completes the futures (or fails them, if the log failed)
        }
      }
    }
  }
}
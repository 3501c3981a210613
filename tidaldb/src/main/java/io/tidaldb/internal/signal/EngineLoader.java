package io.tidaldb.internal.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.Schema;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDbException;
import io.tidaldb.TidalHome;
import io.tidaldb.internal.DurableFiles;
import io.tidaldb.internal.Latencies;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.Segment;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalProblem;
import io.tidaldb.wal.WalReader;
import io.tidaldb.wal.WalSegments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Opens the signal engine of a persistent home: the order of recovery, in one place.
 *
 * <p>{@code TidalDb.open} has already taken the home's lock and refused a WAL directory that cannot
 * be the home's own ({@code HomeOpening.missingLog}, checked before the WAL directory is locked).
 *
 * <ol>
 *   <li>Read {@code SCHEMA} and check the builder's schema against it ({@link StoredSchema}).
 *   <li>Open the write-ahead log ({@link Wal#open}: it validates every batch after its checkpoint
 *       and cuts a torn tail).
 *   <li>Restore {@code ledger-S.snap}, where {@code S} is the sequence in {@code checkpoint.meta}. A
 *       damaged snapshot is refused ({@code CorruptionException} naming file and offset), never
 *       worked around. A missing one is rebuilt from the log when the log still starts at sequence
 *       1, and refused otherwise.
 *   <li>Replay the log after {@code S} through {@link SignalLedger#apply}, checking every signal
 *       type id against the schema.
 *   <li>Store the schema if it is new or grew (only now, so that a failed open leaves the stored
 *       schema as it was).
 *   <li>Start periodic checkpoints.
 * </ol>
 * Nothing of this is visible to the application before {@code open()} returns.
 */
final class EngineLoader {

  private static final System.Logger LOG = System.getLogger(SignalEngine.class.getName());

  private EngineLoader() {}

  static SignalEngine open(EngineSettings config) {
    TidalHome home = config.home().orElseThrow();
    Optional<Schema> stored = SchemaFile.read(home.schemaFile());
    Schema schema = StoredSchema.resolve(home, stored, config.schema());
    try {
      DurableFiles.deleteTemporaries(home.base(),
          target -> target.equals(home.schemaFile()) || TidalHome.ledgerSnapshotSequence(target).isPresent());
    } catch (IOException e) {
      throw new StorageException("cannot remove leftover temporary files in " + home.base(), e);
    }
    long started = System.nanoTime();
    SignalLedger ledger = SignalEngine.ledger(schema, config);
    Latencies latencies = Latencies.create();
    WalLog.FsyncStats fsyncs = new WalLog.FsyncStats(latencies.fsync());
    Wal wal = Wal.open(WalConfig.builder(home.wal()).durability(config.durability().orElseThrow())
        .clock(config.clock()).fsyncListener(fsyncs).build());
    Checkpointer checkpointer = null;
    SourcePosition position = new SourcePosition();
    try {
      long checkpoint = wal.recovery().checkpoint().map(CheckpointMeta::sequence).orElse(0L);
      OptionalLong snapshot = restore(home, wal, ledger, checkpoint, position);
      long from = snapshot.isEmpty() ? 1 : checkpoint + 1;
      long restored = snapshot.orElse(0);
      long replayed = replay(wal, ledger, from, schema, position);
      if (!schema.signals().isEmpty() && !stored.equals(Optional.of(schema))) {
        SchemaFile.write(home.schemaFile(), schema);
      }
      WriteGate gate = new WriteGate();
      checkpointer = new Checkpointer(wal, ledger, gate, home, config.clock(),
          config.checkpointInterval().orElseThrow(), config.partitionId(), latencies.checkpoint(), position);
      SignalEngine engine = new SignalEngine(schema, ledger, config.clock(), config.maxFutureSkew(),
          new WalLog(wal, fsyncs), gate, checkpointer, config.writeLatencySampling(), latencies, position);
      checkpointer.start();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      System.Logger.Level level = restored > 0 || replayed > 0 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
      LOG.log(level, () -> "recovered the signals of " + home.base() + " up to sequence " + wal.lastSequence() + ": "
          + (restored > 0 ? restored + " entries from " + home.ledgerSnapshot(checkpoint).getFileName() + ", " : "")
          + replayed + " events replayed from the log, " + ledger.size() + " entries, in " + millis + " ms");
      return engine;
    } catch (RuntimeException | Error e) {
      if (checkpointer != null) {
        checkpointer.close();
      }
      try {
        wal.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Rebuilds a home's signals in memory without opening it: the stored schema, the snapshot of the
   * checkpoint, then the log after it, read with {@link WalReader} (a torn tail is left out, as
   * recovery would cut it). Nothing is written, no lock is taken, and no thread is started, so it
   * works on a home a live process holds. What {@code tidalctl top} ranks.
   *
   * @throws CorruptionException if the log (before its tail) or the snapshot is damaged, or the
   *     snapshot is missing and the log no longer starts at sequence 1
   */
  static SignalEngine readOnly(TidalHome home, long maxEntries, java.time.Clock clock) {
    Schema schema = SchemaFile.read(home.schemaFile()).orElse(Schema.empty());
    SignalLedger ledger = new SignalLedger(SignalEngine.layouts(schema), maxEntries);
    long checkpoint = CheckpointMeta.read(home.wal()).map(CheckpointMeta::sequence).orElse(0L);
    long from = 1;
    SourcePosition position = new SourcePosition();
    if (checkpoint > 0) {
      Path file = home.ledgerSnapshot(checkpoint);
      List<Segment> segments = WalSegments.list(home.wal());
      long firstSequence = segments.isEmpty() ? checkpoint + 1 : segments.get(0).firstSequence();
      if (Files.exists(file)) {
        position.set(LedgerSnapshotReader.read(file, ledger).sourcePosition());
        from = checkpoint + 1;
      } else if (firstSequence > 1) {
        throw new CorruptionException(home.wal().resolve(CheckpointMeta.FILE_NAME), 0, "the checkpoint at sequence "
            + checkpoint + " has no ledger snapshot (" + file + " is missing) and the log starts at sequence "
            + firstSequence + "; on a home in use, a checkpoint may have just replaced it: try again");
      }
    }
    int signals = ledger.signalCount();
    ScanResult result = WalReader.of(home.wal()).events(from, Long.MAX_VALUE,
        position.following((sequence, entityId, typeId, weight, timestampNanos) -> {
          if (typeId >= signals || timestampNanos < 0 || !Float.isFinite(weight)) {
            throw new CorruptionException(home.wal(), 0, "the event at sequence " + sequence + " (signal type id "
                + typeId + ", weight " + weight + ", time " + timestampNanos + " ns) does not fit the stored schema "
                + schema.names());
          }
          ledger.apply(entityId, typeId, weight, timestampNanos);
        }));
    if (result.problem().isPresent()) {
      WalProblem problem = result.problem().get();
      if (problem.kind() != WalProblem.Kind.TORN_TAIL) {
        throw new CorruptionException(problem.file(), problem.offset(), problem.kind() + ": " + problem.detail());
      }
    }
    // Read-only: it takes no write, so neither the future bound nor the latency sampling applies.
    return new SignalEngine(schema, ledger, clock, Duration.ZERO, new InMemoryLog(), WriteGate.ALWAYS_OPEN, Checkpoints.NONE,
        1, Latencies.create(), position);
  }

  /**
   * Restores the snapshot of the checkpoint at {@code checkpoint} into the empty ledger.
   *
   * @return the entries restored (0 without a checkpoint), or empty if the ledger must be rebuilt from
   *     the start of the log because the snapshot is missing
   */
  private static OptionalLong restore(TidalHome home, Wal wal, SignalLedger ledger, long checkpoint,
      SourcePosition position) {
    if (checkpoint == 0) {
      return OptionalLong.of(0);
    }
    Path file = home.ledgerSnapshot(checkpoint);
    if (!Files.exists(file)) {
      if (wal.recovery().firstSequence() == 1) {
        LOG.log(System.Logger.Level.WARNING, "the checkpoint at sequence " + checkpoint + " of " + home.base()
            + " has no ledger snapshot (" + file.getFileName() + "); the log still holds every event from sequence 1,"
            + " so the ledger is rebuilt from it");
        return OptionalLong.empty();
      }
      throw new CorruptionException(home.wal().resolve(CheckpointMeta.FILE_NAME), 0, "the checkpoint at sequence "
          + checkpoint + " has no ledger snapshot (" + file + " is missing) and the log no longer holds the events"
          + " before it (it starts at sequence " + wal.recovery().firstSequence() + "): restore the snapshot from a"
          + " backup");
    }
    LedgerSnapshot.Header header;
    try {
      header = LedgerSnapshotReader.read(file, ledger);
    } catch (CorruptionException e) {
      throw new CorruptionException(e.file(), e.offset(), e.detail() + ". The snapshot is not used. Restore it from a backup; or, if the log still holds every event from"
          + " sequence 1 (tidalctl status shows wal.first_seq), delete it and the ledger is rebuilt from the log");
    }
    position.set(header.sourcePosition());
    return OptionalLong.of(header.entries());
  }

  /**
   * Applies the log's events from {@code from} on; every type id must be a signal of the schema,
   * except a source-position marker's, which moves {@code position} instead.
   */
  private static long replay(Wal wal, SignalLedger ledger, long from, Schema schema, SourcePosition position) {
    int signals = ledger.signalCount();
    return wal.replay(from, position.following((sequence, entityId, typeId, weight, timestampNanos) -> {
      if (typeId >= signals) {
        throw new ConfigException("the write-ahead log in " + wal.config().dir() + " holds an event of signal type id "
            + typeId + " (sequence " + sequence + ") but the schema declares " + (signals == 0 ? "no signals"
            : signals + " (" + String.join(", ", schema.names()) + ")") + "; open the home with the schema that wrote"
            + " its log (TidalDbBuilder.schema(...))");
      }
      if (timestampNanos < 0 || !Float.isFinite(weight)) {
        throw new TidalDbException("the write-ahead log in " + wal.config().dir() + " holds an event tidalDB cannot"
            + " have written (sequence " + sequence + ", weight " + weight + ", time " + timestampNanos + " ns): the log"
            + " was written by another program");
      }
      ledger.apply(entityId, typeId, weight, timestampNanos);
    }));
  }
}

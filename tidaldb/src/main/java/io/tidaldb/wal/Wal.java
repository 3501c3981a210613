package io.tidaldb.wal;

import io.tidaldb.ConfigException;
import io.tidaldb.CorruptionException;
import io.tidaldb.DatabaseClosedException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDbException;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.internal.HomeLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The durable, segmented write-ahead log: every event is in it, in order, before it is
 * acknowledged.
 *
 * <pre>{@code
 * try (Wal wal = Wal.open(WalConfig.of(home.wal()))) {       // recovers on open
 *   Recovery recovery = wal.recovery();                       // what recovery found and cut
 *   wal.replay(recovery.checkpoint().map(CheckpointMeta::sequence).orElse(0L) + 1, ledger::apply);
 *   long seq = wal.append(new WalEvent(42L, 3, 1.0f, nowNanos));          // returns once durable
 *   CompletableFuture<Long> later = wal.appendAsync(new WalEvent(43L, 3, 1.0f, nowNanos));
 *   wal.checkpoint(seq);                                      // after the ledger's snapshot holds seq
 *   wal.truncateBefore(seq + 1);                              // drop segments the checkpoint covers
 * }
 * }</pre>
 *
 * <p><b>Sequences</b> start at 1, grow by one per event without gaps under any concurrency, and
 * continue after reopening. A sequence that was acknowledged is never given out again; one whose
 * event was cut off with a torn tail (so never acknowledged) may be. (Under the interval mode, a
 * power loss may take away the events of the last interval, acknowledged or not, and their
 * sequences with them.)
 *
 * <p><b>Durability.</b> Under {@link io.tidaldb.Durability#SYNC} an append completes once the batch
 * holding it is fsynced; concurrent appenders share fsyncs (group commit). Under
 * {@link io.tidaldb.Durability#interval} it completes once the batch is handed to the operating
 * system, and an fsync follows within the interval. A blocking {@link #append} with no other writer
 * in its way writes (and under {@code SYNC} fsyncs) its batch on its own thread; under {@code SYNC}
 * the next batch may be written and fsynced while the previous one's fsync is in flight, and batches
 * are acknowledged in log order, each once its own and every earlier batch's fsync returned. Pipelined appends
 * ({@link #appendAsync}, and {@link #appendPipelined} without a future) are written by the writer
 * thread {@code tidaldb-wal-writer}, where the futures complete.
 * {@code docs/DURABILITY.md} has the table of what each survives.
 *
 * <p><b>Recovery</b> ({@link #open}) validates every batch after the checkpoint. A torn tail (the
 * incomplete or damaged last batch of the last segment, nothing valid after it; or, after a power
 * loss under the interval mode, damage followed only by batches that were never fsynced either, as
 * their durable marks tell) is cut off and reported; any other damage is corruption, refused with a
 * {@link CorruptionException} naming file and offset unless the configuration says
 * {@link CorruptionPolicy#TRUNCATE}. Files in the directory that are not part of the log are left
 * alone and reported. A log written by an older format version is read as it is; new batches go to
 * a segment of the current version.
 *
 * <p>The parts: {@link WalRecovery} (what {@link #open} does), {@link SegmentList} (the segments and
 * their truncation), {@link WalWriter} (the queue, back pressure and group commit) and
 * {@link SegmentAppender} (the segment files). This class is the API over them; its length is its
 * documentation.
 *
 * <p>A {@code Wal} is thread-safe. It must be closed: {@link #close()} writes and fsyncs what is
 * queued and stops the writer thread; it is idempotent. One directory admits one open {@code Wal}
 * per JVM; across processes the {@code LOCK} file in the WAL directory keeps writers apart: a
 * {@code Wal} opened on its own takes it (and releases it on close), as {@code TidalDb} does with the
 * home's, so opening the log of a database that is open in another process fails with a
 * {@link io.tidaldb.HomeInUseException}. Read a live log with {@link WalReader} instead.
 */
public final class Wal implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Wal.class.getName());

  /** The WAL directories open in this JVM (real paths). */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  private final WalConfig config;
  private final Path dir;
  private final Path key;
  private final Recovery recovery;
  private final WalWriter writer;
  private final SegmentList segments;
  private final Object checkpointLock = new Object();
  private volatile Optional<CheckpointMeta> checkpoint;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The directory's {@code LOCK}, when this log took it (not when a database of this JVM holds it). */
  private Optional<HomeLock> lock = Optional.empty();

  private Wal(WalConfig config, Path key, WalRecovery.Recovered recovered) {
    this.config = config;
    this.dir = config.dir();
    this.key = key;
    this.recovery = recovered.recovery();
    this.segments = new SegmentList(dir, recovered.segments());
    this.checkpoint = recovery.checkpoint();
    this.writer = new WalWriter(config, recovery.nextSequence(), recovered.appendTo(), recovered.lastEnd(),
        segments::added);
    writer.start();
  }

  /**
   * Opens the log in {@code config.dir()}, creating the directory if missing, recovers it (see the
   * class documentation), and starts accepting appends.
   *
   * @param config the settings
   * @return the open log; close it
   * @throws CorruptionException if the log or {@code checkpoint.meta} is damaged beyond a torn tail
   *     (and the policy is {@link CorruptionPolicy#FAIL}), naming file and offset
   * @throws UnsupportedFormatException if a file was written by a newer tidalDB
   * @throws ConfigException if the directory is a regular file or cannot be created
   * @throws StorageException if a file cannot be read or written
   * @throws io.tidaldb.HomeInUseException if another process holds the directory's {@code LOCK}: a
   *     database open on this log, or another {@code Wal}
   * @throws TidalDbException if this JVM already has the directory open
   */
  public static Wal open(WalConfig config) {
    Objects.requireNonNull(config, "config");
    Path dir = config.dir();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new ConfigException("WalConfig dir(" + dir + ") is a regular file, not a directory");
    }
    Path key;
    try {
      key = Files.createDirectories(dir).toRealPath();
    } catch (IOException e) {
      throw new ConfigException("WalConfig dir(" + dir + ") cannot be created: " + e, e);
    }
    if (!OPEN.add(key)) {
      throw new TidalDbException("the WAL in " + dir + " is already open in this JVM; close that Wal first");
    }
    Optional<HomeLock> lock = Optional.empty();
    try {
      lock = HomeLock.acquireLog(key, config.clock().instant());
      Wal wal = new Wal(config, key, WalRecovery.run(config));
      wal.lock = lock;
      return wal;
    } catch (RuntimeException | Error e) {
      lock.ifPresent(HomeLock::close);
      OPEN.remove(key);
      throw e;
    }
  }

  /**
   * What recovery found and did when this log was opened.
   *
   * @return the recovery report
   */
  public Recovery recovery() {
    return recovery;
  }

  /** {@return the settings this log was opened with} */
  public WalConfig config() {
    return config;
  }

  /**
   * Appends an event and waits until it counts as done under the configured durability.
   *
   * @param event the event
   * @return its sequence number
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed (an I/O error stops it; reopen to recover)
   * @throws IllegalStateException if called from an action chained on an append's future that runs
   *     on the writer thread (it would wait for itself)
   */
  public long append(WalEvent event) {
    Objects.requireNonNull(event, "event");
    return append(event.entityId(), event.signalTypeId(), event.weight(), event.timestampNanos());
  }

  /**
   * Appends an event without waiting: the future completes with its sequence once it counts as done
   * under the configured durability, so one producer can keep many events in flight. The sequence is
   * fixed when this method returns: events appended later by the same thread get higher ones.
   *
   * <p>When both the batch being written and the one queued behind it are full, this call waits for
   * room (back pressure). Actions chained on the future without an executor run on the writer thread:
   * keep them short, or use the {@code ...Async} variants.
   *
   * @param event the event
   * @return a future of its sequence; it fails with a {@link TidalDbException} if the write fails
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed earlier
   */
  public CompletableFuture<Long> appendAsync(WalEvent event) {
    Objects.requireNonNull(event, "event");
    return writer.enqueue(event.entityId(), event.signalTypeId(), event.weight(), event.timestampNanos());
  }

  /**
   * {@link #append(WalEvent)} without the event object, for a caller on a hot path.
   *
   * @param entityId the entity the signal is about
   * @param signalTypeId the signal's type, {@code 0..65535}
   * @param weight the event's weight
   * @param timestampNanos when the event happened, in nanoseconds since the epoch
   * @return its sequence number
   * @throws IllegalArgumentException if {@code signalTypeId} is out of range
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed
   */
  public long append(long entityId, int signalTypeId, float weight, long timestampNanos) {
    WalEvent.checkSignalTypeId(signalTypeId);
    return writer.appendBlocking(entityId, signalTypeId, weight, timestampNanos, null);
  }

  /**
   * {@link #append(long, int, float, long)} that also hands the event to {@code then} once it counts
   * as done, before this returns: in log order with the events of every other blocking append that
   * gave a sink, on the thread that acknowledges its batch (this one or another appender's; so keep
   * it short, and do not wait in it for this log). This is how a database applies what it logged in
   * the log's order without each writer waiting for the one before it. What {@code then} throws is
   * thrown here (the event stays in the log).
   *
   * @param entityId the entity the signal is about
   * @param signalTypeId the signal's type, {@code 0..65535}
   * @param weight the event's weight
   * @param timestampNanos when the event happened, in nanoseconds since the epoch
   * @param then told of the event, with its sequence
   * @return its sequence number
   * @throws IllegalArgumentException if {@code signalTypeId} is out of range
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed; {@code then} was not told
   */
  public long append(long entityId, int signalTypeId, float weight, long timestampNanos, WalEventSink then) {
    WalEvent.checkSignalTypeId(signalTypeId);
    Objects.requireNonNull(then, "then");
    return writer.appendBlocking(entityId, signalTypeId, weight, timestampNanos, then);
  }

  /**
   * {@link #appendAsync(WalEvent)} without the event object, for a caller on a hot path.
   *
   * @param entityId the entity the signal is about
   * @param signalTypeId the signal's type, {@code 0..65535}
   * @param weight the event's weight
   * @param timestampNanos when the event happened, in nanoseconds since the epoch
   * @return a future of its sequence
   * @throws IllegalArgumentException if {@code signalTypeId} is out of range
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed earlier
   */
  public CompletableFuture<Long> appendAsync(long entityId, int signalTypeId, float weight, long timestampNanos) {
    WalEvent.checkSignalTypeId(signalTypeId);
    return writer.enqueue(entityId, signalTypeId, weight, timestampNanos);
  }

  /**
   * Appends {@code count} events as one atomic group and waits until it counts as done under the
   * configured durability (under {@code SYNC}: one fsync for the whole group). The group is written
   * as one batch frame with one checksum, never split across batches or segments, so after a crash
   * either all its events are in the log or none is. Its events get consecutive sequences. Element
   * {@code i < count} of each array is one event; the arrays are read before this method returns
   * the first time it can (they may be reused afterwards).
   *
   * @param entityIds the events' entity ids
   * @param signalTypeIds the events' signal type ids, each {@code 0..65535}
   * @param weights the events' weights
   * @param timestampsNanos the events' times, in nanoseconds since the epoch
   * @param count how many events: 1 to {@link #maxGroupEvents()}
   * @return the sequence of the group's first event
   * @throws IllegalArgumentException if {@code count} is out of range, an array is shorter than
   *     {@code count}, or a signal type id is out of range; nothing is written
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed
   * @throws IllegalStateException if called on the writer thread
   */
  public long appendGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos, int count) {
    checkGroup(entityIds, signalTypeIds, weights, timestampsNanos, count);
    return writer.appendGroupBlocking(entityIds, signalTypeIds, weights, timestampsNanos, count, null);
  }

  /**
   * {@link #appendGroup} that also hands each of the group's events to {@code then} once the group
   * counts as done, before this returns, as {@link #append(long, int, float, long, WalEventSink)} does
   * for one event.
   *
   * @param entityIds the events' entity ids
   * @param signalTypeIds the events' signal type ids, each {@code 0..65535}
   * @param weights the events' weights
   * @param timestampsNanos the events' times, in nanoseconds since the epoch
   * @param count how many events: 1 to {@link #maxGroupEvents()}
   * @param then told of each event of the group, in order, with its sequence
   * @return the sequence of the group's first event
   * @throws IllegalArgumentException if {@code count} is out of range, an array is shorter than
   *     {@code count}, or a signal type id is out of range; nothing is written
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed; {@code then} was not told
   */
  public long appendGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos, int count,
      WalEventSink then) {
    checkGroup(entityIds, signalTypeIds, weights, timestampsNanos, count);
    Objects.requireNonNull(then, "then");
    return writer.appendGroupBlocking(entityIds, signalTypeIds, weights, timestampsNanos, count, then);
  }

  /**
   * {@link #appendGroup} without waiting: the future completes with the group's first sequence once
   * the group counts as done. The arrays are copied before this method returns.
   *
   * @param entityIds the events' entity ids
   * @param signalTypeIds the events' signal type ids, each {@code 0..65535}
   * @param weights the events' weights
   * @param timestampsNanos the events' times, in nanoseconds since the epoch
   * @param count how many events: 1 to {@link #maxGroupEvents()}
   * @return a future of the first sequence; it fails with a {@link TidalDbException} if the write fails
   * @throws IllegalArgumentException if {@code count} is out of range, an array is shorter than
   *     {@code count}, or a signal type id is out of range; nothing is written
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed earlier
   */
  public CompletableFuture<Long> appendGroupAsync(long[] entityIds, int[] signalTypeIds, float[] weights,
      long[] timestampsNanos, int count) {
    checkGroup(entityIds, signalTypeIds, weights, timestampsNanos, count);
    return writer.enqueueGroup(entityIds, signalTypeIds, weights, timestampsNanos, count);
  }

  /**
   * Appends an event without waiting and without a future, for a caller that keeps many appends in
   * flight and waits for them by sequence: the sequence is fixed and returned at once, and the event
   * counts as done (under the configured durability) once {@link #lastSequence()} reaches it, which
   * {@link #awaitAcknowledged(long)} waits for. The writer thread writes it, as it writes the appends
   * of {@link #appendAsync}; back pressure as there.
   *
   * @param entityId the entity the signal is about
   * @param signalTypeId the signal's type, {@code 0..65535}
   * @param weight the event's weight
   * @param timestampNanos when the event happened, in nanoseconds since the epoch
   * @return its sequence number
   * @throws IllegalArgumentException if {@code signalTypeId} is out of range
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed earlier
   */
  public long appendPipelined(long entityId, int signalTypeId, float weight, long timestampNanos) {
    WalEvent.checkSignalTypeId(signalTypeId);
    return writer.enqueueWithoutFuture(entityId, signalTypeId, weight, timestampNanos);
  }

  /**
   * {@link #appendGroup} without waiting and without a future: the arrays are copied and the first
   * sequence returned at once; the group counts as done once {@link #lastSequence()} reaches its last
   * event ({@code first + count - 1}; see {@link #awaitAcknowledged(long)}).
   *
   * @param entityIds the events' entity ids
   * @param signalTypeIds the events' signal type ids, each {@code 0..65535}
   * @param weights the events' weights
   * @param timestampsNanos the events' times, in nanoseconds since the epoch
   * @param count how many events: 1 to {@link #maxGroupEvents()}
   * @return the sequence of the group's first event
   * @throws IllegalArgumentException if {@code count} is out of range, an array is shorter than
   *     {@code count}, or a signal type id is out of range; nothing is written
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed earlier
   */
  public long appendGroupPipelined(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos,
      int count) {
    checkGroup(entityIds, signalTypeIds, weights, timestampsNanos, count);
    return writer.enqueueGroupWithoutFuture(entityIds, signalTypeIds, weights, timestampsNanos, count);
  }

  /**
   * Waits until every event up to {@code sequence} counts as done under the configured durability
   * (fsynced under {@code SYNC}, written under the interval mode): until {@link #lastSequence()}
   * reaches it. Writes nothing itself; returns at once if it already counts as done.
   *
   * @param sequence a sequence this log has handed out
   * @throws TidalDbException the failure that stopped the log before {@code sequence} was done (an
   *     I/O error; reopen to recover)
   * @throws io.tidaldb.DatabaseClosedException if the log was closed before
   * @throws IllegalStateException on the writer thread (it would wait for itself)
   */
  public void awaitAcknowledged(long sequence) {
    writer.awaitAcknowledged(sequence);
  }

  private static void checkGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestampsNanos,
      int count) {
    Objects.requireNonNull(entityIds, "entityIds");
    Objects.requireNonNull(signalTypeIds, "signalTypeIds");
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(timestampsNanos, "timestampsNanos");
    if (entityIds.length < count || signalTypeIds.length < count || weights.length < count
        || timestampsNanos.length < count) {
      throw new IllegalArgumentException("appendGroup(..., count " + count + "): every array must hold at least count"
          + " elements; they hold " + entityIds.length + ", " + signalTypeIds.length + ", " + weights.length + " and "
          + timestampsNanos.length);
    }
    for (int i = 0; i < count; i++) {
      WalEvent.checkSignalTypeId(signalTypeIds[i]);
    }
  }

  /**
   * {@return the most events one {@link #appendGroup} takes: what one batch frame of this log holds,
   * {@link WalConfig#maxBatchEvents()} or fewer if a segment is too small for that many}
   */
  public int maxGroupEvents() {
    return writer.maxGroup();
  }

  /**
   * Makes every event appended so far durable now (under {@code SYNC} they already are, once
   * acknowledged; under the interval mode this forces the fsync the interval would bring).
   *
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws TidalDbException if the log failed
   */
  public void sync() {
    writer.awaitDurable(writer.lastAssigned());
  }

  /**
   * Records that every event up to {@code sequence} is captured elsewhere (the ledger's snapshot):
   * recovery then replays only what follows. Makes the log durable up to {@code sequence} first, then
   * replaces {@code checkpoint.meta} atomically (temp file, fsync, rename, fsync of the directory).
   *
   * @param sequence the last sequence covered; from the current checkpoint's up to the last appended
   * @throws IllegalArgumentException if {@code sequence} is below the current checkpoint or beyond the
   *     last appended event
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws StorageException if the checkpoint cannot be written
   */
  public void checkpoint(long sequence) {
    checkpoint(sequence, config.clock().instant());
  }

  /**
   * As {@link #checkpoint(long)}, with the time the checkpoint records given by the caller (who read
   * its clock once for the whole checkpoint, before any file step).
   *
   * @param sequence the last sequence covered; from the current checkpoint's up to the last appended
   * @param at the time {@code checkpoint.meta} records
   * @throws IllegalArgumentException if {@code sequence} is below the current checkpoint or beyond the
   *     last appended event
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws StorageException if the checkpoint cannot be written
   */
  public void checkpoint(long sequence, Instant at) {
    Objects.requireNonNull(at, "at");
    synchronized (checkpointLock) {
      requireOpen();
      long current = checkpoint.map(CheckpointMeta::sequence).orElse(0L);
      long last = writer.lastAssigned();
      if (sequence < current || sequence > last) {
        throw new IllegalArgumentException("checkpoint(" + sequence + "): a checkpoint is between the current one ("
            + current + ") and the last appended sequence (" + last + ")");
      }
      writer.awaitDurable(sequence);
      CheckpointMeta meta = new CheckpointMeta(sequence, WalEvent.epochNanos(at));
      CheckpointWriter.write(dir, meta);
      checkpoint = Optional.of(meta);
    }
  }

  /** {@return the last checkpoint, read on open or written since} */
  public Optional<CheckpointMeta> lastCheckpoint() {
    return checkpoint;
  }

  /**
   * Deletes the segments whose events are all below {@code sequence}, oldest first. Only what a
   * checkpoint covers may go, and the newest segment always stays (the log continues from it).
   *
   * @param sequence the first sequence to keep; at most the checkpoint's sequence + 1
   * @return how many segments were deleted
   * @throws IllegalArgumentException if {@code sequence} is beyond the checkpoint's sequence + 1
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws StorageException if a segment cannot be deleted
   */
  public int truncateBefore(long sequence) {
    requireOpen();
    long covered = checkpoint.map(CheckpointMeta::sequence).orElse(0L);
    if (sequence > covered + 1) {
      throw new IllegalArgumentException("truncateBefore(" + sequence + "): only what a checkpoint covers may be"
          + " removed; the checkpoint is at " + covered + ", so at most truncateBefore(" + (covered + 1) + ")");
    }
    return segments.deleteBelow(sequence);
  }

  /**
   * Reads back, in order, every event from {@code fromSequence} up to the last one written when the
   * call starts, without allocating per event. This is how the ledger rebuilds its state after its
   * snapshot. Appends may go on meanwhile; they are not included.
   *
   * @param fromSequence the first sequence wanted (at least the log's first sequence to get them all)
   * @param sink receives each event
   * @return how many events were delivered
   * @throws CorruptionException if the log was damaged after it was opened
   * @throws io.tidaldb.DatabaseClosedException if the log is closed
   * @throws StorageException if a segment cannot be read
   */
  public long replay(long fromSequence, WalEventSink sink) {
    Objects.requireNonNull(sink, "sink");
    requireOpen();
    long to = writer.writtenSequence();
    if (fromSequence > to) {
      return 0;
    }
    return segments.whileKept(() -> {
      long[] delivered = new long[1];
      LogScanner.ScanEnd outcome = new LogScanner(WalSegments.listing(dir)).skipSegmentsBelow(fromSequence).upTo(to)
          .sink(fromSequence, to, (seq, entity, type, weight, ts) -> {
            delivered[0]++;
            sink.accept(seq, entity, type, weight, ts);
          }).run();
      if (outcome.problem().isPresent()) {
        WalProblem p = outcome.problem().get();
        throw p.kind() == WalProblem.Kind.TORN_TAIL ? new CorruptionException(p.file(), p.offset(), p.detail())
            : outcome.toException();
      }
      return delivered[0];
    });
  }

  /**
   * Fails if the calling thread is this log's writer thread: the thread on which actions chained on
   * an append's future without an executor run. Code that may be called from such an action and
   * would wait for the log (and so for itself) calls this first.
   *
   * @param what what the caller was about to do, for the message
   * @throws IllegalStateException on the writer thread
   */
  public void refuseOnWriterThread(String what) {
    writer.refuseOnWriterThread(what);
  }

  /**
   * Whether the calling thread is this log's writer thread, where actions chained on an append's
   * future without an executor run.
   *
   * @return true on the writer thread
   */
  public boolean onWriterThread() {
    return writer.onWriterThread();
  }

  /**
   * Whether this log holds nothing any more: its writer thread has ended and its segment file is
   * closed. {@link #close()} makes it true before it returns, also when it then reports that the log
   * had failed; so a failed {@code close()} with this still false means the writer may still write
   * (whatever keeps other writers away, such as the home's lock, must then stay).
   *
   * @return true once the writer thread has stopped and the segment is closed
   */
  public boolean isReleased() {
    return writer.isReleased();
  }

  /** {@return the last acknowledged sequence: durable under SYNC, written under the interval mode; 0 if none} */
  public long lastSequence() {
    return config.durability() instanceof io.tidaldb.Durability.Sync ? writer.durableSequence() : writer.writtenSequence();
  }

  /** {@return the last sequence known to be fsynced} */
  public long durableSequence() {
    return writer.durableSequence();
  }

  /** {@return how many segment files the log has now} */
  public int segmentCount() {
    return segments.count();
  }

  /**
   * The failure that stopped this log, if one did: an I/O error (such as a full disk) or an error of
   * the writer thread. A stopped log refuses every append until it is closed and opened again, which
   * recovers every acknowledged event. Cheap: reads one field, touches no file.
   *
   * @return the failure, or empty while the log works
   */
  public Optional<TidalDbException> failure() {
    return Optional.ofNullable(writer.failure());
  }

  /** {@return how many bytes this instance has written to segments since it was opened} */
  public long bytesWritten() {
    return writer.bytesWritten();
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new DatabaseClosedException("Wal(" + dir + ")");
    }
  }

  /**
   * Writes and fsyncs everything queued, stops the writer thread and closes the files. Idempotent;
   * appends racing with it either make it in or fail with {@link io.tidaldb.DatabaseClosedException}.
   *
   * @throws TidalDbException if the log had failed (the failure is the cause)
   * @throws IllegalStateException if called from an action chained on an append's future that runs
   *     on the writer thread (it would wait for itself)
   */
  @Override
  public void close() {
    writer.refuseOnWriterThread("close()");
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      synchronized (checkpointLock) {
        writer.close();
      }
    } finally {
      lock.ifPresent(HomeLock::close);
      OPEN.remove(key);
    }
  }

  @Override
  public String toString() {
    return "Wal(" + dir + (closed.get() ? ") [closed]" : ")");
  }
}

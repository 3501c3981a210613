package io.tidaldb.wal;

import io.tidaldb.DatabaseClosedException;
import io.tidaldb.Durability;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDbException;
import io.tidaldb.internal.Threads;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The log's queue, its back pressure and its group commit; the bytes go through a
 * {@link SegmentAppender}. Appenders queue events under a short lock and get their sequence there;
 * whoever holds the <b>I/O turn</b> takes everything queued and writes it as one batch frame with one
 * call (and under {@code SYNC} one fsync).
 *
 * <p><b>Who writes.</b> A blocking appender ({@link #appendBlocking}, {@link #appendGroupBlocking})
 * whose event is queued while no one holds the turn takes it and writes the batch itself (the
 * leader of a group commit: no hand-off to another thread on the path of a lone writer). Appenders
 * that arrive while it writes queue behind it and wait (followers); when it is done, one of them
 * leads the next batch, which holds all of them: concurrent writers still share an fsync.
 *
 * <p><b>Pipelined group commit.</b> Under {@code SYNC} a leader gives the I/O turn back as soon as
 * its batch is written and fsyncs it outside the turn, so the next leader writes and fsyncs its
 * batch while the first fsync is in flight: up to {@value #FORCES_IN_FLIGHT} leaders' fsyncs at
 * once (see the constant for why two). While one is in flight, the next leader starts the second
 * only for a batch of at least as many writers as the one in flight ({@link #mayForceAnother}): otherwise the
 * writers woken by the first fsync's acknowledgement would find both slots taken by batches of one or
 * two and wait out a whole fsync; with sixteen blocking writers a batch then holds 6.4 events rather
 * than 5.0, and 1.2 to 1.3 times as many are written per second (BENCHMARKS.md, "Batches in flight
 * of about one size"). Batches are acknowledged strictly in log order: a batch
 * counts as durable when its own fsync and the fsync of every earlier batch have returned, and once
 * the log has failed nothing more is acknowledged. Whoever acknowledges a batch (the thread whose
 * fsync completes the run of durable batches; one thread at a time, in log order) tells each event's
 * {@link WalEventSink}, if its appender gave one (the database applies the event to its ledger
 * there), and only then wakes all the batch's blocking appenders at once, each parked on its own:
 * none of them waits for a lock or for another to go first. The writer thread's batches are never in
 * flight with others: it takes the turn only when no leader's fsync or acknowledgement is pending,
 * and acknowledges its batch itself, so the futures it completes always complete on it. The
 * writer thread {@code tidaldb-wal-writer} writes what pipelining appenders ({@link #enqueue}, with a
 * future, or {@link #enqueueWithoutFuture}, whose callers wait with {@link #awaitAcknowledged}) queue,
 * completes their futures (so actions chained on them run there), runs the interval
 * mode's fsyncs and the fsyncs others ask for ({@link #awaitDurable}), starts new segments, and
 * writes what is queued on {@link #close()}. A blocking appender leaves the batch to that thread
 * when the batch holds a future (completing it on an application thread could run a chained action
 * that waits for that very thread), needs a new segment, or {@code maxBatchDelay} asks to wait.
 *
 * <p>Two queues of primitive arrays alternate: appenders fill one while the other is written, so an
 * event costs a few array stores (and, pipelined, its future). When both are full, appenders wait:
 * the back pressure a pipelining producer meets. The queues start small and grow only as far as
 * appenders fill them.
 *
 * <p>One class (about 1,000 lines, a third of them comments) because the queue, the I/O turn and the
 * wake-ups share one lock and one set of conditions: each invariant (who may take the turn, who
 * wakes whom, when a sequence counts as done) spans all three, and split they would have to be
 * re-established across classes. The file side is {@link SegmentAppender}, the queue's storage
 * {@link EventQueue}.
 */
final class WalWriter implements Runnable {

  private static final System.Logger LOG = System.getLogger(Wal.class.getName());

  /**
   * Opens segment files for writing. Test hook, not API: fault-injection tests replace it (from a
   * test in this package) with channels that fail as a full or broken disk does.
   */
  static volatile SegmentOpener segmentOpener = FileChannel::open;

  /** How the writer opens a segment file. */
  @FunctionalInterface
  interface SegmentOpener {
    FileChannel open(Path path, OpenOption... options) throws IOException;
  }

  /**
   * The most leaders' fsyncs in flight at once under {@code SYNC}. Measured on this project's disk
   * (a virtual disk on ext4): two threads fdatasyncing 24-byte writes into one file complete 1.3 to
   * 1.9 times the fsyncs per second of one, four 0.8 to 1.6 times two; and eight blocking writers got
   * fewer events per second with three in flight than with two (every batch in flight holds fewer
   * of them, and each fsync takes longer: docs/BENCHMARKS.md).
   */
  static final int FORCES_IN_FLIGHT = 2;

  /** EventQueues start this small and double as a producer fills them, up to the batch limit. */
  private static final int INITIAL_QUEUE = 1024;

  private final Path dir;
  private final WalConfig config;
  private final boolean sync;
  private final long intervalNanos;
  private final long delayNanos;
  private final int capacity;
  private final SegmentAppender appender;

  private final ReentrantLock lock = new ReentrantLock();
  /** Wakes the writer thread. */
  private final Condition work = lock.newCondition();
  /** Wakes appenders waiting for room in the queue. */
  private final Condition space = lock.newCondition();
  /** Wakes appenders and {@link #awaitDurable} callers: sequences moved on, or the I/O turn is free. */
  private final Condition progress = lock.newCondition();
  /** Signalled, while {@code close()} waits for it, when the I/O turn or an fsync slot is given back. */
  private final Condition turnReturned = lock.newCondition();
  // Guarded by lock.
  private EventQueue queued;
  /** Emptied batches, for reuse. */
  private final ArrayDeque<EventQueue> spares = new ArrayDeque<>();
  /** Batches written and not yet acknowledged, in log order. */
  private final ArrayDeque<EventQueue> unacknowledged = new ArrayDeque<>();
  /** The batch the holder of the I/O turn writes, or null. */
  private EventQueue writingBatch;
  /**
   * The {@link SegmentAppender#force(int)} slots of the leaders' fsyncs in flight (written batches
   * the I/O turn was given back for), one bit each: at most {@link #FORCES_IN_FLIGHT}.
   */
  private int forceSlots;
  /** A thread is acknowledging batches (telling sinks, waking appenders): one at a time, in log order. */
  private boolean acknowledging;
  /** The segment is closed after a failure, once no one writes or fsyncs any more. */
  private boolean appenderClosed;
  /** The writer thread's batch when it takes the turn for an fsync only. */
  private final EventQueue nothingQueued = new EventQueue(1);
  private long nextSequence;
  private int wakeAt = Integer.MAX_VALUE;
  private int spaceWaiters;
  /** Volatile so that an fsync can skip the lock when no one waits (a stale read only delays a wake-up). */
  private volatile int progressWaiters;
  private long forceRequested;
  private long firstEventQueuedNanos;
  /** Someone (the writer thread or a leading appender) is writing or fsyncing. */
  private boolean writing;
  /** The writer thread has work but waits for the I/O turn. */
  private boolean writerWaitingForTurn;
  private boolean closing;
  private boolean stopped;
  /** Set by {@link #close()} once the thread has ended and the segment is closed. */
  private volatile boolean released;
  /** Written under the lock; volatile so that health checks read it without the lock. */
  private volatile TidalDbException failure;

  // Written by the holder of the I/O turn only; read by anyone.
  private volatile long writtenSequence;
  private volatile long durableSequence;
  private volatile long firstUnforcedNanos;
  /** The last sequence acknowledged, its sinks told: what a blocking appender waits for. */
  private volatile long doneSequence;
  /** A sink's failure, by the thread of the blocking append whose event it was told of. */
  private final ConcurrentHashMap<Thread, Throwable> sinkFailures = new ConcurrentHashMap<>();

  private final Thread thread;

  WalWriter(WalConfig config, long nextSequence, Segment last, long lastEnd, Consumer<Segment> segments) {
    this.dir = config.dir();
    this.config = config;
    this.sync = config.durability() instanceof Durability.Sync;
    this.intervalNanos = config.durability() instanceof Durability.Interval interval ? interval.period().toNanos() : 0;
    this.delayNanos = config.maxBatchDelay().toNanos();
    this.capacity = config.effectiveBatchEvents();
    this.queued = new EventQueue(Math.min(INITIAL_QUEUE, capacity));
    this.nextSequence = nextSequence;
    this.writtenSequence = nextSequence - 1;
    this.durableSequence = nextSequence - 1;
    this.doneSequence = nextSequence - 1;
    try {
      this.appender = new SegmentAppender(config, last, lastEnd, segments, INITIAL_QUEUE);
    } catch (IOException e) {
      throw new StorageException("cannot open the segment " + last.path() + " for appending", e);
    }
    this.thread = new Thread(this, "tidaldb-wal-writer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  // ---------------------------------------------------------------- appenders

  /** EventQueues one event for the writer thread; the future completes with its sequence once it counts as done. */
  CompletableFuture<Long> enqueue(long entityId, int signalTypeId, float weight, long timestampNanos) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    lock.lock();
    try {
      awaitRoom(1);
      put(entityId, signalTypeId, weight, timestampNanos, future, null, null);
      wakeWriterIfDue();
    } finally {
      lock.unlock();
    }
    return future;
  }

  /**
   * EventQueues one event for the writer thread without a future: returns its sequence at once; it
   * counts as done once {@link #acknowledged()} reaches it ({@link #awaitAcknowledged}).
   */
  long enqueueWithoutFuture(long entityId, int signalTypeId, float weight, long timestampNanos) {
    lock.lock();
    try {
      awaitRoom(1);
      long sequence = put(entityId, signalTypeId, weight, timestampNanos, null, null, null);
      queued.handedOver++;   // the writer thread writes it, as an event with a future
      wakeWriterIfDue();
      return sequence;
    } finally {
      lock.unlock();
    }
  }

  /** {@link #enqueueGroup} without a future: returns the first sequence at once (see {@link #enqueueWithoutFuture}). */
  long enqueueGroupWithoutFuture(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestamps,
      int count) {
    checkGroup(count);
    lock.lock();
    try {
      awaitRoom(count);
      long first = putGroup(entityIds, signalTypeIds, weights, timestamps, count, null, null, null);
      queued.handedOver++;
      wakeWriterIfDue();
      return first;
    } finally {
      lock.unlock();
    }
  }

  /** {@return the last sequence that counts as done: fsynced under {@code SYNC}, written otherwise} */
  long acknowledged() {
    return sync ? durableSequence : writtenSequence;
  }

  /**
   * Waits until {@code sequence} counts as done ({@link #acknowledged()}), without writing anything
   * itself: what is queued without a future is the writer thread's to write.
   *
   * @throws TidalDbException the failure that stopped the log, if it stopped before {@code sequence}
   * @throws DatabaseClosedException if the log stopped (closed) before {@code sequence} was written
   */
  void awaitAcknowledged(long sequence) {
    if (acknowledged() >= sequence) {
      return;
    }
    refuseOnWriterThread("waiting for an append");
    lock.lock();
    try {
      while (acknowledged() < sequence) {
        if (failure != null) {
          throw failure;
        }
        if (stopped) {
          throw new DatabaseClosedException("Wal(" + dir + ")");
        }
        awaitProgress();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends one event and returns its sequence once it counts as done, writing it itself when it can.
   *
   * @param then told of the event once it counts as done, before this returns, in log order with the
   *     sinks of every other blocking append; or null
   */
  long appendBlocking(long entityId, int signalTypeId, float weight, long timestampNanos, WalEventSink then) {
    refuseOnWriterThread("append()");
    lock.lock();
    long sequence;
    try {
      awaitRoom(1);
      sequence = put(entityId, signalTypeId, weight, timestampNanos, null, Thread.currentThread(), then);
    } catch (RuntimeException | Error e) {
      lock.unlock();
      throw e;
    }
    awaitDone(sequence);
    return sequence;
  }

  /**
   * EventQueues {@code count} events as one group: they get consecutive sequences and are written in one
   * batch frame (one CRC, so after a crash all of them are in the log or none), never split across
   * batches or segments. The future completes with the first sequence once the frame counts as done.
   *
   * @throws IllegalArgumentException if {@code count} is not between 1 and {@link #maxGroup()}
   */
  CompletableFuture<Long> enqueueGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestamps,
      int count) {
    checkGroup(count);
    CompletableFuture<Long> future = new CompletableFuture<>();
    lock.lock();
    try {
      awaitRoom(count);
      putGroup(entityIds, signalTypeIds, weights, timestamps, count, future, null, null);
      wakeWriterIfDue();
    } finally {
      lock.unlock();
    }
    return future;
  }

  /**
   * {@link #enqueueGroup} that waits, writing the group itself when it can; returns the first sequence.
   *
   * @param then told of each of the group's events once the group counts as done, as for
   *     {@link #appendBlocking}; or null
   */
  long appendGroupBlocking(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestamps, int count,
      WalEventSink then) {
    checkGroup(count);
    refuseOnWriterThread("appendGroup()");
    lock.lock();
    long first;
    try {
      awaitRoom(count);
      first = putGroup(entityIds, signalTypeIds, weights, timestamps, count, null, Thread.currentThread(), then);
    } catch (RuntimeException | Error e) {
      lock.unlock();
      throw e;
    }
    awaitDone(first + count - 1);
    return first;
  }

  private void checkGroup(int count) {
    if (count < 1 || count > capacity) {
      throw new IllegalArgumentException("a group of " + count + " events: one atomic batch holds 1 to " + capacity
          + " events (what one batch frame of this log holds); split it into smaller groups");
    }
  }

  /** {@return the most events one group may hold: what one batch frame holds} */
  int maxGroup() {
    return capacity;
  }

  /** Waits (holding the lock) until the queue has room for {@code count} more events. */
  private void awaitRoom(int count) {
    while (true) {
      checkUsable();
      if (queued.count + count <= capacity) {
        return;
      }
      refuseOnWriterThread("appending with a full queue");
      wakeAt = Integer.MAX_VALUE;
      work.signal();
      spaceWaiters++;
      try {
        space.awaitUninterruptibly();
      } finally {
        spaceWaiters--;
      }
    }
  }

  private long put(long entityId, int signalTypeId, float weight, long timestampNanos, CompletableFuture<Long> future,
      Thread waiter, WalEventSink sink) {
    if (queued.count == 0) {
      startEventQueue(queued);
    }
    queued.put(entityId, signalTypeId, weight, timestampNanos, future, waiter, sink, capacity);
    return nextSequence++;
  }

  private long putGroup(long[] entityIds, int[] signalTypeIds, float[] weights, long[] timestamps, int count,
      CompletableFuture<Long> future, Thread waiter, WalEventSink sink) {
    if (queued.count == 0) {
      startEventQueue(queued);
    }
    queued.putGroup(entityIds, signalTypeIds, weights, timestamps, count, future, waiter, sink, capacity);
    long first = nextSequence;
    nextSequence += count;
    return first;
  }

  private void startEventQueue(EventQueue q) {
    q.firstSequence = nextSequence;
    if (delayNanos > 0) {
      firstEventQueuedNanos = System.nanoTime();
    }
  }

  private void wakeWriterIfDue() {
    if (queued.count >= wakeAt) {
      wakeAt = Integer.MAX_VALUE;
      work.signal();
    }
  }

  /**
   * Waits until {@code last} counts as done (acknowledged, and the sinks of its batch told), leading
   * the next batch whenever this thread may; called holding the lock, returns (or throws) without
   * it. A follower parks on its own and is woken by whoever acknowledges its batch, or frees the I/O
   * turn for it to lead: it returns without taking the lock again. An interrupt does not end the
   * wait; it is kept for the caller.
   *
   * @throws TidalDbException the failure that stopped the log before {@code last} was done, or what
   *     a sink of this append threw
   */
  private void awaitDone(long last) {
    boolean locked = true;
    boolean interrupted = false;
    try {
      while (doneSequence < last) {
        if (!locked) {
          lock.lock();
          locked = true;
          continue;
        }
        if (failure != null) {
          throw failure;   // the failure of this very write, as a pipelined write's future fails with it
        }
        if (stopped) {
          throw new DatabaseClosedException("Wal(" + dir + ")");
        }
        if (mayTakeTurnToLead()) {
          lead();
          continue;
        }
        if (!writing && !mayLead()) {
          wakeWriterIfDue();   // the writer thread's to write
        }
        lock.unlock();
        locked = false;
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
    } finally {
      if (locked) {
        lock.unlock();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (!sinkFailures.isEmpty()) {
      Throwable failed = sinkFailures.remove(Thread.currentThread());
      if (failed instanceof RuntimeException e) {
        throw e;
      }
      if (failed instanceof Error e) {
        throw e;
      }
    }
  }

  /** Waits (holding the lock) for the next signal of {@link #progress}, counted in {@link #progressWaiters}. */
  private void awaitProgress() {
    progressWaiters++;
    try {
      progress.awaitUninterruptibly();
    } finally {
      progressWaiters--;
    }
  }

  /** Whether a blocking appender may write what is queued itself (see the class documentation). */
  private boolean mayLead() {
    EventQueue q = queued;
    return q.count > 0 && q.futureCount == 0 && q.handedOver == 0 && delayNanos == 0 && !closing
        && appender.fits(q.count);
  }

  /** Whether a blocking appender may take the I/O turn now and lead what is queued (holding the lock). */
  private boolean mayTakeTurnToLead() {
    return !writing && failure == null && (!sync || mayForceAnother()) && mayLead();
  }

  /**
   * Under {@code SYNC}, whether a leader may start another fsync now (holding the lock): a slot is
   * free and, while another leader's fsync is in flight, what is queued holds at least as many appends
   * (writers: a group counts once) as the batch written last, so that the batches in flight hold
   * about as many writers each. A smaller queue waits for the fsync in flight to return, which frees
   * the turn for it ({@link #turnMayBeFree}), or for more writers to join it.
   */
  private boolean mayForceAnother() {
    int inFlight = Integer.bitCount(forceSlots);
    if (inFlight == 0) {
      return true;
    }
    EventQueue last = unacknowledged.peekLast();
    return inFlight < FORCES_IN_FLIGHT && (last == null || queued.appends >= last.appends);
  }

  /**
   * Writes what is queued on this thread, then under {@code SYNC} gives the I/O turn back and fsyncs
   * it while the next leader may write, and acknowledges what is durable in log order (holding the
   * lock on entry and on return, not in between).
   */
  private void lead() {
    EventQueue batch = takeTurn();
    int slot = sync ? takeForceSlot() : -1;
    boolean interrupted = Thread.interrupted();
    boolean firstUnforced = writtenSequence == durableSequence;
    lock.unlock();
    boolean written = false;
    try {
      write(batch);
      written = true;
    } catch (IOException | RuntimeException | Error e) {
      failOn("write", e);
    } finally {
      interrupted |= appender.takeSwallowedInterrupt();
      lock.lock();
      writing = false;
      writingBatch = null;
      if (written) {
        batch.acknowledgeable = !sync;
        unacknowledged.addLast(batch);
      } else {
        recycle(batch);
      }
      turnMayBeFree();
    }
    if (slot >= 0) {
      boolean forced = false;
      lock.unlock();
      try {
        if (written && failure == null) {
          interrupted |= appender.force(slot);
          forced = true;
        }
      } catch (IOException | RuntimeException | Error e) {
        failOn("fsync", e);
      } finally {
        lock.lock();
        forceSlots &= ~(1 << slot);
        batch.acknowledgeable = forced;
      }
    }
    acknowledgeInOrder();
    turnMayBeFree();
    if (!sync && firstUnforced && failure == null) {
      work.signal();   // the interval's fsync is now due at some point: the writer thread times it
    }
    if (interrupted) {
      Thread.currentThread().interrupt();   // the caller's own: tidalDB only kept it off the channel
    }
  }

  /**
   * Stops the log with what went wrong while this thread was to {@code doing} ("write", "fsync") the
   * segment: a {@link StorageException} for an I/O error, else a {@link TidalDbException}.
   */
  private void failOn(String doing, Throwable e) {
    fail(e instanceof IOException io ? new StorageException("cannot " + doing + " the WAL segment in " + dir, io)
        : new TidalDbException("the WAL writer failed", e));
  }

  /** Takes a free fsync slot (holding the lock; {@link #mayTakeTurnToLead} saw one). */
  private int takeForceSlot() {
    int slot = Integer.numberOfTrailingZeros(~forceSlots);
    forceSlots |= 1 << slot;
    return slot;
  }

  /**
   * Acknowledges (holding the lock on entry and on return) the written batches at the head of
   * {@link #unacknowledged} that may be, in log order: moves the durable sequence on, tells the
   * events' sinks, marks them done and wakes their blocking appenders, completes their futures. One
   * thread at a time: one that finds another at it leaves its batch to that one, which looks again
   * before it stops. Nothing is acknowledged once the log has failed.
   */
  private void acknowledgeInOrder() {
    if (acknowledging) {
      return;
    }
    acknowledging = true;
    try {
      while (failure == null && !unacknowledged.isEmpty() && unacknowledged.peekFirst().acknowledgeable) {
        EventQueue batch = unacknowledged.pollFirst();
        long last = batch.firstSequence + batch.count - 1;
        if (sync) {
          durableSequence = last;
        }
        if (progressWaiters > 0) {
          progress.signalAll();   // the waiters for acknowledgements first: a sink may wait for one of them
        }
        lock.unlock();
        try {
          tellSinks(batch);
          doneSequence = last;
          batch.wakeWaiters();
          if (batch.futureCount > 0) {
            batch.complete();   // only the writer thread's batches hold futures
          }
        } finally {
          lock.lock();
          recycle(batch);
        }
      }
    } finally {
      acknowledging = false;
    }
  }

  /** Tells each event of {@code batch} that has a sink of it, in order; a sink's failure goes to its appender. */
  private void tellSinks(EventQueue batch) {
    for (int i = 0; i < batch.count; i++) {
      WalEventSink sink = batch.sinks[i];
      if (sink == null) {
        continue;
      }
      try {
        sink.accept(batch.firstSequence + i, batch.entityIds[i], batch.signalTypeIds[i], batch.weights[i],
            batch.timestamps[i]);
      } catch (RuntimeException | Error e) {
        sinkFailures.putIfAbsent(batch.waiters[i], e);
      }
    }
  }

  /** Empties an acknowledged (or failed) batch and keeps it for reuse (holding the lock). */
  private void recycle(EventQueue batch) {
    batch.clear();
    if (batch != nothingQueued) {
      spares.push(batch);
    }
  }

  /**
   * After the I/O turn, an fsync slot or the acknowledging was given back (holding the lock): wakes a
   * blocking appender of what is queued to lead it, the writer thread if it waits for the turn and
   * may take it now, and closes the segment of a failed log once no one uses it.
   */
  private void turnMayBeFree() {
    if (writing) {
      return;
    }
    if (closing) {
      turnReturned.signalAll();
    }
    if (writerWaitingForTurn && (failure != null ? idle() : writerMayTakeTurn())) {
      work.signal();
    }
    if (mayTakeTurnToLead()) {
      Thread next = queued.firstWaiter();
      if (next != null && next != Thread.currentThread()) {
        LockSupport.unpark(next);
      }
    }
    if (failure != null && forceSlots == 0 && !appenderClosed) {
      appenderClosed = true;
      appender.close();
    }
  }

  /**
   * Whether the writer thread may take the I/O turn (holding the lock): no one holds it, and no
   * leader's batch is still being fsynced or acknowledged, so that the writer's batch is alone in
   * flight and its futures complete on the writer thread.
   */
  private boolean writerMayTakeTurn() {
    return !writing && forceSlots == 0 && !acknowledging && unacknowledged.isEmpty();
  }

  /** Takes the I/O turn and the queued batch (holding the lock). */
  private EventQueue takeTurn() {
    writing = true;
    EventQueue batch = queued;
    queued = spares.isEmpty() ? new EventQueue(Math.min(INITIAL_QUEUE, capacity)) : spares.pop();
    writingBatch = batch;
    if (spaceWaiters > 0) {
      space.signalAll();
    }
    return batch;
  }

  /** Takes the I/O turn for an fsync only, leaving what is queued to the blocking appenders who lead it. */
  private EventQueue takeTurnToForce() {
    writing = true;
    return nothingQueued;
  }

  /** Gives the writer thread's I/O turn back (holding the lock) and wakes whoever waits for it or for progress. */
  private void releaseTurn() {
    writing = false;
    writingBatch = null;
    if (progressWaiters > 0) {
      progress.signalAll();
    }
    turnMayBeFree();
  }

  private void checkUsable() {
    if (failure != null) {
      throw new TidalDbException("the WAL in " + dir + " stopped after a failure; close it and open it again to"
          + " recover: " + failure.getMessage(), failure);
    }
    if (closing) {
      throw new DatabaseClosedException("Wal(" + dir + ")");
    }
  }

  /** The last sequence handed out (queued, maybe not yet written). */
  long lastAssigned() {
    lock.lock();
    try {
      return nextSequence - 1;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every event up to {@code sequence} is on disk (fsynced), asking the writer to fsync now. */
  void awaitDurable(long sequence) {
    if (durableSequence >= sequence) {
      return;
    }
    refuseOnWriterThread("waiting for durability");
    lock.lock();
    try {
      while (durableSequence < sequence) {
        if (failure != null || stopped) {
          checkUsable();
          throw new DatabaseClosedException("Wal(" + dir + ")");
        }
        if (forceRequested < sequence) {
          forceRequested = sequence;
          work.signal();
        }
        awaitProgress();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A future's dependent actions run on the writer thread; one that waits for the writer would wait
   * for itself forever. Fail loudly instead.
   */
  void refuseOnWriterThread(String what) {
    if (onWriterThread()) {
      throw new IllegalStateException(what + " on the WAL's writer thread (an action chained on a write's future"
          + " without an executor runs there) would wait for that thread itself: chain it with an executor"
          + " (thenRunAsync, thenApplyAsync, ...)");
    }
  }

  boolean onWriterThread() {
    return Thread.currentThread() == thread;
  }

  long writtenSequence() {
    return writtenSequence;
  }

  /** Whether {@link #close()} has stopped the thread and closed the segment (even if it then reported a failure). */
  boolean isReleased() {
    return released;
  }

  long durableSequence() {
    return durableSequence;
  }

  long bytesWritten() {
    return appender.bytesWritten();
  }

  /** The failure that stopped the writer, or null while it works. */
  TidalDbException failure() {
    return failure;
  }

  /** Writes what is queued, fsyncs, stops the thread and closes the segment. */
  void close() {
    refuseOnWriterThread("close()");
    lock.lock();
    try {
      closing = true;
      work.signal();
      space.signalAll();
    } finally {
      lock.unlock();
    }
    Threads.joinUninterruptibly(thread);
    lock.lock();
    try {
      // the writer thread takes the last turn; if it died of an Error instead, a leader may still
      // hold the turn (or a slot's fsync), and the segment must not be closed (unmapped) under it
      while (writing || forceSlots != 0) {
        turnReturned.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    appender.close();
    released = true;
    lock.lock();
    try {
      if (failure != null) {
        throw new TidalDbException("the WAL in " + dir + " had failed before close(): " + failure.getMessage(), failure);
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- the writer thread

  @Override
  public void run() {
    try {
      boolean exit = false;
      while (!exit) {
        EventQueue batch;
        lock.lock();
        try {
          exit = awaitWork();
          if (failure != null) {
            break;   // a leading appender failed: fail() has done the rest
          }
          batch = exit || !mayLead() ? takeTurn() : takeTurnToForce();
        } finally {
          lock.unlock();
        }
        boolean written = false;
        try {
          clearStrayInterrupt();
          if (batch.count > 0) {
            write(batch);
            written = true;
          }
          if (writtenSequence > durableSequence && (exit || forceDue())) {
            force();
          }
        } catch (IOException | RuntimeException | Error e) {
          failOn("write", e);   // before the turn is given back
          exit = true;
        } finally {
          appender.takeSwallowedInterrupt();   // a stray interrupt of this thread is ignored
          lock.lock();
          try {
            if (written && failure == null) {
              batch.acknowledgeable = true;   // alone in flight (writerMayTakeTurn): acknowledged right here
              unacknowledged.addLast(batch);
              acknowledgeInOrder();
            } else if (batch.count > 0) {
              recycle(batch);
            }
            releaseTurn();
          } finally {
            lock.unlock();
          }
        }
      }
    } finally {
      lock.lock();
      try {
        stopped = true;
        progress.signalAll();
        queued.wakeWaiters();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Whether no one writes, fsyncs or acknowledges (holding the lock). */
  private boolean idle() {
    return !writing && forceSlots == 0 && !acknowledging;
  }

  /** Waits (holding the lock) until {@link #turnMayBeFree} finds the turn free for the writer thread. */
  private void awaitTurnFree() {
    writerWaitingForTurn = true;
    work.awaitUninterruptibly();
    writerWaitingForTurn = false;
  }

  /**
   * Waits (holding the lock) until there is a batch to write or an fsync to do and the writer may
   * take the I/O turn ({@link #writerMayTakeTurn}); true when closing, or once the log failed and no
   * one uses the segment.
   */
  private boolean awaitWork() {
    while (true) {
      if (failure != null) {
        if (idle()) {
          return true;   // no leader uses the segment any more: it may be closed
        }
        awaitTurnFree();
        continue;
      }
      if (!writerMayTakeTurn()) {
        awaitTurnFree();
        continue;
      }
      int count = queued.count;
      if (closing) {
        return true;
      }
      if (count > 0 && !mayLead()) {   // what blocking appenders may write is theirs: they lead it
        if (delayNanos == 0 || count >= capacity) {
          return false;
        }
        long wait = firstEventQueuedNanos + delayNanos - System.nanoTime();
        if (wait <= 0 || forceDue()) {
          return false;
        }
        wakeAt = capacity;
        awaitNanos(Math.min(wait, nanosUntilForce()));
        continue;
      }
      if (writtenSequence > durableSequence && (forceRequested > durableSequence || forceDue())) {
        return false;
      }
      wakeAt = 1;
      if (writtenSequence > durableSequence) {
        awaitNanos(nanosUntilForce());
      } else {
        work.awaitUninterruptibly();
      }
    }
  }

  private void awaitNanos(long nanos) {
    try {
      work.awaitNanos(Math.max(nanos, 1));
    } catch (InterruptedException e) {
      // Only close() stops the writer; an interrupt is not a way to do it.
    }
  }

  private boolean forceDue() {
    return writtenSequence > durableSequence
        && (sync || forceRequested > durableSequence || System.nanoTime() - firstUnforcedNanos >= intervalNanos);
  }

  private long nanosUntilForce() {
    if (writtenSequence == durableSequence) {
      return Long.MAX_VALUE;
    }
    return firstUnforcedNanos + intervalNanos - System.nanoTime();
  }

  /**
   * Writes a batch (holding the I/O turn), starting a segment first if needed (only the writer thread
   * does, alone in flight); whoever writes it then fsyncs it under {@code SYNC} and acknowledges it.
   */
  private void write(EventQueue batch) throws IOException {
    int count = batch.count;
    if (!appender.fits(count)) {
      // The old segment is complete on disk before the next one exists: damage in a segment that is
      // not the last can then never be a torn tail.
      if (writtenSequence > durableSequence) {
        force();
      }
      appender.roll(batch.firstSequence);
    }
    appender.append(batch.entityIds, batch.signalTypeIds, batch.weights, batch.timestamps, count,
        batch.firstSequence, durableSequence, nowNanos());
    long last = batch.firstSequence + count - 1;
    if (writtenSequence == durableSequence) {
      firstUnforcedNanos = System.nanoTime();
    }
    writtenSequence = last;
  }

  private void force() throws IOException {
    long upTo = writtenSequence;
    appender.force();
    durableSequence = upTo;
    if (progressWaiters > 0 && !lock.isHeldByCurrentThread()) {
      lock.lock();
      try {
        progress.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Tells the configuration's fsync listener how long an fsync took; the caller makes the calls one at
   * a time (the segment appender of the log, or recovery before it).
   */
  static void reportFsync(WalConfig config, long nanos) {
    try {
      config.fsyncListener().accept(nanos);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the WAL's fsync listener failed; ignored", e);
    }
  }

  /** Fsyncs a segment ({@code fdatasync}) and tells the configuration's fsync listener how long it took. */
  static void force(FileChannel channel, WalConfig config) throws IOException {
    long start = System.nanoTime();
    channel.force(false);
    reportFsync(config, System.nanoTime() - start);
  }

  /**
   * Clears an interrupt of the writer thread before I/O: a FileChannel closes itself when an
   * interrupted thread uses it ({@code ClosedByInterruptException}). Only {@link #close()} stops the
   * writer; an interrupt comes from elsewhere, such as an action chained on a write's future (it runs
   * on this thread), and is ignored.
   */
  private static void clearStrayInterrupt() {
    Thread.interrupted();
  }

  private long nowNanos() {
    Instant now = config.clock().instant();
    return WalEvent.epochNanos(now);
  }

  /**
   * Stops the log after a failure (an I/O error, or an error of whoever wrote): the first failure
   * stays; every append queued or written and not yet acknowledged fails with it (its future, or its
   * blocking appender, woken), and nothing is acknowledged any more. The segment is closed once no
   * one writes or fsyncs it ({@link #turnMayBeFree}).
   */
  private void fail(TidalDbException error) {
    List<CompletableFuture<?>> orphans = new ArrayList<>();
    boolean first;
    lock.lock();
    try {
      first = failure == null;
      if (first) {
        failure = error;
      }
      queued.drainFutures(orphans);
      if (writingBatch != null) {
        writingBatch.failFutures(orphans);
      }
      for (EventQueue written : unacknowledged) {
        written.failFutures(orphans);
      }
      space.signalAll();
      progress.signalAll();
      work.signal();
    } finally {
      lock.unlock();
    }
    if (first) {
      LOG.log(System.Logger.Level.ERROR, "the WAL in " + dir + " stopped: " + error.getMessage(), error);
    }
    for (CompletableFuture<?> future : orphans) {
      future.completeExceptionally(failure);
    }
  }
}

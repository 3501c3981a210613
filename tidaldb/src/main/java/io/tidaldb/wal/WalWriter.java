package io.tidaldb.wal;

import io.tidaldb.DatabaseClosedException;
import io.tidaldb.Durability;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDbException;
import io.tidaldb.internal.DurableFiles;
import io.tidaldb.internal.Threads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The group-commit writer: appenders queue events under a short lock and get their sequence there;
 * one thread ({@code tidaldb-wal-writer}) takes everything queued, encodes it as one batch into a
 * reusable direct buffer, writes it with one call and, under {@code SYNC}, fsyncs it once, then
 * completes the appenders' futures.
 *
 * <p>Two queues of primitive arrays alternate: appenders fill one while the writer writes the
 * other, so an event costs a few array stores and its future. When both are full, appenders wait:
 * that is the back pressure a pipelining producer meets. The queues and the buffer start small and
 * grow only as far as appenders fill them, so a lightly used log stays small in memory.
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

  /** Queues start this small and double as a producer fills them, up to the batch limit. */
  private static final int INITIAL_QUEUE = 1024;

  /** A queue of events, as parallel arrays. */
  private static final class Queue {
    long[] entityIds;
    int[] signalTypeIds;
    float[] weights;
    long[] timestamps;
    CompletableFuture<?>[] futures;
    int count;
    long firstSequence;

    Queue(int length) {
      entityIds = new long[length];
      signalTypeIds = new int[length];
      weights = new float[length];
      timestamps = new long[length];
      futures = new CompletableFuture<?>[length];
    }

    /** Makes room for one more event, doubling the arrays up to {@code capacity}. */
    void ensureRoom(int capacity) {
      if (count < entityIds.length) {
        return;
      }
      int length = (int) Math.min((long) entityIds.length * 2, capacity);
      entityIds = Arrays.copyOf(entityIds, length);
      signalTypeIds = Arrays.copyOf(signalTypeIds, length);
      weights = Arrays.copyOf(weights, length);
      timestamps = Arrays.copyOf(timestamps, length);
      futures = Arrays.copyOf(futures, length);
    }
  }

  private final Path dir;
  private final WalConfig config;
  private final boolean sync;
  private final long intervalNanos;
  private final long delayNanos;
  private final int capacity;
  private final Segments segments;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition space = lock.newCondition();
  private final Condition durable = lock.newCondition();
  // Guarded by lock.
  private Queue queued;
  private Queue spare;
  private long nextSequence;
  private int wakeAt = Integer.MAX_VALUE;
  private int spaceWaiters;
  private volatile int durableWaiters;
  private long forceRequested;
  private long firstQueuedNanos;
  private boolean closing;
  private boolean stopped;
  /** Set by {@link #close()} once the thread has ended and the segment is closed. */
  private volatile boolean released;
  /** Written under the lock; volatile so that health checks read it without the lock. */
  private volatile TidalDbException failure;

  // Written by the writer thread only; read by anyone.
  private volatile long writtenSequence;
  private volatile long durableSequence;
  private volatile long bytesWritten;

  // Writer thread only.
  private FileChannel channel;
  private long position;
  private long firstUnforcedNanos;
  private ByteBuffer out;
  private final CRC32C crc = new CRC32C();
  private final Thread thread;

  /** The segment list shared with truncation and replay. */
  interface Segments {
    void added(Segment segment);
  }

  WalWriter(WalConfig config, long nextSequence, Segment last, long lastEnd, Segments segments) {
    this.dir = config.dir();
    this.config = config;
    this.sync = config.durability() instanceof Durability.Sync;
    this.intervalNanos = config.durability() instanceof Durability.Interval interval ? interval.period().toNanos() : 0;
    this.delayNanos = config.maxBatchDelay().toNanos();
    this.capacity = config.effectiveBatchEvents();
    this.segments = segments;
    this.queued = new Queue(Math.min(INITIAL_QUEUE, capacity));
    this.spare = new Queue(Math.min(INITIAL_QUEUE, capacity));
    this.nextSequence = nextSequence;
    this.writtenSequence = nextSequence - 1;
    this.durableSequence = nextSequence - 1;
    this.out = WalFormat.allocate(WalFormat.batchSize(Math.min(INITIAL_QUEUE, capacity)));
    this.thread = new Thread(this, "tidaldb-wal-writer");
    this.thread.setDaemon(true);
    if (last != null) {
      try {
        channel = segmentOpener.open(last.path(), StandardOpenOption.WRITE);
        position = lastEnd;
      } catch (IOException e) {
        throw new StorageException("cannot open the segment " + last.path() + " for appending", e);
      }
    }
  }

  void start() {
    thread.start();
  }

  // ---------------------------------------------------------------- appenders

  CompletableFuture<Long> enqueue(long entityId, int signalTypeId, float weight, long timestampNanos) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    lock.lock();
    try {
      while (true) {
        checkUsable();
        if (queued.count < capacity) {
          break;
        }
        refuseOnWriterThread("appendAsync() with a full queue");
        spaceWaiters++;
        try {
          space.awaitUninterruptibly();
        } finally {
          spaceWaiters--;
        }
      }
      Queue q = queued;
      q.ensureRoom(capacity);
      int i = q.count++;
      if (i == 0) {
        q.firstSequence = nextSequence;
        if (delayNanos > 0) {
          firstQueuedNanos = System.nanoTime();
        }
      }
      q.entityIds[i] = entityId;
      q.signalTypeIds[i] = signalTypeId;
      q.weights[i] = weight;
      q.timestamps[i] = timestampNanos;
      q.futures[i] = future;
      nextSequence++;
      if (q.count >= wakeAt) {
        wakeAt = Integer.MAX_VALUE;
        work.signal();
      }
    } finally {
      lock.unlock();
    }
    return future;
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
      durableWaiters++;
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
          durable.awaitUninterruptibly();
        }
      } finally {
        durableWaiters--;
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
    return bytesWritten;
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
    closeChannel();
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
      while (true) {
        Queue batch;
        boolean exit;
        lock.lock();
        try {
          exit = awaitWork();
          batch = queued;
          queued = spare;
          spare = batch;
          if (spaceWaiters > 0) {
            space.signalAll();
          }
        } finally {
          lock.unlock();
        }
        if (batch.count > 0) {
          write(batch);
        }
        if (writtenSequence > durableSequence && (exit || forceDue())) {
          force();
          durableSequence = writtenSequence;
          signalDurable();
        }
        if (exit) {
          break;
        }
      }
    } catch (IOException e) {
      fail(new StorageException("cannot write the WAL segment in " + dir, e));
    } catch (RuntimeException | Error e) {
      fail(new TidalDbException("the WAL writer failed", e));
    } finally {
      lock.lock();
      try {
        stopped = true;
        durable.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Waits (holding the lock) until there is a batch to write or an fsync to do; true when closing. */
  private boolean awaitWork() {
    while (true) {
      int count = queued.count;
      if (closing) {
        return true;
      }
      if (count > 0) {
        if (delayNanos == 0 || count >= capacity) {
          return false;
        }
        long wait = firstQueuedNanos + delayNanos - System.nanoTime();
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

  private void write(Queue batch) throws IOException {
    clearStrayInterrupt();
    int count = batch.count;
    int size = WalFormat.batchSize(count);
    roll(batch.firstSequence, size);
    if (out.capacity() < size) {
      out = WalFormat.allocate(Math.max(size, Math.min(out.capacity() * 2, WalFormat.batchSize(capacity))));
    }
    ByteBuffer buffer = out.clear();
    int e = WalFormat.BATCH_HEADER_SIZE;
    for (int i = 0; i < count; i++, e += WalFormat.EVENT_SIZE) {
      WalFormat.putEvent(buffer, e, batch.entityIds[i], batch.signalTypeIds[i], batch.weights[i], batch.timestamps[i]);
    }
    WalFormat.sealBatch(buffer, 0, crc, count, batch.firstSequence, nowNanos(), durableSequence);
    buffer.limit(size);
    DurableFiles.writeFully(channel, buffer, position);
    position += size;
    bytesWritten += size;
    long last = batch.firstSequence + count - 1;
    if (writtenSequence == durableSequence) {
      firstUnforcedNanos = System.nanoTime();
    }
    writtenSequence = last;
    if (sync) {
      force();
      durableSequence = last;
      signalDurable();
    }
    complete(batch);
  }

  @SuppressWarnings("unchecked")
  private static void complete(Queue batch) {
    CompletableFuture<?>[] futures = batch.futures;
    long sequence = batch.firstSequence;
    for (int i = 0; i < batch.count; i++) {
      ((CompletableFuture<Long>) futures[i]).complete(sequence + i);
      futures[i] = null;
    }
    batch.count = 0;
  }

  /** Starts a new segment when the batch would not fit in the current one. */
  private void roll(long firstSequence, int size) throws IOException {
    if (channel != null && (position + size <= config.segmentSize() || position <= WalFormat.SEGMENT_HEADER_SIZE)) {
      return;
    }
    if (channel != null) {
      // The old segment is complete on disk before the next one exists: damage in a segment that is
      // not the last can then never be a torn tail.
      if (writtenSequence > durableSequence) {
        force();
        durableSequence = writtenSequence;
        signalDurable();
      }
      closeChannel();
    }
    clearStrayInterrupt();
    Segment segment = Segment.of(dir, firstSequence);
    channel = segmentOpener.open(segment.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ByteBuffer header = WalFormat.allocate(WalFormat.SEGMENT_HEADER_SIZE);
    WalFormat.writeSegmentHeader(header, firstSequence);
    DurableFiles.writeFully(channel, header, 0);
    channel.force(false);
    DurableFiles.syncDirectory(dir);
    position = WalFormat.SEGMENT_HEADER_SIZE;
    bytesWritten += WalFormat.SEGMENT_HEADER_SIZE;
    segments.added(segment);
  }

  private void force() throws IOException {
    clearStrayInterrupt();
    force(channel, config);
  }

  /** Fsyncs a segment ({@code fdatasync}) and tells the configuration's fsync listener how long it took. */
  static void force(FileChannel channel, WalConfig config) throws IOException {
    long start = System.nanoTime();
    channel.force(false);
    long nanos = System.nanoTime() - start;
    try {
      config.fsyncListener().accept(nanos);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the WAL's fsync listener failed; ignored", e);
    }
  }

  /**
   * Clears an interrupt before I/O: a FileChannel closes itself when an interrupted thread uses it
   * ({@code ClosedByInterruptException}), which would stop the log for good. Only {@link #close()}
   * stops the writer; an interrupt comes from elsewhere, such as an action chained on a write's
   * future (it runs on this thread), and is ignored.
   */
  private static void clearStrayInterrupt() {
    Thread.interrupted();
  }

  private void signalDurable() {
    if (durableWaiters == 0) {
      return;
    }
    lock.lock();
    try {
      durable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private long nowNanos() {
    Instant now = config.clock().instant();
    return WalEvent.epochNanos(now);
  }

  private void fail(TidalDbException error) {
    List<CompletableFuture<?>> orphans = new ArrayList<>();
    lock.lock();
    try {
      failure = error;
      for (Queue q : new Queue[] {queued, spare}) {
        for (int i = 0; i < q.count; i++) {
          orphans.add(q.futures[i]);
        }
        Arrays.fill(q.futures, null);
        q.count = 0;
      }
      space.signalAll();
      durable.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.log(System.Logger.Level.ERROR, "the WAL in " + dir + " stopped: " + error.getMessage(), error);
    for (CompletableFuture<?> future : orphans) {
      future.completeExceptionally(error);
    }
    closeChannel();
  }

  private void closeChannel() {
    FileChannel c = channel;
    channel = null;
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot close a WAL segment in " + dir, e);
      }
    }
  }
}

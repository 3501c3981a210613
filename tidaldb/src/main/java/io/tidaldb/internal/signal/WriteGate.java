package io.tidaldb.internal.signal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a checkpoint find a moment when every event the log has handed out a sequence for is
 * applied to the ledger, and no other: a consistent cut.
 *
 * <p>A write {@link #enter()}s before its log append and {@link #exit()}s after its ledger apply (an
 * asynchronous write exits in the future's continuation, on another thread). A checkpoint
 * {@link #close()}s the gate, which waits until no write is inside; writes that arrive meanwhile
 * wait at the gate. The checkpoint then reads the log's last sequence, marks the ledger for capture,
 * and {@link #open()}s the gate again: the gate is closed for the time the writes already in flight
 * take to finish (under {@code SYNC}, at most one fsync), not for the time the snapshot takes.
 *
 * <p>The hot path costs one {@link LongAdder} increment, one volatile read and one decrement: no
 * shared counter bounces between the producer and the WAL's writer thread, because a
 * {@code LongAdder} gives contending threads cells of their own.
 *
 * <p>Why it is exact although {@link LongAdder#sum()} is not an atomic snapshot: {@code enter}
 * increments, then reads {@code closed}; {@code close} writes {@code closed}, then sums. Volatile
 * accesses are totally ordered, so a write that read {@code closed == false} has its increment
 * counted by every later sum, and its decrement happens only once it is done: the sum can
 * over-count the writes in flight, never under-count them. Writes that read {@code closed == true}
 * (late arrivals) keep their increment while they wait and announce themselves in {@link #waiting}
 * first; the sum includes at least the late arrivals counted in {@code waiting} before it, so
 * {@code sum == waiting} (read on both sides of the sum) means no write is in flight.
 */
class WriteGate {

  /** The gate of a database without checkpoints: nothing ever closes it, so entering costs nothing. */
  static final WriteGate ALWAYS_OPEN = new WriteGate() {
    @Override
    void enter() {}

    @Override
    void exit() {}

    @Override
    void exit(int writes) {}
  };


  private final LongAdder inside = new LongAdder();
  private final AtomicLong waiting = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition reopened = lock.newCondition();
  private volatile boolean closed;

  /** Enters the gate, waiting while it is closed. Each call is matched by one {@link #exit()}. */
  void enter() {
    inside.increment();
    if (closed) {
      awaitOpen();
    }
  }

  private void awaitOpen() {
    while (true) {
      waiting.incrementAndGet();
      lock.lock();
      try {
        while (closed) {
          reopened.awaitUninterruptibly();
        }
      } finally {
        lock.unlock();
      }
      waiting.decrementAndGet();
      if (!closed) {
        return;
      }
    }
  }

  /** Leaves the gate; may run on another thread than {@link #enter()}. */
  void exit() {
    inside.decrement();
  }

  /** {@link #exit()} for {@code writes} writes at once (one update of the shared count). */
  void exit(int writes) {
    inside.add(-writes);
  }

  /**
   * Closes the gate and waits until no write is inside. One caller at a time (the checkpoint
   * holds its own lock); {@link #open()} must follow.
   */
  void close() {
    closed = true;
    int spins = 0;
    while (true) {
      long before = waiting.get();
      long sum = inside.sum();
      long after = waiting.get();
      if (before == after && sum == before) {
        return;
      }
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
      }
    }
  }

  /** Opens the gate and wakes the writes waiting at it. */
  void open() {
    lock.lock();
    try {
      closed = false;
      reopened.signalAll();
    } finally {
      lock.unlock();
    }
  }
}

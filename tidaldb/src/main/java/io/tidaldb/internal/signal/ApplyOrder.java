package io.tidaldb.internal.signal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes a persistent database apply its events to the ledger in the order of their log sequences,
 * which is the order recovery replays them in: so that a ledger rebuilt from the log (and the last
 * snapshot) is the live one, bit for bit, although writers on several threads finish their appends
 * in any order.
 *
 * <pre>{@code
 * long sequence = log.append(...);
 * order.awaitTurn(sequence);            // every earlier sequence is applied
 * try {
 *   ledger.apply(...);
 * } finally {
 *   order.done(sequence);               // lets the next one go
 * }
 * }</pre>
 *
 * <p>Why it matters: the ledger's state is not a function of the set of events alone. A full
 * ledger evicts according to what it holds when a new entry arrives, an evicted entry starts again
 * from zero, and the sum of floating-point terms depends on the order of additions. Only the log's
 * order is known again after a restart.
 *
 * <p>Every sequence the log hands out is either applied and {@link #done}, or belongs to a failed
 * append: the log then fails every later append too (it stops until reopened), so nothing waits for
 * a sequence that never comes. A waiter spins briefly (the apply before it takes a fraction of a
 * microsecond), then parks until {@link #done} of its predecessor unparks it; the park is bounded,
 * so that two waiters sharing a slot of {@link #waiters} cost latency, never liveness.
 */
class ApplyOrder {

  /** No order to keep: an ephemeral database's, whose ledger nothing rebuilds from a log. */
  static final ApplyOrder ANY = new ApplyOrder(0) {
    @Override
    void awaitTurn(long sequence) {}

    @Override
    void done(long sequence) {}
  };


  private static final int SLOTS = 1 << 12;
  private static final int SPINS = 256;
  private static final long PARK_NANOS = 50_000;

  /** The last sequence applied. */
  private final AtomicLong applied;
  /** The thread waiting for its turn with sequence {@code s}, at {@code s % SLOTS}, or null. */
  private final AtomicReferenceArray<Thread> waiters = new AtomicReferenceArray<>(SLOTS);

  /** @param applied the last sequence already in the ledger: the log's last when the database opened */
  ApplyOrder(long applied) {
    this.applied = new AtomicLong(applied);
  }

  /** Returns once every sequence before {@code sequence} is applied. */
  void awaitTurn(long sequence) {
    if (applied.get() >= sequence - 1) {
      return;
    }
    int slot = (int) (sequence & (SLOTS - 1));
    Thread me = Thread.currentThread();
    waiters.set(slot, me);
    int spins = 0;
    while (applied.get() < sequence - 1) {
      if (++spins < SPINS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
    }
    waiters.compareAndSet(slot, me, null);
  }

  /** Marks {@code sequence} applied (or given up) and wakes the waiter for the next one. */
  void done(long sequence) {
    applied.set(sequence);
    Thread next = waiters.get((int) ((sequence + 1) & (SLOTS - 1)));
    if (next != null) {
      LockSupport.unpark(next);
    }
  }
}

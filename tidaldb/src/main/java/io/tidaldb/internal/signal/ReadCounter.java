package io.tidaldb.internal.signal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The count of signal reads, exact, without an atomic instruction per read: each thread counts in
 * a cell of its own (a plain add, made visible with an opaque store), and {@link #sum} adds the
 * cells up.
 *
 * <p>Why not a {@code LongAdder}: its increment is a compare-and-swap, which on x86 is a full
 * memory barrier. A read that misses the caches then waits for the previous read's misses before
 * its own can start, so a loop of random reads at a million entities ran about 3x slower with it
 * than without (docs/BENCHMARKS.md, "decayScore").
 *
 * <p>A cell outlives its thread until {@link #sum} or the next new thread's first read sweeps it:
 * the count of a thread that ended moves to {@link #retired} and its cell is dropped, so that
 * threads that come and go (a pool's, virtual threads) do not pile up cells.
 */
final class ReadCounter {

  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Cell.class, "count", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One thread's reads: written by that thread only. */
  private static final class Cell {
    private final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
    @SuppressWarnings("unused")   // through COUNT
    private long count;

    boolean ended() {
      Thread thread = owner.get();
      return thread == null || !thread.isAlive();
    }
  }

  private final ThreadLocal<Cell> own = ThreadLocal.withInitial(this::register);
  /** The cells of threads that may still read (under this counter's lock). */
  private final List<Cell> cells = new ArrayList<>();
  /** Reads of threads that ended (under this counter's lock). */
  private long retired;
  /** Sweep ended threads' cells when a new cell takes the list past this (under the lock). */
  private int sweepAt = 64;

  /** Counts {@code reads} reads of the calling thread. */
  void add(long reads) {
    Cell cell = own.get();
    COUNT.setOpaque(cell, (long) COUNT.getOpaque(cell) + reads);
  }

  void increment() {
    add(1);
  }

  /**
   * The reads counted so far: exact for every read that happens before this call (the calling
   * thread's own, those of a thread it joined or that handed it a result); a read racing with it may
   * or may not be in.
   */
  synchronized long sum() {
    sweep();
    long sum = retired;
    for (Cell cell : cells) {
      sum += (long) COUNT.getOpaque(cell);
    }
    return sum;
  }

  /** Cells registered and not yet swept (for tests). */
  synchronized int cells() {
    return cells.size();
  }

  private synchronized Cell register() {
    if (cells.size() >= sweepAt) {
      sweep();
      sweepAt = Math.max(64, cells.size() * 2);
    }
    Cell cell = new Cell();
    cells.add(cell);
    return cell;
  }

  /**
   * Moves the counts of ended threads into {@link #retired}. An ended thread's count is final and
   * visible here: a thread's actions happen before another sees it not alive.
   */
  private void sweep() {
    cells.removeIf(cell -> {
      if (!cell.ended()) {
        return false;
      }
      retired += (long) COUNT.getOpaque(cell);
      return true;
    });
  }
}

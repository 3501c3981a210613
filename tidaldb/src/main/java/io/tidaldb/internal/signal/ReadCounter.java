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
 * <p>A thread finds its cell in {@link #slots} by its id, with a compare of the id the cell holds;
 * only a thread whose slot another live thread holds finds its cell through a {@code ThreadLocal}
 * ({@link #addElsewhere}). The {@code ThreadLocal}'s look-up added about 480 bytes to the compiled
 * {@code SignalType.decayScore}, the slot's about 60: with the first the read compiled to more than
 * the 2,500 bytes under which C2 inlines a compiled method into its caller's loop, and as a call it
 * cost a random read at a million entities about a quarter more time (docs/BENCHMARKS.md, "A read
 * small enough to inline").
 *
 * <p>A cell outlives its thread until {@link #sum} or the next new thread's first read sweeps it:
 * the count of a thread that ended moves to {@link #retired} and its cell is dropped (and its slot
 * freed), so that threads that come and go (a pool's, virtual threads) do not pile up cells.
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

  /** Slots of cells by thread id: a power of two. */
  private static final int SLOTS = 64;

  /** One thread's reads: written by that thread only. */
  private static final class Cell {
    /** The owner's id: ids are never reused while the JVM runs. */
    private final long threadId = Thread.currentThread().getId();
    private final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
    /** Written through {@code COUNT} (an opaque store), read plainly by the owner and opaquely by {@code sum()}. */
    private long count;

    boolean ended() {
      Thread thread = owner.get();
      return thread == null || !thread.isAlive();
    }
  }

  /**
   * Cells by {@code threadId % SLOTS}, each slot held by the first live thread that read with that
   * remainder (written under this counter's lock; read without it: a stale slot holds a cell of
   * another id, or none, and sends the read to {@link #addElsewhere}).
   */
  private final Cell[] slots = new Cell[SLOTS];
  private final ThreadLocal<Cell> own = ThreadLocal.withInitial(this::register);
  /** The cells of threads that may still read (under this counter's lock). */
  private final List<Cell> cells = new ArrayList<>();
  /** Reads of threads that ended (under this counter's lock). */
  private long retired;
  /** Sweep ended threads' cells when a new cell takes the list past this (under the lock). */
  private int sweepAt = 64;

  /** {@return the slot of {@code cell}'s thread in {@link #slots}} */
  private static int slotOf(Cell cell) {
    return (int) cell.threadId & (SLOTS - 1);
  }

  /** Counts {@code reads} reads of the calling thread. */
  void add(long reads) {
    long id = Thread.currentThread().getId();
    Cell[] cells = slots;
    Cell cell = cells[(int) id & (cells.length - 1)];
    if (cell != null && cell.threadId == id) {
      COUNT.setOpaque(cell, cell.count + reads);
    } else {
      addElsewhere(reads);
    }
  }

  /** {@link #add} for a thread whose slot does not hold its cell (yet): its first read, or a shared slot. */
  private void addElsewhere(long reads) {
    Cell cell = own.get();
    COUNT.setOpaque(cell, cell.count + reads);
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
    int slot = slotOf(cell);
    if (slots[slot] == null || slots[slot].ended()) {
      slots[slot] = cell;   // the cell's final id is seen by a thread that reads it here
    }
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
      int slot = slotOf(cell);
      if (slots[slot] == cell) {
        slots[slot] = null;
      }
      return true;
    });
  }
}

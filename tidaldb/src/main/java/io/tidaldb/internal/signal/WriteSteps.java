package io.tidaldb.internal.signal;

import io.tidaldb.internal.Latencies;
import io.tidaldb.wal.WalEventSink;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The steps every write of a {@link SignalEngine} takes around its log append, single or grouped:
 * refuse the log's writer thread and the ledger applier's and pass the {@link WriteGate}, apply to the
 * ledger in the log's order ({@link ApplyOrder}), count the write per signal and time one write in
 * {@code sampleEvery}. Pipelined writes of a persistent database are applied by its {@link LedgerApplier}.
 */
final class WriteSteps {

  final SignalLog log;
  final SignalLedger ledger;
  /** {@link WriteGate#ALWAYS_OPEN} for a database without checkpoints. */
  private final WriteGate gate;
  /** {@link ApplyOrder#ANY} for a database that is never rebuilt from a log. */
  final ApplyOrder order;
  private final LongAdder[] writes;
  /** One write in this many is timed ({@code TidalDbBuilder.writeLatencySampling}). */
  private final int sampleEvery;
  private final Latencies latencies;
  private final LongAdder latencySamples;
  private final LongAdder latencyNanos;

  /**
   * Applies the pipelined writes of a persistent database once the log acknowledges them; null for an
   * ephemeral one, whose log acknowledges at once (they are applied on the caller's thread).
   */
  final LedgerApplier applier;

  /**
   * @param pipelined the most pipelined writes the applier queues per queue; 0 for an ephemeral
   *     database, which needs no applier
   */
  WriteSteps(SignalLog log, SignalLedger ledger, WriteGate gate, ApplyOrder order, LongAdder[] writes,
      int sampleEvery, Latencies latencies, LongAdder latencySamples, LongAdder latencyNanos, int pipelined) {
    this.log = log;
    this.ledger = ledger;
    this.gate = gate;
    this.order = order;
    this.writes = writes;
    this.sampleEvery = sampleEvery;
    this.latencies = latencies;
    this.latencySamples = latencySamples;
    this.latencyNanos = latencyNanos;
    this.applier = pipelined > 0 ? new LedgerApplier(log, this, pipelined) : null;
  }

  /**
   * {@link #apply} as the log calls it for a blocking write, once the event is acknowledged: the
   * thread that acknowledges a group commit's batch applies all its events, in log order, then wakes
   * their writers at once.
   */
  final WalEventSink applyOnAcknowledge = this::apply;

  /**
   * Applies an appended event to the ledger; in a persistent database in the log's order (see
   * {@link ApplyOrder}), so that recovery rebuilds exactly this ledger.
   */
  void apply(long sequence, long entityId, int typeId, float weight, long nanos) {
    order.awaitTurn(sequence);
    try {
      ledger.apply(entityId, typeId, weight, nanos);
    } finally {
      order.done(sequence);
    }
  }

  void enter(String what) {
    log.refuseOnWriterThread(what);
    refuseOnApplier(what);
    gate.enter();
  }

  /**
   * Fails on the ledger applier thread, where actions chained on a pipelined write's future run: a
   * write there waits for the applier (its turn in the log's order, or room in its queue), and a
   * checkpoint waits for the writes the applier has yet to apply.
   *
   * @throws IllegalStateException on the applier thread
   */
  void refuseOnApplier(String what) {
    if (applier != null && applier.onThread()) {
      throw new IllegalStateException(what + " on tidalDB's ledger applier thread (an action chained on a write's"
          + " future without an executor runs there) would wait for that thread itself: chain it with an executor"
          + " (thenRunAsync, thenApplyAsync, ...)");
    }
  }

  void exit() {
    gate.exit();
  }

  /** {@link #exit()} for {@code writes} writes at once. */
  void exit(int writes) {
    gate.exit(writes);
  }

  void counted(int typeId) {
    writes[typeId].increment();
  }

  /** Counts the first {@code count} events of a group, per signal. */
  void countedAll(int[] typeIds, int count) {
    for (int i = 0; i < count; i++) {
      counted(typeIds[i]);
    }
  }

  /** {@return {@code System.nanoTime()} for a write to time, 0 for one not sampled} */
  long startTiming() {
    return ThreadLocalRandom.current().nextInt(sampleEvery) == 0 ? System.nanoTime() : 0;
  }

  /** Records the latency of a write {@link #startTiming} sampled; nothing for one it did not. */
  void timed(long start) {
    if (start == 0) {
      return;
    }
    long nanos = System.nanoTime() - start;
    latencyNanos.add(nanos);
    latencySamples.increment();
    latencies.write().record(nanos);
  }
}

package io.tidaldb.internal.signal;

import java.util.Arrays;

/**
 * A consistent cut of the ledger, taken stripe by stripe while writes go on: the checkpoint's
 * copy-on-write.
 *
 * <p>{@link SignalLedger#beginCapture()} marks every stripe as pending, at a moment when no write is
 * between its log append and its ledger apply (the {@link WriteGate} is closed). From then on a
 * stripe is encoded exactly once, in the state it had at that moment: by the first writer that
 * wants to change it (before its change, under the stripe's write lock), or by the checkpoint
 * thread in {@link #finish()} (under the stripe's read lock), whichever comes first. A writer
 * therefore waits for at most one stripe's encoding, never for the whole ledger.
 *
 * <p>Each stripe is encoded into memory in the snapshot's own entry layout, entries sorted by entity
 * id per signal, each with its entry number in its table (which eviction samples by);
 * {@link LedgerSnapshotWriter#write(LedgerCapture, long, long, java.nio.file.Path)} merges the stripes
 * into the file's single sorted run per signal. The capture holds about the snapshot's
 * size in memory until it is written.
 */
final class LedgerCapture {

  /** One signal's entries of one stripe: ids ascending, and each entry's bytes in {@code data}. */
  static final class Run {
    final long[] ids;
    /** Entry {@code i} is {@code data[starts[i], starts[i + 1])}. */
    final int[] starts;
    final byte[] data;

    Run(long[] ids, int[] starts, byte[] data) {
      this.ids = ids;
      this.starts = starts;
      this.data = data;
    }
  }

  final SignalLedger ledger;
  /** {@code runs[stripe][signal]}; a stripe's row is set under its lock, exactly once. */
  private final Run[][] runs;

  LedgerCapture(SignalLedger ledger) {
    this.ledger = ledger;
    this.runs = new Run[ledger.stripeCount()][];
  }

  /**
   * Encodes {@code stripe} as it is now and clears its pending mark. The caller holds the stripe's
   * lock (write, or read for the checkpoint thread) and has seen {@code stripe.pending == this}.
   */
  void capture(Stripe stripe) {
    Run[] row = new Run[stripe.tables.length];
    for (int typeId = 0; typeId < row.length; typeId++) {
      row[typeId] = encode(stripe.tables[typeId]);
    }
    runs[stripe.index] = row;
    stripe.pending = null;
  }

  private static Run encode(EntryTable table) {
    int n = table.size();
    long[] ids = new long[n];
    for (int d = 0; d < n; d++) {
      ids[d] = table.keyAt(d);
    }
    Arrays.sort(ids);
    SignalLayout layout = table.layout;
    GrowableByteArray out = new GrowableByteArray(n * (36 + 8 * ((layout.minuteSlots + 63) / 64 + (layout.hourSlots + 63) / 64) + 4));
    int[] starts = new int[n + 1];
    int[] counters = new int[layout.stride];
    for (int i = 0; i < n; i++) {
      long id = ids[i];
      int d = table.find(id, EntryTable.hash(id));
      starts[i] = out.size();
      out.i64(id);
      out.i64(table.lastAt(d));
      out.i64(Double.doubleToRawLongBits(table.scoreAt(d)));
      out.i64(table.totalAt(d));
      out.i32(d);
      if (layout.drains) {
        out.i64(table.holdsWaterSinceAt(d));
      }
      table.copyCounters(d, counters);
      writeRing(counters, 0, layout.minuteSlots, out);
      writeRing(counters, layout.minuteSlots, layout.hourSlots, out);
    }
    starts[n] = out.size();
    return new Run(ids, starts, out.array());
  }

  /** A ring: a bitmap of its non-zero buckets in 64-bit words, then one varint per set bit, in slot order. */
  private static void writeRing(int[] counters, int base, int slots, GrowableByteArray out) {
    if (slots == 0) {
      return;
    }
    for (int word = 0; word < (slots + 63) / 64; word++) {
      long bits = 0;
      for (int bit = 0; bit < 64 && word * 64 + bit < slots; bit++) {
        if (counters[base + word * 64 + bit] != 0) {
          bits |= 1L << bit;
        }
      }
      out.i64(bits);
    }
    for (int slot = 0; slot < slots; slot++) {
      if (counters[base + slot] != 0) {
        out.varint(counters[base + slot]);
      }
    }
  }

  /** Encodes every stripe no writer has encoded yet. Returns when the capture is complete. */
  void finish() {
    for (int i = 0; i < ledger.stripeCount(); i++) {
      Stripe stripe = ledger.stripeAt(i);
      long stamp = stripe.lock.readLock();
      try {
        if (stripe.pending == this) {
          capture(stripe);
        }
        if (runs[i] == null) {
          throw new IllegalStateException("stripe " + i + " was neither captured nor pending");
        }
      } finally {
        stripe.lock.unlockRead(stamp);
      }
    }
  }

  /** Gives the capture up: no stripe stays pending on it. */
  void abandon() {
    for (int i = 0; i < ledger.stripeCount(); i++) {
      Stripe stripe = ledger.stripeAt(i);
      long stamp = stripe.lock.writeLock();
      try {
        if (stripe.pending == this) {
          stripe.pending = null;
        }
      } finally {
        stripe.lock.unlockWrite(stamp);
      }
    }
  }

  /** The run of {@code typeId} in stripe {@code stripe}; only after {@link #finish()}. */
  Run run(int stripe, int typeId) {
    return runs[stripe][typeId];
  }

  int stripeCount() {
    return runs.length;
  }
}

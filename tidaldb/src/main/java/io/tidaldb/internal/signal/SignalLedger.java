package io.tidaldb.internal.signal;

import io.tidaldb.Window;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory state of every (entity, signal) pair: decayed score, window buckets, all-time count.
 *
 * <pre>{@code
 * SignalLedger ledger = new SignalLedger(layouts, 1_000_000);
 * ledger.apply(42L, viewId, 1.0f, nowNanos);         // exactly what the WAL stores and replays
 * double score = ledger.decayScore(viewId, 42L, nowNanos);
 * }</pre>
 *
 * <p>Entries are spread over a power-of-two number of {@link Stripe}s by a hash of (entity id,
 * signal type id); each stripe has its own lock. Writes lock one stripe; reads take no lock unless a
 * write to the same stripe gets in the way. One counter bounds the entries of the whole ledger.
 *
 * <p>{@link #apply} does not read the clock: applying the same events in the same order gives the
 * same ledger, bit for bit, which is what recovery relies on (a persistent database applies in log
 * order, see {@link ApplyOrder}). In any order, the windows are the same, and so are exponential
 * and permanent scores up to floating-point rounding, while no entry is evicted. Only reads look at
 * "now".
 */
final class SignalLedger {

  /** At most 64, so that a batched read marks the stripes it touched in one {@code long}. */
  static final int MAX_STRIPES = 64;
  /**
   * An entry's stripe is {@code (hash >>> STRIPE_HASH_SHIFT) + typeId} modulo the stripes (and a
   * registered profile's part, {@code hash >>> STRIPE_HASH_SHIFT} modulo the parts): bits of the
   * hash that no table's home slot uses ({@link RankIndex#member} keeps them).
   */
  static final int STRIPE_HASH_SHIFT = 40;
  /**
   * A small bound gets fewer stripes, so that a full ledger has entries to evict in every stripe
   * (and the eviction sample sees a good share of them).
   */
  static final int MIN_STRIPE_ENTRIES = 1024;

  private final SignalLayout[] layouts;
  private final Stripe[] stripes;
  /** {@code tablesByType[typeId][stripe]}: a signal's table in each stripe, for batched reads. */
  private final EntryTable[][] tablesByType;
  private final int stripeMask;
  private final AtomicLong entries = new AtomicLong();
  private final long maxEntries;
  /** The registered profiles' indexes ({@link #indexProfiles}). */
  private List<ProfileIndex> profiles = List.of();

  SignalLedger(List<SignalLayout> layouts, long maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries " + maxEntries + " < 1");
    }
    this.layouts = layouts.toArray(SignalLayout[]::new);
    this.maxEntries = maxEntries;
    int count = 1;
    while (count < MAX_STRIPES && maxEntries / (count * 2L) >= MIN_STRIPE_ENTRIES) {
      count *= 2;
    }
    this.stripes = new Stripe[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = new Stripe(this.layouts, entries, maxEntries, i);
    }
    this.stripeMask = count - 1;
    this.tablesByType = new EntryTable[this.layouts.length][count];
    for (int typeId = 0; typeId < this.layouts.length; typeId++) {
      for (int i = 0; i < count; i++) {
        tablesByType[typeId][i] = stripes[i].tables[typeId];
      }
    }
  }

  private int stripeIndex(int typeId, long hash) {
    return stripeIndex(typeId, hash, stripeMask);
  }

  /** {@return the stripe of signal {@code typeId}'s entry for the id that hashes to {@code hash}, of {@code stripeMask + 1}} */
  static int stripeIndex(int typeId, long hash, int stripeMask) {
    return ((int) (hash >>> STRIPE_HASH_SHIFT) + typeId) & stripeMask;
  }

  /** {@return the bounds of signal {@code typeId}'s levels at {@code atNanos}, by id hash: for a walk under every stripe's read lock} */
  LevelBounds levelBounds(int typeId, long atNanos) {
    return new LevelBounds(layouts[typeId], atNanos, tablesByType[typeId], typeId);
  }

  private Stripe stripe(int typeId, long hash) {
    return stripes[stripeIndex(typeId, hash)];
  }

  /**
   * Applies one event: what the write path does after the log accepted it, and what recovery does
   * for every event it replays.
   *
   * @param entityId the entity
   * @param typeId the signal type id
   * @param weight the weight, as stored
   * @param timestampNanos the event time in nanoseconds since the epoch, not negative
   */
  void apply(long entityId, int typeId, float weight, long timestampNanos) {
    long hash = EntryTable.hash(entityId);
    Stripe stripe = stripe(typeId, hash);
    long stamp = stripe.lock.writeLock();
    try {
      if (stripe.pending != null) {
        stripe.pending.capture(stripe);
      }
      stripe.apply(typeId, entityId, hash, weight, timestampNanos);
    } finally {
      stripe.lock.unlockWrite(stamp);
    }
  }

  /**
   * Keeps an index of each profile's top-k ({@link ProfileIndex}), from now on: called once, on an
   * empty ledger, before any event is applied or restored and before other threads use the ledger.
   *
   * @throws IllegalArgumentException naming a term the index cannot serve
   */
  void indexProfiles(List<Ranking> rankings) {
    if (!profiles.isEmpty() || size() > 0) {
      throw new IllegalStateException("profiles are indexed once, on an empty ledger");
    }
    List<ProfileIndex> indexes = rankings.stream().map(r -> new ProfileIndex(r, this)).toList();
    for (int typeId = 0; typeId < layouts.length; typeId++) {
      int type = typeId;
      ProfileIndex[] holding = indexes.stream().filter(p -> p.indexes(type)).toArray(ProfileIndex[]::new);
      for (Stripe stripe : stripes) {
        stripe.profiles[typeId] = holding.length == 0 ? null : holding;
      }
    }
    profiles = indexes;
  }

  /** {@return the registered profile's index that answers {@code ranking}, or null} */
  ProfileIndex profileIndex(Ranking ranking) {
    for (ProfileIndex index : profiles) {
      if (index.serves(ranking)) {
        return index;
      }
    }
    return null;
  }

  /**
   * The decayed score at {@code atNanos}; 0 for an entity never seen. Only the optimistic read is
   * here; the read under the lock, after a write got in the way, is a method of its own
   * ({@link #decayScoreLocked}), so that the compiled read stays small enough for the JIT to inline
   * into its caller's loop (BENCHMARKS.md, "A read small enough to inline").
   */
  double decayScore(int typeId, long entityId, long atNanos) {
    long hash = EntryTable.hash(entityId);
    Stripe stripe = stripe(typeId, hash);
    EntryTable table = stripe.tables[typeId];
    long stamp = stripe.lock.tryOptimisticRead();
    // read even when a writer holds the lock (stamp 0): the read is safe on a torn table, and one
    // branch fewer keeps the compiled read small; its answer is then discarded
    double score = table.scoreOf(entityId, hash, atNanos);
    return stamp != 0 && stripe.lock.validate(stamp) ? score : decayScoreLocked(stripe, table, entityId, hash, atNanos);
  }

  /** {@link #decayScore} under the stripe's read lock: the read a write got in the way of. */
  private static double decayScoreLocked(Stripe stripe, EntryTable table, long entityId, long hash, long atNanos) {
    long stamp = stripe.lock.readLock();
    try {
      return table.scoreOf(entityId, hash, atNanos);
    } finally {
      stripe.lock.unlockRead(stamp);
    }
  }

  /**
   * The decayed scores of {@code ids[i]} into {@code out[i]}, as {@link #decayScore} would read them
   * one by one, in blocks of {@value ScoreBatch#SIZE}; {@code out} is at least as long as {@code ids}.
   */
  void decayScores(int typeId, long[] ids, long atNanos, double[] out) {
    decayScores(typeId, ids, ids.length, atNanos, out);
  }

  /** The same, for the first {@code n} ids. */
  void decayScores(int typeId, long[] ids, int n, long atNanos, double[] out) {
    ScoreBatch batch = ScoreBatch.forThisThread();
    for (int from = 0; from < n; from += ScoreBatch.SIZE) {
      decayScores(typeId, ids, from, Math.min(n, from + ScoreBatch.SIZE), atNanos, out, batch);
    }
  }

  /**
   * One block of a batched read, in passes over all its candidates, so that the cache misses of
   * different candidates overlap instead of following one another. A single read's misses depend
   * on each other: the index slot names the hot record, and which slot holds the key is a branch on
   * loaded data, so a mispredicted probe waits for memory. Here:
   * <ol>
   *   <li>hash every candidate, find its stripe, take each stripe's optimistic stamp once;
   *   <li>load the index line(s) of every candidate's first four slots ({@link EntryTable#prefetch});
   *   <li>on those cached lines, pick the entry the first slot with the key's tag names, without a
   *       branch ({@link EntryTable#tagged});
   *   <li>copy every such entry's hot record, id, last and score ({@link EntryTable#readHot});
   *   <li>where the copied id is the candidate's, compute the score from the copy; the others (a key
   *       further than four slots from its home, a tag shared with another key, an absent key) get a
   *       full probe ({@link EntryTable#scoreOf}), after the rest;
   *   <li>validate each stripe's stamp once. The candidates of a stripe that a write got in the way
   *       of are read again one by one ({@link #decayScore}: optimistic, then under the read lock).
   * </ol>
   * Every value read before the validation may be torn; the reads are written not to throw or loop
   * on one (as {@link EntryTable} promises), and a torn value is discarded by the failed validation.
   */
  private void decayScores(int typeId, long[] ids, int from, int to, long atNanos, double[] out, ScoreBatch batch) {
    EntryTable[] tables = tablesByType[typeId];
    long[] hashes = batch.hashes;
    int[] stripeOf = batch.stripes;
    int[] entries = batch.entries;
    long[] records = batch.records;
    long[] stamps = batch.stamps;
    int n = to - from;
    long seen = 0;
    for (int k = 0; k < n; k++) {
      long hash = EntryTable.hash(ids[from + k]);
      int s = stripeIndex(typeId, hash);
      if ((seen & 1L << s) == 0) {
        seen |= 1L << s;
        stamps[s] = stripes[s].lock.tryOptimisticRead();
      }
      hashes[k] = hash;
      stripeOf[k] = s;
    }
    for (int k = 0; k < n; k++) {
      entries[k] = tables[stripeOf[k]].prefetch(hashes[k]);
    }
    for (int k = 0; k < n; k++) {
      entries[k] = entries[k] == 0 ? -1 : tables[stripeOf[k]].tagged(hashes[k]);
    }
    for (int k = 0; k < n; k++) {
      tables[stripeOf[k]].readHot(entries[k], records, 3 * k);
    }
    SignalLayout layout = layouts[typeId];
    int misled = 0;
    for (int k = 0; k < n; k++) {
      if (entries[k] >= 0 && records[3 * k] == ids[from + k]) {
        out[from + k] = layout.readAt(Double.longBitsToDouble(records[3 * k + 2]), records[3 * k + 1], atNanos);
      } else {
        entries[misled++] = k;
      }
    }
    for (int j = 0; j < misled; j++) {
      int k = entries[j];
      out[from + k] = tables[stripeOf[k]].scoreOf(ids[from + k], hashes[k], atNanos);
    }
    long failed = 0;
    for (long left = seen; left != 0; left &= left - 1) {
      int s = Long.numberOfTrailingZeros(left);
      if (!stripes[s].lock.validate(stamps[s])) {
        failed |= 1L << s;
      }
    }
    if (failed != 0) {
      for (int k = 0; k < n; k++) {
        if ((failed & 1L << stripeOf[k]) != 0) {
          out[from + k] = decayScore(typeId, ids[from + k], atNanos);
        }
      }
    }
  }

  /**
   * The events of the entity in {@code window} as of {@code nowNanos}; 0 for an entity never seen.
   * The signal must count the window.
   */
  long windowCount(int typeId, long entityId, Window window, long nowNanos) {
    long hash = EntryTable.hash(entityId);
    Stripe stripe = stripe(typeId, hash);
    EntryTable table = stripe.tables[typeId];
    long stamp = stripe.lock.tryOptimisticRead();
    if (stamp != 0) {
      long count = readWindow(table, entityId, hash, window, nowNanos);
      if (stripe.lock.validate(stamp)) {
        return count;
      }
    }
    stamp = stripe.lock.readLock();
    try {
      return readWindow(table, entityId, hash, window, nowNanos);
    } finally {
      stripe.lock.unlockRead(stamp);
    }
  }

  private static long readWindow(EntryTable table, long entityId, long hash, Window window, long nowNanos) {
    int d = table.find(entityId, hash);
    return d < 0 ? 0 : WindowRings.countAt(table, d, window, nowNanos);
  }

  /** Whether the ledger holds an entry for (entity, signal). */
  boolean contains(int typeId, long entityId) {
    long hash = EntryTable.hash(entityId);
    Stripe stripe = stripe(typeId, hash);
    EntryTable table = stripe.tables[typeId];
    long stamp = stripe.lock.tryOptimisticRead();
    if (stamp != 0) {
      boolean found = table.find(entityId, hash) >= 0;
      if (stripe.lock.validate(stamp)) {
        return found;
      }
    }
    stamp = stripe.lock.readLock();
    try {
      return table.find(entityId, hash) >= 0;
    } finally {
      stripe.lock.unlockRead(stamp);
    }
  }

  /** Entries held, over all signals; exact when no write is under way. */
  long size() {
    return entries.get();
  }

  /** Entries evicted to make room since the ledger was created. */
  long evictions() {
    long evictions = 0;
    for (Stripe stripe : stripes) {
      evictions += stripe.evictions();
    }
    return evictions;
  }

  /**
   * Puts an entry back as a snapshot recorded it, for a restore into a ledger that does not hold
   * it yet. It takes the next entry number of its table: a restore goes in entry-number order.
   * {@code holdsWaterSince} is for linear decay (see {@link SignalLayout#afterLinearWrite}).
   */
  void restore(int typeId, long entityId, long last, double score, long total, long holdsWaterSince, int[] counters) {
    long hash = EntryTable.hash(entityId);
    Stripe stripe = stripe(typeId, hash);
    long stamp = stripe.lock.writeLock();
    try {
      EntryTable table = stripe.tables[typeId];
      if (table.find(entityId, hash) >= 0) {
        throw new IllegalStateException("entity " + entityId + " of signal " + typeId + " is already in the ledger");
      }
      int d = stripe.insert(table, entityId, hash, last);
      table.restore(d, hash, last, score, total, holdsWaterSince, counters);
      if (stripe.profiles[typeId] != null) {
        stripe.reindex(typeId, entityId, hash, table, d);
      }
    } finally {
      stripe.lock.unlockWrite(stamp);
    }
  }

  /**
   * Starts a consistent cut of the ledger as it is now (see {@link LedgerCapture}): marks every
   * stripe pending. The caller guarantees that no apply is under way or starts until this returns,
   * and must {@link LedgerCapture#finish()} or {@link LedgerCapture#abandon()} the capture.
   */
  LedgerCapture beginCapture() {
    LedgerCapture capture = new LedgerCapture(this);
    for (Stripe stripe : stripes) {
      long stamp = stripe.lock.writeLock();
      try {
        stripe.pending = capture;
      } finally {
        stripe.lock.unlockWrite(stamp);
      }
    }
    return capture;
  }

  int signalCount() {
    return layouts.length;
  }

  SignalLayout layout(int typeId) {
    return layouts[typeId];
  }

  /**
   * {@return the stripe an event of {@code entityId} on signal {@code typeId} is applied in}: events of
   * different stripes touch no common state but the entry count, which only matters for eviction
   */
  int stripeIndexOf(int typeId, long entityId) {
    return stripeIndex(typeId, EntryTable.hash(entityId));
  }

  /**
   * {@return how many more entries fit under the bound without an eviction (0 when full)}: events
   * that add at most that many entries, applied in different stripes in any interleaving (each
   * stripe's in log order), give the ledger that applying them one by one in log order gives
   */
  long roomWithoutEviction() {
    return Math.max(0, maxEntries - entries.get());
  }

  int stripeCount() {
    return stripes.length;
  }

  Stripe stripeAt(int index) {
    return stripes[index];
  }

  /** The stripe that holds (or would hold) the entry. */
  Stripe stripeOf(int typeId, long entityId) {
    return stripe(typeId, EntryTable.hash(entityId));
  }
}

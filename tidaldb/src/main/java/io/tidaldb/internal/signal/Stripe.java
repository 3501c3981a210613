package io.tidaldb.internal.signal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * One lock's share of the ledger: a table per signal type. Writers hold {@link #lock} exclusively;
 * readers try an optimistic read first (no write to shared memory) and fall back to the read lock
 * if a writer got in the way.
 *
 * <p>When a new entry takes the ledger past its bound, the stripe that adds it evicts one of its
 * own: it samples {@value #EVICTION_SAMPLES} of its entries (any signal) by entry number, and drops
 * the one whose newest event is oldest. The sample is a pseudo-random sequence seeded by the event
 * that adds the entry (its entity and time), so that it depends on nothing but the events applied
 * and the entry numbers, both of which a restart reproduces: the snapshot keeps every entry's number
 * ({@link LedgerSnapshot}) and the replay applies the log's events in the order the live ledger did.
 */
final class Stripe {

  static final int EVICTION_SAMPLES = 8;

  final StampedLock lock = new StampedLock();
  final EntryTable[] tables;
  /** This stripe's position in the ledger. */
  final int index;
  /**
   * The checkpoint capture waiting for this stripe's state, or null (under the lock): whoever
   * changes or captures the stripe next encodes it for the capture first.
   */
  LedgerCapture pending;
  /**
   * {@code profiles[typeId]}: the registered profiles' indexes that copy the signal's entries, or null
   * for a signal in none (set once, before the first event: {@link SignalLedger#indexProfiles}).
   */
  final ProfileIndex[][] profiles;
  /** Entries in the whole ledger, shared by its stripes. */
  private final AtomicLong ledgerEntries;
  private final long maxEntries;
  /** Entries in this stripe's tables (under the lock). */
  private int size;
  private volatile long evictions;

  Stripe(SignalLayout[] layouts, AtomicLong ledgerEntries, long maxEntries, int index) {
    this.tables = new EntryTable[layouts.length];
    this.profiles = new ProfileIndex[layouts.length][];
    for (int i = 0; i < layouts.length; i++) {
      tables[i] = new EntryTable(layouts[i]);
    }
    this.ledgerEntries = ledgerEntries;
    this.maxEntries = maxEntries;
    this.index = index;
  }

  long evictions() {
    return evictions;
  }

  /** Applies an event, creating the entry (and evicting another if full) when it is new. */
  void apply(int typeId, long entityId, long hash, float weight, long t) {
    EntryTable table = tables[typeId];
    int d = table.find(entityId, hash);
    boolean fresh = d < 0;
    if (fresh) {
      d = insert(table, entityId, hash, t);
    }
    table.apply(d, hash, fresh, weight, t);
    if (profiles[typeId] != null) {
      reindex(typeId, entityId, hash, table, d);
    }
  }

  /** Copies entry {@code d} of signal {@code typeId} into the registered profiles' indexes that hold the signal. */
  void reindex(int typeId, long entityId, long hash, EntryTable table, int d) {
    for (ProfileIndex index : profiles[typeId]) {
      index.put(typeId, entityId, hash, table.scoreAt(d), table.lastAt(d));
    }
  }

  /**
   * Adds an entry with no events, first evicting from this stripe while the ledger is over its
   * bound. A stripe with nothing to evict adds anyway: the ledger then holds one entry too many
   * until the next new entry in another stripe evicts (rare: a stripe averages at least
   * {@value SignalLedger#MIN_STRIPE_ENTRIES} entries of a full ledger).
   *
   * @param t the time of the event that adds the entry (or its newest, for a restore): with the
   *     entity, it seeds the eviction sample
   */
  int insert(EntryTable table, long entityId, long hash, long t) {
    ledgerEntries.incrementAndGet();
    long random = hash ^ t;
    while (size > 0 && ledgerEntries.get() > maxEntries) {
      random = evictOne(random);
      ledgerEntries.decrementAndGet();
    }
    int d = table.insert(entityId, hash);
    size++;
    return d;
  }

  /** Evicts one entry, sampling with the SplitMix64 sequence after {@code random}; returns where it ended. */
  private long evictOne(long random) {
    int victimType = -1;
    int victim = -1;
    long oldest = Long.MAX_VALUE;
    int entries = size;
    long state = random;
    for (int sample = 0; sample < EVICTION_SAMPLES; sample++) {
      state += 0x9E3779B97F4A7C15L;
      int pick = (int) Long.remainderUnsigned(mix(state), entries);
      for (int typeId = 0; typeId < tables.length; typeId++) {
        EntryTable table = tables[typeId];
        if (pick < table.size()) {
          long last = table.lastAt(pick);
          if (victim < 0 || last < oldest) {
            victimType = typeId;
            victim = pick;
            oldest = last;
          }
          break;
        }
        pick -= table.size();
      }
    }
    EntryTable victimTable = tables[victimType];
    long victimId = victimTable.keyAt(victim);
    victimTable.remove(victim);
    if (profiles[victimType] != null) {
      long hash = EntryTable.hash(victimId);
      for (ProfileIndex index : profiles[victimType]) {
        index.remove(victimType, victimId, hash);
      }
    }
    size--;
    evictions = evictions + 1;
    return state;
  }

  /** SplitMix64's output function. */
  private static long mix(long state) {
    long z = state;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

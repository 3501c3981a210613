package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The index and dense storage behind one signal in one stripe, against a plain map. */
class EntryTableTest {

  private static final SignalLayout LAYOUT = new SignalLayout(Schema.builder()
      .signal("s", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1)))
      .windows(Window.ONE_HOUR, Window.SEVEN_DAYS, Window.ALL_TIME).add().build().signals().get(0));

  /** Keys that collide a lot, plus the extremes (0 is a key like any other). */
  @Provide
  Arbitrary<List<Long>> operations() {
    return Arbitraries.oneOf(Arbitraries.longs().between(-40, 40), Arbitraries.of(0L, Long.MIN_VALUE, Long.MAX_VALUE))
        .list().ofMaxSize(400);
  }

  /** Each key toggles: inserted when absent, removed when present; totals tell entries apart. */
  @Property(tries = 500)
  void insertAndRemove_keepEveryOtherEntryIntact(@ForAll("operations") List<Long> keys) {
    EntryTable table = new EntryTable(LAYOUT);
    Map<Long, Long> model = new HashMap<>();
    long t = Ledgers.T0;
    for (long key : keys) {
      long hash = EntryTable.hash(key);
      int d = table.find(key, hash);
      if (model.containsKey(key)) {
        table.remove(d);
        model.remove(key);
      } else {
        d = table.insert(key, hash);
        long events = 1 + Math.floorMod(key, 7);
        for (int i = 0; i < events; i++) {
          table.apply(d, i == 0, 1f, t++);
        }
        model.put(key, events);
      }
      assertEquals(model.size(), table.size());
    }
    for (Map.Entry<Long, Long> entry : model.entrySet()) {
      int d = table.find(entry.getKey(), EntryTable.hash(entry.getKey()));
      assertEquals(entry.getKey(), table.keyAt(d));
      assertEquals(entry.getValue(), table.totalAt(d));
      assertEquals(entry.getValue(), table.readRing(d, 0, 60, SignalLayout.MINUTE_NANOS, 60, t));
    }
    for (long key = -41; key <= 41; key++) {
      if (!model.containsKey(key)) {
        assertEquals(-1, table.find(key, EntryTable.hash(key)));
      }
    }
  }

  /** Spread keys: tables of up to a few thousand entries, past many growths of the index and the records. */
  @Provide
  Arbitrary<List<Long>> spreadOperations() {
    return Arbitraries.longs().between(0, 3_000).map(k -> k * 0x9E3779B97F4A7C15L).list().ofMaxSize(6_000);
  }

  /**
   * Every read (the full probe, the batched read's tag guess and record copy, the ring and the
   * score) answers as a map of (events, newest time) says, while the table grows and shrinks.
   */
  @Property(tries = 60)
  void reads_matchAMapAcrossGrowthAndRemoval(@ForAll("spreadOperations") List<Long> keys) {
    EntryTable table = new EntryTable(LAYOUT);
    Map<Long, long[]> model = new HashMap<>();
    long t = Ledgers.T0;
    for (long key : keys) {
      long hash = EntryTable.hash(key);
      int d = table.find(key, hash);
      long[] state = model.get(key);
      if (state != null && Math.floorMod(key, 3) == 0) {
        table.remove(d);
        model.remove(key);
        continue;
      }
      boolean fresh = d < 0;
      if (fresh) {
        d = table.insert(key, hash);
        state = new long[2];
        model.put(key, state);
      }
      table.apply(d, fresh, 1f, t);
      state[0]++;
      state[1] = t;
      t += 1_000;
    }
    assertEquals(model.size(), table.size());
    long[] hot = new long[3];
    for (Map.Entry<Long, long[]> entry : model.entrySet()) {
      long key = entry.getKey();
      long hash = EntryTable.hash(key);
      int d = table.find(key, hash);
      int guess = table.tagged(hash);
      if (guess >= 0 && table.keyAt(guess) == key) {
        assertEquals(d, guess, "a tag guess that names the key names its entry");
      }
      table.readHot(d, hot, 0);
      assertEquals(key, hot[0]);
      assertEquals(entry.getValue()[1], hot[1], "the newest event time");
      assertEquals(entry.getValue()[0], table.readLong(d, EntryTable.TOTAL));
      assertEquals(entry.getValue()[0], table.readRing(d, 0, 60, SignalLayout.MINUTE_NANOS, 60, t));
      assertEquals(LAYOUT.readAt(table.scoreAt(d), hot[1], t), table.readScore(d, t));
    }
    for (long k = 0; k <= 3_000; k += 7) {
      long key = k * 0x9E3779B97F4A7C15L;
      if (!model.containsKey(key)) {
        assertEquals(-1, table.find(key, EntryTable.hash(key)));
      }
    }
  }

  @Test
  void manyEntries_growTheIndexAndChunks() {
    EntryTable table = new EntryTable(LAYOUT);
    List<Long> keys = new ArrayList<>();
    for (long i = 0; i < 5_000; i++) {
      long key = i * 0x9E3779B97F4A7C15L;
      keys.add(key);
      int d = table.insert(key, EntryTable.hash(key));
      table.apply(d, true, (float) i, Ledgers.T0);
    }
    for (int i = 0; i < keys.size(); i++) {
      int d = table.find(keys.get(i), EntryTable.hash(keys.get(i)));
      assertEquals(i, table.scoreAt(d));
    }
  }
}

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

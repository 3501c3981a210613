package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The index and dense storage behind one signal in one stripe, against a plain map. */
class EntryTableTest {

  private static final SignalLayout LAYOUT = new SignalLayout(Schema.builder()
      .signal("s", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1)))
      .windows(Window.ONE_HOUR, Window.SEVEN_DAYS, Window.ALL_TIME).add().build().signals().get(0));

  private static SignalLayout layout(DecaySpec decay) {
    return new SignalLayout(Schema.builder().signal("s", EntityKind.ITEM, decay).windows(Window.ALL_TIME)
        .negativeWeights(!(decay instanceof DecaySpec.Linear)).add().build()
        .signals().get(0));
  }

  /**
   * Every entry's rank key is at most the level of its id's home slot ({@link EntryTable#levelAt}),
   * which a ranking walk takes as a bound without reading the entry: through inserts, writes that
   * raise and lower keys, removals (the last entry takes the hole), the index's growth, and the
   * levels' moves up when a key passes the highest (a minute's half-life and jumps of days).
   */
  @Property(tries = 300)
  void homeSlotLevels_boundTheRankKeysOfTheirEntries(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DecaySpec decay = switch (random.nextInt(4)) {
      case 0 -> DecaySpec.exponential(Duration.ofMinutes(1));
      case 1 -> DecaySpec.exponential(Duration.ofDays(1 + random.nextInt(30)));
      case 2 -> DecaySpec.linear(Duration.ofMinutes(1 + random.nextInt(600)));
      default -> DecaySpec.permanent();
    };
    EntryTable table = new EntryTable(layout(decay));
    int entities = 1 + random.nextInt(random.nextBoolean() ? 20 : 3_000);
    long t = Ledgers.T0;
    String description = "seed " + seed + ", " + decay + ", " + entities + " entities";
    for (int step = 0, steps = random.nextInt(6_000); step < steps; step++) {
      long key = random.nextInt(entities);
      long hash = EntryTable.hash(key);
      int d = table.find(key, hash);
      int op = random.nextInt(100);
      if (op < 10) {
        if (d >= 0) {
          table.remove(d);
        }
      } else {
        if (op < 12) {
          t += random.nextLong(30 * Ledgers.DAY);
        }
        t += random.nextLong(10 * Ledgers.MINUTE);
        long at = random.nextInt(10) == 0 ? t - random.nextLong(Ledgers.DAY) : t;
        boolean fresh = d < 0;
        if (fresh) {
          d = table.insert(key, hash);
        }
        boolean lower = !(decay instanceof DecaySpec.Linear) && random.nextInt(5) == 0;
        float weight = lower ? -random.nextFloat() * 3 : random.nextFloat() * 10;
        table.apply(d, hash, fresh, weight, at);
      }
      if (random.nextInt(500) == 0 || step == steps - 1) {
        for (int e = 0; e < table.size(); e++) {
          double rankKey = table.rankKeyAt(e);
          long level = table.levelAt(EntryTable.hash(table.keyAt(e)));
          boolean bounded = rankKey == Double.NEGATIVE_INFINITY
              || level != Long.MIN_VALUE && rankKey <= (double) level / EntryTable.LEVELS_PER_UNIT;
          assertTrue(bounded, description + ": entity " + table.keyAt(e) + " at step " + step + " has key " + rankKey
              + " above its home slot's level " + level);
        }
      }
    }
  }

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
          table.apply(d, hash, i == 0, 1f, t++);
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
      table.apply(d, hash, fresh, 1f, t);
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
      table.apply(d, EntryTable.hash(key), true, (float) i, Ledgers.T0);
    }
    for (int i = 0; i < keys.size(); i++) {
      int d = table.find(keys.get(i), EntryTable.hash(keys.get(i)));
      assertEquals(i, table.scoreAt(d));
    }
  }

  /**
   * A chunk grows in steps (8, 16, 32, 64, 96, ... 256 entries) and only the table's last chunk is partly
   * allocated: every entry keeps its id, newest time, score, all-time count, every ring counter
   * (bytes or widened) and its rank place (the bucket of its key, where its member names it) across
   * every step, while entries come and go (the last entry moving into a hole, across chunks).
   */
  @Property(tries = 120)
  void chunkGrowthSteps_keepEveryEntrysRecordCountersAndRankPlace(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    EntryTable table = new EntryTable(LAYOUT);
    Map<Long, long[]> model = new HashMap<>();
    Map<Long, int[]> counters = new HashMap<>();
    long hourStart = Ledgers.T0 / Ledgers.HOUR * Ledgers.HOUR;
    int steps = 1 + random.nextInt(random.nextBoolean() ? 80 : 800);
    String description = "seed " + seed;
    for (int step = 0; step < steps; step++) {
      if (!model.isEmpty() && random.nextInt(6) == 0) {
        long key = model.keySet().stream().skip(random.nextInt(model.size())).findFirst().orElseThrow();
        table.remove(table.find(key, EntryTable.hash(key)));
        model.remove(key);
        counters.remove(key);
      } else {
        long key = random.nextLong();
        long hash = EntryTable.hash(key);
        int d = table.insert(key, hash);
        // [last, score bits, total]; every event in one hour, so that a counter holds its minute's (hour's) events
        long[] expected = {0, 0, 0};
        int[] ring = new int[LAYOUT.stride];
        int events = random.nextInt(50) == 0 ? 300 : 1 + random.nextInt(4);
        int minute = random.nextInt(60);
        for (int i = 0; i < events; i++) {
          long t = hourStart + minute * Ledgers.MINUTE + random.nextLong(Ledgers.MINUTE);
          float weight = 1 + random.nextInt(3);
          long last = i == 0 ? t : expected[0];
          expected[1] = Double.doubleToRawLongBits(
              LAYOUT.afterWrite(Double.longBitsToDouble(expected[1]), last, weight, t));
          expected[0] = Math.max(last, t);
          expected[2]++;
          ring[(int) (t / Ledgers.MINUTE % LAYOUT.minuteSlots)]++;
          ring[LAYOUT.minuteSlots + (int) (t / Ledgers.HOUR % LAYOUT.hourSlots)]++;
          table.apply(d, hash, i == 0, weight, t);
        }
        model.put(key, expected);
        counters.put(key, ring);
      }
      assertEquals(model.size(), table.size(), description);
      for (Map.Entry<Long, long[]> entry : model.entrySet()) {
        long key = entry.getKey();
        long hash = EntryTable.hash(key);
        int d = table.find(key, hash);
        String where = description + ", step " + step + ", " + table.size() + " entries: key " + key + " at entry " + d;
        assertTrue(d >= 0, where + " is found");
        assertEquals(key, table.keyAt(d), where + ": id");
        assertEquals(entry.getValue()[0], table.lastAt(d), where + ": newest time");
        assertEquals(Double.longBitsToDouble(entry.getValue()[1]), table.scoreAt(d), where + ": score");
        assertEquals(entry.getValue()[2], table.totalAt(d), where + ": all-time count");
        int[] actual = new int[LAYOUT.stride];
        table.copyCounters(d, actual);
        assertEquals(Arrays.toString(counters.get(key)), Arrays.toString(actual), where + ": ring counters");
        int bucket = table.rank.bucketAt(d);
        assertEquals(table.rank.bucketOf(table.rankKeyAt(d)), bucket, where + ": rank bucket");
        long[] members = table.rank.members(bucket);
        long named = Arrays.stream(members, RankIndex.FIRST_MEMBER, RankIndex.FIRST_MEMBER + table.rank.size(bucket))
            .filter(m -> m == RankIndex.member(d, hash)).count();
        assertEquals(1, named, where + ": its bucket names it once");
      }
    }
  }

  /**
   * A table's chunks hold room for at most a step ({@link EntryTable#CHUNK_STEP}) of entries more
   * than it has, at every size: a table of 65 entries no longer pays for 128 entries' counters.
   */
  @Test
  void chunkRoom_exceedsTheEntriesByLessThanAStep_atEverySize() {
    EntryTable table = new EntryTable(LAYOUT);
    for (long key = 0; key < 1_000; key++) {
      table.insert(key, EntryTable.hash(key));
      int unused = table.chunkRoom() - table.size();
      assertTrue(unused >= 0 && unused < EntryTable.CHUNK_STEP,
          table.size() + " entries have room for " + table.chunkRoom() + " in their chunks");
    }
  }

  /** A signal with only the 24-hour window: an hour ring of 24 and no minute ring. */
  private static final SignalLayout DAY_LAYOUT = new SignalLayout(Schema.builder()
      .signal("d", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1)))
      .windows(Window.TWENTY_FOUR_HOURS).add().build().signals().get(0));

  /**
   * Minutes to move the clock by, weighted toward the ring lengths (60 minutes, 24 and 168 hours)
   * and one either side of them, where clearing the buckets a write moves a ring over wraps or
   * covers the whole ring; each with seconds within the minute and how many minutes late the event is.
   */
  @Provide
  Arbitrary<List<long[]>> ringSteps() {
    Arbitrary<Long> edges = Arbitraries.of(0L, 1L, 2L, 58L, 59L, 60L, 61L, 119L, 120L, 121L,
        23 * 60L, 24 * 60L, 25 * 60L, 167 * 60L, 168 * 60L, 169 * 60L, 336 * 60L);
    Arbitrary<Long> advance = Arbitraries.oneOf(edges, Arbitraries.longs().between(0, 3),
        Arbitraries.longs().between(0, 200), Arbitraries.longs().between(0, 12_000));
    Arbitrary<Long> late = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.just(0L),
        Arbitraries.longs().between(0, 70), Arbitraries.longs().between(0, 11_000));
    return net.jqwik.api.Combinators.combine(advance, Arbitraries.longs().between(0, 59), late)
        .as((a, s, l) -> new long[] {a, s, l}).list().ofMinSize(1).ofMaxSize(80);
  }

  /**
   * Every single bucket of both rings holds exactly the events of its minute (hour) while that
   * minute lies in the ring's span ending at the newest event's, and no bucket outside the span
   * reads anything: across writes that move a ring over its end (the cleared buckets wrap to slot
   * 0), by exactly one ring length or more (the whole ring is cleared), and late writes. An entry
   * that comes back after exactly one ring length must not see the bucket it left, and one that
   * comes back a bucket short of it must still see it.
   */
  @Property(tries = 400)
  void ringBuckets_areExactAcrossWrapsWholeRingGapsAndLateEvents(@ForAll("ringSteps") List<long[]> steps,
      @ForAll boolean dayOnly) {
    SignalLayout layout = dayOnly ? DAY_LAYOUT : LAYOUT;
    EntryTable table = new EntryTable(layout);
    int d = table.insert(7L, EntryTable.hash(7L));
    List<Long> events = new ArrayList<>();
    long now = Ledgers.T0;
    long newest = Long.MIN_VALUE;
    for (long[] step : steps) {
      now += step[0] * Ledgers.MINUTE;
      long t = now + step[1] * Ledgers.SECOND - step[2] * Ledgers.MINUTE;
      table.apply(d, EntryTable.hash(7L), events.isEmpty(), 1f, t);
      events.add(t);
      newest = Math.max(newest, t);
      if (layout.minuteSlots > 0) {
        assertEveryBucket(table, d, events, newest, 0, layout.minuteSlots, SignalLayout.MINUTE_NANOS);
      }
      assertEveryBucket(table, d, events, newest, layout.minuteSlots, layout.hourSlots, SignalLayout.HOUR_NANOS);
    }
  }

  private static void assertEveryBucket(EntryTable table, int d, List<Long> events, long newest, int base, int slots,
      long unit) {
    long head = newest / unit;
    for (long k = head - slots - 2; k <= head + 1; k++) {
      long expected = 0;
      if (k > head - slots && k <= head) {
        for (long t : events) {
          expected += t / unit == k ? 1 : 0;
        }
      }
      assertEquals(expected, table.readRing(d, base, slots, unit, 1, k * unit),
          "bucket " + (k - head) + " from the newest of a ring of " + slots);
    }
  }

  /**
   * An entry inserted into the slot an eviction vacated starts with every window at zero, whether
   * the slot held the removed entry itself or the last entry that moved into the removed one's
   * place; with byte counters and with counters widened past 255.
   */
  @Test
  void slotReusedAfterRemoval_startsWithEmptyRings() {
    for (int hot : new int[] {3, 300}) {
      for (boolean removeLast : new boolean[] {false, true}) {
        EntryTable table = new EntryTable(LAYOUT);
        long t = Ledgers.T0;
        int a = table.insert(1L, EntryTable.hash(1L));
        int b = table.insert(2L, EntryTable.hash(2L));
        for (int entry : new int[] {a, b}) {
          for (int i = 0; i < 240; i++) {
            for (int j = 0; j < (i == 0 ? hot : 1); j++) {
              table.apply(entry, EntryTable.hash(entry == a ? 1L : 2L), i == 0 && j == 0, 1f, t + i * Ledgers.MINUTE + j);
            }
          }
        }
        table.remove(removeLast ? b : a);
        int c = table.insert(3L, EntryTable.hash(3L));
        assertEquals(1, c, "the new entry takes the vacated last slot");
        long at = t + 240 * Ledgers.MINUTE;
        table.apply(c, EntryTable.hash(3L), true, 1f, at);
        for (long k = 0; k < 60; k++) {
          assertEquals(k == 0 ? 1 : 0, table.readRing(c, 0, 60, SignalLayout.MINUTE_NANOS, 1, at - k * Ledgers.MINUTE),
              "minute " + k + " before the new entry's event, hot " + hot + ", removed last " + removeLast);
        }
        for (long k = 0; k < 168; k++) {
          assertEquals(k == 0 ? 1 : 0, table.readRing(c, 60, 168, SignalLayout.HOUR_NANOS, 1, at - k * Ledgers.HOUR),
              "hour " + k + " before the new entry's event, hot " + hot + ", removed last " + removeLast);
        }
        int kept = table.find(removeLast ? 1L : 2L, EntryTable.hash(removeLast ? 1L : 2L));
        assertEquals(240 - 1 + hot, table.readRing(kept, 60, 168, SignalLayout.HOUR_NANOS, 168, at));
      }
    }
  }

  /**
   * Steps over a handful of keys, each {@code {kind, key, amount}}: kinds 0 to 5 record a burst of
   * {@code amount} events now (inserting the key if absent; some bursts pass 255 in one minute, and
   * a few smaller ones in one hour pass 255 there, which widens the entry's counters), 6 and 7
   * remove the key if present (the last entry moves into the hole), 8 and 9 move the clock on by
   * {@code amount} minutes or hours.
   */
  @Provide
  Arbitrary<List<int[]>> wideSteps() {
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 9);
    Arbitrary<Integer> key = Arbitraries.integers().between(0, 9);
    Arbitrary<Integer> amount = Arbitraries.oneOf(Arbitraries.integers().between(1, 5),
        Arbitraries.of(130, 255, 256, 300, 700));
    return Combinators.combine(kind, key, amount).as((k, e, a) -> new int[] {k, e, a}).list().ofMaxSize(60);
  }

  /**
   * Every live entry's one-hour, 24-hour and seven-day counts, all-time count and ring counters
   * match a model of its events after every step, while hot entries widen, entries are removed
   * (the last one moving into the hole, with its widened counters) and keys come back into the
   * vacated slots (which start empty, with byte counters).
   */
  @Property(tries = 300)
  void wideCounters_followTheirEntryThroughRemovalsAndMoves(@ForAll("wideSteps") List<int[]> steps) {
    EntryTable table = new EntryTable(LAYOUT);
    Map<Long, List<long[]>> model = new HashMap<>();
    long now = Ledgers.T0;
    for (int[] step : steps) {
      long key = step[1];
      long hash = EntryTable.hash(key);
      int d = table.find(key, hash);
      if (step[0] <= 5) {
        boolean fresh = d < 0;
        if (fresh) {
          d = table.insert(key, hash);
        }
        for (int i = 0; i < step[2]; i++) {
          table.apply(d, hash, fresh && i == 0, 1f, now + i);
        }
        model.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {now, step[2]});
      } else if (step[0] <= 7) {
        if (d >= 0) {
          table.remove(d);
          model.remove(key);
        }
      } else {
        now += step[2] * (step[0] == 8 ? Ledgers.MINUTE : Ledgers.HOUR);
      }
      assertEquals(model.size(), table.size());
      for (Map.Entry<Long, List<long[]>> entry : model.entrySet()) {
        assertEntryMatches(table, entry.getKey(), entry.getValue(), now);
      }
    }
  }

  private static void assertEntryMatches(EntryTable table, long key, List<long[]> bursts, long now) {
    int d = table.find(key, EntryTable.hash(key));
    long newest = bursts.get(bursts.size() - 1)[0];
    long total = 0;
    long lastHour = 0;
    long lastDay = 0;
    long lastWeek = 0;
    long minuteRing = 0;
    long hourRing = 0;
    for (long[] burst : bursts) {
      long minute = burst[0] / Ledgers.MINUTE;
      long hour = burst[0] / Ledgers.HOUR;
      total += burst[1];
      lastHour += minute > now / Ledgers.MINUTE - 60 ? burst[1] : 0;
      lastDay += hour > now / Ledgers.HOUR - 24 ? burst[1] : 0;
      lastWeek += hour > now / Ledgers.HOUR - 168 ? burst[1] : 0;
      minuteRing += minute > newest / Ledgers.MINUTE - 60 ? burst[1] : 0;
      hourRing += hour > newest / Ledgers.HOUR - 168 ? burst[1] : 0;
    }
    String entry = "key " + key + " at entry " + d;
    assertEquals(total, table.totalAt(d), entry + ": all-time count");
    assertEquals(total, WindowRings.countAt(table, d, Window.ALL_TIME, now), entry + ": ALL_TIME");
    assertEquals(lastHour, WindowRings.countAt(table, d, Window.ONE_HOUR, now), entry + ": ONE_HOUR");
    assertEquals(lastDay, WindowRings.countAt(table, d, Window.TWENTY_FOUR_HOURS, now), entry + ": TWENTY_FOUR_HOURS");
    assertEquals(lastWeek, WindowRings.countAt(table, d, Window.SEVEN_DAYS, now), entry + ": SEVEN_DAYS");
    int[] counters = new int[LAYOUT.stride];
    table.copyCounters(d, counters);
    assertEquals(minuteRing, Arrays.stream(counters, 0, LAYOUT.minuteSlots).asLongStream().sum(),
        entry + ": the minute ring's counters");
    assertEquals(hourRing, Arrays.stream(counters, LAYOUT.minuteSlots, LAYOUT.stride).asLongStream().sum(),
        entry + ": the hour ring's counters");
  }

  /**
   * The all-time count stops at 2^40 - 1 (the rest of its long marks widened counters): a restore
   * of a larger count reads as 2^40 - 1, events past it leave it there, and the entry's widened
   * window counters stay its own.
   */
  @Test
  void allTimeCount_saturatesAt2To40Minus1_withoutDisturbingTheWideCounters() {
    long most = (1L << 40) - 1;
    for (long restored : new long[] {most - 2, most, 1L << 50, Long.MAX_VALUE}) {
      EntryTable table = new EntryTable(LAYOUT);
      int d = table.insert(5L, EntryTable.hash(5L));
      long at = Ledgers.T0;
      int[] counters = new int[LAYOUT.stride];
      counters[(int) (at / Ledgers.MINUTE % LAYOUT.minuteSlots)] = 1_000;
      counters[LAYOUT.minuteSlots + (int) (at / Ledgers.HOUR % LAYOUT.hourSlots)] = 1_000;
      table.restore(d, EntryTable.hash(5L), at, 1.0, restored, 0, counters);
      for (int i = 0; i < 5; i++) {
        table.apply(d, EntryTable.hash(5L), false, 1f, at + i);
      }
      assertEquals(most, table.totalAt(d), "restored " + restored);
      assertEquals(most, WindowRings.countAt(table, d, Window.ALL_TIME, at), "restored " + restored);
      assertEquals(1_005, WindowRings.countAt(table, d, Window.ONE_HOUR, at), "restored " + restored);
      assertEquals(1_005, WindowRings.countAt(table, d, Window.SEVEN_DAYS, at), "restored " + restored);
    }
  }
}

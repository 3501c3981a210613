package io.tidaldb.internal.signal;

import static io.tidaldb.internal.signal.Ledgers.DAY;
import static io.tidaldb.internal.signal.Ledgers.SECOND;
import static io.tidaldb.internal.signal.Ledgers.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * The decay math held to its definition (SPEC section 5): for exponential decay the ledger's score
 * is exactly the sum of every weight faded from its own time, whatever order the events came in.
 */
class DecayPropertiesTest {

  /** One event: entity, time, weight. */
  record Event(long entity, long t, float w) {}

  private static Schema exponential(long halfLifeSeconds, boolean negative) {
    return Schema.builder()
        .signal("s", EntityKind.ITEM, DecaySpec.exponential(Duration.ofSeconds(halfLifeSeconds)))
        .windows(Window.ALL_TIME).negativeWeights(negative).add()
        .build();
  }

  private static Schema linear(long lifetimeSeconds) {
    return Schema.builder()
        .signal("s", EntityKind.ITEM, DecaySpec.linear(Duration.ofSeconds(lifetimeSeconds))).windows(Window.ALL_TIME).add()
        .build();
  }

  private static Schema permanent(boolean negative) {
    return Schema.builder()
        .signal("s", EntityKind.ITEM, DecaySpec.permanent()).negativeWeights(negative).add()
        .build();
  }

  @Provide
  Arbitrary<List<Event>> events() {
    return Combinators.combine(
            Arbitraries.longs().between(1, 4),
            Arbitraries.longs().between(0, 30 * DAY),
            Arbitraries.floats().between(0, 1000))
        .as((entity, offset, w) -> new Event(entity, T0 + offset, w))
        .list().ofMinSize(1).ofMaxSize(200);
  }

  @Provide
  Arbitrary<List<Event>> signedEvents() {
    return Combinators.combine(
            Arbitraries.longs().between(1, 4),
            Arbitraries.longs().between(0, 30 * DAY),
            Arbitraries.floats().between(-1000, 1000))
        .as((entity, offset, w) -> new Event(entity, T0 + offset, w))
        .list().ofMinSize(1).ofMaxSize(100);
  }

  private static long maxTime(List<Event> events) {
    return events.stream().mapToLong(Event::t).max().orElseThrow();
  }

  private static SignalLedger applied(Schema schema, List<Event> events) {
    SignalLedger ledger = Ledgers.of(schema);
    for (Event e : events) {
      ledger.apply(e.entity(), 0, e.w(), e.t());
    }
    return ledger;
  }

  @Property(tries = 2000)
  void exponentialScore_equalsTheBruteForceSum(
      @ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 1, max = 60L * 86_400) long halfLifeSeconds,
      @ForAll @LongRange(min = 0, max = 60 * DAY) long readAfter) {
    SignalLedger ledger = applied(exponential(halfLifeSeconds, false), events);
    double lambda = Math.log(2) / (halfLifeSeconds * SECOND);
    long q = maxTime(events) + readAfter;
    for (long entity = 1; entity <= 4; entity++) {
      double expected = 0;
      for (Event e : events) {
        if (e.entity() == entity) {
          expected += e.w() * Math.exp(-lambda * (q - e.t()));
        }
      }
      double actual = ledger.decayScore(0, entity, q);
      double sum = expected;
      assertTrue(Math.abs(actual - sum) <= 1e-6 * sum + 1e-300,
          () -> "score " + actual + " differs from the brute-force sum " + sum);
    }
  }

  @Property(tries = 500)
  void permanentScore_isThePlainSum(@ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 0, max = 3650 * DAY) long readAfter) {
    SignalLedger ledger = applied(permanent(false), events);
    long q = maxTime(events) + readAfter;
    for (long entity = 1; entity <= 4; entity++) {
      double expected = 0;
      for (Event e : events) {
        expected += e.entity() == entity ? e.w() : 0;
      }
      assertEquals(expected, ledger.decayScore(0, entity, q), 1e-9 * expected);
    }
  }

  @Property(tries = 500)
  void linearScore_inTimeOrder_isALeakyBucket(@ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 1, max = 30L * 86_400) long lifetimeSeconds) {
    List<Event> inOrder = new ArrayList<>(events);
    inOrder.sort((a, b) -> Long.compare(a.t(), b.t()));
    SignalLedger ledger = applied(linear(lifetimeSeconds), inOrder);
    double rate = 1.0 / (lifetimeSeconds * SECOND);
    long q = maxTime(events) + DAY;
    for (long entity = 1; entity <= 4; entity++) {
      double level = 0;
      long last = -1;
      for (Event e : inOrder) {
        if (e.entity() == entity) {
          level = (last < 0 ? 0 : Math.max(0, level - rate * (e.t() - last))) + e.w();
          last = e.t();
        }
      }
      double expected = last < 0 ? 0 : Math.max(0, level - rate * (q - last));
      assertEquals(expected, ledger.decayScore(0, entity, q), 1e-6 * expected + 1e-9);
    }
  }

  @Property(tries = 1000)
  void score_withoutNewEvents_neverGrowsAsTimePasses(@ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 1, max = 30L * 86_400) long decaySeconds,
      @ForAll @LongRange(min = 0, max = 3) int kind,
      @ForAll @LongRange(min = 0, max = 10 * DAY) long step) {
    Schema schema = kind == 0 ? exponential(decaySeconds, false) : kind == 1 ? linear(decaySeconds) : permanent(false);
    SignalLedger ledger = applied(schema, events);
    long q = maxTime(events);
    for (long entity = 1; entity <= 4; entity++) {
      double previous = ledger.decayScore(0, entity, q);
      for (int i = 1; i <= 20; i++) {
        double next = ledger.decayScore(0, entity, q + i * step);
        assertTrue(next <= previous, "score rose from " + previous + " to " + next);
        assertTrue(next >= 0);
        previous = next;
      }
    }
  }

  @Property(tries = 1000)
  void score_isNeverNegative_evenWithNegativeWeights(@ForAll("signedEvents") List<Event> events,
      @ForAll @LongRange(min = 1, max = 30L * 86_400) long halfLifeSeconds,
      @ForAll boolean permanent,
      @ForAll @LongRange(min = 0, max = 60 * DAY) long readOffset) {
    SignalLedger ledger = applied(permanent ? permanent(true) : exponential(halfLifeSeconds, true), events);
    for (long entity = 1; entity <= 4; entity++) {
      assertTrue(ledger.decayScore(0, entity, T0 + readOffset) >= 0);
      assertTrue(ledger.decayScore(0, entity, maxTime(events) + readOffset) >= 0);
    }
  }

  @Property(tries = 1000)
  void score_doesNotDependOnTheOrderOfEvents(@ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 1, max = 30L * 86_400) long halfLifeSeconds,
      @ForAll long seed) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(seed));
    Schema schema = exponential(halfLifeSeconds, false);
    SignalLedger a = applied(schema, events);
    SignalLedger b = applied(schema, shuffled);
    long q = maxTime(events) + DAY;
    for (long entity = 1; entity <= 4; entity++) {
      double x = a.decayScore(0, entity, q);
      double y = b.decayScore(0, entity, q);
      assertTrue(Math.abs(x - y) <= 1e-9 * Math.max(x, y) + 1e-300, () -> x + " vs " + y);
      assertEquals(a.windowCount(0, entity, Window.ALL_TIME, q), b.windowCount(0, entity, Window.ALL_TIME, q));
    }
  }

  /** The case: 10 at T, 1 at T+2h, then a late 1 stamped T+1h; the bucket never emptied. */
  @org.junit.jupiter.api.Test
  void linearLateEvent_whileTheBucketHeldWater_countsAsInTimeOrder() {
    SignalLedger ledger = Ledgers.of(linear(3_600));
    ledger.apply(1L, 0, 10f, T0);
    ledger.apply(1L, 0, 1f, T0 + 2 * Ledgers.HOUR);
    ledger.apply(1L, 0, 1f, T0 + Ledgers.HOUR);
    assertEquals(10.0, ledger.decayScore(0, 1L, T0 + 2 * Ledgers.HOUR), 1e-12);

    SignalLedger inOrder = Ledgers.of(linear(3_600));
    inOrder.apply(1L, 0, 10f, T0);
    inOrder.apply(1L, 0, 1f, T0 + Ledgers.HOUR);
    inOrder.apply(1L, 0, 1f, T0 + 2 * Ledgers.HOUR);
    assertEquals(inOrder.decayScore(0, 1L, T0 + 2 * Ledgers.HOUR), ledger.decayScore(0, 1L, T0 + 2 * Ledgers.HOUR), 1e-12);
  }

  /**
   * The in-order leaky bucket of a set of events, by brute force: sorted by time, drain between
   * events, floor at zero, read at {@code q}.
   */
  private static double inOrderBucket(List<Event> events, long entity, double rate, long q) {
    List<Event> inOrder = new ArrayList<>(events);
    inOrder.sort((a, b) -> Long.compare(a.t(), b.t()));
    double level = 0;
    long last = -1;
    for (Event e : inOrder) {
      if (e.entity() == entity) {
        level = (last < 0 ? 0 : Math.max(0, level - rate * (e.t() - last))) + e.w();
        last = e.t();
      }
    }
    return last < 0 ? 0 : Math.max(0, level - rate * (q - last));
  }

  /**
   * While the bucket holds water, linear decay commutes: an entity's first event (its earliest) is
   * heavy enough to keep the bucket from running dry over the whole span, the others come in any
   * order, late ones included. The score equals the in-order leaky bucket of the set of events,
   * whatever order they were applied in.
   */
  @Property(tries = 1000)
  void linearScore_whileTheBucketHoldsWater_isTheInOrderBucketForAnyApplyOrder(
      @ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 1, max = 30L * 86_400) long lifetimeSeconds,
      @ForAll long seed) {
    double rate = 1.0 / (lifetimeSeconds * SECOND);
    List<Event> all = new ArrayList<>();
    long start = T0 - 1;
    float heavy = (float) (rate * (maxTime(events) + DAY - start)) + 1;
    for (long entity = 1; entity <= 4; entity++) {
      all.add(new Event(entity, start, heavy));
    }
    List<Event> rest = new ArrayList<>(events);
    Collections.shuffle(rest, new Random(seed));
    all.addAll(rest);
    SignalLedger ledger = applied(linear(lifetimeSeconds), all);
    long q = maxTime(events) + DAY;
    for (long entity = 1; entity <= 4; entity++) {
      double expected = inOrderBucket(all, entity, rate, q);
      double actual = ledger.decayScore(0, entity, q);
      assertEquals(expected, actual, 1e-9 * expected + 1e-9, "entity " + entity);
    }
  }

  /**
   * The definition of docs/SIGNALS.md section 3 for any apply order, applied by a model: a bucket
   * that knows its level as of {@code last} and since when it has held water; a late event inside
   * that span counts in full, an earlier one drains from its time to the span's start first.
   */
  @Property(tries = 1000)
  void linearScore_forAnyApplyOrder_followsTheDefinition(@ForAll("events") List<Event> events,
      @ForAll @LongRange(min = 1, max = 30L * 86_400) long lifetimeSeconds,
      @ForAll long seed) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(seed));
    double rate = 1.0 / (lifetimeSeconds * SECOND);
    SignalLedger ledger = applied(linear(lifetimeSeconds), shuffled);
    long q = maxTime(events) + Ledgers.HOUR;
    for (long entity = 1; entity <= 4; entity++) {
      double level = 0;
      long last = -1;
      long since = -1;
      for (Event e : shuffled) {
        if (e.entity() != entity) {
          continue;
        }
        if (last < 0) {
          level = e.w();
          last = e.t();
          since = e.t();
        } else if (e.t() >= last) {
          double left = level - rate * (e.t() - last);
          since = left > 0 ? since : e.t();
          level = Math.max(0, left) + e.w();
          last = e.t();
        } else if (e.t() >= since) {
          level += e.w();
        } else {
          level += Math.max(0, e.w() - rate * (since - e.t()));
        }
      }
      double expected = last < 0 ? 0 : Math.max(0, level - rate * (q - last));
      double actual = ledger.decayScore(0, entity, q);
      assertEquals(expected, actual, 1e-9 * expected + 1e-9, "entity " + entity);
      assertTrue(actual <= inOrderBucket(events, entity, rate, q) * (1 + 1e-9) + 1e-9,
          "a late event never counts more than in time order");
    }
  }
}

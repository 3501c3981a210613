package io.tidaldb.internal.signal;

import static io.tidaldb.internal.signal.Ledgers.DAY;
import static io.tidaldb.internal.signal.Ledgers.HOUR;
import static io.tidaldb.internal.signal.Ledgers.MINUTE;
import static io.tidaldb.internal.signal.Ledgers.SECOND;
import static io.tidaldb.internal.signal.Ledgers.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;

/**
 * Windowed counts held to their definition: the events whose minute (or hour) lies in the window's
 * buckets ending at now's, exactly, for events in any order, late ones included, and for any forward
 * jumps of the clock between writes.
 */
class WindowPropertiesTest {

  /** Signal 0 counts every window (an hour ring of 168); signal 1 only 24 hours (a ring of 24). */
  static final Schema SCHEMA = Schema.builder()
      .signal("all", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).add()
      .signal("day", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1)))
          .windows(Window.TWENTY_FOUR_HOURS).add()
      .build();

  /** A step of a scenario: an event some time before now, or the clock moving forward. */
  sealed interface Step permits Write, Jump {}

  record Write(int type, long entity, long ago) implements Step {}

  record Jump(long nanos) implements Step {}

  @Provide
  Arbitrary<List<Step>> scenarios() {
    Arbitrary<Long> ago = Arbitraries.oneOf(
        Arbitraries.longs().between(0, 2 * MINUTE),
        Arbitraries.longs().between(0, 2 * HOUR),
        Arbitraries.longs().between(0, 2 * DAY),
        Arbitraries.longs().between(0, 9 * DAY));
    Arbitrary<Step> write = Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.longs().between(1, 3), ago)
        .as(Write::new);
    Arbitrary<Step> jump = Arbitraries.oneOf(
            Arbitraries.longs().between(0, 90 * SECOND),
            Arbitraries.longs().between(0, 3 * HOUR),
            Arbitraries.longs().between(0, 30 * HOUR),
            Arbitraries.longs().between(0, 10 * DAY))
        .map(Jump::new);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, write), net.jqwik.api.Tuple.of(1, jump))
        .list().ofMinSize(1).ofMaxSize(150);
  }

  static long expected(List<long[]> events, int type, long entity, Window window, long now) {
    long unit = window == Window.ONE_HOUR ? MINUTE : HOUR;
    long buckets = switch (window) {
      case ONE_HOUR -> 60;
      case TWENTY_FOUR_HOURS -> 24;
      case SEVEN_DAYS -> 168;
      case ALL_TIME -> Long.MAX_VALUE / 2;
    };
    long to = now / unit;
    long from = to - buckets + 1;
    long count = 0;
    for (long[] e : events) {
      long bucket = e[2] / unit;
      if (e[0] == type && e[1] == entity && (window == Window.ALL_TIME || (bucket >= from && bucket <= to))) {
        count++;
      }
    }
    return count;
  }

  private static void assertAllWindows(SignalLedger ledger, List<long[]> events, long now) {
    for (long entity = 1; entity <= 3; entity++) {
      for (Window window : Window.values()) {
        assertEquals(expected(events, 0, entity, window, now), ledger.windowCount(0, entity, window, now),
            "signal 0, entity " + entity + ", " + window + " at " + now);
      }
      assertEquals(expected(events, 1, entity, Window.TWENTY_FOUR_HOURS, now),
          ledger.windowCount(1, entity, Window.TWENTY_FOUR_HOURS, now), "signal 1, entity " + entity);
    }
  }

  @Property(tries = 1000)
  void windowCounts_areExactForLateEventsAndClockJumps(@ForAll("scenarios") List<Step> steps) {
    SignalLedger ledger = Ledgers.of(SCHEMA);
    List<long[]> applied = new ArrayList<>();
    long now = T0;
    for (Step step : steps) {
      if (step instanceof Jump jump) {
        now += jump.nanos();
      } else if (step instanceof Write write) {
        long t = now - write.ago();
        ledger.apply(write.entity(), write.type(), 1f, t);
        applied.add(new long[] {write.type(), write.entity(), t});
      }
      assertAllWindows(ledger, applied, now);
    }
  }

  @Property(tries = 500)
  void windowCounts_doNotDependOnTheOrderOfEvents(@ForAll("scenarios") List<Step> steps, @ForAll long seed) {
    List<long[]> events = new ArrayList<>();
    long now = T0;
    for (Step step : steps) {
      if (step instanceof Jump jump) {
        now += jump.nanos();
      } else if (step instanceof Write write) {
        events.add(new long[] {write.type(), write.entity(), now - write.ago()});
      }
    }
    List<long[]> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(seed));
    SignalLedger ledger = Ledgers.of(SCHEMA);
    for (long[] e : shuffled) {
      ledger.apply(e[1], (int) e[0], 1f, e[2]);
    }
    for (long later : new long[] {0, 30 * SECOND, 59 * MINUTE, 61 * MINUTE, 23 * HOUR, 25 * HOUR, 6 * DAY, 8 * DAY}) {
      assertAllWindows(ledger, events, now + later);
    }
  }

  @Test
  void hotBucket_countsPastTheByteCountersExactly() {
    SignalLedger ledger = Ledgers.of(SCHEMA);
    for (int i = 0; i < 70_000; i++) {
      ledger.apply(1L, 0, 1f, T0 + (i % 50) * SECOND);
    }
    for (int i = 0; i < 300; i++) {
      ledger.apply(1L, 0, 1f, T0 + 2 * HOUR + i);
    }
    long now = T0 + 2 * HOUR;
    assertEquals(300, ledger.windowCount(0, 1L, Window.ONE_HOUR, now));
    assertEquals(70_300, ledger.windowCount(0, 1L, Window.TWENTY_FOUR_HOURS, now));
    assertEquals(70_300, ledger.windowCount(0, 1L, Window.ALL_TIME, now));
    ledger.apply(1L, 0, 1f, now + 8 * DAY);
    assertEquals(1, ledger.windowCount(0, 1L, Window.SEVEN_DAYS, now + 8 * DAY),
        "a widened ring clears its stale buckets like a narrow one");
    assertEquals(70_301, ledger.windowCount(0, 1L, Window.ALL_TIME, now + 8 * DAY));
  }
}

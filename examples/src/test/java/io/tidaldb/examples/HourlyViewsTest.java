package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TidalDbExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The user guide's testing example (section 13): an ephemeral database per test, and a clock the test moves. */
class HourlyViewsTest {

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS)
          .add()
      .build();

  final ManualClock clock = ManualClock.at(Instant.parse("2026-03-01T12:00:00Z"));

  @RegisterExtension
  final TidalDbExtension tidal = TidalDbExtension.ephemeral(SCHEMA).configure(builder -> builder.clock(clock));

  @Test
  void aView_leavesTheHourButNotTheDay(TidalDb db) {
    db.signal("view", 1L, 1.0, clock.instant());

    clock.advance(Duration.ofHours(2));

    assertEquals(0, db.windowCount("view", 1L, Window.ONE_HOUR));
    assertEquals(1, db.windowCount("view", 1L, Window.TWENTY_FOUR_HOURS));
  }

  @Test
  void everyTest_startsFromAnEmptyDatabase(TidalDb db) {
    assertEquals(0, db.windowCount("view", 1L, Window.TWENTY_FOUR_HOURS));
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SignalApiTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME)
          .velocity(true)
          .add()
      .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))
          .windows(Window.ALL_TIME)
          .negativeWeights(true)
          .add()
      .signal("boost", EntityKind.ITEM, DecaySpec.linear(Duration.ofHours(1)))
          .windows(Window.ONE_HOUR)
          .add()
      .signal("follow", EntityKind.CREATOR, DecaySpec.permanent())
          .add()
      .build();

  static TidalDb open(ManualClock clock) {
    return TidalDb.builder().ephemeral().clock(clock).schema(SCHEMA).open();
  }

  /** The README's example, as written there. */
  @Test
  void readmeExample_runs() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
            .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME)
            .velocity(true)
            .add()
        .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))
            .windows(Window.ALL_TIME)
            .add()
        .build();

    try (TidalDb db = TidalDb.builder().ephemeral().schema(schema).open()) {
      Instant now = Instant.now();
      long seq = db.signal("view", 42L, 1.0, now);
      double score = db.decayScore("view", 42L, now);
      long lastHour = db.windowCount("view", 42L, Window.ONE_HOUR);
      double perSecond = db.velocity("view", 42L, Window.ONE_HOUR);

      SignalType view = db.signalType("view");
      view.record(43L, 1.0, now);
      CompletableFuture<Long> pending = view.recordAsync(44L, 1.0, now);

      long[] candidates = {42L, 43L, 44L, 45L};
      double[] scores = new double[candidates.length];
      view.decayScores(candidates, now, scores);

      assertEquals(1, seq);
      assertEquals(1.0, score);
      assertEquals(1, lastHour);
      assertEquals(1 / 3600.0, perSecond);
      assertEquals(3, pending.join());
      assertArrayEquals(new double[] {1.0, 1.0, 1.0, 0.0}, scores);
    }
  }

  @Test
  void signal_returnsSequenceFromOneAndScoreReadsBack() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      assertEquals(1, db.signal("view", 42L, 1.0, T0));
      assertEquals(2, db.signal("view", 42L, 2.0, T0));
      assertEquals(3, db.signal("like", 42L, 1.0, T0));
      assertEquals(3.0, db.decayScore("view", 42L, T0));
      assertEquals(2, db.windowCount("view", 42L, Window.ONE_HOUR));
      assertEquals(2, db.windowCount("view", 42L, Window.ALL_TIME));
      assertEquals(1.0, db.decayScore("like", 42L, T0));
    }
  }

  @Test
  void decayScore_halvesAfterOneHalfLife() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("view", 7L, 8.0, T0);
      assertEquals(4.0, db.decayScore("view", 7L, T0.plus(Duration.ofDays(7))), 1e-12);
      assertEquals(1.0, db.decayScore("view", 7L, T0.plus(Duration.ofDays(21))), 1e-12);
      assertEquals(8.0, db.decayScore("view", 7L, T0.minus(Duration.ofDays(1))),
          "a read before the newest event reads the score as of that event");
    }
  }

  @Test
  void reads_ofAnEntityNeverSeen_areZero() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("view", 1L, 1.0, T0);
      assertEquals(0.0, db.decayScore("view", 2L, T0));
      assertEquals(0, db.windowCount("view", 2L, Window.ONE_HOUR));
      assertEquals(0, db.windowCount("view", 2L, Window.ALL_TIME));
      assertEquals(0.0, db.velocity("view", 2L, Window.SEVEN_DAYS));
      assertEquals(1.0, db.decayScore("view", 1L, T0), "entity 1 is there");
      assertEquals(0.0, db.decayScore("like", 1L, T0), "an entity seen by one signal is unknown to another");
    }
  }

  @Test
  void clockJumpsTwoHours_oneHourWindowReadsZeroAndLongerWindowsKeepTheEvents() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      for (int i = 0; i < 5; i++) {
        db.signal("view", 9L, 1.0, clock.instant());
      }
      assertEquals(5, db.windowCount("view", 9L, Window.ONE_HOUR));

      clock.advance(Duration.ofHours(2));

      assertEquals(0, db.windowCount("view", 9L, Window.ONE_HOUR));
      assertEquals(5, db.windowCount("view", 9L, Window.TWENTY_FOUR_HOURS));
      assertEquals(5, db.windowCount("view", 9L, Window.SEVEN_DAYS));
      assertEquals(5, db.windowCount("view", 9L, Window.ALL_TIME));

      clock.advance(Duration.ofDays(1));
      assertEquals(0, db.windowCount("view", 9L, Window.TWENTY_FOUR_HOURS));
      assertEquals(5, db.windowCount("view", 9L, Window.SEVEN_DAYS));

      clock.advance(Duration.ofDays(7));
      assertEquals(0, db.windowCount("view", 9L, Window.SEVEN_DAYS));
      assertEquals(5, db.windowCount("view", 9L, Window.ALL_TIME));
    }
  }

  @Test
  void windows_areWholeMinutesAndHoursAlignedToTheEpoch() {
    // T0 is 10:30:15. The one-hour window covers 09:31:00 to now; the 24-hour one 11:00 yesterday to now.
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("view", 3L, 1.0, Instant.parse("2026-03-01T09:30:59Z"));
      db.signal("view", 3L, 1.0, Instant.parse("2026-03-01T09:31:00Z"));
      db.signal("view", 3L, 1.0, Instant.parse("2026-02-28T10:59:59Z"));
      db.signal("view", 3L, 1.0, Instant.parse("2026-02-28T11:00:00Z"));
      assertEquals(1, db.windowCount("view", 3L, Window.ONE_HOUR));
      assertEquals(3, db.windowCount("view", 3L, Window.TWENTY_FOUR_HOURS));
      assertEquals(4, db.windowCount("view", 3L, Window.SEVEN_DAYS));
    }
  }

  @Test
  void lateEvents_landInTheirBucketOrAreDroppedFromExpiredWindows() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("view", 5L, 1.0, T0);
      db.signal("view", 5L, 1.0, T0.minus(Duration.ofMinutes(30)));   // late, inside the hour
      db.signal("view", 5L, 1.0, T0.minus(Duration.ofHours(3)));      // late, outside the hour
      db.signal("view", 5L, 1.0, T0.minus(Duration.ofDays(8)));       // late, outside every window
      assertEquals(2, db.windowCount("view", 5L, Window.ONE_HOUR));
      assertEquals(3, db.windowCount("view", 5L, Window.TWENTY_FOUR_HOURS));
      assertEquals(3, db.windowCount("view", 5L, Window.SEVEN_DAYS));
      assertEquals(4, db.windowCount("view", 5L, Window.ALL_TIME));
      double lambda = Math.log(2) / Duration.ofDays(7).toNanos();
      double expected = 1 + Math.exp(-lambda * Duration.ofMinutes(30).toNanos())
          + Math.exp(-lambda * Duration.ofHours(3).toNanos()) + Math.exp(-lambda * Duration.ofDays(8).toNanos());
      assertEquals(expected, db.decayScore("view", 5L, T0), 1e-12);
    }
  }

  @Test
  void velocity_isTheWindowCountPerSecondOfTheWindow() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      for (int i = 0; i < 36; i++) {
        db.signal("view", 11L, 1.0, T0.minusSeconds(i * 10L));
      }
      assertEquals(36 / 3600.0, db.velocity("view", 11L, Window.ONE_HOUR), 1e-15);
      assertEquals(36 / 86400.0, db.velocity("view", 11L, Window.TWENTY_FOUR_HOURS), 1e-15);
      assertEquals(36 / 604800.0, db.velocity("view", 11L, Window.SEVEN_DAYS), 1e-15);
    }
  }

  @Test
  void decayScores_equalsOneReadPerCandidate() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      long[] ids = new long[200];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = i * 7919L;
        if (i % 3 != 0) {
          db.signal("view", ids[i], i, T0.minus(Duration.ofMinutes(i)));
        }
      }
      double[] out = new double[ids.length + 5];
      db.decayScores("view", ids, T0, out);
      double[] expected = new double[ids.length + 5];
      for (int i = 0; i < ids.length; i++) {
        expected[i] = db.decayScore("view", ids[i], T0);
      }
      assertArrayEquals(expected, out);
      assertEquals(0.0, out[0]);
      assertTrue(out[199] > 0);
    }
  }

  @Test
  void decayScores_ofRepeatedAndUnseenCandidates_readEachLikeDecayScore() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      SignalType view = db.signalType("view");
      view.record(5L, 2.0, T0.minus(Duration.ofHours(1)));
      view.record(Long.MIN_VALUE, 3.0, T0);
      long[] ids = {5L, 6L, 5L, Long.MIN_VALUE, 0L, 5L};
      double[] out = new double[ids.length + 1];
      out[ids.length] = -1;
      view.decayScores(ids, T0, out);
      double five = view.decayScore(5L, T0);
      assertTrue(five > 0 && five < 2.0);
      assertArrayEquals(new double[] {five, 0.0, five, 3.0, 0.0, five, -1}, out, "the element after the ids is left alone");
      double[] none = {-1};
      view.decayScores(new long[0], T0, none);
      assertArrayEquals(new double[] {-1}, none);
      view.decayScores(new long[0], T0, new double[0]);
    }
  }

  @Test
  void signalType_recordsAndReadsLikeTheNamedMethods() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      SignalType view = db.signalType("view");
      assertEquals("view", view.name());
      assertEquals(0, view.id());
      assertEquals(SCHEMA.signal("view").orElseThrow(), view.spec());
      assertEquals(1, view.record(1L, 2.0, T0));
      assertEquals(2, db.signal("view", 1L, 3.0, T0));
      assertEquals(5.0, view.decayScore(1L, T0));
      assertEquals(db.decayScore("view", 1L, T0), view.decayScore(1L, T0));
      assertEquals(2, view.windowCount(1L, Window.ONE_HOUR));
      assertEquals(2 / 3600.0, view.velocity(1L, Window.ONE_HOUR));
      double[] out = new double[2];
      view.decayScores(new long[] {1L, 2L}, T0, out);
      assertArrayEquals(new double[] {5.0, 0.0}, out);
    }
  }

  @Test
  void signalAsync_completesWithTheSequenceOnceApplied() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      SignalType view = db.signalType("view");
      for (int i = 0; i < 1000; i++) {
        futures.add(i % 2 == 0 ? db.signalAsync("view", i % 10, 1.0, T0) : view.recordAsync(i % 10, 1.0, T0));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertEquals(i + 1, futures.get(i).join());
      }
      long total = 0;
      for (long id = 0; id < 10; id++) {
        total += db.windowCount("view", id, Window.ALL_TIME);
      }
      assertEquals(1000, total);
    }
  }

  @Test
  void weight_isStoredAsAFloat() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("follow", 1L, 0.1, T0);
      assertEquals((double) 0.1f, db.decayScore("follow", 1L, T0));
      db.signal("follow", 2L, 1e-50, T0);
      assertEquals(0.0, db.decayScore("follow", 2L, T0), "a weight below the float range rounds to zero");
    }
  }

  @Test
  void permanentSignal_sumsWeightsAndNeverFades() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("follow", 1L, 1.0, T0);
      db.signal("follow", 1L, 2.5, T0.minus(Duration.ofDays(400)));
      assertEquals(3.5, db.decayScore("follow", 1L, T0.plus(Duration.ofDays(10_000))));
    }
  }

  @Test
  void linearSignal_drainsOnePerLifetimeDownToZero() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("boost", 1L, 3.0, T0);
      assertEquals(3.0, db.decayScore("boost", 1L, T0), 1e-12);
      assertEquals(2.5, db.decayScore("boost", 1L, T0.plus(Duration.ofMinutes(30))), 1e-12);
      assertEquals(0.0, db.decayScore("boost", 1L, T0.plus(Duration.ofHours(3))));
      assertEquals(0.0, db.decayScore("boost", 1L, T0.plus(Duration.ofHours(30))));
      clock.set(T0.plus(Duration.ofHours(30)));
      db.signal("boost", 1L, 1.0, T0.plus(Duration.ofHours(30)));
      assertEquals(1.0, db.decayScore("boost", 1L, T0.plus(Duration.ofHours(30))), 1e-12,
          "a drained score starts again from the new weight");
      db.signal("boost", 1L, 1.0, T0.plus(Duration.ofHours(30)).minus(Duration.ofMinutes(15)));
      assertEquals(1.75, db.decayScore("boost", 1L, T0.plus(Duration.ofHours(30))), 1e-12,
          "a late event counts its own weight drained since its time");
    }
  }

  @Test
  void negativeWeights_takeBackButScoresNeverReadBelowZero() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = open(clock)) {
      db.signal("like", 1L, 1.0, T0);
      db.signal("like", 1L, -1.0, T0);
      assertEquals(0.0, db.decayScore("like", 1L, T0), 1e-12);
      db.signal("like", 2L, -5.0, T0);
      assertEquals(0.0, db.decayScore("like", 2L, T0));
      db.signal("like", 2L, 6.0, T0);
      assertEquals(1.0, db.decayScore("like", 2L, T0), 1e-12);
      assertEquals(2, db.windowCount("like", 2L, Window.ALL_TIME), "an unlike is an event too");
    }
  }

  @Test
  void persistentDatabase_recordsAndReadsSignals() {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create();
         TidalDb db = TidalDb.builder().dataDir(temp.path()).clock(clock).schema(SCHEMA).open()) {
      assertEquals(1, db.signal("view", 1L, 1.0, T0));
      assertEquals(1.0, db.decayScore("view", 1L, T0));
      assertEquals(SCHEMA, db.config().schema());
    }
  }

  @Test
  void maxEntries_evictsTheEntryLongestWithoutAnEvent() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).schema(SCHEMA).maxEntries(100).open()) {
      for (int i = 0; i < 1000; i++) {
        db.signal("follow", i, 1.0, T0.plusSeconds(i));
      }
      int present = 0;
      for (int i = 0; i < 1000; i++) {
        present += db.decayScore("follow", i, T0) > 0 ? 1 : 0;
      }
      assertEquals(100, present);
      assertEquals(1.0, db.decayScore("follow", 999, T0), "the newest entry stays");
      assertEquals(0.0, db.decayScore("follow", 0, T0), "the oldest entry went first");
      assertEquals(100, db.config().maxEntries());
    }
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankingApiTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).velocity(true).add()
      .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add()
      .signal("dislike", EntityKind.ITEM, DecaySpec.permanent()).add()
      .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).add()
      .build();

  static TidalDb open() {
    return TidalDb.builder().ephemeral().schema(SCHEMA).clock(Clock.fixed(T0, ZoneOffset.UTC)).open();
  }

  @Test
  void top_ranksByTheWeightedSum_bestFirst_tiesToTheSmallerId_negativeWeightsPushDown() {
    try (TidalDb db = open()) {
      db.signal("view", 1, 1, T0);
      db.signal("view", 2, 1, T0);
      db.signal("like", 2, 1, T0);
      db.signal("view", 3, 1, T0);
      db.signal("like", 3, 1, T0);
      db.signal("dislike", 3, 1, T0);
      db.signal("view", 4, 1, T0);
      RankingProfile profile = RankingProfile.builder().decayScore("view", 1).decayScore("like", 5)
          .decayScore("dislike", -10).build();
      assertEquals(List.of(new ScoredEntity(2, 6), new ScoredEntity(1, 1), new ScoredEntity(4, 1),
          new ScoredEntity(3, -4)), db.top(profile, 10, T0));
      assertEquals(List.of(new ScoredEntity(2, 6), new ScoredEntity(1, 1)), db.top(profile, 2, T0));
      assertEquals(List.of(new ScoredEntity(4, 1), new ScoredEntity(3, -4)),
          db.top(profile, 10, T0, id -> id > 2), "the best of those the filter accepts");
      assertEquals(-4, db.score(profile, 3, T0));
      assertEquals(0, db.score(profile, 99, T0), "an entity never recorded scores 0");
    }
  }

  @Test
  void topOfOneSignal_givesTheDecayedScores_andOnlyEntitiesWithAnEntry() {
    try (TidalDb db = open()) {
      db.signal("view", 7, 3, T0.minus(Duration.ofDays(7)));
      db.signal("view", 8, 1, T0);
      db.signal("like", 9, 100, T0);
      Instant later = T0.plus(Duration.ofDays(1));
      List<ScoredEntity> top = db.top("view", 5, later);
      assertEquals(List.of(7L, 8L), top.stream().map(ScoredEntity::entityId).toList());
      assertEquals(db.decayScore("view", 7, later), top.get(0).score(), 0.0);
      assertEquals(db.decayScore("view", 8, later), top.get(1).score(), 0.0);
      assertEquals(top, db.signalType("view").top(5, later));
      assertEquals(List.of(), db.top("dislike", 5, T0), "no entity has a dislike entry");
    }
  }

  @Test
  void windowAndVelocityTerms_areReadAtTheQueryTime_notTheClock() {
    try (TidalDb db = open()) {
      db.signal("view", 1, 1, T0.minus(Duration.ofHours(2)));
      db.signal("view", 1, 1, T0.minus(Duration.ofHours(2)));
      db.signal("view", 2, 1, T0);
      RankingProfile lastHour = RankingProfile.builder().windowCount("view", Window.ONE_HOUR, 1).build();
      RankingProfile perSecond = RankingProfile.builder().velocity("view", Window.ONE_HOUR, 3600).build();
      Instant twoHoursAgo = T0.minus(Duration.ofHours(2));
      assertEquals(List.of(new ScoredEntity(1, 2), new ScoredEntity(2, 0)), db.top(lastHour, 2, twoHoursAgo));
      assertEquals(List.of(new ScoredEntity(2, 1), new ScoredEntity(1, 0)), db.top(lastHour, 2, T0));
      assertEquals(db.velocity("view", 2, Window.ONE_HOUR) * 3600, db.score(perSecond, 2, T0), 1e-12);
    }
  }

  @Test
  void aLargeLedger_isRankedOnEveryCore_exactly_andCloseStopsTheRankingThreads() {
    List<ScoredEntity> all = new ArrayList<>();
    try (TidalDb db = open()) {
      SplittableRandom random = new SplittableRandom(5);
      SignalType view = db.signalType("view");
      SignalType like = db.signalType("like");
      for (long id = 0; id < 100_000; id++) {
        view.record(id, 1 + random.nextInt(5), T0.minusSeconds(random.nextLong(7 * 86_400)));
        if (id % 3 == 0) {
          like.record(id + 1_000_000, 1, T0.minusSeconds(random.nextLong(7 * 86_400)));
        }
      }
      RankingProfile profile = RankingProfile.builder().decayScore("view", 1).decayScore("like", 2)
          .windowCount("view", Window.TWENTY_FOUR_HOURS, 0.25).build();
      long[] ids = new long[100_000 + 33_334];
      for (int i = 0; i < 100_000; i++) {
        ids[i] = i;
      }
      for (int i = 0; i < 33_334; i++) {
        ids[100_000 + i] = 3L * i + 1_000_001;
      }
      double[] scores = new double[ids.length];
      db.scores(profile, ids, T0, scores);
      for (int i = 0; i < ids.length; i++) {
        all.add(new ScoredEntity(ids[i], scores[i]));
      }
      all.sort(Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId));
      Set<String> threads = ConcurrentHashMap.newKeySet();
      assertEquals(all.subList(0, 1000), db.top(profile, 1000, T0, id -> {
        threads.add(Thread.currentThread().getName());
        return true;
      }));
      assertTrue(Runtime.getRuntime().availableProcessors() < 2 || threads.contains("tidaldb-ranking-1"),
          "a helper thread scanned too: " + threads);
      assertEquals(all.size(), db.top(profile, Integer.MAX_VALUE, T0).size(), "k larger than the ledger");
    }
    assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("tidaldb-ranking")),
        "close() stopped the ranking threads");
  }

  @Test
  void topDuringConcurrentWrites_givesWellFormedAnswers_andTheExactOneOnceWritesStop() throws Exception {
    RankingProfile profile = RankingProfile.builder().decayScore("view", 1).decayScore("like", 3)
        .windowCount("view", Window.ONE_HOUR, 1).build();
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).clock(Clock.fixed(T0, ZoneOffset.UTC))
        .maxEntries(150_000).open()) {
      Writers writers = new Writers(random -> db.signal(random.nextInt(4) == 0 ? "like" : "view",
          random.nextInt(120_000), 1 + random.nextInt(3), T0.minusSeconds(random.nextLong(7_200))));
      for (int q = 0; q < 20; q++) {
        List<ScoredEntity> top = db.top(profile, 50, T0);
        assertBestFirst(top);
      }
      writers.stopAndCheck();
      assertEquals(bruteForceTop(db, profile, 120_000, T0, 50), db.top(profile, 50, T0));
    }
  }

  @Test
  void aRegisteredProfile_duringConcurrentWrites_givesWellFormedAnswers_andTheExactOneOnceWritesStop()
      throws Exception {
    RankingProfile registered = RankingProfile.builder().name("registered").decayScore("view", 1)
        .decayScore("like", 3).build();
    RankingProfile sameTerms = RankingProfile.builder().name("asked").decayScore("view", 1).decayScore("like", 3)
        .build();
    try (TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).clock(Clock.fixed(T0, ZoneOffset.UTC))
        .maxEntries(150_000).indexProfile(registered).open()) {
      Writers writers = new Writers(random -> {
        String signal = switch (random.nextInt(8)) {
          case 0, 1 -> "like";
          case 2 -> "dislike";   // in no registered profile
          default -> "view";
        };
        db.signal(signal, random.nextInt(60_000), 1 + random.nextInt(3), T0.minusSeconds(random.nextLong(7_200)));
      });
      for (int q = 0; q < 50; q++) {
        List<ScoredEntity> top = db.top(q % 2 == 0 ? registered : sameTerms, 50, T0.plusSeconds(q * 3_600L));
        assertBestFirst(top);
      }
      writers.stopAndCheck();
      for (Instant at : List.of(T0, T0.minus(Duration.ofHours(3)), T0.plus(Duration.ofDays(2)))) {
        List<ScoredEntity> expected = bruteForceTop(db, sameTerms, 60_000, at, 50);
        assertEquals(expected, db.top(sameTerms, 50, at), "at " + at);
        assertEquals(expected, db.top(registered, 50, at, id -> true), "filtered, at " + at);
      }
    }
  }

  @Test
  void indexProfile_refusesWhatItsIndexCannotBound_andOpenRefusesWhatDoesNotFitTheSchema_namingTheTerm() {
    IllegalArgumentException window = assertThrows(IllegalArgumentException.class, () -> TidalDb.builder()
        .indexProfile(RankingProfile.builder().name("p").decayScore("view", 1).velocity("view", Window.ONE_HOUR, 1)
            .build()));
    assertTrue(window.getMessage().startsWith("indexProfile(p), term 2 velocity(\"view\", ONE_HOUR, 1.0): only decayed"
        + " scores can be indexed"), window.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> TidalDb.builder()
        .indexProfile(RankingProfile.builder().decayScore("view", 1).decayScore("dislike", -2).build()));
    assertTrue(negative.getMessage().startsWith("indexProfile(adhoc), term 2 decayScore(\"dislike\", -2.0): only"
        + " positive weights can be indexed"), negative.getMessage());
    RankingProfile viewAndLike = RankingProfile.builder().decayScore("view", 1).decayScore("like", 2).build();
    ConfigException twice = assertThrows(ConfigException.class, () -> TidalDb.builder().indexProfile(viewAndLike)
        .indexProfile(RankingProfile.builder().name("again").decayScore("view", 1).decayScore("like", 2).build()));
    assertTrue(twice.getMessage().contains("profile \"adhoc\" has the same terms and is already registered"),
        twice.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> TidalDb.builder().ephemeral().schema(SCHEMA)
        .indexProfile(RankingProfile.builder().name("p").decayScore("view", 1).decayScore("vieww", 1).build()).open());
    assertTrue(unknown.getMessage().startsWith("indexProfile(p) does not fit the schema: ranking profile \"p\", term 2"
        + " decayScore(\"vieww\", 1.0): unknown signal \"vieww\""), unknown.getMessage());
    Schema linear = Schema.builder().signal("stock", EntityKind.ITEM, DecaySpec.linear(Duration.ofDays(1)))
        .windows(Window.ALL_TIME).add().build();
    ConfigException drains = assertThrows(ConfigException.class, () -> TidalDb.builder().ephemeral().schema(linear)
        .indexProfile(RankingProfile.decayScore("stock")).open());
    assertTrue(drains.getMessage().startsWith("indexProfile(stock), term 1 decayScore(\"stock\", 1.0): signal \"stock\""
        + " decays linearly"), drains.getMessage());
  }

  @Test
  void aProfileThatDoesNotFitTheSchema_isRefused_namingTheTerm() {
    try (TidalDb db = open()) {
      assertMessage(db, RankingProfile.builder().decayScore("view", 1).decayScore("vue", 2).build(),
          "term 2 decayScore(\"vue\", 2.0): unknown signal \"vue\"");
      assertMessage(db, RankingProfile.builder().windowCount("like", Window.ONE_HOUR, 1).build(),
          "term 1 windowCount(\"like\", ONE_HOUR, 1.0): signal \"like\" does not count window ONE_HOUR");
      assertMessage(db, RankingProfile.builder().velocity("like", Window.ONE_HOUR, 1).build(),
          "velocity(\"like\", ONE_HOUR, 1.0)");
      assertMessage(db, RankingProfile.builder().velocity("view", Window.SEVEN_DAYS, 1).build(),
          "does not count window SEVEN_DAYS");
      assertMessage(db, RankingProfile.builder().name("mixed").decayScore("view", 1).decayScore("follow", 1).build(),
          "ranking profile \"mixed\", term 2 decayScore(\"follow\", 1.0): signal \"follow\" counts CREATOR entities but"
              + " signal \"view\" counts ITEM entities");
      RankingProfile fine = RankingProfile.builder().decayScore("view", 1).build();
      assertTrue(assertThrows(InvalidSignalException.class, () -> db.top(fine, 0, T0)).getMessage()
          .contains("k must be at least 1"));
      assertThrows(InvalidSignalException.class, () -> db.top(fine, 1, null));
      assertThrows(InvalidSignalException.class, () -> db.top(fine, 1, T0, null));
      assertThrows(InvalidSignalException.class, () -> db.top("nope", 1, T0));
      assertThrows(InvalidSignalException.class, () -> db.scores(fine, new long[2], T0, new double[1]));
    }
  }

  /** Two writer threads, each writing with {@code write} 100,000 times and then until stopped. */
  private static final class Writers {
    private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    Writers(java.util.function.Consumer<SplittableRandom> write) {
      for (int w = 0; w < 2; w++) {
        SplittableRandom random = new SplittableRandom(w);
        Thread writer = new Thread(() -> {
          try {
            for (int i = 0; i < 100_000 || !stop.get(); i++) {
              write.accept(random);
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }, "ranking-test-writer-" + w);
        writer.start();
        threads.add(writer);
      }
    }

    /** Stops the writers, waits for them, and asserts that none failed. */
    void stopAndCheck() throws InterruptedException {
      stop.set(true);
      for (Thread writer : threads) {
        writer.join();
      }
      assertEquals(List.of(), failures);
    }
  }

  /** Asserts {@code top} is best first, ties by the smaller id. */
  private static void assertBestFirst(List<ScoredEntity> top) {
    for (int i = 1; i < top.size(); i++) {
      ScoredEntity before = top.get(i - 1);
      ScoredEntity after = top.get(i);
      assertTrue(before.score() > after.score()
          || (before.score() == after.score() && before.entityId() < after.entityId()), top.toString());
    }
  }

  /** The best {@code k} of the ids below {@code ids} with a view or a like, each scored by {@code db.score}, sorted. */
  private static List<ScoredEntity> bruteForceTop(TidalDb db, RankingProfile profile, long ids, Instant at, int k) {
    List<ScoredEntity> all = new ArrayList<>();
    for (long id = 0; id < ids; id++) {
      if (db.windowCount("view", id, Window.ALL_TIME) > 0 || db.windowCount("like", id, Window.ALL_TIME) > 0) {
        all.add(new ScoredEntity(id, db.score(profile, id, at)));
      }
    }
    all.sort(Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId));
    return all.subList(0, Math.min(k, all.size()));
  }

  private static void assertMessage(TidalDb db, RankingProfile profile, String expected) {
    for (Runnable query : List.<Runnable>of(() -> db.top(profile, 1, T0), () -> db.score(profile, 1, T0),
        () -> db.scores(profile, new long[1], T0, new double[1]))) {
      InvalidSignalException e = assertThrows(InvalidSignalException.class, query::run);
      assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
  }

  @Test
  void theBuilder_refusesNonFiniteWeights_unboundedVelocity_andAnEmptyProfile() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> RankingProfile.builder().decayScore("view", Double.NaN)).getMessage().contains("not a finite number"));
    assertThrows(IllegalArgumentException.class,
        () -> RankingProfile.builder().windowCount("view", Window.ONE_HOUR, Double.POSITIVE_INFINITY));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> RankingProfile.builder().velocity("view", Window.ALL_TIME, 1)).getMessage().contains("ALL_TIME"));
    assertThrows(IllegalArgumentException.class, () -> RankingProfile.builder().windowCount("view", null, 1));
    assertThrows(IllegalArgumentException.class, () -> RankingProfile.builder().decayScore(null, 1));
    assertThrows(IllegalArgumentException.class, () -> RankingProfile.builder().build());
    assertThrows(IllegalArgumentException.class, () -> RankingProfile.builder().name("Trending!"));
    assertEquals("adhoc", RankingProfile.builder().decayScore("view", 1).build().name());
    assertEquals("trending", RankingProfile.builder().name("trending").decayScore("view", 1).build().name());
  }

  @Test
  void aFilterThatThrows_endsTheQuery_withItsException() {
    try (TidalDb db = open()) {
      db.signal("view", 1, 1, T0);
      IllegalStateException thrown = new IllegalStateException("filter broke");
      assertSame(thrown, assertThrows(IllegalStateException.class, () -> db.top(
          RankingProfile.decayScore("view"), 1, T0, id -> {
            throw thrown;
          })));
    }
  }

  @Test
  void queriesAfterClose_throwDatabaseClosed() {
    TidalDb db = open();
    db.close();
    assertThrows(DatabaseClosedException.class, () -> db.top("view", 1, T0));
    assertThrows(DatabaseClosedException.class, () -> db.score(RankingProfile.decayScore("view"), 1, T0));
  }
}

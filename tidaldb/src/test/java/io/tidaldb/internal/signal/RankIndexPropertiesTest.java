package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The rank index answers exactly what the definition answers: over one signal of any decay (half-lives
 * from a minute, so that keys run far past the fine buckets and move the ceiling, to years), scores
 * spanning many orders of magnitude, late events, equal timestamps, negative weights, eviction, a
 * snapshot restore, and query times before, among and after the events; for one signal and, by the
 * threshold algorithm, for several; with a filter too (run on what the walk collects, after it). Profiles
 * the index cannot prove an answer for
 * (a negative weight, a window or velocity term) are scanned, and held to the same answer.
 */
class RankIndexPropertiesTest {

  private static final long T0 = Ledgers.T0;

  record History(Schema schema, SignalLedger ledger, long maxEntries, TreeSet<Long> entities, String description) {}

  private static History history(SplittableRandom random, int signals) {
    Schema.Builder schema = Schema.builder();
    for (int s = 0; s < signals; s++) {
      DecaySpec decay = Ledgers.anyDecay(random);
      boolean negative = !(decay instanceof DecaySpec.Linear) && random.nextInt(3) == 0;
      schema.signal("s" + s, EntityKind.ITEM, decay).windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME)
          .velocity(true).negativeWeights(negative).add();
    }
    Schema built = schema.build();
    long maxEntries = random.nextInt(3) == 0 ? 1 + random.nextInt(300) : 1_000_000;
    SignalLedger ledger = Ledgers.of(built, maxEntries);
    int entities = 1 + random.nextInt(random.nextBoolean() ? 50 : 2_000);
    int events = random.nextInt(4_000);
    long span = random.nextBoolean() ? Ledgers.HOUR : 9 * Ledgers.DAY;
    long[] shared = {T0, T0 - Ledgers.HOUR, T0 - 1};
    TreeSet<Long> ids = new TreeSet<>();
    for (int i = 0; i < events; i++) {
      ids.add(applyRandomEvent(ledger, built, random, shared, span, entities));
    }
    String description = built.signals() + ", " + events + " events over " + entities + " entities, maxEntries "
        + maxEntries;
    return new History(built, ledger, maxEntries, ids, description);
  }

  private static long queryTime(SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> T0 - random.nextLong(10 * Ledgers.DAY);
      case 1 -> T0;
      default -> T0 + random.nextLong(random.nextBoolean() ? Ledgers.HOUR : 400 * Ledgers.DAY);
    };
  }

  /** The answer by definition: every entity with an entry for one of the profile's signals, scored, sorted. */
  private static List<ScoredEntity> bruteForce(History h, Ranking ranking, int k, long at, LongPredicate filter) {
    List<ScoredEntity> all = new ArrayList<>();
    for (long id : h.entities()) {
      boolean hasEntry = false;
      for (int typeId : ranking.signals) {
        hasEntry |= h.ledger().contains(typeId, id);
      }
      if (hasEntry && (filter == null || filter.test(id))) {
        all.add(new ScoredEntity(id, ranking.score(h.ledger(), id, at)));
      }
    }
    all.sort(Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId));
    return all.subList(0, Math.min(k, all.size()));
  }

  /** Decayed scores with positive weights, on one signal or on several. */
  private static RankingProfile decayedTerms(SplittableRandom random, Schema schema, boolean oneSignal) {
    RankingProfile.Builder profile = RankingProfile.builder();
    String only = schema.signals().get(random.nextInt(schema.signals().size())).name();
    int terms = 1 + random.nextInt(4);
    for (int t = 0; t < terms; t++) {
      String signal = oneSignal ? only : schema.signals().get(random.nextInt(schema.signals().size())).name();
      profile.decayScore(signal, random.nextBoolean() ? 1 : Math.max(Double.MIN_VALUE, random.nextDouble() * 100));
    }
    return profile.build();
  }

  @Property(tries = 200)
  void topOfDecayedScoresOfOneSignal_isAnsweredByTheIndex_exactly(@ForAll long seed) throws IOException {
    assertAnsweredByTheIndexExactly(seed, true);
  }

  @Property(tries = 150)
  void topOfDecayedScoresOfSeveralSignals_isAnsweredByTheThresholdAlgorithm_exactly(@ForAll long seed)
      throws IOException {
    assertAnsweredByTheIndexExactly(seed, false);
  }

  /**
   * The walk scores the entities it meets in batches, and once k are kept drops those that cannot
   * make the cut on bounds (bucket, home-slot level) before reading their records: in batches of a
   * few entities every ledger here takes those paths many times per query.
   */
  @Property(tries = 200)
  void thresholdWalkScoringInSmallBatches_dropsOnlyEntitiesThatCannotMakeTheCut(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    SeveralSignals q = SeveralSignals.of(seed, random, 50);
    int batch = 1 + random.nextInt(32);
    assertEquals(q.bruteForce(), IndexWalk.top(q.h().ledger(), q.ranking(), q.k(), q.at(), null, Integer.MAX_VALUE, batch),
        q.description() + ", batches of " + batch);
  }

  /** A random history of two or three signals, a profile of decayed scores over them, k up to {@code maxK}, and a query time. */
  private record SeveralSignals(History h, Ranking ranking, int k, long at, String description) {
    static SeveralSignals of(long seed, SplittableRandom random, int maxK) {
      History h = history(random, 2 + random.nextInt(2));
      Ranking ranking = Ranking.resolve(decayedTerms(random, h.schema(), false), h.schema());
      int k = 1 + random.nextInt(random.nextBoolean() ? 5 : maxK);
      long at = queryTime(random);
      return new SeveralSignals(h, ranking, k, at,
          "seed " + seed + ": " + h.description() + ", " + ranking.profile + ", k " + k + ", at " + at);
    }

    List<ScoredEntity> bruteForce() {
      return RankIndexPropertiesTest.bruteForce(h, ranking, k, at, null);
    }
  }

  /**
   * The walk of several signals in two parts of the entities ({@link IndexWalk#inParts}): each part's
   * threshold walk over its stripes, cut by the higher of the two parts' k-th bests, and the best k
   * of both heaps, equal to the brute force; here both parts on this thread, in batches of any size.
   */
  @Property(tries = 200)
  void thresholdWalkInTwoPartsOfTheEntities_sharingTheirCut_isExact(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    SeveralSignals q = SeveralSignals.of(seed, random, 50);
    int batch = 1 + random.nextInt(random.nextBoolean() ? 32 : IndexWalk.PARTS * 512);
    assertEquals(q.bruteForce(), IndexWalk.inParts(q.h().ledger(), q.ranking(), q.k(), q.at(), Integer.MAX_VALUE, batch, null),
        q.description() + ", batches of " + batch + ", " + q.h().ledger().stripeCount() + " stripes");
  }

  /**
   * Through the ranker with its helper threads on any ledger: the second part walks on a
   * {@code tidaldb-ranking} thread under the query thread's read locks, and the answer is exact.
   */
  @Property(tries = 100)
  void thresholdWalkInTwoParts_onTheRankingThreads_isExact(@ForAll long seed) {
    SeveralSignals q = SeveralSignals.of(seed, new SplittableRandom(seed), 200);
    try (Ranker ranker = new Ranker(q.h().ledger(), Ranker.INDEX_BUDGET, 0)) {
      for (int n = 0; n < 3; n++) {
        assertEquals(q.bruteForce(), ranker.top(q.ranking(), q.k(), q.at(), null), q.description() + ", query " + n);
      }
      assertEquals(3, ranker.indexedQueries(), q.description() + ": answered by the index");
    }
  }

  private static void assertAnsweredByTheIndexExactly(long seed, boolean oneSignal) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    History h = history(random, oneSignal ? 1 + random.nextInt(2) : 2 + random.nextInt(2));
    Ranking ranking = Ranking.resolve(decayedTerms(random, h.schema(), oneSignal), h.schema());
    int k = 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
    long at = queryTime(random);
    String description = "seed " + seed + ": " + h.description() + ", " + ranking.profile + ", k " + k + ", at " + at;
    try (Ranker ranker = new Ranker(h.ledger())) {
      assertEquals(bruteForce(h, ranking, k, at, null), ranker.top(ranking, k, at, null), description);
      assertEquals(1, ranker.indexedQueries(), description + ": answered by the index");
      assertEquals(0, ranker.scannedQueries(), description + ": answered by the index");
    }
    SignalLedger restored = Ledgers.of(h.schema(), h.maxEntries());
    Path file = Files.createTempFile("rank-index", ".snapshot");
    try {
      LedgerSnapshotWriter.write(h.ledger(), 1, T0, file);
      LedgerSnapshotReader.read(file, restored);
    } finally {
      Files.deleteIfExists(file);
    }
    History reopened = new History(h.schema(), restored, h.maxEntries(), h.entities(), h.description() + ", restored");
    try (Ranker ranker = new Ranker(restored)) {
      assertEquals(bruteForce(reopened, ranking, k, at, null), ranker.top(ranking, k, at, null),
          description + ", after a snapshot restore");
      assertEquals(1, ranker.indexedQueries(), description + ": restored, answered by the index");
    }
  }

  @Property(tries = 200)
  void filteredTopOfDecayedScores_isAnsweredByTheIndex_exactly(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    boolean oneSignal = random.nextBoolean();
    History h = history(random, oneSignal ? 1 + random.nextInt(2) : 2 + random.nextInt(2));
    Ranking ranking = Ranking.resolve(decayedTerms(random, h.schema(), oneSignal), h.schema());
    int k = 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
    long at = queryTime(random);
    int modulus = 1 + random.nextInt(20);
    int remainder = random.nextInt(modulus);
    LongPredicate filter = id -> Math.floorMod(id, modulus) == remainder;
    String description = "seed " + seed + ": " + h.description() + ", " + ranking.profile + ", k " + k + ", at " + at
        + ", filter id mod " + modulus + " == " + remainder;
    try (Ranker ranker = new Ranker(h.ledger())) {
      assertEquals(bruteForce(h, ranking, k, at, filter), ranker.top(ranking, k, at, filter), description);
      assertEquals(1, ranker.indexedQueries(), description + ": answered by the index");
    }
    // a small budget: several passes, each collecting more, then the scan
    int budget = 1 + random.nextInt(2_000);
    try (Ranker ranker = new Ranker(h.ledger(), budget)) {
      assertEquals(bruteForce(h, ranking, k, at, filter), ranker.top(ranking, k, at, filter),
          description + ", budget " + budget);
      assertEquals(1, ranker.indexedQueries() + ranker.scannedQueries(), description + ", budget " + budget);
    }
  }

  @Test
  void topWithAFilter_isAnsweredByTheIndex_notByAScan() {
    Schema schema = Schema.builder().signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
        .windows(Window.ALL_TIME).add()
        .build();
    SignalLedger ledger = Ledgers.of(schema, 100_000);
    SplittableRandom random = new SplittableRandom(3);
    for (long id = 0; id < 50_000; id++) {
      ledger.apply(id, 0, 1 + random.nextInt(100), T0 - random.nextLong(7 * Ledgers.DAY));
    }
    Ranking ranking = Ranking.resolve(RankingProfile.decayScore("view"), schema);
    LongPredicate oneInTen = id -> id % 10 == 0;
    History h = new History(schema, ledger, 100_000, new TreeSet<>(java.util.stream.LongStream.range(0, 50_000)
        .boxed().toList()), "50,000 entities");
    try (Ranker ranker = new Ranker(ledger)) {
      assertEquals(bruteForce(h, ranking, 100, T0, oneInTen), ranker.top(ranking, 100, T0, oneInTen));
      assertEquals(1, ranker.indexedQueries(), "a filter that keeps one entity in ten is answered by the index");
      assertEquals(0, ranker.scannedQueries(), "a filter that keeps one entity in ten is answered by the index");
    }
  }

  /**
   * A signal whose scores are all nearly equal (one like per entity, within a day, on a 30-day
   * half-life: a few buckets hold them all) cannot lower the threshold; the walk proves the answer
   * on the other signals without reading it.
   */
  @Test
  void aSignalWhoseScoresAreNearlyEqual_doesNotStopTheThresholdWalk() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
        .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add()
        .signal("share", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(3))).windows(Window.ALL_TIME).add()
        .build();
    SignalLedger ledger = Ledgers.of(schema, 200_000);
    SplittableRandom random = new SplittableRandom(11);
    int entities = 40_000;
    TreeSet<Long> ids = new TreeSet<>();
    for (long id = 0; id < entities; id++) {
      for (int v = 0; v < 4; v++) {
        ledger.apply(id, 0, 1, T0 - random.nextLong(7 * Ledgers.DAY));
      }
      ledger.apply(id, 1, 1, T0 - random.nextLong(Ledgers.DAY));
      if (id % 5 == 0) {
        ledger.apply(id, 2, 1, T0 - random.nextLong(7 * Ledgers.DAY));
      }
      ids.add(id);
    }
    Ranking ranking = Ranking.resolve(RankingProfile.builder().decayScore("view", 1).decayScore("like", 5)
        .decayScore("share", 10).build(), schema);
    History h = new History(schema, ledger, 200_000, ids, entities + " entities");
    try (Ranker ranker = new Ranker(ledger)) {
      assertEquals(bruteForce(h, ranking, 100, T0, null), ranker.top(ranking, 100, T0, null));
      assertEquals(1, ranker.indexedQueries(), "answered by the threshold walk within its budget");
    }
  }

  /**
   * The helper threads may be busy with another query: a scan then scans every stripe on the calling
   * thread and returns, without waiting for its queued task to start.
   */
  @Test
  void aScan_doesNotWaitForAHelperBusyWithAnotherQuery() throws Exception {
    Schema schema = Schema.builder()
        .signal("s0", EntityKind.ITEM, DecaySpec.permanent()).windows(Window.ALL_TIME).add()
        .signal("s1", EntityKind.ITEM, DecaySpec.permanent()).windows(Window.ALL_TIME).add()
        .build();
    SignalLedger ledger = Ledgers.of(schema);
    TreeSet<Long> ids = new TreeSet<>();
    SplittableRandom random = new SplittableRandom(5);
    for (long id = 0; id < 3_000; id++) {
      ledger.apply(id, 0, 1 + random.nextInt(100), T0);
      ledger.apply(id, 1, 1 + random.nextInt(100), T0);
      ids.add(id);
    }
    // a negative weight: scanned
    Ranking ranking = Ranking.resolve(RankingProfile.builder().decayScore("s0", 1).decayScore("s1", -1).build(),
        schema);
    History h = new History(schema, ledger, Long.MAX_VALUE, ids, "3,000 entities");
    try (Ranker ranker = new Ranker(ledger, Ranker.INDEX_BUDGET, 0)) {
      ExecutorService pool = ranker.pool();
      assumeTrue(pool != null, "one processor: the ranker has no helper threads");
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      pool.submit(() -> {
        busy.countDown();
        release.await();
        return null;
      });
      busy.await();
      try {
        List<ScoredEntity> best = assertTimeoutPreemptively(Duration.ofSeconds(20),
            () -> ranker.top(ranking, 10, T0, null), "the scan waited for a helper that was busy elsewhere");
        assertEquals(bruteForce(h, ranking, 10, T0, null), best);
        assertEquals(1, ranker.scannedQueries(), "answered by a scan");
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void aWalkThatReadsItsBudgetWithoutProvingTheAnswer_givesUpForTheScan() {
    Schema schema = Schema.builder().signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
        .windows(Window.ALL_TIME).add()
        .build();
    SignalLedger ledger = Ledgers.of(schema, 1_000);
    for (long id = 500; id > 0; id--) {
      ledger.apply(id, 0, 1, T0);
    }
    Ranking ranking = Ranking.resolve(RankingProfile.decayScore("view"), schema);
    try (Ranker ranker = new Ranker(ledger, 10)) {
      assertEquals(List.of(new ScoredEntity(1, 1), new ScoredEntity(2, 1)), ranker.top(ranking, 2, T0, null),
          "equal scores: the smallest ids");
      assertEquals(1, ranker.scannedQueries(), "500 equal scores cannot be cut after 10 reads");
      assertEquals(0, ranker.indexedQueries());
    }
    try (Ranker ranker = new Ranker(ledger)) {
      assertEquals(List.of(new ScoredEntity(1, 1), new ScoredEntity(2, 1)), ranker.top(ranking, 2, T0, null));
      assertEquals(1, ranker.indexedQueries(), "within the default budget the index answers");
    }
  }

  @Test
  void indexedQueriesDuringWrites_returnDistinctEntitiesBestFirst_andTheExactAnswerOnceWritesStop() throws Exception {
    Schema schema = Schema.builder().signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofHours(1)))
        .windows(Window.ALL_TIME).add().signal("like", EntityKind.ITEM, DecaySpec.linear(Duration.ofHours(2)))
        .windows(Window.ALL_TIME).add().build();
    SignalLedger ledger = Ledgers.of(schema, 20_000);
    Ranking one = Ranking.resolve(RankingProfile.decayScore("view"), schema);
    Ranking two = Ranking.resolve(RankingProfile.builder().decayScore("view", 1).decayScore("like", 3).build(), schema);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      long seed = w;
      Thread writer = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        while (!stop.get()) {
          ledger.apply(random.nextInt(30_000), random.nextInt(2), (float) (random.nextDouble() * 100),
              T0 - random.nextLong(Ledgers.DAY));
        }
      }, "rank-index-test-writer-" + w);
      writer.setDaemon(true);
      writer.start();
      writers.add(writer);
    }
    try (Ranker ranker = new Ranker(ledger)) {
      for (int q = 0; q < 300; q++) {
        List<ScoredEntity> top = ranker.top(q % 2 == 0 ? one : two, 50, T0, null);
        assertEquals(top.size(), top.stream().mapToLong(ScoredEntity::entityId).distinct().count(), "distinct: " + top);
        for (int i = 1; i < top.size(); i++) {
          assertTrue(top.get(i - 1).score() >= top.get(i).score(), "best first: " + top);
        }
      }
      stop.set(true);
      for (Thread writer : writers) {
        writer.join(10_000);
      }
      TreeSet<Long> ids = new TreeSet<>();
      for (long id = 0; id < 30_000; id++) {
        ids.add(id);
      }
      History h = new History(schema, ledger, 20_000, ids, "after concurrent writes");
      for (Ranking ranking : List.of(one, two)) {
        assertEquals(bruteForce(h, ranking, 50, T0, null), ranker.top(ranking, 50, T0, null), ranking.profile.toString());
      }
      assertTrue(ranker.indexedQueries() > 0, "the index answered");
    } finally {
      stop.set(true);
    }
  }

  @Property(tries = 100)
  void profilesTheIndexCannotBound_areScanned_exactly(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    History h = history(random, 2);
    RankingProfile.Builder builder = RankingProfile.builder();
    LongPredicate filter = null;
    switch (random.nextInt(4)) {
      case 0 -> builder.decayScore("s0", 1).decayScore("s0", -random.nextDouble() * 5);
      case 1 -> builder.decayScore("s0", 1 + random.nextDouble()).decayScore("s1", -random.nextDouble());
      case 2 -> builder.decayScore("s0", 1).windowCount("s0", Window.ONE_HOUR, random.nextDouble())
          .velocity("s0", Window.ONE_HOUR, random.nextDouble());
      default -> {
        // one signal, windows counted and velocities, any weights: the bounded scan of one signal
        List<Window> windows = List.of(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME);
        builder.windowCount("s1", windows.get(random.nextInt(windows.size())), random.nextDouble() * 3 - 1);
        for (int t = random.nextInt(4); t > 0; t--) {
          double weight = random.nextInt(4) == 0 ? -random.nextDouble() * 3 : random.nextDouble() * 3;
          Window window = windows.get(random.nextInt(windows.size()));
          switch (random.nextInt(3)) {
            case 0 -> builder.decayScore("s1", weight);
            case 1 -> builder.windowCount("s1", window, weight);
            default -> builder.velocity("s1", window == Window.ALL_TIME ? Window.ONE_HOUR : window, weight);
          }
        }
      }
    }
    if (random.nextBoolean()) {
      int modulus = 2 + random.nextInt(9);
      filter = id -> Math.floorMod(id, modulus) == 0;
    }
    Ranking ranking = Ranking.resolve(builder.build(), h.schema());
    int k = 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
    long at = queryTime(random);
    String description = "seed " + seed + ": " + h.description() + ", " + ranking.profile + ", k " + k + ", at " + at;
    try (Ranker ranker = new Ranker(h.ledger())) {
      assertEquals(bruteForce(h, ranking, k, at, filter), ranker.top(ranking, k, at, filter), description);
      assertEquals(1, ranker.scannedQueries(), description + ": scanned");
      assertEquals(0, ranker.indexedQueries(), description + ": scanned");
    }
  }

  /**
   * Applies one random event: a random signal of {@code schema}, a time shared with other events
   * one time in five (else within {@code span} before T0), weights over ten orders of magnitude
   * (negative one time in four where the signal allows it), one of {@code entities} ids.
   *
   * @return the entity written
   */
  static long applyRandomEvent(SignalLedger ledger, Schema schema, SplittableRandom random, long[] shared, long span,
      int entities) {
    int typeId = random.nextInt(schema.signals().size());
    long at = random.nextInt(5) == 0 ? shared[random.nextInt(shared.length)] : T0 - random.nextLong(span);
    double magnitude = Math.pow(10, random.nextInt(-3, 7));
    float weight = (float) (random.nextBoolean() ? 1 : random.nextDouble() * magnitude);
    if (schema.signals().get(typeId).negativeWeights() && random.nextInt(4) == 0) {
      weight = -weight;
    }
    long id = random.nextInt(entities) * 7_919L - 3;
    ledger.apply(id, typeId, weight, at);
    return id;
  }
}

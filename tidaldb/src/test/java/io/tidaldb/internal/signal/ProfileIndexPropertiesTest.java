package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.function.LongPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * A registered profile's index ({@link ProfileIndex}) answers exactly what the definition answers:
 * random schemas (half-lives from a minute, so that keys run far past the fine buckets; permanent
 * signals; linear signals the profiles leave out), scores over many orders of magnitude, late
 * events, equal timestamps, negative weights, eviction, queries between the writes (which move the
 * index's reference time forward) at times before, among and long after the events, with and
 * without a filter, and after a snapshot restore. Unregistered profiles over the same ledger keep
 * their answers.
 */
class ProfileIndexPropertiesTest {

  private static final long T0 = Ledgers.T0;

  record Query(Ranking ranking, int k, long at, LongPredicate filter, String description) {}

  @Property(tries = 250)
  void registeredProfiles_areAnsweredByTheirIndex_exactly(@ForAll long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Schema schema = schema(random);
    List<Ranking> profiles = new ArrayList<>();
    for (int p = 0, n = 1 + random.nextInt(3); p < n; p++) {
      profiles.add(Ranking.resolve(decayedTerms(random, schema, p), schema));
    }
    List<Ranking> registered = new ArrayList<>();
    for (Ranking ranking : profiles) {
      if (registered.isEmpty() || random.nextBoolean()) {
        if (registered.stream().noneMatch(r -> r.profile.terms().equals(ranking.profile.terms()))) {
          registered.add(ranking);
        }
      }
    }
    long maxEntries = random.nextInt(3) == 0 ? 1 + random.nextInt(300) : 1_000_000;
    SignalLedger ledger = Ledgers.of(schema, maxEntries);
    ledger.indexProfiles(registered);
    int entities = 1 + random.nextInt(random.nextBoolean() ? 50 : 2_000);
    int events = random.nextInt(4_000);
    long span = random.nextBoolean() ? Ledgers.HOUR : 9 * Ledgers.DAY;
    long[] shared = {T0, T0 - Ledgers.HOUR, T0 - 1};
    TreeSet<Long> ids = new TreeSet<>();
    String description = "seed " + seed + ": " + schema.signals() + ", " + events + " events over " + entities
        + " entities, maxEntries " + maxEntries + ", registered " + registered.stream().map(r -> r.profile).toList();
    try (Ranker ranker = new Ranker(ledger)) {
      int asked = 0;
      for (int i = 0; i < events; i++) {
        ids.add(RankIndexPropertiesTest.applyRandomEvent(ledger, schema, random, shared, span, entities));
        if (random.nextInt(Math.max(1, events / 4)) == 0) {
          // a query between writes: may move the reference time of the index, which later writes then use
          Query q = query(random, profiles.get(random.nextInt(profiles.size())));
          assertEquals(bruteForce(ledger, ids, q), ranker.top(q.ranking(), q.k(), q.at(), q.filter()),
              description + ", after " + (i + 1) + " events: " + q.description());
          asked += served(registered, q.ranking()) ? 1 : 0;
        }
      }
      for (Ranking ranking : profiles) {
        for (int n = 0; n < 3; n++) {
          Query q = query(random, ranking);
          assertEquals(bruteForce(ledger, ids, q), ranker.top(q.ranking(), q.k(), q.at(), q.filter()),
              description + ": " + q.description());
          asked += served(registered, ranking) ? 1 : 0;
        }
      }
      assertEquals(asked, ranker.profileQueries(), description + ": the registered profiles' queries, by their index");
    }
    SignalLedger restored = Ledgers.of(schema, maxEntries);
    restored.indexProfiles(registered);
    Path file = Files.createTempFile("profile-index", ".snapshot");
    try {
      LedgerSnapshotWriter.write(ledger, 1, T0, file);
      LedgerSnapshotReader.read(file, restored);
    } finally {
      Files.deleteIfExists(file);
    }
    try (Ranker ranker = new Ranker(restored)) {
      for (Ranking ranking : registered) {
        Query q = query(random, ranking);
        assertEquals(bruteForce(restored, ids, q), ranker.top(q.ranking(), q.k(), q.at(), q.filter()),
            description + ", after a snapshot restore: " + q.description());
      }
      assertEquals(registered.size(), ranker.profileQueries(), description + ": restored, answered by the index");
    }
  }

  /**
   * The point of the index: on data where the threshold walk over the signals' indexes must read
   * thousands of entries to prove the top 100 (three signals of different half-lives, each entity's
   * best signal a different one), the registered profile's walk proves it from a few hundred.
   */
  @Test
  void aRegisteredProfile_readsFarFewerEntitiesThanTheThresholdWalk() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
        .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add()
        .signal("share", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(3))).windows(Window.ALL_TIME).add()
        .build();
    RankingProfile profile = RankingProfile.builder().decayScore("view", 1).decayScore("like", 5)
        .decayScore("share", 10).build();
    Ranking ranking = Ranking.resolve(profile, schema);
    SignalLedger plain = Ledgers.of(schema, 1_000_000);
    SignalLedger indexed = Ledgers.of(schema, 1_000_000);
    indexed.indexProfiles(List.of(Ranking.resolve(RankingProfile.builder().name("registered")
        .decayScore("view", 1).decayScore("like", 5).decayScore("share", 10).build(), schema)));
    SplittableRandom random = new SplittableRandom(11);
    TreeSet<Long> ids = new TreeSet<>();
    for (long id = 0; id < 60_000; id++) {
      for (int n = 0; n < 4; n++) {
        long at = T0 - random.nextLong(7 * Ledgers.DAY);
        plain.apply(id, 0, 1, at);
        indexed.apply(id, 0, 1, at);
      }
      if (id % 2 == 0) {
        long at = T0 - random.nextLong(7 * Ledgers.DAY);
        plain.apply(id, 1, 1, at);
        indexed.apply(id, 1, 1, at);
      }
      if (id % 5 == 0) {
        long at = T0 - random.nextLong(7 * Ledgers.DAY);
        plain.apply(id, 2, 1, at);
        indexed.apply(id, 2, 1, at);
      }
      ids.add(id);
    }
    Query q = new Query(ranking, 100, T0, null, "top 100 at T0");
    List<ScoredEntity> expected = bruteForce(plain, ids, q);
    long read;
    try (Ranker index = new Ranker(indexed)) {
      assertEquals(expected, index.top(ranking, 100, T0, null));
      assertEquals(1, index.profileQueries(), "answered by the profile's index");
      read = indexed.profileIndex(ranking).scored();
    }
    assertTrue(read < 1_000, "the index scored " + read + " entities for the top 100");
    int budget = (int) (5 * read);
    try (Ranker walk = new Ranker(plain, budget)) {
      assertEquals(expected, walk.top(ranking, 100, T0, null));
      assertEquals(1, walk.scannedQueries(), "the threshold walk cannot prove the answer from " + budget
          + " entries, five times what the index read");
    }
  }

  @Test
  void aProfileTheIndexCannotBound_isRefused_namingTheTermAndWhy() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ONE_HOUR,
            Window.ALL_TIME).add()
        .signal("stock", EntityKind.ITEM, DecaySpec.linear(Duration.ofDays(1))).windows(Window.ALL_TIME).add()
        .build();
    SignalLedger ledger = Ledgers.of(schema);
    IllegalArgumentException linear = assertThrows(IllegalArgumentException.class, () -> ledger.indexProfiles(List.of(
        Ranking.resolve(RankingProfile.builder().name("p").decayScore("view", 1).decayScore("stock", 2).build(),
            schema))));
    assertEquals("indexProfile(p), term 2 decayScore(\"stock\", 2.0): signal \"stock\" decays linearly, and a linear"
        + " decay bounds no read before the index's reference time by a factor; index profiles of exponentially"
        + " decaying or permanent signals only", linear.getMessage());
    IllegalArgumentException window = assertThrows(IllegalArgumentException.class, () -> ProfileIndex.checkTerms(
        RankingProfile.builder().decayScore("view", 1).windowCount("view", Window.ONE_HOUR, 1).build()));
    assertTrue(window.getMessage().startsWith("indexProfile(adhoc), term 2 windowCount(\"view\", ONE_HOUR, 1.0):"
        + " only decayed scores can be indexed"), window.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> ProfileIndex.checkTerms(
        RankingProfile.builder().decayScore("view", -1).build()));
    assertTrue(negative.getMessage().startsWith("indexProfile(adhoc), term 1 decayScore(\"view\", -1.0): only"
        + " positive weights can be indexed"), negative.getMessage());
  }

  /** Whether a registered profile's index answers {@code ranking}: the same terms, whatever the name. */
  private static boolean served(List<Ranking> registered, Ranking ranking) {
    return registered.stream().anyMatch(r -> r.profile.terms().equals(ranking.profile.terms()));
  }

  private static Schema schema(SplittableRandom random) {
    Schema.Builder schema = Schema.builder();
    int signals = 1 + random.nextInt(4);
    for (int s = 0; s < signals; s++) {
      // the first signal can be indexed; the others any decay
      DecaySpec decay = switch (s == 0 ? random.nextInt(3) : random.nextInt(4)) {
        case 0 -> DecaySpec.exponential(Duration.ofSeconds(60 + random.nextLong(3_600)));
        case 1 -> DecaySpec.exponential(Duration.ofDays(1 + random.nextInt(400)));
        case 2 -> DecaySpec.permanent();
        default -> DecaySpec.linear(Duration.ofSeconds(1 + random.nextLong(Ledgers.DAY / Ledgers.SECOND)));
      };
      boolean negative = !(decay instanceof DecaySpec.Linear) && random.nextInt(3) == 0;
      schema.signal("s" + s, EntityKind.ITEM, decay).windows(Window.ONE_HOUR, Window.ALL_TIME).negativeWeights(negative)
          .add();
    }
    return schema.build();
  }

  /** Decayed scores with positive weights over the signals an index can serve (not linear). */
  private static RankingProfile decayedTerms(SplittableRandom random, Schema schema, int p) {
    List<String> indexable = schema.signals().stream().filter(s -> !(s.decay() instanceof DecaySpec.Linear))
        .map(s -> s.name()).toList();
    RankingProfile.Builder profile = RankingProfile.builder().name("p" + p);
    for (int t = 0, terms = 1 + random.nextInt(4); t < terms; t++) {
      double weight = random.nextBoolean() ? 1 + random.nextInt(10)
          : Math.max(Double.MIN_VALUE, random.nextDouble() * Math.pow(10, random.nextInt(-3, 4)));
      profile.decayScore(indexable.get(random.nextInt(indexable.size())), weight);
    }
    return profile.build();
  }

  private static Query query(SplittableRandom random, Ranking ranking) {
    int k = 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
    long at = switch (random.nextInt(4)) {
      case 0 -> T0 - random.nextLong(10 * Ledgers.DAY);
      case 1 -> T0;
      default -> T0 + random.nextLong(random.nextBoolean() ? Ledgers.HOUR : 400 * Ledgers.DAY);
    };
    LongPredicate filter = null;
    String what = "";
    if (random.nextInt(3) == 0) {
      int modulus = 1 + random.nextInt(20);
      int remainder = random.nextInt(modulus);
      filter = id -> Math.floorMod(id, modulus) == remainder;
      what = ", filter id mod " + modulus + " == " + remainder;
    }
    return new Query(ranking, k, at, filter, ranking.profile + ", k " + k + ", at " + at + what);
  }

  /** The answer by definition: every entity with an entry for one of the profile's signals, scored, sorted. */
  private static List<ScoredEntity> bruteForce(SignalLedger ledger, TreeSet<Long> ids, Query q) {
    List<ScoredEntity> all = new ArrayList<>();
    for (long id : ids) {
      boolean hasEntry = false;
      for (int typeId : q.ranking().signals) {
        hasEntry |= ledger.contains(typeId, id);
      }
      if (hasEntry && (q.filter() == null || q.filter().test(id))) {
        all.add(new ScoredEntity(id, q.ranking().score(ledger, id, q.at())));
      }
    }
    all.sort(Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId));
    return all.subList(0, Math.min(q.k(), all.size()));
  }
}

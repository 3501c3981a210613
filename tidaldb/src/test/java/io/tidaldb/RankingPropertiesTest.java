package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.test.TempTidalHome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Exactness is the product: over random schemas (exponential, linear and permanent decay), random
 * event streams (late events, equal timestamps), random profiles, {@code k} and query times, with
 * and without eviction, {@code top} is element for element the brute-force answer: every entity ever
 * recorded that has an entry for one of the profile's signals, scored with {@code score}, sorted by
 * score (descending) then id. Also after a checkpoint and reopening.
 */
class RankingPropertiesTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");
  static final long DAY_SECONDS = 86_400;

  /** A random database history and a random query over it. */
  record Scenario(Schema schema, List<Event> events, long maxEntries, RankingProfile profile, int k, Instant at,
      LongPredicate filter, String description) {}

  record Event(String signal, long entity, double weight, Instant at) {}

  static Scenario scenario(long seed, boolean evict) {
    SplittableRandom random = new SplittableRandom(seed);
    Schema.Builder schema = Schema.builder();
    int signals = 1 + random.nextInt(3);
    for (int s = 0; s < signals; s++) {
      DecaySpec decay = switch (random.nextInt(3)) {
        case 0 -> DecaySpec.exponential(Duration.ofSeconds(60 + random.nextLong(14 * DAY_SECONDS)));
        case 1 -> DecaySpec.linear(Duration.ofSeconds(1 + random.nextLong(DAY_SECONDS)));
        default -> DecaySpec.permanent();
      };
      // ALL_TIME is always counted: the brute force tells an entry from its count (at least 1).
      Set<Window> windows = EnumSet.of(Window.ALL_TIME);
      for (Window w : List.of(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS)) {
        if (random.nextBoolean()) {
          windows.add(w);
        }
      }
      boolean velocity = windows.size() > 1 && random.nextBoolean();
      boolean negative = !(decay instanceof DecaySpec.Linear) && random.nextInt(3) == 0;
      schema.signal("s" + s, EntityKind.ITEM, decay).windows(windows.toArray(Window[]::new)).velocity(velocity)
          .negativeWeights(negative).add();
    }
    Schema built = schema.build();
    int entities = 1 + random.nextInt(60);
    int count = random.nextInt(400);
    List<Instant> shared = List.of(T0, T0.minusSeconds(3_600), T0.minusSeconds(DAY_SECONDS), T0.minusMillis(1));
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SignalSpec signal = built.signals().get(random.nextInt(signals));
      Instant at = random.nextInt(4) == 0 ? shared.get(random.nextInt(shared.size()))
          : T0.minusSeconds(random.nextLong(9 * DAY_SECONDS)).minusNanos(random.nextInt(1_000_000_000));
      double weight = switch (random.nextInt(3)) {
        case 0 -> 1;
        case 1 -> 1 + random.nextInt(5);
        default -> random.nextDouble() * 10;
      };
      if (signal.negativeWeights() && random.nextInt(4) == 0) {
        weight = -weight;
      }
      events.add(new Event(signal.name(), random.nextInt(entities), weight, at));
    }
    RankingProfile.Builder profile = RankingProfile.builder();
    int terms = 1 + random.nextInt(4);
    for (int t = 0; t < terms; t++) {
      SignalSpec signal = built.signals().get(random.nextInt(signals));
      double weight = random.nextInt(5) == 0 ? -random.nextDouble() * 5 : random.nextDouble() * 10;
      List<Window> bounded = signal.windows().stream().filter(w -> w != Window.ALL_TIME).toList();
      int kind = random.nextInt(3);
      if (kind == 2 && signal.velocity()) {
        profile.velocity(signal.name(), bounded.get(random.nextInt(bounded.size())), weight);
      } else if (kind >= 1) {
        List<Window> all = List.copyOf(signal.windows());
        profile.windowCount(signal.name(), all.get(random.nextInt(all.size())), weight);
      } else {
        profile.decayScore(signal.name(), weight);
      }
    }
    int k = 1 + random.nextInt(random.nextBoolean() ? 5 : 80);
    Instant at = T0.plusSeconds(random.nextLong(-10 * DAY_SECONDS, 10 * DAY_SECONDS)).plusNanos(random.nextInt(1_000_000_000));
    int modulus = 2 + random.nextInt(3);
    LongPredicate filter = random.nextBoolean() ? null : id -> id % modulus != 0;
    long maxEntries = evict ? 1 + random.nextInt(40) : 1_000_000;
    RankingProfile built2 = profile.build();
    String description = "seed " + seed + ": " + built.signals() + ", " + count + " events over " + entities
        + " entities, maxEntries " + maxEntries + ", " + built2 + ", k " + k + ", at " + at
        + (filter == null ? "" : ", filter id % " + modulus + " != 0");
    return new Scenario(built, events, maxEntries, built2, k, at, filter, description);
  }

  /** The answer by definition: score every entity ever recorded that has an entry, sort, keep k. */
  static List<ScoredEntity> bruteForce(TidalDb db, Scenario s) {
    TreeSet<Long> recorded = new TreeSet<>();
    s.events().forEach(e -> recorded.add(e.entity()));
    List<ScoredEntity> all = new ArrayList<>();
    for (long id : recorded) {
      boolean hasEntry = s.profile().terms().stream()
          .anyMatch(t -> db.windowCount(t.signal(), id, Window.ALL_TIME) > 0);
      if (hasEntry && (s.filter() == null || s.filter().test(id))) {
        all.add(new ScoredEntity(id, db.score(s.profile(), id, s.at())));
      }
    }
    all.sort(Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId));
    return all.subList(0, Math.min(s.k(), all.size()));
  }

  static List<ScoredEntity> top(TidalDb db, Scenario s) {
    return s.filter() == null ? db.top(s.profile(), s.k(), s.at()) : db.top(s.profile(), s.k(), s.at(), s.filter());
  }

  static void record(TidalDb db, List<Event> events) {
    for (Event e : events) {
      db.signal(e.signal(), e.entity(), e.weight(), e.at());
    }
  }

  /** {@code scores} gives every entity exactly its {@code score}. */
  static void assertBatchScoresExact(TidalDb db, Scenario s) {
    long[] ids = s.events().stream().mapToLong(Event::entity).distinct().toArray();
    double[] out = new double[ids.length];
    db.scores(s.profile(), ids, s.at(), out);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(db.score(s.profile(), ids[i], s.at()), out[i], 0.0, s.description() + ": scores of " + ids[i]);
    }
  }

  @Property(tries = 400)
  void top_equalsTheBruteForceAnswer_elementForElement(@ForAll long seed, @ForAll boolean evict) {
    Scenario s = scenario(seed, evict);
    try (TidalDb db = TidalDb.builder().ephemeral().schema(s.schema()).maxEntries(s.maxEntries())
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).open()) {
      record(db, s.events());
      assertEquals(bruteForce(db, s), top(db, s), s.description());
      assertBatchScoresExact(db, s);
    }
  }

  /**
   * The most common question, one decayed score with a positive weight, takes a path of its own
   * (a cheap bound skips the exact read of entries that cannot make the cut): held to the same answer.
   */
  @Property(tries = 300)
  void topOfOneDecayedScore_equalsTheBruteForceAnswer_elementForElement(@ForAll long seed, @ForAll boolean evict) {
    Scenario any = scenario(seed, evict);
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    String signal = any.schema().signals().get(random.nextInt(any.schema().signals().size())).name();
    double weight = random.nextBoolean() ? 1 : Math.max(Double.MIN_VALUE, random.nextDouble() * 100);
    RankingProfile one = RankingProfile.builder().decayScore(signal, weight).build();
    Scenario s = new Scenario(any.schema(), any.events(), any.maxEntries(), one, any.k(), any.at(), any.filter(),
        any.description().replace(any.profile().toString(), one.toString()));
    try (TidalDb db = TidalDb.builder().ephemeral().schema(s.schema()).maxEntries(s.maxEntries())
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).open()) {
      record(db, s.events());
      assertEquals(bruteForce(db, s), top(db, s), s.description());
      if (s.filter() == null) {
        assertEquals(bruteForce(db, s), db.top(signal, s.k(), s.at()).stream()
            .map(e -> new ScoredEntity(e.entityId(), weight * e.score())).toList(), s.description() + ": top(signal)");
      }
    }
  }

  @Property(tries = 40)
  void top_afterACheckpointAndReopening_equalsTheBruteForceAnswer(@ForAll long seed, @ForAll boolean evict) {
    Scenario s = scenario(seed, evict);
    int half = s.events().size() / 2;
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<ScoredEntity> before;
      try (TidalDb db = open(temp, s)) {
        record(db, s.events().subList(0, half));
        db.checkpoint();
        record(db, s.events().subList(half, s.events().size()));
        before = top(db, s);
        assertEquals(bruteForce(db, s), before, s.description());
      }
      try (TidalDb db = open(temp, s)) {
        List<ScoredEntity> after = top(db, s);
        assertEquals(bruteForce(db, s), after, s.description() + ", reopened");
        if (!evict) {
          assertEquals(before, after, s.description() + ": the snapshot and the replayed log give the same bits");
        }
      }
    }
  }

  /**
   * Profiles the index can serve (decayed scores, positive weights, signals that do not decay
   * linearly) over the scenario's schema, each registered or not at random: empty when every signal
   * decays linearly.
   */
  static List<RankingProfile> indexableProfiles(Scenario s, SplittableRandom random) {
    List<String> signals = s.schema().signals().stream().filter(x -> !(x.decay() instanceof DecaySpec.Linear))
        .map(SignalSpec::name).toList();
    List<RankingProfile> profiles = new ArrayList<>();
    for (int p = 0, n = signals.isEmpty() ? 0 : 1 + random.nextInt(3); p < n; p++) {
      RankingProfile.Builder profile = RankingProfile.builder().name("indexed" + p);
      for (int t = 0, terms = 1 + random.nextInt(4); t < terms; t++) {
        profile.decayScore(signals.get(random.nextInt(signals.size())), random.nextBoolean() ? 1 + random.nextInt(9)
            : Math.max(Double.MIN_VALUE, random.nextDouble() * 10));
      }
      profiles.add(profile.build());
    }
    return profiles;
  }

  /** A builder that registers a random subset of {@code profiles} (one per distinct list of terms). */
  static TidalDbBuilder registering(TidalDbBuilder builder, List<RankingProfile> profiles, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Set<List<RankingProfile.Term>> registered = new java.util.HashSet<>();
    for (RankingProfile profile : profiles) {
      if (random.nextBoolean() && registered.add(profile.terms())) {
        builder.indexProfile(profile);
      }
    }
    return builder;
  }

  /** The scenario's query, asked with each profile, at several times before and after the events, with and without its filter. */
  static void assertTopExact(TidalDb db, Scenario s, List<RankingProfile> profiles, SplittableRandom random,
      String context) {
    for (RankingProfile profile : profiles) {
      for (int q = 0; q < 3; q++) {
        Instant at = T0.plusSeconds(random.nextLong(-10 * DAY_SECONDS, 10 * DAY_SECONDS));
        int k = 1 + random.nextInt(random.nextBoolean() ? 5 : 80);
        Scenario asked = new Scenario(s.schema(), s.events(), s.maxEntries(), profile, k, at,
            random.nextBoolean() ? null : s.filter(), s.description() + ", asked " + profile + " k " + k + " at " + at);
        assertEquals(bruteForce(db, asked), top(db, asked), asked.description() + context);
      }
    }
  }

  /**
   * A registered profile's index ({@code indexProfile}) gives the same answers: random profiles over
   * random schemas, some registered, queried between the writes and after them.
   */
  @Property(tries = 300)
  void topOfRegisteredProfiles_equalsTheBruteForceAnswer_elementForElement(@ForAll long seed, @ForAll boolean evict) {
    Scenario s = scenario(seed, evict);
    SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    List<RankingProfile> profiles = indexableProfiles(s, random);
    int half = s.events().size() / 2;
    try (TidalDb db = registering(TidalDb.builder(), profiles, seed).ephemeral().schema(s.schema())
        .maxEntries(s.maxEntries()).clock(Clock.fixed(T0, ZoneOffset.UTC)).open()) {
      record(db, s.events().subList(0, half));
      assertTopExact(db, s, profiles, random, ", half the events");
      record(db, s.events().subList(half, s.events().size()));
      assertTopExact(db, s, profiles, random, "");
    }
  }

  @Property(tries = 40)
  void topOfRegisteredProfiles_afterACheckpointAndReopening_equalsTheBruteForceAnswer(@ForAll long seed,
      @ForAll boolean evict) {
    Scenario s = scenario(seed, evict);
    SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    List<RankingProfile> profiles = indexableProfiles(s, random);
    int half = s.events().size() / 2;
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = registering(builder(temp, s), profiles, seed).open()) {
        record(db, s.events().subList(0, half));
        db.checkpoint();
        record(db, s.events().subList(half, s.events().size()));
      }
      try (TidalDb db = registering(builder(temp, s), profiles, seed).open()) {
        assertTopExact(db, s, profiles, random, ", reopened");
      }
    }
  }

  private static TidalDbBuilder builder(TempTidalHome temp, Scenario s) {
    return TidalDb.builder().dataDir(temp.path()).schema(s.schema()).maxEntries(s.maxEntries())
        .durability(Durability.interval(Duration.ofSeconds(1))).checkpointInterval(Duration.ZERO)
        .clock(Clock.fixed(T0, ZoneOffset.UTC));
  }

  private static TidalDb open(TempTidalHome temp, Scenario s) {
    return TidalDb.builder().dataDir(temp.path()).schema(s.schema()).maxEntries(s.maxEntries())
        .durability(Durability.interval(Duration.ofSeconds(1))).checkpointInterval(Duration.ZERO)
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).open();
  }
}

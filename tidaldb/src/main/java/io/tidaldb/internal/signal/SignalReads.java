package io.tidaldb.internal.signal;

import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.SignalSpec;
import io.tidaldb.Window;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The read path of a {@link SignalEngine}: scores, window counts and velocity of one signal, and
 * the ranking of entities under a {@link RankingProfile}. Checks the question (signal, window,
 * time, arrays) and counts the reads; the ledger and the {@link Ranker} answer. Not API (see the
 * package documentation).
 *
 * <pre>{@code
 * SignalReads reads = engine.reads();
 * double score = reads.decayScore(engine.spec("view"), 42L, Instant.now());
 * List<ScoredEntity> best = reads.top(profile, 10, Instant.now(), null);
 * }</pre>
 */
public final class SignalReads implements AutoCloseable {

  private final Schema schema;
  private final Clock clock;
  private final SignalLedger ledger;
  private final ReadCounter reads;
  private final Ranker ranker;
  private final RankingStats rankingStats = new RankingStats();

  SignalReads(Schema schema, Clock clock, SignalLedger ledger, ReadCounter reads) {
    this.schema = schema;
    this.clock = clock;
    this.ledger = ledger;
    this.reads = reads;
    this.ranker = new Ranker(ledger);
  }

  /** The decayed score at {@code at}. */
  public double decayScore(SignalSpec signal, long entityId, Instant at) {
    reads.increment();
    return ledger.decayScore(signal.id(), entityId, SignalInputs.readNanos(signal, at));
  }

  /** The decayed scores of {@code entityIds[i]} into {@code out[i]}. */
  public void decayScores(SignalSpec signal, long[] entityIds, Instant at, double[] out) {
    requireScoreArrays("decayScores(\"" + signal.name() + "\"", entityIds, out);
    long atNanos = SignalInputs.readNanos(signal, at);
    reads.add(entityIds.length);
    ledger.decayScores(signal.id(), entityIds, atNanos, out);
  }

  /** The events in {@code window}, as of the clock's now. */
  public long windowCount(SignalSpec signal, long entityId, Window window) {
    SignalInputs.requireWindow(signal, window);
    reads.increment();
    return ledger.windowCount(signal.id(), entityId, window, nowNanos());
  }

  /** The events in {@code window} per second of the window's length, as of the clock's now. */
  public double velocity(SignalSpec signal, long entityId, Window window) {
    if (!signal.velocity()) {
      throw new InvalidSignalException("signal \"" + signal.name() + "\" does not offer velocity; declare it with"
          + " velocity(true) in the schema");
    }
    if (window == Window.ALL_TIME) {
      throw new InvalidSignalException("velocity(\"" + signal.name() + "\", ..., ALL_TIME): ALL_TIME has no length to"
          + " divide by; use one of " + SignalInputs.boundedWindows(signal));
    }
    SignalInputs.requireWindow(signal, window);
    reads.increment();
    return ledger.windowCount(signal.id(), entityId, window, nowNanos()) / (double) seconds(window);
  }

  /** A bounded window's length in seconds, from {@link Window#length()}, the one home of the lengths. */
  static long seconds(Window window) {
    return window.length().orElseThrow(() -> new IllegalArgumentException(window + " has no length")).toSeconds();
  }

  private long nowNanos() {
    long millis = clock.millis();
    return Math.min(millis, Long.MAX_VALUE / 1_000_000) * 1_000_000;
  }

  /**
   * The best {@code k} entities under the profile at {@code at}, best first (see
   * {@code TidalDb.top}).
   *
   * @param filter keeps the entities it accepts; null keeps all
   * @throws InvalidSignalException if the profile does not fit the schema, {@code k < 1}, or the time
   *     cannot be represented
   */
  public List<ScoredEntity> top(RankingProfile profile, int k, Instant at, LongPredicate filter) {
    long start = System.nanoTime();
    Ranking ranking = Ranking.resolve(profile, schema);
    if (k < 1) {
      throw new InvalidSignalException("top(" + profile.name() + ", k = " + k + ", ...): k must be at least 1; it is"
          + " the number of entities to return");
    }
    long atNanos = SignalInputs.rankingNanos(profile, at);
    List<ScoredEntity> top = ranker.top(ranking, k, atNanos, filter);
    rankingStats.record(profile.name(), System.nanoTime() - start);
    return top;
  }

  /** The entity's score under the profile at {@code at} (see {@code TidalDb.score}). */
  public double score(RankingProfile profile, long entityId, Instant at) {
    Ranking ranking = Ranking.resolve(profile, schema);
    return ranking.score(ledger, entityId, SignalInputs.rankingNanos(profile, at));
  }

  /** The scores of {@code entityIds[i]} under the profile into {@code out[i]} (see {@code TidalDb.scores}). */
  public void scores(RankingProfile profile, long[] entityIds, Instant at, double[] out) {
    Ranking ranking = Ranking.resolve(profile, schema);
    requireScoreArrays("scores(" + profile.name(), entityIds, out);
    long atNanos = SignalInputs.rankingNanos(profile, at);
    int n = entityIds.length;
    Arrays.fill(out, 0, n, 0.0);
    double[] values = new double[n];
    for (int t = 0; t < ranking.termCount; t++) {
      if (ranking.kinds[t] == RankingProfile.Kind.DECAY_SCORE) {
        ledger.decayScores(ranking.typeOf[t], entityIds, atNanos, values);
      } else {
        for (int i = 0; i < n; i++) {
          values[i] = ranking.value(ledger, t, entityIds[i], atNanos);
        }
      }
      double weight = ranking.weights[t];
      for (int i = 0; i < n; i++) {
        out[i] += weight * values[i];
      }
    }
  }

  /**
   * Checks the arrays of a call that scores many entities at once.
   *
   * @param call the call as its message names it, up to its first argument: {@code scores(trending}
   */
  private static void requireScoreArrays(String call, long[] entityIds, double[] out) {
    if (entityIds == null || out == null) {
      throw new InvalidSignalException(call + ", " + (entityIds == null ? "null" : "ids") + ", at, "
          + (out == null ? "null" : "out") + "): give an array of entity ids and an array for the scores");
    }
    if (out.length < entityIds.length) {
      throw new InvalidSignalException(call + ", ...): out holds " + out.length + " scores but " + entityIds.length
          + " entity ids were given; out must be at least as long as the ids");
    }
  }

  /** {@return the ranking queries answered, per profile name} */
  public RankingStats rankingStats() {
    return rankingStats;
  }

  /** Stops the ranking threads. */
  @Override
  public void close() {
    ranker.close();
  }
}

package io.tidaldb.inspect;

import io.tidaldb.CorruptionException;
import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.internal.signal.SignalEngine;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Ranks a home's entities from its files alone, as {@code db.top(profile, k, at)} would on the open
 * database: the stored schema, the checkpoint's ledger snapshot and the log after it, rebuilt in
 * memory. Read-only: it writes nothing and takes no lock, so a live process may hold the home; it
 * sees what that process had made durable when it was opened.
 *
 * <pre>{@code
 * try (ColdRanking ranking = ColdRanking.open(TidalHome.at(Path.of("/var/lib/tidaldb")), 1_000_000)) {
 *   List<ScoredEntity> top = ranking.top(RankingProfile.builder().decayScore("view", 1).build(), 10, Instant.now());
 * }
 * }</pre>
 *
 * <p>It holds the home's signals in memory until closed.
 */
public final class ColdRanking implements AutoCloseable {

  private final SignalEngine engine;

  private ColdRanking(SignalEngine engine) {
    this.engine = engine;
  }

  /**
   * Rebuilds {@code home}'s signals in memory.
   *
   * @param home the home to read
   * @param maxEntries the ledger's bound, as the application opens the home with
   *     ({@code TidalDbBuilder.maxEntries}): it decides which entries a full ledger evicted
   * @return the ranking; close it
   * @throws CorruptionException if the log or the snapshot is damaged
   * @throws StorageException if a file cannot be read
   */
  public static ColdRanking open(TidalHome home, long maxEntries) {
    Objects.requireNonNull(home, "home");
    return new ColdRanking(SignalEngine.openReadOnly(home, maxEntries));
  }

  /** {@return the home's stored schema (empty if no database with signals has opened it)} */
  public Schema schema() {
    return engine.schema();
  }

  /**
   * The {@code k} entities with the highest profile score at {@code at}, highest first.
   *
   * @param profile what to rank by
   * @param k how many, at least 1
   * @param at the instant to score at
   * @return at most {@code k} entities
   * @throws InvalidSignalException if the profile names a signal the stored schema does not declare
   */
  public List<ScoredEntity> top(RankingProfile profile, int k, Instant at) {
    return engine.reads().top(profile, k, at, null);
  }

  /** Releases the memory. Idempotent. */
  @Override
  public void close() {
    engine.close();
  }
}

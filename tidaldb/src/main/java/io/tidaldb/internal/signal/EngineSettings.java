package io.tidaldb.internal.signal;

import io.tidaldb.Durability;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.TidalHome;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the signal engine is opened with: the part of a database's settings it uses, resolved and
 * checked by {@code TidalDbBuilder} (the engine does not see the public {@code Config}).
 *
 * @param home the home, or empty for an ephemeral engine
 * @param durability when a write counts as done (present with a home)
 * @param checkpointInterval the period of checkpoints, zero for none (present with a home)
 * @param clock the database's clock
 * @param partitionId names the checkpoint thread
 * @param schema the builder's schema (a home may resolve it to its stored one)
 * @param maxEntries the ledger's bound
 * @param maxFutureSkew how far ahead of the clock an event may be
 * @param writeLatencySampling one write in this many has its latency measured
 * @param indexedProfiles the ranking profiles whose top-k the ledger keeps indexed
 */
public record EngineSettings(Optional<TidalHome> home, Optional<Durability> durability,
    Optional<Duration> checkpointInterval, Clock clock, String partitionId, Schema schema, long maxEntries,
    Duration maxFutureSkew, int writeLatencySampling, List<RankingProfile> indexedProfiles) {

  /** Checks that a home comes with its durability and checkpoint interval. */
  public EngineSettings {
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(partitionId, "partitionId");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    indexedProfiles = List.copyOf(Objects.requireNonNull(indexedProfiles, "indexedProfiles"));
    if (home.isPresent() != durability.isPresent() || home.isPresent() != checkpointInterval.isPresent()) {
      throw new IllegalArgumentException("durability and checkpoints apply to a home, and a home needs both");
    }
  }
}

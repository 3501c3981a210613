package io.tidaldb;

import io.tidaldb.metrics.MetricsConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings a {@link TidalDb} was opened with, after defaults were filled in and paths resolved.
 *
 * <pre>{@code
 * Config config = db.config();
 * config.storageMode();                                 // PERSISTENT
 * config.home().map(TidalHome::wal);                    // Optional[/var/lib/tidaldb/wal]
 * }</pre>
 *
 * @param storageMode where the data lives
 * @param home the directory layout; empty for an ephemeral database, which has none
 * @param durability when a write counts as done; empty for an ephemeral database, which writes no log
 * @param clock the source of time for decay, windows and uptime
 * @param partitionId the value of the {@code partition_id} tag on every meter
 * @param metrics the host's meter registry and the metrics endpoint, if any
 * @param schema the signals the database records
 * @param maxEntries the most (entity, signal) entries the signal ledger holds before it evicts
 * @param checkpointInterval how often a checkpoint is taken ({@link Duration#ZERO}: only on
 *     {@link TidalDb#checkpoint()}); empty for an ephemeral database, which takes none
 * @param maxFutureSkew how far ahead of the clock's now an event may be dated; a write dated later is
 *     refused ({@link TidalDbBuilder#maxFutureSkew(Duration)})
 * @param writeLatencySampling one signal write in this many is timed for the write latency meter
 *     ({@link TidalDbBuilder#writeLatencySampling(int)})
 * @param indexedProfiles the ranking profiles whose top-k the database keeps indexed
 *     ({@link TidalDbBuilder#indexProfile(RankingProfile)}), in the order registered
 */
public record Config(
    StorageMode storageMode,
    Optional<TidalHome> home,
    Optional<Durability> durability,
    Clock clock,
    String partitionId,
    MetricsConfig metrics,
    Schema schema,
    long maxEntries,
    Optional<Duration> checkpointInterval,
    Duration maxFutureSkew,
    int writeLatencySampling,
    List<RankingProfile> indexedProfiles) {

  /**
   * Checks that the settings hang together.
   *
   * @param storageMode where the data lives
   * @param home the directory layout; empty for an ephemeral database, which has none
   * @param durability when a write counts as done; empty for an ephemeral database, which writes no log
   * @param clock the source of time for decay, windows and uptime
   * @param partitionId the value of the {@code partition_id} tag on every meter
   * @param metrics the host's meter registry and the metrics endpoint, if any
   * @param schema the signals the database records
   * @param maxEntries the most (entity, signal) entries the signal ledger holds before it evicts
   * @param checkpointInterval how often a checkpoint is taken ({@link Duration#ZERO}: only on
   *     {@link TidalDb#checkpoint()}); empty for an ephemeral database, which takes none
   * @param maxFutureSkew how far ahead of the clock's now an event may be dated; a write dated later is
   *     refused ({@link TidalDbBuilder#maxFutureSkew(Duration)})
   * @param writeLatencySampling one signal write in this many is timed for the write latency meter
   *     ({@link TidalDbBuilder#writeLatencySampling(int)})
   * @param indexedProfiles the ranking profiles whose top-k the database keeps indexed
   *     ({@link TidalDbBuilder#indexProfile(RankingProfile)}), in the order registered
   */
  public Config {
    Objects.requireNonNull(storageMode, "storageMode");
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(partitionId, "partitionId");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(schema, "schema");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries " + maxEntries + " is not positive");
    }
    if ((storageMode == StorageMode.PERSISTENT) != home.isPresent()) {
      throw new IllegalArgumentException("a " + storageMode + " database " + (home.isPresent() ? "has no" : "needs a") + " home");
    }
    if (home.isPresent() != durability.isPresent()) {
      throw new IllegalArgumentException("durability applies to a persistent home and to nothing else");
    }
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (home.isPresent() != checkpointInterval.isPresent()) {
      throw new IllegalArgumentException("checkpoints apply to a persistent home and to nothing else");
    }
    if (checkpointInterval.isPresent() && checkpointInterval.get().isNegative()) {
      throw new IllegalArgumentException("checkpointInterval " + checkpointInterval.get() + " is negative");
    }
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("maxFutureSkew " + maxFutureSkew + " is negative");
    }
    if (writeLatencySampling < 1 || writeLatencySampling > TidalDbBuilder.MAX_WRITE_LATENCY_SAMPLING) {
      throw new IllegalArgumentException("writeLatencySampling " + writeLatencySampling + " is out of range");
    }
    indexedProfiles = List.copyOf(Objects.requireNonNull(indexedProfiles, "indexedProfiles"));
  }

  /** These settings with another schema: the one a persistent home turned out to store. */
  Config withSchema(Schema resolved) {
    return new Config(storageMode, home, durability, clock, partitionId, metrics, resolved, maxEntries, checkpointInterval,
        maxFutureSkew, writeLatencySampling, indexedProfiles);
  }
}

/**
 * tidalDB's API: open a database with {@link io.tidaldb.TidalDb#builder()}, declare its signals
 * with a {@link io.tidaldb.Schema}, write events with {@link io.tidaldb.TidalDb#signal} or a
 * {@link io.tidaldb.SignalType}, and read decayed scores, window counts, velocity and rankings
 * ({@link io.tidaldb.RankingProfile}).
 *
 * <pre>{@code
 * try (TidalDb db = TidalDb.builder().dataDir(Path.of("/var/lib/tidaldb")).schema(schema).open()) {
 *   db.signal("view", 42L, 1.0, Instant.now());
 *   double score = db.decayScore("view", 42L, Instant.now());
 * }
 * }</pre>
 *
 * <p>The package also holds what everything else stands on: the values ({@link io.tidaldb.Schema},
 * {@link io.tidaldb.SignalSpec}, {@link io.tidaldb.DecaySpec}, {@link io.tidaldb.Window},
 * {@link io.tidaldb.Durability}), the layout of a home ({@link io.tidaldb.TidalHome}) and the
 * exceptions ({@link io.tidaldb.TidalDbException} and its subclasses). {@code docs/GUIDE.md} is the
 * user's guide; {@code docs/ARCHITECTURE.md} draws the packages.
 */
package io.tidaldb;

/**
 * The signal engine: the in-memory ledger behind decayed scores, windowed counts and velocity, the
 * write path that feeds it, ranking, checkpoints and recovery of a home. <strong>Not API</strong>: the
 * package is not exported from the {@code io.tidaldb} module, and may change in any release.
 * Applications use {@link io.tidaldb.TidalDb} and {@link io.tidaldb.SignalType}; tools read a home
 * through {@code io.tidaldb.inspect}.
 *
 * <p>{@code docs/SIGNALS.md} explains the math, the buckets, the memory layout and the eviction
 * policy; {@code docs/ARCHITECTURE.md} where this package sits.
 */
package io.tidaldb.internal.signal;

/**
 * The signal ledger: the in-memory state behind decayed scores, windowed counts and velocity, and
 * the write path that feeds it. <strong>Not API</strong>: the classes here are public only so that
 * {@code io.tidaldb.TidalDb} can use them, and may change in any release. Applications use
 * {@link io.tidaldb.TidalDb} and {@link io.tidaldb.SignalType}.
 *
 * <p>{@code docs/SIGNALS.md} explains the math, the buckets, the memory layout and the eviction
 * policy.
 */
package io.tidaldb.signal;

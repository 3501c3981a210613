/**
 * The write-ahead log, usable on its own: {@link io.tidaldb.wal.Wal} appends and recovers (it takes
 * its directory's {@code LOCK}, so it cannot write the log of an open database),
 * {@link io.tidaldb.wal.WalReader} reads and verifies a log without writing it, also a live one.
 *
 * <pre>{@code
 * try (Wal wal = Wal.open(WalConfig.of(home.wal()))) {
 *   long seq = wal.append(new WalEvent(42L, 0, 1.0f, WalEvent.epochNanos(Instant.now())));
 * }
 * }</pre>
 *
 * <p>The format (segments, batches, checksums, {@code checkpoint.meta}) is in {@code docs/FORMAT.md}.
 */
package io.tidaldb.wal;

/**
 * Read-only views of a home's files, for tools such as {@code tidalctl}: the stored schema
 * ({@link io.tidaldb.inspect.StoredSchema}), a ledger snapshot's header
 * ({@link io.tidaldb.inspect.LedgerSnapshotInfo}), and a ranking rebuilt from the files alone
 * ({@link io.tidaldb.inspect.ColdRanking}). Nothing here writes or locks a home, so a live database
 * may hold it. The log itself is read with {@link io.tidaldb.wal.WalReader}.
 *
 * <pre>{@code
 * TidalHome home = TidalHome.at(Path.of("/var/lib/tidaldb"));
 * Optional<Schema> schema = StoredSchema.read(home);
 * }</pre>
 */
package io.tidaldb.inspect;

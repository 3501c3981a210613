package io.tidaldb.inspect;

import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.internal.HomeLock;
import io.tidaldb.internal.home.HomeOpening;
import java.util.Optional;

/**
 * What a home's files say about its state, read without opening it: whether a database holds it,
 * and whether its WAL directory can be its own log (what {@code TidalDb.open()} checks first).
 *
 * <pre>{@code
 * TidalHome home = TidalHome.at(Path.of("/var/lib/tidaldb"));
 * LockStatus lock = HomeChecks.lockStatus(home);
 * HomeChecks.missingLog(home).ifPresent(System.out::println);
 * }</pre>
 */
public final class HomeChecks {

  private HomeChecks() {}

  /**
   * Whether an open database, in this JVM or another process, holds {@code home}'s lock.
   *
   * <p>This never creates or writes the {@code LOCK} file: it opens an existing one read-only and
   * probes it with a shared, non-blocking lock that is released at once. A home without a
   * {@code LOCK} file is not in use.
   *
   * @param home the home
   * @return whether the home is in use, and by which process where that is known
   * @throws StorageException if the {@code LOCK} file cannot be read
   */
  public static LockStatus lockStatus(TidalHome home) {
    HomeLock.Holder holder = HomeLock.probe(home);
    return new LockStatus(holder.inUse(), holder.ownerPid());
  }

  /**
   * Why the write-ahead log directory cannot be {@code home}'s own, if it cannot: it holds no log
   * segment and no {@code checkpoint.meta}, yet the home shows it had a log (a ledger snapshot past
   * sequence 0, or a {@code SCHEMA} while the WAL directory lacks the {@code LOCK} every open leaves
   * there). {@code TidalDb.open()} refuses such a home. Reads both directories; writes nothing.
   *
   * @param home the home
   * @return what is wrong, naming both directories and what to do; empty if the WAL directory may be
   *     the home's own
   * @throws StorageException if a directory cannot be read
   */
  public static Optional<String> missingLog(TidalHome home) {
    return HomeOpening.missingLog(home);
  }
}

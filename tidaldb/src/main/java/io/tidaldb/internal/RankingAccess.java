package io.tidaldb.internal;

import io.tidaldb.TidalDb;
import io.tidaldb.signal.RankingStats;
import java.util.function.Function;

/**
 * Lets the metrics binder reach a database's ranking counters, which {@code TidalDb} does not
 * publish: {@code TidalDb} installs the accessor when its class is initialised.
 *
 * <p>Not API: the {@code io.tidaldb.internal} package may change in any release.
 */
public final class RankingAccess {

  private static volatile Function<TidalDb, RankingStats> accessor;

  private RankingAccess() {}

  /**
   * Installs the accessor; only the first call counts.
   *
   * @param access reads a database's ranking counters
   */
  public static synchronized void install(Function<TidalDb, RankingStats> access) {
    if (accessor == null) {
      accessor = access;
    }
  }

  /**
   * The ranking counters of {@code db}.
   *
   * @param db an open database
   * @return its counters
   */
  public static RankingStats of(TidalDb db) {
    return accessor.apply(db);
  }
}

package io.tidaldb.signal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Ranking queries per profile name: how many, and their total time. The meters of ranking read it;
 * a binder learns of each new profile name through {@link #onNewProfile}. Not API.
 */
public final class RankingStats {

  private final Map<String, Totals> byProfile = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  private static final class Totals {
    final LongAdder queries = new LongAdder();
    final LongAdder nanos = new LongAdder();
  }

  void record(String profile, long nanos) {
    Totals totals = byProfile.get(profile);
    if (totals == null) {
      Totals fresh = new Totals();
      totals = byProfile.putIfAbsent(profile, fresh);
      if (totals == null) {
        totals = fresh;
        listeners.forEach(listener -> listener.accept(profile));
      }
    }
    totals.queries.increment();
    totals.nanos.add(nanos);
  }

  /** {@return the profile names queried so far} */
  public Set<String> profiles() {
    return Set.copyOf(byProfile.keySet());
  }

  /** {@return the queries answered for the profile name} */
  public long queries(String profile) {
    Totals totals = byProfile.get(profile);
    return totals == null ? 0 : totals.queries.sum();
  }

  /** {@return the total time of the profile's queries, in nanoseconds} */
  public long nanos(String profile) {
    Totals totals = byProfile.get(profile);
    return totals == null ? 0 : totals.nanos.sum();
  }

  /**
   * Calls {@code listener} with each profile name queried for the first time from now on (on the
   * querying thread). Names queried before are in {@link #profiles()}.
   *
   * @return removes the listener
   */
  public Runnable onNewProfile(Consumer<String> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}

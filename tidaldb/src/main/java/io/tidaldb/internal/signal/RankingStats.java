package io.tidaldb.internal.signal;

import io.tidaldb.internal.LatencyRecorder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Ranking queries per profile name: how many, their total time, and each one's time as it is
 * measured ({@link #latency}). The meters of ranking read it;
 * a binder learns of each new profile name through {@link #onNewProfile}. Not API.
 */
public final class RankingStats {

  private final Map<String, Totals> byProfile = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  private static final class Totals {
    final LongAdder queries = new LongAdder();
    final LongAdder nanos = new LongAdder();
    final LatencyRecorder latency = new LatencyRecorder();
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
    totals.latency.record(nanos);
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
   * Where the profile's query times are reported as they happen: the binder subscribes a timer when
   * it learns of the name, before the query that taught it is recorded.
   *
   * @param profile a name from {@link #profiles()} or given to an {@link #onNewProfile} listener
   * @return the profile's recorder
   * @throws IllegalArgumentException if the profile was never queried
   */
  public LatencyRecorder latency(String profile) {
    Totals totals = byProfile.get(profile);
    if (totals == null) {
      throw new IllegalArgumentException("no ranking query used the profile name \"" + profile + "\" yet");
    }
    return totals.latency;
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

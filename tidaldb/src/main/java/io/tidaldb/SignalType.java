package io.tidaldb;

import io.tidaldb.internal.signal.SignalEngine;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntToLongFunction;

/**
 * A handle on one signal of an open database, for the hot path: the signal's name is resolved once,
 * when the handle is made, instead of on every call.
 *
 * <pre>{@code
 * SignalType view = db.signalType("view");
 * for (Event e : events) {
 *   view.record(e.itemId(), 1.0, e.time());
 * }
 * double[] scores = new double[candidates.length];
 * view.decayScores(candidates, Instant.now(), scores);
 * }</pre>
 *
 * <p>Each method behaves exactly like the {@link TidalDb} method of the same meaning with this
 * signal's name. A handle is thread-safe, and valid as long as its database is open: after
 * {@link TidalDb#close()} every method throws {@link DatabaseClosedException}.
 */
public final class SignalType {

  private final TidalDb db;
  private final SignalEngine engine;
  private final SignalSpec spec;
  private final RankingProfile profile;

  SignalType(TidalDb db, SignalEngine engine, SignalSpec spec) {
    this.db = db;
    this.engine = engine;
    this.spec = spec;
    this.profile = RankingProfile.decayScore(spec.name());
  }

  /** {@return the signal's name} */
  public String name() {
    return spec.name();
  }

  /** {@return the signal type id the write-ahead log stores for this signal} */
  public int id() {
    return spec.id();
  }

  /** {@return the signal's declaration} */
  public SignalSpec spec() {
    return spec;
  }

  /**
   * Records an event, like {@link TidalDb#signal(String, long, double, Instant)}.
   *
   * @param entityId the entity the event is about
   * @param weight finite, fits a float, not negative unless the signal allows it
   * @param at when the event happened, at most {@link TidalDbBuilder#maxFutureSkew(java.time.Duration)}
   *     ahead of the database's clock
   * @return the event's sequence number
   * @throws InvalidSignalException if the weight or time cannot be stored, or the time is too far ahead
   *     of the clock; nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws IllegalStateException if called on the log's writer thread
   */
  public long record(long entityId, double weight, Instant at) {
    db.requireOpen();
    return engine.record(spec, entityId, weight, at);
  }

  /**
   * Records an event without waiting for the log, like
   * {@link TidalDb#signalAsync(String, long, double, Instant)}.
   *
   * @param entityId the entity the event is about
   * @param weight finite, fits a float, not negative unless the signal allows it
   * @param at when the event happened, at most {@link TidalDbBuilder#maxFutureSkew(java.time.Duration)}
   *     ahead of the database's clock
   * @return the future sequence number
   * @throws InvalidSignalException if the weight or time cannot be stored, or the time is too far ahead
   *     of the clock; nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws IllegalStateException if called on the log's writer thread, from an action chained on a
   *     write's future without an executor
   */
  public CompletableFuture<Long> recordAsync(long entityId, double weight, Instant at) {
    db.requireOpen();
    return engine.recordAsync(spec, entityId, weight, at);
  }

  /**
   * Records many events of this signal atomically: all in one log batch frame (after a crash all of
   * them are there or none), with one fsync under {@link Durability#SYNC}, then in the ledger. Every
   * event is checked first, as {@link #record} checks one; if any is refused, nothing is written.
   * Element {@code i} of each array is one event; they get consecutive sequence numbers. For events
   * of several signals, or with a source position, use {@link SignalBatch}.
   *
   * <pre>{@code
   * long first = view.recordAll(itemIds, weights, epochNanos);   // itemIds[i] got sequence first + i
   * }</pre>
   *
   * @param entityIds the entities, 1 to {@link SignalBatch#MAX_EVENTS}
   * @param weights the weights: finite, fit a float, not negative unless the signal allows it
   * @param epochNanos the events' times in nanoseconds since 1970-01-01T00:00:00Z, at most
   *     {@link TidalDbBuilder#maxFutureSkew(java.time.Duration)} ahead of the database's clock
   * @return the sequence number of the first event
   * @throws InvalidSignalException if an array is null, the lengths differ, there are no events or
   *     more than {@link SignalBatch#MAX_EVENTS}, or an event's weight or time is refused (the message
   *     names its index); nothing was written
   * @throws DatabaseClosedException if the database is closed
   * @throws StorageException if the log cannot be written (it then refuses further writes; reopen)
   * @throws IllegalStateException if called on the log's writer thread
   */
  public long recordAll(long[] entityIds, double[] weights, long[] epochNanos) {
    db.requireOpen();
    int n = checkedLength(entityIds, weights, epochNanos == null ? -1 : epochNanos.length, "epochNanos");
    return checkAndRecord(entityIds, weights, n, i -> engine.groups().checkedTime(spec, epochNanos[i]));
  }

  /**
   * {@link #recordAll(long[], double[], long[])} with the times as {@code Instant}s.
   *
   * @param entityIds the entities, 1 to {@link SignalBatch#MAX_EVENTS}
   * @param weights the weights: finite, fit a float, not negative unless the signal allows it
   * @param times the events' times, as for {@link #record}
   * @return the sequence number of the first event
   * @throws InvalidSignalException as for {@link #recordAll(long[], double[], long[])}; nothing was
   *     written
   * @throws DatabaseClosedException if the database is closed
   * @throws StorageException if the log cannot be written (it then refuses further writes; reopen)
   * @throws IllegalStateException if called on the log's writer thread
   */
  public long recordAll(long[] entityIds, double[] weights, Instant[] times) {
    db.requireOpen();
    int n = checkedLength(entityIds, weights, times == null ? -1 : times.length, "times");
    return checkAndRecord(entityIds, weights, n, i -> engine.groups().checkedTime(spec, times[i]));
  }

  /** Checks every event (weight, and the time {@code checkedTime} gives for its index) before writing any. */
  private long checkAndRecord(long[] entityIds, double[] weights, int n, IntToLongFunction checkedTime) {
    float[] stored = new float[n];
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      try {
        stored[i] = engine.groups().checkedWeight(spec, weights[i]);
        nanos[i] = checkedTime.applyAsLong(i);
      } catch (InvalidSignalException e) {
        throw new InvalidSignalException("recordAll(...): event " + i + " of " + n + ": " + e.getMessage()
            + "; nothing was written");
      }
    }
    return recordChecked(entityIds, stored, nanos, n);
  }

  private int checkedLength(long[] entityIds, double[] weights, int times, String timesName) {
    if (entityIds == null || weights == null || times < 0) {
      throw new InvalidSignalException("recordAll(" + (entityIds == null ? "null" : "entityIds") + ", "
          + (weights == null ? "null" : "weights") + ", " + (times < 0 ? "null" : timesName) + ") for signal \""
          + spec.name() + "\": give three arrays of the same length");
    }
    int n = entityIds.length;
    if (weights.length != n || times != n) {
      throw new InvalidSignalException("recordAll(...) for signal \"" + spec.name() + "\": the arrays differ in length"
          + " (entityIds " + n + ", weights " + weights.length + ", " + timesName + " " + times + "); element i of"
          + " each is one event");
    }
    if (n == 0 || n > SignalBatch.MAX_EVENTS) {
      throw new InvalidSignalException("recordAll(...) for signal \"" + spec.name() + "\" with " + n + " events: one"
          + " atomic write takes 1 to " + SignalBatch.MAX_EVENTS + " events; split larger ones");
    }
    return n;
  }

  private long recordChecked(long[] entityIds, float[] weights, long[] nanos, int n) {
    int[] types = new int[n];
    java.util.Arrays.fill(types, spec.id());
    return engine.groups().recordGroup(entityIds, types, weights, nanos, n, -1);
  }

  /** Whether this handle was made by {@code other}. */
  boolean belongsTo(TidalDb other) {
    return db == other;
  }

  /**
   * The entity's decayed score, like {@link TidalDb#decayScore(String, long, Instant)}.
   *
   * @param entityId the entity
   * @param at the time to read at
   * @return the score; 0 for an entity never recorded
   * @throws InvalidSignalException if the time cannot be represented
   * @throws DatabaseClosedException if the database is closed
   */
  public double decayScore(long entityId, Instant at) {
    db.requireOpen();
    return engine.reads().decayScore(spec, entityId, at);
  }

  /**
   * The decayed scores of many entities, like
   * {@link TidalDb#decayScores(String, long[], Instant, double[])}.
   *
   * @param entityIds the entities
   * @param at the time to read at
   * @param out receives the score of {@code entityIds[i]} at index {@code i}
   * @throws InvalidSignalException if the time cannot be represented or {@code out} is too short
   * @throws DatabaseClosedException if the database is closed
   */
  public void decayScores(long[] entityIds, Instant at, double[] out) {
    db.requireOpen();
    engine.reads().decayScores(spec, entityIds, at, out);
  }

  /**
   * The entity's events in a window ending now, like
   * {@link TidalDb#windowCount(String, long, Window)}.
   *
   * @param entityId the entity
   * @param window a window the signal declares
   * @return the number of events
   * @throws InvalidSignalException if the signal does not count {@code window}
   * @throws DatabaseClosedException if the database is closed
   */
  public long windowCount(long entityId, Window window) {
    db.requireOpen();
    return engine.reads().windowCount(spec, entityId, window);
  }

  /**
   * The entity's events per second over a window ending now, like
   * {@link TidalDb#velocity(String, long, Window)}.
   *
   * @param entityId the entity
   * @param window a bounded window the signal declares
   * @return events per second
   * @throws InvalidSignalException if the signal does not offer velocity or does not count {@code window}
   * @throws DatabaseClosedException if the database is closed
   */
  public double velocity(long entityId, Window window) {
    db.requireOpen();
    return engine.reads().velocity(spec, entityId, window);
  }

  /**
   * The {@code k} entities with the highest decayed score of this signal at {@code at}, best first,
   * like {@link TidalDb#top(String, int, Instant)}.
   *
   * @param k how many entities to return, at least 1
   * @param at the time to score at
   * @return the best entities, best first
   * @throws InvalidSignalException if {@code k < 1} or the time cannot be represented
   * @throws DatabaseClosedException if the database is closed
   */
  public List<ScoredEntity> top(int k, Instant at) {
    db.requireOpen();
    return engine.reads().top(profile, k, at, null);
  }

  @Override
  public String toString() {
    return "SignalType[" + spec.name() + ", id " + spec.id() + "]";
  }
}

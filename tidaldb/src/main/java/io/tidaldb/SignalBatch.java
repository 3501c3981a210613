package io.tidaldb;

import io.tidaldb.internal.signal.SignalEngine;
import io.tidaldb.wal.WalConfig;
import java.time.Instant;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Events of any signals of one database, written together by {@link TidalDb#write(SignalBatch)}:
 * atomically (after a crash all of them are there, or none), with one log write and, under
 * {@link Durability#SYNC}, one fsync. Optionally it carries a <b>source position</b>: the position
 * in an upstream log (such as a Kafka offset) that the batch brings the home to, read back with
 * {@link TidalDb#sourcePosition()} after a restart or a crash.
 *
 * <pre>{@code
 * SignalBatch batch = db.newBatch();
 * for (ConsumerRecord<byte[], byte[]> r : records) {
 *   batch.add("view", entityOf(r), 1.0, Instant.ofEpochMilli(r.timestamp()));
 * }
 * batch.sourcePosition(lastOffset + 1);      // optional
 * long first = db.write(batch);              // durable, atomic
 * batch.clear();                             // reuse it for the next one
 * }</pre>
 *
 * <p>Each {@code add} checks its event as {@link TidalDb#signal} does (the signal is declared, the
 * weight finite and storable, the time from 1970 on and within {@code maxFutureSkew} of the clock)
 * and throws {@link InvalidSignalException} without changing the batch; so a batch that reaches
 * {@code write} holds only events that can be written. A batch holds at most {@link #MAX_EVENTS}
 * events: what one batch frame of the log takes, with room for the position marker.
 *
 * <p>A batch belongs to the database that made it. It is not thread-safe: fill and write it from
 * one thread at a time. Its arrays grow as it fills and are kept by {@link #clear()}, so a reused
 * batch allocates nothing.
 */
public final class SignalBatch {

  /**
   * The most events one batch holds: one batch frame of the write-ahead log
   * ({@link WalConfig#DEFAULT_MAX_BATCH_EVENTS} entries) less one for the source-position marker.
   */
  public static final int MAX_EVENTS = WalConfig.DEFAULT_MAX_BATCH_EVENTS - 1;

  private static final int INITIAL = 64;

  private final TidalDb db;
  private final SignalEngine engine;
  // One element more than the events, for the source-position marker the engine puts last.
  private long[] entityIds = new long[INITIAL + 1];
  private int[] typeIds = new int[INITIAL + 1];
  private float[] weights = new float[INITIAL + 1];
  private long[] nanos = new long[INITIAL + 1];
  private int size;
  private long position = -1;

  SignalBatch(TidalDb db, SignalEngine engine) {
    this.db = db;
    this.engine = engine;
  }

  /**
   * Adds an event of the signal called {@code signal}.
   *
   * @param signal a signal the schema declares
   * @param entityId the entity the event is about
   * @param weight finite, fits a float, not negative unless the signal allows it
   * @param at when the event happened, as for {@link TidalDb#signal}
   * @return this batch
   * @throws InvalidSignalException if the signal is unknown, the weight or time cannot be stored, or
   *     the batch is full; the batch is unchanged
   */
  public SignalBatch add(String signal, long entityId, double weight, Instant at) {
    SignalSpec spec = engine.spec(signal);
    return put(spec, entityId, engine.groups().checkedWeight(spec, weight), engine.groups().checkedTime(spec, at));
  }

  /**
   * Adds an event of the signal called {@code signal}, its time in nanoseconds since the epoch.
   *
   * @param signal a signal the schema declares
   * @param entityId the entity the event is about
   * @param weight finite, fits a float, not negative unless the signal allows it
   * @param epochNanos when the event happened, in nanoseconds since 1970-01-01T00:00:00Z
   * @return this batch
   * @throws InvalidSignalException if the signal is unknown, the weight or time cannot be stored, or
   *     the batch is full; the batch is unchanged
   */
  public SignalBatch add(String signal, long entityId, double weight, long epochNanos) {
    SignalSpec spec = engine.spec(signal);
    return put(spec, entityId, engine.groups().checkedWeight(spec, weight), engine.groups().checkedTime(spec, epochNanos));
  }

  /**
   * Adds an event of a signal given by its handle (no lookup by name).
   *
   * @param signal a handle of this batch's database
   * @param entityId the entity the event is about
   * @param weight finite, fits a float, not negative unless the signal allows it
   * @param at when the event happened, as for {@link TidalDb#signal}
   * @return this batch
   * @throws InvalidSignalException if the handle is another database's, the weight or time cannot be
   *     stored, or the batch is full; the batch is unchanged
   */
  public SignalBatch add(SignalType signal, long entityId, double weight, Instant at) {
    SignalSpec spec = own(signal);
    return put(spec, entityId, engine.groups().checkedWeight(spec, weight), engine.groups().checkedTime(spec, at));
  }

  /**
   * Adds an event of a signal given by its handle, its time in nanoseconds since the epoch.
   *
   * @param signal a handle of this batch's database
   * @param entityId the entity the event is about
   * @param weight finite, fits a float, not negative unless the signal allows it
   * @param epochNanos when the event happened, in nanoseconds since 1970-01-01T00:00:00Z
   * @return this batch
   * @throws InvalidSignalException if the handle is another database's, the weight or time cannot be
   *     stored, or the batch is full; the batch is unchanged
   */
  public SignalBatch add(SignalType signal, long entityId, double weight, long epochNanos) {
    SignalSpec spec = own(signal);
    return put(spec, entityId, engine.groups().checkedWeight(spec, weight), engine.groups().checkedTime(spec, epochNanos));
  }

  /**
   * Sets the upstream position this batch brings the home to (for example the next Kafka offset to
   * consume). After {@link TidalDb#write} returns, {@link TidalDb#sourcePosition()} answers it, also
   * after a restart or a crash. Positions need not grow: the last batch written wins.
   *
   * @param position at least 0
   * @return this batch
   * @throws InvalidSignalException if {@code position} is negative
   */
  public SignalBatch sourcePosition(long position) {
    if (position < 0) {
      throw new InvalidSignalException("sourcePosition(" + position + "): a source position is at least 0");
    }
    this.position = position;
    return this;
  }

  /** {@return the source position set on this batch, if one is} */
  public OptionalLong sourcePosition() {
    return position < 0 ? OptionalLong.empty() : OptionalLong.of(position);
  }

  /** {@return how many events the batch holds} */
  public int size() {
    return size;
  }

  /** {@return whether the batch holds no event} */
  public boolean isEmpty() {
    return size == 0;
  }

  /**
   * Empties the batch and forgets its source position, keeping its arrays for reuse.
   *
   * @return this batch
   */
  public SignalBatch clear() {
    size = 0;
    position = -1;
    return this;
  }

  /** Writes this batch into its engine; {@link TidalDb#write} checks the database first. */
  long writeTo(TidalDb target) {
    if (target != db) {
      throw new InvalidSignalException("this SignalBatch was made by another database (" + db + "); make batches"
          + " with newBatch() of the database that writes them");
    }
    return engine.groups().recordGroup(entityIds, typeIds, weights, nanos, size, position);
  }

  /** Writes this batch into its engine without waiting; {@link TidalDb#writeAsync} checks the database first. */
  java.util.concurrent.CompletableFuture<Long> writeAsyncTo(TidalDb target) {
    if (target != db) {
      throw new InvalidSignalException("this SignalBatch was made by another database (" + db + "); make batches"
          + " with newBatch() of the database that writes them");
    }
    return engine.groups().recordGroupAsync(entityIds, typeIds, weights, nanos, size, position);
  }

  private SignalSpec own(SignalType signal) {
    if (signal == null) {
      throw new InvalidSignalException("the signal handle is null; get one with db.signalType(name)");
    }
    if (!signal.belongsTo(db)) {
      throw new InvalidSignalException("the signal handle " + signal + " belongs to another database; use"
          + " signalType(name) of the database this batch was made by");
    }
    return signal.spec();
  }

  private SignalBatch put(SignalSpec spec, long entityId, float weight, long epochNanos) {
    if (size == MAX_EVENTS) {
      throw new InvalidSignalException("the batch holds " + MAX_EVENTS + " events, the most one atomic write takes:"
          + " write it (db.write(batch)), clear it, and go on");
    }
    if (size + 1 == entityIds.length) {
      int length = (int) Math.min((long) entityIds.length * 2, MAX_EVENTS + 1);
      entityIds = Arrays.copyOf(entityIds, length);
      typeIds = Arrays.copyOf(typeIds, length);
      weights = Arrays.copyOf(weights, length);
      nanos = Arrays.copyOf(nanos, length);
    }
    entityIds[size] = entityId;
    typeIds[size] = spec.id();
    weights[size] = weight;
    nanos[size] = epochNanos;
    size++;
    return this;
  }

  @Override
  public String toString() {
    return "SignalBatch[" + size + " events" + (position < 0 ? "" : ", source position " + position) + "]";
  }
}

package io.tidaldb.bench.peers;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The one event stream every engine of the comparison writes: a skewed choice of items (a few are
 * hot, most are not), three signal types, unit weights, timestamps one millisecond apart.
 */
final class EventStream {

  static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  static final String[] SIGNALS = {"view", "like", "share"};
  static final int ITEMS = 100_000;

  /** The same three signals for tidalDB: exponential decay, every window, velocity. */
  static final Schema SCHEMA = schema();

  private final SplittableRandom random;
  private final long writer;
  private long n;

  long entityId;
  int signalTypeId;
  float weight;
  long timestampNanos;

  /**
   * The stream of one writer thread: writers draw different events and RocksDB keys that never
   * collide.
   *
   * @param writer the thread's number, from 0
   */
  EventStream(int writer) {
    this.random = new SplittableRandom(42 + writer);
    this.writer = writer;
  }

  /** Moves to the next event. */
  void next() {
    n++;
    // Squaring a uniform draw skews it toward low ids: item 0 is the most popular.
    double u = random.nextDouble();
    entityId = (long) (u * u * ITEMS);
    signalTypeId = random.nextInt(10) < 8 ? 0 : random.nextInt(2) + 1;
    weight = 1.0f;
    timestampNanos = START.getEpochSecond() * 1_000_000_000L + n * 1_000_000L;
  }

  /**
   * Moves through the next {@code ids.length} events, putting their ids, weights and times in the
   * arrays (their signal is not kept: a {@code recordAll} batch is all of one signal).
   */
  private void nextBatch(long[] ids, double[] weights, long[] times) {
    for (int i = 0; i < ids.length; i++) {
      next();
      ids[i] = entityId;
      weights[i] = weight;
      times[i] = timestampNanos;
    }
  }

  /** Moves to the next event and records it through its signal's handle in {@code handles} ({@link #handles}); {@return its sequence} */
  long recordNext(SignalType[] handles) {
    next();
    return handles[signalTypeId].record(entityId, weight, at());
  }

  /**
   * Records the next {@code ids.length} events as one {@code recordAll} of {@code signal}, filling the
   * arrays with them ({@link #nextBatch}); {@return the first event's sequence}
   */
  long recordNextBatch(SignalType signal, long[] ids, double[] weights, long[] times) {
    nextBatch(ids, weights, times);
    return signal.recordAll(ids, weights, times);
  }

  Instant at() {
    return Instant.ofEpochSecond(0, timestampNanos);
  }

  /** The event as RocksDB stores it: the same 24 bytes as a WAL event. */
  byte[] value() {
    return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(entityId).putShort((short) signalTypeId).putShort((short) 0)
        .putFloat(weight).putLong(timestampNanos).array();
  }

  /** A log-like key: the writer in the top 16 bits, then the event's number; big-endian, so a writer's keys sort in write order. */
  byte[] key() {
    return ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(writer << 48 | n).array();
  }

  private static Schema schema() {
    Schema.Builder builder = Schema.builder();
    for (String name : SIGNALS) {
      builder.signal(name, EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME)
          .velocity(true)
          .add();
    }
    return builder.build();
  }

  /** {@return {@code db}'s handles of {@link #SIGNALS}, indexed as {@code signalTypeId}} */
  static SignalType[] handles(TidalDb db) {
    SignalType[] handles = new SignalType[SIGNALS.length];
    for (int i = 0; i < handles.length; i++) {
      handles[i] = db.signalType(SIGNALS[i]);
    }
    return handles;
  }
}

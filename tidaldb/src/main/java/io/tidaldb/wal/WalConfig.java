package io.tidaldb.wal;

import io.tidaldb.ConfigException;
import io.tidaldb.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The settings of a {@link Wal}.
 *
 * <pre>{@code
 * WalConfig defaults = WalConfig.of(home.wal());
 * WalConfig tuned = WalConfig.builder(home.wal())
 *     .segmentSize(64L << 20)
 *     .durability(Durability.interval(Duration.ofMillis(20)))
 *     .maxBatchEvents(8192)
 *     .maxBatchDelay(Duration.ZERO)
 *     .corruptionPolicy(CorruptionPolicy.FAIL)
 *     .fsyncListener(nanos -> fsyncTimer.record(nanos, TimeUnit.NANOSECONDS))
 *     .build();
 * }</pre>
 *
 * <p>Every setting is checked when it is given; a bad one fails with a {@link ConfigException}
 * naming the setting and the value.
 *
 * @param dir the WAL directory; {@link Wal#open(WalConfig)} creates it if missing
 * @param segmentSize the size at which a segment is closed and the next one started, in bytes
 * @param durability when an append counts as done
 * @param maxBatchEvents the most events written (and fsynced) as one batch
 * @param maxBatchDelay how long the writer waits for a batch to fill before writing it
 * @param corruptionPolicy what opening does with corruption that is not a torn tail
 * @param clock the source of batch and checkpoint timestamps
 * @param fsyncListener told the duration of every fsync of a segment, in nanoseconds
 */
public record WalConfig(
    Path dir,
    long segmentSize,
    Durability durability,
    int maxBatchEvents,
    Duration maxBatchDelay,
    CorruptionPolicy corruptionPolicy,
    Clock clock,
    LongConsumer fsyncListener) {

  /** The default segment size: 16 MiB. */
  public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;
  /** The smallest segment size accepted: 1 KiB (small logs for tests and demos). */
  public static final long MIN_SEGMENT_SIZE = 1L << 10;
  /** The largest segment size accepted: 1 GiB. */
  public static final long MAX_SEGMENT_SIZE = 1L << 30;
  /**
   * The default batch limit: 65536 events (1.5 MiB of payload). An fsync costs nearly the same for
   * 4 KiB and for 1.5 MiB, so a pipelining producer gets its throughput from large batches; a log
   * that never fills them never allocates for them.
   */
  public static final int DEFAULT_MAX_BATCH_EVENTS = 65_536;
  /** The largest batch limit accepted: 1,048,576 events. */
  public static final int MAX_MAX_BATCH_EVENTS = 1 << 20;
  /**
   * The default batch delay: none. The writer writes what is queued as soon as it is free, and
   * batches form by themselves while an fsync is in flight (group commit); waiting on purpose only
   * slows a lone writer down.
   */
  public static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ZERO;
  /** The longest batch delay accepted: one second. */
  public static final Duration MAX_MAX_BATCH_DELAY = Duration.ofSeconds(1);

  /**
   * Checks every setting.
   *
   * @param dir the WAL directory; {@link Wal#open(WalConfig)} creates it if missing
   * @param segmentSize the size at which a segment is closed and the next one started, in bytes
   * @param durability when an append counts as done
   * @param maxBatchEvents the most events written (and fsynced) as one batch
   * @param maxBatchDelay how long the writer waits for a batch to fill before writing it
   * @param corruptionPolicy what opening does with corruption that is not a torn tail
   * @param clock the source of batch and checkpoint timestamps
   * @param fsyncListener told the duration of every fsync of a segment, in nanoseconds
   */
  public WalConfig {
    if (dir == null) {
      throw new ConfigException("WalConfig dir(null): give the WAL directory, such as home.wal()");
    }
    checkSegmentSize(segmentSize);
    if (durability == null) {
      throw new ConfigException("durability(null): give Durability.SYNC or Durability.interval(Duration)");
    }
    checkMaxBatchEvents(maxBatchEvents);
    checkMaxBatchDelay(maxBatchDelay);
    if (corruptionPolicy == null) {
      throw new ConfigException("corruptionPolicy(null): give CorruptionPolicy.FAIL or CorruptionPolicy.TRUNCATE");
    }
    if (clock == null) {
      throw new ConfigException("clock(null): give a Clock, such as Clock.systemUTC()");
    }
    if (fsyncListener == null) {
      throw new ConfigException("fsyncListener(null): give a LongConsumer, or leave the setting out");
    }
  }

  /**
   * The defaults: 16 MiB segments, {@link Durability#SYNC}, batches of up to 65536 events written
   * without delay, {@link CorruptionPolicy#FAIL}, the system clock.
   *
   * @param dir the WAL directory
   * @return the settings
   * @throws ConfigException if {@code dir} is null
   */
  public static WalConfig of(Path dir) {
    return builder(dir).build();
  }

  /**
   * Starts from the defaults of {@link #of(Path)}.
   *
   * @param dir the WAL directory
   * @return a builder
   * @throws ConfigException if {@code dir} is null
   */
  public static Builder builder(Path dir) {
    if (dir == null) {
      throw new ConfigException("WalConfig.builder(null): give the WAL directory, such as home.wal()");
    }
    return new Builder(dir);
  }

  private static void checkSegmentSize(long bytes) {
    if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE) {
      throw new ConfigException("segmentSize(" + bytes + "): a segment is between " + MIN_SEGMENT_SIZE + " and "
          + MAX_SEGMENT_SIZE + " bytes");
    }
  }

  private static void checkMaxBatchEvents(int events) {
    if (events < 1 || events > MAX_MAX_BATCH_EVENTS) {
      throw new ConfigException("maxBatchEvents(" + events + "): a batch holds between 1 and " + MAX_MAX_BATCH_EVENTS
          + " events");
    }
  }

  private static void checkMaxBatchDelay(Duration delay) {
    if (delay == null) {
      throw new ConfigException("maxBatchDelay(null): give a Duration, such as Duration.ZERO");
    }
    if (delay.isNegative() || delay.compareTo(MAX_MAX_BATCH_DELAY) > 0) {
      throw new ConfigException("maxBatchDelay(" + delay + "): the delay is between 0 and " + MAX_MAX_BATCH_DELAY);
    }
  }

  /** The most events one batch holds here: the setting, or fewer if a segment is too small for it. */
  int effectiveBatchEvents() {
    long room = (segmentSize - WalFormat.SEGMENT_HEADER_SIZE - WalFormat.BATCH_HEADER_SIZE) / WalFormat.EVENT_SIZE;
    return (int) Math.min(maxBatchEvents, room);
  }

  /**
   * Builds a {@link WalConfig}. Each setting may be given once; each is checked when given.
   */
  public static final class Builder {
    private final Path dir;
    private final Set<String> given = new HashSet<>();
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private Durability durability = Durability.SYNC;
    private int maxBatchEvents = DEFAULT_MAX_BATCH_EVENTS;
    private Duration maxBatchDelay = DEFAULT_MAX_BATCH_DELAY;
    private CorruptionPolicy corruptionPolicy = CorruptionPolicy.FAIL;
    private Clock clock = Clock.systemUTC();
    private LongConsumer fsyncListener = nanos -> { };

    private Builder(Path dir) {
      this.dir = dir;
    }

    private void once(String setting, Object value) {
      if (!given.add(setting)) {
        throw new ConfigException(setting + "(" + value + "): " + setting + " is already set; give each setting once");
      }
    }

    /**
     * The size at which a segment is closed and the next started.
     *
     * @param bytes between 1 KiB and 1 GiB; default 16 MiB
     * @return this builder
     * @throws ConfigException if out of range or already set
     */
    public Builder segmentSize(long bytes) {
      checkSegmentSize(bytes);
      once("segmentSize", bytes);
      this.segmentSize = bytes;
      return this;
    }

    /**
     * When an append counts as done: {@link Durability#SYNC} (after fsync; the default) or
     * {@link Durability#interval(Duration)} (after the write, with an fsync at least every interval).
     *
     * @param durability the mode
     * @return this builder
     * @throws ConfigException if null or already set
     */
    public Builder durability(Durability durability) {
      if (durability == null) {
        throw new ConfigException("durability(null): give Durability.SYNC or Durability.interval(Duration)");
      }
      once("durability", durability);
      this.durability = durability;
      return this;
    }

    /**
     * The most events written as one batch (one write, and under {@code SYNC} one fsync). Appenders
     * wait while a full batch is queued behind the one being written.
     *
     * @param events between 1 and 1,048,576; default 65536
     * @return this builder
     * @throws ConfigException if out of range or already set
     */
    public Builder maxBatchEvents(int events) {
      checkMaxBatchEvents(events);
      once("maxBatchEvents", events);
      this.maxBatchEvents = events;
      return this;
    }

    /**
     * How long the writer, once the first event of a batch is queued, waits for the batch to fill
     * before writing it. A batch closes when it is full or when this delay has passed.
     *
     * @param delay between 0 and 1 s; default 0 (write as soon as the writer is free)
     * @return this builder
     * @throws ConfigException if null, out of range or already set
     */
    public Builder maxBatchDelay(Duration delay) {
      checkMaxBatchDelay(delay);
      once("maxBatchDelay", delay);
      this.maxBatchDelay = delay;
      return this;
    }

    /**
     * What opening does with corruption that is not a torn tail.
     *
     * @param policy {@link CorruptionPolicy#FAIL} (the default) or {@link CorruptionPolicy#TRUNCATE}
     * @return this builder
     * @throws ConfigException if null or already set
     */
    public Builder corruptionPolicy(CorruptionPolicy policy) {
      if (policy == null) {
        throw new ConfigException("corruptionPolicy(null): give CorruptionPolicy.FAIL or CorruptionPolicy.TRUNCATE");
      }
      once("corruptionPolicy", policy);
      this.corruptionPolicy = policy;
      return this;
    }

    /**
     * The source of the timestamps written into batch headers and {@code checkpoint.meta}.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     * @return this builder
     * @throws ConfigException if null or already set
     */
    public Builder clock(Clock clock) {
      if (clock == null) {
        throw new ConfigException("clock(null): give a Clock, such as Clock.systemUTC()");
      }
      once("clock", clock);
      this.clock = clock;
      return this;
    }

    /**
     * Told how long each fsync of a segment took, in nanoseconds, right after it, on the thread that
     * fsynced (the writer thread or a blocking appender), one call at a time: keep it cheap (a Micrometer {@code Timer.record} is fine). An exception it throws is logged
     * and otherwise ignored.
     *
     * @param listener the listener; by default none
     * @return this builder
     * @throws ConfigException if null or already set
     */
    public Builder fsyncListener(LongConsumer listener) {
      if (listener == null) {
        throw new ConfigException("fsyncListener(null): give a LongConsumer, or leave the setting out");
      }
      once("fsyncListener", listener);
      this.fsyncListener = listener;
      return this;
    }

    /**
     * The settings.
     *
     * @return a new {@link WalConfig}
     */
    public WalConfig build() {
      return new WalConfig(dir, segmentSize, durability, maxBatchEvents, maxBatchDelay, corruptionPolicy, clock,
          fsyncListener);
    }
  }

  @Override
  public String toString() {
    return "WalConfig[dir=" + dir + ", segmentSize=" + segmentSize + ", durability=" + durability + ", maxBatchEvents="
        + maxBatchEvents + ", maxBatchDelay=" + maxBatchDelay + ", corruptionPolicy=" + corruptionPolicy + "]";
  }
}

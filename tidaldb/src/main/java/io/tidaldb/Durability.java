package io.tidaldb;

import java.time.Duration;

/**
 * When a write counts as done: after its bytes reach the disk ({@link #SYNC}), or after they reach
 * the operating system, with an fsync at least every interval ({@link #interval(Duration)}).
 *
 * <pre>{@code
 * TidalDb.builder().dataDir(dir).durability(Durability.SYNC).open();                       // default
 * TidalDb.builder().dataDir(dir).durability(Durability.interval(Duration.ofMillis(50))).open();
 * }</pre>
 *
 * <table>
 *   <caption>What each mode survives</caption>
 *   <tr><th>mode</th><th>process killed</th><th>power loss or kernel crash</th></tr>
 *   <tr><td>{@code SYNC}</td><td>nothing acknowledged is lost</td>
 *       <td>nothing acknowledged is lost</td></tr>
 *   <tr><td>{@code interval(d)}</td><td>nothing acknowledged is lost</td>
 *       <td>at most the last {@code d} of acknowledged writes is lost</td></tr>
 * </table>
 */
public sealed interface Durability permits Durability.Sync, Durability.Interval {

  /**
   * Every write returns only after the batch holding it has been fsynced. Concurrent writers share
   * fsyncs (group commit). The default for a persistent home.
   */
  Durability SYNC = new Sync();

  /**
   * Writes return once their bytes are handed to the operating system; a background fsync runs at
   * least every {@code period}.
   *
   * @param period the longest time between two fsyncs; at least one millisecond
   * @return the interval mode
   * @throws ConfigException if {@code period} is null, shorter than a millisecond, or longer than a day
   */
  static Durability interval(Duration period) {
    return new Interval(period);
  }

  /** Every write waits for its fsync. Use {@link Durability#SYNC}. */
  record Sync() implements Durability {
    @Override
    public String toString() {
      return "SYNC";
    }
  }

  /**
   * Writes wait for the operating system, an fsync runs at least every {@code period}.
   *
   * @param period the longest time between two fsyncs
   */
  record Interval(Duration period) implements Durability {
    /**
     * Validates the period.
     *
     * @param period the longest time between two fsyncs
     */
    public Interval {
      if (period == null) {
        throw new ConfigException("Durability.interval(null): give a period such as Duration.ofMillis(50)");
      }
      if (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0) {
        throw new ConfigException("Durability.interval(" + period + "): the period must be between 1 ms and 1 day");
      }
    }

    @Override
    public String toString() {
      return "interval(" + period + ")";
    }
  }
}

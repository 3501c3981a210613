package io.tidaldb;

import java.time.Duration;
import java.util.Optional;

/**
 * A time window over which tidalDB counts a signal's events, relative to "now" by the database's
 * clock ({@link TidalDbBuilder#clock(java.time.Clock)}).
 *
 * <pre>{@code
 * long lastHour = db.windowCount("view", itemId, Window.ONE_HOUR);
 * double perSecond = db.velocity("view", itemId, Window.TWENTY_FOUR_HOURS);
 * }</pre>
 *
 * <p>Windows are made of whole buckets aligned to the epoch (UTC): {@link #ONE_HOUR} is the current
 * minute and the 59 before it; {@link #TWENTY_FOUR_HOURS} and {@link #SEVEN_DAYS} are the current
 * hour and the 23 (or 167) before it. At 10:30:15, the one-hour window covers 09:31:00.000 up to
 * now, and the 24-hour window covers yesterday 11:00:00.000 up to now. {@link #ALL_TIME} counts
 * every event ever recorded.
 */
public enum Window {
  /** The current minute and the 59 minutes before it. */
  ONE_HOUR(Duration.ofHours(1)),
  /** The current hour and the 23 hours before it. */
  TWENTY_FOUR_HOURS(Duration.ofHours(24)),
  /** The current hour and the 167 hours before it. */
  SEVEN_DAYS(Duration.ofDays(7)),
  /**
   * Every event since the entity was first recorded (or since it was last evicted), up to
   * 2^40 - 1 (about 1.1 trillion) events of one entity and signal, where the count stays.
   */
  ALL_TIME(null);

  private final Duration length;

  Window(Duration length) {
    this.length = length;
  }

  /**
   * How long the window is: what {@code velocity} divides by.
   *
   * @return the window's length, or empty for {@link #ALL_TIME}, which has none
   */
  public Optional<Duration> length() {
    return Optional.ofNullable(length);
  }
}

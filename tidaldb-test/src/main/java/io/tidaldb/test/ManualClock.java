package io.tidaldb.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that stands still until a test moves it, for decay and window tests that must not wait.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).schema(schema).open()) {
 *   db.signal("view", 1L, 1.0, clock.instant());
 *   clock.advance(Duration.ofHours(2));
 *   db.windowCount("view", 1L, Window.ONE_HOUR);   // 0
 * }
 * }</pre>
 *
 * <p>Thread-safe: the time is a volatile field.
 */
public final class ManualClock extends Clock {

  private volatile Instant now;

  private ManualClock(Instant now) {
    this.now = Objects.requireNonNull(now, "now");
  }

  /**
   * A clock standing at {@code now}.
   *
   * @param now the initial time
   * @return the clock
   */
  public static ManualClock at(Instant now) {
    return new ManualClock(now);
  }

  /**
   * Moves the clock.
   *
   * @param by how far; may be negative to move it back
   * @return the new time
   */
  public Instant advance(Duration by) {
    now = now.plus(by);
    return now;
  }

  /**
   * Sets the clock.
   *
   * @param to the new time
   */
  public void set(Instant to) {
    now = Objects.requireNonNull(to, "to");
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a ManualClock is always UTC");
  }
}

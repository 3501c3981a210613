package io.tidaldb.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that tests move by hand, so that time passes without sleeping.
 *
 * <pre>{@code
 * TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).open()) {
 *   clock.advance(Duration.ofMillis(1500));
 *   db.uptime();   // PT1.5S
 * }
 * }</pre>
 */
public final class TestClock extends Clock {

  private volatile Instant now;

  private TestClock(Instant now) {
    this.now = now;
  }

  /**
   * A clock that stands at {@code start} until moved.
   *
   * @param start the first instant
   * @return the clock
   */
  public static TestClock at(Instant start) {
    return new TestClock(start);
  }

  /**
   * Moves the clock forward.
   *
   * @param amount how far
   */
  public synchronized void advance(Duration amount) {
    now = now.plus(amount);
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
    throw new UnsupportedOperationException("a TestClock is always UTC");
  }
}

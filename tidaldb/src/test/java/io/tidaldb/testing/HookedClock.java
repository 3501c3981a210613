package io.tidaldb.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock standing still at one instant that runs a test's action on the next call from a chosen
 * thread, to reach into a database's own threads (the WAL's writer, the checkpoint thread) at a
 * known point: tidalDB reads its clock on those threads.
 *
 * <pre>{@code
 * HookedClock clock = HookedClock.at(T0);
 * clock.onNextCallFrom("tidaldb-wal-writer", () -> Thread.currentThread().interrupt());
 * }</pre>
 */
public final class HookedClock extends Clock {

  private record Hook(String threadNamePrefix, Runnable action, boolean every) {}

  private final Instant now;
  private final AtomicReference<Hook> hook = new AtomicReference<>();

  private HookedClock(Instant now) {
    this.now = Objects.requireNonNull(now, "now");
  }

  /**
   * A clock standing at {@code now}, without a hook.
   *
   * @param now the time it always tells
   * @return the clock
   */
  public static HookedClock at(Instant now) {
    return new HookedClock(now);
  }

  /**
   * Runs {@code action} once, on the next call of {@link #instant()} from a thread whose name starts
   * with {@code threadNamePrefix}; calls from other threads pass by.
   *
   * @param threadNamePrefix the start of the thread's name
   * @param action what to run on that thread, before the call returns
   */
  public void onNextCallFrom(String threadNamePrefix, Runnable action) {
    hook.set(new Hook(threadNamePrefix, action, false));
  }

  /**
   * Runs {@code action} on every call of {@link #instant()} from a thread whose name starts with
   * {@code threadNamePrefix}, until another hook replaces it.
   *
   * @param threadNamePrefix the start of the thread's name
   * @param action what to run on that thread, before each call returns
   */
  public void onEveryCallFrom(String threadNamePrefix, Runnable action) {
    hook.set(new Hook(threadNamePrefix, action, true));
  }

  @Override
  public Instant instant() {
    Hook armed = hook.get();
    if (armed != null && Thread.currentThread().getName().startsWith(armed.threadNamePrefix())
        && (armed.every() || hook.compareAndSet(armed, null))) {
      armed.action().run();
    }
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a HookedClock is always UTC");
  }
}

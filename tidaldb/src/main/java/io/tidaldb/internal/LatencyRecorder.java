package io.tidaldb.internal;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Where the database reports one kind of measured time (a write, an fsync, a checkpoint, a ranking
 * query), in nanoseconds, at the point of measurement; the metrics binder subscribes a Micrometer
 * {@code Timer} per registry it binds. With no subscriber, {@link #record(long)} reads one volatile
 * field and loops over an empty array, so a database without metrics pays nearly nothing.
 *
 * <pre>{@code
 * Runnable unsubscribe = recorder.subscribe(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
 * recorder.record(System.nanoTime() - start);
 * unsubscribe.run();
 * }</pre>
 *
 * <p>Not API: the {@code io.tidaldb.internal} packages are not exported, and may change in any release.
 */
public final class LatencyRecorder {

  private static final LongConsumer[] NONE = {};

  private volatile LongConsumer[] subscribers = NONE;

  /**
   * Tells every subscriber one measured time.
   *
   * @param nanos the time, in nanoseconds
   */
  public void record(long nanos) {
    for (LongConsumer subscriber : subscribers) {
      subscriber.accept(nanos);
    }
  }

  /**
   * Tells {@code subscriber} every time recorded from now on.
   *
   * @param subscriber takes each time in nanoseconds; it runs on the measuring thread and must be quick
   * @return removes the subscriber
   */
  public synchronized Runnable subscribe(LongConsumer subscriber) {
    LongConsumer[] next = Arrays.copyOf(subscribers, subscribers.length + 1);
    next[next.length - 1] = subscriber;
    subscribers = next;
    return () -> unsubscribe(subscriber);
  }

  private synchronized void unsubscribe(LongConsumer subscriber) {
    LongConsumer[] current = subscribers;
    for (int i = 0; i < current.length; i++) {
      if (current[i] == subscriber) {
        LongConsumer[] next = new LongConsumer[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        subscribers = next.length == 0 ? NONE : next;
        return;
      }
    }
  }
}

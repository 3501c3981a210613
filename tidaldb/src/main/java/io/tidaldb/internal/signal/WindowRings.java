package io.tidaldb.internal.signal;

import io.tidaldb.Window;

/**
 * Which ring of an entry answers a {@link Window}, and over which bucket span: the count of one
 * entry in a window ({@link #countAt}) and the range of newest-event times for which that count
 * can be above zero ({@link #reach}), which a ranking scan uses to skip rings. The ring layout
 * itself is {@link SignalLayout}'s; {@link SignalLedger} and the ranking read through here.
 *
 * <pre>{@code
 * long lastHour = WindowRings.countAt(table, d, Window.ONE_HOUR, nowNanos);
 * }</pre>
 */
final class WindowRings {

  private WindowRings() {}

  /** The events of entry {@code d} in {@code window} as of {@code nowNanos}. Safe under an optimistic stamp. */
  static long countAt(EntryTable table, int d, Window window, long nowNanos) {
    SignalLayout layout = table.layout;
    switch (window) {
      case ONE_HOUR:
        return table.readRing(d, 0, layout.minuteSlots, SignalLayout.MINUTE_NANOS, SignalLayout.MINUTE_SLOTS, nowNanos);
      case TWENTY_FOUR_HOURS:
        return table.readRing(d, layout.minuteSlots, layout.hourSlots, SignalLayout.HOUR_NANOS,
            SignalLayout.DAY_SLOTS, nowNanos);
      case SEVEN_DAYS:
        return table.readRing(d, layout.minuteSlots, layout.hourSlots, SignalLayout.HOUR_NANOS,
            SignalLayout.WEEK_SLOTS, nowNanos);
      default:
        return table.readTotal(d);
    }
  }

  /**
   * The newest-event times ({@code last}) of the entries whose count in {@code window} at
   * {@code nowNanos} may be above zero: {@code [reach[0], reach[1])}. {@link #countAt} is 0 for
   * an entry whose {@code last} lies outside (its ring's buckets all lie outside the window), so a
   * scan skips the ring. The whole range for {@link Window#ALL_TIME} and for a time before the epoch.
   */
  static long[] reach(SignalLayout layout, Window window, long nowNanos) {
    long unit;
    int slots;
    int windowUnits;
    switch (window) {
      case ONE_HOUR -> {
        unit = SignalLayout.MINUTE_NANOS;
        slots = layout.minuteSlots;
        windowUnits = SignalLayout.MINUTE_SLOTS;
      }
      case TWENTY_FOUR_HOURS -> {
        unit = SignalLayout.HOUR_NANOS;
        slots = layout.hourSlots;
        windowUnits = SignalLayout.DAY_SLOTS;
      }
      case SEVEN_DAYS -> {
        unit = SignalLayout.HOUR_NANOS;
        slots = layout.hourSlots;
        windowUnits = SignalLayout.WEEK_SLOTS;
      }
      default -> {
        return new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
      }
    }
    if (nowNanos < 0 || slots <= 0) {
      return new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
    }
    // readRing sums the buckets from max(now - windowUnits + 1, head - slots + 1) to min(now, head),
    // head = last / unit: none when head < now - windowUnits + 1 or head > now + slots - 1
    long now = nowNanos / unit;
    long from = (now - windowUnits + 1) * unit;
    long to = now + slots > Long.MAX_VALUE / unit ? Long.MAX_VALUE : (now + slots) * unit;
    return new long[] {from, to};
  }
}

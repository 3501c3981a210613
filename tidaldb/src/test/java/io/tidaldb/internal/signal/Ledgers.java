package io.tidaldb.internal.signal;

import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import java.util.List;

/** Builds ledgers straight from a schema, for tests below the public API. */
final class Ledgers {

  /** 2026-03-01T10:30:15Z in nanoseconds since the epoch: a base for generated event times. */
  static final long T0 = 1_772_361_015_000_000_000L;
  static final long SECOND = 1_000_000_000L;
  static final long MINUTE = 60 * SECOND;
  static final long HOUR = 60 * MINUTE;
  static final long DAY = 24 * HOUR;

  private Ledgers() {}

  static List<SignalLayout> layouts(Schema schema) {
    return schema.signals().stream().map(SignalLayout::new).toList();
  }

  static SignalLedger of(Schema schema, long maxEntries) {
    return new SignalLedger(layouts(schema), maxEntries);
  }

  static SignalLedger of(Schema schema) {
    return of(schema, Long.MAX_VALUE);
  }

  static SignalSpec spec(Schema schema, String name) {
    return schema.signal(name).orElseThrow();
  }
}

package io.tidaldb.internal.signal;

import io.tidaldb.DecaySpec;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

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

  /**
   * A decay of each kind in turn: exponential with a half-life of a second to an hour (keys that grow
   * fast) or of one to 400 days, linear over a second to a day, or permanent.
   */
  static DecaySpec anyDecay(SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> DecaySpec.exponential(Duration.ofSeconds(1 + random.nextInt(3_600)));
      case 1 -> DecaySpec.exponential(Duration.ofDays(1 + random.nextInt(400)));
      case 2 -> DecaySpec.linear(Duration.ofSeconds(1 + random.nextInt(86_400)));
      default -> DecaySpec.permanent();
    };
  }

  static SignalSpec spec(Schema schema, String name) {
    return schema.signal(name).orElseThrow();
  }
}

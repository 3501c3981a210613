package io.tidaldb.bench.signal;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

/** The schema and data every signal benchmark uses: one signal with every window declared. */
final class BenchSchema {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME)
          .velocity(true)
          .add()
      .build();

  private BenchSchema() {}

  /** An ephemeral database on a clock fixed at {@link #NOW}. */
  static TidalDb open(long maxEntries) {
    return TidalDb.builder().ephemeral().schema(SCHEMA).maxEntries(maxEntries)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).open();
  }

  /** Random, well-spread entity ids. */
  static long[] ids(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = random.nextLong();
    }
    return ids;
  }

  /** Gives every entity {@code events} events over the last week, so that every ring has buckets in use. */
  static void load(TidalDb db, long[] ids, int events) {
    SplittableRandom random = new SplittableRandom(7);
    for (long id : ids) {
      for (int e = 0; e < events; e++) {
        db.signal("view", id, 1.0, NOW.minusSeconds(random.nextLong(7 * 86_400)));
      }
    }
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * A score read makes no garbage: a service that reads scores on every request must not feed the
 * collector per read. Measured with the JVM's per-thread allocation counter over many reads, after
 * enough reads for the JIT to compile the path.
 */
class ReadAllocationTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final int ENTITIES = 1024;
  private static final int READS = 200_000;

  private static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofHours(1)))
          .windows(Window.ONE_HOUR, Window.ALL_TIME)
          .add()
      .build();

  @Test
  void decayScoreThroughASignalType_allocatesNothing() {
    try (TidalDb db = loaded()) {
      SignalType view = db.signalType("view");
      Instant at = T0.plus(Duration.ofHours(1));
      assertAllocationFree("view.decayScore(id, at)", id -> view.decayScore(id, at));
    }
  }

  @Test
  void decayScoreByName_allocatesNothing() {
    try (TidalDb db = loaded()) {
      Instant at = T0.plus(Duration.ofHours(1));
      assertAllocationFree("db.decayScore(\"view\", id, at)", id -> db.decayScore("view", id, at));
    }
  }

  private static TidalDb loaded() {
    TidalDb db = TidalDb.builder().ephemeral().schema(SCHEMA).open();
    for (long id = 1; id <= ENTITIES; id++) {
      db.signal("view", id, 1.0, T0);
    }
    return db;
  }

  private static void assertAllocationFree(String read, LongToDoubleFunction score) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    double sum = 0;
    for (int round = 0; round < 5; round++) {   // warm-up: let the JIT compile the read path
      sum += readAll(score);
    }
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    sum += readAll(score);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertEquals(6 * READS * 0.5, sum, 6 * READS * 0.01, "every read found its entry, half decayed");
    // A few hundred bytes may come from the JVM itself (the measuring call); a byte per read may not.
    assertTrue(allocated < READS, read + " allocated " + allocated + " bytes in " + READS + " reads ("
        + (double) allocated / READS + " per read); a score read must not allocate");
  }

  private static double readAll(LongToDoubleFunction score) {
    double sum = 0;
    for (int i = 0; i < READS; i++) {
      sum += score.applyAsDouble(1 + i % ENTITIES);
    }
    return sum;
  }
}

package io.tidaldb.bench.signal;

import java.time.Instant;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One writer thread's events for the write benchmarks: 100,000 entities (seeded by the thread; the
 * system property {@code tidaldb.bench.entities} sets another number) in turn, with event times
 * spread over the week before {@link BenchSchema#NOW}.
 */
@State(Scope.Thread)
public class WriteStream {

  private static final int TIMES = 4096;

  long[] ids;
  Instant[] times;
  private int next;

  @Setup(Level.Trial)
  public void prepare() {
    ids = BenchSchema.ids(Integer.getInteger("tidaldb.bench.entities", 100_000), Thread.currentThread().getId());
    times = new Instant[TIMES];
    long[] offsets = BenchSchema.ids(TIMES, 3);
    for (int i = 0; i < TIMES; i++) {
      times[i] = BenchSchema.NOW.minusSeconds(Math.floorMod(offsets[i], 7 * 86_400L));
    }
  }

  /** {@return the index of the next event: {@link #id(int)} and {@link #time(int)} read it} */
  int advance() {
    int i = next++;
    if (next == ids.length) {
      next = 0;
    }
    return i;
  }

  long id(int i) {
    return ids[i];
  }

  Instant time(int i) {
    return times[i & (TIMES - 1)];
  }
}

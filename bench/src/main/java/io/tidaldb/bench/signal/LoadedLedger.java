package io.tidaldb.bench.signal;

import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.ReadOrder;
import java.time.Instant;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the read benchmarks share: an ephemeral database of {@code entities} entities with four
 * {@code view} events each, and a sequence of ids to read in {@link ReadOrder}.
 */
@State(Scope.Thread)
public abstract class LoadedLedger {

  /** Entities loaded, with four events each. */
  @Param({"10000", "1000000"})
  public int entities;

  /** {@code uniform}, {@code zipf} or {@code load}: see {@link ReadOrder}. */
  @Param({"uniform", "zipf"})
  public String order;

  /** How many ids the read sequence holds before it repeats (a power of two). */
  protected static final int READS = 1 << 20;

  protected TidalDb db;
  protected SignalType view;
  /** When the reads happen: the benchmark schema's fixed now. */
  protected Instant at;
  /** The entities loaded, in the order they were loaded. */
  protected long[] loaded;

  /**
   * Opens and loads the database (room for twice the entities, so nothing is evicted).
   *
   * @return the ids to read, {@link #READS} of them, in {@link #order}
   */
  protected long[] openAndLoad() {
    db = BenchSchema.open(entities * 2L);
    loaded = BenchSchema.ids(entities, 1);
    BenchSchema.load(db, loaded, 4);
    view = db.signalType("view");
    at = BenchSchema.NOW;
    return ReadOrder.of(order, loaded, READS, 3);
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
  }
}

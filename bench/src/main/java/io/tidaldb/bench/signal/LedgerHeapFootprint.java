package io.tidaldb.bench.signal;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap bytes per (entity, signal) entry with every window declared: loads {@code N} entities (four
 * events each, spread over a week) into an ephemeral database and divides the growth of the heap
 * that survives a full GC by {@code N}.
 *
 * <pre>
 * java -Xmx2g -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0 -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.LedgerHeapFootprint 1000000
 * </pre>
 *
 * <p>{@code -XX:MarkSweepDeadRatio=0}: by default the serial collector's full GC leaves up to 5 %
 * of the old generation as dead objects it does not bother to move, and counts them as used (a
 * class histogram counts them too, as filler arrays). Without the flag the growth carried 1 to 25
 * MB of such garbage at a million entities, depending on the layout (294.4 or 317.0 bytes per
 * entry for 292.7 or 292.0 live): it warns when the flag is not 0.
 */
public final class LedgerHeapFootprint {

  private LedgerHeapFootprint() {}

  /**
   * Runs the measurement.
   *
   * @param args the number of entities (default 1,000,000), and optionally the events per entity (default 4)
   */
  public static void main(String[] args) {
    int entities = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    String deadRatio = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .getVMOption("MarkSweepDeadRatio").getValue();
    if (!deadRatio.equals("0")) {
      System.out.printf("warning: -XX:MarkSweepDeadRatio=%s: the full GC may leave up to that many percent of the old "
          + "generation as garbage, counted as used; run with -XX:MarkSweepDeadRatio=0 for the live bytes%n", deadRatio);
    }
    long[] ids = BenchSchema.ids(entities, 1);
    try (TidalDb db = BenchSchema.open(entities)) {
      long before = settledHeap();
      BenchSchema.load(db, ids, events);
      long after = settledHeap();
      long total = 0;
      for (long id : ids) {
        total += db.windowCount("view", id, Window.ALL_TIME);
      }
      if (total != (long) entities * events) {
        throw new IllegalStateException("expected " + (long) entities * events + " events, found " + total);
      }
      System.out.printf("entities: %,d, events each: %d%n", entities, events);
      System.out.printf("heap growth: %,d bytes = %.1f bytes per entry%n", after - before, (after - before) / (double) entities);
    }
  }

  /** Used heap after full collections, once two in a row agree within 0.1 %. */
  private static long settledHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(previous - used) < used / 1000) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}

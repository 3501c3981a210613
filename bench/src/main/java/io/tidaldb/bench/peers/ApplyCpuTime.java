package io.tidaldb.bench.peers;

import io.tidaldb.bench.CpuRounds;
import io.tidaldb.ScoredEntity;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * {@link PeerApply}'s work (the ledger's apply of {@link EventStream}, in an ephemeral database, from
 * one thread) timed in the thread's CPU time, round by round: on a machine shared with other jobs,
 * wall time counts the time the thread waits for a core, CPU time does not, so two builds compare
 * on the same stream. The stream is deterministic; at the end a digest of every (item, signal)'s
 * score and window counts is printed, so that two builds can also be checked to answer the same,
 * bit for bit.
 *
 * <pre>
 * java -Xmx2g -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.ApplyCpuTime 12 1000000
 * </pre>
 *
 * <p>With {@code -Dtidaldb.bench.batch=1000} it writes the stream's events as {@code recordAll}
 * batches of 1,000, all of {@code view}.
 */
public final class ApplyCpuTime implements AutoCloseable {

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final EventStream stream = new EventStream(0);
  private final MovableClock clock = new MovableClock(EventStream.START.plus(Duration.ofDays(30)));
  private final TidalDb db = TidalDb.builder().ephemeral().schema(EventStream.SCHEMA).clock(clock).open();
  private final SignalType[] handles = EventStream.handles(db);
  private long sink;
  /** Events per {@code recordAll} of {@code view} ({@code -Dtidaldb.bench.batch}); 0 (the default) records one event at a time. */
  private final int batch = Integer.getInteger("tidaldb.bench.batch", 0);
  private final long[] ids = new long[batch];
  private final double[] weights = new double[batch];
  private final long[] times = new long[batch];

  /** Opens the database; {@link #close} closes it. Public so that a harness can drive two builds side by side. */
  public ApplyCpuTime() {}


  /**
   * Runs the measurement and prints each round's CPU nanoseconds per event, their median after the
   * first two rounds (the JIT's), and the digest.
   *
   * @param args the rounds (default 12), and the events per round (default 1,000,000)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    ApplyCpuTime run = new ApplyCpuTime();
    CpuRounds.run(rounds, events, "event", run::round);
    System.out.printf("entries: %,d, digest of every score and window count: %016x%n", run.entries(), run.digest());
    run.close();
  }

  /**
   * Records the stream's next {@code events} events (in batches, rounded up to a whole batch).
   *
   * @param events how many
   * @return the thread's CPU nanoseconds per event written
   */
  public double round(int events) {
    long start = threads.getCurrentThreadCpuTime();
    int written = 0;
    while (written < events) {
      if (batch > 0) {
        sink += stream.recordNextBatch(handles[0], ids, weights, times);
        written += batch;
      } else {
        sink += stream.recordNext(handles);
        written++;
      }
    }
    return (threads.getCurrentThreadCpuTime() - start) / (double) written;
  }

  /** {@return the (entity, signal) entries the ledger holds} */
  public long entries() {
    return db.stats().ledgerEntries();
  }

  /**
   * A digest of every (item, signal)'s score and window counts and of each signal's top 1,000, as
   * of the newest event: equal for two builds that answer the same.
   *
   * @return the digest
   */
  public long digest() {
    Instant at = stream.at();
    clock.now = at;
    long digest = sink;
    for (long item = 0; item < EventStream.ITEMS; item++) {
      for (SignalType handle : handles) {
        digest = digest * 31 + Double.doubleToLongBits(handle.decayScore(item, at));
        for (Window window : Window.values()) {
          digest = digest * 31 + handle.windowCount(item, window);
        }
      }
    }
    for (SignalType handle : handles) {
      for (ScoredEntity top : handle.top(1_000, at)) {
        digest = digest * 31 + top.entityId();
        digest = digest * 31 + Double.doubleToLongBits(top.score());
      }
    }
    return digest;
  }

  /** Closes the database. */
  @Override
  public void close() {
    db.close();
  }

  /** A clock that stands still where it is put: past every event while they are written, then at the newest. */
  private static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}

package io.tidaldb.bench.peers;

import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ledger's apply of {@link PeerWrites}' event stream, without the disk: one thread records
 * {@link EventStream}'s events (300,000 (item, signal) pairs drawn with a skew, so that new entries
 * keep appearing and cold items come back after minutes of event time) into an ephemeral database,
 * in events per second. What the {@code tidaldb-ledger-applier} thread does per event of the
 * pipelined {@code PeerWrites} rows, measured on its own.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PeerApply
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class PeerApply {

  /** An ephemeral database with {@link EventStream#SCHEMA}, and the stream's position. */
  @State(Scope.Thread)
  public static class Ledger {
    TidalDb db;
    SignalType[] handles;
    final EventStream events = new EventStream(0);

    @Setup(Level.Trial)
    public void open() {
      db = TidalDb.builder().ephemeral().schema(EventStream.SCHEMA).open();
      handles = EventStream.handles(db);
    }

    @TearDown(Level.Trial)
    public void close() {
      db.close();
    }
  }

  /** {@value PeerWrites#BATCH} events of the stream, each by {@code record}. */
  @Benchmark
  @OperationsPerInvocation(PeerWrites.BATCH)
  public long record(Ledger l) {
    long sequence = 0;
    for (int i = 0; i < PeerWrites.BATCH; i++) {
      sequence = l.events.recordNext(l.handles);
    }
    return sequence;
  }
}

package io.tidaldb.bench.peers;

import io.tidaldb.Durability;
import io.tidaldb.SignalBatch;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.bench.BenchDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Durable writes of one event stream ({@link EventStream}) to tidalDB and to RocksDB, side by side,
 * in events per second. Read each pair against {@code FsyncBaseline}, the disk's own limit.
 *
 * <ul>
 *   <li>One event at a time, durable before the next: tidalDB {@code signal()} under {@code SYNC}
 *       against RocksDB {@code put} with {@code sync=true}; with one and with eight writer threads
 *       (both engines share fsyncs among concurrent writers).</li>
 *   <li>Many events per fsync from one producer: tidalDB {@code signalAsync} pipelining
 *       under {@code SYNC} against RocksDB write batches of {@value #BATCH} events with {@code sync=true}.</li>
 *   <li>{@value #BATCH} events in one atomic call: tidalDB {@code recordAll} under {@code SYNC} against
 *       the same RocksDB write batches.</li>
 *   <li>Handed to the operating system, fsynced later: tidalDB's interval mode against RocksDB
 *       {@code put} with {@code sync=false}.</li>
 * </ul>
 *
 * <p>RocksDB only stores each event (a 24-byte value under an 8-byte key); tidalDB also folds it
 * into the decayed score and the window counts of its entity. The work per event is not the same,
 * and favours RocksDB.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PeerWrites -p dir=/var/lib/bench
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class PeerWrites {

  /** Events per RocksDB write batch and per tidalDB pipelining window. */
  static final int BATCH = 1000;

  /** Engines under test, each in its own fresh directory. */
  @State(Scope.Benchmark)
  public static class Engines {

    /** A directory on the disk under test. */
    @Param({"target/bench-peers"})
    public String dir;

    Path root;
    TidalDb tidalSync;
    TidalDb tidalInterval;
    RocksDB rocks;
    Options rocksOptions;
    WriteOptions syncWrites;
    WriteOptions bufferedWrites;

    @Setup(Level.Trial)
    public void open() throws RocksDBException {
      root = BenchDirs.fresh(dir, "peers-");
      tidalSync = TidalDb.builder().dataDir(root.resolve("tidal-sync")).schema(EventStream.SCHEMA)
          .durability(Durability.SYNC).open();
      tidalInterval = TidalDb.builder().dataDir(root.resolve("tidal-interval")).schema(EventStream.SCHEMA)
          .durability(Durability.interval(Duration.ofMillis(50))).open();
      RocksDB.loadLibrary();
      rocksOptions = new Options().setCreateIfMissing(true);
      rocks = RocksDB.open(rocksOptions, root.resolve("rocksdb").toString());
      syncWrites = new WriteOptions().setSync(true);
      bufferedWrites = new WriteOptions().setSync(false);
    }

    @TearDown(Level.Trial)
    public void close() {
      tidalSync.close();
      tidalInterval.close();
      syncWrites.close();
      bufferedWrites.close();
      rocks.close();
      rocksOptions.close();
      BenchDirs.delete(root);
    }
  }

  /** Each writer thread's own position in the stream, and its signal handles. */
  @State(Scope.Thread)
  public static class Writer {
    private static final AtomicInteger WRITERS = new AtomicInteger();

    final EventStream events = new EventStream(WRITERS.getAndIncrement());
    /** Reused by {@code recordAll}: entity ids, weights and times of one batch. */
    final long[] ids = new long[BATCH];
    final double[] weights = new double[BATCH];
    final long[] times = new long[BATCH];
    SignalType[] sync;
    SignalType[] interval;
    /** Reused by {@code writeAsync}: refilled as soon as it is handed over (it is copied). */
    SignalBatch batch;
    /** The continuous producers' writes in flight, by number modulo the window. */
    final CompletableFuture<Long>[] inFlight = futures(WINDOW);
    final CompletableFuture<Long>[] batchesInFlight = futures(WINDOW_BATCHES);
    long issued;
    long issuedBatches;

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Long>[] futures(int n) {
      return (CompletableFuture<Long>[]) new CompletableFuture<?>[n];
    }

    /** Waits for the continuous producers' writes still in flight, so that no iteration leaves work to the next. */
    @TearDown(Level.Iteration)
    public void drain() {
      for (CompletableFuture<Long>[] pending : List.of(inFlight, batchesInFlight)) {
        for (int i = 0; i < pending.length; i++) {
          if (pending[i] != null) {
            pending[i].join();
            pending[i] = null;
          }
        }
      }
    }

    @Setup(Level.Trial)
    public void handles(Engines engines) {
      sync = EventStream.handles(engines.tidalSync);
      interval = EventStream.handles(engines.tidalInterval);
      batch = engines.tidalSync.newBatch();
    }
  }

  @Benchmark
  public long tidaldbSyncOneAtATime(Writer w) {
    return w.events.recordNext(w.sync);
  }

  @Benchmark
  @Threads(8)
  public long tidaldbSyncOneAtATime8Threads(Writer w) {
    return tidaldbSyncOneAtATime(w);
  }

  @Benchmark
  public void rocksdbSyncPut(Engines e, Writer w) throws RocksDBException {
    w.events.next();
    e.rocks.put(e.syncWrites, w.events.key(), w.events.value());
  }

  @Benchmark
  @Threads(8)
  public void rocksdbSyncPut8Threads(Engines e, Writer w) throws RocksDBException {
    rocksdbSyncPut(e, w);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long tidaldbSyncPipelined(Writer w) {
    return pipeline(w.sync, w.events);
  }

  /** {@value #BATCH} events of one signal in one call: one log frame, one fsync (RocksDB's peer: {@link #rocksdbSyncBatch}). */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long tidaldbSyncRecordAll(Writer w) {
    return w.events.recordNextBatch(w.sync[0], w.ids, w.weights, w.times);
  }

  /**
   * One producer pipelining batches: {@value #PIPELINED_BATCHES} {@code writeAsync} calls of
   * {@value #EVENTS_PER_BATCH} events each (one future per batch, not per event), then waits for the last.
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long tidaldbSyncPipelinedBatches(Engines e, Writer w) {
    CompletableFuture<Long> last = null;
    for (int b = 0; b < PIPELINED_BATCHES; b++) {
      w.batch.clear();
      for (int i = 0; i < EVENTS_PER_BATCH; i++) {
        w.events.next();
        w.batch.add(w.sync[w.events.signalTypeId], w.events.entityId, w.events.weight, w.events.timestampNanos);
      }
      last = e.tidalSync.writeAsync(w.batch);
    }
    return last.join();
  }

  /**
   * One producer that never drains its pipeline: it keeps {@value #WINDOW} {@code recordAsync} writes in
   * flight, waiting only for the oldest when it has that many (the shape of
   * {@code WalPipelinedBenchmark}, the log's own rate). {@link #tidaldbSyncPipelined} instead waits for
   * all of its {@value #BATCH} writes every {@value #BATCH}, so it pays the latency of a whole round
   * (append, fsync, apply, wake the producer) per {@value #BATCH} events.
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long tidaldbSyncPipelinedContinuous(Writer w) {
    long sequence = 0;
    for (int i = 0; i < BATCH; i++) {
      w.events.next();
      int slot = (int) (w.issued++ & (WINDOW - 1));
      CompletableFuture<Long> oldest = w.inFlight[slot];
      if (oldest != null) {
        sequence = oldest.join();
      }
      w.inFlight[slot] = w.sync[w.events.signalTypeId].recordAsync(w.events.entityId, w.events.weight, w.events.at());
    }
    return sequence;
  }

  /**
   * {@code writeAsync} batches of {@value #EVENTS_PER_BATCH} events, {@value #WINDOW_BATCHES} of them
   * in flight at all times (waiting only for the oldest), as {@link #tidaldbSyncPipelinedContinuous}.
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long tidaldbSyncPipelinedBatchesContinuous(Engines e, Writer w) {
    long sequence = 0;
    for (int b = 0; b < PIPELINED_BATCHES; b++) {
      int slot = (int) (w.issuedBatches++ % WINDOW_BATCHES);
      CompletableFuture<Long> oldest = w.batchesInFlight[slot];
      if (oldest != null) {
        sequence = oldest.join();
      }
      w.batch.clear();
      for (int i = 0; i < EVENTS_PER_BATCH; i++) {
        w.events.next();
        w.batch.add(w.sync[w.events.signalTypeId], w.events.entityId, w.events.weight, w.events.timestampNanos);
      }
      w.batchesInFlight[slot] = e.tidalSync.writeAsync(w.batch);
    }
    return sequence;
  }

  /** Pipelined writes a continuous producer keeps in flight. */
  static final int WINDOW = 4096;
  /** Pipelined batches a continuous producer keeps in flight: about {@value #WINDOW} events. */
  static final int WINDOW_BATCHES = 40;
  static final int PIPELINED_BATCHES = 10;
  static final int EVENTS_PER_BATCH = BATCH / PIPELINED_BATCHES;

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rocksdbSyncBatch(Engines e, Writer w) throws RocksDBException {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < BATCH; i++) {
        w.events.next();
        batch.put(w.events.key(), w.events.value());
      }
      e.rocks.write(e.syncWrites, batch);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long tidaldbIntervalPipelined(Writer w) {
    return pipeline(w.interval, w.events);
  }

  @Benchmark
  public long tidaldbIntervalOneAtATime(Writer w) {
    return w.events.recordNext(w.interval);
  }

  @Benchmark
  public void rocksdbBufferedPut(Engines e, Writer w) throws RocksDBException {
    w.events.next();
    e.rocks.put(e.bufferedWrites, w.events.key(), w.events.value());
  }

  /** Keeps {@value #BATCH} writes in flight from one thread, then waits for the last. */
  private static long pipeline(SignalType[] handles, EventStream events) {
    CompletableFuture<Long> last = null;
    for (int i = 0; i < BATCH; i++) {
      events.next();
      last = handles[events.signalTypeId].recordAsync(events.entityId, events.weight, events.at());
    }
    return last.join();
  }
}

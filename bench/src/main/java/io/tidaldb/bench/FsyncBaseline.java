package io.tidaldb.bench;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disk's physical limit for a log: append {@code bytes} with one {@code FileChannel.write} and
 * one {@code force(false)}, over and over, on the same disk the database uses ({@link #appendAndForce});
 * every durable-write benchmark is read against it. {@link #append} is the same without the fsync:
 * the operating system's limit, which writes under {@code Durability.interval} are read against.
 * {@link #writeIntoPrepared} and {@link #copyIntoMappedPrepared} are the two ways an interval-mode
 * log can put its bytes in space prepared ahead (docs/DURABILITY.md, "Interval mode copies batches
 * into a mapping").
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar FsyncBaseline -p dir=/var/lib/tidaldb-bench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class FsyncBaseline {

  /** How far ahead {@link #appendIntoPreparedAndForce} prepares the file, as the WAL's writer does. */
  private static final int PREPARE_AHEAD = 1 << 20;
  /** Where {@link #writeIntoPrepared} and {@link #copyIntoMappedPrepared} start again at the file's start. */
  private static final long WRAP = 64L << 20;

  /** Bytes appended per fsync: one event (24), a small batch, a large batch. */
  @Param({"24", "4096", "262144"})
  public int bytes;

  /** A directory on the disk under test. */
  @Param({"target/bench-fsync"})
  public String dir;

  private Path file;
  private FileChannel channel;
  private ByteBuffer buffer;
  private ByteBuffer fill;
  private long position;
  private long prepared;
  /** {@link #copyIntoMappedPrepared}'s mapping of the file from {@code mappedStart} to {@code mappedEnd}. */
  private MappedByteBuffer mapping;
  private long mappedStart;
  private long mappedEnd;
  /** {@code sun.misc.Unsafe} and its {@code invokeCleaner}, which {@link #unmap} calls. */
  private Object unsafe;
  private Method invokeCleaner;

  @Setup(Level.Trial)
  public void open() throws IOException {
    Path directory = Files.createDirectories(Path.of(dir));
    file = Files.createTempFile(directory, "fsync-", ".bin");
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    buffer = ByteBuffer.allocateDirect(bytes);
    fill = ByteBuffer.allocateDirect(PREPARE_AHEAD);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException, ReflectiveOperationException {
    unmap();
    channel.close();
    Files.deleteIfExists(file);
  }

  /**
   * One write of {@link #bytes} at the end of the file, no fsync: the operating system's limit for a
   * log that is not fsynced per write, what a blocking writer under {@code Durability.interval} is
   * read against.
   *
   * @return the new file position, so the work cannot be optimised away
   */
  @Benchmark
  public long append() throws IOException {
    buffer.clear();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    return position;
  }

  /**
   * One write of {@link #bytes} at the end of the file, then one fsync of the data.
   *
   * @return the new file position, so the work cannot be optimised away
   */
  @Benchmark
  public long appendAndForce() throws IOException {
    buffer.clear();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    channel.force(false);
    return position;
  }

  /**
   * One write of {@link #bytes} into space prepared ahead (1 MiB at a time, as the WAL's writer
   * prepares it), no fsync: what an interval-mode log paid per batch before it copied
   * its batches into a mapping.
   *
   * @return the new file position, so the work cannot be optimised away
   */
  @Benchmark
  public long writeIntoPrepared() throws IOException {
    wrap();
    prepare();
    buffer.clear();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    return position;
  }

  /**
   * {@link #bytes} copied into a shared mapping of space prepared ahead, as an interval-mode log
   * writes its batches on Linux: no system call per write, one mapping per MiB prepared.
   *
   * @return the new file position, so the work cannot be optimised away
   */
  @Benchmark
  public long copyIntoMappedPrepared() throws IOException, ReflectiveOperationException {
    if (wrap() || mapping == null || position + bytes > mappedEnd) {
      unmap();
      prepare();
      mappedEnd = Math.min(prepared, Math.max(position + bytes, position + PREPARE_AHEAD));
      mapping = channel.map(FileChannel.MapMode.READ_WRITE, position, mappedEnd - position);
      mappedStart = position;
    }
    mapping.put((int) (position - mappedStart), buffer, 0, bytes);
    position += bytes;
    return position;
  }

  /**
   * Starts again at the file's start once it holds {@value #WRAP} bytes (its space stays prepared),
   * so that a fast benchmark does not fill the disk. {@return whether it did}
   */
  private boolean wrap() {
    if (position + bytes <= WRAP) {
      return false;
    }
    position = 0;
    return true;
  }

  /** Unmaps {@link #mapping} at once, as the WAL does (the JDK would leave it to the garbage collector). */
  private void unmap() throws ReflectiveOperationException {
    if (mapping == null) {
      return;
    }
    if (invokeCleaner == null) {   // looked up once, not at every window
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    }
    invokeCleaner.invoke(unsafe, mapping);
    mapping = null;
  }

  /** Makes sure the next {@link #bytes} land in prepared space, preparing {@value #PREPARE_AHEAD} more when not. */
  private void prepare() throws IOException {
    if (position + bytes > prepared) {
      long to = Math.max(position + bytes, prepared + PREPARE_AHEAD);
      while (prepared < to) {
        fill.clear().limit((int) Math.min(fill.capacity(), to - prepared));
        prepared += channel.write(fill, prepared);
      }
    }
  }

  /**
   * {@link #appendAndForce} into space prepared ahead of the writes (1 MiB at a time, as the WAL's
   * writer prepares it, docs/FORMAT.md "Prepared space"): the fsync after most writes then has no
   * new file size or block to commit. The best a log that fsyncs each write can do on this disk.
   *
   * @return the new file position, so the work cannot be optimised away
   */
  @Benchmark
  public long appendIntoPreparedAndForce() throws IOException {
    prepare();
    buffer.clear();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    channel.force(false);
    return position;
  }
}

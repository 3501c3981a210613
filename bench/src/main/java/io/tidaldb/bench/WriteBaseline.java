package io.tidaldb.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * The operating system's limit for a log that is not fsynced per write: one {@code FileChannel.write}
 * of one event's {@code eventBytes} at the end of a file, over and over, no fsync. What a blocking
 * writer under {@code Durability.interval} is read against ({@link FsyncBaseline} is the limit under
 * {@code SYNC}).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar WriteBaseline -p dir=/var/lib/tidaldb-bench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WriteBaseline {

  /** Bytes per write: one WAL event (named apart from {@code FsyncBaseline.bytes}, which runs larger sizes). */
  @Param({"24"})
  public int eventBytes;

  /** A directory on the disk under test. */
  @Param({"target/bench-fsync"})
  public String dir;

  private Path file;
  private FileChannel channel;
  private ByteBuffer buffer;
  private long position;

  @Setup(Level.Trial)
  public void open() throws IOException {
    Path directory = Files.createDirectories(Path.of(dir));
    file = Files.createTempFile(directory, "write-", ".bin");
    channel = FileChannel.open(file, StandardOpenOption.WRITE);
    buffer = ByteBuffer.allocateDirect(eventBytes);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }

  /**
   * One write of {@link #eventBytes} at the end of the file.
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
}

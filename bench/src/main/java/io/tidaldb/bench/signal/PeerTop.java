package io.tidaldb.bench.signal;

import io.tidaldb.ScoredEntity;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * The top 100 of 1,000,000 entities: tidalDB's exact {@code top("view", 100, now)} over decayed
 * scores beside Redis's {@code ZREVRANGE key 0 99 WITHSCORES} over a sorted set of the same members
 * with their scores at {@code now} (undecayed from then on), through a minimal RESP client over
 * loopback, the reply parsed into (id, score) pairs as {@code top} returns them. Redis runs as a
 * child process ({@code redis-server} from the {@code PATH}, no persistence) started by the trial
 * and stopped at its end; without it the Redis benchmark fails its setup and the tidalDB one runs.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PeerTop -bm sample
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
public class PeerTop {

  static final String KEY = "view";
  static final int ZADD_BATCH = 1_000;

  /** tidalDB with {@code entities} entities of four {@code view} events each over the last week. */
  @State(Scope.Benchmark)
  public static class Tidal {
    /** Entities loaded. */
    @Param({"1000000"})
    public int entities;

    io.tidaldb.TidalDb db;
    long[] ids;

    @Setup(Level.Trial)
    public void load() {
      db = BenchSchema.open(entities * 2L);
      ids = BenchSchema.ids(entities, 1);
      BenchSchema.load(db, ids, 4);
    }

    @TearDown(Level.Trial)
    public void close() {
      db.close();
    }
  }

  /** A Redis server holding the same members, scored as tidalDB scores them at {@link BenchSchema#NOW}. */
  @State(Scope.Benchmark)
  public static class Redis {
    /** Entities loaded. */
    @Param({"1000000"})
    public int entities;

    private Process server;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private byte[] query;

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      try {
        server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new IllegalStateException("redis-server is not on the PATH; install it (apt-get install redis-server)"
            + " to compare with Redis", e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (socket == null) {
        try {
          socket = new Socket("127.0.0.1", port);
        } catch (IOException notYet) {
          if (System.nanoTime() > deadline || !server.isAlive()) {
            throw new IllegalStateException("redis-server did not accept connections on port " + port, notYet);
          }
          Thread.sleep(20);
        }
      }
      socket.setTcpNoDelay(true);
      out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      Tidal tidal = new Tidal();
      tidal.entities = entities;
      tidal.load();
      double[] scores = new double[tidal.ids.length];
      tidal.db.decayScores(KEY, tidal.ids, BenchSchema.NOW, scores);
      tidal.close();
      for (int from = 0; from < tidal.ids.length; from += ZADD_BATCH) {
        int to = Math.min(tidal.ids.length, from + ZADD_BATCH);
        List<String> args = new ArrayList<>(List.of("ZADD", KEY));
        for (int i = from; i < to; i++) {
          args.add(Double.toString(scores[i]));
          args.add(Long.toString(tidal.ids[i]));
        }
        write(args);
        out.flush();
        readLine();
      }
      query = command(List.of("ZREVRANGE", KEY, "0", "99", "WITHSCORES"));
    }

    List<ScoredEntity> zrevrange() throws IOException {
      out.write(query);
      out.flush();
      String header = readLine();
      if (header.charAt(0) != '*') {
        throw new IllegalStateException("Redis answered " + header);
      }
      int n = Integer.parseInt(header.substring(1)) / 2;
      List<ScoredEntity> top = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long id = Long.parseLong(readBulk());
        top.add(new ScoredEntity(id, Double.parseDouble(readBulk())));
      }
      return top;
    }

    private void write(List<String> args) throws IOException {
      out.write(command(args));
    }

    private static byte[] command(List<String> args) {
      StringBuilder resp = new StringBuilder().append('*').append(args.size()).append("\r\n");
      for (String arg : args) {
        resp.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
      }
      return resp.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String readBulk() throws IOException {
      String header = readLine();
      int length = Integer.parseInt(header.substring(1));
      byte[] bytes = in.readNBytes(length + 2);
      return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); b != '\r'; b = in.read()) {
        if (b < 0) {
          throw new UncheckedIOException(new IOException("Redis closed the connection"));
        }
        line.append((char) b);
      }
      in.read();
      return line.toString();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException, InterruptedException {
      if (socket != null) {
        socket.close();
      }
      if (server != null) {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
  }

  /** {@return tidalDB's exact top 100 by decayed views at now} */
  @Benchmark
  public List<ScoredEntity> tidaldbTop(Tidal tidal) {
    return tidal.db.top(KEY, 100, BenchSchema.NOW);
  }

  /** {@return Redis's top 100 of a sorted set whose scores do not decay} */
  @Benchmark
  public List<ScoredEntity> redisZrevrange(Redis redis) throws IOException {
    return redis.zrevrange();
  }
}

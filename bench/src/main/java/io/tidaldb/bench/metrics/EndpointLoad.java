package io.tidaldb.bench.metrics;

import io.tidaldb.TidalDb;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A load harness for {@code /metrics} and {@code /healthz}: a server process with a database and a
 * transport, driven from a second process by closed-loop clients on raw kept-alive sockets, two
 * client threads multiplexing them as wrk does (a client reconnects when a response says
 * {@code Connection: close}). Reports requests/s, p50, p99 and errors.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.metrics.EndpointLoad run jdk /metrics 16 10 3
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.metrics.EndpointLoad server undertow
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.metrics.EndpointLoad client 9464 /healthz 16 10 3
 * }</pre>
 *
 * <p>{@code run} starts {@code server} as a child JVM (extra JVM options for it in the environment
 * variable {@code SERVER_JAVA_OPTS}), runs {@code client} against it here, then stops the child. Only
 * loopback is used; every run is bounded in time.
 */
public final class EndpointLoad {

  private static final int BUCKETS = 200_000; // 10 microseconds each: up to 2 s
  private static final int CLIENT_THREADS = 2;

  private EndpointLoad() {}

  /**
   * Entry point.
   *
   * @param args {@code run <transport> <path> <connections> <seconds> <warmupSeconds>}, {@code server <transport>},
   *     or {@code client <port> <path> <connections> <seconds> <warmupSeconds>}
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "server" -> server(args[1]);
      case "client" -> client(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), "");
      case "run" -> run(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      default -> {
        System.err.println("usage: EndpointLoad run <jdk|undertow> <path> <connections> <seconds> <warmupSeconds>");
        System.exit(2);
      }
    }
  }

  private static void server(String transport) throws IOException {
    try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", transport).open()) {
      System.out.println("PORT " + db.metricsAddress().orElseThrow().getPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Runs until the parent closes our standard input.
      }
    }
  }

  private static void run(String transport, String path, int connections, int seconds, int warmup) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opts = System.getenv().getOrDefault("SERVER_JAVA_OPTS", "");
    for (String opt : opts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), EndpointLoad.class.getName(),
        "server", transport));
    Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("PORT ")) {
        throw new IllegalStateException("the server did not start: " + line);
      }
      client(Integer.parseInt(line.substring(5)), path, connections, seconds, warmup,
          transport + (opts.isBlank() ? "" : " [" + opts.trim() + "]"));
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static void client(int port, String path, int connections, int seconds, int warmup, String label)
      throws InterruptedException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    Worker[] workers = new Worker[Math.min(CLIENT_THREADS, connections)];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(address, path, connections / workers.length + (i < connections % workers.length ? 1 : 0),
          measureFrom, end);
      workers[i].start();
    }
    long requests = 0;
    long errors = 0;
    long reconnects = 0;
    long[] histogram = new long[BUCKETS];
    for (Worker worker : workers) {
      worker.join();
      requests += worker.requests;
      errors += worker.errors;
      reconnects += worker.connections;
      for (int b = 0; b < BUCKETS; b++) {
        histogram[b] += worker.histogram[b];
      }
    }
    System.out.printf(Locale.ROOT, "%-40s %-9s conns=%-3d %9.0f req/s  p50=%7.3f ms  p99=%7.3f ms  errors=%d"
        + "  requests=%d  connections opened=%d%n", label, path, connections, requests / (double) seconds,
        percentile(histogram, requests, 0.50), percentile(histogram, requests, 0.99), errors, requests, reconnects);
  }

  private static double percentile(long[] histogram, long count, double p) {
    long rank = (long) Math.ceil(count * p);
    long seen = 0;
    for (int b = 0; b < histogram.length; b++) {
      seen += histogram[b];
      if (seen >= rank && rank > 0) {
        return (b + 1) * 0.010;
      }
    }
    return Double.NaN;
  }

  /**
   * Closed-loop clients on non-blocking sockets, many per thread (as wrk does), so that the client
   * spends little of the machine's CPU: each connection sends a request, reads the whole response,
   * then sends the next. A response with {@code Connection: close} ends its connection, and a new one
   * is opened.
   */
  private static final class Worker extends Thread {
    private final InetSocketAddress address;
    private final byte[] request;
    private final int connectionCount;
    private final long measureFrom;
    private final long end;
    private final long[] histogram = new long[BUCKETS];
    private long requests;
    private long errors;
    private long connections;

    Worker(InetSocketAddress address, String path, int connectionCount, long measureFrom, long end) {
      super("load-client");
      setDaemon(true);
      this.address = address;
      this.connectionCount = connectionCount;
      this.measureFrom = measureFrom;
      this.end = end;
      this.request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort()
          + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void run() {
      try (Selector selector = Selector.open()) {
        for (int i = 0; i < connectionCount; i++) {
          open(selector);
        }
        while (System.nanoTime() < end) {
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            Connection connection = (Connection) key.attachment();
            try {
              if (key.isConnectable()) {
                connection.channel.finishConnect();
                send(key, connection);
              } else if (key.isReadable()) {
                read(selector, key, connection);
              }
            } catch (IOException e) {
              count(connection.sentAt, false);
              key.cancel();
              connection.channel.close();
              open(selector);
            }
          }
          selector.selectedKeys().clear();
        }
        for (SelectionKey key : selector.keys()) {
          key.channel().close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void open(Selector selector) throws IOException {
      SocketChannel channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      Connection connection = new Connection(channel);
      connection.sentAt = System.nanoTime();
      if (connection.sentAt >= measureFrom) {
        connections++;
      }
      if (channel.connect(address)) {
        send(channel.register(selector, SelectionKey.OP_READ, connection), connection);
      } else {
        channel.register(selector, SelectionKey.OP_CONNECT, connection);
      }
    }

    private void send(SelectionKey key, Connection connection) throws IOException {
      connection.in.clear();
      connection.sentAt = System.nanoTime();
      ByteBuffer out = ByteBuffer.wrap(request);
      while (out.hasRemaining()) {
        connection.channel.write(out);
      }
      key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Selector selector, SelectionKey key, Connection connection) throws IOException {
      if (connection.channel.read(connection.in) < 0) {
        throw new EOFException("connection closed");
      }
      ByteBuffer in = connection.in;
      String head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
      int headEnd = head.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        return;
      }
      String lower = head.substring(0, headEnd).toLowerCase(Locale.ROOT);
      int at = lower.indexOf("content-length:");
      int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
      if (in.position() < headEnd + 4 + length) {
        return;
      }
      count(connection.sentAt, lower.startsWith("http/1.1 200"));
      if (lower.contains("connection: close")) {
        key.cancel();
        connection.channel.close();
        open(selector);
      } else {
        send(key, connection);
      }
    }

    private void count(long sentAt, boolean ok) {
      long done = System.nanoTime();
      if (sentAt < measureFrom || done > end) {
        return;
      }
      if (ok) {
        requests++;
        histogram[(int) Math.min(BUCKETS - 1, (done - sentAt) / 10_000)]++;
      } else {
        errors++;
      }
    }
  }

  private static final class Connection {
    final SocketChannel channel;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long sentAt;

    Connection(SocketChannel channel) {
      this.channel = channel;
    }
  }
}

package io.tidaldb.metrics.undertow;

import io.tidaldb.metrics.spi.MetricsEndpoint;
import io.tidaldb.metrics.spi.MetricsServer;
import io.tidaldb.metrics.spi.MetricsServerSpec;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Undertow adapted to a {@link MetricsEndpoint}.
 *
 * <p>The XNIO worker is ours, not Undertow's: its threads are daemons named {@code <prefix> I/O-<n>}
 * (and {@code <prefix> task-<n>}, bounded by the spec, though requests never leave the I/O threads),
 * and we end it. Undertow's own
 * {@code stop()} waits for an internal worker without a bound unless a shutdown timeout is set, and
 * a failed {@code start()} shuts its internal worker down without waiting: with our worker,
 * {@link #close()} and a failed start both wait, for a bounded time, until every thread has ended.
 *
 * <p>The listener is ours too, built as {@code Undertow.start()} builds an HTTP listener, so that a
 * {@link ConnectionCap} sits between the accepting channel and Undertow's {@link HttpOpenListener}:
 * Undertow offers no hook there. The request timeout is Undertow's own: {@code REQUEST_PARSE_TIMEOUT}
 * (a request begun and not finished), {@code NO_REQUEST_TIMEOUT} (a connection that sends nothing, new
 * or between requests) and {@code IDLE_TIMEOUT} (a read or write that makes no progress, such as a
 * response nobody reads), all set to the spec's {@code requestTimeout}. A request body is never read
 * (no endpoint takes one), so a request that carries one is answered with {@code Connection: close}:
 * Undertow would otherwise wait, without a timeout, to drain a body that a stalled client never sends.
 */
final class UndertowMetricsServer implements MetricsServer {

  /**
   * Requests are answered on the I/O threads: the work is a few microseconds of rendering plus, for a
   * persistent home, a stat of its directory, and handing each request to a task thread halved the
   * throughput in measurements (docs/BENCHMARKS.md). So the I/O threads are the bounded pool.
   */
  private static final int IO_THREADS = 2;
  private static final long TERMINATION_GRACE_MILLIS = 2_000;
  /** What {@code Undertow.builder()} uses on a heap over 128 MiB: direct buffers of 16 KiB less 20 bytes. */
  private static final int BUFFER_SIZE = 16_364;
  /** {@code Undertow.start()}'s backlog. */
  private static final int BACKLOG = 1_000;

  private final AcceptingChannel<StreamConnection> listener;
  private final ByteBufferPool buffers;
  private final XnioWorker worker;
  private final InetSocketAddress address;
  private final long shutdownNanos;
  private final ThreadGroup threads;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UndertowMetricsServer(AcceptingChannel<StreamConnection> listener, ByteBufferPool buffers, XnioWorker worker,
      ThreadGroup threads, InetSocketAddress address, long shutdownNanos) {
    this.threads = threads;
    this.listener = listener;
    this.buffers = buffers;
    this.worker = worker;
    this.address = address;
    this.shutdownNanos = shutdownNanos;
  }

  static UndertowMetricsServer start(MetricsServerSpec spec) throws IOException {
    // A group of our own, so that close() can wait for the worker's threads themselves: XNIO signals
    // termination from its last I/O thread a moment before that thread ends.
    ThreadGroup threads = new ThreadGroup(spec.threadNamePrefix());
    XnioWorker worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(threads, OptionMap.builder()
        .set(Options.WORKER_NAME, spec.threadNamePrefix())
        .set(Options.THREAD_DAEMON, true)
        .set(Options.WORKER_IO_THREADS, IO_THREADS)
        .set(Options.WORKER_TASK_CORE_THREADS, spec.workerThreads())
        .set(Options.WORKER_TASK_MAX_THREADS, spec.workerThreads())
        .set(Options.TCP_NODELAY, true)
        .getMap());
    MetricsEndpoint endpoint = spec.endpoint();
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, spec.requestTimeout().toMillis());
    ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
    HttpOpenListener http = new HttpOpenListener(buffers, OptionMap.builder()
        .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, timeoutMillis)
        .set(UndertowOptions.NO_REQUEST_TIMEOUT, timeoutMillis)
        .set(UndertowOptions.IDLE_TIMEOUT, timeoutMillis)
        .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
        .getMap());
    http.setRootHandler(exchange -> respond(exchange, endpoint));
    OptionMap socketOptions = OptionMap.builder()
        .set(Options.WORKER_IO_THREADS, IO_THREADS)
        .set(Options.TCP_NODELAY, true)
        .set(Options.REUSE_ADDRESSES, true)
        .set(Options.BALANCING_TOKENS, 1)
        .set(Options.BALANCING_CONNECTIONS, 2)
        .set(Options.BACKLOG, BACKLOG)
        .getMap();
    AcceptingChannel<StreamConnection> listener;
    try {
      listener = worker.createStreamConnectionServer(spec.address(),
          ChannelListeners.openListenerAdapter(new ConnectionCap(http, spec.maxConnections())), socketOptions);
      listener.resumeAccepts();
    } catch (IOException | RuntimeException e) {
      terminate(worker, threads, 0);
      buffers.close();
      throw e;
    }
    InetSocketAddress bound = listener.getLocalAddress(InetSocketAddress.class);
    return new UndertowMetricsServer(listener, buffers, worker, threads, bound, spec.shutdownTimeout().toNanos());
  }

  /** Method, path and {@code Accept} in; status, headers and body out. */
  private static void respond(HttpServerExchange exchange, MetricsEndpoint endpoint) {
    HeaderValues accept = exchange.getRequestHeaders().get(Headers.ACCEPT);
    MetricsEndpoint.Response response = endpoint.handle(new MetricsEndpoint.Request(
        exchange.getRequestMethod().toString(), exchange.getRequestPath(),
        accept == null || accept.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", accept))));
    if (!exchange.isRequestComplete()) {
      exchange.setPersistent(false);
    }
    exchange.setStatusCode(response.status());
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
    byte[] body = response.body();
    exchange.setResponseContentLength(body.length);
    if (response.sendBody()) {
      exchange.getResponseSender().send(ByteBuffer.wrap(body));
    } else {
      exchange.endExchange();
    }
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      IoUtils.safeClose(listener);
      terminate(worker, threads, shutdownNanos);
      buffers.close();
    }
  }

  /** Lets the worker finish for {@code graceNanos}, then interrupts it, and waits (bounded) for its threads to end. */
  private static void terminate(XnioWorker worker, ThreadGroup threads, long graceNanos) {
    worker.shutdown();
    try {
      if (!worker.awaitTermination(graceNanos, TimeUnit.NANOSECONDS)) {
        worker.shutdownNow();
        worker.awaitTermination(TERMINATION_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TERMINATION_GRACE_MILLIS);
      Thread[] alive = new Thread[threads.activeCount() + 8];
      int count = threads.enumerate(alive);
      for (int i = 0; i < count; i++) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          alive[i].join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}

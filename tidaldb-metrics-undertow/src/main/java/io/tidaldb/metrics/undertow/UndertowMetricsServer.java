package io.tidaldb.metrics.undertow;

import io.tidaldb.metrics.spi.MetricsEndpoint;
import io.tidaldb.metrics.spi.MetricsServer;
import io.tidaldb.metrics.spi.MetricsServerSpec;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Undertow adapted to a {@link MetricsEndpoint}.
 *
 * <p>The XNIO worker is ours, not Undertow's: its threads are daemons named {@code <prefix> I/O-<n>}
 * (and {@code <prefix> task-<n>}, bounded by the spec, though requests never leave the I/O threads),
 * and we end it. Undertow's own
 * {@code stop()} waits for an internal worker without a bound unless a shutdown timeout is set, and
 * a failed {@code start()} shuts its internal worker down without waiting: with our worker,
 * {@link #close()} and a failed start both wait, for a bounded time, until every thread has ended.
 */
final class UndertowMetricsServer implements MetricsServer {

  /**
   * Requests are answered on the I/O threads: the work is a few microseconds of rendering plus, for a
   * persistent home, a stat of its directory, and handing each request to a task thread halved the
   * throughput in measurements (docs/BENCHMARKS.md). So the I/O threads are the bounded pool.
   */
  private static final int IO_THREADS = 2;
  private static final long TERMINATION_GRACE_MILLIS = 2_000;

  private final Undertow undertow;
  private final XnioWorker worker;
  private final InetSocketAddress address;
  private final long shutdownNanos;
  private final ThreadGroup threads;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UndertowMetricsServer(Undertow undertow, XnioWorker worker, ThreadGroup threads, InetSocketAddress address,
      long shutdownNanos) {
    this.threads = threads;
    this.undertow = undertow;
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
    Undertow undertow = Undertow.builder()
        .setWorker(worker)
        .addHttpListener(spec.address().getPort(), spec.address().getAddress().getHostAddress())
        .setHandler(exchange -> respond(exchange, endpoint))
        .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      terminate(worker, threads, 0);
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
    InetSocketAddress bound = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    return new UndertowMetricsServer(undertow, worker, threads, bound, spec.shutdownTimeout().toNanos());
  }

  /** Method, path and {@code Accept} in; status, headers and body out. */
  private static void respond(HttpServerExchange exchange, MetricsEndpoint endpoint) {
    HeaderValues accept = exchange.getRequestHeaders().get(Headers.ACCEPT);
    MetricsEndpoint.Response response = endpoint.handle(new MetricsEndpoint.Request(
        exchange.getRequestMethod().toString(), exchange.getRequestPath(),
        accept == null || accept.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", accept))));
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
      undertow.stop();
      terminate(worker, threads, shutdownNanos);
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

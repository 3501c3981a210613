package io.tidaldb.metrics.jdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tidaldb.metrics.spi.MetricsEndpoint;
import io.tidaldb.metrics.spi.MetricsServer;
import io.tidaldb.metrics.spi.MetricsServerSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JDK {@link HttpServer} adapted to a {@link MetricsEndpoint}.
 *
 * <p>Threads: the server's dispatcher and timer threads are created by the thread that creates and
 * starts it, and inherit its daemon flag and thread group. So a short-lived daemon thread in a group
 * of our own creates and starts the server; the group then tells which threads the server started,
 * and they are renamed {@code <prefix>-dispatcher} and {@code <prefix>-<timer name>}. Request
 * handling runs on daemon threads named {@code <prefix>-worker-<n>}, at most one per request in
 * progress and at most {@code maxConnections}, under the deadlines of {@link ExchangeDeadlines} (whose
 * timer thread is {@code <prefix>-request-timeout-1}).
 *
 * <p>Shutdown: {@code HttpServer.stop(delay)} waits the whole delay on Java 17 even when nothing is
 * in flight. So {@link #close()} drains by itself (waits, at most the shutdown timeout, for requests
 * in flight), then calls {@code stop(0)}, which closes the port and every connection at once.
 */
final class JdkMetricsServer implements MetricsServer {

  private static final System.Logger LOG = System.getLogger(JdkMetricsTransport.class.getName());
  private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
  private static final String IDLE_INTERVAL_PROPERTY = "sun.net.httpserver.idleInterval";
  private static final String JDK_DISPATCHER_NAME = "HTTP-Dispatcher";
  private static final long THREAD_JOIN_MILLIS = 2_000;

  private final HttpServer server;
  private final ExchangeDeadlines workers;
  private final List<Thread> serverThreads;
  private final long shutdownNanos;
  private final InetSocketAddress address;
  private final Object flight = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private int inFlight;

  private JdkMetricsServer(HttpServer server, ExchangeDeadlines workers, List<Thread> serverThreads,
      MetricsServerSpec spec) {
    this.server = server;
    this.workers = workers;
    this.serverThreads = serverThreads;
    this.shutdownNanos = spec.shutdownTimeout().toNanos();
    this.address = server.getAddress();
  }

  static JdkMetricsServer start(MetricsServerSpec spec) throws IOException {
    probeBind(spec.address());
    boolean keepAlive = Boolean.getBoolean(NODELAY_PROPERTY);
    String prefix = spec.threadNamePrefix();
    ExchangeDeadlines workers = new ExchangeDeadlines(prefix, spec.workerThreads(), spec.maxConnections(),
        spec.requestTimeout());
    Handler handler = new Handler(spec.endpoint(), keepAlive);
    ThreadGroup group = new ThreadGroup(prefix);
    Starter starter = new Starter(spec.address(), workers, handler);
    Thread starterThread = new Thread(group, starter, prefix + "-start");
    starterThread.setDaemon(true);
    starterThread.start();
    joinUninterruptibly(starterThread);
    if (starter.failure != null) {
      shutdownUninterruptibly(workers);
      if (starter.failure instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) starter.failure;
    }
    List<Thread> serverThreads = renameServerThreads(group, starterThread, prefix);
    JdkMetricsServer running = new JdkMetricsServer(starter.server, workers, serverThreads, spec);
    handler.server = running;
    LOG.log(System.Logger.Level.INFO, keepAlive
        ? "tidalDB metrics (jdk transport) keeps connections alive: -D" + NODELAY_PROPERTY + "=true is set"
        : "tidalDB metrics (jdk transport) closes each connection after its response: this JVM runs without -D"
            + NODELAY_PROPERTY + "=true, and the JDK HttpServer would otherwise stall each kept-alive request about"
            + " 40 ms (Nagle's algorithm meets delayed ACKs). Start the JVM with -D" + NODELAY_PROPERTY + "=true (a"
            + " JVM-wide switch, which tidalDB never sets for you) to keep connections alive, or use the undertow"
            + " transport");
    LOG.log(System.Logger.Level.WARNING, "tidalDB metrics (jdk transport) enforces metricsRequestTimeout ("
        + spec.requestTimeout() + ") and metricsMaxConnections (" + spec.maxConnections() + ") only on connections"
        + " that have begun a request: a connection that sends nothing (a new one, or a kept-alive one between"
        + " requests) is not counted against the cap, and is closed by the JDK HttpServer only after its idle"
        + " interval (-D" + IDLE_INTERVAL_PROPERTY + ", 30 s unless set; a JVM-wide setting tidalDB never sets), so"
        + " such connections hold file descriptors without a bound until then. If clients you do not trust can"
        + " reach this endpoint, use the undertow transport (io.tidaldb:tidaldb-metrics-undertow), which enforces"
        + " both limits on every connection");
    return running;
  }

  /**
   * Fails, leaving nothing open, if the address cannot be bound. {@code HttpServer.create} leaks its
   * server socket when the bind fails (the channel is opened before the bind and never closed), so the
   * common failures (a port in use, an address not on this host) are caught here with a channel we
   * close. A port taken in the instant between this probe and the server's bind still leaks one.
   */
  private static void probeBind(InetSocketAddress address) throws IOException {
    try (ServerSocketChannel probe = ServerSocketChannel.open()) {
      probe.bind(address);
    }
  }

  /** Runs in a daemon thread of a fresh group, so that the server's own threads are daemons of that group. */
  private static final class Starter implements Runnable {
    private final InetSocketAddress address;
    private final ExchangeDeadlines workers;
    private final Handler handler;
    private HttpServer server;
    private Exception failure;

    Starter(InetSocketAddress address, ExchangeDeadlines workers, Handler handler) {
      this.address = address;
      this.workers = workers;
      this.handler = handler;
    }

    @Override
    public void run() {
      try {
        HttpServer created = HttpServer.create(address, 0);
        created.setExecutor(workers);
        created.createContext("/", handler::handle);
        created.start();
        server = created;
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
    }
  }

  private static List<Thread> renameServerThreads(ThreadGroup group, Thread starter, String prefix) {
    Thread[] threads = new Thread[group.activeCount() + 8];
    int count = group.enumerate(threads, false);
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Thread thread = threads[i];
      if (thread != starter) {
        String name = thread.getName();
        thread.setName(prefix + "-" + (name.equals(JDK_DISPATCHER_NAME) ? "dispatcher" : name));
        started.add(thread);
      }
    }
    return started;
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + shutdownNanos;
    synchronized (flight) {
      long left;
      while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(flight, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    server.stop(0);
    try {
      workers.shutdownNow(Math.max(0, deadline - System.nanoTime()) + THREAD_JOIN_MILLIS * 1_000_000L);
      for (Thread thread : serverThreads) {
        thread.join(THREAD_JOIN_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void enter() {
    synchronized (flight) {
      inFlight++;
    }
  }

  private void exit() {
    synchronized (flight) {
      if (--inFlight == 0) {
        flight.notifyAll();
      }
    }
  }

  private static void shutdownUninterruptibly(ExchangeDeadlines workers) {
    try {
      workers.shutdownNow(THREAD_JOIN_MILLIS * 1_000_000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Adapts one exchange: method, path and {@code Accept} in; status, headers and body out. */
  private static final class Handler {
    private final MetricsEndpoint endpoint;
    private final boolean keepAlive;
    private volatile JdkMetricsServer server;

    Handler(MetricsEndpoint endpoint, boolean keepAlive) {
      this.endpoint = endpoint;
      this.keepAlive = keepAlive;
    }

    void handle(HttpExchange exchange) throws IOException {
      JdkMetricsServer running = server;
      if (running != null) {
        running.enter();
      }
      try (exchange) {
        if (!ExchangeDeadlines.beginHandling()) {
          throw new IOException("the request took longer than metricsRequestTimeout; the connection is closed");
        }
        MetricsEndpoint.Response response;
        try {
          List<String> accept = exchange.getRequestHeaders().get("Accept");
          String path = exchange.getRequestURI().getPath();
          response = endpoint.handle(new MetricsEndpoint.Request(exchange.getRequestMethod(),
              path == null ? "" : path, accept == null ? Optional.empty() : Optional.of(String.join(", ", accept))));
        } finally {
          ExchangeDeadlines.endHandling();
        }
        response.headers().forEach(exchange.getResponseHeaders()::set);
        if (!keepAlive || (running != null && running.closed.get())) {
          exchange.getResponseHeaders().set("Connection", "close");
        }
        byte[] body = response.body();
        if (response.sendBody() && body.length > 0) {
          exchange.sendResponseHeaders(response.status(), body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        } else {
          // No body (HEAD): the JDK then leaves Content-Length to us, so HEAD reports GET's length.
          exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
          exchange.sendResponseHeaders(response.status(), -1);
        }
      } finally {
        if (running != null) {
          running.exit();
        }
      }
    }
  }
}

package io.tidaldb.examples;

import io.tidaldb.TidalDb;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A plain {@code main} service: opens a home, serves {@code /metrics} and {@code /healthz}, and closes
 * the database when the JVM is asked to stop (SIGTERM, Ctrl-C), so that the log is flushed and the
 * home unlocked before the process exits.
 *
 * <pre>{@code
 * java -cp 'examples/target/tidaldb-quickstart.jar:examples/target/lib/*' \
 *     io.tidaldb.examples.MetricsService ./service-home 127.0.0.1:9464
 * }</pre>
 */
public final class MetricsService {

  private MetricsService() {}

  /**
   * Runs the service until the JVM stops.
   *
   * @param args the home directory, and the address for the metrics endpoint
   * @throws InterruptedException if the main thread is interrupted while it waits
   */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: MetricsService <home-directory> <host:port>");
      System.exit(2);
    }
    TidalDb db = TidalDb.builder()
        .dataDir(Path.of(args[0]))
        .schema(Quickstart.SCHEMA)
        .enableMetrics(args[1])
        .open();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      db.close();
      System.out.println("tidalDB closed");
      closed.countDown();
    }, "tidaldb-shutdown"));
    InetSocketAddress metrics = db.metricsAddress().orElseThrow();
    System.out.println("serving http://" + metrics.getHostString() + ":" + metrics.getPort() + "/metrics");
    // The service's own work goes here; this one only waits to be stopped.
    closed.await();
  }
}

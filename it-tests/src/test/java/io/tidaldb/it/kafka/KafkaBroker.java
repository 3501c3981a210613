package io.tidaldb.it.kafka;

import static org.awaitility.Awaitility.await;

import io.tidaldb.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) in a child JVM, run
 * from the {@code kafka_2.13} artifact on the test classpath: no Docker, no mock. Its storage is
 * formatted once; it listens on 127.0.0.1 on two free ports that stay the same across
 * {@link #kill()} and {@link #restart()}, so clients configured with {@link #bootstrapServers()}
 * reconnect by themselves.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.start(dir)) {
 *   broker.createTopic("events", 6);
 *   broker.kill();      // kill -9
 *   broker.restart();   // same ports, same data
 * }                     // stopped by its PID: SIGTERM, then SIGKILL
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration STOP = Duration.ofSeconds(20);

  private final Path dir;
  private final Path config;
  private final int brokerPort;
  private int starts;
  private Process process;

  private KafkaBroker(Path dir, int brokerPort, int controllerPort) throws IOException {
    this.dir = dir;
    this.brokerPort = brokerPort;
    this.config = dir.resolve("server.properties");
    Files.createDirectories(dir);
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "num.network.threads=2",
        "num.io.threads=2",
        "background.threads=2",
        "") + "\n");
  }

  /**
   * Formats a new broker's storage under {@code dir} and starts it; returns once an admin client
   * sees it.
   *
   * @param dir an empty directory of the test's own
   * @return the running broker
   * @throws IOException if the configuration cannot be written
   */
  public static KafkaBroker start(Path dir) throws IOException {
    KafkaBroker broker = new KafkaBroker(dir, freePort(), freePort());
    broker.format();
    broker.restart();
    return broker;
  }

  /** {@code 127.0.0.1:PORT}, the same for the broker's whole life. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /** The broker process's id while it runs. */
  public long pid() {
    return process.pid();
  }

  /** Whether the broker process is running. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
  }

  /**
   * Creates a topic with {@code partitions} partitions (replication factor 1) and waits until every
   * partition has a leader.
   */
  public void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
      await("leaders of " + name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name)
              .partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    }
  }

  /** Kills the broker with SIGKILL ({@code kill -9}) and waits for it to die. */
  public void kill() {
    process.toHandle().destroyForcibly();
    waitForExit();
  }

  /** Starts the broker again (after {@link #kill()} or {@link #stop()}) on the same ports and data. */
  public void restart() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException("the broker " + process.pid() + " is still running: kill() or stop() it first");
    }
    starts++;
    List<String> command = javaCommand("kafka.Kafka", config.toString());
    process = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("broker-" + starts + ".out").toFile())
        .redirectError(dir.resolve("broker-" + starts + ".err").toFile())
        .start();
    awaitReady();
  }

  /** Stops the broker by its PID: SIGTERM, then SIGKILL if it has not exited within 20 s. */
  public void stop() {
    if (!isAlive()) {
      return;
    }
    process.toHandle().destroy();
    try {
      if (!process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
        process.toHandle().destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.toHandle().destroyForcibly();
    }
    waitForExit();
  }

  /** What the broker printed on standard error in its latest run, for failure messages. */
  public String stderr() {
    try {
      return Files.readString(dir.resolve("broker-" + starts + ".err"));
    } catch (IOException e) {
      return "(cannot read the broker's stderr: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process != null) {
      stop();
    }
  }

  private void format() {
    ProcessBuilder builder = new ProcessBuilder(javaCommand("kafka.tools.StorageTool",
        "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
    ChildJvm.Result result = ChildJvm.run(Duration.ofSeconds(60), builder);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("kafka-storage format failed (exit " + result.exitCode() + "): "
          + result.stdout() + result.stderr());
    }
  }

  private void awaitReady() {
    try (Admin admin = admin()) {
      await("the Kafka broker at " + bootstrapServers()).atMost(READY).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("the broker exited with " + process.exitValue() + ": " + stderr());
            }
            try {
              return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
            } catch (ExecutionException | TimeoutException e) {
              return false;
            }
          });
    }
  }

  private void waitForExit() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the broker " + process.pid() + " did not exit within 30 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private List<String> javaCommand(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    command.add("-Xshare:auto");
    command.add("-Djava.io.tmpdir=" + dir);
    command.add("-cp");
    command.add(ChildJvm.classpath());
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.tidaldb.it.kafka;

import io.tidaldb.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An {@link IngestInstance} child JVM, and the test's questions to it over loopback HTTP. */
final class FleetMember implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final String name;
  private final Path dataRoot;
  private final Path logs;
  private final String[] args;
  private ChildJvm.Watched child;
  private int port;
  private int starts;

  FleetMember(String name, Path dir, String bootstrapServers, String topic, String groupId) {
    this.name = name;
    this.dataRoot = dir.resolve(name + "-data");
    this.logs = dir;
    this.args = new String[] {bootstrapServers, topic, groupId, dataRoot.toString()};
  }

  /** Starts the child (again, after a kill, on the same data root) and waits until it serves. */
  FleetMember start() throws IOException {
    starts++;
    child = ChildJvm.watch(ChildJvm.builder(IngestInstance.class, List.of("-Djava.io.tmpdir=" + logs), args),
        logs.resolve(name + "-" + starts + ".err"));
    child.awaitOutput(Duration.ofSeconds(60), lines -> lines.stream().anyMatch(l -> l.startsWith("READY ")),
        name + " ready");
    port = child.lines().stream().filter(l -> l.startsWith("READY ")).mapToInt(l -> Integer.parseInt(l.substring(6)))
        .findFirst().orElseThrow();
    return this;
  }

  /** {@code kill -9}. */
  void kill() {
    child.kill();
  }

  /** The local partitions and, for each, the position (the next offset to apply). */
  Map<Integer, Long> positions() {
    Map<Integer, Long> positions = new TreeMap<>();
    for (String line : get("/state").lines().toList()) {
      String[] fields = line.split(" ");
      positions.put(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
    }
    return positions;
  }

  /** {@code entity signal count score} lines for the entities in its local partitions. */
  List<String> counts(int entities, Instant at) {
    return get("/counts?entities=" + entities + "&at=" + URLEncoder.encode(at.toString(), StandardCharsets.UTF_8))
        .lines().toList();
  }

  /** {@code entity score} lines of its local top. */
  List<String> top(int k, Instant at) {
    return get("/top?k=" + k + "&at=" + URLEncoder.encode(at.toString(), StandardCharsets.UTF_8)).lines().toList();
  }

  String stderr() {
    return child.stderrText();
  }

  private String get(String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 && response.body().contains("DatabaseClosedException")) {
        throw new PartitionMoved(name + " answered " + response.statusCode() + " to " + path + ": " + response.body());
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException(name + " answered " + response.statusCode() + " to " + path + ": "
            + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(name + " did not answer " + path + "; its stderr: " + stderr(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (child != null) {
      child.kill();
    }
  }

  /**
   * A query reached a partition whose home closed under it: a rebalance moved the partition
   * (docs/SCALING.md, "What queries see during a rebalance"). Ask again once the group has settled.
   */
  static final class PartitionMoved extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PartitionMoved(String message) {
      super(message);
    }
  }
}

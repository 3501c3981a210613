package io.tidaldb.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidaldb.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reactor's build outputs run as a user would run them, and what the tests that run them share:
 * the packaged {@code tidalctl} command, its JSON, and an HTTP GET against a local endpoint.
 */
final class Reactor {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Reactor() {}

  static Path root() {
    String root = System.getProperty("tidaldb.reactorRoot");
    if (root == null) {
      throw new IllegalStateException("run through Maven (failsafe sets tidaldb.reactorRoot)");
    }
    return Path.of(root).toAbsolutePath().normalize();
  }

  /** The packaged {@code tidalctl} command, as the README tells users to run it. */
  static Path tidalctlCommand() {
    Path command = root().resolve("tidalctl/target/tidalctl/bin/tidalctl");
    if (!Files.isExecutable(command)) {
      throw new IllegalStateException(command + " is missing or not executable: build with mvn package first");
    }
    return command;
  }

  /** Runs the packaged {@code tidalctl} with {@code args} as a child process, to completion. */
  static ChildJvm.Result tidalctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(tidalctlCommand().toString());
    command.addAll(List.of(args));
    return ChildJvm.run(TIMEOUT, new ProcessBuilder(command));
  }

  /** Parses one JSON document (a report, a dump line, a response body). */
  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  /** A GET of {@code path} on a local endpoint, with connect and request timeouts. */
  static HttpResponse<String> get(InetSocketAddress address, String path) throws IOException, InterruptedException {
    URI uri = URI.create("http://" + address.getHostString() + ":" + address.getPort() + path);
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

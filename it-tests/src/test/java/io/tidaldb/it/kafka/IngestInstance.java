package io.tidaldb.it.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.kafka.KafkaSignalIngest;
import io.tidaldb.kafka.PartitionStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One service of the fleet, run as a child JVM by the end-to-end tests: a {@link KafkaSignalIngest}
 * on its own data root, and a loopback HTTP endpoint (test-only) through which the test asks what it
 * holds. Prints {@code READY <port>} once it serves.
 *
 * <p>{@code GET /state}: a line {@code partition position lag} per local partition.
 * {@code GET /counts?entities=N&at=ISO}: a line {@code entity signal count score} per entity below
 * N in a local partition and signal. {@code GET /top?k=K&at=ISO}: {@code entity score} lines.
 */
public final class IngestInstance {

  static final String[] SIGNALS = {"view", "like", "share"};
  static final Duration[] HALF_LIVES = {Duration.ofHours(6), Duration.ofDays(2), Duration.ofDays(7)};
  static final RankingProfile PROFILE = RankingProfile.builder()
      .decayScore("view", 1.0).decayScore("like", 5.0).decayScore("share", 10.0).build();
  static final double[] PROFILE_WEIGHTS = {1.0, 5.0, 10.0};

  private IngestInstance() {}

  static Schema schema() {
    Schema.Builder builder = Schema.builder();
    for (int s = 0; s < SIGNALS.length; s++) {
      builder = builder.signal(SIGNALS[s], EntityKind.ITEM, DecaySpec.exponential(HALF_LIVES[s]))
          .windows(Window.ALL_TIME).add();
    }
    return builder.build();
  }

  /** {@code bootstrapServers topic groupId dataRoot}. */
  public static void main(String[] args) throws Exception {
    KafkaSignalIngest ingest = KafkaSignalIngest.builder()
        .bootstrapServers(args[0]).topic(args[1]).groupId(args[2]).dataRoot(Path.of(args[3]))
        .schema(schema())
        .consumerProperty("session.timeout.ms", 6000)
        .consumerProperty("heartbeat.interval.ms", 1000)
        .build();
    ingest.start();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/state", exchange -> answer(exchange, query -> {
      StringBuilder out = new StringBuilder();
      for (PartitionStatus status : ingest.statuses().values()) {
        out.append(status.partition()).append(' ').append(status.position()).append(' ')
            .append(status.lag().isPresent() ? status.lag().getAsLong() : -1).append('\n');
      }
      return out.toString();
    }));
    server.createContext("/counts", exchange -> answer(exchange, query -> {
      int entities = Integer.parseInt(query.get("entities"));
      Instant at = Instant.parse(query.get("at"));
      StringBuilder out = new StringBuilder();
      for (long entity = 0; entity < entities; entity++) {
        Optional<TidalDb> db = ingest.database(ingest.partitionFor(entity));
        if (db.isEmpty()) {
          continue;
        }
        for (String signal : SIGNALS) {
          long count = db.get().windowCount(signal, entity, Window.ALL_TIME);
          if (count > 0) {
            out.append(entity).append(' ').append(signal).append(' ').append(count).append(' ')
                .append(db.get().decayScore(signal, entity, at)).append('\n');
          }
        }
      }
      return out.toString();
    }));
    server.createContext("/top", exchange -> answer(exchange, query -> {
      StringBuilder out = new StringBuilder();
      for (ScoredEntity hit : ingest.top(PROFILE, Integer.parseInt(query.get("k")), Instant.parse(query.get("at")))) {
        out.append(hit.entityId()).append(' ').append(hit.score()).append('\n');
      }
      return out.toString();
    }));
    server.start();
    System.out.println("READY " + server.getAddress().getPort());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void answer(HttpExchange exchange, Function<Map<String, String>, String> body) throws IOException {
    byte[] bytes;
    int status = 200;
    try {
      bytes = body.apply(query(exchange.getRequestURI())).getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      status = 500;
      bytes = e.toString().getBytes(StandardCharsets.UTF_8);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> query = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return query;
  }
}

package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.testing.ChildJvm;
import io.tidaldb.testing.ExpositionParser;
import io.tidaldb.test.TempTidalHome;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A service owner's day: a service embeds a persistent database, binds its own Prometheus registry,
 * turns on the standalone endpoint, and writes signals from several threads; the process is killed;
 * the service reopens the home and every acknowledged signal is there, in scores and counts alike;
 * {@code tidalctl wal verify} finds the log clean.
 */
class ServiceOwnerIT {

  static final Instant BASE = Instant.parse("2026-03-01T12:00:00Z");
  static final Duration VIEW_HALF_LIFE = Duration.ofHours(6);
  static final Duration LIKE_HALF_LIFE = Duration.ofDays(2);
  static final String[] SIGNALS = {"view", "like"};
  static final int THREADS = 4;
  static final int ENTITIES = 100;

  static Schema schema() {
    return Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(VIEW_HALF_LIFE))
            .windows(Window.ONE_HOUR, Window.ALL_TIME).velocity(true).add()
        .signal("like", EntityKind.ITEM, DecaySpec.exponential(LIKE_HALF_LIFE))
            .windows(Window.ONE_HOUR, Window.ALL_TIME).add()
        .build();
  }

  /** The event thread {@code t} writes as its {@code i}-th: the same in the child and in the check. */
  static long entity(int t, int i) {
    return (t * 7919L + i * 31L) % ENTITIES;
  }

  static int signal(int t, int i) {
    return (t + i) % 5 == 0 ? 1 : 0;
  }

  /** Events spread over the two hours before {@code BASE}: the one-hour window holds about half of them. */
  static Instant time(int t, int i) {
    return BASE.minusMillis(7_200_000L - (i * 7_919L + t * 1_013L) % 7_200_000L);
  }

  /** Whether an event at {@code at} is in the one-hour window at {@code BASE}: its minute is one of the last 60. */
  static boolean inLastHour(Instant at) {
    return at.getEpochSecond() / 60 > BASE.getEpochSecond() / 60 - 60;
  }

  /** The service: writes until killed, printing each acknowledged write as {@code ACK t i}. */
  public static final class Service {
    public static void main(String[] args) throws Exception {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      TidalDb db = TidalDb.builder()
          .dataDir(Path.of(args[0]))
          .schema(schema())
          .meterRegistry(registry)
          .enableMetrics("127.0.0.1:0", "undertow")
          .checkpointInterval(Duration.ofMillis(200))
          .open();
      System.out.println("METRICS " + db.metricsAddress().orElseThrow().getPort());
      System.out.flush();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        writers.add(new Thread(() -> {
          SignalType[] types = {db.signalType("view"), db.signalType("like")};
          for (int i = 0; ; i++) {
            types[signal(thread, i)].record(entity(thread, i), 1.0, time(thread, i));
            synchronized (System.out) {
              System.out.println("ACK " + thread + " " + i);
              System.out.flush();
            }
            if (i == 500) {
              String host = registry.scrape();
              synchronized (System.out) {
                System.out.println("HOST " + host.lines().filter(l -> l.startsWith("tidaldb_signal_writes_total")).count());
              }
            }
          }
        }, "service-writer-" + t));
      }
      writers.forEach(Thread::start);
      for (Thread writer : writers) {
        writer.join();
      }
    }
  }

  @Test
  void killedService_reopensWithEverySignalItAcknowledged() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path home = temp.path().resolve("service-home");
      List<String> lines;
      try (ChildJvm.Watched service = ChildJvm.watch(ChildJvm.builder(Service.class, List.of(), home.toString()),
          temp.path().resolve("service.err"))) {
        service.awaitOutput(Duration.ofSeconds(120),
            printed -> printed.stream().filter(l -> l.startsWith("ACK ")).count() >= 3000, "3,000 acknowledged signals");
        lines = service.lines();

        // The standalone endpoint serves the live database; the host's own registry has the meters too.
        int port = Integer.parseInt(lines.get(0).substring("METRICS ".length()));
        HttpResponse<String> scrape = Reactor.get(new InetSocketAddress("127.0.0.1", port), "/metrics");
        assertEquals(200, scrape.statusCode());
        ExpositionParser.Exposition exposition = ExpositionParser.prometheusText(scrape.body());
        double viewWrites = exposition.family("tidaldb_signal_writes_total")
            .sample(Map.of("partition_id", "0", "signal", "view")).value();
        assertTrue(viewWrites > 0, "view writes " + viewWrites);
        assertTrue(exposition.family("tidaldb_wal_sequence").sample(Map.of("partition_id", "0")).value() >= 3000);
        assertTrue(lines.contains("HOST 2"), "the host's registry holds the writes of both signals: " + hostLines(lines));
        lines = service.kill();
      }

      Set<String> acknowledged = new HashSet<>();
      for (String line : lines) {
        if (line.startsWith("ACK ")) {
          acknowledged.add(line.substring(4));
        }
      }

      // Reopen as the service would after a restart, with the clock at BASE for exact reads.
      Clock clock = Clock.fixed(BASE, ZoneOffset.UTC);
      try (TidalDb db = TidalDb.builder().dataDir(home).schema(schema()).clock(clock).open()) {
        // The log may hold writes acknowledged a moment before the kill but never printed: the truth to
        // recompute from is the log itself, which must contain every printed acknowledgement. (Checkpoints
        // never remove the newest segment, and these few thousand events fit in one; the gapless check
        // below fails loudly if that ever stops being so.)
        List<JsonNode> events = dump(home);
        Map<String, double[]> expected = new HashMap<>();
        Set<String> inLog = new HashSet<>();
        for (JsonNode event : events) {
          long entity = event.get("entity_id").asLong();
          int type = event.get("signal_type_id").asInt();
          Instant at = Instant.parse(event.get("timestamp").asText());
          Duration halfLife = type == 0 ? VIEW_HALF_LIFE : LIKE_HALF_LIFE;
          double weight = event.get("weight").asDouble();
          double[] sums = expected.computeIfAbsent(type + "/" + entity, k -> new double[3]);
          sums[0] += weight * Math.pow(2, -(double) Duration.between(at, BASE).toNanos() / halfLife.toNanos());
          sums[1] += 1;
          sums[2] += inLastHour(at) ? 1 : 0;
          inLog.add(type + "/" + entity + "/" + at);
        }
        for (String ack : acknowledged) {
          String[] parts = ack.split(" ");
          int t = Integer.parseInt(parts[0]);
          int i = Integer.parseInt(parts[1]);
          assertTrue(inLog.contains(signal(t, i) + "/" + entity(t, i) + "/" + time(t, i)),
              "acknowledged write " + ack + " is missing from the log");
        }
        assertTrue(events.size() >= acknowledged.size());
        for (Map.Entry<String, double[]> entry : expected.entrySet()) {
          String[] key = entry.getKey().split("/");
          String name = SIGNALS[Integer.parseInt(key[0])];
          long entity = Long.parseLong(key[1]);
          double want = entry.getValue()[0];
          assertEquals(want, db.decayScore(name, entity, BASE), want * 1e-6, name + " score of " + entity);
          assertEquals((long) entry.getValue()[1], db.windowCount(name, entity, Window.ALL_TIME), name + " count of " + entity);
          assertEquals((long) entry.getValue()[2], db.windowCount(name, entity, Window.ONE_HOUR), name + " last hour of " + entity);
          if (name.equals("view")) {
            assertEquals(entry.getValue()[2] / 3600, db.velocity(name, entity, Window.ONE_HOUR), 1e-12, "view velocity of " + entity);
          }
        }
        assertEquals(events.size(), db.stats().lastSequence(), "the log's sequences are gapless from 1");
        long inWindow = expected.values().stream().mapToLong(sums -> (long) sums[2]).sum();
        assertTrue(inWindow > 0 && inWindow < events.size(), "the events straddle the one-hour window: " + inWindow);
      }

      ChildJvm.Result verify = Reactor.tidalctl("wal", "verify", "--path", home.toString());
      assertEquals(0, verify.exitCode(), verify.stdout() + verify.stderr());
      assertEquals("ok", Reactor.json(verify.stdout()).get("status").asText(), verify.stdout());
    }
  }

  private static List<JsonNode> dump(Path home) {
    ChildJvm.Result dump = Reactor.tidalctl("wal", "dump", "--path", home.toString());
    assertEquals(0, dump.exitCode(), dump.stderr());
    List<JsonNode> events = new ArrayList<>();
    for (String line : dump.stdout().split("\n")) {
      if (!line.isBlank()) {
        events.add(Reactor.json(line));
      }
    }
    return events;
  }

  private static List<String> hostLines(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("HOST")).toList();
  }
}

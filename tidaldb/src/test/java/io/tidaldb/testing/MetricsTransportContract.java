package io.tidaldb.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.BuildInfo;
import io.tidaldb.ConfigException;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbBuilder;
import io.tidaldb.TidalDbException;
import io.tidaldb.Window;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.FaultyDisk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every metrics transport must have, written once: a transport module's test extends
 * this class and names its transport.
 *
 * <pre>{@code
 * class JdkTransportContractTest extends MetricsTransportContract {
 *   protected String transportName() { return "jdk"; }
 * }
 * }</pre>
 *
 * <p>Each test opens a real database with a real server on a free loopback port and talks to it with
 * {@link HttpClient} (or {@link RawHttp} where the wire itself matters).
 */
public abstract class MetricsTransportContract {

  private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
  private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
  private static final String PROMETHEUS_2_ACCEPT = "application/vnd.google.protobuf;proto=io.prometheus.client."
      + "MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1";
  private static final String PROMETHEUS_3_ACCEPT = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;"
      + "q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
      + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
  private static final Map<String, String> PARTITION_0 = Map.of("partition_id", "0");

  /** Slow clients in the tests of the request timeout: each sends part of a request, then nothing. */
  private static final int STALLED = 64;

  /** The families of an ephemeral database without signals: the three of issue 4 and the ledger's. */
  public static final Set<String> EPHEMERAL_FAMILIES = Set.of("tidaldb_uptime_seconds", "tidaldb_health_ok",
      "tidaldb_info", "tidaldb_ledger_entries", "tidaldb_ledger_evictions_total", "tidaldb_signal_reads_total",
      "tidaldb_signal_write_latency_seconds", "tidaldb_signal_write_latency_seconds_max");

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /**
   * The transport under test.
   *
   * @return its name, as given to {@code enableMetrics(hostPort, name)}
   */
  protected abstract String transportName();

  private TidalDbBuilder builder() {
    return TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", transportName());
  }

  @Test
  void open_withPortZero_listensOnAFreeLoopbackPortWithDaemonThreadsNamedTidaldb() {
    Set<Thread> before = liveThreads();
    try (TidalDb db = builder().open()) {
      InetSocketAddress at = db.metricsAddress().orElseThrow();
      assertTrue(at.getPort() > 0, "port 0 must become a real port: " + at);
      assertTrue(at.getAddress().isLoopbackAddress(), at.toString());
      List<Thread> started = startedSince(before);
      assertFalse(started.isEmpty(), "the server runs on threads of its own");
      for (Thread thread : started) {
        assertTrue(thread.getName().startsWith("tidaldb-"), "a thread tidalDB started is named " + thread.getName());
        assertTrue(thread.isDaemon(), thread.getName() + " must be a daemon thread");
      }
    }
  }

  @Test
  void healthz_isOkWithUptimeAboveZero() {
    try (TidalDb db = builder().open()) {
      HttpResponse<byte[]> response = get(db, "/healthz", null);
      assertEquals(200, response.statusCode());
      assertEquals("application/json", contentType(response));
      Map<String, Object> json = FlatJson.parse(text(response));
      assertEquals(List.of("status", "uptime_seconds", "version", "build_hash"), List.copyOf(json.keySet()));
      assertEquals("ok", json.get("status"));
      assertTrue((Double) json.get("uptime_seconds") > 0, "uptime_seconds: " + json);
      assertEquals(BuildInfo.version(), json.get("version"));
      assertEquals(BuildInfo.buildHash(), json.get("build_hash"));
    }
  }

  @Test
  void metrics_servesTheMetersInPrometheusText() {
    try (TidalDb db = builder().open()) {
      HttpResponse<byte[]> response = get(db, "/metrics", null);
      assertEquals(200, response.statusCode());
      assertEquals(TEXT_004, contentType(response));
      ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(text(response));
      assertEquals(EPHEMERAL_FAMILIES, parsed.families().keySet());
      assertEquals("gauge", parsed.family("tidaldb_uptime_seconds").type());
      assertTrue(parsed.family("tidaldb_uptime_seconds").sample(PARTITION_0).value() > 0);
      assertEquals(1.0, parsed.family("tidaldb_health_ok").sample(PARTITION_0).value());
      assertEquals(1.0, parsed.family("tidaldb_info").sample(Map.of("partition_id", "0",
          "version", BuildInfo.version(), "build_hash", BuildInfo.buildHash())).value());
    }
  }

  @Test
  void metrics_ofAPersistentDatabase_showTheSignalWalAndCheckpointMeters_andMoveWithTheWork() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
        .build();
    ManualClock clock = ManualClock.at(Instant.parse("2026-03-01T10:30:15Z"));
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(schema).clock(clock)
            .checkpointInterval(Duration.ZERO).enableMetrics("127.0.0.1:0", transportName()).open()) {
      ExpositionParser.Exposition before = ExpositionParser.prometheusText(text(get(db, "/metrics", null)));
      Set<String> families = new HashSet<>(EPHEMERAL_FAMILIES);
      families.addAll(Set.of("tidaldb_signal_writes_total", "tidaldb_wal_sequence", "tidaldb_wal_segments",
          "tidaldb_wal_written_bytes_total", "tidaldb_wal_failures_total", "tidaldb_wal_fsync_seconds",
          "tidaldb_wal_fsync_seconds_max", "tidaldb_checkpoint_seconds", "tidaldb_checkpoint_seconds_max",
          "tidaldb_checkpoint_failures_total", "tidaldb_checkpoint_age_seconds", "tidaldb_checkpoint_interval_seconds"));
      assertEquals(families, before.families().keySet());
      assertEquals(0.0, before.family("tidaldb_wal_sequence").sample(PARTITION_0).value());
      assertEquals(0.0, before.family("tidaldb_wal_failures_total").sample(PARTITION_0).value());
      assertEquals(0.0, before.family("tidaldb_checkpoint_interval_seconds").sample(PARTITION_0).value(),
          "periodic checkpoints are off");
      assertEquals(0.0, before.family("tidaldb_checkpoint_age_seconds").sample(PARTITION_0).value(),
          "no checkpoint yet: the age counts from open, and the clock has not moved");

      for (int i = 0; i < 20; i++) {
        db.signal("view", i % 4, 1.0, clock.instant());
      }
      db.decayScores("view", new long[] {0, 1, 2, 3}, clock.instant(), new double[4]);
      db.checkpoint();
      clock.advance(Duration.ofMillis(1500));

      ExpositionParser.Exposition after = ExpositionParser.prometheusText(text(get(db, "/metrics", null)));
      assertEquals(20.0, after.family("tidaldb_signal_writes_total")
          .sample(Map.of("partition_id", "0", "signal", "view")).value());
      assertEquals(4.0, after.family("tidaldb_signal_reads_total").sample(PARTITION_0).value());
      assertEquals(20.0, after.family("tidaldb_wal_sequence").sample(PARTITION_0).value());
      assertEquals(4.0, after.family("tidaldb_ledger_entries").sample(PARTITION_0).value());
      assertTrue(after.family("tidaldb_wal_written_bytes_total").sample(PARTITION_0).value() > 20 * 24);
      assertEquals("summary", after.family("tidaldb_wal_fsync_seconds").type());
      assertTrue(after.family("tidaldb_wal_fsync_seconds").samples().stream()
          .anyMatch(s -> s.name().equals("tidaldb_wal_fsync_seconds_count") && s.value() >= 20));
      assertTrue(after.family("tidaldb_checkpoint_seconds").samples().stream()
          .anyMatch(s -> s.name().equals("tidaldb_checkpoint_seconds_count") && s.value() == 1));
      assertEquals(0.0, after.family("tidaldb_checkpoint_failures_total").sample(PARTITION_0).value());
      assertEquals(1.5, after.family("tidaldb_checkpoint_age_seconds").sample(PARTITION_0).value());
    }
  }

  @Test
  void uptime_increasesBetweenReads_byTheTimeTheClockMoved() {
    ManualClock clock = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    try (TidalDb db = builder().clock(clock).open()) {
      clock.advance(Duration.ofMillis(1500));
      double first = uptime(db);
      Object firstHealth = FlatJson.parse(text(get(db, "/healthz", null))).get("uptime_seconds");
      clock.advance(Duration.ofMillis(250));
      double second = uptime(db);
      assertEquals(1.5, first);
      assertEquals(1.5, firstHealth);
      assertEquals(1.75, second);
      assertEquals(1.75, FlatJson.parse(text(get(db, "/healthz", null))).get("uptime_seconds"));
    }
  }

  @Test
  void close_refusesConnectionsAndEndsEveryThreadTheServerStarted() {
    Set<Thread> before = liveThreads();
    TidalDb db = builder().open();
    InetSocketAddress at = db.metricsAddress().orElseThrow();
    List<Thread> started = startedSince(before);
    assertEquals(200, get(db, "/metrics", null).statusCode());
    try (RawHttp kept = new RawHttp(at)) {
      assertEquals(200, kept.exchange("GET", "/healthz").status());
      db.close();
      assertThrows(ConnectException.class, () -> connect(at), "the port must be closed after close()");
      List<String> alive = started.stream().filter(Thread::isAlive)
          .filter(t -> !t.getName().equals("tidaldb-cleaner")).map(Thread::getName).collect(Collectors.toList());
      assertEquals(List.of(), alive, "threads still alive after close()");
    }
  }

  @Test
  void metrics_inOpenMetrics_whenAcceptAsksForIt() {
    try (TidalDb db = builder().open()) {
      for (String accept : List.of("application/openmetrics-text", "application/openmetrics-text; version=1.0.0",
          PROMETHEUS_3_ACCEPT)) {
        HttpResponse<byte[]> response = get(db, "/metrics", accept);
        assertEquals(200, response.statusCode());
        assertEquals(OPENMETRICS, contentType(response), accept);
        String body = text(response);
        assertTrue(body.endsWith("# EOF\n"), body);
        ExpositionParser.Exposition parsed = ExpositionParser.openMetrics(body);
        assertEquals("info", parsed.family("tidaldb").type());
        assertEquals(1.0, parsed.family("tidaldb_health_ok").sample(PARTITION_0).value());
        assertTrue(parsed.family("tidaldb_uptime_seconds").sample(PARTITION_0).value() > 0);
      }
    }
  }

  @Test
  void metrics_inProtobuf_whenAcceptAsksForIt_isAValidDelimitedStream() {
    try (TidalDb db = builder().open()) {
      HttpResponse<byte[]> response = get(db, "/metrics", PROMETHEUS_2_ACCEPT);
      assertEquals(200, response.statusCode());
      assertEquals(PROTOBUF, contentType(response));
      List<ProtobufExposition.Family> families = ProtobufExposition.parse(response.body());
      Map<String, ProtobufExposition.Family> byName = families.stream()
          .collect(Collectors.toMap(ProtobufExposition.Family::name, f -> f));
      assertEquals(EPHEMERAL_FAMILIES, byName.keySet());
      ProtobufExposition.Metric health = byName.get("tidaldb_health_ok").metrics().get(0);
      assertEquals(PARTITION_0, health.labels());
      assertEquals(1.0, health.value());
      assertEquals("GAUGE", byName.get("tidaldb_uptime_seconds").type());
    }
  }

  @Test
  void metrics_inPrometheusText_withoutAcceptForAnyOrForAFormatItCannotWrite() {
    try (TidalDb db = builder().open()) {
      for (String accept : Arrays.asList(null, "*/*", "text/plain", "text/*", "application/json",
          "application/openmetrics-text;version=2.0.0", "application/openmetrics-text;q=0, text/plain;q=0.1")) {
        HttpResponse<byte[]> response = get(db, "/metrics", accept);
        assertEquals(200, response.statusCode(), String.valueOf(accept));
        assertEquals(TEXT_004, contentType(response), String.valueOf(accept));
        ExpositionParser.prometheusText(text(response));
      }
    }
  }

  @Test
  void head_answersLikeGet_withoutABody() {
    ManualClock stopped = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    try (TidalDb db = builder().clock(stopped).open(); RawHttp raw = new RawHttp(db.metricsAddress().orElseThrow())) {
      for (String path : List.of("/metrics", "/healthz")) {
        RawHttp.Response got = raw.exchange("GET", path);
        RawHttp.Response head = raw.exchange("HEAD", path);
        assertEquals(got.status(), head.status(), path);
        assertEquals(got.headers().get("Content-Type"), head.headers().get("Content-Type"), path);
        assertEquals(String.valueOf(got.body().length), head.headers().get("Content-Length"), path);
        assertArrayEquals(new byte[0], head.body(), path);
        assertEquals(200, raw.exchange("GET", path).status(), "the connection carries on after HEAD");
      }
      HttpResponse<byte[]> viaClient = send(db, "/healthz", "HEAD", null);
      assertEquals(200, viaClient.statusCode());
      assertEquals(0, viaClient.body().length);
    }
  }

  @Test
  void otherMethods_get405WithAllow() {
    try (TidalDb db = builder().open()) {
      for (String path : List.of("/metrics", "/healthz")) {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
          HttpResponse<byte[]> response = send(db, path, method, null);
          assertEquals(405, response.statusCode(), method + " " + path);
          assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(null), method + " " + path);
          assertTrue(response.headers().firstValue("Content-Type").isPresent(), "an explicit Content-Type");
        }
      }
    }
  }

  @Test
  void otherPaths_get404() {
    try (TidalDb db = builder().open()) {
      for (String path : List.of("/", "/metricsX", "/metrics/", "/healthzz", "/healthz/x", "/favicon.ico", "/METRICS")) {
        for (String method : List.of("GET", "POST")) {
          HttpResponse<byte[]> response = send(db, path, method, null);
          assertEquals(404, response.statusCode(), method + " " + path);
          assertTrue(response.headers().firstValue("Content-Type").isPresent(), "an explicit Content-Type");
        }
      }
      assertEquals(200, get(db, "/metrics?name[]=tidaldb_info", null).statusCode(), "a query string is not a path");
    }
  }

  @Test
  void healthz_is503Degraded_whenTheHomeIsDeletedUnderAnOpenDatabase() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path home = temp.path().resolve("home");
      try (TidalDb db = TidalDb.builder().dataDir(home).enableMetrics("127.0.0.1:0", transportName()).open()) {
        assertEquals(200, get(db, "/healthz", null).statusCode());
        TempTidalHome.deleteRecursively(home);
        HttpResponse<byte[]> response = get(db, "/healthz", null);
        assertEquals(503, response.statusCode());
        assertEquals("application/json", contentType(response));
        Map<String, Object> json = FlatJson.parse(text(response));
        assertEquals("degraded", json.get("status"));
        assertTrue(((String) json.get("reason")).contains("is gone"), json.toString());
        ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(text(get(db, "/metrics", null)));
        assertEquals(0.0, parsed.family("tidaldb_health_ok").sample(PARTITION_0).value());
        assertFalse(Files.exists(home));
      }
    }
  }

  @Test
  void healthz_is503Degraded_andHealthOkIs0_whenTheWalHasStoppedOnAFullDisk() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
        .build();
    try (TempTidalHome temp = TempTidalHome.create();
        FaultyDisk disk = FaultyDisk.fullAfter(temp.home().wal(), 0)) {
      TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(schema).checkpointInterval(Duration.ZERO)
          .enableMetrics("127.0.0.1:0", transportName()).open();
      try {
        assertEquals(200, get(db, "/healthz", null).statusCode());
        assertThrows(StorageException.class, () -> db.signal("view", 1, 1.0, Instant.now()));
        HttpResponse<byte[]> response = get(db, "/healthz", null);
        assertEquals(503, response.statusCode());
        assertEquals("application/json", contentType(response));
        Map<String, Object> json = FlatJson.parse(text(response));
        assertEquals(List.of("status", "reason", "uptime_seconds", "version", "build_hash"), List.copyOf(json.keySet()));
        assertEquals("degraded", json.get("status"));
        String reason = (String) json.get("reason");
        assertTrue(reason.contains("write-ahead log") && reason.contains(FaultyDisk.NO_SPACE), reason);
        ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(text(get(db, "/metrics", null)));
        assertEquals(0.0, parsed.family("tidaldb_health_ok").sample(PARTITION_0).value());
      } finally {
        try {
          db.close();
        } catch (TidalDbException expected) {
          // close() reports that the WAL had failed, after releasing everything.
        }
      }
    }
  }

  @Test
  void occupiedPort_failsOpenNamingTheAddress_andLeavesNoThreadLockOrFileBehind() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create();
        ServerSocket occupied = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + occupied.getLocalPort();
      TidalDb.builder().dataDir(temp.path()).open().close();
      Set<Thread> before = liveThreads();
      long fdsBefore = openFileDescriptors();
      ConfigException e = assertThrows(ConfigException.class,
          () -> TidalDb.builder().dataDir(temp.path()).enableMetrics(address, transportName()).open());
      assertTrue(e.getMessage().contains(address), e.getMessage());
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse(), "the home's lock must be released");
      assertEquals(List.of(), startedSince(before).stream().map(Thread::getName).collect(Collectors.toList()));
      assertEquals(fdsBefore, openFileDescriptors(), "file descriptors left open");
      try (TidalDb again = TidalDb.builder().dataDir(temp.path()).open()) {
        again.healthCheck();
      }
    }
  }

  @Test
  void keptAliveConnection_answersRequestsWithoutStalling() {
    try (TidalDb db = builder().open(); RawHttp raw = new RawHttp(db.metricsAddress().orElseThrow())) {
      long[] millis = new long[41];
      for (int i = 0; i < millis.length; i++) {
        long start = System.nanoTime();
        assertEquals(200, raw.exchange("GET", i % 2 == 0 ? "/metrics" : "/healthz").status());
        millis[i] = (System.nanoTime() - start) / 1_000_000;
      }
      Arrays.sort(millis);
      assertTrue(millis[millis.length / 2] < 20,
          "median " + millis[millis.length / 2] + " ms: a stall (Nagle meets delayed ACK) takes about 40 ms");
    }
  }

  @Test
  void twoDatabases_withDistinctPartitionIds_eachServeTheirOwnMeters() {
    MeterRegistry host = new SimpleMeterRegistry();
    try (TidalDb a = builder().partitionId("a").meterRegistry(host).open();
        TidalDb b = builder().partitionId("b").meterRegistry(host).open()) {
      for (TidalDb db : List.of(a, b)) {
        String id = db.config().partitionId();
        ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(text(get(db, "/metrics", null)));
        assertEquals(List.of(Map.of("partition_id", id)), parsed.family("tidaldb_health_ok").samples().stream()
            .map(ExpositionParser.Sample::labels).collect(Collectors.toList()));
      }
      assertEquals(2, host.find("tidaldb.health.ok").gauges().size());
    }
    assertEquals(List.of(), host.getMeters(), "close() removes tidalDB's meters from the host's registry");
  }

  @Test
  void endpoint_servesTidalDbsMetersOnly_whateverTheHostRegistryHolds() {
    MeterRegistry host = new SimpleMeterRegistry();
    host.counter("host.requests").increment();
    try (TidalDb db = builder().meterRegistry(host).open()) {
      ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(text(get(db, "/metrics", null)));
      assertEquals(EPHEMERAL_FAMILIES, parsed.families().keySet());
      assertTrue(host.find("tidaldb.uptime").timeGauge() != null, "the host's registry has tidalDB's meters too");
    }
    assertEquals(List.of("host.requests"), host.getMeters().stream().map(m -> m.getId().getName())
        .collect(Collectors.toList()));
  }

  @Test
  void healthz_answersWithinOneSecond_while64StalledConnectionsAreOpen() {
    List<Socket> stalled = new ArrayList<>();
    try (TidalDb db = builder().open()) {
      InetSocketAddress at = db.metricsAddress().orElseThrow();
      for (int i = 0; i < STALLED; i++) {
        stalled.add(RawHttp.stall(at, "G"));
      }
      for (int probe = 0; probe < 5; probe++) {
        try (RawHttp fresh = new RawHttp(at, Duration.ofSeconds(3))) {
          long start = System.nanoTime();
          RawHttp.Response response = fresh.exchange("GET", "/healthz");
          long millis = (System.nanoTime() - start) / 1_000_000;
          assertEquals(200, response.status());
          assertTrue(millis < 1_000, "/healthz took " + millis + " ms with " + STALLED + " stalled connections open");
        } catch (UncheckedIOException e) {
          throw new AssertionError("/healthz did not answer (probe " + probe + ") with " + STALLED
              + " stalled connections open", e);
        }
      }
    } finally {
      closeAll(stalled);
    }
  }

  @Test
  void stalledConnections_areClosedByTheServer_afterTheRequestTimeout() {
    List<String> partialRequests = List.of("G", "GET /healthz HTTP/1.1\r\nHost: a\r\n",
        "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part of the body");
    List<Socket> stalled = new ArrayList<>();
    try (TidalDb db = builder().metricsRequestTimeout(Duration.ofMillis(300)).open()) {
      InetSocketAddress at = db.metricsAddress().orElseThrow();
      for (int i = 0; i < STALLED; i++) {
        stalled.add(RawHttp.stall(at, partialRequests.get(i % partialRequests.size())));
      }
      await("the server closes every stalled connection").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> stillOpen(stalled, partialRequests), Matchers.empty());
      try (RawHttp fresh = new RawHttp(at, Duration.ofSeconds(3))) {
        assertEquals(200, fresh.exchange("GET", "/healthz").status());
      }
    } finally {
      closeAll(stalled);
    }
  }

  @Test
  void connectionsOverTheCap_areClosedAtOnce_andServedAgainOnceBelowIt() {
    int cap = 4;
    List<Socket> stalled = new ArrayList<>();
    try (TidalDb db = builder().metricsMaxConnections(cap).metricsRequestTimeout(Duration.ofMinutes(10)).open()) {
      InetSocketAddress at = db.metricsAddress().orElseThrow();
      for (int i = 0; i < cap; i++) {
        stalled.add(RawHttp.stall(at, "G"));
      }
      // A probe may overtake a stalled connection on its way in (the server has several accepting threads):
      // then the probe is answered and the stalled connection is the one over the cap. Count those.
      AtomicInteger answered = new AtomicInteger();
      await("a connection over the cap of " + cap + " is closed at once (not answered, not queued)")
          .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .until(() -> overTheCap(at) || answered.incrementAndGet() < 0);
      long closedWithinCap = stalled.stream().filter(RawHttp::closedByServer).count();
      assertTrue(closedWithinCap <= answered.get(), "the server closed " + closedWithinCap + " of the " + cap
          + " connections within the cap (" + answered.get() + " probes were answered in their place)");
      closeAll(stalled);
      await("served again once the stalled connections are gone").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> {
            try (RawHttp fresh = new RawHttp(at, Duration.ofSeconds(3))) {
              return fresh.exchange("GET", "/healthz").status() == 200;
            } catch (UncheckedIOException e) {
              return false;
            }
          });
    } finally {
      closeAll(stalled);
    }
  }

  // ---- helpers ----

  /**
   * Sends a whole request on a fresh connection: true if the server closes it within a second without
   * a response; false if it answers; fails if it neither answers nor closes within a second (queued).
   */
  private static boolean overTheCap(InetSocketAddress at) {
    try (Socket probe = RawHttp.stall(at, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")) {
      probe.setSoTimeout(1_000);
      int first;
      try {
        first = probe.getInputStream().read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("a connection over the cap waited 1 s unanswered: it was queued, not closed");
      } catch (SocketException e) {
        return true;
      }
      return first < 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What each connection the server has not closed yet had sent. */
  private static List<String> stillOpen(List<Socket> stalled, List<String> sent) {
    List<String> open = new ArrayList<>();
    for (int i = 0; i < stalled.size(); i++) {
      if (!RawHttp.closedByServer(stalled.get(i))) {
        open.add("connection " + i + " (sent " + sent.get(i % sent.size()).replace("\r\n", "\\r\\n") + ")");
      }
    }
    return open;
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private double uptime(TidalDb db) {
    return ExpositionParser.prometheusText(text(get(db, "/metrics", null)))
        .family("tidaldb_uptime_seconds").sample(PARTITION_0).value();
  }

  private HttpResponse<byte[]> get(TidalDb db, String path, String accept) {
    return send(db, path, "GET", accept);
  }

  private HttpResponse<byte[]> send(TidalDb db, String path, String method, String accept) {
    InetSocketAddress at = db.metricsAddress().orElseThrow();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (accept != null) {
      request.header("Accept", accept);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElseThrow(() -> new AssertionError("no Content-Type"));
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static void connect(InetSocketAddress at) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(at, 2_000);
    }
  }

  private static Set<Thread> liveThreads() {
    return new HashSet<>(Thread.getAllStackTraces().keySet());
  }

  /** Threads alive now that were not alive before, except the JVM-wide cleaner tidalDB shares. */
  private static List<Thread> startedSince(Set<Thread> before) {
    List<Thread> started = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(thread) && thread.isAlive() && !thread.getName().equals("tidaldb-cleaner")) {
        started.add(thread);
      }
    }
    return started;
  }

  /** Open file descriptors of this process (Linux), or -1 where {@code /proc/self/fd} does not exist. */
  private static long openFileDescriptors() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1;
    }
    try (Stream<Path> list = Files.list(fds)) {
      return list.count();
    }
  }
}

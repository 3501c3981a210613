package io.tidaldb.metrics.undertow;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.TidalDb;
import io.tidaldb.testing.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections that send nothing at all: the undertow transport bounds them too (the jdk transport
 * cannot, as docs/METRICS.md says, so these are not in the shared contract).
 */
class SilentConnectionsTest {

  @Test
  void silentConnections_areClosedByTheServer_afterTheRequestTimeout() {
    List<Socket> silent = new ArrayList<>();
    try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", "undertow")
        .metricsRequestTimeout(Duration.ofMillis(300)).open()) {
      InetSocketAddress at = db.metricsAddress().orElseThrow();
      for (int i = 0; i < 16; i++) {
        silent.add(RawHttp.stall(at, ""));
      }
      await("the server closes every silent connection").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> silent.stream().allMatch(RawHttp::closedByServer));
    } finally {
      closeAll(silent);
    }
  }

  @Test
  void idleKeptAliveConnections_countAgainstTheCap() {
    int cap = 4;
    List<RawHttp> idle = new ArrayList<>();
    try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0", "undertow")
        .metricsMaxConnections(cap).metricsRequestTimeout(Duration.ofMinutes(10)).open()) {
      InetSocketAddress at = db.metricsAddress().orElseThrow();
      for (int i = 0; i < cap; i++) {
        RawHttp client = new RawHttp(at, Duration.ofSeconds(3));
        idle.add(client);
        assertEquals(200, client.exchange("GET", "/healthz").status(), "connection " + i + " is within the cap");
      }
      try (Socket over = RawHttp.stall(at, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")) {
        await("a request over the cap of " + cap + " idle connections is closed, not answered")
            .atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
            .until(() -> RawHttp.closedByServer(over));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (RawHttp client : idle) {
        assertEquals(200, client.exchange("GET", "/healthz").status(), "a connection within the cap still works");
      }
      idle.get(0).close();
      await("served again once a connection is gone").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> {
            try (RawHttp fresh = new RawHttp(at, Duration.ofSeconds(2))) {
              return fresh.exchange("GET", "/healthz").status() == 200;
            }
          });
    } finally {
      idle.forEach(RawHttp::close);
    }
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
}

package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The user guide's plain {@code main} service, run as a real process and stopped with SIGTERM. */
class MetricsServiceTest {

  @Test
  void sigterm_closesTheDatabaseBeforeTheProcessExits() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Process service = ChildJvm.builder(MetricsService.class, List.of(), temp.path().toString(), "127.0.0.1:0")
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8))) {
        service.getOutputStream().close();
        // Logback writes tidalDB's log lines to standard output too; the service's own line says where it serves.
        String serving = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
          for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("serving http://")) {
              return line;
            }
          }
          throw new AssertionError("the service exited without serving; exit code " + service.waitFor());
        }, "the service did not start");

        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(serving.substring("serving ".length()))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("tidaldb_uptime_seconds"), metrics.body());

        // SIGTERM through the handle: Process.destroy() would also close our end of the pipe.
        service.toHandle().destroy();
        assertTrue(service.waitFor(60, TimeUnit.SECONDS), "the service did not stop within 60 s of SIGTERM");
        String rest = out.lines().collect(Collectors.joining("\n"));
        assertTrue(rest.contains("tidalDB closed"), "the shutdown hook closes the database: " + rest);
      } finally {
        service.destroyForcibly();
      }
    }
  }
}

package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tidaldb.TidalDb;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The user guide's logging section: tidalDB's System.Logger output reaches SLF4J, under the names it lists. */
class LoggingTest {

  private static final Pattern LOGGER = Pattern.compile("System\\.getLogger\\((\\w+)\\.class\\.getName\\(\\)\\)");

  @Test
  void systemLogger_isRoutedToLogbackThroughSlf4j() {
    Logger tidal = (Logger) LoggerFactory.getLogger("io.tidaldb");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    tidal.addAppender(captured);
    try (TidalDb db = TidalDb.builder().ephemeral().enableMetrics("127.0.0.1:0").open()) {
      assertTrue(captured.list.stream().anyMatch(event ->
              event.getLoggerName().equals("io.tidaldb.internal.metrics.MetricsRuntime") && event.getFormattedMessage().contains("metrics")),
          "the metrics endpoint's INFO line, in Logback: " + captured.list);
    } finally {
      tidal.detachAppender(captured);
    }
  }

  @Test
  void guide_listsEveryLoggerName() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/")).toList()) {
        String source = Files.readString(file, StandardCharsets.UTF_8);
        Matcher matcher = LOGGER.matcher(source);
        while (matcher.find()) {
          Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
          assertTrue(pkg.find(), file + " has no package");
          names.add(pkg.group(1) + "." + matcher.group(1));
        }
      }
    }
    assertTrue(names.size() >= 5, "logger names found: " + names);
    String guide = Files.readString(root.resolve("docs/GUIDE.md"), StandardCharsets.UTF_8);
    for (String name : names) {
      assertTrue(guide.contains("`" + name + "`"), "docs/GUIDE.md's logging section should list the logger " + name);
    }
  }
}

package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application on the module path, built against the packaged jars as a user's build would: it
 * can use the documented API (and the metrics transport it puts beside the core, found through the
 * core's {@code uses} and the transport's {@code provides}), and it cannot reach tidalDB's internals.
 */
class ModulePathIT {

  private static final String MODULE_INFO = """
      module app {
        requires io.tidaldb;
      }
      """;

  private static final String API_ONLY = """
      package app;

      import io.tidaldb.DecaySpec;
      import io.tidaldb.EntityKind;
      import io.tidaldb.Schema;
      import io.tidaldb.TidalDb;
      import io.tidaldb.Window;
      import java.time.Duration;
      import java.time.Instant;

      public final class Main {
        public static void main(String[] args) {
          Schema schema = Schema.builder()
              .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
              .build();
          try (TidalDb db = TidalDb.builder().ephemeral().schema(schema).enableMetrics("127.0.0.1:0", "jdk").open()) {
            db.signal("view", 42L, 1.0, Instant.now());
            db.signal("view", 42L, 1.0, Instant.now());
            System.out.println("windowCount=" + db.windowCount("view", 42L, Window.ALL_TIME));
            System.out.println("metrics=" + db.metricsAddress().isPresent());
          }
        }
      }
      """;

  private static final String INTERNAL = """
      package app;

      import io.tidaldb.internal.signal.SignalEngine;

      public final class Main {
        public static void main(String[] args) {
          System.out.println(SignalEngine.class);
        }
      }
      """;

  @TempDir
  Path dir;

  @Test
  void moduleOnTheModulePath_usesTheApiAndATransport() throws IOException {
    Path classes = compile(API_ONLY);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "--module-path", classes + File.pathSeparator + modulePath(), "--module", "app/app.Main"));
    ChildJvm.Result result = ChildJvm.run(Duration.ofSeconds(60), new ProcessBuilder(command));

    assertEquals(0, result.exitCode(), result.stderr());
    assertTrue(result.stdout().contains("windowCount=2"), result.stdout());
    assertTrue(result.stdout().contains("metrics=true"), result.stdout());
  }

  @Test
  void moduleOnTheModulePath_cannotReachTheInternals() throws IOException {
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    boolean compiled = javac(INTERNAL, dir.resolve("internal-classes"), diagnostics);

    assertFalse(compiled, "a consumer module compiled against io.tidaldb.internal.signal");
    String errors = diagnostics.toString(StandardCharsets.UTF_8);
    assertTrue(errors.contains("io.tidaldb.internal.signal") && errors.contains("does not export"), errors);
  }

  private Path compile(String main) throws IOException {
    Path classes = dir.resolve("classes");
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    assertTrue(javac(main, classes, diagnostics), diagnostics.toString(StandardCharsets.UTF_8));
    return classes;
  }

  private boolean javac(String main, Path classes, ByteArrayOutputStream diagnostics) throws IOException {
    Path src = dir.resolve("src-" + classes.getFileName());
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
    Files.writeString(src.resolve("app/Main.java"), main);
    Files.createDirectories(classes);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    // An explicit, empty class path: javac in this JVM would otherwise search the test's own.
    List<String> options = List.of("--release", "17", "--module-path", modulePath(), "--class-path", classes.toString(),
        "-d", classes.toString(),
        src.resolve("module-info.java").toString(), src.resolve("app/Main.java").toString());
    PrintStream errors = new PrintStream(diagnostics, true, StandardCharsets.UTF_8);
    return javac.run(null, null, errors, options.toArray(String[]::new)) == 0;
  }

  /**
   * The published jars an application would put on its module path (the core, the JDK transport,
   * the exposition) and their third-party dependencies from this test's classpath.
   */
  private static String modulePath() throws IOException {
    String version = System.getProperty("tidaldb.expectedVersion");
    List<String> path = new ArrayList<>();
    for (String module : List.of("tidaldb", "tidaldb-metrics-jdk", "tidaldb-metrics-exposition")) {
      Path jar = Reactor.root().resolve(module + "/target/" + module + "-" + version + ".jar");
      assertTrue(Files.isRegularFile(jar), jar + " is missing: build with mvn package first");
      path.add(jar.toString());
    }
    List<String> thirdParty = List.of("micrometer-", "HdrHistogram-", "LatencyUtils-", "prometheus-metrics-");
    for (String entry : ChildJvm.classpath().split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.endsWith(".jar") && thirdParty.stream().anyMatch(name::startsWith)) {
        path.add(entry);
      }
    }
    return String.join(File.pathSeparator, path);
  }
}

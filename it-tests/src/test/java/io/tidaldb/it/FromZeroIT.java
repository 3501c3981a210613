package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A new user follows the README from zero, with real processes, and nothing of this build's own
 * outputs: the checkout is copied as a fresh clone has it (no {@code target/}), the artifacts are
 * installed with the README's install command into a fresh local repository, a new project imports
 * {@code tidaldb-bom} and adds the README's dependencies without versions, its {@code main} embeds a
 * persistent database that serves {@code /metrics} over HTTP, and {@code tidalctl}, extracted from the
 * installed distribution archive, reads the home that database left.
 *
 * <p><b>It never recurses, by construction.</b> The nested Maven builds (1) select only published
 * modules: the README's install command names them with {@code -pl}, checked here against the BOM
 * before anything runs, and the copy holds only the {@code pom.xml} of {@code it-tests},
 * {@code bench} and {@code examples}, so no test of theirs exists to run; (2) run with
 * {@code -DskipTests -DskipITs}; (3) carry {@value #NESTED_ENV} in their environment (inherited by
 * every process they start) and {@code -D}{@value #NESTED_PROPERTY}, and this test refuses to run
 * where either is set. Every process it starts is killed with all its descendants on timeout and
 * when it is done.
 *
 * <p><b>Offline, and the shared local repository stays untouched.</b> The nested builds run with
 * {@code -o}, their own settings file and a fresh {@code -Dmaven.repo.local}; their only repository
 * is this build's local repository as a read-only {@code file:} mirror (the it-tests module fetches
 * the install plugin into it before the tests run, since {@code verify} never uses it).
 */
class FromZeroIT {

  /** Set in the environment of every nested build; its presence means this test is nested. */
  static final String NESTED_ENV = "TIDALDB_FROM_ZERO_NESTED";
  /** Set on the command line of every nested build (a user property, which forked tests also see). */
  static final String NESTED_PROPERTY = "tidaldb.fromZero.nested";

  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(6);
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
  private static final String VERSION = System.getProperty("tidaldb.expectedVersion");
  /** Modules that are not published: only their POM is copied, so that the reactor still loads. */
  private static final Set<String> UNPUBLISHED = Set.of("it-tests", "bench", "examples");
  /** What a fresh clone does not have. */
  private static final Set<String> NOT_IN_A_CLONE = Set.of("target", ".git", "quickstart-home");

  /**
   * The application the user writes, with what the README shows: a persistent home with a schema, a
   * checkpoint, {@code enableMetrics}, {@code db.top}. It scrapes its own endpoint over HTTP.
   */
  private static final String APP = """
      package com.example;

      import io.tidaldb.DecaySpec;
      import io.tidaldb.EntityKind;
      import io.tidaldb.RankingProfile;
      import io.tidaldb.Schema;
      import io.tidaldb.ScoredEntity;
      import io.tidaldb.TidalDb;
      import io.tidaldb.Window;
      import java.net.InetSocketAddress;
      import java.net.URI;
      import java.net.http.HttpClient;
      import java.net.http.HttpRequest;
      import java.net.http.HttpResponse;
      import java.nio.file.Path;
      import java.time.Duration;
      import java.time.Instant;
      import java.time.temporal.ChronoUnit;

      public class App {
        public static void main(String[] args) throws Exception {
          Schema schema = Schema.builder()
              .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
                  .windows(Window.ONE_HOUR, Window.ALL_TIME).add()
              .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add()
              .build();
          Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
          try (TidalDb db = TidalDb.builder()
              .dataDir(Path.of(args[0]))
              .schema(schema)
              .checkpointInterval(Duration.ZERO)
              .enableMetrics("127.0.0.1:0")
              .open()) {
            db.signal("view", 1L, 1.0, now.minusSeconds(3600));
            db.signal("view", 1L, 1.0, now.minusSeconds(60));
            db.signal("view", 2L, 1.0, now.minusSeconds(60));
            db.signal("like", 2L, 1.0, now.minusSeconds(30));
            System.out.println("checkpoint " + db.checkpoint());
            db.signal("view", 3L, 1.0, now.minusSeconds(10));
            db.signal("view", 1L, 1.0, now.minusSeconds(5));
            db.signal("like", 3L, 1.0, now.minusSeconds(1));

            InetSocketAddress at = db.metricsAddress().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/healthz", "/metrics"}) {
              HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + at.getPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString());
              System.out.println("GET " + path + " " + response.statusCode());
              response.body().lines().filter(l -> path.equals("/healthz") || l.startsWith("tidaldb_signal_writes_total"))
                  .forEach(System.out::println);
            }
            RankingProfile trending = RankingProfile.builder().decayScore("view", 1.0).decayScore("like", 5.0).build();
            System.out.println("at " + now);
            for (ScoredEntity hit : db.top(trending, 3, now)) {
              System.out.println("top " + hit.entityId() + " " + hit.score());
            }
          }
        }
      }
      """;

  @Test
  void aNewUser_installsIntoAFreshRepository_importsTheBom_embedsWithMetrics_andRunsTidalctlFromTheArchive()
      throws Exception {
    refuseToRunNested();
    List<String> installCommand = readmeInstallCommand();
    Set<String> published = bomArtifacts();
    requireOnlyPublishedModules(installCommand, published);
    assertTrue(Files.readString(Reactor.root().resolve("docs/GUIDE.md")).contains(String.join(" ", installCommand)),
        "docs/GUIDE.md (section 2) gives the README's install command: " + String.join(" ", installCommand));

    try (TempTidalHome work = TempTidalHome.create(); TempTidalHome home = TempTidalHome.create()) {
      Path clone = work.path().resolve("clone");
      copyAsAFreshClone(Reactor.root(), clone);
      Path repo = work.path().resolve("repository");
      Path settings = Files.writeString(work.path().resolve("settings.xml"), """
          <settings>
            <!-- Offline: the one repository is the outer build's local repository, read through file:. -->
            <mirrors>
              <mirror>
                <id>outer-local-repository</id>
                <mirrorOf>*</mirrorOf>
                <url>%s</url>
              </mirror>
            </mirrors>
          </settings>
          """.formatted(Path.of(property("tidaldb.localRepository")).toUri()));
      Path logs = Files.createDirectories(work.path().resolve("logs"));

      // 1. Install, as the README says (it names the published modules; see requireOnlyPublishedModules).
      long started = System.nanoTime();
      List<String> install = new ArrayList<>(installCommand.subList(1, installCommand.size()));
      install.add("-DskipITs");
      maven(clone, settings, repo, logs.resolve("install.log"), INSTALL_TIMEOUT, install);
      System.out.printf("FromZeroIT: the README's install took %.1f s%n", (System.nanoTime() - started) / 1e9);
      for (String artifact : published) {
        Path pom = repo.resolve("io/tidaldb/" + artifact + "/" + VERSION + "/" + artifact + "-" + VERSION + ".pom");
        assertTrue(Files.isRegularFile(pom), "the README's install command did not install " + artifact
            + ", which tidaldb-bom lists: " + String.join(" ", installCommand));
      }

      // 2. A new project: the README's BOM import and dependencies, no version of its own.
      Path app = Files.createDirectories(work.path().resolve("app"));
      String snippet = readmeDependencySnippet();
      assertTrue(snippet.contains("<version>" + VERSION + "</version>"),
          "the README's BOM import names the version being built, " + VERSION + ":\n" + snippet);
      Files.writeString(app.resolve("pom.xml"), consumerPom(snippet));
      Path source = Files.createDirectories(app.resolve("src/main/java/com/example")).resolve("App.java");
      Files.writeString(source, APP);
      Path classpathFile = app.resolve("classpath.txt");
      maven(app, settings, repo, logs.resolve("app.log"), BUILD_TIMEOUT, List.of("-B", "-ntp", "compile",
          "org.apache.maven.plugins:maven-dependency-plugin:" + property("tidaldb.dependencyPluginVersion")
              + ":build-classpath", "-Dmdep.outputFile=" + classpathFile));
      String classpath = Files.readString(classpathFile).strip();
      for (String jar : List.of("tidaldb", "tidaldb-metrics-jdk", "tidaldb-metrics-exposition")) {
        Path installed = repo.resolve("io/tidaldb/" + jar + "/" + VERSION + "/" + jar + "-" + VERSION + ".jar");
        assertTrue(Arrays.asList(classpath.split(File.pathSeparator)).contains(installed.toString()),
            "the BOM gives " + jar + " its version, from the fresh repository: " + classpath);
      }

      // 3. Run it: a persistent home, /healthz and /metrics over HTTP, a ranking.
      ChildJvm.Result ran = run(RUN_TIMEOUT, new ProcessBuilder(java(), "-cp",
          app.resolve("target/classes") + File.pathSeparator + classpath, "com.example.App", home.path().toString()),
          logs.resolve("app-run"));
      assertEquals(0, ran.exitCode(), ran.stdout() + ran.stderr());
      List<String> printed = ran.stdout().lines().toList();
      assertTrue(printed.contains("checkpoint 4"), ran.stdout());
      assertTrue(printed.contains("GET /healthz 200") && printed.contains("GET /metrics 200"), ran.stdout());
      assertTrue(printed.contains("tidaldb_signal_writes_total{partition_id=\"0\",signal=\"view\"} 5.0"), ran.stdout());
      assertTrue(printed.contains("tidaldb_signal_writes_total{partition_id=\"0\",signal=\"like\"} 2.0"), ran.stdout());
      String at = value(printed, "at ");
      List<String> embeddedTop = printed.stream().filter(l -> l.startsWith("top ")).toList();
      assertEquals(3, embeddedTop.size(), ran.stdout());

      // 4. tidalctl from the installed archive, extracted as the README says, on that home.
      Path archive = repo.resolve("io/tidaldb/tidalctl/" + VERSION + "/tidalctl-" + VERSION + ".tar.gz");
      assertTrue(Files.isRegularFile(archive), archive + " was installed with the jars");
      assertArrayEquals(Files.readAllBytes(clone.resolve("tidalctl/target/tidalctl-" + VERSION + ".tar.gz")),
          Files.readAllBytes(archive), "the installed archive is the one the README points to in tidalctl/target");
      Path opt = Files.createDirectories(work.path().resolve("opt"));
      ChildJvm.Result untar = run(RUN_TIMEOUT, new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", opt.toString()),
          logs.resolve("untar"));
      assertEquals(0, untar.exitCode(), untar.stderr());
      Path tidalctl = opt.resolve("tidalctl-" + VERSION + "/bin/tidalctl");
      assertTrue(Files.isExecutable(tidalctl), tidalctl + " is not executable");

      JsonNode status = Reactor.json(tidalctl(tidalctl, home.path(), logs, "status"));
      assertEquals("ok", status.get("status").asText(), status.toString());
      assertEquals(VERSION, status.get("version").asText());
      assertEquals(7, status.get("wal").get("last_seq").asLong(), status.toString());
      assertEquals(4, status.get("wal").get("checkpoint_seq").asLong(), status.toString());
      assertEquals(3, status.get("ledger").get("snapshot").get("entries").asLong(), status.toString());
      assertEquals(0, status.get("schema").get("signals").get("view").get("id").asInt(), status.toString());
      assertEquals(1, status.get("schema").get("signals").get("like").get("id").asInt(), status.toString());

      List<JsonNode> events = tidalctl(tidalctl, home.path(), logs, "wal", "dump").lines().map(Reactor::json).toList();
      JsonNode last = events.get(events.size() - 1);
      assertEquals(7, last.get("seq").asLong(), events.toString());
      assertEquals("like", last.get("signal").asText(), events.toString());
      assertEquals(3, last.get("entity_id").asLong(), events.toString());

      JsonNode top = Reactor.json(tidalctl(tidalctl, home.path(), logs,
          "top", "--profile", "view=1,like=5", "--k", "3", "--at", at));
      List<String> coldTop = new ArrayList<>();
      top.get("entities").forEach(e -> coldTop.add("top " + e.get("entity_id").asLong() + " " + e.get("score").asDouble()));
      assertEquals(embeddedTop, coldTop, "tidalctl top ranks the home cold exactly as db.top did: " + top);
    }
  }

  /** Fails at once inside a build this test started: nesting must never go a level deeper. */
  private static void refuseToRunNested() {
    if (System.getenv(NESTED_ENV) != null || System.getProperty(NESTED_PROPERTY) != null) {
      throw new IllegalStateException("FromZeroIT runs inside a Maven build that FromZeroIT started ("
          + NESTED_ENV + " or -D" + NESTED_PROPERTY + " is set): refusing to start another one. The nested build"
          + " must select only the published modules (-pl) and skip tests (-DskipTests -DskipITs).");
    }
  }

  /** The README's {@code mvn ... install ...} line, split into words, comment removed. */
  private static List<String> readmeInstallCommand() throws IOException {
    Matcher line = Pattern.compile("(?m)^(mvn [^\\n#]*\\binstall\\b[^\\n#]*)").matcher(readme());
    assertTrue(line.find(), "README.md has no `mvn ... install` command line");
    return List.of(line.group(1).strip().split("\\s+"));
  }

  /** tidaldb-bom and every artifact it manages: what the install must put in the repository. */
  private static Set<String> bomArtifacts() throws IOException {
    String bom = Files.readString(Reactor.root().resolve("tidaldb-bom/pom.xml"));
    Set<String> artifacts = new LinkedHashSet<>(List.of("tidaldb-parent", "tidaldb-bom"));
    String managedSection = bom.substring(bom.indexOf("<dependencyManagement>"), bom.indexOf("</dependencyManagement>"));
    Matcher managed = Pattern.compile("<groupId>io\\.tidaldb</groupId>\\s*<artifactId>([^<]+)</artifactId>")
        .matcher(managedSection);
    while (managed.find()) {
      artifacts.add(managed.group(1));
    }
    assertTrue(artifacts.contains("tidaldb") && artifacts.contains("tidalctl"), "tidaldb-bom/pom.xml lists " + artifacts);
    return artifacts;
  }

  /**
   * The first guard against recursion: the install command selects modules with {@code -pl}, every
   * one of them published (in the BOM), none of {@link #UNPUBLISHED}.
   */
  private static void requireOnlyPublishedModules(List<String> command, Set<String> published) {
    int pl = command.indexOf("-pl");
    assertTrue(pl > 0 && pl + 1 < command.size(), "the README's install command must select the published modules"
        + " with -pl (the benchmarks, examples and end-to-end tests are not published): " + command);
    Set<String> selected = new TreeSet<>();
    for (String module : command.get(pl + 1).split(",")) {
      selected.add(module.replaceFirst("^:", ""));
    }
    for (String module : selected) {
      assertTrue(published.contains(module) && !UNPUBLISHED.contains(module),
          "the README's install command selects " + module + ", which tidaldb-bom does not list: " + command);
    }
    assertTrue(command.contains("-DskipTests"), "the README's install command skips the tests: " + command);
  }

  /** The README's {@code xml} block that imports the BOM and adds the dependencies, as written there. */
  private static String readmeDependencySnippet() throws IOException {
    Matcher block = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme());
    while (block.find()) {
      if (block.group(1).contains("<artifactId>tidaldb-bom</artifactId>")) {
        return block.group(1);
      }
    }
    throw new AssertionError("README.md has no xml block that imports tidaldb-bom");
  }

  private static String readme() throws IOException {
    return Files.readString(Reactor.root().resolve("README.md"));
  }

  /** A user's own POM around the README's snippet; it pins the two plugins {@code compile} runs. */
  private static String consumerPom(String snippet) {
    return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>app</artifactId>
          <version>1</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
        %s
          <build>
            <plugins>
              <plugin>
                <groupId>org.apache.maven.plugins</groupId>
                <artifactId>maven-resources-plugin</artifactId>
                <version>%s</version>
              </plugin>
              <plugin>
                <groupId>org.apache.maven.plugins</groupId>
                <artifactId>maven-compiler-plugin</artifactId>
                <version>%s</version>
              </plugin>
            </plugins>
          </build>
        </project>
        """.formatted(snippet, property("tidaldb.resourcesPluginVersion"), property("tidaldb.compilerPluginVersion"));
  }

  /**
   * Runs Maven in {@code dir}: offline, with {@code settings} only, into {@code repo}, marked as
   * nested, with {@code args} (which start with the Maven options and goals, not with {@code mvn}).
   */
  private static void maven(Path dir, Path settings, Path repo, Path log, Duration timeout, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(property("tidaldb.mavenHome"), "bin", "mvn").toString());
    command.addAll(args);
    command.addAll(List.of("-o", "-Daether.offline.protocols=file", "-s", settings.toString(),
        "-gs", settings.toString(), "-Dmaven.repo.local=" + repo, "-D" + NESTED_PROPERTY + "=true"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = builder.environment();
    env.put(NESTED_ENV, "true");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("MAVEN_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    env.put("MAVEN_SKIP_RC", "true");   // no ~/.mavenrc or /etc/mavenrc
    env.remove("MAVEN_ARGS");           // Maven 3.9 adds these to every command line
    ChildJvm.Result result = run(timeout, builder, log);
    assertEquals(0, result.exitCode(), String.join(" ", command) + "\nin " + dir + " failed; the end of its log:\n"
        + tail(result.stdout() + result.stderr()));
  }

  private static String tidalctl(Path tidalctl, Path home, Path logs, String... args) {
    List<String> command = new ArrayList<>(List.of(tidalctl.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TIDALDB_HOME", home.toString());   // the README: export TIDALDB_HOME=...
    ChildJvm.Result result = run(RUN_TIMEOUT, builder, logs.resolve("tidalctl-" + String.join("-", args).replace('/', '_')));
    assertEquals(0, result.exitCode(), command + ": " + result.stderr());
    return result.stdout();
  }

  /**
   * Runs a process to completion with its output in {@code log}{@code .out}/{@code .err}; on timeout,
   * and in any case before returning, it and every process it started are killed.
   */
  private static ChildJvm.Result run(Duration timeout, ProcessBuilder builder, Path log) {
    Path out = log.resolveSibling(log.getFileName() + ".out");
    Path err = log.resolveSibling(log.getFileName() + ".err");
    Process process = null;
    try {
      process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(builder.command() + " did not finish within " + timeout
            + "; killed with every process it started. The end of its output:\n" + tail(read(out) + read(err)));
      }
      return new ChildJvm.Result(process.exitValue(), read(out), read(err));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + builder.command(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + builder.command(), e);
    } finally {
      if (process != null) {
        killTree(process.toHandle());
      }
    }
  }

  /** Kills {@code root} and all its descendants (listed first, before the root can orphan them). */
  private static void killTree(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
    tree.add(root);
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("process " + handle.pid() + " did not die within 30 s of SIGKILL", e);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private static String value(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
        .findFirst().orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in " + lines));
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      throw new IllegalStateException("run through Maven: failsafe sets " + name + " (it-tests/pom.xml)");
    }
    return value;
  }

  /**
   * The checkout as a fresh clone has it: no build outputs, no git metadata; of the modules that are
   * not published, only the POM (the reactor lists them), so not one of their tests can run.
   */
  private static void copyAsAFreshClone(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path relative = from.relativize(path);
        if (!copied(relative)) {
          continue;
        }
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static boolean copied(Path relative) {
    for (Path part : relative) {
      if (NOT_IN_A_CLONE.contains(part.toString())) {
        return false;
      }
    }
    if (relative.getNameCount() >= 2 && UNPUBLISHED.contains(relative.getName(0).toString())) {
      return relative.getNameCount() == 2 && relative.getFileName().toString().equals("pom.xml");
    }
    return true;
  }
}

package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The {@code tidalctl} distribution archive, installed as the README says: extracted into a directory
 * of its own, its {@code bin/tidalctl} run as a real process on a home the core wrote. Only what the
 * archive holds is on that process's class path.
 */
class TidalctlDistributionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String VERSION = System.getProperty("tidaldb.expectedVersion");
  private static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
      .signal("like", EntityKind.ITEM, DecaySpec.permanent()).add()
      .build();
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void extractedTarGz_runsStatusDumpAndVerify_onAHomeTheCoreWrote() throws Exception {
    try (TempTidalHome install = TempTidalHome.create(); TempTidalHome temp = TempTidalHome.create()) {
      Path tidalctl = extract(install.path());
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).checkpointInterval(Duration.ZERO).open()) {
        db.signal("view", 1, 1.0, AT);
        db.checkpoint();
        db.signal("like", 2, 1.0, AT);
      }

      ChildJvm.Result status = run(tidalctl, "status", "-p", temp.path().toString());
      assertEquals(0, status.exitCode(), status.stderr());
      JsonNode report = Reactor.json(status.stdout());
      assertEquals("ok", report.get("status").asText());
      assertEquals(VERSION, report.get("version").asText());
      assertEquals(2, report.get("wal").get("last_seq").asLong());
      assertEquals(1, report.get("ledger").get("snapshot").get("entries").asLong());
      assertEquals(2, report.get("schema").get("signals").size());

      ChildJvm.Result dump = run(tidalctl, "wal", "dump", "-p", temp.path().toString());
      assertEquals(0, dump.exitCode(), dump.stderr());
      assertEquals("like", Reactor.json(dump.stdout().strip().lines().reduce((a, b) -> b).orElseThrow()).get("signal").asText());

      ChildJvm.Result verify = run(tidalctl, "wal", "verify", "-p", temp.path().toString());
      assertEquals(0, verify.exitCode(), verify.stderr());
      assertEquals("ok", Reactor.json(verify.stdout()).get("status").asText());
    }
  }

  @Test
  void extractedTarGz_takesTheHomeFromTidaldbHome_andTheLogFromWalDir() throws Exception {
    try (TempTidalHome install = TempTidalHome.create(); TempTidalHome temp = TempTidalHome.create();
         TempTidalHome log = TempTidalHome.create()) {
      Path tidalctl = extract(install.path());
      Path walDir = log.path().resolve("wal");
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).walDir(walDir).schema(SCHEMA).open()) {
        db.signal("view", 1, 1.0, AT);
        db.signal("view", 2, 1.0, AT);
      }
      ProcessBuilder builder = new ProcessBuilder(tidalctl.toString(), "status", "--wal-dir", walDir.toString());
      builder.environment().put("TIDALDB_HOME", temp.path().toString());
      ChildJvm.Result status = ChildJvm.run(TIMEOUT, builder);
      assertEquals(0, status.exitCode(), status.stderr());
      JsonNode report = Reactor.json(status.stdout());
      assertEquals(temp.path().toString(), report.get("dirs").get("base").asText());
      assertEquals(2, report.get("wal").get("last_seq").asLong());
    }
  }

  @Test
  void extractedTarGz_printsUsageMistakesAsPlainText_exitTwo() throws Exception {
    try (TempTidalHome install = TempTidalHome.create()) {
      Path tidalctl = extract(install.path());
      ProcessBuilder builder = new ProcessBuilder(tidalctl.toString(), "status");
      builder.environment().remove("TIDALDB_HOME");
      ChildJvm.Result result = ChildJvm.run(TIMEOUT, builder);
      assertEquals(2, result.exitCode(), result.stderr());
      assertTrue(result.stderr().startsWith("Missing required option: '--path=<dir>'"), result.stderr());
      assertTrue(result.stderr().contains("Usage: tidalctl status"), result.stderr());
    }
  }

  @Test
  void tarGzAndZip_holdTheSameLaunchersAndJar() throws Exception {
    Set<String> tar = new TreeSet<>();
    for (String entry : command(Reactor.root(), "tar", "-tzf", archive("tar.gz").toString()).lines().toList()) {
      if (!entry.endsWith("/")) {
        tar.add(entry);
      }
    }
    Set<String> zip = new TreeSet<>();
    try (ZipFile file = new ZipFile(archive("zip").toFile())) {
      file.stream().filter(e -> !e.isDirectory()).forEach(e -> zip.add(e.getName()));
    }
    String root = "tidalctl-" + VERSION + "/";
    assertTrue(tar.containsAll(List.of(root + "bin/tidalctl", root + "bin/tidalctl.cmd", root + "lib/tidalctl.jar",
        root + "LICENSE", root + "NOTICE")), tar.toString());
    assertEquals(tar, zip);
  }

  @Test
  void distributionJar_carriesNeitherMicrometerNorJacksonDatabind() throws Exception {
    try (TempTidalHome install = TempTidalHome.create()) {
      Path jar = extract(install.path()).getParent().getParent().resolve("lib/tidalctl.jar");
      try (JarFile file = new JarFile(jar.toFile())) {
        List<String> unused = file.stream().map(e -> e.getName())
            .filter(n -> n.startsWith("io/micrometer/") || n.startsWith("com/fasterxml/jackson/databind/")
                || n.startsWith("org/HdrHistogram/") || n.startsWith("org/LatencyUtils/"))
            .limit(5).toList();
        assertTrue(unused.isEmpty(), "tidalctl never uses these: " + unused);
        assertFalse(file.getEntry("com/fasterxml/jackson/core/JsonGenerator.class") == null, "it writes JSON with jackson-core");
      }
    }
  }

  /** The archive {@code mvn package} leaves in tidalctl/target. */
  private static Path archive(String extension) {
    Path archive = Reactor.root().resolve("tidalctl/target/tidalctl-" + VERSION + "." + extension);
    assertTrue(Files.isRegularFile(archive), archive + " is missing: build with mvn package first");
    return archive;
  }

  /** Extracts the tar.gz into {@code dir} as the README says, and returns its {@code bin/tidalctl}. */
  private static Path extract(Path dir) throws IOException {
    command(dir, "tar", "-xzf", archive("tar.gz").toString());
    Path tidalctl = dir.resolve("tidalctl-" + VERSION + "/bin/tidalctl");
    assertTrue(Files.isExecutable(tidalctl), tidalctl + " is not executable");
    return tidalctl;
  }

  private static ChildJvm.Result run(Path tidalctl, String... args) {
    List<String> command = new ArrayList<>();
    command.add(tidalctl.toString());
    command.addAll(List.of(args));
    return ChildJvm.run(TIMEOUT, new ProcessBuilder(command));
  }

  private static String command(Path dir, String... command) {
    ChildJvm.Result result = ChildJvm.run(TIMEOUT, new ProcessBuilder(command).directory(dir.toFile()));
    assertEquals(0, result.exitCode(), String.join(" ", command) + ": " + result.stderr());
    return result.stdout();
  }
}

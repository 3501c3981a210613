package io.tidaldb.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ManifestIT {

  /** The published modules: their main jars must say what they are. */
  @Test
  void everyPublishedJar_carriesItsVersionAndAModuleName() throws IOException {
    String version = System.getProperty("tidaldb.expectedVersion");
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> modules = Files.list(Reactor.root())) {
      for (Path module : modules.filter(p -> Files.isRegularFile(p.resolve("pom.xml"))).toList()) {
        Path target = module.resolve("target");
        String name = module.getFileName().toString();
        Path jar = target.resolve(name + "-" + version + ".jar");
        if (Files.exists(jar)) {
          jars.add(jar);
        }
      }
    }
    assertTrue(jars.stream().anyMatch(j -> j.getFileName().toString().startsWith("tidaldb-" + version)), "core jar: " + jars);
    assertTrue(jars.stream().anyMatch(j -> j.getFileName().toString().startsWith("tidalctl-")), "tidalctl jar: " + jars);
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        Attributes main = file.getManifest().getMainAttributes();
        assertEquals(version, main.getValue("Implementation-Version"), jar + " Implementation-Version");
        // A module-info where the jar has one, else its Automatic-Module-Name (a name from the file
        // would not start with io.tidaldb).
        String moduleName = ModuleFinder.of(jar).findAll().iterator().next().descriptor().name();
        assertTrue(moduleName.startsWith("io.tidaldb"), jar + ": " + moduleName);
      }
    }
  }

  @Test
  void coreJar_holdsNoTestSupport() throws IOException {
    String version = System.getProperty("tidaldb.expectedVersion");
    try (JarFile core = new JarFile(Reactor.root().resolve("tidaldb/target/tidaldb-" + version + ".jar").toFile())) {
      assertFalse(core.stream().anyMatch(e -> e.getName().startsWith("io/tidaldb/test")),
          "test support belongs in tidaldb-test and the core's test-jar only");
    }
  }

  /** The user-facing test kit has one home, tidaldb-test; the core's test-jar keeps only internal helpers. */
  @Test
  void testKit_livesInTidaldbTestOnly() throws IOException {
    String version = System.getProperty("tidaldb.expectedVersion");
    try (JarFile kit = new JarFile(Reactor.root().resolve("tidaldb-test/target/tidaldb-test-" + version + ".jar").toFile())) {
      assertNotNull(kit.getEntry("io/tidaldb/test/TempTidalHome.class"));
      assertNotNull(kit.getEntry("io/tidaldb/test/ManualClock.class"));
      assertNotNull(kit.getEntry("io/tidaldb/test/TidalDbExtension.class"));
    }
    try (JarFile tests = new JarFile(Reactor.root().resolve("tidaldb/target/tidaldb-" + version + "-tests.jar").toFile())) {
      assertNotNull(tests.getEntry("io/tidaldb/testing/ChildJvm.class"));
      assertFalse(tests.stream().anyMatch(e -> e.getName().startsWith("io/tidaldb/test/")),
          "the test kit's classes must not be copied into the core's test-jar");
    }
  }
}

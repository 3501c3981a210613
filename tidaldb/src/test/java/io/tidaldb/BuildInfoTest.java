package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class BuildInfoTest {

  @Test
  void version_isTheMavenProjectVersion() {
    String expected = System.getProperty("tidaldb.expectedVersion");
    assertNotNull(expected, "Surefire passes the pom's version as tidaldb.expectedVersion");
    assertEquals(expected, BuildInfo.version());
  }

  @Test
  void buildHash_isGitHashOfTheBuildElseDev() {
    String gitHash = System.getenv("GIT_HASH");
    String expected = gitHash == null || gitHash.isBlank() ? BuildInfo.DEV_BUILD_HASH : gitHash.trim();
    assertEquals(expected, BuildInfo.buildHash());
  }
}

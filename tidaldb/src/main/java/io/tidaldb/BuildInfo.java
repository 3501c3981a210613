package io.tidaldb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and build hash of this tidalDB build, as the CLI's {@code --version}, the
 * {@code /healthz} endpoint and the {@code tidaldb_info} meter report them.
 *
 * <pre>{@code
 * System.out.println("tidalDB " + BuildInfo.version() + " (" + BuildInfo.buildHash() + ")");
 * }</pre>
 *
 * <p>Both values are fixed at build time: the version is the Maven project version; the build hash
 * is the {@code GIT_HASH} environment variable of the build, or {@code "dev"} when it was not set.
 */
public final class BuildInfo {

  /** The build hash of a build made without {@code GIT_HASH}. */
  public static final String DEV_BUILD_HASH = "dev";

  private static final String RESOURCE = "tidaldb-build.properties";
  private static final Properties PROPERTIES = load();

  private BuildInfo() {}

  /**
   * The Maven project version this build was made from, such as {@code 0.1.0}.
   *
   * @return the version
   */
  public static String version() {
    return PROPERTIES.getProperty("version");
  }

  /**
   * The {@code GIT_HASH} the build was made with, or {@value #DEV_BUILD_HASH}.
   *
   * @return the build hash
   */
  public static String buildHash() {
    String hash = PROPERTIES.getProperty("buildHash", "").trim();
    return hash.isEmpty() || hash.startsWith("${") ? DEV_BUILD_HASH : hash;
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the resource " + RESOURCE + " is missing from the tidaldb jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return properties;
  }
}

package io.tidaldb.examples;

import io.tidaldb.BuildInfo;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The quickstart: opens a persistent tidalDB home in a directory the user names, reports its health
 * and layout, and closes it.
 *
 * <pre>{@code
 * java -jar examples/target/tidaldb-quickstart.jar ./quickstart-home
 * }</pre>
 */
public final class Quickstart {

  /** The home used when no directory is given. */
  static final Path DEFAULT_HOME = Path.of("quickstart-home");

  private Quickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args an optional directory for the home
   */
  public static void main(String[] args) {
    if (args.length > 1) {
      System.err.println("usage: java -jar tidaldb-quickstart.jar [home-directory]");
      System.exit(2);
    }
    run(args.length == 1 ? Path.of(args[0]) : DEFAULT_HOME, System.out);
  }

  static void run(Path dir, PrintStream out) {
    out.printf("tidalDB %s (%s)%n", BuildInfo.version(), BuildInfo.buildHash());
    try (TidalDb db = TidalDb.builder().dataDir(dir).open()) {
      db.healthCheck();
      TidalHome home = db.home().orElseThrow();
      out.printf("opened %s: healthy, %s, durability %s%n", home.base(), db.config().storageMode(),
          db.config().durability().orElseThrow());
      for (Map.Entry<TidalHome.Dir, Path> entry : home.paths().entrySet()) {
        out.printf("  %-9s %s%s%n", entry.getKey().key(), entry.getValue(), home.exists(entry.getKey()) ? "" : " (missing)");
      }
      out.printf("  %-9s %s%n", "lock", home.lockFile());
    }
    out.println("closed; the home stays on disk for the next run");
  }
}

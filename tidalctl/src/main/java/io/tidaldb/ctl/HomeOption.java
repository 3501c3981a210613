package io.tidaldb.ctl;

import io.tidaldb.TidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --path} option every command shares: the tidalDB home to inspect. */
final class HomeOption {

  @Option(names = "--path", required = true, paramLabel = "<dir>",
      description = "The tidalDB home directory (the builder's dataDir).")
  Path path;

  /** The home's layout; nothing is read yet. */
  TidalHome home() {
    return TidalHome.at(path);
  }

  /**
   * The home's layout, after checking that its base directory exists and can be read.
   *
   * @throws CliFailure with {@link ExitCodes#HOME_UNREADABLE} otherwise
   */
  TidalHome existingHome() {
    TidalHome home = home();
    requireReadableDirectory(home.base());
    return home;
  }

  static void requireReadableDirectory(Path base) {
    if (!Files.exists(base)) {
      throw CliFailure.homeUnreadable("home_missing", base, "no tidalDB home at " + base + ": the directory does not exist");
    }
    if (!Files.isDirectory(base)) {
      throw CliFailure.homeUnreadable("not_a_directory", base, base + " is not a directory; --path takes a tidalDB home directory");
    }
    if (!Files.isReadable(base) || !Files.isExecutable(base)) {
      throw CliFailure.homeUnreadable("unreadable", base, base + " cannot be read by this user");
    }
  }
}

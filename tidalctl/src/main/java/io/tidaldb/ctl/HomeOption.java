package io.tidaldb.ctl;

import io.tidaldb.TidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every command shares to find the home: {@code -p/--path} (default: the
 * {@value #HOME_VARIABLE} environment variable) and {@code --wal-dir}, for a log moved elsewhere
 * with the builder's {@code walDir(...)}.
 */
final class HomeOption {

  /** The environment variable that names the home when {@code --path} is not given. */
  static final String HOME_VARIABLE = "TIDALDB_HOME";

  /** The long name of the home option; {@link Tidalctl} gives it its default from the environment. */
  static final String PATH_OPTION = "--path";

  @Option(names = {"-p", PATH_OPTION}, paramLabel = "<dir>",
      description = "The tidalDB home directory (the builder's dataDir). Default: $" + HOME_VARIABLE + ".")
  Path path;

  @Option(names = "--wal-dir", paramLabel = "<dir>",
      description = "The write-ahead log's directory, when the home moved it with walDir(...). Default: <home>/wal.")
  Path walDir;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /**
   * The home's layout (with the log where {@code --wal-dir} says); nothing is read yet.
   *
   * @throws ParameterException (a usage error) when neither {@code --path} nor {@value #HOME_VARIABLE} names a home
   */
  TidalHome home() {
    if (path == null) {
      throw new ParameterException(command.commandLine(), "Missing required option: '" + PATH_OPTION
          + "=<dir>' (or set " + HOME_VARIABLE + " to the home directory)");
    }
    TidalHome home = TidalHome.at(path);
    return walDir == null ? home : home.withWal(walDir);
  }

  /**
   * The home's layout, after checking that its base directory exists and can be read.
   *
   * @throws CliFailure with {@link ExitCodes#HOME_UNREADABLE} otherwise
   */
  TidalHome existingHome() {
    TidalHome home = home();
    requireReadableDirectory(home.base());
    if (walDir != null && !Files.isDirectory(home.wal())) {
      throw CliFailure.homeUnreadable("wal_dir_missing", home.wal(), "--wal-dir " + home.wal()
          + " is not a directory: give the directory the database's walDir(...) names");
    }
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

package io.tidaldb.ctl;

import io.tidaldb.TidalHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code tidalctl paths --path <dir>}: the six directories of the home's layout, and which exist.
 * A home that does not exist yet is fine: it prints the paths it would have, all absent.
 */
@Command(name = "paths", mixinStandardHelpOptions = true,
    description = "Prints the home's directory layout and which of its directories exist.")
final class PathsCommand extends HomeCommand {

  @Override
  public Integer call() {
    TidalHome home = homeOption.home();
    if (Files.exists(home.base()) && !Files.isDirectory(home.base())) {
      HomeOption.requireReadableDirectory(home.base());
    }
    JsonObject report = Output.object();
    for (Map.Entry<TidalHome.Dir, Path> dir : home.paths().entrySet()) {
      report.put(dir.getKey().key(), dir.getValue().toString());
    }
    JsonObject exists = report.putObject("exists");
    home.existence().forEach((dir, present) -> exists.put(dir.key(), present));
    output().report(report);
    return ExitCodes.OK;
  }
}

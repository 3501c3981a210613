package io.tidaldb.ctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tidalctl wal}: the write-ahead log's inspectors. */
@Command(name = "wal", mixinStandardHelpOptions = true,
    description = "Inspects the write-ahead log: dump its events, verify every batch.",
    subcommands = {WalDumpCommand.class, WalVerifyCommand.class})
final class WalCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  /** With no subcommand: the usage, and a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}

package io.tidaldb.ctl;

import io.tidaldb.BuildInfo;
import io.tidaldb.CorruptionException;
import io.tidaldb.StorageException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.OutputStreamWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tidalctl}: the cold inspector of a tidalDB home. It reads the files an embedded tidalDB
 * leaves on disk and reports what it finds; it never writes, and it needs no live process.
 *
 * <pre>{@code
 * tidalctl status --path /var/lib/tidaldb --pretty
 * }</pre>
 */
@Command(name = "tidalctl", mixinStandardHelpOptions = true, versionProvider = Tidalctl.Version.class,
    description = "Inspects a tidalDB home on disk. It reads the files and never writes them; it needs no live process.",
    subcommands = {StatusCommand.class, PathsCommand.class, WalCommand.class, TopCommand.class,
        CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class})
public final class Tidalctl implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  /**
   * Runs {@code tidalctl} and exits with its exit code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), false);
    int exitCode = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(exitCode);
  }

  /**
   * Runs {@code tidalctl} on the given streams, as tests and embedders do.
   *
   * @param out standard output
   * @param err standard error
   * @param args the command line
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /** Runs {@code tidalctl} on the given streams, with {@code environment} in place of the process's. */
  static int run(PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
    return commandLine(out, err, environment).execute(args);
  }

  /** Builds the command line, with its streams, defaults from the environment, exit codes and error handlers. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> environment) {
    CommandLine commandLine = new CommandLine(new Tidalctl());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setDefaultValueProvider(option -> option instanceof OptionSpec named
        && named.longestName().equals(HomeOption.PATH_OPTION) ? environment.get(HomeOption.HOME_VARIABLE) : null);
    commandLine.setParameterExceptionHandler(Tidalctl::usageError);
    commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> failure(e, cmd));
    commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    listExitCodes(commandLine);
    return commandLine;
  }

  private static void listExitCodes(CommandLine commandLine) {
    Map<String, String> codes = new LinkedHashMap<>();
    for (String line : ExitCodes.HELP_LIST) {
      int colon = line.indexOf(':');
      codes.put(line.substring(0, colon), line.substring(colon + 1));
    }
    commandLine.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    commandLine.getSubcommands().values().forEach(Tidalctl::listExitCodes);
  }

  /** A usage mistake is for a person to fix: picocli's message, a suggestion, and the usage, as text. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    cmd.usage(err);
    err.flush();
    return ExitCodes.USAGE;
  }

  private static int failure(Exception e, CommandLine cmd) {
    CliFailure failure;
    if (e instanceof CliFailure known) {
      failure = known;
    } else if (e instanceof CorruptionException corrupt) {
      failure = new CliFailure(ExitCodes.CORRUPTION, "corruption", corrupt.getMessage(), corrupt.file());
    } else if (e instanceof StorageException storage) {
      failure = new CliFailure(ExitCodes.HOME_UNREADABLE, "unreadable", storage.getMessage(), null);
    } else {
      failure = new CliFailure(ExitCodes.INTERNAL, "internal", "tidalctl failed: " + e, null);
    }
    output(cmd).error(failure);
    return failure.exitCode();
  }

  private static Output output(CommandLine cmd) {
    OutputOptions options = cmd.getCommand() instanceof HomeCommand command && command.outputOptions() != null
        ? command.outputOptions() : new OutputOptions();
    return new Output(cmd.getOut(), cmd.getErr(), options);
  }

  /** With no subcommand: the usage, and a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code --version}: the core's version and build hash. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"tidalctl " + BuildInfo.version() + " (" + BuildInfo.buildHash() + ")"};
    }
  }
}

package io.tidaldb.ctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command that inspects a home shares: {@code --path}, the output options, and its
 * output streams. Its errors follow its {@code --format} (see {@link Tidalctl}).
 */
abstract class HomeCommand implements Callable<Integer> {

  @Mixin
  HomeOption homeOption;

  @Mixin
  OutputOptions outputOptions;

  @Spec
  CommandSpec spec;

  /** The output options the user gave this command. */
  OutputOptions outputOptions() {
    return outputOptions;
  }

  /** This command's output, on the streams its {@code CommandLine} was given. */
  Output output() {
    return Output.of(spec, outputOptions);
  }
}

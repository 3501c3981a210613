package io.tidaldb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a real child JVM running a {@code main} class from the test classpath, for tests that need
 * a second process: a lock held elsewhere, a process killed mid-write, a command run as a user would.
 *
 * <pre>{@code
 * ChildJvm.Result result = ChildJvm.run(Duration.ofSeconds(30), HoldLock.class, home.toString());
 * assertEquals(0, result.exitCode(), result.stderr());
 * }</pre>
 */
public final class ChildJvm {

  private ChildJvm() {}

  /**
   * A process builder for {@code java -cp <test classpath> <jvmArgs> mainClass args}.
   *
   * @param mainClass the class whose {@code main} runs in the child
   * @param jvmArgs options for the child JVM, such as {@code -Djava.io.tmpdir=...}
   * @param args the arguments of {@code main}
   * @return a builder, ready to start
   */
  public static ProcessBuilder builder(Class<?> mainClass, List<String> jvmArgs, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xshare:auto");
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath());
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /** The classpath the tests run with (Surefire hides it behind a manifest-only jar otherwise). */
  public static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * Runs a child JVM to completion.
   *
   * @param timeout how long the child may run before it is killed and the call fails
   * @param mainClass the class whose {@code main} runs in the child
   * @param args the arguments of {@code main}
   * @return its exit code and output
   */
  public static Result run(Duration timeout, Class<?> mainClass, String... args) {
    return run(timeout, builder(mainClass, List.of(), args));
  }

  /**
   * Runs a prepared child process to completion, collecting its output.
   *
   * @param timeout how long the child may run before it is killed and the call fails
   * @param builder the process to run
   * @return its exit code and output
   */
  public static Result run(Duration timeout, ProcessBuilder builder) {
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("child " + builder.command() + " did not finish within " + timeout
            + "; stderr so far: " + err.getNow(""));
      }
      return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("cannot read the child's output", e);
    }
  }

  private static String drain(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What a finished child left.
   *
   * @param exitCode its exit code
   * @param stdout everything it printed on standard output
   * @param stderr everything it printed on standard error
   */
  public record Result(int exitCode, String stdout, String stderr) {}
}

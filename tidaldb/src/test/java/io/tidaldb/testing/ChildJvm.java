package io.tidaldb.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

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

  /**
   * Starts a child that runs until the test kills it, collecting its standard output line by line
   * (a named reader thread) and its standard error into {@code stderr}.
   *
   * <pre>{@code
   * try (ChildJvm.Watched child = ChildJvm.watch(ChildJvm.builder(Writer.class, List.of(), home), err)) {
   *   child.awaitOutput(Duration.ofSeconds(60), lines -> lines.size() > 100, "100 acknowledgements");
   * } // kill -9
   * }</pre>
   *
   * @param builder the process to start
   * @param stderr the file that receives its standard error
   * @return the running child
   * @throws IOException if it cannot be started
   */
  public static Watched watch(ProcessBuilder builder, Path stderr) throws IOException {
    return new Watched(builder.redirectError(stderr.toFile()).start(), stderr);
  }

  /** A child started by {@link #watch}; {@link #close()} kills it with SIGKILL. */
  public static final class Watched implements AutoCloseable {

    private final Process process;
    private final Path stderr;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private Watched(Process process, Path stderr) throws IOException {
      this.process = process;
      this.stderr = stderr;
      process.getOutputStream().close();
      this.reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, "child-jvm-output-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    /** The lines the child has printed so far (a live, thread-safe view). */
    public List<String> lines() {
      return lines;
    }

    /**
     * Waits until the child's output satisfies {@code until}; fails if the child exits first (with
     * its standard error) or the time runs out.
     *
     * @param atMost how long to wait
     * @param until the condition on the lines printed so far
     * @param context what the wait is for, for the failure message
     */
    public void awaitOutput(Duration atMost, Predicate<List<String>> until, String context) {
      await(context).atMost(atMost).pollInterval(Duration.ofMillis(2))
          .until(() -> !process.isAlive() || until.test(lines));
      if (!process.isAlive()) {
        throw new AssertionError(context + ": the child died by itself (exit " + process.exitValue() + "): " + stderrText());
      }
    }

    /**
     * Kills the child with SIGKILL, waits for it and for the rest of its output, and returns every
     * line it printed. Idempotent.
     *
     * @return the lines it printed, in order
     */
    public List<String> kill() {
      // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe and
      // lose lines (acknowledgements) printed just before the kill.
      process.toHandle().destroyForcibly();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          throw new AssertionError("the child " + process.pid() + " did not die within 30 s of SIGKILL");
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      } finally {
        process.destroyForcibly();
      }
      return List.copyOf(lines);
    }

    /** What the child has written to standard error so far. */
    public String stderrText() {
      try {
        return Files.readString(stderr);
      } catch (IOException e) {
        return "(cannot read " + stderr + ": " + e + ")";
      }
    }

    @Override
    public void close() {
      kill();
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

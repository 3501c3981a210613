package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of the README and of the user guide, compiled and run as written.
 *
 * <p>Two things are changed before a block compiles, so that it runs anywhere: the data directory
 * {@code /var/lib/tidaldb} becomes a temporary one, and the metrics port {@code 9464} becomes 0 (a
 * free port). A block may use, without declaring them, the names the documents introduce elsewhere:
 * {@code schema} (a {@code view} and a {@code like} signal), {@code registry} (a Micrometer registry),
 * {@code home} (a {@code TidalHome} of its own, for the WAL examples) and {@code nowNanos}. The blocks
 * of one document run in order, against the same data directory, as a reader would run them.
 *
 * <p>A block whose first line names a source file of this repository ({@code // examples/src/...java})
 * is an excerpt of that file: it must appear there verbatim, and the file is compiled and tested with
 * the module (whole classes, Spring configurations and JUnit tests, which do not fit in a method).
 */
class DocumentedExamplesTest {

  static final List<String> DOCUMENTS = List.of("README.md", "docs/GUIDE.md");

  private static final String IMPORTS = String.join("\n",
      "import io.tidaldb.*;",
      "import io.tidaldb.metrics.*;",
      "import io.tidaldb.wal.*;",
      "import io.micrometer.core.instrument.MeterRegistry;",
      "import io.micrometer.core.instrument.simple.SimpleMeterRegistry;",
      "import java.net.*;",
      "import java.nio.file.*;",
      "import java.time.*;",
      "import java.util.*;",
      "import java.util.concurrent.*;");

  private static TempTidalHome temp;

  @BeforeAll
  static void temporaryHome() {
    temp = TempTidalHome.create();
  }

  @AfterAll
  static void removeTemporaryHome() {
    temp.close();
  }

  /** A block of Java in a document, and the line it starts on. */
  record Block(String document, int line, String code) {
    private static final Pattern SOURCE = Pattern.compile("// ([\\w./-]+\\.java)\\s*");

    String className() {
      return "Example_" + document.replaceAll("[^A-Za-z0-9]", "_") + "_" + line;
    }

    /** {@return the repository file this block is an excerpt of, if its first line names one} */
    Optional<String> sourceFile() {
      Matcher matcher = SOURCE.matcher(code.lines().findFirst().orElse(""));
      return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** {@return the block without the line naming its source file} */
    String excerpt() {
      return code.substring(code.indexOf('\n') + 1);
    }
  }

  static List<Block> blocks(Path root, String document) {
    List<String> lines;
    try {
      lines = Files.readAllLines(root.resolve(document), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("```java")) {
        int start = i + 1;
        StringBuilder code = new StringBuilder();
        for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
          code.append(lines.get(i)).append('\n');
        }
        blocks.add(new Block(document, start + 1, code.toString()));
      }
    }
    return blocks;
  }

  @TestFactory
  Stream<DynamicTest> everyJavaBlock_compilesAndRuns() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path classes = Files.createDirectories(temp.path().resolve("classes"));
    List<Block> all = new ArrayList<>();
    for (String document : DOCUMENTS) {
      blocks(root, document).stream().filter(block -> block.sourceFile().isEmpty()).forEach(all::add);
    }
    assertTrue(all.size() >= 15, "the documents should hold their examples; found " + all.size());
    List<File> sources = new ArrayList<>();
    for (Block block : all) {
      Path dataDir = temp.path().resolve("data-" + block.document().replaceAll("[^A-Za-z0-9]", "_"));
      Path source = classes.resolve(block.className() + ".java");
      Files.writeString(source, wrap(block, dataDir, temp.path().resolve("wal-" + block.className())));
      sources.add(source.toFile());
    }
    compile(sources, classes);
    URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    return all.stream().map(block -> DynamicTest.dynamicTest(block.document() + " line " + block.line(), () -> {
      try {
        loader.loadClass(block.className()).getMethod("run").invoke(null);
      } catch (InvocationTargetException e) {
        throw new AssertionError(block.document() + " line " + block.line() + " failed when run:\n" + block.code(),
            e.getCause());
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyExcerpt_isCopiedVerbatimFromItsFile() {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Block> excerpts = new ArrayList<>();
    for (String document : DOCUMENTS) {
      blocks(root, document).stream().filter(block -> block.sourceFile().isPresent()).forEach(excerpts::add);
    }
    return excerpts.stream().map(block -> DynamicTest.dynamicTest(
        block.document() + " line " + block.line() + ": " + block.sourceFile().orElseThrow(), () -> {
          Path file = root.resolve(block.sourceFile().orElseThrow());
          assertTrue(Files.isRegularFile(file), block.document() + " line " + block.line() + " names " + file + ", which does not exist");
          assertTrue(Files.readString(file, StandardCharsets.UTF_8).contains(block.excerpt()),
              block.document() + " line " + block.line() + " differs from " + file + "; copy the file's text into the document:\n"
                  + block.excerpt());
        }));
  }

  private static String wrap(Block block, Path dataDir, Path walHome) {
    String code = block.code()
        .replace("Path.of(\"/var/lib/tidaldb\")", "Path.of(\"" + escape(dataDir) + "\")")
        .replace("127.0.0.1:9464", "127.0.0.1:0");
    return IMPORTS + "\n\npublic class " + block.className() + " {\n"
        + "  static Schema schema = Schema.builder()\n"
        + "      .signal(\"view\", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))\n"
        + "          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).velocity(true).add()\n"
        + "      .signal(\"like\", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))\n"
        + "          .windows(Window.ALL_TIME).add()\n"
        + "      .build();\n"
        + "  static MeterRegistry registry = new SimpleMeterRegistry();\n"
        + "  static TidalHome home = TidalHome.at(Path.of(\"" + escape(walHome) + "\")).ensureAll();\n"
        + "  static long nowNanos = Instant.now().getEpochSecond() * 1_000_000_000L;\n"
        + "  public static void run() throws Exception {\n"
        + "// " + block.document() + ", line " + block.line() + "\n"
        + code
        + "  }\n}\n";
  }

  private static String escape(Path path) {
    return path.toString().replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void compile(List<File> sources, Path classes) {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    try (var files = compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
      boolean ok = compiler.getTask(diagnostics, files, null,
          List.of("-classpath", ChildJvm.classpath(), "-d", classes.toString(), "-proc:none", "-nowarn"), null,
          files.getJavaFileObjectsFromFiles(sources)).call();
      assertEquals(true, ok, "a documented example does not compile:\n" + diagnostics);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

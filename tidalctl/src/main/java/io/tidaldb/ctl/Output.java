package io.tidaldb.ctl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints reports and errors in the format the user asked for: compact JSON, indented JSON, or
 * aligned text. One home for how {@code tidalctl} output looks.
 */
final class Output {

  private static final JsonFactory JSON = new JsonFactory();

  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

  private final PrintWriter out;
  private final PrintWriter err;
  private final OutputOptions options;

  Output(PrintWriter out, PrintWriter err, OutputOptions options) {
    this.out = out;
    this.err = err;
    this.options = options;
  }

  /** The output of a command, on the streams its {@code CommandLine} was given. */
  static Output of(CommandSpec spec, OutputOptions options) {
    return new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), options);
  }

  static JsonObject object() {
    return new JsonObject();
  }

  /** Prints one report on standard output. */
  void report(JsonObject report) {
    print(out, report);
  }

  /** Prints an error on standard error: a JSON object, or a line of text with {@code --format text}. */
  void error(CliFailure failure) {
    JsonObject error = errorObject(failure);
    if (options.format == OutputOptions.Format.text) {
      err.println("error: " + failure.getMessage());
      err.flush();
    } else {
      print(err, error);
    }
  }

  static JsonObject errorObject(CliFailure failure) {
    JsonObject error = object();
    error.put("status", "error");
    error.put("error", failure.kind());
    error.put("message", failure.getMessage());
    failure.path().ifPresent(p -> error.put("path", p.toString()));
    error.put("exit_code", failure.exitCode());
    return error;
  }

  /** A generator for a stream of JSON lines (one compact document per line) on standard output. */
  JsonGenerator jsonLines() {
    try {
      JsonGenerator generator = JSON.createGenerator(out);
      generator.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
      return generator;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  OutputOptions.Format format() {
    return options.format;
  }

  PrintWriter out() {
    return out;
  }

  private void print(PrintWriter target, JsonObject report) {
    switch (options.format) {
      case json -> target.println(json(report, options.pretty));
      case text -> target.print(text(report));
    }
    target.flush();
  }

  static String json(JsonObject node, boolean pretty) {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(text)) {
      if (pretty) {
        generator.setPrettyPrinter(new DefaultPrettyPrinter(PRETTY));
      }
      node.write(generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** Flattens a report into aligned {@code dotted.key  value} lines. */
  static String text(JsonObject report) {
    List<String[]> rows = new ArrayList<>();
    flatten("", report, rows);
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      text.append(String.format("%-" + width + "s  %s%n", row[0], row[1]));
    }
    return text.toString();
  }

  private static void flatten(String prefix, Object node, List<String[]> rows) {
    if (node instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object.fields().entrySet()) {
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), rows);
      }
    } else if (node instanceof JsonArray array) {
      List<String> items = new ArrayList<>();
      array.items().forEach(item -> items.add(item instanceof JsonObject object ? json(object, false) : String.valueOf(item)));
      rows.add(new String[] {prefix, items.isEmpty() ? "-" : String.join(", ", items)});
    } else {
      rows.add(new String[] {prefix, node == null ? "-" : String.valueOf(node)});
    }
  }
}

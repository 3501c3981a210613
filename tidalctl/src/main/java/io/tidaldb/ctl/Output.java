package io.tidaldb.ctl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints reports and errors in the format the user asked for: compact JSON, indented JSON, or
 * aligned text. One home for how {@code tidalctl} output looks.
 */
final class Output {

  static final ObjectMapper JSON = new ObjectMapper();

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

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Prints one report on standard output. */
  void report(ObjectNode report) {
    print(out, report);
  }

  /** Prints an error on standard error: a JSON object, or a line of text with {@code --format text}. */
  void error(CliFailure failure) {
    ObjectNode error = errorObject(failure);
    if (options.format == OutputOptions.Format.text) {
      err.println("error: " + failure.getMessage());
      err.flush();
    } else {
      print(err, error);
    }
  }

  static ObjectNode errorObject(CliFailure failure) {
    ObjectNode error = object();
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
      JsonGenerator generator = JSON.getFactory().createGenerator(out);
      generator.setPrettyPrinter(new com.fasterxml.jackson.core.util.MinimalPrettyPrinter("\n"));
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

  private void print(PrintWriter target, ObjectNode report) {
    switch (options.format) {
      case json -> target.println(json(report, options.pretty));
      case text -> target.print(text(report));
    }
    target.flush();
  }

  static String json(JsonNode node, boolean pretty) {
    try {
      return pretty ? JSON.writer(PRETTY).writeValueAsString(node) : JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Flattens a report into aligned {@code dotted.key  value} lines. */
  static String text(ObjectNode report) {
    List<String[]> rows = new ArrayList<>();
    flatten("", report, rows);
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      text.append(String.format("%-" + width + "s  %s%n", row[0], row[1]));
    }
    return text.toString();
  }

  private static void flatten(String prefix, JsonNode node, List<String[]> rows) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), rows);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(item.isValueNode() ? item.asText() : json(item, false)));
      rows.add(new String[] {prefix, items.isEmpty() ? "-" : String.join(", ", items)});
    } else {
      rows.add(new String[] {prefix, node.isNull() ? "-" : node.asText()});
    }
  }
}

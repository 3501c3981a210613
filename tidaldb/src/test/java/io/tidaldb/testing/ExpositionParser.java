package io.tidaldb.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0.0 text, for tests: it
 * reads every line and fails on anything a careful scraper could reject.
 *
 * <pre>{@code
 * ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(body);
 * double up = parsed.family("tidaldb_health_ok").sample(Map.of("partition_id", "0")).value();
 * }</pre>
 *
 * <p>Rules checked: every line ends with a newline; every family has exactly one {@code # HELP} and
 * one {@code # TYPE}, both before its first sample; sample names belong to their family's type;
 * a family's samples are contiguous; label names are valid and unique, values correctly escaped;
 * no two samples share a name and label set; values are floats (or {@code NaN}, {@code +Inf},
 * {@code -Inf}). For OpenMetrics also: no blank lines or other comments, families never reopened,
 * and the exposition ends with {@code # EOF}.
 */
public final class ExpositionParser {

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TEXT_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final Set<String> OPENMETRICS_TYPES =
      Set.of("counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown");

  private final boolean openMetrics;
  private final Map<String, Family> families = new LinkedHashMap<>();
  private final Set<String> closedFamilies = new HashSet<>();
  private Family current;
  private int lineNumber;

  private ExpositionParser(boolean openMetrics) {
    this.openMetrics = openMetrics;
  }

  /**
   * Parses the Prometheus text format 0.0.4.
   *
   * @param body the whole body
   * @return what it holds
   * @throws AssertionError naming the line, if anything is wrong
   */
  public static Exposition prometheusText(String body) {
    return new ExpositionParser(false).parse(body);
  }

  /**
   * Parses OpenMetrics 1.0.0 text, which must end with {@code # EOF}.
   *
   * @param body the whole body
   * @return what it holds
   * @throws AssertionError naming the line, if anything is wrong
   */
  public static Exposition openMetrics(String body) {
    return new ExpositionParser(true).parse(body);
  }

  private Exposition parse(String body) {
    if (body.isEmpty()) {
      throw new AssertionError("the exposition is empty");
    }
    if (!body.endsWith("\n")) {
      throw new AssertionError("the exposition does not end with a newline: ..." + tail(body));
    }
    String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
    boolean eof = false;
    for (String line : lines) {
      lineNumber++;
      if (eof) {
        throw fail("content after # EOF", line);
      }
      if (line.indexOf('\r') >= 0) {
        throw fail("a carriage return", line);
      }
      if (openMetrics && line.equals("# EOF")) {
        eof = true;
      } else if (line.isEmpty()) {
        if (openMetrics) {
          throw fail("a blank line (OpenMetrics allows none)", line);
        }
      } else if (line.startsWith("#")) {
        comment(line);
      } else {
        sample(line);
      }
    }
    if (openMetrics && !eof) {
      throw new AssertionError("the OpenMetrics exposition does not end with # EOF: ..." + tail(body));
    }
    for (Family family : families.values()) {
      if (family.type == null || family.help == null) {
        throw new AssertionError("family " + family.name + " lacks " + (family.type == null ? "# TYPE" : "# HELP"));
      }
    }
    Map<String, ParsedFamily> parsed = new LinkedHashMap<>();
    families.forEach((name, f) -> parsed.put(name, new ParsedFamily(name, f.type, f.help, List.copyOf(f.samples))));
    return new Exposition(Collections.unmodifiableMap(parsed));
  }

  private void comment(String line) {
    String[] parts = line.split(" ", 4);
    boolean metadata = parts.length >= 3 && parts[0].equals("#")
        && (parts[1].equals("HELP") || parts[1].equals("TYPE") || parts[1].equals("UNIT"));
    if (!metadata) {
      if (openMetrics) {
        throw fail("a comment that is not # HELP, # TYPE, # UNIT or # EOF", line);
      }
      return;
    }
    String name = parts[2];
    if (!METRIC_NAME.matcher(name).matches()) {
      throw fail("an invalid metric name", line);
    }
    Family family = open(name, line);
    if (!family.samples.isEmpty()) {
      throw fail("metadata after the family's first sample", line);
    }
    String value = parts.length == 4 ? parts[3] : "";
    switch (parts[1]) {
      case "HELP" -> {
        if (family.help != null) {
          throw fail("a second # HELP", line);
        }
        family.help = unescape(value, false, line);
      }
      case "TYPE" -> {
        if (family.type != null) {
          throw fail("a second # TYPE", line);
        }
        if (!(openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES).contains(value)) {
          throw fail("an unknown type " + value, line);
        }
        family.type = value;
      }
      default -> {
        if (!openMetrics) {
          return;
        }
        if (family.unit != null) {
          throw fail("a second # UNIT", line);
        }
        family.unit = value;
      }
    }
  }

  private Family open(String name, String line) {
    if (current != null && current.name.equals(name)) {
      return current;
    }
    if (current != null) {
      closedFamilies.add(current.name);
    }
    if (closedFamilies.contains(name) || families.containsKey(name)) {
      throw fail("family " + name + " reopened after another family", line);
    }
    current = new Family(name);
    families.put(name, current);
    return current;
  }

  private void sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!METRIC_NAME.matcher(name).matches()) {
      throw fail("an invalid sample name", line);
    }
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw fail("no space before the value", line);
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length > 2 || rest[0].isEmpty()) {
      throw fail("a malformed value or timestamp", line);
    }
    double value = number(rest[0], line);
    if (rest.length == 2) {
      number(rest[1], line);
    }
    if (current == null || !current.owns(name, openMetrics)) {
      throw fail("sample " + name + " outside a family declared before it (current family: "
          + (current == null ? "none" : current.name + " " + current.type) + ")", line);
    }
    Sample sample = new Sample(name, Collections.unmodifiableMap(labels), value);
    for (Sample other : current.samples) {
      if (other.name().equals(name) && other.labels().equals(sample.labels())) {
        throw fail("a duplicate sample (same name and labels)", line);
      }
    }
    if (openMetrics && "info".equals(current.type) && value != 1) {
      throw fail("an info sample whose value is not 1", line);
    }
    current.samples.add(sample);
  }

  private int labels(String line, int i, Map<String, String> labels) {
    while (true) {
      if (i < line.length() && line.charAt(i) == '}') {
        return i + 1;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0) {
        throw fail("a label without =", line);
      }
      String label = line.substring(i, eq);
      if (!LABEL_NAME.matcher(label).matches()) {
        throw fail("an invalid label name '" + label + "'", line);
      }
      if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        throw fail("a label value without quotes", line);
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      while (true) {
        if (j >= line.length()) {
          throw fail("an unterminated label value", line);
        }
        char c = line.charAt(j);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          if (j + 1 >= line.length()) {
            throw fail("a dangling backslash", line);
          }
          char escaped = line.charAt(j + 1);
          switch (escaped) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default -> throw fail("an invalid escape \\" + escaped, line);
          }
          j += 2;
        } else {
          value.append(c);
          j++;
        }
      }
      if (labels.put(label, value.toString()) != null) {
        throw fail("label " + label + " twice", line);
      }
      i = j + 1;
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      } else if (i >= line.length() || line.charAt(i) != '}') {
        throw fail("labels not separated by commas", line);
      }
    }
  }

  private double number(String text, String line) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        if (!text.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
          throw fail("a malformed number '" + text + "'", line);
        }
        return Double.parseDouble(text);
    }
  }

  private String unescape(String text, boolean quotes, String line) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i + 1 >= text.length()) {
        throw fail("a dangling backslash", line);
      }
      char escaped = text.charAt(++i);
      switch (escaped) {
        case '\\' -> out.append('\\');
        case 'n' -> out.append('\n');
        case '"' -> {
          if (!quotes && !openMetrics) {
            throw fail("an invalid escape \\\"", line);
          }
          out.append('"');
        }
        default -> throw fail("an invalid escape \\" + escaped, line);
      }
    }
    return out.toString();
  }

  private AssertionError fail(String what, String line) {
    return new AssertionError((openMetrics ? "OpenMetrics" : "Prometheus text") + " line " + lineNumber + ": " + what
        + ": " + line);
  }

  private static String tail(String body) {
    return body.substring(Math.max(0, body.length() - 40));
  }

  private static final class Family {
    final String name;
    final List<Sample> samples = new ArrayList<>();
    String help;
    String type;
    String unit;

    Family(String name) {
      this.name = name;
    }

    boolean owns(String sample, boolean openMetrics) {
      if (type == null) {
        return false;
      }
      List<String> suffixes = switch (type) {
        case "counter" -> openMetrics ? List.of("_total", "_created") : List.of("");
        case "info" -> List.of("_info");
        case "histogram", "gaugehistogram" -> List.of("_bucket", "_sum", "_count", "_created", "_gcount", "_gsum");
        case "summary" -> List.of("", "_sum", "_count", "_created");
        default -> List.of("");
      };
      return suffixes.stream().anyMatch(suffix -> sample.equals(name + suffix));
    }
  }

  /**
   * One sample line.
   *
   * @param name the sample's name
   * @param labels its labels, by name
   * @param value its value
   */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /**
   * A parsed exposition.
   *
   * @param families the families, by name, in the order they appeared
   */
  public record Exposition(Map<String, ParsedFamily> families) {

    /**
     * A family by name.
     *
     * @param name the family's name
     * @return the family
     * @throws AssertionError if there is none
     */
    public ParsedFamily family(String name) {
      ParsedFamily family = families.get(name);
      if (family == null) {
        throw new AssertionError("no family " + name + " in " + families.keySet());
      }
      return family;
    }
  }

  /**
   * One family: its metadata and samples.
   *
   * @param name the family's name
   * @param type its {@code # TYPE}
   * @param help its {@code # HELP}, unescaped
   * @param samples its samples, in order
   */
  public record ParsedFamily(String name, String type, String help, List<Sample> samples) {

    /**
     * The one sample with exactly these labels.
     *
     * @param labels the labels
     * @return the sample
     * @throws AssertionError if there is none
     */
    public Sample sample(Map<String, String> labels) {
      Optional<Sample> found = samples.stream().filter(s -> s.labels().equals(labels)).findFirst();
      return found.orElseThrow(() -> new AssertionError("no sample of " + name + " with labels " + labels + " in " + samples));
    }
  }
}

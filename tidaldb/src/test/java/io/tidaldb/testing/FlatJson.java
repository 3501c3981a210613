package io.tidaldb.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict parser of one flat JSON object (string, number, boolean and null values), enough for
 * {@code /healthz}; it fails on anything else, including trailing garbage and duplicate keys.
 *
 * <pre>{@code
 * Map<String, Object> health = FlatJson.parse("{\"status\":\"ok\",\"uptime_seconds\":1.5}");
 * }</pre>
 */
public final class FlatJson {

  private final String text;
  private int i;

  private FlatJson(String text) {
    this.text = text;
  }

  /**
   * Parses one object.
   *
   * @param text the JSON text, optionally followed by a newline
   * @return the members, in order: {@code String}, {@code Double}, {@code Boolean} or null values
   * @throws AssertionError if the text is not one flat object
   */
  public static Map<String, Object> parse(String text) {
    FlatJson parser = new FlatJson(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    Map<String, Object> result = parser.object();
    if (parser.i != parser.text.length()) {
      throw new AssertionError("garbage after the JSON object at " + parser.i + ": " + text);
    }
    return result;
  }

  private Map<String, Object> object() {
    Map<String, Object> members = new LinkedHashMap<>();
    expect('{');
    if (peek() == '}') {
      i++;
      return members;
    }
    while (true) {
      String key = string();
      expect(':');
      if (members.containsKey(key)) {
        throw new AssertionError("duplicate key " + key + " in " + text);
      }
      members.put(key, value());
      char c = next();
      if (c == '}') {
        return members;
      }
      if (c != ',') {
        throw new AssertionError("expected , or } at " + (i - 1) + " in " + text);
      }
    }
  }

  private Object value() {
    char c = peek();
    if (c == '"') {
      return string();
    }
    for (String literal : new String[] {"true", "false", "null"}) {
      if (text.startsWith(literal, i)) {
        i += literal.length();
        return literal.equals("null") ? null : Boolean.valueOf(literal);
      }
    }
    int start = i;
    while (i < text.length() && "+-0123456789.eE".indexOf(text.charAt(i)) >= 0) {
      i++;
    }
    String number = text.substring(start, i);
    if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
      throw new AssertionError("not a JSON value at " + start + " in " + text);
    }
    return Double.valueOf(number);
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw new AssertionError("an unescaped control character in a string in " + text);
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(i, i + 4), 16));
          i += 4;
        }
        default -> throw new AssertionError("an invalid escape \\" + e + " in " + text);
      }
    }
  }

  private void expect(char c) {
    if (next() != c) {
      throw new AssertionError("expected " + c + " at " + (i - 1) + " in " + text);
    }
  }

  private char peek() {
    if (i >= text.length()) {
      throw new AssertionError("the JSON text ends early: " + text);
    }
    return text.charAt(i);
  }

  private char next() {
    char c = peek();
    i++;
    return c;
  }
}

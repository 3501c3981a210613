package io.tidaldb.ctl;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object that a report is built into, in insertion order, and that {@link Output} writes
 * with jackson-core's {@link JsonGenerator}. tidalctl only writes JSON, so it needs no data binding
 * and no parser: this and {@link JsonArray} are the whole tree it uses. Values are strings, numbers,
 * booleans, {@code null}, objects and arrays.
 */
final class JsonObject {

  private final Map<String, Object> fields = new LinkedHashMap<>();

  JsonObject put(String key, String value) {
    fields.put(key, value);
    return this;
  }

  JsonObject put(String key, long value) {
    fields.put(key, value);
    return this;
  }

  JsonObject put(String key, double value) {
    fields.put(key, value);
    return this;
  }

  JsonObject put(String key, boolean value) {
    fields.put(key, value);
    return this;
  }

  JsonObject putNull(String key) {
    fields.put(key, null);
    return this;
  }

  /** Sets {@code key} to {@code value} (an object or an array built elsewhere). */
  JsonObject set(String key, JsonObject value) {
    fields.put(key, value);
    return this;
  }

  JsonObject set(String key, JsonArray value) {
    fields.put(key, value);
    return this;
  }

  /** A new, empty object under {@code key}. */
  JsonObject putObject(String key) {
    JsonObject child = new JsonObject();
    fields.put(key, child);
    return child;
  }

  /** A new, empty array under {@code key}. */
  JsonArray putArray(String key) {
    JsonArray child = new JsonArray();
    fields.put(key, child);
    return child;
  }

  /** The fields in the order they were put: strings, boxed numbers and booleans, nulls, objects, arrays. */
  Map<String, Object> fields() {
    return Collections.unmodifiableMap(fields);
  }

  void write(JsonGenerator json) throws IOException {
    json.writeStartObject();
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      json.writeFieldName(field.getKey());
      writeValue(json, field.getValue());
    }
    json.writeEndObject();
  }

  static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof String s) {
      json.writeString(s);
    } else if (value instanceof Long l) {
      json.writeNumber(l);
    } else if (value instanceof Double d) {
      json.writeNumber(d);
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof JsonObject o) {
      o.write(json);
    } else if (value instanceof JsonArray a) {
      a.write(json);
    } else {
      throw new IllegalStateException("not a JSON value: " + value.getClass());
    }
  }
}

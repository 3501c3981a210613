package io.tidaldb.ctl;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A JSON array of a report: strings and objects, in order. See {@link JsonObject}. */
final class JsonArray {

  private final List<Object> items = new ArrayList<>();

  JsonArray add(String item) {
    items.add(item);
    return this;
  }

  JsonArray add(JsonObject item) {
    items.add(item);
    return this;
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  int size() {
    return items.size();
  }

  List<Object> items() {
    return Collections.unmodifiableList(items);
  }

  void write(JsonGenerator json) throws IOException {
    json.writeStartArray();
    for (Object item : items) {
      JsonObject.writeValue(json, item);
    }
    json.writeEndArray();
  }
}

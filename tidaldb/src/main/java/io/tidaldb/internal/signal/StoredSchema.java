package io.tidaldb.internal.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import io.tidaldb.TidalHome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rule that keeps a persistent home's signal type ids meaningful: the schema a home is opened
 * with must start with the stored one (docs/SIGNALS.md, section 1). Signals may be appended; none
 * may be removed, renamed, reordered or changed. Opening with {@link Schema#empty()} uses the stored
 * schema.
 */
final class StoredSchema {

  private StoredSchema() {}

  /**
   * The schema to open with.
   *
   * @param stored the home's stored schema, if any
   * @param given the builder's schema
   * @return the given schema, or the stored one when the given one is empty
   * @throws ConfigException naming the first difference, if the given schema does not start with
   *     the stored one
   */
  static Schema resolve(TidalHome home, Optional<Schema> stored, Schema given) {
    if (stored.isEmpty()) {
      return given;
    }
    Schema old = stored.get();
    if (given.signals().isEmpty()) {
      return old;
    }
    Optional<String> difference = difference(old, given);
    if (difference.isPresent()) {
      throw new ConfigException("schema(...) does not fit the schema stored in " + home.schemaFile() + ": "
          + difference.get() + ". The signal type ids in the home's log depend on it: a schema may append signals"
          + " after the stored ones, but may not remove, rename, reorder or change them. Declare the stored signals"
          + " first and exactly as before (" + String.join(", ", old.names()) + "), or open the home with"
          + " Schema.empty() to use the stored schema as it is");
    }
    return given;
  }

  /** The first way {@code given} fails to start with {@code stored}, if any. */
  static Optional<String> difference(Schema stored, Schema given) {
    List<SignalSpec> old = stored.signals();
    List<SignalSpec> now = given.signals();
    for (int id = 0; id < old.size(); id++) {
      SignalSpec was = old.get(id);
      if (id >= now.size()) {
        return Optional.of("signal \"" + was.name() + "\" (id " + id + ") is stored but missing from the new schema,"
            + " which declares " + now.size() + " signal" + (now.size() == 1 ? "" : "s"));
      }
      SignalSpec is = now.get(id);
      if (!was.name().equals(is.name())) {
        return Optional.of("id " + id + " is signal \"" + was.name() + "\" in the stored schema but \"" + is.name()
            + "\" in the new one (renamed, reordered or removed)");
      }
      if (!was.equals(is)) {
        return Optional.of("signal \"" + was.name() + "\" (id " + id + ") changed: " + String.join(", ", changes(was, is)));
      }
    }
    return Optional.empty();
  }

  private static List<String> changes(SignalSpec was, SignalSpec is) {
    List<String> changes = new ArrayList<>();
    if (was.entityKind() != is.entityKind()) {
      changes.add("entity kind " + was.entityKind() + " -> " + is.entityKind());
    }
    if (!was.decay().equals(is.decay())) {
      changes.add("decay " + was.decay() + " -> " + is.decay());
    }
    if (!was.windows().equals(is.windows())) {
      changes.add("windows " + was.windows() + " -> " + is.windows());
    }
    if (was.velocity() != is.velocity()) {
      changes.add("velocity " + was.velocity() + " -> " + is.velocity());
    }
    if (was.negativeWeights() != is.negativeWeights()) {
      changes.add("negativeWeights " + was.negativeWeights() + " -> " + is.negativeWeights());
    }
    return changes;
  }
}

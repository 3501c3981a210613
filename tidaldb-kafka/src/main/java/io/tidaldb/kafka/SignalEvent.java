package io.tidaldb.kafka;

import java.time.Instant;
import java.util.Objects;

/**
 * One signal event as a {@link SignalRecordDecoder} reads it from a Kafka record: what
 * {@link io.tidaldb.TidalDb#signal(String, long, double, Instant)} takes.
 *
 * <pre>{@code
 * SignalEvent event = new SignalEvent("view", 42L, 1.0, Instant.parse("2026-03-01T12:00:00Z"));
 * }</pre>
 *
 * @param signal the signal's name, as the schema declares it (checked when the event is written)
 * @param entityId the entity
 * @param weight the event's weight
 * @param at when it happened
 */
public record SignalEvent(String signal, long entityId, double weight, Instant at) {

  /** Checks that neither the signal nor the time is null. */
  public SignalEvent {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(at, "at");
  }
}

package io.tidaldb.kafka;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where one local partition stands: how its home came to be, how far it has applied the partition,
 * and whether it has stopped.
 *
 * <pre>{@code
 * for (PartitionStatus status : ingest.statuses().values()) {
 *   if (status.possiblyIncomplete()) {
 *     log.warn("partition " + status.partition() + " was rebuilt from a topic that had lost old records");
 *   }
 * }
 * }</pre>
 *
 * @param partition the Kafka partition
 * @param origin whether the home was resumed or rebuilt when the partition was assigned
 * @param possiblyIncomplete whether the home was rebuilt from a partition whose earliest retained
 *     offset was above 0, so that events before it are missing
 * @param position the offset of the next record to apply: every record before it is in the home
 * @param lag records in the partition not yet applied; empty until the consumer knows the end
 * @param failure why the partition stopped (a bad record under
 *     {@link BadRecordHandler#STOP_PARTITION}, or a write the home refused); empty while it runs
 */
public record PartitionStatus(int partition, Origin origin, boolean possiblyIncomplete, long position,
    OptionalLong lag, Optional<String> failure) {

  /** Checks that no component is null. */
  public PartitionStatus {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(lag, "lag");
    Objects.requireNonNull(failure, "failure");
  }

  /** How a partition's home came to be when the partition was assigned to this instance. */
  public enum Origin {
    /** An existing home whose position was still inside the topic's retention: consumption resumed there. */
    RESUMED,
    /** A new home (none was there, or the one there was discarded), filled from the earliest retained offset. */
    REBUILT
  }
}

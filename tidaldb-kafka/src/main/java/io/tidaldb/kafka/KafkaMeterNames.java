package io.tidaldb.kafka;

/**
 * The names of the meters {@link KafkaSignalIngest} adds to the host's registry. Each carries the
 * tags {@link #TOPIC} and {@link io.tidaldb.metrics.MeterNames#PARTITION_ID} (the Kafka partition),
 * beside the partition home's own {@code tidaldb.*} meters, tagged alike.
 *
 * <pre>{@code
 * registry.get(KafkaMeterNames.LAG).tag(MeterNames.PARTITION_ID, "3").gauge().value();
 * }</pre>
 */
public final class KafkaMeterNames {

  /** Tag: the topic the ingest consumes. */
  public static final String TOPIC = "topic";

  /** Gauge: records in the partition not yet applied to its home (NaN until known). */
  public static final String LAG = "tidaldb.kafka.lag";

  /** Gauge: the offset of the last record applied to the partition's home (-1 before any). */
  public static final String APPLIED_OFFSET = "tidaldb.kafka.applied.offset";

  /** Counter: homes this instance rebuilt for the partition from the earliest retained offset. */
  public static final String REBUILDS = "tidaldb.kafka.rebuilds";

  /** Counter: rebuilds from a partition whose earliest retained offset was above 0 (possibly incomplete). */
  public static final String REBUILDS_INCOMPLETE = "tidaldb.kafka.rebuilds.incomplete";

  /** Counter: records that could not be applied (the decoder rejected them, or the home refused the event). */
  public static final String RECORDS_REJECTED = "tidaldb.kafka.records.rejected";

  /** Counter (tag {@link #TOPIC} only): times consumption paused because writes fell behind. */
  public static final String BACKPRESSURE_PAUSES = "tidaldb.kafka.backpressure.pauses";

  private KafkaMeterNames() {}
}

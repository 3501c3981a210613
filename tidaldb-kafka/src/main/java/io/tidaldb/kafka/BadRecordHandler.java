package io.tidaldb.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decides what happens to a record that cannot be applied: one the {@link SignalRecordDecoder}
 * rejects, or an event the partition's database refuses (an unknown signal, a time out of range).
 * The ingest always logs it and counts it in {@code tidaldb.kafka.records.rejected}; the handler
 * says whether the partition goes on.
 *
 * <pre>{@code
 * KafkaSignalIngest.builder()...badRecordHandler(BadRecordHandler.STOP_PARTITION).build();
 * }</pre>
 */
@FunctionalInterface
public interface BadRecordHandler {

  /** The default: skip the record (logged and counted) and go on with the next. */
  BadRecordHandler SKIP = (record, problem) -> Action.SKIP;

  /**
   * Stop the partition at the record: the records before it are applied, the partition consumes
   * nothing more, and {@link KafkaSignalIngest#healthCheck()} fails until the partition is
   * reassigned (then it starts again at the bad record).
   */
  BadRecordHandler STOP_PARTITION = (record, problem) -> Action.STOP;

  /**
   * Called on the consumer thread for each record that cannot be applied; it may hand the record
   * to a dead-letter topic of the application's own before answering.
   *
   * @param record the record
   * @param problem why it cannot be applied (a {@link BadRecordException} or the database's refusal)
   * @return whether to skip it or to stop the partition
   */
  Action onBadRecord(ConsumerRecord<byte[], byte[]> record, RuntimeException problem);

  /** What the ingest does with a bad record. */
  enum Action {
    /** Skip the record; its offset counts as consumed. */
    SKIP,
    /** Stop the partition before the record and fail health. */
    STOP
  }
}

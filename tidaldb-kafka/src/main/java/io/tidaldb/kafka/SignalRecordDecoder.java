package io.tidaldb.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads a Kafka record as a signal event. The default, {@link #standard()}, reads the format
 * {@link SignalRecords} writes; an application whose topic carries its own format implements this
 * interface and gives it to {@link KafkaSignalIngest.Builder#decoder(SignalRecordDecoder)}.
 *
 * <pre>{@code
 * SignalRecordDecoder json = record -> {
 *   JsonNode event = mapper.readTree(record.value());
 *   return new SignalEvent(event.get("type").asText(), event.get("item").asLong(), 1.0,
 *       Instant.ofEpochMilli(record.timestamp()));
 * };
 * }</pre>
 *
 * <p>Called from the ingest's consumer thread only. A record it cannot read is reported by throwing
 * {@link BadRecordException} (any other runtime exception is treated alike); the ingest then hands
 * the record to its {@link BadRecordHandler}.
 */
@FunctionalInterface
public interface SignalRecordDecoder {

  /**
   * Reads one record.
   *
   * @param record a record of the ingest's topic, key and value as raw bytes (either may be null)
   * @return the event it carries
   * @throws BadRecordException if the record is not a signal event this decoder can read
   */
  SignalEvent decode(ConsumerRecord<byte[], byte[]> record);

  /**
   * The default decoder: the key is the entity id as 8 bytes big-endian
   * ({@link SignalRecords#key(long)}), the value is written by
   * {@link SignalRecords#encode(String, double, java.time.Instant)} (format in docs/FORMAT.md).
   *
   * @return the decoder of the default record format
   */
  static SignalRecordDecoder standard() {
    return SignalRecords::decode;
  }
}

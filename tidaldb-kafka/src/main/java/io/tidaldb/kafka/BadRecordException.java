package io.tidaldb.kafka;

import io.tidaldb.TidalDbException;

/**
 * A Kafka record that cannot be read as a signal event: a key or value in a format the decoder does
 * not know, or an event the partition's database refuses. The message names the record's topic,
 * partition and offset and what is wrong with it.
 *
 * <pre>{@code
 * throw new BadRecordException(record, "the key has 4 bytes; the entity id takes 8 (big-endian long)");
 * }</pre>
 */
public class BadRecordException extends TidalDbException {

  private static final long serialVersionUID = 1L;

  /**
   * A record the decoder rejects.
   *
   * @param record the record, named in the message by topic, partition and offset
   * @param problem what is wrong with it and, where it helps, what to do
   */
  public BadRecordException(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record, String problem) {
    super(where(record) + ": " + problem);
  }

  /**
   * A record the decoder rejects, with the exception that says why.
   *
   * @param record the record, named in the message by topic, partition and offset
   * @param problem what is wrong with it
   * @param cause the underlying exception
   */
  public BadRecordException(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record, String problem,
      Throwable cause) {
    super(where(record) + ": " + problem, cause);
  }

  BadRecordException(String message) {
    super(message);
  }

  static String where(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record) {
    return "record " + record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}

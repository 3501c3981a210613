package io.tidaldb.kafka;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * The default record format, for producers and for {@link SignalRecordDecoder#standard()}: the key is
 * the entity id as 8 bytes big-endian, the value a small versioned binary event (docs/FORMAT.md,
 * "Kafka records").
 *
 * <pre>{@code
 * producer.send(new ProducerRecord<>("events", SignalRecords.key(42L),
 *     SignalRecords.encode("view", 1.0, Instant.now())));
 * }</pre>
 *
 * <p>With the producer's default partitioner a record goes to partition
 * {@link #partitionFor(long, int)}: all the events of one entity land in one partition, and so in
 * one tidalDB home.
 */
public final class SignalRecords {

  /** The value format this class writes and the newest it reads. */
  public static final byte FORMAT_VERSION = 1;

  /** The length of a key: one big-endian {@code long}. */
  public static final int KEY_BYTES = Long.BYTES;

  /** The longest signal name a value can hold, in UTF-8 bytes (its length is one unsigned byte). */
  public static final int MAX_SIGNAL_NAME_BYTES = 255;

  // version (1) + name length (1) + weight (8) + time in epoch nanoseconds (8), besides the name.
  private static final int FIXED_VALUE_BYTES = 1 + 1 + Double.BYTES + Long.BYTES;

  private SignalRecords() {}

  /**
   * The record key of an entity: its id as 8 bytes big-endian.
   *
   * @param entityId the entity
   * @return a new 8-byte array
   */
  public static byte[] key(long entityId) {
    return ByteBuffer.allocate(KEY_BYTES).putLong(entityId).array();
  }

  /**
   * The record value of one event, in format version {@value #FORMAT_VERSION}.
   *
   * @param signal the signal's name (1 to 255 UTF-8 bytes; the schema's rules apply when it is written)
   * @param weight finite
   * @param at when it happened, representable as a {@code long} of nanoseconds since the epoch
   *     (1677-09-21 to 2262-04-11)
   * @return a new array of {@code 18 +} (the name's length) bytes
   * @throws IllegalArgumentException if an argument cannot be encoded (the message names it)
   */
  public static byte[] encode(String signal, double weight, Instant at) {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(at, "at");
    byte[] name = signal.getBytes(StandardCharsets.UTF_8);
    if (name.length == 0 || name.length > MAX_SIGNAL_NAME_BYTES) {
      throw new IllegalArgumentException("encode(signal = \"" + signal + "\"): a signal name takes 1 to "
          + MAX_SIGNAL_NAME_BYTES + " UTF-8 bytes, this one " + name.length);
    }
    if (!Double.isFinite(weight)) {
      throw new IllegalArgumentException("encode(weight = " + weight + "): the weight must be finite");
    }
    long nanos;
    try {
      nanos = Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("encode(at = " + at + "): the time must lie between"
          + " 1677-09-21 and 2262-04-11 (nanoseconds since the epoch in a long)", e);
    }
    return ByteBuffer.allocate(FIXED_VALUE_BYTES + name.length)
        .put(FORMAT_VERSION)
        .put((byte) name.length)
        .put(name)
        .putDouble(weight)
        .putLong(nanos)
        .array();
  }

  /**
   * Reads a record written with {@link #key(long)} and {@link #encode(String, double, Instant)}.
   *
   * @param record the record
   * @return the event it carries
   * @throws BadRecordException if the key or value is missing or not in this format (the message
   *     says which byte is wrong)
   */
  public static SignalEvent decode(ConsumerRecord<byte[], byte[]> record) {
    byte[] key = record.key();
    if (key == null || key.length != KEY_BYTES) {
      throw new BadRecordException(record, (key == null ? "the key is null" : "the key has " + key.length + " bytes")
          + "; the default format's key is the entity id as " + KEY_BYTES + " bytes big-endian"
          + " (SignalRecords.key(entityId)), or give the ingest a decoder for this topic's format");
    }
    byte[] value = record.value();
    if (value == null || value.length == 0) {
      throw new BadRecordException(record, "the value is empty; the default format's value is written by"
          + " SignalRecords.encode(signal, weight, at)");
    }
    if (value[0] != FORMAT_VERSION) {
      throw new BadRecordException(record, "the value has format version " + (value[0] & 0xff)
          + "; this tidaldb-kafka reads version " + FORMAT_VERSION
          + (value[0] > FORMAT_VERSION ? ": upgrade tidaldb-kafka on the consumers before the producers" : ""));
    }
    ByteBuffer in = ByteBuffer.wrap(value);
    try {
      in.get();
      int nameBytes = in.get() & 0xff;
      if (nameBytes == 0) {
        throw new BadRecordException(record, "the value's signal name is empty (byte 1 is 0)");
      }
      int expected = FIXED_VALUE_BYTES + nameBytes;
      if (value.length != expected) {
        throw new BadRecordException(record, "the value has " + value.length + " bytes; a version-"
            + FORMAT_VERSION + " value with a " + nameBytes + "-byte signal name has " + expected);
      }
      String signal = new String(value, 2, nameBytes, StandardCharsets.UTF_8);
      in.position(2 + nameBytes);
      double weight = in.getDouble();
      long nanos = in.getLong();
      long entityId = ByteBuffer.wrap(key).getLong();
      return new SignalEvent(signal, entityId, weight,
          Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
    } catch (BufferUnderflowException e) {
      throw new BadRecordException(record, "the value ends early (" + value.length + " bytes)", e);
    }
  }

  /**
   * The partition the producer's default partitioner chooses for a record keyed
   * {@link #key(long) key(entityId)}: {@code toPositive(murmur2(key)) % partitions}, as Kafka's
   * {@code BuiltInPartitioner} computes it.
   *
   * @param entityId the entity
   * @param partitions the topic's partition count, at least 1
   * @return the partition, from 0 to {@code partitions - 1}
   */
  public static int partitionFor(long entityId, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitionFor(partitions = " + partitions + "): a topic has at least 1");
    }
    return Utils.toPositive(Utils.murmur2(key(entityId))) % partitions;
  }
}

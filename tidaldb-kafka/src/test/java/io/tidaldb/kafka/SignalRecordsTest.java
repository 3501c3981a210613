package io.tidaldb.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class SignalRecordsTest {

  private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
    return new ConsumerRecord<>("events", 3, 17L, key, value);
  }

  @Test
  void encodedEvent_decodesToTheSameEvent_toTheNanosecond() {
    Instant at = Instant.parse("2026-03-01T12:00:00.123456789Z");
    SignalEvent event = SignalRecords.decode(record(SignalRecords.key(-42L), SignalRecords.encode("like", 2.5, at)));
    assertEquals(new SignalEvent("like", -42L, 2.5, at), event);
  }

  @Test
  void value_isVersionedAndCompact() {
    byte[] value = SignalRecords.encode("view", 1.0, Instant.EPOCH);
    assertEquals(SignalRecords.FORMAT_VERSION, value[0]);
    assertEquals(18 + "view".length(), value.length);
  }

  @Test
  void keyOfWrongLength_isRejectedNamingTheRecordAndTheLength() {
    BadRecordException e = assertThrows(BadRecordException.class,
        () -> SignalRecords.decode(record(new byte[4], SignalRecords.encode("view", 1.0, Instant.EPOCH))));
    assertTrue(e.getMessage().contains("events-3@17") && e.getMessage().contains("4 bytes"), e.getMessage());
  }

  @Test
  void valueOfANewerFormatVersion_isRejectedSayingWhatToUpgrade() {
    byte[] value = SignalRecords.encode("view", 1.0, Instant.EPOCH);
    value[0] = 2;
    BadRecordException e = assertThrows(BadRecordException.class,
        () -> SignalRecords.decode(record(SignalRecords.key(1L), value)));
    assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("upgrade"), e.getMessage());
  }

  @Test
  void truncatedValue_isRejectedNamingItsLength() {
    byte[] value = Arrays.copyOf(SignalRecords.encode("view", 1.0, Instant.EPOCH), 10);
    BadRecordException e = assertThrows(BadRecordException.class,
        () -> SignalRecords.decode(record(SignalRecords.key(1L), value)));
    assertTrue(e.getMessage().contains("10 bytes"), e.getMessage());
  }

  @Test
  void nullValue_isRejected() {
    assertThrows(BadRecordException.class, () -> SignalRecords.decode(record(SignalRecords.key(1L), null)));
  }

  @Test
  void nonFiniteWeight_cannotBeEncoded() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SignalRecords.encode("view", Double.NaN, Instant.EPOCH));
    assertTrue(e.getMessage().contains("weight"), e.getMessage());
  }

  @Test
  void partitionFor_isThePartitionTheProducersDefaultPartitionerChooses() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long entityId = random.nextLong();
      int partitions = 1 + random.nextInt(64);
      assertEquals(BuiltInPartitioner.partitionForKey(SignalRecords.key(entityId), partitions),
          SignalRecords.partitionFor(entityId, partitions), "entity " + entityId + " over " + partitions);
    }
  }
}

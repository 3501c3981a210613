package io.tidaldb.it.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test harness itself: a real broker that stores what it is sent and keeps it across kill -9. */
class KafkaBrokerIT {

  @TempDir Path dir;

  @Test
  void brokerStoresProducedRecords_andStillServesThemAfterKillNineAndRestart() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(dir)) {
      broker.createTopic("smoke", 2);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 100; i++) {
          producer.send(new ProducerRecord<>("smoke", "k" + i, "v" + i)).get();
        }
      }
      assertEquals(100, readAll(broker).size());

      long before = broker.pid();
      broker.kill();
      assertFalse(broker.isAlive());
      broker.restart();

      List<String> values = readAll(broker);
      assertEquals(IntStream.range(0, 100).mapToObj(i -> "v" + i).sorted().toList(),
          values.stream().sorted().toList(), "after kill -9 of broker " + before);
    }
  }

  private static List<String> readAll(KafkaBroker broker) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = List.of(new TopicPartition("smoke", 0), new TopicPartition("smoke", 1));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}

package io.tidaldb.it.kafka;

import static org.awaitility.Awaitility.await;

import io.tidaldb.kafka.KafkaSignalIngest;
import io.tidaldb.kafka.PartitionStatus;
import io.tidaldb.kafka.SignalRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Not a test: the measurements of bench/kafka-ingest.sh against a real local broker (child JVM).
 * <ol>
 *   <li>ingest rate: one {@link KafkaSignalIngest} (SYNC durability) reading {@code events} records
 *       of a 6-partition topic into its homes, against the floor: a plain {@code KafkaConsumer}
 *       that only deserializes ({@link SignalRecords#decode}) and counts;</li>
 *   <li>failover: two members ({@link IngestInstance} child JVMs) own one partition each of a
 *       2-partition topic holding {@code perPartition} events in each; one is killed with
 *       {@code kill -9}; the time until the survivor has rebuilt the dead one's partition and
 *       serves it at its end offset (session timeout, 6 s, included).</li>
 * </ol>
 * Arguments: {@code workDir events perPartition}.
 */
public final class KafkaIngestBench {

  private KafkaIngestBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int events = Integer.parseInt(args[1]);
    int perPartition = Integer.parseInt(args[2]);
    Files.createDirectories(dir);
    try (KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"))) {
      broker.createTopic("rate", 6);
      new Workload(events, 100_000, 1).produce(broker.bootstrapServers(), "rate", 0, events);
      for (int round = 1; round <= 2; round++) {
        double floor = floor(broker, "rate", events);
        double ingest = ingest(broker, "rate", events, dir.resolve("rate-" + round));
        System.out.printf("round %d: floor (KafkaConsumer, deserialize and count) %,.0f records/s;"
            + " KafkaSignalIngest %,.0f records/s (%.0f %% of the floor)%n", round, floor, ingest, 100 * ingest / floor);
      }
      broker.createTopic("failover", 2);
      Workload failoverEvents = new Workload(2 * perPartition, 100_000, 2);
      // Keys picked per partition, so that each holds exactly perPartition events.
      failoverEvents.produceBalanced(broker.bootstrapServers(), "failover", 2, perPartition);
      failover(broker, dir, perPartition);
    }
  }

  private static double floor(KafkaBroker broker, String topic, int events) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = IntStream.range(0, 6).mapToObj(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long count = 0;
      double weights = 0;
      long started = System.nanoTime();
      while (count < events) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          weights += SignalRecords.decode(record).weight();
          count++;
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      if (weights <= 0) {
        throw new AssertionError("nothing decoded");
      }
      return count / seconds;
    }
  }

  private static double ingest(KafkaBroker broker, String topic, int events, Path root) {
    try (KafkaSignalIngest ingest = KafkaSignalIngest.builder().bootstrapServers(broker.bootstrapServers())
        .topic(topic).groupId("bench-" + root.getFileName()).dataRoot(root).schema(IngestInstance.schema())
        .homeSettings(home -> home.maxEntries(2_000_000)).build()) {
      ingest.start();
      // Timed from the moment every partition is assigned (the floor joins no group), over the
      // records applied from then on.
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(1))
          .until(() -> ingest.localPartitions().size() == 6);
      long started = System.nanoTime();
      long before = applied(ingest);
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(10)).until(() -> applied(ingest) == events);
      return (events - before) / ((System.nanoTime() - started) / 1e9);
    }
  }

  private static long applied(KafkaSignalIngest ingest) {
    return ingest.statuses().values().stream().mapToLong(PartitionStatus::position).sum();
  }

  private static void failover(KafkaBroker broker, Path dir, int perPartition) throws Exception {
    try (FleetMember a = new FleetMember("fa", dir, broker.bootstrapServers(), "failover", "failover").start();
         FleetMember b = new FleetMember("fb", dir, broker.bootstrapServers(), "failover", "failover").start()) {
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() ->
          a.positions().size() == 1 && b.positions().size() == 1
              && a.positions().values().iterator().next() == perPartition
              && b.positions().values().iterator().next() == perPartition);
      int lost = a.positions().keySet().iterator().next();
      long killed = System.nanoTime();
      a.kill();
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() ->
          b.positions().getOrDefault(lost, -1L) >= 0);
      double assigned = (System.nanoTime() - killed) / 1e9;
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() ->
          b.positions().getOrDefault(lost, -1L) == perPartition);
      double serving = (System.nanoTime() - killed) / 1e9;
      System.out.printf("failover: kill -9 to the partition assigned to the survivor %.1f s; to it rebuilt"
          + " (%,d events) and serving at its end offset %.1f s (rebuild %.1f s, %,.0f events/s)%n",
          assigned, perPartition, serving, serving - assigned, perPartition / (serving - assigned));
    }
  }
}

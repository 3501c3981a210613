package io.tidaldb.it.kafka;

import io.tidaldb.ScoredEntity;
import io.tidaldb.kafka.ScoredEntities;
import io.tidaldb.kafka.SignalRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The events the end-to-end tests produce, known in advance: entities over {@code entities} ids,
 * three signals, weights of 0.5 to 2, times over the day before {@link #start} plus one hour, one in
 * ten of them late (up to an hour before the events produced just before them); and the brute-force
 * answers over them.
 */
final class Workload {

  final int events;
  final int entities;
  final Instant start = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
  /** The time the answers are read at: after every event. */
  final Instant at = start.plus(Duration.ofDays(1)).plus(Duration.ofHours(2));
  final long[] entity;
  final int[] signal;
  final double[] weight;
  final Instant[] time;

  Workload(int events, int entities, long seed) {
    this.events = events;
    this.entities = entities;
    entity = new long[events];
    signal = new int[events];
    weight = new double[events];
    time = new Instant[events];
    SplittableRandom random = new SplittableRandom(seed);
    long step = Duration.ofDays(1).toNanos() / events;
    for (int i = 0; i < events; i++) {
      entity[i] = random.nextInt(entities);
      int roll = random.nextInt(10);
      signal[i] = roll < 6 ? 0 : roll < 9 ? 1 : 2;
      weight[i] = 0.5 * (1 + random.nextInt(4));
      Instant inOrder = start.plusSeconds(3600).plusNanos(step * i + random.nextInt(1_000_000));
      time[i] = random.nextInt(10) == 0 ? inOrder.minusMillis(random.nextLong(3_600_000)) : inOrder;
    }
  }

  /** Produces events {@code from} (inclusive) to {@code to}, acknowledged by the broker on return. */
  void produce(String bootstrapServers, String topic, int from, int to) throws Exception {
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = from; i < to; i++) {
        producer.send(new ProducerRecord<>(topic, SignalRecords.key(entity[i]),
            SignalRecords.encode(IngestInstance.SIGNALS[signal[i]], weight[i], time[i])), (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new AssertionError("producing events " + from + " to " + to + " failed", failure.get());
    }
  }

  /**
   * Produces the events with their entities remapped so that each of the {@code partitions}
   * partitions gets exactly {@code perPartition} of them (for benchmarks that time one partition).
   */
  void produceBalanced(String bootstrapServers, String topic, int partitions, int perPartition) throws Exception {
    long[][] keysOf = new long[partitions][];
    for (int p = 0; p < partitions; p++) {
      final int partition = p;
      keysOf[p] = java.util.stream.LongStream.range(0, Long.MAX_VALUE)
          .filter(id -> SignalRecords.partitionFor(id, partitions) == partition).limit(entities).toArray();
    }
    for (int i = 0; i < events; i++) {
      int partition = i / perPartition;
      entity[i] = keysOf[partition][(int) (entity[i] % entities)];
    }
    produce(bootstrapServers, topic, 0, events);
  }

  /** The brute-force count of each (entity, signal), at {@code entity * 3 + signal}. */
  long[] counts() {
    long[] counts = new long[entities * 3];
    for (int i = 0; i < events; i++) {
      counts[(int) entity[i] * 3 + signal[i]]++;
    }
    return counts;
  }

  /** The brute-force decayed score of each (entity, signal) at {@link #at}: {@code sum w exp(-ln2 d / halfLife)}. */
  double[] scores() {
    double[] scores = new double[entities * 3];
    for (int i = 0; i < events; i++) {
      double halfLife = IngestInstance.HALF_LIVES[signal[i]].toNanos();
      double age = Duration.between(time[i], at).toNanos();
      scores[(int) entity[i] * 3 + signal[i]] += weight[i] * Math.exp(-Math.log(2) * age / halfLife);
    }
    return scores;
  }

  /** The brute-force best {@code k} under {@link IngestInstance#PROFILE}. */
  List<ScoredEntity> top(int k) {
    double[] scores = scores();
    List<ScoredEntity> all = new ArrayList<>();
    for (int e = 0; e < entities; e++) {
      double score = 0;
      boolean seen = false;
      for (int s = 0; s < 3; s++) {
        score += IngestInstance.PROFILE_WEIGHTS[s] * scores[e * 3 + s];
        seen |= scores[e * 3 + s] != 0;
      }
      if (seen) {
        all.add(new ScoredEntity(e, score));
      }
    }
    return ScoredEntities.merge(k, List.of(all));
  }

}

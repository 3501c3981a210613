package io.tidaldb.it.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.ScoredEntity;
import io.tidaldb.kafka.ScoredEntities;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of services, each a child JVM embedding tidalDB through {@code KafkaSignalIngest}, fed by a
 * real Kafka broker (KRaft, child JVM): after a member is killed with {@code kill -9} and restarted,
 * or after the broker itself is killed and restarted mid-stream, every produced event is counted
 * exactly once in exactly one partition's home, decayed scores equal the brute-force sums, and the
 * merged {@code top} of the members equals the brute-force top.
 */
class KafkaFleetIT {

  static final String TOPIC = "engagement";
  static final int PARTITIONS = 6;
  static final int EVENTS = 200_000;
  static final int ENTITIES = 10_000;
  static final int K = 20;
  static final Duration SETTLE = Duration.ofSeconds(150);

  @TempDir Path dir;

  @Test
  void killNineOfAMember_itsPartitionsMoveAndComeBack_andEveryEventIsCountedExactlyOnce() throws Exception {
    Workload workload = new Workload(EVENTS, ENTITIES, 16);
    try (KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"))) {
      broker.createTopic(TOPIC, PARTITIONS);
      try (FleetMember a = member("a", broker).start(); FleetMember b = member("b", broker).start();
           FleetMember c = member("c", broker).start()) {
        List<FleetMember> fleet = List.of(a, b, c);
        await("all partitions assigned, evenly").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
            .until(() -> settled(fleet));

        workload.produce(broker.bootstrapServers(), TOPIC, 0, 70_000);
        await("c applies records").atMost(SETTLE).pollInterval(Duration.ofMillis(20))
            .until(() -> c.positions().values().stream().mapToLong(Long::longValue).sum() > 0);
        long appliedByC = c.positions().values().stream().mapToLong(Long::longValue).sum();
        c.kill();
        System.out.printf("KafkaFleetIT: member c killed with %d of 70000 produced events applied by it%n", appliedByC);
        await("a and b take c's partitions").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
            .until(() -> owners(List.of(a, b)).size() == PARTITIONS);

        workload.produce(broker.bootstrapServers(), TOPIC, 70_000, 140_000);
        c.start();
        await("partitions move back to c").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
            .until(() -> !c.positions().isEmpty());
        workload.produce(broker.bootstrapServers(), TOPIC, 140_000, EVENTS);

        assertExactlyOnce(workload, broker, fleet);
      }
    }
  }

  @Test
  void brokerKilledAndRestartedMidStream_ingestionResumes_andEveryEventIsCountedExactlyOnce() throws Exception {
    Workload workload = new Workload(EVENTS, ENTITIES, 17);
    try (KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"))) {
      broker.createTopic(TOPIC, PARTITIONS);
      try (FleetMember a = member("a", broker).start(); FleetMember b = member("b", broker).start()) {
        List<FleetMember> fleet = List.of(a, b);
        await("all partitions assigned, evenly").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
            .until(() -> settled(fleet));

        // The broker dies while the first 100,000 events are still being produced and applied: the
        // producer retries into the restarted broker (idempotent, so nothing twice), the members resume.
        CompletableFuture<Void> firstHalf = CompletableFuture.runAsync(() -> {
          try {
            workload.produce(broker.bootstrapServers(), TOPIC, 0, 100_000);
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        });
        await("the fleet applies records").atMost(SETTLE).pollInterval(Duration.ofMillis(20))
            .until(() -> applied(fleet) > 0);
        long appliedAtKill = applied(fleet);
        broker.kill();
        System.out.printf("KafkaFleetIT: broker killed with %d of 100000 produced events applied%n", appliedAtKill);
        Map<Integer, String> during = owners(fleet);
        assertEquals(PARTITIONS, during.size(), "the members keep their partitions and answer while the broker is down");
        broker.restart();
        firstHalf.join();
        workload.produce(broker.bootstrapServers(), TOPIC, 100_000, EVENTS);

        assertExactlyOnce(workload, broker, fleet);
        assertTrue(appliedAtKill < 100_000, "the broker was killed mid-stream (" + appliedAtKill + " applied)");
      }
    }
  }

  private FleetMember member(String name, KafkaBroker broker) {
    return new FleetMember(name, dir, broker.bootstrapServers(), TOPIC, "fleet");
  }

  /** Which member each partition is open on; fails if one is open on two. */
  private static Map<Integer, String> owners(List<FleetMember> fleet) {
    Map<Integer, String> owners = new HashMap<>();
    for (FleetMember member : fleet) {
      for (int partition : member.positions().keySet()) {
        String other = owners.put(partition, member.name);
        if (other != null) {
          throw new IllegalStateException("partition " + partition + " is open on " + other + " and " + member.name);
        }
      }
    }
    return owners;
  }

  /**
   * Whether every partition is open on one member and each member holds its even share: the group's
   * rebalances after the members joined one by one are over (a member that joined first holds every
   * partition until the others arrive, and a cooperative rebalance then moves some in two steps).
   */
  private static boolean settled(List<FleetMember> fleet) {
    return owners(fleet).size() == PARTITIONS
        && fleet.stream().allMatch(member -> member.positions().size() == PARTITIONS / fleet.size());
  }

  private static long applied(List<FleetMember> fleet) {
    return fleet.stream().flatMap(m -> m.positions().values().stream()).mapToLong(Long::longValue).sum();
  }

  private static Map<Integer, Long> endOffsets(KafkaBroker broker) throws Exception {
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, PARTITIONS).boxed()
          .collect(Collectors.toMap(p -> new TopicPartition(TOPIC, p), p -> OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
          .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    }
  }

  /**
   * Waits until the lag is 0 (every partition open on exactly one member, at the partition's end
   * offset), then checks every entity's count, score, and the merged top against brute force.
   */
  private static void assertExactlyOnce(Workload workload, KafkaBroker broker, List<FleetMember> fleet) throws Exception {
    Map<Integer, Long> end = endOffsets(broker);
    assertEquals(EVENTS, end.values().stream().mapToLong(Long::longValue).sum(), "the broker holds every event");
    long started = System.nanoTime();
    List<String> counts = new ArrayList<>();
    List<List<ScoredEntity>> tops = new ArrayList<>();
    // A rebalance (the restarted broker's, or partitions moving back) may close a partition's home
    // while its answer is gathered: look again once the group has settled.
    await("lag 0 on a stable assignment").atMost(SETTLE).pollInterval(Duration.ofMillis(250))
        .ignoreException(FleetMember.PartitionMoved.class).until(() -> {
      Map<FleetMember, Map<Integer, Long>> before = settled(fleet, end);
      if (before == null) {
        return false;
      }
      counts.clear();
      tops.clear();
      for (FleetMember member : fleet) {
        counts.addAll(member.counts(ENTITIES, workload.at));
        tops.add(member.top(K, workload.at).stream().map(line -> line.split(" "))
            .map(f -> new ScoredEntity(Long.parseLong(f[0]), Double.parseDouble(f[1]))).toList());
      }
      return before.equals(settled(fleet, end));
    });
    System.out.printf("KafkaFleetIT: lag 0 %.1f s after the last event was produced%n", (System.nanoTime() - started) / 1e9);

    long[] expectedCounts = workload.counts();
    double[] expectedScores = workload.scores();
    long[] seenCounts = new long[expectedCounts.length];
    double worst = 0;
    for (String line : counts) {
      String[] f = line.split(" ");
      int index = Integer.parseInt(f[0]) * 3 + List.of(IngestInstance.SIGNALS).indexOf(f[1]);
      seenCounts[index] += Long.parseLong(f[2]);
      double score = Double.parseDouble(f[3]);
      double relative = Math.abs(score - expectedScores[index]) / expectedScores[index];
      worst = Math.max(worst, relative);
      assertTrue(relative <= 1e-9, "the score of " + line + " against the brute-force " + expectedScores[index]);
    }
    assertArrayEquals(expectedCounts, seenCounts, "per-entity windowCount(ALL_TIME) summed over the fleet");
    assertEquals(EVENTS, IntStream.range(0, seenCounts.length).mapToLong(i -> seenCounts[i]).sum());

    List<ScoredEntity> merged = ScoredEntities.merge(K, tops);
    List<ScoredEntity> expected = workload.top(K);
    assertEquals(expected.stream().map(ScoredEntity::entityId).toList(),
        merged.stream().map(ScoredEntity::entityId).toList(), "the merged top of the fleet");
    for (int i = 0; i < K; i++) {
      assertEquals(expected.get(i).score(), merged.get(i).score(), expected.get(i).score() * 1e-9);
    }
    System.out.printf("KafkaFleetIT: %d events exact, worst relative score error %.2e%n", EVENTS, worst);
  }

  /** The positions of every member if the lag is 0 on an assignment of every partition to one member, else null. */
  private static Map<FleetMember, Map<Integer, Long>> settled(List<FleetMember> fleet, Map<Integer, Long> end) {
    Map<FleetMember, Map<Integer, Long>> positions = new HashMap<>();
    Map<Integer, Long> all = new HashMap<>();
    for (FleetMember member : fleet) {
      Map<Integer, Long> mine = member.positions();
      positions.put(member, mine);
      for (Map.Entry<Integer, Long> entry : mine.entrySet()) {
        if (all.put(entry.getKey(), entry.getValue()) != null) {
          return null;
        }
      }
    }
    return all.equals(end) ? positions : null;
  }
}

package io.tidaldb.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.ConfigException;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbException;
import io.tidaldb.Window;
import io.tidaldb.metrics.MeterNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest's seek, revocation, rebuild and bad-record logic, driven by a {@code MockConsumer}. */
class KafkaSignalIngestTest {

  static final String TOPIC = "events";
  static final Instant AT = Instant.now().minus(Duration.ofHours(2));
  static final Duration WAIT = Duration.ofSeconds(20);

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1))).windows(Window.ALL_TIME).add()
      .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
      .build();

  @TempDir Path root;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<KafkaSignalIngest> ingests = new ArrayList<>();

  @AfterEach
  void closeIngests() {
    ingests.forEach(KafkaSignalIngest::close);
  }

  KafkaSignalIngest start(PollingMockConsumer consumer, KafkaSignalIngest.Builder builder) {
    KafkaSignalIngest ingest = builder.bootstrapServers("127.0.0.1:9").topic(TOPIC).groupId("g").dataRoot(root)
        .schema(SCHEMA).meterRegistry(registry).consumerFactory(config -> consumer).build();
    ingests.add(ingest);
    ingest.start();
    return ingest;
  }

  KafkaSignalIngest start(PollingMockConsumer consumer) {
    return start(consumer, KafkaSignalIngest.builder());
  }

  /** Starts an ingest whose consumer is assigned {@code partitions} at its first poll, once it has them open. */
  KafkaSignalIngest startOwning(PollingMockConsumer consumer, KafkaSignalIngest.Builder builder, Integer... partitions) {
    consumer.assignAtNextPoll(partitions);
    KafkaSignalIngest ingest = start(consumer, builder);
    Set<Integer> expected = Set.of(partitions);
    await().atMost(WAIT).until(() -> ingest.localPartitions().equals(expected));
    return ingest;
  }

  KafkaSignalIngest startOwning(PollingMockConsumer consumer, Integer... partitions) {
    return startOwning(consumer, KafkaSignalIngest.builder(), partitions);
  }

  static List<byte[][]> views(long entityId, int count) {
    List<byte[][]> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(new byte[][] {SignalRecords.key(entityId), SignalRecords.encode("view", 1.0, AT.plusSeconds(i))});
    }
    return records;
  }

  static long views(KafkaSignalIngest ingest, int partition, long entityId) {
    return ingest.database(partition).orElseThrow().windowCount("view", entityId, Window.ALL_TIME);
  }

  void awaitPosition(KafkaSignalIngest ingest, int partition, long position) {
    await("partition " + partition + " at " + position).atMost(WAIT)
        .until(() -> ingest.status(partition).map(PartitionStatus::position).orElse(-1L) == position);
  }

  @Test
  void assignedPartitions_getAHomeEach_andEveryRecordIsCountedOnce() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 3);
    KafkaSignalIngest ingest = startOwning(consumer, 0, 2);
    consumer.append(0, 0, views(7L, 30));
    consumer.append(2, 0, views(8L, 5));
    awaitPosition(ingest, 0, 30);
    awaitPosition(ingest, 2, 5);
    assertEquals(30, views(ingest, 0, 7L));
    assertEquals(5, views(ingest, 2, 8L));
    assertTrue(Files.isDirectory(root.resolve("events-0")) && Files.isDirectory(root.resolve("events-2")));
    assertFalse(Files.exists(root.resolve("events-1")));
    assertEquals(29.0, registry.get(KafkaMeterNames.APPLIED_OFFSET).tag(MeterNames.PARTITION_ID, "0").gauge().value());
    await().atMost(WAIT).until(() -> registry.get(KafkaMeterNames.LAG).tag(MeterNames.PARTITION_ID, "0").gauge().value() == 0.0);
    assertEquals(PartitionStatus.Origin.REBUILT, ingest.status(0).orElseThrow().origin());
    for (String partition : List.of("0", "2")) {
      assertTrue(registry.find(MeterNames.WAL_SEQUENCE).tag(MeterNames.PARTITION_ID, partition).gauge() != null,
          "the home's own meters are on the host's registry, tagged partition_id=" + partition);
    }
  }

  @Test
  void homeInUseByAnotherProcess_stopsTheIngest_andHealthSaysWhy() {
    try (TidalDb squatter = TidalDb.builder().dataDir(root.resolve("events-0")).schema(SCHEMA).open()) {
      PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 1);
      consumer.assignAtNextPoll(0);
      KafkaSignalIngest ingest = start(consumer);
      TidalDbException e = await().atMost(WAIT).until(() -> {
        try {
          ingest.healthCheck();
          return null;
        } catch (TidalDbException failed) {
          return failed;
        }
      }, failure -> failure != null && failure.getMessage().contains("stopped"));
      assertTrue(e.getMessage().contains("in use") && e.getMessage().contains("events-0"), e.getMessage());
    }
  }

  @Test
  void revokedPartition_isClosedAndLeavesLocalPartitions_andIsResumedNotRebuiltWhenItComesBack() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 2);
    KafkaSignalIngest ingest = startOwning(consumer, 0, 1);
    consumer.append(1, 0, views(9L, 12));
    awaitPosition(ingest, 1, 12);
    TidalDb revoked = ingest.database(1).orElseThrow();

    consumer.assignAtNextPoll(0);
    await().atMost(WAIT).until(() -> ingest.localPartitions().equals(Set.of(0)));
    assertTrue(revoked.isClosed(), "the revoked partition's home is closed");
    assertTrue(ingest.database(1).isEmpty());

    consumer.assignAtNextPoll(0, 1);
    await().atMost(WAIT).until(() -> ingest.localPartitions().equals(Set.of(0, 1)));
    PartitionStatus back = ingest.status(1).orElseThrow();
    assertEquals(PartitionStatus.Origin.RESUMED, back.origin());
    assertEquals(12, back.position());
    consumer.append(1, 12, views(9L, 3));
    awaitPosition(ingest, 1, 15);
    assertEquals(15, views(ingest, 1, 9L), "the 12 records before the revocation are counted once");
    assertEquals(1.0, registry.get(KafkaMeterNames.REBUILDS).tag(MeterNames.PARTITION_ID, "1").counter().count());
  }

  @Test
  void assignment_seeksToThePositionTheHomeHolds_notToKafkasCommittedOffset() {
    PollingMockConsumer first = new PollingMockConsumer(TOPIC, 1);
    KafkaSignalIngest ingest = startOwning(first, 0);
    first.append(0, 0, views(3L, 10));
    awaitPosition(ingest, 0, 10);
    ingest.close();

    // A restarted instance: the group's committed offset says 4 (stale), the home says 10; the
    // topic still holds all 10 records and 5 more.
    PollingMockConsumer second = new PollingMockConsumer(TOPIC, 1);
    second.commitSync(Map.of(second.partition(0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(4)));
    second.updateEndOffsets(Map.of(second.partition(0), 15L));
    KafkaSignalIngest restarted = startOwning(second, 0);
    List<byte[][]> all = views(3L, 15);
    second.append(0, 0, all);
    awaitPosition(restarted, 0, 15);
    assertEquals(15, views(restarted, 0, 3L));
    assertEquals(PartitionStatus.Origin.RESUMED, restarted.status(0).orElseThrow().origin());
  }

  @Test
  void partitionWhoseEarliestRetainedOffsetIsAboveZero_isRebuiltAndReportedPossiblyIncomplete() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 1);
    consumer.updateBeginningOffsets(Map.of(consumer.partition(0), 100L));
    consumer.updateEndOffsets(Map.of(consumer.partition(0), 100L));
    KafkaSignalIngest ingest = startOwning(consumer, 0);
    consumer.append(0, 100, views(5L, 4));
    awaitPosition(ingest, 0, 104);
    PartitionStatus status = ingest.status(0).orElseThrow();
    assertTrue(status.possiblyIncomplete());
    assertEquals(PartitionStatus.Origin.REBUILT, status.origin());
    assertEquals(4, views(ingest, 0, 5L));
    assertEquals(1.0, registry.get(KafkaMeterNames.REBUILDS_INCOMPLETE).tag(MeterNames.PARTITION_ID, "0").counter().count());
  }

  @Test
  void homeWhosePositionFellOutOfRetention_isDiscardedAndRebuiltFromTheEarliestOffset() {
    PollingMockConsumer first = new PollingMockConsumer(TOPIC, 1);
    KafkaSignalIngest ingest = startOwning(first, 0);
    first.append(0, 0, views(3L, 10));
    awaitPosition(ingest, 0, 10);
    ingest.close();

    // While the instance was away, retention deleted offsets 0 to 49: the home (at 10) has a gap.
    PollingMockConsumer second = new PollingMockConsumer(TOPIC, 1);
    second.updateBeginningOffsets(Map.of(second.partition(0), 50L));
    second.updateEndOffsets(Map.of(second.partition(0), 60L));
    KafkaSignalIngest restarted = startOwning(second, 0);
    second.append(0, 50, views(3L, 10));
    awaitPosition(restarted, 0, 60);
    PartitionStatus status = restarted.status(0).orElseThrow();
    assertEquals(PartitionStatus.Origin.REBUILT, status.origin());
    assertTrue(status.possiblyIncomplete());
    assertEquals(10, views(restarted, 0, 3L), "only the retained records: the old home's 10 are discarded");
  }

  @Test
  void badRecord_isSkippedAndCounted_andTheRecordsAroundItAreApplied() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 1);
    KafkaSignalIngest ingest = startOwning(consumer, 0);
    List<byte[][]> records = new ArrayList<>(views(1L, 2));
    records.add(new byte[][] {new byte[3], new byte[] {9}});
    records.add(new byte[][] {SignalRecords.key(1L), SignalRecords.encode("unknown_signal", 1.0, AT)});
    records.addAll(views(1L, 2));
    consumer.append(0, 0, records);
    awaitPosition(ingest, 0, 6);
    assertEquals(4, views(ingest, 0, 1L));
    assertEquals(2.0, registry.get(KafkaMeterNames.RECORDS_REJECTED).tag(MeterNames.PARTITION_ID, "0").counter().count());
    ingest.healthCheck();
  }

  @Test
  void badRecord_underStopPartition_stopsThePartitionBeforeIt_andFailsHealthNamingTheRecord() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 1);
    KafkaSignalIngest ingest = startOwning(consumer, KafkaSignalIngest.builder().badRecordHandler(BadRecordHandler.STOP_PARTITION), 0);
    List<byte[][]> records = new ArrayList<>(views(1L, 3));
    records.add(new byte[][] {new byte[3], new byte[] {9}});
    records.addAll(views(1L, 2));
    consumer.append(0, 0, records);
    await().atMost(WAIT).until(() -> ingest.status(0).orElseThrow().failure().isPresent());
    assertEquals(3, ingest.status(0).orElseThrow().position());
    assertEquals(3, views(ingest, 0, 1L));
    TidalDbException e = assertThrows(TidalDbException.class, ingest::healthCheck);
    assertTrue(e.getMessage().contains("events-0@3"), e.getMessage());
    await().atMost(WAIT).until(() -> consumer.paused().contains(consumer.partition(0)));
  }

  @Test
  void slowDisk_pausesConsumption_andResumesWithoutDroppingARecord() throws Exception {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 1);
    consumer.assignAtNextPoll(0);
    CountDownLatch disk = new CountDownLatch(1);
    SignalRecordDecoder slow = record -> {
      try {
        disk.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return SignalRecords.decode(record);
    };
    KafkaSignalIngest ingest = start(consumer, KafkaSignalIngest.builder().decoder(slow).maxPendingRecords(5));
    await().atMost(WAIT).until(() -> ingest.localPartitions().equals(Set.of(0)));
    consumer.append(0, 0, views(2L, 20));
    await("paused while the disk is slow").atMost(WAIT).until(() -> consumer.paused().contains(consumer.partition(0)));
    assertEquals(1.0, registry.get(KafkaMeterNames.BACKPRESSURE_PAUSES).counter().count());

    disk.countDown();
    awaitPosition(ingest, 0, 20);
    await("resumed").atMost(WAIT).until(() -> consumer.paused().isEmpty());
    assertEquals(20, views(ingest, 0, 2L));
  }

  @Test
  void partitionFor_followsTheDefaultPartitionerOverTheTopicsPartitionCount() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 6);
    KafkaSignalIngest ingest = start(consumer);
    for (long id = 0; id < 1000; id++) {
      assertEquals(SignalRecords.partitionFor(id, 6), ingest.partitionFor(id));
    }
  }

  @Test
  void close_checkpointsTheHomes_endsTheThreads_andReleasesTheHomes() {
    PollingMockConsumer consumer = new PollingMockConsumer(TOPIC, 1);
    KafkaSignalIngest ingest = startOwning(consumer, 0);
    consumer.append(0, 0, views(4L, 7));
    awaitPosition(ingest, 0, 7);
    TidalDb db = ingest.database(0).orElseThrow();
    ingest.close();
    ingest.close();
    assertTrue(db.isClosed());
    assertTrue(ingest.localPartitions().isEmpty());
    assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("tidaldb-kafka")),
        "no tidaldb-kafka thread is left");
    assertTrue(registry.find(KafkaMeterNames.LAG).meters().isEmpty());
    try (TidalDb reopened = TidalDb.builder().dataDir(root.resolve("events-0")).schema(SCHEMA).open()) {
      assertEquals(7, reopened.windowCount("view", 4L, Window.ALL_TIME));
      assertEquals(7, reopened.sourcePosition().orElseThrow());
    }
  }

  @Test
  void missingTopic_failsStartNamingTheTopic() {
    PollingMockConsumer consumer = new PollingMockConsumer("other", 1);
    ConfigException e = assertThrows(ConfigException.class, () -> start(consumer));
    assertTrue(e.getMessage().contains("\"" + TOPIC + "\""), e.getMessage());
  }

  @Test
  void consumerSettingsTheIngestOwns_cannotBeOverridden() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> KafkaSignalIngest.builder().consumerProperty("enable.auto.commit", true));
    assertTrue(e.getMessage().contains("enable.auto.commit"), e.getMessage());
  }
}

package io.tidaldb.kafka;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The consumer thread's work: polls, hands each partition's records to the {@link HomeWriter},
 * opens a home on assignment and seeks to its position, checkpoints and closes it on revocation,
 * pauses consumption while the writer is behind, and keeps the lag and the committed offsets (a hint
 * for tools such as {@code kafka-consumer-groups}; never read back) up to date. Everything that
 * touches the consumer runs on this thread.
 */
final class IngestLoop implements Runnable, ConsumerRebalanceListener {

  private static final System.Logger LOG = System.getLogger(IngestLoop.class.getName());
  private static final Duration COMMIT_EVERY = Duration.ofSeconds(5);

  private final IngestSettings settings;
  private final Consumer<byte[], byte[]> consumer;
  private final HomeWriter writer;
  private final long maxPendingRecords;
  private final Duration pollTimeout;
  private final Counter pauses;
  private final ConcurrentMap<Integer, PartitionHome> homes = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private volatile int partitionCount;
  private volatile RuntimeException fatal;
  private boolean backpressured;
  private long lastCommitNanos = System.nanoTime();

  IngestLoop(IngestSettings settings, Consumer<byte[], byte[]> consumer, HomeWriter writer,
      long maxPendingRecords, Duration pollTimeout, int partitionCount) {
    this.settings = settings;
    this.consumer = consumer;
    this.writer = writer;
    this.maxPendingRecords = maxPendingRecords;
    this.pollTimeout = pollTimeout;
    this.partitionCount = partitionCount;
    this.pauses = Counter.builder(KafkaMeterNames.BACKPRESSURE_PAUSES).tag(KafkaMeterNames.TOPIC, settings.topic())
        .description("Times consumption paused because writes fell behind").register(settings.registry());
  }

  ConcurrentMap<Integer, PartitionHome> homes() {
    return homes;
  }

  int partitionCount() {
    return partitionCount;
  }

  /** Why the loop ended by itself, if it did. */
  RuntimeException fatal() {
    return fatal;
  }

  /** Asks the loop to end; it closes the homes and the consumer on its way out. */
  void stop() {
    stopping = true;
    consumer.wakeup();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(settings.topic()), this);
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
        for (TopicPartition topicPartition : records.partitions()) {
          PartitionHome home = homes.get(topicPartition.partition());
          if (home != null) {
            writer.submit(home, records.records(topicPartition));
          }
        }
        pauseOrResume();
        refreshLag();
        if (System.nanoTime() - lastCommitNanos > COMMIT_EVERY.toNanos()) {
          commitHints();
        }
      }
    } catch (WakeupException e) {
      if (!stopping) {
        fatal = e;
      }
    } catch (RuntimeException e) {
      fatal = e;
      LOG.log(System.Logger.Level.ERROR, "tidaldb-kafka: the consumer of " + settings.topic()
          + " stopped; the instance no longer ingests (restart it)", e);
    } finally {
      shutDown();
    }
  }

  private void shutDown() {
    writer.awaitIdle();
    try {
      consumer.commitSync(positions(homes.values()));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "tidaldb-kafka: final commit of the offsets (a hint) failed", e);
    }
    try {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "tidaldb-kafka: closing the consumer failed", e);
    }
    writer.close();
    closeHomes(new ArrayList<>(homes.keySet()));
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    List<org.apache.kafka.common.PartitionInfo> infos = consumer.partitionsFor(settings.topic());
    if (infos != null && !infos.isEmpty()) {
      partitionCount = infos.size();
    }
    Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    for (TopicPartition topicPartition : partitions) {
      PartitionHome home = PartitionHome.open(settings, topicPartition, earliest.get(topicPartition),
          end.get(topicPartition));
      homes.put(topicPartition.partition(), home);
      consumer.seek(topicPartition, home.position());
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    writer.awaitIdle();
    List<PartitionHome> leaving = leaving(partitions);
    try {
      consumer.commitSync(positions(leaving));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "tidaldb-kafka: committing the offsets (a hint) of revoked partitions failed", e);
    }
    closeHomes(leaving.stream().map(PartitionHome::partition).toList());
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    writer.awaitIdle();
    closeHomes(leaving(partitions).stream().map(PartitionHome::partition).toList());
  }

  private List<PartitionHome> leaving(Collection<TopicPartition> partitions) {
    List<PartitionHome> leaving = new ArrayList<>();
    for (TopicPartition topicPartition : partitions) {
      PartitionHome home = homes.get(topicPartition.partition());
      if (home != null) {
        leaving.add(home);
      }
    }
    return leaving;
  }

  private void closeHomes(List<Integer> partitions) {
    // Closed before it leaves the map: a partition no longer local is a closed one.
    for (int partition : partitions) {
      PartitionHome home = homes.get(partition);
      if (home != null) {
        try {
          home.close();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "tidaldb-kafka: closing the home of partition " + partition + " failed", e);
        } finally {
          homes.remove(partition);
        }
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> positions(Collection<PartitionHome> homes) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionHome home : homes) {
      offsets.put(home.topicPartition(), new OffsetAndMetadata(home.position()));
    }
    return offsets;
  }

  private void commitHints() {
    lastCommitNanos = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> offsets = positions(homes.values());
    if (!offsets.isEmpty()) {
      consumer.commitAsync(offsets, (committed, e) -> {
        if (e != null) {
          LOG.log(System.Logger.Level.DEBUG, "tidaldb-kafka: committing the offsets (a hint) failed", e);
        }
      });
    }
  }

  private void pauseOrResume() {
    List<TopicPartition> stopped = new ArrayList<>();
    List<TopicPartition> running = new ArrayList<>();
    for (PartitionHome home : homes.values()) {
      (home.failed() ? stopped : running).add(home.topicPartition());
    }
    if (!stopped.isEmpty()) {
      consumer.pause(stopped);
    }
    long pending = writer.pendingRecords();
    if (!backpressured && pending > maxPendingRecords) {
      backpressured = true;
      pauses.increment();
      LOG.log(System.Logger.Level.DEBUG, () -> "tidaldb-kafka: " + pending + " records wait for the disk; pausing "
          + settings.topic());
    } else if (backpressured && pending <= maxPendingRecords / 2) {
      backpressured = false;
    }
    if (backpressured) {
      consumer.pause(running);
    } else if (!running.isEmpty()) {
      consumer.resume(running);
    }
  }

  private void refreshLag() {
    for (PartitionHome home : homes.values()) {
      OptionalLong lag = consumer.currentLag(home.topicPartition());
      if (lag.isPresent()) {
        long fetched = consumer.position(home.topicPartition());
        home.lag(lag.getAsLong() + Math.max(0, fetched - home.position()));
      }
    }
  }
}

package io.tidaldb.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link MockConsumer} of one topic whose {@code poll} waits (up to its timeout) when it has
 * nothing to return, as the real one does, instead of returning at once and spinning the ingest's
 * thread; and helpers that run on the consumer's thread, inside {@code poll}, as the real group's
 * callbacks do.
 */
final class PollingMockConsumer extends MockConsumer<byte[], byte[]> {

  final String topic;

  PollingMockConsumer(String topic, int partitions) {
    super("earliest");
    this.topic = topic;
    List<PartitionInfo> infos = new ArrayList<>();
    Map<TopicPartition, Long> zero = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo(topic, p, null, null, null));
      zero.put(new TopicPartition(topic, p), 0L);
    }
    updatePartitions(topic, infos);
    updateBeginningOffsets(zero);
    updateEndOffsets(zero);
  }

  TopicPartition partition(int p) {
    return new TopicPartition(topic, p);
  }

  /** Assigns exactly {@code partitions} at the next poll (revoking the others), as a rebalance does. */
  synchronized void assignAtNextPoll(Integer... partitions) {
    List<TopicPartition> assignment = new ArrayList<>();
    for (int p : partitions) {
      assignment.add(partition(p));
    }
    schedulePollTask(() -> rebalance(assignment));
    notifyAll();
  }

  /** Appends records to a partition (the next offsets) and moves its end offset past them. */
  synchronized void append(int partition, long firstOffset, List<byte[][]> keysAndValues) {
    long offset = firstOffset;
    for (byte[][] keyAndValue : keysAndValues) {
      addRecord(new ConsumerRecord<>(topic, partition, offset++, keyAndValue[0], keyAndValue[1]));
    }
    updateEndOffsets(Map.of(partition(partition), offset));
    notifyAll();
  }

  @Override
  public synchronized void schedulePollTask(Runnable task) {
    super.schedulePollTask(task);
    notifyAll();
  }

  @Override
  public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
    if (records.isEmpty()) {
      try {
        wait(Math.max(1, Math.min(timeout.toMillis(), 50)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return records;
  }

  @Override
  public synchronized void wakeup() {
    super.wakeup();
    notifyAll();
  }
}

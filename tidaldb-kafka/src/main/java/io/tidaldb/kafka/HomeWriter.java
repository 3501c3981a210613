package io.tidaldb.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The thread that writes polled records into the partitions' homes, so that a slow disk slows the
 * writes and not the consumer's poll loop: the loop keeps polling (and so keeps its place in the
 * group) while it pauses the partitions, and nothing is dropped. {@link #pendingRecords()} is what
 * the loop pauses on.
 */
final class HomeWriter implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(HomeWriter.class.getName());

  private record Task(PartitionHome home, List<ConsumerRecord<byte[], byte[]>> records) {}

  private static final Task STOP = new Task(null, List.of());

  private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final AtomicLong pendingRecords = new AtomicLong();
  private final Object idle = new Object();
  private final Thread thread;
  private long pendingTasks; // guarded by idle

  HomeWriter(String threadName) {
    thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues one poll's records of one partition, to be written as one batch. */
  void submit(PartitionHome home, List<ConsumerRecord<byte[], byte[]>> records) {
    synchronized (idle) {
      pendingTasks++;
    }
    pendingRecords.addAndGet(records.size());
    queue.add(new Task(home, records));
  }

  /** Records queued and not yet written. */
  long pendingRecords() {
    return pendingRecords.get();
  }

  /** Waits until every queued batch is written (or refused); called before a home is closed. */
  void awaitIdle() {
    synchronized (idle) {
      while (pendingTasks > 0 && thread.isAlive()) {
        try {
          idle.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void run() {
    List<Task> tasks = new ArrayList<>();
    while (true) {
      tasks.clear();
      try {
        tasks.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(tasks);
      int stop = tasks.indexOf(STOP);
      List<Task> work = stop < 0 ? tasks : tasks.subList(0, stop);
      // What queued up while the disk was busy goes out as one batch (one fsync) per partition.
      Map<PartitionHome, List<ConsumerRecord<byte[], byte[]>>> byHome = new LinkedHashMap<>();
      for (Task task : work) {
        byHome.computeIfAbsent(task.home(), home -> new ArrayList<>()).addAll(task.records());
      }
      for (Map.Entry<PartitionHome, List<ConsumerRecord<byte[], byte[]>>> entry : byHome.entrySet()) {
        PartitionHome home = entry.getKey();
        try {
          home.apply(entry.getValue());
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "tidaldb-kafka: writing to partition " + home.partition() + " failed", e);
          home.fail("writing failed: " + e);
        } finally {
          pendingRecords.addAndGet(-entry.getValue().size());
        }
      }
      synchronized (idle) {
        pendingTasks -= work.size();
        idle.notifyAll();
      }
      if (stop >= 0) {
        return;
      }
    }
  }

  /** Writes what is queued, then stops the thread and waits for it. */
  @Override
  public void close() {
    queue.add(STOP);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

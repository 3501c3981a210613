package io.tidaldb.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.tidaldb.SignalBatch;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbBuilder;
import io.tidaldb.metrics.MeterNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The tidalDB home of one assigned Kafka partition, and how far it has applied the partition. The
 * position (the offset of the next record) is written with each batch of events, atomically, so
 * that the home, not Kafka's committed offsets, says where to resume after any crash.
 */
final class PartitionHome implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PartitionHome.class.getName());

  private final IngestSettings settings;
  private final TopicPartition topicPartition;
  private final TidalDb db;
  private final PartitionStatus.Origin origin;
  private final boolean possiblyIncomplete;
  private final Counter rejected;
  private final List<Meter> gauges;
  private volatile long position;
  private volatile long lag = -1;
  private volatile String failure;
  private SignalBatch batch; // the writer thread's, reused

  private PartitionHome(IngestSettings settings, TopicPartition topicPartition, TidalDb db,
      PartitionStatus.Origin origin, boolean possiblyIncomplete, long position) {
    this.settings = settings;
    this.topicPartition = topicPartition;
    this.db = db;
    this.origin = origin;
    this.possiblyIncomplete = possiblyIncomplete;
    this.position = position;
    Tags tags = tags(settings, topicPartition.partition());
    this.rejected = Counter.builder(KafkaMeterNames.RECORDS_REJECTED).tags(tags).baseUnit("records")
        .description("Records of the partition that could not be applied").register(settings.registry());
    this.gauges = List.of(
        Gauge.builder(KafkaMeterNames.LAG, this, home -> home.lag < 0 ? Double.NaN : home.lag)
            .tags(tags).baseUnit("records").strongReference(true)
            .description("Records in the partition not yet applied to its home").register(settings.registry()),
        Gauge.builder(KafkaMeterNames.APPLIED_OFFSET, this, home -> home.position - 1)
            .tags(tags).strongReference(true)
            .description("The offset of the last record applied to the partition's home").register(settings.registry()));
  }

  static Tags tags(IngestSettings settings, int partition) {
    return Tags.of(KafkaMeterNames.TOPIC, settings.topic(), MeterNames.PARTITION_ID, Integer.toString(partition));
  }

  /**
   * Opens the partition's home: resumes the one there if its position is still inside the
   * partition's retained offsets, else discards it (or finds none) and starts a new one at the
   * earliest retained offset.
   *
   * @param earliest the partition's earliest retained offset
   * @param end the partition's end offset (the next offset to be written)
   */
  static PartitionHome open(IngestSettings settings, TopicPartition topicPartition, long earliest, long end) {
    int partition = topicPartition.partition();
    Path dir = settings.homeOf(partition);
    if (Files.exists(dir)) {
      TidalDb db = openDb(settings, partition, dir);
      OptionalLong held = db.sourcePosition();
      if (held.isPresent() && held.getAsLong() >= earliest && held.getAsLong() <= end) {
        LOG.log(System.Logger.Level.INFO, () -> "tidaldb-kafka: " + topicPartition + " resumes its home " + dir
            + " at offset " + held.getAsLong() + " (retained: " + earliest + " to " + end + ")");
        return new PartitionHome(settings, topicPartition, db, PartitionStatus.Origin.RESUMED, false, held.getAsLong());
      }
      db.close();
      String why = held.isEmpty() ? "it holds no position"
          : "its position " + held.getAsLong() + " is outside the retained offsets " + earliest + " to " + end;
      LOG.log(System.Logger.Level.WARNING, () -> "tidaldb-kafka: " + topicPartition + " discards the home " + dir
          + ": " + why + "; rebuilding it from offset " + earliest);
      deleteTree(dir);
    }
    boolean incomplete = earliest > 0;
    Tags tags = tags(settings, partition);
    Counter.builder(KafkaMeterNames.REBUILDS).tags(tags)
        .description("Homes rebuilt for the partition from its earliest retained offset")
        .register(settings.registry()).increment();
    Counter incompleteRebuilds = Counter.builder(KafkaMeterNames.REBUILDS_INCOMPLETE).tags(tags)
        .description("Rebuilds from a partition whose earliest retained offset was above 0")
        .register(settings.registry());
    if (incomplete) {
      incompleteRebuilds.increment();
      LOG.log(System.Logger.Level.WARNING, () -> "tidaldb-kafka: " + topicPartition + " is rebuilt from offset "
          + earliest + ", its earliest retained offset: the events of offsets 0 to " + (earliest - 1)
          + " are gone from the topic, so the home is possibly incomplete (raise the topic's retention.ms"
          + " to the longest window or decay horizon the application reads)");
    } else {
      LOG.log(System.Logger.Level.INFO, () -> "tidaldb-kafka: " + topicPartition + " is rebuilt in " + dir
          + " from offset 0");
    }
    return new PartitionHome(settings, topicPartition, openDb(settings, partition, dir),
        PartitionStatus.Origin.REBUILT, incomplete, earliest);
  }

  private static TidalDb openDb(IngestSettings settings, int partition, Path dir) {
    TidalDbBuilder builder = TidalDb.builder();
    settings.homeSettings().accept(builder);
    return builder.dataDir(dir).schema(settings.schema()).partitionId(Integer.toString(partition))
        .meterRegistry(settings.registry()).open();
  }

  int partition() {
    return topicPartition.partition();
  }

  TopicPartition topicPartition() {
    return topicPartition;
  }

  TidalDb db() {
    return db;
  }

  /** The offset of the next record to apply. */
  long position() {
    return position;
  }

  boolean failed() {
    return failure != null;
  }

  void lag(long records) {
    lag = records;
  }

  void fail(String why) {
    if (failure == null) {
      failure = why;
    }
  }

  PartitionStatus status() {
    long knownLag = lag;
    return new PartitionStatus(partition(), origin, possiblyIncomplete, position,
        knownLag < 0 ? OptionalLong.empty() : OptionalLong.of(knownLag), Optional.ofNullable(failure));
  }

  /**
   * Applies one poll's records of this partition as one batch, with the offset after the last as
   * its position. A record that cannot be applied goes to the bad-record handler: skipped (its
   * offset still counts as consumed) or the partition stops before it.
   */
  void apply(List<ConsumerRecord<byte[], byte[]>> records) {
    if (failure != null || records.isEmpty()) {
      return;
    }
    if (batch == null) {
      batch = db.newBatch();
    }
    long next = position;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (record.offset() < next) {
        continue;
      }
      try {
        SignalEvent event = settings.decoder().decode(record);
        if (batch.size() == SignalBatch.MAX_EVENTS) {
          write(next);
        }
        batch.add(event.signal(), event.entityId(), event.weight(), event.at());
      } catch (RuntimeException problem) {
        rejected.increment();
        BadRecordHandler.Action action = settings.badRecords().onBadRecord(record, problem);
        LOG.log(System.Logger.Level.WARNING, () -> "tidaldb-kafka: " + (action == BadRecordHandler.Action.STOP
            ? "stopping partition " + topicPartition + " at" : "skipping") + " a bad record: " + problem.getMessage());
        if (action == BadRecordHandler.Action.STOP) {
          write(record.offset());
          fail("stopped at " + BadRecordException.where(record) + ": " + problem.getMessage());
          return;
        }
      }
      next = record.offset() + 1;
    }
    write(next);
  }

  /** Writes the batch's events, if any, with {@code next} as the position, atomically; then empties it. */
  private void write(long next) {
    if (next == position) {
      return;
    }
    batch.sourcePosition(next);
    db.write(batch);
    batch.clear();
    position = next;
  }

  /** Checkpoints and closes the home and removes its gauges; the counters stay with the ingest. */
  @Override
  public void close() {
    gauges.forEach(settings.registry()::remove);
    if (db.isClosed()) {
      return;
    }
    try {
      db.checkpoint();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "tidaldb-kafka: the checkpoint of " + topicPartition
          + " failed on close; the next owner replays its log", e);
    }
    db.close();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the discarded home " + dir + ": " + e.getMessage()
          + "; delete it by hand and restart the instance", e);
    }
  }
}

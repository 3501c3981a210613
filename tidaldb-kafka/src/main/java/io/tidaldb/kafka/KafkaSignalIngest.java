package io.tidaldb.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.ConfigException;
import io.tidaldb.DatabaseClosedException;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbBuilder;
import io.tidaldb.TidalDbException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Feeds tidalDB from a Kafka topic: each Kafka partition assigned to this instance by the consumer
 * group gets a tidalDB home of its own under the data root ({@code <root>/<topic>-<partition>}),
 * and each record is applied to it exactly once. A fleet of services, each running one ingest with
 * the same group, is one partitioned signal store; when an instance dies the group moves its
 * partitions to the others, which rebuild them from the topic (docs/SCALING.md).
 *
 * <pre>{@code
 * try (KafkaSignalIngest ingest = KafkaSignalIngest.builder()
 *     .bootstrapServers("kafka-1:9092")
 *     .topic("engagement")
 *     .groupId("ranking-service")
 *     .dataRoot(Path.of("/var/lib/tidaldb"))
 *     .schema(schema)
 *     .build()) {
 *   ingest.start();
 *   List<ScoredEntity> local = ingest.top(trending, 10, Instant.now());
 *   Optional<TidalDb> home = ingest.database(ingest.partitionFor(42L));
 * }
 * }</pre>
 *
 * <p><b>Exactly once.</b> The records of one poll of one partition are written to its home as one
 * atomic batch together with the offset after the last of them; on assignment the consumer seeks to
 * the offset the home holds. Kafka's committed offsets are only a hint for monitoring tools.
 *
 * <p><b>Threads.</b> One consumer thread ({@code tidaldb-kafka-<topic>}) and one writer thread
 * ({@code tidaldb-kafka-writer-<topic>}), both daemons, both ended by {@link #close()}. The query
 * methods are thread-safe. A query on a partition that is being revoked may see its database
 * closed ({@link io.tidaldb.DatabaseClosedException}); {@link #top} leaves such a partition out.
 *
 * <p>Must be closed: {@link #close()} checkpoints and closes every home and leaves the group.
 */
public final class KafkaSignalIngest implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(KafkaSignalIngest.class.getName());

  /** The default bound on records polled and not yet written, past which consumption pauses. */
  public static final long DEFAULT_MAX_PENDING_RECORDS = 200_000;

  /** The consumer's {@code max.poll.records} unless set with {@link Builder#consumerProperty}. */
  public static final int DEFAULT_MAX_POLL_RECORDS = 5_000;

  private final IngestSettings settings;
  private final Map<String, Object> consumerConfig;
  private final Function<Map<String, Object>, org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> consumers;
  private final long maxPendingRecords;
  private final Duration pollTimeout;
  private final Object lifecycle = new Object();
  private IngestLoop loop;
  private Thread thread;
  private boolean closed;

  private KafkaSignalIngest(Builder builder) {
    MeterRegistry registry = builder.registry != null ? builder.registry : new SimpleMeterRegistry();
    this.settings = new IngestSettings(builder.topic, builder.dataRoot, builder.schema, builder.decoder,
        builder.badRecords, registry, builder.homeSettings);
    Map<String, Object> config = new HashMap<>(builder.consumerProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, builder.groupId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Larger polls make larger batches: one fsync per partition per poll under Durability.SYNC.
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, DEFAULT_MAX_POLL_RECORDS);
    this.consumerConfig = Map.copyOf(config);
    this.consumers = builder.consumers;
    this.maxPendingRecords = builder.maxPendingRecords;
    this.pollTimeout = builder.pollTimeout;
  }

  /**
   * A builder; {@code bootstrapServers}, {@code topic}, {@code groupId}, {@code dataRoot} and
   * {@code schema} are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Joins the consumer group and starts consuming on the ingest's own thread. Returns once the
   * topic's partition count is known; partitions are assigned (and their homes opened) shortly after.
   *
   * @throws ConfigException if the topic does not exist on the brokers
   * @throws IllegalStateException if already started or closed
   */
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("start(): this ingest is closed; build a new one");
      }
      if (loop != null) {
        throw new IllegalStateException("start(): this ingest is already started");
      }
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer = consumers.apply(consumerConfig);
      List<PartitionInfo> partitions;
      try {
        partitions = consumer.partitionsFor(settings.topic());
      } catch (RuntimeException e) {
        consumer.close();
        throw e;
      }
      if (partitions == null || partitions.isEmpty()) {
        consumer.close();
        throw new ConfigException("topic(\"" + settings.topic() + "\"): no such topic on "
            + consumerConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) + "; create it first (the ingest never"
            + " creates topics, since the partition count decides where every entity lives)");
      }
      HomeWriter writer = new HomeWriter("tidaldb-kafka-writer-" + settings.topic());
      loop = new IngestLoop(settings, consumer, writer, maxPendingRecords, pollTimeout, partitions.size());
      thread = new Thread(loop, "tidaldb-kafka-" + settings.topic());
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * The partitions whose homes are open on this instance now.
   *
   * @return a snapshot, in ascending order; empty before the first assignment
   */
  public Set<Integer> localPartitions() {
    IngestLoop current = loop;
    return current == null ? Set.of() : Set.copyOf(new TreeSet<>(current.homes().keySet()));
  }

  /**
   * The open database of a local partition.
   *
   * @param partition a Kafka partition of the topic
   * @return its database, or empty if the partition is not open on this instance
   */
  public Optional<TidalDb> database(int partition) {
    IngestLoop current = loop;
    return current == null ? Optional.empty()
        : Optional.ofNullable(current.homes().get(partition)).map(PartitionHome::db);
  }

  /**
   * The partition an entity's events go to when produced with {@link SignalRecords#key(long)} and
   * the producer's default partitioner: where its data lives in the fleet.
   *
   * @param entityId the entity
   * @return its partition
   * @throws IllegalStateException before {@link #start()}
   */
  public int partitionFor(long entityId) {
    IngestLoop current = loop;
    if (current == null) {
      throw new IllegalStateException("partitionFor(" + entityId + "): call start() first (it learns the topic's"
          + " partition count)");
    }
    return SignalRecords.partitionFor(entityId, current.partitionCount());
  }

  /**
   * The best {@code k} entities over the local partitions, merged with {@link ScoredEntities#merge};
   * a partition revoked during the query is left out.
   *
   * @param profile the ranking profile
   * @param k how many, at least 1
   * @param at the time to score at
   * @return the best entities of this instance, best first
   */
  public List<ScoredEntity> top(RankingProfile profile, int k, Instant at) {
    List<List<ScoredEntity>> answers = new ArrayList<>();
    IngestLoop current = loop;
    if (current != null) {
      for (PartitionHome home : current.homes().values()) {
        try {
          answers.add(home.db().top(profile, k, at));
        } catch (DatabaseClosedException revoked) {
          LOG.log(System.Logger.Level.DEBUG, () -> "tidaldb-kafka: partition " + home.partition()
              + " was revoked during top()");
        }
      }
    }
    return ScoredEntities.merge(k, answers);
  }

  /**
   * The status of a local partition.
   *
   * @param partition a Kafka partition of the topic
   * @return its status, or empty if it is not open on this instance
   */
  public Optional<PartitionStatus> status(int partition) {
    IngestLoop current = loop;
    return current == null ? Optional.empty()
        : Optional.ofNullable(current.homes().get(partition)).map(PartitionHome::status);
  }

  /**
   * The status of every local partition.
   *
   * @return by partition, ascending
   */
  public Map<Integer, PartitionStatus> statuses() {
    Map<Integer, PartitionStatus> statuses = new TreeMap<>();
    IngestLoop current = loop;
    if (current != null) {
      current.homes().forEach((partition, home) -> statuses.put(partition, home.status()));
    }
    return statuses;
  }

  /**
   * Passes when the ingest runs, no local partition has stopped, and every local home is healthy.
   *
   * @throws TidalDbException naming what is wrong: not started, closed, the consumer stopped, or a
   *     partition stopped (and why)
   */
  public void healthCheck() {
    IngestLoop current;
    synchronized (lifecycle) {
      if (closed) {
        throw new TidalDbException("the Kafka ingest of " + settings.topic() + " is closed");
      }
      current = loop;
    }
    if (current == null) {
      throw new TidalDbException("the Kafka ingest of " + settings.topic() + " is not started: call start()");
    }
    RuntimeException fatal = current.fatal();
    if (fatal != null || !thread.isAlive()) {
      throw new TidalDbException("the Kafka consumer of " + settings.topic() + " stopped"
          + (fatal == null ? "" : ": " + describe(fatal)) + "; restart the instance", fatal);
    }
    for (PartitionHome home : current.homes().values()) {
      PartitionStatus status = home.status();
      if (status.failure().isPresent()) {
        throw new TidalDbException("partition " + status.partition() + " of " + settings.topic() + " stopped: "
            + status.failure().get());
      }
      home.db().healthCheck();
    }
  }

  /**
   * Leaves the group, writes what was polled, checkpoints and closes every home, and ends both
   * threads. Idempotent; safe from any thread but the ingest's own.
   */
  @Override
  public void close() {
    IngestLoop current;
    Thread running;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      current = loop;
      running = thread;
    }
    if (current != null) {
      current.stop();
      try {
        running.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    settings.registry().find(KafkaMeterNames.RECORDS_REJECTED).tag(KafkaMeterNames.TOPIC, settings.topic())
        .meters().forEach(settings.registry()::remove);
    for (String name : List.of(KafkaMeterNames.REBUILDS, KafkaMeterNames.REBUILDS_INCOMPLETE,
        KafkaMeterNames.BACKPRESSURE_PAUSES)) {
      settings.registry().find(name).tag(KafkaMeterNames.TOPIC, settings.topic()).meters()
          .forEach(settings.registry()::remove);
    }
  }

  /** The exception and, when it wraps one (as the consumer wraps a rebalance callback's), its root cause. */
  private static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == failure ? failure.toString() : failure + ", caused by " + root;
  }

  @Override
  public String toString() {
    return "KafkaSignalIngest[topic=" + settings.topic() + ", local partitions=" + localPartitions() + "]";
  }

  /**
   * Settings of a {@link KafkaSignalIngest}. Each is checked when set: a bad value fails with a
   * {@link ConfigException} naming the setting and the value.
   */
  public static final class Builder {

    private String bootstrapServers;
    private String topic;
    private String groupId;
    private Path dataRoot;
    private Schema schema;
    private SignalRecordDecoder decoder = SignalRecordDecoder.standard();
    private BadRecordHandler badRecords = BadRecordHandler.SKIP;
    private MeterRegistry registry;
    private Consumer<TidalDbBuilder> homeSettings = builder -> { };
    private final Map<String, Object> consumerProperties = new HashMap<>();
    private long maxPendingRecords = DEFAULT_MAX_PENDING_RECORDS;
    private Duration pollTimeout = Duration.ofMillis(100);
    private Function<Map<String, Object>, org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> consumers =
        KafkaConsumer::new;

    private Builder() {}

    /**
     * The brokers to bootstrap from.
     *
     * @param bootstrapServers such as {@code "kafka-1:9092,kafka-2:9092"}
     * @return this builder
     */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = requireText("bootstrapServers", bootstrapServers);
      return this;
    }

    /**
     * The topic to consume; it must exist (the ingest never creates it).
     *
     * @param topic the topic's name
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = requireText("topic", topic);
      if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
        throw new ConfigException("topic(\"" + topic + "\"): a Kafka topic name has 1 to 249 characters from"
            + " [A-Za-z0-9._-]");
      }
      return this;
    }

    /**
     * The consumer group: every instance of the fleet uses the same one.
     *
     * @param groupId the group's id
     * @return this builder
     */
    public Builder groupId(String groupId) {
      this.groupId = requireText("groupId", groupId);
      return this;
    }

    /**
     * The directory under which each local partition's home lives ({@code <dataRoot>/<topic>-<p>}).
     * One instance's own: two instances never share a data root.
     *
     * @param dataRoot a directory, created if missing
     * @return this builder
     */
    public Builder dataRoot(Path dataRoot) {
      this.dataRoot = Objects.requireNonNull(dataRoot, "dataRoot").toAbsolutePath();
      return this;
    }

    /**
     * The schema of every partition's home.
     *
     * @param schema the signals the topic's events name
     * @return this builder
     */
    public Builder schema(Schema schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /**
     * How records are read; {@link SignalRecordDecoder#standard()} unless set.
     *
     * @param decoder the decoder
     * @return this builder
     */
    public Builder decoder(SignalRecordDecoder decoder) {
      this.decoder = Objects.requireNonNull(decoder, "decoder");
      return this;
    }

    /**
     * What to do with a record that cannot be applied; {@link BadRecordHandler#SKIP} (log, count, go
     * on) unless set.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder badRecordHandler(BadRecordHandler handler) {
      this.badRecords = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * The host's registry: every home's meters (tagged {@code partition_id=<p>}) and the ingest's
     * own ({@link KafkaMeterNames}) go there. A private registry unless set.
     *
     * @param registry the host's registry
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * More settings for every partition's home, such as durability or the clock; the ingest sets
     * the data directory, schema, partition id and registry itself.
     *
     * <pre>{@code
     * .homeSettings(home -> home.durability(Durability.SYNC_EACH_BATCH))
     * }</pre>
     *
     * @param homeSettings called with each home's builder before it is opened
     * @return this builder
     */
    public Builder homeSettings(Consumer<TidalDbBuilder> homeSettings) {
      this.homeSettings = Objects.requireNonNull(homeSettings, "homeSettings");
      return this;
    }

    /**
     * A Kafka consumer setting, such as {@code client.id} (the routing recipe in docs/SCALING.md puts
     * the instance's query address there) or security settings. The ingest owns the group, the
     * deserializers and auto-commit (off); those cannot be set here.
     *
     * @param name a consumer setting's name
     * @param value its value
     * @return this builder
     */
    public Builder consumerProperty(String name, Object value) {
      requireText("consumerProperty name", name);
      Objects.requireNonNull(value, "value");
      if (Set.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG).contains(name)) {
        throw new ConfigException("consumerProperty(\"" + name + "\"): the ingest sets " + name + " itself"
            + (name.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) || name.equals(ConsumerConfig.GROUP_ID_CONFIG)
                ? "; use the builder's own setting" : ""));
      }
      consumerProperties.put(name, value);
      return this;
    }

    /**
     * How many polled records may wait for the disk before consumption pauses (it resumes at half).
     *
     * @param records at least 1; {@value #DEFAULT_MAX_PENDING_RECORDS} unless set
     * @return this builder
     */
    public Builder maxPendingRecords(long records) {
      if (records < 1) {
        throw new ConfigException("maxPendingRecords(" + records + "): at least 1");
      }
      this.maxPendingRecords = records;
      return this;
    }

    /** Tests: a consumer of their own (such as a {@code MockConsumer}) instead of a {@code KafkaConsumer}. */
    Builder consumerFactory(
        Function<Map<String, Object>, org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> consumers) {
      this.consumers = Objects.requireNonNull(consumers, "consumers");
      return this;
    }

    /**
     * Checks that the required settings are there.
     *
     * @return the ingest, not yet started
     * @throws ConfigException naming the first missing setting
     */
    public KafkaSignalIngest build() {
      require("bootstrapServers", bootstrapServers);
      require("topic", topic);
      require("groupId", groupId);
      require("dataRoot", dataRoot);
      require("schema", schema);
      return new KafkaSignalIngest(this);
    }

    private static void require(String setting, Object value) {
      if (value == null) {
        throw new ConfigException(setting + " is not set: KafkaSignalIngest.builder()." + setting
            + "(...) is required");
      }
    }

    private static String requireText(String setting, String value) {
      if (value == null || value.isBlank()) {
        throw new ConfigException(setting + "(\"" + value + "\"): give a non-blank value");
      }
      return value;
    }
  }
}

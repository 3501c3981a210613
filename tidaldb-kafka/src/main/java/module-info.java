/**
 * tidaldb-kafka: a fleet of services, each embedding tidalDB, as one partitioned signal store fed by
 * a Kafka topic ({@link io.tidaldb.kafka.KafkaSignalIngest}; docs/SCALING.md).
 */
module io.tidaldb.kafka {
  // The API takes and gives the core's types (Schema, TidalDb, ScoredEntity, TidalDbBuilder) and
  // Kafka's ConsumerRecord (SignalRecordDecoder), so a user reads both modules too.
  requires transitive io.tidaldb;
  // kafka-clients is an automatic module (no module-info, no Automatic-Module-Name): its name comes
  // from the jar's file name.
  requires transitive kafka.clients;

  exports io.tidaldb.kafka;
}

/**
 * tidaldb-kafka: a fleet of services, each embedding tidalDB, as one partitioned signal store fed by
 * a Kafka topic ({@link io.tidaldb.kafka.KafkaSignalIngest}; docs/SCALING.md).
 */
// kafka-clients names no module: its name comes from its jar file, so requiring it (transitively, as
// the API shows its types) is what the compiler warns about; there is no named module to require instead.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.tidaldb.kafka {
  // The API takes and gives the core's types (Schema, TidalDb, ScoredEntity, TidalDbBuilder) and
  // Kafka's ConsumerRecord (SignalRecordDecoder), so a user reads both modules too.
  requires transitive io.tidaldb;
  // kafka-clients is an automatic module (no module-info, no Automatic-Module-Name): its name comes
  // from the jar's file name.
  requires transitive kafka.clients;

  exports io.tidaldb.kafka;
}

/**
 * A fleet of services, each embedding tidalDB, as one partitioned signal store fed by a Kafka topic:
 * {@link io.tidaldb.kafka.KafkaSignalIngest} gives every assigned partition a home of its own and
 * applies each record exactly once; see docs/SCALING.md.
 */
package io.tidaldb.kafka;

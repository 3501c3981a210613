#!/usr/bin/env bash
# Ingest rate of one KafkaSignalIngest against a plain KafkaConsumer that only deserializes and
# counts (the floor), and failover time (kill -9 to the partition serving again, rebuild included),
# against a real single-node Kafka broker started in a child JVM (no Docker).
#
#   bench/kafka-ingest.sh [events] [events-per-partition-for-failover]     (defaults: 1000000 1000000)
#
# Numbers and the machine they were measured on: docs/BENCHMARKS.md ("Kafka ingest").
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
per_partition="${2:-1000000}"
mvn -B -ntp -q package -pl it-tests -am -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
classpath="it-tests/target/test-classes:$(cat it-tests/target/test-classpath.txt)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
uptime
java -Xmx2g -cp "$classpath" io.tidaldb.it.kafka.KafkaIngestBench "$work" "$events" "$per_partition"
uptime

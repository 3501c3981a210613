#!/usr/bin/env bash
# Compares tidalDB with what users would pick instead, side by side in one JMH run: RocksDB for durable
# writes, a ConcurrentHashMap for reads, the raw fsync loop for the disk's limit. Writes the table into
# docs/BENCHMARKS.md (between <!-- peers:begin --> and <!-- peers:end -->). Takes about five minutes.
# Usage: bench/compare.sh [dir-on-the-disk-under-test]     (default: target/bench-peers)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/bench-peers}"
mvn -B -ntp -q -pl bench -am package -DskipTests
mkdir -p target
java -jar bench/target/benchmarks.jar 'PeerWrites|PeerReads|FsyncBaseline' \
  -p dir="$dir" -p bytes=24,262144 -rf json -rff target/peers.json
java -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.CompareReport target/peers.json docs/BENCHMARKS.md

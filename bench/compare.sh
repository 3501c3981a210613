#!/usr/bin/env bash
# Compares tidalDB with what users would pick instead, side by side in one JMH run: RocksDB for durable
# writes, a ConcurrentHashMap and an open-addressing table for reads (tidalDB by handle and by name), Redis's ZREVRANGE for top 100, the raw fsync loop for the disk's limit. Writes the table into
# docs/BENCHMARKS.md (between <!-- peers:begin --> and <!-- peers:end -->). Takes about five minutes.
# Usage: bench/compare.sh [dir-on-the-disk-under-test]     (default: target/bench-peers)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/bench-peers}"
mvn -B -ntp -q -pl bench -am package -DskipTests
mkdir -p target
# The top-100 row compares with Redis only if redis-server is on the PATH (the row says so otherwise).
top='PeerTop.tidaldbTop'
if command -v redis-server >/dev/null; then top='PeerTop'; fi
java -jar bench/target/benchmarks.jar "PeerWrites|PeerReads|FsyncBaseline|$top" \
  -p dir="$dir" -p bytes=24,262144 -rf json -rff target/peers.json
# The ranking rows: the 1,000,000-entity queries of TopBench, their p50s.
java -jar bench/target/benchmarks.jar 'TopBench' -bm sample -p entities=1000000 -rf json -rff target/top.json
java -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.CompareReport target/peers.json docs/BENCHMARKS.md target/top.json

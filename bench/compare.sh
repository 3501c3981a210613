#!/usr/bin/env bash
# Compares tidalDB with what users would pick instead, side by side in one JMH run: RocksDB for durable
# writes, a ConcurrentHashMap and an open-addressing table for reads (tidalDB by handle and by name), Redis's
# ZREVRANGE for top 100, the raw write and fsync loops for the disk's limit. Writes the tables into
# docs/BENCHMARKS.md (between <!-- peers:begin --> and <!-- peers:end -->, and the write targets between
# <!-- write-targets:begin --> and <!-- write-targets:end -->). Takes about fifteen minutes.
# Usage: bench/compare.sh [--writes] [dir-on-the-disk-under-test] [extra JMH options...]
#   --writes   only the write rows (the write-targets table); e.g. bench/compare.sh --writes target/bench-peers -wi 2 -i 3 -f 1
#   (default dir: target/bench-peers)
set -euo pipefail
cd "$(dirname "$0")/.."
writes=false
if [[ "${1:-}" == "--writes" ]]; then writes=true; shift; fi
dir="${1:-target/bench-peers}"
shift || true
mvn -B -ntp -q -pl bench -am package -DskipTests
mkdir -p target
write_rows='PeerWrites|FsyncBaseline|WalPipelinedBenchmark'
if $writes; then
  java -jar bench/target/benchmarks.jar "$write_rows" \
    -p dir="$dir" -p bytes=24,24000 -p durability=sync -rf json -rff target/peers.json "$@"
  java -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.CompareReport target/peers.json docs/BENCHMARKS.md writes
  exit 0
fi
# The top-100 row compares with Redis only if redis-server is on the PATH (the row says so otherwise):
# installed here where the machine allows (PeerTop starts its own server on a free loopback port).
if ! command -v redis-server >/dev/null; then
  .ci/install-package redis-server || echo "redis-server not installed: the top-100 row runs without its Redis peer"
fi
top='PeerTop.tidaldbTop'
if command -v redis-server >/dev/null; then top='PeerTop'; fi
java -jar bench/target/benchmarks.jar "$write_rows|PeerReads|$top" \
  -p dir="$dir" -p bytes=24,24000,262144 -p durability=sync -rf json -rff target/peers.json "$@"
# The ranking rows: the 1,000,000-entity queries of TopBench, their p50s over the samples of three
# forks (on a shared VM one JVM in three or four runs the memory-bound queries 40-60 % slower
# throughout: one fork's median is that JVM's, not the query's; BENCHMARKS.md).
java -jar bench/target/benchmarks.jar 'TopBench' -bm sample -f 3 -p entities=1000000 -rf json -rff target/top.json "$@"
java -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.CompareReport target/peers.json docs/BENCHMARKS.md target/top.json

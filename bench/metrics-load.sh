#!/usr/bin/env bash
# Drives /metrics and /healthz on each metrics transport from a second process on loopback and reports
# requests/s, p50 and p99 (see io.tidaldb.bench.metrics.EndpointLoad).
# Usage: bench/metrics-load.sh [connections] [seconds] [warmupSeconds]     (defaults: 16 10 3)
set -euo pipefail
cd "$(dirname "$0")/.."
connections="${1:-16}"
seconds="${2:-10}"
warmup="${3:-3}"
mvn -B -ntp -q -pl bench -am package -DskipTests
jar=bench/target/benchmarks.jar
load() { java -Xmx512m -cp "$jar" io.tidaldb.bench.metrics.EndpointLoad run "$@" "$connections" "$seconds" "$warmup"; }
for path in /metrics /healthz; do
  load undertow "$path"
  load jdk "$path"
  SERVER_JAVA_OPTS="-Dsun.net.httpserver.nodelay=true" load jdk "$path"
done

#!/usr/bin/env bash
# Soak of the kill -9 test: a child JVM writes signals (4 threads, checkpoints every 25 ms, SYNC and
# interval(10 ms) cycles in turn) and is killed with SIGKILL after a random number of acknowledgements;
# after every kill the home is reopened and every acknowledged event must be in the log, and every read
# must equal a brute-force recomputation from the log. Not part of the default test run.
# Usage: bench/kill-soak.sh [cycles]     (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-100}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
mvn -B -ntp -pl tidaldb test -Dtidaldb.kill.cycles="$cycles" \
  -Dtest='SignalKillTest#killMinus9_underSyncAndInterval_losesNoAcknowledgedSignal_andReadsEqualABruteForceRecomputation' \
  -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | grep -E 'kill -9 soak|Tests run:|FAIL|ERROR|BUILD' 
echo "elapsed: $(( $(date +%s) - start )) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

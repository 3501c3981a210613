#!/usr/bin/env bash
# Times `tidalctl status` and `tidalctl wal verify` on a home with at least 1 GiB of WAL.
# Usage: bench/tidalctl-bench.sh [home-dir] [wal-bytes]   (build first: mvn -B -ntp -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
home="${1:-target/bench-tidalctl-home}"
bytes="${2:-1073741824}"
tidalctl=tidalctl/target/tidalctl/bin/tidalctl
[ -x "$tidalctl" ] && [ -f bench/target/benchmarks.jar ] || { echo "build first: mvn -B -ntp -q package -DskipTests" >&2; exit 2; }
if [ ! -d "$home/wal" ]; then
  java -cp bench/target/benchmarks.jar io.tidaldb.bench.ctl.FillWal "$home" "$bytes"
fi
echo "WAL: $(du -sb "$home/wal" | cut -f1) bytes in $(ls "$home/wal" | grep -c '\.seg$') segments"
sync
for run in 1 2 3; do
  /usr/bin/env TIMEFORMAT="status run $run: %R s wall" bash -c "time $tidalctl status --path '$home' > /dev/null"
done
for run in 1 2 3; do
  start=$(date +%s.%N)
  report=$($tidalctl wal verify --path "$home")
  end=$(date +%s.%N)
  wal_bytes=$(echo "$report" | sed -E 's/.*"bytes":([0-9]+).*/\1/')
  echo "verify run $run: $(echo "$end - $start" | bc) s wall, $(echo "scale=1; $wal_bytes / 1000000 / ($end - $start)" | bc) MB/s wall (in-process: $(echo "$report" | sed -E 's/.*"mb_per_second":([0-9.]+).*/\1/') MB/s)"
done

#!/usr/bin/env bash
# Builds tidalDB, runs the quickstart against a persistent home (default: ./quickstart-home), then
# shows what tidalctl reads from that home. Run it twice: the second run recovers the first's signals.
set -euo pipefail
cd "$(dirname "$0")"
home="${1:-quickstart-home}"
mvn -B -ntp -q -DskipTests package -pl examples,tidalctl -am   # only what this script runs (not bench)
java -jar examples/target/tidaldb-quickstart.jar "$home"
echo
echo "\$ tidalctl status --path $home --format text"
tidalctl/target/tidalctl/bin/tidalctl status --path "$home" --format text

#!/usr/bin/env bash
# Builds tidalDB and runs the quickstart against a persistent home (default: ./quickstart-home).
set -euo pipefail
cd "$(dirname "$0")"
home="${1:-quickstart-home}"
mvn -B -ntp -q -DskipTests package
java -jar examples/target/tidaldb-quickstart.jar "$home"

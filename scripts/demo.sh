#!/usr/bin/env bash
# Sets up this machine (packages, build) and runs one simulated migration end to end with its report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec bin/sonic simulate --memory 256M --workload cache:128 --workload writer:20000 --bandwidth 1Gbit "$@"

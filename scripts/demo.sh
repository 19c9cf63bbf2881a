#!/usr/bin/env bash
# Sets up this machine (packages, build) and runs one simulated migration end to end with its report.
# Run it as root or from an account that may use sudo: only installing packages needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/privileges.sh
return_files_on_exit
bash scripts/setup.sh
bin/sonic simulate --memory 256M --workload cache:128 --workload writer:20000 --bandwidth 1Gbit "$@"

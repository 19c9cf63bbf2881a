#!/usr/bin/env bash
# The long runs of issue 15 that `mvn verify` runs short (README, "Reliability"):
#
#   scripts/soak.sh [MIGRATIONS]   back-to-back simulated migrations with churn in one process (default 200),
#                                  printing heap after GC, threads and open fds every 20 (SoakTest)
#   scripts/soak.sh faults         the fault sweep with a cut every 16 KiB of the stream (FaultInjectionTest)
#
# Both need the modules installed once (mvn -B -o install -DskipTests) and print their tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}

case "${1:-200}" in
  faults)
    exec mvn -B -o -pl cli test -Dtest=FaultInjectionTest -Dsonic.faults.long=true -Dsurefire.failIfNoSpecifiedTests=false
    ;;
  *[!0-9]* | '')
    echo "usage: scripts/soak.sh [MIGRATIONS] | faults" >&2
    exit 2
    ;;
  *)
    exec mvn -B -o -pl cli test -Dtest=SoakTest -Dsonic.soak.migrations="$1" -Dsurefire.failIfNoSpecifiedTests=false
    ;;
esac

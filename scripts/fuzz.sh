#!/usr/bin/env bash
# Runs the Jazzer fuzz tests in fuzzing mode (mvn verify only replays their checked-in corpora).
#
#   scripts/fuzz.sh TARGET SECONDS     fuzz one target for SECONDS
#   scripts/fuzz.sh all SECONDS        every target in turn, SECONDS each
#   scripts/fuzz.sh TARGET --runs N    fuzz one target for N executions (libFuzzer's -runs), however long it takes
#   scripts/fuzz.sh all --runs N       every target in turn, N executions each
#   scripts/fuzz.sh list               the targets
#   scripts/fuzz.sh seeds              rewrite the seed corpora from our own writers
#
# New coverage-increasing inputs go to <module>/.cifuzz-corpus/ (not checked in); a finding is written
# into the target's Inputs directory under src/test/resources, where the corpus replay of every build
# keeps it as a regression seed once the parser is fixed. Each run ends with libFuzzer's
# "Done N runs in S second(s)" line, which this script repeats with the target's name.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}

# target  module  test class#method
targets="
stream         xen-bridge         org.sonicmigration.stream.StreamReaderFuzzTest#streamReader
dry-run        xen-bridge         org.sonicmigration.receiver.ReceiverFuzzTest#dryRun
config-json    xen-bridge         org.sonicmigration.receiver.ReceiverFuzzTest#configJson
domain-config  xen-bridge         org.sonicmigration.xen.backend.DomainConfigJsonFuzzTest#forNewDomain
hint-area      guest-module-spec  org.sonicmigration.guest.HintAreaReaderFuzzTest#hintArea
profile-json   guest-module-spec  org.sonicmigration.guest.profile.ProfileFuzzTest#profileJson
kpage-pair     guest-module-spec  org.sonicmigration.guest.profile.ProfileFuzzTest#kpagePair
"

usage() {
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS | TARGET|all --runs N | list | seeds" >&2
  exit 2
}

# The budget of one run as Jazzer options: a duration, or a run count with no time limit that could stop it
# first (the annotation's maxDuration would otherwise end it).
budget=()
limit=""
parse_budget() {
  if [ "${1:-}" = --runs ]; then
    [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage
    budget=(-Djazzer.max_executions="$2" -Djazzer.max_duration=1000h)
    limit="$2 runs"
  else
    [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] || usage
    budget=(-Djazzer.max_duration="$1s")
    limit="${1}s"
  fi
}

fuzz() {
  local name=$1 line module test log
  line=$(awk -v t="$name" '$1 == t' <<<"$targets")
  [ -n "$line" ] || { echo "fuzz: unknown target '$name' (scripts/fuzz.sh list)" >&2; exit 2; }
  read -r _ module test <<<"$line"
  log=$module/target/fuzz-$name.log
  mkdir -p "$module/target"
  echo "fuzz: $name ($test) for $limit, log in $log"
  # Hooks on: coverage instrumentation is what guides the fuzzer.
  if JAZZER_FUZZ=1 mvn -B -o -q -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.hooks=true "${budget[@]}" -DtrimStackTrace=false >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
  fi
  local done
  done=$(grep -ho 'Done [0-9]* runs in [0-9]* second(s)' "$log" "$module"/target/surefire-reports/*-output.txt 2>/dev/null \
    | tail -1 || true)
  echo "fuzz: $name: ${done:-no run count found} ($status)"
  [ "$status" = ok ] || { grep -E 'FuzzTestFinding|Exception|Error' "$log" | head -5; return 1; }
}

case "${1:-}" in
  list) awk 'NF {print $1}' <<<"$targets" ;;
  seeds)
    mvn -B -o -q -pl xen-bridge -am test -Dtest=FuzzSeedWriter -Dsurefire.failIfNoSpecifiedTests=false \
      -Dsonic.fuzz.writeSeeds=true
    ;;
  all)
    parse_budget "${@:2}"
    rc=0
    for t in $(awk 'NF {print $1}' <<<"$targets"); do
      fuzz "$t" || rc=1
    done
    exit $rc
    ;;
  "") usage ;;
  *)
    parse_budget "${@:2}"
    fuzz "$1"
    ;;
esac

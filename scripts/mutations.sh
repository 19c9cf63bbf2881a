#!/usr/bin/env bash
# Re-checks that every safety and thrift rule of the engine is guarded by a test: applies each mutation
# below to a throw-away copy of the source tree (never to this one), runs xen-bridge's tests there, and
# prints which tests failed. A mutation that no test catches is reported as SURVIVED and makes the
# script exit 1; a mutation whose pattern no longer matches the code exits 2 (update this list).
#
#   bash scripts/mutations.sh            # the engine's tests only (~1-2 min per mutation on 2 cores)
#   bash scripts/mutations.sh --all      # every xen-bridge test for each mutation
#   bash scripts/mutations.sh b c        # only the mutations named
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}

TESTS='EngineStepsTest*,EngineInvariantPropertyTest,PageLedgerTest,ToolstackHandOverTest'
if [ "${1:-}" = --all ]; then
  TESTS=''
  shift
fi

LEDGER=xen-bridge/src/main/java/org/sonicmigration/engine/PageLedger.java
ENGINE=xen-bridge/src/main/java/org/sonicmigration/engine/PreCopyEngine.java

# name | file | what the mutation breaks | perl substitution (on the whole file)
MUTATIONS=(
  "a|$LEDGER|the final dirty set is not sent|s/^ *withData\.or\(dirty\);\n//m"
  "b|$LEDGER|dirty does not beat the final soft set|s/^ *noData\.andNot\(dirty\);\n//m"
  "c|$LEDGER|holes may be allocated|s/^ *noData\.andNot\(holes\);\n//m"
  "d|$LEDGER|the catch-up does not exclude the final soft set|s/^ *due\.andNot\(finalSoft\);\n//m"
  "e|$LEDGER|a soft page just dirtied is skipped in a live pass|s/^ *hintSoft\.andNot\(dirty\);\n//m"
  "f|$LEDGER|a live fetch-and-clean does not make pages stale|s/^ *stale\.or\(dirty\);\n//m"
  "g|$LEDGER|sent pages stay stale|s/^ *stale\.andNot\(pages\);\n//m"
  "h|$LEDGER|final-soft pages already current are allocated|s/^ *noData\.and\(stale\);\n//m"
  "i|$LEDGER|pages allocated without data are also sent|s/^ *withData\.andNot\(noData\);\n//m"
  "j|$ENGINE|catch-up pages stay stale|s/^ *ledger\.sent\(due\);\n//m"
  "k|$ENGINE|the handshake comes before the live rounds|s/( *)liveRounds\(sender\);\n( *)finalSoft = handshake\(\);\n/\$1finalSoft = handshake();\n\$2liveRounds(sender);\n/"
  "l|$ENGINE|no fetch-and-clean once paused|s/^ *ledger\.fetchFinal\(dirtyLog\);\n//m"
  "m|$LEDGER|no guest-RAM check of pages left without data|s/^ *guestRam\.accept\(noData\);\n//m"
  "n|$ENGINE|a stop request is not looked at during a pass|s/^ *control\.check\(where\);\n//m"
  "o|$ENGINE|a stop while the receiver confirms does not stop the hand-over|s/^ *control\.commit\([^;]*\);\n//m"
  "p|$ENGINE|a rollback lifts the administrator's pause|s/!startedPaused && now == RunState\.PAUSED/now == RunState.PAUSED/"
  "q|$ENGINE|an uncertain hand-over resumes the source|s/domain\.keepPausedAfterSuspend\(\);/domain.resumeAfterSuspend();/"
)

WORK=$(mktemp -d /tmp/sonic-mutations.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

# The copy: tracked and new files of this tree as they are now, without build output.
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$WORK"

survived=0
printf '%-3s %-52s %s\n' "" "mutation" "tests that failed"
for entry in "${MUTATIONS[@]}"; do
  IFS='|' read -r name file what subst <<<"$entry"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
    continue
  fi
  cp "$file" "$WORK/$file.orig"
  perl -0pi -e "$subst" "$WORK/$file"
  if cmp -s "$file" "$WORK/$file"; then
    echo "mutation $name ($what) no longer applies to $file: update scripts/mutations.sh" >&2
    exit 2
  fi
  rm -rf "$WORK/xen-bridge/target/surefire-reports"
  (cd "$WORK" && mvn -B -o -q -pl xen-bridge -am test ${TESTS:+-Dtest="$TESTS"} \
      -Dsurefire.failIfNoSpecifiedTests=false >"$WORK/mvn-$name.log" 2>&1) || true
  failed=$(python3 - "$WORK/xen-bridge/target/surefire-reports" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
names = []
for f in sorted(glob.glob(sys.argv[1] + "/TEST-*.xml")):
    for case in ET.parse(f).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            cls = case.get("classname").rsplit(".", 1)[-1]
            names.append(cls + "." + case.get("name").split("(")[0])
print(", ".join(names))
EOF
)
  if [ -z "$failed" ]; then
    if grep -q 'COMPILATION ERROR' "$WORK/mvn-$name.log"; then
      failed="(does not compile)"
    else
      failed="SURVIVED"
      survived=$((survived + 1))
    fi
  fi
  printf '%-3s %-52s %s\n' "$name" "$what" "$failed"
  mv "$WORK/$file.orig" "$WORK/$file"
done
[ "$survived" -eq 0 ]

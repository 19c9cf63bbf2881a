#!/bin/bash
# Runs the lab N times in a row, as CI does (LAB_JAVA_CHECKS defaults to the project's checks), and
# prints per step how often it reported PASS, WARN, FAIL or nothing (MISSING), with each run's
# verdict and time. This is how the lab's rate is measured (xen-lab/README.md).
#
#   xen-lab/repeat-lab.sh N [BASE]      BASE default: lab-repeat (relative to the repo root)
#
# The runs share one LAB_DIR (BASE/lab: the images and the class-data archive are built once and
# reused; run-lab.sh rebuilds only what changed); after each run its results, serial log and output
# go to BASE/run-K/ without the stream files (about 600 MB a run). The table is also written after
# every run to BASE/table.txt, so a series cut short still tells what it saw.
set -uo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:?usage: repeat-lab.sh N [BASE]}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "repeat-lab: N must be a positive number" >&2; exit 2; }
BASE=${2:-lab-repeat}
[[ $BASE = /* ]] || BASE=$REPO_ROOT/$BASE
export LAB_JAVA_CHECKS=${LAB_JAVA_CHECKS-xen-lab/checks/project.checks}
export LAB_DIR=$BASE/lab
mkdir -p "$BASE"
RUNS_FILE=$BASE/runs.txt       # one line per run: K rc seconds fails warns
: > "$RUNS_FILE"

# Per step: PASS/WARN/FAIL/MISSING counts over the runs' steps.txt (a step a run did not report is
# MISSING there; the expected steps are those of run-lab.sh).
table() {
    local k steps f
    steps=$(bash -c "source '$REPO_ROOT/xen-lab/run-lab.sh' 2>/dev/null; echo \${EXPECTED_STEPS[*]}")
    {
        printf '%-22s %5s %5s %5s %8s\n' STEP PASS WARN FAIL MISSING
        for k in $(seq 1 "$done_runs"); do
            f=$BASE/run-$k/results/steps.txt
            for s in $steps; do
                grep -q "^LABSTEP $s " "$f" 2>/dev/null || echo "LABSTEP $s MISSING"
            done
            grep -h '^LABSTEP ' "$f" 2>/dev/null
        done | awk -v list="$steps" '
                    BEGIN { n = split(list, first, " "); for (i = 1; i <= n; i++) order[first[i]] = i }
                    { seen[$2] = 1; c[$2 " " $3]++; if (!($2 in order)) order[$2] = ++n }
                    END { for (s in seen) printf "%d %-22s %5d %5d %5d %8d\n", order[s], s,
                          c[s " PASS"], c[s " WARN"], c[s " FAIL"], c[s " MISSING"] }' |
            sort -n | cut -d' ' -f2-
        echo
        awk '{ printf "run %-3s %-6s %6ss%s%s\n", $1, ($2 == 0 ? "green" : "RED"), $3,
               ($4 == "-" ? "" : "  FAIL:" $4), ($5 == "-" ? "" : "  WARN:" $5) }' "$RUNS_FILE"
        awk '{ n++; g += ($2 == 0); t += $3 }
             END { if (n) printf "\n%d of %d runs green; %.0f s in all, %.0f s a run on average\n", g, n, t, t / n }' "$RUNS_FILE"
    } > "$BASE/table.txt"
    cat "$BASE/table.txt"
}

done_runs=0
for k in $(seq 1 "$N"); do
    out=$BASE/run-$k
    rm -rf "$out"
    mkdir -p "$out"
    echo "repeat-lab: run $k of $N ($(date -u +%H:%M:%S) UTC)"
    t0=$(date +%s)
    bash "$REPO_ROOT/xen-lab/run-lab.sh" > "$out/run-lab.out" 2>&1
    rc=$?
    secs=$(( $(date +%s) - t0 ))
    cp -r "$LAB_DIR/results" "$out/results" 2>/dev/null
    rm -f "$out"/results/*.xlsave "$out"/results/*.bin
    cp "$LAB_DIR/serial.log" "$out/" 2>/dev/null
    fails=$(grep -h '^LABSTEP [^ ]* FAIL ' "$out/results/steps.txt" 2>/dev/null | awk '{ printf "%s%s", sep, $2; sep = "," }')
    warns=$(grep -h '^LABSTEP [^ ]* WARN ' "$out/results/steps.txt" 2>/dev/null | awk '{ printf "%s%s", sep, $2; sep = "," }')
    # why a run without FAIL lines was red: QEMU's LAB_TIMEOUT, or QEMU ended otherwise
    if grep -q 'QEMU killed after LAB_TIMEOUT' "$out/run-lab.out"; then
        fails=${fails:+$fails,}LAB_TIMEOUT
    elif ! grep -q 'QEMU ended by dom0' "$out/run-lab.out"; then
        fails=${fails:+$fails,}QEMU
    fi
    echo "$k $rc $secs ${fails:--} ${warns:--}" >> "$RUNS_FILE"
    done_runs=$k
    table
done

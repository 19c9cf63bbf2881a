#!/bin/bash
# The lab's experiment mode: boots the lab as run-lab.sh does, but dom0 runs dom0/stress.sh (a plan
# of xl save/restore, xl migrate and log-dirty operations on a guest, repeated with fresh guests for
# LAB_STRESS_SECONDS) and this prints, per operation and per number of restores before it, how many
# survived. Used to measure the restored-guest triple fault (xen-lab/README.md).
#
#   LAB_DIR=/work/lab-runs/x LAB_STRESS_PLAN="save save save" LAB_GUEST_EXTRA="smlab.busy=24" \
#       xen-lab/stress-lab.sh
# Knobs (see lib/env.sh): LAB_STRESS_PLAN, LAB_STRESS_SECONDS, LAB_GUEST_EXTRA (guest kernel words;
# smlab.busy=N makes the guest rewrite N MiB all the time), LAB_GUEST_VCPUS, LAB_QEMU_CPU,
# LAB_XEN_EXTRA. Results: $LAB_DIR/results/exp.txt, fault-*.txt (xenctx of each dead guest).
set -euo pipefail
export LAB_MODE=stress
export LAB_JAVA_CHECKS=${LAB_JAVA_CHECKS-}
source "$(dirname "${BASH_SOURCE[0]}")/run-lab.sh"
LAB_TIMEOUT=$((LAB_STRESS_SECONDS + 600))

# Per operation and generation (restores before it): OK/FAULT/FAIL counts.
summarize() { # EXP_FILE
    awk '$1 == "EXP" { key = $3 " " $4; seen[key] = 1; count[key " " $6]++ }
         END { printf "%-10s %-7s %4s %5s %4s\n", "op", "gen", "OK", "FAULT", "FAIL"
               for (k in seen) printf "%-10s %-7s %4d %5d %4d\n", substr(k, 1, index(k, " ") - 1),
                   substr(k, index(k, " ") + 1), count[k " OK"], count[k " FAULT"], count[k " FAIL"] }' "$1" | sort
}

stress_main() {
    check_settings
    resolve_kernel
    prepare_run_dir
    build_images
    note "stress: plan '$LAB_STRESS_PLAN' for ${LAB_STRESS_SECONDS}s, accel $LAB_QEMU_ACCEL, cpu $LAB_QEMU_CPU, xen extra '$LAB_XEN_EXTRA', guest extra '$LAB_GUEST_EXTRA', vcpus $LAB_GUEST_VCPUS"
    local t0; t0=$(clock)
    boot_lab
    note "QEMU ran $(seconds_since "$t0")s"
    grep -a '^EXP ' "$RESULTS_DIR/exp.txt" 2>/dev/null || { grep -a '^EXP ' "$SERIAL_LOG" | tr -d '\r' > "$RESULTS_DIR/exp.txt" || true; }
    summarize "$RESULTS_DIR/exp.txt"
    grep -a 'Triple fault' "$SERIAL_LOG" | tr -d '\r' || true
}

stress_main "$@"

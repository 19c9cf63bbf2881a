#!/bin/bash
# The project's Xen lab: boots a real Xen 4.17 with a Linux dom0 under QEMU (TCG, no KVM needed),
# runs a PVH guest, saves, restores and live-migrates it with Xen's own toolstack, runs the
# project's Java checks in dom0 against the real /dev/xen, saves and live-migrates the guest with
# the project's own sender (sonic save / sonic migrate) into stock xl restore / xl migrate-receive,
# and checks all four streams with Xen's verify-stream-v2. Exit status 0 only if every step passed.
#
# Run as root from anywhere in the repo:   xen-lab/run-lab.sh
# Environment (all optional):
#   LAB_DIR           work dir, relative to the repo root or absolute      (default lab-out)
#   LAB_TIMEOUT       seconds QEMU may run before it is killed             (default 1800)
#   LAB_JAVA_CHECKS   file of java-check command lines, relative to the repo root or absolute;
#                     unset: xen-lab/checks/self-test.checks; empty: no java checks
#   LAB_JAVA_TIMEOUT  seconds each java-check command may run              (default 600)
#   LAB_SKIP_INSTALL  1: do not check or install Debian packages
# Results: $LAB_DIR/results/ (steps.txt, pvh128.xlsave, pvh128.migrate.bin, pvh128.sonic.xlsave,
# pvh128.sonic-migrate.bin, logs), serial log $LAB_DIR/serial.log.
# The sonic steps run cli/target/sonic.jar: build it first (mvn -B -o -DskipTests package).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
source "$LAB_SRC/build-images.sh"

PACKAGES=(qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 linux-image-amd64 busybox-static
          cpio libxen-dev gcc libc6-dev python3 kmod)
# Steps that must each report (java-check-N lines, when present, too). A run passes if none of them
# reports FAIL. WARN (the environment, not our code, kept a step from showing anything: a guest's
# triple fault under TCG, xen-lab/README.md) does not fail it; only the steps of Xen's toolstack and
# migrate-migrated can report WARN, the steps of our code (java-checks, sonic-*) PASS or FAIL.
EXPECTED_STEPS=(dom0-boot toolstack guest-create logdirty java-checks xl-save xl-migrate sonic-save
                sonic-migrate xl-dropin fail-receiver-killed fail-receiver-refuses fail-link-cut-downtime
                fail-no-suspend-ack fail-sigint-live fail-save-full fail-sigint-downtime sonic-soft-save compare
                fallback-late-answer fallback-rmmod shutdown
                verify-xlsave verify-migrate verify-sonic-save verify-sonic-migrate verify-sonic-soft-save
                verify-sonic-soft-migrate compare-report)
# The HVM steps asked for, and the check of the stream each writes.
hvm_expected() {
    local step
    for step in $LAB_HVM; do
        echo "${step//_/-}"
        case $step in
            hvm_xl_save) echo verify-hvm-xlsave ;;
            hvm_sonic_save) echo verify-hvm-sonic-save ;;
            hvm_sonic_migrate) echo verify-hvm-sonic-migrate ;;
            hvm_sonic_soft_migrate) echo verify-hvm-sonic-soft-migrate ;;
            hvm_nopv_sonic_migrate) echo verify-hvm-nopv-sonic-migrate ;;
        esac
    done
}
if [[ $LAB_HVM_ONLY == 1 ]]; then
    EXPECTED_STEPS=(dom0-boot toolstack shutdown)
fi
if [[ -n $LAB_HVM ]]; then
    PACKAGES+=(qemu-system-xen)
    mapfile -t -O "${#EXPECTED_STEPS[@]}" EXPECTED_STEPS < <(hvm_expected)
fi
XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console_timestamps=boot"
DOM0_ARGS="console=hvc0 earlyprintk=xen"      # no commas: QEMU splits -initrd at commas
SERIAL_LOG=$LAB_DIR/serial.log
QEMU_LOG=$LAB_DIR/qemu.log
STEPS_FILE=$RESULTS_DIR/steps.txt

clock() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }
note() { echo "run-lab: $*"; }

# Installs whatever of PACKAGES is missing (one apt-get update, only if something is missing).
ensure_packages() {
    local pkg missing=()
    for pkg in "${PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]] || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    note "installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The JDK and the built sonic.jar (the sonic steps run it in dom0) must exist beforehand; the lab
# installs neither.
require_jdk_and_jar() {
    [[ -x $LAB_JAVA_HOME/bin/java ]] || die "the sonic steps and java checks need the JDK at $LAB_JAVA_HOME"
    [[ -f $REPO_ROOT/cli/target/sonic.jar ]] ||
        die "cli/target/sonic.jar is missing: build it first (mvn -B -o -DskipTests package)"
}

prepare_run_dir() {
    rm -rf "$RESULTS_DIR"
    mkdir -p "$RESULTS_DIR"
    rm -f "$SERIAL_LOG" "$QEMU_LOG"
}

# Boots Xen + dom0. QEMU's status: 1 = dom0 ended it through isa-debug-exit (the normal end),
# 124 = LAB_TIMEOUT hit, 0 = Xen rebooted (dom0 crashed or init died).
boot_lab() {
    set +e
    timeout -k 10 "$LAB_TIMEOUT" qemu-system-x86_64 \
        -accel "$LAB_QEMU_ACCEL" -cpu "$LAB_QEMU_CPU" -smp 2 -m "$LAB_QEMU_MIB" -machine pc \
        -nodefaults -display none -no-reboot \
        -serial "file:$SERIAL_LOG" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$LAB_DIR/xen" -append "$XEN_ARGS${LAB_XEN_EXTRA:+ $LAB_XEN_EXTRA}" \
        -initrd "$KERNEL_IMAGE $DOM0_ARGS,$LAB_DIR/dom0.cpio.gz" \
        -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
        -virtfs "local,path=$RESULTS_DIR,mount_tag=results,security_model=none,multidevs=remap" \
        < /dev/null > "$QEMU_LOG" 2>&1
    QEMU_STATUS=$?
    set -e
    case $QEMU_STATUS in
        1) note "QEMU ended by dom0 (isa-debug-exit)" ;;
        124|137) note "QEMU killed after LAB_TIMEOUT=${LAB_TIMEOUT}s" ;;
        *) note "QEMU exited with status $QEMU_STATUS (dom0 did not finish; see $QEMU_LOG)" ;;
    esac
}

record_host_step() { # NAME PASS|FAIL SECONDS DETAILS...
    local line="LABSTEP $1 $2 ${3}s"
    shift 3
    echo "$line $*" | tee -a "$STEPS_FILE"
}

# Xen's own stream checker on a file in the results dir, which the step FROM wrote. A missing file is
# a WARN if FROM reported WARN (the environment kept it from writing one), else a FAIL.
# Usage: verify_stream STEP FILE FROM
verify_stream() {
    local step=$1 file=$RESULTS_DIR/$2 log=$RESULTS_DIR/$1.log t0 rc
    t0=$(clock)
    if [[ ! -s $file ]]; then
        if grep -q "^LABSTEP $3 WARN " <<< "$(step_lines)"; then
            record_host_step "$step" WARN 0 "$2 was not produced: $3 reported WARN"
        else
            record_host_step "$step" FAIL 0 "$2 was not produced"
        fi
        return
    fi
    set +e
    PYTHONPATH=$XEN_LIBEXEC/lib/python timeout 300 \
        python3 "$XEN_LIBEXEC/bin/verify-stream-v2" -v -f xl -i "$file" > "$log" 2>&1
    rc=$?
    set -e
    if [[ $rc -eq 0 ]]; then
        record_host_step "$step" PASS "$(seconds_since "$t0")" "verify-stream-v2 -f xl accepts $2 ($(stat -c %s "$file") bytes)"
    else
        record_host_step "$step" FAIL "$(seconds_since "$t0")" "verify-stream-v2 -f xl rejects $2: $(tail -n 1 "$log")"
    fi
}

# The comparison's streams (compare-METHOD-RUN.bin), each counted by one parser, ours (sonic restore
# --dry-run, the same checks a restore makes), then the table (lib/compare-table.py: medians and ranges)
# into results/compare.txt. The streams are deleted once counted (9 of up to 330 MB each) unless
# LAB_KEEP_STREAMS=1. FAIL if a stream is not a complete, valid stream or a run is missing.
compare_report() {
    local t0 bin name failed="" out=$RESULTS_DIR/compare.txt
    t0=$(clock)
    if [[ ! -s $RESULTS_DIR/compare.tsv ]]; then
        record_host_step compare-report FAIL 0 "no comparison measured (compare.tsv missing: see the compare step)"
        return
    fi
    for bin in "$RESULTS_DIR"/compare-*.bin; do
        [[ -f $bin ]] || continue
        name=${bin%.bin}
        if "$LAB_JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$LAB_DIR/sonic.jar" \
                restore --dry-run "$bin" > "$name.dry-run.txt" 2>&1 &&
            grep -q '^complete stream' "$name.dry-run.txt"; then
            awk -v size="$(stat -c %s "$bin")" '
                /^page types:/ { for (i = 3; i < NF; i += 2) if ($i == "XALLOC" || $i == "XTAB") nodata += $(i + 1) }
                /pages with data/ { for (i = 1; i < NF; i++) if ($(i + 1) == "pages") data = $i }
                END { print data + 0, nodata + 0, size }' "$name.dry-run.txt" > "$name.summary"
        else
            failed+=" ${bin##*/}"
        fi
        [[ ${LAB_KEEP_STREAMS:-0} == 1 ]] || rm -f "$bin"
    done
    if [[ -n $failed ]]; then
        record_host_step compare-report FAIL "$(seconds_since "$t0")" "not a complete stream:$failed (see its .dry-run.txt)"
    elif python3 "$LAB_SRC/lib/compare-table.py" "$RESULTS_DIR" > "$out" 2>&1; then
        record_host_step compare-report PASS "$(seconds_since "$t0")" "$(awk -F' *[|] *' '/against `xl migrate`/ { gsub(/`/, ""); sub(/ against xl migrate.*/, "", $2); printf "%s: pages %s, time %s; ", $2, $3, $5 }' "$out")table in compare.txt"
    else
        record_host_step compare-report FAIL "$(seconds_since "$t0")" "$(tail -n 1 "$out")"
    fi
}

# LABSTEP lines: from the results share, or from the serial log if dom0 never mounted it.
step_lines() {
    if [[ -s $STEPS_FILE ]] && grep -q '^LABSTEP dom0-boot ' "$STEPS_FILE"; then
        grep '^LABSTEP ' "$STEPS_FILE"
    else
        { grep -a '^LABSTEP ' "$SERIAL_LOG" 2>/dev/null | tr -d '\r'; grep -s '^LABSTEP ' "$STEPS_FILE"; } || true
    fi
}

# Expected steps that left no LABSTEP line (dom0 died or the timeout hit before them).
missing_steps() {
    local lines step
    lines=$(step_lines)
    for step in "${EXPECTED_STEPS[@]}"; do
        grep -q "^LABSTEP $step " <<< "$lines" || echo "$step"
    done
}

print_step_table() {
    local step
    printf '\n%-16s %-7s %8s  %s\n' STEP RESULT SECONDS DETAILS
    step_lines | awk '{ d = ""; for (i = 5; i <= NF; i++) d = d " " $i;
                        printf "%-16s %-7s %8s %s\n", $2, $3, $4, d }'
    for step in $(missing_steps); do
        printf '%-16s %-7s %8s  %s\n' "$step" MISSING - "did not run"
    done
}

# True if every expected step reported and no step failed (WARN is not a failure). (No `cmd | grep -q` here: under
# pipefail grep's early exit can fail the pipeline with SIGPIPE and flip the answer.)
all_steps_passed() {
    local lines
    lines=$(step_lines)
    [[ -z $(missing_steps) ]] && ! grep -q '^LABSTEP [^ ]* FAIL ' <<< "$lines"
}

# Boot time as the host saw it: QEMU's wall time minus dom0's uptime at the end gives the time
# before dom0's kernel started (firmware + Xen); dom0-boot adds dom0's own boot.
print_timings() { # INSTALL BUILD QEMU VERIFY TOTAL
    local end_uptime pre_dom0
    end_uptime=$(step_lines | sed -n 's/^LABSTEP shutdown .*dom0 uptime \([0-9.]*\)s.*/\1/p')
    printf '\nhost: install %ss, build %ss, QEMU %ss, verify %ss, total %ss\n' "$@"
    if [[ -n $end_uptime ]]; then
        pre_dom0=$(awk -v w="$3" -v u="$end_uptime" 'BEGIN { printf "%.1f", w - u }')
        printf 'QEMU start to dom0 kernel (firmware + Xen): %ss; dom0 uptime at exit %ss\n' "$pre_dom0" "$end_uptime"
    fi
}

print_failure_context() {
    printf '\nLAB FAILED. Last 60 lines of %s:\n' "$SERIAL_LOG"
    tail -n 60 "$SERIAL_LOG" 2>/dev/null | tr -d '\r' || echo "(no serial log)"
    [[ -s $QEMU_LOG ]] && { echo "--- $QEMU_LOG:"; tail -n 20 "$QEMU_LOG"; }
    return 0
}

main() {
    local t_start t_install t_build t_qemu t_verify
    t_start=$(clock)
    check_settings
    [[ $(id -u) -eq 0 ]] || die "run as root (QEMU's 9p export of / and apt-get need it)"
    [[ ${LAB_SKIP_INSTALL:-0} == 1 ]] || ensure_packages
    t_install=$(seconds_since "$t_start")
    resolve_kernel
    require_jdk_and_jar
    local t0; t0=$(clock)
    prepare_run_dir
    build_images
    t_build=$(seconds_since "$t0")
    note "booting Xen 4.17 + dom0 (kernel $KERNEL_VERSION) under QEMU/TCG; serial log: $SERIAL_LOG"
    t0=$(clock)
    boot_lab
    t_qemu=$(seconds_since "$t0")
    t0=$(clock)
    if [[ $LAB_HVM_ONLY != 1 ]]; then
        verify_stream verify-xlsave pvh128.xlsave xl-save
        verify_stream verify-migrate pvh128.migrate.bin xl-migrate
        verify_stream verify-sonic-save pvh128.sonic.xlsave sonic-save
        verify_stream verify-sonic-migrate pvh128.sonic-migrate.bin sonic-migrate
        verify_stream verify-sonic-soft-save pvh256.sonic-soft.xlsave sonic-soft-save
        verify_stream verify-sonic-soft-migrate compare-sonic-1.bin compare
        compare_report
    fi
    [[ " $LAB_HVM " != *" hvm_xl_save "* ]] || verify_stream verify-hvm-xlsave hvm128.xlsave hvm-xl-save
    [[ " $LAB_HVM " != *" hvm_sonic_save "* ]] || verify_stream verify-hvm-sonic-save hvm128.sonic.xlsave hvm-sonic-save
    [[ " $LAB_HVM " != *" hvm_sonic_migrate "* ]] ||
        verify_stream verify-hvm-sonic-migrate hvm128.sonic-migrate.bin hvm-sonic-migrate
    [[ " $LAB_HVM " != *" hvm_sonic_soft_migrate "* ]] ||
        verify_stream verify-hvm-sonic-soft-migrate hvm256.sonic-soft-migrate.bin hvm-sonic-soft-migrate
    [[ " $LAB_HVM " != *" hvm_nopv_sonic_migrate "* ]] ||
        verify_stream verify-hvm-nopv-sonic-migrate hvm128.nopv.sonic-migrate.bin hvm-nopv-sonic-migrate
    t_verify=$(seconds_since "$t0")
    print_step_table
    print_timings "$t_install" "$t_build" "$t_qemu" "$t_verify" "$(seconds_since "$t_start")"
    if [[ $QEMU_STATUS -eq 1 ]] && all_steps_passed; then
        local warns; warns=$(step_lines | awk '$3 == "WARN" { printf " %s", $2 }')
        [[ -z $warns ]] || printf '\nWARN (environment, not our code; see xen-lab/README.md):%s\n' "$warns"
        if [[ $LAB_HVM_ONLY == 1 ]]; then
            printf '\nLAB PASSED. Streams in %s: hvm*.xlsave, hvm*.bin\n' "$RESULTS_DIR"
        else
            printf '\nLAB PASSED. Streams in %s: pvh128.xlsave, pvh128.migrate.bin (xl), pvh128.sonic.xlsave, pvh128.sonic-migrate.bin (sonic)\n' "$RESULTS_DIR"
        fi
        return 0
    fi
    print_failure_context
    return 1
}

# Sourcing (for a look at the functions) does not start a run.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi

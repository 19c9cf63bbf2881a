# Resolves the lab's settings from the environment and the machine; sourced by run-lab.sh and
# build-images.sh (bash). Every path ends up absolute and is checked once here, because the paths
# travel on QEMU's and the kernel's command lines, where spaces and commas would split them.

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)      # the xen-lab folder
REPO_ROOT=$(cd "$LAB_SRC/.." && pwd)
LAB_DIR=${LAB_DIR:-lab-out}
[[ $LAB_DIR = /* ]] || LAB_DIR=$REPO_ROOT/$LAB_DIR
RESULTS_DIR=$LAB_DIR/results
LAB_TIMEOUT=${LAB_TIMEOUT:-3000}
LAB_JAVA_TIMEOUT=${LAB_JAVA_TIMEOUT:-600}
LAB_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
# JVM options the java-check lines may use as $LAB_JAVA_OPTS: under TCG every JIT compile is
# emulated, so C1 only, the serial GC and no perf-data file start the JVM noticeably faster.
LAB_JAVA_OPTS=${LAB_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData}
# QEMU's CPU model, extra Xen command-line words, and what the guest gets (kernel words appended to
# guest/domu.cfg's extra, vCPUs); for experiments, the lab's defaults are what CI runs.
LAB_QEMU_CPU=${LAB_QEMU_CPU:-qemu64,+npt}
LAB_QEMU_ACCEL=${LAB_QEMU_ACCEL:-tcg}
LAB_XEN_EXTRA=${LAB_XEN_EXTRA:-}
LAB_GUEST_EXTRA=${LAB_GUEST_EXTRA:-}
LAB_GUEST_VCPUS=${LAB_GUEST_VCPUS:-1}
# the guest worth migrating's memory (guest/domu-sonic.cfg.in), and QEMU's (Xen, dom0's 1 GiB and, during
# a migration on this one host, two copies of that guest must fit)
LAB_SONIC_MIB=${LAB_SONIC_MIB:-256}
LAB_QEMU_MIB=${LAB_QEMU_MIB:-2048}
# steps (default): the lab's steps; stress: dom0 runs dom0/stress.sh's plan instead (xen-lab/stress-lab.sh)
LAB_MODE=${LAB_MODE:-steps}
# steps mode: only these steps (names of dom0/steps.sh's step_ functions, e.g. "migrate_migrated"); the
# run then misses the others and fails, so this is for work on a step, never for CI
LAB_STEPS=${LAB_STEPS:-}
# rounds of the comparison step (xl migrate, sonic --soft off, sonic; issue 11)
LAB_COMPARE_RUNS=${LAB_COMPARE_RUNS:-3}
# the HVM steps (issue 14) to run after the others: step names (hvm_xl_save hvm_sonic_save
# hvm_sonic_migrate hvm_sonic_soft_migrate), "all" for every one, empty for none; dom0 then also gets
# what an HVM guest needs (libxl's QEMU device model, hvmloader, SeaBIOS). LAB_HVM_ONLY=1: only those.
LAB_HVM=${LAB_HVM:-}
[[ $LAB_HVM == all ]] && LAB_HVM="hvm_xl_save hvm_sonic_save hvm_sonic_migrate hvm_sonic_soft_migrate hvm_nopv_sonic_migrate"
LAB_HVM_ONLY=${LAB_HVM_ONLY:-0}
LAB_STRESS_PLAN=${LAB_STRESS_PLAN:-save save save save}
LAB_STRESS_SECONDS=${LAB_STRESS_SECONDS:-480}
XEN_GZ=/boot/xen-4.17-amd64.gz
XEN_LIBEXEC=/usr/lib/xen-4.17

die() { echo "run-lab: $*" >&2; exit 2; }

# A path that may travel on a command line: no spaces, commas, quotes or other surprises.
require_plain_path() { # WHAT PATH
    [[ $2 =~ ^[A-Za-z0-9._/+-]+$ ]] || die "$1 '$2' must consist of letters, digits and . _ / + - only"
}

require_seconds() { # NAME VALUE
    [[ $2 =~ ^[1-9][0-9]{0,5}$ ]] || die "$1 must be a whole number of seconds (got '$2')"
}

# The java-checks list: LAB_JAVA_CHECKS names it (relative to the repo root or absolute); unset
# means the lab's own self-test list; set but empty means no checks.
resolve_java_checks() {
    if [[ ! -v LAB_JAVA_CHECKS ]]; then
        JAVA_CHECKS_FILE=$LAB_SRC/checks/self-test.checks
    elif [[ -z $LAB_JAVA_CHECKS ]]; then
        JAVA_CHECKS_FILE=/dev/null
    else
        JAVA_CHECKS_FILE=$LAB_JAVA_CHECKS
        [[ $JAVA_CHECKS_FILE = /* ]] || JAVA_CHECKS_FILE=$REPO_ROOT/$JAVA_CHECKS_FILE
        [[ -f $JAVA_CHECKS_FILE ]] || die "LAB_JAVA_CHECKS names '$LAB_JAVA_CHECKS', which is not a file"
    fi
}

# The newest installed kernel (dom0 and guest run the same one), by version order.
resolve_kernel() {
    local newest
    newest=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
    [[ -n $newest ]] || die "no /boot/vmlinuz-* (is linux-image-amd64 installed?)"
    KERNEL_IMAGE=$newest
    KERNEL_VERSION=${newest#/boot/vmlinuz-}
    [[ -d /lib/modules/$KERNEL_VERSION ]] || die "no /lib/modules/$KERNEL_VERSION for $KERNEL_IMAGE"
}

check_settings() {
    require_plain_path "repository root" "$REPO_ROOT"
    require_plain_path "LAB_DIR" "$LAB_DIR"
    # dom0's chroot of the host mounts its own /tmp, /proc, /sys and /dev over the host's.
    [[ ! $LAB_DIR =~ ^/(tmp|proc|sys|dev)(/|$) ]] ||
        die "LAB_DIR '$LAB_DIR' must not be under /tmp, /proc, /sys or /dev (dom0's chroot hides them)"
    [[ $LAB_COMPARE_RUNS =~ ^[1-9][0-9]?$ ]] || die "LAB_COMPARE_RUNS must be 1..99 (got '$LAB_COMPARE_RUNS')"
    require_seconds LAB_TIMEOUT "$LAB_TIMEOUT"
    require_seconds LAB_JAVA_TIMEOUT "$LAB_JAVA_TIMEOUT"
    [[ $LAB_JAVA_OPTS != *[\'\"\\\$\`]* ]] || die "LAB_JAVA_OPTS must not contain quotes, backslashes, \$ or backticks"
    [[ $LAB_QEMU_CPU =~ ^[A-Za-z0-9_.,+=-]+$ ]] || die "LAB_QEMU_CPU '$LAB_QEMU_CPU' has unexpected characters"
    [[ $LAB_QEMU_ACCEL =~ ^tcg(,[a-z-]+=[a-z0-9]+)*$ ]] || die "LAB_QEMU_ACCEL must be tcg with options (e.g. tcg,thread=single)"
    [[ "$LAB_XEN_EXTRA $LAB_GUEST_EXTRA $LAB_STRESS_PLAN" =~ ^[A-Za-z0-9_.,:=/\ -]*$ ]] ||
        die "LAB_XEN_EXTRA, LAB_GUEST_EXTRA and LAB_STRESS_PLAN may hold letters, digits, spaces and . _ , : = / - only"
    [[ $LAB_GUEST_VCPUS =~ ^[1-4]$ ]] || die "LAB_GUEST_VCPUS must be 1 to 4"
    [[ $LAB_SONIC_MIB =~ ^[1-9][0-9]*$ && $LAB_QEMU_MIB =~ ^[1-9][0-9]*$ ]] ||
        die "LAB_SONIC_MIB and LAB_QEMU_MIB must be numbers of MiB"
    (( LAB_QEMU_MIB >= 1024 + 2 * LAB_SONIC_MIB + 256 )) ||
        die "LAB_QEMU_MIB=$LAB_QEMU_MIB cannot hold dom0's 1024 MiB and two ${LAB_SONIC_MIB} MiB guests (and Xen): give it $((1024 + 2 * LAB_SONIC_MIB + 256)) or more"
    [[ $LAB_MODE == steps || $LAB_MODE == stress ]] || die "LAB_MODE must be steps or stress"
    [[ $LAB_HVM =~ ^(hvm_(xl_save|sonic_save|sonic_migrate|sonic_soft_migrate|nopv_sonic_migrate)( |$))*$ ]] ||
        die "LAB_HVM names HVM steps (hvm_xl_save hvm_sonic_save hvm_sonic_migrate hvm_sonic_soft_migrate hvm_nopv_sonic_migrate) or is all"
    [[ $LAB_HVM_ONLY == 0 || ( $LAB_HVM_ONLY == 1 && -n $LAB_HVM ) ]] || die "LAB_HVM_ONLY=1 needs LAB_HVM"
    [[ $LAB_STEPS =~ ^[a-z_\ ]*$ ]] || die "LAB_STEPS names step functions: lower-case letters, _ and spaces"
    require_seconds LAB_STRESS_SECONDS "$LAB_STRESS_SECONDS"
    resolve_java_checks
}

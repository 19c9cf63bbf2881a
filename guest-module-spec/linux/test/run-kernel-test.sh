#!/bin/bash
# The guest module's real-kernel test: builds sonic_hint.ko against the headers of the installed Debian
# kernel, boots that kernel under QEMU (TCG, no KVM needed) with a small initramfs, and inside the
# guest checks the module's soft sets against /proc/kpageflags under a page-cache, anonymous, mapped
# and dirty workload (see guest-init.sh and sonic-check.c). One boot per case:
#   default       Debian's kernel command line (init_on_alloc on) with a ZONE_MOVABLE: live set, scan
#                 handshake, hold=1 refused, a 20 ms budget, churn, extent encoding, declared period,
#                 memory offlining, memory hot-added through QEMU's monitor (a 256 MiB DIMM)
#   init_on_free  init_on_free=1: only held pages may be published; zone floors, held handshakes while
#                 memory churns, pressure (shrinker; OOM notifier), timeout, rmmod during a handshake
#   page_poison   page_poison=1: zone floors, rmmod during a handshake, with poisoned pages
#   big           init_on_alloc=0, run at 8 GiB by default: both handshake modes alone and while memory
#                 churns, zone floors with a 7.5 GiB ZONE_NORMAL, the idle cost on demand, rmmod during a handshake
# Every guest has 512 MiB below 4 GiB and the rest above, so it has a ZONE_NORMAL beside DMA32 (the
# zone that holding must not starve). Exit status 0 only if every case's guest printed
# "KERNELTEST PASS" and ended QEMU through isa-debug-exit with the pass code.
#
# Run as root from anywhere:   guest-module-spec/linux/test/run-kernel-test.sh
# Environment (all optional):
#   KTEST_TIMEOUT      seconds a 1 GiB case's QEMU may run before it is killed (default 280; a
#                      bigger guest gets KTEST_TIMEOUT_PER_GIB more per GiB, default 60)
#   KTEST_CASES        which cases to boot, each CASE or CASE@MiB (guest memory of that boot)
#                                      (default "default init_on_free page_poison big@8192")
#   KTEST_MEM_MIB      guest memory of a case without @MiB                 (default 1024)
#   KTEST_SKIP_INSTALL 1: do not check or install Debian packages
#   KTEST_BUILD_DIR    where builds and logs go                 (default guest-module-spec/linux/build)
#   KTEST_DATA_MIB, KTEST_ANON_MIB, KTEST_MAP_MIB, KTEST_DIRTY_MIB, KTEST_ROUNDS: the workload (build.sh)
# Results: each guest's serial log in $KTEST_BUILD_DIR/serial-CASE.log; the KERNELTEST lines on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"

PACKAGES=(linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static cpio gcc libc6-dev make
          kmod e2fsprogs python3-minimal)
KTEST_TIMEOUT=${KTEST_TIMEOUT:-280}
KTEST_TIMEOUT_PER_GIB=${KTEST_TIMEOUT_PER_GIB:-60}
KTEST_MEM_MIB=${KTEST_MEM_MIB:-1024}
KTEST_CASES=${KTEST_CASES:-default init_on_free page_poison big@8192}

clock() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }

# Installs whatever of PACKAGES is missing (one apt-get update, only if something is missing).
ensure_packages() {
    local pkg missing=()
    for pkg in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    note "installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Memory hot-add (the default case): QEMU gets DIMM slots and an HMP monitor on a Unix socket; when the
# guest prints KTEST-HOTPLUG-READY, hotplug_helper plugs a 256 MiB DIMM through the monitor.
HOTPLUG_MIB=256
hotplug_qemu_opts() { # CASE MEM_MIB: the -m value and monitor options of this case
    if [[ $1 == default ]]; then
        HOTPLUG_SOCK=$BUILD_DIR/hmp-$1.sock
        rm -f "$HOTPLUG_SOCK"
        QEMU_MEM_OPTS=(-m "$2,slots=2,maxmem=$(($2 + 2 * HOTPLUG_MIB))M" -monitor "unix:$HOTPLUG_SOCK,server=on,wait=off")
    else
        HOTPLUG_SOCK=
        QEMU_MEM_OPTS=(-m "$2")
    fi
}

hotplug_helper() { # SERIAL_LOG SOCKET LIMIT_S: waits for the guest's marker, then plugs the DIMM
    local log=$BUILD_DIR/hmp-default.log
    for _ in $(seq 1 $(($3 * 2))); do
        grep -aq '^KTEST-HOTPLUG-READY' "$1" 2>/dev/null && break
        sleep 0.5
    done
    grep -aq '^KTEST-HOTPLUG-READY' "$1" 2>/dev/null || return 0
    /usr/bin/python3 - "$2" "$HOTPLUG_MIB" > "$log" 2>&1 <<'PY'
import socket, sys, time
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
sock.settimeout(5)
def until_prompt():
    out = b""
    while not out.endswith(b"(qemu) "):
        out += sock.recv(4096)
    return out.decode(errors="replace")
until_prompt()
for cmd in ("object_add memory-backend-ram,id=hp0,size=%sM" % sys.argv[2], "device_add pc-dimm,id=dimm0,memdev=hp0"):
    sock.sendall((cmd + "\n").encode())
    print(until_prompt())
PY
}

# QEMU's status: 1 = the guest passed (isa-debug-exit 0), 3 = it failed (isa-debug-exit 1),
# 124/137 = timeout, 0 = the guest rebooted or panicked (panic=-1, -no-reboot).
boot_guest() { # CASE MEM_MIB
    local extra limit=$((KTEST_TIMEOUT + ($2 > 1024 ? ($2 - 1024) * KTEST_TIMEOUT_PER_GIB / 1024 : 0)))
    case $1 in
        # nokaslr: a randomly placed kernel image (reserved pages) could land in ZONE_MOVABLE,
        # whose blocks the hotplug check offlines. A quarter of memory: early boot allocations (the
        # memmap, 16 MiB per GiB) come from the top, i.e. from ZONE_MOVABLE, and a block holding
        # them cannot go offline; 256 MiB leaves free blocks at 1 GiB but none at 8 GiB.
        default) extra="movablecore=$(($2 / 4))M nokaslr" ;;
        init_on_free) extra="init_on_free=1" ;;
        page_poison) extra="page_poison=1" ;;
        big) extra="init_on_alloc=0" ;;
        *) die "unknown case '$1' (default, init_on_free, page_poison, big)" ;;
    esac
    SERIAL_LOG=$BUILD_DIR/serial-$1-$2M.log
    QEMU_LIMIT=$limit
    hotplug_qemu_opts "$1" "$2"
    : > "$SERIAL_LOG"
    local helper=
    if [[ -n $HOTPLUG_SOCK ]]; then
        hotplug_helper "$SERIAL_LOG" "$HOTPLUG_SOCK" "$limit" &
        helper=$!
    fi
    set +e
    timeout -k 10 "$limit" qemu-system-x86_64 \
        -accel tcg -cpu max -smp 2 "${QEMU_MEM_OPTS[@]}" -machine pc,max-ram-below-4g=512M \
        -nodefaults -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$KERNEL_IMAGE" -initrd "$BUILD_DIR/initramfs.cpio.gz" \
        -append "console=ttyS0 loglevel=4 rdinit=/init panic=-1 sonic_case=$1 $extra" \
        -drive "file=$BUILD_DIR/disk.img,if=virtio,format=raw,snapshot=on" \
        < /dev/null 2>&1 | stdbuf -o0 tr -d '\r' | tee "$SERIAL_LOG"
    QEMU_STATUS=${PIPESTATUS[0]}
    [[ -n $helper ]] && { kill "$helper" 2>/dev/null; wait "$helper" 2>/dev/null; }
    set -e
}

# Boots one case; appends its KERNELTEST line to LINES and returns 1 if it did not pass.
run_case() { # CASE[@MEM_MIB]
    local t0 t_qemu line mem=$KTEST_MEM_MIB name=${1%@*}
    [[ $1 == *@* ]] && mem=${1#*@}
    [[ $mem =~ ^[0-9]+$ && $mem -ge 1024 ]] || die "case '$1': guest memory must be at least 1024 MiB"
    set -- "$name" "$mem"
    note "case $1: booting $KERNEL_IMAGE ($KVER) under QEMU/TCG with $2 MiB"
    t0=$(clock)
    boot_guest "$1" "$2"
    t_qemu=$(seconds_since "$t0")
    line=$(grep -a '^KERNELTEST ' "$SERIAL_LOG" | tail -n 1 || true)
    echo
    grep -a '^RESULT ' "$SERIAL_LOG" || true
    note "case $1: QEMU ${t_qemu}s (status $QEMU_STATUS), serial log $SERIAL_LOG"
    if [[ $QEMU_STATUS -eq 1 && $line == "KERNELTEST PASS "* ]]; then
        LINES+=("$line mem_mib=$2 qemu_s=$t_qemu")
        return 0
    fi
    case $QEMU_STATUS in
        124|137) line=${line:-"KERNELTEST FAIL case=$1 reason=timeout after ${QEMU_LIMIT}s"} ;;
        0) line=${line:-"KERNELTEST FAIL case=$1 reason=guest rebooted or panicked"} ;;
    esac
    LINES+=("${line:-KERNELTEST FAIL case=$1 reason=no result (QEMU status $QEMU_STATUS)}")
    return 1
}

main() {
    local t_start t_install t_build c failed=0
    LINES=()
    t_start=$(clock)
    [[ $(id -u) -eq 0 ]] || die "run as root (apt-get, mknod for the initramfs)"
    [[ ${KTEST_SKIP_INSTALL:-0} == 1 ]] || ensure_packages
    t_install=$(seconds_since "$t_start")
    resolve_kernel
    local t0; t0=$(clock)
    build_all
    t_build=$(seconds_since "$t0")
    for c in $KTEST_CASES; do
        run_case "$c" || failed=1
    done
    printf 'host: install %ss, build %ss, total %ss\n' "$t_install" "$t_build" "$(seconds_since "$t_start")"
    printf '%s\n' "${LINES[@]}"
    return $failed
}

main "$@"

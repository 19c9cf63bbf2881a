#!/bin/sh
# PID 1 of the kernel-test guest. Loads sonic_hint.ko into the Debian kernel it runs on, builds a
# page-cache / anonymous / dirty / mapped workload, runs sonic-check against /proc/kpageflags, prints
# one KERNELTEST line, and ends QEMU through isa-debug-exit (status 1 = pass, 3 = fail).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
. /test/config.env

RESULTS=/tmp/results

say() { echo "guest: [$(cut -d' ' -f1 /proc/uptime)s] $*"; }

# isa-debug-exit at port 0xf4: QEMU exits with (value << 1) | 1.
leave() { # 0 = pass, 1 = fail
    sync
    if [ "$1" = 0 ]; then printf '\000'; else printf '\001'; fi | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
    sleep 5
    poweroff -f
}

abort() {
    say "ABORT: $*"
    echo "KERNELTEST FAIL reason=\"$*\""
    leave 1
}

mount_filesystems() {
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mount -t devtmpfs devtmpfs /dev
    mount -t debugfs debugfs /sys/kernel/debug
    mkdir -p /tmp /mnt
}

load_disk_modules() {
    local m
    while read -r m; do
        insmod "$m" 2>/dev/null || say "insmod $(basename "$m") failed (continuing)"
    done < /test/modules.list
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && return 0; sleep 1; done
    abort "no /dev/vda after loading the virtio modules"
}

# Runs one sonic-check step, keeping its RESULT line.
check() {
    say "sonic-check $*"
    /test/sonic-check "$@" > /tmp/check.out 2>&1
    local rc=$?
    cat /tmp/check.out
    if grep -q '^RESULT ' /tmp/check.out; then
        grep '^RESULT ' /tmp/check.out >> "$RESULTS"
    else
        echo "RESULT $1 FAIL crashed rc=$rc" >> "$RESULTS"
    fi
}

# value of key=... in the RESULT line of a check (empty if absent)
field() { # CHECK KEY
    sed -n "s/^RESULT $1 [A-Z]* .*[ ]$2=\([^ ]*\).*/\1/p" "$RESULTS" | head -n 1
}

# The case this boot runs, from the kernel command line (run-kernel-test.sh sets it).
boot_case() {
    sed -n 's/.*sonic_case=\([a-z_]*\).*/\1/p' /proc/cmdline
}

summarize() { # EXPECTED_CHECKS
    local total passed violations=0 v status=PASS oops
    total=$(grep -c '^RESULT ' "$RESULTS")
    passed=$(grep -c '^RESULT [^ ]* PASS' "$RESULTS")
    for v in $(grep -oE ' (violations|bad_held|starved_zones)=[0-9]+' "$RESULTS" | cut -d= -f2); do
        violations=$((violations + v))
    done
    # the unsigned module's taint notice is expected; anything else of this kind is not
    oops=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|invoked oom-killer|sonic_hint.*(failed|error)' |
        grep -vc 'module verification failed')
    [ "$total" = "$1" ] && [ "$passed" = "$total" ] && [ "$violations" = 0 ] && [ "$oops" = 0 ] || status=FAIL
    echo "KERNELTEST $status case=$CASE checks=$passed/$total violations=$violations kernel_warnings=$oops" \
        "free_dev=$(field live free_dev) cache_dev=$(field live cache_dev)" \
        "races=$(field live races)+$(field live kraces) scan_ms=$(field live scan_ms)" \
        "scan_ms_per_gib=$(field live scan_ms_per_gib)" \
        "held=$(field handshake-held held) dropped_dev=$(field handshake-held dev)" \
        "scan_final=$(field handshake-scan final) scan_final_dev=$(field handshake-scan dev)" \
        "extents_live=$(field extents live_count)" \
        "pressure_back=$(field pressure given_back_shrinker)+$(field pressure given_back_oom)" \
        "hs_ms=scan:$(field handshake-scan hs_ms),held:$(field handshake-held hs_ms)" \
        "churn_worst_s=scan:$(field churn worst_request_s),held:$(field churn-held worst_request_s)" \
        "idle_cpu_ms_per_s_per_gib=$(field period cpu_ms_per_s_per_gib)" \
        "hotadd_pfns=$(field hotadd pfn_count) hotadd_grow_us=$(field hotadd grow_us)" \
        "oom_back=$(field pressure-oom given_back_oom) oom_alloc_s=$(field pressure-oom alloc_s)" \
        "$(ondemand_fields)"
    [ "$status" = PASS ]
}

# scan_cpu_pct=100: the checks want a 100 ms period, which the module would stretch under TCG;
# publish=periodic: they watch the live set being republished without a dom0 to ask for it.
load() { # ARGS...
    insmod /test/sonic_hint.ko publish=periodic period_ms=100 scan_cpu_pct=100 budget_ms=$BUDGET_MS "$@" ||
        abort "insmod sonic_hint.ko $* failed"
    dmesg | grep 'sonic_hint:' | tail -n 2
}

unload() {
    rmmod sonic_hint || abort "rmmod sonic_hint failed"
}

# Debian's own configuration (init_on_alloc on): the live set, the scan handshake, handshakes while
# memory churns, hold=1 refused, a handshake answering in time when dropping the cache takes longer
# than its budget, the extent encoding, the declared period, memory offlining, memory hot-added through
# QEMU. Auto mode does not hold here.
case_default() {
    load
    check live "$ROUNDS" "$MIN_CACHE_MIB"
    check refuse
    dmesg | grep -q 'sonic_hint: hold=1 refused: init_on_alloc is on' ||
        echo "RESULT refuse-message FAIL no refusal message in dmesg" >> "$RESULTS"
    check handshake scan 0
    say "reading the data file into the page cache again"
    cat /mnt/data.bin > /dev/null
    check budget "$MIN_CACHE_MIB"
    check churn scan "$HOG_PID" /mnt/data.bin 3
    unload
    say "reloading with a 12 KiB area budget (extent lists)"
    cat /mnt/data.bin > /dev/null
    load area_budget_kb=12
    check extents "$MIN_CACHE_MIB"
    unload
    say "reloading with the default period and CPU share, publishing periodically (ABI 1.0 behaviour)"
    insmod /test/sonic_hint.ko publish=periodic budget_ms=$BUDGET_MS || abort "insmod sonic_hint.ko publish=periodic failed"
    dmesg | grep 'sonic_hint:' | tail -n 1
    check period
    unload
    check_on_demand
    load
    check_hotplug
    check_hotadd
    unload
    EXPECTED=12
}

# The module's defaults (publish=on-demand): no scan while no lease is live, a lease publishes within
# one declared period and expires, 0 ends it; the idle cost against the cost under a lease.
check_on_demand() {
    say "reloading with every default (publish=on-demand)"
    insmod /test/sonic_hint.ko budget_ms=$BUDGET_MS || abort "insmod sonic_hint.ko with defaults failed"
    dmesg | grep 'sonic_hint:' | tail -n 1
    check ondemand
    unload
}

# The on-demand figures for the KERNELTEST line (empty in cases that do not run the check).
ondemand_fields() {
    echo "ondemand_idle_scans_per_s=$(field ondemand idle_scans_per_s)" \
        "ondemand_idle_cpu_ms_per_s_per_gib=$(field ondemand idle_cpu_ms_per_s_per_gib)" \
        "ondemand_lease_scans_per_s=$(field ondemand lease_scans_per_s)" \
        "ondemand_lease_cpu_ms_per_s_per_gib=$(field ondemand lease_cpu_ms_per_s_per_gib)" \
        "ondemand_first_pub_s=$(field ondemand first_pub_s) scan_ms_per_ram_gib=$(field ondemand scan_ms_per_ram_gib)"
}

# A kernel that relies on the content of free pages (init_on_free=1 or page_poison=1): only held pages
# may be published (SPEC 5, F3), even with hold=0. Holding must not starve a zone and unloading in
# the middle of a handshake is clean; "full" (one held case does them for both) also checks the live
# set, held handshakes while memory churns, held pages going back under pressure (through the shrinker,
# and through the OOM notifier with the shrinker off) and the hold timeout.
case_held() { # full|short
    load
    [ "$1" = full ] && check live 1 "$MIN_CACHE_MIB"
    check handshake held "$MIN_CACHE_MIB"
    if [ "$1" = full ]; then
        check churn held "$HOG_PID" /mnt/data.bin 3
        say "reading the data file into the page cache again"
        cat /mnt/data.bin > /dev/null
        check pressure shrinker
        check_oom_notifier
    fi
    unload
    if [ "$1" = full ]; then
        say "reloading with a 1.5 s hold timeout"
        load hold_timeout_ms=1500
        check timeout
        unload
    fi
    check_rmmod_during_handshake
    EXPECTED=2
    [ "$1" = full ] && EXPECTED=7
}

# The big guest (8 GiB in CI: DMA32 512 MiB, ZONE_NORMAL 7.5 GiB) booted with init_on_alloc=0, the
# one configuration where both handshake modes run in one boot (holding writes nothing and F3 does
# not force it): scan and held handshakes, each alone and while memory churns, every zone above its
# high watermark while held, rmmod during a held handshake, and the idle cost on demand at this size.
# Not the pressure check: allocating 6 GiB under TCG takes 1-3 min (measured by hand at 8 GiB, in CI at
# 1 GiB by init_on_free).
case_big() {
    load
    check handshake scan 0
    check churn scan "$HOG_PID" /mnt/data.bin 3
    say "reading the data file into the page cache again"
    cat /mnt/data.bin > /dev/null
    check handshake held "$MIN_CACHE_MIB"
    check churn held "$HOG_PID" /mnt/data.bin 3
    unload
    check_on_demand
    check_rmmod_during_handshake
    EXPECTED=6
}

# Memory blocks of ZONE_MOVABLE (movablecore= on the command line) go offline and online again while
# scans and handshakes run in a loop: the walks must neither touch offline memory nor stall offlining
# for good, nor may the kernel warn. With one block offline, the live set is checked against
# kpageflags (offline pages are holes there, so a soft report of one is a violation).
check_hotplug() {
    local b blocks="" offlined=0 onlined=0 scans hs pids good=""
    for b in /sys/devices/system/memory/memory*; do
        grep -q Movable "$b/valid_zones" 2>/dev/null && [ "$(cat "$b/state")" = online ] && blocks="$blocks $b"
    done
    if [ -z "$blocks" ]; then
        echo "RESULT hotplug FAIL no online ZONE_MOVABLE memory block (movablecore= missing?)" >> "$RESULTS"
        return
    fi
    rm -f /tmp/stop
    (n=0; while [ ! -e /tmp/stop ]; do echo 1 > /sys/kernel/debug/sonic_hint/scan; n=$((n + 1)); done; echo $n > /tmp/scans) &
    pids=$!
    (n=0; while [ ! -e /tmp/stop ]; do
        echo 1 > /sys/kernel/debug/sonic_hint/request; echo 1 > /sys/kernel/debug/sonic_hint/release; n=$((n + 1))
    done; echo $n > /tmp/handshakes) &
    pids="$pids $!"
    for _ in 1 2 3; do
        for b in $blocks; do
            echo offline > "$b/state" 2>/dev/null && offlined=$((offlined + 1)) && good=$b
            [ "$(cat "$b/state")" = offline ] && echo online > "$b/state" && onlined=$((onlined + 1))
        done
    done
    touch /tmp/stop
    wait $pids # not a bare wait: the workload process never ends
    scans=$(cat /tmp/scans) hs=$(cat /tmp/handshakes)
    say "hotplug: $offlined offline and $onlined online transitions of$blocks during $scans scans and $hs handshakes"
    # one block (not every one can go: some hold reserved pages) offline while the live set is checked
    if [ -n "$good" ]; then
        for _ in 1 2 3; do echo offline > "$good/state" 2>/dev/null && break; sleep 1; done
        check live 1 0
        echo online > "$good/state"
    fi
    if [ "$offlined" -ge 1 ] && [ "$onlined" = "$offlined" ] && [ "$scans" -ge 1 ] && [ "$hs" -ge 1 ]; then
        echo "RESULT hotplug PASS offline=$offlined online=$onlined scans=$scans handshakes=$hs" >> "$RESULTS"
    else
        echo "RESULT hotplug FAIL offline=$offlined online=$onlined scans=$scans handshakes=$hs" >> "$RESULTS"
    fi
}

stat_value() { # KEY of debugfs stats
    awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/sonic_hint/stats
}

# Memory hot-added through QEMU: the host (run-kernel-test.sh) plugs a 256 MiB DIMM when this prints
# KTEST-HOTPLUG-READY, ACPI announces it, and this onlines its blocks (Debian's kernel leaves added
# memory offline). A handshake is left in FINAL_READY first: the module must defer rebuilding its area
# until the handshake is released (grow_pending, same pfn_count), and rebuild right after. Then
# sonic-check hotadd: pfn_count covers the new memory, the live and final sets list its free pages.
check_hotadd() {
    local dbg=/sys/kernel/debug/sonic_hint old b n end=0 bs added="" deferred=FAIL
    old=$(stat_value pfn_count)
    bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes) / 4096))
    ls /sys/devices/system/memory | grep '^memory[0-9]' | sort > /tmp/blocks.before
    echo 1 > $dbg/request
    echo "KTEST-HOTPLUG-READY"
    for _ in $(seq 1 60); do
        ls /sys/devices/system/memory | grep '^memory[0-9]' | sort > /tmp/blocks.after
        added=$(grep -vxF -f /tmp/blocks.before /tmp/blocks.after)
        [ -n "$added" ] && break
        usleep 500000
    done
    if [ -z "$added" ]; then
        echo "RESULT hotadd FAIL no memory block appeared within 30 s of KTEST-HOTPLUG-READY" >> "$RESULTS"
        return
    fi
    usleep 500000 # every block of the DIMM
    ls /sys/devices/system/memory | grep '^memory[0-9]' | sort > /tmp/blocks.after
    added=$(grep -vxF -f /tmp/blocks.before /tmp/blocks.after)
    for b in $added; do
        echo online > /sys/devices/system/memory/$b/state || say "could not online $b"
        n=${b#memory}
        [ $(((n + 1) * bs)) -gt "$end" ] && end=$(((n + 1) * bs))
    done
    say "added and onlined:" $added "(up to PFN $((end - 1))); MemTotal $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo) kB"
    sleep 2
    say "while the handshake is in FINAL_READY: pfn_count $(stat_value pfn_count) (was $old), grow_pending $(stat_value grow_pending), grow_deferrals $(stat_value grow_deferrals)"
    [ "$(stat_value pfn_count)" = "$old" ] && [ "$(stat_value grow_pending)" = 1 ] && [ "$(stat_value grow_deferrals)" -ge 1 ] && deferred=PASS
    echo 1 > $dbg/release
    for _ in $(seq 1 40); do [ "$(stat_value grows)" -ge 1 ] && break; usleep 250000; done
    echo "RESULT hotadd-deferred $deferred pfn_count_while_held=$old grows=$(stat_value grows) grow_deferrals=$(stat_value grow_deferrals)" >> "$RESULTS"
    dmesg | grep 'sonic_hint: memory added' | tail -n 1
    [ "$(stat -c %s $dbg/area)" = $(($(stat_value area_pages) * 4096)) ] ||
        echo "RESULT hotadd-size FAIL debugfs area is $(stat -c %s $dbg/area) bytes, the area $(stat_value area_pages) pages" >> "$RESULTS"
    check hotadd "$old" "$end"
}

# The OOM notifier, the last resort: with the shrinker off (test-only knob) a process allocates more
# than is free; reclaim cannot help, the kernel enters out_of_memory(), the notifier gives back every
# held page, and out_of_memory() returns without killing. The kernel-log check (no "invoked
# oom-killer") and sonic-check (oom_kill counter, the process's exit) both see that nothing was killed.
check_oom_notifier() {
    check pressure oom
    dmesg | grep -q 'sonic_hint: out of memory: gave back all' ||
        echo "RESULT oom-message FAIL no 'out of memory: gave back all' line from the OOM notifier in dmesg" >> "$RESULTS"
}

memfree_kb() {
    awk '$1 == "MemFree:" { print $2 }' /proc/meminfo
}

# Unloading while a handshake holds pages (started the way dom0's event starts one, so no open file
# pins the module): rmmod waits for the handshake and the drop, gives every held page back, and the
# kernel stays quiet. MemFree afterwards must not be lower than before (the handshake only frees).
check_rmmod_during_handshake() {
    local f0 f1 t0 t1 rc
    cat /mnt/data.bin > /dev/null
    load
    f0=$(memfree_kb)
    echo 1 > /sys/kernel/debug/sonic_hint/request_async
    usleep 300000
    t0=$(cut -d' ' -f1 /proc/uptime)
    rmmod sonic_hint
    rc=$?
    t1=$(cut -d' ' -f1 /proc/uptime)
    f1=$(memfree_kb)
    say "rmmod during a handshake: status $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s; MemFree $f0 -> $f1 kB"
    if [ "$rc" = 0 ] && [ ! -d /sys/module/sonic_hint ] && [ "$f1" -ge $((f0 - 8192)) ]; then
        echo "RESULT rmmod-busy PASS rmmod=$rc memfree_kb=$f0->$f1" >> "$RESULTS"
    else
        echo "RESULT rmmod-busy FAIL rmmod=$rc memfree_kb=$f0->$f1" >> "$RESULTS"
    fi
}

main() {
    mount_filesystems
    exec < /dev/null > /dev/console 2>&1
    CASE=$(boot_case)
    say "kernel $(uname -r), case ${CASE:-none}, $(grep MemTotal /proc/meminfo); $(cat /proc/cmdline)"
    : > "$RESULTS"
    load_disk_modules
    mount -t ext4 /dev/vda /mnt || abort "cannot mount the data disk"
    # Dirty pages must stay dirty for the whole test: no periodic or age-based writeback.
    echo 0 > /proc/sys/vm/dirty_writeback_centisecs
    echo 360000 > /proc/sys/vm/dirty_expire_centisecs

    say "reading ${DATA_MIB} MiB into the page cache"
    cat /mnt/data.bin > /dev/null
    say "touching ${ANON_MIB} MiB of anonymous memory; mapping every other page of the file's first" \
        "${MAP_MIB} MiB, overwriting (no sync) every other page of the next ${DIRTY_MIB} MiB"
    /test/sonic-check hog "$ANON_MIB" /mnt/data.bin "$MAP_MIB" "$DIRTY_MIB" > /tmp/hog.out 2>&1 &
    HOG_PID=$!
    for _ in $(seq 1 120); do grep -q READY /tmp/hog.out && break; sleep 1; done
    grep -q READY /tmp/hog.out || abort "the memory hog did not get ready: $(cat /tmp/hog.out)"
    cat /tmp/hog.out
    grep -E 'MemFree|^Cached|Dirty|AnonPages|Mapped' /proc/meminfo
    awk '/^Node/ { z = $4 } $1 == "managed" && $2 > 0 { printf "zone %s managed %d pages\n", z, $2 }' /proc/zoneinfo

    case $CASE in
        default) case_default ;;
        init_on_free) case_held full ;;
        page_poison) case_held short ;;
        big) case_big ;;
        *) abort "unknown case '$CASE' (sonic_case= on the kernel command line)" ;;
    esac

    dmesg | grep -E 'sonic_hint|BUG:|WARNING:|Oops|Call Trace|oom' | tail -n 20
    echo "--- results"
    cat "$RESULTS"
    if summarize "$EXPECTED"; then leave 0; else leave 1; fi
}

main

# The lab's steps, run in order by /init. Each records exactly one LABSTEP line (java-checks also
# one line per command): PASS, FAIL, or WARN when the environment (not the project's code) kept the
# step from showing anything (see run_guest_step).
#
# Steps do not cascade: every step that needs a guest starts from one it knows is running, in the
# state it needs: a fresh guest (never saved, restored or migrated; ensure_fresh_guest), except
# migrate-migrated, which is about a migrated guest and makes one if the step before left none.
# A guest under this lab's TCG-emulated CPU can die of a fault that is not the project's (xen-lab/
# README.md, "Guests that die under the emulated CPU"), fresh or restored: no step depends on
# another's guest, only migrate-migrated on a restored one, and a step whose guest died that way
# tries once more.

# Kernel modules for the toolstack, for 9p, xenfs and the two 9p shares, and for the guest disk (loop, xen-blkback).
step_dom0_boot() {
    local m missing=""
    for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs virtio_pci 9pnet_virtio 9p xen-blkback loop; do
        modprobe "$m" || missing="$missing $m"
    done
    mkdir -p /proc/xen "$HOSTROOT" "$RESULTS"
    mount -t xenfs xenfs /proc/xen || missing="$missing xenfs-mount"
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro host "$HOSTROOT" ||
        missing="$missing host-share"
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "$RESULTS" ||
        missing="$missing results-share"
    if [ -z "$missing" ] && ! prepare_host_chroot; then missing="host-chroot"; fi
    if [ -z "$missing" ] && [ -c /dev/xen/privcmd ]; then
        labstep dom0-boot PASS "$(now)" "dom0 userspace at ${DOM0_INIT_AT}s; xenfs, 9p shares and host chroot ready"
    else
        labstep dom0-boot FAIL "$(now)" "missing:$missing"
        return 1
    fi
}

# xenstored, dom0's own xenstore entries, and the console daemon that logs guest consoles.
step_toolstack() {
    local t0; t0=$(now)
    mkdir -p /var/run/xen /var/lib/xen /var/lib/xenstored /var/log/xen "$CONSOLE_LOGS"
    if xenstored --pid-file /var/run/xenstored.pid &&
        timeout 60 xen-init-dom0 &&
        xenconsoled --pid-file=/var/run/xenconsoled.pid --log=guest --log-dir="$CONSOLE_LOGS" &&
        timeout 60 xl info > "$RESULTS/xl-info.txt" 2>&1; then
        labstep toolstack PASS "$(since "$t0")" "xen $(sed -n 's/^xen_version *: *//p' "$RESULTS/xl-info.txt"), $(sed -n 's/^virt_caps *: *//p' "$RESULTS/xl-info.txt")"
    else
        labstep toolstack FAIL "$(since "$t0")" "xenstored/xen-init-dom0/xenconsoled/xl info failed"
        return 1
    fi
}

# --- guests for the steps -------------------------------------------------------------------

GUEST_FRESH=0       # 1 while the running guest is one fresh_guest made and nothing suspended it
GUEST_CFG=          # the configuration it was made from
GUEST_MIGRATED=0    # 1 while the running guest is one a live migration made (for migrate-migrated)
SONIC_CFG=/lab/domu-sonic.cfg   # the guest worth migrating: sonic_hint.ko, a disk, 256 MiB
# Seconds to wait for the memory check's first report after a resume (it re-reads the disk's files,
# which the guest dropped from its cache if soft pages were skipped).
MEMCHECK_WAIT=300
# How long dom0 waits for the guest's final soft set: under TCG the guest runs its handshake about 20
# times slower than on hardware (the kernel test's budget is 60 s for the same reason); the guest's own
# budget (1.5 s of its time) still bounds what it does.
HANDSHAKE_TIMEOUT=30s

# A fresh, running guest from CONFIG (default /lab/domu.cfg): the one there is if it is fresh, alive
# and from the same configuration, else a new one. Sets GUEST_NOTE. Usage: ensure_fresh_guest STEP [CONFIG]
ensure_fresh_guest() {
    local cfg=${2:-/lab/domu.cfg}
    GUEST_MIGRATED=0
    if [ "$GUEST_FRESH" = 1 ] && [ "$GUEST_CFG" = "$cfg" ] && guest_alive; then
        GUEST_NOTE="fresh domid=$(guest_domid) (kept)"
        return 0
    fi
    GUEST_FRESH=0
    fresh_guest "$1" "$cfg" || return 1
    GUEST_FRESH=1
    GUEST_CFG=$cfg
}

# Evidence from a dead guest (on_crash/on_reboot = "preserve" keep it): every vCPU's registers and
# stack (xenctx), Xen's saved HVM context (xen-hvmctx), to results/fault-NAME-dDOMID.txt. The RIPs
# are named with dom0's /proc/kallsyms (dom0 runs the guest's kernel; neither is relocated).
dump_dead_guest() { # NAME
    local domid out; domid=$(guest_domid)
    [ -n "$domid" ] || return 0
    out="$RESULTS/fault-$1-d$domid.txt"
    {
        echo "== xl list"; xl list
        echo "== xenctx -a -C -S $domid"
        in_host "$domid" 60 "$LAB_XEN_BIN/xenctx -a -C -S $domid"
        echo "== xen-hvmctx $domid"
        in_host "$domid" 60 "$LAB_XEN_BIN/xen-hvmctx $domid"
    } > "$out" 2>&1
    [ -s "$RESULTS/kallsyms.txt" ] || grep ' [tT] ' /proc/kallsyms > "$RESULTS/kallsyms.txt"
}

# Runs a step whose attempts need a guest. ATTEMPT N prepares its own guest and sets STEP_DETAIL;
# it returns 0 if the step passed. A failed attempt during which a guest died of the environment's
# fault (env_faults_since: Xen logged a triple fault, or the guest kernel the same fault's oops)
# failed for the environment's reason (xen-lab/README.md): the dead guest is dumped and the step
# tries once more from a fresh guest. If that fails the same way, the step records ON_ENV: WARN for
# the steps of Xen's toolstack (what they prove could not be shown, nothing of ours is at stake),
# FAIL for the steps of our code (never a pass without our code having run on a live guest).
# A failure without those signs is always FAIL.
# Usage: run_guest_step NAME ATTEMPT WARN|FAIL
run_guest_step() {
    local name=$1 attempt=$2 on_env=$3 t0 mark faults n=1 notes=""
    t0=$(now)
    while :; do
        STEP_DETAIL=""
        mark=$(xen_log_mark)
        if "$attempt" "$n"; then
            labstep "$name" PASS "$(since "$t0")" "$STEP_DETAIL${notes:+ [$notes]}"
            return 0
        fi
        faults=$(env_faults_since "$mark")
        if [ -z "$faults" ]; then
            labstep "$name" FAIL "$(since "$t0")" "$STEP_DETAIL${notes:+ [$notes]}"
            return 1
        fi
        dump_dead_guest "$name-$n"
        GUEST_FRESH=0
        notes="${notes:+$notes; }attempt $n: environment: ${faults}($STEP_DETAIL)"
        if [ "$n" -ge 2 ]; then
            labstep "$name" "$on_env" "$(since "$t0")" "a guest died of the environment's fault in both attempts (see xen-lab/README.md): $notes"
            [ "$on_env" = WARN ]
            return
        fi
        n=$((n + 1))
    done
}

# The PVH guest; passes once it prints its first heartbeat. A guest the emulated CPU kills while it
# boots (seen once: a fresh guest's triple fault 22 s in, before its first heartbeat) is the
# environment's, as in every other step: one more try, then WARN (xl create is Xen's toolstack).
attempt_guest_create() {
    ensure_fresh_guest guest-create || { STEP_DETAIL=$GUEST_NOTE; return 1; }
    STEP_DETAIL="$GUEST_NOTE heartbeat=$(last_heartbeat)"
}
step_guest_create() { run_guest_step guest-create attempt_guest_create WARN; }

# Native baseline: the C probe, run with the host's libraries in the host chroot.
attempt_logdirty() {
    local domid
    ensure_fresh_guest logdirty || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    domid=$(guest_domid)
    if in_host "$domid" 120 "'$LAB_PROBE' $domid" > "$RESULTS/xen-probe.log" 2>&1 && guest_alive; then
        STEP_DETAIL="$(grep 'logdirty sees writes' "$RESULTS/xen-probe.log" | sed 's/.*ok *//') ($GUEST_NOTE)"
    else
        STEP_DETAIL="$(grep -m1 FAIL "$RESULTS/xen-probe.log") alive=$(guest_alive && echo yes || echo no) ($GUEST_NOTE)"
        return 1
    fi
}
step_logdirty() { run_guest_step logdirty attempt_logdirty WARN; }

# xl save of a fresh guest to tmpfs (straight onto 9p it fails with EFAULT), copy to the results
# share, xl restore, and new heartbeats: the restored guest runs on.
attempt_xl_save() {
    local t0 ts tc tr beat save=/tmp/pvh128.xlsave; t0=$(now)
    ensure_fresh_guest xl-save || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    if ! timeout 300 xl save domu "$save" > "$RESULTS/xl-save.log" 2>&1; then
        STEP_DETAIL="xl save failed (see xl-save.log)"; rm -f "$save"; return 1
    fi
    ts=$(since "$t0")
    beat=$(last_heartbeat)
    tc=$(now)
    if ! has_xl_magic "$save" || ! copy_out "$save" "$RESULTS/pvh128.xlsave"; then
        STEP_DETAIL="save file has no xl magic or could not be copied"; rm -f "$save"; return 1
    fi
    tc=$(since "$tc")
    tr=$(now)
    if ! timeout 300 xl restore "$save" >> "$RESULTS/xl-save.log" 2>&1; then
        STEP_DETAIL="xl restore failed (see xl-save.log)"; rm -f "$save"; return 1
    fi
    tr=$(since "$tr")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! guest_alive; then
        STEP_DETAIL="restored guest printed no new heartbeat"; rm -f "$save"; return 1
    fi
    if ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="restored guest: $MEMCHECK_LINE"; rm -f "$save"; return 1
    fi
    STEP_DETAIL="save=${ts}s copy=${tc}s restore=${tr}s bytes=$(file_size "$save") domid=$(guest_domid) heartbeat=$beat $MEMCHECK_LINE ($GUEST_NOTE)"
    rm -f "$save"
}
step_xl_save() { run_guest_step xl-save attempt_xl_save WARN; }

# Live migration of a fresh guest to localhost (needs log-dirty); ssh-tee keeps the stream the sender
# wrote. Passes with exactly one guest left (no "--migratedaway" or "--incoming" leftover) that
# prints new heartbeats.
attempt_xl_migrate() {
    local t0 tm tc beat guests stream="$HOSTROOT/tmp/migrate.bin"; t0=$(now)
    ensure_fresh_guest xl-migrate || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    rm -f "$stream"
    if ! timeout 600 xl migrate -s /lab/ssh-tee domu localhost > "$RESULTS/xl-migrate.log" 2>&1; then
        STEP_DETAIL="xl migrate failed (see xl-migrate.log: $(grep -v '^ *$' "$RESULTS/xl-migrate.log" | tail -n 1 | cut -c1-120))"
        return 1
    fi
    tm=$(since "$t0")
    beat=$(last_heartbeat)
    guests=$(guest_names)
    if [ "$guests" != " domu" ]; then
        STEP_DETAIL="expected one guest named domu after migration, found:$guests"; return 1
    fi
    tc=$(now)
    if ! has_xl_magic "$stream" || ! copy_out "$stream" "$RESULTS/pvh128.migrate.bin"; then
        STEP_DETAIL="captured stream missing or without xl magic"; return 1
    fi
    tc=$(since "$tc")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! guest_alive; then
        STEP_DETAIL="migrated guest printed no new heartbeat"; return 1
    fi
    if ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="migrated guest: $MEMCHECK_LINE"; return 1
    fi
    GUEST_MIGRATED=1
    STEP_DETAIL="migrate=${tm}s copy=${tc}s bytes=$(file_size "$stream") domid=$(guest_domid) heartbeat=$beat $MEMCHECK_LINE ($GUEST_NOTE)"
    rm -f "$stream"
}
step_xl_migrate() { run_guest_step xl-migrate attempt_xl_migrate WARN; }

# One java-check: COMMAND run in the host chroot against DOMID; its output goes to results/java-N.log,
# its outcome to /tmp/java-checks.out (a java-check-N line for labstep). Usage: run_java_check N DOMID COMMAND
run_java_check() {
    local n=$1 cmd=$3 t0 rc log="$RESULTS/java-$1.log" domid=$2; t0=$(now)
    echo "\$ $cmd    (LAB_DOMID=$domid)" > "$log"
    in_host "$domid" "$LAB_JAVA_TIMEOUT" "$cmd" >> "$log" 2>&1
    rc=$?
    echo "# exit $rc after $(since "$t0") s" >> "$log"
    if [ "$rc" -eq 0 ]; then
        echo "java-check-$n PASS $(since "$t0") $cmd" >> /tmp/java-checks.out
    else
        [ "$rc" -eq 124 ] && rc="$rc (timeout ${LAB_JAVA_TIMEOUT}s)"
        echo "java-check-$n FAIL $(since "$t0") exit $rc: $cmd" >> /tmp/java-checks.out
        return 1
    fi
}

# Every command line of /lab/java-checks.txt (blank lines and # comments skipped), in order, against
# a fresh guest (LAB_DOMID).
attempt_java_checks() {
    local cmd n=0 failed=0 domid
    : > /tmp/java-checks.out
    ensure_fresh_guest java-checks || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    domid=$(guest_domid)
    while read -r cmd; do
        case "$cmd" in ''|'#'*) continue ;; esac
        n=$((n + 1))
        run_java_check "$n" "$domid" "$cmd" || failed=$((failed + 1))
    done < /lab/java-checks.txt
    guest_alive || failed=$((failed + 1))
    if [ "$failed" -eq 0 ]; then
        STEP_DETAIL="$n of $n commands passed (LAB_DOMID=$domid, $GUEST_NOTE)"
    else
        STEP_DETAIL="$failed of $n commands failed or the guest died (LAB_DOMID=$domid)"
        return 1
    fi
}
step_java_checks() {
    local rc line
    run_guest_step java-checks attempt_java_checks FAIL
    rc=$?
    # the per-command lines of the last attempt
    while read -r line; do
        # shellcheck disable=SC2086
        set -- $line
        labstep "$1" "$2" "$3" "${line#"$1 $2 $3 "}"
    done < /tmp/java-checks.out
    return $rc
}

# The project's sonic CLI (LAB_DIR's copy of cli/target/sonic.jar) in the host chroot against the real hypervisor.
# Usage: in_host_sonic DOMID LOG ARGS...   (ARGS is one shell-quoted string)
in_host_sonic() {
    in_host "$1" "$LAB_JAVA_TIMEOUT" \
        "\$JAVA_HOME/bin/java \$LAB_SONIC_JAVA_OPTS -jar \$LAB_OUT/sonic.jar $3" > "$2" 2>&1
}

# Our sender, not live, on a fresh busy guest (domu-busy.cfg: it keeps rewriting 24 MiB): sonic save
# (suspend, one pass, state; then libxl destroys the domain), the file copied to the results share
# for the host's verify-stream-v2, stock xl restore of it, and new heartbeats. The file goes to the
# chroot's tmpfs /tmp, which dom0 sees under $HOSTROOT/tmp.
attempt_sonic_save() {
    local t0 ts tc tr beat domid guests rc save=/tmp/sonic.xlsave log="$RESULTS/sonic-save.log"; t0=$(now)
    ensure_fresh_guest sonic-save /lab/domu-busy.cfg || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    domid=$(guest_domid)
    rm -f "$HOSTROOT$save"
    in_host_sonic "$domid" "$log" "save --backend xen --domain $domid -o $save --no-progress"
    rc=$?
    ts=$(since "$t0")
    if [ "$rc" -ne 0 ]; then
        STEP_DETAIL="sonic save exited $rc: $(grep -m1 '^sonic:' "$log")"; return 1
    fi
    guests=$(guest_names)
    if [ -n "$guests" ]; then
        STEP_DETAIL="sonic save left guests behind:$guests"; return 1
    fi
    beat=$(last_heartbeat)
    tc=$(now)
    if ! has_xl_magic "$HOSTROOT$save" || ! copy_out "$HOSTROOT$save" "$RESULTS/pvh128.sonic.xlsave"; then
        STEP_DETAIL="save file missing, without xl magic or not copied"; return 1
    fi
    tc=$(since "$tc")
    tr=$(now)
    if ! timeout 300 xl restore "$HOSTROOT$save" >> "$log" 2>&1; then
        STEP_DETAIL="xl restore of our save file failed (see sonic-save.log)"; return 1
    fi
    tr=$(since "$tr")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! guest_alive; then
        STEP_DETAIL="restored guest printed no new heartbeat"; return 1
    fi
    if ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="restored guest: $MEMCHECK_LINE"; return 1
    fi
    STEP_DETAIL="save=${ts}s copy=${tc}s restore=${tr}s bytes=$(file_size "$HOSTROOT$save") domid=$(guest_domid) heartbeat=$beat $MEMCHECK_LINE $(sonic_summary "$log") ($GUEST_NOTE)"
    rm -f "$HOSTROOT$save"
}
step_sonic_save() { run_guest_step sonic-save attempt_sonic_save FAIL; }

# Our sender, live: sonic migrate of DOMID to stock xl migrate-receive, run by sonic in the chroot as
# the receiver command (xl migrate -s style); tee keeps a copy of the stream in STREAM (a path in
# the chroot). Passes with exactly one guest named domu left (the source renamed away, then
# destroyed by libxl) that prints new heartbeats. Sets STEP_DETAIL. ARGS replaces sonic's arguments
# (default: sonic migrate --exec); they must tee the stream into STREAM too.
# Usage: sonic_migrate_guest DOMID STREAM LOG [ARGS]
sonic_migrate_guest() {
    local t0 tm beat guests rc domid=$1 stream=$2 log=$3; t0=$(now)
    local args=${4:-"migrate $domid --backend xen --no-progress --debug --handshake-timeout $HANDSHAKE_TIMEOUT --connect-timeout 120 --exec 'tee $stream | $LAB_XEN_BIN/xl migrate-receive'"}
    rm -f "$HOSTROOT$stream"
    in_host_sonic "$domid" "$log" "$args"
    rc=$?
    tm=$(since "$t0")
    if [ "$rc" -ne 0 ]; then
        STEP_DETAIL="sonic migrate exited $rc: $(grep -m1 '^sonic:' "$log")"; return 1
    fi
    beat=$(last_heartbeat)
    guests=$(guest_names)
    if [ "$guests" != " domu" ]; then
        STEP_DETAIL="expected one guest named domu after migration, found:$guests"; return 1
    fi
    if ! has_xl_magic "$HOSTROOT$stream"; then
        STEP_DETAIL="captured stream missing or without xl magic"; return 1
    fi
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! guest_alive; then
        STEP_DETAIL="migrated guest printed no new heartbeat"; return 1
    fi
    if ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="migrated guest: $MEMCHECK_LINE $(sonic_summary "$log")"; return 1
    fi
    GUEST_MIGRATED=1
    STEP_DETAIL="migrate=${tm}s bytes=$(file_size "$HOSTROOT$stream") domid=$(guest_domid) heartbeat=$beat $MEMCHECK_LINE $(sonic_summary "$log") $(soft_summary "$log")"
}

attempt_sonic_migrate() {
    local tc stream=/tmp/sonic.migrate.bin
    ensure_fresh_guest sonic-migrate || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" "$stream" "$RESULTS/sonic-migrate.log" || return 1
    tc=$(now)
    if ! copy_out "$HOSTROOT$stream" "$RESULTS/pvh128.sonic-migrate.bin"; then
        STEP_DETAIL="captured stream could not be copied"; return 1
    fi
    STEP_DETAIL="$STEP_DETAIL copy=$(since "$tc")s ($GUEST_NOTE)"
    rm -f "$HOSTROOT$stream"
}
step_sonic_migrate() { run_guest_step sonic-migrate attempt_sonic_migrate FAIL; }

# The drop-in for xl migrate as an orchestrator calls it: sonic xl-migrate in xl's syntax, where
# -s '' makes HOST the receiver command itself (stock xl migrate-receive, the stream teed aside).
attempt_xl_dropin() {
    local domid stream=/tmp/sonic.dropin.bin
    ensure_fresh_guest xl-dropin || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    domid=$(guest_domid)
    sonic_migrate_guest "$domid" "$stream" "$RESULTS/xl-dropin.log" \
        "xl-migrate -s '' --backend xen --no-progress --connect-timeout 120 $domid 'tee $stream | $LAB_XEN_BIN/xl migrate-receive'" ||
        return 1
    STEP_DETAIL="$STEP_DETAIL ($GUEST_NOTE)"
    rm -f "$HOSTROOT$stream"
}
step_xl_dropin() { run_guest_step xl-dropin attempt_xl_dropin FAIL; }

# A fresh guest worth migrating (SONIC_CFG), ready to be: its module has advertised the hint area
# (data/sonic/state = ready) and its memory check has reported once (so its files are in the page
# cache). Sets GUEST_NOTE, or STEP_DETAIL on failure. Usage: ready_sonic_guest STEP
ready_sonic_guest() {
    local domid
    ensure_fresh_guest "$1" "$SONIC_CFG" || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    domid=$(guest_domid)
    if ! wait_hint_area "$domid" 120; then
        STEP_DETAIL="the guest's sonic_hint never advertised its hint area (data/sonic/state != ready) ($GUEST_NOTE)"
        return 1
    fi
    if ! wait_memcheck 0 "$MEMCHECK_WAIT"; then
        STEP_DETAIL="fresh guest: $MEMCHECK_LINE ($GUEST_NOTE)"; return 1
    fi
}

# True if the sonic report LOG shows soft pages skipped; else sets STEP_DETAIL to why not.
# Usage: require_soft_skipped LOG
require_soft_skipped() {
    [ "$(soft_skipped "$1")" -gt 0 ] && return 0
    STEP_DETAIL="no soft page skipped: $(soft_summary "$1") [$STEP_DETAIL]"
    return 1
}

# SonicMigration for real: sonic migrate (default --soft free+cache) of a fresh guest worth migrating
# into stock xl migrate-receive. Passes if the guest runs on with MEMCHECK OK and the report shows the
# hint channel used and pages never sent.
attempt_sonic_soft_migrate() {
    local stream=/tmp/sonic.soft-migrate.bin log="$RESULTS/sonic-soft-migrate.log"
    ready_sonic_guest sonic-soft-migrate || return 1
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" "$stream" "$log" || { rm -f "$HOSTROOT$stream"; return 1; }
    require_soft_skipped "$log" || { rm -f "$HOSTROOT$stream"; return 1; }
    copy_out "$HOSTROOT$stream" "$RESULTS/pvh256.sonic-soft-migrate.bin" ||
        { STEP_DETAIL="captured stream could not be copied"; rm -f "$HOSTROOT$stream"; return 1; }
    STEP_DETAIL="$STEP_DETAIL ($GUEST_NOTE)"
    rm -f "$HOSTROOT$stream"
}
step_sonic_soft_migrate() { run_guest_step sonic-soft-migrate attempt_sonic_soft_migrate FAIL; }

# Non-live: sonic save of a fresh guest worth migrating skips its soft pages too; stock xl restore
# brings it back with MEMCHECK OK.
attempt_sonic_soft_save() {
    local t0 tr beat domid guests rc save=/tmp/sonic-soft.xlsave log="$RESULTS/sonic-soft-save.log"
    ready_sonic_guest sonic-soft-save || return 1
    GUEST_FRESH=0
    domid=$(guest_domid)
    rm -f "$HOSTROOT$save"
    t0=$(now)
    in_host_sonic "$domid" "$log" "save --backend xen --domain $domid -o $save --no-progress --debug --handshake-timeout $HANDSHAKE_TIMEOUT"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        STEP_DETAIL="sonic save exited $rc: $(grep -m1 '^sonic:' "$log")"; return 1
    fi
    STEP_DETAIL="save=$(since "$t0")s"
    guests=$(guest_names)
    if [ -n "$guests" ]; then
        STEP_DETAIL="sonic save left guests behind:$guests"; return 1
    fi
    beat=$(last_heartbeat)
    if ! has_xl_magic "$HOSTROOT$save" || ! copy_out "$HOSTROOT$save" "$RESULTS/pvh256.sonic-soft.xlsave"; then
        STEP_DETAIL="save file missing, without xl magic or not copied"; return 1
    fi
    tr=$(now)
    if ! timeout 300 xl restore "$HOSTROOT$save" >> "$log" 2>&1; then
        STEP_DETAIL="xl restore of our save file failed (see sonic-soft-save.log)"; return 1
    fi
    STEP_DETAIL="$STEP_DETAIL restore=$(since "$tr")s bytes=$(file_size "$HOSTROOT$save")"
    rm -f "$HOSTROOT$save"
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! guest_alive; then
        STEP_DETAIL="$STEP_DETAIL; restored guest printed no new heartbeat"; return 1
    fi
    if ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="$STEP_DETAIL; restored guest: $MEMCHECK_LINE $(soft_summary "$log")"; return 1
    fi
    require_soft_skipped "$log" || return 1
    STEP_DETAIL="$STEP_DETAIL domid=$(guest_domid) heartbeat=$beat $MEMCHECK_LINE $(sonic_summary "$log") $(soft_summary "$log") ($GUEST_NOTE)"
}
step_sonic_soft_save() { run_guest_step sonic-soft-save attempt_sonic_soft_save FAIL; }

# Users migrate migrated guests, so this is a step of its own: our sender live-migrates the guest
# that the step before migrated (or, if it left none running, a fresh guest that xl migrate moves
# first). If that guest is the one worth migrating (sonic-soft-migrate ran before it, LAB_SOFT=1), the
# second migration must skip soft pages too: the module advertised its hint area again on the
# destination. Its guest can die of the emulated CPU's fault like any (xen-lab/README.md), and a retry
# would need another migration first: when the step fails and its guest died that way (env_faults_since),
# it records WARN with the fault, never PASS; any other failure is FAIL.
step_migrate_migrated() {
    local t0 mark faults how soft; t0=$(now)
    mark=$(xen_log_mark)
    STEP_DETAIL=""
    soft=0
    if [ "$GUEST_MIGRATED" = 1 ] && guest_alive; then
        how="migrated guest domid=$(guest_domid) from the step before"
        [ "$GUEST_CFG" = "$SONIC_CFG" ] && soft=1
    elif fresh_guest migrate-migrated &&
        timeout 600 xl migrate -s /lab/ssh-tee domu localhost > "$RESULTS/migrate-migrated-xl.log" 2>&1 &&
        wait_heartbeat_above $(( $(last_heartbeat) + 1 )) 60 > /dev/null && guest_alive; then
        how="guest domid=$(guest_domid) migrated by xl migrate first ($GUEST_NOTE)"
    else
        faults=$(env_faults_since "$mark")
        [ -n "$faults" ] && dump_dead_guest migrate-migrated
        labstep migrate-migrated WARN "$(since "$t0")" "precondition not met: no migrated guest to start from (${faults:-$GUEST_NOTE; xl migrate: $(tail -n 1 "$RESULTS/migrate-migrated-xl.log" 2>/dev/null)})"
        return 0
    fi
    GUEST_FRESH=0
    # a guest worth migrating: its module re-advertises once it sees it runs in a new domain (SPEC 7.3),
    # and the second migration must skip soft pages too
    [ "$soft" = 1 ] && wait_hint_area "$(guest_domid)" 120
    if sonic_migrate_guest "$(guest_domid)" /tmp/sonic.migrate2.bin "$RESULTS/sonic-migrate-migrated.log" &&
        { [ "$soft" = 0 ] || require_soft_skipped "$RESULTS/sonic-migrate-migrated.log"; }; then
        labstep migrate-migrated PASS "$(since "$t0")" "$STEP_DETAIL (from a $how)"
        rm -f "$HOSTROOT/tmp/sonic.migrate2.bin"
        return 0
    fi
    rm -f "$HOSTROOT/tmp/sonic.migrate2.bin"
    faults=$(env_faults_since "$mark")
    if [ -n "$faults" ]; then
        dump_dead_guest migrate-migrated
        labstep migrate-migrated WARN "$(since "$t0")" "environment: the guest died of the emulated CPU's fault (${faults}), see xen-lab/README.md; $STEP_DETAIL (from a $how)"
        return 0
    fi
    labstep migrate-migrated FAIL "$(since "$t0")" "$STEP_DETAIL (from a $how)"
    return 1
}

# Destroys the guest and keeps the evidence (consoles, Xen's log) in the results share.
step_shutdown() {
    local t0; t0=$(now)
    destroy_guests shutdown
    xen_log_mark > /dev/null
    labstep shutdown PASS "$(since "$t0")" "dom0 uptime $(now)s; guests dead of the environment's fault this run: $(grep -c 'Triple fault' "$XEN_LOG") triple faults, $(grep -c 'ENTRY_TRAMPOLINE stack guard page was hit' "$RESULTS/guest-console.log") stack-guard oopses"
}

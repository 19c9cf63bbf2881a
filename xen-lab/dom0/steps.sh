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
# tries again (three attempts in all).

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
    if [ "$GUEST_FRESH" = 1 ] && [ "$GUEST_CFG" = "$cfg" ] && guest_alive; then
        GUEST_NOTE="fresh domid=$(guest_domid) (kept)"
        return 0
    fi
    GUEST_FRESH=0
    fresh_guest "$1" "$cfg" || return 1
    GUEST_FRESH=1
    GUEST_CFG=$cfg
}

# Evidence from every guest that died since MARK (on_crash/on_reboot = "preserve" keep them; domu
# when Xen logged no triple fault, as after the guest kernel's oops): every vCPU's registers and stack
# (xenctx), Xen's saved HVM context (xen-hvmctx), to results/fault-NAME-dDOMID.txt. The RIPs are
# named with dom0's /proc/kallsyms (dom0 runs the guest's kernel; neither is relocated).
# Usage: dump_dead_guests NAME MARK
dump_dead_guests() {
    local domid domids out
    domids=$(dead_domids_since "$2")
    [ -n "$domids" ] || domids=$(guest_domid)
    for domid in $domids; do
        xl list "$domid" > /dev/null 2>&1 || continue
        out="$RESULTS/fault-$1-d$domid.txt"
        {
            echo "== xl list"; xl list
            echo "== xenctx -a -C -S $domid"
            in_host "$domid" 60 "$LAB_XEN_BIN/xenctx -a -C -S $domid"
            echo "== xen-hvmctx $domid"
            in_host "$domid" 60 "$LAB_XEN_BIN/xen-hvmctx $domid"
        } > "$out" 2>&1
    done
    [ -s "$RESULTS/kallsyms.txt" ] || grep ' [tT] ' /proc/kallsyms > "$RESULTS/kallsyms.txt"
}

# How each guest that died since MARK died, a line each (xen-lab/README.md, "Two ways to die"):
# "dN: Xen's registers": Xen's dump of the dead vCPU holds Xen's code selector and an address in Xen,
#   which no guest can load, whatever its memory holds: the emulated CPU's #VMEXIT wrote them;
# "dN: instruction-fetch #PF": the dead vCPU was delivering a #PF of an instruction fetch from a page
#   not present (read from its dump: run dump_dead_guests first), seen on guests only xl ever touched;
# "guest kernel: stack-guard oops": that fault's own report when the guest lived to print it;
# "dN: unknown": anything else, which a bad stream or a bad resume could cause: the step fails.
# Usage: death_kinds MARK
death_kinds() {
    local domid rip err
    for domid in $(dead_domids_since "$1"); do
        rip=$(tail -n "+$(( $1 + 1 ))" "$XEN_LOG" |
              awk -v d="d${domid}v" 'index($0, d) && /Triple fault/ { on = 1; next } on && /RIP:/ { print; exit }')
        case $rip in
            *"RIP:"*"e008:[<ffff82d0"*) echo "d$domid: Xen's registers"; continue ;;
        esac
        err=$(cat "$RESULTS"/fault-*-d"$domid".txt 2>/dev/null |
              sed -n 's/.*event 0x80000b0e error \(0x[0-9a-f]*\).*/\1/p' | head -n 1)
        if [ -n "$err" ] && [ $(( err & 0x11 )) -eq 16 ]; then
            echo "d$domid: instruction-fetch #PF"
        else
            echo "d$domid: unknown"
        fi
    done
    if grep -q 'ENTRY_TRAMPOLINE stack guard page was hit' "$CONSOLE_LOGS"/guest-*.log 2>/dev/null; then
        echo "guest kernel: stack-guard oops"
    fi
}

# Dumps the guests that died since MARK and names their deaths in DEATH_KINDS ("dN: KIND; ...");
# false if one died of a kind the lab does not know as the emulated CPU's. Usage: name_deaths NAME MARK
name_deaths() {
    dump_dead_guests "$1" "$2"
    DEATH_KINDS=$(death_kinds "$2" | tr '\n' ';' | sed 's/;$//; s/;/; /g')
    case $DEATH_KINDS in *unknown*) return 1 ;; esac
}

# Runs a step whose attempts need a guest. ATTEMPT N prepares its own guest and sets STEP_DETAIL;
# it returns 0 if the step passed. A failed attempt during which a guest died (env_faults_since: Xen
# logged a triple fault, or the guest kernel the fault's oops) has its dead guests dumped and their
# deaths named (death_kinds): one the lab does not know as the emulated CPU's fails the step at once;
# otherwise the attempt failed for the environment's reason (xen-lab/README.md) and the step
# tries again from a fresh guest, three attempts in all. If the third fails the same way, the step records ON_ENV: WARN for
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
        GUEST_FRESH=0
        if ! name_deaths "$name-$n" "$mark"; then
            labstep "$name" FAIL "$(since "$t0")" "a guest died of a fault the lab does not know as the emulated CPU's ($DEATH_KINDS; results/fault-$name-$n-d*.txt): ${faults}($STEP_DETAIL)${notes:+ [$notes]}"
            return 1
        fi
        notes="${notes:+$notes; }attempt $n: environment ($DEATH_KINDS): ${faults}($STEP_DETAIL)"
        # Three attempts: with about 25 guests and 40 suspends a run, a CI run saw up to 3 such deaths,
        # and a loaded machine two in a row in one step (a fresh guest that died booting, too).
        if [ "$n" -ge 3 ]; then
            labstep "$name" "$on_env" "$(since "$t0")" "a guest died of the environment's fault in all three attempts (see xen-lab/README.md): $notes"
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
# Usage: xl_save_round STEP CONFIG RESULT (the save file's name in the results share)
xl_save_round() {
    local t0 ts tc tr beat save=/tmp/$3 log="$RESULTS/$1.log"; t0=$(now)
    ensure_fresh_guest "$1" "$2" || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    if ! timeout 300 xl save domu "$save" > "$log" 2>&1; then
        STEP_DETAIL="xl save failed (see $1.log)"; rm -f "$save"; return 1
    fi
    ts=$(since "$t0")
    beat=$(last_heartbeat)
    tc=$(now)
    if ! has_xl_magic "$save" || ! copy_out "$save" "$RESULTS/$3"; then
        STEP_DETAIL="save file has no xl magic or could not be copied"; rm -f "$save"; return 1
    fi
    tc=$(since "$tc")
    tr=$(now)
    if ! timeout 300 xl restore "$save" >> "$log" 2>&1; then
        STEP_DETAIL="xl restore failed (see $1.log)"; rm -f "$save"; return 1
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
attempt_xl_save() { xl_save_round xl-save /lab/domu.cfg pvh128.xlsave; }
step_xl_save() { run_guest_step xl-save attempt_xl_save WARN; }

# LAB_HVM=1 only (issue 14): an HVM guest (the same kernel and memory check, QEMU as its device model
# in dom0) created, saved and restored by stock xl; its save file, which carries the device model's
# records, goes to the results share for the host's reader.
attempt_hvm_xl_save() { xl_save_round hvm-xl-save /lab/domu-hvm.cfg hvm128.xlsave; }
step_hvm_xl_save() { run_guest_step hvm-xl-save attempt_hvm_xl_save WARN; }

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
# Usage: sonic_save_round STEP CONFIG RESULT (the save file's name in the results share)
sonic_save_round() {
    local t0 ts tc tr beat domid guests rc save=/tmp/sonic.xlsave log="$RESULTS/$1.log"; t0=$(now)
    ensure_fresh_guest "$1" "$2" || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
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
    if ! has_xl_magic "$HOSTROOT$save" || ! copy_out "$HOSTROOT$save" "$RESULTS/$3"; then
        STEP_DETAIL="save file missing, without xl magic or not copied"; return 1
    fi
    tc=$(since "$tc")
    tr=$(now)
    if ! timeout 300 xl restore "$HOSTROOT$save" >> "$log" 2>&1; then
        STEP_DETAIL="xl restore of our save file failed (see $1.log)"; return 1
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
attempt_sonic_save() { sonic_save_round sonic-save /lab/domu-busy.cfg pvh128.sonic.xlsave; }
step_sonic_save() { run_guest_step sonic-save attempt_sonic_save FAIL; }

# LAB_HVM=1 only (issue 14): our sender on an HVM guest, whose QEMU it stops and saves after the
# suspend and whose state it carries as libxl does; stock xl restore / xl migrate-receive start a new
# QEMU from it. The streams go to the results share for the host's verify-stream-v2.
attempt_hvm_sonic_save() { sonic_save_round hvm-sonic-save /lab/domu-hvm.cfg hvm128.sonic.xlsave; }
step_hvm_sonic_save() { run_guest_step hvm-sonic-save attempt_hvm_sonic_save FAIL; }

attempt_hvm_sonic_migrate() {
    local tc stream=/tmp/sonic.hvm-migrate.bin
    ensure_fresh_guest hvm-sonic-migrate /lab/domu-hvm.cfg || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" "$stream" "$RESULTS/hvm-sonic-migrate.log" || { keep_dm_logs hvm-sonic-migrate; return 1; }
    tc=$(now)
    if ! copy_out "$HOSTROOT$stream" "$RESULTS/hvm128.sonic-migrate.bin"; then
        STEP_DETAIL="captured stream could not be copied"; return 1
    fi
    STEP_DETAIL="$STEP_DETAIL copy=$(since "$tc")s ($GUEST_NOTE)"
    rm -f "$HOSTROOT$stream"
}
step_hvm_sonic_migrate() { run_guest_step hvm-sonic-migrate attempt_hvm_sonic_migrate FAIL; }

# The guest worth migrating as an HVM guest (sonic_hint.ko, its disk, 256 MiB): sonic migrate into
# xl migrate-receive must skip soft pages there too.
attempt_hvm_sonic_soft_migrate() {
    local stream=/tmp/sonic.hvm-soft.bin log="$RESULTS/hvm-sonic-soft-migrate.log"
    ready_sonic_guest hvm-sonic-soft-migrate /lab/domu-sonic-hvm.cfg || { keep_dm_logs hvm-sonic-soft-migrate; return 1; }
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" "$stream" "$log" || { keep_dm_logs hvm-sonic-soft-migrate; return 1; }
    require_soft_skipped "$log" || return 1
    if ! copy_out "$HOSTROOT$stream" "$RESULTS/hvm256.sonic-soft-migrate.bin"; then
        STEP_DETAIL="captured stream could not be copied"; return 1
    fi
    STEP_DETAIL="$STEP_DETAIL ($GUEST_NOTE)"
    rm -f "$HOSTROOT$stream"
}
step_hvm_sonic_soft_migrate() { run_guest_step hvm-sonic-soft-migrate attempt_hvm_sonic_soft_migrate FAIL; }

# An HVM guest without PV drivers (domu-nopv-hvm.cfg: Linux booted with nopv ignores Xen, as an OS
# without Xen's drivers does; its console is the emulated serial port): it cannot answer a xenstore
# suspend request and never set Xen's event callback, so our sender must suspend it through the
# hypervisor, as libxl does; sonic migrate into stock xl migrate-receive, with the memory check passing
# after it. The log must show that path was taken and that the guest's callback really was unset.
attempt_hvm_nopv_sonic_migrate() {
    local stream=/tmp/sonic.hvm-nopv.bin log="$RESULTS/hvm-nopv-sonic-migrate.log"
    ensure_fresh_guest hvm-nopv-sonic-migrate /lab/domu-nopv-hvm.cfg || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" "$stream" "$log" || { keep_dm_logs hvm-nopv-sonic-migrate; return 1; }
    if ! grep -q 'without PV drivers: Xen suspends it' "$log"; then
        STEP_DETAIL="the guest was not suspended through the hypervisor: $STEP_DETAIL"; return 1
    fi
    if ! copy_out "$HOSTROOT$stream" "$RESULTS/hvm128.nopv.sonic-migrate.bin"; then
        STEP_DETAIL="captured stream could not be copied"; return 1
    fi
    STEP_DETAIL="suspended by Xen (no PV drivers) $STEP_DETAIL ($GUEST_NOTE)"
    rm -f "$HOSTROOT$stream"
}
step_hvm_nopv_sonic_migrate() { run_guest_step hvm-nopv-sonic-migrate attempt_hvm_nopv_sonic_migrate FAIL; }

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
        STEP_DETAIL="sonic migrate exited $rc: $(grep '^sonic:' "$log" | grep -v ' DEBUG \| INFO ' | head -n 1)"; return 1
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
    STEP_DETAIL="migrate=${tm}s bytes=$(file_size "$HOSTROOT$stream") domid=$(guest_domid) heartbeat=$beat $MEMCHECK_LINE $(sonic_summary "$log") $(soft_summary "$log")"
}

attempt_sonic_migrate() {
    local tc stream=/tmp/sonic.migrate.bin
    ensure_fresh_guest sonic-migrate || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" "$stream" "$RESULTS/sonic-migrate.log" || return 1
    # this guest has no sonic_hint module: the fallback to plain pre-copy must be named in the report
    require_fallback "$RESULTS/sonic-migrate.log" "offers no soft-page hint area" || return 1
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

# A guest worth migrating (SONIC_CFG), ready to be: its module has advertised the hint area
# (data/sonic/state = ready) and its memory check has reported (so its files are in the page cache).
# The one the step before left if it is such a guest, running as domu and advertising within 60 s
# (a guest that moved re-advertises on its new domain), else a fresh one. Sets GUEST_NOTE, or
# STEP_DETAIL on failure. Usage: ready_sonic_guest STEP [CONFIG (default SONIC_CFG)]
ready_sonic_guest() {
    local domid cfg=${2:-$SONIC_CFG}
    if [ "$GUEST_CFG" = "$cfg" ] && [ "$(guest_names)" = " domu" ] && guest_alive &&
        wait_hint_area "$(guest_domid)" 60; then
        GUEST_NOTE="domid=$(guest_domid) (from the step before)"
        GUEST_FRESH=0
    else
        GUEST_FRESH=0
        ensure_fresh_guest "$1" "$cfg" || { STEP_DETAIL="no fresh guest: $GUEST_NOTE"; return 1; }
    fi
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

# --- fallbacks on real Xen (issue 11): migrations that cannot use the guest's hints all the way ---
# (The guest without the module is sonic-migrate's: its report must name that fallback.)

# The arguments of sonic migrate for a fallback step, EXTRA added. Usage: fallback_args EXTRA
fallback_args() {
    echo "migrate $(guest_domid) --backend xen --no-progress --debug --connect-timeout 120 $1 --exec 'tee /tmp/sonic.fallback.bin | $LAB_XEN_BIN/xl migrate-receive'"
}

# A module that does not answer in time: dom0 waits 10 ms for the final soft set (the guest needs about
# a second under TCG), gives up and sends every stale page with data. The guest, which did act on the
# request after dom0 stopped waiting (dropped its cache, wrote its set), must run on with every page.
attempt_fallback_late_answer() {
    local log="$RESULTS/fallback-late-answer.log"
    ready_sonic_guest fallback-late-answer || return 1
    GUEST_FRESH=0
    sonic_migrate_guest "$(guest_domid)" /tmp/sonic.fallback.bin "$log" "$(fallback_args "--handshake-timeout 10ms")" ||
        { rm -f "$HOSTROOT/tmp/sonic.fallback.bin"; return 1; }
    rm -f "$HOSTROOT/tmp/sonic.fallback.bin"
    require_fallback "$log" "did not answer within 10 ms" || return 1
    STEP_DETAIL="$STEP_DETAIL ($GUEST_NOTE)"
}
step_fallback_late_answer() { run_guest_step fallback-late-answer attempt_fallback_late_answer FAIL; }

# The module unloaded in the middle of a migration: once the live passes have started, the guest is
# told to rmmod sonic_hint (guest_command); the migration must complete as plain pre-copy for what
# the guest no longer vouches for, name the fallback, and the guest run on with every page.
removals() { cat "$CONSOLE_LOGS"/guest-*.log 2>/dev/null | grep -c 'SMLAB-GUEST sonic_hint removed'; }
attempt_fallback_rmmod() {
    local log="$RESULTS/fallback-rmmod.log" waiter removed rc
    ready_sonic_guest fallback-rmmod || return 1
    GUEST_FRESH=0
    removed=$(removals)
    rm -f "$log"
    (
        for _ in $(seq 300); do grep -q 'the live passes start' "$log" 2>/dev/null && break; sleep 1; done
        sleep 3
        guest_command rmmod
    ) &
    waiter=$!
    sonic_migrate_guest "$(guest_domid)" /tmp/sonic.fallback.bin "$log" "$(fallback_args "--handshake-timeout $HANDSHAKE_TIMEOUT")"
    rc=$?
    wait "$waiter"
    rm -f "$HOSTROOT/tmp/sonic.fallback.bin"
    [ "$rc" -eq 0 ] || return 1
    if [ "$(removals)" -le "$removed" ]; then
        STEP_DETAIL="the guest never removed its module (no 'sonic_hint removed' on its console): $STEP_DETAIL"; return 1
    fi
    require_fallback "$log" "withdrew its hint channel" || return 1
    STEP_DETAIL="$STEP_DETAIL ($GUEST_NOTE)"
}
step_fallback_rmmod() { run_guest_step fallback-rmmod attempt_fallback_rmmod FAIL; }

# --- the comparison (issue 11): xl migrate, sonic migrate --soft off and sonic migrate of one guest ---

COMPARE_RUNS=${LAB_COMPARE_RUNS:-3}

# One migration of the running guest worth migrating to localhost by METHOD (xl: stock xl migrate;
# off: sonic --soft off, plain pre-copy with Xen's pass rules; sonic: sonic with soft pages skipped),
# its stream teed straight into results/compare-METHOD-RUN.bin (the host's share) for the host's parser. Appends "METHOD RUN
# SECONDS DOM0_CPU STALL_MS" to results/compare.tsv: wall time of the command, dom0's CPU seconds
# during it, and the guest's longest stall (its downtime as it saw it, memcheck.c) between its last
# report before and its first report after. Passes if exactly one guest runs on with MEMCHECK OK
# (and, for sonic, soft pages skipped). Sets STEP_DETAIL. Usage: compare_one METHOD RUN
compare_one() {
    local method=$1 run=$2 domid t0 c0 p0 secs cpu beat rc stream="$LAB_HOST_RESULTS/compare-$1-$2.bin"
    local log="$RESULTS/compare-$1-$2.log"
    domid=$(guest_domid)
    if [ "$method" = sonic ] && ! wait_hint_area "$domid" 120; then
        STEP_DETAIL="$method run $run: the guest's module never advertised its hint area again"; return 1
    fi
    rm -f "$HOSTROOT$stream"
    p0=$(memcheck_passes); c0=$(dom0_cpu); t0=$(now)
    case $method in
        xl) SSH_TEE_FILE=$stream timeout 900 xl migrate -s /lab/ssh-tee domu localhost > "$log" 2>&1 ;;
        off) in_host_sonic "$domid" "$log" "migrate $domid --backend xen --soft off --no-progress --debug --connect-timeout 120 --exec 'tee $stream | $LAB_XEN_BIN/xl migrate-receive'" ;;
        sonic) in_host_sonic "$domid" "$log" "migrate $domid --backend xen --no-progress --debug --handshake-timeout $HANDSHAKE_TIMEOUT --connect-timeout 120 --exec 'tee $stream | $LAB_XEN_BIN/xl migrate-receive'" ;;
    esac
    rc=$?
    secs=$(since "$t0")
    cpu=$(awk -v a="$c0" -v b="$(dom0_cpu)" 'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" -ne 0 ]; then
        STEP_DETAIL="$method run $run exited $rc: $(grep -v '^ *$' "$log" | grep -v ' DEBUG ' | grep -m1 '^sonic:\|rror' | cut -c1-160)"; return 1
    fi
    if [ "$(guest_names)" != " domu" ]; then
        STEP_DETAIL="$method run $run: expected one guest named domu after it, found:$(guest_names)"; return 1
    fi
    beat=$(last_heartbeat)
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! guest_alive; then
        STEP_DETAIL="$method run $run: the migrated guest printed no new heartbeat"; return 1
    fi
    if ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="$method run $run: $MEMCHECK_LINE"; return 1
    fi
    if [ "$method" = sonic ] && ! require_soft_skipped "$log"; then
        STEP_DETAIL="$method run $run: $STEP_DETAIL"; return 1
    fi
    echo "$method $run $secs $cpu $(max_stall "$p0" "$(passes_of "$MEMCHECK_LINE")")" >> "$RESULTS/compare.tsv"
}

# COMPARE_RUNS rounds of xl, off, sonic, alternating, on one guest worth migrating that each migration
# hands to the next, so that all three see the same guest in the same state. Nine migrations of one
# guest are nine chances for the emulated CPU's fault (xen-lab/README.md): a migration whose guest
# dies of it is dumped and done again on a fresh guest (up to COMPARE_LOST_GUESTS guests in an
# attempt); what the others measured is kept, also across the step's own retry.
COMPARE_LOST_GUESTS=3
attempt_compare() {
    local run method mark faults lost=0
    [ "$1" = 1 ] && { : > "$RESULTS/compare.tsv"; GUEST_NOTES=""; }
    ready_sonic_guest compare || return 1
    GUEST_FRESH=0
    for run in $(seq "$COMPARE_RUNS"); do
        for method in xl off sonic; do
            grep -q "^$method $run " "$RESULTS/compare.tsv" && continue
            while :; do
                mark=$(xen_log_mark)
                compare_one "$method" "$run" && break
                faults=$(env_faults_since "$mark")
                [ -n "$faults" ] && [ "$lost" -lt "$COMPARE_LOST_GUESTS" ] || return 1
                lost=$((lost + 1))
                if ! name_deaths "compare-$method-$run" "$mark"; then
                    STEP_DETAIL="$method run $run: a guest died of a fault the lab does not know as the emulated CPU's ($DEATH_KINDS): $faults"
                    return 1
                fi
                GUEST_NOTES="${GUEST_NOTES:+$GUEST_NOTES; }$method run $run lost its guest to the environment ($DEATH_KINDS): $faults"
                GUEST_CFG=
                ready_sonic_guest compare || return 1
            done
        done
    done
    STEP_DETAIL="$COMPARE_RUNS round(s) of xl, off, sonic, each with MEMCHECK OK after it (compare.tsv; the host adds the streams' counts)${GUEST_NOTES:+ [$GUEST_NOTES]}"
}
step_compare() { run_guest_step compare attempt_compare FAIL; }

# --- failure paths on real Xen (issue 12) ---------------------------------------------------
# Each step makes a migration (or save) of the plain guest fail in one way, then requires what README's
# failure table promises: sonic's exit code, exactly one guest, named domu, running (not paused), whose
# memory check reports OK after the failure; then a retry (sonic migrate) that succeeds with MEMCHECK OK.
# A half-built domain that the stock receiver itself left behind (it was killed -9 and could not
# clean up: that is the receiving host's to destroy, as after xl migrate) is named in the detail and
# destroyed, as its operator would. The steps hand their guest on to the next one.

# A running plain guest whose memory check has reported: the one there is, or a fresh one.
# Usage: ready_plain_guest STEP
ready_plain_guest() {
    if [ "$GUEST_CFG" = /lab/domu.cfg ] && [ "$(guest_names)" = " domu" ] && guest_alive; then
        GUEST_NOTE="domid=$(guest_domid) (from the step before)"
    else
        GUEST_FRESH=0
        ensure_fresh_guest "$1" || { STEP_DETAIL="no guest: $GUEST_NOTE"; return 1; }
    fi
    GUEST_FRESH=0
    wait_memcheck 0 "$MEMCHECK_WAIT" || { STEP_DETAIL="guest: $MEMCHECK_LINE ($GUEST_NOTE)"; return 1; }
}

# The pid of the sonic JVM running "sonic.jar WORD" in the host chroot (the java process itself, not
# the shells and timeout around it), or nothing. Usage: sonic_pid WORD
sonic_pid() { pids_matching "^$LAB_JAVA_HOME/bin/java .*sonic.jar $1" | head -n 1; }

# Waits until LOG has a line matching PATTERN (at most SECONDS). Usage: wait_log LOG PATTERN SECONDS
wait_log() {
    local deadline=$(( $(now_int) + $3 ))
    while [ "$(now_int)" -lt "$deadline" ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}

# Runs sonic ARGS against the guest in the background, with SIGINT at its default disposition (a
# background job of a script starts with it ignored, and a JVM keeps that), output to LOG; sets
# SONIC_BG to the pid of the whole command. Usage: sonic_background LOG ARGS
sonic_background() {
    rm -f "$1"
    in_host "$(guest_domid)" "$LAB_JAVA_TIMEOUT" \
        "env --default-signal=INT \$JAVA_HOME/bin/java \$LAB_SONIC_JAVA_OPTS -jar \$LAB_OUT/sonic.jar $2" > "$1" 2>&1 &
    SONIC_BG=$!
}

# After a failure: sonic exited RC, expected EXPECTED; the log names the cause. Then exactly one guest,
# domu, running, with MEMCHECK OK after the failure, and a retry that succeeds. Sets STEP_DETAIL.
# RETRY (default retry_migrate) is the retry: a function of NAME that sets STEP_DETAIL.
# Usage: failed_safely NAME RC EXPECTED LOG [RETRY]
failed_safely() {
    local name=$1 rc=$2 expected=$3 log=$4 retry=${5:-retry_migrate} cause left="" d beat state
    cause=$(grep -m1 '^ *error: ' "$log" | sed 's/^ *//' | cut -c1-240)
    [ -n "$cause" ] || cause=$(grep '^sonic:' "$log" | grep -v ' DEBUG \| INFO ' | head -n 1 | cut -c1-240)
    if [ "$rc" -ne "$expected" ]; then
        STEP_DETAIL="sonic exited $rc, expected $expected: $cause"; return 1
    fi
    # the receiving side's half-built copy: stock xl migrate-receive destroys it itself when it can
    for _ in $(seq 10); do
        [ "$(guest_names)" = " domu" ] && break
        sleep 1
    done
    for d in $(guest_names); do
        case $d in
            domu) ;;
            domu--incoming)
                left="$left $d (the receiver's, which it could not clean up; destroyed as its host's operator would)"
                xl destroy "$d" > /dev/null 2>&1 ;;
            *) STEP_DETAIL="exit $rc ($cause), but a guest named $d is left"; return 1 ;;
        esac
    done
    state=$(xl list domu 2>/dev/null | awk 'NR == 2 { print $5 }')
    if [ "$(guest_names)" != " domu" ] || ! guest_alive || [ "$(echo "$state" | cut -c3)" = p ]; then
        STEP_DETAIL="exit $rc ($cause), but the guest is not running as domu: '$(guest_names)' state $state"; return 1
    fi
    beat=$(last_heartbeat)
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="exit $rc ($cause), then the source guest: ${MEMCHECK_LINE:-no new heartbeat}"; return 1
    fi
    STEP_DETAIL="exit $rc: $cause; source guest runs on: $MEMCHECK_LINE${left:+; left:$left}"
    local first=$STEP_DETAIL
    if ! "$retry" "$name"; then
        STEP_DETAIL="$first; the retry failed: $STEP_DETAIL"; return 1
    fi
    STEP_DETAIL="$first; retry: $(echo "$STEP_DETAIL" | sed 's/ passes=[^ ]*//') ($GUEST_NOTE)"
}

# The retry of a failed migration: sonic migrate into stock xl migrate-receive. Usage: retry_migrate NAME
retry_migrate() {
    sonic_migrate_guest "$(guest_domid)" "/tmp/sonic.retry.bin" "$RESULTS/$1-retry.log"
    local rc=$?
    rm -f "$HOSTROOT/tmp/sonic.retry.bin"
    return $rc
}

# The retry of a failed save: sonic save where there is room, stock xl restore, MEMCHECK OK.
# Usage: retry_save NAME
retry_save() {
    local log="$RESULTS/$1-retry.log" save=/tmp/sonic.retry.xlsave beat
    in_host_sonic "$(guest_domid)" "$log" "save --backend xen --domain $(guest_domid) -o $save --no-progress" ||
        { STEP_DETAIL="sonic save exited $?: $(grep -m1 '^sonic:' "$log")"; rm -f "$HOSTROOT$save"; return 1; }
    beat=$(last_heartbeat)
    if ! timeout 300 xl restore "$HOSTROOT$save" >> "$log" 2>&1; then
        STEP_DETAIL="xl restore of the retry's save file failed"; rm -f "$HOSTROOT$save"; return 1
    fi
    rm -f "$HOSTROOT$save"
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60) || ! wait_memcheck "$beat" "$MEMCHECK_WAIT"; then
        STEP_DETAIL="restored guest: ${MEMCHECK_LINE:-no new heartbeat}"; return 1
    fi
    STEP_DETAIL="save + xl restore: $MEMCHECK_LINE $(sonic_summary "$log")"
}

# The default sonic migrate arguments of these steps, EXTRA added, into RECEIVER (default: stock xl
# migrate-receive). Usage: failing_args EXTRA [RECEIVER]
failing_args() {
    echo "migrate $(guest_domid) --backend xen --no-progress --debug --connect-timeout 60 $1 --exec '${2:-$LAB_XEN_BIN/xl migrate-receive}'"
}

# The receiver killed (SIGKILL) in the middle of a live pass.
attempt_fail_receiver_killed() {
    local log="$RESULTS/fail-receiver-killed.log" rc
    ready_plain_guest fail-receiver-killed || return 1
    sonic_background "$log" "$(failing_args "--bandwidth 8MB")"
    wait_log "$log" 'the live passes start' 120 && sleep 3
    # shellcheck disable=SC2046
    kill -KILL $(pids_matching "^$LAB_XEN_BIN/xl migrate-receive")
    wait "$SONIC_BG"; rc=$?
    failed_safely fail-receiver-killed "$rc" 4 "$log"
}
step_fail_receiver_killed() { run_guest_step fail-receiver-killed attempt_fail_receiver_killed FAIL; }

# The receiver refuses the stream: sonic xl-migrate -C sends a configuration that stock xl
# migrate-receive cannot build (4096 vCPUs: Xen refuses a domain with more than 128). (More memory
# than the host has is not refused: a restore does not claim its target.)
attempt_fail_receiver_refuses() {
    local log="$RESULTS/fail-receiver-refuses.log" rc cfg=/tmp/domu-unbuildable.json
    ready_plain_guest fail-receiver-refuses || return 1
    xl list -l domu | sed 's/"max_vcpus": [0-9]*/"max_vcpus": 4096/' > "$HOSTROOT$cfg"
    if ! grep -q '"max_vcpus": 4096' "$HOSTROOT$cfg"; then
        STEP_DETAIL="could not make the oversized configuration from xl list -l"; return 1
    fi
    sonic_background "$log" "xl-migrate -s '' --backend xen --no-progress --debug --connect-timeout 60 -C $cfg $(guest_domid) '$LAB_XEN_BIN/xl migrate-receive'"
    wait "$SONIC_BG"; rc=$?
    failed_safely fail-receiver-refuses "$rc" 4 "$log"
}
step_fail_receiver_refuses() { run_guest_step fail-receiver-refuses attempt_fail_receiver_refuses FAIL; }

# The link cut in the downtime: the receiver's answers pass through a filter that lets the banner
# (54 bytes) through, swallows "domain received" (34) and kills the receiver command's shell, so the
# link closes after the final pages and before "go". Stock xl migrate-receive, left without its
# "go" (its input closed), destroys its copy.
attempt_fail_link_cut_downtime() {
    local log="$RESULTS/fail-link-cut-downtime.log" rc
    ready_plain_guest fail-link-cut-downtime || return 1
    sonic_background "$log" "$(failing_args "" "$LAB_XEN_BIN/xl migrate-receive | { head -c 54; head -c 34 > /dev/null; kill -KILL \$\$; }")"
    wait "$SONIC_BG"; rc=$?
    failed_safely fail-link-cut-downtime "$rc" 4 "$log"
}
step_fail_link_cut_downtime() { run_guest_step fail-link-cut-downtime attempt_fail_link_cut_downtime FAIL; }

# A guest that never acknowledges the suspend request: its control/shutdown node made unreadable to it
# (owner dom0, no access for others), so its kernel's watch fires but cannot read the request.
attempt_fail_no_suspend_ack() {
    local log="$RESULTS/fail-no-suspend-ack.log" rc domid node perms
    ready_plain_guest fail-no-suspend-ack || return 1
    domid=$(guest_domid); node=/local/domain/$domid/control/shutdown
    # its permissions as libxl made them, e.g. "n5" (xenstore-ls -p prints them in parentheses)
    perms=$(xenstore-ls -p "/local/domain/$domid/control" | sed -n 's/^shutdown = .*(\(.*\))$/\1/p' | tr , ' ')
    [ -n "$perms" ] || { STEP_DETAIL="cannot read the permissions of $node"; return 1; }
    xenstore-chmod "$node" n0
    sonic_background "$log" "$(failing_args "--suspend-timeout 10s")"
    wait "$SONIC_BG"; rc=$?
    # shellcheck disable=SC2086
    xenstore-chmod "$node" $perms
    failed_safely fail-no-suspend-ack "$rc" 1 "$log"
}
step_fail_no_suspend_ack() { run_guest_step fail-no-suspend-ack attempt_fail_no_suspend_ack FAIL; }

# SIGINT to a sonic migrate (ARGS added) of the running guest, DELAY seconds after its --debug output
# shows PATTERN; then the checks of failed_safely with exit 130. Usage: interrupt_at NAME ARGS PATTERN DELAY
interrupt_at() {
    local log="$RESULTS/$1.log" rc
    sonic_background "$log" "$(failing_args "$2")"
    wait_log "$log" "$3" 300 && sleep "$4"
    kill -INT "$(sonic_pid migrate)"
    wait "$SONIC_BG"; rc=$?
    failed_safely "$1" "$rc" 130 "$log"
}

# SIGINT to sonic migrate in the middle of a live pass (the link slowed so that the pass lasts).
attempt_fail_sigint_live() {
    ready_plain_guest fail-sigint-live || return 1
    interrupt_at fail-sigint-live "--bandwidth 8MB" 'the live passes start' 3
}
step_fail_sigint_live() { run_guest_step fail-sigint-live attempt_fail_sigint_live FAIL; }

# SIGINT to sonic migrate in the downtime: right after the live passes end, while the guest suspends
# and the final pass (a busy guest's 24 MiB at 8 MB/s: seconds) goes out, before "go".
attempt_fail_sigint_downtime() {
    GUEST_FRESH=0
    ensure_fresh_guest fail-sigint-downtime /lab/domu-busy.cfg || { STEP_DETAIL="no guest: $GUEST_NOTE"; return 1; }
    GUEST_FRESH=0
    wait_memcheck 0 "$MEMCHECK_WAIT" || { STEP_DETAIL="guest: $MEMCHECK_LINE ($GUEST_NOTE)"; return 1; }
    interrupt_at fail-sigint-downtime "--bandwidth 8MB --max-iterations 1" 'stop iterating after pass' 1
}
step_fail_sigint_downtime() { run_guest_step fail-sigint-downtime attempt_fail_sigint_downtime FAIL; }

# sonic save onto a file system that fills up (a 16 MiB tmpfs): the write fails, the guest is resumed.
attempt_fail_save_full() {
    local log="$RESULTS/fail-save-full.log" rc dir=/tmp/full
    ready_plain_guest fail-save-full || return 1
    mkdir -p "$HOSTROOT$dir"
    is_mounted "$HOSTROOT$dir" || mount -t tmpfs -o size=16m tmpfs "$HOSTROOT$dir"
    sonic_background "$log" "save --backend xen --domain $(guest_domid) -o $dir/domu.xlsave --no-progress --debug"
    wait "$SONIC_BG"; rc=$?
    umount "$HOSTROOT$dir"
    failed_safely fail-save-full "$rc" 4 "$log" retry_save
}
step_fail_save_full() { run_guest_step fail-save-full attempt_fail_save_full FAIL; }

# Destroys the guest and keeps the evidence (consoles, Xen's log) in the results share.
step_shutdown() {
    local t0; t0=$(now)
    # Xen's per-domain TSC state (mode, emulated RDTSC counts) into its log before the guests go
    xl debug-keys s 2>/dev/null || true
    destroy_guests shutdown
    xen_log_mark > /dev/null
    labstep shutdown PASS "$(since "$t0")" "dom0 uptime $(now)s; guests dead of the environment's fault this run: $(grep -c 'Triple fault' "$XEN_LOG") triple faults, $(grep -c 'ENTRY_TRAMPOLINE stack guard page was hit' "$RESULTS/guest-console.log") stack-guard oopses"
}

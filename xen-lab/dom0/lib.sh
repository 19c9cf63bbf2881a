# Helpers for the lab's dom0 scripts (busybox sh): clock, step records, the guest's heartbeat and
# running commands inside the host's filesystem (shared read-only over 9p and entered with chroot).
# Needs /lab/config.env sourced first.

RESULTS=/results            # writable 9p share: the host's $LAB_DIR/results
HOSTROOT=/host              # read-only 9p share of the host's /
CONSOLE_LOGS=/var/log/xen/console
STEPS_FILE=$RESULTS/steps.txt
XEN_LOG=$RESULTS/xen-dmesg.txt   # Xen's console ring, moved here as the lab goes (collect_xen_log)

# Seconds since dom0's kernel started, e.g. 12.34.
now() { cut -d' ' -f1 /proc/uptime; }

# Whole seconds since dom0's kernel started (for deadlines).
now_int() { cut -d. -f1 /proc/uptime; }

# Seconds elapsed since START (a value of now), one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

say() { echo "SMLAB[$(now)] $*"; }

# Records one step's outcome on the console (serial log) and in the results share.
# Usage: labstep NAME PASS|WARN|FAIL SECONDS DETAILS...
labstep() {
    local line="LABSTEP $1 $2 ${3}s"
    shift 3
    line="$line $*"
    echo "$line"
    if is_mounted "$RESULTS"; then echo "$line" >> "$STEPS_FILE"; fi
}

# True if DIR is a mount point (busybox has no mountpoint applet here).
is_mounted() { grep -q " $1 " /proc/mounts; }

# The guest's domain id, or nothing if there is no domain domu (a dead one kept by on_crash or
# on_reboot = "preserve" still has one: see guest_alive).
guest_domid() { xl domid domu 2>/dev/null; }

# True if domu exists and is neither shut down nor dying. xl list's state is "rbpscd", the fifth
# letter the shutdown reason: a triple fault leaves "---sr-" (shut down for reboot, kept).
guest_alive() {
    local state
    state=$(xl list domu 2>/dev/null | awk 'NR == 2 { print $5 }')
    case $state in
        ??????) [ "$(echo "$state" | cut -c4)" = - ] && [ "$(echo "$state" | cut -c6)" = - ] ;;
        *) false ;;
    esac
}

# Moves what Xen logged since the last call into XEN_LOG (xl dmesg -c); prints XEN_LOG's line count,
# a mark for triple_faults_since.
xen_log_mark() {
    timeout 30 xl dmesg -c 2>/dev/null | tr -d '\r' >> "$XEN_LOG"
    wc -l < "$XEN_LOG" | tr -d ' '
}

# The "Triple fault" lines Xen logged after MARK, on one line; nothing if there were none. Each is a
# guest's death; death_kinds (steps.sh) tells whether the emulated CPU's (xen-lab/README.md, "Two
# ways to die"). Usage: triple_faults_since MARK
triple_faults_since() {
    xen_log_mark > /dev/null
    tail -n "+$(( $1 + 1 ))" "$XEN_LOG" | grep 'Triple fault' | sed 's/^(XEN) *//' | tr '\n' ' '
}

# The domain ids of the guests Xen logged a triple fault for since MARK, one a line (read after
# triple_faults_since, which brings Xen's log up to date). Usage: dead_domids_since MARK
dead_domids_since() {
    tail -n "+$(( $1 + 1 ))" "$XEN_LOG" | sed -n 's/.* d\([0-9]*\)v[0-9]* Triple fault.*/\1/p' | sort -un
}

# Signs, on one line, that a guest died, as the lab's environment fault kills them (xen-lab/README.md,
# "Guests that die under the emulated CPU"): Xen's "Triple fault" lines since MARK, and the guest kernel's own report
# of the same fault when it lived to print it (its per-CPU %gs accesses fault at interrupt entry until
# it hits the stack guard page and panics; Xen then sees a crash, not a triple fault). Only the
# running guests' consoles are read: fresh_guest removes the logs of the guests before.
# Usage: env_faults_since MARK
env_faults_since() {
    local faults sign='ENTRY_TRAMPOLINE stack guard page was hit'
    faults=$(triple_faults_since "$1")
    if grep -q "$sign" "$CONSOLE_LOGS"/guest-*.log 2>/dev/null; then
        faults="${faults}guest kernel: $sign "
    fi
    echo "$faults"
}

# Destroys every guest. Their console logs go to results/guest-console.log (with a header naming
# WHY) and are removed, so the next guest's heartbeats count from 1 in a fresh log. The streams that
# steps write to the chroot's /tmp go too: a step that failed half-way leaves its partial stream there,
# and the next step's stream would not fit (a 384 MiB tmpfs; seen in run G3).
# Usage: destroy_guests WHY
destroy_guests() {
    local name f
    rm -f "$HOSTROOT"/tmp/*.bin "$HOSTROOT"/tmp/*.xlsave
    for name in $(timeout 30 xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
        timeout 60 xl destroy "$name" > /dev/null 2>&1
    done
    for f in "$CONSOLE_LOGS"/guest-*.log; do
        [ -f "$f" ] || continue
        { echo "==== $(basename "$f") before $1"; cat "$f"; } >> "$RESULTS/guest-console.log"
        rm -f "$f"
    done
}

# QEMU's own logs (libxl's qemu-dm-NAME.log), for a step whose device model failed. Usage: keep_dm_logs STEP
keep_dm_logs() {
    local f
    for f in /var/log/xen/qemu-dm-*.log; do
        [ -f "$f" ] && cp "$f" "$RESULTS/$1-$(basename "$f")"
    done
    return 0
}

# Every step that needs a guest starts from one it knows is running: this destroys what is left and
# creates a fresh guest (never saved, restored or migrated) from CONFIG (default /lab/domu.cfg),
# then waits for its first heartbeat. Sets GUEST_NOTE ("fresh domid=N in Ts", or why not).
# Usage: fresh_guest STEP [CONFIG]
fresh_guest() {
    local t0 beat cfg=${2:-/lab/domu.cfg}; t0=$(now)
    destroy_guests "$1"
    case $cfg in
        *sonic*) ensure_guest_disk > /tmp/losetup.err 2>&1 ||
            { GUEST_NOTE="no loop device on $LAB_GUEST_DISK for the guest's disk: $(head -n 1 /tmp/losetup.err)"; return 1; } ;;
    esac
    if ! timeout 180 xl create "$cfg" > "$RESULTS/xl-create-$1.log" 2>&1; then
        GUEST_NOTE="xl create failed (see xl-create-$1.log)"; return 1
    fi
    if ! beat=$(wait_heartbeat_above 0 150) || ! guest_alive; then
        GUEST_NOTE="the fresh guest printed no heartbeat within 150 s"; keep_dm_logs "$1"; return 1
    fi
    GUEST_NOTE="fresh domid=$(guest_domid) $(basename "$cfg") in $(since "$t0")s"
}

# Highest heartbeat number the guest has printed so far (0 if none), over every console log:
# a guest arriving by migration is first named domu--incoming, so its log may have that name.
# One process per call: it runs every second while the guest boots, and forks are dear in a PV
# dom0 under TCG.
last_heartbeat() {
    awk '$1 == "SMLAB-HEARTBEAT" && $2 + 0 > max { max = $2 + 0 } END { print max + 0 }' \
        "$CONSOLE_LOGS"/guest-*.log 2>/dev/null || echo 0
}

# Waits until the guest prints a heartbeat above FLOOR; prints that beat. Usage: FLOOR SECONDS
# Callers read the floor after the old domain is gone and add one, so a beat of the old domain
# that xenconsoled writes late cannot pass for one of the new domain.
wait_heartbeat_above() {
    local floor=$1 deadline=$(( $(now_int) + $2 )) beat
    while [ "$(now_int)" -lt "$deadline" ]; do
        beat=$(last_heartbeat)
        if [ "$beat" -gt "$floor" ]; then echo "$beat"; return 0; fi
        sleep 1
    done
    return 1
}

# Copies SOURCE to DEST in 1 MiB writes, so each 9p request carries a full msize (every request
# is a round trip through Xen and QEMU; the first run's busybox cp needed minutes for 168 MB).
# Usage: copy_out SOURCE DEST
copy_out() { dd if="$1" of="$2" bs=1M 2>/dev/null; }

# Bytes in FILE.
file_size() { wc -c < "$1" | tr -d ' '; }

# True if FILE starts with xl's save-file magic.
has_xl_magic() { [ "$(head -c 27 "$1")" = "Xen saved domain, xl format" ]; }

# Makes the host's filesystem usable as a chroot: dom0's /proc, /sys and /dev (with the real
# /dev/xen and /proc/xen), a private tmpfs /tmp, the writable results share in place of the
# read-only copy of the host's results directory, and dom0's toolstack state, so that libxl and xl
# in the chroot see what dom0's xl sees: /var/lib/xen (libxl's per-domain configuration and locks),
# /var/log/xen, and /var/run (xenstored's socket) with /var/lock (xl's lock file) inside it, since on
# the host /var/run and /var/lock are links to /run and /run/lock.
prepare_host_chroot() {
    local d
    for d in proc sys dev; do mount --rbind "/$d" "$HOSTROOT/$d" || return 1; done
    mount -t tmpfs -o size=384m tmpfs "$HOSTROOT/tmp" || return 1
    mount --bind "$RESULTS" "$HOSTROOT$LAB_HOST_RESULTS" || return 1
    mkdir -p /var/lib/xen /var/log/xen /var/run/lock /var/lock || return 1
    mount --bind /var/lib/xen "$HOSTROOT/var/lib/xen" || return 1
    mount --bind /var/log/xen "$HOSTROOT/var/log/xen" || return 1
    mount --bind /var/run "$HOSTROOT/run" || return 1
    mount --bind /var/lock "$HOSTROOT/run/lock" || return 1
}

# The names of the guests (every domain but Domain-0), each preceded by a space.
guest_names() { xl list | awk 'NR > 2 { printf " %s", $1 }'; }

# The line "total: ..." and the per-pass page counts of a sonic report in FILE, as one line:
# passes=0:32784,1:412,final:23 total: 33219 pages with data, ... downtime 812.3 ms; ...
sonic_summary() {
    awk '$1 == "pass" { table = 1; next }
         $1 == "total:" { table = 0; sub(/^ *total: */, ""); total = $0 }
         table && NF >= 2 { passes = passes (passes == "" ? "" : ",") $1 ":" $2 }
         END { printf "passes=%s %s", passes, total }' "$1"
}

# Runs COMMAND (a shell command line) with the host's /bin/sh inside the host chroot, in the repo
# root, with a clean environment and stdin from /dev/null. The host's coreutils timeout signals the
# whole process group, so a hung JVM goes too (exit 124). Usage: in_host DOMID SECONDS COMMAND
in_host() {
    chroot "$HOSTROOT" /usr/bin/env -i \
        PATH="$LAB_JAVA_HOME/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        HOME=/root LANG=C.UTF-8 TMPDIR=/tmp \
        JAVA_HOME="$LAB_JAVA_HOME" LAB_JAVA_OPTS="$LAB_JAVA_OPTS" LAB_SONIC_JAVA_OPTS="$LAB_SONIC_JAVA_OPTS" \
        LAB_DOMID="$1" LAB_RESULTS="$LAB_HOST_RESULTS" LAB_OUT="$LAB_OUT" \
        /usr/bin/timeout -k 10 "$2" \
        /bin/sh -c 'cd "$1" && eval "$2"' lab-check "$LAB_REPO" "$3" < /dev/null
}

# The first report of the guest's memory check (guest/memcheck.c) printed after heartbeat BEAT, in the
# console log that has that beat: a beat of the resumed domain, so the report is the first one after
# the resume, and (memcheck.c) that report checked every page after it. Nothing if there is none yet.
# Usage: memcheck_after BEAT
memcheck_after() {
    awk -v beat="$1" 'FNR == 1 { seen = 0 }
        { sub(/\r$/, "") }
        $1 == "SMLAB-HEARTBEAT" && $2 + 0 >= beat + 0 { seen = 1 }
        seen && /^MEMCHECK (OK|FAIL)/ { print; exit }' "$CONSOLE_LOGS"/guest-*.log 2>/dev/null
}

# Waits for that report and sets MEMCHECK_LINE to it; true only for MEMCHECK OK. Any MEMCHECK FAIL
# the running guests printed fails it too (the check stops writing at its first error and repeats it).
# Usage: wait_memcheck BEAT SECONDS
wait_memcheck() {
    local deadline=$(( $(now_int) + $2 )) fail
    while [ "$(now_int)" -lt "$deadline" ]; do
        fail=$(grep -h -m1 '^MEMCHECK FAIL' "$CONSOLE_LOGS"/guest-*.log 2>/dev/null | head -n 1 | tr -d '\r')
        if [ -n "$fail" ]; then MEMCHECK_LINE=$fail; return 1; fi
        MEMCHECK_LINE=$(memcheck_after "$1")
        case $MEMCHECK_LINE in
            "MEMCHECK OK"*) return 0 ;;
            "MEMCHECK FAIL"*) return 1 ;;
        esac
        sleep 2
    done
    MEMCHECK_LINE="no MEMCHECK report within $2 s after heartbeat $1"
    return 1
}

# The loop device the guest worth migrating has as its disk (guest/domu-sonic.cfg.in): /dev/loop0 on
# the host's LAB_DIR/guest-disk.img, read-only over the 9p share, set up once.
ensure_guest_disk() {
    case $(losetup /dev/loop0 2>/dev/null) in
        *guest-disk.img*) return 0 ;;
    esac
    losetup -r /dev/loop0 "$HOSTROOT$LAB_GUEST_DISK"
}

# True once the guest's sonic_hint module has advertised its hint area (SPEC 7.1: state = ready).
# Usage: wait_hint_area DOMID SECONDS
wait_hint_area() {
    local deadline=$(( $(now_int) + $2 ))
    while [ "$(now_int)" -lt "$deadline" ]; do
        [ "$(xenstore-read "/local/domain/$1/data/sonic/state" 2>/dev/null)" = ready ] && return 0
        sleep 2
    done
    return 1
}

# What a sonic report in FILE says about soft pages, as one line: "soft: skipped=N live_skips=L
# handshake=(...) live_hint=(...)" (N pages never sent, L skips in live passes; how the guest published its
# live hint: on demand under dom0's lease, or periodic), or "soft: unused", and every note of the report
# (a fallback says why).
soft_summary() {
    awk '/soft pages \(.*\): not used/ { unused = 1 }
         /soft pages \(.*\):.* pages never sent/ {
             for (i = 1; i < NF; i++) {
                 if ($(i + 1) == "pages" && $(i + 2) == "never") skipped = $i
                 if ($(i + 1) == "skips" && $(i + 2) == "in") live = $i
             }
             hs = $0; sub(/.*handshake: */, "", hs); sub(/;.*/, "", hs) }
         /^ *note: / { sub(/^ *note: */, ""); notes = notes " [note: " $0 "]" }
         /^ *live hint: / { lh = $0; sub(/^ *live hint: */, "", lh) }
         END { if (unused || skipped == "") printf "soft: unused"
               else printf "soft: skipped=%s live_skips=%s handshake=(%s)", skipped, live, hs
               if (lh != "") printf " live_hint=(%s)", lh
               printf "%s", notes }' "$1"
}

# Pages the sonic report in FILE says were never sent (0 if soft pages were not used).
soft_skipped() { soft_summary "$1" | sed -n 's/^soft: skipped=\([0-9]*\).*/\1/p' | grep . || echo 0; }

# dom0's CPU seconds so far, all its vCPUs (xl list's Time(s) of Domain-0).
dom0_cpu() { xl list 0 | awk 'NR == 2 { print $6 }'; }

# The highest passes= of the guest's MEMCHECK OK reports so far (0 if none).
memcheck_passes() {
    awk '{ sub(/\r$/, "") } /^MEMCHECK OK/ { for (i = 1; i <= NF; i++) if ($i ~ /^passes=/) {
             v = substr($i, 8) + 0; if (v > max) max = v } } END { print max + 0 }' "$CONSOLE_LOGS"/guest-*.log 2>/dev/null
}

# The longest stall_ms of the MEMCHECK OK reports with FROM < passes <= TO: the longest time the guest
# stood still while those reports were made, its downtime if a migration was among them (memcheck.c).
# Usage: max_stall FROM TO
max_stall() {
    awk -v from="$1" -v to="$2" '{ sub(/\r$/, "") } /^MEMCHECK OK/ {
             p = -1; st = 0
             for (i = 1; i <= NF; i++) {
                 if ($i ~ /^passes=/) p = substr($i, 8) + 0
                 if ($i ~ /^stall_ms=/) st = substr($i, 10) + 0
             }
             if (p > from + 0 && p <= to + 0 && st > max) max = st }
         END { print max + 0 }' "$CONSOLE_LOGS"/guest-*.log 2>/dev/null
}

# passes= of one MEMCHECK line. Usage: passes_of LINE
passes_of() { echo "$1" | sed -n 's/.* passes=\([0-9]*\).*/\1/p'; }

# Sends "SMLAB-CMD WORDS" to the running guest's console input, through the tty xenconsoled gives its
# console (the guest's init acts on it). Usage: guest_command WORDS
guest_command() {
    local tty
    tty=$(xenstore-read "/local/domain/$(guest_domid)/console/tty" 2>/dev/null)
    [ -n "$tty" ] && [ -c "$tty" ] && printf 'SMLAB-CMD %s\n' "$1" > "$tty"
}

# True if sonic's output LOG names a fallback matching the extended regular expression WHY (the
# report's notes and handshake line, or the fallback's own log line); else sets STEP_DETAIL to what it
# says instead. Usage: require_fallback LOG WHY
require_fallback() {
    grep -Eq "^ *note: .*($2)|handshake: .*($2)|^sonic: .* INFO .*($2)" "$1" && return 0
    STEP_DETAIL="the report names no fallback matching '$2': $(soft_summary "$1") [$STEP_DETAIL]"
    return 1
}

# The pids whose command line (arguments joined by spaces) matches the basic regular expression RE;
# dom0's busybox has no pgrep. Usage: pids_matching RE
pids_matching() {
    local d
    for d in /proc/[0-9]*; do
        tr '\0' ' ' < "$d/cmdline" 2>/dev/null | grep -q -- "$1" && echo "${d#/proc/}"
    done
}

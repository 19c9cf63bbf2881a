# The lab's steps, run in order by /init. Each records exactly one LABSTEP line (java-checks also
# one line per command). Steps that need the guest find it by name, so a failed step does not
# stop the later ones from reporting their own outcome.

# Kernel modules for the toolstack and for 9p, xenfs, and the two 9p shares.
step_dom0_boot() {
    local m missing=""
    for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs virtio_pci 9pnet_virtio 9p; do
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

# The PVH guest; passes once it prints its first heartbeat.
step_guest_create() {
    local t0 t1 beat; t0=$(now)
    if ! timeout 180 xl create /lab/domu.cfg > "$RESULTS/xl-create.log" 2>&1; then
        labstep guest-create FAIL "$(since "$t0")" "xl create failed (see xl-create.log)"
        return 1
    fi
    t1=$(since "$t0")
    if beat=$(wait_heartbeat_above 0 120); then
        labstep guest-create PASS "$(since "$t0")" "domid=$(guest_domid) xl-create=${t1}s heartbeat=$beat"
    else
        labstep guest-create FAIL "$(since "$t0")" "no heartbeat within 120 s after xl create"
        return 1
    fi
}

# Native baseline: the C probe, run with the host's libraries in the host chroot.
step_logdirty() {
    local t0 domid; t0=$(now); domid=$(guest_domid)
    if [ -z "$domid" ]; then labstep logdirty FAIL 0 "guest not running"; return 1; fi
    if in_host "$domid" 120 "'$LAB_PROBE' $domid" > "$RESULTS/xen-probe.log" 2>&1; then
        labstep logdirty PASS "$(since "$t0")" "$(grep 'logdirty sees writes' "$RESULTS/xen-probe.log" | sed 's/.*ok *//')"
    else
        labstep logdirty FAIL "$(since "$t0")" "$(grep -m1 FAIL "$RESULTS/xen-probe.log")"
        return 1
    fi
}

# xl save to tmpfs (straight onto 9p it fails with EFAULT), copy to the results share, xl restore,
# and new heartbeats: the restored guest runs on.
step_xl_save() {
    local t0 ts tc tr beat domid save=/tmp/pvh128.xlsave; t0=$(now)
    if [ -z "$(guest_domid)" ]; then labstep xl-save FAIL 0 "guest not running"; return 1; fi
    if ! timeout 300 xl save domu "$save" > "$RESULTS/xl-save.log" 2>&1; then
        labstep xl-save FAIL "$(since "$t0")" "xl save failed (see xl-save.log)"; return 1
    fi
    ts=$(since "$t0")
    beat=$(last_heartbeat)
    tc=$(now)
    if ! has_xl_magic "$save" || ! copy_out "$save" "$RESULTS/pvh128.xlsave"; then
        labstep xl-save FAIL "$(since "$t0")" "save file has no xl magic or could not be copied"; return 1
    fi
    tc=$(since "$tc")
    tr=$(now)
    if ! timeout 300 xl restore "$save" >> "$RESULTS/xl-save.log" 2>&1; then
        labstep xl-save FAIL "$(since "$t0")" "xl restore failed (see xl-save.log)"; return 1
    fi
    tr=$(since "$tr")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60); then
        labstep xl-save FAIL "$(since "$t0")" "restored guest printed no new heartbeat"; return 1
    fi
    domid=$(guest_domid)
    labstep xl-save PASS "$(since "$t0")" "save=${ts}s copy=${tc}s restore=${tr}s bytes=$(file_size "$save") domid=$domid heartbeat=$beat"
    rm -f "$save"
}

# Live migration to localhost (needs log-dirty); ssh-tee keeps the stream the sender wrote.
# Passes with exactly one guest left (no "--migratedaway" or "--incoming" leftover) that prints
# new heartbeats.
step_xl_migrate() {
    local t0 tm tc beat guests stream="$HOSTROOT/tmp/migrate.bin"; t0=$(now)
    if [ -z "$(guest_domid)" ]; then labstep xl-migrate FAIL 0 "guest not running"; return 1; fi
    rm -f "$stream"
    if ! timeout 400 xl migrate -s /lab/ssh-tee domu localhost > "$RESULTS/xl-migrate.log" 2>&1; then
        labstep xl-migrate FAIL "$(since "$t0")" "xl migrate failed (see xl-migrate.log)"; return 1
    fi
    tm=$(since "$t0")
    beat=$(last_heartbeat)
    guests=$(xl list | awk 'NR > 2 { printf " %s", $1 }')
    if [ "$guests" != " domu" ]; then
        labstep xl-migrate FAIL "$(since "$t0")" "expected one guest named domu after migration, found:$guests"; return 1
    fi
    tc=$(now)
    if ! has_xl_magic "$stream" || ! copy_out "$stream" "$RESULTS/pvh128.migrate.bin"; then
        labstep xl-migrate FAIL "$(since "$t0")" "captured stream missing or without xl magic"; return 1
    fi
    tc=$(since "$tc")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60); then
        labstep xl-migrate FAIL "$(since "$t0")" "migrated guest printed no new heartbeat"; return 1
    fi
    labstep xl-migrate PASS "$(since "$t0")" "migrate=${tm}s copy=${tc}s bytes=$(file_size "$stream") domid=$(guest_domid) heartbeat=$beat"
    rm -f "$stream"
}

# One java-check: COMMAND run in the host chroot; its output goes to results/java-N.log.
# Usage: run_java_check N COMMAND
run_java_check() {
    local n=$1 cmd=$2 t0 rc log="$RESULTS/java-$1.log" domid; t0=$(now); domid=$(guest_domid)
    echo "\$ $cmd    (LAB_DOMID=$domid)" > "$log"
    in_host "$domid" "$LAB_JAVA_TIMEOUT" "$cmd" >> "$log" 2>&1
    rc=$?
    echo "# exit $rc after $(since "$t0") s" >> "$log"
    if [ "$rc" -eq 0 ]; then
        labstep "java-check-$n" PASS "$(since "$t0")" "$cmd"
    else
        [ "$rc" -eq 124 ] && rc="$rc (timeout ${LAB_JAVA_TIMEOUT}s)"
        labstep "java-check-$n" FAIL "$(since "$t0")" "exit $rc: $cmd"
        return 1
    fi
}

# Every command line of /lab/java-checks.txt (blank lines and # comments skipped), in order.
step_java_checks() {
    local t0 cmd n=0 failed=0; t0=$(now)
    if [ -z "$(guest_domid)" ]; then labstep java-checks FAIL 0 "guest not running"; return 1; fi
    while read -r cmd; do
        case "$cmd" in ''|'#'*) continue ;; esac
        n=$((n + 1))
        run_java_check "$n" "$cmd" || failed=$((failed + 1))
    done < /lab/java-checks.txt
    if [ "$failed" -eq 0 ]; then
        labstep java-checks PASS "$(since "$t0")" "$n of $n commands passed"
    else
        labstep java-checks FAIL "$(since "$t0")" "$failed of $n commands failed"
        return 1
    fi
}

# The project's sonic CLI (cli/target/sonic.jar) in the host chroot against the real hypervisor.
# Usage: in_host_sonic DOMID LOG ARGS...   (ARGS is one shell-quoted string)
in_host_sonic() {
    in_host "$1" "$LAB_JAVA_TIMEOUT" \
        "\$JAVA_HOME/bin/java \$LAB_SONIC_JAVA_OPTS -jar cli/target/sonic.jar $3" > "$2" 2>&1
}

# Our sender, not live: sonic save (suspend, one pass, state; then libxl destroys the domain), the
# file copied to the results share for the host's verify-stream-v2, stock xl restore of it, and new
# heartbeats. The file goes to the chroot's tmpfs /tmp, which dom0 sees under $HOSTROOT/tmp.
step_sonic_save() {
    local t0 ts tc tr beat domid guests rc save=/tmp/sonic.xlsave log="$RESULTS/sonic-save.log"; t0=$(now)
    domid=$(guest_domid)
    if [ -z "$domid" ]; then labstep sonic-save FAIL 0 "guest not running"; return 1; fi
    in_host_sonic "$domid" "$log" "save --backend xen --domain $domid -o $save --no-progress"
    rc=$?
    ts=$(since "$t0")
    if [ "$rc" -ne 0 ]; then
        labstep sonic-save FAIL "$ts" "sonic save exited $rc: $(grep -m1 '^sonic:' "$log")"; return 1
    fi
    guests=$(guest_names)
    if [ -n "$guests" ]; then
        labstep sonic-save FAIL "$(since "$t0")" "sonic save left guests behind:$guests"; return 1
    fi
    beat=$(last_heartbeat)
    tc=$(now)
    if ! has_xl_magic "$HOSTROOT$save" || ! copy_out "$HOSTROOT$save" "$RESULTS/pvh128.sonic.xlsave"; then
        labstep sonic-save FAIL "$(since "$t0")" "save file missing, without xl magic or not copied"; return 1
    fi
    tc=$(since "$tc")
    tr=$(now)
    if ! timeout 300 xl restore "$HOSTROOT$save" >> "$log" 2>&1; then
        labstep sonic-save FAIL "$(since "$t0")" "xl restore of our save file failed (see sonic-save.log)"; return 1
    fi
    tr=$(since "$tr")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60); then
        labstep sonic-save FAIL "$(since "$t0")" "restored guest printed no new heartbeat"; return 1
    fi
    labstep sonic-save PASS "$(since "$t0")" "save=${ts}s copy=${tc}s restore=${tr}s bytes=$(file_size "$HOSTROOT$save") domid=$(guest_domid) heartbeat=$beat $(sonic_summary "$log")"
    rm -f "$HOSTROOT$save"
}

# Our sender, live: sonic migrate to stock xl migrate-receive, run by sonic in the chroot as the
# receiver command (xl migrate -s style); tee keeps a copy of the stream for verify-stream-v2.
# Passes with exactly one guest named domu left (the source renamed away, then destroyed by libxl)
# that prints new heartbeats.
step_sonic_migrate() {
    local t0 tm tc beat domid guests rc stream=/tmp/sonic.migrate.bin log="$RESULTS/sonic-migrate.log"; t0=$(now)
    domid=$(guest_domid)
    if [ -z "$domid" ]; then labstep sonic-migrate FAIL 0 "guest not running"; return 1; fi
    in_host_sonic "$domid" "$log" "migrate $domid --backend xen --no-progress --connect-timeout 120 --exec 'tee $stream | $LAB_XEN_BIN/xl migrate-receive'"
    rc=$?
    tm=$(since "$t0")
    if [ "$rc" -ne 0 ]; then
        labstep sonic-migrate FAIL "$tm" "sonic migrate exited $rc: $(grep -m1 '^sonic:' "$log")"; return 1
    fi
    beat=$(last_heartbeat)
    guests=$(guest_names)
    if [ "$guests" != " domu" ]; then
        labstep sonic-migrate FAIL "$(since "$t0")" "expected one guest named domu after migration, found:$guests"; return 1
    fi
    tc=$(now)
    if ! has_xl_magic "$HOSTROOT$stream" || ! copy_out "$HOSTROOT$stream" "$RESULTS/pvh128.sonic-migrate.bin"; then
        labstep sonic-migrate FAIL "$(since "$t0")" "captured stream missing or without xl magic"; return 1
    fi
    tc=$(since "$tc")
    if ! beat=$(wait_heartbeat_above $((beat + 1)) 60); then
        labstep sonic-migrate FAIL "$(since "$t0")" "migrated guest printed no new heartbeat"; return 1
    fi
    labstep sonic-migrate PASS "$(since "$t0")" "migrate=${tm}s copy=${tc}s bytes=$(file_size "$HOSTROOT$stream") domid=$(guest_domid) heartbeat=$beat $(sonic_summary "$log")"
    rm -f "$HOSTROOT$stream"
}

# Destroys the guest and keeps the evidence (consoles, Xen's log) in the results share.
step_shutdown() {
    local t0 name; t0=$(now)
    for name in $(timeout 30 xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
        timeout 60 xl destroy "$name"
    done
    cat "$CONSOLE_LOGS"/guest-*.log > "$RESULTS/guest-console.log" 2>/dev/null
    timeout 30 xl dmesg > "$RESULTS/xen-dmesg.txt" 2>&1
    labstep shutdown PASS "$(since "$t0")" "dom0 uptime $(now)s"
}

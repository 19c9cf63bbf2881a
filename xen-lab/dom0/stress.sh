# The lab's experiment mode (LAB_MODE=stress, run by xen-lab/stress-lab.sh): instead of the steps,
# dom0 runs a plan of guest operations over and over for LAB_STRESS_SECONDS and records, for each
# operation, how many times the guest had been restored before it and whether it survived. This is
# how the triple fault of restored guests was measured (xen-lab/README.md).
#
# LAB_STRESS_PLAN is a list of operations applied to one guest "lineage": a fresh guest (xl create),
# then each operation in turn; after the last one the guest is destroyed and a fresh one made. When
# a guest dies, its state is dumped (xenctx, xen-hvmctx) and a fresh lineage starts.
#   save     xl save + xl restore (the restore makes the next domain of the lineage)
#   migrate  xl migrate to localhost (live; the receiver makes the next domain)
#   probe    the log-dirty probe (enable, CLEAN rounds, disable) on the running domain
#   idle     20 s of nothing; the guest must keep beating
# Each operation prints one line (also in results/exp.txt):
#   EXP <n> <op> gen=<restores before> domid=<id> OK|FAULT|FAIL <seconds>s <details>
# FAULT means Xen logged a triple fault of the guest; FAIL any other failure (no new heartbeat,
# an xl command failed without a triple fault).

EXP_FILE=$RESULTS/exp.txt
EXP_DMESG=$RESULTS/xen-dmesg-stress.txt

exp_record() { echo "EXP $*"; echo "EXP $*" >> "$EXP_FILE"; }

# Moves Xen's console ring into EXP_DMESG and prints the triple-fault lines that were new there.
new_triple_faults() {
    local chunk=/tmp/dmesg.chunk
    timeout 30 xl dmesg -c > "$chunk" 2>&1
    cat "$chunk" >> "$EXP_DMESG"
    grep 'Triple fault' "$chunk"
}

# Evidence from a dead guest (on_crash and on_reboot are "preserve", so it stays): every vCPU's
# registers and stack with symbols, and Xen's saved HVM context of the domain.
dump_guest() { # DOMID N
    local out="$RESULTS/fault-$2-d$1.txt"
    {
        echo "== xl list"; xl list
        echo "== xenctx -a -C -S -s $LAB_SYSTEM_MAP $1 (symbols without the KASLR offset)"
        in_host "$1" 60 "$LAB_XEN_BIN/xenctx -a -C -S -n 2 -s $LAB_SYSTEM_MAP $1"
        echo "== xenctx -a -C $1"
        in_host "$1" 60 "$LAB_XEN_BIN/xenctx -a -C $1"
        echo "== xen-hvmctx $1"
        in_host "$1" 60 "$LAB_XEN_BIN/xen-hvmctx $1"
    } > "$out" 2>&1
    local f
    for f in "$CONSOLE_LOGS"/guest-*.log; do
        [ -f "$f" ] && cp "$f" "$RESULTS/consoles/$(basename "${f%.log}")-$2.log"
    done
}


# One operation on the running guest; sets OP_DETAIL, returns 0 if xl had no complaint.
stress_op() { # OP
    local domid save=/tmp/stress.xlsave
    domid=$(guest_domid)
    case $1 in
        save)
            timeout 300 xl save domu "$save" > /tmp/op.log 2>&1 &&
                timeout 300 xl restore "$save" >> /tmp/op.log 2>&1
            ;;
        migrate)
            timeout 600 xl migrate -s /lab/ssh-tee domu localhost > /tmp/op.log 2>&1
            ;;
        probe)
            in_host "$domid" 120 "'$LAB_PROBE' $domid" > /tmp/op.log 2>&1
            ;;
        idle)
            sleep 20; true > /tmp/op.log
            ;;
        *)
            echo "unknown operation $1" > /tmp/op.log; false
            ;;
    esac
    local rc=$?
    rm -f "$save" "$HOSTROOT/tmp/migrate.bin"
    OP_DETAIL=$(grep -v '^ *$' /tmp/op.log | tail -n 1 | cut -c1-160)
    return $rc
}

run_stress() {
    local deadline=$(( $(now_int) + LAB_STRESS_SECONDS )) n=0 op gen t0 t1 domid floor beat faults rc state
    : > "$EXP_FILE"
    mkdir -p "$RESULTS/consoles"
    say "stress: plan '$LAB_STRESS_PLAN' for ${LAB_STRESS_SECONDS}s"
    # dom0 runs the guest's kernel: its symbols (PV and PVH are loaded without KASLR; the guest prints
    # its _text to check) name the RIPs in the fault dumps.
    grep ' [tT] ' /proc/kallsyms > "$RESULTS/kallsyms.txt"
    while [ "$(now_int)" -lt "$deadline" ]; do
        destroy_guests stress          # (its console logs go, so a fresh guest counts from 1 again)
        t0=$(now)
        if ! timeout 180 xl create /lab/domu.cfg > /tmp/create.log 2>&1 ||
            ! beat=$(wait_heartbeat_above 0 180); then
            n=$((n + 1))
            faults=$(new_triple_faults)
            exp_record "$n create gen=0 domid=$(guest_domid) FAIL $(since "$t0")s $(tail -n 1 /tmp/create.log) $faults"
            continue
        fi
        n=$((n + 1))
        exp_record "$n create gen=0 domid=$(guest_domid) OK $(since "$t0")s heartbeat=$beat"
        gen=0
        for op in $LAB_STRESS_PLAN; do
            [ "$(now_int)" -lt "$deadline" ] || break
            n=$((n + 1))
            domid=$(guest_domid)
            t0=$(now)
            stress_op "$op"
            rc=$?
            t1=$(since "$t0")
            floor=$(last_heartbeat)
            beat=$(wait_heartbeat_above $((floor + 1)) 45)
            faults=$(new_triple_faults)
            state=$(xl list 2>/dev/null | awk 'NR > 2 { printf "%s:%s:%s ", $1, $2, $5 }')
            if [ -n "$faults" ]; then
                exp_record "$n $op gen=$gen domid=$domid FAULT ${t1}s rc=$rc guests=[$state] $(echo "$faults" | tr '\n' ' ') | $OP_DETAIL"
                dump_guest "$(guest_domid)" "$n"
                break
            elif [ "$rc" -ne 0 ] || [ -z "$beat" ]; then
                exp_record "$n $op gen=$gen domid=$domid FAIL ${t1}s rc=$rc beat=$beat guests=[$state] | $OP_DETAIL"
                dump_guest "$(guest_domid)" "$n"
                break
            fi
            exp_record "$n $op gen=$gen domid=$domid OK ${t1}s newdomid=$(guest_domid) heartbeat=$beat"
            case $op in save|migrate) gen=$((gen + 1)) ;; esac
        done
    done
    labstep stress PASS "$(now)" "$n operations; see exp.txt"
}

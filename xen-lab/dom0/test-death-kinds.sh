#!/bin/sh
# Proves on the host that the lab tells the emulated CPU's two ways of killing a guest from any other
# death (death_kinds in steps.sh; xen-lab/README.md, "Two ways to die"): a step retries only the
# first, and fails on the second, since a guest that a bad stream or a bad resume broke could die
# that way. The deaths below are cut from real lab runs (Xen's log lines and the dead guests' dumps);
# the unknown ones are the same lines with what a guest's own bug would leave instead.
# Runs the functions under the shell dom0 runs (busybox sh when there, else sh).
# usage: test-death-kinds.sh    (prints 'death kinds: N passed, M failed'; exit 1 on a failure)
set -u
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shell=sh
command -v busybox > /dev/null 2>&1 && shell="busybox sh"
passed=0 failed=0

# Usage: check WHAT EXPECTED  (reads $work/results; EXPECTED: death_kinds' lines joined by '|')
check() {
    got=$(RESULTS="$work/results" XEN_LOG="$work/results/xen-dmesg.txt" CONSOLE_LOGS="$work/console" $shell -c "
        $(sed -n '/^dead_domids_since()/,/^}/p' "$here/lib.sh")
        $(sed -n '/^death_kinds()/,/^}/p' "$here/steps.sh")
        death_kinds 2" | tr '\n' '|' | sed 's/|$//')
    if [ "$got" = "$2" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$got'"
    fi
}

# Usage: triple DOMID CS:RIP  (a death as Xen logs it, with the first lines of its vCPU dump)
triple() {
    printf '(XEN) [  608.884268] d%sv0 Triple fault - invoking HVM shutdown action 1\n' "$1"
    printf '(XEN) [  608.885869] *** Dumping Dom%s vcpu#0 state: ***\n' "$1"
    printf '(XEN) [  608.887952] RIP:    %s\n' "$2"
    printf '(XEN) [  608.888570] RFLAGS: 0000000000000246   CONTEXT: hvm guest (d%sv0)\n' "$1"
}

# Usage: dump DOMID EVENT ERROR  (the dead guest's saved context as dump_dead_guests keeps it)
dump() {
    printf '== xen-hvmctx %s\n          event %s error %s\n' "$1" "$2" "$3" > "$work/results/fault-step-1-d$1.txt"
}

reset() { rm -rf "$work/results" "$work/console"; mkdir -p "$work/results" "$work/console"; }

reset
{ echo '(XEN) [    1.000000] an earlier line'; echo '(XEN) [    2.000000] d3v0 Triple fault - invoking HVM shutdown action 1'
  triple 16 'e008:[<ffff82d0402044a5>]'; } > "$work/results/xen-dmesg.txt"
check "Xen's registers, a death before the mark left out" "d16: Xen's registers"

reset
{ echo '(XEN) a'; echo '(XEN) b'; triple 25 '0010:[<ffffffff819f6a6e>]'; } > "$work/results/xen-dmesg.txt"
dump 25 0x80000b0e 0x00000010
check "instruction fetch #PF, kernel" "d25: instruction-fetch #PF"
dump 25 0x80000b0e 0x00000014
check "instruction fetch #PF, user" "d25: instruction-fetch #PF"
dump 25 0x80000b0e 0x00000002
check "a write to a page not present: a guest's own kind of #PF" "d25: unknown"
dump 25 0x80000b0e 0x00000011
check "instruction fetch from a present page (NX): the guest's own" "d25: unknown"
dump 25 0x80000b0d 0x00000000
check "a #GP" "d25: unknown"
rm -f "$work"/results/fault-*
check "no dump of the dead guest" "d25: unknown"

reset
{ echo '(XEN) a'; echo '(XEN) b'; triple 7 'e008:[<ffff82d0402044a5>]'; triple 9 '0010:[<ffffffff81000000>]'; } > "$work/results/xen-dmesg.txt"
check "two deaths, the second not the emulated CPU's" "d7: Xen's registers|d9: unknown"

reset
{ echo '(XEN) a'; echo '(XEN) b'; triple 4 '0033:[<0000000000401c47>]'; } > "$work/results/xen-dmesg.txt"
check "user code selector with a Xen-looking address elsewhere in the log" "d4: unknown"

reset
printf '(XEN) a\n(XEN) b\n' > "$work/results/xen-dmesg.txt"
echo 'BUG: ENTRY_TRAMPOLINE stack guard page was hit at 0000000087cb4ad1' > "$work/console/guest-domu.log"
check "the guest kernel's stack-guard oops" "guest kernel: stack-guard oops"

echo "death kinds: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Runs the packaged launcher (dist/sonic/bin/sonic, built by scripts/dist.sh) as a user would: each
# command's happy path on the simulator, and each class of bad input (unknown domain, bad size,
# unreachable host, port in use), checking exit codes and that an error is one line on stderr with no
# stack trace. Prints one line per case and a summary; exits 1 if any case failed.
set -uo pipefail
cd "$(dirname "$0")/.."
dist=${SONIC_DIST:-dist/sonic}
sonic="$PWD/$dist/bin/sonic"
if [ ! -x "$sonic" ]; then
  echo "dist-test: $sonic missing; run scripts/dist.sh first" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0
start=$(date +%s)

# check NAME EXPECTED_CODE STDERR_KIND [STDOUT_PATTERN] -- COMMAND...
#   STDERR_KIND: empty (nothing on stderr) or oneline (one line, no stack trace)
check() {
  local name=$1 expected=$2 kind=$3 pattern=$4
  shift 5
  "$@" >"$work/out" 2>"$work/err"
  local code=$? why=""
  [ "$code" = "$expected" ] || why="exit $code, expected $expected"
  case $kind in
    empty) [ ! -s "$work/err" ] || why="${why:+$why; }stderr not empty: $(head -c 300 "$work/err")" ;;
    oneline)
      [ "$(wc -l <"$work/err")" = 1 ] || why="${why:+$why; }stderr has $(wc -l <"$work/err") lines: $(head -c 300 "$work/err")"
      ! grep -qE 'Exception|^\s+at ' "$work/err" || why="${why:+$why; }stack trace on stderr" ;;
  esac
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$work/out" "$work/err"; then
    why="${why:+$why; }no '$pattern' in the output"
  fi
  if [ -z "$why" ]; then
    passed=$((passed + 1)); echo "dist-test: PASS $name"
  else
    failed=$((failed + 1)); echo "dist-test: FAIL $name: $why"
  fi
}

# An ssh stand-in for xl-migrate: logs its arguments and runs the remote 'xl migrate-receive' as sonic's.
cat >"$work/ssh" <<SSH
#!/bin/sh
printf '%s\n' "\$*" >> "$work/argv"
shift
[ "\$1" = xl ] && shift
while [ "\${1#-}" != "\$1" ]; do shift; done
exec "$sonic" "\$@" 2>>"$work/receiver.log"
SSH
printf '#!/bin/sh\necho "ssh: connect to host $1 port 22: Connection refused" >&2\nexit 255\n' >"$work/ssh-down"
printf '#!/bin/sh\necho "xl $*"\n' >"$work/xl"
chmod +x "$work/ssh" "$work/ssh-down" "$work/xl"

# Happy paths.
check version 0 empty '^sonic [0-9]' -- "$sonic" --version
check backends 0 empty 'sim +available' -- "$sonic" backends
check simulate-json 0 empty '"event":"report"' -- "$sonic" simulate --memory 64M --workload cache:16 \
  --virtual-time --bandwidth 1Gbit --json --quiet
check plan 0 empty 'SonicMigration' -- "$sonic" plan sim-guest --memory 64M --virtual-time --sample 1s
check save 0 empty 'completed' -- "$sonic" save --memory 64M -o "$work/guest.xlsave"
check restore-dry-run 0 empty 'complete stream' -- "$sonic" restore --dry-run "$work/guest.xlsave"
check xl-migrate 0 empty 'completed' -- "$sonic" xl-migrate -s "$work/ssh" -e sim-guest desthost --memory 64M
check xl-migrate-argv 0 empty '^desthost xl migrate-receive -e$' -- cat "$work/argv"
check xl-sonic-passes-others-to-xl 0 empty '^xl -v list$' -- env XL="$work/xl" "$PWD/$dist/bin/xl-sonic" -v list
check experiment-fig3 0 empty 'wrote' -- "$sonic" experiment fig3 --virtual-time --memory 256M --cache 128M \
  --user 0 -o "$work/fig3"
check help-has-example 0 empty 'Example' -- "$sonic" plan --help

# Bad input, with README's exit codes: 2 bad usage; 1 a failure with the guest safe on the source
# (unknown domain, a port in use); 4 a destination that cannot be reached (the guest safe on the source).
check bad-size 2 oneline 'not a size' -- "$sonic" simulate --memory lots
check bad-rate 2 oneline 'bandwidth' -- "$sonic" plan sim-guest --bandwidth fast
check bad-duration 2 oneline 'not a duration' -- "$sonic" plan sim-guest --sample soon
check unknown-command 2 oneline 'Unmatched argument' -- "$sonic" frobnicate
check unknown-domain 1 oneline 'no domain nosuch' -- "$sonic" plan nosuch --memory 64M --virtual-time
check unknown-domain-migrate 1 oneline 'no domain nosuch' -- "$sonic" migrate nosuch 127.0.0.1:9 --memory 64M
check unreachable-host 4 oneline 'the source guest is running' -- "$sonic" migrate sim-guest 127.0.0.1:1 --memory 64M
check unreachable-ssh-host 4 '' 'exited with status 255' -- "$sonic" xl-migrate -s "$work/ssh-down" sim-guest \
  nohost --memory 64M
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$work/port" &
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
check port-in-use 1 oneline 'in use' -- "$sonic" receive --listen "127.0.0.1:$(cat "$work/port")"

# SIGTERM in the middle of a live pass: the packaged runtime must let sonic catch it and roll back
# (SIGTERM, because a shell's background job ignores SIGINT).
cat >"$work/term-mid-pass" <<'TERM'
#!/bin/sh
out=$1; shift
"$@" >"$out" 2>"$out.err" &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q '"event":"pass-start"' "$out"; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid
wait $pid
code=$?
cat "$out"; cat "$out.err" >&2
exit $code
TERM
chmod +x "$work/term-mid-pass"
check sigterm-mid-pass 143 '' 'source guest is running' -- "$work/term-mid-pass" "$work/term.out" \
  "$sonic" simulate --memory 256M --bandwidth 20Mbit --json

echo "dist-test: $passed passed, $failed failed in $(( $(date +%s) - start )) s"
[ "$failed" = 0 ]

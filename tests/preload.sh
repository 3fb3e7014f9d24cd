#!/bin/sh
# SPDX-License-Identifier: MIT
#
# preload.sh - libportbind-preload.so on programs that were not built with
# libportbind: a careless test server (tests/preload-victim.c, compiled
# here without the library) and a real third-party server from Debian
# (python3 -m http.server, or busybox httpd).
#
# Run from the top of the tree after `make all examples` (by `make check`).
# One line per check, "ok - ..." or "not ok - ...", then "N passed, M
# failed"; exit 1 when any failed.  Ports are the kernel's choice.  Every
# wait is bounded; every process started is reaped.  The PORTBIND_WAIT
# case waits out a real TIME_WAIT (60 s) and runs with PB_TEST_SLOW=1.

set -u
cd "$(dirname "$0")/.." || exit 1

SHIM=$PWD/libportbind-preload.so
SERVER=examples/restart-server
CLIENT=examples/echo-client
CC=${CC:-cc}
for f in "$SHIM" "$SERVER" "$CLIENT"; do
	[ -e "$f" ] || { echo "preload.sh: $f is not built; run 'make all examples'" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-preload.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else notok "$desc"; fi; }

VICTIM=$tmp/victim
PROBE=$tmp/probe
$CC -o "$VICTIM" tests/preload-victim.c || { echo "preload.sh: cannot build the victim" >&2; exit 1; }
$CC -o "$PROBE" tests/preload-probe.c || { echo "preload.sh: cannot build the probe" >&2; exit 1; }

# A shim built with sanitizers (make SANITIZE=...) needs their runtime
# loaded first in the uninstrumented programs it is preloaded into; the
# programs' own leaks are not the shim's to report.
rts=$(ldd "$SHIM" 2>/dev/null | awk '/lib(asan|ubsan|tsan)/ {printf "%s ", $3}')
SHIM="$rts$SHIM"	# in ldd's order: libasan must come first
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if nm -D "$VICTIM" 2>/dev/null | grep -q ' pb_'; then
	notok "the victim is built without libportbind"
fi

# A free port: the kernel picks one for a listener that then exits.
free_port() {
	"$SERVER" 127.0.0.1:0 >"$tmp/port" 2>&1 &
	p=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q listening "$tmp/port"; do sleep 0.05; i=$((i + 1)); done
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
	sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/port"
}

# Start a program in the background; wait (bounded) for "listening".
start() { # log cmd...
	log=$1; shift
	"$@" >"$log" 2>&1 &
	bgpid=$!
	pids="$pids $bgpid"
	i=0
	while [ $i -lt 100 ] && ! grep -q listening "$log" && kill -0 "$bgpid" 2>/dev/null; do
		sleep 0.05; i=$((i + 1))
	done
}

reap() { wait "$1" 2>/dev/null; st=$?; pids=$(echo "$pids" | sed "s/ $1\$//; s/ $1 / /"); return $st; }

# ---- restart over TIME_WAIT: bare fails, under the shim binds
P=$(free_port)
[ -n "$P" ] || { echo "preload.sh: no free port" >&2; exit 1; }
start "$tmp/run1" env LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2
"$CLIENT" "127.0.0.1:$P" hello >/dev/null 2>&1
"$CLIENT" "127.0.0.1:$P" hello >/dev/null 2>&1
reap "$bgpid"
check "first run under the shim served 2 connections, leaving TIME_WAIT" \
	grep -q "listening $P" "$tmp/run1"

"$VICTIM" "$P" >"$tmp/bare" 2>&1
st=$?
check "restarted bare over its TIME_WAIT: bind fails with EADDRINUSE" \
	sh -c "[ $st -eq 1 ] && grep -q 'Address already in use' '$tmp/bare'"

LD_PRELOAD="$SHIM" "$VICTIM" "$P" >"$tmp/shim" 2>&1
st=$?
check "restarted under the shim over the same TIME_WAIT: binds at once" \
	sh -c "[ $st -eq 0 ] && grep -q 'listening $P' '$tmp/shim'"

# ---- a taken port: the shim explains, and the errno stays
P=$(free_port)
start "$tmp/holder" "$SERVER" "127.0.0.1:$P"
holder=$bgpid
LD_PRELOAD="$SHIM" "$VICTIM" "$P" >"$tmp/taken" 2>&1
st=$?
check "on a port a listener holds: still fails (exit $st), errno unchanged" \
	sh -c "[ $st -eq 1 ] && grep -q 'preload-victim: bind: Address already in use' '$tmp/taken'"
check "and one line explains it, naming the holder's process" \
	sh -c "grep 'victim: bind: tcp 127.0.0.1:$P: EADDRINUSE' '$tmp/taken' | grep -q 'pid $holder (restart-server)'"
PORTBIND_PRELOAD=quiet LD_PRELOAD="$SHIM" "$VICTIM" "$P" >"$tmp/quiet" 2>&1
check "PORTBIND_PRELOAD=quiet: no line of its own" \
	sh -c "! grep -q 'EADDRINUSE (98' '$tmp/quiet' && grep -q 'Address already in use' '$tmp/quiet'"
t0=$(date +%s%N)
PORTBIND_WAIT=5 LD_PRELOAD="$SHIM" "$VICTIM" "$P" >"$tmp/waitl" 2>&1
t1=$(date +%s%N)
check "PORTBIND_WAIT does not wait for a listener ($(( (t1 - t0) / 1000000 )) ms)" \
	sh -c "[ $(( (t1 - t0) / 1000000 )) -lt 2000 ] && grep -q 'listening socket' '$tmp/waitl'"

# ---- the edges: a bad pointer, what is left alone, stderr that bites
check "a bad address pointer gives EFAULT back, not a crash" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' efault 2>/dev/null)\" = ok ]"
check "SO_REUSEADDR on TCP with a port only: not port 0, UDP or AF_UNIX" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' untouched $(free_port) 2>/dev/null)\" = ok ]"
check "stderr closed and the socket given fd 2: no line into the socket" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' fd2sock $P)\" = ok ]"
check "stderr a pipe nobody reads: no SIGPIPE, the program goes on" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' epipe $P)\" = ok ]"
Q=$(free_port)
out=$(LD_PRELOAD="$SHIM" "$PROBE" listen "$Q" 2>"$tmp/listen.err")
check "listen() that loses to the other SO_REUSEADDR socket is explained" \
	sh -c "[ '$out' = ok ] && grep -q 'probe: listen: tcp 127.0.0.1:$Q: EADDRINUSE' '$tmp/listen.err'"

# ---- a real third-party server, unmodified
if command -v python3 >/dev/null 2>&1; then
	LD_PRELOAD="$SHIM" timeout 10 python3 -m http.server --bind 127.0.0.1 "$P" \
		>"$tmp/third" 2>&1
	check "python3 -m http.server on the taken port: the shim names the holder" \
		sh -c "grep -q 'python3: bind: tcp 127.0.0.1:$P' '$tmp/third' && grep -q 'pid $holder (restart-server)' '$tmp/third'"
elif command -v busybox >/dev/null 2>&1; then
	LD_PRELOAD="$SHIM" timeout 10 busybox httpd -f -p "127.0.0.1:$P" >"$tmp/third" 2>&1
	check "busybox httpd on the taken port: the shim names the holder" \
		grep -q "pid $holder (restart-server)" "$tmp/third"
else
	echo "ok - skipped: no python3 or busybox for the third-party check"
fi
kill "$holder" 2>/dev/null
reap "$holder"

# ---- PORTBIND_WAIT over a TIME_WAIT that SO_REUSEADDR cannot pass
if [ "${PB_TEST_SLOW:-}" = 1 ]; then
	P=$(free_port)
	start "$tmp/w1" "$VICTIM" "$P" 1		# bare: no SO_REUSEADDR
	"$CLIENT" "127.0.0.1:$P" hello >/dev/null 2>&1
	reap "$bgpid"
	t0=$(date +%s)
	PORTBIND_WAIT=75 LD_PRELOAD="$SHIM" "$VICTIM" "$P" >"$tmp/w2" 2>&1
	st=$?
	t1=$(date +%s)
	check "PORTBIND_WAIT=75 waited out the TIME_WAIT and bound ($((t1 - t0)) s)" \
		sh -c "[ $st -eq 0 ] && [ $((t1 - t0)) -ge 50 ] && [ $((t1 - t0)) -le 70 ]"
else
	echo "ok - skipped: PORTBIND_WAIT over a real TIME_WAIT takes 60 s; set PB_TEST_SLOW=1"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

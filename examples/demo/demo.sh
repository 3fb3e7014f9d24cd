#!/bin/sh
# SPDX-License-Identifier: MIT
#
# demo.sh - why a restarted server needs SO_REUSEADDR, played on loopback.
#
# Run by `make demo` (after `make all examples`).  A server that closes its
# connections first leaves TIME_WAIT sockets on its port; a naive restart
# (plain bind) then fails with "Address already in use", a restart through
# pb_bind_reuse() binds at once.  Exit status 0 when all of that happened.
#
# The port is the kernel's choice: the first server binds port 0 and its
# "listening on" line tells which port it got; every later step reuses it.
# Every wait is bounded; the whole run takes well under 5 seconds.

set -u

cd "$(dirname "$0")/../.." || exit 1

SERVER=examples/demo/restart-server
CLIENT=examples/demo/echo-client
for b in "$SERVER" "$CLIENT"; do
	if [ ! -x "$b" ]; then
		echo "demo: $b is not built; run 'make all examples' first" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-demo.XXXXXX") || exit 1
pid=

# Whatever happens, no server outlives the script and every child is reaped.
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '==> %s\n' "$*"; }
indent() { sed 's/^/    /'; }
fail() {
	printf 'demo: FAILED: %s\n' "$*" >&2
	exit 1
}
# A tenth of a second where sleep(1) takes fractions (GNU, busybox).
nap() { sleep 0.1 2>/dev/null || sleep 1; }

# until_in FILE ERE: wait, at most 2 s, for a line matching ERE.
until_in() {
	i=0
	while [ $i -lt 20 ]; do
		grep -Eq "$2" "$1" && return 0
		nap
		i=$((i + 1))
	done
	return 1
}

# start_server OUT ARGS...: start the server in the background and wait
# until it listens (return 0) or reports an error and exits (return 1,
# reaped, its exit status in $status).  Its output goes to OUT.  err(3)
# prefixes every error with the program name, which is how a failure is
# recognised without racing the process's exit.
start_server() {
	out=$1
	shift
	"$SERVER" "$@" >"$out" 2>&1 &
	pid=$!
	until_in "$out" '^(listening on|restart-server:)' ||
		fail "restart-server $* neither listened nor failed within 2 s"
	if grep -q '^listening on' "$out"; then
		return 0
	fi
	wait "$pid"
	status=$?
	pid=
	return 1
}

# client MESSAGE: one connection to the server, reply shown indented.
client() {
	"$CLIENT" "$addr" "$1" >"$tmp/client" 2>&1
	rc=$?
	indent <"$tmp/client"
	[ $rc -eq 0 ] || fail "echo-client $addr \"$1\" exited with $rc"
}

# ---- 1. a server on a port the kernel picks
say "starting restart-server on 127.0.0.1, port 0: the kernel picks one"
start_server "$tmp/run1" 127.0.0.1:0 ||
	{ indent <"$tmp/run1"; fail "the first server did not start"; }
indent <"$tmp/run1"
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$tmp/run1")
[ -n "$port" ] || fail "no port in the server's first line"
addr=127.0.0.1:$port

# ---- 2. three connections, each closed by the server first
say "3 connections: the server echoes one line, then closes first"
for n in 1 2 3; do
	client "hello $n"
done

# ---- 3. the TIME_WAIT sockets that closing first leaves behind
tw=
if command -v ss >/dev/null 2>&1; then
	say "the server's side of each connection now waits in TIME_WAIT:"
	ss -tan state time-wait "( sport = :$port )" >"$tmp/ss"
	indent <"$tmp/ss"
	tw=$(awk 'NR > 1' "$tmp/ss" | wc -l | tr -d ' ')
	[ "$tw" -ge 1 ] || fail "no TIME_WAIT socket on port $port"
else
	say "(ss not found: TIME_WAIT sockets not shown)"
fi

# ---- 4. stop the server; the TIME_WAIT sockets outlive it
say "stopping the server (pid $pid) with SIGTERM"
kill "$pid"
# dash reports "Terminated" for a job killed by a signal; the status says
# it already.
wait "$pid" 2>/dev/null
status=$?
pid=
[ $status -eq 143 ] || fail "the server exited with $status, not by SIGTERM"
sed 1d "$tmp/run1" | indent

# ---- 5. naive restart: plain bind(2), no SO_REUSEADDR
say "restarting with -n (plain bind, no SO_REUSEADDR) on $addr"
if start_server "$tmp/run2" -n -c 1 "$addr"; then
	indent <"$tmp/run2"
	fail "the naive bind succeeded: no TIME_WAIT socket held the port"
fi
indent <"$tmp/run2"
grep -q 'Address already in use' "$tmp/run2" ||
	fail "the naive restart failed, but not with EADDRINUSE"
[ $status -eq 1 ] || fail "the naive restart exited with $status, not 1"

# ---- 6. restart through pb_bind_reuse(): binds at once
say "restarting normally (pb_bind_reuse sets SO_REUSEADDR) on $addr"
start_server "$tmp/run3" -c 1 "$addr" ||
	{ indent <"$tmp/run3"; fail "the pb_bind_reuse restart did not bind"; }
indent <"$tmp/run3"
say "one more connection; the server stops by itself after it (-c 1)"
client "hello again"
until_in "$tmp/run3" '^echoed' ||
	fail "the restarted server did not report its connection"
# It has served its one connection and is returning from main: the wait
# ends at once.
wait "$pid"
status=$?
pid=
sed 1d "$tmp/run3" | indent
[ $status -eq 0 ] || fail "the restarted server exited with $status"

say "summary: ${tw:+$tw TIME_WAIT sockets held port $port; }plain bind failed" \
	"with EADDRINUSE, pb_bind_reuse bound at once and served 1 more connection"
exit 0

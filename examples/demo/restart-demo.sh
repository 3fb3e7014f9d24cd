#!/bin/sh
# SPDX-License-Identifier: MIT
#
# restart-demo.sh - restart a server 20 times under load, three ways, and
# count what the clients saw.
#
# Run from the top of the tree after `make all examples`:
#
#	sh examples/demo/restart-demo.sh
#
# examples/demo/hammer keeps CONC connections to examples/demo/handoff-server in
# flight over loopback while the server is restarted RESTARTS times, about
# every 120 ms, each way:
#
#  rebind     SIGTERM, then start again: pb_listen sets SO_REUSEADDR (as
#             pb_bind_reuse does), so the new run binds at once, yet for a
#             moment nothing listens and connections are refused, and the
#             connections queued on the closed listener are reset.
#  reuseport  start the new run with SO_REUSEPORT next to the old one, then
#             SIGTERM the old one: no gap, but closing a reuseport listener
#             resets the connections in its accept queue.
#  handoff    start the new run; it takes the listening socket from the old
#             one (pb_handoff_take, then pb_fdset_adopt), and the old one
#             stops accepting, drains and exits.  Nothing refused or reset.
#
# As root, where unshare(1) can, the demo runs in a private network
# namespace (no clash with the host's ports, no TIME_WAIT sockets left on
# the host), and shows a fourth row: reuseport with
# net.ipv4.tcp_migrate_req=1 (Linux 5.14), set in that namespace only,
# which moves the queued connections to the remaining listener.
#
# Prints one table row per way.  Exit status 0 when every restart
# happened and the hand-off shows 0 refused, 0 reset and 0 other.  Every
# wait is bounded; the run takes about 15 seconds.

set -u

RESTARTS=${RESTARTS:-20}
CONC=${CONC:-8}
DELAY=${DELAY:-1}

# A private network namespace when we can have one: root and unshare(1).
if [ -z "${PORTBIND_DEMO_NETNS:-}" ] && [ "$(id -u)" = 0 ] &&
   command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
   unshare -n true 2>/dev/null; then
	PORTBIND_DEMO_NETNS=1 exec unshare -n sh "$0" "$@"
fi
netns=
if [ "${PORTBIND_DEMO_NETNS:-}" = 1 ]; then
	ip link set lo up || exit 1
	netns=1
fi

cd "$(dirname "$0")/../.." || exit 1

SERVER=examples/demo/handoff-server
HAMMER=examples/demo/hammer
for b in "$SERVER" "$HAMMER"; do
	if [ ! -x "$b" ]; then
		echo "restart-demo: $b is not built; run 'make all examples' first" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-restart.XXXXXX") || exit 1
pids=          # every process started, reaped or not
hpid=          # the running hammer
cur=           # the server that holds the port now

# Whatever happens, no process outlives the script and every one is reaped.
cleanup() {
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	if [ -n "$netns" ] && [ -w /proc/sys/net/ipv4/tcp_migrate_req ]; then
		echo 0 >/proc/sys/net/ipv4/tcp_migrate_req
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	printf 'restart-demo: FAILED: %s\n' "$*" >&2
	exit 1
}
# Fractions of a second where sleep(1) takes them (GNU, busybox).
nap() { sleep "$1" 2>/dev/null || sleep 1; }

# running PID: the process has not exited yet.  An exited child stays a
# zombie until waited for, and kill -0 still finds a zombie: ask /proc.
running() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

# reap PID TENTHS: wait at most TENTHS tenths of a second for PID to exit,
# then kill it.  Its exit status in $status; 1 when it had to be killed.
reap() {
	n=0
	while running "$1" && [ $n -lt "$2" ]; do
		nap 0.1
		n=$((n + 1))
	done
	killed=0
	if running "$1"; then
		kill -KILL "$1" 2>/dev/null
		killed=1
	fi
	wait "$1" 2>/dev/null
	status=$?
	return $killed
}

# start_server N ADDRESS: start run N of the server in $smode and wait, at
# most 3 s, until it accepts.  Its pid in $new.
start_server() {
	out=$tmp/$mode.$1.out
	: >"$out"
	"$SERVER" -m "$smode" -c "$tmp/$mode.ctl" -d "$DELAY" "$2" >"$out" 2>&1 &
	new=$!
	pids="$pids $new"
	n=0
	until grep -q '^ready' "$out"; do
		if ! running "$new" || [ $n -ge 300 ]; then
			sed 's/^/    /' "$out" >&2
			fail "$mode: server run $1 did not start"
		fi
		nap 0.01
		n=$((n + 1))
	done
}

# stop_server PID: SIGTERM, then at most 6 s to drain and exit (it drains
# for 5 s at most).
stop_server() {
	kill -TERM "$1" 2>/dev/null
	reap "$1" 60 || fail "$mode: server $1 did not stop on SIGTERM"
	[ $status -eq 0 ] || fail "$mode: server $1 exited with $status"
}

# restart N: replace the current server ($cur) by run N, the $mode way.
restart() {
	case $smode in
	rebind)
		stop_server "$cur"
		start_server "$1" "$addr"
		;;
	reuseport)
		start_server "$1" "$addr"
		stop_server "$cur"
		;;
	handoff)
		start_server "$1" "$addr"
		# The old server gave its socket away; it drains and exits
		# by itself.
		reap "$cur" 60 || fail "handoff: server $cur did not exit after the hand-off"
		[ $status -eq 0 ] || fail "handoff: server $cur exited with $status"
		grep -q '^handed off' "$tmp/$mode.$(($1 - 1)).out" ||
			fail "handoff: server run $(($1 - 1)) did not hand off"
		grep -q '(adopted)' "$tmp/$mode.$1.out" ||
			fail "handoff: server run $1 bound a new socket"
		;;
	esac
	cur=$new
}

# run LABEL MODE: one row of the table, restarts the MODE way.
run() {
	mode=$1
	smode=$2
	start_server 0 127.0.0.1:0
	cur=$new
	port=$(sed -n 's/^ready pid [0-9]* on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' \
		"$tmp/$mode.0.out")
	[ -n "$port" ] || fail "$mode: no port in the server's ready line"
	addr=127.0.0.1:$port

	# -t only bounds the run: the hammer is stopped after the restarts.
	"$HAMMER" -t 20 -c "$CONC" "$addr" >"$tmp/$mode.hammer" 2>&1 &
	hpid=$!
	pids="$pids $hpid"
	nap 0.2
	i=1
	while [ $i -le "$RESTARTS" ]; do
		restart $i
		nap 0.12
		i=$((i + 1))
	done
	kill -TERM "$hpid" 2>/dev/null
	reap "$hpid" 50 || fail "$mode: the hammer did not stop"
	[ $status -eq 0 ] || fail "$mode: the hammer exited with $status"
	stop_server "$cur"

	# "attempted N ok N refused N reset N other N"
	read -r _ attempted _ ok _ refused _ reset _ other <<-EOF
	$(grep '^attempted' "$tmp/$mode.hammer")
	EOF
	[ -n "$other" ] || fail "$mode: no counts from the hammer"
	printf '%-18s %9s %9s %8s %7s %7s\n' "$mode" "$attempted" "$ok" \
		"$refused" "$reset" "$other"
	grep -v '^attempted' "$tmp/$mode.hammer" | sed 's/^/    /'
	if [ "$mode" = handoff ] && [ "$ok" -gt 0 ] && [ "$refused" -eq 0 ] &&
	   [ "$reset" -eq 0 ] && [ "$other" -eq 0 ]; then
		handoff_ok=1
	fi
}

echo "restart-demo: $RESTARTS restarts per row, $CONC connections in flight," \
	"127.0.0.1${netns:+, private network namespace}"
printf '%-18s %9s %9s %8s %7s %7s\n' mode attempted ok refused reset other
handoff_ok=0
run rebind rebind
run reuseport reuseport
if [ -n "$netns" ] && [ -w /proc/sys/net/ipv4/tcp_migrate_req ]; then
	echo 1 >/proc/sys/net/ipv4/tcp_migrate_req
	run reuseport+migrate reuseport
	echo 0 >/proc/sys/net/ipv4/tcp_migrate_req
fi
run handoff handoff

[ $handoff_ok -eq 1 ] || fail "the hand-off refused or reset connections"
echo "restart-demo: the hand-off restarted $RESTARTS times with 0 refused and 0 reset"
exit 0

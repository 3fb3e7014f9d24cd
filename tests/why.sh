#!/bin/sh
# SPDX-License-Identifier: MIT
#
# why.sh - portbind-why against real sockets on loopback.
#
# Run after `make all examples` (by `make check`), from anywhere: it works
# in the source tree and finds what was built in PB_BUILDDIR (make check
# sets it; the top of the tree by default).
# Each check creates its situation with the tool's neighbours in examples/:
# restart-server listens (and closes its connections first, which leaves
# TIME_WAIT behind), echo-client connects.  Ports are the kernel's choice
# (port 0).  One line per check, "ok - ...", "not ok - ..." or, where the
# check cannot run here (not root, no python3), "skipped - WHAT: WHY"; then
# "why.sh: N passed, M failed, S skipped" and each skip again.  A skipped
# check is never counted as passed; exit status 1 when any check failed.  Every wait is
# bounded and every process started is reaped.
#
# The conditions given to all() are eval'd when they run: single quotes on
# purpose.
# shellcheck disable=SC2016

set -u

cd "$(dirname "$0")/.." || exit 1
B=${PB_BUILDDIR:-$PWD}
# As root, in a network namespace of its own (tests/isolate.sh).
. tests/isolate.sh
isolate why.sh "$PWD/tests/why.sh" "$@"

WHY=$B/tools/portbind-why
SERVER=$B/examples/demo/restart-server
CLIENT=$B/examples/demo/echo-client
for b in "$WHY" "$SERVER" "$CLIENT"; do
	if [ ! -x "$b" ]; then
		echo "why.sh: $b is not built; run 'make all examples' first" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-why.XXXXXX") || exit 1
pid=
rpid=

cleanup() {
	netns_cleanup 2>/dev/null
	for p in $pid $rpid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pid=
	rpid=
	rm -rf "$tmp"
}
# Signals too: a shell that dies of one skips the EXIT trap, and a reader
# that stops early (`| head`) sends SIGPIPE.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

passed=0
failed=0
skipped=0
skips=

# skip WHAT WHY: a check that cannot run here; counted apart.
skip() {
	skipped=$((skipped + 1))
	echo "skipped - $1: $2"
	skips="$skips  skipped: $1: $2
"
}

# check DESCRIPTION CONDITION...: run the condition, count and report.  On
# failure the last run's output follows as "#" lines.
check() {
	desc=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok - $desc"
	else
		failed=$((failed + 1))
		echo "not ok - $desc"
		sed 's/^/#   /' "$tmp/out" "$tmp/err" 2>/dev/null
	fi
}

# why ARGS...: run the tool; $rc, $tmp/out and $tmp/err hold the result.
why() {
	"$WHY" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

rc_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -Eq -- "$1" "$tmp/out"; }
err_has() { grep -Eq -- "$1" "$tmp/err"; }
err_empty() { [ ! -s "$tmp/err" ]; }
all() { for c in "$@"; do eval "$c" || return 1; done; }

# A tenth of a second where sleep(1) takes fractions (GNU, busybox).
nap() { sleep 0.1 2>/dev/null || sleep 1; }

# until_in FILE ERE: wait, at most 10 s, for a line matching ERE (a
# loaded machine can take seconds to start python3).
until_in() {
	i=0
	while [ $i -lt 100 ]; do
		grep -Eq "$2" "$1" && return 0
		nap
		i=$((i + 1))
	done
	return 1
}

# start_server: a listener on 127.0.0.1, port chosen by the kernel; sets
# $pid and $port, or gives up the whole run.
start_server() {
	# Emptied here, not by the child's redirection: the wait below must
	# not read the last server's "listening on" before the child runs.
	: >"$tmp/server"
	"$SERVER" "$@" 127.0.0.1:0 >>"$tmp/server" 2>&1 &
	pid=$!
	if ! until_in "$tmp/server" '^(listening on|restart-server:)'; then
		echo "why.sh: restart-server did not start within 10 s" >&2
		exit 1
	fi
	port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' \
		"$tmp/server")
	if [ -z "$port" ]; then
		sed 's/^/#   /' "$tmp/server"
		echo "why.sh: restart-server did not listen" >&2
		exit 1
	fi
}

stop_server() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# Milliseconds on some clock, or empty where date(1) has no %N.
now_ms() {
	t=$(date +%s%N 2>/dev/null)
	case $t in
	*[!0-9]* | '') echo ;;
	*) echo $((t / 1000000)) ;;
	esac
}

# ---- a free port: one the kernel just gave a listener that has gone
start_server
stop_server
why "127.0.0.1:$port"
check "free port 127.0.0.1:$port: exit 0" rc_is 0
check "free port: says it can be bound (cause none)" \
	all 'out_has "none|can be bound"' err_empty
why --json "127.0.0.1:$port"
check "free port --json: \"cause\":\"none\", exit 0" \
	all 'rc_is 0' 'out_has "\"cause\": *\"none\""'
# portbind-why(1) shows this object, wrapped after commas and at one
# space: unwrapped, with its port, it must be what the tool prints.
man_json=$(awk '/^\$ portbind-why --json 127.0.0.1:8080$/ { on = 1; next }
	on && /^\.Ed/ { exit }
	on { line = line (line == "" || line ~ /,$/ ? "" : " ") $0 }
	END { print line }' man/portbind-why.1 | sed "s/8080/$port/g")
check "free port --json: the object portbind-why(1) shows" \
	test "$(cat "$tmp/out")" = "$man_json"

# ---- a live listener
start_server
why "127.0.0.1:$port"
check "listener on 127.0.0.1:$port: exit 1, cause listener" \
	all 'rc_is 1' 'out_has listener' 'out_has "LISTEN +127\.0\.0\.1:$port"'
why -p "127.0.0.1:$port"
check "listener -p: shows the server's pid $pid" \
	all 'rc_is 1' 'out_has "pid $pid \(restart-server\)"'
why "$port"
check "bare port $port (every address) overlaps the 127.0.0.1 listener" \
	all 'rc_is 1' 'out_has listener'
why --json "127.0.0.1:$port"
check "listener --json: one line, \"cause\":\"listener\"" \
	all 'rc_is 1' 'out_has "\"cause\": *\"listener\""' \
	    '[ "$(wc -l <"$tmp/out")" -eq 1 ]' err_empty
why -u "127.0.0.1:$port"
check "-u: the UDP port of the same number is free" rc_is 0

# ---- a holder that names itself with a terminal escape and a newline: the
#      -p table shows it as printable text, on its own line only
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import ctypes, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
ctypes.CDLL(None).prctl(15, b"\x1b[2J\nok - FAKE", 0, 0, 0)
print(s.getsockname()[1], flush=True)
time.sleep(20)' >"$tmp/hostile" 2>&1 &
	hpid=$!
	until_in "$tmp/hostile" '^[0-9]+$' >/dev/null
	hport=$(head -n 1 "$tmp/hostile")
	why -p "127.0.0.1:$hport"
	esc=$(printf '\033')
	# shellcheck disable=SC2034 # used in the eval of all()
	hline="LISTEN +127\.0\.0\.1:$hport .*pid $hpid \(\?\[2J\?ok - FAKE\)"
	check "-p: a hostile process name is printed as text (no escape, no line)" \
		all 'rc_is 1' 'out_has "$hline"' '! grep -q "$esc" "$tmp/out"' \
		    '! grep -q "^ok - FAKE" "$tmp/out"'
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
else
	skip "-p with a hostile process name" "no python3"
fi

# ---- --wait on a listener: gives up after the time, still held
t0=$(now_ms)
why --wait 0.3 "127.0.0.1:$port"
t1=$(now_ms)
check "--wait 0.3 on a listener: exit 1" all 'rc_is 1' 'out_has listener'
if [ -n "$t0" ] && [ -n "$t1" ]; then
	ms=$((t1 - t0))
	# Not less than the 0.3 s asked; the upper bound leaves a loaded
	# machine its seconds and still tells 0.3 from 3.
	check "--wait 0.3 took about 0.3 s (${ms} ms)" \
		all '[ "$ms" -ge 280 ]' '[ "$ms" -le 2900 ]'
else
	skip "--wait 0.3 duration" "date has no %N"
fi

# ---- TIME_WAIT: the server closes first, then goes away
"$CLIENT" "127.0.0.1:$port" hello >"$tmp/client" 2>&1
crc=$?
until_in "$tmp/server" '^echoed' >/dev/null
stop_server
if [ $crc -ne 0 ]; then
	failed=$((failed + 1))
	echo "not ok - echo-client to 127.0.0.1:$port exited with $crc"
	sed 's/^/#   /' "$tmp/client"
fi
why --json "127.0.0.1:$port"
check "TIME_WAIT --json: exit 1, \"cause\":\"time-wait\"" \
	all 'rc_is 1' 'out_has "\"cause\": *\"time-wait\""' err_empty
why "127.0.0.1:$port"
# shellcheck disable=SC2034 # used in the eval of all()
twline="TIME_WAIT +127\.0\.0\.1:$port -> 127\.0\.0\.1:[0-9]+ +expires in [0-9]+ s"
check "TIME_WAIT text: a TIME_WAIT line with its expiry" \
	all 'rc_is 1' 'out_has "time-wait|TIME_WAIT"' 'out_has "$twline"'

# ---- --wait for what the next server needs.  The TIME_WAIT above was left
#      by restart-server, which sets SO_REUSEADDR: a server that sets it too
#      binds now, a plain bind does not.
why --reuseaddr --wait 30 "127.0.0.1:$port"
check "TIME_WAIT with SO_REUSEADDR, --reuseaddr --wait 30: exit 0 at once" \
	all 'rc_is 0' 'out_has "time-wait|TIME_WAIT"' err_empty
why --reuseport "127.0.0.1:$port"
check "TIME_WAIT with SO_REUSEADDR, --reuseport (implies the option): exit 0" \
	rc_is 0
why "127.0.0.1:$port"
check "TIME_WAIT with SO_REUSEADDR, no option: exit 1 (a plain bind fails)" \
	rc_is 1
t0=$(now_ms)
why --wait 0.5 "127.0.0.1:$port"
t1=$(now_ms)
check "TIME_WAIT with SO_REUSEADDR, the default --wait 0.5 waits: exit 1" \
	all 'rc_is 1' 'out_has "time-wait|TIME_WAIT"'
if [ -n "$t0" ] && [ -n "$t1" ]; then
	ms=$((t1 - t0))
	check "the default --wait 0.5 waited the whole 0.5 s (${ms} ms)" \
		[ "$ms" -ge 480 ]
else
	skip "the default --wait 0.5 duration" "date has no %N"
fi

# The operator's fix names commands, never a library call.
check "the text's fix is for an operator: no pb_ call" \
	all '! out_has "pb_|PB_"' 'out_has "Fix: start the server now if it sets SO_REUSEADDR"'

# A TIME_WAIT left by a server without SO_REUSEADDR (restart-server -n):
# neither a plain bind nor one with the option passes it.
start_server -n
"$CLIENT" "127.0.0.1:$port" hello >"$tmp/client" 2>&1
crc=$?
until_in "$tmp/server" '^echoed' >/dev/null
stop_server
if [ $crc -ne 0 ]; then
	failed=$((failed + 1))
	echo "not ok - echo-client to the -n server on 127.0.0.1:$port exited with $crc"
	sed 's/^/#   /' "$tmp/client"
fi
for how in --reuseaddr ""; do
	t0=$(now_ms)
	why $how --wait 0.5 "127.0.0.1:$port"
	t1=$(now_ms)
	check "TIME_WAIT without SO_REUSEADDR, --wait 0.5 ${how:-(default)}: waits, exit 1" \
		all 'rc_is 1' 'out_has "did not set SO_REUSEADDR"'
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		ms=$((t1 - t0))
		check "and waited the whole 0.5 s (${ms} ms)" [ "$ms" -ge 480 ]
	else
		skip "--wait 0.5 ${how:-(default)} duration" "date has no %N"
	fi
done
# shellcheck disable=SC2034 # used in the eval of all()
waitfix="Fix: wait before starting the server: portbind-why --wait 65 127\.0\.0\.1:$port && exec the server"
check "its fix: portbind-why --wait 65 ADDRESS, no pb_listen_wait" \
	all 'out_has "$waitfix"' '! out_has "pb_"'
why --json "127.0.0.1:$port"
check "--json: \"reuseaddr_helps\":false; \"reuseport_helps\", \"spec\", \"invalid\" last before \"message\"" \
	all 'rc_is 1' 'out_has "\"reuseaddr_helps\":false,\"sources\":"' \
	    'out_has "\"port_range\":[^]]*\]?,\"reuseport_helps\":(true|false|null),\"spec\":\"127\.0\.0\.1:$port\",\"invalid\":null,\"message\":"'

# ---- --reuseaddr --wait over mixed TIME_WAIT: one socket without
#      SO_REUSEADDR (it blocks a bind with the option) and, closed after it
#      so expiring after it, one with the option (it does not).  The tool
#      must not sleep until the last of them expires: the blocking one goes
#      first.  Its expiry is stood in for by ss -K (sock_diag destroy),
#      which ends it early while the tool sleeps: the tool must notice
#      within its poll, not at --wait's end.
mixed_tw() { # prints the port and the blocking one's remote port
	mcode='
import socket
SOL, RA = socket.SOL_SOCKET, socket.SO_REUSEADDR
l1, l2 = socket.socket(), socket.socket()
for l in (l1, l2):
    l.bind(("127.0.0.1", 0))
    l.listen(2)
a, b = socket.socket(), socket.socket()
a.setsockopt(SOL, RA, 1)
a.bind(("127.0.0.1", 0))
port = a.getsockname()[1]
b.setsockopt(SOL, RA, 1)
b.bind(("127.0.0.1", port))
b.setsockopt(SOL, RA, 0)      # its TIME_WAIT will not carry the option
b.connect(l1.getsockname())
a.connect(l2.getsockname())
pb, _ = l1.accept()
pa, _ = l2.accept()
for mine, peer in ((b, pb), (a, pa)):   # b first: it expires first
    mine.close()
    peer.recv(1)
    peer.close()
print(port, l1.getsockname()[1], flush=True)'
	python3 -c "$mcode" >"$tmp/mixed" 2>&1
	head -n 1 "$tmp/mixed"
}
# in_sleep PID: the process is in nanosleep or clock_nanosleep (x86_64 35
# and 230; a 32-bit tool (CC="gcc -m32") has the i386 numbers 162, 267
# and clock_nanosleep_time64 407; elsewhere the check is skipped).
if [ "$(od -An -tu1 -j4 -N1 "$WHY" | tr -d ' ')" = 1 ]; then
	sleep_nrs="162 267 407"
else
	sleep_nrs="35 230"
fi
in_sleep() {
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	case " $sleep_nrs " in *" $nr "*) return 0 ;; esac
	return 1
}
if [ "$(id -u)" -eq 0 ] && [ "$(uname -m)" = x86_64 ] &&
   command -v python3 >/dev/null 2>&1 && command -v ss >/dev/null 2>&1; then
	mixed=$(mixed_tw)
	mport=${mixed%% *}
	bport=${mixed#* }
	case "$mport:$bport" in
	:* | *: | *[!0-9:]*)
		failed=$((failed + 1))
		echo "not ok - mixed TIME_WAIT: the helper failed"
		sed 's/^/#   /' "$tmp/mixed"
		mport= ;;
	esac
fi
if [ -n "${mport:-}" ]; then
	why --reuseaddr "127.0.0.1:$mport"
	check "mixed TIME_WAIT, --reuseaddr: exit 1 (one lacks the option)" \
		all 'rc_is 1' 'out_has "TIME_WAIT"'
	"$WHY" --reuseaddr --wait 10 "127.0.0.1:$mport" >"$tmp/out" 2>"$tmp/err" &
	wpid=$!
	i=0
	while [ $i -lt 100 ] && ! in_sleep "$wpid"; do
		nap
		i=$((i + 1))
	done
	# End the blocking one only: the other still holds a plain bind.  The
	# time counts from here: however long the tool took to start.
	t0=$(now_ms)
	ss -K -tn state time-wait "( sport = :$mport and dport = :$bport )" \
		>/dev/null 2>&1
	wait "$wpid"
	rc=$?
	t1=$(now_ms)
	if ss -tn state time-wait "( sport = :$mport and dport = :$bport )" |
	   grep -q ":$bport"; then
		skip "mixed TIME_WAIT, --reuseaddr --wait" "ss -K cannot end TIME_WAIT here"
	else
		check "mixed TIME_WAIT, --reuseaddr --wait 10: exit 0 once the blocking one is gone" \
			rc_is 0
		why "127.0.0.1:$mport"
		check "and the other TIME_WAIT still holds a plain bind: exit 1" \
			all 'rc_is 1' 'out_has "TIME_WAIT"'
		if [ -n "$t0" ] && [ -n "$t1" ]; then
			ms=$((t1 - t0))
			check "and it did not sleep on to --wait's end (${ms} ms)" \
				[ "$ms" -lt 6000 ]
		else
			skip "mixed TIME_WAIT, --reuseaddr --wait duration" "date has no %N"
		fi
	fi
else
	skip "mixed TIME_WAIT, --reuseaddr --wait" "needs root, x86_64, python3 and ss"
fi

# ---- --reuseport: a listener that set SO_REUSEPORT lets a server of the
#      same user that sets it start beside it; one of another user does not
reuseport_listener() { # user (empty: this one); prints the port
	rcode='
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("127.0.0.1", 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
time.sleep(20)'
	: >"$tmp/rport"
	if [ -n "$1" ]; then
		setpriv --reuid="$1" --regid="$1" --clear-groups \
			/usr/bin/python3 -c "$rcode" >>"$tmp/rport" 2>&1 &
	else
		python3 -c "$rcode" >>"$tmp/rport" 2>&1 &
	fi
	rpid=$!
	until_in "$tmp/rport" '^[0-9]+$' >/dev/null
	rport=$(head -n 1 "$tmp/rport")
}
if command -v python3 >/dev/null 2>&1; then
	reuseport_listener ""
	why --reuseport --wait 30 "127.0.0.1:$rport"
	check "listener with SO_REUSEPORT, --reuseport --wait 30: exit 0 at once" \
		all 'rc_is 0' 'out_has "but this one set SO_REUSEPORT"' \
		    'out_has "Fix: a server of uid [0-9]+ that listens on 127\.0\.0\.1:$rport, the holder.s address, with SO_REUSEPORT can start beside it now"'
	why --reuseaddr "127.0.0.1:$rport"
	check "the same listener, --reuseaddr: exit 1 (SO_REUSEADDR never passes a listener)" \
		rc_is 1
	why --json "127.0.0.1:$rport"
	check "the same listener, --json: \"reuseport_helps\":true" \
		all 'rc_is 1' 'out_has "\"reuseport_helps\":true"'
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	rpid=
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	   [ -x /usr/bin/python3 ]; then
		reuseport_listener 65534
		why --reuseport "127.0.0.1:$rport"
		check "another user's (65534) listener with SO_REUSEPORT, --reuseport as root: exit 1, says so" \
			all 'rc_is 1' 'out_has "whether it would for uid 65534, the holder.s, is not known: ask as that user"'
		kill "$rpid" 2>/dev/null
		wait "$rpid" 2>/dev/null
		rpid=
	else
		skip "--reuseport, another user's listener" "needs root, setpriv and /usr/bin/python3"
	fi
else
	skip "--reuseport on a real listener" "no python3"
fi

# ---- --budget: the source ports left towards a destination.  The two
#      echo-client connections end in TIME_WAIT on the server's side, whose
#      remote end is the client, not the destination: they are not counted,
#      so only invariants are checked, not the counts.
start_server
"$CLIENT" "127.0.0.1:$port" one >/dev/null 2>&1
"$CLIENT" "127.0.0.1:$port" two >/dev/null 2>&1
range=$(tr -s ' \t' '-' </proc/sys/net/ipv4/ip_local_port_range)
why --budget "127.0.0.1:$port"
check "--budget 127.0.0.1:$port: exit 0, the range $range" \
	all 'rc_is 0' 'out_has "^tcp port budget towards 127\.0\.0\.1:$port"' \
	    'out_has "range +$range"' 'out_has "^  available +[1-9]"' err_empty
# The kernel chose the server's port from the ephemeral range: it listens
# inside it (shown unless eight other listeners there come first).
check "--budget: warns that port $port listens inside the range" \
	all 'out_has "^warning: port $port listens inside the ephemeral range $range|^warning: and [0-9]+ more"'
why -b "127.0.0.1:$port" --json
check "-b --json: one line with \"available\" and \"port_range\"" \
	all 'rc_is 0' 'out_has "\"available\": *[0-9]+"' \
	    'out_has "\"port_range\": *\[[0-9]+, *[0-9]+\]"' \
	    '[ "$(wc -l <"$tmp/out")" -eq 1 ]' err_empty
if command -v python3 >/dev/null 2>&1; then
	check "-b --json: valid JSON" \
		python3 -c 'import json, sys; json.load(sys.stdin)' <"$tmp/out"
else
	skip "-b --json: valid JSON" "no python3"
fi
stop_server
why --budget host:80
check "--budget host:80: exit 2, \"portbind-why: host:80: ...\"" \
	all 'rc_is 2' 'err_has "^portbind-why: host:80: "' '[ ! -s "$tmp/out" ]'
why --budget '*:80'
check "--budget *:80 (not a destination): exit 2" \
	all 'rc_is 2' 'err_has "DST"' '[ ! -s "$tmp/out" ]'
why --budget 127.0.0.1:0
check "--budget 127.0.0.1:0 (no port): exit 2" rc_is 2
why --budget 127.0.0.1:80 127.0.0.1:81
check "--budget with an ADDRESS too: exit 2" \
	all 'rc_is 2' 'err_has "^usage: "'
why -u --budget 127.0.0.1:80
check "--budget with -u: exit 2" rc_is 2

# No port left: a private network namespace where every port of a 10-port
# range is reserved (the destination is never connected to, so a fixed
# port is harmless there).  Needs root, unshare(1) and a writable
# /proc/sys; the inner shell exits 77 when it cannot set the sysctls.
nons="needs root, unshare -n and writable sysctls"
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -n sh -c '
		{ echo "60990 60999" >/proc/sys/net/ipv4/ip_local_port_range &&
		  echo 60990-60999 >/proc/sys/net/ipv4/ip_local_reserved_ports
		} 2>/dev/null || exit 77
		exec "$0" --budget 127.0.0.1:6001' "$WHY" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 77 ]; then
		skip "--budget with no port left" "$nons"
	else
		check "--budget, every port reserved (netns): exit 1, available 0" \
			all 'rc_is 1' 'out_has "^  reserved +10"' \
			    'out_has "^  available +0$"'
	fi
else
	skip "--budget with no port left" "$nons"
fi

# ---- -p reads a hidden IPV6_V6ONLY from the socket (portbind(7), Dual
#      stack, rule 4).  An IPv6 client that bound [::1]:P itself (so the
#      kernel made it IPv6-only) and connected, beside a TIME_WAIT that a
#      dual-stack server left at [::ffff:127.0.0.1]:P; both set
#      SO_REUSEADDR, so no probe can tell whether the connection holds
#      0.0.0.0:P.  Without -p it is presumed dual-stack like the server
#      (rule 5) and counted; with -p it is read, and only the TIME_WAIT
#      holds the address, as the kernel says.
if command -v python3 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
   unshare -n true 2>/dev/null && [ -e /proc/net/if_inet6 ]; then
	# In a private namespace (lo only, bindv6only 0), so that nothing
	# else on the host shares the port.
	unshare -n sh -c '
ip link set lo up 2>/dev/null || exit 3
: >"$1/v6peek"
echo 0 >/proc/sys/net/ipv6/bindv6only
python3 -c "
import socket, sys
R = socket.SO_REUSEADDR
l4 = socket.socket(socket.AF_INET6); l4.setsockopt(socket.SOL_SOCKET, R, 1)
l4.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
l4.bind((\"::\", 0)); l4.listen(4); P = l4.getsockname()[1]
c4 = socket.create_connection((\"127.0.0.1\", P)); a4, _ = l4.accept()
a4.close(); c4.recv(1); c4.close(); l4.close()
l6 = socket.socket(socket.AF_INET6); l6.bind((\"::1\", 0)); l6.listen(4)
c6 = socket.socket(socket.AF_INET6); c6.setsockopt(socket.SOL_SOCKET, R, 1)
c6.bind((\"::1\", P)); c6.connect(l6.getsockname()[:2]); a6, _ = l6.accept()
print(P, flush=True)
import signal; signal.pause()
" >>"$1/v6peek" 2>&1 &
py=$!
i=0
while [ $i -lt 100 ] && ! grep -Eq "^[0-9]+$" "$1/v6peek"; do sleep 0.1; i=$((i + 1)); done
P=$(head -n 1 "$1/v6peek")
"$2" --json "0.0.0.0:$P" >"$1/v6peek.plain"
"$2" -p --json "0.0.0.0:$P" >"$1/v6peek.p"
kill $py
wait $py 2>/dev/null
exit 0' sh "$tmp" "$WHY"
	cp "$tmp/v6peek.plain" "$tmp/out" 2>/dev/null
	check "hidden IPV6_V6ONLY without -p: presumed dual-stack (cause connected)" \
		all 'out_has "\"cause\":\"connected\""'
	cp "$tmp/v6peek.p" "$tmp/out" 2>/dev/null
	check "with -p: read from the socket, only the TIME_WAIT holds it" \
		all 'out_has "\"cause\":\"time-wait\""' 'out_has "\"connected\":0"'
else
	skip "-p reads a hidden IPV6_V6ONLY" "needs root, a network namespace, python3, IPv6"
fi

# ---- --audit and -N: services in network namespaces of their own, made
#      by unshare -n, each held by a launcher (tests' svc.py below) that
#      forks the service and, for "cgi", a process outside it.  The tool
#      runs inside a namespace (nsenter) or from here with -N; each
#      verdict is then held against what a real restart does: the service
#      is killed and its address bound again with its options.
cat >"$tmp/svc.py" <<'EOF'
# svc.py MODE: in this (new) network namespace, lo up; this launcher, a
# child subreaper holding no socket, forks the service S ("svc-MODE"),
# which listens on 127.0.0.1, port from the kernel:
#   plain  without SO_REUSEADDR; 3 connections it closed first in TIME_WAIT
#   reuse  with SO_REUSEADDR; the same 3 TIME_WAIT
#   cgi    without SO_REUSEADDR; 3 accepted connections left with "cgi", a
#          process outside the service (a child of the launcher)
# Prints "PORT S G" (G 0: none); on SIGTERM kills S and G, reaps, exits.
import ctypes, os, signal, socket, subprocess, sys, time
mode = sys.argv[1]
libc = ctypes.CDLL(None)
libc.prctl(36, 1, 0, 0, 0)                      # PR_SET_CHILD_SUBREAPER
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
N = 3
def name(comm):
    libc.prctl(15, comm.encode(), 0, 0, 0)      # PR_SET_NAME
def time_waits(port):
    with open("/proc/net/tcp") as f:
        rows = [x.split() for x in list(f)[1:]]
    return sum(1 for x in rows if x[3] == "06" and
               int(x[1].split(":")[1], 16) == port)
r, w = os.pipe()
s_pid = os.fork()
if s_pid == 0:
    os.close(r)
    name("svc-" + mode)
    l = socket.socket()
    if mode == "reuse":
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", 0))
    l.listen(16)
    port = l.getsockname()[1]
    pairs = []
    for _ in range(N):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = l.accept()
        pairs.append((c, a))
    g = 0
    if mode == "cgi":
        gr, gw = os.pipe()
        c_pid = os.fork()
        if c_pid == 0:
            if os.fork() == 0:          # G, reparented to the launcher
                l.close()
                name("cgi")
                os.write(gw, b"%d\n" % os.getpid())
                while True:
                    signal.pause()
            os._exit(0)
        os.waitpid(c_pid, 0)
        g = int(os.read(gr, 32))
        for c, a in pairs:
            c.close()
            a.close()
    else:
        for c, a in pairs:
            a.close()
        for c, a in pairs:
            c.recv(1)
            c.close()
        end = time.monotonic() + 10
        while time_waits(port) < N and time.monotonic() < end:
            time.sleep(0.01)
    os.write(w, b"%d %d\n" % (port, g))
    while True:
        signal.pause()
os.close(w)
port, g_pid = (int(x) for x in os.read(r, 64).split())
def stop(*_):
    for p in (s_pid, g_pid):
        if p:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    while True:
        try:
            os.wait()
        except ChildProcessError:
            sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print(port, s_pid, g_pid, flush=True)
while True:
    signal.pause()
EOF

# svc_start MODE: sets $lpid (the launcher, in the new namespace), $sport,
# $spid (the service), $gpid; empty $lpid when it did not start.
svc_start() {
	: >"$tmp/svc.$1"
	unshare -n python3 "$tmp/svc.py" "$1" >>"$tmp/svc.$1" 2>&1 &
	lpid=$!
	launchers="$launchers $lpid"
	if ! until_in "$tmp/svc.$1" '^[0-9]+ [0-9]+ [0-9]+$'; then
		failed=$((failed + 1))
		echo "not ok - the $1 service did not start"
		sed 's/^/#   /' "$tmp/svc.$1"
		lpid=
		return 1
	fi
	read -r sport spid gpid <"$tmp/svc.$1"
}
svc_stop() { # LAUNCHER
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# in_ns LAUNCHER CMD...: the command in the launcher's network namespace.
in_ns() {
	ns_pid=$1
	shift
	nsenter --net="/proc/$ns_pid/ns/net" "$@"
}
whyin() { # LAUNCHER ARGS...: the tool inside its namespace
	ns_pid=$1
	shift
	in_ns "$ns_pid" "$WHY" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# As uid 65534: a copy of the tool it may run.
whynobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/pub/portbind-why" \
		"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# json_ok EXPR: the JSON object in $tmp/out (ASCII only) parsed as d, EXPR
# true; v is its first service, s that one's first socket; P, S, G the
# service's port, pid, and the pid of its outside holder.
json_ok() {
	SP=$sport SS=$spid SG=$gpid python3 -c '
import json, os, re, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("ascii"))
v = d["services"][0] if d["services"] else None
s = v["sockets"][0] if v else None
P, S, G = (int(os.environ[k]) for k in ("SP", "SS", "SG"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$tmp/out" "$1" 2>>"$tmp/err"
}
# The members of --audit --json, in their order (portbind-why(1)).
top_keys='["version","netns","root","would_fail","unknown","counts","services"]'
svc_keys='["pid","command","uid","verdict","sockets"]'
sock_keys='["protocol","address","port","inode","uid","fd","processes","verdict","until_ms","until","blocks","hazards","reuseaddr","reuseport","v6only","options_error","time_wait","time_wait_ms","connections","outliving","outliving_pid","shared_pid","reason"]'
one_line() { [ "$(wc -l <"$tmp/out")" -eq 1 ]; }
# flat_has ERE: the output with its wrapped lines joined (one space).
flat_has() { tr -s ' \n' '  ' <"$tmp/out" | grep -Eq -- "$1"; }
narrow() { awk 'length > 80 { bad = 1 } END { exit bad }' "$tmp/out"; }
# stopped PID: the process is gone or a zombie (its sockets are closed).
stopped() {
	i=0
	while [ $i -lt 100 ]; do
		st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
		case $st in '' | Z) return 0 ;; esac
		nap
		i=$((i + 1))
	done
	return 1
}
# rebind LAUNCHER PORT REUSEADDR: bind and listen 127.0.0.1:PORT in the
# namespace as the restarted service would; prints "bound" or the errno.
rebind() {
	in_ns "$1" python3 -c '
import errno, socket, sys
s = socket.socket()
if sys.argv[2] == "1":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(1)
    print("bound")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))' "$2" "$3" >"$tmp/out" 2>&1
}

launchers=
nsname=
netns_cleanup() {
	if [ -n "$nsname" ]; then
		umount "/run/netns/$nsname" 2>/dev/null
		rm -f "/run/netns/$nsname"
		nsname=
	fi
	for p in $launchers; do
		svc_stop "$p"
	done
	launchers=
}

if [ "$(id -u)" -eq 0 ] && command -v python3 >/dev/null 2>&1 &&
   command -v nsenter >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 &&
   unshare -n true 2>/dev/null; then
	audit_here=1
	mkdir -p "$tmp/pub"
	cp "$WHY" "$tmp/pub/portbind-why"
	chmod 711 "$tmp"
	chmod 755 "$tmp/pub" "$tmp/pub/portbind-why"
else
	audit_here=
	skip "--audit and -N" "needs root, python3, nsenter, setpriv and unshare -n"
fi

if [ -n "$audit_here" ]; then
	# -- nothing listens
	unshare -n "$WHY" --audit >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "--audit, an empty namespace: says nothing listens, exit 0" \
		all 'rc_is 0' 'out_has "^nothing listens: no listening TCP socket and no bound UDP socket$"' \
		    one_line err_empty
	unshare -n "$WHY" --audit --json >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sport=0 spid=0 gpid=0
	check "--audit --json, an empty namespace: no service, exit 0" \
		all 'rc_is 0' one_line err_empty \
		    'json_ok "list(d) == $top_keys and d[\"services\"] == [] and d[\"version\"] == 1 and d[\"netns\"] is None and d[\"root\"] is True and d[\"would_fail\"] is False and d[\"unknown\"] is False and d[\"counts\"] == dict(services=0, sockets=0, fail=0, wait=0, unknown=0, ok=0)"'

	# -- a service without SO_REUSEADDR, TIME_WAIT on its port: wait;
	#    beside it, at the same time, one with the option: ok
	svc_start reuse && { rl=$lpid; rport=$sport; rspid=$spid; }
	svc_start plain && pl=$lpid
fi
if [ -n "$audit_here" ] && [ -n "${pl:-}" ] && [ -n "${rl:-}" ]; then
	whyin "$pl" --audit
	check "--audit (in the namespace), a service without SO_REUSEADDR: exit 1, its heading" \
		all 'rc_is 1' 'out_has "^pid $spid \(svc-plain\), user root \(0\): wait$"' err_empty
	check "--audit: its socket's line: verdict, protocol, address, options" \
		out_has "^  wait +tcp +127\.0\.0\.1:$sport +reuseaddr=0 reuseport=0$"
	check "--audit: the reason, with the count and the time" \
		out_has "^ +3 TIME_WAIT without SO_REUSEADDR: binds in [0-9]+ s \(at [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\)$"
	check "--audit: the totals last, every line within 80 columns" \
		all 'out_has "^1 service, 1 socket: 0 fail, 1 wait, 0 unknown, 0 ok$"' \
		    '[ "$(tail -n 1 "$tmp/out")" = "1 service, 1 socket: 0 fail, 1 wait, 0 unknown, 0 ok" ]' narrow
	whyin "$pl" --audit --json
	check "--audit --json: one line, exit 1, the members in their order" \
		all 'rc_is 1' one_line err_empty \
		    'json_ok "list(d) == $top_keys and list(v) == $svc_keys and list(s) == $sock_keys"'
	check "--audit --json: the service (pid, command, uid, verdict) and totals" \
		json_ok 'd["netns"] is None and d["root"] is True and d["would_fail"] is True and d["unknown"] is False and d["counts"] == dict(services=1, sockets=1, fail=0, wait=1, unknown=0, ok=0) and v["pid"] == S and v["command"] == "svc-plain" and v["uid"] == 0 and v["verdict"] == "wait"'
	check "--audit --json: the socket: wait on time-wait, options read, until" \
		json_ok "s['protocol'] == 'tcp' and s['address'] == '127.0.0.1:%d' % P and s['port'] == P and s['inode'] > 0 and s['uid'] == 0 and os.readlink('/proc/%d/fd/%d' % (S, s['fd'])) == 'socket:[%d]' % s['inode'] and s['processes'] == 1 and s['verdict'] == 'wait' and 0 < s['until_ms'] <= 61000 and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', s['until']) is not None and s['blocks'] == ['time-wait'] and s['reuseaddr'] is False and s['reuseport'] is False and s['v6only'] is None and s['options_error'] is None and s['time_wait'] == 3 and 0 < s['time_wait_ms'] <= 60000 and s['connections'] == 0 and s['outliving'] == 0 and s['outliving_pid'] is None and s['shared_pid'] is None and s['reason'].startswith('3 TIME_WAIT without SO_REUSEADDR: binds in ')"

	# -- -N: by pid, by path, by name; the namespace beside it not seen
	why --audit --json -N "$pl"
	check "--audit -N PID: the service in that namespace only, host pids" \
		all 'rc_is 1' err_empty \
		    'json_ok "d[\"netns\"] == \"$pl\" and d[\"counts\"][\"services\"] == 1 and v[\"pid\"] == S and s[\"port\"] == P"'
	why --audit --netns "/proc/$rl/ns/net"
	check "--audit --netns PATH: the other namespace's service, ok, exit 0" \
		all 'rc_is 0' err_empty \
		    'out_has "^pid $rspid \(svc-reuse\), user root \(0\): ok$"' \
		    'out_has "^  ok +tcp +127\.0\.0\.1:$rport +reuseaddr=1 reuseport=0$"' \
		    'out_has "^ +binds over 3 TIME_WAIT \(it sets SO_REUSEADDR\)$"' \
		    'flat_has " 1 service, 1 socket in netns /proc/$rl/ns/net: 0 fail, 0 wait, 0 unknown, 1 ok $"' narrow
	nsname=pbwhy-$$
	mkdir -p /run/netns
	if : >"/run/netns/$nsname" &&
	   mount --bind "/proc/$pl/ns/net" "/run/netns/$nsname" 2>"$tmp/err"; then
		why --audit --json -N "$nsname"
		check "--audit -N NAME (/run/netns): netns named, the service's verdict" \
			all 'rc_is 1' \
			    'json_ok "d[\"netns\"] == \"$nsname\" and v[\"pid\"] == S and s[\"verdict\"] == \"wait\""'
		why -p -N "$nsname" "127.0.0.1:$sport"
		check "-N NAME -p ADDRESS: the listener there, its host pid" \
			all 'rc_is 1' 'out_has "LISTEN +127\.0\.0\.1:$sport .*pid $spid \(svc-plain\)"'
		why -p "127.0.0.1:$sport"
		check "the same ADDRESS without -N: free here (exit 0)" rc_is 0
		t0=$(now_ms)
		why --wait 0.3 -N "$nsname" "127.0.0.1:$sport"
		t1=$(now_ms)
		check "--wait 0.3 -N NAME: asks again there, exit 1" \
			all 'rc_is 1' 'out_has listener'
		if [ -n "$t0" ] && [ -n "$t1" ]; then
			ms=$((t1 - t0))
			check "--wait 0.3 -N took about 0.3 s (${ms} ms)" \
				all '[ "$ms" -ge 280 ]' '[ "$ms" -le 2900 ]'
		fi
		whynobody -N "$nsname" "127.0.0.1:$sport"
		check "-N NAME ADDRESS not as root: exit 2, says CAP_SYS_ADMIN, no answer" \
			all 'rc_is 2' '[ ! -s "$tmp/out" ]' \
			    'err_has "^portbind-why: -N $nsname: entering a network namespace needs CAP_SYS_ADMIN: run as root$"'
		whynobody --audit -N "$nsname"
		check "--audit -N NAME not as root: exit 2, says CAP_SYS_ADMIN, no answer" \
			all 'rc_is 2' '[ ! -s "$tmp/out" ]' 'err_has "CAP_SYS_ADMIN"'
	else
		skip "-N NAME" "cannot bind-mount /run/netns/$nsname: $(cat "$tmp/err")"
	fi
	whynobody --audit -N "$pl"
	check "--audit -N PID not as root (a root process): exit 2, a message" \
		all 'rc_is 2' '[ ! -s "$tmp/out" ]' 'err_has "^portbind-why: -N $pl: "'

	# -- not root: the options cannot be read; none known to fail: 3
	in_ns "$pl" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tmp/pub/portbind-why" --audit --json >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "--audit --json not as root: exit 3, unknown, the options' error" \
		all 'rc_is 3' 'err_has "not root"' \
		    "json_ok \"d['root'] is False and d['unknown'] is True and d['would_fail'] is False and d['counts']['unknown'] == 1 and s['verdict'] == 'unknown' and s['reuseaddr'] is None and s['options_error'] is not None\""
	in_ns "$pl" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tmp/pub/portbind-why" --audit >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "--audit not as root: exit 3, \"options unknown: E...\", the warning on stderr only" \
		all 'rc_is 3' 'out_has "^  unknown tcp +127\.0\.0\.1:$sport +options unknown: E[A-Z]+"' \
		    '! out_has "not root:"' 'err_has "^portbind-why: not root: "'

	# -- the verdicts against a real restart: the service killed, its
	#    address bound again with its own options
	kill -9 "$spid"
	stopped "$spid"
	rebind "$pl" "$sport" 0
	check "wait held: after the stop a plain bind of 127.0.0.1:$sport fails (EADDRINUSE)" \
		all 'out_has "^EADDRINUSE$"'
	kill -9 "$rspid"
	stopped "$rspid"
	rebind "$rl" "$rport" 1
	check "ok held: after the stop a bind with SO_REUSEADDR of 127.0.0.1:$rport succeeds" \
		all 'out_has "^bound$"'
	netns_cleanup
	pl= rl=
fi

# -- a service whose connections a process outside it keeps: fail
if [ -n "$audit_here" ] && svc_start cgi; then
	cl=$lpid
	why --audit --json -N "$cl"
	check "--audit, connections kept by a process outside the service: fail, exit 1" \
		all 'rc_is 1' \
		    "json_ok \"s['verdict'] == 'fail' and 'outliving' in s['blocks'] and s['outliving'] >= 1 and s['outliving_pid'] == G and v['pid'] == S and d['counts']['fail'] == 1\""
	why --audit -N "$cl"
	check "--audit: the reason names the process that keeps them" \
		all 'rc_is 1' 'out_has "^ +[0-9]+ sockets? held by pid $gpid \(cgi\) outlives? it"' narrow
	kill -9 "$spid"
	stopped "$spid"
	rebind "$cl" "$sport" 0
	check "fail held: after the stop a plain bind of 127.0.0.1:$sport fails (EADDRINUSE)" \
		out_has "^EADDRINUSE$"
	netns_cleanup
fi

# -- a service that names itself with a terminal escape, a newline, a
#    byte that is not UTF-8 and an "e" with an acute accent in UTF-8: the
#    table shows "?" for each byte, the JSON stays ASCII and escapes them
#    (\u00XX for a control, U+FFFD for the stray byte, the accented
#    letter's own code point, a surrogate pair for U+1F600)
if [ -n "$audit_here" ]; then
	: >"$tmp/svc.hostile"
	unshare -n python3 -c '
import ctypes, signal, socket, subprocess
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
ctypes.CDLL(None).prctl(15, b"\x1b[2J\nok\xff\xc3\xa9\xf0\x9f\x98\x80", 0, 0, 0)
print(s.getsockname()[1], flush=True)
signal.pause()' >>"$tmp/svc.hostile" 2>&1 &
	hl=$!
	launchers="$launchers $hl"
	if until_in "$tmp/svc.hostile" '^[0-9]+$'; then
		sport=$(head -n 1 "$tmp/svc.hostile") spid=$hl gpid=0
		why --audit -N "$hl"
		esc=$(printf '\033')
		check "--audit: a hostile command name shows as printable text on its line" \
			all 'rc_is 0' 'out_has "^pid $hl \(\?\[2J\?ok\?\?\?\?\?\?\?\), user root \(0\): ok$"' \
			    '! grep -q "$esc" "$tmp/out"' '! out_has "^ok"'
		why --audit --json -N "$hl"
		check "--audit --json: the same name escaped, the object ASCII and valid" \
			all 'rc_is 0' one_line \
			    'json_ok "v[\"command\"] == \"\\x1b[2J\\nok\\ufffd\\u00e9\\U0001f600\" and v[\"pid\"] == S"' \
			    'grep -q "\\\\u001b\[2J\\\\u000aok\\\\ufffd\\\\u00e9\\\\ud83d\\\\ude00\"" "$tmp/out"'
	else
		failed=$((failed + 1))
		echo "not ok - the service with a hostile name did not start"
		sed 's/^/#   /' "$tmp/svc.hostile"
	fi
	netns_cleanup
fi

# -- two services that share an address through SO_REUSEPORT: each binds
#    again beside the other (ok), with the hazard that names the other
if [ -n "$audit_here" ]; then
	: >"$tmp/svc.shared"
	unshare -n python3 -c '
import ctypes, os, signal, socket, subprocess, sys
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
port, pids = 0, []
for name in (b"svc-a", b"svc-b"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4)
    port = s.getsockname()[1]
    pid = os.fork()
    if pid == 0:
        ctypes.CDLL(None).prctl(15, name, 0, 0, 0)
        while True:
            signal.pause()
    s.close()
    pids.append(pid)
def stop(*_):
    for p in pids:
        os.kill(p, signal.SIGKILL)
        os.waitpid(p, 0)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print(port, *pids, flush=True)
while True:
    signal.pause()' >>"$tmp/svc.shared" 2>&1 &
	shl=$!
	launchers="$launchers $shl"
	if until_in "$tmp/svc.shared" '^[0-9]+ [0-9]+ [0-9]+$'; then
		read -r sport spid gpid <"$tmp/svc.shared"
		why --audit --json -N "$shl"
		check "--audit, two services sharing an address (SO_REUSEPORT): ok, each names the other" \
			all 'rc_is 0' \
			    "json_ok \"d['counts'] == dict(services=2, sockets=2, fail=0, wait=0, unknown=0, ok=2) and sorted((x['pid'], x['sockets'][0]['shared_pid'], x['sockets'][0]['hazards'], x['sockets'][0]['reuseport']) for x in d['services']) == [(S, G, ['ephemeral', 'shared'], True), (G, S, ['ephemeral', 'shared'], True)]\""
		why --audit -N "$shl"
		check "--audit: the hazard line names the other service" \
			all 'rc_is 0' 'flat_has "hazard: shared with pid $gpid \(svc-b\) through SO_REUSEPORT: it takes all the traffic while this one is down"' \
			    'flat_has "hazard: shared with pid $spid \(svc-a\) through SO_REUSEPORT: it takes all the traffic while this one is down"' narrow
	else
		failed=$((failed + 1))
		echo "not ok - the services sharing an address did not start"
		sed 's/^/#   /' "$tmp/svc.shared"
	fi
	netns_cleanup
fi

# -- what --audit and -N refuse
why --audit 80
check "--audit with an ADDRESS: exit 2, usage" all 'rc_is 2' 'err_has "^usage: "'
why --audit -u
check "--audit with -u: exit 2" all 'rc_is 2' 'err_has "--audit goes only with"'
why --audit --wait 1
check "--audit with --wait: exit 2" rc_is 2
why -N /nonexistent/ns --audit
check "-N a path that does not exist: exit 2, says so" \
	all 'rc_is 2' '[ ! -s "$tmp/out" ]' \
	    'err_has "^portbind-why: -N /nonexistent/ns: no such network namespace"'
why -N pbwhy-no-such-name-$$ 80
check "-N a name not in /run/netns: exit 2" \
	all 'rc_is 2' 'err_has "no such network namespace"'
why -N "" 80
check "-N \"\": exit 2" all 'rc_is 2' 'err_has "^portbind-why: -N : not a network namespace"'
why -N /proc/self/ns/uts 80
check "-N another kind of namespace: exit 2, not a network namespace" \
	all 'rc_is 2' 'err_has "not a network namespace"' '[ ! -s "$tmp/out" ]'
why -N 1 --budget 127.0.0.1:80
check "--budget with -N: exit 2, refused" \
	all 'rc_is 2' 'err_has "--budget cannot look into another namespace"'

# ---- bad usage and errors: exit 2, a message on stderr, nothing on stdout
why
check "no argument: exit 2, usage on stderr" \
	all 'rc_is 2' 'err_has "^usage: portbind-why"' '[ ! -s "$tmp/out" ]'
why host:80
check "bad spec host:80: exit 2, \"portbind-why: host:80: ...\"" \
	all 'rc_is 2' 'err_has "^portbind-why: host:80: "' '[ ! -s "$tmp/out" ]'
why --bogus 80
check "unknown option: exit 2" all 'rc_is 2' 'err_has "^usage: "'
why 80 81
check "two addresses: exit 2" rc_is 2
why --wait soon 80
check "--wait soon: exit 2" all 'rc_is 2' 'err_has "--wait"'
why --reuseaddr --reuseport 80
check "--reuseaddr with --reuseport: exit 2" \
	all 'rc_is 2' 'err_has "reuseport"' '[ ! -s "$tmp/out" ]'
why -u --reuseaddr 80
check "-u with --reuseaddr: exit 2 (TCP only)" all 'rc_is 2' 'err_has "TCP"'
why --reuseaddr --budget 127.0.0.1:80
check "--budget with --reuseaddr: exit 2" rc_is 2
why -h
check "-h: usage on stdout, exit 0, --budget, --reuseaddr, --reuseport, --audit, --netns in it" \
	all 'rc_is 0' 'out_has "^usage: portbind-why"' 'out_has "--budget"' \
	    'out_has "--audit"' 'out_has "--netns"' \
	    'out_has "--reuseaddr"' 'out_has "--reuseport"' err_empty
why -V
check "-V: the library's version, exit 0" \
	all 'rc_is 0' 'out_has "[0-9]+\.[0-9]+\.[0-9]+"'

echo "why.sh: $passed passed, $failed failed, $skipped skipped"
printf '%s' "$skips"
[ "$failed" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# examples.sh - build each program of examples/ as a user would and run it
# against the real kernel, checking what it prints and does.
#
# Run from the top of the tree after `make all examples` (by `make check`).
# As root it runs in a network namespace of its own (unshare -n), where
# ports and sysctls are quiet and its own; elsewhere on the host's
# loopback, with the checks that need the namespace skipped.  Ports are
# the kernel's choice (port 0) unless the namespace is private.  One line
# per check: "ok - ...", "not ok - ..." or "skipped - WHAT: WHY", then
# "examples.sh: N passed, M failed, S skipped" and each skip again (a
# skip is never counted as passed); exit status 1 when any check failed.
# Every wait is bounded and every process started is reaped.
#
# PB_CC (default cc) compiles; PB_TEST_SLOW=1 adds the 60 s TIME_WAIT wait.
# shellcheck disable=SC2016

set -u
cd "$(dirname "$0")/.." || exit 1
# The sources are read here; what was built is in PB_BUILDDIR (make check
# sets it: an out-of-tree build), else here.
B=${PB_BUILDDIR:-$PWD}
export B

# Every program of examples/ (each is run below; one that no run covers
# fails the run, at the end).
EXAMPLES=$(for f in examples/*.c; do basename "$f" .c; done)
SERVER=$B/examples/demo/restart-server
ECHO=$B/examples/demo/echo-client
for b in $EXAMPLES; do
	[ -x "$B/examples/$b" ] ||
		{ echo "examples.sh: $B/examples/$b is not built; run 'make examples'" >&2; exit 1; }
done

# Root: into a private network namespace, once.
if [ -z "${PB_EX_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] &&
   unshare -n true 2>/dev/null; then
	PB_EX_NETNS=1 exec unshare -n sh "$0" "$@"
fi
netns=
if [ -n "${PB_EX_NETNS:-}" ]; then
	ip link set lo up 2>/dev/null && netns=1
fi
nons="needs root and unshare -n (a private network namespace)"

. tests/harness.sh
harness_begin ex

# run PROG ARGS...: a foreground run, at most 20 s; $rc, $tmp/out, $tmp/err.
run() {
	for w in "$@"; do
		case $w in "$B"/examples/*) covered "${w#"$B"/examples/}" ;; esac
	done
	timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
rc_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -Eq -- "$1" "$tmp/out"; }
err_has() { grep -Eq -- "$1" "$tmp/err"; }

nap() { sleep 0.1 2>/dev/null || sleep 1; }
# until_in FILE RE: wait until FILE has a line matching RE, at most 20 s
# (a loaded build machine can take seconds to start python3 and exec).
until_in() {
	i=0
	while [ $i -lt 200 ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		nap
		i=$((i + 1))
	done
	return 1
}

# start NAME FILE ARGS...: run "$B"/examples/NAME in the background, output to
# FILE; wait (3 s at most) for its first line.  Sets $bg.
start() {
	n=$1
	f=$2
	shift 2
	: >"$f"
	covered "$n"
	"$B/examples/$n" "$@" >>"$f" 2>&1 &
	bg=$!
	bgs="$bgs $bg"
	until_in "$f" '.' || true
}
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	bgs=$(echo "$bgs" | sed "s/ $1\$//; s/ $1 / /")
}
port_of() { sed -n 's/^\(listening on\|bound\|took over\) 127\.0\.0\.1:\([0-9][0-9]*\)$/\2/p' "$1"; }
now_ms() {
	t=$(date +%s%N 2>/dev/null)
	case $t in *[!0-9]* | '') echo ;; *) echo $((t / 1000000)) ;; esac
}
# timed DESC T0 T1 TEST...: check how long a run took, or skip the check
# (counted) when date(1) gives no milliseconds here.
timed() {
	d=$1
	shift
	if [ -n "$1" ] && [ -n "$2" ]; then
		shift 2
		check "$d" "$@"
	else
		skip "$d" "date +%N gives no milliseconds here"
	fi
}
# covered NAME: a run of examples/NAME happened.
covered() { : >"$tmp/ran.$1"; }

# The headers an example may include: the C library's (C11 and POSIX, and
# Linux's socket additions) and <portbind.h>, nothing else.
HEADERS_OK="assert ctype errno inttypes limits signal stdarg stdbool \
stddef stdint stdio stdlib string time err fcntl netdb poll strings \
unistd arpa/inet netinet/in netinet/tcp sys/socket sys/stat sys/time \
sys/types sys/uio sys/un portbind"

# ---- each example is short, uses libc and <portbind.h> only, and builds
#      as a user builds it: no flags beyond the warnings, warnings errors.
for b in $EXAMPLES; do
	f=examples/$b.c
	lines=$(wc -l <"$f")
	check "$f: $lines lines (at most 110)" [ "$lines" -le 110 ]
	: >"$tmp/out"
	grep '^[ 	]*#[ 	]*include' "$f" | while IFS= read -r l; do
		h=$(expr "$l" : '#include <\([a-z/]*\)\.h>$')
		case " $HEADERS_OK " in
		*" $h "*) [ -n "$h" ] || echo "$l" ;;
		*) echo "$l" ;;
		esac
	done >"$tmp/out"
	check "$f: includes only libc and <portbind.h>" [ ! -s "$tmp/out" ]
	sed -n '3p' "$f" >"$tmp/out"
	check "$f: starts with what it shows, then how to run it" \
		all 'grep -Eq "^ \* $b - " "$tmp/out"' 'grep -Eq "^ \*	$b( |\$)" "$f"'
	${PB_CC:-cc} -Wall -Wextra -Werror -Iinclude -c -o "$tmp/$b.o" "$f" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$f: cc -Wall -Wextra -Werror" rc_is 0
done

# ---- listen: serves, and a second copy says who holds the port
start listen "$tmp/l1" 127.0.0.1:0
l1=$bg
P=$(port_of "$tmp/l1")
check "listen 127.0.0.1:0: prints the port the kernel chose" [ -n "$P" ]
P=${P:-1}
run "$B"/examples/client "127.0.0.1:$P" 127.0.0.1:0 hi
check "client: the listen example echoes 'hi'" all 'rc_is 0' 'out_has "^reply: hi$"'
run "$B"/examples/listen "127.0.0.1:$P"
check "listen on a held port: exit 1, the paragraph names the listener" \
	all 'rc_is 1' 'err_has "^listen: tcp 127\.0\.0\.1:$P: EADDRINUSE"' \
	'err_has "held by 1 listening socket: LISTEN 127\.0\.0\.1:$P"' \
	'err_has "Fix: "'
run "$B"/examples/listen "no-such:spec"
check "listen on a bad spec: exit 1, one readable line naming the spec" \
	all 'rc_is 1' 'err_has "no-such:spec"' \
	'! LC_ALL=C grep -q "[^[:print:]]" "$tmp/err"' '[ $(wc -l <"$tmp/err") -eq 1 ]'

# ---- diagnose: the same port, as a paragraph and as JSON
run "$B"/examples/diagnose "127.0.0.1:$P"
check "diagnose a held port: exit 1, listener" \
	all 'rc_is 1' 'out_has "held by 1 listening socket"'
run "$B"/examples/diagnose -j "127.0.0.1:$P"
check "diagnose -j: one JSON object, cause listener" \
	all 'rc_is 1' 'out_has "^\{\"protocol\":\"tcp\",.*\"cause\":\"listener\".*\}$"'

# ---- restart: a live listener is not waited for.  "At once" below is
#      under 10 s, against a wait of 30: a loaded machine can take seconds.
t0=$(now_ms)
run "$B"/examples/restart "127.0.0.1:$P" 30
t1=$(now_ms)
check "restart over a live listener: exit 1 with the paragraph" \
	all 'rc_is 1' 'err_has "held by 1 listening socket"'
timed "restart over a live listener: fails at once ($((${t1:-0} - ${t0:-0})) ms, not 30 s)" \
	"$t0" "$t1" [ $((${t1:-0} - ${t0:-0})) -lt 10000 ]
# ... nor a port this user may not bind, nor an address that is not local
if [ "$(id -u)" -eq 0 ]; then
	asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	asuser=
fi
ups=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)
if [ "$ups" -le 80 ]; then
	skip "restart on port 80 as a user" "net.ipv4.ip_unprivileged_port_start is $ups here"
elif [ -z "$asuser" ] || command -v setpriv >/dev/null 2>&1; then
	t0=$(now_ms)
	run $asuser "$B"/examples/restart 127.0.0.1:80 30
	t1=$(now_ms)
	check "restart on port 80 as a user: exit 1, EACCES explained" \
		all 'rc_is 1' 'err_has "EACCES.*port 80 is privileged"'
	timed "... at once ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" \
		[ $((${t1:-0} - ${t0:-0})) -lt 10000 ]
else
	skip "restart on port 80 as a user" "no setpriv to drop root"
fi
t0=$(now_ms)
run "$B"/examples/restart 192.0.2.99:8080 30
t1=$(now_ms)
check "restart on an address not local: exit 1, EADDRNOTAVAIL explained" \
	all 'rc_is 1' 'err_has "EADDRNOTAVAIL"'
timed "... at once ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" \
	[ $((${t1:-0} - ${t0:-0})) -lt 10000 ]
stop "$l1"
run "$B"/examples/diagnose "127.0.0.1:$P"
check "diagnose after the listener stopped: exit 0, nothing holds it" \
	all 'rc_is 0' 'out_has "nothing holds it"'
run "$B"/examples/diagnose -j "127.0.0.1:$P"
check "diagnose -j after: cause none" all 'rc_is 0' 'out_has "\"cause\":\"none\""'

# ---- client: a refused connection is explained
run "$B"/examples/client "127.0.0.1:$P" 127.0.0.1:0
check "client to a closed port: exit 1, ECONNREFUSED explained" \
	all 'rc_is 1' 'err_has "^client: tcp 127\.0\.0\.1:0 -> 127\.0\.0\.1:$P: ECONNREFUSED"' \
	'err_has "Fix: "'

# ---- udp: echoes, keeps its port, leaves the TCP port of that number free
start udp "$tmp/u1" 127.0.0.1:0
u1=$bg
U=$(port_of "$tmp/u1")
check "udp 127.0.0.1:0: prints the port" [ -n "$U" ]
U=${U:-1}
run "$B"/examples/client -u "127.0.0.1:$U" 127.0.0.1:0 ping
check "client -u: the udp example echoes 'ping'" all 'rc_is 0' 'out_has "^reply: ping$"'
run "$B"/examples/udp "127.0.0.1:$U"
check "udp on a held port: exit 1, held by 1 UDP socket (no SO_REUSEADDR)" \
	all 'rc_is 1' 'err_has "udp 127\.0\.0\.1:$U: EADDRINUSE"' \
	'err_has "held by 1 UDP socket"'
run "$B"/examples/diagnose -u "127.0.0.1:$U"
check "diagnose -u: exit 1" all 'rc_is 1' 'out_has "^udp 127\.0\.0\.1:$U"'
start listen "$tmp/l2" "127.0.0.1:$U"
check "listen on the TCP port of the same number: a separate table" \
	grep -q "^listening on 127\.0\.0\.1:$U\$" "$tmp/l2"
stop "$bg"
stop "$u1"

# ---- restart over TIME_WAIT: binds at once when the old server set
#      SO_REUSEADDR, waits (bounded) when it did not
tw() {  # tw [-n]: a server that closes first leaves TIME_WAIT on $T
	: >"$tmp/rs"
	"$SERVER" "$@" 127.0.0.1:0 >>"$tmp/rs" 2>&1 &
	rs=$!
	bgs="$bgs $rs"
	until_in "$tmp/rs" '^listening on' || true
	T=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$tmp/rs")
	T=${T:-1}
	"$ECHO" "127.0.0.1:$T" hello >/dev/null 2>&1
	twrc=$?
	until_in "$tmp/rs" '^echoed' || true
	stop "$rs"
}
tw
t0=$(now_ms)
start restart "$tmp/r1" "127.0.0.1:$T" 30
t1=$(now_ms)
check "restart over TIME_WAIT left with SO_REUSEADDR: binds at once" \
	all '[ $twrc -eq 0 ]' 'grep -q "^listening on 127\.0\.0\.1:$T\$" "$tmp/r1"'
timed "... within 10 s, not the 30 ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" \
	[ $((${t1:-0} - ${t0:-0})) -lt 10000 ]
stop "$bg"
tw -n
t0=$(now_ms)
run "$B"/examples/restart "127.0.0.1:$T" 1
t1=$(now_ms)
check "restart 1 s over TIME_WAIT without SO_REUSEADDR: exit 1, says so" \
	all '[ $twrc -eq 0 ]' 'rc_is 1' 'err_has "did not set SO_REUSEADDR"'
timed "... after waiting the 1 s ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" \
	all '[ $((t1 - t0)) -ge 950 ]' '[ $((t1 - t0)) -lt 5000 ]'
if [ "${PB_TEST_SLOW:-0}" = 1 ]; then
	run "$B"/examples/diagnose "127.0.0.1:$T"
	start restart "$tmp/r2" "127.0.0.1:$T" 70
	until_in "$tmp/r2" '^listening on' || true
	i=0
	while [ $i -lt 65 ] && ! grep -q '^listening on' "$tmp/r2"; do
		sleep 1
		i=$((i + 1))
	done
	check "restart 70 over the same TIME_WAIT: binds once it expires (${i} s)" \
		grep -q "^listening on 127\.0\.0\.1:$T\$" "$tmp/r2"
	stop "$bg"
else
	skip "restart 70 over TIME_WAIT without SO_REUSEADDR binds when it expires" \
		"set PB_TEST_SLOW=1 for the 60 s wait"
fi

# ---- activation: a passed socket is adopted, not bound again
act() {  # act NAME SPEC PORT-TO-PASS: run activation with fd 3 passed
	# Emptied here, not by the background job's redirection: that one
	# may come after until_in below has read the last run's line.
	: >"$tmp/a"
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as systemd does
s.bind(("127.0.0.1", int(sys.argv[3]))); s.listen(8)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
env = dict(os.environ, LISTEN_PID=str(os.getpid()), LISTEN_FDS="1",
           LISTEN_FDNAMES=sys.argv[1])
os.execve(os.environ["B"] + "/examples/activation", ["activation", sys.argv[2]], env)
' "$@" >>"$tmp/a" 2>&1 &
	a=$!
	bgs="$bgs $a"
	covered activation
	until_in "$tmp/a" '.' ||
		echo "# activation printed nothing in 20 s (a loaded machine?)"
}
# shows_a RE: the activation's output has a line matching RE; else it is
# shown, for the failure to be read.
shows_a() {
	grep -Eq -- "$1" "$tmp/a" && return 0
	sed 's/^/#   activation: /' "$tmp/a"
	return 1
}
if command -v python3 >/dev/null 2>&1; then
	start listen "$tmp/l3" 127.0.0.1:0    # a free port to pass
	A=$(port_of "$tmp/l3")
	stop "$bg"
	A=${A:-1}
	act web "127.0.0.1:$A" "$A"
	check "activation with a passed socket: adopts fd 3 by its name" \
		shows_a "^adopted fd 3 \(web\) for 127\.0\.0\.1:$A\$"
	run "$B"/examples/diagnose -j "127.0.0.1:$A"
	check "... and the port has one listener" \
		all 'rc_is 1' 'out_has "\"listen\":1,"'
	stop "$a"
	act web "127.0.0.1:0" "$A"
	check "activation: port 0 in the spec matches the passed socket, whose address it prints" \
		shows_a "^adopted fd 3 \(web\) for 127\.0\.0\.1:$A\$"
	stop "$a"
	act web "*:$A" "$A"
	i=0
	while [ $i -lt 30 ] && kill -0 "$a" 2>/dev/null; do nap; i=$((i + 1)); done
	wait "$a" 2>/dev/null
	arc=$?
	bgs=$(echo "$bgs" | sed "s/ $a\$//; s/ $a / /")
	check "activation: *:$A asked, 127.0.0.1:$A passed: not adopted, the bind fails beside it" \
		all '[ $arc -eq 1 ]' 'grep -q "EADDRINUSE.*held by 1 listening socket: LISTEN 127\.0\.0\.1:$A" "$tmp/a"'
else
	skip "activation with a passed socket" "no python3 to pass one"
fi
start activation "$tmp/a2" 127.0.0.1:0
check "activation started by hand: binds, prints the port bound" \
	grep -Eq "^listening on 127\.0\.0\.1:[1-9][0-9]*\$" "$tmp/a2"
stop "$bg"

# ---- handoff: the successor takes the very same socket
start listen "$tmp/l4" 127.0.0.1:0    # a free port
H=$(port_of "$tmp/l4")
stop "$bg"
H=${H:-1}
ctl=$tmp/handoff.ctl
start handoff "$tmp/h1" "127.0.0.1:$H" "$ctl"
h1=$bg
check "handoff: the first copy binds" grep -q "^listening on 127\.0\.0\.1:$H\$" "$tmp/h1"
run "$B"/examples/client "127.0.0.1:$H" 127.0.0.1:0 ""
check "handoff: the first copy serves" all 'rc_is 0' "out_has '^reply: hello from $h1\$'"
ino1=$("$B"/examples/diagnose -j "127.0.0.1:$H" | sed -n 's/.*"inode":\([0-9]*\).*/\1/p')
start handoff "$tmp/h2" "127.0.0.1:$H" "$ctl"
h2=$bg
check "handoff: the second copy takes the socket over" \
	grep -q "^took over 127\.0\.0\.1:$H\$" "$tmp/h2"
i=0
while [ $i -lt 30 ] && kill -0 "$h1" 2>/dev/null; do nap; i=$((i + 1)); done
wait "$h1" 2>/dev/null
hrc=$?
bgs=$(echo "$bgs" | sed "s/ $h1\$//; s/ $h1 / /")
check "handoff: the first copy says so and exits 0" \
	all '[ $hrc -eq 0 ]' 'grep -q "^handed off\$" "$tmp/h1"'
run "$B"/examples/client "127.0.0.1:$H" 127.0.0.1:0 ""
check "handoff: the second copy serves on the same port" \
	all 'rc_is 0' "out_has '^reply: hello from $h2\$'"
ino2=$("$B"/examples/diagnose -j "127.0.0.1:$H" | sed -n 's/.*"inode":\([0-9]*\).*/\1/p')
check "handoff: the very same socket (inode ${ino1:-?} = ${ino2:-?})" \
	all '[ -n "$ino1" ]' '[ "$ino1" = "$ino2" ]'
stop "$h2"

# ---- handoff to a copy asked for another address: it says so and serves
#      on the socket it was handed (binding *:H beside the predecessor,
#      which still holds 127.0.0.1:H until it exits, would fail)
start handoff "$tmp/h3" "127.0.0.1:$H" "$ctl"
h3=$bg
check "handoff: a first copy binds again" grep -q "^listening on 127\.0\.0\.1:$H\$" "$tmp/h3"
start handoff "$tmp/h4" "*:$H" "$ctl"
h4=$bg
until_in "$tmp/h4" '^took over' || true
check "handoff: *:$H asked, 127.0.0.1:$H handed: takes it over, says so" \
	all 'grep -q "^took over 127\.0\.0\.1:$H\$" "$tmp/h4"' \
	'grep -q "^handoff: handed 127\.0\.0\.1:$H, asked for \*:$H: serving on 127\.0\.0\.1:$H (a hand-off keeps the address; stop, then start, to move)\$" "$tmp/h4"'
i=0
while [ $i -lt 30 ] && kill -0 "$h3" 2>/dev/null; do nap; i=$((i + 1)); done
wait "$h3" 2>/dev/null
hrc=$?
bgs=$(echo "$bgs" | sed "s/ $h3\$//; s/ $h3 / /")
check "handoff: the first copy handed off and exited 0" \
	all '[ $hrc -eq 0 ]' 'grep -q "^handed off\$" "$tmp/h3"'
run "$B"/examples/client "127.0.0.1:$H" 127.0.0.1:0 ""
check "handoff: no outage, the new copy serves on 127.0.0.1:$H" \
	all 'rc_is 0' "out_has '^reply: hello from $h4\$'"
stop "$h4"

# ---- in the private namespace: the defaults, and running out of ports
if [ -n "$netns" ]; then
	start listen "$tmp/l5"
	check "listen with no argument: *:8080" \
		grep -Eq '^listening on (\[::\]|0\.0\.0\.0):8080$' "$tmp/l5"
	stop "$bg"
	# Two source ports, no TIME_WAIT reuse: the third connection to one
	# destination finds none (the client closes first, so its side keeps
	# each port in TIME_WAIT for 60 s).
	sysctl -qw net.ipv4.ip_local_port_range="40000 40001" net.ipv4.tcp_tw_reuse=0
	start listen "$tmp/l6" 127.0.0.1:8080
	for k in 1 2; do
		run "$B"/examples/client 127.0.0.1:8080 127.0.0.1:0 "n$k"
		check "client $k of 2 with a 2-port range: served" \
			all 'rc_is 0' "out_has '^reply: n$k\$'"
	done
	run "$B"/examples/client 127.0.0.1:8080 127.0.0.1:0 n3
	check "client 3 of 2: exit 1, ports exhausted, explained" \
		all 'rc_is 1' 'err_has "EADDRNOTAVAIL"' \
		'err_has "no free local port is left towards that destination"' \
		'err_has "40000-40001"'
	stop "$bg"
else
	skip "listen with no argument binds *:8080" "$nons"
	skip "client runs out of source ports, explained" "$nons"
fi

# ---- audit and netns: real states in the private namespace, each verdict
#      held against what a real restart then does
# pyserver MODE PORT FILE: a python3 server on 127.0.0.1:PORT with one
# connection from a client outside it (a grandchild, reparented): "ok"
# set SO_REUSEADDR and holds the connection; "wait" did not set it and
# holds the connection (its stop closes it first: the closing connection
# then holds the port, which its restart cannot pass); "fail" did not set
# it and handed the connection to that outside process, which outlives a
# stop.  FILE gets "ready PID OUTSIDE-PID".  Sets $bg and $outside, whom
# the caller kills.
pyserver() {
	: >"$3"
	python3 -c '
import os, socket, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
l = socket.socket()
if mode == "ok":
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port)); l.listen(8)
if mode == "fail":
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = l.accept()
r, w = os.pipe()
if os.fork() == 0:
    if os.fork() == 0:
        # Reparented: outside the service.  The client; in "fail" also
        # the server end of the connection.
        l.close()
        if mode != "fail":
            c = socket.create_connection(("127.0.0.1", port))
        os.write(w, b"%d\n" % os.getpid())
        time.sleep(120)
    os._exit(0)
os.wait()
outside = int(os.read(r, 32))
if mode == "fail":
    a.close(); c.close()
else:
    a, _ = l.accept()
print("ready", os.getpid(), outside, flush=True)
time.sleep(120)
' "$1" "$2" >>"$3" 2>&1 &
	bg=$!
	bgs="$bgs $bg"
	until_in "$3" '^ready' || true
	outside=$(sed -n 's/^ready [0-9]* \([0-9][0-9]*\)$/\1/p' "$3")
	outsiders="$outsiders ${outside:-}"
}
# binds PORT [r]: a new socket, as the restarted server makes it (r: with
# SO_REUSEADDR), binds 127.0.0.1:PORT and listens now.
binds() {
	python3 -c '
import socket, sys
s = socket.socket()
if len(sys.argv) > 2:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
' "$@" 2>/dev/null
}
outsiders=
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
if [ -n "$netns" ] && command -v python3 >/dev/null 2>&1; then
	run "$B"/examples/audit
	check "audit with no socket in the namespace: exit 0, prints nothing" \
		all 'rc_is 0' '[ ! -s "$tmp/out" ]'
	start listen "$tmp/l7" 127.0.0.1:7001
	l7=$bg
	pyserver ok 7002 "$tmp/p2"
	p2=$bg
	run "$B"/examples/audit
	check "audit: a pb_listen server and one with SO_REUSEADDR and a connection: exit 0, nothing printed" \
		all 'rc_is 0' '[ ! -s "$tmp/out" ]'
	pyserver wait 7003 "$tmp/p3"
	p3=$bg
	pyserver fail 7004 "$tmp/p4"
	p4=$bg
	o4=$outside
	run "$B"/examples/audit
	check "audit: exit 1, the service that would fail first, then the one that would wait, nothing else" \
		all 'rc_is 1' '[ "$(wc -l <"$tmp/out")" -eq 2 ]' \
		'sed -n 1p "$tmp/out" | grep -Eq "^fail tcp 127\.0\.0\.1:7004 pid $p4 \([^)]*\): outliving; pid ${o4:-X} holds on\$"' \
		'sed -n 2p "$tmp/out" | grep -Eq "^wait tcp 127\.0\.0\.1:7003 pid $p3 \([^)]*\): connections; binds in [0-9]+ ms\$"'
	run $nobody "$B"/examples/audit
	check "audit as uid 65534: exit 3, those two unknown, the options not read" \
		all 'rc_is 3' 'out_has "^unknown tcp 127\.0\.0\.1:7003 .*; options not read: "' \
		'out_has "^unknown tcp 127\.0\.0\.1:7004 .*; options not read: "' \
		'! out_has "^(wait|fail) "'
	# The real restarts: stop each service, bind as it would.
	stop "$p2"; stop "$l7"; stop "$p3"; stop "$p4"
	check "... the restarts: 7001 and 7002 bind at once with SO_REUSEADDR, 7003 and 7004 do not without it" \
		all 'binds 7001 r' 'binds 7002 r' '! binds 7003' '! binds 7004'

	# Another namespace, with a server of its own; its pids as seen here.
	: >"$tmp/n1"
	unshare -n sh -c 'ip link set lo up && exec "$1" 127.0.0.1:7005' sh \
		"$B/examples/listen" >>"$tmp/n1" 2>&1 &
	n1=$!
	bgs="$bgs $n1"
	until_in "$tmp/n1" '^listening' || true
	pyserver wait 7006 "$tmp/p6"
	p6=$bg
	run "$B"/examples/audit "$n1"
	check "audit PID: that process's namespace, not this one's wait (exit 0)" \
		all 'rc_is 0' '[ ! -s "$tmp/out" ]'
	run "$B"/examples/netns "$n1" 127.0.0.1:7005
	check "netns PID ADDRESS: the listener there, with its pid as seen here" \
		all 'rc_is 1' "out_has 'held by 1 listening socket: LISTEN 127\\.0\\.0\\.1:7005 .*pid $n1 \\(listen\\)'"
	run "$B"/examples/netns "$n1" 127.0.0.1:7006
	check "netns PID ADDRESS: the server here is not there (exit 0)" \
		all 'rc_is 0' 'out_has "nothing holds it"'
	run "$B"/examples/audit /proc/$$/ns/net
	check "audit /proc/PID/ns/net: this namespace by path (exit 1: 7006 would wait)" \
		all 'rc_is 1' 'out_has "^wait tcp 127\.0\.0\.1:7006 pid $p6 "'
	run $nobody "$B"/examples/netns /proc/self/ns/net 127.0.0.1:7006
	check "netns as uid 65534: EPERM, exit 2, no answer about any namespace" \
		all 'rc_is 2' 'err_has "Operation not permitted"' '[ ! -s "$tmp/out" ]'
	run $nobody "$B"/examples/netns "$n1" 127.0.0.1:7005
	check "netns PID of root's process as uid 65534: EACCES from the open, exit 2" \
		all 'rc_is 2' 'err_has "^netns: $n1: Permission denied\$"' '[ ! -s "$tmp/out" ]'
	run $nobody "$B"/examples/audit /proc/self/ns/net
	check "audit NETNS as uid 65534: EPERM, exit 2, nothing printed" \
		all 'rc_is 2' 'err_has "Operation not permitted"' '[ ! -s "$tmp/out" ]'
	run "$B"/examples/netns /etc/passwd 127.0.0.1:7006
	check "netns FILE that is no namespace: EINVAL, exit 2, no answer" \
		all 'rc_is 2' 'err_has "^netns: /etc/passwd: Invalid argument\$"' '[ ! -s "$tmp/out" ]'
	run "$B"/examples/audit no-such-netns
	check "audit NAME that /run/netns lacks: ENOENT, exit 2" \
		all 'rc_is 2' 'err_has "no-such-netns: No such file or directory"'
	stop "$p6"; stop "$n1"
	for o in $outsiders; do kill "$o" 2>/dev/null; done
else
	skip "audit and netns on real states" "$nons, and python3"
	# What needs neither: the errors before any namespace is entered.
	run "$B"/examples/netns /etc/passwd 127.0.0.1:7006
	check "netns FILE that is no namespace: EINVAL, exit 2 (not root)" \
		all 'rc_is 2' 'err_has "^netns: /etc/passwd: Invalid argument\$"' '[ ! -s "$tmp/out" ]'
	run "$B"/examples/audit no-such-netns
	check "audit NAME that /run/netns lacks: ENOENT, exit 2 (not root)" \
		all 'rc_is 2' 'err_has "no-such-netns: No such file or directory"'
fi

# ---- examples/ops/check_portbind_audit: the status line and exit status
#      for each kind of audit.  First on audits a stand-in prints (the
#      JSON of portbind-why --audit --json, as portbind-why(1) fixes it),
#      then on real states with the real tool.
CHECK=examples/ops/check_portbind_audit
# count_tw PORT: TIME_WAIT sockets on 127.0.0.1:PORT.
count_tw() {
	"$B"/examples/diagnose -j "127.0.0.1:$1" |
		sed -n 's/.*"counts":{[^}]*"time_wait":\([0-9]*\).*/\1/p'
}
# sock VERDICT BLOCKS HAZARDS [OPTIONS-ERROR [UNTIL-MS]]: one socket's object.
sock() {
	printf '{"protocol":"tcp","address":"127.0.0.1:8080","port":8080,"inode":7,"uid":0,"fd":3,"processes":1,"verdict":"%s","until_ms":%s,"until":null,"blocks":[%s],"hazards":[%s],"reuseaddr":null,"reuseport":null,"v6only":null,"options_error":%s,"time_wait":0,"time_wait_ms":0,"connections":1,"outliving":0,"outliving_pid":null,"shared_pid":null,"reason":"r"}' \
		"$1" "${5:-null}" "$2" "$3" "${4:-null}"
}
# fake RC VERDICT SOCKET...: the stand-in prints one service with those
# sockets (and counts that say so) and exits RC.
fake() {
	rc_=$1 v_=$2
	shift 2
	socks=$(printf '%s,' "$@")
	printf '{"version":1,"netns":null,"root":true,"would_fail":%s,"unknown":%s,"counts":{"services":2,"sockets":%d,"fail":0,"wait":0,"unknown":0,"ok":1},"services":[{"pid":4242,"command":"web\\u001b","uid":0,"verdict":"%s","sockets":[%s]},{"pid":7,"command":"ok","uid":0,"verdict":"ok","sockets":[%s]}]}\n' \
		"$([ "$rc_" = 1 ] && echo true || echo false)" \
		"$([ "$rc_" = 3 ] && echo true || echo false)" \
		$(($# + 1)) "$v_" "${socks%,}" "$(sock ok '' '')" >"$tmp/fake.json"
	echo "$rc_" >"$tmp/fake.rc"
}
cat >"$tmp/fake-why" <<'FAKE'
#!/bin/sh
# A stand-in for portbind-why --audit --json: what the test wrote.
echo "$*" >"${0%/*}/fake.args"
cat "${0%/*}/fake.json"
[ ! -s "${0%/*}/fake.err" ] || cat "${0%/*}/fake.err" >&2
exit "$(cat "${0%/*}/fake.rc")"
FAKE
chmod +x "$tmp/fake-why"
: >"$tmp/fake.err"
# plugin WANT-RC LINE-ERE DESC [ARGS...]: the check with the stand-in.
plugin() {
	want=$1 ere=$2 desc=$3
	shift 3
	run "$CHECK" --tool "$tmp/fake-why" "$@"
	check "check_portbind_audit $desc: exit $want, one line" \
		all "rc_is $want" 'out_has "$ere"' '[ "$(wc -l <"$tmp/out")" -eq 1 ]' \
		'! LC_ALL=C grep -q "[^[:print:]]" "$tmp/out"'
}
if command -v python3 >/dev/null 2>&1; then
	fake 0 ok "$(sock ok '' '')"
	plugin 0 '^PORTBIND OK - 2 services would come back at once \(2 sockets\) \| services=2 sockets=2 fail=0 wait=0 unknown=0 ok=1$' \
		"on an audit where all is ok"
	check "... it ran the tool with --audit --json" grep -qx -- '--audit --json' "$tmp/fake.args"
	fake 0 ok "$(sock ok '' '"ephemeral","inherited"')"
	plugin 1 '^PORTBIND WARNING - .* ok tcp 127\.0\.0\.1:8080 pid 4242 \(web\?\) ephemeral,inherited \|' \
		"on hazards only (the command's escape shown as ?)"
	plugin 0 '^PORTBIND OK - ' "--ignore-hazard ephemeral --ignore-hazard inherited" \
		--ignore-hazard ephemeral --ignore-hazard inherited
	plugin 1 '^PORTBIND WARNING - .*ephemeral \|' "--ignore-hazard inherited" \
		--ignore-hazard inherited
	fake 1 fail "$(sock fail '"outliving"' '')" "$(sock ok '' '')"
	plugin 2 '^PORTBIND CRITICAL - 1 of 2 services would not come back: fail tcp 127\.0\.0\.1:8080 pid 4242 \(web\?\) outliving \|' \
		"on a service that would fail"
	fake 1 wait "$(sock wait '"time-wait"' '' null 41200)"
	plugin 2 '^PORTBIND CRITICAL - .*: wait tcp 127\.0\.0\.1:8080 pid 4242 \(web\?\) time-wait for 42 s \|' \
		"on a service that would wait"
	plugin 1 '^PORTBIND WARNING - .*wait tcp 127\.0\.0\.1:8080 .* time-wait for 42 s \|' \
		"--wait-is-warning on a service that would wait" --wait-is-warning
	fake 3 unknown "$(sock unknown '"connections"' '' '"EPERM"')"
	plugin 3 '^PORTBIND UNKNOWN - 1 of 2 sockets unknown \(their options decide; run as root\): unknown tcp 127\.0\.0\.1:8080 pid 4242 \(web\?\) EPERM \|' \
		"on an unknown verdict"
	fake 1 fail "$(sock fail '"holder"' '')" "$(sock unknown '' '' '"EPERM"')"
	plugin 2 '^PORTBIND CRITICAL - ' "on fail and unknown together: the fail wins"
	fake 2 ok
	echo "portbind-why: -N blue: Operation not permitted" >"$tmp/fake.err"
	: >"$tmp/fake.json"
	plugin 3 '^PORTBIND UNKNOWN - .* exited 2: portbind-why: -N blue: Operation not permitted$' \
		"when the tool fails (-N passed on)" -N blue
	check "... it ran the tool with --audit --json -N blue" grep -qx -- '--audit --json -N blue' "$tmp/fake.args"
	: >"$tmp/fake.err"
	echo '{"version":1,"counts":' >"$tmp/fake.json"
	echo 0 >"$tmp/fake.rc"
	plugin 3 "^PORTBIND UNKNOWN - cannot read the audit's JSON" "on JSON cut short"
	echo '{"version":2,"counts":{},"services":[]}' >"$tmp/fake.json"
	plugin 3 "^PORTBIND UNKNOWN - cannot read the audit's JSON: version 2, not 1" "on another version"
	plugin 3 '^PORTBIND UNKNOWN - cannot run /nonexistent/portbind-why' "with no tool" \
		--tool /nonexistent/portbind-why
else
	skip "check_portbind_audit" "no python3"
fi

# ... and with the real tool on real states (the private namespace)
WHY=$B/tools/portbind-why
if ! "$WHY" --help 2>&1 | grep -q -- '--audit'; then
	skip "check_portbind_audit with the real tool" "$WHY has no --audit"
elif [ -z "$netns" ] || ! command -v python3 >/dev/null 2>&1; then
	skip "check_portbind_audit with the real tool" "$nons, and python3"
else
	real() {  # real WANT-RC ERE DESC [ARGS...]
		want=$1 ere=$2 desc=$3
		shift 3
		run "$CHECK" --tool "$WHY" "$@"
		check "check_portbind_audit, real $desc: exit $want" \
			all "rc_is $want" 'out_has "$ere"' '[ "$(wc -l <"$tmp/out")" -eq 1 ]'
	}
	real 0 '^PORTBIND OK - 0 services ' "on a namespace with no socket"
	start listen "$tmp/l8" 127.0.0.1:7101
	l8=$bg
	real 0 '^PORTBIND OK - 1 services would come back at once \(1 sockets\) \| services=1 sockets=1 fail=0 wait=0 unknown=0 ok=1$' \
		"on a pb_listen server"
	# The default range again (the client test above narrowed it).
	sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
	start listen "$tmp/l9" 127.0.0.1:45000
	l9=$bg
	real 1 "^PORTBIND WARNING - .*ok tcp 127\\.0\\.0\\.1:45000 pid $l9 \\(listen\\) ephemeral" \
		"on a server inside ip_local_port_range"
	real 0 '^PORTBIND OK - ' "--ignore-hazard ephemeral on it" --ignore-hazard ephemeral
	pyserver fail 7104 "$tmp/p8"
	p8=$bg
	real 2 "^PORTBIND CRITICAL - 1 of 3 services would not come back: fail tcp 127\\.0\\.0\\.1:7104 pid $p8 " \
		"on a service whose connection outlives it"
	stop "$p8"
	pyserver wait 7105 "$tmp/p9"
	p9=$bg
	real 2 "^PORTBIND CRITICAL - .*wait tcp 127\\.0\\.0\\.1:7105 pid $p9 .* for [0-9]+ s" \
		"on a service that would wait"
	if [ -x /usr/bin/python3 ]; then
		run $nobody /usr/bin/python3 "$CHECK" --tool "$WHY" --ignore-hazard ephemeral
		check "check_portbind_audit, real, as uid 65534: UNKNOWN (exit 3), never a guess" \
			all 'rc_is 3' 'out_has "^PORTBIND UNKNOWN - .*unknown tcp 127\.0\.0\.1:7105 "'
	else
		skip "check_portbind_audit as uid 65534" "no /usr/bin/python3 for that user"
	fi
	stop "$p9"; stop "$l9"
	: >"$tmp/n2"
	unshare -n sh -c 'ip link set lo up && exec "$1" 127.0.0.1:7106' sh \
		"$B/examples/listen" >>"$tmp/n2" 2>&1 &
	n2=$!
	bgs="$bgs $n2"
	until_in "$tmp/n2" '^listening' || true
	real 0 "^PORTBIND OK - 1 services would come back at once \\(1 sockets\\)" \
		"-N PID: that namespace's one service" -N "$n2"
	stop "$n2"; stop "$l8"
	for o in $outsiders; do kill "$o" 2>/dev/null; done
fi

# ---- examples/ops/web.service: systemd takes it, and its ExecStartPre=
#      lines, run as commands, wait for the server's own addresses only
UNIT=examples/ops/web.service
mkdir -p "$tmp/unit"
sed -e "s|/usr/local/bin/portbind-why|$WHY|" \
    -e "s|/usr/local/bin/web-server|$B/examples/listen|" "$UNIT" >"$tmp/unit/web.service"
# Whatever umask the build runs under (systemd warns of a unit others may
# write to).
chmod 644 "$tmp/unit/web.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	run systemd-analyze verify "$tmp/unit/web.service"
	check "$UNIT: systemd-analyze verify (the tool's path made this build's)" \
		all 'rc_is 0' '[ ! -s "$tmp/err" ]'
else
	skip "$UNIT: systemd-analyze verify" "no systemd-analyze"
fi
sed -n 's/^ExecStartPre=//p' "$tmp/unit/web.service" >"$tmp/pre"
check "$UNIT: an ExecStartPre= per address, portbind-why --reuseaddr --wait 65" \
	all '[ "$(wc -l <"$tmp/pre")" -eq 2 ]' \
	'[ "$(grep -c -- " --reuseaddr --wait 65 " "$tmp/pre")" -eq 2 ]' \
	"grep -q ' 0\\.0\\.0\\.0:8080\$' '$tmp/pre'" "grep -q ' 127\\.0\\.0\\.1:9090\$' '$tmp/pre'"
pre1=$(sed -n 1p "$tmp/pre")
pre2=$(sed -n 2p "$tmp/pre")
# pre LINE: run an ExecStartPre= line as systemd would (no shell; words).
pre() {
	set -f
	# shellcheck disable=SC2086
	run $1
	set +f
}
if [ -n "$netns" ]; then
	t0=$(now_ms); pre "$pre1"; t1=$(now_ms)
	check "ExecStartPre 0.0.0.0:8080, nothing there: exit 0" rc_is 0
	timed "... at once ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" [ $((${t1:-0} - ${t0:-0})) -lt 5000 ]
	# The old instance's connections in TIME_WAIT, with SO_REUSEADDR.
	: >"$tmp/rs"
	"$SERVER" 127.0.0.1:9090 >>"$tmp/rs" 2>&1 &
	rs=$!
	bgs="$bgs $rs"
	until_in "$tmp/rs" '^listening on' || true
	"$ECHO" 127.0.0.1:9090 hello >/dev/null 2>&1
	until_in "$tmp/rs" '^echoed' || true
	stop "$rs"
	t0=$(now_ms); pre "$pre2"; t1=$(now_ms)
	check "ExecStartPre 127.0.0.1:9090 over the old run's TIME_WAIT with SO_REUSEADDR: exit 0" \
		all 'rc_is 0' '[ "$(count_tw 9090)" -ge 1 ]'
	timed "... at once, not when it expires ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" \
		[ $((${t1:-0} - ${t0:-0})) -lt 5000 ]
	pre "$(echo "$pre2" | sed 's/ --reuseaddr --wait 65 / --wait 1 /')"
	check "... where a server without SO_REUSEADDR (no --reuseaddr) would wait: exit 1, time-wait" \
		all 'rc_is 1' 'out_has "TIME_WAIT"'
	# The old instance still listening, gone a second later.
	start listen "$tmp/l10" 0.0.0.0:8080
	l10=$bg
	( sleep 1; kill "$l10" ) &
	k=$!
	t0=$(now_ms); pre "$pre1"; t1=$(now_ms)
	wait "$k"
	wait "$l10" 2>/dev/null
	bgs=$(echo "$bgs" | sed "s/ $l10\$//; s/ $l10 / /")
	check "ExecStartPre 0.0.0.0:8080 while the old one listens: exit 0 once it is gone" rc_is 0
	timed "... after it went, not before ($((${t1:-0} - ${t0:-0})) ms)" "$t0" "$t1" \
		all '[ $((t1 - t0)) -ge 800 ]' '[ $((t1 - t0)) -lt 10000 ]'
	start listen "$tmp/l11" 127.0.0.1:8080
	pre "$(echo "$pre1" | sed 's/ --wait 65 / --wait 1 /')"
	check "... one that stays (--wait 1 here): exit 1, says who holds it" \
		all 'rc_is 1' 'out_has "held by 1 listening socket: LISTEN 127\.0\.0\.1:8080"'
	stop "$bg"
else
	skip "ExecStartPre= lines of $UNIT run as commands" "$nons"
fi

# ---- every program of examples/ was run above
: >"$tmp/out"
for b in $EXAMPLES; do
	[ -e "$tmp/ran.$b" ] || echo "examples/$b.c: no run of this script covers it"
done >"$tmp/err"
check "every program of examples/ is run" [ ! -s "$tmp/err" ]

harness_end examples.sh

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# preload.sh - libportbind-preload.so on programs that were not built with
# libportbind: a careless test server (tests/preload-victim.c, compiled
# here without the library), the shim's edges (tests/preload-probe.c:
# where the line goes, system calls, seccomp, signals, hostile names;
# tests/preload-tty.c: terminals; tests/preload-race.c: descriptor 2
# replaced, signals sent, while the failure path runs),
# its async-signal safety (tests/preload-asyncsafe.c: counted malloc and
# unsafe calls, signal handler, fork, 16 KiB stack), and a real
# third-party server from Debian (python3 -m http.server, or busybox
# httpd).  Checks that need root (private mount namespaces) say
# "skipped: ..." without it.
#
# Run after `make all examples` (by `make check`), from anywhere: it works
# in the source tree and finds what was built in PB_BUILDDIR (make check
# sets it; the top of the tree by default).  CC compiles the programs the
# shim is loaded into: the library's compiler (make check passes it), so
# that a 32-bit shim (CC="gcc -m32") is loaded into 32-bit programs.
# One line per check, "ok - ...", "not ok - ..." or "skipped - WHAT: WHY",
# then "preload.sh: N passed, M failed, S skipped" and each skip again (a
# skip is never counted as passed); exit 1 when any failed.  Ports are the kernel's choice.  Every
# wait is bounded; every process started is reaped.  The PORTBIND_WAIT
# case waits out a real TIME_WAIT (60 s) and runs with PB_TEST_SLOW=1.

set -u
cd "$(dirname "$0")/.." || exit 1
B=${PB_BUILDDIR:-$PWD}
# As root, in a network namespace of its own (tests/isolate.sh).
. tests/isolate.sh
isolate preload.sh "$PWD/tests/preload.sh" "$@"

SHIM=$B/libportbind-preload.so
SERVER=$B/examples/demo/restart-server
CLIENT=$B/examples/demo/echo-client
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

pass=0 fail=0 skipped=0 skips=
ok() { pass=$((pass + 1)); echo "ok - $*"; }
skip() { # WHAT WHY: a check that cannot run here, counted apart
	skipped=$((skipped + 1)); echo "skipped - $1: $2"
	skips="$skips  skipped: $1: $2
"
}
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else notok "$desc"; fi; }

# The test programs are held to the project's warnings too.
TWARN="-Wall -Wextra -Werror"
VICTIM=$tmp/victim
PROBE=$tmp/probe
ASAFE=$tmp/asyncsafe
TTY=$tmp/pbtty
RACE=$tmp/race
$CC $TWARN -o "$VICTIM" tests/preload-victim.c || { echo "preload.sh: cannot build the victim" >&2; exit 1; }
$CC $TWARN -o "$PROBE" tests/preload-probe.c || { echo "preload.sh: cannot build the probe" >&2; exit 1; }
$CC $TWARN -o "$TTY" tests/preload-tty.c || { echo "preload.sh: cannot build preload-tty" >&2; exit 1; }
$CC $TWARN -rdynamic -o "$RACE" tests/preload-race.c -ldl ||
	{ echo "preload.sh: cannot build preload-race" >&2; exit 1; }
$CC $TWARN -pthread -rdynamic -o "$ASAFE" tests/preload-asyncsafe.c -ldl ||
	{ echo "preload.sh: cannot build preload-asyncsafe" >&2; exit 1; }

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
# Bounded at 10 s: the machine may be busy with other test suites.
free_port() {
	# Emptied here, not by the child's redirection (which may come after
	# the wait below has read the last call's port).
	: >"$tmp/port"
	"$SERVER" 127.0.0.1:0 >>"$tmp/port" 2>&1 &
	p=$!
	i=0
	while [ $i -lt 200 ] && ! grep -q listening "$tmp/port" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
	sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/port"
}

# Start a program in the background; wait (bounded: 10 s, for a loaded
# machine) for "listening".
start() { # log cmd...
	log=$1; shift
	: >"$log"
	"$@" >>"$log" 2>&1 &
	bgpid=$!
	pids="$pids $bgpid"
	i=0
	while [ $i -lt 600 ] && ! grep -q listening "$log" 2>/dev/null && kill -0 "$bgpid" 2>/dev/null; do
		sleep 0.05; i=$((i + 1))
	done
}

# A server that must fail to bind: started (bgpid, its output in log),
# then until_line waits until it has ended (it exits) or its log holds
# the pattern, bounded (60 s, for a loaded machine); then it is stopped
# (should it still run) and reaped.
launch() { # log cmd...
	log=$1; shift
	: >"$log"
	"$@" >>"$log" 2>&1 &
	bgpid=$!
	pids="$pids $bgpid"
}
until_line() { # pattern
	i=0
	while [ $i -lt 1200 ] && ! grep -q "$1" "$log" 2>/dev/null && kill -0 "$bgpid" 2>/dev/null; do
		sleep 0.05; i=$((i + 1))
	done
	kill "$bgpid" 2>/dev/null
	reap "$bgpid"
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
out=$(LD_PRELOAD="$SHIM" "$PROBE" rebind "$P" 2>/dev/null)
check "over that TIME_WAIT: bind passes with SO_REUSEADDR put back to 0, listen sets it ($out)" \
	[ "$out" = ok ]

# ---- a port bound as a lock (bound, never listening) stays locked
L=$(free_port)
out=$(LD_PRELOAD="$SHIM" "$PROBE" lock "$L" 2>/dev/null)
check "a socket bound, not listening: no second bind, with SO_REUSEADDR or through the shim ($out)" \
	[ "$out" = ok ]
out=$(LD_PRELOAD="$SHIM" "$PROBE" listenfail "$(free_port)" 2>/dev/null)
check "a listen that fails: errno as listen set it, SO_REUSEADDR back to 0 ($out)" [ "$out" = ok ]
# Two processes, each under the shim (a program built with the same
# compiler as the shim, so that a 32-bit shim loads too).
: >"$tmp/lock1"
LD_PRELOAD="$SHIM" "$PROBE" bindonly "$L" >>"$tmp/lock1" 2>&1 &
lockpid=$!
pids="$pids $lockpid"
i=0
while [ $i -lt 200 ] && ! grep -q bound "$tmp/lock1" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
out=$(LD_PRELOAD="$SHIM" "$PROBE" plainbind "$L" 2>/dev/null)
kill "$lockpid" 2>/dev/null
reap "$lockpid"
check "two processes bind the same port under the shim: the first holds it unlistened, the second is refused ($out)" \
	sh -c "grep -q '^bound' '$tmp/lock1' && [ '$out' = refused ]"

# ---- a port reserved with SO_REUSEADDR, not yet listening: never taken
# A process binds P with SO_REUSEADDR and listens once the bind under the
# shim has been tried (the script then sends it SIGUSR1; at most 10 s on).
# Two such sockets share a port until one listens: a retry with the option
# would bind beside the reservation and listen first.  Only TIME_WAIT
# alone, as the socket table shows it, is retried over.
reserve() { # port [user]
	rcmd="import signal,socket; u=[signal.SIGUSR1]; signal.pthread_sigmask(signal.SIG_BLOCK,u); s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('127.0.0.1',$1)); print('reserved', flush=True); signal.sigtimedwait(u,10)
try:
    s.listen(8); print('listened', flush=True)
except OSError as e:
    print('listen failed', e, flush=True)"
	: >"$tmp/reserve"	# not the last call's "reserved"
	if [ $# -gt 1 ]; then
		setpriv --reuid="$2" --regid="$2" --clear-groups /usr/bin/python3 -c "$rcmd" >>"$tmp/reserve" 2>&1 &
	else
		python3 -c "$rcmd" >>"$tmp/reserve" 2>&1 &
	fi
	rpid=$!
	pids="$pids $rpid"
	i=0
	while [ $i -lt 200 ] && ! grep -q reserved "$tmp/reserve" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	out=$(LD_PRELOAD="$SHIM" "$PROBE" plainbind "$1" 2>>"$tmp/reserve.err")
	kill -USR1 "$rpid" 2>/dev/null
	reap "$rpid"
}
if command -v python3 >/dev/null 2>&1; then
	R=$(free_port)
	reserve "$R"
	check "a port another process bound with SO_REUSEADDR, not listening yet: bind under the shim fails ($out)" \
		sh -c "grep -q reserved '$tmp/reserve' && [ '$out' = refused ]"
	check "and the reserving process then listens" grep -q listened "$tmp/reserve"
	check "and the line names the bound socket" \
		grep -q "probe: bind: tcp 127.0.0.1:$R: EADDRINUSE.*bound" "$tmp/reserve.err"
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && [ -x /usr/bin/python3 ]; then
		R=$(free_port)
		reserve "$R" 65534
		check "the same when another user (nobody) reserved it ($out)" \
			sh -c "grep -q reserved '$tmp/reserve' && [ '$out' = refused ] && grep -q listened '$tmp/reserve'"
	else
		skip "a reservation by another user" "needs root, setpriv and /usr/bin/python3"
	fi
else
	skip "a reserved port" "no python3 to reserve a port"
fi

# ---- a taken port: the shim explains, and the errno stays
P=$(free_port)
start "$tmp/holder" "$SERVER" "127.0.0.1:$P"
holder=$bgpid
LD_PRELOAD="$SHIM" "$VICTIM" "$P" >>"$tmp/taken" 2>&1
st=$?
check "on a port a listener holds: still fails (exit $st), errno unchanged" \
	sh -c "[ $st -eq 1 ] && grep -q 'preload-victim: bind: Address already in use' '$tmp/taken'"
check "and one line explains it, naming the holder's process" \
	sh -c "grep 'victim: bind: tcp 127.0.0.1:$P: EADDRINUSE' '$tmp/taken' | grep -q 'pid $holder (restart-server)'"
PORTBIND_PRELOAD=quiet LD_PRELOAD="$SHIM" "$VICTIM" "$P" >>"$tmp/quiet" 2>&1
check "PORTBIND_PRELOAD=quiet: no line of its own" \
	sh -c "! grep -q 'EADDRINUSE (98' '$tmp/quiet' && grep -q 'Address already in use' '$tmp/quiet'"
# A wait would last 30 s; 10 s leaves a loaded machine its time.
t0=$(date +%s%N)
PORTBIND_WAIT=30 LD_PRELOAD="$SHIM" "$VICTIM" "$P" >>"$tmp/waitl" 2>&1
t1=$(date +%s%N)
check "PORTBIND_WAIT does not wait for a listener ($(( (t1 - t0) / 1000000 )) ms)" \
	sh -c "[ $(( (t1 - t0) / 1000000 )) -lt 10000 ] && grep -q 'listening socket' '$tmp/waitl'"

# ---- the edges: a bad pointer, what is left alone, stderr that bites
check "a bad address pointer gives EFAULT back, not a crash" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' efault 2>/dev/null)\" = ok ]"
U=$(free_port)
out=$(LD_PRELOAD="$SHIM" "$PROBE" untouched "$U" 2>/dev/null)
check "SO_REUSEADDR at listen on a TCP socket with a port (the kernel's choice too), never at bind, never UDP or AF_UNIX (port $U: $out)" \
	[ "$out" = ok ]
check "stderr closed and the socket given fd 2: no line into the socket" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' fd2sock $P)\" = ok ]"
check "stderr (inherited) a pipe nobody reads: no SIGPIPE, the program goes on" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' epipe $P)\" = ok ]"
check "stderr (inherited) a full pipe whose reader never reads: the line is dropped, no wait" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' fullpipe $P)\" = ok ]"
Q=$(free_port)
out=$(LD_PRELOAD="$SHIM" "$PROBE" listen "$Q" 2>>"$tmp/listen.err")
check "listen() that loses to the other SO_REUSEADDR socket is explained" \
	sh -c "[ '$out' = ok ] && grep -q 'probe: listen: tcp 127.0.0.1:$Q: EADDRINUSE' '$tmp/listen.err'"

# ---- a real third-party server, unmodified (one the shim can be loaded
#      into: not the 64-bit python3 under a 32-bit shim, CC="gcc -m32")
shim_bits=$(( $(od -An -tu1 -j4 -N1 "${SHIM##* }" | tr -d ' ') * 32 ))
py_bits=$(python3 -c 'import struct; print(struct.calcsize("P") * 8)' 2>/dev/null)
if [ -n "$py_bits" ] && [ "$py_bits" != "$shim_bits" ]; then
	skip "the third-party server" "python3 is $py_bits-bit, the shim $shim_bits-bit"
elif command -v python3 >/dev/null 2>&1; then
	launch "$tmp/third" env LD_PRELOAD="$SHIM" python3 -m http.server \
		--bind 127.0.0.1 "$P"
	until_line "pid $holder (restart-server)"
	check "python3 -m http.server on the taken port: the shim names the holder" \
		sh -c "grep -q 'python3: bind: tcp 127.0.0.1:$P' '$tmp/third' && grep -q 'pid $holder (restart-server)' '$tmp/third'"
elif command -v busybox >/dev/null 2>&1; then
	launch "$tmp/third" env LD_PRELOAD="$SHIM" busybox httpd -f -p "127.0.0.1:$P"
	until_line "pid $holder (restart-server)"
	check "busybox httpd on the taken port: the shim names the holder" \
		grep -q "pid $holder (restart-server)" "$tmp/third"
else
	skip "the third-party server" "no python3 or busybox"
fi

# ---- where the line goes (the holder above still holds $P)
probe() { LD_PRELOAD="$SHIM" "$PROBE" "$@" 2>/dev/null; }
want="bind: tcp 127.0.0.1:$P: EADDRINUSE"
LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>&1 | cat >"$tmp/pipe"
check "stderr a pipe (2>&1 | cat): the line is there" grep -q "victim: $want" "$tmp/pipe"
LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>>"$tmp/append"
check "stderr a file opened O_APPEND (2>>log): the line is there" \
	grep -q "victim: $want" "$tmp/append"
LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>"$tmp/trunc"
check "stderr a file opened without O_APPEND (2>file): nothing of the shim's" \
	sh -c "grep -q 'Address already in use' '$tmp/trunc' && ! grep -q EADDRINUSE '$tmp/trunc'"
for how in "" stderr; do
	rm -f "$tmp/data"
	PORTBIND_LOG=$how LD_PRELOAD="$SHIM" "$PROBE" datafile "$P" "$tmp/data"
	st=$?
	check "stdio closed, a data file took fd 2 (PORTBIND_LOG=$how): the file has only its records" \
		sh -c "[ $st -eq 0 ] && [ \"\$(cat '$tmp/data')\" = \"\$(printf 'record 1\nrecord 2')\" ]"
done
check "fd 2 (inherited) a pipe whose read end the program holds: nothing written" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' selfpipe $P)\" = ok ]"
check "fd 2 a pipe the program made (pipe, dup2) to its helper: nothing written" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' madepipe $P)\" = ok ]"
rm -f "$tmp/archive"
LD_PRELOAD="$SHIM" "$PROBE" popen "$P" "$tmp/archive"
st=$?
check "stdout and stderr closed, popen(\"cat >file\")'s pipe took fd 2: the child's data only (exit $st)" \
	sh -c "[ $st -eq 0 ] && [ \"\$(cat '$tmp/archive')\" = \"\$(printf 'data 1\ndata 2')\" ]"
rm -f "$tmp/data"
LD_PRELOAD="$SHIM" "$PROBE" appendfile "$P" "$tmp/data"
st=$?
check "stdio closed, a data file opened O_APPEND took fd 2: the file has only its records" \
	sh -c "[ $st -eq 0 ] && [ \"\$(cat '$tmp/data')\" = \"\$(printf 'record 1\nrecord 2')\" ]"
check "fd 2 the program's TCP connection: nothing written" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' inetsock $P)\" = ok ]"
check "fd 2 one end of the program's socketpair: nothing written" \
	sh -c "[ \"\$(LD_PRELOAD='$SHIM' '$PROBE' unixsock $P)\" = ok ]"
out=$(probe pty "$P")
case $out in
skipped*) skip "the terminal check" "${out#skipped: }" ;;
*) check "fd 2 a pseudo-terminal that is not the controlling terminal: nothing written" [ "$out" = ok ] ;;
esac
for how in "fg:the controlling terminal, in the foreground: the line reaches it" \
	"bg:a background job, tostop set: not stopped, nothing written" \
	"bgnotostop:a background job, tostop clear: the line reaches it" \
	"master:a pseudo-terminal master on fd 2: nothing becomes the slave's input"; do
	out=$(LD_PRELOAD="$SHIM" "$TTY" "${how%%:*}" "$P" 2>/dev/null)
	case $out in
	skipped*) skip "the terminal check ${how%%:*}" "${out#skipped: }" ;;
	*) check "${how#*:} ($out)" [ "$out" = ok ] ;;
	esac
done
rm -f "$tmp/swap.log" "$tmp/swap.data"
out=$(PORTBIND_LOG=stderr LD_PRELOAD="$SHIM" "$RACE" swapfd2 "$P" "$tmp/swap.data" 2>>"$tmp/swap.log")
check "fd 2 closed and a data file opened in its place during the diagnosis: nothing written ($out)" \
	sh -c "[ '$out' = ok ] && [ ! -s '$tmp/swap.log' ]"
LD_PRELOAD="$SHIM" "$RACE" sigpipe "$P" 2>&1 | cat >"$tmp/sigpipe"
check "a SIGPIPE sent to the program while the line is written: its handler runs ($(tail -n 1 "$tmp/sigpipe"))" \
	sh -c "[ \"\$(tail -n 1 '$tmp/sigpipe')\" = ok ] && grep -q 'race: $want' '$tmp/sigpipe'"
out=$(LD_PRELOAD="$SHIM" "$RACE" sigpipe "$P" noreader)
check "the same, to a pipe nobody reads: the write's own SIGPIPE taken back, the one sent delivered ($out)" \
	[ "$out" = ok ]
out=$(probe journal "$P")
case $out in
skipped*) skip "the journal stream check" "${out#skipped: }" ;;
*) check "fd 2 connected to journald's stdout stream: one <3>-prefixed line" [ "$out" = ok ] ;;
esac
out=$(PORTBIND_LOG=syslog LD_PRELOAD="$SHIM" "$PROBE" syslog "$P" 2>>"$tmp/syslog.err")
case $out in
skipped*) skip "the /dev/log checks" "${out#skipped: }" ;;
*)
	check "PORTBIND_LOG=syslog: one RFC 3164 datagram on /dev/log ($out)" \
		sh -c "echo '$out' | grep -Eq '^<27>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] probe\[[0-9]+\]: $want' &&
			! grep -q EADDRINUSE '$tmp/syslog.err'"
	out=$(LD_PRELOAD="$SHIM" "$PROBE" syslog "$P" auto 2>/dev/null)
	check "unset PORTBIND_LOG, a data file on fd 2: the line goes to /dev/log instead" \
		sh -c "echo '$out' | grep -q '^<27>.*probe\[[0-9]*\]: $want'"
	;;
esac
log=$tmp/logs/pb.log
mkdir -p "$tmp/logs"
PORTBIND_LOG=$log LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>>"$tmp/pathrun"
PORTBIND_LOG=$log LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>>"$tmp/pathrun"
check "PORTBIND_LOG=/path: created 0600, one line per failure appended, none on stderr" \
	sh -c "[ \$(grep -c 'victim: $want' '$log') -eq 2 ] && [ \$(wc -l <'$log') -eq 2 ] &&
		[ \"\$(stat -c %a '$log')\" = 600 ] && ! grep -q EADDRINUSE '$tmp/pathrun'"
printf 'precious\n' >"$tmp/logs/target"
ln -s "$tmp/logs/target" "$tmp/logs/link"
PORTBIND_LOG=$tmp/logs/link LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>/dev/null
check "PORTBIND_LOG naming a symbolic link: not followed, the target untouched" \
	sh -c "[ \"\$(cat '$tmp/logs/target')\" = precious ]"
PORTBIND_LOG=none LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>>"$tmp/none"
check "PORTBIND_LOG=none: no line" sh -c "grep -q 'Address already in use' '$tmp/none' && ! grep -q EADDRINUSE '$tmp/none'"
PORTBIND_LOG=$log PORTBIND_PRELOAD=quiet LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>/dev/null
check "PORTBIND_PRELOAD=quiet wins over PORTBIND_LOG" [ "$(wc -l <"$log")" -eq 2 ]
LD_PRELOAD="$SHIM" "$PROBE" hostile "$P" 2>&1 | cat >"$tmp/hostile"
check "a program named (comm) with escapes and a newline: one line, printable" \
	sh -c "[ \$(wc -l <'$tmp/hostile') -eq 1 ] && ! LC_ALL=C grep -q \"\$(printf '[\\033\\233]')\" '$tmp/hostile' &&
		grep -q '^pb?\\[2J?FAKE:?x: $want' '$tmp/hostile'"
LD_PRELOAD="$SHIM" "$PROBE" holder 2>&1 | cat >"$tmp/holder"
hp=$(tail -n 1 "$tmp/holder")
check "a holder named with escapes and a newline: one line, printable, the name as ?" \
	sh -c "[ \$(wc -l <'$tmp/holder') -eq 2 ] && ! LC_ALL=C grep -q \"\$(printf '[\\033\\233]')\" '$tmp/holder' &&
		grep -q 'probe: bind: tcp 127.0.0.1:$hp: EADDRINUSE.*(h?\\[2J?FAKE:?)' '$tmp/holder'"
LD_PRELOAD="$SHIM" "$PROBE" title "$P" 2>&1 | cat >"$tmp/title"
check "a program that wrote over its argv[0] (setproctitle): named by its command name" \
	grep -q "^probe: $want" "$tmp/title"
out=$("$PROBE" errno 2>&-)
out2=$(LD_PRELOAD="$SHIM" "$PROBE" errno 2>&-)
check "started with descriptor 2 closed: errno at main() is 0 ($out2; $out without the shim)" \
	sh -c "[ '$out' = 0 ] && [ '$out2' = 0 ]"
mkfifo "$tmp/fifo"
t0=$(date +%s%N)
PORTBIND_LOG=$tmp/fifo timeout 10 env LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>/dev/null
st=$?
t1=$(date +%s%N)
# A wait on the open would last until timeout's 10 s (exit 124).
check "PORTBIND_LOG naming a FIFO nobody reads: no wait on the open (exit $st, $(( (t1 - t0) / 1000000 )) ms)" \
	sh -c "[ $st -eq 1 ] && [ $(( (t1 - t0) / 1000000 )) -lt 8000 ]"
PORTBIND_LOG=relative/path LD_PRELOAD="$SHIM" "$VICTIM" "$P" 2>>"$tmp/relative"
check "PORTBIND_LOG not absolute: as if unset (stderr, here a 2>> log)" \
	sh -c "grep -q 'victim: $want' '$tmp/relative' && [ ! -e relative ]"

# ---- the success path: the system calls, errno, seccomp
Q=$(free_port)
if command -v strace >/dev/null 2>&1; then
	LD_PRELOAD="$SHIM" strace -f -qq -o "$tmp/trace" "$PROBE" calls "$Q" "$P" >"$tmp/calls" 2>/dev/null
	seg() { # the system calls between PBMARK-$1 and the next marker
		awk -v m="PBMARK-$1" 'index($0, "\"PBMARK-") { on = index($0, "\"" m "\"") > 0; next }
			on { sub(/^[0-9]+ +/, ""); sub(/\(.*/, ""); printf "%s ", $0 }' "$tmp/trace"
	}
	check "strace: a TCP bind with a port is bind ($(seg tcp))" [ "$(seg tcp)" = "bind " ]
	check "strace: a UDP bind is bind ($(seg udp))" [ "$(seg udp)" = "bind " ]
	check "strace: an AF_UNIX bind is bind ($(seg unix))" [ "$(seg unix)" = "bind " ]
	check "strace: a port-0 bind is bind ($(seg zero))" [ "$(seg zero)" = "bind " ]
	check "strace: a TCP listen is getsockname, getsockopt x2, setsockopt, listen ($(seg listen))" \
		[ "$(seg listen)" = "getsockname getsockopt getsockopt setsockopt listen " ]
	check "strace: a TCP listen with the program's SO_REUSEADDR sets nothing ($(seg listenset))" \
		[ "$(seg listenset)" = "getsockname getsockopt getsockopt listen " ]
	check "strace: an AF_UNIX listen is getsockname, listen ($(seg listenunix))" \
		[ "$(seg listenunix)" = "getsockname listen " ]
	check "errno untouched by successful binds and listens; SO_REUSEADDR on the TCP listener only" \
		[ "$(cat "$tmp/calls")" = ok ]
	check "strace: no process_vm_readv, even on the failure path" \
		sh -c "! grep -q process_vm_readv '$tmp/trace'"
else
	skip "the system calls of the success path" "strace is not installed"
fi
for how in kill errno deny enosys; do
	out=$(LD_PRELOAD="$SHIM" "$PROBE" seccomp "$P" $how 2>/dev/null)
	st=$?
	case $out in
	skipped*) skip "seccomp ($how)" "${out#skipped: }" ;;
	*) check "seccomp ($how): binds succeed with errno kept, the taken port gives EADDRINUSE (exit $st: $out)" \
		sh -c "[ $st -eq 0 ] && [ '$out' = ok ]" ;;
	esac
done

# ---- async-signal safety: no allocation and no unsafe call in a failing
#      bind, in a signal handler, in a forked child, on a 16 KiB stack
for mode in plain handler fork stack; do
	if [ -n "$rts" ]; then
		skip "async-signal safety ($mode)" "under sanitizers (their runtime owns malloc and the stack)"
		continue
	fi
	rm -f "$tmp/as.log"
	out=$(PORTBIND_LOG="$tmp/as.log" LD_PRELOAD="$SHIM" "$ASAFE" $mode "$P" 2>&1)
	st=$?
	check "failing bind ($mode): no malloc, no unsafe call, the line written (exit $st: $out)" \
		sh -c "[ $st -eq 0 ] && [ '$out' = ok ] && grep -q 'asyncsafe: $want' '$tmp/as.log'"
done
if [ -n "$rts" ]; then
	skip "the shim's C library calls" "under sanitizers (instrumented)"
elif [ "${PB_COVERAGE:-0}" = 1 ]; then
	skip "the shim's C library calls" "make coverage's build (gcov's runtime is linked in)"
elif command -v readelf >/dev/null 2>&1; then
	# The C library functions the shim can reach (it is linked with
	# --gc-sections) against the list portbind-preload(8) gives.
	readelf -W --dyn-syms "${SHIM##* }" |
		awk '$4 == "FUNC" && $7 == "UND" { sub(/@.*/, "", $8); print $8 }' |
		sed 's/^__isoc99_//; s/^bcmp$/memcmp/' |
		grep -v '^__cxa_finalize$\|^__errno_location$' |
		sort -u >"$tmp/calls.nm"
	manlist() { # the .Xr list that follows the sentence starting with $1
		sed -n "/^$1/,/^\\.\\(Pp\\|Sh\\|Ss\\)/p" man/portbind-preload.8 |
			sed -n 's/^\.Xr \([a-z_0-9]*\) [23] [,.]$/\1/p' | sort -u
	}
	manlist "These are all the C library functions" >"$tmp/calls.safe"
	manlist "reader, but never calls it" >"$tmp/calls.unused"
	sort -u "$tmp/calls.safe" "$tmp/calls.unused" >"$tmp/calls.man"
	missing=$(comm -23 "$tmp/calls.nm" "$tmp/calls.man" | tr '\n' ' ')
	# The compiler chooses which mem* functions become calls.
	extra=$(comm -13 "$tmp/calls.nm" "$tmp/calls.safe" | grep -v '^mem' | tr '\n' ' ')
	check "the C library functions the shim can call are those portbind-preload(8) lists${missing:+ (not listed: $missing)}${extra:+ (listed, not called: $extra)}" \
		sh -c "[ -z '$missing$extra' ] && [ -s '$tmp/calls.safe' ]"
else
	skip "the shim's C library calls" "no readelf to list them"
fi

kill "$holder" 2>/dev/null
reap "$holder"

# ---- signals during PORTBIND_WAIT, over a TIME_WAIT SO_REUSEADDR cannot pass
P=$(free_port)
start "$tmp/tw" "$VICTIM" "$P" 1		# bare: no SO_REUSEADDR
"$CLIENT" "127.0.0.1:$P" hello >/dev/null 2>&1
reap "$bgpid"
# The line's fix is one the person who runs an unmodified program can
# apply: PORTBIND_WAIT, not a library call or an option in its code.
LD_PRELOAD="$SHIM" "$VICTIM" "$P" >/dev/null 2>>"$tmp/twmsg"
check "over a TIME_WAIT without SO_REUSEADDR: the line's fix is PORTBIND_WAIT=65, no library call" \
	sh -c "grep -q 'victim: bind: tcp 127.0.0.1:$P: EADDRINUSE.*TIME_WAIT.*did not set SO_REUSEADDR.*Fix: start the program with PORTBIND_WAIT=65 in its environment' '$tmp/twmsg' &&
		! grep -q 'pb_' '$tmp/twmsg'"
PORTBIND_WAIT=0.3 LD_PRELOAD="$SHIM" "$VICTIM" "$P" >/dev/null 2>>"$tmp/twshort"
check "PORTBIND_WAIT shorter than the TIME_WAIT: the line says it ran out first" \
	grep -q "victim: bind: tcp 127.0.0.1:$P: EADDRINUSE.*TIME_WAIT.*PORTBIND_WAIT=65.*(PORTBIND_WAIT ran out first)$" "$tmp/twshort"
# The waits below are long (20 s): a signal must end them at once, and a
# loaded machine has seconds to do it in.
out=$(PORTBIND_WAIT=20 LD_PRELOAD="$SHIM" "$PROBE" sigwait "$P" 2>>"$tmp/sigwait.err")
check "SIGTERM 200 ms into PORTBIND_WAIT: the handler runs, bind gives EADDRINUSE at once ($out)" \
	[ "$out" = ok ]
check "and the line says the wait was interrupted" \
	grep -q "probe: bind: tcp 127.0.0.1:$P: EADDRINUSE.*TIME_WAIT.*(PORTBIND_WAIT: interrupted by a signal)" "$tmp/sigwait.err"
out=$(PORTBIND_WAIT=20 LD_PRELOAD="$SHIM" "$PROBE" sigfd "$P" 2>>"$tmp/sigfd.err")
check "SIGTERM blocked, taken from a signalfd, sent 300 ms into PORTBIND_WAIT: bind gives EADDRINUSE at once, the signalfd still has it ($out)" \
	[ "$out" = ok ]
out=$(PORTBIND_WAIT=20 LD_PRELOAD="$SHIM" "$PROBE" sigfd "$P" nosfd 2>>"$tmp/sigfd.err")
check "the same with signalfd refused by seccomp, SIGTERM taken by sigtimedwait ($out)" \
	[ "$out" = ok ]
check "and the line says the wait was interrupted" \
	sh -c "[ \$(grep -c 'probe: bind: tcp 127.0.0.1:$P: EADDRINUSE.*(PORTBIND_WAIT: interrupted by a signal)' '$tmp/sigfd.err') -eq 2 ]"
out=$(PORTBIND_WAIT=20 LD_PRELOAD="$SHIM" "$RACE" sigdiag "$P" 2>>"$tmp/sigdiag.err")
check "SIGTERM sent during the wait's diagnosis: the wait ends at once, EADDRINUSE ($out)" \
	sh -c "[ '$out' = ok ] && grep -q 'race: bind: tcp 127.0.0.1:$P: EADDRINUSE.*(PORTBIND_WAIT: interrupted by a signal)' '$tmp/sigdiag.err'"
PORTBIND_WAIT=30 LD_PRELOAD="$SHIM" "$VICTIM" "$P" >/dev/null 2>&1 &
vpid=$!
pids="$pids $vpid"
# Sent once it sleeps in the wait (ppoll or clock_nanosleep: x86_64 271
# and 230; a 32-bit victim's i386 309, 414, 267 and 407), at most 10 s on;
# elsewhere after 0.3 s.
if [ "$(od -An -tu1 -j4 -N1 "$VICTIM" | tr -d ' ')" = 1 ]; then
	wait_nrs="309 414 267 407"
else
	wait_nrs="271 230"
fi
i=0
if [ "$(uname -m)" = x86_64 ]; then
	while [ $i -lt 200 ]; do
		read -r nr _ <"/proc/$vpid/syscall" 2>/dev/null
		case " $wait_nrs " in *" ${nr:-x} "*) break ;; esac
		sleep 0.05
		i=$((i + 1))
	done
else
	sleep 0.3
fi
t0=$(date +%s%N)
kill -TERM "$vpid"
reap "$vpid"
st=$?
t1=$(date +%s%N)
check "SIGTERM with the default action during PORTBIND_WAIT: dead at once (status $st, $(( (t1 - t0) / 1000000 )) ms after the signal)" \
	sh -c "[ $st -eq 143 ] && [ $(( (t1 - t0) / 1000000 )) -lt 5000 ]"

# ---- portbind-why --reuseaddr does not speak for a program under the
#      shim: a connection that set SO_REUSEADDR lets a server that sets the
#      option bind (exit 0), but the shim adds it only over TIME_WAIT alone,
#      so the program's bind still fails.  portbind-why(1) and the README
#      once said --reuseaddr was right for programs under the shim.
if command -v python3 >/dev/null 2>&1 && [ -x "$B/tools/portbind-why" ]; then
	start "$tmp/conn" python3 -c '
import socket, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
c.bind(("127.0.0.1", 0))
c.connect(l.getsockname())
a, _ = l.accept()
l.close()
print("listening", c.getsockname()[1], flush=True)
time.sleep(20)'
	cpid=$bgpid
	C=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$tmp/conn")
	"$B/tools/portbind-why" --reuseaddr "127.0.0.1:$C" >"$tmp/why" 2>&1
	st=$?
	check "a connection with SO_REUSEADDR on $C: portbind-why --reuseaddr says it binds (exit $st)" \
		[ "$st" -eq 0 ]
	LD_PRELOAD="$SHIM" "$VICTIM" "$C" >"$tmp/conn-shim" 2>&1
	st=$?
	check "... but the program under the shim cannot bind it (exit $st)" \
		sh -c "[ $st -eq 1 ] && grep -q 'Address already in use' '$tmp/conn-shim'"
	check "portbind-why(1) and the README do not send such programs to --reuseaddr" \
		sh -c '! grep -q "or runs under" man/portbind-why.1 &&
		       ! grep -q "or run under the shim below) binds at once" README'
	kill "$cpid" 2>/dev/null
	reap "$cpid"
else
	skip "portbind-why --reuseaddr and the shim" "needs python3 and tools/portbind-why"
fi

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
	skip "PORTBIND_WAIT over a real TIME_WAIT" "takes 60 s; set PB_TEST_SLOW=1"
fi

echo "preload.sh: $pass passed, $fail failed, $skipped skipped"
printf '%s' "$skips"
[ "$fail" -eq 0 ]

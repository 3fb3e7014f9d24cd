#!/bin/sh
# SPDX-License-Identifier: MIT
#
# preload-more.sh - the promises portbind-preload(8) makes, checked one by
# one with tests/preload-more.c, a program built without libportbind and
# run under LD_PRELOAD: each PORTBIND_* value and its boundaries, the binds
# the shim touches and those it leaves alone, the retry with SO_REUSEADDR
# and when it must not be made, the PORTBIND_WAIT wait (short timeouts;
# one that binds when its TIME_WAIT goes), where the line goes and its
# exact text (descriptor 2 as a FIFO, a pipe, a read-only log; the
# journal's socket; /dev/log and its RFC 3164 date), the program's name
# without /proc, threads, a small stack, seccomp-refused netlink, and a
# setgid program (AT_SECURE), where the shim does nothing.  As root each
# run has a network namespace of its own (and, for /dev/log and the
# journal, a mount namespace); without root those parts say "skipped".
#
# Run after `make all` (by `make check`, right after preload.sh), from
# anywhere; PB_BUILDDIR is where the shim was built, CC the library's
# compiler.  One line per check, "ok - ...", "not ok - ..." or
# "skipped - WHAT: WHY", then "preload-more.sh: N passed, M failed, S
# skipped" and each skip again; exit 1 when any failed.  The program runs
# are concurrent and take about two seconds.

set -u
cd "$(dirname "$0")/.." || exit 1
B=${PB_BUILDDIR:-$PWD}
# As root, in a network namespace of its own (tests/isolate.sh).
. tests/isolate.sh
isolate preload-more.sh "$PWD/tests/preload-more.sh" "$@"
SHIM=$B/libportbind-preload.so
CC=${CC:-cc}
[ -e "$SHIM" ] || { echo "preload-more.sh: $SHIM is not built; run 'make all'" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-preload-more.XXXXXX") || exit 1
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
# The checks a run of the program printed (FILE), counted here; a run
# that printed fewer than MIN of them, or exited with other than 0, fails.
tally() { # FILE MIN WHAT STATUS
	n=0
	while IFS= read -r l; do
		case $l in
		"ok - "*) ok "${l#ok - }"; n=$((n + 1)) ;;
		"not ok - "*) notok "${l#not ok - }"; n=$((n + 1)) ;;
		"skipped - "*) w=${l#skipped - }; skip "${w%%: *}" "${w#*: }"; n=$((n + 1)) ;;
		*) echo "# $l" ;;
		esac
	done <"$1"
	if [ "$4" -ne 0 ] || [ "$n" -lt "$2" ]; then
		notok "$3: exit status $4, $n checks (at least $2 expected)"
	fi
}

# The test programs are held to the project's warnings too.
TWARN="-Wall -Wextra -Werror"
mkdir -p "$tmp/bin" "$tmp/main" "$tmp/ns" "$tmp/fd2" "$tmp/sec"
V=$tmp/bin/pbmore		# its command name is the line's first word
$CC $TWARN -pthread -c -o "$tmp/pbmore.o" tests/preload-more.c &&
	$CC -pthread -rdynamic -o "$V" "$tmp/pbmore.o" -ldl ||
	{ echo "preload-more.sh: cannot build tests/preload-more.c" >&2; exit 1; }
if nm -D "$V" 2>/dev/null | grep -q ' pb_'; then
	notok "the program is built without libportbind"
fi

# A shim built with sanitizers needs their runtime first (as preload.sh).
rts=$(ldd "$SHIM" 2>/dev/null | awk '/lib(asan|ubsan|tsan)/ {printf "%s ", $3}')
PRE="$rts$SHIM"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# ---- the runs, concurrent: each has its own namespaces as root, or
#      ports of the kernel's choice
: >"$tmp/main/stderr"
LD_PRELOAD="$PRE" "$V" main "$tmp/main" >"$tmp/main.out" 2>>"$tmp/main/stderr" &
main_pid=$!
pids="$pids $main_pid"
(LD_PRELOAD="$PRE" "$V" ns "$tmp/ns" 2>&1 >"$tmp/ns.out"; echo $? >"$tmp/ns.st") |
	cat >"$tmp/ns/pipe.out" &
ns_pid=$!
pids="$pids $ns_pid"

# Descriptor 2 a FIFO the program was started with: written to when
# opened O_APPEND (2>>fifo), not otherwise (2>fifo: it may be the
# program's data channel).
for how in fifo-append fifo; do
	mkfifo "$tmp/fd2/$how"
	cat "$tmp/fd2/$how" >"$tmp/fd2/$how.out" &
	catpid=$!
	if [ $how = fifo-append ]; then
		LD_PRELOAD="$PRE" "$V" fd2 "$tmp/fd2" $how 2>>"$tmp/fd2/$how"
	else
		LD_PRELOAD="$PRE" "$V" fd2 "$tmp/fd2" $how 2>"$tmp/fd2/$how"
	fi
	echo $? >"$tmp/fd2/$how.st"
	wait "$catpid"
done
# An inherited pipe of which the program holds a second write end: still
# nobody's but the parent's to read.
LD_PRELOAD="$PRE" "$V" fd2 "$tmp/fd2" pipe-dup 2>&1 | cat >"$tmp/fd2/pipe-dup.out"
# The pipe full (its reader starts 6 s later), descriptor 2 opened
# again O_RDWR and blocking: poll(2) says readable, not writable; the line
# is dropped at once, not written when the reader comes.
(t0=$(date +%s%N); LD_PRELOAD="$PRE" "$V" fd2 "$tmp/fd2" rdwr-full 2>&1; echo "$(( ($(date +%s%N) - t0) / 1000000 ))" >"$tmp/fd2/rdwr-full.ms") |
	{ sleep 6; cat; } >"$tmp/fd2/rdwr-full.out" &
full_pid=$!
pids="$pids $full_pid"
# The same pipe, standard input closed: descriptor 0 is the next the
# shim opens.
LD_PRELOAD="$PRE" "$V" fd2 "$tmp/fd2" stdin-closed 2>&1 | cat >"$tmp/fd2/stdin-closed.out"
# The program holds the pipe's read end itself, as descriptor 0 or as its
# highest descriptor (the last one /proc/self/fd lists): nothing; the pipe
# on descriptor 2 opened again O_RDWR (no other reader): the line.
for how in reader-0 reader-last rdwr; do
	LD_PRELOAD="$PRE" "$V" fd2 "$tmp/fd2" $how 2>&1 | cat >"$tmp/fd2/$how.out"
done
line="pbmore: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, Cannot assign requested address): 192.0.2.1 is not an address of this host."
shimlines() { grep -c "^pbmore: bind: " "$1"; }
check "descriptor 2 a FIFO opened O_APPEND at start (2>>fifo): one line (exit $(cat "$tmp/fd2/fifo-append.st"))" \
	sh -c "[ \$(wc -l <'$tmp/fd2/fifo-append.out') -eq 1 ] && grep -qF '$line' '$tmp/fd2/fifo-append.out'"
check "descriptor 2 a FIFO opened without O_APPEND at start (2>fifo): nothing (exit $(cat "$tmp/fd2/fifo.st"))" \
	sh -c "[ ! -s '$tmp/fd2/fifo.out' ]"
check "descriptor 2 an inherited pipe, a second write end held by the program: one line" \
	sh -c "[ \$(wc -l <'$tmp/fd2/pipe-dup.out') -eq 1 ] && grep -qF '$line' '$tmp/fd2/pipe-dup.out'"
check "descriptor 2 an inherited pipe whose read end the program holds as descriptor 0: nothing" \
	[ ! -s "$tmp/fd2/reader-0.out" ]
check "descriptor 2 an inherited pipe whose read end the program holds as its last descriptor: nothing" \
	[ ! -s "$tmp/fd2/reader-last.out" ]
check "descriptor 2 an inherited pipe opened again O_RDWR, no other reader held: one line" \
	sh -c "[ \$(wc -l <'$tmp/fd2/rdwr.out') -eq 1 ] && grep -qF '$line' '$tmp/fd2/rdwr.out'"
check "descriptor 2 an inherited pipe, descriptor 0 closed: one line" \
	sh -c "[ \$(wc -l <'$tmp/fd2/stdin-closed.out') -eq 1 ] && grep -qF '$line' '$tmp/fd2/stdin-closed.out'"

# ---- a setgid copy, linked with the shim (LD_PRELOAD is not honoured
#      from a path there): AT_SECURE, and the shim does nothing
if [ "$(id -u)" -ne 0 ]; then
	skip "a setgid program (AT_SECURE)" "needs root to make a setgid copy of another group"
elif [ -n "$rts" ]; then
	skip "a setgid program (AT_SECURE)" "under sanitizers (their runtime is not loaded there)"
elif ! getent group nogroup >/dev/null 2>&1; then
	skip "a setgid program (AT_SECURE)" "no group nogroup"
else
	S=$tmp/sec/pbmore
	shimdir=$(cd "$(dirname "$SHIM")" && pwd)
	if $CC -pthread -rdynamic -o "$S" "$tmp/pbmore.o" -ldl -Wl,--no-as-needed \
		"$shimdir/libportbind-preload.so" -Wl,-rpath,"$shimdir" &&
	   chgrp nogroup "$S" && chmod 2755 "$S" && chmod 755 "$tmp" "$tmp/sec"; then
		: >"$tmp/sec/stderr"
		PORTBIND_LOG=stderr "$S" secure "$tmp/sec" >"$tmp/sec.out" 2>>"$tmp/sec/stderr"
		tally "$tmp/sec.out" 4 "the setgid program" $?
		check "AT_SECURE: nothing on descriptor 2 (a 2>> log), whatever PORTBIND_LOG says" \
			[ ! -s "$tmp/sec/stderr" ]
		if command -v strace >/dev/null 2>&1; then
			# The same program without AT_SECURE shows the fstat the
			# pattern must find.
			# Every stat call: newfstatat on x86-64, statx on i386.
			strace -qq -e trace=%%stat -o "$tmp/sec/trace" "$S" none "$tmp/sec" 2>/dev/null
			strace -qq -e trace=%%stat -o "$tmp/sec/trace0" \
				env LD_PRELOAD="$SHIM" "$V" none "$tmp/sec" 2>/dev/null
			check "AT_SECURE: the constructor makes no system call (no fstat of descriptor 2; one without AT_SECURE)" \
				sh -c "grep -q '^[a-z0-9]*(2, \"\"' '$tmp/sec/trace0' && ! grep -q '(2, \"\"' '$tmp/sec/trace'"
		else
			skip "AT_SECURE: the constructor's system calls" "strace is not installed"
		fi
	else
		notok "a setgid copy of the program linked with the shim"
	fi
fi

wait "$full_pid"
pids=$(echo "$pids" | sed "s/ $full_pid\$//; s/ $full_pid / /")
check "descriptor 2 a full inherited pipe opened again O_RDWR: the line dropped at once ($(cat "$tmp/fd2/rdwr-full.ms") ms)" \
	sh -c "[ -s '$tmp/fd2/rdwr-full.out' ] && ! grep -q 'pbmore: bind' '$tmp/fd2/rdwr-full.out' && [ \$(cat '$tmp/fd2/rdwr-full.ms') -lt 5000 ]"
wait "$main_pid"
main_st=$?
pids=$(echo "$pids" | sed "s/ $main_pid\$//; s/ $main_pid / /")
wait "$ns_pid"
pids=$(echo "$pids" | sed "s/ $ns_pid\$//; s/ $ns_pid / /")
tally "$tmp/main.out" 70 "the main run" "$main_st"
# The run wrote to its 2>> log only where PORTBIND_LOG sent it there:
# 5 lines, and one more from the SIGPIPE check's child where it ran.
n=$(( 5 + $(grep -c '^\(not \)\{0,1\}ok - a SIGPIPE kill' "$tmp/main.out") ))
check "the main run's descriptor 2 (a 2>> log) has the $n lines sent there and nothing else" \
	sh -c "[ \$(wc -l <'$tmp/main/stderr') -eq $n ] && [ \$(grep -cF '$line' '$tmp/main/stderr') -eq $n ]"
tally "$tmp/ns.out" 1 "the namespace run" "$(cat "$tmp/ns.st" 2>/dev/null || echo 1)"
if grep -q '^skipped' "$tmp/ns.out"; then
	:
else
	# The pipe got the first line only: not the ones that went to
	# /dev/log, nor the one that would have followed descriptor 2.
	check "the namespace run's inherited pipe got exactly the one line meant for it" \
		sh -c "[ \$(wc -l <'$tmp/ns/pipe.out') -eq 1 ] && grep -qF '$line' '$tmp/ns/pipe.out'"
fi

echo "preload-more.sh: $pass passed, $fail failed, $skipped skipped"
printf '%s' "$skips"
[ "$fail" -eq 0 ]

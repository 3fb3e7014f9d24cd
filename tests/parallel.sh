#!/bin/sh
# SPDX-License-Identifier: MIT
#
# parallel.sh - what make check runs, all at once:
#
#	sh tests/parallel.sh NAME COMMAND [NAME COMMAND]...
#
# Each COMMAND (a shell command line) is started at once in the
# background, its output (stdout and stderr, in the order written) kept
# in a file of its own; as each one ends its output is printed whole,
# under a line "==== NAME: exit STATUS, S s".  Then one line for each, and
# the exit status is 1 when any of them failed (a part whose shell is
# gone without its status counts as failed, "exit none"), or 2 when they
# had not all ended within PB_CHECK_LIMIT seconds, 1800 by default: they
# are then killed, each with its process group where setsid(1) gave it
# one, and what they wrote is printed.  The commands isolate themselves (a network namespace of their
# own as root: tests/isolate.sh, check_main.c), so that running them side
# by side changes nothing they see.
set -u

if [ $# -lt 2 ] || [ $(($# % 2)) -ne 0 ]; then
	echo "usage: parallel.sh NAME COMMAND [NAME COMMAND]..." >&2
	exit 2
fi
limit=${PB_CHECK_LIMIT:-1800}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-check.XXXXXX") || exit 2
pids=
# The parts still running, each with its process group.  (The Check
# runner's tests have groups of their own: each dies with the runner
# that forked it, PR_SET_PDEATHSIG in check_main.c.)
cleanup_parts() {
	for p in $pids; do
		kill -TERM "-$p" 2>/dev/null || kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=
}
cleanup() {
	cleanup_parts
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Seconds, with tenths where date(1) has %N.
now() {
	t=$(date +%s%N 2>/dev/null)
	case $t in
	*[!0-9]* | '') echo "$(date +%s)0" ;;
	*) echo $((t / 100000000)) ;;
	esac
}
tenths() { echo "$(($1 / 10)).$(($1 % 10))"; }

# Each in a process group of its own where setsid(1) is there (a
# background job of a shell without job control is no group leader, so
# setsid does not fork: $! is the group).  Nothing read from the
# terminal; the status written last, when done.
setsid=
command -v setsid >/dev/null 2>&1 && setsid=setsid
# shellcheck disable=SC2016 # expanded by the inner shell
runone='sh -c "$1" </dev/null >"$2.out" 2>&1; echo $? >"$2.rc.new" &&
	mv "$2.rc.new" "$2.rc"'
t0=$(now)
n=0
while [ $# -gt 0 ]; do
	n=$((n + 1))
	eval "name_$n=\$1"
	$setsid sh -c "$runone" sh "$2" "$tmp/$n" &
	eval "pid_$n=\$!"
	pids="$pids $!"
	shift 2
done

left=$n
failed=0
summary=
name=
pid=
# Part i ended with status $1 (a number, or why there is none): shown.
show() {
	eval "name=\$name_$i"
	eval "pid=\$pid_$i"
	wait "$pid" 2>/dev/null
	pids=$(echo "$pids" | sed "s/ $pid\$//; s/ $pid / /")
	t=$(tenths $(($(now) - t0)))
	echo "==== $name: exit $1, $t s"
	cat "$tmp/$i.out"
	: >"$tmp/$i.shown"
	left=$((left - 1))
	if [ "$1" = 0 ]; then
		summary="$summary  ok      $name ($t s)
"
	else
		failed=$((failed + 1))
		summary="$summary  FAILED  $name (exit $1, $t s)
"
	fi
}
while [ "$left" -gt 0 ]; do
	i=1
	while [ $i -le $n ]; do
		if [ ! -f "$tmp/$i.shown" ]; then
			eval "pid=\$pid_$i"
			if [ -f "$tmp/$i.rc" ]; then
				show "$(cat "$tmp/$i.rc")"
			elif ! kill -0 "$pid" 2>/dev/null; then
				# Gone: its status was written before it ended,
				# or never (its shell was killed).
				if [ -f "$tmp/$i.rc" ]; then
					show "$(cat "$tmp/$i.rc")"
				else
					# What it started, in its group, too.
					kill -TERM "-$pid" 2>/dev/null
					show "none: its shell (pid $pid) ended without one, killed"
				fi
			fi
		fi
		i=$((i + 1))
	done
	[ "$left" -gt 0 ] || break
	if [ $(($(now) - t0)) -gt $((limit * 10)) ]; then
		echo "==== still running after $limit s (PB_CHECK_LIMIT): killed"
		cleanup_parts
		i=1
		while [ $i -le $n ]; do
			if [ ! -f "$tmp/$i.shown" ]; then
				eval "echo \"==== \$name_$i: killed; its output:\""
				cat "$tmp/$i.out"
			fi
			i=$((i + 1))
		done
		exit 2
	fi
	sleep 0.1 2>/dev/null || sleep 1
done
echo "==== make check: $n parts in $(tenths $(($(now) - t0))) s"
printf '%s' "$summary"
if [ "$failed" -ne 0 ]; then
	echo "==== make check: $failed of $n FAILED"
	exit 1
fi

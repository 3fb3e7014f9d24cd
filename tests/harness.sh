# SPDX-License-Identifier: MIT
#
# harness.sh - what tests/examples.sh and tests/docexamples.sh share,
# sourced from the top of the tree: a scratch directory, background
# processes reaped on any exit, and the counting of checks (a skip is
# counted apart, never as passed).
#
#	harness_begin NAME	$tmp made; $bgs (pids) killed and reaped at exit
#	check DESC CMD...	ok or not ok (then $tmp/out and $tmp/err shown)
#	skip WHAT WHY		a check that cannot run here
#	all 'CMD' ...		every CMD (eval'd) succeeds
#	harness_end SCRIPT	the counts and the skips; status 1 when any failed
# shellcheck shell=sh

harness_begin() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-$1.XXXXXX") || exit 1
	bgs=
	trap harness_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
	passed=0
	failed=0
	skipped=0
	skips=
}

harness_cleanup() {
	for p in $bgs; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	bgs=
	rm -rf "$tmp"
}

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

# skip WHAT WHY: a check that cannot run here; counted apart, never passed.
skip() {
	skipped=$((skipped + 1))
	echo "skipped - $1: $2"
	skips="$skips  skipped: $1: $2
"
}

all() { for c in "$@"; do eval "$c" || return 1; done; }

harness_end() {
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	printf '%s' "$skips"
	[ "$failed" -eq 0 ]
}

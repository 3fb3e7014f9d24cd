#!/bin/sh
# SPDX-License-Identifier: MIT
#
# cxx.sh - <portbind.h> compiles and links in C++: tests/cxx.cpp (every
# *_INIT macro, a call of every function) with each C++ compiler found
# (g++, clang++) at -std=c++11, c++17 and c++20, with -Wall -Wextra
# -Werror -pedantic, linked to libportbind.a and run.  Before issue 13
# each *_INIT macro failed here (-Wmissing-field-initializers).
#
# Run from the top of the tree after `make all` (by `make check`).
# PB_CC: the C compiler the library was built with (its flags after the
# first word, such as -m32, are passed on); PB_LDFLAGS: the link flags
# (the sanitizers).  A sanitizer runtime belongs to its compiler, so with
# -fsanitize only the C++ compiler of PB_CC's family is used.  One line
# per build, "ok - ...", "not ok - ..." or "skipped - WHAT: WHY", then
# "cxx.sh: N passed, M failed, S skipped"; exit status 1 when any failed.
set -u
cd "$(dirname "$0")/.." || exit 1
# What was built is in PB_BUILDDIR (make check sets it), else here.
B=${PB_BUILDDIR:-$PWD}
# The program listens and connects on loopback: as root, in a network
# namespace of its own (tests/isolate.sh).
. tests/isolate.sh
isolate cxx.sh "$PWD/tests/cxx.sh" "$@"
[ -f "$B/libportbind.a" ] || { echo "cxx.sh: run 'make all' first" >&2; exit 1; }

cc=${PB_CC:-cc}
ldflags=${PB_LDFLAGS:-}
# shellcheck disable=SC2086
set -- $cc
shift
ccflags="$*"
case $(basename "${cc%% *}") in
clang*) family=clang++ ;;
*) family=g++ ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-cxx.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 failed=0 skipped=0 skips=

skip() {
	echo "skipped - $1"
	skips="$skips
  skipped - $1"
	skipped=$((skipped + 1))
}

for cxx in g++ clang++; do
	case $ldflags in
	*-fsanitize*)
		if [ "$cxx" != "$family" ]; then
			skip "$cxx: the library is built with $family's sanitizers"
			continue
		fi ;;
	*--coverage*)	# make coverage: the counters' runtime is the compiler's too
		if [ "$cxx" != "$family" ]; then
			skip "$cxx: the library is built with $family's coverage counters"
			continue
		fi ;;
	esac
	if ! command -v "$cxx" >/dev/null 2>&1; then
		skip "$cxx: not installed"
		continue
	fi
	for std in c++11 c++17 c++20; do
		what="$cxx -std=$std"
		# shellcheck disable=SC2086
		if ! echo 'int main() { return 0; }' |
		     $cxx $ccflags -std=$std -x c++ -o "$tmp/probe" - 2>/dev/null; then
			skip "$what: not supported by this compiler"
			continue
		fi
		# shellcheck disable=SC2086
		if ! $cxx $ccflags -std=$std -Wall -Wextra -Werror -pedantic \
		     -Iinclude -o "$tmp/cxx" tests/cxx.cpp "$B/libportbind.a" $ldflags \
		     >"$tmp/out" 2>&1; then
			echo "not ok - $what: does not build"
			sed 's/^/  /' "$tmp/out" | head -40
			failed=$((failed + 1))
		elif ! timeout 60 "$tmp/cxx" >"$tmp/out" 2>&1; then
			echo "not ok - $what: runs, and fails"
			sed 's/^/  /' "$tmp/out" | head -40
			failed=$((failed + 1))
		else
			echo "ok - $what"
			passed=$((passed + 1))
		fi
	done
done
echo "cxx.sh: $passed passed, $failed failed, $skipped skipped$skips"
[ "$failed" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# abicheck-selftest.sh - `make abicheck` catches the ABI breaks it is there
# for, and lets through the two changes that are compatible by design.
#
# On a scratch copy of the sources (the tree is never touched): build the
# library out of tree, take its ABI as the baseline (make abi-baseline in
# the copy), then change include/portbind.h one way at a time, rebuild and
# run make abicheck:
#   unchanged                                        must pass
#   a member inserted in the middle of a growable    must FAIL, naming it
#     struct (one whose first member is size_t size)
#   a member appended at the end of a growable       must pass
#     struct, past its old size
#   a member of a growable struct made wider (the    must FAIL
#     struct grows at its end too)
#   a member appended at the end of another struct   must FAIL (its size is
#     (an array element: pb_holder)                   ABI)
#   a function removed from lib/libportbind.map      must FAIL (abidiff 8)
# Needs abidw and abidiff (Debian: abigail-tools).  One line per case,
# "ok - ..." or "not ok - ...", then "N passed, M failed"; exit 1 when any
# failed.  Run by .ci/run; about a minute (six builds of the library,
# without DEVELOPER=1: a changed header may well warn).
set -u
src=$(cd "$(dirname "$0")/.." && pwd) || exit 1
MAKE=${MAKE:-make}

for t in abidw abidiff; do
	command -v "$t" >/dev/null 2>&1 ||
		{ echo "abicheck-selftest: $t not found (Debian: abigail-tools)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-abi.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }

# What the Makefile needs to build the library; the copy is built out of
# tree, as a packager would.
mkdir -p "$tmp/src/tests/fuzz" "$tmp/build" || exit 1
cp -R "$src/Makefile" "$src/include" "$src/lib" "$tmp/src/" &&
	cp "$src/tests/fuzz/fuzz.mk" "$tmp/src/tests/fuzz/" &&
	cp "$src/tests/abicheck.sh" "$tmp/src/tests/" || exit 1
hdr=$tmp/src/include/portbind.h
map=$tmp/src/lib/libportbind.map
cp "$hdr" "$tmp/portbind.h.orig" && cp "$map" "$tmp/map.orig" || exit 1

abimake() { # target: make in the scratch build directory, output in $tmp/log
	$MAKE --no-print-directory -C "$tmp/build" -f ../src/Makefile DEVELOPER= "$@" \
		>"$tmp/log" 2>&1
}
show() { sed 's/^/#   /' "$tmp/log" | head -n 40; }

# The structs of the header: growable ones (first member size_t size) and
# the others.
structs() { # growable|fixed
	awk -v want="$1" '/^struct [a-z_0-9]+ \{/ { n = $2; getline;
		g = ($1 == "size_t" && $2 == "size;");
		if ((want == "growable") == g) print n }' "$tmp/portbind.h.orig"
}
grow=$(structs growable | head -n 1)
fixed=$(structs fixed | head -n 1)
[ -n "$grow" ] && [ -n "$fixed" ] ||
	{ echo "abicheck-selftest: no growable or no other struct in portbind.h" >&2; exit 1; }

# edit STRUCT after-first|at-end|widen MEMBER: the header with one member
# added (a long long at the end: past any tail padding), or with the
# member after size made wider (int to long long) and MEMBER appended
edit() {
	awk -v s="$1" -v where="$2" -v m="$3" '
		$0 ~ "^struct " s " \\{" { inside = 1; print; getline; print; n = 0; next }
		inside && where == "after-first" && !n++ { print "\tint " m ";" }
		inside && where == "widen" && !n++ {
			if (!sub(/unsigned int /, "unsigned long long ")) sub(/int /, "long long ")
		}
		inside && /^};/ {
			if (where != "after-first") print "\tlong long " m ";"
			inside = 0
		}
		{ print }' "$tmp/portbind.h.orig" >"$hdr"
	grep -q " $3;" "$hdr" ||
		{ echo "abicheck-selftest: could not add $3 to struct $1" >&2; exit 1; }
	[ "$2" != widen ] || grep -q "long long [a-z_0-9]*; " "$hdr" ||
		{ echo "abicheck-selftest: no int member to widen in struct $1" >&2; exit 1; }
}
restore() { cp "$tmp/portbind.h.orig" "$hdr" && cp "$tmp/map.orig" "$map"; }

if abimake abi-baseline && abimake abicheck; then
	ok "unchanged: the baseline of the copy, and make abicheck passes"
else
	show
	notok "unchanged: make abi-baseline, then make abicheck"
	echo "$pass passed, $fail failed"
	exit 1
fi

edit "$grow" after-first pb_selftest_inserted
if abimake abicheck; then
	show
	notok "a member inserted after the first member of struct $grow: abicheck passed"
elif grep -q "pb_selftest_inserted" "$tmp/log" && grep -q "offset changed" "$tmp/log" &&
     grep -q "abicheck: FAIL" "$tmp/log"; then
	ok "a member inserted in the middle of struct $grow: abicheck fails, naming it and the offsets that moved"
else
	show
	notok "a member inserted in struct $grow: abicheck failed, but not on the ABI report"
fi

edit "$grow" at-end pb_selftest_appended
if abimake abicheck; then
	ok "a member appended at the end of struct $grow (growable): abicheck passes"
else
	show
	notok "a member appended at the end of struct $grow (growable): abicheck failed"
fi

edit "$grow" widen pb_selftest_appended
if abimake abicheck; then
	show
	notok "a member of struct $grow made wider, one appended: abicheck passed"
elif grep -q "type size changed from 32 to 64" "$tmp/log" && grep -q "abicheck: FAIL" "$tmp/log"; then
	ok "a member of struct $grow made wider, one appended: abicheck fails (not only an append)"
else
	show
	notok "a member of struct $grow made wider: abicheck failed, but not on the ABI report"
fi

edit "$fixed" at-end pb_selftest_appended
if abimake abicheck; then
	show
	notok "a member appended at the end of struct $fixed (not growable): abicheck passed"
elif grep -q "pb_selftest_appended" "$tmp/log" && grep -q "abicheck: FAIL" "$tmp/log"; then
	ok "a member appended at the end of struct $fixed (not growable): abicheck fails"
else
	show
	notok "a member appended to struct $fixed: abicheck failed, but not on the ABI report"
fi

restore
gone=$(sed -n 's/^[[:space:]]*\(pb_[a-z_0-9]*\);.*/\1/p' "$map" | tail -n 1)
sed "/^[[:space:]]*$gone;/d" "$tmp/map.orig" >"$map"
if [ -z "$gone" ] || cmp -s "$map" "$tmp/map.orig"; then
	notok "no function to take out of lib/libportbind.map"
elif abimake abicheck; then
	show
	notok "$gone no longer exported: abicheck passed"
elif grep -q "$gone" "$tmp/log" && grep -q "incompatibly" "$tmp/log"; then
	ok "$gone no longer exported: abicheck fails (abidiff: incompatible)"
else
	show
	notok "$gone no longer exported: abicheck failed, but not on the ABI report"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

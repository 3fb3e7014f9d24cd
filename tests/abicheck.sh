#!/bin/sh
# SPDX-License-Identifier: MIT
#
# abicheck.sh BASELINE CURRENT HEADER - the judgement of `make abicheck`:
# the ABI of the built library (CURRENT, from abidw) against the committed
# one (BASELINE), with abidiff from libabigail (Debian: abigail-tools).
#
# abidiff's exit status is a set of bits: 1 an error, 2 a usage error, 4
# the ABI changed, 8 an incompatible change (a symbol removed).  Passes:
#   - no change (0);
#   - functions added (run with --no-added-syms, so they are no change;
#     listed afterwards);
#   - members appended to a growable struct of HEADER, one whose first
#     member is `size_t size` (the library copies out only what the
#     caller's size covers): in abidiff's leaf report, a block for such a
#     struct that says only that its size grew from OLD bits and that
#     members were inserted at offsets >= OLD.
# Everything else fails, with abidiff's report: a member inserted inside
# the old size (in the middle, or in tail padding that an old caller's
# size still covers: the library could not tell old callers from new
# ones), removed, or whose offset, size or type changed; a member
# appended to any other struct (an array element such as pb_holder: its
# size is ABI); a changed function; a symbol removed or moved to another
# version node.  libabigail's own suppression (has_data_member_inserted_at
# = end) is not used: libabigail 2.2 lets it hide a member's type change
# in the same struct.
set -u
[ $# -eq 3 ] || { echo "usage: abicheck.sh BASELINE CURRENT HEADER" >&2; exit 2; }
base=$1 now=$2 hdr=$3
ABIDIFF=${ABIDIFF:-abidiff}

arch() { sed -n "s/.*<abi-corpus .*architecture='\([^']*\)'.*/\1/p" "$1"; }
if [ "$(arch "$base")" != "$(arch "$now")" ]; then
	echo "abicheck: FAIL: $base is for $(arch "$base"), this build for $(arch "$now")" >&2
	exit 1
fi

growable=$(awk '/^struct [a-z_0-9]+ \{/ { n = $2; getline;
	if ($1 == "size_t" && $2 == "size;") printf " %s", n }' "$hdr")
echo "  ABI      $now against $base; growable structs:$growable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-abicheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

rc=0
"$ABIDIFF" --leaf-changes-only --no-added-syms "$base" "$now" >"$tmp/leaf" 2>&1 || rc=$?

fail() { # why
	sed 's/^/    /' "$tmp/leaf"
	echo "abicheck: FAIL: $1" >&2
	echo "abicheck: if the change is meant, run make abi-baseline and commit $base with it" >&2
	exit 1
}

if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
	why="abidiff exit $rc:"
	[ $((rc & 1)) -eq 0 ] || why="$why an error"
	[ $((rc & 2)) -eq 0 ] || why="$why a usage error"
	[ $((rc & 4)) -eq 0 ] || why="$why the ABI changed"
	[ $((rc & 8)) -eq 0 ] || why="$why, incompatibly (a symbol removed)"
	fail "$why"
fi

if [ "$rc" -eq 4 ]; then
	# Every line of the leaf report must belong to an append to a
	# growable struct; the first line that does not is the verdict.
	verdict=$(awk -v growable="$growable " '
	function bad(why) { print why; exit }
	/^Leaf changes summary:/ || /^Changed leaf types summary:/ || /^$/ { next }
	/^Removed\/Changed\/Added (functions|variables) summary:/ {
		if ($0 !~ /: 0 Removed, 0 Changed/)
			bad("a function or variable was removed or changed")
		next
	}
	/^\x27struct [a-z_0-9]+\x27 changed:$/ {
		name = $2; gsub(/\x27/, "", name); old = -1
		if (index(growable, " " name " ") == 0)
			bad("struct " name " changed, and it is not growable")
		next
	}
	name != "" && /^  type size changed from [0-9]+ to [0-9]+ \(in bits\)$/ {
		old = $5 + 0
		if ($7 + 0 <= old)
			bad("struct " name " did not grow")
		next
	}
	name != "" && /^  [0-9]+ data member insertions?:$/ { next }
	name != "" && /^    \x27.*\x27, at offset [0-9]+ \(in bits\)$/ {
		if (old < 0 || $(NF - 2) + 0 < old)
			bad("struct " name ": a member inserted inside its old size")
		next
	}
	{ bad("not an append to a growable struct: " $0) }' "$tmp/leaf")
	[ -z "$verdict" ] || fail "$verdict"
	sed -n "s/^'\(struct [a-z_0-9]*\)' changed:\$/  ABI      compatible: \1 grows at its end:/p
		s/^    '\(.*\)', at offset \([0-9]*\) (in bits)\$/  ABI        \1 (bit \2)/p" "$tmp/leaf"
fi

# Functions added: compatible, listed.
"$ABIDIFF" "$base" "$now" >"$tmp/all" 2>&1
sed -n 's/^  \[A\] /  ABI      compatible: added /p' "$tmp/all"
echo "  ABI      compatible with $base ($(grep -c '<elf-symbol ' "$now") symbols)"

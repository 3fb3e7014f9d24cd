#!/bin/sh
# SPDX-License-Identifier: MIT
#
# layers.sh - the structure of lib/, checked from the built objects.
#
# Source layout, bottom up.  A file calls only files of lower layers: no
# two files call each other, directly or round a longer loop.  The layer
# of a file is one more than the highest layer it calls.
#
#  0 abi.c       the growable structs' oldest sizes and their copy-out
#    addr.c      "host:port" specs, socket address lengths, ports, text
#    opt.c       the option setters (pb_set_reuseaddr and the others)
#    probe.c     scratch-socket probes: would this bind?  does it answer?
#    scratch.c   memory off the stack and outside malloc (mmap)
#    text.c      formatting and number parsing without stdio or locale
#    version.c   pb_version
#  1 activate.c  sockets passed by systemd (LISTEN_FDS), pb_adopt
#    owner.c     socket inode -> process (the /proc walk, opt-in)
#    procnet.c   the kernel's socket table from /proc/net
#    sockdiag.c  the kernel's socket table from sock_diag netlink
#    sysctl.c    values under /proc/sys, CAP_NET_BIND_SERVICE
#  2 handoff.c   descriptor hand-off between an old and a new server
#    table.c     the table as diag.c and budget.c read it: netlink or
#                /proc/net, the holder list, connections to a destination
#  3 budget.c    pb_port_budget: connections a destination can still take
#    diag.c      pb_diagnose: why an address cannot be bound
#  4 bind.c      pb_listen, pb_bind_udp, pb_bind_reuse, pb_listen_wait
#    client.c    pb_connect_from, pb_connect_range
#    format.c    a diagnosis as a paragraph (pb_diag_format) or JSON
#    netns.c     pb_netns_open, pb_diagnose_netns: work done inside
#                another network namespace, in a thread of its own
#  5 audit.c     pb_audit_run: would each service come back if restarted
#
# Above them all, the LD_PRELOAD shim (lib/preload/preload.c) links its
# own copy of them.  Headers: lib/X.h declares exactly the pb__ functions
# lib/X.c defines for other files (checked here: no more, no fewer);
# lib/internal.h holds what every file shares (PB_EXPORT, small inline
# helpers) and lib/sockent.h the table's row type, and neither declares
# a function of any file.  The public API is include/portbind.h.
#
# Who calls whom is read from the objects (nm: each file's defined and
# undefined pb_ and pb__ symbols), so a call counts however it is
# written.  The layout above is compared with the one the objects give:
# a file added, or a call that moves a file up a layer, shows here and
# the comment is brought up to date.
#
# Usage: sh tests/layers.sh [OBJDIR]   (the objects of lib/*.c, default
# build/static; run after `make`, as `make check` does).  The sources are
# read next to this script, ../lib.
set -eu

dir=${1:-build/static}
src=$(dirname "$0")/../lib
NM=${NM:-nm}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/portbind-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# One line per symbol: "file D name" (defined here), "file U name" (used).
: >"$tmp/syms"
for c in "$src"/*.c; do
	f=${c##*/}
	f=${f%.c}
	o=$dir/$f.o
	[ -f "$o" ] || { echo "layers: $o missing (run make first)" >&2; exit 2; }
	"$NM" "$o" | awk -v f="$f" '
		$1 == "U" && $2 ~ /^pb_/ { sub(/@.*/, "", $2); print f, "U", $2 }
		NF == 3 && $2 ~ /^[A-TV-Z]$/ && $3 ~ /^pb_/ { print f, "D", $3 }
	' >>"$tmp/syms"
done

# The calls between files ("from to symbol"), the layers, and the loops.
awk '
	$2 == "D" { def[$3] = $1; files[$1] = 1 }
	$2 == "U" { use[++n] = $1 " " $3; files[$1] = 1 }
	END {
		for (i = 1; i <= n; i++) {
			split(use[i], u, " ")
			if (!(u[2] in def))
				continue	# the C library, or not linked
			to = def[u[2]]
			if (to == u[1])
				continue
			key = u[1] SUBSEP to
			if (key in why) {
				why[key] = why[key] " " u[2]
			} else {
				edges[++m] = key
				why[key] = u[2]
			}
		}
		nf = 0
		for (f in files) {
			layer[f] = 0
			nf++
		}
		# Longest path: settles within nf rounds unless there is a loop.
		for (round = 0; round <= nf; round++) {
			changed = 0
			for (i = 1; i <= m; i++) {
				split(edges[i], e, SUBSEP)
				if (layer[e[1]] < layer[e[2]] + 1) {
					layer[e[1]] = layer[e[2]] + 1
					changed = 1
				}
			}
			if (!changed)
				break
		}
		if (changed) {
			# The loops: what is left after peeling, again and
			# again, the files that call none of those left or
			# that none of them calls.
			for (f in files)
				left[f] = 1
			do {
				peeled = 0
				for (f in left) {
					calls = called = 0
					for (i = 1; i <= m; i++) {
						split(edges[i], e, SUBSEP)
						if (e[1] == f && (e[2] in left))
							calls = 1
						if (e[2] == f && (e[1] in left))
							called = 1
					}
					if (!calls || !called)
						gone[++peeled] = f
				}
				for (i = 1; i <= peeled; i++)
					delete left[gone[i]]
			} while (peeled)
			print "layers: lib/ files call each other in a loop:" > "/dev/stderr"
			for (i = 1; i <= m; i++) {
				split(edges[i], e, SUBSEP)
				if ((e[1] in left) && (e[2] in left))
					printf "layers:   %s.c -> %s.c (%s)\n", e[1], e[2],
					       why[edges[i]] > "/dev/stderr"
			}
			exit 1
		}
		for (f in files)
			print layer[f], f
	}
' "$tmp/syms" >"$tmp/layers.raw" || fail=1
sort -k1,1n -k2 "$tmp/layers.raw" >"$tmp/layers"

if [ "$fail" -eq 0 ]; then
	# The layout written above, as "layer file" lines.
	sed -n '/^# Source layout/,/^# Above them all/p' "$0" | awk '
		$1 == "#" && $2 ~ /^[0-9]+$/ && $3 ~ /\.c$/ { l = $2; f = $3 }
		$1 == "#" && $2 ~ /^[a-z_0-9]+\.c$/ { f = $2 }
		f != "" { sub(/\.c$/, "", f); print l, f; f = "" }
	' | sort -k1,1n -k2 >"$tmp/written"
	if ! cmp -s "$tmp/layers" "$tmp/written"; then
		echo "layers: the layout in tests/layers.sh is not the objects' one;" \
		     "the objects say (layer file):" >&2
		sed 's/^/layers:   /' "$tmp/layers" >&2
		echo "layers: and the comment says:" >&2
		sed 's/^/layers:   /' "$tmp/written" >&2
		fail=1
	fi
fi

# The pb__ functions a header declares (prototypes only: the bodies of
# static inline helpers, struct members and macros are skipped).
declared() {
	awk '
		{ text = text $0 "\n" }
		END {
			# Comments out, then preprocessor lines (with their
			# continuations).
			while ((i = index(text, "/*")) > 0) {
				rest = substr(text, i + 2)
				j = index(rest, "*/")
				text = substr(text, 1, i - 1) " " substr(rest, j + 2)
			}
			gsub(/\\\n/, " ", text)
			nl = split(text, lines, "\n")
			code = ""
			for (k = 1; k <= nl; k++)
				if (lines[k] !~ /^[ \t]*#/)
					code = code " " lines[k]
			depth = 0
			chunk = ""
			for (k = 1; k <= length(code); k++) {
				ch = substr(code, k, 1)
				if (ch == "{") {
					depth++
					chunk = ""
				} else if (ch == "}") {
					depth--
					chunk = ""
				} else if (depth == 0 && ch == ";") {
					if (match(chunk, /pb__[a-z_0-9]+[ \t]*\(/)) {
						name = substr(chunk, RSTART, RLENGTH)
						sub(/[ \t]*\($/, "", name)
						print name
					}
					chunk = ""
				} else if (depth == 0) {
					chunk = chunk ch
				}
			}
		}
	' "$1" | sort -u
}

for h in "$src"/*.h; do
	f=${h##*/}
	f=${f%.h}
	declared "$h" >"$tmp/declared"
	h=lib/$f.h
	if [ -f "$src/$f.c" ]; then
		awk -v f="$f" '$1 == f && $2 == "D" && $3 ~ /^pb__/ { print $3 }' \
			"$tmp/syms" | sort -u >"$tmp/defined"
	else
		: >"$tmp/defined"
	fi
	extra=$(comm -23 "$tmp/declared" "$tmp/defined" | tr '\n' ' ' | sed 's/ $//')
	if [ -n "$extra" ]; then
		if [ -f "$src/$f.c" ]; then
			echo "layers: $h declares $extra but lib/$f.c does not define them" >&2
		else
			echo "layers: $h declares $extra; with no lib/$f.c," \
			     "it holds types and macros only" >&2
		fi
		fail=1
	fi
	missing=$(comm -13 "$tmp/declared" "$tmp/defined" | tr '\n' ' ' | sed 's/ $//')
	if [ -n "$missing" ]; then
		echo "layers: lib/$f.c defines $missing but $h does not declare them" >&2
		fail=1
	fi
done
for c in "$src"/*.c; do
	f=${c##*/}
	f=${f%.c}
	if [ ! -f "$src/$f.h" ] &&
	   awk -v f="$f" '$1 == f && $2 == "D" && $3 ~ /^pb__/ { found = 1 }
			  END { exit !found }' "$tmp/syms"; then
		echo "layers: lib/$f.c defines pb__ functions and has no lib/$f.h" >&2
		fail=1
	fi
done

[ "$fail" -eq 0 ] || exit 1
printf '  layers: %s files in %s layers, no loop; %s\n' \
	"$(wc -l <"$tmp/layers" | tr -d ' ')" \
	"$(($(tail -n 1 "$tmp/layers" | cut -d' ' -f1) + 1))" \
	"each lib/X.h declares lib/X.c"

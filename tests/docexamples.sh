#!/bin/sh
# SPDX-License-Identifier: MIT
#
# docexamples.sh - every C example of the man pages and the README builds
# and runs.
#
# Run from the top of the tree after `make all examples` (by `make check`).
# An example is marked where it is shown: in a page, by a roff comment on
# the line before its .Bd -literal block,
#	.\" example: NAME KIND
# in the README by "<!-- example: NAME KIND -->" on the line before its
# indented block.  KIND says how it is completed, as portbind(3) documents
# under EXAMPLES:
#	program			a whole file, built as it is;
#	fragment		the body of int main(void) in a file that
#				includes the headers portbind(3) lists, with
#				"return 0;" after it;
#	fragment-argv		the same in int main(int argc, char *argv[]);
#	excerpt FILE		lines of FILE (a program that make check
#				builds), in order, lines shown next to each
#				other next to each other there; "..." stands
#				for lines left out.  Nothing else is added.
#	declaration		declarations, built at file scope in such a
#				file, with an empty main;
#	synopsis FILE		declarations copied from FILE (a header):
#				without comments and spacing, its lines are
#				lines of FILE, in order.
# A block of any section of a page, or of the README, that looks like C
# and is not marked fails the run, and so does a marked example that the
# table below does not run.
#
# Each program is built against the static library with -Wall -Wextra
# -Werror (PB_CC, default cc; PB_LDFLAGS for the sanitizers) and run as
# the table says: its exit status and what it prints are checked.  The
# examples use fixed ports (8080) and documentation addresses
# (192.0.2.10, 198.51.100.7), so as root the script runs in a network
# namespace of its own, where it adds those addresses to lo; elsewhere
# the runs that need it are skipped, and counted.  Every run is bounded
# and every process started is reaped.  One line per check, "ok - ...",
# "not ok - ..." or "skipped - WHAT: WHY", then "docexamples.sh: N passed,
# M failed, S skipped" and each skip again (a skip is never counted as
# passed); exit status 1 when any check failed.
# shellcheck disable=SC2016

set -u
cd "$(dirname "$0")/.." || exit 1
# The pages are read here; what was built is in PB_BUILDDIR (make check
# sets it: an out-of-tree build), else here.
B=${PB_BUILDDIR:-$PWD}

[ -f "$B/libportbind.a" ] && [ -x "$B/examples/listen" ] && [ -x "$B/examples/client" ] ||
	{ echo "docexamples.sh: run 'make all examples' first" >&2; exit 1; }

if [ -z "${PB_DOC_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] &&
   unshare -n true 2>/dev/null; then
	PB_DOC_NETNS=1 exec unshare -n sh "$0" "$@"
fi
netns=
if [ -n "${PB_DOC_NETNS:-}" ] && ip link set lo up 2>/dev/null &&
   ip addr add 192.0.2.10/32 dev lo 2>/dev/null &&
   ip addr add 198.51.100.7/32 dev lo 2>/dev/null; then
	netns=1
fi
nons="needs root and unshare -n (fixed ports, documentation addresses)"

. tests/harness.sh
harness_begin doc

# ---- extract: $tmp/x/NAME.kind (the marker's words), NAME.src (where),
#      NAME.txt (the block); $tmp/unmarked lists C-looking blocks without
#      a marker.
mkdir "$tmp/x" || exit 1
: >"$tmp/unmarked"
: >"$tmp/names"
for page in man/*.[1-8]; do
	awk -v dir="$tmp/x" '
	function looks_c(l) {
		return l ~ /;[ \t]*(\/\*.*\*\/)?$/ || l ~ /^#(include|if)/ ||
		    l ~ /\{$/
	}
	/^\.Sh / { sec = $2 }
	/^\.\\" example: / {
		mark = substr($0, 14)
		split(mark, w, " ")
		name = w[1]
		print name >> (dir "/../names")
		print mark > (dir "/" name ".kind")
		print FILENAME ":" FNR > (dir "/" name ".src")
		printf "" > (dir "/" name ".txt")
		next
	}
	/^\.Bd -literal/ { inblk = 1; start = FNR; c = 0; first = 1; next }
	/^\.Ed/ && inblk {
		if (name == "" && c == 1)
			print FILENAME ":" start ": a C block without a marker" >> (dir "/../unmarked")
		inblk = 0; name = ""; next
	}
	inblk {
		l = $0
		gsub(/\\e/, "\\\\", l); gsub(/\\&/, "", l); gsub(/\\-/, "-", l)
		if (name != "")
			print l >> (dir "/" name ".txt")
		# A transcript ("$ command", then what it prints) is not C.
		if (first && l ~ /^\$ /)
			c = -1
		first = 0
		if (c == 0 && looks_c(l))
			c = 1
		next
	}
	{ name = "" }
	' "$page"
done
awk -v dir="$tmp/x" '
	function looks_c(l) {
		return l ~ /;[ \t]*(\/\*.*\*\/)?$/ || l ~ /^#(include|if)/ ||
		    l ~ /\{$/
	}
	/^<!-- example: .* -->$/ {
		mark = substr($0, 15, length($0) - 18)
		split(mark, w, " ")
		name = w[1]
		print name >> (dir "/../names")
		print mark > (dir "/" name ".kind")
		print FILENAME ":" FNR > (dir "/" name ".src")
		printf "" > (dir "/" name ".txt")
		inblk = 0
		next
	}
	/^    / {
		if (name != "") {
			inblk = 1
			for (; blank > 0; blank--)
				print "" >> (dir "/" name ".txt")
			print substr($0, 5) >> (dir "/" name ".txt")
		} else if (looks_c(substr($0, 5))) {
			print FILENAME ":" FNR ": C without a marker" >> (dir "/../unmarked")
		}
		next
	}
	/^$/ { if (inblk) blank++; next }
	{ name = ""; inblk = 0; blank = 0 }
' README

: >"$tmp/out"
cp "$tmp/unmarked" "$tmp/err"
check "every C block of the pages and of the README is marked" \
	[ ! -s "$tmp/unmarked" ]
sort "$tmp/names" | uniq -d >"$tmp/err"
check "no example name is marked twice" [ ! -s "$tmp/err" ]

# ---- complete and build each example
HEADERS='sys/socket.h netinet/in.h err.h errno.h poll.h stdio.h string.h unistd.h portbind.h'
build() {  # build NAME: $tmp/NAME from the block; 0 when built
	n=$1
	set -- $(cat "$tmp/x/$n.kind")
	kind=$2
	src=$tmp/$n.c
	case $kind in
	program)
		cp "$tmp/x/$n.txt" "$src" ;;
	declaration)
		{
			echo "/* $n, from $(cat "$tmp/x/$n.src"), at file scope */"
			for h in $HEADERS; do echo "#include <$h>"; done
			echo
			cat "$tmp/x/$n.txt"
			echo
			echo "int"
			echo "main(void)"
			echo "{"
			echo "	return 0;"
			echo "}"
		} >"$src" ;;
	fragment | fragment-argv)
		{
			echo "/* $n, from $(cat "$tmp/x/$n.src"), completed as portbind(3) says */"
			for h in $HEADERS; do echo "#include <$h>"; done
			echo
			echo "int"
			if [ "$kind" = fragment ]; then
				echo "main(void)"
			else
				echo "main(int argc, char *argv[])"
			fi
			echo "{"
			sed 's/^/	/; s/^	$//' "$tmp/x/$n.txt"
			echo "	return 0;"
			echo "}"
		} >"$src" ;;
	*)
		echo "$n: unknown kind $kind" >"$tmp/err"
		return 1 ;;
	esac
	# shellcheck disable=SC2086
	${PB_CC:-cc} -Wall -Wextra -Werror -Iinclude -o "$tmp/$n" "$src" \
		"$B/libportbind.a" ${PB_LDFLAGS:-} >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 0 ] || cat -n "$src" >>"$tmp/out"
	return $st
}

# excerpt NAME FILE: the lines of the block, "..." aside, are lines of
# FILE (leading blanks and blank lines aside), in the same order; lines
# shown next to each other are next to each other in FILE: only "..."
# stands for lines left out.
excerpt() {
	sed 's/^[ 	]*//' "$2" | grep -v '^$' >"$tmp/file"
	sed 's/^[ 	]*//' "$tmp/x/$1.txt" | grep -v '^$' >"$tmp/want"
	: >"$tmp/out"
	awk 'NR == FNR {
		if ($0 == "...") { if (len[g] > 0) g++; next }
		len[g]++; want[g, len[g]] = $0; next
	     }
	     { file[++m] = $0 }
	     END {
		if (len[g] > 0) g++
		at = 1
		for (i = 0; i < g; i++) {
			found = 0
			for (; at + len[i] - 1 <= m; at++) {
				for (j = 1; j <= len[i]; j++)
					if (file[at + j - 1] != want[i, j])
						break
				if (j > len[i]) { found = 1; break }
			}
			if (!found) {
				print "not in the file, in order and as one run of lines:"
				for (j = 1; j <= len[i]; j++) print "  " want[i, j]
				exit 1
			}
			at += len[i]
		}
	     }' "$tmp/want" "$tmp/file" >"$tmp/err"
}

# synopsis NAME FILE: without comments and spacing, each line of the
# block is a line of FILE, in order.
unspace() {
	awk '{
		l = $0; o = ""
		while (l != "") {
			if (inc) {
				i = index(l, "*/")
				if (i == 0) { l = ""; break }
				l = substr(l, i + 2); inc = 0
			} else {
				i = index(l, "/*")
				if (i == 0) { o = o l; l = ""; break }
				o = o substr(l, 1, i - 1); l = substr(l, i + 2); inc = 1
			}
		}
		gsub(/[ \t]+/, " ", o); sub(/^ /, "", o); sub(/ $/, "", o)
		if (o != "") print o
	}' "$1"
}
synopsis() {
	unspace "$2" >"$tmp/file"
	unspace "$tmp/x/$1.txt" >"$tmp/want"
	: >"$tmp/out"
	awk 'NR == FNR { want[++n] = $0; next }
	     k < n && $0 == want[k + 1] { k++ }
	     END { for (i = k + 1; i <= n; i++) print "not in order in the file: " want[i]; exit k < n }' \
		"$tmp/want" "$tmp/file" >"$tmp/err"
}

for kf in "$tmp"/x/*.kind; do
	n=$(basename "$kf" .kind)
	set -- $(cat "$kf")
	if [ "${2:-}" = synopsis ]; then
		if [ -f "${3:-}" ]; then
			synopsis "$n" "$3"
			check "$n ($(cat "$tmp/x/$n.src")): declarations of $3" [ $? -eq 0 ]
		else
			: >"$tmp/out"; echo "no file ${3:-}" >"$tmp/err"
			check "$n ($(cat "$tmp/x/$n.src")): declarations of ${3:-}" false
		fi
		touch "$tmp/x/$n.ran"
		continue
	fi
	if [ "${2:-}" = declaration ]; then
		touch "$tmp/x/$n.ran"
	fi
	if [ "${2:-}" = excerpt ]; then
		f=${3:-}
		if [ -n "$f" ] && [ -f "$f" ] && [ -x "$B/${f%.c}" ]; then
			excerpt "$n" "$f"
			check "$n ($(cat "$tmp/x/$n.src")): lines of $f, a built example" \
				[ $? -eq 0 ]
		else
			: >"$tmp/out"; echo "no built program $f" >"$tmp/err"
			check "$n ($(cat "$tmp/x/$n.src")): lines of $f, a built example" false
		fi
		touch "$tmp/x/$n.ran"
		continue
	fi
	build "$n"
	check "$n ($(cat "$tmp/x/$n.src")): builds with -Wall -Wextra -Werror" [ $? -eq 0 ]
done

# ---- run them
nap() { sleep 0.1 2>/dev/null || sleep 1; }
# until_in FILE ERE: wait for a line, at most 10 s (a loaded machine).
until_in() {
	i=0
	while [ $i -lt 100 ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		nap
		i=$((i + 1))
	done
	return 1
}
bg_listen() {  # bg_listen SPEC: examples/listen in the background
	: >"$tmp/bg"
	"$B/examples/listen" "$1" >>"$tmp/bg" 2>&1 &
	bgs="$bgs $!"
	until_in "$tmp/bg" '^listening on' || true
}
stop_all() {
	for p in $bgs; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	bgs=
}
has_ipv6() { [ -e /proc/net/if_inet6 ]; }
# run NAME SETUP RC OUT-ERE ERR-ERE [ARGS...]: run the example as SETUP
# says (comma-separated: host: also outside the namespace; busy8080: a
# listener on 127.0.0.1:8080; dst443: one on 198.51.100.7:443; range10:
# ip_local_port_range of 10 ports and no tcp_tw_reuse; web: a socket
# passed as fd 3 named "web", as systemd would; serve: the example is a
# server on 8080, asked with examples/client), then check its exit status
# and that stdout and stderr match.
run() {
	n=$1 setup=$2 want=$3 oere=$4 eere=$5
	shift 5
	desc="$n${*:+ $*}${setup:+ [$setup]}: exit $want"
	touch "$tmp/x/$n.ran"
	ran=
	if [ ! -x "$tmp/$n" ]; then
		skip "$desc" "it did not build"
		return
	fi
	case ,$setup, in
	*,host,*) ;;
	*) if [ -z "$netns" ]; then skip "$desc" "$nons"; return; fi ;;
	esac
	case ,$setup, in *,ipv6,*)
		has_ipv6 || { skip "$desc" "no IPv6"; return; } ;;
	esac
	case ,$setup, in *,web,*)
		command -v python3 >/dev/null 2>&1 ||
			{ skip "$desc" "no python3 to pass a socket"; return; } ;;
	esac
	case ,$setup, in *,busy8080,*) bg_listen 127.0.0.1:8080 ;; esac
	case ,$setup, in *,dst443,*) bg_listen 198.51.100.7:443 ;; esac
	case ,$setup, in *,range10,*)
		sysctl -qw net.ipv4.ip_local_port_range="40000 40009" \
			net.ipv4.tcp_tw_reuse=0 ;;
	esac
	case ,$setup, in
	*,serve,*)
		"$tmp/$n" "$@" >"$tmp/srv" 2>&1 &
		sp=$!
		bgs="$bgs $sp"
		i=0
		# Until it serves: at most 10 s.
		until "$B/examples/client" 127.0.0.1:8080 127.0.0.1:0 "" >"$tmp/out" 2>"$tmp/err" ||
		      [ $i -ge 100 ]; do
			nap
			i=$((i + 1))
		done
		kill -0 "$sp" 2>/dev/null
		rc=$?   # 0: still serving, as a server does
		;;
	*,web,*)
		timeout 20 python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as systemd does
s.bind(("127.0.0.1", 8080)); s.listen(8)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
env = dict(os.environ, LISTEN_PID=str(os.getpid()), LISTEN_FDS="1",
           LISTEN_FDNAMES="web")
os.execve(sys.argv[1], sys.argv[1:], env)
' "$tmp/$n" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$? ;;
	*)
		timeout 20 "$tmp/$n" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$? ;;
	esac
	stop_all
	ran=1
	case ,$setup, in *,range10,*)
		sysctl -qw net.ipv4.ip_local_port_range="32768 60999" \
			net.ipv4.tcp_tw_reuse=2 ;;
	esac
	check "$desc" all '[ $rc -eq $want ]' \
		'[ -z "$oere" ] || grep -Eq -- "$oere" "$tmp/out"' \
		'[ -z "$eere" ] || grep -Eq -- "$eere" "$tmp/err"'
}

run bind-reuse "" 0 '' ''
run bind-reuse busy8080 1 '' 'bind 127\.0\.0\.1:8080: Address already in use'
# Before the connections below leave TIME_WAIT towards 198.51.100.7:443.
run budget dst443 0 \
	'^ports [0-9]+-[0-9]+: [0-9]+ usable, 0 established, 0 in TIME_WAIT, 0 other, [0-9]+ available$' ''
run connect-loop dst443,range10 1 '' \
	'EADDRNOTAVAIL.*no free local port is left towards that destination'
run connect-nonblock dst443 0 '' ''
run diagnose-bind "" 0 '' ''
run diagnose-bind busy8080 1 '' \
	'EADDRINUSE.*held by 1 listening socket: LISTEN 127\.0\.0\.1:8080'
run diagnose-owners busy8080 1 '' 'held by 1 listening socket.*pid [0-9]+ \(listen\)'
run diagnose-wait "" 0 '' ''
run diagnose-wait busy8080 1 '' 'held by 1 listening socket'
run dual-stack "" 0 '' ''
run bind-no-port dst443 0 '' ''
run sysctls host 0 '^net\.ipv4\.ip_local_port_range = [0-9]+ [0-9]+$' ''
run hello-server serve 0 '^reply: hello$' ''
run listen-port0 host 0 '^listening on 127\.0\.0\.1:[0-9]+$' ''
run listen-tcp-udp ipv6 0 '' ''
run listen-wait "" 0 '' ''
run listen-why "" 0 '' ''
run listen-why busy8080 1 '' 'held by 1 listening socket'
run listen-why host 1 '' 'no-such:spec' no-such:spec
[ -z "$ran" ] ||
	check "listen-why no-such:spec: one line of text, nothing else" \
		all '[ "$(wc -l <"$tmp/err")" -eq 1 ]' '! LC_ALL=C grep -q "[^[:print:]]" "$tmp/err"'
run parse-addr host 0 '^\[::1\]:80$' '' '[::1]:80'
run parse-addr host 1 '' 'localhost:80: not a numeric address:port' localhost:80
run parse-addr host 2 '' 'usage: '
run handoff-or-bind "" 0 '' ''
run readme-glance "" 0 '' ''
run readme-wait "" 0 '' ''
run readme-wait busy8080 1 '' 'held by 1 listening socket'
run version host 0 '^libportbind ([0-9]+\.[0-9]+\.[0-9]+) \(header\), \1 \(library\)$' ''
run version-if host 0 '' ''
run activation-adopt "" 0 '' ''
run activation-names web 0 '^fd 3: web$' ''
run activation-names host 1 '' 'no socket named web'

# ---- every marked example was run (or its run skipped, and counted)
: >"$tmp/out"
: >"$tmp/err"
for kf in "$tmp"/x/*.kind; do
	n=$(basename "$kf" .kind)
	[ -e "$tmp/x/$n.ran" ] || echo "$n ($(cat "$tmp/x/$n.src")) is never run" >>"$tmp/err"
done
check "every marked example is run" [ ! -s "$tmp/err" ]

# ---- an example that reports a failing pb_diag_format or pb_diag_json
#      with err(3) first puts back the errno of the call it explains:
#      theirs is EINVAL, which says nothing of why the port is busy
#      (issue 13: the examples printed "pb_diag_format: Invalid argument")
: >"$tmp/err"
for t in "$tmp"/x/*.txt; do
	awk -v n="$(basename "$t" .txt)" '
	/pb_diag_(format|json)\(.*== -1/ { f = 1; saw = 0; next }
	f && /errno = / { saw = 1 }
	f && /(^|[^a-z_])err\(/ {
		if (!saw)
			print n ": " $0
		f = 0
	}
	f && /errx\(/ { f = 0 }' "$t" >>"$tmp/err"
done
check "no example reports a failing pb_diag_format with its own errno" \
	[ ! -s "$tmp/err" ]

harness_end docexamples.sh

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh - run every benchmark and print one Markdown report; the same
# report goes to results/latest.md.  Run by `make -C bench` (or `make bench`
# at the top) after the programs are built.  Needs root for the private
# network namespaces; takes about four minutes (the restart part alone
# waits out a 60 s TIME_WAIT).  Every program has its own watchdog, and
# each part is bounded here too.
#
#	sh run.sh [PART...]	PART: calls diagscale restart capacity audit
#				(default: all; `make -C bench run-audit`
#				runs the audit part alone; a partial
#				report goes to results/latest-PART.md)
#
# Environment (for quick runs; the report says what was used):
#   PB_BENCH_SIZES  TIME_WAIT table sizes (default 1000,10000,40000,50000,100000)
#   PB_BENCH_RUNS   runs per timing in the diagnosis part (default 15)
#   PB_BENCH_AUDIT_RUNS  runs per timing in the audit part (default 7)

set -u
cd "$(dirname "$0")" || exit 1
mkdir -p results
out=results/latest.md
[ $# -eq 0 ] || out=results/latest-$(echo "$*" | tr ' ' '-').md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pbbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PB_BENCH_TARGETS=$tmp/targets.tsv
export PB_BENCH_TARGETS
: >"$PB_BENCH_TARGETS"

# part NAME SECONDS PROGRAM: run it bounded, its stderr kept for the end.
part() {
	name=$1
	secs=$2
	shift 2
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 5 "$secs" "$@" 2>>"$tmp/stderr" || {
			echo "($name: exited with status $?)"
			: >"$tmp/failed"
		}
	else
		"$@" 2>>"$tmp/stderr" || { echo "($name: failed)"; : >"$tmp/failed"; }
	fi
}

# Run part $1?  Every part when run.sh was given none.
only=" $* "
want() {
	[ "$only" = "  " ] || case $only in *" $1 "*) true ;; *) false ;; esac
}

target() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$PB_BENCH_TARGETS"
}

# The system calls one path of ./sysmark makes between its markers.
calls() {
	if ! strace -f -qq -o "$tmp/$1.trace" ./sysmark "$1" >/dev/null 2>&1; then
		echo "failed"
		return
	fi
	awk '/PBMARK-BEGIN/ { on = 1; next } /PBMARK-END/ { on = 0 }
	     on { sub(/^[0-9]+ +/, ""); sub(/\(.*/, ""); print }' "$tmp/$1.trace" |
		tr '\n' ' ' | sed 's/ $//'
}

syscalls() {
	if ! command -v strace >/dev/null 2>&1; then
		echo "strace: not installed; system calls not counted"
		return
	fi
	echo "Counted with \`strace -f\` around one call of \`./sysmark MODE\`, between two marker"
	echo "writes; every call in between is listed."
	echo
	echo "| success path | libportbind: calls | hand-written: calls | extra | target |"
	echo "|---|---|---|---:|---|"
	for pair in "pb_listen4:raw_listen4:pb_listen(\"127.0.0.1:0\"):0" \
		    "pb_listen6:raw_listen6:pb_listen(\"[::1]:0\"):0" \
		    "pb_listen_dual:raw_listen_dual:pb_listen(\"*:0\"):0" \
		    "pb_bind_reuse:raw_bind_reuse:pb_bind_reuse(127.0.0.1:0):1"; do
		lib=${pair%%:*}; rest=${pair#*:}
		raw=${rest%%:*}; rest=${rest#*:}
		goal=${rest##*:}; what=${rest%:*}
		lc=$(calls "$lib")
		rc=$(calls "$raw")
		ln=$(echo "$lc" | wc -w)
		rn=$(echo "$rc" | wc -w)
		extra=$((ln - rn))
		echo "| $what | $ln: $lc | $rn: $rc | $extra | ≤ $goal extra |"
		if [ "$lc" = failed ] || [ "$rc" = failed ]; then
			verdict=MISS; note="the path failed"
		elif [ $extra -le "$goal" ]; then
			verdict=PASS; note=
		else
			verdict=MISS; note="$extra extra, goal $goal: $lc"
		fi
		case $lib in
		pb_bind_reuse)
			target "system calls: $what" \
				"one at most beyond setsockopt and bind (getsockopt SO_TYPE)" \
				"$ln: $lc (+$extra)" $verdict "$note" ;;
		*)
			target "system calls: $what" \
				"none beyond socket, setsockopt, bind, listen" \
				"$ln: $lc (+$extra)" $verdict "$note" ;;
		esac
	done
}

report() {
	echo "# libportbind benchmarks"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(uname -srm); $(nproc 2>/dev/null || echo ?) CPUs," \
	     "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1);" \
	     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
	     "(the machine is shared: every figure is a ratio to a baseline" \
	     "measured in the same run)"
	echo "- libportbind: $(git -C .. describe --always --dirty 2>/dev/null || echo '?')," \
	     "../libportbind.a; tools: $(ss -V 2>/dev/null | sed 's/.*iproute2-/iproute2 /')," \
	     "$(strace -V 2>/dev/null | head -n 1 | sed 's/ -- version//')," \
	     "$(lsof -v 2>&1 | sed -n 's/^ *revision: */lsof /p' | head -n 1)"
	echo "- sizes: ${PB_BENCH_SIZES:-1000,10000,40000,50000,100000}," \
	     "runs: ${PB_BENCH_RUNS:-15}, audit runs: ${PB_BENCH_AUDIT_RUNS:-7}"
	echo
	if [ "$(id -u)" != 0 ]; then
		echo "Not root: the namespace parts are skipped."
		echo
	fi
	command -v lsof >/dev/null 2>&1 || echo "lsof: not installed (its column is skipped)"

	if want calls; then
		echo "## 1. System calls and wall time of the success paths"
		echo
		syscalls
		echo
		part syscost 60 ./syscost
		echo
		part shimcost 60 ./shimcost
		echo
	fi

	if want diagscale; then
		echo "## 2. Diagnosis at scale"
		echo
		part diagscale 400 ./diagscale
		echo
	fi

	if want restart; then
		echo "## 3. Restart downtime"
		echo
		part restart 150 ./restart
		echo
	fi

	if want capacity; then
		echo "## 4. Client capacity"
		echo
		part capacity 60 ./capacity
		echo
	fi

	if want audit; then
		echo "## 5. Restart audit (issue 15)"
		echo
		part auditscale 170 ./auditscale
		echo
	fi

	echo "## 6. Targets (issues 7 and 15)"
	echo
	echo "| figure | target | measured | verdict | where missed: by how much, why |"
	echo "|---|---|---|---|---|"
	tr '|' '/' <"$PB_BENCH_TARGETS" |
		awk -F '\t' '{ printf "| %s | %s | %s | **%s** | %s |\n", $1, $2, $3, $4, $5 }'
	pass=$(awk -F '\t' '$4 == "PASS"' "$PB_BENCH_TARGETS" | wc -l)
	miss=$(awk -F '\t' '$4 == "MISS"' "$PB_BENCH_TARGETS" | wc -l)
	echo
	echo "$pass PASS, $miss MISS."
	if [ -s "$tmp/stderr" ]; then
		echo
		echo "Messages from the programs:"
		echo
		sed 's/^/    /' "$tmp/stderr"
	fi
	echo
	echo "Reproduce (root, Linux, iproute2 ss, strace, lsof): \`make bench\` at the top" \
	     "of the tree (or \`make -C bench\` after \`make\`). Took $(($(date +%s) - start)) s."
}

start=$(date +%s)
# Streamed as it runs; written to results/latest.md once complete.
report | tee "$tmp/report.md"
cp "$tmp/report.md" "$out"
[ ! -e "$tmp/failed" ]

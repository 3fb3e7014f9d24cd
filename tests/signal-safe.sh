#!/bin/sh
# SPDX-License-Identifier: MIT
#
# signal-safe.sh - the objects behind the async-signal-safe functions of
# portbind(3) and the LD_PRELOAD shim's failing bind() (pb__diagnose with
# PB_DIAG_NO_PROCNET, pb__wait_out) call nothing from the C library but
# system-call wrappers and mem/str functions: no malloc, no stdio, no
# snprintf or strtol (locale), nothing that takes a lock.
#
# Checked by the symbols each object needs (nm -u), so a new call to a
# forbidden function fails here whichever path reaches it.  procnet.c
# (stdio) and budget.c are reached only without PB_DIAG_NO_PROCNET or on
# other paths; addr.c also parses specs (inet_pton, if_nametoindex), so
# its formatting is checked through the shim (tests/preload-asyncsafe.c).
#
# Usage: sh tests/signal-safe.sh DIR...   (build/static, build/preload)
#
# PB_COVERAGE=1 (make coverage's -O0 --coverage build) also accepts what
# that build adds: gcov's entry points (__gcov_init, __gcov_exit,
# __gcov_merge_add: the counters are written at exit, never on the
# library's paths) and the byte-order functions, which -O0 leaves as
# calls (htons and the like: pure arithmetic, inlined at any -O).
set -eu

objs="bind diag format opt owner probe scratch sockdiag sysctl table text"

# System-call wrappers, mem/str functions, the library's own symbols, and
# what compilers add: stack protector, sanitizers, _FORTIFY_SOURCE checks,
# and libgcc's 64-bit division on 32-bit targets (pure arithmetic).
allowed='^(__errno_location|_GLOBAL_OFFSET_TABLE_|__stack_chk_fail|__stack_chk_guard'
allowed="$allowed"'|mem(cpy|move|set|cmp|chr)|str(len|nlen|cmp|ncmp|chr|rchr)'
allowed="$allowed"'|in6addr_(any|loopback)'
allowed="$allowed"'|socket|bind|listen|connect|close|setsockopt|getsockopt'
allowed="$allowed"'|sendto|recvmsg|poll|open|openat|read|readlinkat|fcntl|syscall'
allowed="$allowed"'|mmap|mmap64|munmap|clock_gettime|clock_nanosleep|ppoll|geteuid|fstat'
allowed="$allowed"'|pthread_sigmask|sig(fill|empty|add|del)set|sigismember|sigpending|signalfd'
allowed="$allowed"'|pb_[a-z0-9_]*|pb__[a-z0-9_]*'
allowed="$allowed"'|__u?(div|mod)di3|__u?divmoddi4'
allowed="$allowed"'|__(asan|ubsan|tsan|msan|sanitizer)_[A-Za-z0-9_]*'
allowed="$allowed"'|__(memcpy|memmove|memset|read|readlinkat|poll|recv)_chk|__open(at)?_2'
note=
if [ "${PB_COVERAGE:-0}" = 1 ]; then
	allowed="$allowed"'|__gcov_(init|exit|merge_add)|(hton|ntoh)[sl]'
	note=" (coverage build: gcov and byte-order calls accepted)"
fi
allowed="$allowed)\$"

NM=${NM:-nm}
bad=0
checked=0
for dir in "$@"; do
	for o in $objs; do
		f=$dir/$o.o
		[ -f "$f" ] || { echo "signal-safe: $f missing" >&2; exit 2; }
		extra=$("$NM" -u "$f" | awk '{ print $NF }' | sed 's/@.*//' |
			grep -Ev "$allowed" || true)
		if [ -n "$extra" ]; then
			echo "signal-safe: $f calls" $extra >&2
			bad=1
		fi
		checked=$((checked + 1))
	done
done
[ "$bad" -eq 0 ] || exit 1
echo "  signal-safe: $checked objects call only system calls and mem/str functions$note"

# SPDX-License-Identifier: MIT
#
# isolate.sh - sourced by the test scripts (why.sh, preload.sh, cxx.sh)
# from the top of the tree, before they start anything:
#
#	isolate NAME SCRIPT [ARGS...]
#
# As root the script is run again (exec) in a private network namespace
# with lo up, so that its ports and socket tables are its own: two runs at
# once, or a run beside a busy host, never see each other.  Elsewhere (not
# root, no unshare(1) or ip(8), unshare refused, or PBT_ISOLATE=no) it goes
# on here and one line says that isolation is off and why.
# shellcheck shell=sh

isolate() {
	iso_name=$1
	shift
	if [ "${PB_TEST_NETNS:-}" = "$iso_name" ]; then
		echo "$iso_name: isolation: in a network namespace of its own"
		return 0
	fi
	if [ "${PBT_ISOLATE:-}" = no ]; then
		iso_off="PBT_ISOLATE=no"
	elif [ "$(id -u)" -ne 0 ]; then
		iso_off="not root"
	elif ! command -v unshare >/dev/null 2>&1 ||
	     ! command -v ip >/dev/null 2>&1; then
		iso_off="needs unshare(1) and ip(8)"
	elif ! unshare -n ip link set lo up 2>/dev/null; then
		iso_off="unshare -n refused here"
	else
		PB_TEST_NETNS=$iso_name exec unshare -n sh -c \
			'ip link set lo up || exit 1; exec sh "$@"' sh "$@"
	fi
	echo "$iso_name: isolation off ($iso_off): its ports and sockets share" \
		"this network namespace with whatever else runs in it"
}

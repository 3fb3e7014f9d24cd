#!/bin/sh
# SPDX-License-Identifier: MIT
# installcheck.sh - install into a scratch tree the way a packager does,
# build a user's program against it with pkg-config (shared and static),
# run both, check the exported symbol set, then uninstall and check that
# nothing is left.  Run by `make installcheck` in the build directory
# (the top of the tree, or another one: MAKE then names the Makefile).
set -eu
src=$(dirname "$0")/..
MAKE=${MAKE:-make}
CC=${CC:-cc}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
prefix=/usr/local
fail() { echo "installcheck: FAIL: $*" >&2; exit 1; }

$MAKE -s install DESTDIR="$dest" PREFIX=$prefix >/dev/null
root=$dest$prefix
ver=$(sed -n 's/^Version: //p' portbind.pc)
major=${ver%%.*}
for f in include/portbind.h lib/libportbind.a lib/libportbind.so \
	 lib/libportbind.so.$major lib/libportbind.so.$ver \
	 lib/pkgconfig/portbind.pc share/man/man3/portbind.3 \
	 share/man/man3/pb_listen.3 share/man/man3/pb_bind_udp.3 \
	 share/man/man3/pb_diagnose.3 share/man/man3/pb_diag_format.3 \
	 share/man/man7/portbind.7 share/man/man1/portbind-why.1 \
	 bin/portbind-why lib/libportbind-preload.so \
	 share/man/man8/portbind-preload.8; do
	[ -e "$root/$f" ] || fail "missing $f"
done
soname=$(readelf -d "$root/lib/libportbind.so.$ver" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libportbind.so.$major" ] || fail "soname is '$soname'"

# Only pb_* functions are exported (plus the version node itself).
bad=$(nm -D --defined-only "$root/lib/libportbind.so.$ver" | awk '{print $3}' |
      sed 's/@.*//' | grep -v -e '^pb_' -e '^LIBPORTBIND_' || true)
[ -z "$bad" ] || fail "exported beyond pb_*: $bad"
n=$(nm -D --defined-only "$root/lib/libportbind.so.$ver" | grep -c ' T pb_')

# Every man page name has its link.
for p in "$src"/man/*.3; do
	for n3 in $(sed -n 's/^\.Nm \([a-z_0-9]*\).*/\1/p' "$p"); do
		[ -e "$root/share/man/man3/$n3.3" ] || fail "no man link for $n3"
	done
done

# The installed tool runs and knows its version.
[ "$("$root/bin/portbind-why" -V 2>&1 | grep -c "$ver")" -ge 1 ] ||
	fail "portbind-why -V does not say $ver"

cat > "$dest/user.c" <<'C'
#include <portbind.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	int fd = pb_listen("127.0.0.1:0", 8, 0, NULL);
	if (fd < 0 || strcmp(pb_version(), PORTBIND_WANT) != 0)
		return 1;
	close(fd);
	puts("ok");
	return 0;
}
C
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags portbind)
libs=$(pkg-config --libs portbind)
$CC $cflags -DPORTBIND_WANT="\"$ver\"" -o "$dest/user-shared" "$dest/user.c" $libs
[ "$(LD_LIBRARY_PATH=$root/lib "$dest/user-shared")" = ok ] || fail "shared program"
LD_LIBRARY_PATH=$root/lib ldd "$dest/user-shared" | grep -q "libportbind.so.$major" ||
	fail "shared program does not use libportbind.so.$major"
$CC $cflags -DPORTBIND_WANT="\"$ver\"" -o "$dest/user-static" "$dest/user.c" \
	$(pkg-config --libs --static portbind | sed 's/-lportbind/-l:libportbind.a/')
[ "$("$dest/user-static")" = ok ] || fail "static program"
if ldd "$dest/user-static" 2>/dev/null | grep -q libportbind; then
	fail "static program still needs the shared library"
fi

$MAKE -s uninstall DESTDIR="$dest" PREFIX=$prefix >/dev/null
left=$(find "$dest$prefix" -type f -o -type l)
[ -z "$left" ] || fail "left after uninstall: $left"

# A packager's directories, after the plain build above: the installed
# portbind.pc names them, not the ones the tree was first built with.
$MAKE -s install DESTDIR="$dest/pkg" PREFIX=/usr LIBDIR=/usr/lib/pbtest \
	INCLUDEDIR=/usr/include/pbtest >/dev/null
pc="$dest/pkg/usr/lib/pbtest/pkgconfig/portbind.pc"
[ -e "$pc" ] || fail "no $pc"
grep -q '^libdir=/usr/lib/pbtest$' "$pc" || fail "portbind.pc: $(grep libdir= "$pc")"
grep -q '^includedir=/usr/include/pbtest$' "$pc" ||
	fail "portbind.pc: $(grep includedir= "$pc")"
$MAKE -s >/dev/null	# the tree's portbind.pc back to the default directories
grep -q "^libdir=$prefix/lib\$" portbind.pc || fail "portbind.pc not made again"
echo "installcheck: ok ($n functions exported, soname $soname, shared and static builds run)"

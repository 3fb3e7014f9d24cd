/* SPDX-License-Identifier: MIT */
/*
 * probe.c - portable probes: ask the kernel itself whether a bind would
 * pass, with a scratch socket that binds and is closed at once.
 *
 * A probe never listens, so it never accepts a connection, and it is closed
 * before it could carry traffic, so it leaves no TIME_WAIT behind.  It is
 * the only way to learn other sockets' SO_REUSEADDR flags: the socket table
 * (sock_diag, /proc) does not show them.
 */
#include <sys/socket.h>

#include "internal.h"
#include "probe.h"

/* 0 when a fresh socket of the type could bind sa now, else -errno.
   v6only: 1 or 0 sets IPV6_V6ONLY on an IPv6 probe; -1 leaves the system
   default. */
int pb__probe_bind(int type, const struct sockaddr *sa, socklen_t len,
		   int v6only, int reuseaddr)
{
	int saved = errno;
	int fd, r = 0, on = 1;

	fd = socket(sa->sa_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		errno = saved;
		return r;
	}
	if (reuseaddr &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		r = -errno;
	if (r == 0 && sa->sa_family == AF_INET6 && v6only >= 0 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
		r = -errno;
	if (r == 0 && bind(fd, sa, len) < 0)
		r = -errno;
	close(fd);
	errno = saved;
	return r;
}

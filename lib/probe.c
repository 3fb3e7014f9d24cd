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
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "probe.h"

/* 0 when a fresh socket of the type could bind sa now, else -errno.
   v6only: 1 or 0 sets IPV6_V6ONLY on an IPv6 probe; -1 leaves the system
   default.  reuse: PB__PROBE_* options to set first. */
int pb__probe_bind(int type, const struct sockaddr *sa, socklen_t len,
		   int v6only, unsigned reuse)
{
	int saved = errno;
	int fd, r = 0, on = 1;

	fd = socket(sa->sa_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		errno = saved;
		return r;
	}
	if ((reuse & PB__PROBE_REUSEADDR) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		r = -errno;
	if (r == 0 && (reuse & PB__PROBE_REUSEPORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
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

/*
 * 0 when something accepts a TCP connection at sa now, else -errno.  For a
 * wildcard address the loopback address of its family is knocked on.  Used
 * only when no socket table can be read, and documented so: the holder
 * sees one connection that is reset at once (SO_LINGER 0, so no TIME_WAIT
 * is left).  Non-blocking and bounded: a listener whose accept queue is
 * full drops the SYN, and the knock gives up after PB_KNOCK_MS rather than
 * wait through SYN retries.
 */
#define PB_KNOCK_MS 200

int pb__probe_connect(const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_storage to;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd p;
	int saved = errno;
	int fd, r = 0, soerr;
	socklen_t elen = sizeof(soerr);

	memcpy(&to, sa, (size_t)len < sizeof(to) ? (size_t)len : sizeof(to));
	if (to.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;

		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;

		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
	}
	fd = socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		errno = saved;
		return r;
	}
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, (struct sockaddr *)&to, len) < 0) {
		r = -errno;
		if (r == -EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			p.revents = 0;
			if (poll(&p, 1, PB_KNOCK_MS) != 1)
				r = -ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0)
				r = -errno;
			else
				r = -soerr;
		}
	}
	close(fd);
	errno = saved;
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * client.c - outbound connections that do not run out of source ports.
 *
 * The trap: bind(ip, 0) before connect() makes the kernel pick a port
 * that is free for EVERY destination, so a client that binds first gets at
 * most one connection a port: the range caps all its connections.  With
 * IP_BIND_ADDRESS_NO_PORT the bind only fixes the address and the port is
 * picked at connect(), where only the 4-tuple must be unique: the same
 * port serves every destination, range x destinations in all.
 * SO_REUSEADDR is never set for a port-0 bind (automatic ports ignore it);
 * for an explicit source port it is what lets the port serve several
 * destinations at once.
 */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "diag.h"
#include "internal.h"

#define PB_CONNECT_FLAGS (PB_NONBLOCK | PB_FREEBIND | PB_NO_REUSEADDR)

/*
 * A blocking connect() that a signal interrupts goes on in the kernel;
 * calling connect() again would say EALREADY.  Wait for it instead, and
 * report how it ended.
 */
static int finish_interrupted(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	for (;;) {
		int n = poll(&p, 1, -1);

		if (n == 1)
			break;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -errno;
	return -soerr;
}

/*
 * The arguments, before any system call: 0, with the address lengths
 * trimmed to their families', or -errno with why (checked) filled with
 * the argument refused.
 */
static int check_args(int type, const struct sockaddr *src, socklen_t *srclen,
		      const struct sockaddr *dst, socklen_t *dstlen,
		      unsigned lo, unsigned hi, int use_range, unsigned flags,
		      struct pb_diag *why)
{
	int bad = 0, r = 0, dlen, slen = 0;

	dlen = pb__addr_len(dst, *dstlen);
	if (src)
		slen = pb__addr_len(src, *srclen);
	if (type != SOCK_STREAM && type != SOCK_DGRAM) {
		bad = PB_INVALID_TYPE;
	} else if (flags & ~PB_CONNECT_FLAGS) {
		bad = PB_INVALID_FLAGS;
	} else if (dlen < 0) {
		bad = PB_INVALID_DST;
		r = dlen;
	} else if (slen < 0) {
		bad = PB_INVALID_SRC;
		r = slen;
	} else if (src && src->sa_family != dst->sa_family) {
		bad = PB_INVALID_SRC;
	} else if (use_range && (lo > 65535 || hi > 65535 || lo > hi)) {
		bad = PB_INVALID_RANGE;
	}
	if (!bad) {
		*dstlen = (socklen_t)dlen;
		if (src)
			*srclen = (socklen_t)slen;
		return 0;
	}
	if (!r)
		r = -EINVAL;
	if (why) {
		pb__diag_invalid(why, type, bad, -r, NULL, src, *srclen, -1,
				 dst, *dstlen);
		if (bad == PB_INVALID_RANGE) {
			why->port_range_lo = lo;
			why->port_range_hi = hi;
		}
	}
	return r;
}

static int connect_from(int type, const struct sockaddr *src, socklen_t srclen,
			const struct sockaddr *dst, socklen_t dstlen,
			unsigned lo, unsigned hi, int use_range,
			unsigned flags, struct pb_diag *why)
{
	int stype = type | SOCK_CLOEXEC;
	int fd, r, err, stage = PB__AT_SOCKET, saved = errno;

	/* A why that is refused itself is not written. */
	r = pb__diag_check(why);
	if (r < 0)
		return r;
	r = check_args(type, src, &srclen, dst, &dstlen, lo, hi, use_range,
		       flags, why);
	if (r < 0)
		return r;

	if (flags & PB_NONBLOCK)
		stype |= SOCK_NONBLOCK;
	fd = socket(dst->sa_family, stype, 0);
	if (fd < 0) {
		err = errno;
		goto explain;
	}
	if (use_range && pb_set_local_port_range(fd, lo, hi) < 0)
		goto fail;
	if ((flags & PB_FREEBIND) && pb_set_freebind(fd, 1) < 0)
		goto fail;
	if (src) {
		if (pb__addr_port(src) == 0) {
			/* The port waits for connect() and its 4-tuple. */
			if (pb_set_bind_no_port(fd, 1) < 0)
				goto fail;
		} else if (type == SOCK_STREAM && !(flags & PB_NO_REUSEADDR) &&
			   pb_set_reuseaddr(fd, 1) < 0) {
			/* Never on UDP: there it lets another socket take
			   the datagrams. */
			goto fail;
		}
		stage = PB__AT_BIND;
		if (bind(fd, src, srclen) < 0)
			goto fail;
	}
	stage = PB__AT_CONNECT;
	if (connect(fd, dst, dstlen) < 0) {
		r = -errno;
		if (r == -EINPROGRESS && (flags & PB_NONBLOCK)) {
			errno = saved;	/* a success: errno as it was */
			return fd;	/* the caller polls for POLLOUT */
		}
		if (r == -EINTR)
			r = finish_interrupted(fd);
		if (r < 0) {
			errno = -r;
			goto fail;
		}
		errno = saved;
	}
	return fd;

fail:
	err = errno;
	close(fd);
explain:
	if (why)
		pb__diagnose_connect(type, src, dst, err, stage,
				     use_range ? lo : 0, use_range ? hi : 0, why);
	return -err;
}

PB_EXPORT int pb_connect_from(int type, const struct sockaddr *src,
			      socklen_t srclen, const struct sockaddr *dst,
			      socklen_t dstlen, unsigned flags,
			      struct pb_diag *why)
{
	return pb__ret(connect_from(type, src, srclen, dst, dstlen, 0, 0, 0,
				    flags, why));
}

PB_EXPORT int pb_connect_range(int type, const struct sockaddr *src,
			       socklen_t srclen, const struct sockaddr *dst,
			       socklen_t dstlen, unsigned lo, unsigned hi,
			       unsigned flags, struct pb_diag *why)
{
	return pb__ret(connect_from(type, src, srclen, dst, dstlen, lo, hi, 1,
				    flags, why));
}

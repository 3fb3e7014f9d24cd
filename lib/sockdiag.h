/* SPDX-License-Identifier: MIT */
/* sockdiag.h - sockdiag.c: the socket table from sock_diag netlink.
   Never installed. */
#ifndef PB_SOCKDIAG_H
#define PB_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "sockent.h"

/*
 * Call fn for every socket of the protocol whose port, local or remote as
 * sel says, is in sel's range and whose state bit is in states (1 << state; bit
 * PB__TCP_BOUND_INACTIVE asks for bound-only TCP sockets on Linux 6.7+).
 * family AF_UNSPEC means both.  0 or -errno; a refused netlink socket
 * gives -EPERM, -EACCES, -EAFNOSUPPORT or -EPROTONOSUPPORT.
 */
int pb__sockdiag_dump(int protocol, int family, uint32_t states,
		      const struct pb_portsel *sel, pb_sockent_fn fn, void *arg);

/* Walk one reply chunk: 1 when the dump is done, 0 to read on, or -errno
   (from the kernel's NLMSG_ERROR, a bad message, or the callback). */
int pb__sockdiag_parse_chunk(const void *buf, size_t len, uint32_t seq,
			     int protocol, pb_sockent_fn fn, void *arg);

#endif

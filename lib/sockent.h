/* SPDX-License-Identifier: MIT */
/*
 * sockent.h - one row of the kernel's socket table, as both readers give it
 * (sockdiag.c from netlink, procnet.c from /proc/net), and what a walk of
 * the table is asked for.  Types only, never installed.
 */
#ifndef PB_SOCKENT_H
#define PB_SOCKENT_H

#include <stdint.h>
#include <sys/socket.h>

/* Linux 6.7 reports bound-only TCP sockets in this state, and only when
   its bit is asked for; older uapi headers lack the name. */
#define PB__TCP_BOUND_INACTIVE 13
#define PB__ALL_STATES 0xffffffffu

struct pb_sockent {
	int family;
	int protocol;
	int state;
	int v6only;			/* 1, 0, -1 not known */
	unsigned int uid;
	unsigned int expires_ms;	/* TIME_WAIT only */
	unsigned long long inode;
	int ifindex;			/* SO_BINDTODEVICE's device, 0 none or
					   not known (/proc/net) */
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
};

/* Return 1 for a row kept (counted), 0 for a row passed over, < 0 to
   stop the walk with that value. */
typedef int (*pb_sockent_fn)(const struct pb_sockent *e, void *arg);

/* Which rows a walk keeps, by port: the local (source) port, or the remote
   (destination) port, within lo..hi.  Filtered in the kernel where it can. */
struct pb_portsel {
	int remote;
	unsigned int lo, hi;
};

#endif

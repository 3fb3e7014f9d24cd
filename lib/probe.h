/* SPDX-License-Identifier: MIT */
/* probe.h - probe.c: scratch-socket probes.  Never installed. */
#ifndef PB_PROBE_H
#define PB_PROBE_H

#include <sys/socket.h>

/* 0 when a fresh socket of the type could bind sa now, else -errno.
   v6only: 1 or 0 sets IPV6_V6ONLY on an IPv6 probe; -1 leaves the system
   default.  reuse: PB__PROBE_* options to set first. */
#define PB__PROBE_REUSEADDR 0x1	/* the probe sets SO_REUSEADDR */
#define PB__PROBE_REUSEPORT 0x2	/* and SO_REUSEPORT */
int pb__probe_bind(int type, const struct sockaddr *sa, socklen_t len,
		   int v6only, unsigned reuse);

/* 0 when something accepts a TCP connection at sa now (a knock, reset at
   once), else -errno. */
int pb__probe_connect(const struct sockaddr *sa, socklen_t len);

#endif

/* SPDX-License-Identifier: MIT */
/* probe.h - scratch-socket probes and system values, never installed. */
#ifndef PB_PROBE_H
#define PB_PROBE_H

#include <stdint.h>
#include <sys/socket.h>

/* probe.c */
#define PB__PROBE_REUSEADDR 0x1	/* the probe sets SO_REUSEADDR */
#define PB__PROBE_REUSEPORT 0x2	/* and SO_REUSEPORT */
int pb__probe_bind(int type, const struct sockaddr *sa, socklen_t len,
		   int v6only, unsigned reuse);
int pb__probe_connect(const struct sockaddr *sa, socklen_t len);

/* sysctl.c: values under /proc/sys; -errno when unreadable. */
int pb__sysctl_read(const char *name, char *buf, size_t size);
int pb__sysctl_int(const char *name, int *out);
int pb__sysctl_range(const char *name, unsigned *lo, unsigned *hi);
int pb__cap_net_bind_service(void);
int pb__reserved_in_range(unsigned lo, unsigned hi);
#define PB__PORT_MAP_BYTES (65536 / 8)
int pb__reserved_map(uint8_t map[PB__PORT_MAP_BYTES]);
unsigned pb__ports_in_map(const uint8_t map[PB__PORT_MAP_BYTES], unsigned lo,
			  unsigned hi);

#endif

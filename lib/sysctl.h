/* SPDX-License-Identifier: MIT */
/* sysctl.h - sysctl.c: values under /proc/sys; -errno when unreadable.
   Never installed. */
#ifndef PB_SYSCTL_H
#define PB_SYSCTL_H

#include <stddef.h>
#include <stdint.h>

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

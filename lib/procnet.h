/* SPDX-License-Identifier: MIT */
/* procnet.h - procnet.c: the socket table from /proc/net, where netlink
   is refused.  Never installed. */
#ifndef PB_PROCNET_H
#define PB_PROCNET_H

#include <stdint.h>

#include "sockent.h"

/* As pb__sockdiag_dump, from /proc/net/{tcp,tcp6,udp,udp6}: 0, or
   -errno (-ENOENT: no file). */
int pb__procnet_dump(int protocol, int family, uint32_t states,
		     const struct pb_portsel *sel, pb_sockent_fn fn, void *arg);

/* One data line of such a file into e: 0, or -EINVAL. */
int pb__procnet_parse_line(const char *line, int family, int protocol,
			   long clk_tck, struct pb_sockent *e);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * table.h - table.c: the kernel's socket table as diag.c and budget.c
 * read it.  Never installed.
 */
#ifndef PB_TABLE_H
#define PB_TABLE_H

#include <stdint.h>
#include <sys/socket.h>

#include "portbind.h"
#include "sockent.h"

/* The table from netlink, or from /proc/net where netlink is refused
   (diag_flags: PB_DIAG_NO_NETLINK, PB_DIAG_NO_PROCNET); both families.
   PB_SRC_NETLINK or PB_SRC_PROCNET, or -errno. */
int pb__table_read(int protocol, uint32_t states, const struct pb_portsel *sel,
		   unsigned diag_flags, pb_sockent_fn fn, void *arg);

/* A row as a holder of d, in the order a reader wants them: listeners
   first, TIME_WAIT last; the last of a full list falls off. */
void pb__diag_store(struct pb_diag *d, const struct pb_sockent *e);
void pb__store_holder(struct pb_diag *d, const struct pb_holder *h);

/* The TCP sockets from src (NULL or a wildcard: any local address) to
   dst whose local port is in lo..hi, counted by state into t and stored
   in d when not NULL.  A TIME_WAIT older than reuse_after_ms (0: none)
   counts as reusable (tcp_tw_reuse).  The PB_SRC_* that answered, or
   -errno when no table could be read. */
struct pb_towards {
	unsigned int established, time_wait, other, time_wait_ms;
	unsigned int time_wait_reusable;
};
int pb__count_towards(const struct sockaddr *src, const struct sockaddr *dst,
		      unsigned lo, unsigned hi, unsigned diag_flags,
		      unsigned reuse_after_ms, struct pb_towards *t,
		      struct pb_diag *d);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * table.h - one row of the kernel's socket table, as both readers give it
 * (sockdiag.c from netlink, procnet.c from /proc/net), never installed.
 */
#ifndef PB_TABLE_H
#define PB_TABLE_H

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

/* sockdiag.c */
int pb__sockdiag_dump(int protocol, int family, uint32_t states,
		      unsigned port, pb_sockent_fn fn, void *arg);
int pb__sockdiag_dump_sel(int protocol, int family, uint32_t states,
			  const struct pb_portsel *sel, pb_sockent_fn fn,
			  void *arg);
struct nlmsghdr;
int pb__sockdiag_parse_msg(const struct nlmsghdr *h, int protocol,
			   struct pb_sockent *e);
int pb__sockdiag_parse_chunk(const void *buf, size_t len, uint32_t seq,
			     int protocol, pb_sockent_fn fn, void *arg);

/* procnet.c */
int pb__procnet_dump(int protocol, int family, uint32_t states,
		     unsigned port, pb_sockent_fn fn, void *arg);
int pb__procnet_dump_sel(int protocol, int family, uint32_t states,
			 const struct pb_portsel *sel, pb_sockent_fn fn,
			 void *arg);
int pb__procnet_parse_line(const char *line, int family, int protocol,
			   long clk_tck, struct pb_sockent *e);

/* table.c: the table from netlink, or from /proc/net where netlink is
   refused (diag_flags: PB_DIAG_NO_NETLINK, PB_DIAG_NO_PROCNET); both
   families.  PB_SRC_NETLINK or PB_SRC_PROCNET, or -errno. */
int pb__table_read(int protocol, uint32_t states, const struct pb_portsel *sel,
		   unsigned diag_flags, pb_sockent_fn fn, void *arg);

/* A row as a holder of d, in the order a reader wants them: listeners
   first, TIME_WAIT last; the last of a full list falls off. */
struct pb_diag;
struct pb_holder;
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
int pb__count_towards(const struct sockaddr *dst, const struct sockaddr *src,
		      unsigned lo, unsigned hi, unsigned diag_flags,
		      unsigned reuse_after_ms, struct pb_towards *t,
		      struct pb_diag *d);

/* owner.c: fill pid and comm of holders by their inodes; the number found,
   or -errno when /proc cannot be read. */
struct pb_holder;
int pb__find_owners(struct pb_holder *h, unsigned n);
int pb__owners_v6only(struct pb_holder *h, unsigned n);

#endif

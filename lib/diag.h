/* SPDX-License-Identifier: MIT */
/* diag.h - diag.c: the diagnosis.  Never installed. */
#ifndef PB_DIAG_H
#define PB_DIAG_H

#include <sys/socket.h>

#include "portbind.h"

/* 0 when out can take an answer (NULL, or a size and flags this library
   knows), else -EINVAL. */
int pb__diag_check(const struct pb_diag *out);

/* The diagnosis behind pb_diagnose, pb_diagnose_spec and the helpers'
   why: the cause, or -errno.  v6only: that of the socket that would bind
   an IPv6 address (1, 0), or -1 for the system default.  It builds its
   answer in out itself when out holds the whole struct, else in scratch
   memory: never on the stack.  With PB_DIAG_NO_PROCNET in out->flags it
   is async-signal-safe. */
int pb__diagnose(int type, const struct sockaddr *addr, socklen_t addrlen,
		 int v6only, int err, struct pb_diag *out);
/* pb_diagnose_spec: the cause, or -errno. */
int pb__diagnose_spec(int type, const char *spec, int err,
		      struct pb_diag *out);
/* The bind-conflict rule for addresses (the ports already match): does a
   socket at h (IPV6_V6ONLY h_v6only: 1, 0, -1 not known) stop a new one
   at t (t_v6only) of the protocol?  0 no, 1 yes, PB__OVERLAP_MAYBE it
   turns on the unknown IPV6_V6ONLY. */
#define PB__OVERLAP_MAYBE 2
int pb__addr_overlaps(const struct sockaddr_storage *t, int t_v6only,
		      const struct sockaddr_storage *h, int h_v6only,
		      int protocol);
/* The same after pb_connect_from failed at stage (PB__AT_*), towards
   dst, with the per-socket port range lo..hi (0, 0: none). */
#define PB__AT_SOCKET 0		/* socket() or a setsockopt() */
#define PB__AT_BIND 1
#define PB__AT_CONNECT 2
int pb__diagnose_connect(int type, const struct sockaddr *src,
			 const struct sockaddr *dst, int err, int stage,
			 unsigned lo, unsigned hi, struct pb_diag *out);
/* A helper refused its arguments (invalid: PB_INVALID_*) before any
   system call: out, checked and not NULL, says so, with the spec as
   given, the addresses that could be read and err; nothing is probed. */
void pb__diag_invalid(struct pb_diag *out, int type, int invalid, int err,
		      const char *spec, const struct sockaddr *addr,
		      socklen_t addrlen, int v6only, const struct sockaddr *peer,
		      socklen_t peerlen);
/* pb_diag.spec from a caller's spec (NULL: ""): printable ASCII only,
   cut with "..." when it does not fit. */
void pb__diag_set_spec(struct pb_diag *d, const char *spec);

#endif

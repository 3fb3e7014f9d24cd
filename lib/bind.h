/* SPDX-License-Identifier: MIT */
/* bind.h - bind.c: the helpers that bind, and the wait behind them.
   Never installed. */
#ifndef PB_BIND_H
#define PB_BIND_H

#include <sys/socket.h>

#include "portbind.h"

/* The cause-aware wait (pb_listen_wait, the preload shim):
   attempt's result, -errno of its last failure, or -EINTR as soon as a
   signal handler interrupts a sleep (d holds the last diagnosis).  d is a
   full struct pb_diag, built in place: no copy of it on the stack.
   Async-signal-safe when attempt is, and d's flags have
   PB_DIAG_NO_PROCNET. */
int pb__wait_out(int (*attempt)(void *), void *arg, int type,
		 const struct sockaddr *sa, socklen_t len, int v6only,
		 int timeout_ms, struct pb_diag *d);
/* The same, and with PB__WAIT_BLOCKED (the shim only) it also ends, with
   -EINTR, when one of the asynchronous signals that were blocked at entry
   becomes pending; that signal is left pending (signalfd, sigwait). */
#define PB__WAIT_BLOCKED 1u
int pb__wait_out_flags(int (*attempt)(void *), void *arg, int type,
		       const struct sockaddr *sa, socklen_t len, int v6only,
		       int timeout_ms, unsigned wflags, struct pb_diag *d);

#endif

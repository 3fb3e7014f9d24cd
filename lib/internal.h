/* SPDX-License-Identifier: MIT */
/*
 * internal.h - declarations shared between lib/ files, never installed.
 *
 * Internal helpers return 0 or a negative errno; the exported function that
 * calls them converts once, at the boundary, to -1 and errno.
 */
#ifndef PB_INTERNAL_H
#define PB_INTERNAL_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portbind.h"

#define PB_EXPORT __attribute__((visibility("default")))
#define PB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A parsed address spec.  v6only says what a helper must set on the socket:
   1 for "[v6]:p", 0 for v4-mapped and for the dual-stack wildcard, -1 for
   IPv4.  dual marks "*:p", which falls back to 0.0.0.0 without IPv6. */
struct pb_spec {
	struct sockaddr_storage ss;
	socklen_t len;
	int v6only;
	int dual;
};

/* addr.c */
int pb__parse_spec(const char *spec, struct pb_spec *out);
void pb__spec_to_ipv4_any(struct pb_spec *s);
int pb__addr_len(const struct sockaddr *sa, socklen_t len);
unsigned pb__addr_port(const struct sockaddr *sa);
int pb__have_ipv6(void);

/* bind.c: the cause-aware wait (pb_listen_wait, the preload shim):
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

/* activate.c */
int pb__adopt(int type, const struct pb_spec *spec, const char *name);
int pb__server_socket(int fd);

/* diag.c.  pb__diagnose builds its answer in out itself when out holds
   the whole struct, else in scratch memory: never on the stack.  With
   PB_DIAG_NO_PROCNET in out->flags it is async-signal-safe. */
struct pb_sockent;
int pb__diag_check(const struct pb_diag *out);
int pb__diagnose(int type, const struct sockaddr *addr, socklen_t addrlen,
		 int v6only, int err, struct pb_diag *out);
/* Where pb_connect_from failed. */
#define PB__AT_SOCKET 0		/* socket() or a setsockopt() */
#define PB__AT_BIND 1
#define PB__AT_CONNECT 2
int pb__diagnose_connect(int type, const struct sockaddr *src,
			 const struct sockaddr *dst, int err, int stage,
			 unsigned lo, unsigned hi, struct pb_diag *out);
void pb__diag_store(struct pb_diag *d, const struct pb_sockent *e);
/* A helper's refused arguments (PB_INVALID_*), into a checked out. */
void pb__diag_invalid(struct pb_diag *out, int type, int invalid, int err,
		      const char *spec, const struct sockaddr *addr,
		      socklen_t addrlen, int v6only, const struct sockaddr *peer,
		      socklen_t peerlen);
void pb__diag_set_spec(struct pb_diag *d, const char *spec);

/* format.c: pb_diag_format's paragraph, with the fix worded for reader:
   the program's author (pb_diag_format's default: the library's calls and
   flags), an operator at a shell (PB_DIAG_OPERATOR: commands and
   settings), or the person who runs an unmodified program under the
   LD_PRELOAD shim (its environment variables, the program's
   configuration).  Async-signal-safe. */
enum pb__reader {
	PB__READER_AUTHOR,
	PB__READER_OPERATOR,
	PB__READER_SHIM
};
int pb__diag_format_for(const struct pb_diag *d, int reader, char *buf,
			size_t size);

/* budget.c: sockets towards one destination, by state. */
struct pb_towards {
	unsigned int established, time_wait, other, time_wait_ms;
	unsigned int time_wait_reusable;
};
int pb__count_towards(const struct sockaddr *dst, const struct sockaddr *src,
		      unsigned lo, unsigned hi, unsigned diag_flags,
		      struct pb_towards *t, struct pb_diag *d);

/* An int socket option: getsockopt's 0 or -1 (errno set). */
static inline int pb__sockopt_int(int fd, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, level, name, v, &len);
}

/*
 * The asynchronous signals: what a wait blocks while it is not sleeping,
 * so that one caught then ends the next sleep (ppoll on the caller's
 * mask) instead of being lost until the wait is over.  The signals the
 * kernel raises for a fault in this thread stay deliverable (blocked, it
 * kills the thread), and SIGSYS too: a seccomp filter's trap must reach
 * its handler.
 */
static inline void pb__async_signals(sigset_t *set)
{
	static const int sync_sigs[] = {
		SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS
	};
	size_t i;

	sigfillset(set);
	for (i = 0; i < PB_ARRAY_SIZE(sync_sigs); i++)
		sigdelset(set, sync_sigs[i]);
}

/* close(2) that leaves errno alone, for cleanup on error paths. */
static inline void pb__close_keep_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* Milliseconds on the monotonic clock, for timeouts. */
static inline int64_t pb__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Turn an internal -errno result into the exported -1/errno convention. */
static inline int pb__ret(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

#endif /* PB_INTERNAL_H */

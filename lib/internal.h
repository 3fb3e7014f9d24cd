/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what every file of lib/ shares: PB_EXPORT, and small
 * inline helpers.  Never installed.  The functions of lib/X.c that other
 * files call are declared in lib/X.h.
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

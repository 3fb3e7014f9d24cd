/* SPDX-License-Identifier: MIT */
/*
 * bind.c - restart-safe bind helpers.
 *
 * The rules they encode (Linux; see portbind(7)):
 *  - SO_REUSEADDR lets a TCP bind pass sockets that are not listening
 *    (TIME_WAIT, connections left from the previous run) only when BOTH the
 *    old and the new socket set it.  So every TCP server should set it, and
 *    pb_listen() does unless told not to.
 *  - On UDP the same option lets a second socket bind the same address and
 *    take the unicast datagrams meant for the first.  So it is never set on
 *    UDP unless explicitly asked.
 *  - Two bound, non-listening TCP sockets with SO_REUSEADDR both bind; the
 *    conflict shows only at listen().  So listen() failures are reported
 *    like bind() failures.
 *  - IPV6_V6ONLY is always set explicitly, never left to the bindv6only
 *    sysctl, so "[::]:80" means the same on every host.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "abi.h"
#include "activate.h"
#include "addr.h"
#include "bind.h"
#include "diag.h"
#include "internal.h"
#include "owner.h"
#include "scratch.h"

PB_EXPORT int pb_bind_reuse(int fd, const struct sockaddr *addr,
			    socklen_t addrlen)
{
	int type;
	socklen_t tlen = sizeof(type);

	if (!addr) {
		errno = EINVAL;
		return -1;
	}
	/* The one system call beyond bind(): the rule depends on the type. */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0)
		return -1;
	if (type == SOCK_STREAM && pb_set_reuseaddr(fd, 1) < 0)
		return -1;
	return bind(fd, addr, addrlen);
}

/* Fill a caller's pb_diag after a failure, with the spec the caller
   gave (given); errno is kept. */
static void explain(struct pb_diag *why, int type, const struct pb_spec *s,
		    const char *given, int err)
{
	int saved = errno;

	if (why) {
		pb__diagnose(type, (const struct sockaddr *)&s->ss, s->len,
			     s->v6only, err, why);
		pb__diag_set_spec(why, given);
	}
	errno = saved;
}

/*
 * Create, configure and bind one socket as the spec and flags say, and
 * listen when it is a stream socket.  Returns the fd or -errno; on failure
 * nothing stays open.  The success path makes exactly the calls a careful
 * hand-written server makes: socket, setsockopt(s), bind, listen.
 */
static int open_bound(const struct pb_spec *spec, const char *given, int type,
		      int backlog, unsigned flags, struct pb_diag *why)
{
	struct pb_spec s = *spec;
	int stype = type | SOCK_CLOEXEC;
	int fd, err;

	if (flags & PB_NONBLOCK)
		stype |= SOCK_NONBLOCK;

	fd = socket(s.ss.ss_family, stype, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && s.dual) {
		/* "*:p" on a host without IPv6: every address is 0.0.0.0. */
		pb__spec_to_ipv4_any(&s);
		fd = socket(AF_INET, stype, 0);
	}
	if (fd < 0) {
		err = errno;
		explain(why, type, &s, given, err);
		return -err;
	}

	if (type == SOCK_STREAM ? !(flags & PB_NO_REUSEADDR)
				: (flags & PB_UDP_REUSEADDR) != 0) {
		if (pb_set_reuseaddr(fd, 1) < 0)
			goto fail;
	}
	if (s.v6only >= 0 && pb_set_v6only(fd, s.v6only) < 0)
		goto fail;
	if ((flags & PB_REUSEPORT) && pb_set_reuseport(fd, 1) < 0)
		goto fail;
	if ((flags & PB_FREEBIND) && pb_set_freebind(fd, 1) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&s.ss, s.len) < 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, backlog) < 0)
		goto fail;
	return fd;

fail:
	err = errno;
	close(fd);
	/* After the close: the probes must not meet our own socket. */
	explain(why, type, &s, given, err);
	return -err;
}

/*
 * PB_ADOPT: an inherited socket (socket activation) that is
 * already what the spec asks for is used as it is: no socket, bind or
 * listen.  Of the other flags only PB_NONBLOCK still means something for
 * a socket that exists; the rest say how to bind when binding is needed.
 * The fd, -ENOENT when there is none to adopt, or -errno.
 */
static int adopt(const struct pb_spec *s, int type, unsigned flags)
{
	int fd = pb__adopt(type, s, NULL), fl;

	if (fd < 0 || !(flags & PB_NONBLOCK))
		return fd;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return fd;
}

/*
 * What the spec-taking helpers check before anything else, then PB_ADOPT.
 * An adopted fd; -ENOENT when the caller is to bind; or -errno.  why is
 * filled on every failure but its own refusal: with the argument refused
 * (the address, when the spec still parses, for bad flags), or with the
 * diagnosis of a failed adoption.  Nothing is written to why on success.
 */
static int begin(const char *spec, int type, unsigned flags,
		 struct pb_diag *why, struct pb_spec *s)
{
	int r, bad_flags;

	memset(s, 0, sizeof(*s));
	/* A why that is refused itself is not written: its size is not
	   known to be the caller's. */
	r = pb__diag_check(why);
	if (r < 0)
		return r;
	/* PB_UDP_REUSEADDR is for UDP only, and contradicts PB_NO_REUSEADDR. */
	bad_flags = (flags & ~PB_FLAGS_ALL) ||
		    (type == SOCK_STREAM ? (flags & PB_UDP_REUSEADDR) != 0
					 : (flags & (PB_UDP_REUSEADDR | PB_NO_REUSEADDR)) ==
					   (PB_UDP_REUSEADDR | PB_NO_REUSEADDR));
	r = pb__parse_spec(spec, s);
	if (bad_flags || r < 0) {
		if (why)
			pb__diag_invalid(why, type,
					 bad_flags ? PB_INVALID_FLAGS : PB_INVALID_SPEC,
					 bad_flags ? EINVAL : -r, spec,
					 r < 0 ? NULL : (const struct sockaddr *)&s->ss,
					 s->len, s->v6only, NULL, 0);
		return bad_flags ? -EINVAL : r;
	}
	if (!(flags & PB_ADOPT))
		return -ENOENT;
	r = adopt(s, type, flags);
	if (r < 0 && r != -ENOENT)
		explain(why, type, s, spec, -r);
	return r;
}

PB_EXPORT int pb_listen(const char *spec, int backlog, unsigned flags,
			struct pb_diag *why)
{
	struct pb_spec s;
	int r = begin(spec, SOCK_STREAM, flags, why, &s);

	if (r != -ENOENT)
		return pb__ret(r);
	return pb__ret(open_bound(&s, spec, SOCK_STREAM, backlog, flags, why));
}

PB_EXPORT int pb_bind_udp(const char *spec, unsigned flags, struct pb_diag *why)
{
	struct pb_spec s;
	int r = begin(spec, SOCK_DGRAM, flags, why, &s);

	if (r != -ENOENT)
		return pb__ret(r);
	return pb__ret(open_bound(&s, spec, SOCK_DGRAM, 0, flags, why));
}

/*
 * Sleep until deadline (pb__now_ms time) with the caller's signal mask
 * orig, watching sfd (a signalfd, or -1): 0 at the deadline, -EINTR when
 * sfd becomes readable, -EINTR as soon as a signal handler has run,
 * whether the signal came during this sleep or while it was blocked
 * during the attempt and diagnosis before it (ppoll unblocks and sleeps
 * in one step, so a pending signal ends the sleep at once).  Any other
 * failure ends the sleep early: the caller's loop is bounded.
 */
static int sleep_until(int64_t deadline, const sigset_t *orig, int sfd)
{
	int64_t left = deadline - pb__now_ms();
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	struct timespec ts;
	int r;

	if (left < 0)
		left = 0;
	ts.tv_sec = (time_t)(left / 1000);
	ts.tv_nsec = (long)(left % 1000) * 1000000L;
	r = sfd >= 0 ? ppoll(&p, 1, &ts, orig) : ppoll(NULL, 0, &ts, orig);
	if (r < 0 && errno == EINTR)
		return -EINTR;
	/* The signalfd is readable: a signal blocked at entry is pending. */
	if (r > 0)
		return -EINTR;
	return 0;
}

/* Slack after the announced expiry: the kernel's TIME_WAIT timer fires on
   a tick, not on the millisecond. */
#define PB_WAIT_SLACK_MS 5
/* Rounds at most: each sleeps at least PB_WAIT_SLACK_MS. */
#define PB_WAIT_ROUNDS 1000

/*
 * The cause-aware wait, whatever is retried: attempt() (a descriptor or 0
 * on success, -errno on failure) is tried again only while the diagnosis
 * says the address is held by TIME_WAIT alone (or was, and just came
 * free); between tries it sleeps until the last one expires, never past
 * timeout_ms (< 0: no bound but the sockets' own lifetime).  d (a full
 * struct, flags set) holds the last diagnosis.  attempt's success, -errno
 * of its last failure, or -EINTR as soon as a signal handler interrupts a
 * sleep (d then holds the diagnosis made before that sleep).
 *
 * Asynchronous signals are blocked in the calling thread while an attempt
 * or a diagnosis runs and unblocked for each sleep, so that a signal that
 * arrives at any moment of the wait ends it at the next sleep, at once;
 * the caller's mask is back in place before this returns.
 *
 * Async-signal-safe, and within the stack budget, as long as attempt() is:
 * the shim runs it in its bind().
 */
int pb__wait_out(int (*attempt)(void *), void *arg, int type,
		 const struct sockaddr *sa, socklen_t len, int v6only,
		 int timeout_ms, struct pb_diag *d)
{
	return pb__wait_out_flags(attempt, arg, type, sa, len, v6only,
				  timeout_ms, 0, d);
}

/* Sleep slices without a signalfd to wake on: a blocked signal that comes
   during one is seen at the end of it. */
#define PB_WAIT_PENDING_SLICE_MS 250

/* Is one of the signals in set pending (for this thread or the
   process)?  Nothing is consumed. */
static int blocked_pending(const sigset_t *set)
{
	sigset_t p;
	int sig;

	if (sigpending(&p) < 0)
		return 0;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(set, sig) == 1 && sigismember(&p, sig) == 1)
			return 1;
	return 0;
}

/*
 * pb__wait_out, and with PB__WAIT_BLOCKED in wflags (the shim) the wait
 * also ends, with -EINTR, when one of the asynchronous signals the thread
 * had blocked at entry becomes pending: a program that takes its signals
 * from a signalfd or a sigwait thread still gets that one, since it is
 * never consumed here.  Those pending at entry already are not watched.
 * A signalfd for those signals (readable while one is pending, never
 * read) is polled with each sleep, and sigpending asked before each
 * sleep; without a signalfd (seccomp, EMFILE) the sleeps are cut into
 * slices of PB_WAIT_PENDING_SLICE_MS.
 */
int pb__wait_out_flags(int (*attempt)(void *), void *arg, int type,
		       const struct sockaddr *sa, socklen_t len, int v6only,
		       int timeout_ms, unsigned wflags, struct pb_diag *d)
{
	int64_t start = pb__now_ms(), wake;
	int r = -EADDRINUSE, round, late = 0, masked, sfd = -1, watch = 0, sig;
	sigset_t block, orig, held, was;

	pb__async_signals(&block);
	masked = pthread_sigmask(SIG_BLOCK, &block, &orig) == 0;
	if (masked && (wflags & PB__WAIT_BLOCKED) && sigpending(&was) == 0) {
		/* The asynchronous signals blocked at entry and not pending
		   then: one that was pending already (a SIGCHLD the program
		   leaves pending) would end every wait at once. */
		sigemptyset(&held);
		for (sig = 1; sig < NSIG; sig++)
			if (sigismember(&block, sig) == 1 &&
			    sigismember(&orig, sig) == 1 &&
			    sigismember(&was, sig) == 0) {
				sigaddset(&held, sig);
				watch = 1;
			}
		if (watch)
			sfd = signalfd(-1, &held, SFD_NONBLOCK | SFD_CLOEXEC);
	}
	for (round = 0; round < PB_WAIT_ROUNDS; round++) {
		r = attempt(arg);
		if (r >= 0)
			break;
		pb__diagnose(type, sa, len, v6only, -r, d);
		/* Only TIME_WAIT passes by itself; anything else would make
		   this a blind retry.  "none" is a holder that just left. */
		if (d->cause != PB_CAUSE_TIME_WAIT && d->cause != PB_CAUSE_NONE)
			break;
		/* The kernel's TIME_WAIT timer may fire a second or so after
		   the expiry it announced (timer slack on a 60 s timer): past
		   that point, back off between tries rather than poll (5, 10,
		   20, then 40 ms). */
		if (d->time_wait_ms > PB_WAIT_SLACK_MS) {
			late = 0;
			wake = pb__now_ms() + d->time_wait_ms + PB_WAIT_SLACK_MS;
		} else {
			wake = pb__now_ms() + (PB_WAIT_SLACK_MS << (late < 3 ? late : 3));
			late++;
		}
		if (timeout_ms >= 0 && wake > start + timeout_ms) {
			if (pb__now_ms() >= start + timeout_ms)
				break;
			wake = start + timeout_ms;
		}
		if (!masked) {
			/* No mask to sleep with: the plain sleep still ends
			   on a signal that comes during it. */
			struct timespec ts = {
				.tv_sec = (time_t)(wake / 1000),
				.tv_nsec = (long)(wake % 1000) * 1000000L,
			};

			if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					    &ts, NULL) == EINTR) {
				r = -EINTR;
				break;
			}
		} else {
			if (watch && blocked_pending(&held)) {
				r = -EINTR;
				break;
			}
			if (watch && sfd < 0 &&
			    wake > pb__now_ms() + PB_WAIT_PENDING_SLICE_MS)
				wake = pb__now_ms() + PB_WAIT_PENDING_SLICE_MS;
			if (sleep_until(wake, &orig, sfd) < 0) {
				r = -EINTR;
				break;
			}
		}
	}
	if (sfd >= 0)
		pb__close_keep_errno(sfd);
	if (masked) {
		int saved = errno;

		/* A signal that came during the last attempt is delivered
		   here, before the caller sees the result. */
		pthread_sigmask(SIG_SETMASK, &orig, NULL);
		errno = saved;
	}
	return r;
}

struct listen_attempt {
	const struct pb_spec *s;
	int backlog;
	unsigned flags;
};

static int try_listen(void *arg)
{
	const struct listen_attempt *a = arg;

	return open_bound(a->s, NULL, SOCK_STREAM, a->backlog, a->flags, NULL);
}

PB_EXPORT int pb_listen_wait(const char *spec, int backlog, unsigned flags,
			     int timeout_ms, struct pb_diag *why)
{
	struct pb_diag *d;
	struct pb_spec s;
	struct listen_attempt a = { &s, backlog, flags };
	int r, saved = errno;

	r = begin(spec, SOCK_STREAM, flags, why, &s);
	if (r != -ENOENT)
		return pb__ret(r);
	/* The wait's own diagnosis (2.8 KiB) lives off the stack; why is
	   left alone on success, so it is not used as the workspace. */
	d = pb__scratch_get(sizeof(*d));
	if (!d) {
		/* No memory to tell TIME_WAIT from a listener: one attempt,
		   no wait, explained as pb_listen would. */
		return pb__ret(open_bound(&s, spec, SOCK_STREAM, backlog, flags,
					  why));
	}
	d->size = sizeof(*d);
	/* Owners are looked up once, at the end, not every round. */
	d->flags = why ? why->flags & ~PB_DIAG_OWNERS : 0;
	r = pb__wait_out(try_listen, &a, SOCK_STREAM, (struct sockaddr *)&s.ss,
			 s.len, s.v6only, timeout_ms, d);
	if (r < 0 && why) {
		if ((why->flags & PB_DIAG_OWNERS) && d->n_stored &&
		    pb__find_owners(d->holders, d->n_stored) > 0)
			d->sources |= PB_SRC_OWNERS;
		d->flags = why->flags;
		pb__diag_set_spec(d, spec);
		pb__abi_copy_out(why, why->size, d, sizeof(*d));
	}
	pb__scratch_put(d, sizeof(*d));
	if (r >= 0)
		errno = saved;	/* the failed rounds set it */
	return pb__ret(r);
}

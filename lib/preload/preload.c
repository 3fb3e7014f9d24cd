/* SPDX-License-Identifier: MIT */
/*
 * preload.c - libportbind-preload.so: restart-safe bind() for programs that
 * cannot be rebuilt, as LD_PRELOAD=libportbind-preload.so some-daemon.
 *
 * It wraps bind() and listen() and nothing else:
 *  - a TCP socket that binds a non-zero port gets SO_REUSEADDR first, as
 *    pb_bind_reuse does; UDP, port-0 binds and non-inet sockets are never
 *    touched;
 *  - a bind() or listen() that fails with EADDRINUSE, EACCES or
 *    EADDRNOTAVAIL writes one line to standard error, the program name,
 *    the call and pb_diag_format's text (PORTBIND_PRELOAD=quiet: none);
 *  - PORTBIND_WAIT=SECONDS: a TCP bind held only by TIME_WAIT that
 *    SO_REUSEADDR cannot pass waits for it to expire, up to SECONDS;
 *  - the errno the program sees is the one bind() or listen() set.
 *
 * Safe in any process: no constructor, no state, nothing allocated on the
 * success path; the system calls are made directly (syscall(2)), so no
 * dlsym() is needed.  In a setuid or setgid program (AT_SECURE) it does
 * nothing at all.  This copy of the library is compiled with bind and
 * listen renamed to the raw calls below, so its own probes never come
 * back through these wrappers.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The library's own calls land here (-Dbind=pb__real_bind). */
int pb__real_bind(int fd, const struct sockaddr *addr, socklen_t len);
int pb__real_listen(int fd, int backlog);

__attribute__((visibility("hidden")))
int pb__real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return (int)syscall(SYS_bind, fd, addr, len);
}

__attribute__((visibility("hidden")))
int pb__real_listen(int fd, int backlog)
{
	return (int)syscall(SYS_listen, fd, backlog);
}

/* The longest PORTBIND_WAIT: an hour is far past any TIME_WAIT. */
#define PB_PRELOAD_WAIT_MAX_MS 3600000

static int secure(void)
{
	return getauxval(AT_SECURE) != 0;
}

/* PORTBIND_WAIT as milliseconds: "30", "0.5"; 0 when unset or bad. */
static int wait_ms(void)
{
	const char *v = secure_getenv("PORTBIND_WAIT");
	long ms = 0, frac = 0, scale = 100;
	int i;

	if (!v || !*v)
		return 0;
	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++) {
		ms = ms * 10 + (long)(v[i] - '0') * 1000;
		if (ms > PB_PRELOAD_WAIT_MAX_MS)
			return PB_PRELOAD_WAIT_MAX_MS;
	}
	if (v[i] == '.')
		for (i++; v[i] >= '0' && v[i] <= '9'; i++) {
			frac += (v[i] - '0') * scale;
			scale /= 10;
		}
	if (v[i] != '\0')
		return 0;
	ms += frac;
	return ms > PB_PRELOAD_WAIT_MAX_MS ? PB_PRELOAD_WAIT_MAX_MS : (int)ms;
}

static int quiet(void)
{
	const char *v = secure_getenv("PORTBIND_PRELOAD");

	return v && strcmp(v, "quiet") == 0;
}

/*
 * The caller's address, copied without trusting the pointer: a bad one
 * must give the program bind's EFAULT, not a crash in here.  0, or -1
 * when it cannot be read (then the shim stays out of the way).
 */
static int copy_addr(const struct sockaddr *addr, socklen_t len,
		     struct sockaddr_storage *out)
{
	struct iovec local, remote;

	if (!addr || len < (socklen_t)sizeof(sa_family_t) ||
	    len > (socklen_t)sizeof(*out))
		return -1;
	memset(out, 0, sizeof(*out));
	local.iov_base = out;
	local.iov_len = len;
	/* iovec wants a non-const pointer; nothing is written there. */
	memcpy(&remote.iov_base, &addr, sizeof(remote.iov_base));
	remote.iov_len = len;
	if (syscall(SYS_process_vm_readv, getpid(), &local, 1UL, &remote, 1UL,
		    0UL) != (long)len)
		return -1;
	return 0;
}

/* The port of an inet address of the right length, else -1. */
static int inet_port(const struct sockaddr_storage *ss, socklen_t len)
{
	if (pb__addr_len((const struct sockaddr *)ss, len) < 0)
		return -1;
	return (int)pb__addr_port((const struct sockaddr *)ss);
}

static int sock_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

/*
 * Write to standard error without ever harming the program: not when fd 2
 * is the very socket being bound (a daemon that closed its stdio); never
 * blocking (a full pipe drops the line); never raising SIGPIPE (a reader
 * that is gone): MSG_NOSIGNAL on a socket, SIGPIPE blocked around the
 * write otherwise, and a SIGPIPE this write caused taken back.
 */
static void say(int fd, const char *line, size_t n)
{
	struct pollfd p = { .fd = STDERR_FILENO, .events = POLLOUT };
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pending;
	struct stat st;
	size_t off = 0;
	ssize_t w;
	int was_pending;

	if (fd == STDERR_FILENO || fstat(STDERR_FILENO, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		/* A socket there belongs to the program's protocol. */
		return;
	}
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0)
		return;
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	while (off < n && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
		w = write(STDERR_FILENO, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (!was_pending) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* One line on standard error: "prog: bind: tcp 127.0.0.1:80: ...". */
static void explain(int fd, const struct sockaddr *addr, socklen_t len,
		    int type, int err, const char *call)
{
	struct pb_diag d = PB_DIAG_INIT;
	char text[1536], line[1700];
	int v6only = -1, n;
	ssize_t w;

	if (quiet() || (err != EADDRINUSE && err != EACCES && err != EADDRNOTAVAIL))
		return;
	if (addr->sa_family == AF_INET6)
		v6only = sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY);
	/* Name the holder's process (worth a /proc walk on this path).  The
	   table comes from netlink only: the /proc/net fallback reads with
	   stdio, which allocates. */
	d.flags = PB_DIAG_OWNERS | PB_DIAG_NO_PROCNET;
	if (pb__diagnose(type, addr, len, v6only, err, &d) < 0 ||
	    pb_diag_format(&d, text, sizeof(text)) < 0)
		return;
	n = snprintf(line, sizeof(line), "%s: %s: %s\n",
		     program_invocation_short_name, call, text);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1, line[n - 1] = '\n';
	/* The program's name is its own choice too: one line, printable. */
	for (w = 0; w < n - 1; w++)
		if ((unsigned char)line[w] < 0x20 || line[w] == 0x7f)
			line[w] = '?';
	say(fd, line, (size_t)n);
}

struct bind_attempt {
	int fd;
	const struct sockaddr *addr;
	socklen_t len;
};

static int try_bind(void *arg)
{
	const struct bind_attempt *a = arg;

	return pb__real_bind(a->fd, a->addr, a->len) == 0 ? 0 : -errno;
}

__attribute__((visibility("default")))
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage ss;
	int saved = errno, type, port, r, err, ms, on = 1, off = 0, set = 0;

	if (secure() || copy_addr(addr, len, &ss) < 0)
		return pb__real_bind(fd, addr, len);
	port = inet_port(&ss, len);
	if (port < 0)
		return pb__real_bind(fd, addr, len);	/* not ours to touch */
	type = sock_int(fd, SOL_SOCKET, SO_TYPE);
	if (type == SOCK_STREAM && port != 0 &&
	    sock_int(fd, SOL_SOCKET, SO_REUSEADDR) == 0)
		set = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0;
	errno = saved;
	r = pb__real_bind(fd, addr, len);
	if (r == 0)
		return r;
	err = errno;
	addr = (const struct sockaddr *)&ss;	/* from here, our copy */
	if (type != SOCK_STREAM && type != SOCK_DGRAM) {
		errno = err;
		return r;
	}
	if (err == EADDRINUSE && type == SOCK_STREAM && port != 0 &&
	    (ms = wait_ms()) > 0) {
		struct pb_diag d = PB_DIAG_INIT;
		struct bind_attempt a = { fd, addr, len };	/* our copy */
		int v6only = addr->sa_family == AF_INET6
			     ? sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) : -1;

		r = pb__wait_out(try_bind, &a, SOCK_STREAM, addr, len, v6only,
				 ms, &d);
		if (r == 0) {
			errno = saved;
			return 0;
		}
		err = -r;
	}
	explain(fd, addr, len, type, err, "bind");
	/* A failed bind leaves the socket as the program made it. */
	if (set)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &off, sizeof(off));
	errno = err;
	return -1;
}

__attribute__((visibility("default")))
int listen(int fd, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = pb__real_listen(fd, backlog), err;

	memset(&ss, 0, sizeof(ss));
	if (r == 0 || secure())
		return r;
	err = errno;
	/* Two bound sockets with SO_REUSEADDR: the conflict shows here. */
	if (err == EADDRINUSE &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		explain(fd, (struct sockaddr *)&ss, len, SOCK_STREAM, err, "listen");
	errno = err;
	return -1;
}

/* SPDX-License-Identifier: MIT */
/*
 * preload-more.c - the promises of portbind-preload(8), one by one, from a
 * program built WITHOUT libportbind (tests/preload-more.sh runs it under
 * LD_PRELOAD, built with -rdynamic so that its clock_gettime, recvmsg,
 * write, send and sendto below come before the C library's for the shim
 * too).  One run checks
 * many things and prints one line for each, as the script prints them:
 * "ok - WHAT", "not ok - WHAT: what happened" or "skipped - WHAT: WHY".
 * As root it first moves into a network namespace of its own (ports and
 * sysctls are its own); otherwise it uses the loopback of the host with
 * ports the kernel picks, and skips what needs root.
 *
 *	main DIR       success paths, errno, the explained and unexplained
 *	               failures (TCP, UDP, IPv4, IPv6, lengths, families,
 *	               types), PORTBIND_WAIT's values and its wait over real
 *	               TIME_WAIT sockets, the retry with SO_REUSEADDR and when
 *	               it must not be made, PORTBIND_LOG and PORTBIND_PRELOAD
 *	               values, threads (DIR: scratch files; descriptor 2 must
 *	               be a 2>> log that DIR/stderr names)
 *	ns DIR         root: a private mount namespace with /dev/log and
 *	               /run/systemd/journal/stdout of its own: the syslog
 *	               datagram and its RFC 3164 date over many clock values,
 *	               the journal's socket told by its exact path, the
 *	               program's name without /proc, descriptor 2 replaced
 *	               during the diagnosis; descriptor 2 must be an
 *	               inherited pipe that DIR/pipe.out collects
 *	fd2 DIR HOW    descriptor 2 is what the script made it (HOW: fifo-append,
 *	               fifo, pipe-dup, stdin-closed, reader-0, reader-last,
 *	               rdwr, rdwr-full): is the line written to it?
 *	secure DIR     in a setgid copy linked with the shim (AT_SECURE): the
 *	               shim does nothing at all
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef SOCK_DESTROY
#define SOCK_DESTROY 21
#endif

static const char *dir;
static volatile sig_atomic_t alarms;	/* SIGALRM handler runs */
static char logpath[512];
static int is_root;

/* ---- output */

static void report(int good, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (good) {
		printf("ok - %s\n", what);
	} else {
		printf("not ok - %s: ", what);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

static void skipped(const char *what, const char *why)
{
	printf("skipped - %s: %s\n", what, why);
	fflush(stdout);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the clock the shim reads for syslog's date (ns mode) */

static volatile int fake_clock;		/* 0 real, 1 fake_sec, 2 fails */
static time_t fake_sec;

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id == CLOCK_REALTIME && fake_clock == 1) {
		ts->tv_sec = fake_sec;
		ts->tv_nsec = 0;
		return 0;
	}
	if (id == CLOCK_REALTIME && fake_clock == 2) {
		errno = EINVAL;
		return -1;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}

/* ---- descriptor 2 replaced while the shim diagnoses (ns mode) */

/* What happens at the shim's first netlink recvmsg (its diagnosis): what
   another thread, or a signal, may do at that moment. */
enum { SWAP_NONE, SWAP_FILE, SWAP_CLOSE, SWAP_FLAGS, SWAP_PIPE };
static volatile int swap_armed, sig_armed, swap_fd = -1, close_armed = -1, swap_rd = -1;
static const char *swap_path;

ssize_t recvmsg(int fd, struct msghdr *mh, int flags)
{
	int what = swap_armed, sig = sig_armed;

	swap_armed = SWAP_NONE;
	sig_armed = 0;
	if (what != SWAP_NONE)
		close(2);
	if (what == SWAP_FILE &&
	    open(swap_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) != 2)
		abort();
	if (what == SWAP_FLAGS && dup2(swap_fd, 2) != 2)
		abort();
	if (what == SWAP_PIPE) {	/* another pipe, the same flags */
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0 || dup2(p[1], 2) != 2)
			abort();
		close(p[1]);
		swap_rd = p[0];
	}
	if (sig)
		kill(getpid(), sig);
	return syscall(SYS_recvmsg, fd, mh, flags);
}

/* ---- the descriptors the shim opens, and how it sends: while "watch"
   is set (a call under test), each open, openat and socket must ask for
   close-on-exec; PORTBIND_LOG's file must be opened with exactly the
   flags and mode portbind-preload(8) gives; a line sent to a socket
   (the journal's, /dev/log) must go with MSG_DONTWAIT | MSG_NOSIGNAL.
   Anything else is counted, and the first one described. */

static volatile int watch;
static int violations, watched;
static char violation[256];

static void violated(const char *fmt, const char *what, long v)
{
	if (violations++ == 0)
		snprintf(violation, sizeof(violation), fmt, what, v);
}

static void opened(const char *path, int flags, mode_t mode)
{
	const int log_flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY |
			      O_NOFOLLOW | O_NONBLOCK;

	if (!watch)
		return;
	watched++;
	if (!(flags & O_CLOEXEC))
		violated("open(%s) without O_CLOEXEC (flags %#lx)", path, (long)flags);
	else if (!strcmp(path, logpath) && ((flags & ~O_LARGEFILE) != log_flags || mode != 0600))
		violated("open(%s) with flags %#lx", path, (long)flags);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return flags & (O_CREAT | __O_TMPFILE) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	opened(path, flags, mode);
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	opened(path, flags | O_LARGEFILE, mode);
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	opened(path, flags, mode);
	return (int)syscall(SYS_openat, dfd, path, flags, mode);
}

int socket(int family, int type, int proto)
{
	watched += watch;
	if (watch && !(type & SOCK_CLOEXEC))
		violated("socket(%s) without SOCK_CLOEXEC (type %#lx)",
			 family == AF_UNIX ? "AF_UNIX" : family == AF_NETLINK ? "AF_NETLINK" : "inet",
			 (long)type);
	return (int)syscall(SYS_socket, family, type, proto);
}

/* The socket states a sock_diag request asks for; 0 if it is neither
   kind the shim sends. */
static unsigned request_states(const void *buf, size_t n)
{
	const struct nlmsghdr *h = buf;

	if (n >= NLMSG_LENGTH(sizeof(struct inet_diag_req)) && h->nlmsg_type == TCPDIAG_GETSOCK)
		return ((const struct inet_diag_req *)NLMSG_DATA(h))->idiag_states;
	if (n >= NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)) &&
	    h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
		return ((const struct inet_diag_req_v2 *)NLMSG_DATA(h))->idiag_states;
	return 0;
}

#define BOUND_ONLY (1u << 13)	/* TCP_BOUND_INACTIVE, Linux 6.7+ */

/* A holder comes: come_armed 1 waits for the shim's request for bound-only
   sockets alone (the last table read of a diagnosis that found no holder),
   2 makes a listener on 127.0.0.1:come_port right before the shim's next
   table request (come_fd), then 0. */
static volatile int come_armed, come_port, come_fd = -1;

/* refuse_armed: the shim's request for bound-only sockets alone is refused
   by the kernel (a seccomp filter on sendto for that descriptor, set up
   then: forked children only), then 0; 2 if no filter could be set. */
static volatile int refuse_armed;
static int refuse_err(int nr, int arg0, int err);
static int listener(int family, const char *ip, int port, int reuse);

/* While take_most >= 0, during a call under test, each write(2) to a
   descriptor other than 1 and each send(2) to descriptor 2 hands the
   kernel at most take_most bytes of what the shim gives it (0: none, and
   the kernel's answer is 0); such calls are counted in short_calls. */
static volatile int take_most = -1, short_calls;

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	int holder = close_armed;
	unsigned states = to && to->sa_family == AF_NETLINK ? request_states(buf, n) : 0;

	/* The holder leaves right before the shim's table request. */
	if (holder >= 0 && to && to->sa_family == AF_NETLINK) {
		close_armed = -1;
		close(holder);
	}
	if (come_armed == 2 && to && to->sa_family == AF_NETLINK) {
		come_armed = 0;
		come_fd = listener(AF_INET, "127.0.0.1", come_port, 0);
	}
	if (come_armed == 1 && states == BOUND_ONLY)
		come_armed = 2;
	if (refuse_armed == 1 && states == BOUND_ONLY)
		refuse_armed = refuse_err(SYS_sendto, fd, EPERM) < 0 ? 2 : 0;
	if (watch && (fd == 2 || (to && to->sa_family == AF_UNIX)) &&
	    flags != (MSG_DONTWAIT | MSG_NOSIGNAL))
		violated("a line sent to %s with flags %#lx", fd == 2 ? "descriptor 2" : "/dev/log",
			 (long)flags);
	if (watch && fd == 2 && n == 0)
		violated("an empty send to %s (%ld bytes)", "descriptor 2", (long)n);
	if (watch && take_most >= 0 && fd == 2 && !to) {
		short_calls++;
		if (n > (size_t)take_most)
			n = (size_t)take_most;
	}
	return syscall(SYS_sendto, fd, buf, n, flags, to, tolen);
}

/* A line is written whole, once, by one write(2); a socket on descriptor
   2 (the journal's) gets it with send(2). */
static volatile int pipe_armed;		/* the next write to fd 2: kill(SIGPIPE) */

ssize_t write(int fd, const void *buf, size_t n)
{
	struct stat st;

	if (fd == 2 && pipe_armed) {	/* as if another process sent it now */
		pipe_armed = 0;
		kill(getpid(), SIGPIPE);
		/* A stale EPIPE, as an earlier failed call may leave: the
		   write below succeeds and leaves it there. */
		errno = EPIPE;
	}
	if (watch && n == 0)
		violated("an empty write to %s (%ld bytes)", fd == 2 ? "descriptor 2" : "a file",
			 (long)n);
	if (watch && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
		violated("a line written to %s, a socket, with write(2) (fd %ld)",
			 fd == 2 ? "descriptor 2" : "a descriptor", (long)fd);
	if (watch && take_most >= 0 && fd != 1) {
		short_calls++;
		if (n > (size_t)take_most)
			n = (size_t)take_most;
	}
	return syscall(SYS_write, fd, buf, n);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return sendto(fd, buf, n, flags, NULL, 0);
}

/* The socket calls the shim makes on the program's descriptor (watch_fd)
   during the call under test, in order: "getsockname getsockopt ...". */
static int watch_fd = -1;
static char calls[512];

static void called(int fd, const char *name)
{
	if (watch && fd == watch_fd && strlen(calls) + strlen(name) + 2 < sizeof(calls)) {
		strcat(calls, name);
		strcat(calls, " ");
	}
}

int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	called(fd, "getsockname");
	return (int)syscall(SYS_getsockname, fd, sa, len);
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	called(fd, "getsockopt");
	return (int)syscall(SYS_getsockopt, fd, level, name, v, len);
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	called(fd, "setsockopt");
	return (int)syscall(SYS_setsockopt, fd, level, name, v, len);
}

static void report_watch(void)
{
	if (getenv("PBMORE_DEBUG"))
		printf("# %d opens and sockets watched\n", watched);
	report(violations == 0 && watched > 0,
	       "every descriptor the shim opened asked for close-on-exec, PORTBIND_LOG's file with O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOCTTY|O_NOFOLLOW|O_NONBLOCK and 0600, lines sent with MSG_DONTWAIT|MSG_NOSIGNAL",
	       "%d times; first: %s", violations, violation);
}

/* ---- sockets */

static struct sockaddr_in v4(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6 v6(const char *ip, int port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	s6.sin6_port = htons((unsigned short)port);
	inet_pton(AF_INET6, ip, &s6.sin6_addr);
	return s6;
}

static int sock(int family, int type)
{
	return socket(family, type | SOCK_CLOEXEC, 0);
}

static int opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

static void setopt(int fd, int level, int name, int v)
{
	setsockopt(fd, level, name, &v, sizeof(v));
}

/* The shim's wrappers are bind and listen; these go around them. */
static int raw_bind(int fd, const void *sa, socklen_t len)
{
	return (int)syscall(SYS_bind, fd, sa, len);
}

static int raw_listen(int fd)
{
	return (int)syscall(SYS_listen, fd, 8);
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A port of family/type nobody holds now. */
static int free_port(int family, int type)
{
	struct sockaddr_in sin = v4("127.0.0.1", 0);
	struct sockaddr_in6 s6 = v6("::1", 0);
	int fd = sock(family, type), p;

	if (family == AF_INET)
		raw_bind(fd, &sin, sizeof(sin));
	else
		raw_bind(fd, &s6, sizeof(s6));
	p = port_of(fd);
	close(fd);
	return p;
}

/* A listener that the shim does not touch (raw calls). */
static int listener(int family, const char *ip, int port, int reuse)
{
	struct sockaddr_in sin = v4(ip, port);
	struct sockaddr_in6 s6 = v6(ip, port);
	int fd = sock(family, SOCK_STREAM), r;

	if (reuse)
		setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (family == AF_INET6)
		setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	r = family == AF_INET ? raw_bind(fd, &sin, sizeof(sin)) : raw_bind(fd, &s6, sizeof(s6));
	if (r < 0 || raw_listen(fd) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct tw {
	int port, peer, family;
};

/*
 * A TIME_WAIT socket on ip:port (a port of the kernel's choice), left by
 * an accepted connection that closed first; it carries SO_REUSEADDR when
 * the listener had it.  Returns 0 once a plain bind of the address fails.
 */
static int make_tw(int family, const char *ip, int reuse, struct tw *t)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct sockaddr_in sin;
	struct sockaddr_in6 s6;
	int l = listener(family, ip, 0, reuse), c, a, probe, r, i;

	if (l < 0)
		return -1;
	t->family = family;
	t->port = port_of(l);
	getsockname(l, (struct sockaddr *)&ss, &len);
	c = sock(family, SOCK_STREAM);
	if (connect(c, (struct sockaddr *)&ss, len) < 0 || (a = accept(l, NULL, NULL)) < 0)
		return -1;
	t->peer = port_of(c);
	close(a);		/* the server closes first: its side waits */
	close(c);
	close(l);
	sin = v4(ip, t->port);
	s6 = v6(ip, t->port);
	for (i = 0; i < 200; i++) {
		probe = sock(family, SOCK_STREAM);
		if (family == AF_INET6)
			setopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		r = family == AF_INET ? raw_bind(probe, &sin, sizeof(sin))
				      : raw_bind(probe, &s6, sizeof(s6));
		close(probe);
		if (r < 0 && errno == EADDRINUSE)
			return 0;
		usleep(5000);
	}
	return -1;
}

/* SOCK_DESTROY of the TIME_WAIT socket t made on 127.0.0.1: 0 or -errno. */
static int destroy_tw(const struct tw *t)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), err = -EIO;
	ssize_t n;

	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DESTROY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 1u << 6;	/* TIME_WAIT */
	req.r.id.idiag_sport = htons((unsigned short)t->port);
	req.r.id.idiag_dport = htons((unsigned short)t->peer);
	req.r.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	req.r.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
	req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0) {
		err = -errno;
	} else if ((n = recv(fd, buf, sizeof(buf), 0)) >= (ssize_t)sizeof(*h) &&
		   h->nlmsg_type == NLMSG_ERROR) {
		err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(fd);
	return err;
}

/* ---- the line */

/* PORTBIND_LOG's file: what the shim wrote since the last call. */
static char *take_log(void)
{
	static char buf[16384];
	int fd = open(logpath, O_RDWR | O_CLOEXEC);
	ssize_t n = 0;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (ftruncate(fd, 0) < 0)
		buf[0] = '\0';
	close(fd);
	return buf;
}

/* The address space, in kB (VmSize): the shim's scratch regions are
   unmapped again (adjacent anonymous mappings merge, so counting the
   lines of /proc/self/maps would not tell). */
static long maps(void)
{
	char status[4096], *v;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, status, sizeof(status) - 1) : -1;
	long kb = -1;

	if (fd >= 0)
		close(fd);
	status[n > 0 ? n : 0] = '\0';
	v = strstr(status, "VmSize:");
	if (!v || sscanf(v, "VmSize: %ld", &kb) != 1)
		return -1;
	return kb;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One line, starting with want (may be ""), containing each of the
   NULL-terminated phrases. */
static int one_line(const char *got, const char *want, ...)
{
	const char *phrase;
	va_list ap;
	int good = lines(got) == 1 && got[strlen(got) - 1] == '\n' && starts(got, want);

	va_start(ap, want);
	while ((phrase = va_arg(ap, const char *)) != NULL)
		if (!strstr(got, phrase))
			good = 0;
	va_end(ap);
	return good;
}

/* The result of one call made through the shim. */
struct res {
	int r, err, ms;
	char line[4096];
};

static void call_bind(struct res *res, int fd, const void *sa, socklen_t len)
{
	long long t0 = now_ms();

	take_log();
	calls[0] = '\0';
	watch_fd = fd;
	errno = 4242;
	watch = 1;
	res->r = bind(fd, (const struct sockaddr *)sa, len);
	watch = 0;
	res->err = errno;
	res->ms = (int)(now_ms() - t0);
	snprintf(res->line, sizeof(res->line), "%s", take_log());
	if (getenv("PBMORE_DEBUG"))
		printf("# bind %d errno %d %d ms: %s", res->r, res->err, res->ms,
		       res->line[0] ? res->line : "(no line)\n");
}

static void call_listen(struct res *res, int fd)
{
	take_log();
	calls[0] = '\0';
	watch_fd = fd;
	errno = 4242;
	watch = 1;
	res->r = listen(fd, 8);
	watch = 0;
	res->err = errno;
	res->ms = 0;
	snprintf(res->line, sizeof(res->line), "%s", take_log());
}

#define SHOW(res) "returned %d, errno %d (%s), %d ms, calls [%s], line [%s]", (res)->r, \
	(res)->err, strerror((res)->err), (res)->ms, calls, (res)->line

/* A bind that must fail with err at once, without a line. */
static void unexplained(const char *what, int fd, const void *sa, socklen_t len, int err)
{
	struct res res;

	call_bind(&res, fd, sa, len);
	report(res.r == -1 && res.err == err && res.line[0] == '\0' && res.ms < 1000,
	       what, SHOW(&res));
}

/* ---- root: a network namespace of its own */

static int own_netns(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	fd = sock(AF_INET, SOCK_DGRAM);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return -1;
	close(fd);
	return 0;
}

/* ---- seccomp: system call nr (with first argument arg0, unless -1)
   refused with err (refuse: EPERM) */

static int refuse_err(int nr, int arg0, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)arg0, 0, arg0 < 0 ? 0 : 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int refuse(int nr, int arg0)
{
	return refuse_err(nr, arg0, EPERM);
}

/* listen() in a child in which nr is refused: what the socket is after. */
static void listen_refused(const char *what, int nr)
{
	struct sockaddr_in sin = v4("127.0.0.1", 0);
	int fd = sock(AF_INET, SOCK_STREAM), st = -1;
	pid_t pid;

	raw_bind(fd, &sin, sizeof(sin));
	pid = fork();
	if (pid == 0) {
		if (refuse(nr, -1) < 0)
			_exit(2);
		errno = 4242;
		exit(listen(fd, 8) == 0 && errno == 4242 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		skipped(what, "no seccomp filter here");
	else
		report(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		       opt(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1 &&
		       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0,
		       what, "child status %d, listening %d, SO_REUSEADDR %d", st,
		       opt(fd, SOL_SOCKET, SO_ACCEPTCONN), opt(fd, SOL_SOCKET, SO_REUSEADDR));
	close(fd);
}

/* ---- main mode */

static void success_paths(void)
{
	struct sockaddr_in sin = v4("127.0.0.1", 0);
	struct sockaddr_in6 s6 = v6("::1", 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct res res;
	int fd, fd2, p[2], port;

	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == 0 && res.err == 4242 && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0,
	       "a TCP bind that succeeds: errno kept, no SO_REUSEADDR", SHOW(&res));
	call_listen(&res, fd);
	report(res.r == 0 && res.err == 4242 && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 1 &&
	       !strcmp(calls, "getsockname getsockopt getsockopt setsockopt "),
	       "its listen: getsockname, getsockopt x2, setsockopt; errno kept, SO_REUSEADDR 1",
	       SHOW(&res));
	close(fd);

	fd = sock(AF_INET6, SOCK_STREAM);
	call_bind(&res, fd, &s6, 24);
	call_listen(&res, fd);
	report(res.r == 0 && res.err == 4242 && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 1,
	       "an IPv6 listener bound with 24 bytes (RFC 2133): SO_REUSEADDR 1",
	       SHOW(&res));
	close(fd);

	fd = sock(AF_INET, SOCK_STREAM);
	call_listen(&res, fd);
	report(res.r == 0 && res.err == 4242 && port_of(fd) > 0 &&
	       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 && !strcmp(calls, "getsockname "),
	       "listen on a socket never bound (the port chosen by listen): getsockname only, no SO_REUSEADDR",
	       SHOW(&res));
	close(fd);

	fd = sock(AF_INET, SOCK_DGRAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	call_listen(&res, fd);
	report(res.r == -1 && res.err == EOPNOTSUPP && res.line[0] == '\0' &&
	       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
	       !strcmp(calls, "getsockname getsockopt "),
	       "listen on a bound UDP socket: getsockname, getsockopt(SO_TYPE); EOPNOTSUPP, no SO_REUSEADDR, no line",
	       SHOW(&res));
	close(fd);

	fd = sock(AF_UNIX, SOCK_STREAM);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/unix.sock", dir);
	unlink(sun.sun_path);
	call_bind(&res, fd, &sun, sizeof(sun));
	call_listen(&res, fd);
	report(res.r == 0 && res.err == 4242 && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
	       !strcmp(calls, "getsockname "),
	       "an AF_UNIX listener: getsockname only, errno kept, no SO_REUSEADDR", SHOW(&res));
	fd2 = sock(AF_UNIX, SOCK_STREAM);
	unexplained("an AF_UNIX bind to a path in use: EADDRINUSE, no line", fd2, &sun,
		    sizeof(sun), EADDRINUSE);
	close(fd2);
	close(fd);
	unlink(sun.sun_path);

	if (pipe2(p, O_CLOEXEC) == 0) {
		call_listen(&res, p[0]);
		report(res.r == -1 && res.err == ENOTSOCK && res.line[0] == '\0',
		       "listen on a pipe: ENOTSOCK, no line", SHOW(&res));
		unexplained("bind on a pipe: ENOTSOCK, no line", p[0], &sin, sizeof(sin),
			    ENOTSOCK);
		close(p[0]);
		close(p[1]);
	}
	call_listen(&res, -1);
	report(res.r == -1 && res.err == EBADF && res.line[0] == '\0',
	       "listen on descriptor -1: EBADF, no line", SHOW(&res));
	unexplained("bind on descriptor -1: EBADF, no line", -1, &sin, sizeof(sin), EBADF);

	/* What the success path uses, refused: the listen is made all the
	   same, without the option, and errno is the listen's. */
	listen_refused("listen with getsockopt refused by seccomp: listening, no SO_REUSEADDR, errno kept",
		       SYS_getsockopt);
	listen_refused("listen with getsockname refused by seccomp: listening, no SO_REUSEADDR, errno kept",
		       SYS_getsockname);
	listen_refused("listen with setsockopt refused by seccomp: listening, no SO_REUSEADDR, errno kept",
		       SYS_setsockopt);

	/* The program's own SO_REUSEADDR, and a listen that fails. */
	port = free_port(AF_INET6, SOCK_STREAM);
	s6 = v6("::1", port);
	fd = sock(AF_INET6, SOCK_STREAM);
	fd2 = sock(AF_INET6, SOCK_STREAM);
	setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	setopt(fd2, SOL_SOCKET, SO_REUSEADDR, 1);
	raw_bind(fd, &s6, sizeof(s6));
	raw_bind(fd2, &s6, sizeof(s6));
	raw_listen(fd);
	call_listen(&res, fd2);
	report(res.r == -1 && res.err == EADDRINUSE &&
	       opt(fd2, SOL_SOCKET, SO_REUSEADDR) == 1 &&
	       starts(calls, "getsockname getsockopt getsockopt ") && !strstr(calls, "setsockopt"),
	       "a listen that fails on a socket where the program set SO_REUSEADDR: no setsockopt, the option stays 1",
	       SHOW(&res));
	{
		char want[128];

		snprintf(want, sizeof(want), "pbmore: listen: tcp [::1]:%d: EADDRINUSE (98, ", port);
		report(one_line(res.line, want, "listening socket", NULL),
		       "and one line explains the IPv6 listen", "[%s]", res.line);
	}
	setenv("PORTBIND_LOG", "none", 1);
	call_listen(&res, fd2);
	report(res.r == -1 && res.err == EADDRINUSE && res.line[0] == '\0',
	       "the same with PORTBIND_LOG=none: no line anywhere", SHOW(&res));
	setenv("PORTBIND_LOG", logpath, 1);
	close(fd);
	close(fd2);
}

static void failures(void)
{
	struct sockaddr_storage big;
	struct sockaddr_in sin;
	struct sockaddr_in6 s6;
	struct res res;
	char want[256];
	int l, l6, fd, port, p6, i;

	/* Not one of these may wait. */
	setenv("PORTBIND_WAIT", "2", 1);

	port = free_port(AF_INET, SOCK_STREAM);
	l = listener(AF_INET, "127.0.0.1", port, 0);
	sin = v4("127.0.0.1", port);
	snprintf(want, sizeof(want),
		 "pbmore: bind: tcp 127.0.0.1:%d: EADDRINUSE (98, Address already in use): "
		 "held by 1 listening socket: LISTEN 127.0.0.1:%d uid %d pid %d (pbmore).",
		 port, port, (int)getuid(), (int)getpid());
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == -1 && res.err == EADDRINUSE && res.ms < 1000 &&
	       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0,
	       "a TCP bind to a listener's port with PORTBIND_WAIT=2: EADDRINUSE at once, no SO_REUSEADDR left",
	       SHOW(&res));
	report(one_line(res.line, want, "Fix: stop pid", NULL),
	       "and one line names the listener and its process", "[%s] wanted [%s]",
	       res.line, want);
	{
		long before = maps(), after;

		for (i = 0; i < 10; i++) {
			struct sockaddr_in na = v4("192.0.2.1", port);

			bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			bind(fd, (struct sockaddr *)&na, sizeof(na));
		}
		after = maps();
		take_log();
		report(before > 0 && after == before,
		       "20 failed binds (a listener's port, an address not here): no mapping left behind",
		       "VmSize %ld kB before, %ld kB after", before, after);
	}
	memset(&big, 0, sizeof(big));
	memcpy(&big, &sin, sizeof(sin));
	call_bind(&res, fd, &big, sizeof(big));
	report(res.r == -1 && res.err == EADDRINUSE && one_line(res.line, want, NULL),
	       "the same address in 128 bytes (sockaddr_storage): the same line", SHOW(&res));
	unexplained("in 129 bytes: EINVAL, no line", fd, &big, sizeof(big) + 1, EINVAL);
	unexplained("in 15 bytes: EINVAL, no line", fd, &sin, sizeof(sin) - 1, EINVAL);
	close(fd);

	/* getsockopt refused: the bind's own error all the same. */
	{
		pid_t pid = fork();
		int st = -1;

		if (pid == 0) {
			if (refuse(SYS_getsockopt, -1) < 0)
				_exit(2);
			fd = sock(AF_INET, SOCK_STREAM);
			errno = 0;
			exit(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
			      errno == EADDRINUSE ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		take_log();
		if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
			skipped("bind with getsockopt refused", "no seccomp filter here");
		else
			report(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			       "a bind to a listener's port with getsockopt refused by seccomp: EADDRINUSE",
			       "child status %d", st);
	}

	/* A signal whose handler runs during the diagnosis, PORTBIND_WAIT
	   set, a listener: no wait, and the line says nothing of one. */
	fd = sock(AF_INET, SOCK_STREAM);
	sig_armed = SIGALRM;
	setenv("PORTBIND_WAIT", "5", 1);
	i = alarms;
	call_bind(&res, fd, &sin, sizeof(sin));
	report(sig_armed == 0 && alarms == i + 1 && res.r == -1 && res.err == EADDRINUSE &&
	       res.ms < 1000 &&
	       one_line(res.line, want, NULL) && !strstr(res.line, "(PORTBIND_WAIT"),
	       "SIGALRM handled during the diagnosis, PORTBIND_WAIT=5, a listener: the handler runs once, at once, no note of a wait",
	       SHOW(&res));
	setenv("PORTBIND_WAIT", "2", 1);
	close(fd);

	/* The holder leaves right before the shim reads the socket table: the
	   bind failed, and nothing holds the address now.  Without a wait,
	   the bind's error and a line; with PORTBIND_WAIT, the wait binds. */
	{
		static const char *const waits[] = { NULL, "2" };
		int k;

		for (k = 0; k < 2; k++) {
			int lp = free_port(AF_INET, SOCK_STREAM), lf;
			struct sockaddr_in la = v4("127.0.0.1", lp);
			char lwant[128];

			lf = listener(AF_INET, "127.0.0.1", lp, 0);
			if (waits[k])
				setenv("PORTBIND_WAIT", waits[k], 1);
			else
				unsetenv("PORTBIND_WAIT");
			fd = sock(AF_INET, SOCK_STREAM);
			close_armed = lf;
			call_bind(&res, fd, &la, sizeof(la));
			if (close_armed >= 0)
				close(lf);
			snprintf(lwant, sizeof(lwant), "pbmore: bind: tcp 127.0.0.1:%d: EADDRINUSE (98, ", lp);
			if (!waits[k])
				report(close_armed == -1 && res.r == -1 && res.err == EADDRINUSE &&
				       one_line(res.line, lwant, "nothing holds it", NULL),
				       "the listener closed right before the shim reads the table, no PORTBIND_WAIT: EADDRINUSE, one line: nothing holds it",
				       SHOW(&res));
			else
				report(close_armed == -1 && res.r == 0 && res.err == 4242 &&
				       res.line[0] == '\0' && res.ms < 1500 &&
				       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0,
				       "the listener closed right before the shim reads the table, PORTBIND_WAIT=2: the wait binds at once, errno kept, no line",
				       SHOW(&res));
			close(fd);
		}
		setenv("PORTBIND_WAIT", "2", 1);
	}

	/* The holder leaves right before the shim reads the table, and
	   another listener comes right after that diagnosis found nothing:
	   the line names the listener there is when it is written, not
	   "nothing holds it". */
	{
		int lp = free_port(AF_INET, SOCK_STREAM), lf;
		struct sockaddr_in la = v4("127.0.0.1", lp);
		char lwant[128];
		int armed, good;

		lf = listener(AF_INET, "127.0.0.1", lp, 0);
		unsetenv("PORTBIND_WAIT");
		fd = sock(AF_INET, SOCK_STREAM);
		come_port = lp;
		come_fd = -1;
		come_armed = 1;
		close_armed = lf;
		call_bind(&res, fd, &la, sizeof(la));
		if (close_armed >= 0)
			close(lf);
		close_armed = -1;
		armed = come_armed;
		come_armed = 0;
		snprintf(lwant, sizeof(lwant), "pbmore: bind: tcp 127.0.0.1:%d: EADDRINUSE (98, ", lp);
		good = armed == 0 && come_fd >= 0 && res.r == -1 && res.err == EADDRINUSE &&
		       one_line(res.line, lwant, "listening socket", "Fix: stop pid", NULL) &&
		       !strstr(res.line, "nothing holds it");
		if (!good)
			printf("# still armed: %d (0: the listener came), its descriptor %d\n",
			       armed, come_fd);
		report(good,
		       "the listener closed right before the shim reads the table, another one listening right after it found nothing: EADDRINUSE, one line naming the new listener",
		       SHOW(&res));
		if (come_fd >= 0)
			close(come_fd);
		come_fd = -1;
		close(fd);
		setenv("PORTBIND_WAIT", "2", 1);
	}

	/* IPv6, and V6ONLY: [::]:P held by a v6-only listener and by an
	   IPv4 one on 0.0.0.0:P; a v6-only socket conflicts with one. */
	p6 = free_port(AF_INET6, SOCK_STREAM);
	l6 = listener(AF_INET6, "::", p6, 0);
	{
		int l4 = listener(AF_INET, "0.0.0.0", p6, 0);

		s6 = v6("::", p6);
		fd = sock(AF_INET6, SOCK_STREAM);
		setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		call_bind(&res, fd, &s6, sizeof(s6));
		snprintf(want, sizeof(want),
			 "pbmore: bind: tcp [::]:%d: EADDRINUSE (98, Address already in use): "
			 "held by 1 listening socket: LISTEN [::]:%d ", p6, p6);
		report(l4 >= 0 && res.r == -1 && res.err == EADDRINUSE && res.ms < 1000 &&
		       one_line(res.line, want, NULL),
		       "a v6-only TCP bind to [::]:P beside IPv4 and v6-only listeners: only the IPv6 one named",
		       SHOW(&res));
		call_bind(&res, fd, &s6, 24);
		report(res.r == -1 && res.err == EADDRINUSE && one_line(res.line, want, NULL),
		       "the same address in 24 bytes (RFC 2133): the same line", SHOW(&res));
		close(fd);
		close(l4);
	}
	close(l6);

	/* UDP: explained, never retried, never waited for. */
	{
		int u = sock(AF_INET, SOCK_DGRAM), u2 = sock(AF_INET, SOCK_DGRAM), up;

		sin = v4("127.0.0.1", 0);
		raw_bind(u, &sin, sizeof(sin));
		up = port_of(u);
		sin = v4("127.0.0.1", up);
		call_bind(&res, u2, &sin, sizeof(sin));
		snprintf(want, sizeof(want),
			 "pbmore: bind: udp 127.0.0.1:%d: EADDRINUSE (98, Address already in use): "
			 "held by 1 UDP socket: UDP bound 127.0.0.1:%d uid %d pid %d (pbmore).",
			 up, up, (int)getuid(), (int)getpid());
		report(res.r == -1 && res.err == EADDRINUSE && res.ms < 1000 &&
		       opt(u2, SOL_SOCKET, SO_REUSEADDR) == 0 && !strstr(calls, "setsockopt") &&
		       one_line(res.line, want, NULL),
		       "a UDP bind to a bound port: EADDRINUSE at once, no SO_REUSEADDR, one udp line naming the holder's process",
		       SHOW(&res));
		close(u);
		close(u2);
		u = sock(AF_INET6, SOCK_DGRAM);
		u2 = sock(AF_INET6, SOCK_DGRAM);
		s6 = v6("::1", 0);
		raw_bind(u, &s6, sizeof(s6));
		up = port_of(u);
		s6 = v6("::1", up);
		call_bind(&res, u2, &s6, sizeof(s6));
		snprintf(want, sizeof(want), "pbmore: bind: udp [::1]:%d: EADDRINUSE (98, ", up);
		report(res.r == -1 && res.err == EADDRINUSE && res.ms < 1000 &&
		       one_line(res.line, want, NULL),
		       "a UDP bind to a bound IPv6 port: one udp line", SHOW(&res));
		close(u);
		close(u2);
	}

	/* A v6-only UDP socket, [::]:P held by a v6-only UDP socket and
	   by an IPv4 one on 0.0.0.0:P: only the IPv6 one named. */
	{
		struct sockaddr_in s4;
		int a = sock(AF_INET6, SOCK_DGRAM), b = sock(AF_INET, SOCK_DGRAM), c, up;

		setopt(a, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		s6 = v6("::", 0);
		raw_bind(a, &s6, sizeof(s6));
		up = port_of(a);
		s4 = v4("0.0.0.0", up);
		s6 = v6("::", up);
		if (raw_bind(b, &s4, sizeof(s4)) < 0)
			report(0, "an IPv4 UDP socket beside a v6-only one", "%s", strerror(errno));
		c = sock(AF_INET6, SOCK_DGRAM);
		setopt(c, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		call_bind(&res, c, &s6, sizeof(s6));
		snprintf(want, sizeof(want),
			 "pbmore: bind: udp [::]:%d: EADDRINUSE (98, Address already in use): "
			 "held by 1 UDP socket: UDP bound [::]:%d ", up, up);
		report(res.r == -1 && res.err == EADDRINUSE && one_line(res.line, want, NULL),
		       "a v6-only UDP bind to [::]:P beside IPv4 and v6-only holders: only the IPv6 one named",
		       SHOW(&res));
		close(a);
		close(b);
		close(c);
	}

	/* EADDRNOTAVAIL: an address no interface has; port 0 too. */
	fd = sock(AF_INET, SOCK_STREAM);
	sin = v4("192.0.2.1", port);
	call_bind(&res, fd, &sin, sizeof(sin));
	snprintf(want, sizeof(want),
		 "pbmore: bind: tcp 192.0.2.1:%d: EADDRNOTAVAIL (99, Cannot assign requested address): ",
		 port);
	report(res.r == -1 && res.err == EADDRNOTAVAIL && res.ms < 1000 &&
	       one_line(res.line, want, NULL),
	       "a TCP bind to an address no interface has: EADDRNOTAVAIL, one line", SHOW(&res));
	sin = v4("192.0.2.1", 0);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == -1 && res.err == EADDRNOTAVAIL &&
	       one_line(res.line, "pbmore: bind: tcp 192.0.2.1:0: EADDRNOTAVAIL (99, ", NULL),
	       "the same with port 0: one line", SHOW(&res));
	close(fd);
	fd = sock(AF_INET6, SOCK_DGRAM);
	s6 = v6("2001:db8::1", port);
	call_bind(&res, fd, &s6, sizeof(s6));
	snprintf(want, sizeof(want), "pbmore: bind: udp [2001:db8::1]:%d: EADDRNOTAVAIL (99, ", port);
	report(res.r == -1 && res.err == EADDRNOTAVAIL && one_line(res.line, want, NULL),
	       "a UDP IPv6 bind to an address no interface has: one line", SHOW(&res));
	close(fd);

	/* Errors that are not explained. */
	fd = sock(AF_INET, SOCK_STREAM);
	sin = v4("127.0.0.1", 0);
	raw_bind(fd, &sin, sizeof(sin));
	sin = v4("127.0.0.1", port);
	unexplained("a second bind of a bound TCP socket: EINVAL, no line", fd, &sin,
		    sizeof(sin), EINVAL);
	close(fd);
	fd = sock(AF_INET6, SOCK_STREAM);
	sin = v4("127.0.0.1", port);
	unexplained("an IPv4 address on an IPv6 socket: EINVAL, no line", fd, &sin, sizeof(sin),
		    EINVAL);
	close(fd);
	if (is_root) {
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
		sin = v4("192.0.2.1", 0);
		unexplained("a raw IPv4 socket bound to an address no interface has: EADDRNOTAVAIL, no line",
			    fd, &sin, sizeof(sin), EADDRNOTAVAIL);
		close(fd);
	} else {
		skipped("a raw socket's failed bind", "raw sockets need root");
	}

	/* EACCES: a port below 1024 without CAP_NET_BIND_SERVICE. */
	{
		pid_t pid;
		int st;

		take_log();
		pid = fork();
		if (pid == 0) {
			struct { unsigned version; int pid; } hdr = { 0x20080522, 0 };
			struct { unsigned eff, perm, inh; } data[2];

			memset(data, 0, sizeof(data));
			if (is_root && syscall(SYS_capset, &hdr, data) < 0)
				_exit(3);
			fd = sock(AF_INET, SOCK_STREAM);
			sin = v4("127.0.0.1", 80);
			errno = 0;
			exit(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
			      errno == EACCES ? 0 : 4);
		}
		st = -1;
		waitpid(pid, &st, 0);
		snprintf(res.line, sizeof(res.line), "%s", take_log());
		report(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		       one_line(res.line, "pbmore: bind: tcp 127.0.0.1:80: EACCES (13, Permission denied): ",
				NULL),
		       "a TCP bind to port 80 without the capability: EACCES, one line",
		       "child status %d, line [%s]", st, res.line);
	}
	close(l);
	unsetenv("PORTBIND_WAIT");
}

struct small {
	int fd;
	struct sockaddr_in sin;
	struct res res;
};

static void *small_bind(void *p)
{
	struct small *arg = p;

	call_bind(&arg->res, arg->fd, &arg->sin, sizeof(arg->sin));
	return NULL;
}

struct waitcase {
	const char *value;
	int waits;		/* 1: waits and runs out, 0: fails at once */
	int min_ms;
};

static void waits(void)
{
	static const struct waitcase cases[] = {
		{ NULL, 0, 0 }, { "", 0, 0 }, { "0", 0, 0 }, { "0.0", 0, 0 },
		{ "abc", 0, 0 }, { "1x", 0, 0 }, { "-1", 0, 0 }, { " 1", 0, 0 },
		{ "1 ", 0, 0 }, { "+1", 0, 0 }, { "0x1", 0, 0 }, { "0.2.1", 0, 0 },
		{ "0.0009", 0, 0 }, { "0.05x", 0, 0 }, { "0.", 0, 0 }, { "0.001", 1, 1 }, { "0.009", 1, 9 }, { "0.05", 1, 50 },
		{ "0.12", 1, 120 },
	};
	struct sockaddr_in sin;
	struct sockaddr_in6 s6;
	struct res res;
	struct tw t, t6;
	char want[256], what[256];
	size_t i;
	int fd;

	if (make_tw(AF_INET, "127.0.0.1", 0, &t) < 0) {
		report(0, "a TIME_WAIT socket without SO_REUSEADDR", "could not make one");
		return;
	}
	sin = v4("127.0.0.1", t.port);
	snprintf(want, sizeof(want),
		 "pbmore: bind: tcp 127.0.0.1:%d: EADDRINUSE (98, Address already in use): "
		 "held only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:%d -> 127.0.0.1:%d ",
		 t.port, t.port, t.peer);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct waitcase *c = &cases[i];
		int limit = c->min_ms + 900;

		if (c->value)
			setenv("PORTBIND_WAIT", c->value, 1);
		else
			unsetenv("PORTBIND_WAIT");
		fd = sock(AF_INET, SOCK_STREAM);
		call_bind(&res, fd, &sin, sizeof(sin));
		snprintf(what, sizeof(what),
			 "over TIME_WAIT without SO_REUSEADDR, PORTBIND_WAIT %s%s%s: %s",
			 c->value ? "\"" : "", c->value ? c->value : "unset", c->value ? "\"" : "",
			 c->waits ? "waits, runs out, says so; no SO_REUSEADDR set"
				  : "no wait; no SO_REUSEADDR set");
		report(res.r == -1 && res.err == EADDRINUSE && res.ms >= c->min_ms &&
		       res.ms < limit && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
		       !strstr(calls, "setsockopt") &&
		       one_line(res.line, want, "Fix: start the program with PORTBIND_WAIT=", NULL) &&
		       (c->waits ? strstr(res.line, ". (PORTBIND_WAIT ran out first)\n") != NULL
				 : strstr(res.line, "(PORTBIND_WAIT") == NULL),
		       what, SHOW(&res));
		close(fd);
	}

	/* Past 3600 s, however long the number: capped, still a wait (a
	   signal handler ends it). */
	{
		static const char *const big[] = { "9", "3601", "99999999999999999999999", "3600.5" };
		struct itimerval it = { { 0, 0 }, { 0, 100000 } };

		for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
			setenv("PORTBIND_WAIT", big[i], 1);
			fd = sock(AF_INET, SOCK_STREAM);
			setitimer(ITIMER_REAL, &it, NULL);
			call_bind(&res, fd, &sin, sizeof(sin));
			snprintf(what, sizeof(what),
				 "PORTBIND_WAIT=%s waits (%s) until SIGALRM's handler runs 100 ms in",
				 big[i], i ? "at most 3600 s" : "9 s");
			report(res.r == -1 && res.err == EADDRINUSE && res.ms >= 95 &&
			       res.ms < 1500 &&
			       one_line(res.line, want, "(PORTBIND_WAIT: interrupted by a signal)\n",
					NULL),
			       what, SHOW(&res));
			close(fd);
		}
	}

	/* A signal blocked and pending before bind does not end the wait,
	   and stays pending for the program. */
	{
		sigset_t set, pend;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGUSR1);
		setenv("PORTBIND_WAIT", "0.1", 1);
		fd = sock(AF_INET, SOCK_STREAM);
		call_bind(&res, fd, &sin, sizeof(sin));
		sigpending(&pend);
		report(res.r == -1 && res.err == EADDRINUSE && res.ms >= 100 && res.ms < 1100 &&
		       sigismember(&pend, SIGUSR1) == 1 &&
		       one_line(res.line, want, "(PORTBIND_WAIT ran out first)\n", NULL),
		       "SIGUSR1 blocked and pending before bind: the wait runs out all the same, SIGUSR1 still pending",
		       SHOW(&res));
		close(fd);
		{
			struct timespec zero = { 0, 0 };

			sigtimedwait(&set, NULL, &zero);
		}
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}

	/* A signal the program blocks, sent during the wait's first
	   diagnosis: the wait ends at once, the signal stays pending. */
	{
		sigset_t set, pend;
		struct timespec zero = { 0, 0 };

		static const char *const waits[] = { "5", "0.001" };

		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		for (i = 0; i < 2; i++) {
			setenv("PORTBIND_WAIT", waits[i], 1);
			fd = sock(AF_INET, SOCK_STREAM);
			sig_armed = SIGUSR2;
			call_bind(&res, fd, &sin, sizeof(sin));
			sigpending(&pend);
			snprintf(what, sizeof(what),
				 "SIGUSR2 blocked, sent during the diagnosis before a PORTBIND_WAIT=%s wait: at once, still pending, the line says so",
				 waits[i]);
			report(sig_armed == 0 && res.r == -1 && res.err == EADDRINUSE && res.ms < 1000 &&
			       sigismember(&pend, SIGUSR2) == 1 &&
			       one_line(res.line, want, "(PORTBIND_WAIT: interrupted by a signal)\n", NULL),
			       what, SHOW(&res));
			close(fd);
			sigtimedwait(&set, NULL, &zero);
		}
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}

	/* IPv6 TIME_WAIT. */
	if (make_tw(AF_INET6, "::1", 0, &t6) == 0) {
		char want6[160];

		setenv("PORTBIND_WAIT", "0.05", 1);
		s6 = v6("::1", t6.port);
		fd = sock(AF_INET6, SOCK_STREAM);
		call_bind(&res, fd, &s6, sizeof(s6));
		snprintf(want6, sizeof(want6),
			 "pbmore: bind: tcp [::1]:%d: EADDRINUSE (98, Address already in use): "
			 "held only by 1 socket in TIME_WAIT: TIME_WAIT [::1]:%d -> [::1]:%d ",
			 t6.port, t6.port, t6.peer);
		report(res.r == -1 && res.err == EADDRINUSE && res.ms >= 50 &&
		       one_line(res.line, want6, "(PORTBIND_WAIT ran out first)\n", NULL),
		       "over an IPv6 TIME_WAIT, PORTBIND_WAIT=0.05: waits, runs out, says so",
		       SHOW(&res));
		close(fd);
	} else {
		report(0, "an IPv6 TIME_WAIT socket", "could not make one");
	}

	/* A small stack: the wait in a thread of PTHREAD_STACK_MIN. */
	{
		pthread_attr_t a;
		pthread_t th;
		struct small *arg = calloc(1, sizeof(*arg));

		setenv("PORTBIND_WAIT", "0.05", 1);
		arg->fd = sock(AF_INET, SOCK_STREAM);
		arg->sin = sin;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
		if (pthread_create(&th, &a, small_bind, arg) == 0) {
			pthread_join(th, NULL);
			report(arg->res.r == -1 && arg->res.err == EADDRINUSE &&
			       one_line(arg->res.line, want, "(PORTBIND_WAIT ran out first)\n", NULL),
			       "the wait in a thread with a PTHREAD_STACK_MIN stack",
			       SHOW(&arg->res));
		}
		close(arg->fd);
		free(arg);
	}

	/* The wait succeeds when the TIME_WAIT goes (SOCK_DESTROY). */
	if (!is_root) {
		skipped("a wait that binds once the TIME_WAIT is gone", "SOCK_DESTROY needs root");
	} else {
		pid_t pid;
		int st;

		setenv("PORTBIND_WAIT", "0.4", 1);
		fd = sock(AF_INET, SOCK_STREAM);
		pid = fork();
		if (pid == 0) {
			usleep(100000);
			_exit(destroy_tw(&t) == 0 ? 0 : 1);
		}
		call_bind(&res, fd, &sin, sizeof(sin));
		st = -1;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			skipped("a wait that binds once the TIME_WAIT is gone",
				"this kernel cannot destroy a TIME_WAIT socket");
		else
			report(res.r == 0 && res.err == 4242 && res.line[0] == '\0' &&
			       res.ms >= 95 && res.ms < 1400 &&
			       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0,
			       "PORTBIND_WAIT=0.4, the TIME_WAIT destroyed 100 ms in: bind returns 0, errno kept, no line, no SO_REUSEADDR",
			       SHOW(&res));
		close(fd);
	}
	/* The TIME_WAIT goes and a listener takes the port during the wait:
	   the wait ends with the listener named, not "ran out". */
	if (!is_root)
		skipped("a listener that takes the port during the wait", "SOCK_DESTROY needs root");
	else if (make_tw(AF_INET, "127.0.0.1", 0, &t) < 0)
		report(0, "a TIME_WAIT socket for the listener case", "could not make one");
	else {
		int ctl[2], st = -1;
		pid_t pid;
		char c = 0;

		if (pipe2(ctl, O_CLOEXEC) < 0)
			return;
		setenv("PORTBIND_WAIT", "0.4", 1);
		sin = v4("127.0.0.1", t.port);
		fd = sock(AF_INET, SOCK_STREAM);
		pid = fork();
		if (pid == 0) {
			int l;

			close(ctl[1]);
			usleep(100000);
			if (destroy_tw(&t) != 0 ||
			    (l = listener(AF_INET, "127.0.0.1", t.port, 0)) < 0)
				_exit(1);
			(void)!read(ctl[0], &c, 1);	/* until the parent is done */
			_exit(0);
		}
		close(ctl[0]);
		call_bind(&res, fd, &sin, sizeof(sin));
		close(ctl[1]);
		waitpid(pid, &st, 0);
		/* The listener's bind and listen are two calls: the wait
		   may look between them and see a bound socket.  Either
		   way the TIME_WAIT is gone: no "ran out" note. */
		snprintf(want, sizeof(want),
			 "pbmore: bind: tcp 127.0.0.1:%d: EADDRINUSE (98, Address already in use): held by ",
			 t.port);
		report(WIFEXITED(st) && WEXITSTATUS(st) == 0 && res.r == -1 &&
		       res.err == EADDRINUSE && res.ms < 1500 && one_line(res.line, want, NULL) &&
		       !strstr(res.line, "TIME_WAIT") && !strstr(res.line, "(PORTBIND_WAIT"),
		       "PORTBIND_WAIT=0.4, the TIME_WAIT replaced by a listener 100 ms in: EADDRINUSE, the line names the new holder, no note",
		       "child status %d; " "returned %d, errno %d, %d ms, line [%s] wanted [%s]", st,
		       res.r, res.err, res.ms, res.line, want);
		close(fd);
	}
	unsetenv("PORTBIND_WAIT");
}

/* TIME_WAIT that carries SO_REUSEADDR: the retry with the option. */
static void retries(void)
{
	struct sockaddr_in sin;
	struct res res;
	struct tw t;
	char want[256];
	int fd, other;

	if (make_tw(AF_INET, "127.0.0.1", 1, &t) < 0) {
		report(0, "a TIME_WAIT socket with SO_REUSEADDR", "could not make one");
		return;
	}
	sin = v4("127.0.0.1", t.port);
	snprintf(want, sizeof(want), "pbmore: bind: tcp 127.0.0.1:%d: EADDRINUSE (98, ", t.port);

	/* Refused by seccomp: no table, no second bind. */
	{
		pid_t pid;
		int st;

		take_log();
		pid = fork();
		if (pid == 0) {
			if (refuse(SYS_socket, AF_NETLINK) < 0)
				_exit(2);
			fd = sock(AF_INET, SOCK_STREAM);
			errno = 0;
			exit(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
			      errno == EADDRINUSE && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 ? 0 : 1);
		}
		st = -1;
		waitpid(pid, &st, 0);
		snprintf(res.line, sizeof(res.line), "%s", take_log());
		if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
			skipped("netlink refused by seccomp", "no seccomp filter here");
		else
			report(WIFEXITED(st) && WEXITSTATUS(st) == 0 && one_line(res.line, want, NULL),
			       "over TIME_WAIT with SO_REUSEADDR, netlink refused by seccomp: no second bind, EADDRINUSE, one line",
			       "child status %d, line [%s]", st, res.line);
	}

	/* The table answers the diagnosis (TIME_WAIT alone), then the
	   kernel refuses the request for the bound-only sockets on the
	   port: the table could not be read, so no second bind. */
	{
		pid_t pid;
		int st;

		take_log();
		pid = fork();
		if (pid == 0) {
			int r;

			unsetenv("PORTBIND_WAIT");
			fd = sock(AF_INET, SOCK_STREAM);
			refuse_armed = 1;
			calls[0] = '\0';
			watch_fd = fd;
			watch = 1;
			errno = 0;
			r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			watch = 0;
			if (refuse_armed == 2)
				_exit(2);
			exit(refuse_armed == 0 && r == -1 && errno == EADDRINUSE &&
			     opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
			     !strstr(calls, "setsockopt") ? 0 : 1);
		}
		st = -1;
		waitpid(pid, &st, 0);
		snprintf(res.line, sizeof(res.line), "%s", take_log());
		if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
			skipped("the bound-only sockets' table refused by seccomp", "no seccomp filter here");
		else
			report(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
			       one_line(res.line, want, "TIME_WAIT", NULL),
			       "over TIME_WAIT with SO_REUSEADDR, the table read but its bound-only sockets refused by seccomp: no option set, no second bind, EADDRINUSE, one line",
			       "child status %d, line [%s]", st, res.line);
	}

	/* A socket bound with SO_REUSEADDR on another address, same port. */
	other = sock(AF_INET, SOCK_STREAM);
	setopt(other, SOL_SOCKET, SO_REUSEADDR, 1);
	{
		struct sockaddr_in o = v4("127.0.0.2", t.port);

		raw_bind(other, &o, sizeof(o));
	}
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == -1 && res.err == EADDRINUSE && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
	       !strstr(calls, "setsockopt") && one_line(res.line, want, NULL),
	       "over TIME_WAIT with SO_REUSEADDR and a socket bound with it on 127.0.0.2, same port: no option set, refused, one line",
	       SHOW(&res));
	close(fd);
	close(other);

	/* An established connection on the port, bound with the option. */
	{
		int l = listener(AF_INET, "127.0.0.1", 0, 0), c, a = -1;
		struct sockaddr_in to = v4("127.0.0.1", port_of(l));

		c = sock(AF_INET, SOCK_STREAM);
		setopt(c, SOL_SOCKET, SO_REUSEADDR, 1);
		raw_bind(c, &sin, sizeof(sin));
		if (connect(c, (struct sockaddr *)&to, sizeof(to)) == 0)
			a = accept(l, NULL, NULL);
		fd = sock(AF_INET, SOCK_STREAM);
		call_bind(&res, fd, &sin, sizeof(sin));
		report(a >= 0 && res.r == -1 && res.err == EADDRINUSE &&
		       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 && !strstr(calls, "setsockopt") &&
		       one_line(res.line, want, NULL),
		       "over TIME_WAIT with SO_REUSEADDR and a connection from the same address: no option set, refused, one line",
		       SHOW(&res));
		close(fd);
		close(a);
		close(c);
		close(l);
	}

	/* Then alone: the retry binds, the option back to 0. */
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == 0 && res.err == 4242 && res.line[0] == '\0' &&
	       opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
	       !strcmp(calls, "getsockopt getsockopt setsockopt setsockopt "),
	       "over TIME_WAIT with SO_REUSEADDR alone: SO_TYPE, SO_REUSEADDR read, set, bound, set back; returns 0, errno kept, no line",
	       SHOW(&res));
	close(fd);
}

/*
 * portbind-preload(8): a line is written with at most 8 calls, each
 * going on where the last one stopped; a call that writes nothing ends
 * it.  PORTBIND_LOG's file, given at most take_most bytes a write(2).
 */
static int good_parts;

/* good, into good_parts; when not, the calls made, before the report. */
static void parts(int good, int cap, int len)
{
	good_parts = good;
	if (!good)
		printf("# %d calls taking at most %d bytes each, for a line of %d\n",
		       short_calls, cap, len);
}

static void short_writes(void)
{
	struct sockaddr_in sin = v4("192.0.2.1", 4000);
	struct res res;
	char whole[4096];
	const char *want = "pbmore: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, ";
	int fd, len, cap;

	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	close(fd);
	snprintf(whole, sizeof(whole), "%s", res.line);
	len = (int)strlen(whole);
	if (!one_line(whole, want, NULL) || len < 64) {
		report(0, "a line to write in parts", SHOW(&res));
		return;
	}
	/* One byte a write: the first 8 bytes, in 8 calls. */
	take_most = 1;
	short_calls = 0;
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	close(fd);
	take_most = -1;
	parts(res.r == -1 && res.err == EADDRNOTAVAIL && short_calls == 8 &&
	      strlen(res.line) == 8 && !strncmp(res.line, whole, 8), 1, len);
	report(good_parts,
	       "PORTBIND_LOG's file taking 1 byte a write: 8 writes, the line's first 8 bytes",
	       SHOW(&res));
	/* The line in exactly 8 parts: whole. */
	cap = (len + 7) / 8;
	take_most = cap;
	short_calls = 0;
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	close(fd);
	take_most = -1;
	parts(7 * cap < len && short_calls == 8 && !strcmp(res.line, whole), cap, len);
	report(good_parts,
	       "PORTBIND_LOG's file taking an eighth of the line a write: 8 writes, the line whole",
	       SHOW(&res));
	/* A write that writes nothing ends it. */
	take_most = 0;
	short_calls = 0;
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	close(fd);
	take_most = -1;
	parts(res.r == -1 && res.err == EADDRNOTAVAIL && short_calls == 1 && res.line[0] == '\0',
	      0, len);
	report(good_parts,
	       "PORTBIND_LOG's file taking nothing: one write, no more, nothing written",
	       SHOW(&res));
}

static void *thread_bind(void *p)
{
	struct sockaddr_in sin = v4("192.0.2.7", *(int *)p);
	int fd = sock(AF_INET, SOCK_STREAM), i;

	for (i = 0; i < 5; i++)
		bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return NULL;
}

struct named {
	const char *name;
	int fd;
};

static void *named_thread_bind(void *p)
{
	struct named *n = p;
	struct sockaddr_in sin = v4("192.0.2.1", 4000);

	prctl(PR_SET_NAME, (unsigned long)n->name, 0UL, 0UL, 0UL);
	watch = 1;
	bind(n->fd, (struct sockaddr *)&sin, sizeof(sin));
	watch = 0;
	return NULL;
}

static volatile sig_atomic_t pipes;	/* SIGPIPE handler runs */

static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

/*
 * A SIGPIPE sent to the process (kill(2), as another process would)
 * while the shim writes its line to descriptor 2 (the 2>> log at path):
 * delivered once the shim's mask is back.  Only a write that failed with
 * EPIPE has its SIGPIPE taken back, not one that succeeded while errno
 * still held an EPIPE left by an earlier call (the write wrapper above
 * leaves one there).
 */
static void sigpipe_during_write(const struct sockaddr_in *sin, const char *path)
{
	const char *what = "a SIGPIPE kill(2)ed during the write to descriptor 2, errno a stale EPIPE: delivered after";
	struct stat st;
	off_t before;
	int status = -1;
	pid_t pid;

	stat(path, &st);
	before = st.st_size;
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		int fd = sock(AF_INET, SOCK_STREAM), e;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_pipe;
		sigaction(SIGPIPE, &sa, NULL);
		setenv("PORTBIND_LOG", "stderr", 1);
		pipe_armed = 1;
		e = bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) == -1 ? errno : 0;
		_exit((pipes == 1 ? 0 : 1) | (e == EADDRNOTAVAIL ? 0 : 4) |
		      (pipe_armed == 0 ? 0 : 8));
	}
	waitpid(pid, &status, 0);
	stat(path, &st);
	report(WIFEXITED(status) && WEXITSTATUS(status) == 0 && st.st_size > before, what,
	       "child status %#x (1: SIGPIPE not delivered once, 4: errno not EADDRNOTAVAIL, 8: no write), the log grew by %lld bytes",
	       status, (long long)(st.st_size - before));
}

static void destinations(void)
{
	struct sockaddr_in sin = v4("192.0.2.1", 4000);
	char path[600], buf[8192], want[160], *s;
	struct res res;
	struct stat st;
	int fd = sock(AF_INET, SOCK_STREAM), errfd, n, i, fifo;
	off_t before;

	snprintf(want, sizeof(want), "pbmore: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, ");

	/* PORTBIND_PRELOAD: only "quiet" silences. */
	{
		static const char *const loud[] = { "QUIET", "quiet ", "1", "", "none" };

		for (i = 0; i < (int)(sizeof(loud) / sizeof(loud[0])); i++) {
			char what[128];

			setenv("PORTBIND_PRELOAD", loud[i], 1);
			call_bind(&res, fd, &sin, sizeof(sin));
			snprintf(what, sizeof(what), "PORTBIND_PRELOAD=\"%s\" is not quiet: one line",
				 loud[i]);
			report(res.err == EADDRNOTAVAIL && one_line(res.line, want, NULL), what,
			       SHOW(&res));
		}
		setenv("PORTBIND_PRELOAD", "quiet", 1);
		call_bind(&res, fd, &sin, sizeof(sin));
		report(res.err == EADDRNOTAVAIL && res.line[0] == '\0',
		       "PORTBIND_PRELOAD=quiet: no line", SHOW(&res));
		unsetenv("PORTBIND_PRELOAD");
	}

	/* Descriptor 2 is a 2>> log the script opened: PORTBIND_LOG=stderr
	   and unknown values write there. */
	snprintf(path, sizeof(path), "%s/stderr", dir);
	{
		static const char *const to_stderr[] = { "stderr", "Stderr", "syslog2", "relative/log", "" };

		for (i = 0; i < (int)(sizeof(to_stderr) / sizeof(to_stderr[0])); i++) {
			char what[128];

			stat(path, &st);
			before = st.st_size;
			setenv("PORTBIND_LOG", to_stderr[i], 1);
			call_bind(&res, fd, &sin, sizeof(sin));
			errfd = open(path, O_RDONLY | O_CLOEXEC);
			n = (int)pread(errfd, buf, sizeof(buf) - 1, before);
			buf[n > 0 ? n : 0] = '\0';
			close(errfd);
			snprintf(what, sizeof(what),
				 "PORTBIND_LOG=\"%s\": the line goes to descriptor 2 (2>> log)", to_stderr[i]);
			report(res.err == EADDRNOTAVAIL && one_line(buf, want, NULL) && res.line[0] == '\0',
			       what, "stderr got [%s]", buf);
		}
	}
	/* The same file on descriptor 2, opened read-only: not written. */
	{
		int saved = dup(2), ro = open(path, O_RDONLY | O_CLOEXEC);

		stat(path, &st);
		before = st.st_size;
		dup2(ro, 2);
		setenv("PORTBIND_LOG", "stderr", 1);
		call_bind(&res, fd, &sin, sizeof(sin));
		dup2(saved, 2);
		close(saved);
		close(ro);
		stat(path, &st);
		report(res.err == EADDRNOTAVAIL && st.st_size == before && res.line[0] == '\0',
		       "PORTBIND_LOG=stderr, descriptor 2 the same log opened read-only: no line anywhere",
		       "stderr grew by %lld bytes", (long long)(st.st_size - before));
	}

	sigpipe_during_write(&sin, path);

	/* Descriptor 2 replaced by files of the program's own, opened
	   O_APPEND: on the same file system, and on another one (/dev/shm),
	   neither is the log it was started with. */
	{
		static const char *const where[] = { NULL, "/dev/shm" };
		struct stat here;
		int saved = dup(2), own;

		stat(dir, &here);
		setenv("PORTBIND_LOG", "stderr", 1);
		for (i = 0; i < 2; i++) {
			char what[160], file[600];

			snprintf(file, sizeof(file), "%s/own-%d", where[i] ? where[i] : dir, (int)getpid());
			if (where[i] && (stat(where[i], &st) < 0 || st.st_dev == here.st_dev)) {
				skipped("a file of the program's own on another file system",
					"no /dev/shm on another file system");
				continue;
			}
			own = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
			dup2(own, 2);
			call_bind(&res, fd, &sin, sizeof(sin));
			dup2(saved, 2);
			fstat(own, &st);
			close(own);
			unlink(file);
			snprintf(what, sizeof(what),
				 "PORTBIND_LOG=stderr, descriptor 2 a file the program opened O_APPEND%s: no line",
				 where[i] ? " on another file system" : "");
			report(res.err == EADDRNOTAVAIL && st.st_size == 0 && res.line[0] == '\0', what,
			       "the file has %lld bytes", (long long)st.st_size);
		}
		close(saved);
	}

	/* Descriptor 2 a pipe of the program's own, where a 2>> log was at
	   start: another type, not the log. */
	{
		int saved = dup(2), p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0) {
			setenv("PORTBIND_LOG", "stderr", 1);
			dup2(p[1], 2);
			call_bind(&res, fd, &sin, sizeof(sin));
			dup2(saved, 2);
			n = (int)read(p[0], buf, sizeof(buf) - 1);
			report(res.err == EADDRNOTAVAIL && n <= 0,
			       "PORTBIND_LOG=stderr, descriptor 2 a pipe the program made (a 2>> log at start): nothing written",
			       "the pipe got %d bytes", n);
			close(p[0]);
			close(p[1]);
		}
		close(saved);
	}

	/* PORTBIND_LOG naming a character device: a terminal's slave. */
	{
		int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		char *slave = m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 ? ptsname(m) : NULL;
		struct pollfd pfd = { .fd = m, .events = POLLIN };

		if (!slave) {
			skipped("PORTBIND_LOG naming a terminal", "no pseudo-terminal");
		} else {
			int keep = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
			struct termios tio;

			/* raw: the line as written */
			tcgetattr(keep, &tio);
			cfmakeraw(&tio);
			tcsetattr(keep, TCSANOW, &tio);
			setenv("PORTBIND_LOG", slave, 1);
			call_bind(&res, fd, &sin, sizeof(sin));
			n = poll(&pfd, 1, 1000) == 1 ? (int)read(m, buf, sizeof(buf) - 1) : 0;
			buf[n > 0 ? n : 0] = '\0';
			report(res.err == EADDRNOTAVAIL && one_line(buf, want, NULL),
			       "PORTBIND_LOG naming a pseudo-terminal's slave: the line reaches the master",
			       "master got [%s]", buf);
			close(keep);
		}
		if (m >= 0)
			close(m);
	}

	/* PORTBIND_LOG naming a directory, a socket, a FIFO with a reader. */
	snprintf(path, sizeof(path), "%s/adir", dir);
	mkdir(path, 0700);
	setenv("PORTBIND_LOG", path, 1);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == -1 && res.err == EADDRNOTAVAIL, "PORTBIND_LOG naming a directory: errno kept",
	       SHOW(&res));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	mkfifo(path, 0600);
	fifo = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	setenv("PORTBIND_LOG", path, 1);
	call_bind(&res, fd, &sin, sizeof(sin));
	n = (int)read(fifo, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	report(res.err == EADDRNOTAVAIL && one_line(buf, want, NULL),
	       "PORTBIND_LOG naming a FIFO that has a reader: the line arrives", "fifo got [%s]", buf);
	close(fifo);
	setenv("PORTBIND_LOG", logpath, 1);

	/* The program's name is the main thread's command name, whichever
	   thread binds, with descriptor 0 closed (the next the shim opens);
	   an empty one is "?". */
	{
		struct named n = { "worker-3", sock(AF_INET, SOCK_STREAM) };
		int saved0 = dup(0);
		pthread_t th;

		prctl(PR_SET_NAME, (unsigned long)"x", 0UL, 0UL, 0UL);
		take_log();
		close(0);
		pthread_create(&th, NULL, named_thread_bind, &n);
		pthread_join(th, NULL);
		dup2(saved0, 0);
		close(saved0);
		s = take_log();
		report(one_line(s, "x: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, ", NULL),
		       "the program named x, a thread named worker-3 binds, descriptor 0 closed: the line names x and reaches PORTBIND_LOG",
		       "got [%s]", s);
		prctl(PR_SET_NAME, (unsigned long)"", 0UL, 0UL, 0UL);
		call_bind(&res, n.fd, &sin, sizeof(sin));
		prctl(PR_SET_NAME, (unsigned long)"pbmore", 0UL, 0UL, 0UL);
		report(one_line(res.line, "?: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, ", NULL),
		       "a program whose command name is empty: the line names it ?", SHOW(&res));
		close(n.fd);
	}

	/* No address space left for the shim's workspace (RLIMIT_AS): the
	   bind's own error all the same, no line. */
	{
		pid_t pid;
		int st = -1;

		take_log();
		pid = fork();
		if (pid == 0) {
			struct rlimit rl = { 0, 0 };
			struct sockaddr_in na = v4("192.0.2.1", 4000);
			char status[4096];
			long vm = 0;
			int sfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC), k, ok2;
			ssize_t got = sfd >= 0 ? read(sfd, status, sizeof(status) - 1) : -1;
			char *v;

			close(sfd);
			status[got > 0 ? got : 0] = '\0';
			v = strstr(status, "VmSize:");
			if (!v || sscanf(v, "VmSize: %ld", &vm) != 1)
				_exit(2);
			k = sock(AF_INET, SOCK_STREAM);
			rl.rlim_cur = rl.rlim_max = (rlim_t)vm * 1024 + 4096;
			if (setrlimit(RLIMIT_AS, &rl) < 0)
				_exit(2);
			errno = 0;
			ok2 = bind(k, (struct sockaddr *)&na, sizeof(na)) == -1 && errno == EADDRNOTAVAIL;
			_exit(ok2 ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		s = take_log();
		if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
			skipped("bind without address space for the shim", "cannot read VmSize or set RLIMIT_AS");
		else
			report(WIFEXITED(st) && WEXITSTATUS(st) == 0 && s[0] == '\0',
			       "no address space left for the shim's workspace (RLIMIT_AS): EADDRNOTAVAIL all the same, no line",
			       "child status %d, line [%s]", st, s);
	}

	/* Threads failing at once: each line whole. */
	{
		pthread_t th[4];
		int ports[4] = { 4001, 4002, 4003, 4004 }, good = 1, counts[4] = { 0 };
		char *e;

		take_log();
		for (i = 0; i < 4; i++)
			pthread_create(&th[i], NULL, thread_bind, &ports[i]);
		for (i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
		s = take_log();
		for (; *s; s = e + 1) {
			int p;

			e = strchr(s, '\n');
			if (!e || sscanf(s, "pbmore: bind: tcp 192.0.2.7:%d: EADDRNOTAVAIL (99, ", &p) != 1 ||
			    p < 4001 || p > 4004) {
				good = 0;
				break;
			}
			counts[p - 4001]++;
		}
		for (i = 0; i < 4; i++)
			good &= counts[i] == 5;
		report(good, "4 threads, 5 failed binds each: 20 whole lines",
		       "counts %d %d %d %d", counts[0], counts[1], counts[2], counts[3]);
	}
	close(fd);
}

/* ---- ns mode: syslog, journal, names (root) */

static int dgram_server(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = sock(AF_UNIX, SOCK_DGRAM);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (raw_bind(fd, &sun, sizeof(sun)) < 0)
		return -1;
	return fd;
}

static ssize_t take(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	buf[0] = '\0';
	if (poll(&p, 1, ms) != 1)
		return 0;
	n = recv(fd, buf, size - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* One failed bind (to addr, or 192.0.2.1:4000, which no interface has)
   whose line may go to syslog; what /dev/log got.  The shim sends it
   before bind returns: nothing is waited for. */
static int pre_fd = -1;	/* the socket to bind, made before, if >= 0 */

static void syslog_bind_to(int logfd, char *buf, size_t size, const struct sockaddr_in *addr)
{
	struct sockaddr_in sin = addr ? *addr : v4("192.0.2.1", 4000);
	int fd = pre_fd >= 0 ? pre_fd : sock(AF_INET, SOCK_STREAM);

	while (take(logfd, buf, size, 0) > 0)
		;
	watch = 1;
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	watch = 0;
	close(fd);
	take(logfd, buf, size, 0);
}

static void syslog_bind(int logfd, char *buf, size_t size)
{
	syslog_bind_to(logfd, buf, size, NULL);
}

static void *named_bind(void *p)
{
	char *buf = p;

	prctl(PR_SET_NAME, (unsigned long)buf, 0UL, 0UL, 0UL);
	syslog_bind(*(int *)(buf + 32), buf + 64, 4096);
	return NULL;
}

static void ns_mode(void)
{
	static const long long stamps[] = {
		0, 59, 86399, 86400, 951782399, 951782400, 951868800, 978307199,
		1709251199, 1709164800 + 45296, 1735689599, 1740787200, 4107542399,
		4107542400, 4102444800, 253402300799LL, 68256, 1234567890,
	};
	char buf[4096], want[256], stamp[64], what[128];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int logfd, srv, cli, acc, i, good;

	if (unshare(CLONE_NEWNS) < 0) {
		skipped("/dev/log, journal and name checks", "no private mount namespace: needs root");
		return;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0 ||
	    mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0 ||
	    (logfd = dgram_server("/dev/log")) < 0) {
		report(0, "a private /dev/log", "%s", strerror(errno));
		return;
	}
	unsetenv("PORTBIND_LOG");

	/* Descriptor 2 is the script's pipe: the line goes there, not to
	   syslog. */
	syslog_bind(logfd, buf, sizeof(buf));
	report(buf[0] == '\0', "PORTBIND_LOG unset, descriptor 2 an inherited pipe: nothing to /dev/log",
	       "/dev/log got [%s]", buf);

	/* Descriptor 0 closed: the socket to /dev/log may be descriptor 0. */
	{
		int saved0 = dup(0);

		setenv("PORTBIND_LOG", "syslog", 1);
		pre_fd = sock(AF_INET, SOCK_STREAM);
		close(0);
		syslog_bind(logfd, buf, sizeof(buf));
		pre_fd = -1;
		dup2(saved0, 0);
		close(saved0);
		report(starts(buf, "<27>"), "PORTBIND_LOG=syslog, descriptor 0 closed: /dev/log gets the line",
		       "/dev/log got [%s]", buf);
	}

	/* No descriptor left (RLIMIT_NOFILE) for /dev/log's socket: the
	   line is dropped, the bind's error stays. */
	{
		struct rlimit old, rl;
		int k = sock(AF_INET, SOCK_STREAM), top, e;
		struct sockaddr_in na = v4("192.0.2.1", 4000);

		getrlimit(RLIMIT_NOFILE, &old);
		top = dup(0);		/* the lowest free descriptor */
		close(top);
		rl = old;
		rl.rlim_cur = (rlim_t)top;
		setrlimit(RLIMIT_NOFILE, &rl);
		while (take(logfd, buf, sizeof(buf), 0) > 0)
			;
		errno = 0;
		bind(k, (struct sockaddr *)&na, sizeof(na));
		e = errno;
		setrlimit(RLIMIT_NOFILE, &old);
		take(logfd, buf, sizeof(buf), 0);
		close(k);
		report(e == EADDRNOTAVAIL && buf[0] == '\0',
		       "PORTBIND_LOG=syslog, no descriptor left: EADDRNOTAVAIL all the same, nothing sent",
		       "errno %d, /dev/log got [%s]", e, buf);
	}

	/* RFC 3164 dates, in UTC, from the clock the shim reads. */
	setenv("PORTBIND_LOG", "syslog", 1);
	good = 1;
	for (i = 0; i < (int)(sizeof(stamps) / sizeof(stamps[0])) + 2; i++) {
		struct tm tm;
		time_t t;

		if (i < (int)(sizeof(stamps) / sizeof(stamps[0]))) {
			/* A 32-bit time_t holds only up to 2038. */
			if ((long long)(time_t)stamps[i] != stamps[i])
				continue;
			fake_clock = 1;
			fake_sec = (time_t)stamps[i];
			t = fake_sec;
		} else {
			fake_clock = i == (int)(sizeof(stamps) / sizeof(stamps[0])) ? 2 : 1;
			fake_sec = -86400 * 40;
			t = 0;		/* both: "Jan  1 00:00:00" */
		}
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		syslog_bind(logfd, buf, sizeof(buf));
		snprintf(want, sizeof(want),
			 "<27>%s pbmore[%d]: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, ",
			 stamp, (int)getpid());
		if (!starts(buf, want) || strchr(buf, '\n')) {
			report(0, "RFC 3164 dates", "clock %lld (%s): got [%s] wanted [%s]",
			       (long long)fake_sec, fake_clock == 2 ? "fails" : "set", buf, want);
			good = 0;
		}
	}
	fake_clock = 0;
	if (good)
		report(1, "PORTBIND_LOG=syslog: one datagram, <27>, the UTC date of 20 clock values (1970 to 9999 where time_t holds it, leap days, the clock failing or negative), name[pid], no newline",
		       "");

	/* The journal's stream socket, told by its exact path. */
	{
		static const char *const paths[] = {
			"/run/systemd/journal/stdout", "/run/systemd/journal/stdouX",
			"/run/systemd/journal/stdou", "/run/systemd/journal/stdoutt",
		};
		int saved = dup(2);

		setenv("PORTBIND_LOG", "", 1);
		for (i = 0; i < 4; i++) {
			char got[4096];
			int yes = i == 0;

			snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", paths[i]);
			srv = sock(AF_UNIX, SOCK_STREAM);
			cli = sock(AF_UNIX, SOCK_STREAM);
			if (raw_bind(srv, &sun, sizeof(sun)) < 0 || raw_listen(srv) < 0 ||
			    connect(cli, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
			    (acc = accept(srv, NULL, NULL)) < 0) {
				report(0, paths[i], "cannot connect: %s", strerror(errno));
				continue;
			}
			dup2(cli, 2);
			syslog_bind(logfd, buf, sizeof(buf));
			dup2(saved, 2);
			take(acc, got, sizeof(got), 0);
			snprintf(want, sizeof(want),
				 "<3>pbmore: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, ");
			snprintf(what, sizeof(what), "descriptor 2 a stream socket connected to %s: %s",
				 paths[i], yes ? "one <3> line" : "nothing there, /dev/log gets it");
			report(yes ? one_line(got, want, NULL) && buf[0] == '\0'
				   : got[0] == '\0' && starts(buf, "<27>"),
			       what, "socket got [%s], /dev/log got [%s]", got, buf);
			close(acc);
			close(cli);
			close(srv);
			unlink(paths[i]);
		}
		/* The journal's socket taking at most 1 byte, an eighth of
		   the line, nothing, a send(2): at most 8 sends, and one
		   that sends nothing ends the line. */
		{
			static const char *const how[] = {
				"1 byte a send: 8 sends, the line's first 8 bytes",
				"an eighth of the line a send: 8 sends, the line whole",
				"nothing: one send, no more, nothing there",
			};
			char whole[4096], got[4096];
			int len = -1, k;

			for (k = -1; k < 3; k++) {
				int cap = k == 0 ? 1 : k == 1 ? (len + 7) / 8 : k == 2 ? 0 : -1;
				size_t n = 0;
				ssize_t r;

				snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", paths[0]);
				srv = sock(AF_UNIX, SOCK_STREAM);
				cli = sock(AF_UNIX, SOCK_STREAM);
				if (raw_bind(srv, &sun, sizeof(sun)) < 0 || raw_listen(srv) < 0 ||
				    connect(cli, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
				    (acc = accept(srv, NULL, NULL)) < 0) {
					report(0, "the journal's socket in parts", "cannot connect: %s",
					       strerror(errno));
					break;
				}
				dup2(cli, 2);
				take_most = cap;
				short_calls = 0;
				syslog_bind(logfd, buf, sizeof(buf));
				take_most = -1;
				dup2(saved, 2);
				/* Everything sent is queued before bind returns. */
				got[0] = '\0';
				while ((r = recv(acc, got + n, sizeof(got) - 1 - n, MSG_DONTWAIT)) > 0)
					n += (size_t)r;
				got[n] = '\0';
				close(acc);
				close(cli);
				close(srv);
				unlink(paths[0]);
				if (k < 0) {
					snprintf(whole, sizeof(whole), "%s", got);
					len = (int)n;
					if (len < 64) {
						report(0, "the journal's socket in parts", "line [%s]", got);
						break;
					}
					continue;
				}
				snprintf(what, sizeof(what), "descriptor 2 the journal's socket taking %s",
					 how[k]);
				report(k == 0 ? short_calls == 8 && n == 8 && !strncmp(got, whole, 8)
				       : k == 1 ? 7 * cap < len && short_calls == 8 && !strcmp(got, whole)
				       : short_calls == 1 && n == 0,
				       what, "%d bytes a send, %d sends, socket got [%s], /dev/log got [%s]",
				       cap, short_calls, got, buf);
			}
		}
		/* A datagram socket connected to the journal's path. */
		{
			char got[4096];
			int d = dgram_server(paths[0]);

			snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", paths[0]);
			cli = sock(AF_UNIX, SOCK_DGRAM);
			connect(cli, (struct sockaddr *)&sun, sizeof(sun));
			dup2(cli, 2);
			syslog_bind(logfd, buf, sizeof(buf));
			dup2(saved, 2);
			take(d, got, sizeof(got), 0);
			report(got[0] == '\0' && starts(buf, "<27>"),
			       "descriptor 2 a datagram socket connected to the journal's path: nothing there, /dev/log gets it",
			       "socket got [%s], /dev/log got [%s]", got, buf);
			close(cli);
			close(d);
			unlink(paths[0]);
		}
		close(saved);
	}

	/* Descriptor 2 (the inherited pipe) replaced during the diagnosis
	   (a UDP bind's, made after descriptor 2 qualified): closed, a data
	   file in its place, or the same pipe opened again with other status
	   flags.  PORTBIND_LOG unset sends the line to /dev/log instead;
	   PORTBIND_LOG=stderr nowhere. */
	{
		static const struct { int how; const char *log, *what; } swaps[] = {
			{ SWAP_FILE, NULL, "closed, a data file opened in its place" },
			{ SWAP_FILE, "stderr", "closed, a data file opened in its place (PORTBIND_LOG=stderr)" },
			{ SWAP_CLOSE, NULL, "closed" },
			{ SWAP_FLAGS, NULL, "the same pipe opened again, O_NONBLOCK" },
			{ SWAP_FLAGS, "stderr", "the same pipe opened again, O_NONBLOCK (PORTBIND_LOG=stderr)" },
			{ SWAP_PIPE, NULL, "closed, another pipe with the same flags in its place" },
		};
		char data[600];
		int saved = dup(2), u = sock(AF_INET, SOCK_DGRAM);
		struct sockaddr_in held = v4("127.0.0.1", 0);
		struct stat st;

		raw_bind(u, &held, sizeof(held));
		held = v4("127.0.0.1", port_of(u));
		snprintf(data, sizeof(data), "%s/swapped", dir);
		swap_path = data;
		swap_fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		for (i = 0; i < (int)(sizeof(swaps) / sizeof(swaps[0])); i++) {
			int fd = sock(AF_INET, SOCK_DGRAM);

			unlink(data);
			if (swaps[i].log)
				setenv("PORTBIND_LOG", swaps[i].log, 1);
			else
				unsetenv("PORTBIND_LOG");
			while (take(logfd, buf, sizeof(buf), 0) > 0)
				;
			swap_armed = swaps[i].how;
			bind(fd, (struct sockaddr *)&held, sizeof(held));
			close(fd);
			take(logfd, buf, sizeof(buf), 0);
			if (stat(data, &st) < 0)
				st.st_size = 0;
			if (swap_rd >= 0) {	/* what the other pipe got */
				char got[256];

				fcntl(swap_rd, F_SETFL, O_NONBLOCK);
				if (read(swap_rd, got, sizeof(got)) > 0)
					st.st_size = 1;
				close(swap_rd);
				swap_rd = -1;
			}
			dup2(saved, 2);
			snprintf(what, sizeof(what), "descriptor 2 %s during the diagnosis: %s",
				 swaps[i].what, swaps[i].log ? "no line anywhere" : "/dev/log gets the line");
			report(swap_armed == SWAP_NONE && st.st_size == 0 &&
			       (swaps[i].log ? buf[0] == '\0' : starts(buf, "<27>")),
			       what, "armed %d, data file %lld bytes, /dev/log got [%s]", swap_armed,
			       (long long)st.st_size, buf);
		}
		close(swap_fd);
		close(saved);
		close(u);
		unsetenv("PORTBIND_LOG");
	}

	/* Descriptor 2 /dev/kmsg, the kernel's log (character device 1:11):
	   the line goes there (one record in the kernel log). */
	{
		int saved = dup(2), kw, kr;
		char rec[8192];
		ssize_t n;

		mknod("/dev/kmsg", S_IFCHR | 0600, makedev(1, 11));
		kw = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		kr = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (kw < 0 || kr < 0 || lseek(kr, 0, SEEK_END) < 0) {
			skipped("descriptor 2 /dev/kmsg", "cannot open /dev/kmsg");
		} else {
			int found = 0;

			unsetenv("PORTBIND_LOG");
			dup2(kw, 2);
			syslog_bind(logfd, buf, sizeof(buf));
			dup2(saved, 2);
			while ((n = read(kr, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
				rec[n > 0 ? n : 0] = '\0';
				if (strstr(rec, ";pbmore: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, "))
					found = 1;
			}
			report(found && buf[0] == '\0',
			       "PORTBIND_LOG unset, descriptor 2 /dev/kmsg: the line is in the kernel's log, nothing to /dev/log",
			       "found %d, /dev/log got [%s]", found, buf);
			found = 0;
			setenv("PORTBIND_LOG", "/dev/kmsg", 1);
			syslog_bind(logfd, buf, sizeof(buf));
			unsetenv("PORTBIND_LOG");
			while ((n = read(kr, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
				rec[n > 0 ? n : 0] = '\0';
				if (strstr(rec, ";pbmore: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL (99, "))
					found = 1;
			}
			report(found && buf[0] == '\0',
			       "PORTBIND_LOG=/dev/kmsg: the line is in the kernel's log",
			       "found %d, /dev/log got [%s]", found, buf);
		}
		if (kw >= 0)
			close(kw);
		if (kr >= 0)
			close(kr);
		close(saved);
	}

	/* Descriptor 2 what no message goes to: /dev/null, closed, an
	   eventfd; the journal's socket full.  Unset, PORTBIND_LOG sends
	   the line to /dev/log instead; =stderr, nowhere. */
	{
		int saved = dup(2), nul;

		mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3));
		nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
		dup2(nul, 2);
		syslog_bind(logfd, buf, sizeof(buf));
		report(nul >= 0 && starts(buf, "<27>"),
		       "PORTBIND_LOG unset, descriptor 2 /dev/null: /dev/log gets the line", "[%s]", buf);
		setenv("PORTBIND_LOG", "stderr", 1);
		syslog_bind(logfd, buf, sizeof(buf));
		unsetenv("PORTBIND_LOG");
		report(nul >= 0 && buf[0] == '\0',
		       "PORTBIND_LOG=stderr, descriptor 2 /dev/null: nothing to /dev/log", "[%s]", buf);
		close(nul);
		close(2);
		syslog_bind(logfd, buf, sizeof(buf));
		report(starts(buf, "<27>"), "PORTBIND_LOG unset, descriptor 2 closed: /dev/log gets the line",
		       "[%s]", buf);
		setenv("PORTBIND_LOG", "stderr", 1);
		syslog_bind(logfd, buf, sizeof(buf));
		unsetenv("PORTBIND_LOG");
		report(buf[0] == '\0', "PORTBIND_LOG=stderr, descriptor 2 closed: nothing to /dev/log",
		       "[%s]", buf);
		nul = eventfd(0, EFD_CLOEXEC);
		dup2(nul, 2);
		syslog_bind(logfd, buf, sizeof(buf));
		report(starts(buf, "<27>"), "PORTBIND_LOG unset, descriptor 2 an eventfd: /dev/log gets the line",
		       "[%s]", buf);
		setenv("PORTBIND_LOG", "stderr", 1);
		syslog_bind(logfd, buf, sizeof(buf));
		unsetenv("PORTBIND_LOG");
		report(buf[0] == '\0', "PORTBIND_LOG=stderr, descriptor 2 an eventfd: nothing to /dev/log",
		       "[%s]", buf);
		close(nul);
		dup2(saved, 2);
		close(saved);
	}
	{
		int saved = dup(2), n = 0;
		long long t0;

		snprintf(sun.sun_path, sizeof(sun.sun_path), "/run/systemd/journal/stdout");
		srv = sock(AF_UNIX, SOCK_STREAM);
		cli = sock(AF_UNIX, SOCK_STREAM);
		if (raw_bind(srv, &sun, sizeof(sun)) == 0 && raw_listen(srv) == 0 &&
		    connect(cli, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
		    (acc = accept(srv, NULL, NULL)) >= 0) {
			memset(buf, 'x', sizeof(buf));
			while (n < 100000 && send(cli, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				n++;
			dup2(cli, 2);
			t0 = now_ms();
			syslog_bind(logfd, buf, sizeof(buf));
			t0 = now_ms() - t0;
			dup2(saved, 2);
			report(buf[0] == '\0' && t0 < 1000,
			       "descriptor 2 the journal's socket, full: the line dropped at once",
			       "%lld ms, /dev/log got [%s]", t0, buf);
			close(acc);
		} else {
			report(0, "the journal's socket, full", "%s", strerror(errno));
		}
		close(cli);
		close(srv);
		unlink(sun.sun_path);
		close(saved);
	}

	/* Without /proc: the calling thread's name; "?" for an empty one;
	   and an inherited pipe is no longer written to. */
	if (mount("tmpfs", "/proc", "tmpfs", 0, "mode=0755") < 0) {
		report(0, "/proc hidden", "%s", strerror(errno));
		return;
	}
	setenv("PORTBIND_LOG", "syslog", 1);
	{
		static const char *const names[] = { "worker-7", "", "a\033b\177c" };
		static const char *const shown[] = { "worker-7", "?", "a?b?c" };

		for (i = 0; i < 3; i++) {
			char *arg = calloc(1, 64 + 4096);
			pthread_t th;

			snprintf(arg, 32, "%s", names[i]);
			*(int *)(arg + 32) = logfd;
			pthread_create(&th, NULL, named_bind, arg);
			pthread_join(th, NULL);
			snprintf(want, sizeof(want), " %s[%d]: bind: tcp 192.0.2.1:4000: EADDRNOTAVAIL",
				 shown[i], (int)getpid());
			snprintf(what, sizeof(what),
				 "without /proc/self/comm, a thread named \"%s\": the line names it %s",
				 i == 2 ? "a\\033b\\177c" : names[i], shown[i]);
			report(strstr(arg + 64, want) != NULL, what, "got [%s]", arg + 64);
			free(arg);
		}
	}
	unsetenv("PORTBIND_LOG");
	syslog_bind(logfd, buf, sizeof(buf));
	report(starts(buf, "<27>"),
	       "without /proc/self/fd, descriptor 2 an inherited pipe: not written, /dev/log gets the line",
	       "/dev/log got [%s]", buf);
	close(logfd);
}

/* ---- fd2 mode: descriptor 2 as the script made it */

static void fd2_mode(const char *how)
{
	struct sockaddr_in sin = v4("192.0.2.1", 4000);
	int fd = sock(AF_INET, SOCK_STREAM), extra = -1;

	setenv("PORTBIND_LOG", "stderr", 1);
	if (!strcmp(how, "pipe-dup"))
		extra = dup(2);		/* another write end: not a reader */
	if (!strcmp(how, "stdin-closed") && fd > 0)
		close(0);		/* the shim's next descriptor is 0 */
	/* The program holds the read end of its inherited pipe (opened
	   through /proc), as descriptor 0 or as its last descriptor. */
	if (!strcmp(how, "reader-0") || !strcmp(how, "reader-last")) {
		int r = open("/proc/self/fd/2", O_RDONLY | O_CLOEXEC);

		extra = dup2(r, !strcmp(how, "reader-0") ? 0 : 200);
		close(r);
	}
	/* The same, the pipe full (its reader reads a second later), and
	   descriptor 2 blocking: poll(2) says readable, not writable, and
	   the line is dropped rather than wait for the reader. */
	if (!strcmp(how, "rdwr-full")) {
		int w = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC), r;
		char fill[4096];

		memset(fill, 'x', sizeof(fill));
		while (write(w, fill, sizeof(fill)) > 0)
			;
		while (write(w, fill, 1) > 0)
			;
		close(w);
		r = open("/proc/self/fd/2", O_RDWR);
		dup2(r, 2);
		close(r);
	}
	/* Descriptor 2 itself the same pipe opened O_RDWR: the program
	   holds no other read end. */
	if (!strcmp(how, "rdwr")) {
		int r = open("/proc/self/fd/2", O_RDWR);

		dup2(r, 2);
		close(r);
	}
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	if (extra >= 0)
		close(extra);
}

/* ---- secure mode: AT_SECURE, the shim linked in */

static void secure_mode(void)
{
	struct sockaddr_in sin;
	struct res res;
	struct tw t;
	int fd, l, port;

	report(getauxval(AT_SECURE) == 1, "the setgid copy runs with AT_SECURE", "AT_SECURE %lu",
	       getauxval(AT_SECURE));
	setenv("PORTBIND_WAIT", "2", 1);
	port = free_port(AF_INET, SOCK_STREAM);
	sin = v4("127.0.0.1", port);
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	call_listen(&res, fd);
	report(res.r == 0 && res.err == 4242 && opt(fd, SOL_SOCKET, SO_REUSEADDR) == 0,
	       "AT_SECURE: listen sets no SO_REUSEADDR, errno kept", SHOW(&res));
	l = fd;
	fd = sock(AF_INET, SOCK_STREAM);
	call_bind(&res, fd, &sin, sizeof(sin));
	report(res.r == -1 && res.err == EADDRINUSE && res.line[0] == '\0' && res.ms < 1000,
	       "AT_SECURE: a bind to a listener's port fails at once, no line", SHOW(&res));
	close(fd);
	close(l);
	if (make_tw(AF_INET, "127.0.0.1", 1, &t) == 0) {
		sin = v4("127.0.0.1", t.port);
		fd = sock(AF_INET, SOCK_STREAM);
		call_bind(&res, fd, &sin, sizeof(sin));
		report(res.r == -1 && res.err == EADDRINUSE && res.line[0] == '\0' && res.ms < 1000,
		       "AT_SECURE: over TIME_WAIT with SO_REUSEADDR, no second bind, no wait, no line",
		       SHOW(&res));
		close(fd);
	} else {
		report(0, "a TIME_WAIT socket with SO_REUSEADDR", "could not make one");
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	struct sigaction sa;

	if (argc < 3)
		return 2;
	dir = argv[2];
	is_root = geteuid() == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	snprintf(logpath, sizeof(logpath), "%s/%s.log", dir, mode);
	setenv("PORTBIND_LOG", logpath, 1);
	unsetenv("PORTBIND_WAIT");
	unsetenv("PORTBIND_PRELOAD");
	if (is_root && strcmp(mode, "fd2") && own_netns() < 0) {
		printf("not ok - a network namespace of its own: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "main")) {
		if (!is_root)
			skipped("a network namespace of its own", "needs root: the host's loopback");
		success_paths();
		failures();
		waits();
		retries();
		short_writes();
		destinations();
		report_watch();
		return 0;
	}
	if (!strcmp(mode, "ns")) {
		ns_mode();
		if (watched)	/* not when skipped */
			report_watch();
		return 0;
	}
	if (!strcmp(mode, "fd2") && argc > 3) {
		fd2_mode(argv[3]);
		return 0;
	}
	if (!strcmp(mode, "secure")) {
		secure_mode();
		return 0;
	}
	return 2;
}

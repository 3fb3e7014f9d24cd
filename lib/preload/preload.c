/* SPDX-License-Identifier: MIT */
/*
 * preload.c - libportbind-preload.so: restart-safe bind() for programs that
 * cannot be rebuilt, as LD_PRELOAD=libportbind-preload.so some-daemon.
 *
 * It wraps bind() and listen() and nothing else:
 *  - a TCP socket that binds a non-zero inet port gets SO_REUSEADDR, as
 *    pb_bind_reuse gives it; UDP, port-0 binds and non-inet sockets are
 *    never touched;
 *  - a bind() or listen() that fails with EADDRINUSE, EACCES or
 *    EADDRNOTAVAIL writes one line where messages certainly go (see
 *    pick() below): the program name, the call and pb_diag_format's text;
 *  - PORTBIND_WAIT=SECONDS: a TCP bind held only by TIME_WAIT that
 *    SO_REUSEADDR cannot pass waits for it to expire, up to SECONDS, and
 *    gives up at once when a signal handler runs;
 *  - the errno the program sees is the one bind() or listen() set, and is
 *    untouched on success.
 *
 * The success path is the kernel's: getsockopt(SO_TYPE), bind, and for a
 * TCP inet bind with a port, setsockopt(SO_REUSEADDR) after it.  Nothing
 * else, so a seccomp filter that allows what the program itself does
 * allows the shim.  Setting the option after bind() is enough: a later
 * binder's conflict check reads it live, and the socket's TIME_WAIT
 * copies it when it closes (inet_twsk_alloc).  What the option would have
 * changed for this very bind (passing TIME_WAIT) is done on the failure
 * path: EADDRINUSE, then the option, then bind once more.
 *
 * The caller's address is read only after the kernel read it (a bind
 * that succeeded, or failed with an errno from the protocol's own check):
 * a bad pointer gives the program bind's EFAULT, never a crash in here.
 *
 * The failure path is async-signal-safe (a daemon may bind in a signal
 * handler, or in a forked child of a threaded program): raw system calls,
 * mem and str functions, lib/text.h; its buffers come from one
 * pb__scratch_get region, not the stack.  No constructor, no state.  In
 * a setuid or setgid program (AT_SECURE) it does nothing at all.  This
 * copy of the library is compiled with bind and listen renamed to the raw
 * calls below, so its own probes never come back through these wrappers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <pthread.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "scratch.h"
#include "text.h"

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

static int sock_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

/* ---- where the line goes */

enum dest {
	DEST_AUTO,	/* standard error when it qualifies, else syslog */
	DEST_STDERR,	/* standard error when it qualifies, else nothing */
	DEST_SYSLOG,	/* /dev/log */
	DEST_FILE,	/* PORTBIND_LOG=/path */
	DEST_NONE,
};

/* PORTBIND_LOG, with PORTBIND_PRELOAD=quiet meaning none. */
static enum dest destination(const char **path)
{
	const char *q = secure_getenv("PORTBIND_PRELOAD");
	const char *v = secure_getenv("PORTBIND_LOG");

	if (q && strcmp(q, "quiet") == 0)
		return DEST_NONE;
	if (!v || !*v)
		return DEST_AUTO;
	if (strcmp(v, "none") == 0)
		return DEST_NONE;
	if (strcmp(v, "stderr") == 0)
		return DEST_STDERR;
	if (strcmp(v, "syslog") == 0)
		return DEST_SYSLOG;
	if (v[0] == '/') {
		*path = v;
		return DEST_FILE;
	}
	return DEST_AUTO;	/* a value this version does not know */
}

/* What standard error is, for the line. */
enum kind {
	KIND_NO,	/* not certainly for messages: nothing is written */
	KIND_PLAIN,	/* a terminal, a pipe, a log file */
	KIND_JOURNAL,	/* systemd-journald's stdout stream: "<3>" prefix */
};

#define PB_PIPEFS_MAGIC 0x50495045
#define PB_JOURNAL_STDOUT "/run/systemd/journal/stdout"
/* /proc/self/fd entries looked at, at most, for a pipe's read end. */
#define PB_FD_WALK_MAX 65536

struct dirent64_head {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * Does this process hold the read end of the pipe st is (a self-pipe, a
 * pipe to a helper thread)?  Then fd 2 is one of its own channels, not a
 * way to an operator.  The links in /proc/self/fd name each pipe
 * ("pipe:[inode]"), so no other descriptor is looked into (an fstat could
 * call into a FUSE server).  1 yes, 0 no, -1 cannot tell (no /proc).
 */
static int own_reader(const struct stat *st, char *buf, size_t size)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int seen = 0, answer = -1;
	char want[40], link[40];
	size_t wlen;
	long n, off;

	if (dir < 0)
		return -1;
	wlen = (size_t)pb__fmt(want, sizeof(want), "pipe:[%llu]",
			       (unsigned long long)st->st_ino);
	while (answer < 0 && seen <= PB_FD_WALK_MAX) {
		n = syscall(SYS_getdents64, dir, buf, size);
		if (n <= 0) {
			if (n == 0)
				answer = 0;	/* walked them all */
			break;
		}
		for (off = 0; off + (long)sizeof(struct dirent64_head) <= n &&
			      answer < 0 && ++seen <= PB_FD_WALK_MAX;) {
			const struct dirent64_head *e =
				(const struct dirent64_head *)(buf + off);
			const char *end;
			long long fd;
			ssize_t l;
			int fl;

			if (e->d_reclen == 0 || off + e->d_reclen > n)
				break;
			off += e->d_reclen;
			fd = pb__parse_num(e->d_name, 10, INT32_MAX, &end);
			if (fd < 0 || *end || fd == STDERR_FILENO || fd == dir)
				continue;
			l = readlinkat(dir, e->d_name, link, sizeof(link));
			if (l != (ssize_t)wlen || memcmp(link, want, wlen) != 0)
				continue;
			fl = fcntl((int)fd, F_GETFL);
			if (fl >= 0 && (fl & O_ACCMODE) != O_WRONLY)
				answer = 1;
		}
	}
	close(dir);
	return answer;
}

/* A character device that is certainly for messages. */
static int message_device(const struct stat *st)
{
	struct termios t;
	unsigned maj = major(st->st_rdev), min = minor(st->st_rdev);

	if (tcgetattr(STDERR_FILENO, &t) < 0)	/* not a terminal */
		return maj == 1 && min == 11;	/* /dev/kmsg */
	/* The controlling terminal has a foreground process group; a serial
	   line or a terminal the program opened for its own use does not
	   answer. */
	if (tcgetpgrp(STDERR_FILENO) >= 0)
		return 1;
	return (maj >= 136 && maj <= 143) ||	/* a pseudo-terminal */
	       (maj == 5 && min == 1);		/* /dev/console */
}

/*
 * The rule for standard error: written only when it is certainly meant
 * for messages, so a daemon that closed its stdio and then opened a data
 * file, a socket or a pipe of its own (which took fd 2) never finds the
 * line in its data.  buf (size bytes) is scratch for the /proc walk.
 */
static enum kind stderr_kind(int bound, char *buf, size_t size)
{
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	struct statfs fs;
	struct stat st;
	int fl;

	if (bound == STDERR_FILENO || fstat(STDERR_FILENO, &st) < 0)
		return KIND_NO;
	fl = fcntl(STDERR_FILENO, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
		return KIND_NO;
	if (S_ISREG(st.st_mode))
		return fl & O_APPEND ? KIND_PLAIN : KIND_NO;
	if (S_ISFIFO(st.st_mode)) {
		if (fl & O_APPEND)
			return KIND_PLAIN;	/* 2>>fifo: the operator's choice */
		/* A named FIFO may be the program's data channel; an
		   anonymous pipe is its parent's way to read messages, unless
		   the program holds the read end itself. */
		if (fstatfs(STDERR_FILENO, &fs) < 0 || fs.f_type != PB_PIPEFS_MAGIC)
			return KIND_NO;
		return own_reader(&st, buf, size) == 0 ? KIND_PLAIN : KIND_NO;
	}
	if (S_ISCHR(st.st_mode))
		return message_device(&st) ? KIND_PLAIN : KIND_NO;
	if (S_ISSOCK(st.st_mode)) {
		memset(&peer, 0, sizeof(peer));
		if (sock_int(STDERR_FILENO, SOL_SOCKET, SO_DOMAIN) == AF_UNIX &&
		    sock_int(STDERR_FILENO, SOL_SOCKET, SO_TYPE) == SOCK_STREAM &&
		    getpeername(STDERR_FILENO, (struct sockaddr *)&peer, &plen) == 0 &&
		    plen == offsetof(struct sockaddr_un, sun_path) +
			    sizeof(PB_JOURNAL_STDOUT) &&
		    memcmp(peer.sun_path, PB_JOURNAL_STDOUT,
			   sizeof(PB_JOURNAL_STDOUT)) == 0)
			return KIND_JOURNAL;
	}
	return KIND_NO;
}

/*
 * Write without ever harming the program: never blocking (a full pipe or
 * a stopped terminal drops the line), never raising SIGPIPE (a reader
 * that is gone): MSG_NOSIGNAL on a socket, SIGPIPE blocked around the
 * write otherwise, and a SIGPIPE this write caused taken back.
 */
static void say(int fd, const char *line, size_t n, int sock)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pending;
	size_t off = 0;
	ssize_t w;
	int was_pending, rounds;

	if (sock) {
		for (rounds = 0; off < n && rounds < 8; rounds++) {
			w = send(fd, line + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		return;
	}
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0)
		return;
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	for (rounds = 0; off < n && rounds < 8; rounds++) {
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
			break;
		w = write(fd, line + off, n - off);
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

/* PORTBIND_LOG=/path: opened for each line, closed after it.  No symlink
   as the last component, no controlling terminal acquired, no blocking
   open on a FIFO nobody reads; a regular file, a FIFO or a character
   device only. */
static void say_file(const char *path, const char *line, size_t n)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			    O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0600);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 &&
	    (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		say(fd, line, n, 0);
	close(fd);
}

/* One datagram to /dev/log, made here: syslog(3) takes a lock and reads
   the time zone, neither allowed where this may run. */
static void say_syslog(const char *line, size_t n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return;
	memcpy(sun.sun_path, "/dev/log", sizeof("/dev/log"));
	sendto(fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sun,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof("/dev/log")));
	close(fd);
}

/* RFC 3164's "Mmm dd hh:mm:ss", in UTC: local time needs the time zone
   database, and local syslog daemons stamp the time they received
   anyway. */
static int syslog_time(char *buf, size_t size)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct timespec ts;
	long long days, secs, z, era, doe, yoe, doy, mp, d, m;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || ts.tv_sec < 0)
		return pb__fmt(buf, size, "Jan  1 00:00:00");
	days = (long long)ts.tv_sec / 86400;
	secs = (long long)ts.tv_sec % 86400;
	/* Civil date from a day count (the proleptic Gregorian calendar). */
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	return pb__fmt(buf, size, "%.3s %2d %02d:%02d:%02d", months + (m - 1) * 3,
		       (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
		       (int)(secs % 60));
}

/* ---- the explanation */

/* Everything the failure path needs, in one scratch region. */
struct failure_mem {
	struct pb_diag d;
	char text[1792];	/* pb_diag_format's paragraph */
	char line[2048];	/* with the prefix */
	char name[64];		/* the program's name, printable */
	char dir[4096];		/* /proc/self/fd entries */
};

static struct failure_mem *mem_get(void)
{
	return pb__scratch_get(sizeof(struct failure_mem));
}

static void mem_put(struct failure_mem *m)
{
	pb__scratch_put(m, sizeof(*m));
}

/* Printable ASCII only: a name (the program's own choice) or a paragraph
   cannot end the line early, inject a fake one or send a terminal an
   escape sequence. */
static void printable(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
}

/*
 * One line where messages go: "prog: bind: tcp 127.0.0.1:80: ...".  When
 * diagnosed is 0 the address is diagnosed here (owners too); else m->d
 * holds a diagnosis already (a wait's last).  note is added at the end.
 */
static void explain(struct failure_mem *m, int fd, const struct sockaddr *addr,
		    socklen_t len, int type, int err, const char *call,
		    int diagnosed, const char *note)
{
	const char *path = NULL;
	enum dest dest = destination(&path);
	enum kind kind = KIND_NO;
	size_t n;
	int v6only = -1, r;

	if (dest == DEST_NONE)
		return;
	if (dest == DEST_AUTO || dest == DEST_STDERR) {
		kind = stderr_kind(fd, m->dir, sizeof(m->dir));
		if (kind == KIND_NO && dest == DEST_STDERR)
			return;
		if (kind == KIND_NO)
			dest = DEST_SYSLOG;
	}
	if (!diagnosed) {
		if (addr->sa_family == AF_INET6)
			v6only = sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY);
		memset(&m->d, 0, sizeof(m->d));
		m->d.size = sizeof(m->d);
		/* Name the holder's process (worth a /proc walk on this
		   path).  The table comes from netlink only: the /proc/net
		   fallback reads with stdio, which allocates. */
		m->d.flags = PB_DIAG_OWNERS | PB_DIAG_NO_PROCNET;
		if (pb__diagnose(type, addr, len, v6only, err, &m->d) < 0)
			return;
	}
	if (pb_diag_format(&m->d, m->text, sizeof(m->text)) < 0)
		return;
	pb__fmt(m->name, sizeof(m->name), "%s", program_invocation_short_name);
	if (dest == DEST_SYSLOG) {
		char stamp[24];

		syslog_time(stamp, sizeof(stamp));
		/* LOG_DAEMON | LOG_ERR; no newline in a datagram. */
		r = pb__fmt(m->line, sizeof(m->line), "<27>%s %s[%d]: %s: %s%s",
			    stamp, m->name, (int)getpid(), call, m->text, note);
	} else {
		r = pb__fmt(m->line, sizeof(m->line), "%s%s: %s: %s%s\n",
			    kind == KIND_JOURNAL ? "<3>" : "", m->name, call,
			    m->text, note);
	}
	if (r <= 0)
		return;
	n = (size_t)r < sizeof(m->line) ? (size_t)r : sizeof(m->line) - 1;
	if (dest == DEST_SYSLOG) {
		printable(m->line, n);
		say_syslog(m->line, n);
		return;
	}
	m->line[n - 1] = '\n';
	printable(m->line, n - 1);
	if (dest == DEST_FILE)
		say_file(path, m->line, n);
	else
		say(STDERR_FILENO, m->line, n, kind == KIND_JOURNAL);
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

/* The errnos the shim explains: each comes from the protocol's own check,
   after the kernel copied the address in (so reading it is safe). */
static int explained(int err)
{
	return err == EADDRINUSE || err == EACCES || err == EADDRNOTAVAIL;
}

/* The shortest address the kernel takes for each family: an IPv6 one may
   leave out sin6_scope_id (RFC 2133's length). */
#define PB_SIN6_LEN_RFC2133 24

/* An inet address with a non-zero port, of a length the kernel took. */
static int inet_with_port(const struct sockaddr *addr, socklen_t len)
{
	if (len >= (socklen_t)sizeof(struct sockaddr_in) && addr->sa_family == AF_INET)
		return ((const struct sockaddr_in *)addr)->sin_port != 0;
	if (len >= PB_SIN6_LEN_RFC2133 && addr->sa_family == AF_INET6)
		return ((const struct sockaddr_in6 *)addr)->sin6_port != 0;
	return 0;
}

/*
 * bind() failed with err.  Retries what SO_REUSEADDR or PORTBIND_WAIT can
 * pass, else explains; returns bind's result with errno set (saved on a
 * late success).
 */
static int bind_failed(int fd, const struct sockaddr *addr, socklen_t len,
		       int type, int err, int saved)
{
	struct sockaddr_storage ss;
	struct failure_mem *m = NULL;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	int on = 1, off = 0, set = 0, ms, r, diagnosed = 0;
	const char *note = "";

	if (!explained(err) || (type != SOCK_STREAM && type != SOCK_DGRAM) ||
	    len < (socklen_t)sizeof(sa_family_t) || len > (socklen_t)sizeof(ss))
		goto out;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr, len);		/* the kernel read it just now */
	/* A short IPv6 address has scope 0: the full length says the same. */
	if (ss.ss_family == AF_INET6 && len >= PB_SIN6_LEN_RFC2133)
		len = (socklen_t)sizeof(struct sockaddr_in6);
	if (pb__addr_len(sa, len) < 0)
		goto out;		/* not inet: not ours to explain */
	if (type == SOCK_STREAM && err == EADDRINUSE && inet_with_port(sa, len)) {
		/* What the option set before bind would have passed. */
		if (sock_int(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0) {
			set = 1;
			if (pb__real_bind(fd, sa, len) == 0) {
				errno = saved;
				return 0;
			}
			err = errno;
		}
		if (err == EADDRINUSE && (ms = wait_ms()) > 0 &&
		    (m = mem_get()) != NULL) {
			struct bind_attempt a = { fd, sa, len };
			int v6only = ss.ss_family == AF_INET6
				     ? sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) : -1;

			m->d.size = sizeof(m->d);
			/* Each round reads the table through netlink only, as
			   explain() does: the /proc/net reader allocates. */
			m->d.flags = PB_DIAG_NO_PROCNET;
			r = pb__wait_out(try_bind, &a, SOCK_STREAM, sa, len, v6only,
					 ms, &m->d);
			if (r == 0) {
				mem_put(m);
				errno = saved;
				return 0;
			}
			/* A signal handler ran: the program wants control
			   back now, with the error bind would have given. */
			if (r == -EINTR) {
				diagnosed = m->d.cause == PB_CAUSE_TIME_WAIT;
				note = " (PORTBIND_WAIT: interrupted by a signal)";
			} else {
				err = -r;
			}
		}
	}
	if (!m)
		m = mem_get();
	if (m) {
		explain(m, fd, sa, len, type, err, "bind", diagnosed, note);
		mem_put(m);
	}
	/* A failed bind leaves the socket as the program made it. */
	if (set)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &off, sizeof(off));
out:
	errno = err;
	return -1;
}

__attribute__((visibility("default")))
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno, type, on = 1;

	if (secure())
		return pb__real_bind(fd, addr, len);
	type = sock_int(fd, SOL_SOCKET, SO_TYPE);
	if (pb__real_bind(fd, addr, len) < 0)
		return bind_failed(fd, addr, len, type, errno, saved);
	/* Bound: the kernel read len bytes at addr, so they are readable. */
	if (type == SOCK_STREAM && inet_with_port(addr, len))
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	errno = saved;
	return 0;
}

__attribute__((visibility("default")))
int listen(int fd, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct failure_mem *m;
	int r = pb__real_listen(fd, backlog), err;

	if (r == 0 || secure())
		return r;
	err = errno;
	memset(&ss, 0, sizeof(ss));
	/* Two bound sockets with SO_REUSEADDR: the conflict shows here. */
	if (err == EADDRINUSE &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
	    (m = mem_get()) != NULL) {
		explain(m, fd, (struct sockaddr *)&ss, len, SOCK_STREAM, err,
			"listen", 0, "");
		mem_put(m);
	}
	errno = err;
	return -1;
}

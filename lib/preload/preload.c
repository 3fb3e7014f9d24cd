/* SPDX-License-Identifier: MIT */
/*
 * preload.c - libportbind-preload.so: restart-safe bind() for programs that
 * cannot be rebuilt, as LD_PRELOAD=libportbind-preload.so some-daemon.
 *
 * It wraps bind() and listen() and nothing else:
 *  - listen() on a TCP socket bound to a non-zero inet port sets
 *    SO_REUSEADDR right before the real listen(), as pb_listen gives it:
 *    the listener's connections inherit the flag (sk_clone), so the
 *    TIME_WAIT sockets they leave carry it and the next run binds over
 *    them.  A socket the program only binds never keeps the option from
 *    the shim: two SO_REUSEADDR sockets bound and not listening share a
 *    port, which would break a program that binds a port as a lock;
 *  - a TCP bind() that fails with EADDRINUSE is tried once more with the
 *    option only when the socket table (netlink) shows the address held
 *    by TIME_WAIT sockets alone that the option passes: never over a
 *    socket bound with the option and not yet listening (a reservation,
 *    any user's), which the option would pass too.  The option is put
 *    back as it was, whatever the outcome, and that diagnosis is the one
 *    the line gives;
 *  - a bind() or listen() that fails with EADDRINUSE, EACCES or
 *    EADDRNOTAVAIL writes one line where messages certainly go (see
 *    stderr_kind() below): the program's command name (/proc/self/comm,
 *    not argv[0], which setproctitle overwrites), the call and
 *    pb_diag_format's text, with the fix worded for whoever runs an
 *    unmodified program (PORTBIND_WAIT, its configuration; never a call
 *    it would have to make);
 *  - PORTBIND_WAIT=SECONDS: a TCP bind held only by TIME_WAIT that
 *    SO_REUSEADDR cannot pass waits for it to expire, up to SECONDS,
 *    binding without the option, and gives up when a signal handler runs
 *    or a signal the program blocked at the call becomes pending (taken
 *    by its signalfd or sigwait, never here);
 *  - the errno the program sees is the one bind() or listen() set, and is
 *    untouched on success.
 *
 * The success paths are the kernel's: bind() is bind; listen() is
 * getsockname, getsockopt(SO_TYPE), getsockopt(SO_REUSEADDR), for a TCP
 * inet socket with a port setsockopt(SO_REUSEADDR) when it was 0, and
 * listen.  Nothing else, so a seccomp filter that allows what the program
 * itself does allows the shim.
 *
 * The caller's address is read only after the kernel read it (a bind
 * that failed with an errno from the protocol's own check): a bad pointer
 * gives the program bind's EFAULT, never a crash in here.
 *
 * The failure path is async-signal-safe (a daemon may bind in a signal
 * handler, or in a forked child of a threaded program): raw system calls,
 * mem and str functions, lib/text.h; its own buffers come from one
 * pb__scratch_get region (the library's from others), not the stack.
 * One constructor, one fstat (errno kept, even when descriptor 2 is
 * closed): it records which pipe or file descriptor 2 was when the
 * program started,
 * so that the line goes into a pipe or an O_APPEND file only when it is
 * the one the program was started with (its parent's log), never one the
 * program made itself.  In a setuid or setgid program (AT_SECURE) it
 * does nothing at all.  This copy of the library is compiled with bind
 * and listen renamed to the raw calls below, so its own probes never come
 * back through these wrappers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
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

#include "addr.h"
#include "bind.h"
#include "diag.h"
#include "format.h"
#include "internal.h"
#include "owner.h"
#include "scratch.h"
#include "table.h"
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

	return pb__sockopt_int(fd, level, name, &v) < 0 ? -1 : v;
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

/* Which object descriptor 2 is: what qualified it, to be checked again
   right before the write. */
struct fd2 {
	dev_t dev, rdev;
	ino_t ino;
	mode_t mode;	/* 0: none */
	int flags;
};

/* Descriptor 2 when the program started, if it was a pipe, a FIFO or a
   regular file: written by the constructor only, read-only after. */
static struct fd2 at_start;

static void identify(const struct stat *st, int flags, struct fd2 *id)
{
	id->dev = st->st_dev;
	id->rdev = st->st_rdev;
	id->ino = st->st_ino;
	id->mode = st->st_mode;
	id->flags = flags;
}

/* Inherited, not made by the program: the same pipe or file as at start
   (a pipe's inode number is never reused while it is open; a file's is
   its own). */
static int inherited(const struct stat *st)
{
	return at_start.mode != 0 && (at_start.mode & S_IFMT) == (st->st_mode & S_IFMT) &&
	       at_start.dev == st->st_dev && at_start.ino == st->st_ino;
}

__attribute__((constructor))
static void note_stderr(void)
{
	struct stat st;
	int saved = errno;	/* fstat of a closed descriptor 2 sets it */

	if (!secure() && fstat(STDERR_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode)))
		identify(&st, 0, &at_start);
	errno = saved;
}

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

/*
 * A character device that is certainly for messages: /dev/kmsg,
 * /dev/console, or the controlling terminal when this process may write
 * to it without being stopped (its foreground process group, or any
 * group when the terminal has no tostop).  A pseudo-terminal master
 * answers every terminal request (tcgetpgrp gives 0), but what is written
 * to it is the slave side's input: never.  Another terminal (a serial
 * line the program drives, a pseudo-terminal it opened) is not a way to
 * an operator.
 */
static int message_device(const struct stat *st)
{
	struct termios t;
	unsigned maj = major(st->st_rdev), min = minor(st->st_rdev);
	unsigned ptn;
	pid_t fg;

	if (tcgetattr(STDERR_FILENO, &t) < 0)	/* not a terminal */
		return maj == 1 && min == 11;	/* /dev/kmsg */
	if (maj == 2 || ioctl(STDERR_FILENO, TIOCGPTN, &ptn) == 0)
		return 0;			/* a master, BSD or Unix 98 */
	fg = tcgetpgrp(STDERR_FILENO);
	if (fg < 0)				/* not the controlling terminal */
		return maj == 5 && min == 1;	/* /dev/console */
	return fg == getpgrp() || !(t.c_lflag & TOSTOP);
}

/*
 * The rule for standard error: written only when it is certainly meant
 * for messages, so a daemon that closed its stdio and then opened a data
 * file, a socket or a pipe of its own (which took fd 2) never finds the
 * line in its data.  buf (size bytes) is scratch for the /proc walk; id
 * gets what qualified, for same_fd2().
 */
static enum kind stderr_kind(int bound, char *buf, size_t size, struct fd2 *id)
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
	identify(&st, fl, id);
	/* A log the program was started with (2>>log, 2>>fifo): not a file
	   it opened itself after closing its stdio. */
	if (S_ISREG(st.st_mode))
		return fl & O_APPEND && inherited(&st) ? KIND_PLAIN : KIND_NO;
	if (S_ISFIFO(st.st_mode)) {
		if (!inherited(&st))
			return KIND_NO;		/* popen(), pipe() + dup2() */
		if (fl & O_APPEND)
			return KIND_PLAIN;
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

/* Right before the write: is descriptor 2 still what qualified (another
   thread may have closed it and opened a file of its own meanwhile)?  A
   terminal is asked again whether this process may write to it. */
static int same_fd2(const struct fd2 *was)
{
	struct stat st;
	int fl = fcntl(STDERR_FILENO, F_GETFL);

	if (fl != was->flags || fstat(STDERR_FILENO, &st) < 0 ||
	    st.st_dev != was->dev || st.st_ino != was->ino ||
	    st.st_mode != was->mode || st.st_rdev != was->rdev)
		return 0;
	return !S_ISCHR(st.st_mode) || message_device(&st);
}

/* /dev/kmsg: its poll(2) never reports POLLOUT (a descriptor opened
   write-only gets EPOLLERR | EPOLLNVAL), and a write to it never blocks
   (printk). */
static int kmsg(mode_t mode, dev_t rdev)
{
	return S_ISCHR(mode) && major(rdev) == 1 && minor(rdev) == 11;
}

/*
 * Write without harming the program.  A socket: MSG_NOSIGNAL |
 * MSG_DONTWAIT.  /dev/kmsg (nopoll): written at once.  Anything else:
 * poll(2) first, so a full pipe or a
 * terminal that cannot take output drops the line (a write could still
 * block if another writer fills the pipe, or the terminal's output is
 * stopped, between the poll and the write); SIGPIPE and SIGTTOU blocked
 * around it: a blocked SIGTTOU lets a background write through rather
 * than stop the process, and the SIGPIPE that a write failing with EPIPE
 * raises is taken back, only then and only when none was pending before.
 */
static void say(int fd, const char *line, size_t n, int sock, int nopoll)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct timespec zero = { 0, 0 };
	sigset_t held, pipe_set, old, pending;
	size_t off = 0;
	ssize_t w;
	int was_pending, rounds, epipe = 0;

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
	held = pipe_set;
	sigaddset(&held, SIGTTOU);
	if (pthread_sigmask(SIG_BLOCK, &held, &old) != 0)
		return;
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	for (rounds = 0; off < n && rounds < 8; rounds++) {
		if (!nopoll && (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT)))
			break;
		w = write(fd, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			epipe = 1;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (epipe && !was_pending) {
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
		say(fd, line, n, 0, kmsg(st.st_mode, st.st_rdev));
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

/* The signal mask around the diagnosis that precedes a PORTBIND_WAIT
   wait. */
struct held {
	sigset_t block;		/* the asynchronous signals */
	sigset_t orig;		/* the thread's mask before */
	sigset_t was;		/* pending before */
	int on;
};

/* Everything the failure path needs, in one scratch region. */
struct failure_mem {
	struct pb_diag d;
	struct held h;
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
 * The program's name: the process's command name, from /proc/self/comm
 * (the main thread's; the kernel sets it from the file executed, and
 * prctl(PR_SET_NAME) changes it).  Not argv[0]: a program that sets its
 * title (nginx, postgres) writes over that memory.  Without /proc, the
 * calling thread's name (PR_GET_NAME); "?" if neither answers.
 */
static void own_name(char *buf, size_t size)
{
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n <= 0) {
		char comm[17];

		memset(comm, 0, sizeof(comm));
		if (prctl(PR_GET_NAME, (unsigned long)comm, 0UL, 0UL, 0UL) < 0 ||
		    comm[0] == '\0')
			memcpy(comm, "?", 2);
		n = (ssize_t)strlen(comm);
		memcpy(buf, comm, (size_t)n);
	}
	buf[n] = '\0';
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
	struct fd2 id = { 0 };
	size_t n;
	int v6only = -1, r;

	if (dest == DEST_NONE)
		return;
	if (dest == DEST_AUTO || dest == DEST_STDERR) {
		kind = stderr_kind(fd, m->dir, sizeof(m->dir), &id);
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
	if (pb__diag_format_for(&m->d, PB__READER_SHIM, m->text,
				sizeof(m->text)) < 0)
		return;
	/* The diagnosis took a while: descriptor 2 must still be what
	   qualified, else it is not written to. */
	if (kind != KIND_NO && !same_fd2(&id)) {
		if (dest == DEST_STDERR)
			return;
		kind = KIND_NO;
		dest = DEST_SYSLOG;
	}
	own_name(m->name, sizeof(m->name));
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
		say(STDERR_FILENO, m->line, n, kind == KIND_JOURNAL,
		    kmsg(id.mode, id.rdev));
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
 * With PORTBIND_WAIT the first diagnosis is part of the wait: a signal
 * that comes during it must end the wait as one during the wait's own
 * rounds does.  The asynchronous signals (all but those the kernel raises
 * for a fault in this thread, and SIGSYS, as the wait blocks them) are
 * held while it runs; came() then says whether one arrived that will run
 * a handler or act once the mask is back, or that the program had
 * blocked and was not pending before.
 */
static void hold(struct held *h)
{
	pb__async_signals(&h->block);
	h->on = pthread_sigmask(SIG_BLOCK, &h->block, &h->orig) == 0 &&
		sigpending(&h->was) == 0;
}

static int came(const struct held *h)
{
	sigset_t now;
	int sig;

	if (!h->on || sigpending(&now) < 0)
		return 0;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&h->block, sig) == 1 && sigismember(&now, sig) == 1 &&
		    (sigismember(&h->orig, sig) == 0 || sigismember(&h->was, sig) == 0))
			return 1;
	return 0;
}

/* The mask back: a signal that came is delivered here. */
static void release(struct held *h)
{
	int saved = errno;

	if (h->on)
		pthread_sigmask(SIG_SETMASK, &h->orig, NULL);
	h->on = 0;
	errno = saved;
}

static int count_row(const struct pb_sockent *e, void *arg)
{
	(void)e;
	++*(int *)arg;
	return 1;
}

/*
 * May the retry with SO_REUSEADDR be made?  Only when the socket table,
 * read through netlink, shows the address held by TIME_WAIT sockets alone
 * that the option passes: a socket bound with the option and not
 * listening (another process's reservation, another user's) passes the
 * option as well, and must never be bound over.  The diagnosis lists
 * bound-only sockets only when it sees no other holder, so they are asked
 * for here, on the port, whatever their address (Linux 6.7 and later list
 * them).  d holds a diagnosis without owners, made just now.
 */
static int time_wait_alone(const struct pb_diag *d, unsigned port)
{
	struct pb_portsel sel = { 0, port, port };
	int rows = 0;

	if (!(d->sources & PB_SRC_NETLINK) || d->cause != PB_CAUSE_TIME_WAIT ||
	    d->reuseaddr_helps != 1 || d->n_bound || d->n_connected || d->n_listen)
		return 0;
	if (pb__table_read(IPPROTO_TCP, 1u << PB__TCP_BOUND_INACTIVE, &sel,
			   PB_DIAG_NO_PROCNET, count_row, &rows) < 0)
		return 0;
	return rows == 0;
}

/* Owners for a diagnosis made without them, for the line. */
static void add_owners(struct pb_diag *d)
{
	if (d->n_stored && pb__find_owners(d->holders, d->n_stored) > 0)
		d->sources |= PB_SRC_OWNERS;
	d->flags |= PB_DIAG_OWNERS;
}

/*
 * bind() failed with err.  Retries what SO_REUSEADDR or PORTBIND_WAIT can
 * pass, else explains; returns bind's result with errno set (saved on a
 * late success).  The option set for the retry is put back to 0 at once,
 * before any wait, whatever the outcome: only listen() leaves it on.
 */
static int bind_failed(int fd, const struct sockaddr *addr, socklen_t len,
		       int err, int saved)
{
	struct sockaddr_storage ss;
	struct failure_mem *m = NULL;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	int on = 1, off = 0, ms, r, diagnosed = 0, bound = 0, type, v6only, sig;
	const char *note = "";

	if (!explained(err))
		goto out;
	type = sock_int(fd, SOL_SOCKET, SO_TYPE);
	if ((type != SOCK_STREAM && type != SOCK_DGRAM) ||
	    len < (socklen_t)sizeof(sa_family_t) || len > (socklen_t)sizeof(ss))
		goto out;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr, len);		/* the kernel read it just now */
	/* A short IPv6 address has scope 0: the full length says the same. */
	if (ss.ss_family == AF_INET6 && len >= PB_SIN6_LEN_RFC2133)
		len = (socklen_t)sizeof(struct sockaddr_in6);
	if (pb__addr_len(sa, len) < 0)
		goto out;		/* not inet: not ours to explain */
	if (type == SOCK_STREAM && err == EADDRINUSE && inet_with_port(sa, len) &&
	    (m = mem_get()) != NULL) {
		v6only = ss.ss_family == AF_INET6
			 ? sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) : -1;
		ms = wait_ms();
		m->h.on = 0;
		if (ms > 0)
			hold(&m->h);
		/* Who holds it, from the table (netlink only: the /proc/net
		   reader allocates); the owners only if the line needs
		   them. */
		m->d.size = sizeof(m->d);
		m->d.flags = PB_DIAG_NO_PROCNET;
		diagnosed = pb__diagnose(SOCK_STREAM, sa, len, v6only, err, &m->d) >= 0;
		/* What the option set before bind would have passed, and
		   only that. */
		if (diagnosed && time_wait_alone(&m->d, pb__addr_port(sa)) &&
		    sock_int(fd, SOL_SOCKET, SO_REUSEADDR) == 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0) {
			if (pb__real_bind(fd, sa, len) == 0)
				bound = 1;
			else
				err = errno;
			/* The socket keeps the option as the program made
			   it: a bound socket with it would share its port
			   with any other that has it. */
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &off, sizeof(off));
			if (!bound && err != EADDRINUSE)
				diagnosed = 0;	/* another failure: diagnosed anew */
		}
		/* A signal that came meanwhile ends the wait before it
		   starts (its handler runs at release). */
		sig = came(&m->h);
		release(&m->h);
		if (sig && ms > 0 && !bound) {
			if (diagnosed && m->d.cause == PB_CAUSE_TIME_WAIT)
				note = " (PORTBIND_WAIT: interrupted by a signal)";
			ms = 0;
		}
		/* The wait binds without the option: it passes TIME_WAIT
		   that the option cannot pass once it is gone, and nothing
		   that holds the port meanwhile. */
		if (diagnosed && !bound && err == EADDRINUSE && ms > 0 &&
		    (m->d.cause == PB_CAUSE_TIME_WAIT || m->d.cause == PB_CAUSE_NONE)) {
			struct bind_attempt a = { fd, sa, len };

			m->d.flags = PB_DIAG_NO_PROCNET;
			/* A signal the program blocks and takes itself
			   (signalfd, sigwait) ends the wait too. */
			r = pb__wait_out_flags(try_bind, &a, SOCK_STREAM, sa, len,
					       v6only, ms, PB__WAIT_BLOCKED, &m->d);
			if (r == 0) {
				bound = 1;
			} else if (r == -EINTR) {
				/* A signal came: the program wants control
				   back now, with the error bind would have
				   given.  The diagnosis is the one made
				   before the sleep it ended. */
				note = " (PORTBIND_WAIT: interrupted by a signal)";
			} else {
				/* m->d is the last round's diagnosis, of -r. */
				err = -r;
				/* The TIME_WAIT outlasted PORTBIND_WAIT: the
				   line's fix names a longer one. */
				if (err == EADDRINUSE &&
				    m->d.cause == PB_CAUSE_TIME_WAIT)
					note = " (PORTBIND_WAIT ran out first)";
			}
		}
		/* "Nothing holds it" beside a failed bind is a holder that
		   just left, or came: asked again, with the owners. */
		if (diagnosed && m->d.cause == PB_CAUSE_NONE)
			diagnosed = 0;
		if (diagnosed && !bound)
			add_owners(&m->d);
	}
	if (!bound) {
		if (!m)
			m = mem_get();
		if (m)
			explain(m, fd, sa, len, type, err, "bind", diagnosed, note);
	}
	if (m)
		mem_put(m);
	if (bound) {
		errno = saved;
		return 0;
	}
out:
	errno = err;
	return -1;
}

__attribute__((visibility("default")))
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;

	if (pb__real_bind(fd, addr, len) == 0) {
		errno = saved;
		return 0;
	}
	if (secure())
		return -1;
	return bind_failed(fd, addr, len, errno, saved);
}

__attribute__((visibility("default")))
int listen(int fd, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct failure_mem *m;
	int saved = errno, on = 1, off = 0, set = 0, inet, err;

	if (secure())
		return pb__real_listen(fd, backlog);
	memset(&ss, 0, sizeof(ss));
	inet = getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	       len <= (socklen_t)sizeof(ss) &&
	       (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	/* A TCP listener on a port it will want back: its connections, and
	   so their TIME_WAIT sockets, inherit the option. */
	if (inet && inet_with_port((struct sockaddr *)&ss, len) &&
	    sock_int(fd, SOL_SOCKET, SO_TYPE) == SOCK_STREAM &&
	    sock_int(fd, SOL_SOCKET, SO_REUSEADDR) == 0)
		set = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0;
	if (pb__real_listen(fd, backlog) == 0) {
		errno = saved;
		return 0;
	}
	err = errno;
	if (set)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &off, sizeof(off));
	/* Two bound sockets with SO_REUSEADDR: the conflict shows here. */
	if (err == EADDRINUSE && inet && (m = mem_get()) != NULL) {
		explain(m, fd, (struct sockaddr *)&ss, len, SOCK_STREAM, err,
			"listen", 0, "");
		mem_put(m);
	}
	errno = err;
	return -1;
}

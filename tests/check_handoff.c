/* SPDX-License-Identifier: MIT */
/*
 * check_handoff.c - two real processes hand a listening socket over, with
 * a connection waiting in its accept queue that the successor serves; and
 * hostile peers of the same uid (forged messages, wrong descriptors, silent
 * or hung servers, concurrent starters) against both sides.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <time.h>

#include "handoff.h"
#include "testutil.h"

/* A child's exit status: the test cannot be made here. */
#define SKIPPED 77

struct dir {
	char path[64];
	char sock[96];
};

static void make_dir(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/pbt-handoff.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->path));
	snprintf(d->sock, sizeof(d->sock), "%s/ctl", d->path);
}

static void remove_dir(struct dir *d)
{
	char file[128];

	unlink(d->sock);
	snprintf(file, sizeof(file), "%s/file", d->path);
	unlink(file);
	rmdir(d->path);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's exit status; a child still running after ms is killed and
   counts as -1 (a hang is a failure, never a stuck suite). */
static int reap_within(pid_t pid, int ms)
{
	long end = now_ms() + ms;
	int st;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -2;
		if (now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		poll(NULL, 0, 5);
	}
}

/* Is thread tid (a process's pid, or a thread's id) blocked in
   ppoll(2) now, the one wait every hand-off call makes?  1 yes, 0 not
   (yet), -1 when /proc cannot tell. */
static int in_ppoll(pid_t tid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atol(buf) == SYS_ppoll && buf[0] != 'r';
}

/* Wait, bounded, until tid waits inside a call: a state, not a time.
   Where /proc cannot tell, a pause long enough on an idle machine. */
static void wait_until_waiting(pid_t tid)
{
	long end = now_ms() + 5000;
	int r;

	while ((r = in_ppoll(tid)) == 0 && now_ms() < end)
		poll(NULL, 0, 1);
	if (r < 0)
		poll(NULL, 0, 200);
}

static socklen_t sun_of(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
	return (socklen_t)sizeof(*sun);
}

/* A control socket made by hand (no libportbind), backlog 4. */
static int raw_listener(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = sun_of(&sun, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0 ||
	    listen(fd, 4) < 0)
		return -1;
	return fd;
}

/* A connection to path, or -errno. */
static int raw_connect(const char *path, int nonblock)
{
	struct sockaddr_un sun;
	socklen_t len = sun_of(&sun, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
			(nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Connect until the backlog of a server that never accepts is full:
   fds[] gets the connections; their number. */
static int fill_backlog(const char *path, int *fds, int max)
{
	int n = 0, c;

	while (n < max) {
		c = raw_connect(path, 1);
		if (c == -EAGAIN)
			return n;
		ck_assert_int_ge(c, 0);
		fds[n++] = c;
	}
	ck_abort_msg("backlog of %s never filled", path);
	return n;
}

static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? 0 : -1;
}

static int read_line(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (wait_in(fd, 5000) < 0)
		return -1;
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

/* What the takes of this process bring: static, never on a small
   thread's stack (about 16.5 KiB). */
static struct pb_fdset taken = PB_FDSET_INIT;

/* Close what a successful take brought, and forget it. */
static void close_taken(void)
{
	ck_assert_int_eq(pb_fdset_close(&taken), 0);
	taken.n = 0;
}

/* The whole environment as one text, "NAME=value" lines in order, to
   compare byte for byte (malloc'd). */
static char *env_text(void)
{
	size_t n = 1, off = 0, k;
	char **e, *t;

	for (e = environ; *e; e++)
		n += strlen(*e) + 1;
	t = malloc(n);
	ck_assert_ptr_nonnull(t);
	for (e = environ; *e; e++) {
		k = strlen(*e);
		memcpy(t + off, *e, k);
		t[off + k] = '\n';
		off += k + 1;
	}
	t[off] = '\0';
	return t;
}

/* ---------------------------------------------------------------- */

struct successor {
	const char *sock;
	unsigned port;
	int timeout;
};

/* The new server: take, adopt, serve two connections, make its own
   control socket where the old one was. */
static int successor(void *arg)
{
	const struct successor *s = arg;
	char spec[64], buf[32];
	int fd, c, i, ctl;

	PBT_REQUIRE(pb_handoff_take(s->sock, 5000, &taken) == 1);
	PBT_REQUIRE(taken.n == 1 && taken.pid == getppid());
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", s->port);
	/* Socket activation knows nothing of it: the set is the caller's. */
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, NULL) == -1 && errno == ENOENT);
	fd = pb_fdset_adopt(&taken, SOCK_STREAM, spec, NULL);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(strcmp(taken.names[0], "web") == 0);
	PBT_REQUIRE(taken.fds[0] == -1);
	PBT_REQUIRE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Handed out once: the second time there is nothing. */
	errno = 0;
	PBT_REQUIRE(pb_fdset_adopt(&taken, SOCK_STREAM, spec, NULL) == -1 &&
		    errno == ENOENT);
	PBT_REQUIRE(pb_fdset_adopt(&taken, SOCK_STREAM, NULL, "web") == -1 &&
		    errno == ENOENT);
	PBT_REQUIRE(pb_fdset_close(&taken) == 0);
	PBT_REQUIRE(fcntl(fd, F_GETFD) >= 0);	/* not the set's any more */
	for (i = 0; i < 2; i++) {
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		PBT_REQUIRE(c >= 0);
		PBT_REQUIRE(read_line(c, buf, sizeof(buf)) > 0);
		PBT_REQUIRE(write(c, "served by successor\n", 20) == 20);
		close(c);
	}
	/* The old server freed the path: the successor can offer it next. */
	ctl = pb_handoff_listen(s->sock);
	PBT_REQUIRE(ctl >= 0);
	close(ctl);
	unlink(s->sock);
	close(fd);
	return 0;
}

/* A successor that only takes (with s->timeout) and checks it got one
   listening socket. */
static int plain_successor(void *arg)
{
	const struct successor *s = arg;

	PBT_REQUIRE(pb_handoff_take(s->sock, s->timeout, &taken) == 1);
	PBT_REQUIRE(pb__handoff_fd_kind(taken.fds[0]) == PB__FD_LISTENER);
	return 0;
}

static int connect_to(unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", port);
	int c = pbt_socket("127.0.0.1", SOCK_STREAM, 0);

	ck_assert_int_eq(connect(c, (struct sockaddr *)&ss, len), 0);
	return c;
}

START_TEST(handoff_keeps_queued_connection)
{
	struct dir d;
	struct successor s;
	const char *names[] = { "web" };
	char buf[64];
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL), ctl, c1, c2, st;
	pid_t pid;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	pbt_assert_cloexec(ctl);
	s.sock = d.sock;
	s.port = pbt_local_port(l);

	/* Someone checks whether the path is alive (connects, says nothing):
	   that must not spoil the hand-off that follows. */
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);

	/* A client waits in the old server's accept queue, never accepted. */
	c1 = connect_to(s.port);
	ck_assert_int_eq(write(c1, "first\n", 6), 6);

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(successor(&s));

	ck_assert_int_eq(pb_handoff_give(ctl, &l, names, 1, 5000), 0);
	/* The old server stops: its copy closes, the socket lives on. */
	close(l);
	close(ctl);
	c2 = connect_to(s.port);	/* not refused */
	ck_assert_int_eq(write(c2, "second\n", 7), 7);
	ck_assert_int_gt(read_line(c1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "served by successor\n");
	ck_assert_int_gt(read_line(c2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "served by successor\n");
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "successor: %d", st);
	close(c1);
	close(c2);
	remove_dir(&d);
}
END_TEST

/*
 * Issue 13 (review): a taken name is its bytes, its NUL, then zeros.
 * Before, hand_over copied all PB_FDNAME_MAX bytes of each name from the
 * malloc'ed receive buffer, so whatever the heap held after the NUL
 * landed in the caller's set.  M_PERTURB makes that garbage certain
 * (glibc; elsewhere, and under AddressSanitizer, it may be zeros).
 */
START_TEST(take_names_zero_after_nul)
{
	static struct pb_fdset set = PB_FDSET_INIT;
	const char *names[] = { "web", NULL, "a" };
	struct dir d;
	int l[3], ctl, st;
	unsigned i, k;
	pid_t pid;
	int n;

	make_dir(&d);
	for (i = 0; i < 3; i++) {
		l[i] = pb_listen("127.0.0.1:0", 4, 0, NULL);
		ck_assert_int_ge(l[i], 0);
	}
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(pb_handoff_give(ctl, l, names, 3, 5000) == 0 ? 0 : 1);
	close(ctl);
	/* glibc fills what malloc returns with 0xa5 ^ 0xff (0x5a). */
	mallopt(M_PERTURB, 0xa5);
	n = pb_handoff_take(d.sock, 5000, &set);
	mallopt(M_PERTURB, 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "giver: %d", st);
	ck_assert_str_eq(set.names[0], "web");
	ck_assert_str_eq(set.names[1], "");
	ck_assert_str_eq(set.names[2], "a");
	for (i = 0; i < 3; i++)
		for (k = (unsigned)strlen(set.names[i]); k < PB_FDNAME_MAX; k++)
			ck_assert_msg(set.names[i][k] == 0, "names[%u][%u] is %d",
				      i, k, set.names[i][k]);
	ck_assert_int_eq(pb_fdset_close(&set), 0);
	for (i = 0; i < 3; i++)
		close(l[i]);
	remove_dir(&d);
}
END_TEST

/* A negative timeout waits without bound, on both sides. */
START_TEST(handoff_unbounded)
{
	struct dir d;
	struct successor s;
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL), ctl;
	pid_t pid;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	s.sock = d.sock;
	s.timeout = -1;
	pid = pbt_fork_child(plain_successor, &s);
	errno = EDOM;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, -1), 0);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

START_TEST(take_without_predecessor)
{
	struct dir d;
	int a;

	make_dir(&d);
	/* A first start: nothing to take, not an error, errno untouched. */
	errno = EDOM;
	ck_assert_int_eq(pb_handoff_take(d.sock, 100, &taken), 0);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_uint_eq(taken.n, 0);
	/* Nobody listens at a path left behind.  A set whose descriptors
	   were all adopted may be used again. */
	a = raw_listener(d.sock);
	ck_assert_int_ge(a, 0);
	close(a);
	taken.n = 2;
	taken.pid = 99;
	taken.fds[0] = taken.fds[1] = -1;
	ck_assert_int_eq(pb_handoff_take(d.sock, 100, &taken), 0);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_uint_eq(taken.n, 0);
	ck_assert_int_eq(taken.pid, 0);
	/* Only entries below n count: one past it is not the set's. */
	a = pbt_listener("127.0.0.1", 0, 0);
	taken.n = 0;
	taken.fds[0] = a;
	ck_assert_int_eq(pb_handoff_take(d.sock, 100, &taken), 0);
	ck_assert_int_eq(taken.fds[0], a);
	taken.fds[0] = -1;
	close(a);
	remove_dir(&d);
}
END_TEST

START_TEST(listen_stale_and_live_paths)
{
	struct dir d;
	int a, b;

	make_dir(&d);
	a = pb_handoff_listen(d.sock);
	ck_assert_int_ge(a, 0);
	/* Live: someone answers there. */
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	/* Stale: the server died and left its path.  What failed on the
	   way to the path does not show in errno. */
	close(a);
	errno = EDOM;
	b = pb_handoff_listen(d.sock);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(errno, EDOM);
	close(b);
	/* A path that is not a socket is never removed. */
	unlink(d.sock);
	{
		int f = open(d.sock, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

		ck_assert_int_ge(f, 0);
		close(f);
	}
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	remove_dir(&d);
}
END_TEST

START_TEST(give_arguments_and_timeout)
{
	struct dir d;
	const char *bad[] = { "a:b" };
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, minus = -1, p[2];
	char longpath[200];

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 0, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, PB_HANDOFF_MAX + 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &minus, NULL, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, bad, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, NULL, NULL, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(-1, &l, NULL, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	{
		/* The second descriptor or name is checked too. */
		int two[2] = { l, -1 };
		const char *second[] = { "ok", "not ok" };

		two[1] = -1;
		errno = 0;
		ck_assert_int_eq(pb_handoff_give(ctl, two, NULL, 2, 10), -1);
		ck_assert_int_eq(errno, EINVAL);
		two[1] = l;
		errno = 0;
		ck_assert_int_eq(pb_handoff_give(ctl, two, second, 2, 10), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	/* Descriptors a successor would refuse are refused here. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &p[0], NULL, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &p[1], NULL, 1, 10), -1);
	ck_assert_int_eq(errno, EBADF);
	close(p[0]);
	/* No successor comes. */
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 50), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(longpath), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(pb_handoff_take(NULL, 10, &taken), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(ctl);
	/* The set: there, initialised, its count inside its array, and
	   holding no descriptor that a take would overwrite (checked before
	   anything is opened: no descriptor leaks). */
	{
		static struct pb_fdset set = PB_FDSET_INIT;
		int before = pbt_count_fds();

		errno = 0;
		ck_assert_int_eq(pb_handoff_take(d.sock, 10, NULL), -1);
		ck_assert_int_eq(errno, EINVAL);
		set.size = offsetof(struct pb_fdset, names);
		errno = 0;
		ck_assert_int_eq(pb_handoff_take(d.sock, 10, &set), -1);
		ck_assert_int_eq(errno, EINVAL);
		set.size = sizeof(set);
		set.n = PB_HANDOFF_MAX + 1;
		errno = 0;
		ck_assert_int_eq(pb_handoff_take(d.sock, 10, &set), -1);
		ck_assert_int_eq(errno, EINVAL);
		set.n = 1;
		set.fds[0] = l;
		errno = 0;
		ck_assert_int_eq(pb_handoff_take(d.sock, 10, &set), -1);
		ck_assert_int_eq(errno, EBUSY);
		ck_assert_int_eq(set.fds[0], l);	/* untouched */
		ck_assert_int_eq(pbt_count_fds(), before);
	}
	close(l);
	remove_dir(&d);
}
END_TEST

/* ---- forged predecessors: the taker's checks */

struct forge {
	const char *dir;
	int lfd;		/* the forger's control socket */
	const char *kinds;	/* a descriptor per letter, see make_fd */
	const char *magic;	/* NULL: the real one */
	int n;			/* header count; -1: strlen(kinds) */
	const char *names;	/* raw name bytes; NULL: "" per descriptor */
	size_t names_len;
	int len_delta;		/* added to the header's names_len */
	size_t extra;		/* junk bytes after the names, not counted */
	size_t only;		/* nonzero: send only this many bytes */
	int creds;		/* an SCM_CREDENTIALS message besides */
	int hold;		/* after the ack, stay until the taker closes */
	int kick;		/* with hold: SIGUSR1 to the taker after the ack */
	int at_once;		/* close right after sending, reading nothing */
	int unread;		/* close once the ack came, without reading it */
	int prior_env;		/* PORTBIND_* set before the take */
	int names_seen;		/* success: check the names are f->names */
	int timeout;		/* the taker's; 0: 3000 ms */
	int small_stack;	/* take in a PTHREAD_STACK_MIN thread */
	int shut_rd;		/* refuse the answer before sending */
	int go;			/* with hold, > 0: a read end; remove the
				   path once a byte comes, then close */
};

struct small_take {
	const char *sock;
	int timeout, r, err;
};

static void *small_take(void *arg)
{
	struct small_take *t = arg;

	errno = EDOM;
	t->r = pb_handoff_take(t->sock, t->timeout, &taken);
	t->err = errno;
	return NULL;
}

/* pb_handoff_take in a thread with the smallest stack there is, and a
   64 KiB guard below it so that an overflow faults. */
static int take_small(const char *sock, int timeout, int *err)
{
	struct small_take t = { sock, timeout, 0, 0 };
	pthread_attr_t a;
	pthread_t th;

	ck_assert_int_eq(pthread_attr_init(&a), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN), 0);
	ck_assert_int_eq(pthread_attr_setguardsize(&a, 65536), 0);
	ck_assert_int_eq(pthread_create(&th, &a, small_take, &t), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	pthread_attr_destroy(&a);
	*err = t.err;
	return t.r;
}

/* L listening TCP, U bound UDP, P pipe, F regular file, S unbound TCP
   socket, X connected Unix socket. */
static int make_fd(char kind, const char *dir)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	char path[128];
	int fd, p[2];

	switch (kind) {
	case 'L':
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0)
			return -1;
		return fd;
	case 'U':
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (bind(fd, (struct sockaddr *)&ss, len) < 0)
			return -1;
		return fd;
	case 'P':
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		return p[0];
	case 'F':
		snprintf(path, sizeof(path), "%s/file", dir);
		return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	case 'S':
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	case 'X':
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
			return -1;
		return p[0];
	}
	return -1;
}

#define FORGE_FDS 80

static int forger(void *arg)
{
	const struct forge *f = arg;
	union {
		char b[CMSG_SPACE(FORGE_FDS * sizeof(int)) +
		       CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} cbuf;
	struct pb__handoff_hdr hdr;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	struct ucred u;
	char hello[8], *msg;
	size_t nk = strlen(f->kinds), i, len;
	int fds[FORGE_FDS], conn;

	PBT_REQUIRE(nk <= FORGE_FDS);
	for (i = 0; i < nk; i++) {
		fds[i] = make_fd(f->kinds[i], f->dir);
		PBT_REQUIRE(fds[i] >= 0);
	}
	PBT_REQUIRE(wait_in(f->lfd, 3000) == 0);
	conn = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
	PBT_REQUIRE(conn >= 0);
	PBT_REQUIRE(wait_in(conn, 3000) == 0);
	PBT_REQUIRE(recv(conn, hello, sizeof(hello), 0) == 4);
	if (f->shut_rd)
		PBT_REQUIRE(shutdown(conn, SHUT_RD) == 0);

	len = sizeof(hdr) + f->names_len + f->extra;
	msg = calloc(1, len + 1);
	PBT_REQUIRE(msg != NULL);
	memcpy(hdr.magic, f->magic ? f->magic : PB_HANDOFF_MAGIC, 4);
	hdr.n = (uint32_t)(f->n < 0 ? (int)nk : f->n);
	hdr.names_len = (uint32_t)((int)f->names_len + f->len_delta);
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), f->names, f->names_len);
	memset(msg + sizeof(hdr) + f->names_len, 'j', f->extra);
	if (f->only)
		len = f->only;

	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = msg;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = (f->creds ? CMSG_SPACE(sizeof(u)) : 0) +
			    (nk ? CMSG_SPACE(nk * sizeof(int)) : 0);
	c = CMSG_FIRSTHDR(&mh);
	if (f->creds) {
		u.pid = getpid();
		u.uid = getuid();
		u.gid = getgid();
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(u));
		memcpy(CMSG_DATA(c), &u, sizeof(u));
		c = CMSG_NXTHDR(&mh, c);
	}
	if (nk) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nk * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nk * sizeof(int));
	}
	if (!mh.msg_controllen)
		mh.msg_control = NULL;
	PBT_REQUIRE(sendmsg(conn, &mh, MSG_NOSIGNAL) == (ssize_t)len);
	free(msg);
	if (f->at_once)
		return 0;
	/* The taker closes (refused) or acks; a real giver reads the ack
	   (leaving it unread resets the taker's connection), then closes. */
	(void)wait_in(conn, 3000);
	if (f->unread)
		return 0;
	if (f->hold) {
		PBT_REQUIRE(recv(conn, hello, sizeof(hello), 0) == 1);
		if (f->go > 0) {
			char sock[128];

			/* A giver held up between the ack and its unlink. */
			PBT_REQUIRE(wait_in(f->go, 5000) == 0);
			snprintf(sock, sizeof(sock), "%s/ctl", f->dir);
			PBT_REQUIRE(unlink(sock) == 0);
			return 0;
		}
		if (f->kick)
			PBT_REQUIRE(kill(getppid(), SIGUSR1) == 0);
		/* Until the taker closes: it always does, on return. */
		(void)wait_in(conn, 20000);
	} else {
		(void)recv(conn, hello, sizeof(hello), MSG_DONTWAIT);
	}
	return 0;
}

/* Run take against the forged predecessor f: its result, errno in *err.
   On a refusal, no descriptor stays behind and nothing is recorded. */
static int take_forged(struct forge *f, int *err)
{
	struct dir d;
	char *env, *after, **envp;
	pid_t pid;
	int r, before, i;

	make_dir(&d);
	f->dir = d.path;
	f->lfd = raw_listener(d.sock);
	ck_assert_int_ge(f->lfd, 0);
	if (!f->names) {
		static const char empty[FORGE_FDS] = { 0 };

		f->names = empty;
		f->names_len = strlen(f->kinds);
	}
	pid = pbt_fork_child(forger, f);
	close(f->lfd);
	if (f->prior_env) {
		/* Variables of the names the library once used: whatever
		   the program has, it keeps. */
		ck_assert_int_eq(setenv("PORTBIND_FDS", "5,6", 1), 0);
		ck_assert_int_eq(setenv("PORTBIND_FDNAMES", "a:b", 1), 0);
	}
	/* A set the take must not write unless it succeeds, nor past the
	   entries it took. */
	memset(&taken, 0, sizeof(taken));
	taken.size = sizeof(taken);
	taken.pid = 4242;
	for (i = 0; i < PB_HANDOFF_MAX; i++) {
		taken.fds[i] = -1;
		snprintf(taken.names[i], sizeof(taken.names[i]), "before");
	}
	env = env_text();
	envp = environ;
	before = pbt_count_fds();
	if (f->small_stack) {
		r = take_small(d.sock, f->timeout ? f->timeout : 3000, err);
	} else {
		errno = EDOM;
		r = pb_handoff_take(d.sock, f->timeout ? f->timeout : 3000,
				    &taken);
		*err = errno;
	}
	/* Success or not, the environment is as it was, byte for byte. */
	after = env_text();
	ck_assert_str_eq(after, env);
	ck_assert_ptr_eq(environ, envp);
	free(env);
	free(after);
	if (f->prior_env) {
		unsetenv("PORTBIND_FDS");
		unsetenv("PORTBIND_FDNAMES");
	}
	if (r < 0) {
		ck_assert_int_eq(pbt_count_fds(), before);
		ck_assert_uint_eq(taken.n, 0);
		ck_assert_int_eq(taken.pid, 4242);
		ck_assert_str_eq(taken.names[0], "before");
	} else {
		ck_assert_int_eq(*err, EDOM);	/* untouched */
		ck_assert_int_eq(pbt_count_fds(), before + r);
		ck_assert_uint_eq(taken.n, (unsigned)r);
		ck_assert_int_eq(taken.pid, getpid());	/* it made the socket listen */
		for (i = 0; i < r; i++) {
			pbt_assert_cloexec(taken.fds[i]);
			ck_assert_int_ge(pb__handoff_fd_kind(taken.fds[i]),
					 PB__FD_LISTENER);
		}
		if (f->names_seen) {
			const char *nm = f->names;

			for (i = 0; i < r; i++) {
				ck_assert_str_eq(taken.names[i], nm);
				nm += strlen(nm) + 1;
			}
		}
		for (i = r; i < PB_HANDOFF_MAX; i++) {
			ck_assert_int_eq(taken.fds[i], -1);
			ck_assert_str_eq(taken.names[i], "before");
		}
	}
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	remove_dir(&d);
	return r;
}

/* A name of len 'a's, in static memory: a forked forger that exits holds
   no heap block of ours (valgrind follows children and counts theirs). */
static char *name_of(size_t len)
{
	static char buf[PB_HANDOFF_MAX * 256 + 1];

	ck_assert_uint_lt(len, sizeof(buf));
	memset(buf, 'a', len);
	buf[len] = '\0';
	return buf;
}

START_TEST(take_refuses_long_names)
{
	struct forge f;
	char *name;
	int err;

	/* 4000 bytes: overflowed the heap once. */
	name = name_of(4000);
	memset(&f, 0, sizeof(f));
	f.kinds = "L";
	f.n = -1;
	f.names = name;
	f.names_len = 4001;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);

	/* One over the limit. */
	name = name_of(256);
	f.names = name;
	f.names_len = 257;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);

	/* A long name hidden after a short one. */
	name = name_of(300);
	name[3] = '\0';
	f.kinds = "LL";
	f.names = name;
	f.names_len = 301;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);

	/* The limit itself is fine, and recorded whole. */
	name = name_of(255);
	f.kinds = "L";
	f.names = name;
	f.names_len = 256;
	ck_assert_int_eq(take_forged(&f, &err), 1);
	ck_assert_str_eq(taken.names[0], name);
	close_taken();
}
END_TEST

START_TEST(take_refuses_mismatched_counts)
{
	struct forge f;
	int err;

	memset(&f, 0, sizeof(f));
	/* The header counts two, one came. */
	f.kinds = "L";
	f.n = 2;
	f.names = "a\0b";
	f.names_len = 4;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* Two came, the header counts one. */
	f.kinds = "LL";
	f.n = 1;
	f.names = "a";
	f.names_len = 2;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* Two names for one descriptor. */
	f.kinds = "L";
	f.n = -1;
	f.names = "a\0b";
	f.names_len = 4;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* No descriptor at all. */
	f.kinds = "";
	f.n = 0;
	f.names = "";
	f.names_len = 0;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* The header's length disagrees with the message. */
	f.kinds = "L";
	f.n = -1;
	f.names = "web";
	f.names_len = 4;
	f.len_delta = 1;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* The last name is not terminated. */
	f.len_delta = 0;
	f.names_len = 3;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* A separator in a name; a wrong magic. */
	f.names = "w:b";
	f.names_len = 4;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	f.names = "web";
	f.magic = "PBH0";
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
}
END_TEST

START_TEST(take_refuses_wrong_descriptors)
{
	static const char *const wrong[] = { "P", "F", "S", "X", "LP", "UF" };
	struct forge f;
	size_t i;
	int err;

	memset(&f, 0, sizeof(f));
	f.n = -1;
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		f.kinds = wrong[i];
		f.names = NULL;
		ck_assert_msg(take_forged(&f, &err) == -1 && err == EPROTO,
			      "kinds %s: taken, or errno %d", wrong[i], err);
	}
	/* What can be adopted is taken: listeners, bound UDP sockets; with
	   no names given, each name is empty. */
	f.kinds = "LU";
	f.names = NULL;
	f.names_seen = 1;
	ck_assert_int_eq(take_forged(&f, &err), 2);
	ck_assert_str_eq(taken.names[1], "");
	close_taken();
}
END_TEST

START_TEST(take_refuses_truncated_messages)
{
	char many[66];
	struct forge f;
	int err;

	memset(&f, 0, sizeof(f));
	f.n = -1;
	/* Shorter than a header. */
	f.kinds = "L";
	f.only = 6;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* Longer than any well-formed message: cut (MSG_TRUNC). */
	f.only = 0;
	f.names = NULL;
	f.extra = PB_HANDOFF_BUF + 100;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* More descriptors than fit (MSG_CTRUNC): the ones that came are
	   closed, the kernel closes the rest. */
	f.extra = 0;
	memset(many, 'U', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	f.kinds = many;
	f.names = NULL;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
}
END_TEST

START_TEST(take_other_ancillary_data)
{
	unsigned char kinds[1] = { PB__FD_LISTENER };
	struct pb__handoff_rx rx = { 0, 1, 1, kinds };
	char msg[64];
	int len, err;
	struct forge f;

	/* Linux delivers SCM_CREDENTIALS only to a receiver that asked
	   (SO_PASSCRED, which the taker never sets): over a real socket the
	   forged extra is dropped and the message is as good as without. */
	memset(&f, 0, sizeof(f));
	f.kinds = "L";
	f.n = -1;
	f.creds = 1;
	ck_assert_int_eq(take_forged(&f, &err), 1);
	close_taken();
	/* Had it come, the message would have been refused: the same check
	   the taker runs, with what recvmsg would then have said. */
	len = pb__handoff_build(msg, sizeof(msg), NULL, 1);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(pb__handoff_check_msg(msg, (size_t)len, &rx), -EPROTO);
	rx.other_cmsgs = 0;
	ck_assert_int_eq(pb__handoff_check_msg(msg, (size_t)len, &rx), 1);
	rx.msg_flags = MSG_CTRUNC;
	ck_assert_int_eq(pb__handoff_check_msg(msg, (size_t)len, &rx), -EPROTO);
	rx.msg_flags = 0;
	kinds[0] = PB__FD_WRONG;
	ck_assert_int_eq(pb__handoff_check_msg(msg, (size_t)len, &rx), -EPROTO);
}
END_TEST

/* The giver's checks of what it reads. */
/* The time runs out only after the answer, while the predecessor does
   not close: the taker holds the descriptors, and says so. */
START_TEST(take_late_close_is_success)
{
	struct forge f;
	long t;
	int err;

	memset(&f, 0, sizeof(f));
	f.kinds = "L";
	f.n = -1;
	f.hold = 1;
	f.timeout = 300;
	t = now_ms();
	ck_assert_int_eq(take_forged(&f, &err), 1);
	t = now_ms() - t;
	ck_assert_msg(t >= 250 && t < 3000, "took %ld ms", t);
	close_taken();
}
END_TEST

/* A predecessor that closes with the taker's answer unread (a real
   giver does when its own deadline runs out) never saw it: it keeps
   serving with its path, so the take failed. */
START_TEST(take_unread_answer_fails)
{
	struct forge f;
	int err;

	memset(&f, 0, sizeof(f));
	f.kinds = "LU";
	f.n = -1;
	f.unread = 1;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, ECONNRESET);
}
END_TEST

/* A take that fails late (after the message was checked) leaves the
   caller's set and environment as they were, variables of the names the
   library once wrote included, and no descriptor. */
START_TEST(take_failure_keeps_environment)
{
	struct forge f;
	int err;

	memset(&f, 0, sizeof(f));
	f.kinds = "L";
	f.n = -1;
	f.prior_env = 1;
	/* Gone before the answer (EPIPE on it), or gone without reading it:
	   either way no hand-off. */
	f.at_once = 1;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, ECONNRESET);
	f.at_once = 0;
	f.unread = 1;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, ECONNRESET);
	/* Refuses the answer (as a giver past its deadline does): the
	   answer's send fails, no hand-off. */
	f.unread = 0;
	f.shut_rd = 1;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, ECONNRESET);
	f.shut_rd = 0;
	/* A refused message touches nothing either. */
	f.unread = 0;
	f.kinds = "P";
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
}
END_TEST

/* A predecessor that closes before it sends anything: EPROTO, whether it
   read the greeting (an end of file) or not (a reset). */
static int closing_predecessor(void *arg)
{
	const struct forge *f = arg;
	char hello[8];
	int conn;

	PBT_REQUIRE(wait_in(f->lfd, 3000) == 0);
	conn = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
	PBT_REQUIRE(conn >= 0);
	PBT_REQUIRE(wait_in(conn, 3000) == 0);
	if (f->hold)
		PBT_REQUIRE(recv(conn, hello, sizeof(hello), 0) == 4);
	return 0;
}

START_TEST(take_predecessor_closes_early)
{
	struct forge f;
	struct dir d;
	int read_hello, before;
	pid_t pid;

	for (read_hello = 0; read_hello < 2; read_hello++) {
		make_dir(&d);
		memset(&f, 0, sizeof(f));
		f.lfd = raw_listener(d.sock);
		ck_assert_int_ge(f.lfd, 0);
		f.hold = read_hello;
		pid = pbt_fork_child(closing_predecessor, &f);
		close(f.lfd);
		before = pbt_count_fds();
		errno = 0;
		ck_assert_int_eq(pb_handoff_take(d.sock, 3000, &taken), -1);
		ck_assert_msg(errno == EPROTO, "read hello %d: errno %d",
			      read_hello, errno);
		ck_assert_int_eq(pbt_count_fds(), before);
		ck_assert_int_eq(reap_within(pid, 3000), 0);
		remove_dir(&d);
	}
}
END_TEST

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

/* A signal once the answer is sent ends only the courtesy wait for the
   predecessor's close: the hand-off has happened, the take succeeds. */
START_TEST(take_signal_after_answer_succeeds)
{
	struct sigaction sa, old;
	struct forge f;
	long t;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
	usr1 = 0;
	memset(&f, 0, sizeof(f));
	f.kinds = "L";
	f.n = -1;
	f.hold = 1;
	f.kick = 1;
	f.timeout = 30000;
	t = now_ms();
	ck_assert_int_eq(take_forged(&f, &err), 1);
	t = now_ms() - t;
	ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);
	ck_assert_int_eq(usr1, 1);
	/* Not the predecessor's 20 s of holding on. */
	ck_assert_msg(t < 10000, "took %ld ms", t);
	close_taken();
}
END_TEST

/* The taker fits a thread of PTHREAD_STACK_MIN bytes: a refused
   message with the longest names, and a full set. */
START_TEST(take_in_a_small_thread)
{
	struct forge f;
	char *names, kinds[PB_HANDOFF_MAX + 1];
	int err, i;

	memset(&f, 0, sizeof(f));
	f.small_stack = 1;
	f.n = -1;
	names = name_of(PB_HANDOFF_MAX * 256);
	names[16000] = '\0';
	f.kinds = "L";
	f.names = names;
	f.names_len = 16001;
	ck_assert_int_eq(take_forged(&f, &err), -1);
	ck_assert_int_eq(err, EPROTO);
	/* 64 descriptors with short names. */
	memset(kinds, 'U', PB_HANDOFF_MAX);
	kinds[PB_HANDOFF_MAX] = '\0';
	f.kinds = kinds;
	f.names = NULL;
	ck_assert_int_eq(take_forged(&f, &err), PB_HANDOFF_MAX);
	close_taken();
	/* And 64 names of 255 characters, the largest message there is:
	   nothing of it goes through the stack (glibc's setenv(3), which
	   the take once called, copied "name=value" there). */
	names = name_of(PB_HANDOFF_MAX * 256);
	for (i = 0; i < PB_HANDOFF_MAX; i++) {
		names[i * 256 + 255] = '\0';
		names[i * 256] = (char)('A' + i % 26);
	}
	f.names = names;
	f.names_len = PB_HANDOFF_MAX * 256;
	f.names_seen = 1;
	ck_assert_int_eq(take_forged(&f, &err), PB_HANDOFF_MAX);
	ck_assert_uint_eq(strlen(taken.names[63]), 255);
	close_taken();
}
END_TEST

START_TEST(give_checks_hello_and_ack)
{
	ck_assert_int_eq(pb__handoff_check_hello("PBH1", 4, 0), 0);
	ck_assert_int_eq(pb__handoff_check_hello("PBH1", 4, MSG_CTRUNC), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_hello("PBH1x", 5, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_hello("PBH1", 4, MSG_TRUNC), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_hello("", 0, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("K", 1, 0), 0);
	ck_assert_int_eq(pb__handoff_check_ack("K", 1, MSG_CTRUNC), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("KK", 2, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("", 0, 0), -EPROTO);
}
END_TEST

/* ---- hung servers: every wait ends at the deadline */

START_TEST(take_hung_server_times_out)
{
	struct dir d;
	int ctl, conns[64], n, i, r;
	long t;

	make_dir(&d);
	/* An old server that listens and never answers. */
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	/* Its backlog not yet full: connected, no answer. */
	t = now_ms();
	errno = 0;
	ck_assert_int_eq(pb_handoff_take(d.sock, 200, &taken), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	t = now_ms() - t;
	ck_assert_msg(t >= 190 && t < 2000, "took %ld ms", t);
	/* Its backlog full: connect itself would block forever. */
	n = fill_backlog(d.sock, conns, 64);
	t = now_ms();
	errno = 0;
	r = pb_handoff_take(d.sock, 300, &taken);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	t = now_ms() - t;
	ck_assert_msg(t >= 290 && t < 3000, "took %ld ms", t);
	/* So would a second server's liveness probe: it is alive. */
	t = now_ms();
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	t = now_ms() - t;
	ck_assert_msg(t < 3000, "listen took %ld ms", t);
	for (i = 0; i < n; i++)
		close(conns[i]);
	close(ctl);
	remove_dir(&d);
}
END_TEST

/* The same, in a child: on a hang it is killed, and the test fails
   instead of the suite stopping at Check's timeout. */
static int hung_take(void *arg)
{
	const char *sock = arg;
	int ctl = pb_handoff_listen(sock), conns[64], n = 0, c;
	long t;

	PBT_REQUIRE(ctl >= 0);
	while (n < 64 && (c = raw_connect(sock, 1)) >= 0)
		conns[n++] = c;
	PBT_REQUIRE(c == -EAGAIN);
	t = now_ms();
	PBT_REQUIRE(pb_handoff_take(sock, 300, &taken) == -1 && errno == ETIMEDOUT);
	t = now_ms() - t;
	PBT_REQUIRE_MSG(t >= 290 && t < 3000, "took %ld ms of its 300", t);
	PBT_REQUIRE(pb_handoff_listen(sock) == -1 && errno == EADDRINUSE);
	while (n > 0)
		close(conns[--n]);
	close(ctl);
	return 0;
}

START_TEST(take_hung_server_never_blocks)
{
	struct dir d;
	pid_t pid;

	make_dir(&d);
	pid = pbt_fork_child(hung_take, d.sock);
	ck_assert_int_eq(reap_within(pid, 3000), 0);
	remove_dir(&d);
}
END_TEST

/* Signals that run no handler, SIGALRM set to SIG_IGN or SIGWINCH left
   to its default action (ignore), every 10 ms: they neither end the
   calls early nor make them outlive their deadline.  The calls block
   them meanwhile, so they queue and meet the wait, which the kernel
   resumes by itself. */
START_TEST(ignored_signals_keep_the_deadline)
{
	static const int sigs[] = { SIGALRM, SIGWINCH };
	struct itimerspec it = { { 0, 10000000 }, { 0, 10000000 } };
	struct sigaction sa, old;
	struct sigevent ev;
	struct dir d;
	timer_t timer;
	int ctl, l = pb_listen("127.0.0.1:0", 4, 0, NULL), conns[64], n, i, r, e, k;
	long t;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	n = 0;
	for (k = 0; k < 2; k++) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = sigs[k] == SIGALRM ? SIG_IGN : SIG_DFL;
		sigemptyset(&sa.sa_mask);
		ck_assert_int_eq(sigaction(sigs[k], &sa, &old), 0);
		memset(&ev, 0, sizeof(ev));
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = sigs[k];
		ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &timer), 0);
		ck_assert_int_eq(timer_settime(timer, 0, &it, NULL), 0);

		t = now_ms();
		r = pb_handoff_give(ctl, &l, NULL, 1, 100);
		e = errno;
		t = now_ms() - t;
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(e, ETIMEDOUT);
		ck_assert_msg(t >= 100 && t < 3000, "give took %ld ms", t);

		t = now_ms();
		r = pb_handoff_take(d.sock, 100, &taken);
		e = errno;
		t = now_ms() - t;
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(e, ETIMEDOUT);
		ck_assert_msg(t >= 100 && t < 3000, "take took %ld ms", t);

		if (k == 0)
			n = fill_backlog(d.sock, conns, 64);
		t = now_ms();
		r = pb_handoff_take(d.sock, 100, &taken);
		e = errno;
		t = now_ms() - t;
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(e, ETIMEDOUT);
		ck_assert_msg(t >= 100 && t < 3000, "take took %ld ms", t);

		ck_assert_int_eq(timer_delete(timer), 0);
		ck_assert_int_eq(sigaction(sigs[k], &old, NULL), 0);
	}
	for (i = 0; i < n; i++)
		close(conns[i]);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* ---- a caught signal ends every wait at once */

enum { IN_TAKE, IN_GIVE, IN_LISTEN, IN_TAKE_FULL };

struct interrupt {
	const char *sock;
	int call;		/* IN_* */
	int flags;		/* sa_flags: SA_RESTART or 0 */
	int ready;		/* write end: a byte just before the call */
};

/* Descriptors open before the call; what the handler found open then
   without FD_CLOEXEC that was not (the call's own, which a fork and
   exec in another thread at that moment would leak). */
static unsigned char fds_before[128];
static volatile sig_atomic_t leaky_fd;

/* The handler: count the signal, and look at every descriptor the call
   holds while it waits (fcntl(2) is async-signal-safe). */
static void on_usr1_scan(int sig)
{
	int fd, fl, saved = errno;

	(void)sig;
	usr1++;
	for (fd = 3; fd < 1024; fd++) {
		if (fds_before[fd / 8] & (1u << (fd % 8)))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			leaky_fd = fd;
	}
	errno = saved;		/* fcntl's EBADF is not the call's */
}

/* The call, with no bound, against a predecessor that never answers, no
   successor, or a directory lock never released: only the parent's
   SIGUSR1 ends it.  -1 with EINTR, promptly, nothing changed; every
   descriptor it held meanwhile close-on-exec. */
static int interrupted(void *arg)
{
	const struct interrupt *in = arg;
	struct sigaction sa;
	sigset_t mask;
	long t;
	int r, e, before, l = -1, ctl = -1;
	char *env, *after;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1_scan;
	sa.sa_flags = in->flags;
	sigemptyset(&sa.sa_mask);
	PBT_REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
	if (in->call == IN_GIVE) {
		l = pb_listen("127.0.0.1:0", 4, 0, NULL);
		ctl = pb_handoff_listen(in->sock);
		PBT_REQUIRE(l >= 0 && ctl >= 0);
	}
	PBT_REQUIRE(setenv("PORTBIND_FDS", "9", 1) == 0);
	env = env_text();
	before = pbt_count_fds();
	for (e = 0; e < 1024; e++)
		if (fcntl(e, F_GETFD) >= 0)
			fds_before[e / 8] |= (unsigned char)(1u << (e % 8));
	PBT_REQUIRE(write(in->ready, "x", 1) == 1);
	t = now_ms();
	errno = 0;
	if (in->call == IN_TAKE || in->call == IN_TAKE_FULL)
		r = pb_handoff_take(in->sock, -1, &taken);
	else if (in->call == IN_GIVE)
		r = pb_handoff_give(ctl, &l, NULL, 1, -1);
	else
		r = pb_handoff_listen(in->sock);
	e = errno;
	t = now_ms() - t;
	PBT_REQUIRE(r == -1 && e == EINTR);
	PBT_REQUIRE(usr1 == 1);
	PBT_REQUIRE(leaky_fd == 0);
	PBT_REQUIRE_MSG(t < 5000, "took %ld ms", t);
	PBT_REQUIRE(pbt_count_fds() == before);
	after = env_text();
	PBT_REQUIRE(strcmp(env, after) == 0);
	free(env);
	free(after);
	/* The caller's mask is back. */
	PBT_REQUIRE(pthread_sigmask(SIG_SETMASK, NULL, &mask) == 0);
	PBT_REQUIRE(!sigismember(&mask, SIGUSR1) && !sigismember(&mask, SIGUSR2) &&
		    !sigismember(&mask, SIGTERM));
	if (in->call == IN_GIVE) {
		/* Still serving at its path. */
		PBT_REQUIRE(access(in->sock, F_OK) == 0);
		close(ctl);
		close(l);
	}
	return 0;
}

START_TEST(signal_ends_the_wait)
{
	static const int flags[] = { 0, SA_RESTART };
	struct interrupt in;
	struct dir d;
	int ctl = -1, lock, ready[2], k, call, conns[64], n = 0;
	char b;
	pid_t pid;

	make_dir(&d);
	for (call = IN_TAKE; call <= IN_TAKE_FULL; call++) {
		for (k = 0; k < 2; k++) {
			lock = -1;
			if (call == IN_TAKE || call == IN_TAKE_FULL) {
				ctl = pb_handoff_listen(d.sock);
				ck_assert_int_ge(ctl, 0);
				/* Full: the take tries to connect again
				   and again, pausing in between. */
				if (call == IN_TAKE_FULL)
					n = fill_backlog(d.sock, conns, 64);
			} else if (call == IN_LISTEN) {
				/* Another starter holds the directory lock. */
				lock = open(d.path, O_RDONLY | O_DIRECTORY |
					    O_CLOEXEC);
				ck_assert_int_ge(lock, 0);
				ck_assert_int_eq(flock(lock, LOCK_EX), 0);
			}
			ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
			in.sock = d.sock;
			in.call = call;
			in.flags = flags[k];
			in.ready = ready[1];
			pid = pbt_fork_child(interrupted, &in);
			close(ready[1]);
			ck_assert_int_eq(wait_in(ready[0], 10000), 0);
			ck_assert_int_eq(read(ready[0], &b, 1), 1);
			close(ready[0]);
			/* In its wait: a signal before it would be handled
			   before the call, which would then wait for ever. */
			wait_until_waiting(pid);
			ck_assert_int_eq(kill(pid, SIGUSR1), 0);
			ck_assert_msg(reap_within(pid, 3000) == 0,
				      "call %d, flags %d", call, flags[k]);
			if (lock >= 0)
				close(lock);
			while (n > 0)
				close(conns[--n]);
			if (ctl >= 0)
				close(ctl);
			ctl = -1;
			unlink(d.sock);
		}
	}
	remove_dir(&d);
}
END_TEST

/* A signal sent as the call begins: it comes while the call is not yet
   waiting, and must end the first wait at once, not be lost.  Whether
   it came inside the call, the handler sees in the mask it interrupted:
   the call blocks SIGUSR2 (and every other catchable signal) while it
   runs; the program never does. */
static volatile sig_atomic_t inside;

static void on_usr1_where(int sig, siginfo_t *si, void *uc)
{
	const ucontext_t *u = uc;

	(void)sig;
	(void)si;
	usr1++;
	inside = sigismember(&u->uc_sigmask, SIGUSR2) == 1;
}

struct kick {
	pthread_t target;
	int go;
};

static void *kicker(void *arg)
{
	struct kick *k = arg;
	long end = now_ms() + 3000;

	while (!__atomic_load_n(&k->go, __ATOMIC_ACQUIRE) && now_ms() < end)
		;
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

static int kicked(void *arg)
{
	const struct interrupt *in = arg;
	struct sigaction sa;
	struct kick k;
	pthread_t th;
	long t;
	int r, e, attempt, l = -1, ctl = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_where;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	PBT_REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
	if (in->call == IN_GIVE) {
		l = pb_listen("127.0.0.1:0", 4, 0, NULL);
		ctl = pb_handoff_listen(in->sock);
		PBT_REQUIRE(l >= 0 && ctl >= 0);
	}
	/* The signal may still land before the call: then the call waits
	   its time, and another attempt is made. */
	for (attempt = 0; attempt < 10; attempt++) {
		usr1 = 0;
		inside = 0;
		k.target = pthread_self();
		k.go = 0;
		PBT_REQUIRE(pthread_create(&th, NULL, kicker, &k) == 0);
		t = now_ms();
		__atomic_store_n(&k.go, 1, __ATOMIC_RELEASE);
		if (in->call == IN_TAKE)
			r = pb_handoff_take(in->sock, 3000, &taken);
		else
			r = pb_handoff_give(ctl, &l, NULL, 1, 3000);
		e = errno;
		t = now_ms() - t;
		PBT_REQUIRE(pthread_join(th, NULL) == 0);
		PBT_REQUIRE(r == -1 && usr1 == 1);
		if (inside) {
			PBT_REQUIRE(e == EINTR);
			/* Not after its 3 s, however loaded the machine. */
			PBT_REQUIRE_MSG(t < 1500, "EINTR after %ld ms", t);
			break;
		}
		PBT_REQUIRE(e == ETIMEDOUT);
	}
	PBT_REQUIRE(attempt < 10);
	if (ctl >= 0)
		close(ctl);
	if (l >= 0)
		close(l);
	return 0;
}

START_TEST(signal_before_the_first_wait)
{
	struct interrupt in;
	struct dir d;
	int ctl;

	make_dir(&d);
	memset(&in, 0, sizeof(in));
	in.sock = d.sock;
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	in.call = IN_TAKE;
	ck_assert_int_eq(pbt_run_in_child(kicked, &in), 0);
	close(ctl);
	unlink(d.sock);
	in.call = IN_GIVE;
	ck_assert_int_eq(pbt_run_in_child(kicked, &in), 0);
	remove_dir(&d);
}
END_TEST

/* ---- concurrent starters: exactly one owns the path */

#define STARTERS 6

struct starter {
	const char *sock;
	int go[2];		/* EOF on go[0] means start */
	int id;
};

/* 0: won, and was found at the path; 10: EADDRINUSE; others: failed. */
static int starter(void *arg)
{
	const struct starter *s = arg;
	char b;
	int ctl, c;

	close(s->go[1]);
	PBT_REQUIRE(wait_in(s->go[0], 3000) == 0 && read(s->go[0], &b, 1) == 0);
	ctl = pb_handoff_listen(s->sock);
	if (ctl < 0)
		return errno == EADDRINUSE ? 10 : 20;
	/* The winner is the one the path leads to: it tells whoever
	   connects (the losers' probes too) who it is, until the test says
	   it heard. */
	while (wait_in(ctl, 2000) == 0) {
		c = accept4(ctl, NULL, NULL, SOCK_CLOEXEC);
		PBT_REQUIRE(c >= 0);
		if (send(c, &s->id, sizeof(s->id), MSG_NOSIGNAL) ==
		    sizeof(s->id) && wait_in(c, 1000) == 0 &&
		    recv(c, &b, 1, 0) == 1) {
			close(c);
			return 0;
		}
		close(c);
	}
	return 30;
}

START_TEST(listen_concurrent_starters)
{
	struct dir d;
	struct starter s[STARTERS];
	pid_t pid[STARTERS];
	int round, i, go[2], c, id, st, stale;
	long end;

	make_dir(&d);
	for (round = 0; round < 15; round++) {
		/* A path left by a server that died. */
		stale = raw_listener(d.sock);
		ck_assert_int_ge(stale, 0);
		close(stale);
		ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
		for (i = 0; i < STARTERS; i++) {
			s[i].sock = d.sock;
			s[i].go[0] = go[0];
			s[i].go[1] = go[1];
			s[i].id = i;
			pid[i] = pbt_fork_child(starter, &s[i]);
		}
		close(go[0]);
		close(go[1]);	/* all start at once */
		end = now_ms() + 3000;
		do {
			c = raw_connect(d.sock, 0);
			if (c < 0)
				poll(NULL, 0, 1);
		} while (c < 0 && now_ms() < end);
		ck_assert_int_ge(c, 0);
		ck_assert_int_eq(wait_in(c, 3000), 0);
		ck_assert_int_eq(recv(c, &id, sizeof(id), 0), sizeof(id));
		/* The others first, while the winner still holds the path. */
		ck_assert_msg(id >= 0 && id < STARTERS, "winner %d", id);
		for (i = 0; i < STARTERS; i++) {
			if (i == id)
				continue;
			st = reap_within(pid[i], 5000);
			ck_assert_msg(st == 10, "round %d: starter %d (winner %d): %d",
				      round, i, id, st);
		}
		ck_assert_int_eq(send(c, "q", 1, 0), 1);
		close(c);
		st = reap_within(pid[id], 5000);
		ck_assert_msg(st == 0, "round %d: winner %d: %d", round, id, st);
		unlink(d.sock);
	}
	remove_dir(&d);
}
END_TEST

/* A starter between its bind and its listen, as every libportbind
   starter is, under the directory lock: another starter must neither
   take its refused socket for a stale one nor wait past a second. */
struct second_starter {
	const char *sock;
	int err;		/* errno it must fail with */
	int min_ms, max_ms;	/* and how long it may take */
	int lock;		/* the parent's locked descriptor: closed, as
				   flock(2) locks follow the open file */
};

static int second_starter(void *arg)
{
	const struct second_starter *s = arg;
	long t = now_ms();

	close(s->lock);
	errno = 0;
	PBT_REQUIRE(pb_handoff_listen(s->sock) == -1);
	PBT_REQUIRE(errno == s->err);
	t = now_ms() - t;
	PBT_REQUIRE_MSG(t >= s->min_ms && t <= s->max_ms, "took %ld ms", t);
	return 0;
}

START_TEST(listen_waits_for_a_starter)
{
	struct second_starter ss;
	struct dir d;
	int dir, a, c, b;
	pid_t pid;

	make_dir(&d);
	/* The first starter has bound and is about to listen. */
	dir = open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir, 0);
	ck_assert_int_eq(flock(dir, LOCK_EX), 0);
	a = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	{
		struct sockaddr_un sun;
		socklen_t len = sun_of(&sun, d.sock);

		ck_assert_int_eq(bind(a, (struct sockaddr *)&sun, len), 0);
	}
	ss.sock = d.sock;
	ss.err = EADDRINUSE;
	ss.min_ms = 0;
	ss.max_ms = 5000;	/* EADDRINUSE, not its ETIMEDOUT at 1 s */
	ss.lock = dir;
	pid = pbt_fork_child(second_starter, &ss);
	wait_until_waiting(pid);	/* for the lock */
	ck_assert_int_eq(listen(a, 4), 0);
	close(dir);
	ck_assert_int_eq(reap_within(pid, 3000), 0);
	/* The path still leads to the first starter. */
	c = raw_connect(d.sock, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(wait_in(a, 1000), 0);
	b = accept4(a, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(b, 0);
	close(b);
	close(c);
	close(a);

	/* A starter stuck in the middle (stopped, say) for over a second:
	   the others give up with ETIMEDOUT, never touching the path. */
	unlink(d.sock);
	dir = open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir, 0);
	ck_assert_int_eq(flock(dir, LOCK_EX), 0);
	ss.err = ETIMEDOUT;
	ss.min_ms = 1000;
	ss.max_ms = 5000;
	ss.lock = dir;
	pid = pbt_fork_child(second_starter, &ss);
	ck_assert_int_eq(reap_within(pid, 10000), 0);
	close(dir);
	ck_assert_int_eq(access(d.sock, F_OK), -1);
	remove_dir(&d);
}
END_TEST

/* ---- the giver skips whoever is not a successor */

START_TEST(give_skips_silent_and_noisy_peers)
{
	struct dir d;
	struct successor s;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, peers[4], i, fd;
	struct msghdr mh;
	struct iovec iov;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct cmsghdr *c;
	char b, hello[] = PB_HANDOFF_MAGIC;
	pid_t pid;
	long t;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	/* Silent; garbage; a longer message that starts like the hello; the
	   hello with a descriptor attached. */
	for (i = 0; i < 4; i++) {
		peers[i] = raw_connect(d.sock, 0);
		ck_assert_int_ge(peers[i], 0);
	}
	ck_assert_int_eq(send(peers[1], "GET /", 5, 0), 5);
	ck_assert_int_eq(send(peers[2], "PBH1PBH1", 8, 0), 8);
	fd = make_fd('L', d.path);
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));	/* valgrind: no byte sent unset */
	iov.iov_base = hello;
	iov.iov_len = 4;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof(cbuf.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ck_assert_int_eq(sendmsg(peers[3], &mh, 0), 4);
	close(fd);

	s.sock = d.sock;
	s.timeout = 20000;
	pid = pbt_fork_child(plain_successor, &s);
	t = now_ms();
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 20000), 0);
	t = now_ms() - t;
	ck_assert_msg(t < 10000, "give took %ld ms of its 20000", t);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	/* The noisy ones were closed; none got a descriptor. */
	for (i = 1; i < 4; i++) {
		ck_assert_int_eq(wait_in(peers[i], 1000), 0);
		ck_assert_int_eq(recv(peers[i], &b, 1, MSG_DONTWAIT), 0);
	}
	for (i = 0; i < 4; i++)
		close(peers[i]);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* A silent connection is closed after a second (not sooner), while the
   call goes on: the same peer, greeting next, gets the sockets. */
static int silent_peer(void *arg)
{
	const char *sock = arg;
	/* The clock starts before the connect: the giver cannot accept,
	   and so start its second, sooner; a peer held up between its
	   connect and a clock read after it would see less than 1000. */
	long t = now_ms();
	char b;
	int c = raw_connect(sock, 0);

	PBT_REQUIRE(c >= 0);
	PBT_REQUIRE(wait_in(c, 15000) == 0);
	PBT_REQUIRE(recv(c, &b, 1, 0) <= 0);
	t = now_ms() - t;
	close(c);
	/* Not sooner than its second; long before the giver's 20 s. */
	if (t < 1000 || t > 10000) {
		fprintf(stderr, "silent peer closed after %ld ms\n", t);
		return 1;
	}
	PBT_REQUIRE(pb_handoff_take(sock, 3000, &taken) == 1);
	return 0;
}

START_TEST(give_drops_silent_after_a_second)
{
	struct dir d;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl;
	pid_t pid;
	long t;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	pid = pbt_fork_child(silent_peer, d.sock);
	t = now_ms();
	errno = EDOM;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 20000), 0);
	ck_assert_int_eq(errno, EDOM);
	t = now_ms() - t;
	ck_assert_msg(t >= 1000 && t < 10000, "give took %ld ms", t);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

struct flood {
	const char *sock;
	int ready;		/* write end: a byte once flooding */
	int done;		/* read end: EOF when the test is over */
	int other[2];		/* the ends the child closes */
};

/* Keep 16 silent connections open: more than the giver holds at once. */
static int flooder(void *arg)
{
	const struct flood *f = arg;
	int conns[16], n = 0, c;
	long end = now_ms() + 3000;
	char b;

	close(f->other[0]);
	close(f->other[1]);
	while (n < 16 && now_ms() < end) {
		c = raw_connect(f->sock, 1);
		if (c >= 0)
			conns[n++] = c;
		else
			poll(NULL, 0, 1);
	}
	PBT_REQUIRE(n == 16);
	PBT_REQUIRE(write(f->ready, "x", 1) == 1);
	(void)wait_in(f->done, 5000);
	PBT_REQUIRE(read(f->done, &b, 1) == 0);
	while (n > 0)
		close(conns[--n]);
	return 0;
}

struct late_successor {
	struct successor s;
	int ready;		/* read end: wait for the flood */
	int other;		/* an end the child closes, or -1 */
};

static int late_successor(void *arg)
{
	struct late_successor *ls = arg;

	if (ls->other >= 0)
		close(ls->other);
	PBT_REQUIRE(wait_in(ls->ready, 3000) == 0);
	return plain_successor(&ls->s);
}

START_TEST(give_outlasts_a_flood)
{
	struct dir d;
	struct flood f;
	struct late_successor ls;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, ready[2], done[2];
	pid_t fp, sp;
	long t;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(done, O_CLOEXEC), 0);
	f.sock = d.sock;
	f.ready = ready[1];
	f.done = done[0];
	f.other[0] = ready[0];
	f.other[1] = done[1];
	fp = pbt_fork_child(flooder, &f);
	ls.s.sock = d.sock;
	ls.s.timeout = 3000;
	ls.ready = ready[0];
	ls.other = done[1];
	sp = pbt_fork_child(late_successor, &ls);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	t = now_ms();
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 4000), 0);
	/* Sooner than any silent one's second is up (each accepted after t):
	   the oldest made room.  That second is the bound itself; no wider
	   one would still tell the two apart. */
	t = now_ms() - t;
	ck_assert_msg(t < 1000, "give took %ld ms", t);
	ck_assert_int_eq(reap_within(sp, 3000), 0);
	close(done[1]);
	ck_assert_int_eq(reap_within(fp, 3000), 0);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* Another uid says hello first: skipped, and the real successor that
   comes after it gets the sockets. */
static int stranger(void *arg)
{
	const struct flood *f = arg;
	char b;
	int c;

	PBT_REQUIRE(setresgid(65534, 65534, 65534) == 0);
	PBT_REQUIRE(setresuid(65534, 65534, 65534) == 0);
	c = raw_connect(f->sock, 0);
	PBT_REQUIRE(c >= 0);
	/* The giver may have closed it already, its uid checked (a slow
	   stranger, under valgrind): the hello then fails. */
	PBT_REQUIRE(send(c, PB_HANDOFF_MAGIC, 4, MSG_NOSIGNAL) == 4 ||
		    errno == EPIPE || errno == ECONNRESET);
	PBT_REQUIRE(write(f->ready, "x", 1) == 1);
	/* Closed without a word (its hello unread: a reset): no
	   descriptor for a stranger. */
	PBT_REQUIRE(wait_in(c, 3000) == 0);
	PBT_REQUIRE(recv(c, &b, 1, 0) == 0 || errno == ECONNRESET);
	return 0;
}

START_TEST(give_skips_other_uid)
{
	struct dir d;
	struct flood f;
	struct late_successor ls;
	int l, ctl, ready[2];
	pid_t xp, sp;

	/* Before anything is opened: a skip leaves nothing behind. */
	if (geteuid() != 0)
		PBT_SKIP("needs root to run a peer as another uid");
	l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(l, 0);
	make_dir(&d);
	ck_assert_int_eq(chmod(d.path, 0755), 0);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(chmod(d.sock, 0777), 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	f.sock = d.sock;
	f.ready = ready[1];
	xp = pbt_fork_child(stranger, &f);
	ls.other = -1;
	ls.s.sock = d.sock;
	ls.s.timeout = 3000;
	ls.ready = ready[0];
	sp = pbt_fork_child(late_successor, &ls);
	close(ready[0]);
	close(ready[1]);
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 3000), 0);
	ck_assert_int_eq(reap_within(sp, 3000), 0);
	ck_assert_int_eq(reap_within(xp, 3000), 0);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* ---- successors that go away before their ack are skipped */

/* Says hello, waits for the descriptors, closes without reading them:
   the giver's wait for the ack ends in a reset. */
static int rude_successor(void *arg)
{
	const int *c = arg;

	PBT_REQUIRE(wait_in(*c, 5000) == 0);
	return 0;
}

/* Reads the descriptors, closes without an answer: an end of file. */
static int mute_successor(void *arg)
{
	const int *c = arg;
	char buf[64];

	PBT_REQUIRE(wait_in(*c, 5000) == 0);
	PBT_REQUIRE(recv(*c, buf, sizeof(buf), 0) > 0);
	return 0;
}

/* Reads the descriptors, answers something else. */
static int garbling_successor(void *arg)
{
	const int *c = arg;
	char buf[64];

	PBT_REQUIRE(wait_in(*c, 5000) == 0);
	PBT_REQUIRE(recv(*c, buf, sizeof(buf), 0) > 0);
	/* A giver whose time ran out meanwhile (a slow machine) has
	   refused any answer already. */
	PBT_REQUIRE(send(*c, "X", 1, MSG_NOSIGNAL) == 1 || errno == EPIPE ||
		    errno == ECONNRESET);
	(void)wait_in(*c, 5000);
	return 0;
}

/* Greeted connections whose peer goes away in each way there is before
   its ack, queued ahead of whatever comes next: one that closed before
   the descriptors were sent (a successor killed by its service manager),
   one that leaves them unread, one that reads them and closes, one that
   answers wrong.  Their children in pids[]. */
static void vanishing_peers(const char *sock, pid_t *pids)
{
	static int (*const fns[])(void *) = {
		rude_successor, mute_successor, garbling_successor
	};
	int c, i;

	c = raw_connect(sock, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(send(c, PB_HANDOFF_MAGIC, 4, 0), 4);
	close(c);
	for (i = 0; i < 3; i++) {
		c = raw_connect(sock, 0);
		ck_assert_int_ge(c, 0);
		ck_assert_int_eq(send(c, PB_HANDOFF_MAGIC, 4, 0), 4);
		pids[i] = pbt_fork_child(fns[i], &c);
		close(c);
	}
}

START_TEST(give_skips_successors_that_vanish)
{
	struct dir d;
	struct successor s;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, i;
	pid_t pids[3], pid;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	vanishing_peers(d.sock, pids);
	/* The real successor, behind them. */
	s.sock = d.sock;
	s.timeout = 5000;
	pid = pbt_fork_child(plain_successor, &s);
	errno = EDOM;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 5000), 0);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	for (i = 0; i < 3; i++)
		ck_assert_msg(reap_within(pids[i], 5000) == 0, "peer %d", i);
	/* Given: the path is the successor's now. */
	ck_assert_int_eq(access(d.sock, F_OK), -1);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* With nobody else to serve, the call ends at its deadline, still
   serving, its path as it was. */
START_TEST(give_vanished_peers_time_out)
{
	struct dir d;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, i;
	pid_t pids[3];
	long t;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	vanishing_peers(d.sock, pids);
	t = now_ms();
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 500), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	t = now_ms() - t;
	ck_assert_msg(t >= 500 && t < 5000, "give took %ld ms", t);
	for (i = 0; i < 3; i++)
		ck_assert_msg(reap_within(pids[i], 5000) == 0, "peer %d", i);
	ck_assert_int_eq(access(d.sock, F_OK), 0);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

struct give_child {
	int ctl, l;
};

static int give_child(void *arg)
{
	const struct give_child *g = arg;

	return pb_handoff_give(g->ctl, &g->l, NULL, 1, 5000) == 0 ? 0 : 1;
}

/* ---- peers of other users: only the caller's uid, or root, on both
   sides */

static int as_nobody(void)
{
	return setresgid(65534, 65534, 65534) == 0 &&
	       setresuid(65534, 65534, 65534) == 0 ? 0 : -1;
}

/* A predecessor of another uid (nobody) listens: root's take refuses it,
   EPERM, the set as it was, nothing left open. */
static int nobody_listens(void *arg)
{
	const struct flood *f = arg;
	char b;
	int ctl;

	close(f->other[0]);
	close(f->other[1]);
	PBT_REQUIRE(as_nobody() == 0);
	ctl = raw_listener(f->sock);
	PBT_REQUIRE(ctl >= 0);
	PBT_REQUIRE(write(f->ready, "x", 1) == 1);
	(void)wait_in(f->done, 5000);
	PBT_REQUIRE(read(f->done, &b, 1) == 0);
	close(ctl);
	return 0;
}

/* nobody takes from root's giver (root is trusted): 1. */
static int nobody_takes(void *arg)
{
	const char *sock = arg;

	PBT_REQUIRE(as_nobody() == 0);
	PBT_REQUIRE(pb_handoff_take(sock, 5000, &taken) == 1);
	PBT_REQUIRE(pb__handoff_fd_kind(taken.fds[0]) == PB__FD_LISTENER);
	return 0;
}

/* nobody gives to a root peer (trusted): 0. */
static int nobody_gives(void *arg)
{
	const struct give_child *g = arg;

	PBT_REQUIRE(as_nobody() == 0);
	return pb_handoff_give(g->ctl, &g->l, NULL, 1, 5000) == 0 ? 0 : 1;
}

START_TEST(peers_of_other_uids)
{
	struct give_child g;
	struct forge fg;
	struct flood f;
	struct dir d;
	int ready[2], done[2], before, c;
	char buf[64], b;
	pid_t pid;

	if (geteuid() != 0)
		PBT_SKIP("needs root to run a peer as another uid");
	make_dir(&d);
	ck_assert_int_eq(chmod(d.path, 0777), 0);
	/* Root takes from nobody: refused. */
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(done, O_CLOEXEC), 0);
	f.sock = d.sock;
	f.ready = ready[1];
	f.done = done[0];
	f.other[0] = ready[0];
	f.other[1] = done[1];
	pid = pbt_fork_child(nobody_listens, &f);
	close(ready[1]);
	close(done[0]);
	ck_assert_int_eq(wait_in(ready[0], 5000), 0);
	ck_assert_int_eq(read(ready[0], &b, 1), 1);
	memset(&taken, 0, sizeof(taken));
	taken.size = sizeof(taken);
	taken.pid = 4242;
	before = pbt_count_fds();
	errno = 0;
	ck_assert_int_eq(pb_handoff_take(d.sock, 2000, &taken), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(pbt_count_fds(), before);
	ck_assert_uint_eq(taken.n, 0);
	ck_assert_int_eq(taken.pid, 4242);
	close(done[1]);
	close(ready[0]);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	unlink(d.sock);

	/* nobody takes from root (a forged giver: root's own gives only
	   to root): served. */
	memset(&fg, 0, sizeof(fg));
	fg.dir = d.path;
	fg.kinds = "L";
	fg.n = -1;
	fg.names = "";
	fg.names_len = 1;
	fg.lfd = raw_listener(d.sock);
	ck_assert_int_ge(fg.lfd, 0);
	ck_assert_int_eq(chmod(d.sock, 0777), 0);
	pid = pbt_fork_child(forger, &fg);
	close(fg.lfd);
	ck_assert_int_eq(pbt_run_in_child(nobody_takes, d.sock), 0);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	unlink(d.sock);
	g.l = pbt_listener("127.0.0.1", 0, 0);

	/* nobody gives to root: served (a raw root successor). */
	g.ctl = raw_listener(d.sock);
	ck_assert_int_ge(g.ctl, 0);
	pid = pbt_fork_child(nobody_gives, &g);
	c = raw_connect(d.sock, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(send(c, PB_HANDOFF_MAGIC, 4, 0), 4);
	ck_assert_int_eq(wait_in(c, 5000), 0);
	{
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh;
		struct cmsghdr *cm;
		int fd;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		ck_assert_int_gt(recvmsg(c, &mh, MSG_CMSG_CLOEXEC), 0);
		cm = CMSG_FIRSTHDR(&mh);
		ck_assert_ptr_nonnull(cm);
		ck_assert_int_eq(cm->cmsg_type, SCM_RIGHTS);
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		ck_assert_int_eq(pb__handoff_fd_kind(fd), PB__FD_LISTENER);
		close(fd);
	}
	ck_assert_int_eq(send(c, "K", 1, MSG_NOSIGNAL), 1);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	close(c);
	close(g.ctl);
	close(g.l);
	remove_dir(&d);
}
END_TEST

/* ---- ends of connections, and the path after a take */

struct give_run {
	int ctl, l, timeout, r, err;
};

static void *give_thread(void *arg)
{
	struct give_run *g = arg;

	g->r = pb_handoff_give(g->ctl, &g->l, NULL, 1, g->timeout);
	g->err = errno;
	return NULL;
}

/* The lowest descriptor open now that is not open in before[] (a bitmap
   of descriptors below 1024), or -1. */
static int new_fd(const unsigned char *before)
{
	int fd;

	for (fd = 0; fd < 1024; fd++)
		if (!(before[fd / 8] & (1u << (fd % 8))) &&
		    fcntl(fd, F_GETFD) >= 0)
			return fd;
	return -1;
}

/* The giver's connection, held by someone else too (a child that another
   thread of the giver forked holds a copy of it): the successor still
   sees the end of the connection once the giver is done, and returns. */
START_TEST(give_ends_a_shared_connection)
{
	unsigned char before[128];
	struct give_run g;
	struct dir d;
	pthread_t t;
	char buf[64];
	long end;
	int c, conn = -1, copy, fd;

	make_dir(&d);
	g.l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(g.l, 0);
	g.ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(g.ctl, 0);
	g.timeout = 5000;
	c = raw_connect(d.sock, 0);
	ck_assert_int_ge(c, 0);
	memset(before, 0, sizeof(before));
	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			before[fd / 8] |= (unsigned char)(1u << (fd % 8));
	ck_assert_int_eq(pthread_create(&t, NULL, give_thread, &g), 0);
	/* The giver accepts and waits for our greeting: its connection is
	   the one descriptor that appears meanwhile. */
	for (end = now_ms() + 3000; conn < 0 && now_ms() < end;) {
		conn = new_fd(before);
		if (conn < 0)
			poll(NULL, 0, 2);
	}
	ck_assert_int_ge(conn, 0);
	pbt_assert_cloexec(conn);	/* no program it executes gets it */
	copy = fcntl(conn, F_DUPFD_CLOEXEC, 0);
	ck_assert_int_ge(copy, 0);
	ck_assert_int_eq(send(c, PB_HANDOFF_MAGIC, 4, 0), 4);
	ck_assert_int_eq(wait_in(c, 3000), 0);
	ck_assert_int_gt(recv(c, buf, sizeof(buf), MSG_CMSG_CLOEXEC), 0);
	ck_assert_int_eq(send(c, "K", 1, MSG_NOSIGNAL), 1);
	/* The end of file, not the 1.5 s of waiting for it. */
	ck_assert_msg(wait_in(c, 1500) == 0, "no end of file");
	ck_assert_int_eq(recv(c, buf, sizeof(buf), MSG_DONTWAIT), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(g.r, 0);
	close(copy);
	close(c);
	close(g.ctl);
	close(g.l);
	remove_dir(&d);
	/* The descriptor that came with the message. */
	for (fd = new_fd(before); fd >= 0; fd = new_fd(before))
		close(fd);
}
END_TEST

/* Mark the descriptors open now in map (below 1024). */
static void mark_fds(unsigned char *map)
{
	int fd;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			map[fd / 8] |= (unsigned char)(1u << (fd % 8));
}

/* Wait, bounded, for a descriptor to appear that map does not have (one
   another thread opened); it is marked. */
static int wait_new_fd(unsigned char *map)
{
	long end = now_ms() + 5000;
	int fd;

	while ((fd = new_fd(map)) < 0 && now_ms() < end)
		poll(NULL, 0, 1);
	ck_assert_int_ge(fd, 0);
	map[fd / 8] |= (unsigned char)(1u << (fd % 8));
	return fd;
}

/* Connections the giver holds while they say nothing yet, and that
   speak later: one says something else and is closed at once (not a
   second later), the other greets and is served. */
START_TEST(give_judges_pending_peers_when_they_speak)
{
	unsigned char map[128];
	struct give_run g;
	struct dir d;
	pthread_t th;
	char buf[64];
	long t, t1;
	int c1, c2, fd;

	make_dir(&d);
	g.l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(g.l, 0);
	g.ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(g.ctl, 0);
	g.timeout = 5000;
	memset(map, 0, sizeof(map));
	mark_fds(map);
	ck_assert_int_eq(pthread_create(&th, NULL, give_thread, &g), 0);
	c1 = raw_connect(d.sock, 0);
	ck_assert_int_ge(c1, 0);
	map[c1 / 8] |= (unsigned char)(1u << (c1 % 8));
	(void)wait_new_fd(map);		/* the giver accepted it */
	t1 = now_ms();
	c2 = raw_connect(d.sock, 0);
	ck_assert_int_ge(c2, 0);
	map[c2 / 8] |= (unsigned char)(1u << (c2 % 8));
	(void)wait_new_fd(map);
	t = now_ms();
	ck_assert_int_eq(send(c1, "GET /", 5, 0), 5);
	ck_assert_int_eq(wait_in(c1, 3000), 0);
	ck_assert_int_eq(recv(c1, buf, sizeof(buf), MSG_DONTWAIT), 0);
	/* Before its second of silence was up, if it spoke well before
	   (a machine slow enough cannot tell the two apart). */
	if (t - t1 < 500)
		ck_assert_msg(now_ms() - t1 < 1000, "closed after %ld ms",
			      now_ms() - t1);
	ck_assert_int_eq(send(c2, PB_HANDOFF_MAGIC, 4, 0), 4);
	ck_assert_int_eq(wait_in(c2, 3000), 0);
	ck_assert_int_gt(recv(c2, buf, sizeof(buf), MSG_CMSG_CLOEXEC), 0);
	ck_assert_int_eq(send(c2, "K", 1, MSG_NOSIGNAL), 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(g.r, 0);
	ck_assert_int_eq(access(d.sock, F_OK), -1);
	close(c1);
	close(c2);
	close(g.ctl);
	close(g.l);
	remove_dir(&d);
	/* The descriptor that came with the message. */
	for (fd = new_fd(map); fd >= 0; fd = new_fd(map))
		close(fd);
}
END_TEST

/* A plain successor that starts when a byte arrives on cue[0]: forked
   before the giver's thread starts, so that the child has no copy of
   memory that thread holds (valgrind would count it lost there). */
struct cued {
	struct successor *sc;
	int cue[2];
};

static int successor_on_cue(void *arg)
{
	struct cued *q = arg;
	struct pollfd p = { .fd = q->cue[0], .events = POLLIN };
	char b;

	close(q->cue[1]);
	/* Bounded: a test that failed before its cue leaves no child. */
	if (poll(&p, 1, 30000) != 1 || read(q->cue[0], &b, 1) != 1)
		return 1;
	return plain_successor(q->sc);
}

/* When all 8 places are taken, the connection that has waited longest
   makes room, not any other: the 9th and the 10th silent connection
   close the 1st and the 2nd (before their second is up). */
START_TEST(give_drops_the_oldest_pending_peer)
{
	unsigned char map[128];
	struct successor sc;
	struct cued q;
	struct give_run g;
	struct dir d;
	pthread_t th;
	char b;
	long t0;
	int c[10], i, fast;
	pid_t pid;

	make_dir(&d);
	g.l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(g.l, 0);
	g.ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(g.ctl, 0);
	g.timeout = 5000;
	sc.sock = d.sock;
	sc.timeout = 5000;
	q.sc = &sc;
	ck_assert_int_eq(pipe2(q.cue, O_CLOEXEC), 0);
	pid = pbt_fork_child(successor_on_cue, &q);
	close(q.cue[0]);
	ck_assert_int_eq(pthread_create(&th, NULL, give_thread, &g), 0);
	t0 = now_ms();
	for (i = 0; i < 10; i++) {
		/* What is open now, the giver waiting: then the one it
		   accepts is the one descriptor that appears. */
		memset(map, 0, sizeof(map));
		mark_fds(map);
		c[i] = raw_connect(d.sock, 1);
		ck_assert_int_ge(c[i], 0);
		map[c[i] / 8] |= (unsigned char)(1u << (c[i] % 8));
		(void)wait_new_fd(map);
		poll(NULL, 0, 2);	/* a later millisecond for the next */
	}
	/* Closed at once, long before their second is up; the others open
	   still.  (On a machine so slow that half a second went by, only
	   that the first two are closed at all can be told.) */
	fast = now_ms() - t0 < 400;
	for (i = 0; i < 2; i++) {
		ck_assert_msg(wait_in(c[i], fast ? 300 : 3000) == 0,
			      "peer %d kept", i);
		ck_assert_int_eq(recv(c[i], &b, 1, MSG_DONTWAIT), 0);
	}
	if (fast)
		for (i = 2; i < 10; i++)
			ck_assert_msg(wait_in(c[i], 0) < 0, "peer %d dropped", i);
	ck_assert_int_eq(write(q.cue[1], "x", 1), 1);
	close(q.cue[1]);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(g.r, 0);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	for (i = 0; i < 10; i++)
		close(c[i]);
	close(g.ctl);
	close(g.l);
	remove_dir(&d);
}
END_TEST

/* 64 descriptors, the most there is, each with its name. */
static int give_64(void *arg)
{
	const struct give_child *g = arg;
	static char names[PB_HANDOFF_MAX][8];
	const char *np[PB_HANDOFF_MAX];
	int fds[PB_HANDOFF_MAX], i;

	for (i = 0; i < PB_HANDOFF_MAX; i++) {
		fds[i] = g->l;
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		np[i] = names[i];
	}
	errno = 0;
	PBT_REQUIRE(pb_handoff_give(g->ctl, fds, np, PB_HANDOFF_MAX + 1, 10) == -1 &&
		    errno == EINVAL);
	return pb_handoff_give(g->ctl, fds, np, PB_HANDOFF_MAX, 5000) == 0 ? 0 : 1;
}

START_TEST(give_sixty_four)
{
	struct give_child g;
	struct dir d;
	char want[8];
	pid_t pid;
	int i;

	make_dir(&d);
	g.l = pbt_listener("127.0.0.1", 0, 0);
	g.ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(g.ctl, 0);
	pid = pbt_fork_child(give_64, &g);
	ck_assert_int_eq(pb_handoff_take(d.sock, 5000, &taken), PB_HANDOFF_MAX);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	for (i = 0; i < PB_HANDOFF_MAX; i++) {
		snprintf(want, sizeof(want), "n%d", i);
		ck_assert_str_eq(taken.names[i], want);
		ck_assert_int_eq(pb__handoff_fd_kind(taken.fds[i]), PB__FD_LISTENER);
	}
	close_taken();
	close(g.ctl);
	close(g.l);
	remove_dir(&d);
}
END_TEST

/* Descriptor 0 is a descriptor like any other: a daemon that closed
   its stdin gets it from the next call that opens one. */
enum { Z_CONN, Z_CTL, Z_LISTENER, Z_LAST = Z_LISTENER };

struct zero {
	const char *sock;
	int mode;
	int ready;		/* write end: a byte once listening */
	int other;		/* the read end, closed in the child */
};

static int zero_giver(void *arg)
{
	const struct zero *z = arg;
	int l, ctl;

	close(z->other);
	l = pbt_listener("127.0.0.1", 0, 0);
	PBT_REQUIRE(l > 0);
	if (z->mode == Z_CONN)
		close(0);	/* the lock's, then the connection's */
	ctl = pb_handoff_listen(z->sock);
	PBT_REQUIRE(ctl > 0);
	if (z->mode == Z_CONN)
		PBT_REQUIRE(fcntl(0, F_GETFD) == -1);	/* closed again */
	if (z->mode == Z_CTL) {
		PBT_REQUIRE(dup2(ctl, 0) == 0);
		close(ctl);
		ctl = 0;
	} else if (z->mode == Z_LISTENER) {
		PBT_REQUIRE(dup2(l, 0) == 0);
		close(l);
		l = 0;
	}
	PBT_REQUIRE(write(z->ready, "x", 1) == 1);
	return pb_handoff_give(ctl, &l, NULL, 1, 5000) == 0 ? 0 : 1;
}

static int zero_taker(void *arg)
{
	const struct zero *z = arg;

	/* A set that holds descriptor 0 holds a descriptor. */
	taken.n = 1;
	taken.fds[0] = 0;
	errno = 0;
	PBT_REQUIRE(pb_handoff_take(z->sock, 100, &taken) == -1 && errno == EBUSY);
	taken.n = 0;
	close(0);	/* the take's connection */
	PBT_REQUIRE(pb_handoff_take(z->sock, 5000, &taken) == 1);
	PBT_REQUIRE(taken.fds[0] > 0);
	PBT_REQUIRE(pb__handoff_fd_kind(taken.fds[0]) == PB__FD_LISTENER);
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1);	/* closed after */
	return 0;
}

START_TEST(descriptor_zero)
{
	struct zero z;
	struct dir d;
	int ready[2];
	pid_t g;
	char b;

	make_dir(&d);
	z.sock = d.sock;
	z.mode = _i;
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	z.ready = ready[1];
	z.other = ready[0];
	g = pbt_fork_child(zero_giver, &z);
	close(ready[1]);
	ck_assert_int_eq(wait_in(ready[0], 5000), 0);
	ck_assert_int_eq(read(ready[0], &b, 1), 1);
	close(ready[0]);
	ck_assert_int_eq(pbt_run_in_child(zero_taker, &z), 0);
	ck_assert_msg(reap_within(g, 5000) == 0, "giver, mode %d", _i);
	remove_dir(&d);
}
END_TEST

/* A peer that greeted and then never answers, still connected (a killed
   successor whose child holds its connection), does not hold the giver
   while the real successor waits behind it: it has a second. */
START_TEST(give_skips_a_peer_that_never_answers)
{
	struct dir d;
	struct successor s;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, c;
	pid_t pid;
	long t;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	c = raw_connect(d.sock, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(send(c, PB_HANDOFF_MAGIC, 4, 0), 4);
	s.sock = d.sock;
	s.timeout = 20000;
	pid = pbt_fork_child(plain_successor, &s);
	t = now_ms();
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 20000), 0);
	t = now_ms() - t;
	ck_assert_msg(t >= 1000 && t < 10000, "give took %ld ms of its 20000",
		      t);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	/* The silent one got the sockets, and then the end. */
	ck_assert_int_eq(wait_in(c, 0), 0);
	close(c);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* A forged giver in a fresh d that removes its path only once a byte
   comes on go; a take with 300 ms gets one listener from it and returns
   before that.  The giver's pid. */
static pid_t take_from_slow_giver(struct forge *f, struct dir *d, int go)
{
	pid_t pid;

	make_dir(d);
	memset(f, 0, sizeof(*f));
	f->dir = d->path;
	f->kinds = "L";
	f->n = -1;
	f->names = "";
	f->names_len = 1;
	f->hold = 1;
	f->go = go;
	f->lfd = raw_listener(d->sock);
	ck_assert_int_ge(f->lfd, 0);
	pid = pbt_fork_child(forger, f);
	close(f->lfd);
	ck_assert_int_eq(pb_handoff_take(d->sock, 300, &taken), 1);
	return pid;
}

/* Once thread tid waits inside a call: signal th with sig (0: none),
   then write a byte to fd (-1: none). */
struct nudge {
	pid_t tid;
	pthread_t th;
	int sig, fd;
};

static void *nudger(void *arg)
{
	const struct nudge *n = arg;

	wait_until_waiting(n->tid);
	if (n->sig)
		pthread_kill(n->th, n->sig);
	if (n->fd >= 0 && write(n->fd, "g", 1) != 1)
		abort();
	return NULL;
}

/* A take whose wait for the predecessor's close ends first (its time
   is up) returns while the predecessor's path is still there: the
   successor's pb_handoff_listen, next, waits for it to go and gets the
   path. */
START_TEST(listen_after_a_cut_take)
{
	struct nudge n;
	struct forge f;
	struct dir d;
	pthread_t th;
	pid_t pid;
	int ctl, go[2];

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid = take_from_slow_giver(&f, &d, go[0]);
	ck_assert_int_eq(access(d.sock, F_OK), 0);	/* not removed yet */
	n.tid = (pid_t)syscall(SYS_gettid);
	n.th = pthread_self();
	n.sig = 0;
	n.fd = go[1];
	ck_assert_int_eq(pthread_create(&th, NULL, nudger, &n), 0);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_msg(ctl >= 0, "listen: errno %d", errno);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	close(ctl);
	close_taken();
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	close(go[0]);
	close(go[1]);
	remove_dir(&d);
}
END_TEST

/* A signal handler that runs while pb_handoff_listen waits for the
   predecessor's path ends the wait: EINTR, at once, the path not
   taken. */
START_TEST(listen_wait_ends_on_a_signal)
{
	struct sigaction sa, old;
	struct nudge n;
	struct forge f;
	struct dir d;
	pthread_t th;
	pid_t pid;
	long t;
	int go[2];

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid = take_from_slow_giver(&f, &d, go[0]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	usr1 = 0;
	n.tid = (pid_t)syscall(SYS_gettid);
	n.th = pthread_self();
	n.sig = SIGALRM;
	n.fd = -1;
	ck_assert_int_eq(pthread_create(&th, NULL, nudger, &n), 0);
	t = now_ms();
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EINTR);
	t = now_ms() - t;
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(sigaction(SIGALRM, &old, NULL), 0);
	ck_assert_int_eq(usr1, 1);
	/* Not the second it waits at most. */
	ck_assert_msg(t < 900, "listen took %ld ms", t);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	close_taken();
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	close(go[0]);
	close(go[1]);
	remove_dir(&d);
}
END_TEST

/* Timeout 0: a successor that has greeted gets the descriptors, but its
   answer cannot come at once; the call fails, refuses the answer from
   then on (the successor's send of it fails) and keeps its path. */
START_TEST(give_timeout_zero)
{
	struct dir d;
	char buf[64];
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, c, fd, before;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	c = raw_connect(d.sock, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(send(c, PB_HANDOFF_MAGIC, 4, 0), 4);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 0), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(access(d.sock, F_OK), 0);
	before = pbt_count_fds();
	ck_assert_int_gt(recv(c, buf, sizeof(buf), MSG_DONTWAIT | MSG_CMSG_CLOEXEC), 0);
	ck_assert_int_eq(send(c, "K", 1, MSG_NOSIGNAL), -1);
	ck_assert_int_eq(errno, EPIPE);
	/* The descriptor that came with the message. */
	for (fd = 1023; pbt_count_fds() > before && fd > 2; fd--)
		if (fd != c && fd != ctl && fd != l && fcntl(fd, F_GETFD) >= 0 &&
		    pb__handoff_fd_kind(fd) == PB__FD_LISTENER)
			close(fd);
	close(c);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* ---- past the deadline before a wait: the wait is no wait at all */

/* A giver with timeout 0 and a greeted peer that never answers. */
static int late_giver(void *arg)
{
	const struct dir *d = arg;
	int l = pbt_listener("127.0.0.1", 0, 0), ctl, c;

	ctl = pb_handoff_listen(d->sock);
	PBT_REQUIRE(l >= 0 && ctl >= 0);
	c = raw_connect(d->sock, 0);
	PBT_REQUIRE(c >= 0 && send(c, PB_HANDOFF_MAGIC, 4, 0) == 4);
	/* The parent traces from here. */
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		return SKIPPED;
	raise(SIGSTOP);
	errno = 0;
	if (pb_handoff_give(ctl, &l, NULL, 1, 0) != -1 || errno != ETIMEDOUT)
		return 1;
	return 0;
}

/*
 * Held up 20 ms in the send of the descriptors (the machine was busy,
 * say; here the test's ptrace(2) holds it), a giver whose deadline has
 * gone by must not wait for the answer without bound: what is left of
 * its time is none, not "no deadline".  ETIMEDOUT at once.
 */
/* A sendmsg entry: its own call, or on i386 also socketcall(2)'s
   SYS_SENDMSG (16), which glibc may use there. */
static int is_sendmsg(const struct __ptrace_syscall_info *info)
{
	if (info->entry.nr == __NR_sendmsg)
		return 1;
#if defined(__NR_socketcall)
	if (info->entry.nr == __NR_socketcall && info->entry.args[0] == 16)
		return 1;
#endif
	return 0;
}

START_TEST(give_past_its_deadline_waits_no_more)
{
	struct __ptrace_syscall_info info;
	struct dir d;
	int st, n, held = 0, sig = 0;
	pid_t pid;

	make_dir(&d);
	pid = pbt_fork_child(late_giver, &d);
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		/* It could not be traced, and said so. */
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == SKIPPED,
			      "status %d", st);
		remove_dir(&d);
		PBT_SKIP("ptrace(2) refused here");
	}
	ck_assert_int_eq(ptrace(PTRACE_SETOPTIONS, pid, NULL,
				PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL), 0);
	for (n = 0; n < 10000 && !held; n++) {
		/* Resume to the next system call, passing on a signal that
		   stopped it (none is expected). */
		if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig) < 0 ||
		    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			break;
		sig = 0;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(st);
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid,
			   (void *)sizeof(info), &info) <= 0)
			break;
		if (info.op == PTRACE_SYSCALL_INFO_ENTRY &&
		    is_sendmsg(&info)) {
			poll(NULL, 0, 20);
			held = 1;
		}
	}
	ck_assert_msg(held, "never saw the giver's sendmsg");
	ck_assert_int_eq(ptrace(PTRACE_DETACH, pid, NULL, NULL), 0);
	ck_assert_int_eq(reap_within(pid, 3000), 0);
	remove_dir(&d);
}
END_TEST

/* ---- a clock at 0: a deadline of 0 ms is still a deadline */

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

/* The give of one attempt, in the new time namespace; exit status 0:
   ETIMEDOUT while the monotonic clock read 0 ms, 2: the same, but the
   clock had passed 0 ms (the attempt missed its moment), 1: wrong. */
static int give_at_zero(void *arg)
{
	const int *fd = arg;
	struct timespec ts;
	int r, e;

	/* Already past 0 ms: this attempt missed its moment. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != 0 || ts.tv_nsec >= 1000000)
		return 2;
	r = pb_handoff_give(fd[1], &fd[0], NULL, 1, 0);
	e = errno;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	PBT_REQUIRE_MSG(r == -1 && e == ETIMEDOUT, "%d, errno %d", r, e);
	return ts.tv_sec == 0 && ts.tv_nsec < 1000000 ? 0 : 2;
}

/* One attempt: a listener, a control socket and a peer that greeted and
   never answers; then a new time namespace whose monotonic clock starts
   at 0 (a container's, just made), and the give there, which must end
   at once: in 900 ms at most, room for a loaded machine, still short of
   the second a give waits for its answer (PB_HANDOFF_ACK_MS).  The give's status, 77 where no time
   namespace can be made (not root, a kernel without them). */
static int zero_attempt(void *arg)
{
	const struct dir *d = arg;
	struct timespec ts;
	char line[64];
	int fd[2], c, off, n;
	long long sec;
	long nsec;

	fd[0] = pbt_listener("127.0.0.1", 0, 0);
	fd[1] = pb_handoff_listen(d->sock);
	PBT_REQUIRE(fd[0] >= 0 && fd[1] >= 0);
	c = raw_connect(d->sock, 0);
	PBT_REQUIRE(c >= 0 && send(c, PB_HANDOFF_MAGIC, 4, 0) == 4);
	if (unshare(CLONE_NEWTIME) < 0)
		return SKIPPED;
	off = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	PBT_REQUIRE(off >= 0);
	/* Back by now: the children's clock starts at 0.  The offset's
	   nanoseconds may not be negative. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sec = -(long long)ts.tv_sec;
	nsec = 0;
	if (ts.tv_nsec) {
		sec--;
		nsec = 1000000000L - ts.tv_nsec;
	}
	n = snprintf(line, sizeof(line), "monotonic %lld %ld\n", sec, nsec);
	PBT_REQUIRE(write(off, line, (size_t)n) == n);
	close(off);
	n = reap_within(pbt_fork_child(give_at_zero, fd), 900);
	PBT_REQUIRE_MSG(n >= 0, "the give of timeout 0 at clock 0 ms had not"
			" ended after 900 ms");
	return n;
}

/*
 * A deadline is "now + timeout_ms": with a timeout of 0 while the
 * monotonic clock reads 0 ms, as it does in a time namespace just made,
 * the deadline is 0, and it is as passed as any other: the give, its
 * peer greeted and silent, fails with ETIMEDOUT at once.  Not a call
 * that never ends (0 read as "no deadline"), nor one that waits for the
 * answer for a second.  Tried until one give ran while the clock read
 * 0 ms, a few times at most.
 */
START_TEST(give_timeout_zero_at_clock_zero)
{
	struct dir d;
	int i, st = 2;

	for (i = 0; i < 20 && st == 2; i++) {
		make_dir(&d);
		st = reap_within(pbt_fork_child(zero_attempt, &d), 5000);
		remove_dir(&d);
	}
	if (st == SKIPPED)
		PBT_SKIP("no time namespace here (CLONE_NEWTIME refused)");
	if (st == 2)
		PBT_SKIP("the clock never read 0 ms at the give, in 20 tries");
	ck_assert_msg(st == 0, "status %d (1: the give's result was wrong or"
		      " it did not end in 900 ms, as printed)", st);
}
END_TEST

/* ---- the giver removes its own socket file, nothing else */

/* Takes from sock in dir, then listens there itself. */
struct relisten {
	const char *dir;
	const char *sock;
	int relisten;
};

static int relisten_successor(void *arg)
{
	const struct relisten *r = arg;
	int ctl;

	PBT_REQUIRE(chdir(r->dir) == 0);
	PBT_REQUIRE(pb_handoff_take(r->sock, 5000, &taken) == 1);
	if (!r->relisten)
		return 0;
	ctl = pb_handoff_listen(r->sock);
	if (ctl < 0)
		fprintf(stderr, "relisten: errno %d\n", errno);
	PBT_REQUIRE(ctl >= 0);
	close(ctl);
	return 0;
}

START_TEST(give_removes_only_its_own_socket)
{
	struct dir d;
	struct relisten rs;
	char run[128], data[128], own[160], ctlpath[160], moved[160],
	     deep[128], tmp[512];
	int here, l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, f;
	pid_t pid;

	make_dir(&d);
	here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(here, 0);
	snprintf(run, sizeof(run), "%s/run", d.path);
	snprintf(data, sizeof(data), "%s/data", d.path);
	snprintf(own, sizeof(own), "%s/ctl", data);
	snprintf(ctlpath, sizeof(ctlpath), "%s/ctl", run);
	snprintf(moved, sizeof(moved), "%s/moved", run);
	ck_assert_int_eq(mkdir(run, 0700), 0);
	ck_assert_int_eq(mkdir(data, 0700), 0);

	/* Listening at a relative path, then moving on to another
	   directory that has a file of that name, the program's own. */
	ck_assert_int_eq(chdir(run), 0);
	ctl = pb_handoff_listen("ctl");
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(chdir(data), 0);
	f = open("ctl", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(f, 0);
	close(f);
	rs.dir = run;
	rs.sock = "ctl";
	rs.relisten = 1;
	pid = pbt_fork_child(relisten_successor, &rs);
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 5000), 0);
	/* The successor listened at the path, in its turn. */
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	close(ctl);
	ck_assert_int_eq(access(own, F_OK), 0);

	/* The socket file moved away and a plain file put in its place:
	   the path the socket was bound to is no longer its own. */
	ctl = pb_handoff_listen(ctlpath);
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(rename(ctlpath, moved), 0);
	f = open(ctlpath, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(f, 0);
	close(f);
	rs.sock = "moved";
	rs.relisten = 0;	/* it still leads to the giver's socket */
	pid = pbt_fork_child(relisten_successor, &rs);
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 5000), 0);
	close(ctl);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	ck_assert_int_eq(access(ctlpath, F_OK), 0);

	/* A control socket made by other means, bound at a relative path:
	   looked up from wherever the program is now, the path may name
	   another file; it is left alone. */
	ck_assert_int_eq(chdir(run), 0);
	ctl = raw_listener("rel");
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(chdir(data), 0);
	f = open("rel", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(f, 0);
	close(f);
	rs.sock = "rel";
	pid = pbt_fork_child(relisten_successor, &rs);
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 5000), 0);
	close(ctl);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	ck_assert_int_eq(access("rel", F_OK), 0);
	ck_assert_int_eq(unlink("rel"), 0);
	snprintf(tmp, sizeof(tmp), "%s/rel", run);
	ck_assert_int_eq(unlink(tmp), 0);	/* still there, too */

	/* A relative path whose absolute form does not fit sun_path. */
	memset(deep, 'd', 100);
	deep[100] = '\0';
	ck_assert_int_eq(mkdir(deep, 0700), 0);
	ck_assert_int_eq(chdir(deep), 0);
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen("ctl"), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(access("ctl", F_OK), -1);

	ck_assert_int_eq(fchdir(here), 0);
	close(here);
	snprintf(tmp, sizeof(tmp), "%s/%s", data, deep);
	rmdir(tmp);
	unlink(own);
	snprintf(moved, sizeof(moved), "%s/moved", run);
	unlink(moved);
	unlink(ctlpath);
	rmdir(run);
	rmdir(data);
	close(l);
	remove_dir(&d);
}
END_TEST

/* A stale path the caller may not remove: the real reason, not
   EADDRINUSE. */
struct unprivileged {
	const char *sock;
	int err;
};

static int unprivileged_listen(void *arg)
{
	const struct unprivileged *u = arg;

	PBT_REQUIRE(setresgid(65534, 65534, 65534) == 0);
	PBT_REQUIRE(setresuid(65534, 65534, 65534) == 0);
	errno = 0;
	PBT_REQUIRE(pb_handoff_listen(u->sock) == -1);
	if (errno != u->err) {
		fprintf(stderr, "errno %d, not %d\n", errno, u->err);
		return 1;
	}
	return 0;
}

START_TEST(listen_errno_precise)
{
	struct unprivileged u;
	struct dir d;
	int stale;

	if (geteuid() != 0)
		PBT_SKIP("needs root to run a starter as another uid");
	make_dir(&d);
	u.sock = d.sock;
	/* A directory others may read but not write, a stale socket in it
	   that anyone may connect to. */
	ck_assert_int_eq(chmod(d.path, 0755), 0);
	stale = raw_listener(d.sock);
	ck_assert_int_ge(stale, 0);
	close(stale);
	ck_assert_int_eq(chmod(d.sock, 0777), 0);
	u.err = EACCES;
	ck_assert_int_eq(pbt_run_in_child(unprivileged_listen, &u), 0);
	ck_assert_int_eq(access(d.sock, F_OK), 0);
	/* A sticky directory anyone may write, the stale socket another
	   user's. */
	ck_assert_int_eq(chmod(d.path, 01777), 0);
	u.err = EPERM;
	ck_assert_int_eq(pbt_run_in_child(unprivileged_listen, &u), 0);
	ck_assert_int_eq(access(d.sock, F_OK), 0);
	/* A directory others may write but not read: it cannot be locked. */
	ck_assert_int_eq(unlink(d.sock), 0);
	ck_assert_int_eq(chmod(d.path, 0733), 0);
	u.err = EACCES;
	ck_assert_int_eq(pbt_run_in_child(unprivileged_listen, &u), 0);
	ck_assert_int_eq(access(d.sock, F_OK), -1);
	/* Its owner may. */
	stale = pb_handoff_listen(d.sock);
	ck_assert_int_ge(stale, 0);
	close(stale);
	remove_dir(&d);
}
END_TEST

/* ---- the wire format, byte by byte: every bound at it and one past */

/* A name of len bytes of c, in buf (len + 1 bytes). */
static const char *fill_name(char *buf, size_t len, char c)
{
	memset(buf, c, len);
	buf[len] = '\0';
	return buf;
}

START_TEST(wire_names_allowed)
{
	char buf[PB_FDNAME_MAX + 2], one[2] = { 0, 0 };
	int c;

	ck_assert_int_eq(pb__handoff_check_name(""), 0);
	ck_assert_int_eq(pb__handoff_check_name(fill_name(buf, 1, 'a')), 0);
	ck_assert_int_eq(pb__handoff_check_name(fill_name(buf, 255, 'a')), 0);
	ck_assert_int_eq(pb__handoff_check_name(fill_name(buf, 256, 'a')), -EINVAL);
	ck_assert_int_eq(pb__handoff_check_name(fill_name(buf, 257, 'a')), -EINVAL);
	/* A bad character last, after 254 good ones. */
	fill_name(buf, 255, 'a');
	buf[254] = ' ';
	ck_assert_int_eq(pb__handoff_check_name(buf), -EINVAL);
	/* Printable ASCII, no space, no colon: each byte value once. */
	for (c = 1; c < 256; c++) {
		int ok = c >= 0x21 && c <= 0x7e && c != ':';

		one[0] = (char)c;
		ck_assert_msg(pb__handoff_check_name(one) == (ok ? 0 : -EINVAL),
			      "byte 0x%02x", c);
	}
}
END_TEST

START_TEST(wire_build_bounds)
{
	static char buf[PB_HANDOFF_BUF + 16];
	static const char *many[PB_HANDOFF_MAX + 1];
	const char *names[] = { "ab", NULL, "c" };
	const char *bad[] = { "ok", "no way" };
	struct pb__handoff_hdr hdr;
	char n255[PB_FDNAME_MAX + 1];
	int i, hl = (int)sizeof(hdr);

	/* 1 to 64 descriptors. */
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), NULL, 0), -EINVAL);
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), NULL, -1), -EINVAL);
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), NULL, 1), hl + 1);
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), NULL, PB_HANDOFF_MAX),
			 hl + PB_HANDOFF_MAX);
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), NULL,
					   PB_HANDOFF_MAX + 1), -EINVAL);
	/* Room: not even a header; the header and not a byte more; each
	   name's NUL exactly at the end, and one short of it. */
	ck_assert_int_eq(pb__handoff_build(buf, (size_t)hl - 1, NULL, 1), -EINVAL);
	ck_assert_int_eq(pb__handoff_build(buf, (size_t)hl, NULL, 1), -ENOSPC);
	ck_assert_int_eq(pb__handoff_build(buf, (size_t)hl + 1, NULL, 1), hl + 1);
	ck_assert_int_eq(pb__handoff_build(buf, (size_t)hl + 5, names, 3), -ENOSPC);
	memset(buf, 'z', sizeof(buf));
	ck_assert_int_eq(pb__handoff_build(buf, (size_t)hl + 6, names, 3), hl + 6);
	memcpy(&hdr, buf, sizeof(hdr));
	ck_assert_int_eq(memcmp(hdr.magic, PB_HANDOFF_MAGIC, 4), 0);
	ck_assert_uint_eq(hdr.n, 3);
	ck_assert_uint_eq(hdr.names_len, 6);
	ck_assert_int_eq(memcmp(buf + hl, "ab\0\0c\0", 6), 0);
	ck_assert_int_eq(buf[hl + 6], 'z');	/* nothing past it */
	/* A bad name anywhere, the last one too. */
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), bad, 2), -EINVAL);
	ck_assert_int_eq(pb__handoff_build(buf, sizeof(buf), bad, 1), hl + 3);
	/* The largest message: 64 names of 255 bytes fill PB_HANDOFF_BUF. */
	fill_name(n255, 255, 'n');
	for (i = 0; i < PB_HANDOFF_MAX; i++)
		many[i] = n255;
	ck_assert_int_eq(pb__handoff_build(buf, PB_HANDOFF_BUF, many,
					   PB_HANDOFF_MAX), (int)PB_HANDOFF_BUF);
	ck_assert_int_eq(pb__handoff_build(buf, PB_HANDOFF_BUF - 1, many,
					   PB_HANDOFF_MAX), -ENOSPC);
}
END_TEST

/* A message for the names in raw[0..len) with hdr.n = n, checked with
   nfds descriptors of kinds (all listeners when kinds is NULL). */
static int check_raw(const char *raw, size_t len, uint32_t n, size_t nfds,
		     const unsigned char *kinds, int flags, size_t other)
{
	static char msg[PB_HANDOFF_BUF + 64];
	static unsigned char all[PB_HANDOFF_MAX + 2];
	struct pb__handoff_hdr hdr;
	struct pb__handoff_rx rx;

	memset(all, PB__FD_LISTENER, sizeof(all));
	memcpy(hdr.magic, PB_HANDOFF_MAGIC, 4);
	hdr.n = n;
	hdr.names_len = (uint32_t)len;
	memcpy(msg, &hdr, sizeof(hdr));
	ck_assert_uint_le(len, sizeof(msg) - sizeof(hdr));
	memcpy(msg + sizeof(hdr), raw, len);
	rx.msg_flags = flags;
	rx.nfds = nfds;
	rx.other_cmsgs = other;
	rx.kinds = kinds ? kinds : all;
	return pb__handoff_check_msg(msg, sizeof(hdr) + len, &rx);
}

START_TEST(wire_check_msg_bounds)
{
	static char names[PB_HANDOFF_BUF];
	unsigned char kinds[3] = { PB__FD_LISTENER, PB__FD_DATAGRAM, PB__FD_WRONG };
	char msg[64];
	struct pb__handoff_rx rx;
	struct pb__handoff_hdr hdr;
	int len;

	/* What came with the bytes. */
	ck_assert_int_eq(check_raw("a", 2, 1, 1, NULL, 0, 0), 1);
	ck_assert_int_eq(check_raw("a", 2, 1, 1, NULL, MSG_EOR, 0), 1);
	ck_assert_int_eq(check_raw("a", 2, 1, 1, NULL, MSG_TRUNC, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a", 2, 1, 1, NULL, MSG_CTRUNC, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a", 2, 1, 1, NULL, 0, 1), -EPROTO);
	/* Kinds: listeners and datagram sockets, the last one looked at
	   too, and nothing past nfds. */
	ck_assert_int_eq(check_raw("a\0b", 4, 2, 2, kinds, 0, 0), 2);
	ck_assert_int_eq(check_raw("a\0b\0c", 6, 3, 3, kinds, 0, 0), -EPROTO);
	kinds[0] = PB__FD_WRONG;
	ck_assert_int_eq(check_raw("a", 2, 1, 1, kinds, 0, 0), -EPROTO);
	kinds[0] = 3;
	ck_assert_int_eq(check_raw("a", 2, 1, 1, kinds, 0, 0), -EPROTO);
	kinds[0] = PB__FD_DATAGRAM;
	kinds[1] = PB__FD_WRONG;
	ck_assert_int_eq(check_raw("a", 2, 1, 1, kinds, 0, 0), 1);
	/* 1 to 64 descriptors, as the header counts them. */
	ck_assert_int_eq(check_raw("", 0, 0, 0, NULL, 0, 0), -EPROTO);
	memset(names, 0, sizeof(names));
	ck_assert_int_eq(check_raw(names, PB_HANDOFF_MAX, PB_HANDOFF_MAX,
				   PB_HANDOFF_MAX, NULL, 0, 0), PB_HANDOFF_MAX);
	ck_assert_int_eq(check_raw(names, PB_HANDOFF_MAX + 1, PB_HANDOFF_MAX + 1,
				   PB_HANDOFF_MAX + 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a", 2, 2, 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a", 2, 0, 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a\0b", 4, 1, 2, NULL, 0, 0), -EPROTO);
	/* Names: as many as descriptors, the last one terminated, 255
	   bytes and not 256, each byte allowed. */
	ck_assert_int_eq(check_raw("a\0b", 4, 1, 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a\0b", 3, 2, 2, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a\0\0", 3, 2, 2, NULL, 0, 0), 2);
	ck_assert_int_eq(check_raw("a\0\0", 3, 1, 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("\0\0", 2, 2, 2, NULL, 0, 0), 2);
	ck_assert_int_eq(check_raw("a ", 3, 1, 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("a:", 3, 1, 1, NULL, 0, 0), -EPROTO);
	ck_assert_int_eq(check_raw("~!", 3, 1, 1, NULL, 0, 0), 1);
	ck_assert_int_eq(check_raw("a\x7f", 3, 1, 1, NULL, 0, 0), -EPROTO);
	fill_name(names, 255, 'a');
	ck_assert_int_eq(check_raw(names, 256, 1, 1, NULL, 0, 0), 1);
	fill_name(names + 256, 255, 'b');	/* the count starts again */
	ck_assert_int_eq(check_raw(names, 512, 2, 2, NULL, 0, 0), 2);
	fill_name(names, 256, 'a');
	ck_assert_int_eq(check_raw(names, 257, 1, 1, NULL, 0, 0), -EPROTO);

	/* The header: whole, its magic, its length agreeing with the
	   message's, one way and the other. */
	kinds[0] = PB__FD_LISTENER;
	rx.msg_flags = 0;
	rx.nfds = 1;
	rx.other_cmsgs = 0;
	rx.kinds = kinds;
	len = pb__handoff_build(msg, sizeof(msg), NULL, 1);
	ck_assert_int_eq(len, (int)sizeof(hdr) + 1);
	ck_assert_int_eq(pb__handoff_check_msg(msg, (size_t)len, &rx), 1);
	ck_assert_int_eq(pb__handoff_check_msg(msg, sizeof(hdr), &rx), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_msg(msg, sizeof(hdr) - 1, &rx), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_msg(msg, 0, &rx), -EPROTO);
	msg[len] = '\0';
	ck_assert_int_eq(pb__handoff_check_msg(msg, (size_t)len + 1, &rx), -EPROTO);
	for (len = 0; len < 4; len++) {
		char m[64];

		memcpy(m, msg, sizeof(m));
		m[len] ^= 1;
		ck_assert_int_eq(pb__handoff_check_msg(m, sizeof(hdr) + 1, &rx),
				 -EPROTO);
	}
	memcpy(&hdr, msg, sizeof(hdr));
	hdr.names_len = 0;
	memcpy(msg, &hdr, sizeof(hdr));
	ck_assert_int_eq(pb__handoff_check_msg(msg, sizeof(hdr) + 1, &rx), -EPROTO);
	hdr.names_len = 2;
	memcpy(msg, &hdr, sizeof(hdr));
	ck_assert_int_eq(pb__handoff_check_msg(msg, sizeof(hdr) + 1, &rx), -EPROTO);
}
END_TEST

START_TEST(wire_split_names_bounds)
{
	static char out[3][PB_FDNAME_MAX];
	static char names[2 * PB_FDNAME_MAX + 4];

	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(pb__handoff_split_names("a\0bb", 5, 2, out), 0);
	ck_assert_str_eq(out[0], "a");
	ck_assert_str_eq(out[1], "bb");
	ck_assert_int_eq(out[2][0], 'x');	/* only n entries */
	ck_assert_int_eq(pb__handoff_split_names("", 0, 0, out), 0);
	/* Fewer names than n; one not terminated; bytes left over. */
	ck_assert_int_eq(pb__handoff_split_names("a\0bb", 5, 3, out), -EPROTO);
	ck_assert_int_eq(pb__handoff_split_names("a\0bb", 4, 2, out), -EPROTO);
	ck_assert_int_eq(pb__handoff_split_names("ab", 2, 1, out), -EPROTO);
	ck_assert_int_eq(pb__handoff_split_names("a\0bb", 5, 1, out), -EPROTO);
	ck_assert_int_eq(pb__handoff_split_names("a\0b", 3, 1, out), -EPROTO);
	ck_assert_int_eq(pb__handoff_split_names("a\0", 2, 1, out), 0);
	ck_assert_int_eq(pb__handoff_split_names("a\0\0", 3, 1, out), -EPROTO);
	/* 255 bytes fit a name's room with its NUL, 256 do not. */
	fill_name(names, 255, 'a');
	fill_name(names + 256, 255, 'b');
	ck_assert_int_eq(pb__handoff_split_names(names, 512, 2, out), 0);
	ck_assert_uint_eq(strlen(out[0]), 255);
	ck_assert_uint_eq(strlen(out[1]), 255);
	ck_assert_int_eq(out[1][0], 'b');
	fill_name(names, 256, 'a');
	ck_assert_int_eq(pb__handoff_split_names(names, 257, 1, out), -EPROTO);
}
END_TEST

START_TEST(wire_hello_and_ack_bounds)
{
	char m[8];
	int i;

	ck_assert_int_eq(pb__handoff_check_hello("PBH1", 4, MSG_EOR), 0);
	ck_assert_int_eq(pb__handoff_check_hello("PBH1", 3, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_hello("PBH1\0", 5, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_hello("PBH1", 4, MSG_TRUNC | MSG_EOR),
			 -EPROTO);
	for (i = 0; i < 4; i++) {
		memcpy(m, "PBH1", 4);
		m[i] ^= 0x20;
		ck_assert_int_eq(pb__handoff_check_hello(m, 4, 0), -EPROTO);
	}
	ck_assert_int_eq(pb__handoff_check_ack("K", 1, MSG_EOR), 0);
	ck_assert_int_eq(pb__handoff_check_ack("k", 1, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("J", 1, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("L", 1, 0), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("K", 1, MSG_TRUNC), -EPROTO);
	ck_assert_int_eq(pb__handoff_check_ack("K", 2, 0), -EPROTO);
}
END_TEST

/* What a descriptor is, for both sides: the kinds a server can adopt,
   and everything else. */
START_TEST(wire_fd_kinds)
{
	struct sockaddr_un sun;
	int l = pbt_listener("127.0.0.1", 0, 0);
	int u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	int bare_u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	int bare_t = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	int x = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int xd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int c, s, p[2];

	ck_assert(l >= 0 && u >= 0 && bare_u >= 0 && bare_t >= 0 && x >= 0 &&
		  xd >= 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);

		ck_assert_int_eq(bind(u, (struct sockaddr *)&ss, len), 0);
	}
	/* A Unix listener and a bound Unix datagram socket (abstract). */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "pbt-kind-%d",
		 (int)getpid());
	ck_assert_int_eq(bind(x, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(x, 1), 0);
	sun.sun_path[1] = 'q';
	ck_assert_int_eq(bind(xd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pbt_connect_pair(l, "127.0.0.1", pbt_local_port(l), &c, &s);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);

	ck_assert_int_eq(pb__handoff_fd_kind(l), PB__FD_LISTENER);
	ck_assert_int_eq(pb__handoff_fd_kind(u), PB__FD_DATAGRAM);
	ck_assert_int_eq(pb__handoff_fd_kind(bare_u), PB__FD_WRONG);
	ck_assert_int_eq(pb__handoff_fd_kind(bare_t), PB__FD_WRONG);
	ck_assert_int_eq(pb__handoff_fd_kind(c), PB__FD_WRONG);
	ck_assert_int_eq(pb__handoff_fd_kind(s), PB__FD_WRONG);
	ck_assert_int_eq(pb__handoff_fd_kind(x), PB__FD_WRONG);
	ck_assert_int_eq(pb__handoff_fd_kind(xd), PB__FD_WRONG);
	ck_assert_int_eq(pb__handoff_fd_kind(p[0]), PB__FD_WRONG);
	close(p[1]);
	ck_assert_int_eq(pb__handoff_fd_kind(p[1]), -EBADF);
	ck_assert_int_eq(pb__handoff_fd_kind(-1), -EBADF);
	/* A raw IPv4 socket (root only) is neither kind. */
	{
		int r = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);

		if (r >= 0) {
			ck_assert_int_eq(pb__handoff_fd_kind(r), PB__FD_WRONG);
			close(r);
		}
	}
	close(p[0]);
	close(c);
	close(s);
	close(l);
	close(u);
	close(bare_u);
	close(bare_t);
	close(x);
	close(xd);
}
END_TEST

/* ---- paths at the length limit, and one past */

/* An absolute path of exactly len bytes in d: d->path, '/', then 'c's. */
static void path_of(char *out, const struct dir *d, size_t len)
{
	size_t k = strlen(d->path);

	ck_assert_uint_gt(len, k + 1);
	memcpy(out, d->path, k);
	out[k] = '/';
	memset(out + k + 1, 'c', len - k - 1);
	out[len] = '\0';
}

/* The path ctl is bound to, as the kernel has it. */
static void bound_path(int ctl, char *out, size_t size)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	memset(&sun, 0, sizeof(sun));
	ck_assert_int_eq(getsockname(ctl, (struct sockaddr *)&sun, &len), 0);
	ck_assert_uint_gt(len, offsetof(struct sockaddr_un, sun_path));
	len -= (socklen_t)offsetof(struct sockaddr_un, sun_path);
	ck_assert_uint_lt(len, size);
	memcpy(out, sun.sun_path, len);
	out[len] = '\0';
}

/* Relative paths, from the directory arg: made absolute, 107 bytes in
   all fit, 108 do not; a take looks a relative path up as it is. */
static int relative_paths(void *arg)
{
	const struct dir *d = arg;
	char name[128], abs[256], got[256];
	size_t room = 107 - strlen(d->path) - 1;
	int ctl;

	PBT_REQUIRE(chdir(d->path) == 0);
	memset(name, 'r', room);
	name[room] = '\0';
	ctl = pb_handoff_listen(name);
	PBT_REQUIRE(ctl >= 0);
	snprintf(abs, sizeof(abs), "%s/%s", d->path, name);
	bound_path(ctl, got, sizeof(got));
	PBT_REQUIRE(strcmp(got, abs) == 0 && strlen(got) == 107);
	close(ctl);
	PBT_REQUIRE(unlink(name) == 0);
	name[room] = 'r';
	name[room + 1] = '\0';
	errno = 0;
	PBT_REQUIRE(pb_handoff_listen(name) == -1 && errno == ENAMETOOLONG);
	PBT_REQUIRE(access(name, F_OK) == -1);
	/* Longer by the directory's length: no room either (nothing is
	   copied past sun_path's room: a sanitizer build would see it). */
	memset(name, 'r', room + strlen(d->path));
	name[room + strlen(d->path)] = '\0';
	errno = 0;
	PBT_REQUIRE(pb_handoff_listen(name) == -1 && errno == ENAMETOOLONG);
	errno = EDOM;
	PBT_REQUIRE(pb_handoff_take(name, 100, &taken) == 0 && errno == EDOM);
	return 0;
}

/* At the root: "/" ends in a slash already, and is the directory that
   is locked for "/name". */
static int root_paths(void *arg)
{
	const struct dir *d = arg;
	char got[128];
	int a, b, real = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	PBT_REQUIRE(real >= 0);
	PBT_REQUIRE(chroot(d->path) == 0 && chdir("/") == 0);
	a = pb_handoff_listen("ctl");
	PBT_REQUIRE(a >= 0);
	bound_path(a, got, sizeof(got));
	PBT_REQUIRE(strcmp(got, "/ctl") == 0);
	b = pb_handoff_listen("/top");
	PBT_REQUIRE(b >= 0);
	bound_path(b, got, sizeof(got));
	PBT_REQUIRE(strcmp(got, "/top") == 0);
	errno = 0;
	PBT_REQUIRE(pb_handoff_listen("/ctl") == -1 && errno == EADDRINUSE);
	close(a);
	close(b);
	PBT_REQUIRE(unlink("/ctl") == 0 && unlink("/top") == 0);
	/* Back out, for whatever the exit writes (coverage data). */
	PBT_REQUIRE(fchdir(real) == 0 && chroot(".") == 0);
	close(real);
	return 0;
}

/* pb_handoff_listen at path/ctl, path not a directory: ENOTDIR. */
static int fifo_listen(void *arg)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/ctl", (const char *)arg);
	errno = 0;
	PBT_REQUIRE(pb_handoff_listen(p) == -1 && errno == ENOTDIR);
	return 0;
}

START_TEST(paths_at_the_limit)
{
	struct give_child g;
	struct dir d;
	char p[200], got[200];
	size_t len;
	pid_t pid;

	make_dir(&d);
	g.l = pbt_listener("127.0.0.1", 0, 0);
	/* 107 bytes and the NUL fill sun_path: nobody there yet, then a
	   whole hand-off there, the path removed by the giver. */
	path_of(p, &d, 107);
	errno = EDOM;
	ck_assert_int_eq(pb_handoff_take(p, 100, &taken), 0);
	ck_assert_int_eq(errno, EDOM);
	g.ctl = pb_handoff_listen(p);
	ck_assert_int_ge(g.ctl, 0);
	bound_path(g.ctl, got, sizeof(got));
	ck_assert_str_eq(got, p);
	pid = pbt_fork_child(give_child, &g);
	ck_assert_int_eq(pb_handoff_take(p, 5000, &taken), 1);
	ck_assert_int_eq(reap_within(pid, 5000), 0);
	ck_assert_int_eq(access(p, F_OK), -1);
	close_taken();
	close(g.ctl);
	/* 108 and 109: no room for the NUL. */
	for (len = 108; len <= 109; len++) {
		path_of(p, &d, len);
		errno = 0;
		ck_assert_int_eq(pb_handoff_take(p, 100, &taken), -1);
		ck_assert_int_eq(errno, ENAMETOOLONG);
		errno = 0;
		ck_assert_int_eq(pb_handoff_listen(p), -1);
		ck_assert_int_eq(errno, ENAMETOOLONG);
		ck_assert_int_eq(access(p, F_OK), -1);
	}
	errno = 0;
	ck_assert_int_eq(pb_handoff_take("", 100, &taken), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(""), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A directory that is not there. */
	snprintf(p, sizeof(p), "%s/none/ctl", d.path);
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(p), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* Not a directory: a FIFO nobody writes to, which an open(2) for
	   reading would wait on for ever (in a child: a hang fails). */
	snprintf(p, sizeof(p), "%s/file", d.path);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	ck_assert_int_eq(reap_within(pbt_fork_child(fifo_listen, p), 3000), 0);
	ck_assert_int_eq(pbt_run_in_child(relative_paths, &d), 0);
	close(g.l);
	remove_dir(&d);
}
END_TEST

START_TEST(paths_at_the_root)
{
	struct dir d;

	if (geteuid() != 0)
		PBT_SKIP("needs root to chroot(2) for paths at /");
	make_dir(&d);
	ck_assert_int_eq(pbt_run_in_child(root_paths, &d), 0);
	remove_dir(&d);
}
END_TEST

/* ---- what the kernel can make fail (seccomp, rlimits), side by side */

/* A fault case and the directory the test made for it. */
struct fault {
	int which;
	struct dir d;
};

/* Run fn for case which in a child, in a directory of its own that is
   removed after: the child's exit status. */
static int run_fault(int (*fn)(void *), int which)
{
	struct fault f;
	int st;

	f.which = which;
	make_dir(&f.d);
	st = pbt_run_in_child(fn, &f);
	remove_dir(&f.d);
	return st;
}

enum {
	TF_SOCKET, TF_CONNECT, TF_PEERCRED, TF_HELLO_EPIPE, TF_HELLO_RESET,
	TF_HELLO_ERR, TF_RECV, TF_POLL, TF_MALLOC, TF_NFDS
};

/* Descriptors open below 1024, counted without malloc. */
static int open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Make malloc fail from now on: the heap cannot grow (RLIMIT_DATA
   refuses brk(2) and private mmap(2) alike). */
#if defined(__SANITIZE_ADDRESS__)
# define PBT_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define PBT_ASAN 1
# endif
#endif
static int no_more_memory(void)
{
	struct rlimit rl = { 4096, 4096 };
	void *probe;
	int i;

#ifdef PBT_ASAN
	return -1;	/* its allocator aborts instead of returning NULL */
#endif
	/* valgrind's allocator ignores RLIMIT_DATA, and what the loop
	   below keeps would count as lost when the child exits. */
	if (pbt_under_valgrind())
		return -1;
	malloc_trim(0);
	if (setrlimit(RLIMIT_DATA, &rl) < 0)
		return -1;
	/* Use up what the heap has free already (a runner that does not
	   fork has plenty); kept: this child exits.  An allocator of its
	   own (valgrind's) may not care at all. */
	for (i = 0; i < 16384; i++) {
		probe = malloc(4096);
		if (!probe)
			return 0;
	}
	return -1;
}

/* A take against a listener that accepts nothing (its backlog takes the
   connection) or a real giver, while the kernel fails one call: -1 with
   the errno the call got, or what the contract makes of it; nothing
   left behind, the set as it was. */
static int take_fault(void *arg)
{
	struct fault *fa = arg;
	const int which = fa->which;
	int ctl, before, r, e, want = 0;
	struct rlimit rl;

	ctl = raw_listener(fa->d.sock);
	PBT_REQUIRE(ctl >= 0);
	if (which == TF_NFDS) {
		/* Room for one of the two descriptors the giver sends: the
		   kernel closes the other and says MSG_CTRUNC.  valgrind
		   keeps RLIMIT_NOFILE to itself: the kernel never sees it. */
		struct forge f;
		static struct forge fs;
		int fd, top;

		if (pbt_under_valgrind())
			return SKIPPED;

		memset(&fs, 0, sizeof(fs));
		fs.dir = fa->d.path;
		fs.lfd = ctl;
		fs.kinds = "LL";
		fs.n = -1;
		fs.names = "\0";
		fs.names_len = 2;
		(void)f;
		pbt_fork_child(forger, &fs);
		/* Fill every hole, then allow the connection and one more. */
		do {
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			PBT_REQUIRE(fd >= 0);
		} while (fd < 20);
		top = fd;
		/* The soft limit only (valgrind refuses to change the
		   hard one). */
		PBT_REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
		rl.rlim_cur = (rlim_t)top + 3;
		PBT_REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
		want = EPROTO;
	} else if (which == TF_SOCKET) {
		if (pbt_seccomp_errno(__NR_socket, AF_UNIX, EMFILE) < 0)
			return SKIPPED;
		want = EMFILE;
	} else if (which == TF_CONNECT) {
		if (pbt_seccomp_errno(__NR_connect, -1, EACCES) < 0)
			return SKIPPED;
		want = EACCES;
	} else if (which == TF_PEERCRED) {
		if (pbt_seccomp_errno(__NR_getsockopt, -1, ENOBUFS) < 0)
			return SKIPPED;
		want = ENOBUFS;
	} else if (which == TF_HELLO_EPIPE || which == TF_HELLO_RESET) {
		if (pbt_seccomp_errno(__NR_sendmsg, -1, which == TF_HELLO_EPIPE ?
				      EPIPE : ECONNRESET) < 0)
			return SKIPPED;
		want = EPROTO;	/* closed without a word */
	} else if (which == TF_HELLO_ERR) {
		if (pbt_seccomp_errno(__NR_sendmsg, -1, ENOBUFS) < 0)
			return SKIPPED;
		want = ENOBUFS;
	} else if (which == TF_RECV) {
		if (pbt_seccomp_errno(__NR_recvmsg, -1, EIO) < 0)
			return SKIPPED;
		want = EIO;
	} else if (which == TF_POLL) {
		if (pbt_seccomp_errno(__NR_ppoll, -1, ENOMEM) < 0)
			return SKIPPED;
		want = ENOMEM;
	} else if (which == TF_MALLOC) {
		if (no_more_memory() < 0)
			return SKIPPED;
		want = ENOMEM;
	}
	memset(&taken, 0, sizeof(taken));
	taken.size = sizeof(taken);
	taken.pid = 4242;
	before = open_fds();
	errno = 0;
	r = pb_handoff_take(fa->d.sock, 3000, &taken);
	e = errno;
	if (r != -1 || e != want) {
		fprintf(stderr, "take fault %d: %d, errno %d, not %d\n", which,
			r, e, want);
		return 1;
	}
	PBT_REQUIRE(open_fds() == before);
	PBT_REQUIRE(taken.n == 0 && taken.pid == 4242);
	return 0;
}

START_TEST(take_kernel_failures)
{
	int st = run_fault(take_fault, _i);

	if (st == SKIPPED)
		PBT_SKIP("the fault cannot be made here (no seccomp filters; "
			 "RLIMIT_DATA under a sanitizer or valgrind; "
			 "RLIMIT_NOFILE under valgrind)");
	ck_assert_msg(st == 0, "case %d: %d", _i, st);
}
END_TEST

enum {
	GF_ACCEPT_ERR, GF_ACCEPT_ABORTED, GF_ACCEPT_EINTR, GF_ACCEPT_AGAIN,
	GF_POLL, GF_SEND_ERR, GF_SEND_EPIPE, GF_SEND_ENOTCONN, GF_SEND_RESET,
	GF_PEERCRED, GF_MALLOC, GF_RECV, GF_ACKED_EPIPE, GF_ACKED_ERR,
	GF_GARBLED_EPIPE, GF_LAST = GF_GARBLED_EPIPE
};

/* A give with a greeted peer waiting, while the kernel fails one call:
   the errno, or ETIMEDOUT at the deadline where the failure only makes
   the peer one to skip; still serving at its path either way, nothing
   left open. */
static int give_fault(void *arg)
{
	struct fault *fa = arg;
	const int which = fa->which;
	static const struct { long nr; int err, want; } f[] = {
		[GF_ACCEPT_ERR] = { __NR_accept4, EMFILE, EMFILE },
		[GF_ACCEPT_ABORTED] = { __NR_accept4, ECONNABORTED, ETIMEDOUT },
		[GF_ACCEPT_EINTR] = { __NR_accept4, EINTR, ETIMEDOUT },
		[GF_ACCEPT_AGAIN] = { __NR_accept4, EAGAIN, ETIMEDOUT },
		[GF_POLL] = { __NR_ppoll, ENOMEM, ENOMEM },
		[GF_SEND_ERR] = { __NR_sendmsg, ENOBUFS, ENOBUFS },
		[GF_SEND_EPIPE] = { __NR_sendmsg, EPIPE, ETIMEDOUT },
		[GF_SEND_ENOTCONN] = { __NR_sendmsg, ENOTCONN, ETIMEDOUT },
		[GF_SEND_RESET] = { __NR_sendmsg, ECONNRESET, ETIMEDOUT },
		[GF_PEERCRED] = { __NR_getsockopt, ENOBUFS, ETIMEDOUT },
		[GF_MALLOC] = { 0, 0, ENOMEM },
		[GF_RECV] = { __NR_recvmsg, EIO, ETIMEDOUT },
		/* A peer that answered before it was sent anything: its
		   answer is there when the call looks, so it is done. */
		[GF_ACKED_EPIPE] = { __NR_sendmsg, EPIPE, 0 },
		[GF_ACKED_ERR] = { __NR_sendmsg, ENOBUFS, 0 },
		/* One that answered something else: no answer. */
		[GF_GARBLED_EPIPE] = { __NR_sendmsg, EPIPE, ETIMEDOUT },
	};
	int ctl, l, c, before, r, e, next;
	long t;

	l = pbt_listener("127.0.0.1", 0, 0);
	ctl = pb_handoff_listen(fa->d.sock);
	PBT_REQUIRE(l >= 0 && ctl >= 0);
	c = raw_connect(fa->d.sock, 0);
	PBT_REQUIRE(c >= 0 && send(c, PB_HANDOFF_MAGIC, 4, 0) == 4);
	if (which == GF_ACKED_EPIPE || which == GF_ACKED_ERR)
		PBT_REQUIRE(send(c, "K", 1, 0) == 1);
	if (which == GF_GARBLED_EPIPE)
		PBT_REQUIRE(send(c, "X", 1, 0) == 1);
	/* The number the giver's connection will get. */
	next = open("/dev/null", O_RDONLY | O_CLOEXEC);
	PBT_REQUIRE(next >= 0);
	close(next);
	before = open_fds();
	if (which == GF_MALLOC) {
		if (no_more_memory() < 0)
			return SKIPPED;
	} else if (pbt_seccomp_errno(f[which].nr,
				     which == GF_PEERCRED ? next : -1,
				     f[which].err) < 0) {
		return SKIPPED;
	}
	t = now_ms();
	errno = 0;
	r = pb_handoff_give(ctl, &l, NULL, 1, 100);
	e = errno;
	t = now_ms() - t;
	if (r != (f[which].want ? -1 : 0) ||
	    (f[which].want && e != f[which].want)) {
		fprintf(stderr, "give fault %d: %d, errno %d, not %d\n", which,
			r, e, f[which].want);
		return 1;
	}
	if (r == 0) {
		PBT_REQUIRE(access(fa->d.sock, F_OK) == -1);	/* given */
		return 0;
	}
	if (e == ETIMEDOUT)
		PBT_REQUIRE(t >= 100);
	PBT_REQUIRE(open_fds() == before);
	PBT_REQUIRE(access(fa->d.sock, F_OK) == 0);
	return 0;
}

START_TEST(give_kernel_failures)
{
	int st = run_fault(give_fault, _i);

	if (st == SKIPPED)
		PBT_SKIP("the fault cannot be made here (no seccomp filters; "
			 "RLIMIT_DATA under a sanitizer or valgrind)");
	ck_assert_msg(st == 0, "case %d: %d", _i, st);
}
END_TEST

enum {
	LF_SOCKET, LF_OPEN, LF_FLOCK, LF_BIND, LF_LISTEN, LF_GETCWD_GONE,
	LF_GETCWD_RANGE, LF_PROBE_CONNECT, LF_PROBE_EINTR, LF_PROBE_EMFILE,
	LF_LSTAT, LF_UNLINK, LF_PROBE_GONE, LF_LSTAT_GONE,
	LF_LAST = LF_LSTAT_GONE
};

/* The call lstat(2) makes: newfstatat where the kernel has it (x86-64,
   arm64), fstatat64 on i386, where the seccomp helper skips anyway. */
#if defined(__NR_newfstatat)
# define PBT_NR_LSTAT __NR_newfstatat
#elif defined(__NR_fstatat64)
# define PBT_NR_LSTAT __NR_fstatat64
#else
# define PBT_NR_LSTAT __NR_lstat
#endif

/* A listen while the kernel fails one call: the errno, or EADDRINUSE
   where a stale path cannot be judged; a path it did not make or could
   not remove as it was, nothing left open. */
static int listen_fault(void *arg)
{
	struct fault *fa = arg;
	const int which = fa->which;
	static const struct { long nr, arg0; int err, want, stale; } f[] = {
		[LF_SOCKET] = { __NR_socket, AF_UNIX, EMFILE, EMFILE, 0 },
		[LF_OPEN] = { __NR_openat, -1, EMFILE, EMFILE, 0 },
		[LF_FLOCK] = { __NR_flock, -1, ENOLCK, ENOLCK, 0 },
		[LF_BIND] = { __NR_bind, -1, EPERM, EPERM, 0 },
		[LF_LISTEN] = { __NR_listen, -1, EOPNOTSUPP, EOPNOTSUPP, 0 },
		[LF_GETCWD_GONE] = { __NR_getcwd, -1, ENOENT, ENOENT, 0 },
		[LF_GETCWD_RANGE] = { __NR_getcwd, -1, ERANGE, ENAMETOOLONG, 0 },
		[LF_PROBE_CONNECT] = { __NR_connect, -1, EACCES, EADDRINUSE, 1 },
		[LF_PROBE_EINTR] = { __NR_connect, -1, EINTR, EADDRINUSE, 1 },
		[LF_PROBE_EMFILE] = { 0, 0, 0, EADDRINUSE, 1 },
		[LF_LSTAT] = { PBT_NR_LSTAT, -1, EACCES, EACCES, 1 },
		[LF_UNLINK] = { __NR_unlink, -1, EPERM, EPERM, 1 },
		/* The path gone between the bind and the probe, or the
		   probe and the lstat, every time: tried a bounded number
		   of times, then given up, the path as it was. */
		[LF_PROBE_GONE] = { __NR_connect, -1, ENOENT, EADDRINUSE, 1 },
		[LF_LSTAT_GONE] = { PBT_NR_LSTAT, -1, ENOENT, EADDRINUSE, 1 },
	};
	const char *path;
	int before, r, e, fd;

	path = fa->d.sock;
	if (which == LF_GETCWD_GONE || which == LF_GETCWD_RANGE) {
		PBT_REQUIRE(chdir(fa->d.path) == 0);
		path = "ctl";
	}
	if (f[which].stale) {
		fd = raw_listener(fa->d.sock);
		PBT_REQUIRE(fd >= 0);
		close(fd);
	}
	before = open_fds();
	if (which == LF_PROBE_EMFILE) {
		struct rlimit rl;
		int top;

		/* Every hole filled; room for the directory and the
		   socket, none for the probe's connection. */
		do {
			top = open("/dev/null", O_RDONLY | O_CLOEXEC);
			PBT_REQUIRE(top >= 0);
		} while (top < 20);
		before = open_fds();
		PBT_REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
		rl.rlim_cur = (rlim_t)top + 3;	/* soft: as above */
		PBT_REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	} else if (pbt_seccomp_errno(f[which].nr, f[which].arg0,
				     f[which].err) < 0 ||
		   (which == LF_UNLINK &&
		    pbt_seccomp_errno(__NR_unlinkat, -1, EPERM) < 0)) {
		return SKIPPED;
	}
	errno = 0;
	r = pb_handoff_listen(path);
	e = errno;
	if (r != -1 || e != f[which].want) {
		fprintf(stderr, "listen fault %d: %d, errno %d, not %d\n",
			which, r, e, f[which].want);
		return 1;
	}
	PBT_REQUIRE(open_fds() == before);
	PBT_REQUIRE(access(fa->d.sock, F_OK) == (f[which].stale ? 0 : -1));
	return 0;
}

START_TEST(listen_kernel_failures)
{
	int st = run_fault(listen_fault, _i);

	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_msg(st == 0, "case %d: %d", _i, st);
}
END_TEST

Suite *suite_handoff(void)
{
	Suite *s = suite_create("handoff");
	TCase *tc = tcase_create("handoff");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, handoff_keeps_queued_connection);
	tcase_add_test(tc, take_names_zero_after_nul);
	tcase_add_test(tc, handoff_unbounded);
	tcase_add_test(tc, take_without_predecessor);
	tcase_add_test(tc, listen_stale_and_live_paths);
	tcase_add_test(tc, give_arguments_and_timeout);
	tcase_add_test(tc, take_refuses_long_names);
	tcase_add_test(tc, take_refuses_mismatched_counts);
	tcase_add_test(tc, take_refuses_wrong_descriptors);
	tcase_add_test(tc, take_refuses_truncated_messages);
	tcase_add_test(tc, take_other_ancillary_data);
	tcase_add_test(tc, take_late_close_is_success);
	tcase_add_test(tc, take_in_a_small_thread);
	tcase_add_test(tc, give_checks_hello_and_ack);
	tcase_add_test(tc, take_hung_server_times_out);
	tcase_add_test(tc, take_hung_server_never_blocks);
	tcase_add_test(tc, ignored_signals_keep_the_deadline);
	tcase_add_test(tc, signal_ends_the_wait);
	tcase_add_test(tc, signal_before_the_first_wait);
	tcase_add_test(tc, take_unread_answer_fails);
	tcase_add_test(tc, take_failure_keeps_environment);
	tcase_add_test(tc, take_predecessor_closes_early);
	tcase_add_test(tc, take_signal_after_answer_succeeds);
	tcase_add_test(tc, listen_concurrent_starters);
	tcase_add_test(tc, listen_waits_for_a_starter);
	tcase_add_test(tc, give_skips_silent_and_noisy_peers);
	tcase_add_test(tc, give_outlasts_a_flood);
	tcase_add_test(tc, give_drops_silent_after_a_second);
	tcase_add_test(tc, give_skips_other_uid);
	tcase_add_test(tc, peers_of_other_uids);
	tcase_add_test(tc, give_skips_successors_that_vanish);
	tcase_add_test(tc, give_vanished_peers_time_out);
	tcase_add_test(tc, give_removes_only_its_own_socket);
	tcase_add_test(tc, listen_errno_precise);
	tcase_add_test(tc, give_ends_a_shared_connection);
	tcase_add_test(tc, give_skips_a_peer_that_never_answers);
	tcase_add_test(tc, give_judges_pending_peers_when_they_speak);
	tcase_add_test(tc, give_drops_the_oldest_pending_peer);
	tcase_add_test(tc, give_sixty_four);
	tcase_add_loop_test(tc, descriptor_zero, 0, Z_LAST + 1);
	tcase_add_test(tc, listen_after_a_cut_take);
	tcase_add_test(tc, give_timeout_zero);
	tcase_add_test(tc, give_past_its_deadline_waits_no_more);
	tcase_add_test(tc, give_timeout_zero_at_clock_zero);
	tcase_add_test(tc, listen_wait_ends_on_a_signal);
	suite_add_tcase(s, tc);

	tc = tcase_create("wire");
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, wire_names_allowed);
	tcase_add_test(tc, wire_build_bounds);
	tcase_add_test(tc, wire_check_msg_bounds);
	tcase_add_test(tc, wire_split_names_bounds);
	tcase_add_test(tc, wire_hello_and_ack_bounds);
	tcase_add_test(tc, wire_fd_kinds);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, paths_at_the_limit);
	tcase_add_test(tc, paths_at_the_root);
	tcase_add_loop_test(tc, take_kernel_failures, TF_SOCKET, TF_NFDS + 1);
	tcase_add_loop_test(tc, give_kernel_failures, 0, GF_LAST + 1);
	tcase_add_loop_test(tc, listen_kernel_failures, 0, LF_LAST + 1);
	suite_add_tcase(s, tc);
	return s;
}

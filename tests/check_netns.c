/* SPDX-License-Identifier: MIT */
/*
 * check_netns.c - pb_netns_open and pb_diagnose_netns (lib/netns.c):
 * several network namespaces at once, each held by a child process (one
 * of them also in a pid namespace of its own, so that the pid it has
 * there is not the one this process sees), a name under /run/netns made
 * as ip-netns(8) makes one (in a private mount namespace), the caller's
 * threads left where they are, and no answer about the caller's own
 * namespace when the other cannot be entered; and a FIFO, a directory or
 * a terminal given as a namespace refused without being opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "testutil.h"

/* What a namespace's child makes there, on port. */
enum { MAKE_NOTHING, MAKE_LISTENER, MAKE_TIME_WAIT, MAKE_UDP, MAKE_NAME };

struct nsproc {
	pid_t pid;		/* the holder, as this process sees it */
	pid_t direct;		/* the child this process reaps */
	int hold;		/* closing it ends the holder */
	unsigned long long ino;	/* its network namespace */
};

static unsigned long long ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static unsigned long long pid_ns_ino(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return ns_ino(path);
}

static unsigned long long fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static int tcp_on(const char *ip, unsigned port, int do_listen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&ss, 0, sizeof(ss));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (fd < 0 || inet_pton(AF_INET, ip, &a->sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)a, sizeof(*a)) < 0 ||
	    (do_listen && listen(fd, 8) < 0))
		return -1;
	return fd;
}

/* In the new namespace: what kind asks for.  0, or -1. */
static int make(int kind, unsigned port, const char *name)
{
	struct sockaddr_in a;
	struct pollfd p;
	int l, c, s, fd;
	char b, path[128];

	switch (kind) {
	case MAKE_LISTENER:
		return tcp_on("127.0.0.1", port, 1) < 0 ? -1 : 0;
	case MAKE_UDP:
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -1 : 0;
	case MAKE_TIME_WAIT:
		/* the server side closes first, then the listener goes:
		   TIME_WAIT alone */
		l = tcp_on("127.0.0.1", port, 1);
		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (l < 0 || c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
			return -1;
		s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			return -1;
		close(s);
		p.fd = c;
		p.events = POLLIN;
		if (poll(&p, 1, 5000) != 1 || read(c, &b, 1) != 0)
			return -1;
		close(c);
		close(l);
		return 0;
	case MAKE_NAME:
		/* as ip-netns(8): an empty file under /run/netns, and the
		   namespace bind-mounted on it */
		snprintf(path, sizeof(path), "/run/netns/%s", name);
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0)
			return -1;
		close(fd);
		if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			return -1;
		return tcp_on("127.0.0.1", port, 1) < 0 ? -1 : 0;
	default:
		return 0;
	}
}

/* A child in a network namespace of its own (and with newpid a pid
   namespace too, where it is pid 1) that makes kind on port and holds it
   until the test closes hold.  Usable in a test and in its children:
   failures are -1. */
static int ns_spawn(struct nsproc *np, int newpid, int kind, unsigned port,
		    const char *comm, const char *name)
{
	int ready[2], hold[2], gm[2], i;
	pid_t pid, g;
	char b;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* nothing of the test's kept, other holders' pipes least */
		for (i = 3; i < 1024; i++)
			if (i != ready[1] && i != hold[0])
				close(i);
		if (unshare(CLONE_NEWNET | (newpid ? CLONE_NEWPID : 0)) < 0 ||
		    pbt_lo_up() < 0)
			_exit(2);
		if (!newpid) {
			prctl(PR_SET_NAME, comm, 0, 0, 0);
			if (make(kind, port, name) < 0)
				_exit(3);
			g = getpid();
			if (write(ready[1], &g, sizeof(g)) != sizeof(g))
				_exit(4);
			while (read(hold[0], &b, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		/* pid 1 of the new pid namespace does the holding */
		if (pipe2(gm, O_CLOEXEC) < 0)
			_exit(5);
		g = fork();
		if (g < 0)
			_exit(6);
		if (g == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			prctl(PR_SET_NAME, comm, 0, 0, 0);
			if (getpid() != 1 || make(kind, port, name) < 0)
				_exit(7);
			if (write(gm[1], "r", 1) != 1)
				_exit(8);
			while (read(hold[0], &b, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		close(gm[1]);
		close(hold[0]);
		if (read(gm[0], &b, 1) != 1 ||
		    write(ready[1], &g, sizeof(g)) != sizeof(g))
			_exit(9);
		while (waitpid(g, NULL, 0) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	np->direct = pid;
	np->hold = hold[1];
	if (read(ready[0], &np->pid, sizeof(np->pid)) != sizeof(np->pid)) {
		close(ready[0]);
		close(hold[1]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(ready[0]);
	np->ino = pid_ns_ino(np->pid);
	return np->ino ? 0 : -1;
}

static int ns_stop(struct nsproc *np)
{
	int st;

	close(np->hold);
	while (waitpid(np->direct, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int open_pid(pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d", (int)pid);
	return pb_netns_open(s);
}

/* ---- pb_netns_open */

START_TEST(open_by_path_and_pid)
{
	struct nsproc b;
	char path[64];
	int fd, fd2, own;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a network namespace");
	ck_assert_int_eq(ns_spawn(&b, 0, MAKE_NOTHING, 0, "pbt-b", NULL), 0);
	errno = 1234;
	fd = open_pid(b.pid);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(errno, 1234);
	pbt_assert_cloexec(fd);
	ck_assert_uint_eq(fd_ino(fd), b.ino);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)b.pid);
	fd2 = pb_netns_open(path);
	ck_assert_int_ge(fd2, 0);
	pbt_assert_cloexec(fd2);
	ck_assert_uint_eq(fd_ino(fd2), b.ino);
	own = pb_netns_open("/proc/self/ns/net");
	ck_assert_int_ge(own, 0);
	ck_assert_uint_eq(fd_ino(own), ns_ino("/proc/thread-self/ns/net"));
	ck_assert_uint_ne(fd_ino(own), b.ino);
	close(fd);
	close(fd2);
	close(own);
	ck_assert_int_eq(ns_stop(&b), 0);
}
END_TEST

static void refused(const char *ns, int err)
{
	int fd;

	errno = 0;
	fd = pb_netns_open(ns);
	if (fd >= 0)
		close(fd);	/* no leak on top of the failure */
	ck_assert_msg(fd == -1 && errno == err, "pb_netns_open(\"%s\"): %d, %s "
		      "(expected %s)", ns ? ns : "NULL", fd, strerror(errno),
		      strerror(err));
}

START_TEST(open_refuses)
{
	char longname[400];

	refused(NULL, EINVAL);
	refused("", EINVAL);
	refused(".", EINVAL);
	refused("..", EINVAL);
	/* files that are no network namespace */
	refused("/etc/hostname", EINVAL);
	refused("/proc/self/ns/uts", EINVAL);
	refused("/proc/self/ns/mnt", EINVAL);
	refused("/dev/null", EINVAL);
	/* nothing of that name, no such process */
	refused("pbt-no-such-namespace", ENOENT);
	refused("/proc/self/ns/no-such", ENOENT);
	refused("2147483646", ENOENT);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	refused(longname, EINVAL);
}
END_TEST

/* ---- a name under /run/netns, in a mount namespace of the test's own */

static int by_name(void *p)
{
	unsigned port = *(const unsigned *)p;
	struct pb_diag d = PB_DIAG_INIT;
	struct nsproc n;
	int fd, r;

	PBT_REQUIRE(ns_spawn(&n, 0, MAKE_NAME, port, "pbt-named", "pbt-blue") == 0);
	errno = 99;
	fd = pb_netns_open("pbt-blue");
	PBT_REQUIRE_MSG(fd >= 0, "pb_netns_open(\"pbt-blue\"): %s", strerror(errno));
	PBT_REQUIRE(errno == 99);
	PBT_REQUIRE(fd_ino(fd) == n.ino);
	PBT_REQUIRE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	d.flags = PB_DIAG_OWNERS;
	r = pb_diagnose_netns(fd, SOCK_STREAM, "127.0.0.1:20080", 0, &d);
	PBT_REQUIRE_MSG(r == PB_CAUSE_LISTENER, "cause %d", r);
	PBT_REQUIRE(d.n_stored >= 1 && d.holders[0].pid == n.pid);
	close(fd);
	/* The name outlives the process: the mount keeps the namespace. */
	PBT_REQUIRE(ns_stop(&n) == 0);
	fd = pb_netns_open("pbt-blue");
	PBT_REQUIRE(fd >= 0 && fd_ino(fd) == n.ino);
	close(fd);
	PBT_REQUIRE(umount2("/run/netns/pbt-blue", MNT_DETACH) == 0);
	PBT_REQUIRE(unlink("/run/netns/pbt-blue") == 0);
	errno = 0;
	PBT_REQUIRE(pb_netns_open("pbt-blue") == -1 && errno == ENOENT);
	/* a plain file of that name is no namespace */
	fd = open("/run/netns/pbt-plain", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	errno = 0;
	PBT_REQUIRE(pb_netns_open("pbt-plain") == -1 && errno == EINVAL);
	PBT_REQUIRE(unlink("/run/netns/pbt-plain") == 0);
	return 0;
}

START_TEST(open_by_name)
{
	static const char *const dirs[] = { "/run/netns", NULL };
	static unsigned port = 20080;
	const char *why;
	int st = pbt_run_on_tmpfs("/run", dirs, by_name, &port, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	ck_assert_int_eq(st, 0);
}
END_TEST

/* ---- pb_diagnose_netns */

static int diag(int fd, int type, unsigned port, struct pb_diag *d)
{
	char spec[32];
	struct pb_diag z = PB_DIAG_INIT;
	int saved = 5150, r;

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	*d = z;
	d->flags = PB_DIAG_OWNERS;
	errno = saved;
	r = pb_diagnose_netns(fd, type, spec, 0, d);
	if (r >= 0 && errno != saved)
		return -1000;	/* errno touched on success */
	return r;
}

START_TEST(listener_only_where_it_is)
{
	struct nsproc b;
	struct pb_diag d;
	unsigned port;
	int fd, own;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a network namespace");
	port = pbt_free_port();
	ck_assert_int_eq(ns_spawn(&b, 0, MAKE_LISTENER, port, "pbt-b", NULL), 0);
	fd = open_pid(b.pid);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(diag(fd, SOCK_STREAM, port, &d), PB_CAUSE_LISTENER);
	ck_assert_int_eq(d.cause, PB_CAUSE_LISTENER);
	ck_assert_uint_ge(d.n_stored, 1);
	ck_assert_int_eq(d.holders[0].pid, b.pid);
	ck_assert_str_eq(d.holders[0].comm, "pbt-b");
	ck_assert(d.sources & PB_SRC_OWNERS);
	/* the caller's own namespace: nothing there */
	ck_assert_int_eq(diag(-1, SOCK_STREAM, port, &d), PB_CAUSE_NONE);
	ck_assert_uint_eq(d.n_holders, 0);
	own = pb_netns_open("/proc/self/ns/net");
	ck_assert_int_ge(own, 0);
	ck_assert_int_eq(diag(own, SOCK_STREAM, port, &d), PB_CAUSE_NONE);
	close(own);
	/* out may be NULL, as with pb_diagnose_spec */
	{
		char spec[32];

		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
		ck_assert_int_eq(pb_diagnose_netns(fd, SOCK_STREAM, spec, 0, NULL),
				 PB_CAUSE_LISTENER);
	}
	close(fd);
	ck_assert_int_eq(ns_stop(&b), 0);
}
END_TEST

/* A, B, C, D at once, the same port in each: a listener, TIME_WAIT alone,
   a UDP socket, and a listener of a process that is pid 1 of a pid
   namespace (its owner is the pid this process sees). */
START_TEST(several_namespaces_at_once)
{
	struct nsproc n[4];
	struct pb_diag d;
	unsigned port;
	int fd[4], i, round;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a network namespace");
	port = pbt_free_port();
	ck_assert_int_eq(ns_spawn(&n[0], 0, MAKE_LISTENER, port, "pbt-a", NULL), 0);
	ck_assert_int_eq(ns_spawn(&n[1], 0, MAKE_TIME_WAIT, port, "pbt-b", NULL), 0);
	ck_assert_int_eq(ns_spawn(&n[2], 0, MAKE_UDP, port, "pbt-c", NULL), 0);
	ck_assert_int_eq(ns_spawn(&n[3], 1, MAKE_LISTENER, port, "pbt-d", NULL), 0);
	ck_assert_int_ne(n[3].pid, 1);
	for (i = 0; i < 4; i++) {
		fd[i] = open_pid(n[i].pid);
		ck_assert_int_ge(fd[i], 0);
		ck_assert_uint_eq(fd_ino(fd[i]), n[i].ino);
	}
	for (round = 0; round < 3; round++) {
		ck_assert_int_eq(diag(fd[0], SOCK_STREAM, port, &d), PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.holders[0].pid, n[0].pid);
		ck_assert_str_eq(d.holders[0].comm, "pbt-a");
		ck_assert_int_eq(diag(fd[1], SOCK_STREAM, port, &d), PB_CAUSE_TIME_WAIT);
		ck_assert_uint_ge(d.n_time_wait, 1);
		ck_assert_uint_gt(d.time_wait_ms, 0);
		ck_assert_int_eq(diag(fd[1], SOCK_DGRAM, port, &d), PB_CAUSE_NONE);
		ck_assert_int_eq(diag(fd[2], SOCK_DGRAM, port, &d), PB_CAUSE_BOUND);
		ck_assert_int_eq(d.holders[0].pid, n[2].pid);
		ck_assert_int_eq(diag(fd[2], SOCK_STREAM, port, &d), PB_CAUSE_NONE);
		ck_assert_int_eq(diag(fd[3], SOCK_STREAM, port, &d), PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.holders[0].pid, n[3].pid);
		ck_assert_str_eq(d.holders[0].comm, "pbt-d");
		ck_assert_int_eq(diag(-1, SOCK_STREAM, port, &d), PB_CAUSE_NONE);
		ck_assert_int_eq(diag(-1, SOCK_DGRAM, port, &d), PB_CAUSE_NONE);
	}
	for (i = 0; i < 4; i++) {
		close(fd[i]);
		ck_assert_int_eq(ns_stop(&n[i]), 0);
	}
}
END_TEST

/* The audit of another namespace: its sockets, with the pids this
   process sees. */
START_TEST(audit_in_another_namespace)
{
	struct nsproc n;
	struct pb_audit *a = NULL;
	struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;
	unsigned port;
	int fd, lfd;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a network namespace");
	port = pbt_free_port();
	ck_assert_int_eq(ns_spawn(&n, 1, MAKE_LISTENER, port, "pbt-audited", NULL), 0);
	lfd = pbt_listener("127.0.0.1", 0, 1);	/* the caller's: not there */
	fd = open_pid(n.pid);
	ck_assert_int_ge(fd, 0);
	errno = 77;
	ck_assert_int_eq(pb_audit_run(fd, 0, &a), 0);
	ck_assert_int_eq(errno, 77);
	ck_assert_uint_eq(pb_audit_count(a), 1);
	ck_assert_int_eq(pb_audit_get(a, 0, &e), 0);
	ck_assert_int_eq(e.pid, n.pid);
	ck_assert_str_eq(e.comm, "pbt-audited");
	ck_assert_int_eq(e.verdict, PB_RESTART_OK);
	/* read through pidfd_getfd, which valgrind 3.19 lacks: unknown */
	ck_assert_int_eq(e.reuseaddr, pbt_pidfd_missing() ? -1 : 0);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&e.local)->sin_port), (int)port);
	pb_audit_free(a);
	close(fd);
	close(lfd);
	ck_assert_int_eq(ns_stop(&n), 0);
}
END_TEST

/* ---- threads: the caller's stay where they are */

struct thr {
	int fd;
	unsigned port;
	unsigned long long own;
	int bad;		/* what went wrong, 0 */
	int calls;
};

static void *diagnoser(void *p)
{
	struct thr *t = p;
	struct pb_diag d;
	int i;

	for (i = 0; i < 12 && !t->bad; i++) {
		if (diag(t->fd, SOCK_STREAM, t->port, &d) != PB_CAUSE_LISTENER)
			t->bad = 1;
		else if (ns_ino("/proc/thread-self/ns/net") != t->own)
			t->bad = 2;
		else if (diag(-1, SOCK_STREAM, t->port, &d) != PB_CAUSE_NONE)
			t->bad = 3;
		else if (ns_ino("/proc/thread-self/ns/net") != t->own)
			t->bad = 4;
		t->calls++;
	}
	return NULL;
}

static int idle_pipe[2];
static pid_t idle_tid;

static void *idler(void *p)
{
	char b;

	(void)p;
	__atomic_store_n(&idle_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	while (read(idle_pipe[0], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static unsigned long long tid_ns(pid_t tid)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/self/task/%d/ns/net", (int)tid);
	return ns_ino(path);
}

START_TEST(threads_stay_where_they_are)
{
	struct nsproc b;
	struct thr t[4];
	pthread_t th[4], idle;
	unsigned long long own, idle_before;
	unsigned port;
	int fd, i, tries;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a network namespace");
	port = pbt_free_port();
	ck_assert_int_eq(ns_spawn(&b, 0, MAKE_LISTENER, port, "pbt-b", NULL), 0);
	fd = open_pid(b.pid);
	ck_assert_int_ge(fd, 0);
	own = ns_ino("/proc/thread-self/ns/net");
	ck_assert_uint_ne(own, b.ino);
	ck_assert_int_eq(pipe2(idle_pipe, O_CLOEXEC), 0);
	idle_tid = 0;
	ck_assert_int_eq(pthread_create(&idle, NULL, idler, NULL), 0);
	for (tries = 0; tries < 1000 && !__atomic_load_n(&idle_tid, __ATOMIC_SEQ_CST); tries++)
		usleep(1000);
	ck_assert_int_gt(idle_tid, 0);
	idle_before = tid_ns(idle_tid);
	ck_assert_uint_eq(idle_before, own);
	for (i = 0; i < 4; i++) {
		t[i].fd = fd;
		t[i].port = port;
		t[i].own = own;
		t[i].bad = 0;
		t[i].calls = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, diagnoser, &t[i]), 0);
	}
	/* while they run, this thread asks too */
	for (i = 0; i < 6; i++) {
		struct pb_diag d;

		ck_assert_int_eq(diag(fd, SOCK_STREAM, port, &d), PB_CAUSE_LISTENER);
		ck_assert_uint_eq(ns_ino("/proc/thread-self/ns/net"), own);
		ck_assert_uint_eq(tid_ns(idle_tid), own);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_msg(t[i].bad == 0, "thread %d: failure %d after %d calls",
			      i, t[i].bad, t[i].calls);
		ck_assert_int_eq(t[i].calls, 12);
	}
	ck_assert_uint_eq(ns_ino("/proc/thread-self/ns/net"), own);
	ck_assert_uint_eq(tid_ns(idle_tid), own);
	close(idle_pipe[1]);
	ck_assert_int_eq(pthread_join(idle, NULL), 0);
	close(idle_pipe[0]);
	/* no thread of the library's left behind */
	{
		struct stat st;
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/task/%d", (int)idle_tid);
		ck_assert_int_ne(stat(path, &st), 0);
	}
	close(fd);
	ck_assert_int_eq(ns_stop(&b), 0);
}
END_TEST

/* ---- without the right to enter */

struct noperm {
	int how;		/* 0: another uid; 1: uid 0 without CAP_SYS_ADMIN */
	unsigned port;
	pid_t target;
};

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c) < 0)
		return -1;
	c[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	c[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	c[CAP_SYS_ADMIN / 32].inheritable &= ~(1u << (CAP_SYS_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, c);
}

static int without_privilege(void *p)
{
	const struct noperm *np = p;
	struct pb_diag d = PB_DIAG_INIT, z;
	struct pb_audit *a;
	char spec[32];
	int fd;

	/* opened while it may, used after it may not */
	fd = open_pid(np->target);
	PBT_REQUIRE(fd >= 0);
	if (np->how == 0)
		PBT_REQUIRE(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 &&
			    setresuid(65534, 65534, 65534) == 0);
	else
		PBT_REQUIRE(drop_sys_admin() == 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", np->port);
	/* every byte after size and flags set, to see what is written */
	memset((char *)&d + sizeof(d.size), 0x5a, sizeof(d) - sizeof(d.size));
	d.flags = PB_DIAG_OWNERS;
	d.n_stored = 0;
	z = d;
	errno = 0;
	PBT_REQUIRE_MSG(pb_diagnose_netns(fd, SOCK_STREAM, spec, 0, &d) == -1 &&
			errno == EPERM, "errno %s", strerror(errno));
	PBT_REQUIRE_MSG(memcmp(&d, &z, sizeof(d)) == 0,
			"out written on failure (cause %d, n_holders %u)",
			(int)d.cause, d.n_holders);
	/* the caller's own namespace still answers, with its listener */
	PBT_REQUIRE(pb_diagnose_netns(-1, SOCK_STREAM, spec, 0, NULL) == PB_CAUSE_LISTENER);
	a = (struct pb_audit *)&a;
	errno = 0;
	PBT_REQUIRE(pb_audit_run(fd, 0, &a) == -1 && errno == EPERM && a == NULL);
	close(fd);
	return 0;
}

START_TEST(no_privilege_no_answer)
{
	struct nsproc b;
	struct noperm np;
	unsigned port;
	int lfd;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a network namespace and another uid");
	port = pbt_free_port();
	/* the caller's namespace has a listener on the port, B has none:
	   an answer about the wrong namespace would show */
	lfd = pbt_listener("127.0.0.1", port, 0);
	ck_assert_int_eq(ns_spawn(&b, 0, MAKE_NOTHING, port, "pbt-b", NULL), 0);
	np.how = _i;
	np.port = port;
	np.target = b.pid;
	ck_assert_int_eq(pbt_run_in_child(without_privilege, &np), 0);
	close(lfd);
	ck_assert_int_eq(ns_stop(&b), 0);
}
END_TEST

START_TEST(bad_descriptors)
{
	struct pb_diag d = PB_DIAG_INIT, z;
	int fd, uts, sock, file;

	fd = dup(0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	z = d;
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(fd, SOCK_STREAM, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(memcmp(&d, &z, sizeof(d)), 0);
	/* Only -1 means the caller's own namespace: another negative
	   number is a bad descriptor, not a quiet answer about this one. */
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(-2, SOCK_STREAM, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(memcmp(&d, &z, sizeof(d)), 0);
	uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(uts, 0);
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(uts, SOCK_STREAM, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	sock = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(sock, SOCK_STREAM, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	file = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (file < 0)
		file = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(file, 0);
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(file, SOCK_STREAM, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(memcmp(&d, &z, sizeof(d)), 0);
	/* bad arguments, in a good namespace */
	fd = pb_netns_open("/proc/self/ns/net");
	ck_assert_int_ge(fd, 0);
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(fd, SOCK_RAW, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(fd, SOCK_STREAM, NULL, 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(fd, SOCK_STREAM, "not-an-address", 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	d.size = 3;
	errno = 0;
	ck_assert_int_eq(pb_diagnose_netns(fd, SOCK_STREAM, "127.0.0.1:1", 0, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	close(uts);
	close(sock);
	close(file);
}
END_TEST

/* ---- files that no namespace is: pb_netns_open opens nothing it has
 *      not first seen to be on nsfs.  Each call runs in a child with an
 *      alarm: an open(2) of a FIFO would wait there for a writer. */

static void on_alarm(int sig)
{
	(void)sig;
}

/* In a child: pb_netns_open(path) fails with EINVAL at once. */
static int refused_at_once(void *p)
{
	const char *path = p;
	struct sigaction sa;
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: an open returns */
	PBT_REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	alarm(5);
	errno = 0;
	fd = pb_netns_open(path);
	err = errno;
	alarm(0);
	PBT_REQUIRE_MSG(fd == -1 && err == EINVAL, "pb_netns_open(\"%s\"): %d, %s%s",
			path, fd, strerror(err),
			err == EINTR ? " (it blocked until the alarm)" : "");
	return 0;
}

START_TEST(open_no_fifo_nor_directory)
{
	char dir[] = "/tmp/pbt-netns-XXXXXX", fifo[64], null[] = "/dev/null";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(pbt_run_in_child(refused_at_once, fifo), 0);
	ck_assert_int_eq(pbt_run_in_child(refused_at_once, dir), 0);
	ck_assert_int_eq(pbt_run_in_child(refused_at_once, null), 0);
	ck_assert_int_eq(unlink(fifo), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* In a child that leads a session of its own and has no controlling
   terminal: pb_netns_open on a terminal refuses it, and the terminal
   has not become the caller's (an open(2) without O_NOCTTY would have
   made it so). */
static int no_terminal_taken(void *p)
{
	const char *pts = p;
	int fd, err;

	PBT_REQUIRE(setsid() > 0);
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	PBT_REQUIRE_MSG(fd < 0, "a controlling terminal before the call");
	errno = 0;
	fd = pb_netns_open(pts);
	err = errno;
	PBT_REQUIRE_MSG(fd == -1 && err == EINVAL, "pb_netns_open(\"%s\"): %d, %s",
			pts, fd, strerror(err));
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	PBT_REQUIRE_MSG(fd < 0, "pb_netns_open made %s the caller's controlling "
			"terminal", pts);
	return 0;
}

START_TEST(open_takes_no_terminal)
{
	char pts[64];
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		PBT_SKIP("no pseudo-terminal here: %s", strerror(errno));
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, pts, sizeof(pts)) != 0) {
		close(m);
		PBT_SKIP("no pseudo-terminal here: %s", strerror(errno));
	}
	ck_assert_int_eq(pbt_run_in_child(no_terminal_taken, pts), 0);
	close(m);
}
END_TEST

Suite *suite_netns(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("netns");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, open_by_path_and_pid);
	tcase_add_test(tc, open_refuses);
	tcase_add_test(tc, open_by_name);
	tcase_add_test(tc, listener_only_where_it_is);
	tcase_add_test(tc, several_namespaces_at_once);
	tcase_add_test(tc, audit_in_another_namespace);
	tcase_add_test(tc, threads_stay_where_they_are);
	tcase_add_loop_test(tc, no_privilege_no_answer, 0, 2);
	tcase_add_test(tc, bad_descriptors);
	tcase_add_test(tc, open_no_fifo_nor_directory);
	tcase_add_test(tc, open_takes_no_terminal);
	suite_add_tcase(s, tc);
	return s;
}

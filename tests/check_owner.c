/* SPDX-License-Identifier: MIT */
/*
 * check_owner.c - the /proc walk from socket inode to owning process:
 * real processes (several, forked, with many descriptors, another uid),
 * and a /proc made by hand in a private mount namespace, where every name
 * and link the walk reads is chosen: pids at the limits, links that only
 * look like sockets, command names of every length.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

#include "testutil.h"
#include "bind.h"
#include "owner.h"
#include "procnet.h"
#include "sockdiag.h"

static unsigned long long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

/* A holder as the socket table gives it: an inode, no owner yet. */
static void holder(struct pb_holder *h, unsigned long long ino)
{
	memset(h, 0, sizeof(*h));
	h->state = PB_TCP_LISTEN;
	h->protocol = IPPROTO_TCP;
	h->v6only = -1;
	h->inode = ino;
}

/* ---- real processes */

/* A child that keeps only its socket, at descriptor number at, among
   `filler` other descriptors, names itself, and waits for the pipe to
   close.  It writes one byte when ready. */
struct keeper {
	int sock, at, filler, ready[2], hold[2];
	char name[16];
	pid_t pid;
};

static void keeper_start(struct keeper *k)
{
	char b = 'r';
	int i;

	ck_assert_int_eq(pipe2(k->ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(k->hold, O_CLOEXEC), 0);
	fflush(NULL);
	k->pid = fork();
	ck_assert_int_ge(k->pid, 0);
	if (k->pid == 0) {
		/* Nothing inherited but what it keeps: the other keepers'
		   pipes would hold them alive. */
		for (i = 3; i < 1024; i++)
			if (i != k->sock && i != k->ready[1] && i != k->hold[0])
				close(i);
		prctl(PR_SET_NAME, k->name, 0, 0, 0);
		for (i = 0; i < k->filler; i++)
			if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0)
				_exit(2);
		if (k->at >= 0 && dup3(k->sock, k->at, O_CLOEXEC) < 0)
			_exit(3);
		if (k->at >= 0 && k->at != k->sock)
			close(k->sock);
		if (write(k->ready[1], &b, 1) != 1)
			_exit(4);
		while (read(k->hold[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(k->ready[1]);
	close(k->hold[0]);
	ck_assert_int_eq(read(k->ready[0], &b, 1), 1);
	close(k->ready[0]);
}

static void keeper_stop(struct keeper *k)
{
	int st;

	close(k->hold[1]);
	ck_assert_int_eq(waitpid(k->pid, &st, 0), k->pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * Three forked processes each hold one listener, at descriptor numbers
 * far past the first directory read (hundreds of other descriptors), the
 * last one at a number at the end of its table.  The walk gives each
 * holder its process and command name, leaves a TIME_WAIT holder (no
 * inode) and one that has an owner already alone, writes nothing past
 * the n holders it was given, and keeps errno.
 */
START_TEST(owners_of_several_processes)
{
	struct keeper k[3];
	struct pb_holder h[6];
	unsigned long long ino[3];
	int i;

	memset(k, 0, sizeof(k));
	for (i = 0; i < 3; i++) {
		k[i].sock = pb_listen("127.0.0.1:0", 4, 0, NULL);
		ck_assert_int_ge(k[i].sock, 0);
		ino[i] = inode_of(k[i].sock);
		k[i].filler = 150 * i;
		k[i].at = i == 2 ? 1023 : 200 + 100 * i;
		snprintf(k[i].name, sizeof(k[i].name), "pbt-own-%d", i);
		keeper_start(&k[i]);
		close(k[i].sock);	/* only the child holds it now */
	}
	holder(&h[0], ino[2]);
	holder(&h[1], 0);		/* TIME_WAIT: no inode, no owner */
	h[1].state = PB_TCP_TIME_WAIT;
	holder(&h[2], ino[0]);
	holder(&h[3], ino[1]);
	h[3].pid = 1;			/* already known: kept */
	holder(&h[4], ino[1]);
	/* One past the array the walk is given: must stay untouched. */
	holder(&h[5], ino[0]);

	errno = 4321;
	ck_assert_int_eq(pb__find_owners(h, 5), 3);
	ck_assert_int_eq(errno, 4321);
	ck_assert_int_eq(h[0].pid, k[2].pid);
	ck_assert_str_eq(h[0].comm, "pbt-own-2");
	ck_assert_int_eq(h[1].pid, 0);
	ck_assert_str_eq(h[1].comm, "");
	ck_assert_int_eq(h[2].pid, k[0].pid);
	ck_assert_str_eq(h[2].comm, "pbt-own-0");
	ck_assert_int_eq(h[3].pid, 1);
	ck_assert_int_eq(h[4].pid, k[1].pid);
	ck_assert_str_eq(h[4].comm, "pbt-own-1");
	ck_assert_int_eq(h[5].pid, 0);
	ck_assert_str_eq(h[5].comm, "");

	/* Asked again: every one owned already, nothing more to find. */
	ck_assert_int_eq(pb__find_owners(h, 5), 0);
	ck_assert_int_eq(h[0].pid, k[2].pid);
	for (i = 0; i < 3; i++)
		keeper_stop(&k[i]);
	/* Gone: nobody owns them now. */
	for (i = 0; i < 5; i++)
		h[i].pid = 0;
	ck_assert_int_eq(pb__find_owners(h, 5), 0);
	ck_assert_int_eq(h[0].pid, 0);
}
END_TEST

static int count_row(const struct pb_sockent *e, void *arg)
{
	(void)e;
	++*(int *)arg;
	return 1;
}

/* A socket two processes share (a forked server) has one owner: the
   walk reports one of the two, and a second holder of the same inode
   gets the same answer. */
START_TEST(shared_socket_has_one_owner)
{
	struct keeper k;
	struct pb_holder h[2];
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);

	memset(&k, 0, sizeof(k));
	k.sock = fd;
	k.at = -1;
	snprintf(k.name, sizeof(k.name), "pbt-share");
	keeper_start(&k);
	holder(&h[0], inode_of(fd));
	holder(&h[1], inode_of(fd));
	ck_assert_int_eq(pb__find_owners(h, 2), 2);
	ck_assert(h[0].pid == getpid() || h[0].pid == k.pid);
	ck_assert_int_eq(h[1].pid, h[0].pid);
	keeper_stop(&k);
	close(fd);
}
END_TEST

/* A daemon that closed its standard input: /proc opens as descriptor 0,
   a valid one. */
static int stdin_closed_child(void *arg)
{
	struct pb_holder h;
	int fd = *(int *)arg;

	close(0);
	holder(&h, inode_of(fd));
	PBT_REQUIRE(pb__find_owners(&h, 1) == 1);
	/* The test's process holds it too, and comes first. */
	PBT_REQUIRE(h.pid == getpid() || h.pid == getppid());
	PBT_REQUIRE(fcntl(0, F_GETFD) < 0);	/* closed again */
	return 0;
}

START_TEST(stdin_closed)
{
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);

	ck_assert_int_eq(pbt_run_in_child(stdin_closed_child, &fd), 0);
	close(fd);
}
END_TEST

/* Nothing to look for: no system call at all, so a /proc that cannot
   be opened is no error.  With something to look for it is. */
static int nothing_wanted_child(void *arg)
{
	struct pb_holder h[2];

	(void)arg;
	holder(&h[0], 0);
	holder(&h[1], 12345);
	h[1].pid = 7;
	if (pbt_seccomp_errno(SYS_openat, -1, EACCES) < 0)
		return 77;
	errno = 99;
	PBT_REQUIRE(pb__find_owners(h, 2) == 0);
	PBT_REQUIRE(pb__owners_v6only(h, 1) == 0);
	/* h[1] as the one past the end: not counted as wanted. */
	PBT_REQUIRE(pb__find_owners(h, 1) == 0);
	PBT_REQUIRE(pb__find_owners(h, 0) == 0);
	h[1].pid = 0;
	PBT_REQUIRE(pb__find_owners(h, 1) == 0);
	PBT_REQUIRE(errno == 99);
	PBT_REQUIRE(pb__find_owners(h, 2) == -EACCES);
	PBT_REQUIRE(errno == 99);
	h[1].pid = 7;
	h[1].v6only = -1;
	PBT_REQUIRE(pb__owners_v6only(h, 2) == -EACCES);
	PBT_REQUIRE(errno == 99);
	/* A v6only known already, 0 as well as 1, is not looked for. */
	h[1].v6only = 0;
	PBT_REQUIRE(pb__owners_v6only(h, 2) == 0);
	h[1].v6only = 1;
	PBT_REQUIRE(pb__owners_v6only(h, 2) == 0);
	return 0;
}

START_TEST(nothing_wanted_no_walk)
{
	int st = pbt_run_in_child(nothing_wanted_child, NULL);

	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* No scratch memory: -ENOMEM, errno kept, nothing filled. */
static int no_memory_child(void *arg)
{
	struct pb_holder h;
	int fd = *(int *)arg;

	holder(&h, inode_of(fd));
	if (pbt_seccomp_errno(SYS_mmap, 0, ENOMEM) < 0)
		return 77;
	errno = 98;
	PBT_REQUIRE(pb__find_owners(&h, 1) == -ENOMEM);
	PBT_REQUIRE(pb__owners_v6only(&h, 1) == -ENOMEM);
	PBT_REQUIRE(errno == 98);
	PBT_REQUIRE(h.pid == 0 && h.v6only == -1);
	return 0;
}

START_TEST(no_scratch_memory)
{
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL), st;

	st = pbt_run_in_child(no_memory_child, &fd);
	close(fd);
	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/*
 * Another uid: a process that is not root sees its own sockets' owner
 * (itself), and not root's, nor can it read the IPV6_V6ONLY of root's.
 */
struct other_uid {
	int fd, fd6;
	unsigned long long root_ino, root6_ino;
};

static int other_uid_child(void *arg)
{
	const struct other_uid *o = arg;
	struct pb_holder h[3];
	int mine;

	/* Inherited from root: not this process's to hold. */
	close(o->fd);
	close(o->fd6);
	if (setgid(65534) < 0 || setuid(65534) < 0)
		return 77;
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	mine = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(mine >= 0);
	holder(&h[0], o->root_ino);
	holder(&h[1], inode_of(mine));
	holder(&h[2], o->root6_ino);
	PBT_REQUIRE(pb__find_owners(h, 3) == 1);
	PBT_REQUIRE(h[0].pid == 0 && h[2].pid == 0);
	PBT_REQUIRE(h[1].pid == getpid());
	/* Its own IPv6 socket: read (through pidfd_getfd(2), where it
	   exists); root's: not. */
	if (!pbt_pidfd_missing()) {
		PBT_REQUIRE(pb__owners_v6only(h, 3) == 1);
		PBT_REQUIRE(h[1].v6only == 0 || h[1].v6only == 1);
	}
	PBT_REQUIRE(h[2].v6only == -1);
	close(mine);
	return 0;
}

START_TEST(other_uid_sees_own_only)
{
	struct other_uid o;
	int fd, fd6 = -1, st;

	if (geteuid() != 0)
		PBT_SKIP("needs root to run a child as another uid");
	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	fd6 = pb_listen("[::1]:0", 4, 0, NULL);
	ck_assert_int_ge(fd6, 0);
	o.fd = fd;
	o.fd6 = fd6;
	o.root_ino = inode_of(fd);
	o.root6_ino = inode_of(fd6);
	st = pbt_run_in_child(other_uid_child, &o);
	close(fd);
	close(fd6);
	ck_assert_int_eq(st, 0);
}
END_TEST

/* IPV6_V6ONLY read from the owner's descriptor: this process's sockets
   and a child's, both settings; an IPv4 socket's (no such option) and a
   holder that knows it already are left as they are. */
START_TEST(v6only_of_owners)
{
	struct pb_holder h[7];
	struct keeper k;
	int dual, only, v4, i;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	if (pbt_pidfd_missing())
		PBT_SKIP("%s", pbt_pidfd_missing());
	dual = pb_listen("*:0", 4, 0, NULL);
	only = pb_listen("[::1]:0", 4, 0, NULL);
	v4 = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(dual, 0);
	ck_assert_int_ge(only, 0);
	memset(&k, 0, sizeof(k));
	k.sock = pb_listen("[::]:0", 4, 0, NULL);	/* v6only 1 */
	ck_assert_int_ge(k.sock, 0);
	k.at = 700;
	k.filler = 20;
	snprintf(k.name, sizeof(k.name), "pbt-v6");
	keeper_start(&k);
	holder(&h[0], inode_of(dual));
	holder(&h[1], inode_of(only));
	holder(&h[2], inode_of(v4));
	holder(&h[3], inode_of(k.sock));
	close(k.sock);
	holder(&h[4], inode_of(dual));
	h[4].v6only = 1;		/* known: not read again */
	holder(&h[5], inode_of(only));
	h[5].v6only = 0;		/* known, 0: not read again either */
	holder(&h[6], inode_of(only));	/* past the end */
	errno = 77;
	ck_assert_int_eq(pb__owners_v6only(h, 6), 3);
	ck_assert_int_eq(errno, 77);
	ck_assert_int_eq(h[0].v6only, 0);
	ck_assert_int_eq(h[1].v6only, 1);
	ck_assert_int_eq(h[2].v6only, -1);
	ck_assert_int_eq(h[3].v6only, 1);
	ck_assert_int_eq(h[4].v6only, 1);
	ck_assert_int_eq(h[5].v6only, 0);
	ck_assert_int_eq(h[6].v6only, -1);
	/* The v6only walk names no owner. */
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(h[i].pid, 0);
	keeper_stop(&k);
	close(dual);
	close(only);
	close(v4);
}
END_TEST

/* Processes come and go while the walk runs (it reads every one of them:
   one holder is owned by nobody): the one that stays is found every
   time, and the walk never fails. */
START_TEST(processes_exit_during_walk)
{
	struct keeper k;
	struct pb_holder h[2];
	unsigned long long ino, nobody;
	pid_t churn;
	int i, st, stop[2], gone = pb_listen("127.0.0.1:0", 4, 0, NULL);

	nobody = inode_of(gone);
	close(gone);
	memset(&k, 0, sizeof(k));
	k.sock = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ino = inode_of(k.sock);
	k.at = -1;
	snprintf(k.name, sizeof(k.name), "pbt-stay");
	keeper_start(&k);
	close(k.sock);
	ck_assert_int_eq(pipe2(stop, O_CLOEXEC | O_NONBLOCK), 0);
	fflush(NULL);
	churn = fork();
	ck_assert_int_ge(churn, 0);
	if (churn == 0) {
		char x;

		/* Short-lived children, one after the other, until the
		   walks are done (the pipe closes), 300 at most. */
		close(stop[1]);
		for (i = 0; i < 300 && read(stop[0], &x, 1) < 0; i++) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
		}
		_exit(0);
	}
	close(stop[0]);
	for (i = 0; i < 10; i++) {
		holder(&h[0], nobody);
		holder(&h[1], ino);
		ck_assert_int_eq(pb__find_owners(h, 2), 1);
		ck_assert_int_eq(h[0].pid, 0);
		ck_assert_int_eq(h[1].pid, k.pid);
	}
	close(stop[1]);
	ck_assert_int_eq(waitpid(churn, &st, 0), churn);
	keeper_stop(&k);
}
END_TEST

/* ---- every descriptor opened close-on-exec */

/*
 * A filter that kills the process on any open, openat, socket or
 * signalfd4 without its CLOEXEC flag (SOCK_CLOEXEC and SFD_CLOEXEC are
 * O_CLOEXEC): a descriptor the library opened without it would leak into
 * a program the host process executes, even for the moment it is open.
 */
static int kill_without_cloexec(void)
{
#if defined(__x86_64__)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_signalfd4, 7, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_STMT(BPF_JMP | BPF_JA, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_STMT(BPF_JMP | BPF_JA, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_CLOEXEC, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return 0;
#else
	return -1;
#endif
}

static int always_busy(void *arg)
{
	(void)arg;
	return -EADDRINUSE;
}

static int cloexec_child(void *arg)
{
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), l6 = -1, fd;
	unsigned port = pbt_local_port(l);
	struct pb_portsel sel = { 0, port, port };
	struct pb_sysctls sys = PB_SYSCTLS_INIT;
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_holder h[2];
	struct sockaddr_storage ss;
	socklen_t len;
	sigset_t set;
	char spec[32];
	int rows = 0;

	(void)arg;
	if (pbt_have_ipv6())
		l6 = pb_listen("[::1]:0", 4, 0, NULL);
	holder(&h[0], inode_of(l));
	holder(&h[1], l6 >= 0 ? inode_of(l6) : 0);
	if (kill_without_cloexec() < 0)
		return 78;
	/* A plain open without the flag is killed: the filter works (in a
	   grandchild, as it must die). */
	{
		pid_t p = fork();
		int st;

		if (p == 0) {
			open("/dev/null", O_RDONLY);
			_exit(0);
		}
		PBT_REQUIRE(p > 0 && waitpid(p, &st, 0) == p);
		PBT_REQUIRE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	}
	PBT_REQUIRE(pb__find_owners(h, 2) == (l6 >= 0 ? 2 : 1));
	/* IPV6_V6ONLY is read through pidfd_getfd(2), where it exists. */
	if (l6 >= 0 && !pbt_pidfd_missing()) {
		PBT_REQUIRE(pb__owners_v6only(h, 2) == 1);
		PBT_REQUIRE(h[1].v6only == 1);
	}
	PBT_REQUIRE(pb_read_sysctls(&sys) == 0 && sys.port_hi != 0);
	PBT_REQUIRE(pb__procnet_dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, &sel,
				     count_row, &rows) == 0 && rows == 1);
	rows = 0;
	PBT_REQUIRE(pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &sel,
				      count_row, &rows) == 0 && rows == 1);
	fd = pb_listen("127.0.0.1:0", 4, PB_NONBLOCK, NULL);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	fd = pb_bind_udp("*:0", 0, NULL);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	fd = pb_listen_wait("127.0.0.1:0", 4, 0, 10, NULL);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	/* A failure, explained with owners: probes, table, /proc walk. */
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	d.flags = PB_DIAG_OWNERS;
	PBT_REQUIRE(pb_listen(spec, 4, 0, &d) == -1 && d.cause == PB_CAUSE_LISTENER);
	PBT_REQUIRE(d.holders[0].pid == getpid());
	d.flags = PB_DIAG_OWNERS | PB_DIAG_NO_NETLINK;
	PBT_REQUIRE(pb_listen_wait(spec, 4, 0, 10, &d) == -1);
	PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER && d.holders[0].pid == getpid());
	/* The shim's wait makes a signalfd for a blocked signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	PBT_REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	len = pbt_addr(&ss, "127.0.0.1", port);
	d.size = sizeof(d);
	d.flags = 0;
	PBT_REQUIRE(pb__wait_out_flags(always_busy, NULL, SOCK_STREAM,
				       (struct sockaddr *)&ss, len, -1, 20,
				       PB__WAIT_BLOCKED, &d) == -EADDRINUSE);
	close(l);
	if (l6 >= 0)
		close(l6);
	/* Straight out: in the counting build of make coverage, _exit would
	   first have gcov write its files, opened without O_CLOEXEC, which
	   this filter kills (tests/coverage-dump.c). */
	syscall(SYS_exit_group, 0);
	return 0;
}

START_TEST(every_descriptor_cloexec)
{
	int st = pbt_run_in_child(cloexec_child, NULL);

	if (st == 78)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* ---- a /proc made by hand */


/* In a forked child: a private mount namespace with an empty tmpfs on
   /proc, then fn(arg).  The status, or -1 with *why set for a skip. */
static int in_fake_proc(int (*fn)(void *), void *arg, const char **why)
{
	return pbt_run_on_tmpfs("/proc", NULL, fn, arg, why);
}

#define PBT_IN_FAKE_PROC(fn, arg) do { \
	const char *why_; \
	int st_ = in_fake_proc((fn), (arg), &why_); \
	if (st_ < 0) \
		PBT_SKIP("%s", why_); \
	ck_assert_int_eq(st_, 0); \
} while (0)

static void fake_dir(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void fake_dir(const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	PBT_REQUIRE(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* /proc/<pid>/fd/<fd> -> target */
static void fake_link(const char *pid, const char *fd, const char *target)
{
	char path[256];

	fake_dir("/proc/%s", pid);
	fake_dir("/proc/%s/fd", pid);
	snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, fd);
	PBT_REQUIRE(symlink(target, path) == 0);
}

static void fake_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text);

	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(write(fd, text, n) == (ssize_t)n);
	close(fd);
}

static void fake_comm(const char *pid, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	fake_file(path, text);
}

/*
 * Directory names: only a decimal pid from 1 to INT_MAX is a process.
 * Each fake process below holds a socket of its own inode; the one named
 * by a pid out of range, or not a number, must never be taken.
 */
static int pid_names_child(void *arg)
{
	static const char *const bad[] = {
		"0", "2147483648", "4294967297", "99999999999999999999",
		"-1", "+5", "12x", " 12", "x12", NULL
	};
	struct pb_holder h[12];
	char ino[64];
	int i;

	(void)arg;
	for (i = 0; bad[i]; i++) {
		snprintf(ino, sizeof(ino), "socket:[%d]", 100 + i);
		fake_link(bad[i], "3", ino);
		fake_comm(bad[i], "bad\n");
		holder(&h[i], (unsigned long long)(100 + i));
	}
	/* The largest pid the walk takes, and the smallest. */
	fake_link("2147483647", "3", "socket:[200]");
	fake_comm("2147483647", "maxpid\n");
	fake_link("1", "4", "socket:[201]");
	fake_comm("1", "minpid\n");
	holder(&h[i], 200);
	holder(&h[i + 1], 201);
	PBT_REQUIRE(pb__find_owners(h, (unsigned)i + 2) == 2);
	for (int j = 0; j < i; j++)
		if (h[j].pid != 0) {
			fprintf(stderr, "\"%s\" taken for pid %d\n", bad[j], h[j].pid);
			return 1;
		}
	PBT_REQUIRE(h[i].pid == 2147483647);
	PBT_REQUIRE(strcmp(h[i].comm, "maxpid") == 0);
	PBT_REQUIRE(h[i + 1].pid == 1);
	PBT_REQUIRE(strcmp(h[i + 1].comm, "minpid") == 0);
	return 0;
}

START_TEST(fake_pid_names)
{
	PBT_IN_FAKE_PROC(pid_names_child, NULL);
}
END_TEST

/*
 * Links: only "socket:[N]" with N from 1 up names a socket.  Lookalikes
 * point at inode 42 (and a holder of inode 0 stands for TIME_WAIT rows);
 * none may be taken.  The good ones: the largest inode, and one at the
 * end of a directory too long for one read.
 */
static int links_child(void *arg)
{
	static const char *const bad[] = {
		"socket:[0]", "socket:[42", "socket:42]", "socket[42]",
		"socket:[]", "socket:[-42]", "socket:[+42]", "socket:[ 42]",
		"socket:[0x2a]", "Socket:[42]", "socket:(42)", "pipe:[42]",
		"anon_inode:[42]", "socket:[18446744073709551658]",
		"socket:x42]", "socket:[42)", "socket:[42x", "pipe:[1]",
		"socket:[9223372036854775808]", NULL
	};
	struct pb_holder h[6];
	char fd[16], path[128];
	int i;

	(void)arg;
	for (i = 0; bad[i]; i++) {
		snprintf(fd, sizeof(fd), "%d", i + 3);
		fake_link("500", fd, bad[i]);
	}
	fake_comm("500", "lookalike\n");
	/* A hidden entry is no descriptor, whatever it links to. */
	fake_link("500", ".7", "socket:[42]");
	/* A descriptor that is no link at all, and a pid with no fd. */
	fake_file("/proc/500/fd/99", "socket:[42]");
	fake_dir("/proc/501");
	fake_comm("501", "nofd\n");
	fake_file("/proc/502", "not a directory");
	/* The largest inode a link can carry. */
	fake_link("600", "3", "socket:[9223372036854775807]");
	fake_comm("600", "bigino\n");
	/* 400 descriptors, the socket among the last read. */
	for (i = 0; i < 400; i++) {
		snprintf(fd, sizeof(fd), "%d", i);
		fake_link("700", fd, i == 399 ? "socket:[43]" : "pipe:[43]");
	}
	fake_comm("700", "manyfds\n");
	holder(&h[0], 42);
	holder(&h[1], 0);
	holder(&h[2], 9223372036854775807ULL);
	holder(&h[3], 43);
	holder(&h[4], 1);		/* no link above names a socket 1 */
	holder(&h[5], ~0ULL);		/* nor the largest number there is */
	PBT_REQUIRE(pb__find_owners(h, 6) == 2);
	PBT_REQUIRE(h[0].pid == 0 && h[1].pid == 0 && h[4].pid == 0);
	PBT_REQUIRE(h[5].pid == 0);
	PBT_REQUIRE(h[2].pid == 600 && strcmp(h[2].comm, "bigino") == 0);
	PBT_REQUIRE(h[3].pid == 700 && strcmp(h[3].comm, "manyfds") == 0);
	/* The smallest inode there is. */
	fake_link("900", "3", "socket:[1]");
	PBT_REQUIRE(pb__find_owners(&h[4], 1) == 1);
	PBT_REQUIRE(h[4].pid == 900);
	/* The longest link the walk reads whole is 63 bytes (zeros that
	   the kernel never writes pad it); one byte more is cut, so no
	   socket; a link far too long neither. */
	snprintf(path, sizeof(path), "socket:[%054d]", 45);
	PBT_REQUIRE(strlen(path) == 63);
	fake_link("801", "3", path);
	snprintf(path, sizeof(path), "socket:[%055d]", 46);
	fake_link("802", "3", path);
	snprintf(path, sizeof(path), "socket:[%060d]", 44);
	fake_link("800", "3", path);
	holder(&h[0], 44);
	holder(&h[1], 45);
	holder(&h[2], 46);
	PBT_REQUIRE(pb__find_owners(h, 3) == 1);
	PBT_REQUIRE(h[0].pid == 0 && h[1].pid == 801 && h[2].pid == 0);
	return 0;
}

START_TEST(fake_links)
{
	PBT_IN_FAKE_PROC(links_child, NULL);
}
END_TEST

/* Command names: the newline goes, a name without one is kept whole, a
   long one is cut to 15 bytes, an empty or missing one is "". */
static int comm_child(void *arg)
{
	static const struct {
		const char *pid, *text, *want;
	} c[] = {
		{ "10", "plain\n", "plain" },
		{ "11", "nonewline", "nonewline" },
		{ "12", "\n", "" },
		{ "13", "", "" },
		{ "14", "exactly15chars\n", "exactly15chars" },
		{ "15", "fifteen-chars-x", "fifteen-chars-x" },
		{ "16", "much-longer-than-fifteen\n", "much-longer-tha" },
		{ "17", "two\nlines\n", "two\nlines" },
		{ "18", NULL, "" },
		/* Empty, for a pid whose top byte is '\n': the byte before
		   comm is never read as its last character. */
		{ "167772173", "", "" },
		{ "19", "x", "x" },
	};
	struct pb_holder h[11];
	char ino[32];
	size_t i;

	(void)arg;
	for (i = 0; i < 11; i++) {
		snprintf(ino, sizeof(ino), "socket:[%zu]", 1000 + i);
		fake_link(c[i].pid, "5", ino);
		if (c[i].text)
			fake_comm(c[i].pid, c[i].text);
		holder(&h[i], 1000 + i);
		memset(h[i].comm, 'z', sizeof(h[i].comm));
	}
	PBT_REQUIRE(pb__find_owners(h, 11) == 11);
	for (i = 0; i < 11; i++) {
		if (strcmp(h[i].comm, c[i].want) != 0 ||
		    h[i].pid != atoi(c[i].pid)) {
			fprintf(stderr, "pid %s: \"%s\" %d, not \"%s\"\n", c[i].pid,
				h[i].comm, h[i].pid, c[i].want);
			return 1;
		}
	}
	return 0;
}

START_TEST(fake_comm_names)
{
	PBT_IN_FAKE_PROC(comm_child, NULL);
}
END_TEST

/*
 * IPV6_V6ONLY through a copy of the owner's descriptor: it is read only
 * when the descriptor number is a number, the process exists, and the
 * descriptor is still the socket of that inode (numbers are reused).
 */
static int v6only_fake_child(void *arg)
{
	int dual = ((int *)arg)[0], only = ((int *)arg)[1];
	int v4 = ((int *)arg)[2], p[2];
	char me[16], n[32], l[64];
	struct pb_holder h[10];
	int zero;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	PBT_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	/* Right: the number is the socket. */
	snprintf(n, sizeof(n), "%d", dual);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual));
	fake_link(me, n, l);
	/* Reused: the number now holds another socket, or a pipe. */
	snprintf(n, sizeof(n), "%d", only);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual) + 100000);
	fake_link(me, n, l);
	snprintf(n, sizeof(n), "%d", p[0]);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual) + 100001);
	fake_link(me, n, l);
	/* Not a descriptor number. */
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual) + 100002);
	fake_link(me, "x3", l);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual) + 100005);
	snprintf(n, sizeof(n), "%dx", dual);
	fake_link(me, n, l);
	/* A number no descriptor has. */
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual) + 100003);
	fake_link(me, "900", l);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(dual) + 100004);
	fake_link(me, "2147483648", l);
	/* A name that is a number and more, for a socket that is there. */
	snprintf(n, sizeof(n), "%dx", only);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(only));
	fake_link(me, n, l);
	/* Descriptor 0 is a descriptor like any other. */
	zero = pb_listen("[::1]:0", 4, 0, NULL);
	PBT_REQUIRE(zero >= 0 && dup2(zero, 0) == 0);
	close(zero);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(0));
	fake_link(me, "0", l);
	/* An IPv4 socket: no such option. */
	snprintf(n, sizeof(n), "%d", v4);
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(v4));
	fake_link(me, n, l);
	/* A process that does not exist. */
	snprintf(l, sizeof(l), "socket:[%llu]", inode_of(only));
	fake_link("2147483647", "3", l);

	holder(&h[0], inode_of(dual));
	holder(&h[1], inode_of(dual) + 100000);
	holder(&h[2], inode_of(dual) + 100001);
	holder(&h[3], inode_of(dual) + 100002);
	holder(&h[4], inode_of(dual) + 100003);
	holder(&h[5], inode_of(dual) + 100004);
	holder(&h[6], inode_of(v4));
	holder(&h[7], inode_of(only));
	holder(&h[8], inode_of(dual) + 100005);
	holder(&h[9], inode_of(0));
	PBT_REQUIRE(pb__owners_v6only(h, 10) == 2);
	PBT_REQUIRE(h[0].v6only == 0);
	PBT_REQUIRE(h[9].v6only == 1);
	for (int i = 1; i < 9; i++)
		if (h[i].v6only != -1) {
			fprintf(stderr, "holder %d: v6only %d\n", i, h[i].v6only);
			return 1;
		}
	close(p[0]);
	close(p[1]);
	return 0;
}

START_TEST(fake_v6only_reads)
{
	int s[3];

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	if (pbt_pidfd_missing())
		PBT_SKIP("%s", pbt_pidfd_missing());
	s[0] = pb_listen("*:0", 4, 0, NULL);
	s[1] = pb_listen("[::1]:0", 4, 0, NULL);
	s[2] = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(s[0], 0);
	ck_assert_int_ge(s[1], 0);
	{
		const char *why_;
		int st = in_fake_proc(v6only_fake_child, s, &why_);

		close(s[0]);
		close(s[1]);
		close(s[2]);
		if (st < 0)
			PBT_SKIP("%s", why_);
		ck_assert_int_eq(st, 0);
	}
}
END_TEST

Suite *suite_owner(void)
{
	Suite *s = suite_create("owner");
	TCase *tr = tcase_create("processes");
	TCase *tf = tcase_create("fake-proc");

	tcase_add_checked_fixture(tr, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tr, owners_of_several_processes);
	tcase_add_test(tr, shared_socket_has_one_owner);
	tcase_add_test(tr, nothing_wanted_no_walk);
	tcase_add_test(tr, stdin_closed);
	tcase_add_test(tr, no_scratch_memory);
	tcase_add_test(tr, other_uid_sees_own_only);
	tcase_add_test(tr, v6only_of_owners);
	tcase_add_test(tr, processes_exit_during_walk);
	tcase_add_test(tr, every_descriptor_cloexec);
	suite_add_tcase(s, tr);

	tcase_add_checked_fixture(tf, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tf, fake_pid_names);
	tcase_add_test(tf, fake_links);
	tcase_add_test(tf, fake_comm_names);
	tcase_add_test(tf, fake_v6only_reads);
	suite_add_tcase(s, tf);
	return s;
}

/* SPDX-License-Identifier: MIT */
/*
 * check_audit.c - the restart audit (pb_audit_run and friends), with the
 * kernel as the oracle: services are real processes in a private network
 * namespace (listeners with and without SO_REUSEADDR and SO_REUSEPORT,
 * their own connections, TIME_WAIT on their ports, children, sockets
 * handed to unrelated processes over SCM_RIGHTS, UDP, IPv6 and
 * dual-stack, socket activation, a service user that is not root, a
 * port in ip_local_port_range).  After the audit, the service the
 * verdict is about is stopped (it and its descendants killed and
 * reaped) and a fresh process binds what the restarted service would,
 * with the same options: "ok" must bind, "wait" and "fail" must meet
 * EADDRINUSE, "fail" with the outliving process still there.  The
 * "review" cases hold each finding of the review of lib/audit.c (more
 * holders than were kept, a connection's hidden IPV6_V6ONLY, pid 1 of a
 * container, a holder the auditor cannot see, EMFILE in the /proc walk,
 * SO_BINDTODEVICE, a bound-only socket) to the same oracle.
 *
 * The ports are fixed numbers below the ephemeral range: every scenario
 * runs in a network namespace of its own, where nothing else binds, and
 * a port the kernel picked would lie inside ip_local_port_range (a
 * hazard of its own).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "abi.h"
#include "testutil.h"

#define MAXSOCK 4		/* sockets a service makes */
#define MAXPROC 96
#define MAXSK 96
#define MAXCLIENT 160
#define TW_MS 60000u		/* TCP_TIMEWAIT_LEN, and tcp_fin_timeout's default */
#define SLACK_MS 2000u		/* a loaded machine between two clocks */
#define NOBODY 65534

/* ---- the service: a child that runs the scenario's commands */

enum { C_SOCKET = 1, C_ACCEPT, C_ACCEPT_CLOSE, C_PASS_CONN, C_PASS_SOCK,
       C_FORK, C_SETUID, C_ACTIVATE, C_REUSEADDR };

struct sock_spec {
	int type;		/* SOCK_STREAM (listening) or SOCK_DGRAM */
	char ip[40];		/* "127.0.0.1", "0.0.0.0", "::1", "::" */
	unsigned port;
	int r, rp;		/* SO_REUSEADDR, SO_REUSEPORT */
	int v6only;		/* IPv6: set to this; -1 for IPv4 */
	int bound_only;		/* SOCK_STREAM: bound, not listening */
	char dev[16];		/* SO_BINDTODEVICE, or "" */
};

struct cmd {
	int op, i, arg;
	struct sock_spec s;
};

struct reply {
	int err;		/* 0 or an errno */
	int val;		/* C_SOCKET: its index; C_FORK: the child's pid */
	unsigned long long inode;
	int v6only;		/* C_SOCKET: IPV6_V6ONLY as the bound socket
				   reads it (bind to a specific IPv6 address
				   sets it: __inet6_bind); -1 IPv4 */
};

static int make_socket(const struct sock_spec *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err, on = 1, v6 = strchr(s->ip, ':') != NULL;

	fd = socket(v6 ? AF_INET6 : AF_INET, s->type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if ((s->r && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) ||
	    (s->rp && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0) ||
	    (v6 && s->v6only >= 0 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &s->v6only,
			sizeof(s->v6only)) < 0) ||
	    (s->dev[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->dev,
				     (socklen_t)strlen(s->dev)) < 0))
		goto fail;
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)s->port);
		if (inet_pton(AF_INET6, s->ip, &a->sin6_addr) != 1)
			goto fail;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)s->port);
		if (inet_pton(AF_INET, s->ip, &a->sin_addr) != 1)
			goto fail;
		len = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		goto fail;
	if (s->type == SOCK_STREAM && !s->bound_only && listen(fd, 64) < 0)
		goto fail;
	return fd;
fail:
	err = errno ? errno : EINVAL;
	close(fd);
	return -err;
}

static unsigned long long inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* Close every descriptor from 3 up but keep. */
static void close_all_but(int keep)
{
	int i;

	for (i = 3; i < 1024; i++)
		if (i != keep)
			close(i);
}

/* An accept that cannot hang: the connection was made before the
   command, so it is there at once, or never. */
static int accept_now(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	lfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return lfd < 0 ? -errno : lfd;
}

static int send_reply(int ctl, const struct reply *r, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct reply copy = *r;
	struct iovec iov = { &copy, sizeof(copy) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(ctl, &m, MSG_NOSIGNAL) == (ssize_t)sizeof(*r) ? 0 : -1;
}

static int drop_to(uid_t uid)
{
	return setgroups(0, NULL) == 0 && setresgid(uid, uid, uid) == 0 &&
	       setresuid(uid, uid, uid) == 0 ? 0 : -1;
}

/* Socket activation: the sockets at 3.., LISTEN_PID (this process, or
   another one when wrong_pid) and LISTEN_FDS in the environment, then
   exec: /proc/PID/environ is what the exec was given. */
static void activate(int *socks, int n, int wrong_pid)
{
	char v[32];
	int i, hi[MAXSOCK];

	for (i = 0; i < n; i++)
		hi[i] = fcntl(socks[i], F_DUPFD_CLOEXEC, 100);
	for (i = 0; i < n; i++)
		if (hi[i] < 0 || dup2(hi[i], 3 + i) != 3 + i)
			_exit(20);
	snprintf(v, sizeof(v), "%d", (int)getpid() + (wrong_pid ? 1 : 0));
	setenv("LISTEN_PID", v, 1);
	snprintf(v, sizeof(v), "%d", n);
	setenv("LISTEN_FDS", v, 1);
	execl(pbt_self, pbt_self, "hold", (char *)NULL);
	_exit(21);
}

/* The service's loop: one reply per command, until the scenario closes
   ctl (or kills it). */
static void service_main(int ctl)
{
	int socks[MAXSOCK], nsock = 0, fd, pass;
	struct cmd c;
	struct reply r;
	ssize_t k;
	pid_t pid;

	for (;;) {
		k = recv(ctl, &c, sizeof(c), 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			_exit(0);
		if (k != (ssize_t)sizeof(c))
			_exit(10);
		memset(&r, 0, sizeof(r));
		pass = -1;
		switch (c.op) {
		case C_SOCKET:
			fd = nsock < MAXSOCK ? make_socket(&c.s) : -EMFILE;
			if (fd < 0) {
				r.err = -fd;
				break;
			}
			r.val = nsock;
			r.inode = inode_of(fd);
			r.v6only = -1;
			if (strchr(c.s.ip, ':')) {
				socklen_t l = sizeof(r.v6only);

				if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					       &r.v6only, &l) < 0)
					r.v6only = -2;
			}
			socks[nsock++] = fd;
			break;
		case C_ACCEPT:		/* kept open */
		case C_ACCEPT_CLOSE:	/* closed first: TIME_WAIT here */
		case C_PASS_CONN:	/* given away, not kept */
			fd = accept_now(socks[c.i]);
			if (fd < 0) {
				r.err = -fd;
				break;
			}
			if (c.op == C_ACCEPT_CLOSE)
				close(fd);
			if (c.op == C_PASS_CONN)
				pass = fd;
			break;
		case C_PASS_SOCK:	/* shared: the service keeps it too */
			pass = socks[c.i];
			break;
		case C_FORK:
			pid = fork();
			if (pid == 0) {
				close(ctl);
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				alarm(60);
				pause();
				_exit(0);
			}
			if (pid < 0)
				r.err = errno;
			r.val = (int)pid;
			break;
		case C_SETUID:		/* arg: stay dumpable (its /proc/PID/fd
					   readable by its own user) */
			if (drop_to(NOBODY) < 0 ||
			    (c.arg && prctl(PR_SET_DUMPABLE, 1) < 0))
				r.err = errno;
			break;
		case C_REUSEADDR:	/* SO_REUSEADDR set to arg, after the bind */
			if (c.i < 0 || c.i >= nsock ||
			    setsockopt(socks[c.i], SOL_SOCKET, SO_REUSEADDR,
				       &c.arg, sizeof(c.arg)) < 0)
				r.err = c.i < 0 || c.i >= nsock ? EINVAL : errno;
			break;
		case C_ACTIVATE:
			if (send_reply(ctl, &r, -1) < 0)
				_exit(11);
			activate(socks, nsock, c.arg);
			break;
		default:
			r.err = EINVAL;
		}
		if (send_reply(ctl, &r, pass) < 0)
			_exit(12);
		if (c.op == C_PASS_CONN && pass >= 0)
			close(pass);
	}
}

/* ---- the scenario: its processes and sockets */

enum { K_SERVICE = 's', K_CHILD = 'c', K_OUTSIDER = 'o' };

struct proc {
	pid_t pid;
	int parent;		/* the proc that forked it (K_CHILD), else -1 */
	int ctl;		/* a service's control socket, else -1 */
	int alive;
	int kind;
};

struct sk {
	struct sock_spec s;
	unsigned long long inode;
	int svc;		/* the proc that made it */
	int holders[16], nh;	/* the procs that hold it */
	int conns, tws;		/* own connections, TIME_WAITs made */
	int activated;
	int v6only;		/* as the socket reads it */
};

struct world {
	struct proc p[MAXPROC];
	int np;
	struct sk s[MAXSK];
	int ns;
	int clients[MAXCLIENT];
	int nc;
	/* per port: when the first and the last TIME_WAIT (or closing
	   connection) began there, on the monotonic clock; 0 none */
	long long tw_first[65536 / 64 + 1], tw_last[65536 / 64 + 1];
};

static struct world *W;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Ports are 20000 + k (k < 64*...): tw_* are indexed by port - 20000. */
#define PORT0 20000u
#define PORT_SLOT(p) ((p) >= PORT0 && (p) < PORT0 + 1025 ? (p) - PORT0 : 1025)

static void tw_event(unsigned port)
{
	unsigned k = PORT_SLOT(port);
	long long t = now_ms();

	if (!W->tw_first[k])
		W->tw_first[k] = t;
	W->tw_last[k] = t;
}

static void world_begin(void)
{
	static struct world w;

	memset(&w, 0, sizeof(w));
	W = &w;
	/* Killed services' children come back to this process, to be
	   reaped; and every process here ends with the test. */
	PBT_REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	PBT_REQUIRE(prctl(PR_SET_PDEATHSIG, SIGKILL) == 0);
}

static int proc_add(pid_t pid, int kind, int parent, int ctl)
{
	struct proc *p;

	PBT_REQUIRE(W->np < MAXPROC);
	p = &W->p[W->np];
	p->pid = pid;
	p->kind = kind;
	p->parent = parent;
	p->ctl = ctl;
	p->alive = 1;
	return W->np++;
}

static int proc_of(pid_t pid)
{
	int i;

	for (i = 0; i < W->np; i++)
		if (W->p[i].pid == pid && W->p[i].alive)
			return i;
	return -1;
}

static void sk_hold(int sk, int proc)
{
	PBT_REQUIRE(W->s[sk].nh < 16);
	W->s[sk].holders[W->s[sk].nh++] = proc;
}

/* Some live process still holds it. */
static int sk_alive(int sk)
{
	int i;

	for (i = 0; i < W->s[sk].nh; i++)
		if (W->p[W->s[sk].holders[i]].alive)
			return 1;
	return 0;
}

static int svc_start(void)
{
	int sv[2];
	pid_t pid;

	PBT_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	fflush(NULL);
	pid = fork();
	PBT_REQUIRE(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close_all_but(sv[1]);
		service_main(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	return proc_add(pid, K_SERVICE, -1, sv[0]);
}

/* A command; the descriptor it passes back, if any, into *fd. */
static struct reply svc_cmd(int svc, const struct cmd *c, int *fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct reply r;
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;
	ssize_t k;

	if (fd)
		*fd = -1;
	PBT_REQUIRE(send(W->p[svc].ctl, c, sizeof(*c), MSG_NOSIGNAL) ==
		    (ssize_t)sizeof(*c));
	do
		k = recvmsg(W->p[svc].ctl, &m, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	PBT_REQUIRE_MSG(k == (ssize_t)sizeof(r), "command %d: reply %zd", c->op, k);
	cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_type == SCM_RIGHTS) {
		PBT_REQUIRE(fd != NULL);
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	return r;
}

/* A socket of service svc: its index in the world, or -1 (errno) when
   the kernel refused it (another socket holds the address). */
static int svc_make(int svc, const struct sock_spec *spec)
{
	struct cmd c = { .op = C_SOCKET };
	struct reply rep;
	struct sk *s;

	c.s = *spec;
	rep = svc_cmd(svc, &c, NULL);
	if (rep.err) {
		errno = rep.err;
		return -1;
	}
	PBT_REQUIRE(W->ns < MAXSK);
	s = &W->s[W->ns];
	memset(s, 0, sizeof(*s));
	s->s = c.s;
	s->inode = rep.inode;
	s->svc = svc;
	s->holders[0] = svc;
	s->nh = 1;
	s->v6only = rep.v6only;
	return W->ns++;
}

static int svc_socket(int svc, int type, const char *ip, unsigned port,
		      int r, int rp, int v6only)
{
	struct sock_spec s;

	memset(&s, 0, sizeof(s));
	s.type = type;
	snprintf(s.ip, sizeof(s.ip), "%s", ip);
	s.port = port;
	s.r = r;
	s.rp = rp;
	s.v6only = strchr(ip, ':') ? v6only : -1;
	return svc_make(svc, &s);
}

/* The index of sk among its service's sockets. */
static int sock_index(int sk)
{
	int i, n = 0;

	for (i = 0; i < sk; i++)
		if (W->s[i].svc == W->s[sk].svc)
			n++;
	return n;
}

/* SO_REUSEADDR of sk set to on by its service, after the bind: what a
   restart then sets too. */
static void svc_reuseaddr(int sk, int on)
{
	struct cmd c = { .op = C_REUSEADDR, .i = sock_index(sk), .arg = on };

	PBT_REQUIRE(svc_cmd(W->s[sk].svc, &c, NULL).err == 0);
	W->s[sk].s.r = on;
}

/* A client of sk (a listener), kept by the scenario: connected to the
   listener's address, or to loopback for a wildcard. */
static int client_of(int sk)
{
	const struct sock_spec *s = &W->s[sk].s;
	struct sockaddr_storage ss;
	const char *ip = s->ip;
	socklen_t len;
	int fd;

	if (!strcmp(ip, "0.0.0.0"))
		ip = "127.0.0.1";
	else if (!strcmp(ip, "::"))
		ip = "::1";
	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)s->port);
		PBT_REQUIRE(inet_pton(AF_INET6, ip, &a->sin6_addr) == 1);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)s->port);
		PBT_REQUIRE(inet_pton(AF_INET, ip, &a->sin_addr) == 1);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE_MSG(connect(fd, (struct sockaddr *)&ss, len) == 0,
			"connect to %s:%u: %s", ip, s->port, strerror(errno));
	return fd;
}

static void keep_client(int fd)
{
	PBT_REQUIRE(W->nc < MAXCLIENT);
	W->clients[W->nc++] = fd;
}

/* n open connections of sk's service on sk, accepted and kept by it. */
static void svc_conns(int sk, int n)
{
	struct cmd c = { .op = C_ACCEPT, .i = sock_index(sk) };
	int k;

	for (k = 0; k < n; k++) {
		keep_client(client_of(sk));
		PBT_REQUIRE(svc_cmd(W->s[sk].svc, &c, NULL).err == 0);
		W->s[sk].conns++;
	}
}

/* Is the connection from port to rport in TIME_WAIT?  From /proc/net. */
static int in_time_wait(unsigned port, unsigned rport)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[256];
	unsigned lp, rp, st;
	int found = 0;
	size_t f;

	for (f = 0; f < 2 && !found; f++) {
		FILE *in = fopen(files[f], "re");

		if (!in)
			continue;
		while (!found && fgets(line, sizeof(line), in))
			found = sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%x %x",
				       &lp, &rp, &st) == 3 && lp == port &&
				rp == rport && st == 6;
		fclose(in);
	}
	return found;
}

/* n TIME_WAITs on sk's port: the service closes first, the client reads
   the end and closes; each is awaited in the table (the service's side
   turns into TIME_WAIT as the client's FIN comes, not at its close). */
static void svc_time_waits(int sk, int n)
{
	struct cmd c = { .op = C_ACCEPT_CLOSE, .i = sock_index(sk) };
	struct pollfd p;
	char b;
	int k, fd, tries;
	unsigned cport;

	for (k = 0; k < n; k++) {
		fd = client_of(sk);
		PBT_REQUIRE(svc_cmd(W->s[sk].svc, &c, NULL).err == 0);
		p.fd = fd;
		p.events = POLLIN;
		PBT_REQUIRE(poll(&p, 1, 5000) == 1);
		PBT_REQUIRE(read(fd, &b, 1) == 0);
		cport = pbt_local_port(fd);
		close(fd);
		for (tries = 0; tries < 1000 &&
		     !in_time_wait(W->s[sk].s.port, cport); tries++)
			usleep(5000);
		PBT_REQUIRE_MSG(tries < 1000, "no TIME_WAIT from port %u to %u",
				W->s[sk].s.port, cport);
		tw_event(W->s[sk].s.port);
		W->s[sk].tws++;
	}
}

/* A process that is not of sk's service (no descendant of it) and keeps
   what the service passes it: sk itself (conn 0; the service keeps it
   too) or one connection accepted on sk (conn 1; the service keeps
   none). */
static int outsider_take(int sk, int conn)
{
	struct cmd c = { .op = conn ? C_PASS_CONN : C_PASS_SOCK,
			 .i = sock_index(sk) };
	int fd, cfd = -1, k;
	pid_t pid;

	if (conn)
		cfd = client_of(sk);
	PBT_REQUIRE(svc_cmd(W->s[sk].svc, &c, &fd).err == 0);
	PBT_REQUIRE(fd >= 0);
	fflush(NULL);
	pid = fork();
	PBT_REQUIRE(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close_all_but(fd);
		alarm(60);
		pause();
		_exit(0);
	}
	close(fd);
	if (cfd >= 0)
		keep_client(cfd);
	k = proc_add(pid, K_OUTSIDER, -1, -1);
	if (!conn)
		sk_hold(sk, k);
	return k;
}

static int svc_fork(int svc)
{
	struct cmd c = { .op = C_FORK };
	struct reply r = svc_cmd(svc, &c, NULL);
	int k, i;

	PBT_REQUIRE(r.err == 0 && r.val > 0);
	k = proc_add(r.val, K_CHILD, svc, -1);
	for (i = 0; i < W->ns; i++)
		if (W->s[i].svc == svc)
			sk_hold(i, k);
	return k;
}

static void svc_setuid(int svc)
{
	struct cmd c = { .op = C_SETUID };

	PBT_REQUIRE(svc_cmd(svc, &c, NULL).err == 0);
}

/* The same, and its own user may still look into it (PR_SET_DUMPABLE). */
static void svc_setuid_visible(int svc)
{
	struct cmd c = { .op = C_SETUID, .arg = 1 };

	PBT_REQUIRE(svc_cmd(svc, &c, NULL).err == 0);
}

/* Exec the service with its sockets passed as socket activation passes
   them; it then answers no command. */
static void svc_activate(int svc, int wrong_pid)
{
	struct cmd c = { .op = C_ACTIVATE, .arg = wrong_pid };
	char path[64], buf[4096], link[64], want[64];
	int i, fd, tries, first = -1;
	ssize_t n, k;

	PBT_REQUIRE(svc_cmd(svc, &c, NULL).err == 0);
	for (i = 0; i < W->ns; i++)
		if (W->s[i].svc == svc) {
			W->s[i].activated = !wrong_pid;
			if (first < 0)
				first = i;
		}
	PBT_REQUIRE(first >= 0);
	/* Until the exec is done: the environ it was given has LISTEN_FDS
	   (before, /proc shows the first one), and fd 3 is the socket. */
	snprintf(want, sizeof(want), "socket:[%llu]", W->s[first].inode);
	for (tries = 0; tries < 1000; tries++) {
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)W->p[svc].pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		PBT_REQUIRE(fd >= 0);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (i = 0; n > 0 && i < n; i += (int)strlen(buf + i) + 1) {
			buf[n] = '\0';
			if (!strncmp(buf + i, "LISTEN_FDS=", 11))
				break;
		}
		snprintf(path, sizeof(path), "/proc/%d/fd/3", (int)W->p[svc].pid);
		k = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && i < n && k > 0) {
			link[k] = '\0';
			if (!strcmp(link, want))
				return;
		}
		usleep(2000);
	}
	PBT_REQUIRE_MSG(0, "the activated service never exec'd");
}

static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Stop the service whose topmost process is pid: it and its descendants
   killed and reaped (so their descriptors are closed). */
static void stop(pid_t pid)
{
	int i = proc_of(pid), j, k;

	PBT_REQUIRE_MSG(i >= 0, "pid %d is none of this scenario's live processes",
			(int)pid);
	kill(W->p[i].pid, SIGKILL);
	for (j = 0; j < W->np; j++)
		if (W->p[j].alive && W->p[j].parent == i)
			kill(W->p[j].pid, SIGKILL);
	PBT_REQUIRE(reap(W->p[i].pid) == 0);
	for (j = 0; j < W->np; j++)
		if (W->p[j].alive && W->p[j].parent == i) {
			PBT_REQUIRE(reap(W->p[j].pid) == 0);
			W->p[j].alive = 0;
		}
	W->p[i].alive = 0;
	if (W->p[i].ctl >= 0)
		close(W->p[i].ctl);
	W->p[i].ctl = -1;
	/* Its open connections are closing now: a TIME_WAIT of sorts. */
	for (k = 0; k < W->ns; k++)
		if (W->s[k].svc == i && W->s[k].conns)
			tw_event(W->s[k].s.port);
}

static void world_end(void)
{
	int i;

	for (i = 0; i < W->np; i++)
		if (W->p[i].alive)
			kill(W->p[i].pid, SIGKILL);
	for (i = 0; i < W->np; i++)
		if (W->p[i].alive) {
			reap(W->p[i].pid);
			W->p[i].alive = 0;
			if (W->p[i].ctl >= 0)
				close(W->p[i].ctl);
		}
	for (i = 0; i < W->nc; i++)
		close(W->clients[i]);
	W->nc = 0;
}

/* What a restart does: a fresh process binds (and listens on) the same
   address with the same options.  0, or the errno. */
static int restart_bind(const struct sock_spec *s)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	pid = fork();
	PBT_REQUIRE(pid >= 0);
	if (pid == 0) {
		fd = make_socket(s);
		_exit(fd < 0 ? -fd : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		PBT_REQUIRE(errno == EINTR);
	PBT_REQUIRE(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Root's verdicts rest on the options read through pidfd_getfd(2),
   which valgrind 3.19 does not know (the library then says "unknown",
   ENOSYS): those scenarios run where the system call does (the
   sanitizer builds find the leaks there). */
#define AUDIT_IN_NETNS(fn, arg) do { \
	if (pbt_pidfd_missing()) \
		PBT_SKIP("%s", pbt_pidfd_missing()); \
	PBT_IN_NETNS(fn, arg); \
} while (0)

/* ---- the audit */

/* When the last audit began: its times left are counted from then (a
   check later, after restarts under load, may come seconds after). */
static long long audit_began;

static struct pb_audit *audit_now(void)
{
	struct pb_audit *a = NULL;
	int saved;

	audit_began = now_ms();
	errno = saved = 7331;
	PBT_REQUIRE_MSG(pb_audit_run(-1, 0, &a) == 0, "pb_audit_run: %s",
			strerror(errno));
	PBT_REQUIRE_MSG(errno == saved, "errno %d after a success", errno);
	PBT_REQUIRE(a != NULL);
	return a;
}

static void get(const struct pb_audit *a, size_t i, struct pb_audit_entry *e)
{
	struct pb_audit_entry z = PB_AUDIT_ENTRY_INIT;

	*e = z;
	PBT_REQUIRE_MSG(pb_audit_get(a, i, e) == 0, "pb_audit_get %zu: %s", i,
			strerror(errno));
	PBT_REQUIRE(e->size == sizeof(*e));
}

/* The entry of the socket with this inode: 1, or 0 when the audit has
   none (and more than one is a failure). */
static int entry_of(const struct pb_audit *a, unsigned long long ino,
		    struct pb_audit_entry *e)
{
	struct pb_audit_entry x;
	size_t i, n = pb_audit_count(a);
	int found = 0;

	for (i = 0; i < n; i++) {
		get(a, i, &x);
		if (x.inode == ino) {
			PBT_REQUIRE_MSG(!found, "inode %llu twice", ino);
			*e = x;
			found = 1;
		}
	}
	return found;
}

/* The scenario's socket of that inode (the latest made: a freed
   socket's inode number may come back). */
static int sk_of(unsigned long long ino)
{
	int i;

	for (i = W->ns - 1; i >= 0; i--)
		if (W->s[i].inode == ino)
			return i;
	return -1;
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static const char *vname(int v)
{
	return pb_restart_name((enum pb_restart)v);
}

/* An entry as root: what it says of the socket is what the scenario
   made. */
static void entry_matches(const struct pb_audit_entry *e, int root)
{
	int k = sk_of(e->inode);
	const struct sock_spec *s;

	PBT_REQUIRE_MSG(k >= 0, "an entry of inode %llu, no socket of the scenario",
			e->inode);
	s = &W->s[k].s;
	PBT_REQUIRE(e->protocol == (s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP));
	PBT_REQUIRE(e->local.ss_family == (strchr(s->ip, ':') ? AF_INET6 : AF_INET));
	PBT_REQUIRE_MSG(port_of(&e->local) == s->port, "port %u, made %u",
			port_of(&e->local), s->port);
	PBT_REQUIRE(e->verdict >= PB_RESTART_OK && e->verdict <= PB_RESTART_FAIL);
	PBT_REQUIRE(strcmp(vname(e->verdict), "?") != 0);
	PBT_REQUIRE(e->verdict == PB_RESTART_WAIT ? e->until_ms > 0 : e->until_ms == 0);
	PBT_REQUIRE(e->verdict != PB_RESTART_OK || e->blocks == 0);
	PBT_REQUIRE(e->verdict == PB_RESTART_OK || e->blocks != 0);
	PBT_REQUIRE((e->blocks & ~0x0fu) == 0 && (e->hazards & ~0x0fu) == 0);
	if (!root) {
		/* IPV6_V6ONLY is in sock_diag's answer, to anyone: known
		   or not, never wrong */
		PBT_REQUIRE_MSG(e->reuseaddr == -1 && e->reuseport == -1 &&
				(e->v6only == -1 || e->v6only == W->s[k].v6only) &&
				e->options_err != 0,
				"not root: options %d %d %d, options_err %d",
				e->reuseaddr, e->reuseport, e->v6only, e->options_err);
		PBT_REQUIRE_MSG(e->verdict == PB_RESTART_OK ||
				e->verdict == PB_RESTART_UNKNOWN,
				"not root: verdict %s", vname(e->verdict));
		return;
	}
	/* Root reads every option; what stays unknown is only whether an
	   IPv6 connection or TIME_WAIT with no process to read its
	   IPV6_V6ONLY from meets an IPv4 address (the table does not show
	   it for those states). */
	PBT_REQUIRE_MSG(e->verdict != PB_RESTART_UNKNOWN ||
			(e->local.ss_family == AF_INET && e->options_err == 0 &&
			 e->blocks != 0 &&
			 (e->blocks & ~(PB_BLOCK_TIME_WAIT |
					PB_BLOCK_CONNECTIONS)) == 0) ||
			/* nor whether Linux's SO_REUSEPORT shortcut lets the
			   new socket bind beside another service's */
			(e->reuseport == 1 && e->options_err == 0 &&
			 e->blocks != 0 &&
			 (e->blocks & ~(PB_BLOCK_HOLDER |
					PB_BLOCK_OUTLIVING)) == 0),
			"root, inode %llu: unknown (blocks %#x, options_err %d)",
			e->inode, e->blocks, e->options_err);
	PBT_REQUIRE_MSG(e->options_err == 0, "root: options_err %d", e->options_err);
	PBT_REQUIRE_MSG(e->reuseaddr == s->r && e->reuseport == s->rp,
			"%s:%u: reuseaddr %d reuseport %d, set %d %d", s->ip,
			s->port, e->reuseaddr, e->reuseport, s->r, s->rp);
	PBT_REQUIRE_MSG(e->v6only == W->s[k].v6only, "%s:%u: v6only %d, the "
			"socket's %d (set %d)", s->ip, s->port, e->v6only,
			W->s[k].v6only, s->v6only);
	PBT_REQUIRE_MSG(e->pid > 0 && proc_of(e->pid) >= 0,
			"%s:%u: service pid %d is none of the scenario's", s->ip,
			s->port, e->pid);
	PBT_REQUIRE(e->comm[0] != '\0');
	PBT_REQUIRE(e->fd >= 0 && e->n_procs >= 1);
	PBT_REQUIRE(e->uid == 0);
	if (W->s[k].activated)
		PBT_REQUIRE_MSG(e->hazards & PB_HAZARD_INHERITED,
				"activated %s:%u: hazards %#x", s->ip, s->port,
				e->hazards);
	if (e->hazards & PB_HAZARD_SHARED)
		PBT_REQUIRE_MSG(e->shared_pid > 0 && e->shared_pid != e->pid &&
				proc_of(e->shared_pid) >= 0,
				"shared with pid %d", e->shared_pid);
}

/* Worst first: the services by their worst verdict, each one's entries
   together. */
static void order_ok(const struct pb_audit *a)
{
	struct pb_audit_entry e, x;
	size_t i, j, n = pb_audit_count(a);
	int prev_worst = 4, worst;

	for (i = 0; i < n; i = j) {
		get(a, i, &e);
		/* a service seen before comes back: its entries apart */
		for (j = 0; j < i; j++) {
			get(a, j, &x);
			PBT_REQUIRE_MSG(x.pid != e.pid || e.pid == 0,
					"service %d's entries apart", e.pid);
		}
		worst = e.verdict;
		for (j = i + 1; j < n; j++) {
			get(a, j, &x);
			if (x.pid != e.pid)
				break;
			if (x.verdict > worst)
				worst = x.verdict;
		}
		PBT_REQUIRE_MSG(worst <= prev_worst,
				"service %d (worst %s) after one whose worst is %s",
				e.pid, vname(worst), vname(prev_worst));
		prev_worst = worst;
	}
}

/* A verdict against the kernel: err is what the restart's bind met. */
static void verdict_holds(const struct pb_audit_entry *e, int err, pid_t stopped)
{
	int k = sk_of(e->inode);
	const struct sock_spec *s = &W->s[k].s;
	unsigned slot = PORT_SLOT(s->port);
	long long t = now_ms();

	/* A verdict the kernel contradicts: what holds the port now, for
	   the report (iproute2's ss, where it is). */
	if ((e->verdict == PB_RESTART_OK && err) ||
	    ((e->verdict == PB_RESTART_WAIT || e->verdict == PB_RESTART_FAIL) &&
	     !err)) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "ss -%san state all '( sport = :%u )'"
			 " >&2 2>/dev/null", s->type == SOCK_STREAM ? "tpe" : "upe",
			 s->port);
		fprintf(stderr, "%s:%u: verdict %s, bind: %s; the table now:\n",
			s->ip, s->port, vname(e->verdict),
			err ? strerror(err) : "ok");
		fflush(stderr);
		if (system(cmd) != 0)
			fprintf(stderr, "(no ss here)\n");
	}
	switch (e->verdict) {
	case PB_RESTART_OK:
		PBT_REQUIRE_MSG(err == 0, "%s %s:%u r%d rp%d v6only %d: ok, but "
				"the restart's bind met %s (entry: pid %d, "
				"n_procs %u, options_err %d)",
				s->type == SOCK_STREAM ? "tcp" : "udp", s->ip,
				s->port, s->r, s->rp, s->v6only, strerror(err),
				e->pid, e->n_procs, e->options_err);
		break;
	case PB_RESTART_WAIT:
		PBT_REQUIRE_MSG(err == EADDRINUSE, "%s:%u: wait, but the "
				"restart's bind met %s", s->ip, s->port,
				err ? strerror(err) : "success");
		PBT_REQUIRE_MSG(e->until_ms > 0 && e->until_ms <= TW_MS,
				"until_ms %u", e->until_ms);
		PBT_REQUIRE((e->blocks & ~(PB_BLOCK_TIME_WAIT |
					   PB_BLOCK_CONNECTIONS)) == 0);
		/* Until the last TIME_WAIT (or closing connection) there
		   ends; the stop itself may be that last one. */
		PBT_REQUIRE_MSG(W->tw_first[slot] != 0 ||
				(e->blocks & PB_BLOCK_CONNECTIONS),
				"%s:%u: wait with no TIME_WAIT made there",
				s->ip, s->port);
		if (!(e->blocks & PB_BLOCK_CONNECTIONS))
			PBT_REQUIRE_MSG((long long)e->until_ms <=
					TW_MS - (audit_began - W->tw_last[slot]) +
					SLACK_MS &&
					(long long)e->until_ms + SLACK_MS >=
					TW_MS - (t - W->tw_first[slot]),
					"%s:%u: until_ms %u, TIME_WAITs began %lld "
					"and %lld ms ago", s->ip, s->port,
					e->until_ms, t - W->tw_first[slot],
					t - W->tw_last[slot]);
		break;
	case PB_RESTART_FAIL:
		PBT_REQUIRE_MSG(err == EADDRINUSE, "%s:%u: fail, but the "
				"restart's bind met %s", s->ip, s->port,
				err ? strerror(err) : "success");
		PBT_REQUIRE(e->blocks & (PB_BLOCK_OUTLIVING | PB_BLOCK_HOLDER));
		if (e->blocks & PB_BLOCK_OUTLIVING) {
			int o = proc_of(e->outliving_pid);

			PBT_REQUIRE_MSG(e->n_outliving > 0 && o >= 0 &&
					e->outliving_pid != stopped &&
					kill(e->outliving_pid, 0) == 0,
					"outliving pid %d (n %u): not alive",
					e->outliving_pid, e->n_outliving);
		}
		break;
	default:
		/* unknown: nothing to hold it against */
		break;
	}
}

/* Restart the service of entry e (as root): every entry of that service
   checked against its own fresh bind, each alone. */
static void restart_and_hold(const struct pb_audit *a, pid_t pid)
{
	struct pb_audit_entry es[MAXSK];
	size_t i, n = pb_audit_count(a);
	int m = 0, j, err;

	for (i = 0; i < n; i++) {
		get(a, i, &es[m]);
		if (es[m].pid == pid) {
			PBT_REQUIRE(m < MAXSK - 1);
			m++;
		}
	}
	PBT_REQUIRE(m > 0);
	stop(pid);
	for (j = 0; j < m; j++) {
		int k = sk_of(es[j].inode);

		err = restart_bind(&W->s[k].s);
		verdict_holds(&es[j], err, pid);
	}
}

/* ---- scenarios with one answer each */

struct expect {
	int verdict;
	unsigned blocks, hazards_set, hazards_clear;
};

static struct pb_audit_entry must_find(const struct pb_audit *a, int sk)
{
	struct pb_audit_entry e;

	PBT_REQUIRE_MSG(entry_of(a, W->s[sk].inode, &e),
			"no entry for %s:%u", W->s[sk].s.ip, W->s[sk].s.port);
	entry_matches(&e, 1);
	return e;
}

static void expect(const struct pb_audit_entry *e, const struct expect *x)
{
	PBT_REQUIRE_MSG(e->verdict == x->verdict && e->blocks == x->blocks,
			"inode %llu: %s blocks %#x, expected %s blocks %#x",
			e->inode, vname(e->verdict), e->blocks,
			vname(x->verdict), x->blocks);
	PBT_REQUIRE_MSG((e->hazards & x->hazards_set) == x->hazards_set &&
			(e->hazards & x->hazards_clear) == 0,
			"hazards %#x: want %#x set, %#x clear", e->hazards,
			x->hazards_set, x->hazards_clear);
}

/* One service, one TCP listener on 127.0.0.1:PORT0+1 with options r,
   rp; conns open connections, tws TIME_WAITs; a child forked when
   child.  The verdict expected, then held against the restart. */
struct one {
	const char *ip;
	int type, r, rp, v6only, conns, tws, child;
	struct expect x;
};

static int one_listener(void *p)
{
	const struct one *o = p;
	struct pb_audit *a;
	struct pb_audit_entry e;
	int svc, sk, ch = -1;

	world_begin();
	svc = svc_start();
	sk = svc_socket(svc, o->type, o->ip, PORT0 + 1, o->r, o->rp, o->v6only);
	PBT_REQUIRE(sk >= 0);
	if (o->tws)
		svc_time_waits(sk, o->tws);
	if (o->conns)
		svc_conns(sk, o->conns);
	if (o->child)
		ch = svc_fork(svc);
	a = audit_now();
	PBT_REQUIRE_MSG(pb_audit_count(a) == 1, "%zu entries", pb_audit_count(a));
	e = must_find(a, sk);
	PBT_REQUIRE(e.pid == W->p[svc].pid);
	PBT_REQUIRE(e.n_procs == (ch >= 0 ? 2u : 1u));
	PBT_REQUIRE(e.service_uid == 0);
	PBT_REQUIRE(e.n_connections == (unsigned)o->conns);
	PBT_REQUIRE(e.n_time_wait == (unsigned)o->tws);
	PBT_REQUIRE(e.n_outliving == 0 && e.outliving_pid == 0 && e.shared_pid == 0);
	if (o->tws)
		PBT_REQUIRE_MSG(e.time_wait_ms > TW_MS - 10000 && e.time_wait_ms <= TW_MS,
				"time_wait_ms %u", e.time_wait_ms);
	else
		PBT_REQUIRE(e.time_wait_ms == 0);
	expect(&e, &o->x);
	if (o->x.verdict == PB_RESTART_WAIT && o->conns)
		PBT_REQUIRE_MSG(e.until_ms > TW_MS - 5000, "until_ms %u", e.until_ms);
	order_ok(a);
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

#define OK_ { PB_RESTART_OK, 0, 0, 0x0f }
static struct one ones[] = {
	/* 0: plain, no option: nothing stops it */
	{ "127.0.0.1", SOCK_STREAM, 0, 0, -1, 0, 0, 0, OK_ },
	{ "127.0.0.1", SOCK_STREAM, 1, 0, -1, 2, 0, 0, OK_ },
	{ "127.0.0.1", SOCK_STREAM, 0, 0, -1, 2, 0, 0,
	  { PB_RESTART_WAIT, PB_BLOCK_CONNECTIONS, 0, 0 } },
	{ "127.0.0.1", SOCK_STREAM, 0, 1, -1, 2, 0, 0, OK_ },
	{ "127.0.0.1", SOCK_STREAM, 0, 0, -1, 0, 2, 0,
	  { PB_RESTART_WAIT, PB_BLOCK_TIME_WAIT, 0, 0 } },
	/* 5 */
	{ "127.0.0.1", SOCK_STREAM, 1, 0, -1, 0, 2, 0, OK_ },
	{ "127.0.0.1", SOCK_STREAM, 0, 1, -1, 0, 2, 0, OK_ },
	{ "127.0.0.1", SOCK_STREAM, 0, 0, -1, 1, 1, 0,
	  { PB_RESTART_WAIT, PB_BLOCK_TIME_WAIT | PB_BLOCK_CONNECTIONS, 0, 0 } },
	/* a child of the service is the service: it goes with it */
	{ "127.0.0.1", SOCK_STREAM, 1, 0, -1, 1, 0, 1, OK_ },
	{ "127.0.0.1", SOCK_STREAM, 0, 0, -1, 0, 0, 1, OK_ },
	/* 10: IPv6, dual-stack, wildcards */
	{ "::1", SOCK_STREAM, 0, 0, 1, 0, 0, 0, OK_ },
	{ "::", SOCK_STREAM, 1, 0, 0, 1, 1, 0, OK_ },
	{ "::", SOCK_STREAM, 0, 0, 0, 0, 1, 0,
	  { PB_RESTART_WAIT, PB_BLOCK_TIME_WAIT, 0, 0 } },
	{ "::", SOCK_STREAM, 0, 0, 1, 1, 0, 0,
	  { PB_RESTART_WAIT, PB_BLOCK_CONNECTIONS, 0, 0 } },
	{ "0.0.0.0", SOCK_STREAM, 0, 0, -1, 0, 1, 0,
	  { PB_RESTART_WAIT, PB_BLOCK_TIME_WAIT, 0, 0 } },
	/* 15: UDP */
	{ "127.0.0.1", SOCK_DGRAM, 0, 0, -1, 0, 0, 0, OK_ },
	{ "::", SOCK_DGRAM, 1, 0, 0, 0, 0, 1, OK_ },
	{ "0.0.0.0", SOCK_DGRAM, 0, 1, -1, 0, 0, 0, OK_ },
};

START_TEST(one_service)
{
	struct one *o = &ones[_i];

	if (strchr(o->ip, ':') && !pbt_have_ipv6())
		PBT_SKIP("no IPv6 here");
	AUDIT_IN_NETNS(one_listener, o);
}
END_TEST

/* A socket that a process outside the service holds (passed over
   SCM_RIGHTS): the listener itself, or one of its connections. */
struct outside {
	int type, r, conn;
	int verdict;
};

static int outside_holder(void *p)
{
	const struct outside *o = p;
	struct pb_audit *a;
	struct pb_audit_entry e;
	int svc, sk, out;

	world_begin();
	svc = svc_start();
	sk = svc_socket(svc, o->type, "127.0.0.1", PORT0 + 2, o->r, 0, -1);
	PBT_REQUIRE(sk >= 0);
	out = outsider_take(sk, o->conn);
	a = audit_now();
	PBT_REQUIRE(pb_audit_count(a) == 1);
	e = must_find(a, sk);
	PBT_REQUIRE_MSG(e.verdict == o->verdict, "%s, expected %s",
			vname(e.verdict), vname(o->verdict));
	if (o->conn) {
		/* The listener is the service's alone; the connection is
		   the outsider's. */
		PBT_REQUIRE(e.pid == W->p[svc].pid && e.n_procs == 1);
		if (o->verdict == PB_RESTART_FAIL) {
			PBT_REQUIRE(e.blocks == PB_BLOCK_OUTLIVING);
			PBT_REQUIRE(e.outliving_pid == W->p[out].pid);
			PBT_REQUIRE(e.n_outliving == 1);
		}
		PBT_REQUIRE(e.n_connections == 0);
	} else {
		/* Two unrelated holders: either is the service, the other
		   outlives it. */
		PBT_REQUIRE(e.n_procs == 2);
		PBT_REQUIRE(e.pid == W->p[svc].pid || e.pid == W->p[out].pid);
		PBT_REQUIRE(e.blocks & PB_BLOCK_OUTLIVING);
		PBT_REQUIRE(e.outliving_pid == (e.pid == W->p[svc].pid ?
						W->p[out].pid : W->p[svc].pid));
	}
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

static struct outside outsides[] = {
	{ SOCK_STREAM, 0, 0, PB_RESTART_FAIL },
	{ SOCK_STREAM, 1, 0, PB_RESTART_FAIL },
	{ SOCK_STREAM, 0, 1, PB_RESTART_FAIL },
	/* both carry SO_REUSEADDR and the connection does not listen */
	{ SOCK_STREAM, 1, 1, PB_RESTART_OK },
	{ SOCK_DGRAM, 0, 0, PB_RESTART_FAIL },
};

START_TEST(outside_the_service)
{
	AUDIT_IN_NETNS(outside_holder, &outsides[_i]);
}
END_TEST

/* Two services share one address through SO_REUSEPORT (TCP), or
   SO_REUSEADDR (UDP): each is ok, and the other takes the traffic. */
static int shared_pair(void *p)
{
	int type = *(const int *)p;
	struct pb_audit *a;
	struct pb_audit_entry e1, e2;
	int s1, s2, k1, k2, r = type == SOCK_DGRAM, rp = type == SOCK_STREAM;

	world_begin();
	s1 = svc_start();
	s2 = svc_start();
	k1 = svc_socket(s1, type, "0.0.0.0", PORT0 + 3, r, rp, -1);
	k2 = svc_socket(s2, type, "0.0.0.0", PORT0 + 3, r, rp, -1);
	PBT_REQUIRE(k1 >= 0 && k2 >= 0);
	a = audit_now();
	PBT_REQUIRE(pb_audit_count(a) == 2);
	e1 = must_find(a, k1);
	e2 = must_find(a, k2);
	PBT_REQUIRE(e1.pid == W->p[s1].pid && e2.pid == W->p[s2].pid);
	PBT_REQUIRE(e1.verdict == PB_RESTART_OK && e2.verdict == PB_RESTART_OK);
	PBT_REQUIRE((e1.hazards & PB_HAZARD_SHARED) && (e2.hazards & PB_HAZARD_SHARED));
	PBT_REQUIRE(e1.shared_pid == W->p[s2].pid && e2.shared_pid == W->p[s1].pid);
	order_ok(a);
	restart_and_hold(a, e1.pid);
	pb_audit_free(a);
	/* The one left alone: no longer shared. */
	a = audit_now();
	PBT_REQUIRE(pb_audit_count(a) == 1);
	e2 = must_find(a, k2);
	PBT_REQUIRE(!(e2.hazards & PB_HAZARD_SHARED) && e2.shared_pid == 0);
	restart_and_hold(a, e2.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(shared_address)
{
	static int types[] = { SOCK_STREAM, SOCK_DGRAM };

	AUDIT_IN_NETNS(shared_pair, &types[_i]);
}
END_TEST

/* Socket activation: LISTEN_PID and LISTEN_FDS in the environment the
   service was exec'd with name its socket; it is ok and inherited.
   LISTEN_PID of another process names nothing. */
static int activated(void *p)
{
	int wrong = *(const int *)p;
	struct pb_audit *a;
	struct pb_audit_entry e;
	int svc, sk;

	world_begin();
	svc = svc_start();
	sk = svc_socket(svc, SOCK_STREAM, "127.0.0.1", PORT0 + 4, 1, 0, -1);
	PBT_REQUIRE(sk >= 0);
	svc_activate(svc, wrong);
	a = audit_now();
	PBT_REQUIRE(pb_audit_count(a) == 1);
	e = must_find(a, sk);
	PBT_REQUIRE(e.pid == W->p[svc].pid);
	PBT_REQUIRE_MSG(e.fd == 3, "fd %d", e.fd);
	PBT_REQUIRE(e.verdict == PB_RESTART_OK);
	PBT_REQUIRE_MSG((e.hazards & PB_HAZARD_INHERITED ? 0 : 1) == wrong,
			"hazards %#x, LISTEN_PID %s", e.hazards,
			wrong ? "another's" : "its own");
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(socket_activation)
{
	static int wrong[] = { 0, 1 };

	AUDIT_IN_NETNS(activated, &wrong[_i]);
}
END_TEST

/* Hazards: a privileged port whose service runs as nobody after binding
   (restarted, it binds as root again, so ok); the same as root; a port
   inside ip_local_port_range, and one of it that is reserved. */
static int hazards(void *p)
{
	struct pb_audit *a;
	struct pb_audit_entry e;
	int s1, s2, s3, k1, k2, k3, k4, k5;

	(void)p;
	world_begin();
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range",
				     "21000 21099") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports",
				     "21060") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start",
				     "1024") == 0);
	s1 = svc_start();
	k1 = svc_socket(s1, SOCK_STREAM, "0.0.0.0", 80, 1, 0, -1);
	k2 = svc_socket(s1, SOCK_DGRAM, "0.0.0.0", 21050, 0, 0, -1);
	PBT_REQUIRE(k1 >= 0 && k2 >= 0);
	svc_setuid(s1);
	s2 = svc_start();
	k3 = svc_socket(s2, SOCK_STREAM, "0.0.0.0", 81, 1, 0, -1);
	k4 = svc_socket(s2, SOCK_STREAM, "127.0.0.1", 21060, 1, 0, -1);
	PBT_REQUIRE(k3 >= 0 && k4 >= 0);
	s3 = svc_start();
	k5 = svc_socket(s3, SOCK_STREAM, "127.0.0.1", 21100, 1, 0, -1);
	PBT_REQUIRE(k5 >= 0);
	a = audit_now();
	PBT_REQUIRE(pb_audit_count(a) == 5);
	order_ok(a);
	e = must_find(a, k1);
	PBT_REQUIRE_MSG(e.service_uid == NOBODY && e.uid == 0, "uids %d %u",
			e.service_uid, e.uid);
	PBT_REQUIRE(e.hazards == PB_HAZARD_PRIVILEGED && e.verdict == PB_RESTART_OK);
	e = must_find(a, k2);
	PBT_REQUIRE_MSG(e.hazards == PB_HAZARD_EPHEMERAL, "hazards %#x", e.hazards);
	e = must_find(a, k3);
	PBT_REQUIRE(e.service_uid == 0 && e.hazards == 0);
	e = must_find(a, k4);
	PBT_REQUIRE_MSG(e.hazards == 0, "reserved port: hazards %#x", e.hazards);
	e = must_find(a, k5);
	PBT_REQUIRE_MSG(e.hazards == 0, "above the range: hazards %#x", e.hazards);
	restart_and_hold(a, W->p[s1].pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(hazards_of_a_stop)
{
	AUDIT_IN_NETNS(hazards, NULL);
}
END_TEST

/* Not root: options unknown (options_err set), and a verdict never
   wrong: ok or unknown. */
struct shared_out {
	size_t n;
	struct pb_audit_entry e[MAXSK];
	int err;
};

/* The audit as uid 65534 sees it, from a forked child, in shared memory
   (munmap it): its error must be none. */
static struct shared_out *audit_as_nobody(void)
{
	struct shared_out *so;
	struct pb_audit *a;
	pid_t pid;
	size_t k;

	so = mmap(NULL, sizeof(*so), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	PBT_REQUIRE(so != MAP_FAILED);
	fflush(NULL);
	audit_began = now_ms();
	pid = fork();
	PBT_REQUIRE(pid >= 0);
	if (pid == 0) {
		if (drop_to(NOBODY) < 0)
			_exit(3);
		a = NULL;
		so->err = pb_audit_run(-1, 0, &a) == 0 ? 0 : errno;
		for (k = 0; a && k < pb_audit_count(a) && k < MAXSK; k++) {
			struct pb_audit_entry z = PB_AUDIT_ENTRY_INIT;

			so->e[k] = z;
			if (pb_audit_get(a, k, &so->e[k]) < 0)
				_exit(4);
		}
		so->n = k;
		pb_audit_free(a);
		_exit(0);
	}
	PBT_REQUIRE(reap(pid) == 0);
	PBT_REQUIRE_MSG(so->err == 0, "pb_audit_run as nobody: %s",
			strerror(so->err));
	return so;
}

static int not_root(void *p)
{
	struct shared_out *so;
	int svc[5], sk[6], i, err;
	size_t k;

	(void)p;
	world_begin();
	for (i = 0; i < 5; i++)
		svc[i] = svc_start();
	sk[0] = svc_socket(svc[0], SOCK_STREAM, "127.0.0.1", PORT0 + 5, 1, 0, -1);
	sk[1] = svc_socket(svc[1], SOCK_STREAM, "127.0.0.1", PORT0 + 6, 0, 0, -1);
	sk[2] = svc_socket(svc[2], SOCK_STREAM, "127.0.0.1", PORT0 + 7, 0, 0, -1);
	sk[3] = svc_socket(svc[3], SOCK_STREAM, pbt_have_ipv6() ? "::" : "0.0.0.0",
			   PORT0 + 8, 0, 0, 0);
	sk[4] = svc_socket(svc[4], SOCK_DGRAM, "0.0.0.0", PORT0 + 9, 0, 0, -1);
	sk[5] = svc_socket(svc[4], SOCK_STREAM, "127.0.0.1", PORT0 + 10, 1, 0, -1);
	for (i = 0; i < 6; i++)
		PBT_REQUIRE(sk[i] >= 0);
	svc_time_waits(sk[1], 1);
	svc_conns(sk[2], 1);
	outsider_take(sk[5], 0);
	so = audit_as_nobody();
	PBT_REQUIRE_MSG(so->n == 6, "%zu entries as nobody", so->n);
	for (k = 0; k < so->n; k++)
		entry_matches(&so->e[k], 0);
	/* Every service restarted, each of its sockets held against the
	   verdict nobody was given. */
	for (i = 0; i < 5; i++) {
		int j;

		stop(W->p[svc[i]].pid);
		for (j = 0; j < W->ns; j++) {
			if (W->s[j].svc != svc[i])
				continue;
			for (k = 0; k < so->n && so->e[k].inode != W->s[j].inode; k++)
				;
			PBT_REQUIRE(k < so->n);
			err = restart_bind(&W->s[j].s);
			verdict_holds(&so->e[k], err, W->p[svc[i]].pid);
		}
	}
	munmap(so, sizeof(*so));
	world_end();
	return 0;
}

START_TEST(not_root_never_wrong)
{
	AUDIT_IN_NETNS(not_root, NULL);
}
END_TEST

/* ---- what the review of issue 15 found (lib/audit.c before f9d29c8):
 *      each scenario below got a wrong verdict there, and the restart
 *      shows which one is right. */

/* A child's exit status that asks the test to skip: what the scenario
   needs cannot be made here (no veth device, no pid namespace). */
#define SKIP_ST 78

/* Run fn(arg) in a private network namespace; skip with why when it
   returns SKIP_ST. */
#define IN_NETNS_OR_SKIP(fn, arg, why) do { \
	const char *pbt_why_; \
	int pbt_st_; \
	if (pbt_pidfd_missing()) \
		PBT_SKIP("%s", pbt_pidfd_missing()); \
	pbt_st_ = pbt_run_in_netns((fn), (arg), &pbt_why_); \
	if (pbt_st_ < 0) \
		PBT_SKIP("%s", pbt_why_); \
	if (pbt_st_ == SKIP_ST) \
		PBT_SKIP("%s", (why)); \
	ck_assert_int_eq(pbt_st_, 0); \
} while (0)

/* A prefork server: the master, n workers it forked (each holds its
   listener), and an unrelated process that got the listener over
   SCM_RIGHTS.  More holders than the audit used to keep (8): the
   outsider, walked last, went unseen and the verdict was ok. */
static int many_workers(void *p)
{
	int nw = *(const int *)p, svc, sk, out, i, other;
	struct pb_audit *a;
	struct pb_audit_entry e;

	world_begin();
	svc = svc_start();
	sk = svc_socket(svc, SOCK_STREAM, "0.0.0.0", PORT0 + 20, 0, 0, -1);
	PBT_REQUIRE(sk >= 0);
	for (i = 0; i < nw; i++)
		svc_fork(svc);
	out = outsider_take(sk, 0);
	a = audit_now();
	PBT_REQUIRE_MSG(pb_audit_count(a) == 1, "%zu entries", pb_audit_count(a));
	e = must_find(a, sk);
	PBT_REQUIRE_MSG(e.n_procs == (unsigned)nw + 2, "n_procs %u, %d hold it",
			e.n_procs, nw + 2);
	/* Two unrelated tops: the master (forked first, the lower pid
	   unless pids wrapped) or the outsider is the service. */
	PBT_REQUIRE(e.pid == W->p[svc].pid || e.pid == W->p[out].pid);
	other = e.pid == W->p[svc].pid ? out : svc;
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_FAIL && e.blocks == PB_BLOCK_OUTLIVING,
			"%d workers and an outsider: %s blocks %#x", nw,
			vname(e.verdict), e.blocks);
	PBT_REQUIRE_MSG(e.outliving_pid == W->p[other].pid,
			"outliving pid %d, expected %d", e.outliving_pid,
			(int)W->p[other].pid);
	PBT_REQUIRE_MSG(e.n_outliving == (other == out ? 1u : (unsigned)nw + 1),
			"n_outliving %u", e.n_outliving);
	order_ok(a);
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(ninth_holder_outside)
{
	static int workers[] = { 8, 12 };

	AUDIT_IN_NETNS(many_workers, &workers[_i]);
}
END_TEST

/* Service A on 0.0.0.0:P; service B on [::]:P with IPV6_V6ONLY, holding
   a connection from ::1 (or, when tw, a TIME_WAIT of one at [::1]:P).
   Neither can meet an IPv4 bind, but sock_diag does not say the
   connection's IPV6_V6ONLY: it was counted as meeting A's address. */
static int v6only_neighbour(void *p)
{
	int tw = *(const int *)p, sa, sb, ka, kb, err;
	struct pb_audit *a;
	struct pb_audit_entry e;

	world_begin();
	sa = svc_start();
	sb = svc_start();
	ka = svc_socket(sa, SOCK_STREAM, "0.0.0.0", PORT0 + 21, 0, 0, -1);
	kb = svc_socket(sb, SOCK_STREAM, "::", PORT0 + 21, 0, 0, 1);
	PBT_REQUIRE(ka >= 0 && kb >= 0);
	if (tw)
		svc_time_waits(kb, 1);
	else
		svc_conns(kb, 1);
	a = audit_now();
	PBT_REQUIRE_MSG(pb_audit_count(a) == 2, "%zu entries", pb_audit_count(a));
	PBT_REQUIRE(entry_of(a, W->s[ka].inode, &e));
	PBT_REQUIRE(e.pid == W->p[sa].pid);
	if (!tw) {
		/* the connection's holder says IPV6_V6ONLY: known, ok */
		entry_matches(&e, 1);
		PBT_REQUIRE_MSG(e.verdict == PB_RESTART_OK && e.blocks == 0,
				"B's connection from ::1: %s blocks %#x",
				vname(e.verdict), e.blocks);
	} else {
		/* a TIME_WAIT has no holder to ask: not known, and never
		   a wait or a failure */
		PBT_REQUIRE_MSG(e.verdict == PB_RESTART_OK ||
				e.verdict == PB_RESTART_UNKNOWN,
				"B's TIME_WAIT at [::1]: %s blocks %#x",
				vname(e.verdict), e.blocks);
		PBT_REQUIRE(e.n_outliving == 0 && e.outliving_pid == 0);
	}
	stop(W->p[sa].pid);
	err = restart_bind(&W->s[ka].s);
	PBT_REQUIRE_MSG(err == 0, "the restart of A met %s", strerror(err));
	verdict_holds(&e, err, W->p[sa].pid);
	/* B itself: its own connection or TIME_WAIT, no option: wait */
	e = must_find(a, kb);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_WAIT, "B: %s", vname(e.verdict));
	restart_and_hold(a, W->p[sb].pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(v6only_connection_elsewhere)
{
	static int tw[] = { 0, 1 };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 here");
	AUDIT_IN_NETNS(v6only_neighbour, &tw[_i]);
}
END_TEST

/* ---- pid 1 of a pid namespace (a container) that is the service
 *      itself, not systemd passing the socket: a prefork server without
 *      SO_REUSEADDR, a worker holding the listener too, one connection.
 *      Its stop leaves the connection closing: wait, never "inherited". */

struct container {
	int err;			/* pb_audit_run inside, or 0 */
	size_t n;
	struct pb_audit_entry e[4];
	unsigned long long ino;		/* the listener */
	pid_t outer;			/* pid 1 as the test sees it */
};

/* pid 1: its own /proc, the listener, a worker, then the audit. */
static void container_init(struct container *c, const struct sock_spec *s,
			   int ready, int go)
{
	struct pb_audit *a = NULL;
	char link[32], b = 'r';
	ssize_t k;
	size_t i;
	int lfd, cfd;
	pid_t w;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	PBT_REQUIRE(getpid() == 1);
	/* the test's /proc still: its name for this process */
	k = readlink("/proc/self", link, sizeof(link) - 1);
	PBT_REQUIRE(k > 0);
	link[k] = '\0';
	c->outer = (pid_t)strtol(link, NULL, 10);
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		_exit(SKIP_ST);
	lfd = make_socket(s);
	PBT_REQUIRE(lfd >= 0);
	c->ino = inode_of(lfd);
	w = fork();
	PBT_REQUIRE(w >= 0);
	if (w == 0) {
		close(ready);
		close(go);
		alarm(60);
		pause();
		_exit(0);
	}
	PBT_REQUIRE(write(ready, &b, 1) == 1);
	PBT_REQUIRE(read(go, &b, 1) == 1);
	cfd = accept_now(lfd);
	PBT_REQUIRE(cfd >= 0);
	c->err = pb_audit_run(-1, 0, &a) == 0 ? 0 : errno;
	for (i = 0; a && i < pb_audit_count(a) && i < 4; i++) {
		struct pb_audit_entry z = PB_AUDIT_ENTRY_INIT;

		c->e[i] = z;
		PBT_REQUIRE(pb_audit_get(a, i, &c->e[i]) == 0);
	}
	c->n = a ? pb_audit_count(a) : 0;
	pb_audit_free(a);
	b = 'd';
	PBT_REQUIRE(write(ready, &b, 1) == 1);
	/* until the test closes go, or kills this process */
	while (read(go, &b, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void container_verdict(const struct pb_audit_entry *e, pid_t pid,
			      const char *where)
{
	PBT_REQUIRE_MSG(e->verdict == PB_RESTART_WAIT &&
			e->blocks == PB_BLOCK_CONNECTIONS &&
			!(e->hazards & PB_HAZARD_INHERITED),
			"%s: %s blocks %#x hazards %#x (pid 1 is no systemd)",
			where, vname(e->verdict), e->blocks, e->hazards);
	PBT_REQUIRE_MSG(e->pid == pid, "%s: service pid %d, pid 1 is %d", where,
			e->pid, (int)pid);
	PBT_REQUIRE_MSG(e->n_procs == 2, "%s: n_procs %u", where, e->n_procs);
	PBT_REQUIRE_MSG(e->n_connections == 1, "%s: n_connections %u", where,
			e->n_connections);
	PBT_REQUIRE(e->reuseaddr == 0 && e->reuseport == 0 && e->options_err == 0);
}

static int container_case(void *p)
{
	struct container *c;
	struct sock_spec s;
	struct pb_audit *a;
	struct pb_audit_entry e;
	int ready[2], go[2], st, cl, err;
	pid_t mid, init;
	char b;

	(void)p;
	memset(&s, 0, sizeof(s));
	s.type = SOCK_STREAM;
	snprintf(s.ip, sizeof(s.ip), "0.0.0.0");
	s.port = PORT0 + 25;
	s.v6only = -1;
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	PBT_REQUIRE(c != MAP_FAILED);
	PBT_REQUIRE(pipe2(ready, O_CLOEXEC) == 0 && pipe2(go, O_CLOEXEC) == 0);
	fflush(NULL);
	mid = fork();
	PBT_REQUIRE(mid >= 0);
	if (mid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		close(go[1]);
		if (unshare(CLONE_NEWPID) < 0)
			_exit(SKIP_ST);
		init = fork();
		if (init < 0)
			_exit(1);
		if (init == 0)
			container_init(c, &s, ready[1], go[0]);
		close(ready[1]);
		close(go[0]);
		while (waitpid(init, &st, 0) < 0)
			if (errno != EINTR)
				_exit(1);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 0);
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &b, 1) != 1) {
		/* pid 1 ended before it was ready: skipped, or failed */
		close(ready[0]);
		close(go[1]);
		while (waitpid(mid, &st, 0) < 0)
			PBT_REQUIRE(errno == EINTR);
		munmap(c, sizeof(*c));
		PBT_REQUIRE_MSG(WIFEXITED(st), "the container's status %#x", st);
		return WEXITSTATUS(st) == SKIP_ST ? SKIP_ST :
		       WEXITSTATUS(st) ? WEXITSTATUS(st) : 1;
	}
	cl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = pbt_addr(&ss, "127.0.0.1", s.port);

		PBT_REQUIRE(cl >= 0 && connect(cl, (struct sockaddr *)&ss, len) == 0);
	}
	b = 'g';
	PBT_REQUIRE(write(go[1], &b, 1) == 1);
	PBT_REQUIRE(read(ready[0], &b, 1) == 1 && b == 'd');
	/* inside: it is pid 1 */
	PBT_REQUIRE_MSG(c->err == 0, "pb_audit_run in the container: %s",
			strerror(c->err));
	PBT_REQUIRE_MSG(c->n == 1 && c->e[0].inode == c->ino,
			"%zu entries in the container", c->n);
	container_verdict(&c->e[0], 1, "inside");
	/* outside: the same process under another pid */
	a = NULL;
	PBT_REQUIRE(pb_audit_run(-1, 0, &a) == 0);
	PBT_REQUIRE(pb_audit_count(a) == 1);
	get(a, 0, &e);
	PBT_REQUIRE(e.inode == c->ino);
	container_verdict(&e, c->outer, "outside");
	pb_audit_free(a);
	/* the restart: pid 1 killed, and with it the container */
	kill(c->outer, SIGKILL);
	while (waitpid(mid, &st, 0) < 0)
		PBT_REQUIRE(errno == EINTR);
	err = restart_bind(&s);
	PBT_REQUIRE_MSG(err == EADDRINUSE, "wait, but the restart met %s",
			err ? strerror(err) : "success");
	close(cl);
	close(ready[0]);
	close(go[1]);
	munmap(c, sizeof(*c));
	return 0;
}

START_TEST(pid1_of_a_container)
{
	IN_NETNS_OR_SKIP(container_case, NULL,
			 "no pid namespace or /proc of its own here");
}
END_TEST

/* Not root, auditing a service of its own user (and still dumpable, so
   its descriptors are readable), whose listener a root process that the
   auditor cannot look into holds too: a holder may be unseen, so the
   verdict is never ok, unless SO_REUSEPORT lets the new socket share. */
static int unseen_holder(void *p)
{
	struct shared_out *so;
	int svc, k1, k2, err;
	size_t i, i1 = (size_t)-1, i2 = (size_t)-1;

	(void)p;
	world_begin();
	svc = svc_start();
	k1 = svc_socket(svc, SOCK_STREAM, "127.0.0.1", PORT0 + 22, 0, 0, -1);
	k2 = svc_socket(svc, SOCK_STREAM, "127.0.0.1", PORT0 + 23, 0, 1, -1);
	PBT_REQUIRE(k1 >= 0 && k2 >= 0);
	outsider_take(k1, 0);
	outsider_take(k2, 0);
	svc_setuid_visible(svc);
	so = audit_as_nobody();
	for (i = 0; i < so->n; i++) {
		if (so->e[i].inode == W->s[k1].inode)
			i1 = i;
		if (so->e[i].inode == W->s[k2].inode)
			i2 = i;
	}
	PBT_REQUIRE_MSG(so->n == 2 && i1 < 2 && i2 < 2, "%zu entries", so->n);
	/* it sees the service (the scenario), not the root process */
	PBT_REQUIRE_MSG(so->e[i1].pid == W->p[svc].pid &&
			so->e[i1].service_uid == NOBODY,
			"service pid %d uid %d: the auditor cannot see the service",
			so->e[i1].pid, so->e[i1].service_uid);
	PBT_REQUIRE_MSG(so->e[i1].verdict == PB_RESTART_UNKNOWN ||
			so->e[i1].verdict == PB_RESTART_FAIL,
			"a holder unseen, no SO_REUSEPORT: %s (blocks %#x, "
			"n_procs %u, options_err %d)", vname(so->e[i1].verdict),
			so->e[i1].blocks, so->e[i1].n_procs,
			so->e[i1].options_err);
	PBT_REQUIRE(so->e[i2].verdict == PB_RESTART_OK ||
		    so->e[i2].verdict == PB_RESTART_UNKNOWN);
	if (so->e[i2].verdict == PB_RESTART_OK)
		PBT_REQUIRE(so->e[i2].reuseport == 1);
	stop(W->p[svc].pid);
	err = restart_bind(&W->s[k1].s);
	PBT_REQUIRE_MSG(err == EADDRINUSE, "the root process holds it, yet the "
			"restart met %s", err ? strerror(err) : "success");
	verdict_holds(&so->e[i1], err, W->p[svc].pid);
	err = restart_bind(&W->s[k2].s);
	verdict_holds(&so->e[i2], err, W->p[svc].pid);
	munmap(so, sizeof(*so));
	world_end();
	return 0;
}

START_TEST(not_root_holder_unseen)
{
	AUDIT_IN_NETNS(unseen_holder, NULL);
}
END_TEST

/* Out of descriptors in the /proc walk (RLIMIT_NOFILE just above what
   the audit needs before it): a failure with EMFILE, or the whole
   answer, never one with the owners missing.  This process is the
   service: a listener without SO_REUSEADDR and one connection (wait). */
static int short_of_fds(void *p)
{
	struct sock_spec s;
	struct sockaddr_storage ss;
	socklen_t len;
	struct rlimit rl, low;
	unsigned long long ino;
	int lfd, cl, sv, slots, fails = 0, oks = 0, lowest, r, err;

	(void)p;
	memset(&s, 0, sizeof(s));
	s.type = SOCK_STREAM;
	snprintf(s.ip, sizeof(s.ip), "127.0.0.1");
	s.port = PORT0 + 24;
	s.v6only = -1;
	lfd = make_socket(&s);
	PBT_REQUIRE(lfd >= 0);
	ino = inode_of(lfd);
	len = pbt_addr(&ss, "127.0.0.1", s.port);
	cl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(cl >= 0 && connect(cl, (struct sockaddr *)&ss, len) == 0);
	sv = accept_now(lfd);
	PBT_REQUIRE(sv >= 0);
	PBT_REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (slots = 0; slots < 64 && oks < 3; slots++) {
		struct pb_audit *a = NULL;
		struct pb_audit_entry e;

		lowest = dup(0);
		PBT_REQUIRE(lowest >= 0);
		close(lowest);
		low = rl;
		low.rlim_cur = (rlim_t)(lowest + slots);
		PBT_REQUIRE(low.rlim_cur <= rl.rlim_max);
		PBT_REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
		errno = 0;
		r = pb_audit_run(-1, 0, &a);
		err = errno;
		PBT_REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
		if (r < 0) {
			PBT_REQUIRE_MSG(r == -1 && err == EMFILE && a == NULL,
					"%d free descriptors: %d, %s", slots, r,
					strerror(err));
			fails++;
			continue;
		}
		PBT_REQUIRE_MSG(entry_of(a, ino, &e), "%d free descriptors: "
				"the listener is missing", slots);
		PBT_REQUIRE_MSG(e.pid == getpid() && e.fd == lfd &&
				e.options_err == 0 && e.n_procs == 1,
				"%d free descriptors: an answer without its owner "
				"(pid %d fd %d options_err %d n_procs %u)", slots,
				e.pid, e.fd, e.options_err, e.n_procs);
		PBT_REQUIRE_MSG(e.verdict == PB_RESTART_WAIT &&
				e.blocks == PB_BLOCK_CONNECTIONS &&
				e.n_connections == 1,
				"%d free descriptors: %s blocks %#x connections %u",
				slots, vname(e.verdict), e.blocks, e.n_connections);
		pb_audit_free(a);
		oks++;
	}
	PBT_REQUIRE_MSG(fails > 0 && oks == 3, "%d failures, %d answers", fails, oks);
	close(sv);
	close(cl);
	close(lfd);
	return 0;
}

START_TEST(emfile_in_the_walk)
{
	if (pbt_under_valgrind())
		PBT_SKIP("valgrind keeps RLIMIT_NOFILE from the kernel");
	AUDIT_IN_NETNS(short_of_fds, NULL);
}
END_TEST

/* ---- SO_BINDTODEVICE: sockets bound to two different devices never
 *      meet (the kernel's bind-conflict rule); a veth pair gives this
 *      namespace a second device. */

static void nl_attr(struct nlmsghdr *n, unsigned short type, const void *data,
		    size_t len)
{
	struct rtattr *ra = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	ra->rta_type = type;
	ra->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(ra), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(ra->rta_len);
}

/* A veth pair, one end named name (the other the kernel's): 0 or -1. */
static int veth_add(const char *name)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char attrs[128];
	} req;
	union {
		struct nlmsghdr n;
		char b[512];
	} ans;
	struct rtattr *info;
	const struct nlmsgerr *ne;
	ssize_t k;
	int fd, r = -1;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	req.n.nlmsg_seq = 1;
	req.i.ifi_family = AF_UNSPEC;
	nl_attr(&req.n, IFLA_IFNAME, name, strlen(name) + 1);
	info = (struct rtattr *)((char *)&req.n + NLMSG_ALIGN(req.n.nlmsg_len));
	nl_attr(&req.n, IFLA_LINKINFO, NULL, 0);
	nl_attr(&req.n, IFLA_INFO_KIND, "veth", 4);
	info->rta_len = (unsigned short)((char *)&req.n + req.n.nlmsg_len -
					 (char *)info);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (send(fd, &req, req.n.nlmsg_len, 0) == (ssize_t)req.n.nlmsg_len) {
		k = recv(fd, &ans, sizeof(ans), 0);
		if (k >= (ssize_t)NLMSG_LENGTH(sizeof(*ne)) &&
		    ans.n.nlmsg_type == NLMSG_ERROR) {
			ne = NLMSG_DATA(&ans.n);
			r = ne->error == 0 ? 0 : -1;
		}
	}
	close(fd);
	return r;
}

static int on_devices(void *p)
{
	struct sock_spec s;
	struct pb_audit *a;
	struct pb_audit_entry e;
	int sa, sb, sc, sd, ka, kb, kc, kd;

	(void)p;
	if (veth_add("pbv0") < 0)
		return SKIP_ST;
	world_begin();
	sa = svc_start();
	sb = svc_start();
	sc = svc_start();
	sd = svc_start();
	memset(&s, 0, sizeof(s));
	s.type = SOCK_STREAM;
	snprintf(s.ip, sizeof(s.ip), "0.0.0.0");
	s.v6only = -1;
	/* A listens on lo, B has a socket bound (not listening) on pbv0 */
	s.port = PORT0 + 26;
	snprintf(s.dev, sizeof(s.dev), "lo");
	ka = svc_make(sa, &s);
	snprintf(s.dev, sizeof(s.dev), "pbv0");
	s.bound_only = 1;
	kb = svc_make(sb, &s);
	/* C and D listen, on lo and on pbv0 */
	s.port = PORT0 + 27;
	s.bound_only = 0;
	snprintf(s.dev, sizeof(s.dev), "lo");
	kc = svc_make(sc, &s);
	snprintf(s.dev, sizeof(s.dev), "pbv0");
	kd = svc_make(sd, &s);
	PBT_REQUIRE_MSG(ka >= 0 && kb >= 0 && kc >= 0 && kd >= 0, "%s",
			strerror(errno));
	a = audit_now();
	PBT_REQUIRE_MSG(pb_audit_count(a) == 3, "%zu entries", pb_audit_count(a));
	order_ok(a);
	e = must_find(a, ka);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_OK && e.n_outliving == 0 &&
			!(e.hazards & PB_HAZARD_SHARED),
			"lo, with a socket bound on another device: %s blocks %#x "
			"hazards %#x", vname(e.verdict), e.blocks, e.hazards);
	e = must_find(a, kc);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_OK && e.hazards == 0 &&
			e.shared_pid == 0, "C: %s hazards %#x shared with %d",
			vname(e.verdict), e.hazards, e.shared_pid);
	e = must_find(a, kd);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_OK && e.hazards == 0 &&
			e.shared_pid == 0, "D: %s hazards %#x shared with %d",
			vname(e.verdict), e.hazards, e.shared_pid);
	restart_and_hold(a, W->p[sa].pid);
	restart_and_hold(a, W->p[sc].pid);
	restart_and_hold(a, W->p[sd].pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(bound_to_other_devices)
{
	IN_NETNS_OR_SKIP(on_devices, NULL, "no veth device can be made here");
}
END_TEST

/* Another process's TCP socket, bound and not listening, on the address
   (both set SO_REUSEADDR to bind together, then the bound one clears
   it; when clear, the listener too): the restart fails on it, and the
   block says a holder, not a process outliving the service. */
static int bound_holder(void *p)
{
	int keep = *(const int *)p, sa, sb, ka, kb;
	struct sock_spec s;
	struct pb_audit *a;
	struct pb_audit_entry e;

	world_begin();
	sa = svc_start();
	sb = svc_start();
	memset(&s, 0, sizeof(s));
	s.type = SOCK_STREAM;
	s.port = PORT0 + 28;
	s.v6only = -1;
	s.r = 1;
	s.bound_only = 1;
	snprintf(s.ip, sizeof(s.ip), "0.0.0.0");
	kb = svc_make(sb, &s);
	s.bound_only = 0;
	snprintf(s.ip, sizeof(s.ip), "127.0.0.1");
	ka = svc_make(sa, &s);
	PBT_REQUIRE_MSG(ka >= 0 && kb >= 0, "%s", strerror(errno));
	svc_reuseaddr(kb, 0);
	if (!keep)
		svc_reuseaddr(ka, 0);
	a = audit_now();
	PBT_REQUIRE_MSG(pb_audit_count(a) == 1, "%zu entries", pb_audit_count(a));
	e = must_find(a, ka);
	PBT_REQUIRE(e.pid == W->p[sa].pid);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_FAIL && e.blocks == PB_BLOCK_HOLDER,
			"SO_REUSEADDR %d, a bound socket without it: %s blocks %#x",
			keep, vname(e.verdict), e.blocks);
	PBT_REQUIRE_MSG(e.outliving_pid == W->p[sb].pid && e.n_outliving == 1,
			"outliving pid %d (n %u)", e.outliving_pid, e.n_outliving);
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

/*
 * A connected UDP socket of another process on the service's port is
 * still bound there, and the kernel checks it at the next bind: one that
 * bound beside the service with SO_REUSEADDR and then cleared it stops
 * the restart (the audit used to look at unconnected UDP sockets only,
 * and said "ok").
 */
static int udp_connected_holder(void *p)
{
	int svc, sk, ready[2], one = 1, zero = 0, fd;
	struct sockaddr_storage ss;
	socklen_t len;
	struct pb_audit *a;
	struct pb_audit_entry e;
	pid_t other;
	char b;

	(void)p;
	world_begin();
	svc = svc_start();
	sk = svc_socket(svc, SOCK_DGRAM, "0.0.0.0", PORT0 + 32, 1, 0, -1);
	PBT_REQUIRE(sk >= 0);
	PBT_REQUIRE(pipe(ready) == 0);
	fflush(NULL);
	other = fork();
	PBT_REQUIRE(other >= 0);
	if (other == 0) {
		close(ready[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		len = pbt_addr(&ss, "127.0.0.1", PORT0 + 32);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&ss, len) < 0)
			_exit(1);
		len = pbt_addr(&ss, "127.0.0.1", 9);
		if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &zero, sizeof(zero)) < 0 ||
		    write(ready[1], "x", 1) != 1)
			_exit(2);
		alarm(60);
		pause();
		_exit(0);
	}
	close(ready[1]);
	PBT_REQUIRE_MSG(read(ready[0], &b, 1) == 1, "the connected socket was not made");
	close(ready[0]);
	proc_add(other, K_OUTSIDER, -1, -1);
	a = audit_now();
	e = must_find(a, sk);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_FAIL && e.blocks == PB_BLOCK_HOLDER &&
			e.outliving_pid == other,
			"UDP beside a connected socket that cleared SO_REUSEADDR: "
			"%s blocks %#x outliving pid %d", vname(e.verdict), e.blocks,
			e.outliving_pid);
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(udp_connected_socket_holds)
{
	AUDIT_IN_NETNS(udp_connected_holder, NULL);
}
END_TEST

/*
 * Sockets that bound beside each other need not bind again in another
 * order: after [::1] (SO_REUSEADDR and SO_REUSEPORT), 0.0.0.0 (neither),
 * [::] IPv6-only (SO_REUSEPORT), Linux lets a [::] that is not
 * IPV6_V6ONLY (both options) bind beside them all, and then 0.0.0.0
 * cannot bind again beside it.  Seen in random_hosts (seed 1000): the
 * audit took the coexistence for sharing and said "ok".
 */
static int order_matters(void *p)
{
	static const struct { const char *ip; int r, rp, v6only; } socks[] = {
		{ "::1", 1, 1, 0 },
		{ "0.0.0.0", 0, 0, -1 },
		{ "::", 0, 1, 1 },
		{ "::", 1, 1, 0 },
	};
	int svc[4], sk[4], i;
	struct pb_audit *a;
	struct pb_audit_entry e;

	(void)p;
	world_begin();
	for (i = 0; i < 4; i++) {
		svc[i] = svc_start();
		sk[i] = svc_socket(svc[i], SOCK_STREAM, socks[i].ip, PORT0 + 31,
				   socks[i].r, socks[i].rp, socks[i].v6only);
		if (sk[i] < 0) {
			world_end();
			return SKIP_ST;	/* this kernel keeps the order */
		}
	}
	a = audit_now();
	e = must_find(a, sk[1]);
	PBT_REQUIRE_MSG(e.verdict == PB_RESTART_FAIL &&
			(e.blocks & PB_BLOCK_HOLDER) &&
			!(e.hazards & PB_HAZARD_SHARED),
			"0.0.0.0 beside a dual-stack [::] it cannot share: %s "
			"blocks %#x hazards %#x", vname(e.verdict), e.blocks,
			e.hazards);
	PBT_REQUIRE(e.outliving_pid == W->p[svc[3]].pid);
	restart_and_hold(a, e.pid);
	pb_audit_free(a);
	world_end();
	return 0;
}

START_TEST(bound_in_another_order)
{
	IN_NETNS_OR_SKIP(order_matters, NULL,
			 "this kernel refuses the dual-stack [::] beside 0.0.0.0");
}
END_TEST

START_TEST(bound_socket_holds)
{
	static int keep[] = { 0, 1 };

	AUDIT_IN_NETNS(bound_holder, &keep[_i]);
}
END_TEST

/* ---- a random host: small services of every kind, each verdict held
 *      against its restart, one service at a time (the audit is run
 *      again before each: a stop changes the others' answers). */

static unsigned long long rng;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng >> 11) % n);
}

/* The only live TCP listener of the scenario on sk's port: a client's
   connection reaches sk, nothing else. */
static int alone_on_port(int sk)
{
	int i;

	for (i = 0; i < W->ns; i++)
		if (i != sk && sk_alive(i) && W->s[i].s.type == SOCK_STREAM &&
		    W->s[i].s.port == W->s[sk].s.port)
			return 0;
	return 1;
}

static int random_host(void *p)
{
	static const char *const ips[] = { "127.0.0.1", "0.0.0.0", "::1", "::", "::" };
	unsigned long long seed = *(const unsigned long long *)p;
	int nsvc, i, j, svc, sk, fam, v6 = pbt_have_ipv6(), rounds;
	struct pb_audit *a;
	struct pb_audit_entry e;
	size_t k, n;

	world_begin();
	rng = seed * 2654435761u + 1;
	nsvc = 20 + (int)rnd(11);
	for (i = 0; i < nsvc; i++) {
		svc = svc_start();
		for (j = 0; j < 1 + (int)rnd(2); j++) {
			int type = rnd(4) ? SOCK_STREAM : SOCK_DGRAM;

			fam = (int)rnd(v6 ? 5 : 2);
			sk = svc_socket(svc, type, ips[fam], PORT0 + 11 + rnd(5),
					(int)rnd(2), rnd(3) == 0,
					fam == 2 ? (int)rnd(2) : fam == 3);
			if (sk < 0) {
				PBT_REQUIRE_MSG(errno == EADDRINUSE,
						"seed %llu: %s", seed, strerror(errno));
				continue;
			}
			if (type == SOCK_STREAM && alone_on_port(sk)) {
				if (rnd(4) == 0)
					svc_time_waits(sk, 1 + (int)rnd(2));
				if (rnd(4) == 0)
					svc_conns(sk, 1 + (int)rnd(2));
				if (rnd(10) == 0)
					outsider_take(sk, 1);
			}
			if (rnd(12) == 0)
				outsider_take(sk, 0);
		}
		if (rnd(5) == 0)
			svc_fork(svc);
		if (rnd(12) == 0)
			svc_setuid(svc);
	}
	for (rounds = 0; rounds < MAXPROC; rounds++) {
		a = audit_now();
		n = pb_audit_count(a);
		if (n == 0) {
			pb_audit_free(a);
			break;
		}
		order_ok(a);
		for (k = 0; k < n; k++) {
			get(a, k, &e);
			entry_matches(&e, 1);
		}
		get(a, rnd((unsigned)n), &e);
		restart_and_hold(a, e.pid);
		pb_audit_free(a);
	}
	PBT_REQUIRE_MSG(rounds < MAXPROC, "seed %llu: services never ran out", seed);
	world_end();
	return 0;
}

START_TEST(random_hosts)
{
	unsigned long long seed = 1000 + (unsigned long long)_i;
	const char *env = getenv("PBT_AUDIT_SEED");

	if (env && *env)
		seed = strtoull(env, NULL, 10) + (unsigned long long)_i;
	printf("random_hosts: seed %llu (PBT_AUDIT_SEED=%llu reruns it)\n",
	       seed, seed - (unsigned long long)_i);
	AUDIT_IN_NETNS(random_host, &seed);
}
END_TEST

/* ---- the interface itself */

static int empty_ns(void *p)
{
	struct pb_audit *a;

	(void)p;
	a = audit_now();
	PBT_REQUIRE(pb_audit_count(a) == 0);
	pb_audit_free(a);
	return 0;
}

START_TEST(empty_namespace)
{
	AUDIT_IN_NETNS(empty_ns, NULL);
}
END_TEST

START_TEST(arguments_checked)
{
	struct pb_audit *a = (struct pb_audit *)&a, *b = NULL;
	struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT, z;
	int lfd, uts, fd;

	lfd = pbt_listener("127.0.0.1", 0, 1);
	errno = 0;
	ck_assert_int_eq(pb_audit_run(-1, 1, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(a);
	a = (struct pb_audit *)&a;
	errno = 0;
	ck_assert_int_eq(pb_audit_run(-1, 0x80000000u, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(a);
	errno = 0;
	ck_assert_int_eq(pb_audit_run(-1, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* a bad descriptor, and one that is not a network namespace */
	fd = dup(0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	a = (struct pb_audit *)&a;
	errno = 0;
	ck_assert_int_eq(pb_audit_run(fd, 0, &a), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_ptr_null(a);
	uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(uts, 0);
	errno = 0;
	ck_assert_int_eq(pb_audit_run(uts, 0, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_audit_run(lfd, 0, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(uts);

	errno = 4242;
	ck_assert_int_eq(pb_audit_run(-1, 0, &b), 0);
	ck_assert_int_eq(errno, 4242);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_ge(pb_audit_count(b), 1);

	ck_assert_uint_eq(pb_audit_count(NULL), 0);
	errno = 0;
	ck_assert_int_eq(pb_audit_get(NULL, 0, &e), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_audit_get(b, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* out of range: ERANGE, and out untouched */
	memset(&e, 0x5a, sizeof(e));
	e.size = sizeof(e);
	z = e;
	errno = 0;
	ck_assert_int_eq(pb_audit_get(b, pb_audit_count(b), &e), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(memcmp(&e, &z, sizeof(e)), 0);
	errno = 0;
	ck_assert_int_eq(pb_audit_get(b, (size_t)-1, &e), -1);
	ck_assert_int_eq(errno, ERANGE);
	/* a size short of the oldest layout: EINVAL, nothing written */
	e.size = PB__AUDIT_ENTRY_SIZE_0_1 - 1;
	z = e;
	errno = 0;
	ck_assert_int_eq(pb_audit_get(b, 0, &e), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(memcmp(&e, &z, sizeof(e)), 0);
	e.size = 0;
	errno = 0;
	ck_assert_int_eq(pb_audit_get(b, 0, &e), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* a good one: errno kept */
	e.size = sizeof(e);
	errno = 4343;
	ck_assert_int_eq(pb_audit_get(b, 0, &e), 0);
	ck_assert_int_eq(errno, 4343);
	ck_assert_uint_eq(e.size, sizeof(e));
	pb_audit_free(b);
	pb_audit_free(NULL);
	close(lfd);
}
END_TEST

START_TEST(restart_names)
{
	ck_assert_str_eq(pb_restart_name(PB_RESTART_OK), "ok");
	ck_assert_str_eq(pb_restart_name(PB_RESTART_UNKNOWN), "unknown");
	ck_assert_str_eq(pb_restart_name(PB_RESTART_WAIT), "wait");
	ck_assert_str_eq(pb_restart_name(PB_RESTART_FAIL), "fail");
	ck_assert_str_eq(pb_restart_name((enum pb_restart)4), "?");
	ck_assert_str_eq(pb_restart_name((enum pb_restart)-1), "?");
	ck_assert_str_eq(pb_restart_name((enum pb_restart)0x7fffffff), "?");
	/* worst last: the order the audit sorts by */
	ck_assert_int_lt(PB_RESTART_OK, PB_RESTART_UNKNOWN);
	ck_assert_int_lt(PB_RESTART_UNKNOWN, PB_RESTART_WAIT);
	ck_assert_int_lt(PB_RESTART_WAIT, PB_RESTART_FAIL);
}
END_TEST

/* The caller's own listener, as this process holds it: the entry names
   this process, its descriptor, and what it set. */
START_TEST(own_listener)
{
	struct pb_audit *a = NULL;
	struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;
	unsigned long long ino;
	int lfd, found = 0, on = 1;
	size_t i;

	lfd = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	ck_assert_int_eq(setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)), 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);

		ck_assert_int_eq(bind(lfd, (struct sockaddr *)&ss, len), 0);
		ck_assert_int_eq(listen(lfd, 4), 0);
	}
	ino = inode_of(lfd);
	ck_assert_int_eq(pb_audit_run(-1, 0, &a), 0);
	for (i = 0; i < pb_audit_count(a); i++) {
		ck_assert_int_eq(pb_audit_get(a, i, &e), 0);
		if (e.inode != ino)
			continue;
		found++;
		ck_assert_int_eq(e.pid, getpid());
		ck_assert_int_eq(e.fd, lfd);
		ck_assert_int_eq(e.protocol, IPPROTO_TCP);
		ck_assert_uint_eq(port_of(&e.local), pbt_local_port(lfd));
		if (geteuid() == 0 && pbt_pidfd_missing()) {
			/* valgrind 3.19: no pidfd_getfd, not a guess */
			ck_assert_int_eq(e.reuseaddr, -1);
			ck_assert_int_eq(e.reuseport, -1);
			ck_assert_int_ne(e.options_err, 0);
		} else if (geteuid() == 0) {
			ck_assert_int_eq(e.reuseaddr, 0);
			ck_assert_int_eq(e.reuseport, 1);
			ck_assert_int_eq(e.v6only, -1);
			ck_assert_int_eq(e.options_err, 0);
		}
	}
	ck_assert_int_eq(found, 1);
	pb_audit_free(a);
	close(lfd);
}
END_TEST

/* The exec'd side of socket activation: keeps what it was given until
   it is killed (or its parent ends). */
int pbt_hold_child(void)
{
	alarm(60);
	pause();
	return 0;
}

Suite *suite_audit(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("interface");
	TCase *tv = tcase_create("verdicts");
	TCase *tr = tcase_create("review");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, arguments_checked);
	tcase_add_test(tc, restart_names);
	tcase_add_test(tc, own_listener);
	tcase_add_test(tc, empty_namespace);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tv, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tv, 20);
	tcase_add_loop_test(tv, one_service, 0, (int)(sizeof(ones) / sizeof(ones[0])));
	tcase_add_loop_test(tv, outside_the_service, 0,
			    (int)(sizeof(outsides) / sizeof(outsides[0])));
	tcase_add_loop_test(tv, shared_address, 0, 2);
	tcase_add_loop_test(tv, socket_activation, 0, 2);
	tcase_add_test(tv, hazards_of_a_stop);
	tcase_add_test(tv, not_root_never_wrong);
	tcase_add_loop_test(tv, random_hosts, 0, 3);
	suite_add_tcase(s, tv);

	tcase_add_checked_fixture(tr, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tr, 20);
	tcase_add_loop_test(tr, ninth_holder_outside, 0, 2);
	tcase_add_loop_test(tr, v6only_connection_elsewhere, 0, 2);
	tcase_add_test(tr, pid1_of_a_container);
	tcase_add_test(tr, not_root_holder_unseen);
	tcase_add_test(tr, emfile_in_the_walk);
	tcase_add_test(tr, bound_to_other_devices);
	tcase_add_loop_test(tr, bound_socket_holds, 0, 2);
	tcase_add_test(tr, bound_in_another_order);
	tcase_add_test(tr, udp_connected_socket_holds);
	suite_add_tcase(s, tr);
	return s;
}

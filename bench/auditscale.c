/* SPDX-License-Identifier: MIT */
/*
 * auditscale - the restart audit on a busy host, against one `ss -tanp`.
 *
 * A child enters a private network namespace (ip_local_port_range widened
 * to 10000-65535, tcp_max_tw_buckets 262144, RLIMIT_NOFILE's soft limit
 * raised to the hard one) and
 * builds what a busy host's table looks like, 100000 TCP sockets in all:
 *  - 38 TCP listeners and 10 bound UDP sockets in 6 services: "web" (a
 *    master and two workers that inherit its sockets), "postgres",
 *    "redis", "legacyd" (no SO_REUSEADDR), "dnsd" and "metricsd" (the two
 *    share 0.0.0.0:5353/udp through SO_REUSEPORT; metricsd listens on
 *    50051 too, inside the ephemeral range, so that the listening ports
 *    span most of the clients' ports as on many hosts);
 *  - 20000 established connections to those listeners (40000 sockets),
 *    the server ends held by the services (web's by its workers), the
 *    client ends by 4 "client" processes: `ss -p` and the audit must walk
 *    every one of their descriptors;
 *  - TIME_WAIT for the rest: 2000 server-side on 127.0.0.1:8080 (web,
 *    SO_REUSEADDR: it passes them) and 2000 on 0.0.0.0:9000 (legacyd: it
 *    cannot), the others client-side over every listener.
 * The processes are forked first, each keeping its own listening and bound
 * sockets (web's workers their master's too).  Connections are made in
 * batches of non-blocking connects, then accepted (bounded by a
 * deadline); the builder hands each end to its process over SCM_RIGHTS
 * and closes its copy, so that no process holds more than its share
 * (raising the hard RLIMIT_NOFILE needs CAP_SYS_RESOURCE).  The
 * TIME_WAIT come last, and the timed rounds stop 50 s after the first.
 *
 * It checks the audit first (one run of the library and of the tool: every
 * socket listed, and the verdicts the table was built for), then times, in
 * rounds (each method once a round, the order rotated; one warm-up round):
 *  - `ss -tanp`, iproute2's, stdout and stderr to /dev/null: the baseline;
 *  - `portbind-why --audit` and `portbind-why --audit --json`, the same;
 *  - pb_audit_run and pb_audit_free, called in this process;
 *  - two parts of any such walk, for where the time goes: one sock_diag
 *    dump of every TCP and UDP socket (all states, both families), and a
 *    readlink of every descriptor of every process under /proc.
 * Peak memory: the ru_maxrss of each command, started by a fresh
 * `auditscale rss` (`auditscale once` is a fresh process that makes one
 * pb_audit_run).  Medians and minimums; the targets: each audit within
 * 1.5x of one ss -tanp (medians), and the audit's answer as built.
 *
 *	auditscale           environment: PB_BENCH_AUDIT_RUNS=7,
 *	                     PB_BENCH_AUDIT_TOOL (default ../tools/portbind-why
 *	                     beside this program)
 *	auditscale once      one pb_audit_run; prints "ENTRIES"
 *	auditscale rss CMD...  runs CMD (output to /dev/null); prints its
 *	                     ru_maxrss in KiB
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <portbind.h>
#include "sockdiag.h"

#include "bench.h"

#define TOTAL_TCP      100000	/* TCP sockets in the table */
#define PAIRS          20000	/* established connections */
#define SERVER_TW      2000	/* server-side TIME_WAIT per port that has them */
#define BATCH          256	/* connects in flight at once */
#define N_CLIENTS      4
#define MAX_RUNS       31
#define SPAWN_MS       30000.0
#define WATCHDOG_S     150	/* every process of the namespace */
#define TW_LIFE_MS     50000.0	/* timings end by then: TIME_WAIT lasts 60 s */
#define OUT_MAX        (1u << 20)
#define RANGE_LO       10000	/* ip_local_port_range: widened, as ... */
#define RANGE          "10000 65535"	/* ... 80000 client ports are needed */

/* ---- the host: processes and their sockets -------------------------- */

enum proc {
	P_WEB, P_WEB_W1, P_WEB_W2, P_PG, P_REDIS, P_LEGACY, P_DNS, P_METRICS,
	P_CLIENT0, N_PROCS = P_CLIENT0 + N_CLIENTS
};

static const struct proc_spec {
	const char *comm;
	int parent;		/* an index, or -1: a child of the builder */
} procs[N_PROCS] = {
	{ "web", -1 }, { "web-worker", P_WEB }, { "web-worker", P_WEB },
	{ "postgres", -1 }, { "redis", -1 }, { "legacyd", -1 },
	{ "dnsd", -1 }, { "metricsd", -1 },
	{ "client", -1 }, { "client", -1 }, { "client", -1 }, { "client", -1 },
};

/* What the audit must say of a socket: 'o' ok, 'w' wait. */
struct sock_spec {
	int proc;
	int udp;
	const char *ip;
	unsigned port;
	int reuseaddr, reuseport, v6only;
	int server_tw;		/* SERVER_TW server-side TIME_WAIT on it */
	char expect;
};

static const struct sock_spec specs[] = {
	/* web: SO_REUSEADDR everywhere, IPv6 apart (v6only) */
	{ P_WEB, 0, "0.0.0.0", 80, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "0.0.0.0", 443, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "::", 80, 1, 0, 1, 0, 'o' },
	{ P_WEB, 0, "::", 443, 1, 0, 1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8080, 1, 0, -1, 1, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8081, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8082, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8083, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8084, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8085, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8086, 1, 0, -1, 0, 'o' },
	{ P_WEB, 0, "127.0.0.1", 8087, 1, 0, -1, 0, 'o' },
	{ P_WEB, 1, "0.0.0.0", 443, 0, 0, -1, 0, 'o' },
	{ P_WEB, 1, "::", 443, 0, 0, 1, 0, 'o' },
	/* postgres */
	{ P_PG, 0, "127.0.0.1", 5432, 1, 0, -1, 0, 'o' },
	{ P_PG, 0, "::1", 5432, 1, 0, 1, 0, 'o' },
	{ P_PG, 0, "127.0.0.1", 5433, 1, 0, -1, 0, 'o' },
	{ P_PG, 0, "127.0.0.1", 5434, 1, 0, -1, 0, 'o' },
	{ P_PG, 0, "127.0.0.1", 5435, 1, 0, -1, 0, 'o' },
	{ P_PG, 0, "127.0.0.1", 5436, 1, 0, -1, 0, 'o' },
	/* redis */
	{ P_REDIS, 0, "127.0.0.1", 6379, 1, 0, -1, 0, 'o' },
	{ P_REDIS, 0, "127.0.0.1", 6380, 1, 0, -1, 0, 'o' },
	{ P_REDIS, 0, "127.0.0.1", 6381, 1, 0, -1, 0, 'o' },
	{ P_REDIS, 0, "127.0.0.1", 6382, 1, 0, -1, 0, 'o' },
	{ P_REDIS, 0, "127.0.0.1", 6383, 1, 0, -1, 0, 'o' },
	{ P_REDIS, 0, "127.0.0.1", 6384, 1, 0, -1, 0, 'o' },
	/* legacyd: no SO_REUSEADDR: its own connections (and, on 9000,
	   TIME_WAIT) hold its ports once it stops */
	{ P_LEGACY, 0, "0.0.0.0", 9000, 0, 0, -1, 1, 'w' },
	{ P_LEGACY, 0, "0.0.0.0", 9001, 0, 0, -1, 0, 'w' },
	{ P_LEGACY, 0, "0.0.0.0", 9002, 0, 0, -1, 0, 'w' },
	{ P_LEGACY, 0, "0.0.0.0", 9003, 0, 0, -1, 0, 'w' },
	{ P_LEGACY, 0, "0.0.0.0", 9004, 0, 0, -1, 0, 'w' },
	{ P_LEGACY, 0, "0.0.0.0", 9005, 0, 0, -1, 0, 'w' },
	{ P_LEGACY, 1, "0.0.0.0", 514, 0, 0, -1, 0, 'o' },
	{ P_LEGACY, 1, "0.0.0.0", 161, 0, 0, -1, 0, 'o' },
	/* dnsd */
	{ P_DNS, 0, "127.0.0.53", 53, 1, 0, -1, 0, 'o' },
	{ P_DNS, 1, "127.0.0.53", 53, 1, 0, -1, 0, 'o' },
	{ P_DNS, 1, "0.0.0.0", 5353, 1, 1, -1, 0, 'o' },
	/* metricsd */
	{ P_METRICS, 0, "0.0.0.0", 9090, 1, 0, -1, 0, 'o' },
	{ P_METRICS, 0, "0.0.0.0", 9100, 1, 0, -1, 0, 'o' },
	{ P_METRICS, 0, "127.0.0.1", 9200, 1, 0, -1, 0, 'o' },
	{ P_METRICS, 0, "127.0.0.1", 9201, 1, 0, -1, 0, 'o' },
	{ P_METRICS, 0, "127.0.0.1", 9202, 1, 0, -1, 0, 'o' },
	{ P_METRICS, 0, "127.0.0.1", 9203, 1, 0, -1, 0, 'o' },
	/* its gRPC port, inside ip_local_port_range (EPHEMERAL): the
	   listening ports then span most of the clients' ports, as on many
	   hosts, and no walk of the table can skip them by port range */
	{ P_METRICS, 0, "0.0.0.0", 50051, 1, 0, -1, 0, 'o' },
	{ P_METRICS, 1, "0.0.0.0", 5353, 1, 1, -1, 0, 'o' },
	{ P_METRICS, 1, "127.0.0.1", 8125, 0, 0, -1, 0, 'o' },
	{ P_METRICS, 1, "::1", 8125, 0, 0, 1, 0, 'o' },
	{ P_METRICS, 1, "127.0.0.1", 123, 0, 0, -1, 0, 'o' },
};
#define N_SPECS (sizeof(specs) / sizeof(specs[0]))

/* ---- what the child measured, for the parent to print --------------- */

enum method { M_SS, M_TOOL, M_JSON, M_LIB, M_SS_NOP, M_DUMP, M_PROC, N_METHODS };

static const char *const method_label[N_METHODS] = {
	"`ss -tanp`", "`portbind-why --audit`", "`portbind-why --audit --json`",
	"`pb_audit_run` + `pb_audit_free`, in process",
	"`ss -tan` (no -p: no descriptors walked), for reference",
	"part: one sock_diag dump, TCP and UDP, all states",
	"part: readlink of every descriptor under /proc",
};

struct result {
	int done;
	char err[256];
	char ss_version[64];
	int have_ss, have_tool;
	double build_s;
	long n_tcp_listen, n_udp, n_pairs;
	/* census before and after the timings */
	long rows[2], tw[2], estab[2], listen[2], other[2], udp_rows[2];
	long fds_walked;		/* descriptors in the /proc walk */
	int runs;
	double med[N_METHODS], min[N_METHODS];
	long maxrss[N_METHODS];		/* KiB; one run, see peaks() */
	long floor_maxrss;		/* `true`, started the same way */
	long out[N_METHODS];		/* lines, entries, rows */
	int tool_status, json_status;
	/* the audit's view: library, tool's JSON counts */
	long lib_entries, lib_services;
	long lib_v[4];			/* by enum pb_restart */
	long json_services, json_sockets, json_v[4];
	int json_parsed;
	long found, agree, opt_known;	/* specs found, verdicts as expected,
					   options read (options_err 0) */
	char mismatch[512];
};

static char self_path[PATH_MAX], tool_path[PATH_MAX];
static int runs = 7;

/* ---- building ------------------------------------------------------- */

static int sfd[N_SPECS];

/*
 * The builder hands each connection's ends to the processes that hold them
 * over one SOCK_SEQPACKET pair per process (SCM_RIGHTS, up to HANDOFF
 * descriptors a message), then closes its own: no process ever holds more
 * than its share (the hard RLIMIT_NOFILE may be low, and raising it needs
 * CAP_SYS_RESOURCE).  EOF on the channel: all sent.
 */
#define HANDOFF 250
static int chan[N_PROCS][2];	/* [0] the builder's end, [1] the holder's */
static int pending[N_PROCS][HANDOFF];
static size_t npending[N_PROCS];

static int flush_to(int p)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * HANDOFF)];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	size_t n = npending[p], k;
	char one = 'f';
	ssize_t r;

	if (n == 0)
		return 0;
	memset(&msg, 0, sizeof(msg));
	memset(&u, 0, sizeof(u));
	iov.iov_base = &one;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), pending[p], sizeof(int) * n);
	do
		r = sendmsg(chan[p][0], &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	for (k = 0; k < n; k++)
		close(pending[p][k]);
	npending[p] = 0;
	return r == 1 ? 0 : -1;
}

static int hand_to(int p, int fd)
{
	pending[p][npending[p]++] = fd;
	return npending[p] == HANDOFF ? flush_to(p) : 0;
}

static int is_ancestor(int a, int p)
{
	int depth;

	for (depth = 0; depth < N_PROCS && p >= 0; depth++) {
		p = procs[p].parent;
		if (p == a)
			return 1;
	}
	return 0;
}

static socklen_t sockaddr_of(const char *ip, unsigned port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
		return sizeof(*s4);
	}
}

static int open_spec(const struct sock_spec *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(s->ip, s->port, &ss);
	int fd = socket(ss.ss_family, (s->udp ? SOCK_DGRAM : SOCK_STREAM) |
			SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int on = 1;

	if (fd < 0)
		return -1;
	if ((s->reuseaddr &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) ||
	    (s->reuseport &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0) ||
	    (s->v6only >= 0 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &s->v6only,
			sizeof(s->v6only)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (!s->udp && listen(fd, 4096) < 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Where a client connects to reach the listener of spec i. */
static socklen_t target_of(size_t i, struct sockaddr_storage *ss)
{
	const char *ip = specs[i].ip;

	if (strcmp(ip, "0.0.0.0") == 0)
		ip = "127.0.0.1";
	else if (strcmp(ip, "::") == 0)
		ip = "::1";
	return sockaddr_of(ip, specs[i].port, ss);
}

/* Accept one connection on lfd (non-blocking) by the deadline. */
static int accept_by(int lfd, double deadline)
{
	for (;;) {
		int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		double left;

		if (a >= 0 || (errno != EAGAIN && errno != EINTR))
			return a;
		left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		poll(&p, 1, (int)left + 1);
	}
}

/*
 * n connections, the k-th to the listener of spec tgt[k]: every connect
 * non-blocking first, then every accept (a loopback handshake completes
 * in the connect's own softirq; the accept waits for the rare one that
 * did not).  cfd[k] and afd[k] get the two ends (afd[k] a connection of
 * tgt[k]'s listener, not necessarily cfd[k]'s peer).
 */
static int connect_batch(const size_t *tgt, size_t n, int *cfd, int *afd,
			 char *err, size_t errsz)
{
	double deadline = now_ms() + 10000;
	size_t k;

	for (k = 0; k < n; k++) {
		struct sockaddr_storage ss;
		socklen_t len = target_of(tgt[k], &ss);

		cfd[k] = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
				SOCK_NONBLOCK, 0);
		if (cfd[k] < 0 ||
		    (connect(cfd[k], (struct sockaddr *)&ss, len) < 0 &&
		     errno != EINPROGRESS)) {
			snprintf(err, errsz, "connect to %s:%u: %s", specs[tgt[k]].ip,
				 specs[tgt[k]].port, strerror(errno));
			if (cfd[k] >= 0)
				close(cfd[k]);
			while (k--)
				close(cfd[k]);
			return -1;
		}
	}
	for (k = 0; k < n; k++) {
		afd[k] = accept_by(sfd[tgt[k]], deadline);
		if (afd[k] < 0) {
			snprintf(err, errsz, "accept on %s:%u: %s", specs[tgt[k]].ip,
				 specs[tgt[k]].port, strerror(errno));
			while (k--)
				close(afd[k]);
			for (k = 0; k < n; k++)
				close(cfd[k]);
			return -1;
		}
	}
	return 0;
}

static size_t tcp_specs[N_SPECS], n_tcp_specs;
static double tw_start_ms;	/* the first TIME_WAIT */

static int server_owner(size_t spec, size_t k)
{
	int p = specs[spec].proc;

	if (p == P_WEB)		/* the workers serve */
		return k % 2 ? P_WEB_W2 : P_WEB_W1;
	return p;
}

static int open_specs(struct result *R)
{
	size_t i;

	n_tcp_specs = 0;
	for (i = 0; i < N_SPECS; i++) {
		sfd[i] = open_spec(&specs[i]);
		if (sfd[i] < 0)
			return snprintf(R->err, sizeof(R->err), "%s %s:%u: %s",
					specs[i].udp ? "udp" : "tcp", specs[i].ip,
					specs[i].port, strerror(errno)), -1;
		if (specs[i].udp) {
			R->n_udp++;
		} else {
			R->n_tcp_listen++;
			tcp_specs[n_tcp_specs++] = i;
		}
	}
	return 0;
}

static int build(struct result *R)
{
	static size_t tgt[BATCH];
	static int cfd[BATCH], afd[BATCH], peers[SERVER_TW];
	long tw_total, tw_client, done;
	size_t i, k, rr = 0;
	double t0 = now_ms();

	/* The established connections, round robin over the listeners. */
	for (done = 0; done < PAIRS; done += (long)k) {
		size_t n = PAIRS - done < BATCH ? (size_t)(PAIRS - done) : BATCH;

		for (k = 0; k < n; k++)
			tgt[k] = tcp_specs[rr++ % n_tcp_specs];
		if (connect_batch(tgt, n, cfd, afd, R->err, sizeof(R->err)) < 0)
			return -1;
		for (k = 0; k < n; k++) {
			if (hand_to(P_CLIENT0 + (int)((done + (long)k) % N_CLIENTS),
				    cfd[k]) < 0 ||
			    hand_to(server_owner(tgt[k], (size_t)done + k), afd[k]) < 0)
				return snprintf(R->err, sizeof(R->err),
						"handing connections over: %s",
						strerror(errno)), -1;
		}
	}
	for (i = 0; i < N_PROCS; i++)
		if (flush_to((int)i) < 0)
			return snprintf(R->err, sizeof(R->err),
					"handing connections over: %s",
					strerror(errno)), -1;
	R->n_pairs = PAIRS;

	/* TIME_WAIT, from here on: they last 60 s.  The client side closes
	   first on every listener, then the server side on the ports that
	   have server_tw, last: a SYN that met a server-side TIME_WAIT of
	   its 4-tuple would recycle it. */
	tw_start_ms = now_ms();
	tw_total = TOTAL_TCP - 2L * PAIRS - R->n_tcp_listen;
	tw_client = tw_total;
	for (i = 0; i < N_SPECS; i++)
		if (specs[i].server_tw)
			tw_client -= SERVER_TW;
	for (done = 0; done < tw_client; done += (long)k) {
		size_t n = tw_client - done < BATCH ? (size_t)(tw_client - done) : BATCH;

		for (k = 0; k < n; k++)
			tgt[k] = tcp_specs[rr++ % n_tcp_specs];
		if (connect_batch(tgt, n, cfd, afd, R->err, sizeof(R->err)) < 0)
			return -1;
		for (k = 0; k < n; k++)
			close(cfd[k]);
		for (k = 0; k < n; k++)
			close(afd[k]);
	}
	for (i = 0; i < N_SPECS; i++) {
		if (!specs[i].server_tw)
			continue;
		for (done = 0; done < SERVER_TW; done += (long)k) {
			size_t n = SERVER_TW - done < BATCH ?
				   (size_t)(SERVER_TW - done) : BATCH;

			for (k = 0; k < n; k++)
				tgt[k] = i;
			if (connect_batch(tgt, n, cfd, afd, R->err, sizeof(R->err)) < 0) {
				while (done--)
					close(peers[done]);
				return -1;
			}
			for (k = 0; k < n; k++) {
				close(afd[k]);
				peers[done + (long)k] = cfd[k];
			}
		}
		/* The clients close only now: until then each holds its
		   port, which a later connect would otherwise pick again,
		   its SYN then recycling the server's TIME_WAIT. */
		for (done = 0; done < SERVER_TW; done++)
			close(peers[done]);
	}
	R->build_s = (now_ms() - t0) / 1000;
	return 0;
}

/* ---- the processes that hold the sockets ---------------------------- */

static int ready_w = -1, stop_r = -1;

/* Process me's share of the builder's descriptors: its own sockets, its
   ancestors' (inherited, as web's workers), and, until it has started
   them, its descendants' channels. */
static void keep_only(int me, int with_descendants)
{
	size_t i;
	int j;

	for (i = 0; i < N_SPECS; i++) {
		if (sfd[i] < 0 || specs[i].proc == me ||
		    is_ancestor(specs[i].proc, me) ||
		    (with_descendants && is_ancestor(me, specs[i].proc)))
			continue;
		close(sfd[i]);
		sfd[i] = -1;
	}
	for (j = 0; j < N_PROCS; j++) {
		if (chan[j][0] >= 0) {
			close(chan[j][0]);
			chan[j][0] = -1;
		}
		if (chan[j][1] < 0 || j == me ||
		    (with_descendants && is_ancestor(me, j)))
			continue;
		close(chan[j][1]);
		chan[j][1] = -1;
	}
}

/* Take what the builder hands over on fd until EOF; the descriptors are
   kept (that is the point).  0, or -1. */
static int take_all(int fd)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * HANDOFF)];
			struct cmsghdr align;
		} u;
		struct msghdr msg;
		struct iovec iov;
		char one;
		ssize_t r;

		memset(&msg, 0, sizeof(msg));
		iov.iov_base = &one;
		iov.iov_len = 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return (int)r;
		if (msg.msg_flags & MSG_CTRUNC)
			return -1;
	}
}

/* Process me: keep its sockets, start its own children, take its
   connections, tell the builder it is ready, wait for the end (EOF on
   stop_r), reap its children. */
static void holder(int me)
{
	pid_t kids[N_PROCS];
	int nk, j;
	char c;

again:
	prctl(PR_SET_NAME, procs[me].comm);
	keep_only(me, 1);
	nk = 0;
	for (j = 0; j < N_PROCS; j++) {
		if (procs[j].parent != me)
			continue;
		kids[nk] = fork_child(WATCHDOG_S);
		if (kids[nk] == 0) {	/* the child is process j */
			me = j;
			goto again;
		}
		if (kids[nk] > 0)
			nk++;
	}
	keep_only(me, 0);
	if (take_all(chan[me][1]) < 0 || write(ready_w, "r", 1) != 1)
		_exit(1);
	close(chan[me][1]);
	close(ready_w);
	while (read(stop_r, &c, 1) < 0 && errno == EINTR)
		;
	for (j = 0; j < nk; j++)
		reap(kids[j], 5000);
	_exit(0);
}

/* ---- census ------------------------------------------------------------ */

struct census { long rows, tw, estab, listen, other; };

static int census_cb(const struct pb_sockent *e, void *arg)
{
	struct census *c = arg;

	c->rows++;
	if (e->state == PB_TCP_TIME_WAIT)
		c->tw++;
	else if (e->state == PB_TCP_ESTABLISHED)
		c->estab++;
	else if (e->state == PB_TCP_LISTEN)
		c->listen++;
	else
		c->other++;
	return 0;
}

static void take_census(struct result *R, int when)
{
	struct pb_portsel all = { 0, 0, 65535 };
	struct census c, u;

	memset(&c, 0, sizeof(c));
	memset(&u, 0, sizeof(u));
	pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &all,
			  census_cb, &c);
	pb__sockdiag_dump(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, &all,
			  census_cb, &u);
	R->rows[when] = c.rows;
	R->tw[when] = c.tw;
	R->estab[when] = c.estab;
	R->listen[when] = c.listen;
	R->other[when] = c.other;
	R->udp_rows[when] = u.rows;
}

/* ---- the methods ------------------------------------------------------ */

static int count_cb(const struct pb_sockent *e, void *arg)
{
	(void)e;
	(*(long *)arg)++;
	return 0;
}

/* What any audit or ss -p walks: every TCP and UDP socket... */
static long dump_all(void)
{
	struct pb_portsel all = { 0, 0, 65535 };
	long n = 0;

	if (pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &all,
			      count_cb, &n) < 0 ||
	    pb__sockdiag_dump(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, &all,
			      count_cb, &n) < 0)
		return -1;
	return n;
}

/* ...and every descriptor of every process (ss -p reads each link). */
static long proc_walk(long *fds)
{
	DIR *d = opendir("/proc");
	struct dirent *p;
	long sockets = 0;

	*fds = 0;
	if (!d)
		return -1;
	while ((p = readdir(d)) != NULL) {
		char path[300], link[64];
		struct dirent *f;
		DIR *fdd;
		int dfd;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/fd", p->d_name);
		dfd = openat(dirfd(d), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		fdd = fdopendir(dfd);
		if (!fdd) {
			close(dfd);
			continue;
		}
		while ((f = readdir(fdd)) != NULL) {
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			n = readlinkat(dirfd(fdd), f->d_name, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			(*fds)++;
			link[n] = '\0';
			sockets += strncmp(link, "socket:[", 8) == 0;
		}
		closedir(fdd);
	}
	closedir(d);
	return sockets;
}

static long lib_audit(void)
{
	struct pb_audit *a = NULL;
	long n;

	if (pb_audit_run(-1, 0, &a) < 0)
		return -1;
	n = (long)pb_audit_count(a);
	pb_audit_free(a);
	return n;
}

static long run_method(struct result *R, enum method m)
{
	const char *ss_argv[] = { "ss", "-tanp", NULL };
	const char *ssn_argv[] = { "ss", "-tan", NULL };
	const char *tool_argv[] = { tool_path, "--audit", NULL };
	const char *json_argv[] = { tool_path, "--audit", "--json", NULL };
	long fds;
	int st;

	switch (m) {
	case M_SS:
	case M_SS_NOP:
	case M_TOOL:
	case M_JSON:
		st = spawn_null(m == M_SS ? ss_argv : m == M_SS_NOP ? ssn_argv :
				m == M_TOOL ? tool_argv : json_argv, SPAWN_MS, NULL);
		if (st < 0 || !WIFEXITED(st))
			return -1;
		return WEXITSTATUS(st);
	case M_LIB:
		return lib_audit();
	case M_DUMP:
		return dump_all();
	case M_PROC:
		return proc_walk(&fds);
	case N_METHODS:
		break;
	}
	(void)R;
	return -1;
}

/* ---- the audit's answers, checked ---------------------------------- */

static int addr_is(const struct sockaddr_storage *a, const char *ip,
		   unsigned port)
{
	struct sockaddr_storage want;

	sockaddr_of(ip, port, &want);
	if (a->ss_family != want.ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)&want;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)&want;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
}

static void add_mismatch(struct result *R, const struct sock_spec *sp,
			 const char *what)
{
	size_t len = strlen(R->mismatch);

	if (len + 80 >= sizeof(R->mismatch))
		return;
	snprintf(R->mismatch + len, sizeof(R->mismatch) - len, "%s%s %s:%u %s",
		 len ? "; " : "", sp->udp ? "udp" : "tcp", sp->ip, sp->port, what);
}

/* One run of the library: every socket of the table must be listed once,
   with the verdict it was built for, its options read (root). */
static void check_lib(struct result *R)
{
	struct pb_audit *a = NULL;
	size_t n, i, s;
	int last_pid = -1;

	if (pb_audit_run(-1, 0, &a) < 0) {
		snprintf(R->mismatch, sizeof(R->mismatch), "pb_audit_run: %s",
			 strerror(errno));
		R->lib_entries = -1;
		return;
	}
	n = pb_audit_count(a);
	R->lib_entries = (long)n;
	for (i = 0; i < n; i++) {
		struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;

		if (pb_audit_get(a, i, &e) < 0)
			continue;
		if (e.verdict >= 0 && e.verdict < 4)
			R->lib_v[e.verdict]++;
		if (e.pid != last_pid)
			R->lib_services++;	/* each service's entries together */
		last_pid = e.pid;
		if (e.options_err == 0)
			R->opt_known++;
	}
	for (s = 0; s < N_SPECS; s++) {
		const struct sock_spec *sp = &specs[s];
		struct pb_audit_entry f = PB_AUDIT_ENTRY_INIT;
		unsigned want_hazards = (sp->reuseport ? PB_HAZARD_SHARED : 0) |
			(sp->port >= RANGE_LO ? PB_HAZARD_EPHEMERAL : 0);
		int hits = 0, v = -1;
		char what[96];

		for (i = 0; i < n; i++) {
			struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;

			if (pb_audit_get(a, i, &e) < 0 ||
			    e.protocol != (sp->udp ? IPPROTO_UDP : IPPROTO_TCP) ||
			    !addr_is(&e.local, sp->ip, sp->port) ||
			    strcmp(e.comm, procs[sp->proc].comm) != 0)
				continue;
			hits++;
			v = e.verdict;
			f = e;
		}
		if (hits != 1) {
			add_mismatch(R, sp, hits ? "listed more than once" :
				     "not listed");
			continue;
		}
		R->found++;
		if ((sp->expect == 'w') == (v == PB_RESTART_WAIT) &&
		    (sp->expect == 'o') == (v == PB_RESTART_OK) &&
		    f.hazards == want_hazards &&
		    (!sp->server_tw || f.n_time_wait == SERVER_TW)) {
			R->agree++;
			continue;
		}
		snprintf(what, sizeof(what), "%s, hazards 0x%x (0x%x meant), "
			 "%u TIME_WAIT", pb_restart_name((enum pb_restart)v),
			 f.hazards, want_hazards, f.n_time_wait);
		add_mismatch(R, sp, what);
	}
	pb_audit_free(a);
}

static long json_num(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* One run of the tool with --json: its counts. */
static void check_tool(struct result *R)
{
	const char *argv[] = { tool_path, "--audit", "--json", NULL };
	const char *c;
	char *out = malloc(OUT_MAX);
	int st = 0;

	R->json_parsed = 0;
	if (!out)
		return;
	if (spawn_capture(argv, SPAWN_MS, out, OUT_MAX, NULL, &st) < 0) {
		free(out);
		return;
	}
	R->json_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	c = strstr(out, "\"counts\":{");
	if (c) {
		R->json_services = json_num(c, "\"services\":");
		R->json_sockets = json_num(c, "\"sockets\":");
		R->json_v[PB_RESTART_FAIL] = json_num(c, "\"fail\":");
		R->json_v[PB_RESTART_WAIT] = json_num(c, "\"wait\":");
		R->json_v[PB_RESTART_UNKNOWN] = json_num(c, "\"unknown\":");
		R->json_v[PB_RESTART_OK] = json_num(c, "\"ok\":");
		R->json_parsed = R->json_sockets >= 0;
	}
	free(out);
}

/*
 * The peak resident size of each command, in KiB.  A process's ru_maxrss
 * carries over an exec the peak of the memory it had before (with
 * posix_spawn's vfork, the spawner's own, here the builder's), so each
 * command is started by a fresh, small `auditscale rss`, which prints the
 * command's ru_maxrss; `auditscale rss true` gives that floor.
 */
static long peak_of(const char *const cmd[])
{
	const char *argv[8] = { self_path, "rss" };
	char out[64] = "";
	size_t i;

	for (i = 0; cmd[i] && i + 3 < 8; i++)
		argv[i + 2] = cmd[i];
	argv[i + 2] = NULL;
	if (spawn_capture(argv, SPAWN_MS, out, sizeof(out), NULL, NULL) < 0)
		return -1;
	return strtol(out, NULL, 10);
}

static void peaks(struct result *R)
{
	const char *ss_tanp[] = { "ss", "-tanp", NULL };
	const char *ss_tan[] = { "ss", "-tan", NULL };
	const char *tool[] = { tool_path, "--audit", NULL };
	const char *json[] = { tool_path, "--audit", "--json", NULL };
	const char *once[] = { self_path, "once", NULL };
	const char *floor_cmd[] = { "true", NULL };

	if (R->have_ss) {
		R->maxrss[M_SS] = peak_of(ss_tanp);
		R->maxrss[M_SS_NOP] = peak_of(ss_tan);
	}
	if (R->have_tool) {
		R->maxrss[M_TOOL] = peak_of(tool);
		R->maxrss[M_JSON] = peak_of(json);
	}
	R->maxrss[M_LIB] = peak_of(once);
	R->floor_maxrss = peak_of(floor_cmd);
}

/* ---- the child: namespace, table, timings --------------------------- */

static void child(struct result *R)
{
	static double t[N_METHODS][MAX_RUNS];
	struct rlimit rl;
	pid_t kids[N_PROCS];
	int nk = 0, j, ready_pipe[2] = { -1, -1 }, stop_pipe[2] = { -1, -1 }, round;
	unsigned got = 0;
	double deadline;
	size_t i;

	for (j = 0; j < N_PROCS; j++)
		chan[j][0] = chan[j][1] = -1;
	if (netns_private() < 0) {
		snprintf(R->err, sizeof(R->err), "private network namespace: %s",
			 strerror(errno));
		return;
	}
	if (sysctl_write("/proc/sys/net/ipv4/ip_local_port_range", RANGE) < 0 ||
	    sysctl_write("/proc/sys/net/ipv4/tcp_max_tw_buckets", "262144") < 0 ||
	    sysctl_write("/proc/sys/net/ipv4/tcp_tw_reuse", "0") < 0) {
		snprintf(R->err, sizeof(R->err), "sysctl: %s", strerror(errno));
		return;
	}
	/* The most a holder keeps is a client's PAIRS / N_CLIENTS. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    rl.rlim_cur < PAIRS / N_CLIENTS + N_SPECS + 64) {
		snprintf(R->err, sizeof(R->err), "RLIMIT_NOFILE %lu: below %lu",
			 (unsigned long)rl.rlim_cur,
			 (unsigned long)(PAIRS / N_CLIENTS + N_SPECS + 64));
		return;
	}
	if (open_specs(R) < 0)
		return;

	/* The processes first: each keeps its own sockets and takes its
	   connections as the builder makes them. */
	if (pipe2(ready_pipe, O_CLOEXEC) < 0 || pipe2(stop_pipe, O_CLOEXEC) < 0) {
		snprintf(R->err, sizeof(R->err), "pipe: %s", strerror(errno));
		goto out;
	}
	for (j = 0; j < N_PROCS; j++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan[j]) < 0) {
			snprintf(R->err, sizeof(R->err), "socketpair: %s",
				 strerror(errno));
			goto out;
		}
	}
	for (j = 0; j < N_PROCS; j++) {
		pid_t pid;

		if (procs[j].parent != -1)
			continue;
		pid = fork_child(WATCHDOG_S);
		if (pid == 0) {
			close(ready_pipe[0]);
			close(stop_pipe[1]);
			ready_w = ready_pipe[1];
			stop_r = stop_pipe[0];
			holder(j);
		}
		if (pid < 0) {
			snprintf(R->err, sizeof(R->err), "fork: %s", strerror(errno));
			goto out;
		}
		kids[nk++] = pid;
	}
	close(ready_pipe[1]);
	ready_pipe[1] = -1;
	close(stop_pipe[0]);
	stop_pipe[0] = -1;
	for (j = 0; j < N_PROCS; j++) {
		close(chan[j][1]);
		chan[j][1] = -1;
	}
	if (build(R) < 0)
		goto out;
	for (i = 0; i < N_SPECS; i++) {	/* the services hold them now */
		close(sfd[i]);
		sfd[i] = -1;
	}
	for (j = 0; j < N_PROCS; j++) {	/* EOF: all handed over */
		close(chan[j][0]);
		chan[j][0] = -1;
	}
	deadline = now_ms() + 20000;
	while (got < N_PROCS && now_ms() < deadline) {
		struct pollfd p = { .fd = ready_pipe[0], .events = POLLIN };
		char buf[N_PROCS];
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(ready_pipe[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		got += (unsigned)n;
	}
	if (got < N_PROCS) {
		snprintf(R->err, sizeof(R->err), "%u of %d processes ready", got,
			 N_PROCS);
		goto out;
	}

	/* The audit checked once, then the rounds. */
	take_census(R, 0);
	check_lib(R);
	if (R->have_tool)
		check_tool(R);
	proc_walk(&R->fds_walked);
	peaks(R);
	for (round = 0; round <= runs; round++) {
		int k;

		if (round > 1 && now_ms() - tw_start_ms > TW_LIFE_MS)
			break;	/* the table would shrink under the next */
		for (k = 0; k < N_METHODS; k++) {
			enum method m = (enum method)((k + round) % N_METHODS);
			double t0;
			long r;

			if (((m == M_SS || m == M_SS_NOP) && !R->have_ss) ||
			    ((m == M_TOOL || m == M_JSON) && !R->have_tool))
				continue;
			t0 = now_ms();
			r = run_method(R, m);
			if (round == 0)	/* the warm-up */
				continue;
			t[m][round - 1] = now_ms() - t0;
			R->runs = round;
			R->out[m] = r;
			if (m == M_TOOL)
				R->tool_status = (int)r;
		}
	}
	take_census(R, 1);
	for (j = 0; j < N_METHODS; j++) {
		R->med[j] = median(t[j], (size_t)R->runs);	/* sorted: [0] is the min */
		R->min[j] = t[j][0];
	}
	R->done = R->runs > 0;
	if (!R->done)
		snprintf(R->err, sizeof(R->err), "no timed round before the "
			 "TIME_WAIT began to expire");
out:
	for (i = 0; i < N_SPECS; i++)
		if (sfd[i] >= 0)
			close(sfd[i]);
	for (j = 0; j < N_PROCS; j++) {
		if (chan[j][0] >= 0)
			close(chan[j][0]);
		if (chan[j][1] >= 0)
			close(chan[j][1]);
	}
	if (stop_pipe[1] >= 0)
		close(stop_pipe[1]);	/* every holder sees EOF and exits */
	if (stop_pipe[0] >= 0)
		close(stop_pipe[0]);
	if (ready_pipe[1] >= 0)
		close(ready_pipe[1]);
	for (j = 0; j < nk; j++)
		reap(kids[j], 10000);
	if (ready_pipe[0] >= 0)
		close(ready_pipe[0]);
}

/* ---- report ------------------------------------------------------------- */

static void ratio_cell(char *buf, size_t n, double x, double base)
{
	if (x <= 0 || base <= 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.2f×", x / base);
}

static const char *kib(long k, char *buf, size_t n)
{
	if (k <= 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f MiB", (double)k / 1024);
	return buf;
}

static void report(const struct result *R)
{
	struct utsname u;
	char a[64], b[64], c[96], ss_why[400] = "";
	unsigned lo = 65535, hi = 0;
	size_t i;
	int m;

	for (i = 0; i < N_SPECS; i++) {
		if (specs[i].udp)
			continue;
		lo = specs[i].port < lo ? specs[i].port : lo;
		hi = specs[i].port > hi ? specs[i].port : hi;
	}
	uname(&u);
	printf("Kernel %s; %s. A private network namespace holding %ld TCP "
	       "sockets (%ld listeners; %ld established connections, both ends "
	       "held by %d processes: 6 services, web with 2 workers, and %d "
	       "clients; %ld TIME_WAIT, %d of them server-side on 127.0.0.1:8080 "
	       "(SO_REUSEADDR) and %d on 0.0.0.0:9000 (no SO_REUSEADDR)) and %ld "
	       "UDP sockets; built in %.1f s. Every process's descriptors: %ld "
	       "(the host's other processes too: `ss -p` and the audit walk them "
	       "all). Medians and minimums of %d runs (each method once a round, "
	       "the order rotated, after a warm-up round%s), in ms; output to "
	       "/dev/null.\n\n",
	       u.release, R->have_ss ? R->ss_version : "ss: not installed",
	       R->rows[0], R->listen[0], R->estab[0] / 2, N_PROCS, N_CLIENTS,
	       R->tw[0], SERVER_TW, SERVER_TW, R->udp_rows[0], R->build_s,
	       R->fds_walked, R->runs, R->runs < runs ?
	       "; fewer rounds than asked: they stop 50 s after the first "
	       "TIME_WAIT, before any expires" : "");
	printf("| what | median | min | / ss -tanp | peak RSS | answer |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (m = 0; m < N_METHODS; m++) {
		if (((m == M_SS || m == M_SS_NOP) && !R->have_ss) ||
		    ((m == M_TOOL || m == M_JSON) && !R->have_tool)) {
			printf("| %s | not run | | | | %s |\n", method_label[m],
			       m != M_TOOL && m != M_JSON ? "ss: not installed" :
			       "the tool: not built or no --audit");
			continue;
		}
		ratio_cell(a, sizeof(a), R->med[m], R->have_ss ? R->med[M_SS] : 0);
		kib(R->maxrss[m], b, sizeof(b));
		switch (m) {
		case M_SS:
		case M_SS_NOP:
			snprintf(c, sizeof(c), "exit %ld", R->out[m]);
			break;
		case M_TOOL:
		case M_JSON:
			snprintf(c, sizeof(c), "exit %ld%s", R->out[m],
				 R->out[m] == 1 ? ": some service would not "
				 "restart at once" : "");
			break;
		case M_LIB:
			snprintf(c, sizeof(c), "%ld entries; peak RSS of "
				 "`auditscale once`, a fresh process", R->out[m]);
			break;
		case M_DUMP:
			snprintf(c, sizeof(c), "%ld rows", R->out[m]);
			break;
		default:
			snprintf(c, sizeof(c), "%ld sockets among the "
				 "descriptors", R->out[m]);
			break;
		}
		printf("| %s | %.1f | %.1f | %s | %s | %s |\n", method_label[m],
		       R->med[m], R->min[m], m == M_SS ? "1 (baseline)" : a, b, c);
	}
	printf("\nPeak RSS: the ru_maxrss of each command, one run with the "
	       "table full, started by a fresh `auditscale rss` (the peak a "
	       "process had before its exec counts: this keeps it small; "
	       "`true` started so: %s).\n", kib(R->floor_maxrss, b, sizeof(b)));
	printf("\nThe table at the start and at the end of the timings "
	       "(sock_diag): %ld/%ld TCP rows, %ld/%ld TIME_WAIT, %ld/%ld "
	       "established, %ld/%ld listening, %ld/%ld in other states; "
	       "%ld/%ld UDP rows.\n\n", R->rows[0], R->rows[1], R->tw[0], R->tw[1],
	       R->estab[0], R->estab[1], R->listen[0], R->listen[1],
	       R->other[0], R->other[1], R->udp_rows[0], R->udp_rows[1]);
	printf("**The audit's answer** (checked once before the timings): "
	       "pb_audit_run listed %ld sockets in %ld services (fail %ld, wait "
	       "%ld, unknown %ld, ok %ld), options read for %ld; of the %zu "
	       "sockets the bench made, %ld listed once (by address and service), "
	       "%ld as they were built (verdict: wait for legacyd's TCP, ok for "
	       "the rest; hazards: shared for 5353/udp, ephemeral for 50051, "
	       "none for the rest; "
	       "all %d TIME_WAIT on 8080 and 9000 counted)%s%s.",
	       R->lib_entries, R->lib_services, R->lib_v[PB_RESTART_FAIL],
	       R->lib_v[PB_RESTART_WAIT], R->lib_v[PB_RESTART_UNKNOWN],
	       R->lib_v[PB_RESTART_OK], R->opt_known, N_SPECS, R->found, R->agree,
	       SERVER_TW, R->mismatch[0] ? ": " : "", R->mismatch);
	if (R->have_tool && R->json_parsed)
		printf(" `portbind-why --audit --json`: exit %d, counts: %ld "
		       "services, %ld sockets, fail %ld, wait %ld, unknown %ld, "
		       "ok %ld.", R->json_status, R->json_services,
		       R->json_sockets, R->json_v[PB_RESTART_FAIL],
		       R->json_v[PB_RESTART_WAIT], R->json_v[PB_RESTART_UNKNOWN],
		       R->json_v[PB_RESTART_OK]);
	else if (R->have_tool)
		printf(" `portbind-why --audit --json`: exit %d, no \"counts\" "
		       "in its output.", R->json_status);
	if (R->have_ss)
		snprintf(ss_why, sizeof(ss_why), "`ss -tan` formats all %ld rows "
			 "(%.1f ms); `-p` adds %.1f ms, the descriptor walk and, for "
			 "each row, a lookup in iproute2's 256-bucket owner hash "
			 "(misc/ss.c, USER_ENT_HASH_SIZE) that holds every socket "
			 "descriptor.", R->rows[0], R->med[M_SS_NOP],
			 R->med[M_SS] - R->med[M_SS_NOP]);
	printf("\n\n**Where the time goes**: any of these answers walks the "
	       "kernel's table (one sock_diag dump of everything: %.1f ms) and "
	       "every process's descriptors (%ld readlinks: %.1f ms). "
	       "`pb_audit_run` (%.1f ms) makes the same two walks: three "
	       "sock_diag requests (the listening TCP sockets, the bound UDP "
	       "ones, then every other TCP row whose local port lies between "
	       "the lowest and the highest listening port, here %u-%u: most "
	       "of the table), one readlink per descriptor matched against a "
	       "hash of the rows it kept, then one pidfd_getfd and its "
	       "getsockopt calls per listed socket. "
	       "%s\n", R->med[M_DUMP], R->fds_walked, R->med[M_PROC],
	       R->med[M_LIB], lo, hi, ss_why);
}

static void targets(const struct result *R)
{
	static const enum method which[] = { M_TOOL, M_JSON, M_LIB };
	static const char *const fig[] = {
		"restart audit, 100k TCP sockets: `portbind-why --audit` vs one `ss -tanp`",
		"restart audit, 100k TCP sockets: `portbind-why --audit --json` vs one `ss -tanp`",
		"restart audit, 100k TCP sockets: `pb_audit_run` vs one `ss -tanp`",
	};
	char meas[160];
	size_t i;

	for (i = 0; i < 3; i++) {
		enum method m = which[i];
		double x;

		if (!R->done) {
			target_line(fig[i], "≤ 1.5× one ss -tanp", "not measured",
				    "n/a", "%s", R->err);
			continue;
		}
		if (!R->have_ss) {
			target_line(fig[i], "≤ 1.5× one ss -tanp", "no baseline",
				    "n/a", "ss: not installed");
			continue;
		}
		if (m != M_LIB && !R->have_tool) {
			target_line(fig[i], "≤ 1.5× one ss -tanp", "not run", "n/a",
				    "the tool is not built or has no --audit");
			continue;
		}
		x = R->med[m] / R->med[M_SS];
		snprintf(meas, sizeof(meas), "%.2f× (%.1f vs %.1f ms)", x,
			 R->med[m], R->med[M_SS]);
		if (R->out[m] < 0)
			target_line(fig[i], "≤ 1.5× one ss -tanp", meas, "MISS",
				    "it failed (killed, or an error)");
		else if (x <= 1.5)
			target_line(fig[i], "≤ 1.5× one ss -tanp", meas, "PASS", NULL);
		else
			target_line(fig[i], "≤ 1.5× one ss -tanp", meas, "MISS",
				    "%.2f× where 1.5× is allowed; the table's walk "
				    "%.1f ms, the descriptors' %.1f ms", x,
				    R->med[M_DUMP], R->med[M_PROC]);
	}
	if (R->done) {
		char m2[200];
		int ok = R->found == (long)N_SPECS && R->agree == (long)N_SPECS;

		snprintf(m2, sizeof(m2), "%ld of %zu listed once, %ld of %zu as built",
			 R->found, N_SPECS, R->agree, N_SPECS);
		target_line("restart audit on the bench's table: every socket, its verdict",
			    "all listed once, the verdicts they were built for", m2,
			    ok ? "PASS" : "MISS", ok ? NULL : "%s", R->mismatch);
	}
}

static void find_paths(void)
{
	const char *tool = getenv("PB_BENCH_AUDIT_TOOL");
	char exe[PATH_MAX - 32], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return;
	exe[n] = '\0';
	snprintf(self_path, sizeof(self_path), "%s", exe);
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(tool_path, sizeof(tool_path), "%s/../tools/portbind-why", exe);
	if (tool && *tool)
		snprintf(tool_path, sizeof(tool_path), "%s", tool);
}

/* Does the tool know --audit?  Its usage errors exit 2. */
static int tool_has_audit(void)
{
	const char *argv[] = { tool_path, "--audit", "--json", NULL };
	char out[64];
	int st = 0;

	if (access(tool_path, X_OK) < 0)
		return 0;
	if (spawn_capture(argv, SPAWN_MS, out, sizeof(out), NULL, &st) < 0)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) != 2 && out[0] == '{';
}

int main(int argc, char **argv)
{
	struct result *R;
	const char *e = getenv("PB_BENCH_AUDIT_RUNS");
	long tw0;
	pid_t pid;

	if (argc == 2 && strcmp(argv[1], "once") == 0) {
		long n = lib_audit();

		printf("%ld\n", n);
		return n < 0;
	}
	if (argc >= 3 && strcmp(argv[1], "rss") == 0) {
		struct rusage ru;
		int st = spawn_null((const char *const *)argv + 2, SPAWN_MS, &ru);

		printf("%ld\n", st >= 0 && WIFEXITED(st) ? ru.ru_maxrss : -1L);
		return 0;
	}
	if (e && atoi(e) > 0)
		runs = atoi(e) > MAX_RUNS ? MAX_RUNS : atoi(e);
	setvbuf(stdout, NULL, _IOLBF, 0);
	find_paths();
	R = shared_alloc(sizeof(*R));
	tw0 = tw_alive();
	if (geteuid() != 0) {
		printf("skipped: not root (a private network namespace, and "
		       "100k sockets with their limits, need root)\n");
		target_line("restart audit, 100k TCP sockets: vs one `ss -tanp`",
			    "≤ 1.5× one ss -tanp", "not measured", "n/a",
			    "not root");
		return 0;
	}
	R->have_ss = have_program("ss");
	if (R->have_ss) {
		const char *v[] = { "ss", "-V", NULL };

		spawn_capture(v, SPAWN_MS, R->ss_version, sizeof(R->ss_version),
			      NULL, NULL);
		R->ss_version[strcspn(R->ss_version, "\n")] = '\0';
	}
	pid = fork_child(WATCHDOG_S);
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		/* The tool's check runs in the namespace: a bare one answers
		   fast (the host's own table may be big). */
		if (netns_private() == 0)
			R->have_tool = tool_has_audit();
		_exit(0);
	}
	reap(pid, 40000);
	pid = fork_child(WATCHDOG_S);
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		child(R);
		_exit(0);
	}
	if (reap(pid, (WATCHDOG_S + 5) * 1000.0) < 0 && !R->err[0])
		snprintf(R->err, sizeof(R->err), "killed by the watchdog");
	if (!R->done) {
		fprintf(stderr, "auditscale: %s\n", R->err);
		printf("Not measured: %s\n\n", R->err);
	} else {
		report(R);
	}
	targets(R);
	/* Let the namespace's TIME_WAIT go before anything else runs: they
	   stay in the shared hash table until purged. */
	if (tw0 >= 0)
		wait_tw_below(tw0 + 500, 20000);
	return R->done ? 0 : 1;
}

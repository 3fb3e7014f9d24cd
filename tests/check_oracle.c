/* SPDX-License-Identifier: MIT */
/*
 * check_oracle.c - the kernel as the test oracle of pb_diagnose.
 *
 * A seeded generator (splitmix64; the seed is printed) builds a scenario
 * of 1 to 5 real sockets that all hold one port P, in a private network
 * namespace: TCP listeners, bound-only sockets, accepted and outbound
 * connections (the client bound to P, or given P as its ephemeral port),
 * FIN_WAIT2 (kept, or orphaned by its owner), TIME_WAIT from either side,
 * UDP bound and connected; on 127.0.0.1, 127.0.0.2, 0.0.0.0, ::1, [::]
 * IPv6-only and dual-stack, and ::ffff:127.0.0.1; with and without
 * SO_REUSEADDR and SO_REUSEPORT.  Their peers use other ports.  A recipe
 * whose bind (listen, connect) the kernel refuses is dropped: that refusal
 * is the kernel talking.
 *
 * Then, for every address a server could ask for (0.0.0.0:P, 127.0.0.1:P,
 * 127.0.0.2:P, [::1]:P, [::]:P IPv6-only, *:P dual-stack and
 * [::ffff:127.0.0.1]:P), TCP and UDP, as root and as uid 65534, a forked
 * child asks the kernel (a plain bind, an SO_REUSEADDR bind, an
 * SO_REUSEADDR+SO_REUSEPORT bind, an SO_REUSEADDR bind+listen) and the
 * library (pb_diagnose_spec, pb_diagnose on the sockaddr, pb_listen or
 * pb_bind_udp and its why), through sock_diag and through /proc
 * (PB_DIAG_NO_NETLINK).  What must hold:
 *  - the cause is "none" exactly when the plain bind succeeds;
 *  - reuseaddr_helps is the SO_REUSEADDR bind's outcome (-1 allowed with
 *    "none", where no probe is made); reuseport_helps, when not -1, is the
 *    SO_REUSEADDR+SO_REUSEPORT bind's outcome, asked just before and just
 *    after the call: the kernel's answer there depends on the binds made
 *    at the port before (its SO_REUSEPORT fast path, tb->fastreuseport),
 *    so when the two differ it is not held, and counted;
 *  - pb_listen (pb_bind_udp) succeeds exactly when the kernel's bind+listen
 *    with SO_REUSEADDR (plain bind) does, and its why is then not "none";
 *  - the counts, the cause and every stored holder are those of the
 *    sockets that really hold the target.  Which those are is asked of the
 *    kernel too, not of a rule written here: each recipe is built again
 *    alone in a second fresh namespace, and a plain bind of the target
 *    beside it says whether it holds it.  The counts follow the library's
 *    documented precedence (lib/diag.c, pb_diagnose(3)): a listener
 *    settles it and then only listeners are counted; then bound,
 *    connected (every live TCP state, FIN_WAIT2 included), time-wait.
 *    TCP sockets that are bound and not listening are never listed in
 *    /proc, and through netlink may be missing beside other holders (they
 *    are asked for only when nothing else shows): then either all of them
 *    or none are counted.  IPv6 sockets whose IPV6_V6ONLY the table hides
 *    are settled by portbind(7)'s four rules ("Dual stack"), whose probes
 *    the oracle asks the kernel at the same moment: one such socket that
 *    rule 2 or 3 settles is held to the truth (those rules claim to be
 *    exact); rule 4 (a presumption) and several hidden sockets of one kind
 *    (settled together) are held to the documented answer, and counted
 *    (settle_rows());
 *  - time_wait_ms is within 60 s when a TIME_WAIT is counted, else 0; the
 *    /proc runs read no netlink, the others found their holders through it.
 * Every namespace gets TCP and UDP hash tables of its own (private_tables),
 * so that a scenario costs tens of milliseconds whatever the host holds.
 *
 * A disagreement is shrunk: the scenario is rebuilt without one socket at a
 * time (fresh namespaces) while the same disagreement persists, and the
 * smallest is printed with its seed, P and the verdict diff, as steps a
 * person can follow by hand.
 *
 * make check runs fixed seeds and a table of hand-written scenarios (the
 * smallest of each class of disagreement found so far), a few seconds in
 * all; make check-long runs PB_ORACLE_SEEDS=N seeds from
 * PB_ORACLE_BASE (fixed in the Makefile; run from the test binary without
 * it, from the clock, printed); PB_ORACLE_SEED=S runs
 * one seed, printing its scenario and every verdict (PB_ORACLE_VERBOSE=1
 * prints them for any run).  Needs root (namespaces, uid 65534): skipped
 * otherwise, with the reason and the count of scenarios not run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define NOBODY 65534
#define MAXR 5			/* sockets in one scenario */
#define NT 7			/* targets */
#define NTYPE 2			/* TCP, UDP */
#define NUID 2			/* root, NOBODY */
#define NMODE 2			/* netlink, /proc */
#define MAXMIS 64		/* disagreements kept per run */

/* ---- a small PRNG of our own: splitmix64 */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rng_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rng_next(s) % n);
}

/* ---- local addresses of the scenario's sockets */

enum { A_V4_1, A_V4_2, A_V4_ANY, A_V6_1, A_V6_ANY_ONLY, A_V6_ANY_DUAL,
       A_MAPPED, N_ADDR };

static const struct {
	const char *ip;		/* what bind() gets */
	int v6only;		/* IPV6_V6ONLY set before bind; -1 leave */
	const char *name;	/* for people */
} addrs[N_ADDR] = {
	[A_V4_1] = { "127.0.0.1", -1, "127.0.0.1" },
	[A_V4_2] = { "127.0.0.2", -1, "127.0.0.2" },
	[A_V4_ANY] = { "0.0.0.0", -1, "0.0.0.0" },
	[A_V6_1] = { "::1", -1, "[::1]" },
	[A_V6_ANY_ONLY] = { "::", 1, "[::] v6only" },
	[A_V6_ANY_DUAL] = { "::", 0, "[::] dual-stack" },
	[A_MAPPED] = { "::ffff:127.0.0.1", 0, "[::ffff:127.0.0.1] (dual-stack socket)" },
};

/* The other end of a connection: 127.0.0.1, 127.0.0.2 or ::1. */
enum { E_V4_1, E_V4_2, E_V6_1 };
static const char *const ends[] = { "127.0.0.1", "127.0.0.2", "::1" };

/* An AF_INET6 socket reaches an IPv4 end through its mapped form. */
static const char *end_for(int end, int local_addr)
{
	static const char *const mapped[] = { "::ffff:127.0.0.1",
					      "::ffff:127.0.0.2" };

	if (end != E_V6_1 && local_addr >= A_V6_1)
		return mapped[end];
	return ends[end];
}

/* Ends a socket at addr can reach as a client (P is the client's). */
static int client_ends(int a, int *out)
{
	switch (a) {
	case A_V4_1: case A_V4_2: case A_V4_ANY: case A_MAPPED:
		out[0] = E_V4_1; out[1] = E_V4_2;
		return 2;
	case A_V6_1: case A_V6_ANY_ONLY:
		out[0] = E_V6_1;
		return 1;
	default:
		out[0] = E_V6_1; out[1] = E_V4_1; out[2] = E_V4_2;
		return 3;
	}
}

/* Addresses a client can reach a listener at addr on (the accepted
   socket's local address). */
static int server_ends(int a, int *out)
{
	switch (a) {
	case A_V4_1: case A_MAPPED:
		out[0] = E_V4_1;
		return 1;
	case A_V4_2:
		out[0] = E_V4_2;
		return 1;
	case A_V4_ANY:
		out[0] = E_V4_1; out[1] = E_V4_2;
		return 2;
	case A_V6_1: case A_V6_ANY_ONLY:
		out[0] = E_V6_1;
		return 1;
	default:
		out[0] = E_V6_1; out[1] = E_V4_1; out[2] = E_V4_2;
		return 3;
	}
}

/* ---- recipes */

/* A connection to a listener in an SO_REUSEPORT group may be given to
   another member: the client then tries again from the next port. */
#define PEER_TRIES 8
#define PEER_PORT(P, slot) ((P) + 1 + (PEER_TRIES + 1) * (slot))

enum { K_LISTEN, K_BOUND, K_ACCEPTED, K_CLIENT, K_FW2, K_FW2_ORPHAN, K_TW,
       K_UDP_BOUND, K_UDP_CONN, N_KIND };

struct recipe {
	int kind;
	int addr;		/* A_* */
	int reuseaddr, reuseport;
	int client_side;	/* P is the client's (K_CLIENT: always) */
	int ephemeral;		/* client side: P given by connect() */
	int end;		/* E_*: the other end's address */
	unsigned slot;		/* the recipe's index at generation: its peers
				   use ports PEER_PORT(P, slot) + 0..PEER_TRIES */
};

static int is_tcp(const struct recipe *r)
{
	return r->kind != K_UDP_BOUND && r->kind != K_UDP_CONN;
}

static int has_peer(const struct recipe *r)
{
	return r->kind != K_LISTEN && r->kind != K_BOUND &&
	       r->kind != K_UDP_BOUND;
}

static void gen_recipe(uint64_t *s, unsigned slot, struct recipe *r)
{
	int e[3], n;

	memset(r, 0, sizeof(*r));
	r->slot = slot;
	r->kind = (int)rng_below(s, N_KIND);
	r->addr = (int)rng_below(s, N_ADDR);
	r->reuseaddr = (int)rng_below(s, 2);
	r->reuseport = (int)rng_below(s, 2);
	if (r->kind == K_CLIENT || r->kind == K_UDP_CONN)
		r->client_side = 1;
	else if (r->kind == K_FW2 || r->kind == K_FW2_ORPHAN || r->kind == K_TW)
		r->client_side = (int)rng_below(s, 2);
	if (r->client_side && r->kind != K_UDP_CONN)
		r->ephemeral = (int)rng_below(s, 2);
	n = r->client_side ? client_ends(r->addr, e) : server_ends(r->addr, e);
	r->end = e[rng_below(s, (unsigned)n)];
}

static const char *const kind_names[] = {
	[K_LISTEN] = "tcp listener",
	[K_BOUND] = "tcp bound, not listening",
	[K_ACCEPTED] = "tcp accepted connection (listener closed after accept)",
	[K_CLIENT] = "tcp outbound connection",
	[K_FW2] = "tcp FIN_WAIT2 (shutdown(SHUT_WR), the peer does not close)",
	[K_FW2_ORPHAN] = "tcp orphaned FIN_WAIT2 (shutdown, then close)",
	[K_TW] = "tcp TIME_WAIT (this side closed first)",
	[K_UDP_BOUND] = "udp bound",
	[K_UDP_CONN] = "udp connected",
};

static void describe(const struct recipe *r, unsigned P, char *buf, size_t size)
{
	unsigned q = PEER_PORT(P, r->slot);
	int n;

	n = snprintf(buf, size, "%s; ", kind_names[r->kind]);
	if (!has_peer(r) || !r->client_side) {
		n += snprintf(buf + n, size - (size_t)n, "%s bound to %s port P",
			      r->kind == K_LISTEN || r->kind == K_BOUND ||
			      r->kind == K_UDP_BOUND ? "socket" : "P side: listener",
			      addrs[r->addr].name);
		if (has_peer(r))
			n += snprintf(buf + n, size - (size_t)n,
				      "; client from %s:%u (or the next ports) "
				      "connects to %s:P",
				      ends[r->end], q, ends[r->end]);
	} else {
		if (r->ephemeral)
			n += snprintf(buf + n, size - (size_t)n,
				      "P side: %s socket%s, P from connect() "
				      "(IP_LOCAL_PORT_RANGE P-P)",
				      addrs[r->addr].name,
				      r->addr == A_V4_ANY || r->addr == A_V6_ANY_ONLY ||
				      r->addr == A_V6_ANY_DUAL ? ", unbound"
				      : " bound with IP_BIND_ADDRESS_NO_PORT");
		else
			n += snprintf(buf + n, size - (size_t)n,
				      "P side: client bound to %s port P",
				      addrs[r->addr].name);
		n += snprintf(buf + n, size - (size_t)n, ", connects to %s:%u%s",
			      end_for(r->end, r->addr),
			      r->kind == K_UDP_CONN ? q : q + PEER_TRIES,
			      r->kind == K_UDP_CONN ? "" : " (a listener there)");
	}
	snprintf(buf + n, size - (size_t)n, "%s%s", r->reuseaddr ? "; SO_REUSEADDR" : "",
		 r->reuseport ? "; SO_REUSEPORT" : "");
}

/* ---- building a recipe for real */

/* What a built recipe left on port P. */
struct built {
	int ok;			/* 1 built, 0 dropped by the kernel, -1 setup error */
	int err;		/* dropped: the errno of the refused call */
	int state;		/* enum pb_tcp_state */
	int protocol;
	struct sockaddr_storage local;
	char note[160];
};

static int sock_for(int family, int type, int v6only, int ra, int rp)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		return -1;
	if ((ra && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) ||
	    (rp && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0) ||
	    (family == AF_INET6 && v6only >= 0 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* No ck_assert here: this runs in forked children. */
static socklen_t fill(struct sockaddr_storage *ss, const char *ip, unsigned port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			abort();
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			abort();
		return sizeof(*s4);
	}
}

static int family_of(const char *ip)
{
	return strchr(ip, ':') ? AF_INET6 : AF_INET;
}

static int bind_to(int fd, const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = fill(&ss, ip, port);

	return bind(fd, (struct sockaddr *)&ss, len);
}

static int connect_to(int fd, const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = fill(&ss, ip, port);

	return connect(fd, (struct sockaddr *)&ss, len);
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return ti.tcpi_state;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Bounded: 2 s. */
static int wait_state(int fd, int state)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (tcp_state(fd) == state)
			return 0;
		sleep_ms(1);
	}
	return -1;
}

static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1 ? 0 : -1;
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

#define SETUP_FAIL(...) do { snprintf(b->note, sizeof(b->note), __VA_ARGS__); \
	b->ok = -1; goto out; } while (0)
#define DROP(what) do { b->ok = 0; b->err = errno; \
	snprintf(b->note, sizeof(b->note), "%s: %s", (what), strerror(errno)); \
	goto out; } while (0)

/*
 * Build r on port P; the sockets to keep go to keep[0..2] (-1: none).
 * b says what is left on P.  Runs inside a scenario's namespace.
 */
static void build(const struct recipe *r, unsigned P, struct built *b, int keep[3])
{
	const char *lip = addrs[r->addr].ip;
	int fam = family_of(lip), v6only = addrs[r->addr].v6only;
	int type = is_tcp(r) ? SOCK_STREAM : SOCK_DGRAM;
	unsigned q = PEER_PORT(P, r->slot);
	int s = -1, peer = -1, l = -1, k;
	socklen_t len = sizeof(b->local);
	char c;

	memset(b, 0, sizeof(*b));
	keep[0] = keep[1] = keep[2] = -1;
	b->protocol = is_tcp(r) ? IPPROTO_TCP : IPPROTO_UDP;
	b->state = PB_TCP_ESTABLISHED;

	if (!is_tcp(r)) {
		s = sock_for(fam, type, v6only, r->reuseaddr, r->reuseport);
		if (s < 0)
			SETUP_FAIL("socket: %s", strerror(errno));
		if (bind_to(s, lip, P) < 0)
			DROP("bind");
		if (r->kind == K_UDP_CONN) {
			if (connect_to(s, end_for(r->end, r->addr), q) < 0)
				DROP("connect");
		} else {
			b->state = PB_TCP_CLOSE;
		}
		goto done;
	}

	if (!r->client_side) {
		s = sock_for(fam, type, v6only, r->reuseaddr, r->reuseport);
		if (s < 0)
			SETUP_FAIL("socket: %s", strerror(errno));
		if (bind_to(s, lip, P) < 0)
			DROP("bind");
		if (r->kind == K_BOUND) {
			b->state = PB_TCP_CLOSE;
			goto done;
		}
		/* A server's backlog: the diagnosis may knock (a connection
		   reset at once, left in the queue since nobody accepts). */
		if (listen(s, SOMAXCONN) < 0)
			DROP("listen");
		if (r->kind == K_LISTEN) {
			b->state = PB_TCP_LISTEN;
			goto done;
		}
		/* A client from the end's own address, port q.  Another
		   listener of an SO_REUSEPORT group may be given the
		   connection: the client resets it (which frees the child in
		   that listener's queue) and tries from the next port. */
		l = s;
		s = -1;
		for (k = 0; k < PEER_TRIES && s < 0; k++) {
			struct linger lg = { 1, 0 };
			struct pollfd p = { .fd = l, .events = POLLIN };

			peer = sock_for(family_of(ends[r->end]), SOCK_STREAM, -1, 0, 0);
			if (peer < 0 || bind_to(peer, ends[r->end], q + (unsigned)k) < 0 ||
			    connect_to(peer, ends[r->end], P) < 0)
				SETUP_FAIL("client to the listener: %s", strerror(errno));
			if (poll(&p, 1, 50) == 1) {
				s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
				if (s < 0)
					SETUP_FAIL("accept: %s", strerror(errno));
				break;
			}
			setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(peer);
			peer = -1;
		}
		if (s < 0) {
			b->ok = 0;
			snprintf(b->note, sizeof(b->note), "%d connections went to "
				 "another listener", k);
			goto out;
		}
		close(l);
		l = -1;
	} else {
		const char *dst = end_for(r->end, r->addr);
		int on = 1;

		/* The listener the P side connects to, at the end. */
		q += PEER_TRIES;
		l = sock_for(family_of(ends[r->end]), SOCK_STREAM, -1, 0, 0);
		if (l < 0 || bind_to(l, ends[r->end], q) < 0 || listen(l, 8) < 0)
			SETUP_FAIL("peer listener: %s", strerror(errno));
		s = sock_for(fam, type, v6only, r->reuseaddr, r->reuseport);
		if (s < 0)
			SETUP_FAIL("socket: %s", strerror(errno));
		if (r->ephemeral) {
			uint32_t range = P | (P << 16);

			if (setsockopt(s, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range,
				       sizeof(range)) < 0)
				SETUP_FAIL("IP_LOCAL_PORT_RANGE: %s", strerror(errno));
			if (r->addr != A_V4_ANY && r->addr != A_V6_ANY_ONLY &&
			    r->addr != A_V6_ANY_DUAL &&
			    (setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
					sizeof(on)) < 0 || bind_to(s, lip, 0) < 0))
				SETUP_FAIL("bind port 0: %s", strerror(errno));
		} else if (bind_to(s, lip, P) < 0) {
			DROP("bind");
		}
		if (connect_to(s, dst, q) < 0)
			DROP("connect");
		peer = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (peer < 0)
			SETUP_FAIL("peer accept: %s", strerror(errno));
		close(l);
		l = -1;
	}
	if (getsockname(s, (struct sockaddr *)&b->local, &len) < 0)
		SETUP_FAIL("getsockname: %s", strerror(errno));
	if (port_of(&b->local) != P)
		SETUP_FAIL("P side got port %u", port_of(&b->local));
	if (wait_state(s, PB_TCP_ESTABLISHED) < 0)
		SETUP_FAIL("not established");

	switch (r->kind) {
	case K_FW2:
	case K_FW2_ORPHAN:
		b->state = PB_TCP_FIN_WAIT2;
		if (shutdown(s, SHUT_WR) < 0 || wait_state(s, PB_TCP_FIN_WAIT2) < 0)
			SETUP_FAIL("no FIN_WAIT2");
		if (r->kind == K_FW2_ORPHAN) {
			close(s);
			s = -1;
		}
		break;
	case K_TW:
		/* P side closes first; the peer reads EOF, closes its side
		   and waits for the last ACK: P is then in TIME_WAIT. */
		b->state = PB_TCP_TIME_WAIT;
		close(s);
		s = -1;
		if (wait_readable(peer) < 0 || read(peer, &c, 1) != 0 ||
		    shutdown(peer, SHUT_WR) < 0 || wait_state(peer, 7) < 0)
			SETUP_FAIL("no TIME_WAIT");
		close(peer);
		peer = -1;
		break;
	default:
		break;
	}
	goto kept;
done:
	if (getsockname(s, (struct sockaddr *)&b->local, &len) < 0)
		SETUP_FAIL("getsockname: %s", strerror(errno));
kept:
	b->ok = 1;
	keep[0] = s;
	keep[1] = peer;
	return;
out:
	if (s >= 0)
		close(s);
	if (peer >= 0)
		close(peer);
	if (l >= 0)
		close(l);
}

/* ---- targets: what a server could ask for */

static const struct {
	const char *ip;
	int v6only;		/* the IPV6_V6ONLY a server binds it with */
	const char *host;	/* the spec is host:P */
	int by_sockaddr;	/* pb_diagnose on the bare sockaddr means it too
				   (net.ipv6.bindv6only=0 in the namespace) */
} targets[NT] = {
	{ "0.0.0.0", -1, "0.0.0.0", 1 },
	{ "127.0.0.1", -1, "127.0.0.1", 1 },
	{ "127.0.0.2", -1, "127.0.0.2", 1 },
	{ "::1", 1, "[::1]", 1 },
	{ "::", 1, "[::]", 0 },
	{ "::", 0, "*", 1 },
	{ "::ffff:127.0.0.1", 0, "[::ffff:127.0.0.1]", 1 },
};

static void spec_of(int t, unsigned P, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%u", targets[t].host, P);
}

/* 0, or the errno of the refused call. */
static int kernel_bind(int type, int t, unsigned P, int ra, int rp, int do_listen)
{
	int fd = sock_for(family_of(targets[t].ip), type, targets[t].v6only, ra, rp);
	int r = 0;

	if (fd < 0)
		return errno ? errno : EIO;
	if (bind_to(fd, targets[t].ip, P) < 0 || (do_listen && listen(fd, 8) < 0))
		r = errno;
	close(fd);
	return r;
}

/* A plain bind at 127.254.0.1:P, the spare loopback address the library
   probes (portbind(7), "Dual stack", rule 2): 0, or the errno. */
static int spare_bind(int type, unsigned P)
{
	int fd = sock_for(AF_INET, type, -1, 0, 0), r = 0;

	if (fd < 0)
		return errno ? errno : EIO;
	if (bind_to(fd, "127.254.0.1", P) < 0)
		r = errno;
	close(fd);
	return r;
}

/* A bind of ip:P, family of ip, with IPV6_V6ONLY v6only (-1: leave)
   and the options: 0, or the errno. */
static int try_bind(int type, const char *ip, unsigned P, int v6only, int ra, int rp)
{
	int fd = sock_for(family_of(ip), type, v6only, ra, rp), r = 0;

	if (fd < 0)
		return errno ? errno : EIO;
	if (bind_to(fd, ip, P) < 0)
		r = errno;
	close(fd);
	return r;
}

/* The library's probes for hidden rows, asked of the kernel now. */
struct query;
static void hidden_probes(struct query *q, int m, int type, unsigned P);

/* ---- the shared record of one run (MAP_SHARED: children write it) */

enum { API_SPEC, API_ADDR, API_WHY, N_API };

struct query {
	int done;
	char error[96];			/* set when the child could not ask */
	int k_plain, k_ra, k_rp, k_listen;
	int k_spare;			/* plain bind of 127.254.0.1:P */
	/* The library's own probes for hidden rows (portbind(7), "Dual
	   stack", rules 2 and 3), made by the kernel just before each
	   mode's calls: 127.254.0.1:P plain and with SO_REUSEADDR; the
	   pairs 0.0.0.0:P (AF_INET) and [::ffff:0.0.0.0]:P (dual-stack) with
	   no option, SO_REUSEADDR, both; UDP 127.0.0.6:P plain. */
	int pr_spare[NMODE], pr_spare_ra[NMODE], pr_lb6[NMODE];
	int pr_a[NMODE][3], pr_b[NMODE][3];
	/* An SO_REUSEADDR+SO_REUSEPORT bind just before and just after each
	   call of the library: the kernel's answer to it can change with
	   the binds made in between (see rp_settled()). */
	int rp_before[NMODE][N_API], rp_after[NMODE][N_API];
	int lib_ret[NMODE][N_API];
	int opened[NMODE];		/* pb_listen/pb_bind_udp gave an fd */
	int open_errno[NMODE];
	struct pb_diag d[NMODE][N_API];
};

struct shared {
	struct built built[MAXR];
	int owner_readable[NUID];	/* the caller could copy a descriptor
					   of the sockets' owner (pidfd_getfd,
					   portbind(7) rule 4): 1, 0 */
	char scenario_error[160];
	struct query q[NUID][NTYPE][NT];
	int replay_done[MAXR];
	struct built replay[MAXR];
	unsigned replay_held[MAXR];	/* bit type * NT + t: the recipe alone
					   refuses a plain bind of target t */
};

struct run {
	unsigned P;
	int n;				/* recipes */
	struct recipe r[MAXR];
	unsigned active;		/* bit i: recipe i is in this run */
	struct shared *sh;
};

/* ---- the scenario child and its askers */

static void hidden_probes(struct query *q, int m, int type, unsigned P)
{
	int i;

	q->pr_spare[m] = try_bind(type, "127.254.0.1", P, -1, 0, 0);
	q->pr_spare_ra[m] = try_bind(type, "127.254.0.1", P, -1, 1, 0);
	q->pr_lb6[m] = try_bind(type, "127.0.0.6", P, -1, 0, 0);
	/* The library's pairs: none, SO_REUSEADDR (never SO_REUSEPORT,
	   whose answers depend on what earlier binds left cached). */
	for (i = 0; i < 2; i++) {
		q->pr_a[m][i] = try_bind(type, "0.0.0.0", P, -1, i > 0, 0);
		q->pr_b[m][i] = try_bind(type, "::ffff:0.0.0.0", P, 0, i > 0, 0);
	}
}

/* Can this process copy descriptor fd of its parent, the sockets' owner
   (pidfd_getfd(2): Linux 5.6, ptrace rights; valgrind lacks it)? */
static int owner_readable(int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0), copy = -1;

	if (pidfd >= 0) {
		copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		close(pidfd);
	}
	if (copy >= 0)
		close(copy);
	return copy >= 0;
}

static int drop_to_nobody(void)
{
	gid_t g = NOBODY;

	if (setgroups(1, &g) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		return -1;
	return 0;
}

static void ask(struct run *run, int uid, int type, int t)
{
	struct query *q = &run->sh->q[uid][type][t];
	int st = type == 0 ? SOCK_STREAM : SOCK_DGRAM;
	char spec[64];
	int m;

	q->k_plain = kernel_bind(st, t, run->P, 0, 0, 0);
	q->k_ra = kernel_bind(st, t, run->P, 1, 0, 0);
	q->k_rp = kernel_bind(st, t, run->P, 1, 1, 0);
	q->k_listen = st == SOCK_STREAM ? kernel_bind(st, t, run->P, 1, 0, 1) : q->k_plain;
	q->k_spare = spare_bind(st, run->P);

	spec_of(t, run->P, spec, sizeof(spec));
	for (m = 0; m < NMODE; m++) {
		unsigned flags = m ? PB_DIAG_NO_NETLINK : 0;
		struct pb_diag *d = q->d[m];
		struct pb_diag init = PB_DIAG_INIT;
		int fd;

		hidden_probes(q, m, st, run->P);
		d[API_SPEC] = init;
		d[API_SPEC].flags = flags;
		q->rp_before[m][API_SPEC] = kernel_bind(st, t, run->P, 1, 1, 0);
		q->lib_ret[m][API_SPEC] = pb_diagnose_spec(st, spec, 0, &d[API_SPEC]);
		q->rp_after[m][API_SPEC] = kernel_bind(st, t, run->P, 1, 1, 0);

		d[API_ADDR] = init;
		d[API_ADDR].flags = flags;
		if (targets[t].by_sockaddr) {
			struct sockaddr_storage ss;
			socklen_t len = fill(&ss, targets[t].ip, run->P);

			q->rp_before[m][API_ADDR] = kernel_bind(st, t, run->P, 1, 1, 0);
			q->lib_ret[m][API_ADDR] = pb_diagnose(st, (struct sockaddr *)&ss,
							      len, 0, &d[API_ADDR]);
			q->rp_after[m][API_ADDR] = kernel_bind(st, t, run->P, 1, 1, 0);
		}

		d[API_WHY] = init;
		d[API_WHY].flags = flags;
		errno = 0;
		q->rp_before[m][API_WHY] = kernel_bind(st, t, run->P, 1, 1, 0);
		fd = st == SOCK_STREAM ? pb_listen(spec, 8, 0, &d[API_WHY])
				       : pb_bind_udp(spec, 0, &d[API_WHY]);
		q->opened[m] = fd >= 0;
		q->open_errno[m] = fd >= 0 ? 0 : errno;
		if (fd >= 0)
			close(fd);
		q->rp_after[m][API_WHY] = kernel_bind(st, t, run->P, 1, 1, 0);
	}
	q->done = 1;
}

static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/*
 * In the namespace pbt_run_in_netns made: move on into a child namespace
 * with TCP and UDP hash tables of its own, 256 buckets (Linux 6.1, 6.2),
 * instead of the host's (262144 buckets here: every sock_diag dump and
 * /proc read walks them all, 2 ms each).  The bind tables stay shared,
 * so the kernel's bind rules are the same.  Where the kernel lacks the
 * knobs the scenario stays where it is, only slower.  0, or -1.
 */
static int private_tables(void)
{
	if (pbt_write_sysctl("net/ipv4/tcp_child_ehash_entries", "256") < 0)
		return 0;
	pbt_write_sysctl("net/ipv4/udp_child_hash_entries", "256");
	if (unshare(CLONE_NEWNET) < 0 || pbt_lo_up() < 0)
		return -1;
	return 0;
}

static int scenario_child(void *arg)
{
	struct run *run = arg;
	int keep[MAXR][3];
	int i, uid, type, t;

	alarm(60);
	if (private_tables() < 0) {
		snprintf(run->sh->scenario_error, sizeof(run->sh->scenario_error),
			 "private tables: %s", strerror(errno));
		return 4;
	}
	for (i = 0; i < run->n; i++) {
		keep[i][0] = keep[i][1] = keep[i][2] = -1;
		if (run->active & (1u << i))
			build(&run->r[i], run->P, &run->sh->built[i], keep[i]);
		if (run->sh->built[i].ok < 0)
			return 3;
	}
	fflush(NULL);
	/* One asker per caller: each of its binds and helpers closes what it
	   opened before the next one. */
	for (uid = 0; uid < NUID; uid++) {
		pid_t pid = fork();

		if (pid < 0) {
			snprintf(run->sh->scenario_error, sizeof(run->sh->scenario_error),
				 "fork: %s", strerror(errno));
			return 4;
		}
		if (pid == 0) {
			int k;

			alarm(30);
			/* The asker is not the sockets' owner: the scenario
			   child is (the library may read an owner's socket,
			   portbind(7) "Dual stack", rule 4). */
			int owned = -1;

			for (i = 0; i < run->n; i++)
				for (k = 0; k < 3; k++)
					if (keep[i][k] >= 0) {
						owned = keep[i][k];
						close(keep[i][k]);
					}
			if (uid && drop_to_nobody() < 0) {
				snprintf(run->sh->q[uid][0][0].error,
					 sizeof(run->sh->q[uid][0][0].error),
					 "setresuid: %s", strerror(errno));
				_exit(1);
			}
			run->sh->owner_readable[uid] = owned >= 0 &&
						       owner_readable(owned);
			for (type = 0; type < NTYPE; type++)
				for (t = 0; t < NT; t++)
					ask(run, uid, type, t);
			_exit(0);
		}
		if (reap(pid) != 0 && !run->sh->q[uid][0][0].error[0])
			snprintf(run->sh->q[uid][0][0].error,
				 sizeof(run->sh->q[uid][0][0].error), "asker died");
	}
	/* The sockets die with the process; TIME_WAIT with the namespace. */
	return 0;
}

struct replay_arg {
	struct run *run;
	int i;
};

static int replay_child(void *arg)
{
	struct replay_arg *ra = arg;
	struct run *run = ra->run;
	struct built *b = &run->sh->replay[ra->i];
	int keep[3], type, t;

	alarm(20);
	if (private_tables() < 0) {
		snprintf(b->note, sizeof(b->note), "private tables: %s", strerror(errno));
		return 4;
	}
	build(&run->r[ra->i], run->P, b, keep);
	if (b->ok != 1)
		return 3;
	for (type = 0; type < NTYPE; type++)
		for (t = 0; t < NT; t++)
			if (kernel_bind(type ? SOCK_DGRAM : SOCK_STREAM, t, run->P,
					0, 0, 0))
				run->sh->replay_held[ra->i] |= 1u << (type * NT + t);
	run->sh->replay_done[ra->i] = 1;
	return 0;
}

/* ---- comparing */

/* One disagreement; the same one seen by several callers (root, uid
   65534) and sources (netlink, /proc) is kept once, with who says it. */
struct mismatch {
	int type, t, api;
	unsigned who;			/* bit uid * NMODE + mode */
	char field[24];
	char want[96], got[96];
};

struct verdicts {
	int n;				/* distinct disagreements */
	int checked;			/* verdicts compared */
	int rule4;			/* diagnoses where rule 5 (not counted,
					   or a presumed IPV6_V6ONLY), or the
					   undecidable, decided a row */
	int rule4_wrong;		/* of them, unlike the kernel */
	int several, several_wrong;	/* the same for several hidden rows
					   of a kind settled together */
	int rp_unsettled;		/* reuseport_helps not held: the
					   kernel changed its answer during
					   the call */
	struct mismatch m[MAXMIS];
	char error[400];		/* the harness failed (not a verdict) */
};

static const char *const api_names[NTYPE][N_API + 1] = {
	{ "pb_diagnose_spec", "pb_diagnose(sockaddr)", "pb_listen why", "pb_listen" },
	{ "pb_diagnose_spec", "pb_diagnose(sockaddr)", "pb_bind_udp why", "pb_bind_udp" },
};

static void add(struct verdicts *v, int uid, int mode, int type, int t, int api,
		const char *field, const char *want, const char *got)
{
	struct mismatch *m;
	int i;

	for (i = 0; i < v->n && i < MAXMIS; i++) {
		m = &v->m[i];
		if (m->type == type && m->t == t && m->api == api &&
		    !strcmp(m->field, field) && !strcmp(m->want, want) &&
		    !strcmp(m->got, got)) {
			m->who |= 1u << (uid * NMODE + mode);
			return;
		}
	}
	if (v->n++ >= MAXMIS)
		return;
	m = &v->m[v->n - 1];
	m->who = 1u << (uid * NMODE + mode);
	m->type = type;
	m->t = t;
	m->api = api;
	snprintf(m->field, sizeof(m->field), "%s", field);
	snprintf(m->want, sizeof(m->want), "%s", want);
	snprintf(m->got, sizeof(m->got), "%s", got);
}

static void fmt_addr(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	if (pb_format_addr((const struct sockaddr *)ss, sizeof(*ss), buf, size) < 0)
		snprintf(buf, size, "(family %d)", ss->ss_family);
}

static const char *state_name(int s)
{
	static const char *const n[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV",
		"FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
		"LAST_ACK", "LISTEN", "CLOSING" };

	return s > 0 && s < (int)(sizeof(n) / sizeof(n[0])) ? n[s] : "?";
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family || port_of(a) != port_of(b))
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* Recipe i is in the run, was built, and alone refuses a plain bind of
   target t: the kernel says it holds t. */
static int holds(const struct run *run, int i, int type, int t)
{
	return (run->active & (1u << i)) && run->sh->built[i].ok == 1 &&
	       (run->sh->replay_held[i] & (1u << (type * NT + t)));
}

/* The local address of built socket i is a real IPv6 one (not mapped):
   1 at a specific address, 2 on [::]; else 0. */
static int real_v6(const struct built *b)
{
	const struct in6_addr *a = &((const struct sockaddr_in6 *)&b->local)->sin6_addr;

	if (b->local.ss_family != AF_INET6 || IN6_IS_ADDR_V4MAPPED(a))
		return 0;
	return IN6_IS_ADDR_UNSPECIFIED(a) ? 2 : 1;
}

/* The table lists socket i in this mode: /proc never lists a TCP socket
   that is bound and not listening; netlink lists it, but is not asked
   for it when a MAYBE row is there (as in every use below). */
static int listed(const struct built *b)
{
	return !(b->protocol == IPPROTO_TCP && b->state == PB_TCP_CLOSE);
}

/* A socket with no peer: a TCP listener or bound socket, an unconnected
   UDP socket (CLOSE too). */
static int unconnected(const struct built *b)
{
	return b->state == PB_TCP_LISTEN || b->state == PB_TCP_CLOSE;
}

/*
 * A hidden row: an IPv6 socket whose IPV6_V6ONLY decides whether it holds
 * IPv4 target t and which the table does not show.  sock_diag gives the
 * option for LISTEN and CLOSE sockets only (measured: an ESTABLISHED
 * IPv6-only socket comes without it), /proc/net for none; a socket with
 * no peer at a specific IPv6 address bound it itself and is IPv6-only
 * (portbind(7), "Dual stack", rule 1).  So: a specific-address socket
 * with a peer (only 0.0.0.0 can meet it), or a [::] row of /proc.
 * 1 at a specific address, 2 on [::], else 0.
 */
static int hidden_row(const struct run *run, int i, int mode, int t)
{
	const struct built *b = &run->sh->built[i];
	int where = real_v6(b);

	if (!(run->active & (1u << i)) || b->ok != 1 || !where || !listed(b))
		return 0;
	if (targets[t].ip[0] == ':' && strcmp(targets[t].ip, "::ffff:127.0.0.1"))
		return 0;		/* an IPv6 target: decided by address */
	if (where == 1)
		return t == 0 && !unconnected(b) ? 1 : 0;
	return mode == 1 ? 2 : 0;
}

/* The IPV6_V6ONLY recipe r's socket has: one on a specific IPv6 address
   bound it (IPv6-only) unless it came from a dual-stack [::]. */
static int true_v6only(const struct recipe *r)
{
	return r->addr != A_V6_ANY_DUAL;
}

/*
 * How the library settles the hidden rows (portbind(7), "Dual stack", five
 * rules), from the scenario and the kernel's answers to the same probes:
 *  1. a row with no peer at a specific IPv6 address is IPv6-only (exact);
 *  2. [::] rows of /proc: a plain bind at 127.254.0.1:P; for TCP, refused
 *     but passed with SO_REUSEADDR means an unlisted non-listener; exact
 *     unless a row is on 0.0.0.0; one holds => all [::] rows counted;
 *  3. rows at a specific address: pairs of binds, AF_INET 0.0.0.0:P
 *     against dual-stack [::ffff:0.0.0.0]:P, with the same options (none,
 *     SO_REUSEADDR, both): refused and bound says one holds (all counted),
 *     the first bound without options says none; for UDP a plain bind at
 *     127.0.0.6:P when no row is on it or a wildcard;
 *  4. else each row's own option, read through its owner: exact, for a
 *     live socket whose owner the caller may read (root here, where
 *     pidfd_getfd works: owner_readable(); uid 65534 reads none, the
 *     scenario's sockets are root's);
 *  5. else with no certain holder not counted, beside one presumed from
 *     the rows whose option is known.
 * What the oracle expects of a hidden row:
 *  - one row of its kind settled by rule 2 or 3, or any row by rule 4:
 *    the truth (those rules claim to be exact);
 *  - several rows of a kind settled together by rule 2 or 3, and rule 5:
 *    the library's documented answer (out->fixed, out->counted), counted;
 *  - undecidable from userspace (the lead's word): a rule-5 row beside a
 *    holder the table does not list (TCP bound-only), and [::] rows that
 *    rule 2 settled beside such an unlisted socket on 0.0.0.0 or a
 *    dual-stack [::]: either (out->either), counted.
 */
struct settled {
	unsigned fixed, counted, either;
	int rule5, several;
};

/* Rule 5 for the rows in rest: either way beside an unlisted holder and
   nothing certain; else fixed, counted when presumed dual-stack beside a
   certain holder. */
static void rule5(struct settled *out, unsigned rest, int certain,
		  int unlisted, int presume)
{
	if (!rest)
		return;
	out->rule5 = 1;
	if (!certain && unlisted) {
		out->either |= rest;
	} else {
		out->fixed |= rest;
		if (certain && presume)
			out->counted |= rest;
	}
}

static void settle_rows(const struct run *run, const struct query *q, int mode,
			int uid, int type, int t, struct settled *out)
{
	int i, v6only_seen = 0, dual_seen = 0, v4_any = 0, v6_any = 0;
	int inet_seen = 0, mapped_seen = 0;
	int certain = 0, early = 0, r2 = -1, r3 = -1, presume, unlisted = 0;
	int unlisted_wild = 0;
	unsigned any_rows = 0, one_rows = 0, readable = 0;

	memset(out, 0, sizeof(*out));
	if (!q->k_plain)
		return;
	/* TCP: a certain listener settles it after the LISTEN walk: only
	   listeners were read then. */
	for (i = 0; type == 0 && i < run->n; i++) {
		const struct built *b = &run->sh->built[i];

		if (b->protocol == IPPROTO_TCP && b->state == PB_TCP_LISTEN &&
		    !hidden_row(run, i, mode, t) && holds(run, i, type, t))
			early = 1;
	}
	for (i = 0; i < run->n; i++) {
		const struct built *b = &run->sh->built[i];
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&b->local;
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&b->local;
		int where = real_v6(b), h = hidden_row(run, i, mode, t), known = -1;

		if (!(run->active & (1u << i)) || b->ok != 1 ||
		    (type == 1) != (b->protocol == IPPROTO_UDP))
			continue;
		if (!listed(b)) {
			/* A TCP bound-only socket: the table does not list it
			   when it matters. */
			if (holds(run, i, type, t))
				unlisted = 1;
			if ((b->local.ss_family == AF_INET && s4->sin_addr.s_addr == 0) ||
			    (where == 2 && !true_v6only(&run->r[i])))
				unlisted_wild = 1;
			continue;
		}
		if (early && b->state != PB_TCP_LISTEN)
			continue;
		if (!where) {
			if (b->local.ss_family == AF_INET)
				inet_seen = 1;
			else
				mapped_seen = 1;
			if ((b->local.ss_family == AF_INET && s4->sin_addr.s_addr == 0) ||
			    (b->local.ss_family == AF_INET6 &&
			     IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
			     !memcmp(&s6->sin6_addr.s6_addr[12], "\0\0\0\0", 4)))
				v4_any = 1;
		} else {
			if (where == 1 && unconnected(b))
				known = 1;			/* rule 1 */
			else if (mode == 0 && unconnected(b))
				known = true_v6only(&run->r[i]);
			if (where == 2 && known != 1)
				v6_any = 1;
			if (known == 1)
				v6only_seen++;
			else if (known == 0)
				dual_seen++;
		}
		if (h == 2)
			any_rows |= 1u << i;
		else if (h == 1)
			one_rows |= 1u << i;
		else if (holds(run, i, type, t))
			certain = 1;
	}
	if (!any_rows && !one_rows)
		return;

	/* Rule 5's presumption (portbind(7)): the known options at the
	   port when they agree; else IPv4-mapped rows alone say dual-stack,
	   AF_INET rows alone IPv6-only; else bindv6only's default (0). */
#define PRESUME() (dual_seen && !v6only_seen ? 1 : v6only_seen && !dual_seen ? 0 \
		   : mapped_seen && !inet_seen ? 1 : inet_seen && !mapped_seen ? 0 : 1)
	/* Rule 4 reads a live row's own option only when the caller asks
	   for owners (PB_DIAG_OWNERS), which the askers here do not: it is
	   held to the kernel in tests/check_dualstack.c.  So no row is
	   read, whatever the caller could read (owner_readable). */
#define READABLE(i) (0 && run->sh->owner_readable[uid] && (i) >= 0)
	for (i = 0; i < run->n; i++)
		if (READABLE(i))
			readable |= 1u << i;
	if (any_rows) {
		if (!v4_any) {			/* rule 2 */
			if (q->pr_spare[mode] == EADDRINUSE)
				r2 = type == 0 && q->pr_spare_ra[mode] == 0 ? 0 : 1;
			else if (q->pr_spare[mode] == 0)
				r2 = 0;
		}
		if (r2 == 1)
			dual_seen++;
		else if (r2 == 0)
			v6only_seen++;
		if (r2 >= 0) {
			if (unlisted_wild)
				out->either |= any_rows;
			else if (any_rows & (any_rows - 1)) {
				out->fixed |= any_rows;
				out->several = 1;
				if (r2)
					out->counted |= any_rows;
			}
		} else {
			presume = PRESUME();
			rule5(out, any_rows & ~readable, certain, unlisted, presume);
		}
		/* The [::] rows the library counts are certain holders
		   for rule 5 of the next kind. */
		if (r2 == 1)
			certain = 1;
		for (i = 0; r2 < 0 && i < run->n; i++)
			if ((any_rows & (1u << i)) &&
			    (READABLE(i) ? holds(run, i, type, t)
			     : (out->counted & (1u << i)) != 0))
				certain = 1;
	}
	if (one_rows) {
		presume = PRESUME();
		if (type == 1 && !v4_any && !v6_any &&
		    (q->pr_lb6[mode] == 0 || q->pr_lb6[mode] == EADDRINUSE))
			r3 = q->pr_lb6[mode] != 0;
		/* UDP: the plain pair only (probes with options would take
		   datagrams). */
		for (i = 0; r3 < 0 && i < (type == 1 ? 1 : 2); i++) {
			if (q->pr_a[mode][i] == 0 && i == 0)
				r3 = 0;
			else if (q->pr_a[mode][i] == EADDRINUSE && q->pr_b[mode][i] == 0)
				r3 = 1;
		}
		if (r3 >= 0) {
			if (one_rows & (one_rows - 1)) {
				out->fixed |= one_rows;
				out->several = 1;
				if (r3)
					out->counted |= one_rows;
			}
		} else {
			rule5(out, one_rows & ~readable, certain, unlisted, presume);
		}
	}
#undef READABLE
#undef PRESUME
}

/* What the library must answer, from the kernel's holders. */
struct expect {
	int cause;
	unsigned n_holders, n_listen, n_time_wait, n_connected, n_bound;
	unsigned counted;		/* bit i: recipe i is among the counted */
};

static void expected(const struct run *run, int type, int t, int mode,
		     int plain_ok, int complete, unsigned rule4, unsigned presumed,
		     struct expect *e)
{
	unsigned held = 0, listeners = 0, bound_only = 0, visible;
	int i;

	memset(e, 0, sizeof(*e));
	if (plain_ok) {
		e->cause = PB_CAUSE_NONE;
		return;
	}
	for (i = 0; i < run->n; i++) {
		if (!holds(run, i, type, t))
			continue;
		held |= 1u << i;
	}
	held = (held & ~rule4) | (rule4 & presumed);
	for (i = 0; i < run->n; i++) {
		const struct built *b = &run->sh->built[i];

		if (!(held & (1u << i)))
			continue;
		if (b->state == PB_TCP_LISTEN)
			listeners |= 1u << i;
		if (b->protocol == IPPROTO_TCP && b->state == PB_TCP_CLOSE)
			bound_only |= 1u << i;
	}
	if (type == 1) {
		e->cause = PB_CAUSE_BOUND;
		e->counted = held;
	} else if (listeners) {
		e->cause = PB_CAUSE_LISTENER;
		e->counted = listeners;
	} else {
		/* Bound-only TCP sockets: never listed in /proc; through
		   netlink asked for only when nothing else shows, so beside
		   other holders they may be missing (pb_diagnose(3)), or
		   there when the others showed only later (complete). */
		visible = held & ~bound_only;
		if (visible && !(complete && mode == 0))
			e->counted = visible;
		else if (mode == 0)
			e->counted = held;
		else
			e->counted = visible;
		/* Bound, then connected, then time-wait. */
		e->cause = PB_CAUSE_TIME_WAIT;
		for (i = 0; i < run->n; i++)
			if (e->counted & (1u << i) &&
			    run->sh->built[i].state != PB_TCP_TIME_WAIT)
				e->cause = PB_CAUSE_CONNECTED;
		if (!e->counted || (e->counted & bound_only))
			e->cause = PB_CAUSE_BOUND;
	}
	for (i = 0; i < run->n; i++) {
		const struct built *b = &run->sh->built[i];

		if (!(e->counted & (1u << i)))
			continue;
		e->n_holders++;
		if (type == 1 || b->state == PB_TCP_CLOSE)
			e->n_bound++;
		else if (b->state == PB_TCP_LISTEN)
			e->n_listen++;
		else if (b->state == PB_TCP_TIME_WAIT)
			e->n_time_wait++;
		else
			e->n_connected++;
	}
}

static void check_num(struct verdicts *v, int uid, int mode, int type, int t,
		      int api, const char *field, long want, long got)
{
	char w[32], g[32];

	v->checked++;
	if (want == got)
		return;
	snprintf(w, sizeof(w), "%ld", want);
	snprintf(g, sizeof(g), "%ld", got);
	add(v, uid, mode, type, t, api, field, w, g);
}

static const char *bind_word(int err)
{
	return err ? strerror(err) : "binds";
}

static void check_against(const struct run *run, struct verdicts *v, int uid,
			  int mode, int type, int t, int api, const struct query *q,
			  const struct pb_diag *d, int ret, unsigned rule4,
			  unsigned presumed)
{
	struct expect e;
	unsigned used = 0, i;
	int j;

	expected(run, type, t, mode, q->k_plain == 0, 0, rule4, presumed, &e);
	if (d->n_bound && !e.n_bound)
		expected(run, type, t, mode, q->k_plain == 0, 1, rule4, presumed, &e);
	if (api != API_WHY && ret != (int)d->cause)
		check_num(v, uid, mode, type, t, api, "return", (long)d->cause, ret);
	v->checked++;
	if ((int)d->cause != e.cause) {
		char w[96];

		snprintf(w, sizeof(w), "%s (plain bind: %s)", pb_cause_name(e.cause),
			 bind_word(q->k_plain));
		add(v, uid, mode, type, t, api, "cause", w, pb_cause_name(d->cause));
	}
	if (e.cause == PB_CAUSE_NONE) {
		if (d->reuseaddr_helps != -1)
			check_num(v, uid, mode, type, t, api, "reuseaddr_helps", 1,
				  d->reuseaddr_helps);
	} else {
		check_num(v, uid, mode, type, t, api, "reuseaddr_helps",
			  q->k_ra == 0, d->reuseaddr_helps);
	}
	/* UDP is never probed (a probe could join the holder's group and
	   take its datagrams), but "none" knows it without a probe.  The
	   kernel's own answer must hold still across the call. */
	if (d->reuseport_helps != -1) {
		if (q->rp_before[mode][api] == q->rp_after[mode][api])
			check_num(v, uid, mode, type, t, api, "reuseport_helps",
				  q->rp_before[mode][api] == 0, d->reuseport_helps);
		else
			v->rp_unsettled++;
	}
	check_num(v, uid, mode, type, t, api, "n_holders", e.n_holders, d->n_holders);
	check_num(v, uid, mode, type, t, api, "n_listen", e.n_listen, d->n_listen);
	check_num(v, uid, mode, type, t, api, "n_time_wait", e.n_time_wait,
		  d->n_time_wait);
	check_num(v, uid, mode, type, t, api, "n_connected", e.n_connected,
		  d->n_connected);
	check_num(v, uid, mode, type, t, api, "n_bound", e.n_bound, d->n_bound);
	/* Each source is the one asked for: the /proc runs read no netlink,
	   the others found their holders through it. */
	v->checked++;
	if (mode ? (d->sources & PB_SRC_NETLINK) != 0
		 : d->n_holders && !(d->sources & PB_SRC_NETLINK)) {
		char g[32];

		snprintf(g, sizeof(g), "%#x", d->sources);
		add(v, uid, mode, type, t, api, "sources",
		    mode ? "no PB_SRC_NETLINK" : "PB_SRC_NETLINK", g);
	}
	/* The longest TIME_WAIT left: some of its 60 s when one is counted. */
	v->checked++;
	if (e.n_time_wait ? d->time_wait_ms == 0 || d->time_wait_ms > 60000
			  : d->time_wait_ms != 0) {
		char g[32];

		snprintf(g, sizeof(g), "%u", d->time_wait_ms);
		add(v, uid, mode, type, t, api, "time_wait_ms",
		    e.n_time_wait ? "1..60000" : "0", g);
	}
	check_num(v, uid, mode, type, t, api, "n_stored",
		  d->n_holders < PB_DIAG_HOLDERS ? d->n_holders : PB_DIAG_HOLDERS,
		  d->n_stored);

	/* Every stored holder is one of the counted sockets, each once. */
	for (i = 0; i < d->n_stored && i < PB_DIAG_HOLDERS; i++) {
		const struct pb_holder *h = &d->holders[i];
		char a[PB_ADDRSTRLEN], g[96];

		v->checked++;
		for (j = 0; j < run->n; j++) {
			const struct built *b = &run->sh->built[j];

			if ((e.counted & ~used & (1u << j)) && b->protocol == h->protocol &&
			    b->state == h->state &&
			    same_addr(&b->local, &h->local))
				break;
		}
		if (j < run->n) {
			used |= 1u << j;
			continue;
		}
		fmt_addr(&h->local, a, sizeof(a));
		snprintf(g, sizeof(g), "%s %s", state_name(h->state), a);
		add(v, uid, mode, type, t, api, "holder", "one of the counted sockets", g);
	}
}

/* Hold d against the kernel; the hidden rows as settle_rows() says,
   those it leaves free as the assignment of them that disagrees least
   (the truth when it ties). */
static void check_diag(const struct run *run, struct verdicts *v, int uid,
		       int mode, int type, int t, int api, const struct query *q,
		       const struct pb_diag *d, int ret)
{
	static struct verdicts trial;
	struct settled st;
	unsigned truth = 0, in, best_in = 0, rows, counted;
	int i, best = -1;

	settle_rows(run, q, mode, uid, type, t, &st);
	for (i = 0; i < run->n; i++)
		if (holds(run, i, type, t))
			truth |= 1u << i;
	for (in = 0; in < (1u << MAXR); in++) {
		if (in & ~st.either)
			continue;
		memset(&trial, 0, sizeof(trial));
		check_against(run, &trial, uid, mode, type, t, api, q, d, ret,
			      st.fixed | st.either, st.counted | in);
		if (best < 0 || trial.n < best ||
		    (trial.n == best && in == (truth & st.either))) {
			best = trial.n;
			best_in = in;
		}
	}
	rows = st.fixed | st.either;
	counted = st.counted | best_in;
	if (st.rule5 || st.either) {
		v->rule4++;
		if ((truth ^ counted) & rows)
			v->rule4_wrong++;
	}
	if (st.several) {
		v->several++;
		if ((truth ^ counted) & rows)
			v->several_wrong++;
	}
	check_against(run, v, uid, mode, type, t, api, q, d, ret, rows, counted);
}

static void compare(const struct run *run, struct verdicts *v)
{
	int uid, mode, type, t, api;

	for (uid = 0; uid < NUID; uid++)
		for (type = 0; type < NTYPE; type++)
			for (t = 0; t < NT; t++) {
				const struct query *q = &run->sh->q[uid][type][t];
				unsigned held = 0;
				int i, kernel_listen_ok;

				if (!q->done) {
					snprintf(v->error, sizeof(v->error),
						 "%s %s %s: not asked: %s",
						 uid ? "uid 65534" : "root",
						 type ? "udp" : "tcp", targets[t].host,
						 q->error[0] ? q->error : "?");
					return;
				}
				/* The oracle itself: is a plain bind refused
				   exactly when some socket alone refuses it? */
				for (i = 0; i < run->n; i++)
					if (run->active & (1u << i) && run->sh->built[i].ok == 1 &&
					    run->sh->replay_held[i] & (1u << (type * NT + t)))
						held |= 1u << i;
				v->checked++;
				if ((held != 0) != (q->k_plain != 0))
					add(v, uid, 0, type, t, N_API, "oracle",
					    held ? "refused (a socket alone refuses it)"
						 : "binds (no socket alone refuses it)",
					    bind_word(q->k_plain));
				kernel_listen_ok = q->k_listen == 0;
				for (mode = 0; mode < NMODE; mode++) {
					for (api = 0; api < N_API; api++) {
						if (api == API_ADDR && !targets[t].by_sockaddr)
							continue;
						if (api == API_WHY && q->opened[mode])
							continue;
						check_diag(run, v, uid, mode, type, t, api, q,
							   &q->d[mode][api], q->lib_ret[mode][api]);
					}
					v->checked++;
					if (q->opened[mode] != kernel_listen_ok) {
						char w[96], g[96];

						snprintf(w, sizeof(w), "%s (kernel: %s)",
							 kernel_listen_ok ? "opens" : "fails",
							 bind_word(q->k_listen));
						snprintf(g, sizeof(g), "%s",
							 q->opened[mode] ? "opens"
							 : strerror(q->open_errno[mode]));
						add(v, uid, mode, type, t, N_API, "opens", w, g);
					}
					if (!q->opened[mode] &&
					    q->d[mode][API_WHY].cause == PB_CAUSE_NONE)
						add(v, uid, mode, type, t, API_WHY, "cause",
						    "not none (the call failed)", "none");
				}
			}
}

/* ---- one run: build, replay, ask, compare */

static int run_once(struct run *run, struct verdicts *v, const char **skip)
{
	struct replay_arg ra;
	int i, st;

	memset(v, 0, sizeof(*v));
	memset(run->sh, 0, sizeof(*run->sh));
	*skip = NULL;
	st = pbt_run_in_netns(scenario_child, run, skip);
	if (st < 0)
		return -1;
	if (st != 0) {
		for (i = 0; i < run->n; i++)
			if (run->sh->built[i].ok < 0)
				break;
		snprintf(v->error, sizeof(v->error), "scenario child: status %d%s%s%s",
			 st, i < run->n ? ", setup: " : "",
			 i < run->n ? run->sh->built[i].note : "",
			 run->sh->scenario_error);
		return 0;
	}
	for (i = 0; i < run->n; i++) {
		if (!(run->active & (1u << i)) || run->sh->built[i].ok != 1)
			continue;
		ra.run = run;
		ra.i = i;
		st = pbt_run_in_netns(replay_child, &ra, skip);
		if (st < 0)
			return -1;
		if (st != 0 || !run->sh->replay_done[i]) {
			snprintf(v->error, sizeof(v->error),
				 "replay of #%d alone: status %d, %s", i, st,
				 run->sh->replay[i].note);
			return 0;
		}
		if (!same_addr(&run->sh->replay[i].local, &run->sh->built[i].local)) {
			snprintf(v->error, sizeof(v->error),
				 "replay of #%d alone got another local address", i);
			return 0;
		}
	}
	compare(run, v);
	return 0;
}

/* ---- printing */

static int verbose(void)
{
	const char *s = getenv("PB_ORACLE_VERBOSE");

	return s && *s && strcmp(s, "0") != 0;
}

static void print_scenario(FILE *f, const struct run *run, const char *label)
{
	char buf[400], a[PB_ADDRSTRLEN];
	int i;

	fprintf(f, "oracle: %s, P = %u, in a fresh network namespace "
		"(lo up), built in this order:\n", label, run->P);
	for (i = 0; i < run->n; i++) {
		const struct built *b = &run->sh->built[i];

		if (!(run->active & (1u << i)))
			continue;
		describe(&run->r[i], run->P, buf, sizeof(buf));
		fprintf(f, "  #%d %s\n", i, buf);
		if (b->ok == 1) {
			fmt_addr(&b->local, a, sizeof(a));
			fprintf(f, "     -> %s %s %s\n",
				b->protocol == IPPROTO_TCP ? "tcp" : "udp",
				state_name(b->state), a);
		} else {
			fprintf(f, "     -> dropped (%s)\n", b->note);
		}
	}
}

static void print_verdicts(FILE *f, const struct run *run, const struct verdicts *v)
{
	int i, n = v->n < MAXMIS ? v->n : MAXMIS;
	char spec[64];

	for (i = 0; i < n; i++) {
		const struct mismatch *m = &v->m[i];

		spec_of(m->t, run->P, spec, sizeof(spec));
		fprintf(f, "  %s %s %s [%s%s%s%s ]: %s: want %s, got %s\n",
			m->type ? "udp" : "tcp", spec, api_names[m->type][m->api],
			m->who & 1 ? " root/netlink" : "", m->who & 2 ? " root/proc" : "",
			m->who & 4 ? " nobody/netlink" : "",
			m->who & 8 ? " nobody/proc" : "", m->field, m->want, m->got);
	}
	if (v->n > n)
		fprintf(f, "  ... and %d more\n", v->n - n);
}

static void print_all_answers(FILE *f, const struct run *run)
{
	int type, t;
	char spec[64];

	for (type = 0; type < NTYPE; type++)
		for (t = 0; t < NT; t++) {
			const struct query *q = &run->sh->q[0][type][t];
			const struct pb_diag *d = &q->d[0][API_SPEC];

			spec_of(t, run->P, spec, sizeof(spec));
			fprintf(f, "  %s %-24s kernel plain %s, reuseaddr %s, "
				"reuseport %s | %s holders %u (L%u T%u C%u B%u) "
				"ra %d rp %d\n", type ? "udp" : "tcp", spec,
				bind_word(q->k_plain), bind_word(q->k_ra),
				bind_word(q->k_rp), pb_cause_name(d->cause),
				d->n_holders, d->n_listen, d->n_time_wait,
				d->n_connected, d->n_bound, d->reuseaddr_helps,
				d->reuseport_helps);
		}
}

/* ---- shrinking */

/* The first disagreement persists: the same field of the same call on
   the same target, for at least one of the same callers. */
static int has_key(const struct verdicts *v, const struct mismatch *key)
{
	int i, n = v->n < MAXMIS ? v->n : MAXMIS;

	for (i = 0; i < n; i++) {
		const struct mismatch *m = &v->m[i];

		if (m->type == key->type && m->t == key->t && m->api == key->api &&
		    !strcmp(m->field, key->field) && (m->who & key->who))
			return 1;
	}
	return 0;
}

/* Drop one recipe at a time while the first disagreement persists; at
   most MAXR passes of MAXR runs. */
static void shrink(struct run *run, struct verdicts *v)
{
	struct mismatch key = v->m[0];
	struct verdicts *tryv = malloc(sizeof(*tryv));
	const char *skip;
	int i, pass, changed = 1;

	if (!tryv)
		return;
	for (pass = 0; pass < MAXR && changed; pass++) {
		changed = 0;
		for (i = 0; i < run->n; i++) {
			unsigned before = run->active;

			if (!(before & (1u << i)) || (before & ~(1u << i)) == 0)
				continue;
			run->active = before & ~(1u << i);
			if (run_once(run, tryv, &skip) == 0 && !tryv->error[0] &&
			    has_key(tryv, &key)) {
				changed = 1;
				continue;
			}
			run->active = before;
		}
	}
	/* Leave run->sh and v describing the smallest scenario. */
	if (run_once(run, v, &skip) != 0)
		v->error[0] = 0;
	free(tryv);
}

/* ---- the generator and the drivers */

static void generate(uint64_t seed, struct run *run)
{
	uint64_t s = seed;
	int i, j;

	memset(run->r, 0, sizeof(run->r));
	run->n = 1 + (int)rng_below(&s, MAXR);
	/* P inside the default ephemeral range (32768-60999), so that
	   IP_LOCAL_PORT_RANGE P-P can hand it out; every other port is
	   bound explicitly, so no other socket is given P. */
	run->P = 33000 + rng_below(&s, 27000);
	for (i = 0; i < run->n; i++)
		gen_recipe(&s, (unsigned)i, &run->r[i]);
	/* connect() gives out only a port no bind() holds: ephemeral
	   clients go first, or they would nearly always be dropped. */
	for (i = 1; i < run->n; i++)
		for (j = i; j > 0 && run->r[j].ephemeral && !run->r[j - 1].ephemeral; j--) {
			struct recipe tmp = run->r[j];

			run->r[j] = run->r[j - 1];
			run->r[j - 1] = tmp;
		}
	run->active = (1u << run->n) - 1;
}

struct totals {
	int scenarios, verdicts, failed, skipped, rule4, rule4_wrong, rp_unsettled;
	int several, several_wrong;
	const char *skip_reason;
};

/* 0 when every verdict agreed; on a disagreement the shrunk scenario is
   printed. */
static int one_run(struct run *run, const char *label, struct totals *tot,
		   int loud, int must_build)
{
	struct verdicts *v = malloc(sizeof(*v));
	const char *skip;
	int bad, i;

	ck_assert_ptr_nonnull(v);
	if (run_once(run, v, &skip) < 0) {
		tot->skipped++;
		tot->skip_reason = skip;
		free(v);
		return 0;
	}
	tot->scenarios++;
	tot->verdicts += v->checked;
	tot->rule4 += v->rule4;
	tot->rule4_wrong += v->rule4_wrong;
	tot->rp_unsettled += v->rp_unsettled;
	tot->several += v->several;
	tot->several_wrong += v->several_wrong;
	/* A hand-written scenario means what it says only if it was built. */
	for (i = 0; must_build && !v->error[0] && i < run->n; i++)
		if (run->sh->built[i].ok != 1)
			snprintf(v->error, sizeof(v->error), "#%d was not built: %s",
				 i, run->sh->built[i].note);
	bad = v->n || v->error[0];
	if (loud || bad || verbose()) {
		fflush(NULL);
		print_scenario(stderr, run, label);
		if (loud || verbose())
			print_all_answers(stderr, run);
	}
	if (bad) {
		if (v->error[0]) {
			fprintf(stderr, "  harness error: %s\n", v->error);
		} else {
			fprintf(stderr, "  %d disagreement%s with the kernel:\n", v->n,
				v->n == 1 ? "" : "s");
			print_verdicts(stderr, run, v);
			shrink(run, v);
			fprintf(stderr, "oracle: shrunk to:\n");
			print_scenario(stderr, run, label);
			print_verdicts(stderr, run, v);
		}
		tot->failed++;
	}
	free(v);
	return bad;
}

static struct run *new_run(void)
{
	static struct run run;

	run.sh = mmap(NULL, sizeof(*run.sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(run.sh != MAP_FAILED, "mmap: %s", strerror(errno));
	return &run;
}

static void end_run(struct run *run, const struct totals *tot, const char *test,
		    const char *what)
{
	munmap(run->sh, sizeof(*run->sh));
	if (tot->skipped && !tot->scenarios) {
		pbt_skip(test, "%d %s scenario%s not run: %s", tot->skipped, what,
			 tot->skipped == 1 ? "" : "s", tot->skip_reason);
		return;
	}
	fprintf(stderr, "oracle: %d %s scenario%s, %d verdicts held against the "
		"kernel, %d disagreed\n", tot->scenarios, what,
		tot->scenarios == 1 ? "" : "s", tot->verdicts, tot->failed);
	fprintf(stderr, "oracle:   documented gaps (portbind(7), Dual stack): rule 5 "
		"(or undecidable) %d times (%d unlike the kernel), hidden rows settled "
		"together %d times (%d unlike); reuseport_helps not held %d "
		"times (the kernel's answer changed during the call)\n",
		tot->rule4, tot->rule4_wrong, tot->several, tot->several_wrong,
		tot->rp_unsettled);
	ck_assert_msg(tot->failed == 0, "%d scenario%s disagreed with the kernel "
		      "(see above)", tot->failed, tot->failed == 1 ? "" : "s");
}

/* 1 and *out when name is set to a number, 0 when unset, -1 when it is
   not a number.  No ck_assert: also called while the suite is built. */
static int env_u64(const char *name, uint64_t *out)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -1 : 1;
}

static int env_arg(const char *name, uint64_t *out)
{
	int r = env_u64(name, out);

	ck_assert_msg(r >= 0, "%s=%s: not a number", name, getenv(name));
	return r;
}

static const char *seed_label(uint64_t seed)
{
	static char buf[80];

	snprintf(buf, sizeof(buf), "seed %llu (rerun: PB_ORACLE_SEED=%llu)",
		 (unsigned long long)seed, (unsigned long long)seed);
	return buf;
}

/* Fixed seeds for make check: about 30 ms each; the hand-written table
   (oracle_known) holds the classes found so far. */
#define FIXED_SEEDS 32

START_TEST(oracle_seeds)
{
	struct run *run = new_run();
	struct totals tot = { 0 };
	uint64_t seed, base, n, i;

	if (env_arg("PB_ORACLE_SEED", &seed)) {
		generate(seed, run);
		one_run(run, seed_label(seed), &tot, 1, 0);
	} else if (env_arg("PB_ORACLE_SEEDS", &n)) {
		if (!env_arg("PB_ORACLE_BASE", &base))
			base = (uint64_t)time(NULL) * 1000;
		fprintf(stderr, "oracle: seeds %llu to %llu (PB_ORACLE_BASE=%llu)\n",
			(unsigned long long)base, (unsigned long long)(base + n - 1),
			(unsigned long long)base);
		for (i = 0; i < n; i++) {
			generate(base + i, run);
			one_run(run, seed_label(base + i), &tot, 0, 0);
		}
	} else {
		for (i = 1; i <= FIXED_SEEDS; i++) {
			generate(i, run);
			one_run(run, seed_label(i), &tot, 0, 0);
		}
	}
	end_run(run, &tot, "oracle_seeds", "seeded");
}
END_TEST

/*
 * Hand-written scenarios: the smallest of each class of disagreement the
 * seeds found on the way (issue 12), and the cases the tables cannot tell
 * apart (a TIME_WAIT or orphaned FIN_WAIT2 at ::1 hides its IPV6_V6ONLY),
 * each beside a socket that makes the IPv4 wildcard busy anyway, so that
 * the table is read.  Same oracle, same callers.
 */
#define CLIENT .client_side = 1
static const struct known {
	const char *name;
	int n;
	struct recipe r[MAXR];
} known[] = {
	{ "dual-stack client bound to [::]:P, connected to ::1", 1,
	  { { .kind = K_CLIENT, .addr = A_V6_ANY_DUAL, CLIENT, .end = E_V6_1 } } },
	{ "dual-stack client given P by connect(), to ::1", 1,
	  { { .kind = K_CLIENT, .addr = A_V6_ANY_DUAL, CLIENT, .ephemeral = 1,
	      .end = E_V6_1 } } },
	{ "::1 connection accepted on a dual-stack [::] listener", 1,
	  { { .kind = K_ACCEPTED, .addr = A_V6_ANY_DUAL, .end = E_V6_1 } } },
	{ "TIME_WAIT of a dual-stack [::] server, client ::1", 1,
	  { { .kind = K_TW, .addr = A_V6_ANY_DUAL, .end = E_V6_1 } } },
	{ "TIME_WAIT of a dual-stack [::] server with SO_REUSEADDR, client ::1", 1,
	  { { .kind = K_TW, .addr = A_V6_ANY_DUAL, .reuseaddr = 1, .end = E_V6_1 } } },
	{ "TIME_WAIT of a client bound to [::]:P dual-stack, to ::1", 1,
	  { { .kind = K_TW, .addr = A_V6_ANY_DUAL, CLIENT, .end = E_V6_1 } } },
	{ "orphaned FIN_WAIT2 of ::1 accepted on a dual-stack listener, beside "
	  "two TIME_WAIT", 3,
	  { { .kind = K_FW2_ORPHAN, .addr = A_V6_ANY_DUAL, .end = E_V6_1 },
	    { .kind = K_TW, .addr = A_V4_1, .reuseaddr = 1, .end = E_V4_1 },
	    { .kind = K_TW, .addr = A_V4_2, .reuseaddr = 1, .end = E_V4_2 } } },
	{ "FIN_WAIT2 of a dual-stack client to ::1, beside a 127.0.0.1 connection", 2,
	  { { .kind = K_FW2, .addr = A_V6_ANY_DUAL, CLIENT, .end = E_V6_1 },
	    { .kind = K_ACCEPTED, .addr = A_V4_1, .end = E_V4_1 } } },
	{ "UDP [::]:P dual-stack connected to ::1", 1,
	  { { .kind = K_UDP_CONN, .addr = A_V6_ANY_DUAL, CLIENT, .end = E_V6_1 } } },
	{ "UDP [::]:P dual-stack connected to 127.0.0.1", 1,
	  { { .kind = K_UDP_CONN, .addr = A_V6_ANY_DUAL, CLIENT, .end = E_V4_1 } } },
	{ "TIME_WAIT of a client bound to [::1]:P, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_TW, .addr = A_V6_1, CLIENT, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "TIME_WAIT of a [::] v6only client to ::1, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_TW, .addr = A_V6_ANY_ONLY, CLIENT, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "TIME_WAIT of a [::] dual-stack client to ::1, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_TW, .addr = A_V6_ANY_DUAL, CLIENT, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "TIME_WAIT of a server on [::1]:P, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_TW, .addr = A_V6_1, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "TIME_WAIT of a [::] v6only server, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_TW, .addr = A_V6_ANY_ONLY, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "TIME_WAIT of a [::] dual-stack server, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_TW, .addr = A_V6_ANY_DUAL, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "orphaned FIN_WAIT2 of a client bound to [::1]:P, beside a 127.0.0.2 "
	  "connection", 2,
	  { { .kind = K_FW2_ORPHAN, .addr = A_V6_1, CLIENT, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "orphaned FIN_WAIT2 of a [::] v6only client given P by connect(), beside "
	  "a 127.0.0.2 connection", 2,
	  { { .kind = K_FW2_ORPHAN, .addr = A_V6_ANY_ONLY, CLIENT, .ephemeral = 1,
	      .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "orphaned FIN_WAIT2 of a [::] dual-stack server, beside a 127.0.0.2 "
	  "connection", 2,
	  { { .kind = K_FW2_ORPHAN, .addr = A_V6_ANY_DUAL, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "[::] v6only listener beside a client bound to 0.0.0.0:P", 2,
	  { { .kind = K_LISTEN, .addr = A_V6_ANY_ONLY },
	    { .kind = K_CLIENT, .addr = A_V4_ANY, CLIENT, .end = E_V4_2 } } },
	{ "UDP [::] v6only beside UDP 0.0.0.0:P connected", 2,
	  { { .kind = K_UDP_BOUND, .addr = A_V6_ANY_ONLY },
	    { .kind = K_UDP_CONN, .addr = A_V4_ANY, CLIENT, .end = E_V4_2 } } },
	{ "[::] v6only client connected to ::1, beside a 127.0.0.2 connection", 2,
	  { { .kind = K_CLIENT, .addr = A_V6_ANY_ONLY, CLIENT, .end = E_V6_1 },
	    { .kind = K_CLIENT, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "::1 accepted on a [::] v6only listener, beside a 127.0.0.1 TIME_WAIT", 2,
	  { { .kind = K_ACCEPTED, .addr = A_V6_ANY_ONLY, .end = E_V6_1 },
	    { .kind = K_TW, .addr = A_V4_1, .reuseaddr = 1, .end = E_V4_1 } } },
	{ "UDP [::] v6only connected to ::1, beside UDP 127.0.0.2:P connected", 2,
	  { { .kind = K_UDP_CONN, .addr = A_V6_ANY_ONLY, CLIENT, .end = E_V6_1 },
	    { .kind = K_UDP_CONN, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "listener [::1]:P, beside a connection accepted on 127.0.0.2:P", 2,
	  { { .kind = K_LISTEN, .addr = A_V6_1 },
	    { .kind = K_ACCEPTED, .addr = A_V4_2, .end = E_V4_2 } } },
	{ "UDP [::1]:P bound, beside UDP 127.0.0.2:P connected", 2,
	  { { .kind = K_UDP_BOUND, .addr = A_V6_1 },
	    { .kind = K_UDP_CONN, .addr = A_V4_2, CLIENT, .end = E_V4_1 } } },
	{ "UDP [::] v6only beside UDP 0.0.0.0:P bound", 2,
	  { { .kind = K_UDP_BOUND, .addr = A_V6_ANY_ONLY },
	    { .kind = K_UDP_BOUND, .addr = A_V4_ANY, .reuseport = 1 } } },
	{ "[::] v6only listener beside bound-only 0.0.0.0:P", 2,
	  { { .kind = K_LISTEN, .addr = A_V6_ANY_ONLY },
	    { .kind = K_BOUND, .addr = A_V4_ANY } } },
	{ "dual-stack [::] listener beside a connection accepted on 127.0.0.2:P", 2,
	  { { .kind = K_LISTEN, .addr = A_V6_ANY_DUAL, .reuseport = 1 },
	    { .kind = K_ACCEPTED, .addr = A_V4_2, .reuseaddr = 1, .reuseport = 1,
	      .end = E_V4_2 } } },
	{ "dual-stack client to ::1, TIME_WAIT of a dual-stack client to "
	  "127.0.0.1, [::] v6only listener", 3,
	  { { .kind = K_TW, .addr = A_V6_ANY_DUAL, CLIENT, .ephemeral = 1,
	      .end = E_V4_1 },
	    { .kind = K_CLIENT, .addr = A_V6_ANY_DUAL, CLIENT, .ephemeral = 1,
	      .reuseaddr = 1, .reuseport = 1, .end = E_V6_1 },
	    { .kind = K_LISTEN, .addr = A_V6_ANY_ONLY, .reuseport = 1 } } },
	{ "dual-stack client to ::1, [::] v6only listener, bound-only 127.0.0.2:P", 3,
	  { { .kind = K_CLIENT, .addr = A_V6_ANY_DUAL, CLIENT, .ephemeral = 1,
	      .reuseaddr = 1, .reuseport = 1, .end = E_V6_1 },
	    { .kind = K_LISTEN, .addr = A_V6_ANY_ONLY, .reuseport = 1 },
	    { .kind = K_BOUND, .addr = A_V4_2, .reuseaddr = 1 } } },
	{ "connection of a client bound to [::1]:P, beside bound-only 127.0.0.2:P", 2,
	  { { .kind = K_CLIENT, .addr = A_V6_1, CLIENT, .end = E_V6_1 },
	    { .kind = K_BOUND, .addr = A_V4_2, .reuseport = 1 } } },
	{ "TIME_WAIT of a [::] v6only server, beside bound-only 0.0.0.0:P", 2,
	  { { .kind = K_TW, .addr = A_V6_ANY_ONLY, .end = E_V6_1 },
	    { .kind = K_BOUND, .addr = A_V4_ANY } } },
	{ "orphaned FIN_WAIT2 of a dual-stack client to ::1, beside TIME_WAIT of "
	  "a [::] v6only client to ::1", 2,
	  { { .kind = K_FW2_ORPHAN, .addr = A_V6_ANY_DUAL, CLIENT, .reuseaddr = 1,
	      .reuseport = 1, .end = E_V6_1 },
	    { .kind = K_TW, .addr = A_V6_ANY_ONLY, CLIENT, .reuseport = 1,
	      .end = E_V6_1 } } },
	{ "UDP [::] dual-stack bound, beside UDP [::1]:P connected to ::1", 2,
	  { { .kind = K_UDP_BOUND, .addr = A_V6_ANY_DUAL, .reuseaddr = 1, .reuseport = 1 },
	    { .kind = K_UDP_CONN, .addr = A_V6_1, CLIENT, .reuseaddr = 1,
	      .reuseport = 1, .end = E_V6_1 } } },
	{ "listener 127.0.0.1:P with SO_REUSEADDR and SO_REUSEPORT", 1,
	  { { .kind = K_LISTEN, .addr = A_V4_1, .reuseaddr = 1, .reuseport = 1 } } },
	{ "listener [::]:P dual-stack with SO_REUSEPORT", 1,
	  { { .kind = K_LISTEN, .addr = A_V6_ANY_DUAL, .reuseport = 1 } } },
	{ "TIME_WAIT of a server on 127.0.0.1:P with SO_REUSEPORT", 1,
	  { { .kind = K_TW, .addr = A_V4_1, .reuseport = 1, .end = E_V4_1 } } },
	{ "bound-only 0.0.0.0:P with SO_REUSEPORT", 1,
	  { { .kind = K_BOUND, .addr = A_V4_ANY, .reuseport = 1 } } },
};

START_TEST(oracle_known)
{
	struct run *run = new_run();
	struct totals tot = { 0 };
	char label[200];
	uint64_t seed;
	size_t k;
	int i;

	/* PB_ORACLE_SEED=S asks for that one scenario alone. */
	if (env_u64("PB_ORACLE_SEED", &seed) != 0) {
		munmap(run->sh, sizeof(*run->sh));
		return;
	}
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		memset(run->r, 0, sizeof(run->r));
		run->n = known[k].n;
		for (i = 0; i < run->n; i++) {
			run->r[i] = known[k].r[i];
			run->r[i].slot = (unsigned)i;
		}
		run->active = (1u << run->n) - 1;
		run->P = 40000 + 200 * (unsigned)k;
		snprintf(label, sizeof(label), "scenario \"%s\"", known[k].name);
		one_run(run, label, &tot, 0, 1);
	}
	end_run(run, &tot, "oracle_known", "hand-written");
}
END_TEST

Suite *suite_oracle(void)
{
	Suite *s = suite_create("oracle");
	TCase *tc = tcase_create("kernel");
	uint64_t n = 0;

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	/* About 0.1 s a scenario; PB_ORACLE_SEEDS=N may run for minutes. */
	tcase_set_timeout(tc, env_u64("PB_ORACLE_SEEDS", &n) > 0 ? 60 + (double)n : 60);
	tcase_add_test(tc, oracle_known);
	tcase_add_test(tc, oracle_seeds);
	suite_add_tcase(s, tc);
	return s;
}

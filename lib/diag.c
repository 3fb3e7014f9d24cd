/* SPDX-License-Identifier: MIT */
/*
 * diag.c - pb_diagnose: why can't this address be bound?
 *
 * Sources, cheapest first, each consulted only when the previous one
 * cannot settle the answer:
 *  1. the errno the caller got;
 *  2. probes: a scratch socket binds the address (without SO_REUSEADDR:
 *     "is anything there at all?"; with it: "would SO_REUSEADDR help?");
 *  3. the kernel's socket table through sock_diag: listeners alone first
 *     (cheap whatever the table holds), then one walk for the rest;
 *  4. /proc/net when netlink is refused;
 *  5. owners (/proc/PID/fd), only when asked.
 *
 * Which sockets "hold" an address is the kernel's bind-conflict rule: same
 * port, same protocol, overlapping addresses (see overlaps()).
 *
 * The shim runs a diagnosis on a failing bind(), wherever that bind() is
 * (a signal handler, a forked child of a threaded program, a thread with
 * a 16 KiB stack): nothing here allocates, locks, formats with stdio or
 * parses with strtol, and the struct pb_diag being built (2.8 KiB) is the
 * caller's own or scratch memory, never a local.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "abi.h"
#include "addr.h"
#include "diag.h"
#include "internal.h"
#include "owner.h"
#include "probe.h"
#include "scratch.h"
#include "sysctl.h"
#include "table.h"

#define TCPF(s) (1u << (s))

static const char *const cause_names[] = {
	[PB_CAUSE_NONE] = "none",
	[PB_CAUSE_LISTENER] = "listener",
	[PB_CAUSE_TIME_WAIT] = "time-wait",
	[PB_CAUSE_CONNECTED] = "connected",
	[PB_CAUSE_BOUND] = "bound",
	[PB_CAUSE_PRIVILEGED] = "privileged",
	[PB_CAUSE_ADDR_NOT_LOCAL] = "addr-not-local",
	[PB_CAUSE_PORTS_EXHAUSTED] = "ports-exhausted",
	[PB_CAUSE_OTHER] = "other",
};

PB_EXPORT const char *pb_cause_name(enum pb_cause c)
{
	if ((unsigned)c >= PB_ARRAY_SIZE(cause_names))
		return "unknown";
	return cause_names[c];
}

/* An address of the port asked about, or of a socket in the table,
   reduced to what the bind-conflict rule needs. */
struct endpoint {
	int inet;		/* AF_INET itself, not an IPv4-mapped IPv6 one */
	int v4;			/* IPv4, or an IPv4-mapped IPv6 address */
	int any;		/* 0.0.0.0, [::] or [::ffff:0.0.0.0] */
	int v6only;		/* IPv6: 1, 0, or -1 when the table does not say */
	uint32_t a4;		/* when v4, network order */
	struct in6_addr a6;	/* when !v4 */
};

static void endpoint_of(const struct sockaddr_storage *ss, int v6only,
			struct endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->v6only = v6only;
	if (ss->ss_family == AF_INET) {
		ep->inet = 1;
		ep->v4 = 1;
		ep->a4 = ((const struct sockaddr_in *)ss)->sin_addr.s_addr;
		ep->any = ep->a4 == htonl(INADDR_ANY);
	} else {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			ep->v4 = 1;
			memcpy(&ep->a4, &a->s6_addr[12], 4);
			ep->any = ep->a4 == htonl(INADDR_ANY);
		} else {
			ep->a6 = *a;
			ep->any = IN6_IS_ADDR_UNSPECIFIED(a);
		}
	}
}

/* What overlaps() can say of a socket in the table. */
enum { OVERLAP_NO, OVERLAP_YES, OVERLAP_MAYBE = PB__OVERLAP_MAYBE };

/*
 * Linux's bind-conflict rule for addresses (the port already matches), as
 * inet_rcv_saddr_equal() and ipv6_rcv_saddr_equal() in the kernel's
 * net/ipv4/inet_connection_sock.c apply it; see portbind(7), "Which
 * sockets hold an address":
 *  - IPv4 against IPv4 (IPv4-mapped addresses are IPv4): equal, or either
 *    is 0.0.0.0;
 *  - an IPv6 wildcard covers all of IPv6, and all of IPv4 too unless it is
 *    IPV6_V6ONLY; a new IPv6 wildcard that is not IPV6_V6ONLY covers IPv4;
 *  - an IPv6 socket at a specific IPv6 address that is not IPV6_V6ONLY (a
 *    dual-stack socket that connected, or was accepted, from [::]) carries
 *    the IPv4 address 127.0.0.6 inside the kernel: a new AF_INET socket on
 *    0.0.0.0 meets it; 127.0.0.1, an IPv4-mapped 0.0.0.0 and the address
 *    127.0.0.6 itself (Linux 6.1 on) do not.  A socket that bound a
 *    specific IPv6 address was made IPV6_V6ONLY by that bind.
 * Where the answer turns on a holder's IPV6_V6ONLY and the table does not
 * show it (sock_diag shows it for LISTEN and CLOSE rows only, /proc/net
 * for none), the answer is MAYBE, settled by settle_maybes().
 */
#define LOOPBACK4_IPV6 0x7f000006u	/* 127.0.0.6, host order */

static int overlaps(const struct endpoint *t, const struct endpoint *h,
		    int protocol)
{
	if (t->v4 && h->v4)
		return t->any || h->any || t->a4 == h->a4;
	if (t->v4) {		/* the holder is real IPv6 */
		/* UDP compares the IPv4 addresses as they are, with no
		   second table keyed by address (TCP's since Linux 6.1). */
		int meets = t->inet && (t->any || (protocol == IPPROTO_UDP &&
				t->a4 == htonl(LOOPBACK4_IPV6)));

		if (!h->any && !meets)
			return OVERLAP_NO;
		return h->v6only == 1 ? OVERLAP_NO
		       : h->v6only == 0 ? OVERLAP_YES : OVERLAP_MAYBE;
	}
	if (h->v4)		/* the target is real IPv6 */
		return t->any && t->v6only != 1;
	return t->any || h->any || memcmp(&t->a6, &h->a6, sizeof(t->a6)) == 0;
}

int pb__addr_overlaps(const struct sockaddr_storage *t, int t_v6only,
		      const struct sockaddr_storage *h, int h_v6only,
		      int protocol)
{
	struct endpoint te, he;

	endpoint_of(t, t_v6only, &te);
	endpoint_of(h, h_v6only, &he);
	return overlaps(&te, &he, protocol);
}

struct walk {
	struct pb_diag *d;
	struct endpoint target;
	int protocol;
	/* The MAYBE rows, counted and kept aside (scratch memory, taken
	   at the first): [MAYBE_ONE] at a specific IPv6 address, [MAYBE_ANY]
	   on [::] (from /proc/net only). */
	struct pb_diag *maybe[2];
	int no_memory;
	unsigned v6only_seen;	/* live IPv6 sockets at the port whose */
	unsigned dual_seen;	/* IPV6_V6ONLY the table shows: 1, 0 */
	int v4_any_seen;	/* a row on 0.0.0.0 */
	int lb6_seen;		/* a row on 127.0.0.6, */
	int v6_any_seen;	/* or on [::] and not IPv6-only */
	int bound_read;		/* bound-only sockets asked for */
	unsigned inet_seen;	/* AF_INET rows at the port, */
	unsigned mapped_seen;	/* and IPv4-mapped ones */
	unsigned spare_seen;	/* rows on the spare addresses: bit i for
				   spare_addr[i] */
};

enum { MAYBE_ONE, MAYBE_ANY };

/* IPv4 addresses of the loopback network that hardly any socket uses
   (host order): a bind there at the port meets only wildcards. */
static const uint32_t spare_addr[] = { 0x7ffe0001u, 0x7ffe0002u };

/* A socket that holds the address, counted into d by its kind. */
static void count_kind(struct pb_diag *d, int protocol, int state,
		       unsigned expires_ms)
{
	d->n_holders++;
	/* Every UDP socket holds its port the way a bound TCP socket does. */
	if (protocol == IPPROTO_UDP || state == PB_TCP_CLOSE)
		d->n_bound++;
	else if (state == PB_TCP_LISTEN)
		d->n_listen++;
	else if (state == PB_TCP_TIME_WAIT) {
		d->n_time_wait++;
		if (expires_ms > d->time_wait_ms)
			d->time_wait_ms = expires_ms;
	} else
		d->n_connected++;
}

static void count_holder(struct pb_diag *d, int protocol,
			 const struct pb_sockent *e)
{
	count_kind(d, protocol, e->state, e->expires_ms);
	pb__diag_store(d, e);
}

/* MAYBE rows that hold the address after all, into d. */
static void merge_maybes(struct pb_diag *d, const struct pb_diag *m)
{
	unsigned i;

	for (i = 0; i < m->n_stored; i++)
		pb__store_holder(d, &m->holders[i]);
	d->n_holders += m->n_holders;
	d->n_listen += m->n_listen;
	d->n_time_wait += m->n_time_wait;
	d->n_connected += m->n_connected;
	d->n_bound += m->n_bound;
	if (m->time_wait_ms > d->time_wait_ms)
		d->time_wait_ms = m->time_wait_ms;
}

/* A socket with no peer: a TCP listener, an unconnected UDP socket.  At a
   specific IPv6 address, it bound that address itself, and
   the kernel made it IPV6_V6ONLY then (only connect() and accept() give a
   dual-stack socket a specific address); /proc/net does not say so. */
static int unconnected(const struct pb_sockent *e)
{
	/* UDP says CLOSE (7) when unconnected, ESTABLISHED when connected.
	   A TCP socket in CLOSE may be a reset connection that kept its
	   address (/proc/net does not list those; sock_diag shows their
	   option). */
	if (e->protocol == IPPROTO_UDP)
		return e->state == PB_TCP_CLOSE;
	return e->state == PB_TCP_LISTEN;
}

static int on_socket(const struct pb_sockent *e, void *arg)
{
	struct walk *w = arg;
	struct endpoint ep;
	unsigned i;
	int o;

	endpoint_of(&e->local, e->family == AF_INET6 ? e->v6only : -1, &ep);
	if (!ep.v4 && !ep.any && ep.v6only < 0 && unconnected(e))
		ep.v6only = 1;		/* it bound that address itself */
	o = overlaps(&w->target, &ep, w->protocol);
	if (ep.v4) {
		if (e->family == AF_INET6)
			w->mapped_seen++;
		else
			w->inet_seen++;
		w->v4_any_seen |= ep.any;
		w->lb6_seen |= ep.a4 == htonl(LOOPBACK4_IPV6);
		for (i = 0; i < PB_ARRAY_SIZE(spare_addr); i++)
			if (ep.a4 == htonl(spare_addr[i]))
				w->spare_seen |= 1u << i;
	} else {
		w->v6_any_seen |= ep.any && ep.v6only != 1;
		if (ep.v6only == 1)
			w->v6only_seen++;
		else if (ep.v6only == 0)
			w->dual_seen++;
	}
	if (o == OVERLAP_MAYBE) {
		struct pb_diag **m = &w->maybe[ep.any ? MAYBE_ANY : MAYBE_ONE];

		if (!*m && !w->no_memory) {
			*m = pb__scratch_get(sizeof(**m));
			w->no_memory = !*m;
		}
		/* Without memory (the system refused 3 KiB), those that
		   hold it are missing from the answer. */
		if (*m)
			count_holder(*m, w->protocol, e);
		return 1;
	}
	if (o != OVERLAP_YES)
		return 0;
	count_holder(w->d, w->protocol, e);
	return 1;
}

/* The rows for the target's port whose states are in mask, from the
   sources d->flags allows and those in more_flags do not forbid; the
   source that answered is noted.  0, or -errno when none could. */
static int read_table(struct walk *w, uint32_t mask, unsigned more_flags)
{
	struct pb_diag *d = w->d;
	unsigned port = pb__addr_port((const struct sockaddr *)&d->addr);
	struct pb_portsel sel = { 0, port, port };
	int r = pb__table_read(w->protocol, mask, &sel, d->flags | more_flags,
			       on_socket, w);

	if (r < 0)
		return r;
	d->sources |= (unsigned)r;
	return 0;
}

static int sysctl_default_v6only(void)
{
	int v = 0;

	if (pb__sysctl_int("net.ipv6.bindv6only", &v) < 0)
		return 0;
	return v != 0;
}

static void note_port_range(struct pb_diag *d)
{
	if (pb__sysctl_range("net.ipv4.ip_local_port_range", &d->port_range_lo,
			     &d->port_range_hi) == 0)
		d->sources |= PB_SRC_SYSCTL;
}

/* With nothing else to go on: the IPV6_V6ONLY of the IPv6 sockets at the
   port whose option is known, when they agree (a TIME_WAIT left by an
   accepted connection has its listener's); else, IPv4 at the port only
   through IPv4-mapped addresses says dual-stack (a dual-stack socket made
   them), only through AF_INET sockets IPv6-only (a service with sockets
   of both families, whose IPv6 ones a dual-stack wildcard would have
   refused); else net.ipv6.bindv6only, the value of every socket that
   does not set it. */
static int presume_dual(const struct walk *w)
{
	if (w->dual_seen && !w->v6only_seen)
		return 1;
	if (w->v6only_seen && !w->dual_seen)
		return 0;
	if (w->mapped_seen && !w->inet_seen)
		return 1;
	if (w->inet_seen && !w->mapped_seen)
		return 0;
	return !sysctl_default_v6only();
}

/* A probe bind of the IPv4 address addr (host order) at the port. */
static int probe_ipv4(struct walk *w, uint32_t addr, unsigned port,
		      unsigned reuse)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(addr);
	w->d->sources |= PB_SRC_PROBE;
	return pb__probe_bind(w->d->type, (struct sockaddr *)&sin, sizeof(sin),
			      -1, reuse);
}

/* Is one of the [::] rows dual-stack?  A plain bind at a spare IPv4
   address of the port meets only wildcards, so when no row is on 0.0.0.0
   or on that address, the kernel refusing it says yes.  1, 0, or -1 when
   no probe can tell. */
static int wildcard_probe(struct walk *w, unsigned port)
{
	unsigned i;
	int r;

	if (w->v4_any_seen)
		return -1;
	for (i = 0; i < PB_ARRAY_SIZE(spare_addr); i++) {
		if (w->spare_seen & (1u << i))
			continue;
		r = probe_ipv4(w, spare_addr[i], port, 0);
		/* /proc/net lists a TCP socket on [::] only when it listens,
		   and SO_REUSEADDR never passes a listener: a refusal that
		   the option passes came from a socket it does not list. */
		if (r == -EADDRINUSE && w->protocol == IPPROTO_TCP &&
		    probe_ipv4(w, spare_addr[i], port, PB__PROBE_REUSEADDR) == 0)
			return 0;
		return r == -EADDRINUSE ? 1 : r == 0 ? 0 : -1;
	}
	return -1;
}

/*
 * The MAYBE rows of m into d, when the probes could not tell whether they
 * hold the address: with PB_DIAG_OWNERS (the caller asked for the walk of
 * /proc, and its cost), each by the IPV6_V6ONLY read from its socket
 * (pb__owners_v6only: a copy of the owner's descriptor), where this
 * process may read it; fallback (1 counted, 0 not) for the others.  Row
 * by row only when every row is stored (8 at most).  Never from the shim,
 * which does not ask: a seccomp filter may kill on pidfd_getfd.
 */
static void settle_rows(struct pb_diag *d, struct pb_diag *m, int fallback)
{
	unsigned i;

	if (m->n_holders > m->n_stored || !(d->flags & PB_DIAG_OWNERS)) {
		if (fallback)
			merge_maybes(d, m);
		return;
	}
	if (pb__owners_v6only(m->holders, m->n_stored) > 0)
		d->sources |= PB_SRC_OWNERS;
	for (i = 0; i < m->n_stored; i++) {
		const struct pb_holder *h = &m->holders[i];

		if (h->v6only == 1 || (h->v6only < 0 && !fallback))
			continue;
		count_kind(d, h->protocol, h->state, h->expires_ms);
		pb__store_holder(d, h);
	}
}

/* Bound-only TCP sockets (Linux 6.7+, netlink only), asked for once, when
   nothing seen so far holds the address: the query costs a second full
   walk (the kernel walks its established hash for it too, measured: 17.9
   ms at 40k sockets), so it is not made when visible holders already
   explain the refusal; a bound-only socket hidden behind TIME_WAIT
   holders, rare since it must have bound beside them at an overlapping
   address, shows in the next diagnosis once they expire (pb_listen_wait
   makes that one itself). */
static void read_bound_only(struct walk *w)
{
	if (w->protocol != IPPROTO_TCP || w->bound_read ||
	    !(w->d->sources & PB_SRC_NETLINK) || w->d->n_holders)
		return;
	w->bound_read = 1;
	read_table(w, TCPF(PB__TCP_BOUND_INACTIVE), PB_DIAG_NO_PROCNET);
}

/* The answer when nothing tells: not counted when no other socket holds
   the address (what refuses it is a socket the table does not list),
   else presume_dual(). */
static int fallback(struct walk *w)
{
	read_bound_only(w);
	return w->d->n_holders ? presume_dual(w) : 0;
}

/*
 * Does a dual-stack socket at a specific IPv6 address hold the IPv4
 * target?  Such a socket is met by an AF_INET bind of the target and not
 * by an IPv4-mapped bind of it from a dual-stack AF_INET6 socket, which
 * every other socket meets alike (portbind(7)).  So the first refused and
 * the second bound, with the same options, says yes, exactly; the first
 * bound without options says no.  1, 0, or -1 when the pairs cannot tell
 * (whatever refuses the first refuses the second too).
 */
static int mapped_pair_probe(struct walk *w, const struct sockaddr *sa,
			     socklen_t len)
{
	/* Not with SO_REUSEPORT: the kernel answers those binds from what
	   the port's earlier binds left cached (tb->fastreuseport), so a
	   pair could disagree with itself. */
	static const unsigned opts[] = { 0, PB__PROBE_REUSEADDR };
	struct sockaddr_in6 m;
	unsigned i;
	int r;

	/* UDP compares IPv4 addresses as they are, and gives such a socket
	   127.0.0.6: a plain bind there meets it and, when no row is on
	   127.0.0.6 or a wildcard, nothing else. */
	if (w->protocol == IPPROTO_UDP && !w->lb6_seen && !w->v4_any_seen &&
	    !w->v6_any_seen) {
		r = probe_ipv4(w, LOOPBACK4_IPV6, pb__addr_port(sa), 0);
		if (r == 0 || r == -EADDRINUSE)
			return r != 0;
	}
	memset(&m, 0, sizeof(m));
	m.sin6_family = AF_INET6;
	m.sin6_port = htons((uint16_t)pb__addr_port(sa));
	m.sin6_addr.s6_addr[10] = 0xff;
	m.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m.sin6_addr.s6_addr[12], &w->target.a4, 4);
	/* UDP: no probe with the options, which would take datagrams meant
	   for the holders while it is bound (a socket with SO_REUSEADDR
	   wins the ties; one with SO_REUSEPORT joins their group). */
	for (i = 0; i < (w->protocol == IPPROTO_UDP ? 1 : PB_ARRAY_SIZE(opts)); i++) {
		r = pb__probe_bind(w->d->type, sa, len, -1, opts[i]);
		if (r == 0 && i == 0)
			return 0;
		if (r != -EADDRINUSE)
			continue;
		if (pb__probe_bind(w->d->type, (struct sockaddr *)&m, sizeof(m),
				   0, opts[i]) == 0)
			return 1;
	}
	return -1;
}

/*
 * The rows overlaps() called MAYBE: IPv6 sockets whose IPV6_V6ONLY decides
 * whether they hold the address and which the table does not show (see
 * portbind(7), "Dual stack").
 *  - Those on [::] (/proc/net only) are settled by wildcard_probe().
 *  - The rest hold it when nothing else does and the kernel still refuses
 *    a plain bind of the address (the probe decides, exactly); beside
 *    other holders, as presume_dual() says.
 */
static void settle_maybes(struct walk *w, const struct sockaddr *sa,
			  socklen_t len)
{
	struct pb_diag *d = w->d;
	struct pb_diag *any = w->maybe[MAYBE_ANY], *one = w->maybe[MAYBE_ONE];
	int r;

	if (any) {
		r = wildcard_probe(w, pb__addr_port(sa));
		if (r == 1) {
			w->dual_seen++;
			merge_maybes(d, any);
		} else if (r == 0) {
			w->v6only_seen++;
		} else {
			settle_rows(d, any, fallback(w));
		}
	}
	if (one) {
		r = mapped_pair_probe(w, sa, len);
		if (r == 1)
			merge_maybes(d, one);
		else if (r < 0)
			settle_rows(d, one, fallback(w));
	}
}

/* A listener settles the verdict, and the netlink path counts listeners
   alone then (pb_diag.n_holders): a read of /proc/net, which sees the
   whole table for a MAYBE listener, answers the same. */
static void only_listeners(struct pb_diag *d)
{
	unsigned i;

	for (i = 0; i < d->n_stored && d->holders[i].state == PB_TCP_LISTEN; i++)
		;
	d->n_stored = i;
	d->n_holders = d->n_listen;
	d->n_time_wait = d->n_connected = d->n_bound = 0;
	d->time_wait_ms = 0;
}

/* Would a new socket of this process with SO_REUSEPORT (and SO_REUSEADDR,
   as a server sets both) bind now?  The kernel decides with the holders'
   SO_REUSEPORT, their uid and this socket's, which only a probe meets.
   TCP only: a UDP socket with SO_REUSEPORT joins its group at bind(), so
   a probe could take a datagram meant for the holder. */
static void note_reuseport(struct pb_diag *d, const struct sockaddr *sa,
			   socklen_t len, int v6only)
{
	int r;

	if (d->type != SOCK_STREAM)
		return;
	r = pb__probe_bind(d->type, sa, len, v6only,
			   PB__PROBE_REUSEADDR | PB__PROBE_REUSEPORT);
	d->sources |= PB_SRC_PROBE;
	if (r == 0)
		d->reuseport_helps = 1;
	else if (r == -EADDRINUSE)
		d->reuseport_helps = 0;
}

/* EADDRINUSE on a real port: who holds it?  w is set up. */
static void find_holders(struct pb_diag *d, int v6only, struct walk *w)
{
	const struct sockaddr *sa = (const struct sockaddr *)&d->addr;
	socklen_t len = (socklen_t)pb__addr_len(sa, sizeof(d->addr));
	uint32_t all = PB__ALL_STATES;
	int r;

	if (w->protocol == IPPROTO_TCP) {
		/* Cheap whatever the table holds: the kernel walks only its
		   listening hash.  A listener settles it. */
		r = read_table(w, TCPF(PB_TCP_LISTEN), 0);
		if (r == 0 && d->n_listen) {
			/* Listeners on [::] of /proc/net are listeners too. */
			settle_maybes(w, sa, len);
			d->cause = PB_CAUSE_LISTENER;
			d->reuseaddr_helps = 0;
			note_reuseport(d, sa, len, v6only);
			return;
		}
		/* Bound-only sockets (Linux 6.7+) are left out of this walk:
		   asking for them costs a second full walk.  They are asked
		   for below, only when nothing visible explains the refusal. */
		all &= ~TCPF(PB__TCP_BOUND_INACTIVE);
		read_table(w, all & ~TCPF(PB_TCP_LISTEN), 0);
	} else {
		read_table(w, all, 0);
	}

	settle_maybes(w, sa, len);
	/* MAYBE rows found to hold it (a dual-stack server's TIME_WAIT) are
	   visible holders: a restart over 1000 of them walks once. */
	read_bound_only(w);

	if (d->n_listen) {
		only_listeners(d);
		d->cause = PB_CAUSE_LISTENER;
	} else if (d->n_bound)
		d->cause = PB_CAUSE_BOUND;
	else if (d->n_connected)
		d->cause = PB_CAUSE_CONNECTED;
	else if (d->n_time_wait)
		d->cause = PB_CAUSE_TIME_WAIT;

	/* Would a socket with SO_REUSEADDR bind now?  Only the kernel knows
	   the holders' flags: ask it. */
	r = pb__probe_bind(d->type, sa, len, v6only, PB__PROBE_REUSEADDR);
	d->sources |= PB_SRC_PROBE;
	d->reuseaddr_helps = r == 0;
	note_reuseport(d, sa, len, v6only);

	if (d->n_holders == 0) {
		r = pb__probe_bind(d->type, sa, len, v6only, 0);
		if (r == 0) {
			d->cause = PB_CAUSE_NONE;	/* gone by now */
			/* The refusal was our own probe's, not the caller's:
			   it no longer holds ("EADDRINUSE: nothing holds it"
			   would contradict itself). */
			if (!(d->sources & PB_SRC_ERRNO))
				d->err = 0;
			d->reuseaddr_helps = 1;
			d->reuseport_helps = 1;
		} else if (r != -EADDRINUSE || d->type != SOCK_STREAM) {
			d->cause = PB_CAUSE_OTHER;
		} else if (!(d->sources & (PB_SRC_NETLINK | PB_SRC_PROCNET))) {
			/* No table could be read: knock.  A listener answers
			   (and sees a connection that is reset at once). */
			d->cause = pb__probe_connect(sa, len) == 0
				   ? PB_CAUSE_LISTENER : PB_CAUSE_OTHER;
			if (d->cause == PB_CAUSE_LISTENER)
				d->reuseaddr_helps = 0;
		} else {
			/* Still refused, yet the table shows nothing: a
			   socket it does not list.  Before Linux 6.7 a
			   bound-only TCP socket is listed nowhere. */
			d->cause = PB_CAUSE_BOUND;
		}
	}
}

static void classify_in_use(struct pb_diag *d, int v6only)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.d = d;
	w.protocol = d->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	endpoint_of(&d->addr, v6only, &w.target);
	find_holders(d, v6only, &w);
	if (w.maybe[MAYBE_ONE])
		pb__scratch_put(w.maybe[MAYBE_ONE], sizeof(struct pb_diag));
	if (w.maybe[MAYBE_ANY])
		pb__scratch_put(w.maybe[MAYBE_ANY], sizeof(struct pb_diag));
}

static void classify(struct pb_diag *d, int v6only)
{
	const struct sockaddr *sa = (const struct sockaddr *)&d->addr;
	socklen_t len = (socklen_t)pb__addr_len(sa, sizeof(d->addr));
	unsigned port = pb__addr_port(sa);
	int r;

	if (d->err == 0) {
		/* Find out: would a plain socket bind?  Then nothing holds
		   the address and no table needs reading. */
		r = pb__probe_bind(d->type, sa, len, v6only, 0);
		d->sources |= PB_SRC_PROBE;
		if (r == 0) {
			/* Nothing overlaps: any socket binds. */
			d->cause = PB_CAUSE_NONE;
			d->reuseaddr_helps = 1;
			d->reuseport_helps = 1;
			return;
		}
		d->err = -r;
	} else {
		d->sources |= PB_SRC_ERRNO;
	}

	switch (d->err) {
	case EACCES:
	case EPERM:
		if (pb__sysctl_int("net.ipv4.ip_unprivileged_port_start",
				   &d->unprivileged_port_start) == 0)
			d->sources |= PB_SRC_SYSCTL;
		d->cap_net_bind_service = pb__cap_net_bind_service();
		/* Above the limit, the refusal came from elsewhere (an LSM,
		   seccomp): not a privileged port. */
		if (port != 0 && (d->unprivileged_port_start < 0 ||
				  port < (unsigned)d->unprivileged_port_start))
			d->cause = PB_CAUSE_PRIVILEGED;
		else
			d->cause = PB_CAUSE_OTHER;
		return;
	case EADDRNOTAVAIL: {
		/* From bind(): the address is not ours.  From connect(): the
		   address is ours but no source port was left.  A port-0 bind
		   of the address tells the two apart. */
		struct sockaddr_storage any = d->addr;

		if (any.ss_family == AF_INET)
			((struct sockaddr_in *)&any)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&any)->sin6_port = 0;
		r = pb__probe_bind(d->type, (struct sockaddr *)&any, len, v6only, 0);
		d->sources |= PB_SRC_PROBE;
		if (r == -EADDRNOTAVAIL) {
			d->cause = PB_CAUSE_ADDR_NOT_LOCAL;
		} else {
			d->cause = PB_CAUSE_PORTS_EXHAUSTED;
			note_port_range(d);
		}
		return;
	}
	case EADDRINUSE:
		if (port == 0) {
			/* bind(ip, 0) found no free port in the range. */
			d->cause = PB_CAUSE_PORTS_EXHAUSTED;
			note_port_range(d);
			return;
		}
		classify_in_use(d, v6only);
		return;
	default:
		d->cause = PB_CAUSE_OTHER;
		return;
	}
}

int pb__diag_check(const struct pb_diag *out)
{
	if (!out)
		return 0;
	if (pb__abi_check(out->size, PB__DIAG_SIZE_0_1) < 0 ||
	    out->flags & ~PB_DIAG_FLAGS_ALL)
		return -EINVAL;
	return 0;
}

/*
 * Where a diagnosis is built: in the caller's out itself when it holds the
 * whole struct (no copy, no memory to find), else in scratch memory (out
 * NULL, or a caller built against an older, smaller struct).  NULL when
 * the system gives no memory.  Give it back with work_put.
 */
static struct pb_diag *work_get(struct pb_diag *out)
{
	if (out && out->size >= sizeof(*out))
		return out;
	return pb__scratch_get(sizeof(struct pb_diag));
}

static void work_put(struct pb_diag *d, const struct pb_diag *out)
{
	if (d != out)
		pb__scratch_put(d, sizeof(*d));
}

/* d may be out itself: what is read from out (its flags and size, and
   addr, which may be out->addr: a caller diagnosing again the address of
   an earlier answer) is read before d is cleared.  d->size is the
   caller's size throughout. */
static void diag_start(struct pb_diag *d, int type, const struct sockaddr *addr,
		       socklen_t addrlen, int *v6only, int err,
		       const struct pb_diag *out)
{
	unsigned flags = out ? out->flags : 0;
	size_t size = out ? out->size : sizeof(*d);
	struct sockaddr_storage a;
	int n = pb__addr_len(addr, addrlen);

	/* The callers checked addr; a length refused here copies nothing. */
	memset(&a, 0, sizeof(a));
	if (n > 0)
		memcpy(&a, addr, (size_t)n);
	addr = (const struct sockaddr *)&a;
	memset(d, 0, sizeof(*d));
	d->size = size;
	d->flags = flags;
	d->type = type;
	d->err = err;
	d->reuseaddr_helps = -1;
	d->reuseport_helps = -1;
	d->unprivileged_port_start = -1;
	d->cap_net_bind_service = -1;
	d->addr = a;
	if (addr->sa_family == AF_INET6 && *v6only < 0)
		*v6only = sysctl_default_v6only();
	d->v6only = addr->sa_family == AF_INET6 ? *v6only : -1;
}

static void diag_finish(struct pb_diag *d, struct pb_diag *out)
{
	if ((d->flags & PB_DIAG_OWNERS) && d->n_stored &&
	    pb__find_owners(d->holders, d->n_stored) > 0)
		d->sources |= PB_SRC_OWNERS;

	/* A caller built against an older, smaller struct gets the part it
	   knows; its size stays its own. */
	if (out && out != d)
		pb__abi_copy_out(out, out->size, d, sizeof(*d));
}

/*
 * The one implementation behind pb_diagnose, pb_diagnose_spec and the
 * helpers' why.  v6only: the IPV6_V6ONLY of the socket that would bind an
 * IPv6 address (1, 0), or -1 for the system default.  out was checked.
 */
int pb__diagnose(int type, const struct sockaddr *addr, socklen_t addrlen,
		 int v6only, int err, struct pb_diag *out)
{
	struct pb_diag *d;
	int saved = errno;
	int r;

	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return -EINVAL;
	if (err < 0)
		return -EINVAL;
	r = pb__addr_len(addr, addrlen);
	if (r < 0)
		return r;
	r = pb__diag_check(out);
	if (r < 0)
		return r;

	d = work_get(out);
	if (!d)		/* out is NULL here: the cause alone was asked */
		return PB_CAUSE_OTHER;
	diag_start(d, type, addr, addrlen, &v6only, err, out);
	classify(d, v6only);
	diag_finish(d, out);
	r = (int)d->cause;
	work_put(d, out);
	errno = saved;
	return r;
}

/* The sockets from src to dst on local ports lo..hi, as holders of d. */
static void count_towards_into(struct pb_diag *d, const struct sockaddr *src,
			       const struct sockaddr *dst, unsigned lo,
			       unsigned hi)
{
	struct pb_towards t;
	int r = pb__count_towards(src, dst, lo, hi, d->flags, 0, &t, d);

	if (r > 0)
		d->sources |= (unsigned)r;
	d->n_connected = t.established + t.other;
	d->n_time_wait = t.time_wait;
	d->n_holders = d->n_connected + d->n_time_wait;
	d->time_wait_ms = t.time_wait_ms;
}

/*
 * After pb_connect_from failed.  At bind() the source address is
 * diagnosed as any bind is.  At connect(), EADDRNOTAVAIL (EAGAIN for UDP)
 * on an address of ours means no source port was left towards dst: the
 * sockets towards dst are counted, within the per-socket range lo..hi when
 * one was set.  With an explicit source port it means that 4-tuple is
 * taken: the connection that holds it is shown.  src NULL: any address of
 * dst's family.
 */
int pb__diagnose_connect(int type, const struct sockaddr *src,
			 const struct sockaddr *dst, int err, int stage,
			 unsigned lo, unsigned hi, struct pb_diag *out)
{
	/* Copies: the caller's addresses may live in out, cleared below. */
	struct sockaddr_storage src_copy, dst_copy;
	struct pb_diag *d;
	socklen_t len;
	unsigned sport;
	int v6only = -1, saved = errno, cause;

	memset(&src_copy, 0, sizeof(src_copy));
	memset(&dst_copy, 0, sizeof(dst_copy));
	memcpy(&dst_copy, dst, (size_t)pb__addr_len(dst, sizeof(dst_copy)));
	dst = (const struct sockaddr *)&dst_copy;
	if (src)
		memcpy(&src_copy, src, (size_t)pb__addr_len(src, sizeof(src_copy)));
	else
		src_copy.ss_family = dst->sa_family;
	src = (const struct sockaddr *)&src_copy;
	sport = pb__addr_port(src);
	len = (socklen_t)pb__addr_len(src, sizeof(struct sockaddr_storage));
	d = work_get(out);
	if (!d)		/* out is NULL here: nobody reads the answer */
		return PB_CAUSE_OTHER;
	diag_start(d, type, src, len, &v6only, err, out);
	d->peer = dst_copy;

	if (stage == PB__AT_BIND) {
		classify(d, v6only);
	} else if (stage == PB__AT_SOCKET ||
		   (err != EADDRNOTAVAIL && !(type == SOCK_DGRAM && err == EAGAIN))) {
		/* Not a port question (refused, unreachable, no memory...). */
		d->sources |= PB_SRC_ERRNO;
		d->cause = PB_CAUSE_OTHER;
	} else if (sport != 0) {
		/* Our explicit port towards dst: that 4-tuple is in use. */
		d->sources |= PB_SRC_ERRNO;
		count_towards_into(d, src, dst, sport, sport);
		d->cause = d->n_connected ? PB_CAUSE_CONNECTED
			  : d->n_time_wait ? PB_CAUSE_TIME_WAIT : PB_CAUSE_OTHER;
	} else {
		/* UDP says EAGAIN where TCP says EADDRNOTAVAIL. */
		d->err = EADDRNOTAVAIL;
		classify(d, v6only);
		d->err = err;
		if (d->cause == PB_CAUSE_PORTS_EXHAUSTED && d->port_range_hi) {
			/* The range that ran out: the per-socket one, as the
			   kernel intersects it with the system's. */
			if (lo || hi) {
				unsigned l = lo > d->port_range_lo ? lo : d->port_range_lo;
				unsigned h = hi && hi < d->port_range_hi ? hi : d->port_range_hi;

				if (l <= h) {
					d->port_range_lo = l;
					d->port_range_hi = h;
				}
			}
			if (type == SOCK_STREAM)
				count_towards_into(d, src, dst, d->port_range_lo,
						   d->port_range_hi);
		}
	}
	diag_finish(d, out);
	cause = (int)d->cause;
	work_put(d, out);
	errno = saved;
	return cause;
}

/* The spec a helper was given, as pb_diag.spec keeps it: printable ASCII
   only (a '?' for any other byte), cut with "..." when it does not fit. */
void pb__diag_set_spec(struct pb_diag *d, const char *spec)
{
	size_t i, n = spec ? strlen(spec) : 0;

	memset(d->spec, 0, sizeof(d->spec));
	for (i = 0; i < n && i + 1 < sizeof(d->spec); i++)
		d->spec[i] = (char)(spec[i] >= 0x20 && spec[i] < 0x7f ? spec[i] : '?');
	if (n + 1 > sizeof(d->spec))
		memcpy(d->spec + sizeof(d->spec) - 4, "...", 3);
}

/*
 * A helper refused its arguments before any system call: out (checked,
 * not NULL) says which one (invalid, PB_INVALID_*), with the spec as it
 * was given and the addresses that could be read (addr and peer may be
 * NULL, or not valid: then they are left out), and the errno the
 * helper returns (EINVAL; EAFNOSUPPORT for an address of another
 * family).  Nothing is probed.
 */
void pb__diag_invalid(struct pb_diag *out, int type, int invalid, int err,
		      const char *spec, const struct sockaddr *addr,
		      socklen_t addrlen, int v6only, const struct sockaddr *peer,
		      socklen_t peerlen)
{
	/* Copies first: the caller's addresses may live in out. */
	struct sockaddr_storage a, p;
	size_t size = out->size;
	unsigned flags = out->flags;
	int alen = addr ? pb__addr_len(addr, addrlen) : -EINVAL;
	int plen = peer ? pb__addr_len(peer, peerlen) : -EINVAL;

	memset(&a, 0, sizeof(a));
	memset(&p, 0, sizeof(p));
	if (alen > 0)
		memcpy(&a, addr, (size_t)alen);
	if (plen > 0)
		memcpy(&p, peer, (size_t)plen);
	/* Every member written here is in the 0.1.0 layout, which any
	   accepted size holds: no work copy is needed. */
	memset(out, 0, size < sizeof(*out) ? size : sizeof(*out));
	out->size = size;
	out->flags = flags;
	out->cause = PB_CAUSE_OTHER;
	out->err = err;
	out->type = type;
	out->addr = a;
	out->v6only = a.ss_family == AF_INET6 ? v6only : -1;
	out->peer = p;
	out->reuseaddr_helps = -1;
	out->reuseport_helps = -1;
	out->unprivileged_port_start = -1;
	out->cap_net_bind_service = -1;
	out->invalid = invalid;
	pb__diag_set_spec(out, spec);
}

PB_EXPORT int pb_diagnose(int type, const struct sockaddr *addr,
			  socklen_t addrlen, int err, struct pb_diag *out)
{
	return pb__ret(pb__diagnose(type, addr, addrlen, -1, err, out));
}

int pb__diagnose_spec(int type, const char *spec, int err,
		      struct pb_diag *out)
{
	struct pb_spec s;
	int r;

	r = pb__parse_spec(spec, &s);
	if (r < 0)
		return r;
	if (s.dual && !pb__have_ipv6())
		pb__spec_to_ipv4_any(&s);
	r = pb__diagnose(type, (struct sockaddr *)&s.ss, s.len, s.v6only, err,
			 out);
	if (r >= 0 && out)
		pb__diag_set_spec(out, spec);
	return r;
}

PB_EXPORT int pb_diagnose_spec(int type, const char *spec, int err,
			       struct pb_diag *out)
{
	return pb__ret(pb__diagnose_spec(type, spec, err, out));
}

/* SPDX-License-Identifier: MIT */
/*
 * budget.c - how many new connections one destination can still take.
 *
 * A client's source port is unique per 4-tuple, not per host: towards one
 * destination (address and port) a source address has exactly the
 * ephemeral range to spend, less the reserved ports, less the ports its
 * connections to that destination hold, TIME_WAIT included.  So the budget
 * counts the sockets whose remote end is the destination (the kernel
 * filters the remote port; the address is checked here) and whose local
 * port is in the range.
 *
 * What it cannot see: ports that other sockets hold by bind() (a port
 * bound explicitly is never chosen by connect()), which narrow every
 * destination's budget at once.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "abi.h"
#include "internal.h"
#include "probe.h"
#include "scratch.h"
#include "table.h"

#define TCPF(s) (1u << (s))

/* An address as 16 bytes, IPv4 and IPv4-mapped alike, so that a v4 peer
   seen by a dual-stack socket compares equal to the plain v4 address. */
static void norm_addr(const struct sockaddr_storage *ss, uint8_t out[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (ss->ss_family == AF_INET) {
		memcpy(out, mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static int is_any(const uint8_t a[16])
{
	static const uint8_t zero[16];
	static const uint8_t mapped_any[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						0xff, 0xff, 0, 0, 0, 0 };

	return !memcmp(a, zero, 16) || !memcmp(a, mapped_any, 16);
}

struct towards_walk {
	unsigned reuse_after_ms;	/* TIME_WAIT older than this: reusable */
	uint8_t dst[16];
	uint8_t src[16];
	int has_src;
	unsigned lo, hi;
	struct pb_towards *t;
	struct pb_diag *d;
};

static int on_row(const struct pb_sockent *e, void *arg)
{
	struct towards_walk *w = arg;
	unsigned lport = pb__addr_port((const struct sockaddr *)&e->local);
	uint8_t a[16];

	if (lport < w->lo || lport > w->hi)
		return 0;
	norm_addr(&e->remote, a);
	if (memcmp(a, w->dst, 16) != 0)
		return 0;
	if (w->has_src) {
		norm_addr(&e->local, a);
		if (memcmp(a, w->src, 16) != 0)
			return 0;
	}
	if (e->state == PB_TCP_ESTABLISHED)
		w->t->established++;
	else if (e->state == PB_TCP_TIME_WAIT) {
		w->t->time_wait++;
		if (e->expires_ms > w->t->time_wait_ms)
			w->t->time_wait_ms = e->expires_ms;
		/* TIME_WAIT lasts 60 s: its age is what is left of that. */
		if (w->reuse_after_ms && e->expires_ms + w->reuse_after_ms <= 60000)
			w->t->time_wait_reusable++;
	} else
		w->t->other++;
	if (w->d)
		pb__diag_store(w->d, e);
	return 1;
}

static int count_towards(const struct sockaddr *dst, const struct sockaddr *src,
			 unsigned lo, unsigned hi, unsigned diag_flags,
			 unsigned reuse_after_ms, struct pb_towards *t,
			 struct pb_diag *d);

/*
 * Count the TCP sockets from src (NULL or a wildcard: any local address)
 * to dst whose local port is in lo..hi; store them in d when not NULL.
 * Returns the PB_SRC_* that answered, or -errno when no table could be
 * read.  diag_flags: PB_DIAG_NO_NETLINK / PB_DIAG_NO_PROCNET.
 */
int pb__count_towards(const struct sockaddr *dst, const struct sockaddr *src,
		      unsigned lo, unsigned hi, unsigned diag_flags,
		      struct pb_towards *t, struct pb_diag *d)
{
	return count_towards(dst, src, lo, hi, diag_flags, 0, t, d);
}

static int count_towards(const struct sockaddr *dst, const struct sockaddr *src,
			 unsigned lo, unsigned hi, unsigned diag_flags,
			 unsigned reuse_after_ms, struct pb_towards *t,
			 struct pb_diag *d)
{
	struct towards_walk w;
	struct pb_portsel sel;
	uint32_t states = PB__ALL_STATES &
			  ~(TCPF(PB_TCP_LISTEN) | TCPF(PB__TCP_BOUND_INACTIVE));

	memset(&w, 0, sizeof(w));
	memset(t, 0, sizeof(*t));
	norm_addr((const struct sockaddr_storage *)dst, w.dst);
	if (src) {
		norm_addr((const struct sockaddr_storage *)src, w.src);
		w.has_src = !is_any(w.src);
	}
	w.lo = lo;
	w.hi = hi;
	w.t = t;
	w.d = d;
	w.reuse_after_ms = reuse_after_ms;
	sel.remote = 1;
	sel.lo = sel.hi = pb__addr_port(dst);
	return pb__table_read(IPPROTO_TCP, states, &sel, diag_flags, on_row, &w);
}

struct listen_walk {
	struct pb_budget *b;
	uint8_t seen[PB__PORT_MAP_BYTES];	/* one count a port */
	const uint8_t *reserved;
};

/* The two port maps (16 KiB) live in scratch memory, off the stack. */
struct budget_maps {
	uint8_t reserved[PB__PORT_MAP_BYTES];
	struct listen_walk lw;
};

#define PORT_BIT(map, p) (((map)[(p) / 8] >> ((p) % 8)) & 1u)

static int on_listener(const struct pb_sockent *e, void *arg)
{
	struct listen_walk *w = arg;
	struct pb_budget *b = w->b;
	unsigned port = pb__addr_port((const struct sockaddr *)&e->local);

	/* A service on 0.0.0.0 and [::] is one port; a reserved port is
	   already out of connect()'s way.  Never "kept": with each port
	   counted once, reading a second source cannot count one twice. */
	if (PORT_BIT(w->seen, port) || PORT_BIT(w->reserved, port))
		return 0;
	w->seen[port / 8] |= (uint8_t)(1u << (port % 8));
	if (b->n_listeners < PB_BUDGET_LISTENERS)
		b->listener_ports[b->n_listeners] = port;
	b->n_listeners++;
	return 0;
}

static int is_loopback(const struct sockaddr *sa)
{
	uint8_t a[16];
	static const uint8_t lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0, 1 };

	norm_addr((const struct sockaddr_storage *)sa, a);
	if (a[10] == 0xff && a[11] == 0xff && !memcmp(a, lo6, 10))
		return a[12] == 127;
	return !memcmp(a, lo6, 16);
}

PB_EXPORT int pb_port_budget(const struct sockaddr *src, socklen_t srclen,
			     const struct sockaddr *dst, socklen_t dstlen,
			     struct pb_budget *out)
{
	struct pb_budget b;
	struct pb_towards t;
	struct budget_maps *m = NULL;
	struct pb_portsel sel;
	int r, reuse = -1, delay = -1, saved = errno;
	unsigned size, in_use;

	if (!out || pb__abi_check(out->size, PB__BUDGET_SIZE_0_1) < 0)
		return pb__ret(-EINVAL);
	r = pb__addr_len(dst, dstlen);
	if (r < 0)
		return pb__ret(r);
	if (src) {
		r = pb__addr_len(src, srclen);
		if (r < 0)
			return pb__ret(r);
		if (src->sa_family != dst->sa_family)
			return pb__ret(-EINVAL);
	}

	memset(&b, 0, sizeof(b));
	/* tcp_tw_reuse: 1 everywhere, 2 (the default) when either end is
	   loopback.  A TIME_WAIT port is taken again by connect() once it
	   is tcp_tw_reuse_delay old (1 s where the sysctl does not exist). */
	if (pb__sysctl_int("net.ipv4.tcp_tw_reuse", &reuse) == 0)
		b.tw_reuse = reuse == 1 ||
			     (reuse == 2 && (is_loopback(dst) ||
					     (src && is_loopback(src))));
	if (pb__sysctl_int("net.ipv4.tcp_tw_reuse_delay", &delay) < 0 || delay <= 0)
		delay = 1000;
	b.tw_reuse_delay_ms = delay;

	if (pb__sysctl_range("net.ipv4.ip_local_port_range", &b.port_lo,
			     &b.port_hi) == 0 && b.port_hi >= b.port_lo) {
		b.sources |= PB_SRC_SYSCTL;
		size = b.port_hi - b.port_lo + 1;
		/* Without memory for the maps, the reserved ports and the
		   listeners are not counted, as when they cannot be read. */
		m = pb__scratch_get(sizeof(*m));
		if (m && pb__reserved_map(m->reserved) == 0)
			b.reserved = pb__ports_in_map(m->reserved, b.port_lo,
						      b.port_hi);
		b.usable = size > b.reserved ? size - b.reserved : 0;
	} else {
		b.port_lo = b.port_hi = 0;
	}

	if (b.usable) {
		r = count_towards(dst, src, b.port_lo, b.port_hi, 0,
				  b.tw_reuse ? (unsigned)delay : 0, &t, NULL);
		if (r > 0)
			b.sources |= (unsigned)r;
		b.established = t.established;
		b.time_wait = t.time_wait;
		b.time_wait_reusable = t.time_wait_reusable;
		b.other = t.other;
		b.time_wait_ms = t.time_wait_ms;

		/* Listeners inside the range: cheap, the listening hash
		   only.  connect() never takes a port a socket has bound. */
		if (m) {
			m->lw.b = &b;
			m->lw.reserved = m->reserved;
			sel.remote = 0;
			sel.lo = b.port_lo;
			sel.hi = b.port_hi;
			pb__table_read(IPPROTO_TCP, TCPF(PB_TCP_LISTEN), &sel, 0,
				       on_listener, &m->lw);
		}
		in_use = t.established + t.other + t.time_wait -
			 t.time_wait_reusable + b.n_listeners;
		b.available = b.usable > in_use ? b.usable - in_use : 0;
	}

	pb__scratch_put(m, sizeof(*m));
	b.rate_per_s = b.tw_reuse ? (double)b.usable * 1000.0 / delay
				  : (double)b.usable / 60.0;
	pb__abi_copy_out(out, out->size, &b, sizeof(b));
	errno = saved;
	return 0;
}

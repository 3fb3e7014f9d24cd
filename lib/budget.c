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
#include "addr.h"
#include "internal.h"
#include "scratch.h"
#include "sysctl.h"
#include "table.h"

#define TCPF(s) (1u << (s))

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

	pb__addr_norm((const struct sockaddr_storage *)sa, a);
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
		r = pb__count_towards(src, dst, b.port_lo, b.port_hi, 0,
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

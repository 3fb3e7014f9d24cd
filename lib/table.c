/* SPDX-License-Identifier: MIT */
/*
 * table.c - the kernel's socket table, read for the files above it.
 *
 * diag.c (who holds this address?) and budget.c (how many connections
 * can this destination still take?) both walk the same table and keep
 * the same rows: this file is what they share, so that neither needs
 * the other.  It reads the table from sock_diag (sockdiag.c), or from
 * /proc/net (procnet.c) where netlink is refused, keeps rows as the
 * holders of a struct pb_diag in the order a reader wants them, and
 * counts the connections towards one destination.
 *
 * On the shim's failing bind() (pb__table_read, pb__diag_store): nothing
 * here allocates, locks or formats; /proc/net (stdio) is read only
 * without PB_DIAG_NO_PROCNET.
 */
#include <string.h>

#include "addr.h"
#include "internal.h"
#include "procnet.h"
#include "sockdiag.h"
#include "table.h"

#define TCPF(s) (1u << (s))

struct kept {
	pb_sockent_fn fn;
	void *arg;
	unsigned rows;
	int drop_close;
};

/*
 * A TCP socket in CLOSE is in none of the tables walked for the other
 * states: the kernel takes a connection out of them as it closes it.
 * Yet sock_diag picks a bucket's sockets under its lock and reads their
 * state after it let go, so a connection closed in between (its owner's
 * close(), its turn into TIME_WAIT) comes out in CLOSE.  Such a row is a
 * socket on its way out, not a bound one (the bound-only sockets are
 * asked for apart, as PB__TCP_BOUND_INACTIVE): left out.
 */
static int count_kept(const struct pb_sockent *e, void *arg)
{
	struct kept *k = arg;
	int r;

	if (k->drop_close && e->state == PB_TCP_CLOSE)
		return 0;
	r = k->fn(e, k->arg);

	if (r > 0)
		k->rows++;
	return r;
}

int pb__table_read(int protocol, uint32_t states, const struct pb_portsel *sel,
		   unsigned diag_flags, pb_sockent_fn fn, void *arg)
{
	struct kept k = { fn, arg, 0, 0 };
	int r = -ENOSYS;

	k.drop_close = protocol == IPPROTO_TCP &&
		       !(states & TCPF(PB__TCP_BOUND_INACTIVE));

	if (!(diag_flags & PB_DIAG_NO_NETLINK)) {
		r = pb__sockdiag_dump(protocol, AF_UNSPEC, states, sel,
				      count_kept, &k);
		if (r == 0)
			return PB_SRC_NETLINK;
		/* A walk that failed half-way after keeping rows: reading
		   /proc too would count them twice. */
		if (k.rows)
			return r;
	}
	if (!(diag_flags & PB_DIAG_NO_PROCNET)) {
		r = pb__procnet_dump(protocol, AF_UNSPEC, states, sel,
				     count_kept, &k);
		if (r == 0)
			return PB_SRC_PROCNET;
	}
	return r;
}

/* Listeners first: they decide; TIME_WAIT last: it passes by itself. */
static int priority(int state)
{
	switch (state) {
	case PB_TCP_LISTEN:
		return 0;
	case PB_TCP_CLOSE:
		return 1;
	case PB_TCP_TIME_WAIT:
		return 3;
	default:
		return 2;
	}
}

/* Insert h after the last holder of the same or higher priority; the
   lowest falls off a full list. */
void pb__store_holder(struct pb_diag *d, const struct pb_holder *h)
{
	unsigned i, n = d->n_stored;
	int p = priority(h->state);

	for (i = n; i > 0 && priority(d->holders[i - 1].state) > p; i--)
		;
	if (i >= PB_DIAG_HOLDERS)
		return;
	if (n == PB_DIAG_HOLDERS)
		n--;
	memmove(&d->holders[i + 1], &d->holders[i], (n - i) * sizeof(*h));
	d->holders[i] = *h;
	d->n_stored = n + 1;
}

void pb__diag_store(struct pb_diag *d, const struct pb_sockent *e)
{
	struct pb_holder h;

	memset(&h, 0, sizeof(h));
	h.state = e->state;
	/* A listener or a bound socket has no peer: all zeros, as
	   documented (the table gives a zero address of its family). */
	if (e->state != PB_TCP_LISTEN && e->state != PB_TCP_CLOSE)
		h.remote = e->remote;
	h.protocol = e->protocol;
	h.v6only = e->family == AF_INET6 ? e->v6only : -1;
	h.uid = e->uid;
	h.inode = e->inode;
	h.expires_ms = e->expires_ms;
	h.local = e->local;
	pb__store_holder(d, &h);
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
	pb__addr_norm(&e->remote, a);
	if (memcmp(a, w->dst, 16) != 0)
		return 0;
	if (w->has_src) {
		pb__addr_norm(&e->local, a);
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

int pb__count_towards(const struct sockaddr *src, const struct sockaddr *dst,
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
	pb__addr_norm((const struct sockaddr_storage *)dst, w.dst);
	if (src) {
		pb__addr_norm((const struct sockaddr_storage *)src, w.src);
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

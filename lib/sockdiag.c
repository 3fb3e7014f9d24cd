/* SPDX-License-Identifier: MIT */
/*
 * sockdiag.c - read the kernel's socket table through NETLINK_SOCK_DIAG.
 *
 * Cost model (measured, see bench/): the kernel walks its whole established
 * hash for every dump request, about 70 ns a socket, whatever the filter;
 * the filter only saves copying.  A request for listeners alone walks only
 * the listening hash and costs ~0.01 ms whatever the table holds.  So:
 *  - ask for LISTEN alone first and stop there when a listener answers;
 *  - for everything else make ONE walk covering both address families: the
 *    old TCPDIAG_GETSOCK request is answered with the family unspecified,
 *    which a SOCK_DIAG_BY_FAMILY request cannot be.  Where the old request
 *    is refused, fall back to one request per family;
 *  - filter the port in the kernel (bytecode), so only rows for the port
 *    cross into user space;
 *  - stream the reply through one fixed buffer: memory does not grow with
 *    the number of sockets on the host.  The buffer is scratch memory
 *    (mmap), never the stack: the shim runs this on a failing bind() in
 *    whatever thread called it, maybe one with a 16 KiB stack, maybe in a
 *    signal handler (so no malloc either).
 */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"
#include "scratch.h"
#include "sockdiag.h"

#ifndef TCPDIAG_GETSOCK
#define TCPDIAG_GETSOCK 18
#endif

/*
 * The receive buffer.  The kernel builds each dump chunk in an skb of
 * max(NLMSG_GOODSIZE, the largest recvmsg length this socket has seen,
 * capped near 32 KiB); a chunk larger than the buffer comes back with
 * MSG_TRUNC and its rows are lost.  NLMSG_GOODSIZE is under 8 KiB even
 * with 64 KiB pages, so 8 KiB would do; 32 KiB lets the kernel pack four
 * times as many rows in a chunk, and costs nothing more: it is scratch
 * memory, and only the pages the kernel writes are ever touched.
 */
#define PB_NL_BUF 32768

/* A request: header, inet_diag_req (v2, or v1 for the family-less TCP
   dump), then the bytecode attribute.  Built in an aligned byte buffer. */
union nl_req {
	struct nlmsghdr h;
	char b[NLMSG_SPACE(sizeof(struct inet_diag_req)) + NLA_HDRLEN +
	       4 * sizeof(struct inet_diag_bc_op)];
};

/*
 * Bytecode "lo <= sport <= hi" as the kernel's inet_diag_bc_audit wants it:
 * each compare op is followed by an op whose `no` carries the port.  `yes`
 * steps to the next op; `no` jumps past the end (len + 4), which rejects.
 * (A `no` that lands exactly at the end would ACCEPT every socket.)
 */
static size_t build_port_filter(struct inet_diag_bc_op *bc,
				const struct pb_portsel *sel)
{
	bc[0] = (struct inet_diag_bc_op){
		sel->remote ? INET_DIAG_BC_D_GE : INET_DIAG_BC_S_GE, 8, 20 };
	bc[1] = (struct inet_diag_bc_op){ 0, 0, (unsigned short)sel->lo };
	bc[2] = (struct inet_diag_bc_op){
		sel->remote ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE, 8, 12 };
	bc[3] = (struct inet_diag_bc_op){ 0, 0, (unsigned short)sel->hi };
	return 4 * sizeof(bc[0]);
}

static size_t build_request(union nl_req *q, int compat, int family,
			    int protocol, uint32_t states,
			    const struct pb_portsel *sel, uint32_t seq)
{
	char *body = (char *)NLMSG_DATA(&q->h);
	struct nlattr *a;
	size_t hdr;

	memset(q, 0, sizeof(*q));
	if (compat) {
		/* TCP only: the kernel answers both families in one walk. */
		struct inet_diag_req *r = (struct inet_diag_req *)body;

		q->h.nlmsg_type = TCPDIAG_GETSOCK;
		r->idiag_family = AF_INET;
		r->idiag_states = states;
		hdr = sizeof(*r);
	} else {
		struct inet_diag_req_v2 *r = (struct inet_diag_req_v2 *)body;

		q->h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		r->sdiag_family = (uint8_t)family;
		r->sdiag_protocol = (uint8_t)protocol;
		r->idiag_states = states;
		hdr = sizeof(*r);
	}
	a = (struct nlattr *)(body + NLMSG_ALIGN(hdr));
	a->nla_type = INET_DIAG_REQ_BYTECODE;
	a->nla_len = (uint16_t)(NLA_HDRLEN + build_port_filter(
		(struct inet_diag_bc_op *)((char *)a + NLA_HDRLEN), sel));
	q->h.nlmsg_len = (uint32_t)(NLMSG_LENGTH(NLMSG_ALIGN(hdr)) +
				    NLA_ALIGN(a->nla_len));
	q->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q->h.nlmsg_seq = seq;
	return q->h.nlmsg_len;
}

static void fill_addr(struct sockaddr_storage *ss, int family,
		      const uint32_t *addr, uint16_t port_be)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port_be;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port_be;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

/* The payload of a message, const-correct (NLMSG_DATA casts const away). */
static const void *msg_data(const struct nlmsghdr *h)
{
	return (const char *)h + NLMSG_HDRLEN;
}

/* Decode one inet_diag_msg and its attributes into a table entry. */
static int parse_msg(const struct nlmsghdr *h, int protocol,
		     struct pb_sockent *e)
{
	const struct inet_diag_msg *m = msg_data(h);
	const struct nlattr *a;
	size_t rest;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EBADMSG;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	memset(e, 0, sizeof(*e));
	e->family = m->idiag_family;
	e->protocol = protocol;
	e->state = m->idiag_state;
	e->uid = m->idiag_uid;
	e->inode = m->idiag_inode;
	e->ifindex = (int)m->id.idiag_if;
	e->v6only = -1;
	/* A bound-only TCP socket (Linux 6.7+) is reported in a state of
	   its own; it is what /proc calls CLOSE. */
	if (e->state == PB__TCP_BOUND_INACTIVE)
		e->state = PB_TCP_CLOSE;
	if (e->state == PB_TCP_TIME_WAIT)
		e->expires_ms = m->idiag_expires;
	fill_addr(&e->local, e->family, m->id.idiag_src, m->id.idiag_sport);
	fill_addr(&e->remote, e->family, m->id.idiag_dst, m->id.idiag_dport);

	a = (const struct nlattr *)((const char *)m + NLMSG_ALIGN(sizeof(*m)));
	rest = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*m)));
	if (h->nlmsg_len < NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*m))))
		rest = 0;	/* GCOVR_EXCL_LINE: sizeof(*m) is aligned: checked above */
	while (rest >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rest) {
		if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY &&
		    a->nla_len >= NLA_HDRLEN + 1)
			e->v6only = *((const uint8_t *)a + NLA_HDRLEN) != 0;
		if ((size_t)NLA_ALIGN(a->nla_len) >= rest)
			break;
		rest -= (size_t)NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

/* A negative errno from the kernel, as a sane -errno: anything else
   (0, positive, absurd) is a protocol error. */
static int kernel_errno(int e)
{
	return e < 0 && e > -4096 ? e : -EPROTO;
}

/*
 * Walk one reply chunk.  Returns 1 when the dump is done, 0 to read on,
 * or -errno (from the kernel's NLMSG_ERROR, a bad message, or the callback).
 */
int pb__sockdiag_parse_chunk(const void *buf, size_t len, uint32_t seq,
			     int protocol, pb_sockent_fn fn, void *arg)
{
	const char *p = buf;
	struct pb_sockent e;
	int r;

	/* NLMSG_OK/NLMSG_NEXT, spelled out: sizes stay unsigned, and a
	   header that claims more than the chunk holds ends the walk. */
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)p;
		size_t step;

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
			break;
		if (h->nlmsg_seq == seq) {	/* else not ours: skip */
			if (h->nlmsg_type == NLMSG_DONE) {
				/* An error inside a dump comes here, not as
				   NLMSG_ERROR: DONE carries it as an int (a
				   protocol with no diag handler: -ENOENT). */
				int done = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(done)))
					memcpy(&done, msg_data(h), sizeof(done));
				return done < 0 ? kernel_errno(done) : 1;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *ne = msg_data(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ne)))
					return -EBADMSG;
				return kernel_errno(ne->error);
			}
			r = parse_msg(h, protocol, &e);
			if (r < 0)
				return r;
			r = fn(&e, arg);
			if (r < 0)
				return r;
		}
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* One request and its reply, read through buf (PB_NL_BUF bytes, page
   aligned, so the chunks are parsed in place). */
static int run_dump(int fd, char *buf, int compat, int family, int protocol,
		    uint32_t states, const struct pb_portsel *sel, uint32_t seq,
		    pb_sockent_fn fn, void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union nl_req q;
	size_t qlen = build_request(&q, compat, family, protocol, states, sel, seq);
	ssize_t n;
	int r;

	if (sendto(fd, &q, qlen, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, PB_NL_BUF };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};

		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPROTO;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;	/* GCOVR_EXCL_LINE: chunks are capped at 32 KiB */
		if (from.nl_pid != 0)
			continue;	/* only the kernel answers dumps */
		r = pb__sockdiag_parse_chunk(buf, (size_t)n, seq, protocol,
					     fn, arg);
		if (r != 0)
			return r < 0 ? r : 0;
	}
}

/* fn, counting the rows handed to it. */
struct counted {
	pb_sockent_fn fn;
	void *arg;
	unsigned rows;
};

static int count_rows(const struct pb_sockent *e, void *arg)
{
	struct counted *c = arg;

	c->rows++;
	return c->fn(e, c->arg);
}

/*
 * Call fn for every socket of the protocol whose port, local or remote as
 * sel says, is in sel's range and whose state bit is in states (1 << state;
 * bit 13 asks for bound-only TCP sockets on Linux 6.7+).  family AF_UNSPEC
 * means both.  0 or -errno; a refused netlink socket gives -EPERM,
 * -EACCES, -EAFNOSUPPORT or -EPROTONOSUPPORT.
 */
int pb__sockdiag_dump(int protocol, int family, uint32_t states,
		      const struct pb_portsel *sel, pb_sockent_fn fn, void *arg)
{
	static const int families[] = { AF_INET, AF_INET6 };
	uint32_t seq = 1;
	size_t i;
	int fd, r = 0;
	/* No memory for the buffer: the caller degrades as when netlink is
	   refused (/proc/net, or the probes alone). */
	char *buf = pb__scratch_get(PB_NL_BUF);

	if (!buf)
		return -ENOMEM;
	fd = nl_open();
	if (fd < 0) {
		pb__scratch_put(buf, PB_NL_BUF);
		return fd;
	}
	if (family == AF_UNSPEC && protocol == IPPROTO_TCP) {
		struct counted c = { fn, arg, 0 };

		r = run_dump(fd, buf, 1, AF_UNSPEC, protocol, states, sel, seq++,
			     count_rows, &c);
		/* Refused by a kernel without the old request: per family.
		   A refusal comes before any row; an error after rows were
		   handed over (the callback's own -EINVAL, say) ends the
		   walk, as a walk per family would have given them twice. */
		if (c.rows == 0 &&
		    (r == -EINVAL || r == -ENOENT || r == -EOPNOTSUPP))
			r = 1;	/* GCOVR_EXCL_LINE: every kernel at hand answers TCPDIAG_GETSOCK */
		else
			goto out;
	}
	for (i = 0; i < PB_ARRAY_SIZE(families); i++) {
		if (family != AF_UNSPEC && family != families[i])
			continue;
		r = run_dump(fd, buf, 0, families[i], protocol, states, sel,
			     seq++, fn, arg);
		/* No IPv6 in this kernel: nothing to list there. */
		if (r == -ENOENT && families[i] == AF_INET6)
			r = 0;
		if (r < 0)
			break;
	}
out:
	pb__close_keep_errno(fd);
	pb__scratch_put(buf, PB_NL_BUF);
	return r;
}

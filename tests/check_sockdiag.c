/* SPDX-License-Identifier: MIT */
/* check_sockdiag.c - the netlink reader: its parser on crafted replies, and
   its dumps against the real kernel (port filter, states, both families). */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "testutil.h"
#include "addr.h"
#include "sockdiag.h"

/* A reply buffer holding messages back to back, as the kernel sends them. */
struct reply {
	union { char b[4096]; struct nlmsghdr align; } u;
	size_t len;
};

static struct nlmsghdr *add_msg(struct reply *r, uint16_t type, uint32_t seq,
				size_t payload)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(r->u.b + r->len);

	ck_assert_uint_le(r->len + NLMSG_SPACE(payload), sizeof(r->u.b));
	memset(h, 0, NLMSG_SPACE(payload));
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(payload);
	h->nlmsg_type = type;
	h->nlmsg_seq = seq;
	r->len += NLMSG_SPACE(payload);
	return h;
}

static void add_sock(struct reply *r, uint32_t seq, int family, int state,
		     unsigned port, int v6only)
{
	size_t extra = v6only >= 0 ? NLA_ALIGN(NLA_HDRLEN + 1) : 0;
	struct nlmsghdr *h = add_msg(r, SOCK_DIAG_BY_FAMILY, seq,
				     NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + extra);
	struct inet_diag_msg *m = NLMSG_DATA(h);

	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons((uint16_t)port);
	m->idiag_uid = 1000;
	m->idiag_inode = 4242;
	m->idiag_expires = 41000;
	if (family == AF_INET)
		m->id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	else
		((uint8_t *)m->id.idiag_src)[15] = 1;
	if (v6only >= 0) {
		struct nlattr *a = (struct nlattr *)((char *)m +
				    NLMSG_ALIGN(sizeof(*m)));

		a->nla_type = INET_DIAG_SKV6ONLY;
		a->nla_len = NLA_HDRLEN + 1;
		*((uint8_t *)a + NLA_HDRLEN) = (uint8_t)v6only;
	}
}

struct seen {
	int n;
	struct pb_sockent last[8];
};

static int collect(const struct pb_sockent *e, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->last[s->n] = *e;
	s->n++;
	return 0;
}

/* The walk of one local port, as the classifier asks for it. */
static int dump_port(int protocol, int family, uint32_t states, unsigned port,
		     struct seen *s)
{
	struct pb_portsel sel = { 0, port, port };

	return pb__sockdiag_dump(protocol, family, states, &sel, collect, s);
}

START_TEST(parse_rows_and_done)
{
	struct reply r = { .len = 0 };
	struct seen s = { 0 };

	add_sock(&r, 7, AF_INET, PB_TCP_LISTEN, 8080, -1);
	add_sock(&r, 7, AF_INET6, PB_TCP_TIME_WAIT, 8080, 1);
	add_sock(&r, 8, AF_INET, PB_TCP_LISTEN, 9090, -1);	/* not ours */
	add_sock(&r, 7, AF_INET, PB__TCP_BOUND_INACTIVE, 8080, -1);
	add_msg(&r, NLMSG_DONE, 7, sizeof(int));
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 7, IPPROTO_TCP,
						  collect, &s), 1);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.last[0].family, AF_INET);
	ck_assert_int_eq(s.last[0].state, PB_TCP_LISTEN);
	ck_assert_uint_eq(s.last[0].uid, 1000);
	ck_assert_uint_eq(s.last[0].inode, 4242);
	ck_assert_uint_eq(s.last[0].expires_ms, 0);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&s.last[0].local)->sin_port), 8080);
	ck_assert_int_eq(s.last[1].family, AF_INET6);
	ck_assert_int_eq(s.last[1].v6only, 1);
	ck_assert_uint_eq(s.last[1].expires_ms, 41000);
	/* Linux 6.7's bound-inactive state reads as CLOSE, like /proc. */
	ck_assert_int_eq(s.last[2].state, PB_TCP_CLOSE);
}
END_TEST

START_TEST(parse_error_and_truncation)
{
	struct reply r = { .len = 0 };
	struct seen s = { 0 };
	struct nlmsghdr *h;
	struct nlmsgerr *e;

	h = add_msg(&r, NLMSG_ERROR, 3, sizeof(*e));
	e = NLMSG_DATA(h);
	e->error = -EPERM;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), -EPERM);

	/* An error inside a dump arrives in NLMSG_DONE's payload. */
	r.len = 0;
	h = add_msg(&r, NLMSG_DONE, 3, sizeof(int));
	*(int *)NLMSG_DATA(h) = -ENOENT;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), -ENOENT);
	/* An absurd errno is a protocol error, not INT_MIN passed on. */
	r.len = 0;
	h = add_msg(&r, NLMSG_ERROR, 3, sizeof(*e));
	((struct nlmsgerr *)NLMSG_DATA(h))->error = -2147483647 - 1;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), -EPROTO);

	/* A row shorter than inet_diag_msg is refused, not read past. */
	r.len = 0;
	h = add_msg(&r, SOCK_DIAG_BY_FAMILY, 3, 8);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
	/* An unknown family too. */
	r.len = 0;
	add_sock(&r, 3, AF_UNIX, 1, 1, -1);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
	/* A header that claims more than the chunk holds ends the chunk. */
	r.len = 0;
	h = add_msg(&r, SOCK_DIAG_BY_FAMILY, 3, sizeof(struct inet_diag_msg));
	h->nlmsg_len = 4000;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 0);
	/* A bad attribute length stops the attribute walk, not the parse. */
	r.len = 0;
	add_sock(&r, 3, AF_INET6, PB_TCP_LISTEN, 1, 0);
	{
		struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(
			(struct nlmsghdr *)r.u.b) + NLMSG_ALIGN(sizeof(struct inet_diag_msg)));

		a->nla_len = 200;
	}
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 3, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, -1);
}
END_TEST

static int stop_at_first(const struct pb_sockent *e, void *arg)
{
	(void)e, (void)arg;
	return -ECANCELED;
}

START_TEST(callback_stops_walk)
{
	struct reply r = { .len = 0 };

	add_sock(&r, 1, AF_INET, PB_TCP_LISTEN, 1, -1);
	add_sock(&r, 1, AF_INET, PB_TCP_LISTEN, 1, -1);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 1, IPPROTO_TCP,
						  stop_at_first, NULL), -ECANCELED);
}
END_TEST

/* ---- against the kernel */

START_TEST(dump_filters_port_and_state)
{
	int a = pb_listen("127.0.0.1:0", 4, 0, NULL);
	int b = pb_listen("127.0.0.1:0", 4, 0, NULL);
	unsigned pa = pbt_local_port(a);
	struct seen s = { 0 };
	struct stat st;

	ck_assert_int_eq(dump_port(IPPROTO_TCP, AF_UNSPEC, 1u << PB_TCP_LISTEN,
				   pa, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(fstat(a, &st), 0);
	ck_assert_uint_eq(s.last[0].inode, st.st_ino);
	/* Not in the asked states: nothing. */
	s.n = 0;
	ck_assert_int_eq(dump_port(IPPROTO_TCP, AF_INET, 1u << PB_TCP_TIME_WAIT,
				   pa, &s), 0);
	ck_assert_int_eq(s.n, 0);
	/* Per family, v4 only. */
	s.n = 0;
	ck_assert_int_eq(dump_port(IPPROTO_TCP, AF_INET6, PB__ALL_STATES, pa,
				   &s), 0);
	ck_assert_int_eq(s.n, 0);
	close(a);
	close(b);
}
END_TEST

START_TEST(dump_both_families_in_one_walk)
{
	int a, b;
	unsigned port;
	struct seen s = { 0 };
	char spec[64];

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	a = pb_listen("127.0.0.1:0", 4, 0, NULL);
	port = pbt_local_port(a);
	snprintf(spec, sizeof(spec), "[::1]:%u", port);
	b = pb_listen(spec, 4, 0, NULL);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(dump_port(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, port,
				   &s), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_ne(s.last[0].family, s.last[1].family);
	/* The IPv6 row carries IPV6_V6ONLY. */
	ck_assert_int_eq(s.last[s.last[0].family == AF_INET6 ? 0 : 1].v6only, 1);
	s.n = 0;
	ck_assert_int_eq(dump_port(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, port,
				   &s), 0);
	ck_assert_int_eq(s.n, 0);
	close(a);
	close(b);
}
END_TEST

/* A dump for a protocol the kernel has no diag handler for fails, so the
   classifier falls back to /proc instead of trusting an empty answer. */
START_TEST(dump_of_unknown_protocol_fails)
{
	struct seen s = { 0 };

	ck_assert_int_lt(dump_port(254, AF_INET, PB__ALL_STATES, 80, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* ---- crafted replies: every bound the parser checks */

/* NLMSG_DONE and NLMSG_ERROR: their payload as errno, sane or not. */
START_TEST(parse_done_and_error_payloads)
{
	static const struct {
		uint16_t type;
		int payload, want;
	} c[] = {
		{ NLMSG_DONE, 0, 1 }, { NLMSG_DONE, 5, 1 },
		{ NLMSG_DONE, -1, -1 }, { NLMSG_DONE, -4095, -4095 },
		{ NLMSG_DONE, -4096, -EPROTO }, { NLMSG_DONE, -2147483647 - 1, -EPROTO },
		{ NLMSG_ERROR, 0, -EPROTO }, { NLMSG_ERROR, 1, -EPROTO },
		{ NLMSG_ERROR, -1, -1 }, { NLMSG_ERROR, -4095, -4095 },
		{ NLMSG_ERROR, -4096, -EPROTO }, { NLMSG_ERROR, -EINVAL, -EINVAL },
	};
	struct reply r;
	struct seen s = { 0 };
	struct nlmsghdr *h;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		r.len = 0;
		h = add_msg(&r, c[i].type, 9, c[i].type == NLMSG_ERROR ?
			    sizeof(struct nlmsgerr) : sizeof(int));
		memcpy(NLMSG_DATA(h), &c[i].payload, sizeof(int));
		ck_assert_msg(pb__sockdiag_parse_chunk(r.u.b, r.len, 9, IPPROTO_TCP,
						       collect, &s) == c[i].want,
			      "case %zu", i);
	}
	/* A DONE too short for its int: done, no error read. */
	r.len = 0;
	h = add_msg(&r, NLMSG_DONE, 9, 0);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 9, IPPROTO_TCP,
						  collect, &s), 1);
	h = add_msg(&r, NLMSG_DONE, 9, 3);
	*(int *)NLMSG_DATA(h) = -EPERM;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b + NLMSG_SPACE(0),
						  r.len - NLMSG_SPACE(0), 9,
						  IPPROTO_TCP, collect, &s), 1);
	/* An ERROR too short for its struct: a bad message. */
	r.len = 0;
	h = add_msg(&r, NLMSG_ERROR, 9, sizeof(struct nlmsgerr) - 1);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 9, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
	/* Not our sequence: DONE and ERROR are someone else's, passed. */
	r.len = 0;
	h = add_msg(&r, NLMSG_ERROR, 10, sizeof(struct nlmsgerr));
	((struct nlmsgerr *)NLMSG_DATA(h))->error = -EPERM;
	add_msg(&r, NLMSG_DONE, 8, sizeof(int));
	add_sock(&r, 9, AF_INET, PB_TCP_LISTEN, 80, -1);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 9, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
}
END_TEST

/* Message lengths: a header alone, a row exactly as long as its struct,
   one byte short, a length under the header's, the last message that
   fills the chunk exactly, and bytes after it too few for a header. */
START_TEST(parse_message_lengths)
{
	struct reply r;
	struct seen s;
	struct nlmsghdr *h;

	memset(&s, 0, sizeof(s));
	r.len = 0;
	add_sock(&r, 4, AF_INET, PB_TCP_LISTEN, 1, -1);
	h = (struct nlmsghdr *)r.u.b;
	ck_assert_uint_eq(h->nlmsg_len, NLMSG_LENGTH(sizeof(struct inet_diag_msg)));
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 4, IPPROTO_UDP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].protocol, IPPROTO_UDP);
	/* The chunk ends exactly at the row: still read. */
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, h->nlmsg_len, 4,
						  IPPROTO_TCP, collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	/* One byte short of the row: the header claims more than there is. */
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, h->nlmsg_len - 1, 4,
						  IPPROTO_TCP, collect, &s), 0);
	ck_assert_int_eq(s.n, 0);
	/* Less than a header: nothing read. */
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, sizeof(*h) - 1, 4,
						  IPPROTO_TCP, collect, &s), 0);
	ck_assert_int_eq(s.n, 0);
	/* A row one byte shorter than inet_diag_msg: refused. */
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)) - 1;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 4, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
	/* A length under the header's own: the walk ends there. */
	h->nlmsg_len = sizeof(*h) - 1;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 4, IPPROTO_TCP,
						  collect, &s), 0);
	h->nlmsg_len = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 4, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 0);
	/* Two rows, then a few stray bytes: both rows, no more. */
	r.len = 0;
	add_sock(&r, 4, AF_INET, PB_TCP_LISTEN, 1, -1);
	add_sock(&r, 4, AF_INET6, PB_TCP_LISTEN, 2, -1);
	memset(r.u.b + r.len, 0xff, 8);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len + 8, 4, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.last[1].family, AF_INET6);
	/* A header alone of a row type: too short for a row. */
	r.len = 0;
	add_msg(&r, SOCK_DIAG_BY_FAMILY, 4, 0);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 4, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
}
END_TEST

/* A row with these attributes after the inet_diag_msg. */
static struct nlmsghdr *sock_with_attrs(struct reply *r, const void *attrs,
					size_t alen)
{
	struct nlmsghdr *h = add_msg(r, SOCK_DIAG_BY_FAMILY, 5,
				     NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + alen);
	struct inet_diag_msg *m = NLMSG_DATA(h);

	m->idiag_family = AF_INET6;
	m->idiag_state = PB_TCP_LISTEN;
	memcpy((char *)m + NLMSG_ALIGN(sizeof(*m)), attrs, alen);
	return h;
}

static void put_attr(unsigned char *p, uint16_t len, uint16_t type, uint8_t v)
{
	memcpy(p, &len, 2);
	memcpy(p + 2, &type, 2);
	p[4] = v;
}

/* The attribute walk: IPV6_V6ONLY where it is, whatever comes before it,
   its flag bits masked, an empty one ignored, a bad length the end. */
START_TEST(parse_attributes)
{
	unsigned char a[64];
	struct reply r;
	struct seen s;

	memset(&s, 0, sizeof(s));
	/* Another attribute first (odd length, padded), then v6only = 2. */
	memset(a, 0, sizeof(a));
	put_attr(a, 5, INET_DIAG_INFO, 9);
	put_attr(a + 8, 5, INET_DIAG_SKV6ONLY, 2);
	r.len = 0;
	sock_with_attrs(&r, a, 16);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, 1);
	/* With NLA_F_NESTED | NLA_F_NET_BYTEORDER set: the same type. */
	memset(a, 0, sizeof(a));
	put_attr(a, 5, INET_DIAG_SKV6ONLY | NLA_F_NESTED | NLA_F_NET_BYTEORDER, 0);
	r.len = 0;
	sock_with_attrs(&r, a, 8);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.last[0].v6only, 0);
	/* An attribute of the right type with no byte of payload: unknown. */
	memset(a, 0, sizeof(a));
	put_attr(a, NLA_HDRLEN, INET_DIAG_SKV6ONLY, 0);
	a[4] = 1;	/* beyond the attribute: not its value */
	r.len = 0;
	sock_with_attrs(&r, a, 8);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.last[0].v6only, -1);
	/* A length under a header, and one past the message: the walk
	   stops before them, the row is kept. */
	memset(a, 0, sizeof(a));
	put_attr(a, 3, INET_DIAG_SKV6ONLY, 1);
	r.len = 0;
	sock_with_attrs(&r, a, 8);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, -1);
	put_attr(a, 9, INET_DIAG_SKV6ONLY, 1);
	r.len = 0;
	sock_with_attrs(&r, a, 8);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.last[0].v6only, -1);
	/* Exactly the rest of the message: read. */
	put_attr(a, 8, INET_DIAG_SKV6ONLY, 1);
	r.len = 0;
	sock_with_attrs(&r, a, 8);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.last[0].v6only, 1);
	/* Fewer bytes left than a header, after a first attribute. */
	memset(a, 0, sizeof(a));
	put_attr(a, 5, INET_DIAG_INFO, 0);
	r.len = 0;
	{
		struct nlmsghdr *h = sock_with_attrs(&r, a, 8);

		h->nlmsg_len += 3;	/* 3 bytes after the padded attribute */
		r.len += 4;
	}
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, -1);
}
END_TEST

/* The attribute walk stays inside its message: bytes after a row, in
   the chunk but not in the row, are never read as its attributes, nor
   are bytes after the message's end when its last attribute is not
   padded; an empty attribute is stepped over, one of length 0 ends the
   walk, another attribute's byte is not IPV6_V6ONLY. */
START_TEST(parse_attributes_stay_inside)
{
	static const unsigned char fake_v6only[8] = { 5, 0, INET_DIAG_SKV6ONLY, 0, 1 };
	unsigned char a[64];
	struct reply r;
	struct seen s;
	struct nlmsghdr *h;

	memset(&s, 0, sizeof(s));
	/* A row with no attributes, then what looks like one. */
	r.len = 0;
	add_sock(&r, 5, AF_INET6, PB_TCP_LISTEN, 1, -1);
	memcpy(r.u.b + r.len, fake_v6only, sizeof(fake_v6only));
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len + sizeof(fake_v6only),
						  5, IPPROTO_TCP, collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, -1);
	/* A row whose one attribute (5 bytes, unpadded) ends it, then one
	   outside it. */
	memset(a, 0, sizeof(a));
	put_attr(a, 5, INET_DIAG_INFO, 1);
	r.len = 0;
	h = sock_with_attrs(&r, a, 5);
	ck_assert_uint_eq(h->nlmsg_len % 4, 1);
	memcpy(r.u.b + r.len, fake_v6only, sizeof(fake_v6only));
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len + sizeof(fake_v6only),
						  5, IPPROTO_TCP, collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, -1);
	/* An empty attribute, then IPV6_V6ONLY: read. */
	memset(a, 0, sizeof(a));
	put_attr(a, NLA_HDRLEN, INET_DIAG_INFO, 0);
	put_attr(a + 4, 5, INET_DIAG_SKV6ONLY, 1);
	r.len = 0;
	sock_with_attrs(&r, a, 12);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.last[0].v6only, 1);
	/* Length 0: the walk ends (it would never move on). */
	memset(a, 0, sizeof(a));
	put_attr(a, 0, INET_DIAG_SKV6ONLY, 1);
	put_attr(a + 4, 5, INET_DIAG_SKV6ONLY, 1);
	r.len = 0;
	sock_with_attrs(&r, a, 12);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].v6only, -1);
	/* Another attribute with a non-zero byte: not IPV6_V6ONLY. */
	memset(a, 0, sizeof(a));
	put_attr(a, 5, INET_DIAG_INFO, 1);
	r.len = 0;
	sock_with_attrs(&r, a, 8);
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 5, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.last[0].v6only, -1);
}
END_TEST

/* A chunk that ends with an unpadded message: what lies past the chunk
   (here a row of ours) is not read. */
START_TEST(parse_chunk_ends_unpadded)
{
	unsigned char a[8];
	struct reply r = { .len = 0 };
	struct seen s = { 0 };
	struct nlmsghdr *h;

	memset(a, 0, sizeof(a));
	put_attr(a, 5, INET_DIAG_INFO, 0);
	h = sock_with_attrs(&r, a, 5);
	add_sock(&r, 5, AF_INET, PB_TCP_LISTEN, 2, -1);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, h->nlmsg_len, 5,
						  IPPROTO_TCP, collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].family, AF_INET6);
}
END_TEST

/* Each field of a row where it belongs, addresses and ports both ends;
   states other than TIME_WAIT carry no expiry. */
START_TEST(parse_row_fields)
{
	struct reply r = { .len = 0 };
	struct seen s = { 0 };
	struct nlmsghdr *h;
	struct inet_diag_msg *m;
	const struct sockaddr_in6 *l, *rm;
	int st;

	h = add_msg(&r, SOCK_DIAG_BY_FAMILY, 6, sizeof(*m));
	m = NLMSG_DATA(h);
	m->idiag_family = AF_INET6;
	m->idiag_state = PB_TCP_TIME_WAIT;
	m->idiag_uid = 4294967295u;
	m->idiag_inode = 4294967295u;
	m->idiag_expires = 59999;
	m->id.idiag_sport = htons(65535);
	m->id.idiag_dport = htons(1);
	memset(m->id.idiag_src, 0x11, 16);
	memset(m->id.idiag_dst, 0x22, 16);
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 6, IPPROTO_TCP,
						  collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	l = (const struct sockaddr_in6 *)&s.last[0].local;
	rm = (const struct sockaddr_in6 *)&s.last[0].remote;
	ck_assert_int_eq(l->sin6_family, AF_INET6);
	ck_assert_int_eq(rm->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(l->sin6_port), 65535);
	ck_assert_uint_eq(ntohs(rm->sin6_port), 1);
	ck_assert_uint_eq(l->sin6_addr.s6_addr[15], 0x11);
	ck_assert_uint_eq(rm->sin6_addr.s6_addr[0], 0x22);
	ck_assert_uint_eq(s.last[0].uid, 4294967295u);
	ck_assert_uint_eq(s.last[0].inode, 4294967295u);
	ck_assert_uint_eq(s.last[0].expires_ms, 59999);
	ck_assert_int_eq(s.last[0].v6only, -1);
	/* Every state but TIME_WAIT: no expiry; 13 reads as CLOSE, 12 and
	   14 stay as they are. */
	for (st = 1; st <= 14; st++) {
		if (st == PB_TCP_TIME_WAIT)
			continue;
		m->idiag_state = (uint8_t)st;
		s.n = 0;
		ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 6,
							  IPPROTO_TCP, collect, &s), 0);
		ck_assert_uint_eq(s.last[0].expires_ms, 0);
		ck_assert_int_eq(s.last[0].state,
				 st == PB__TCP_BOUND_INACTIVE ? PB_TCP_CLOSE : st);
	}
	/* AF_INET: four bytes of address, the rest of the storage zero. */
	m->idiag_family = AF_INET;
	m->idiag_state = PB_TCP_LISTEN;
	s.n = 0;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 6, IPPROTO_TCP,
						  collect, &s), 0);
	{
		const struct sockaddr_in *a = (const struct sockaddr_in *)&s.last[0].local;
		static const char zero[sizeof(struct sockaddr_storage)];

		ck_assert_int_eq(a->sin_family, AF_INET);
		ck_assert_uint_eq(a->sin_addr.s_addr, 0x11111111u);
		ck_assert_int_eq(memcmp((const char *)&s.last[0].local +
					sizeof(struct sockaddr_in), zero,
					sizeof(zero) - sizeof(struct sockaddr_in)), 0);
	}
	/* Families other than the two: refused. */
	m->idiag_family = AF_INET6 + 1;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 6, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
	m->idiag_family = AF_INET - 1;
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 6, IPPROTO_TCP,
						  collect, &s), -EBADMSG);
}
END_TEST

/* A callback's value: > 0 and 0 read on, < 0 stops with it. */
static int keep_all(const struct pb_sockent *e, void *arg)
{
	(void)e;
	++*(int *)arg;
	return 1;
}

START_TEST(callback_values)
{
	struct reply r = { .len = 0 };
	int n = 0;

	add_sock(&r, 1, AF_INET, PB_TCP_LISTEN, 1, -1);
	add_sock(&r, 1, AF_INET, PB_TCP_LISTEN, 1, -1);
	add_msg(&r, NLMSG_DONE, 1, sizeof(int));
	ck_assert_int_eq(pb__sockdiag_parse_chunk(r.u.b, r.len, 1, IPPROTO_TCP,
						  keep_all, &n), 1);
	ck_assert_int_eq(n, 2);
}
END_TEST

/* ---- against the kernel: fixed ports in a private namespace */

static int listen_fixed(const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(bind(fd, (struct sockaddr *)&ss, len) == 0);
	PBT_REQUIRE(listen(fd, 16) == 0);
	return fd;
}

/* Local ports 999 to 2001 around a range of 1000..2000, and remote
   ports the same way: the kernel's filter keeps both ends, and only
   them, in both families. */
static int port_range_child(void *arg)
{
	static const unsigned ports[] = { 999, 1000, 1001, 1999, 2000, 2001 };
	struct pb_portsel sel = { 0, 1000, 2000 };
	struct seen s;
	int fds[16], n = 0, lfd, c, v6 = *(int *)arg;
	size_t i;

	for (i = 0; i < 6; i++)
		fds[n++] = listen_fixed(v6 ? "::1" : "127.0.0.1", ports[i]);
	memset(&s, 0, sizeof(s));
	PBT_REQUIRE(pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &sel,
				      collect, &s) == 0);
	PBT_REQUIRE(s.n == 4);
	for (i = 0; i < 4; i++) {
		unsigned p = pb__addr_port((struct sockaddr *)&s.last[i].local);

		PBT_REQUIRE(p >= 1000 && p <= 2000);
		PBT_REQUIRE(s.last[i].family == (v6 ? AF_INET6 : AF_INET));
	}
	/* One port. */
	sel.lo = sel.hi = 2000;
	memset(&s, 0, sizeof(s));
	PBT_REQUIRE(pb__sockdiag_dump(IPPROTO_TCP, v6 ? AF_INET6 : AF_INET,
				      1u << PB_TCP_LISTEN, &sel, collect, &s) == 0);
	PBT_REQUIRE(s.n == 1);
	PBT_REQUIRE(pb__addr_port((struct sockaddr *)&s.last[0].local) == 2000);
	/* Remote ports: clients from fixed ports to a listener at 5000. */
	lfd = listen_fixed(v6 ? "::1" : "127.0.0.1", 5000);
	for (i = 0; i < 6; i++) {
		struct sockaddr_storage src, dst;
		socklen_t sl = pbt_addr(&src, v6 ? "::1" : "127.0.0.1", ports[i] + 10000);
		socklen_t dl = pbt_addr(&dst, v6 ? "::1" : "127.0.0.1", 5000);

		c = socket(src.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		PBT_REQUIRE(c >= 0);
		PBT_REQUIRE(bind(c, (struct sockaddr *)&src, sl) == 0);
		PBT_REQUIRE(connect(c, (struct sockaddr *)&dst, dl) == 0);
		fds[n++] = c;
	}
	sel.remote = 1;
	sel.lo = 11000;
	sel.hi = 12000;
	memset(&s, 0, sizeof(s));
	/* The accepted ends (not yet accepted: still in the queue, but
	   ESTABLISHED in the table) have the clients' ports as remote. */
	PBT_REQUIRE(pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &sel,
				      collect, &s) == 0);
	PBT_REQUIRE(s.n == 4);
	for (i = 0; i < 4; i++) {
		unsigned p = pb__addr_port((struct sockaddr *)&s.last[i].remote);

		PBT_REQUIRE(p >= 11000 && p <= 12000);
		PBT_REQUIRE(pb__addr_port((struct sockaddr *)&s.last[i].local) == 5000);
		PBT_REQUIRE(s.last[i].state == PB_TCP_ESTABLISHED);
	}
	/* By remote port 5000: the six clients. */
	sel.lo = sel.hi = 5000;
	memset(&s, 0, sizeof(s));
	PBT_REQUIRE(pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &sel,
				      collect, &s) == 0);
	PBT_REQUIRE(s.n == 6);
	while (n > 0)
		close(fds[--n]);
	close(lfd);
	return 0;
}

START_TEST(dump_port_range_ends)
{
	int v6 = _i;

	if (v6 && !pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(port_range_child, &v6);
}
END_TEST

/* UDP: bound sockets of both families, state CLOSE; and a TCP socket
   bound, not listening, seen only with its own state bit (Linux 6.7). */
START_TEST(dump_udp_and_bound_only)
{
	int u4 = pb_bind_udp("127.0.0.1:0", 0, NULL), u6 = -1, t;
	unsigned port = pbt_local_port(u4);
	struct sockaddr_storage ss;
	socklen_t len;
	struct seen s = { 0 };
	char spec[64];

	if (pbt_have_ipv6()) {
		snprintf(spec, sizeof(spec), "[::1]:%u", port);
		u6 = pb_bind_udp(spec, 0, NULL);
		ck_assert_int_ge(u6, 0);
	}
	ck_assert_int_eq(dump_port(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, port,
				   &s), 0);
	ck_assert_int_eq(s.n, u6 >= 0 ? 2 : 1);
	ck_assert_int_eq(s.last[0].state, PB_TCP_CLOSE);
	ck_assert_int_eq(s.last[0].protocol, IPPROTO_UDP);
	s.n = 0;
	ck_assert_int_eq(dump_port(IPPROTO_UDP, AF_INET, PB__ALL_STATES, port, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.last[0].family, AF_INET);
	if (u6 >= 0) {
		s.n = 0;
		ck_assert_int_eq(dump_port(IPPROTO_UDP, AF_INET6, PB__ALL_STATES,
					   port, &s), 0);
		ck_assert_int_eq(s.n, 1);
		ck_assert_int_eq(s.last[0].family, AF_INET6);
		ck_assert_int_eq(s.last[0].v6only, 1);
		close(u6);
	}
	close(u4);

	t = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	len = pbt_addr(&ss, "127.0.0.1", 0);
	ck_assert_int_eq(bind(t, (struct sockaddr *)&ss, len), 0);
	port = pbt_local_port(t);
	s.n = 0;
	ck_assert_int_eq(dump_port(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES & ~(1u << 13),
				   port, &s), 0);
	ck_assert_int_eq(s.n, 0);
	if (pbt_kernel_at_least(6, 7)) {
		ck_assert_int_eq(dump_port(IPPROTO_TCP, AF_UNSPEC, 1u << 13, port,
					   &s), 0);
		ck_assert_int_eq(s.n, 1);
		ck_assert_int_eq(s.last[0].state, PB_TCP_CLOSE);
	}
	close(t);
}
END_TEST

/* A callback's error stops the walk at once, with its value, also in
   the one walk over both families: it is not taken for the kernel's
   refusal of the old request and the walk not made again per family
   (which handed the same rows over twice). */
struct stopper {
	int calls, err;
};

static int stop_with(const struct pb_sockent *e, void *arg)
{
	struct stopper *st = arg;

	(void)e;
	st->calls++;
	return st->err;
}

START_TEST(callback_error_stops_dump)
{
	static const int errs[] = { -EINVAL, -ENOENT, -EOPNOTSUPP, -ECANCELED };
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	struct pb_portsel sel = { 0, 0, 0 };
	struct stopper st;
	size_t i;

	sel.lo = sel.hi = pbt_local_port(fd);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		st.calls = 0;
		st.err = errs[i];
		ck_assert_int_eq(pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC,
						   PB__ALL_STATES, &sel, stop_with, &st),
				 errs[i]);
		ck_assert_msg(st.calls == 1, "%d: %d calls", errs[i], st.calls);
		st.calls = 0;
		ck_assert_int_eq(pb__sockdiag_dump(IPPROTO_TCP, AF_INET,
						   PB__ALL_STATES, &sel, stop_with, &st),
				 errs[i]);
		ck_assert_int_eq(st.calls, 1);
	}
	close(fd);
}
END_TEST

/* A protocol with no diag handler: IPv4 answers -ENOENT, an error; for
   IPv6 the same answer means "no IPv6 here", nothing to list. */
START_TEST(unknown_protocol_per_family)
{
	struct seen s = { 0 };

	ck_assert_int_eq(dump_port(254, AF_INET, PB__ALL_STATES, 80, &s), -ENOENT);
	ck_assert_int_eq(dump_port(254, AF_UNSPEC, PB__ALL_STATES, 80, &s), -ENOENT);
	ck_assert_int_eq(dump_port(254, AF_INET6, PB__ALL_STATES, 80, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* A daemon that closed its standard input: the netlink socket is
   descriptor 0, a valid one, and is closed after. */
static int stdin_closed_child(void *arg)
{
	int fd = *(int *)arg;
	struct seen s = { 0 };

	close(0);
	PBT_REQUIRE(dump_port(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES,
			      pbt_local_port(fd), &s) == 0);
	PBT_REQUIRE(s.n == 1);
	PBT_REQUIRE(fcntl(0, F_GETFD) < 0);
	return 0;
}

START_TEST(stdin_closed)
{
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);

	ck_assert_int_eq(pbt_run_in_child(stdin_closed_child, &fd), 0);
	close(fd);
}
END_TEST

/*
 * TCP over both families is one walk of the kernel's table (the old
 * TCPDIAG_GETSOCK request, 96 bytes), never one per family (92-byte
 * SOCK_DIAG_BY_FAMILY requests): a filter refuses sendto of 92 bytes,
 * and the walks over both families still answer, with rows or without.
 * UDP has no such request: there the filter does refuse.
 */
static int refuse_sendto_of(unsigned len)
{
#if defined(__x86_64__)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, len, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return 0;
#else
	(void)len;
	return -1;
#endif
}

static int one_walk_child(void *arg)
{
	int fd = *(int *)arg, fd6 = ((int *)arg)[1];
	struct seen s = { 0 };
	unsigned port = pbt_local_port(fd);

	if (refuse_sendto_of(92) < 0)
		return 78;
	PBT_REQUIRE(dump_port(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, port, &s) == 0);
	PBT_REQUIRE(s.n == (fd6 >= 0 ? 2 : 1));
	s.n = 0;
	PBT_REQUIRE(dump_port(IPPROTO_TCP, AF_UNSPEC, 1u << PB_TCP_TIME_WAIT, port,
			      &s) == 0);
	PBT_REQUIRE(s.n == 0);
	/* Per family, and UDP: the request the filter refuses. */
	PBT_REQUIRE(dump_port(IPPROTO_TCP, AF_INET, PB__ALL_STATES, port, &s) == -EPERM);
	PBT_REQUIRE(dump_port(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, port, &s) == -EPERM);
	return 0;
}

START_TEST(tcp_both_families_one_walk)
{
	int fd[2], st;
	char spec[32];

	fd[0] = pb_listen("127.0.0.1:0", 4, 0, NULL);
	fd[1] = -1;
	if (pbt_have_ipv6()) {
		snprintf(spec, sizeof(spec), "[::1]:%u", pbt_local_port(fd[0]));
		fd[1] = pb_listen(spec, 4, 0, NULL);
	}
	st = pbt_run_in_child(one_walk_child, fd);
	close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	if (st == 78)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* ---- the system calls refused, one at a time */

struct refusal {
	long nr, arg0;
	int err, want;
};

static int refused_child(void *arg)
{
	const struct refusal *f = arg;
	struct seen s = { 0 };
	struct pb_portsel sel = { 0, 1, 65535 };
	int before = pbt_count_fds(), r;

	if (pbt_seccomp_errno(f->nr, f->arg0, f->err) < 0)
		return 78;
	r = pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, &sel,
			      collect, &s);
	if (r != f->want) {
		fprintf(stderr, "syscall %ld: %d, not %d\n", f->nr, r, f->want);
		return 1;
	}
	PBT_REQUIRE(pbt_count_fds() == before);
	PBT_REQUIRE(s.n == 0);
	return 0;
}

START_TEST(system_calls_refused)
{
	static struct refusal f[] = {
		{ SYS_socket, AF_NETLINK, EPERM, -EPERM },
		{ SYS_socket, AF_NETLINK, EAFNOSUPPORT, -EAFNOSUPPORT },
		{ SYS_bind, -1, EACCES, -EACCES },
		{ SYS_sendto, -1, EPERM, -EPERM },
		{ SYS_recvmsg, -1, ENOBUFS, -ENOBUFS },
		/* A read of nothing: not an answer. */
		{ SYS_recvmsg, -1, 0, -EPROTO },
		{ SYS_mmap, 0, ENOMEM, -ENOMEM },
	};
	int st = pbt_run_in_child(refused_child, &f[_i]);

	if (st == 78)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/*
 * Only the kernel answers a dump: a message another process sends to the
 * library's netlink socket while it reads (an error with the very
 * sequence number it waits for) is passed over.  The library's socket is
 * the child's first netlink socket, so its port id is the child's pid;
 * the forged message is sent from the callback, between two requests.
 */
struct forger {
	int rows, sent, err;
};

static int forge(const struct pb_sockent *e, void *arg)
{
	struct forger *f = arg;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;
	int fd;

	(void)e;
	if (f->rows++)
		return 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return 0;
	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_ERROR;
	m.h.nlmsg_seq = 2;	/* the IPv6 request's */
	m.e.error = -EPERM;
	to.nl_pid = (uint32_t)getpid();
	f->sent = sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&to,
			 sizeof(to)) == (ssize_t)sizeof(m);
	f->err = errno;
	close(fd);
	return 0;
}

static int forged_child(void *arg)
{
	struct forger f = { 0, 0, 0 };
	struct pb_portsel sel = { 0, 0, 0 };
	int u = pb_bind_udp("127.0.0.1:0", 0, NULL);

	(void)arg;
	PBT_REQUIRE(u >= 0);
	sel.lo = sel.hi = pbt_local_port(u);
	PBT_REQUIRE(pb__sockdiag_dump(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, &sel,
				      forge, &f) == 0);
	PBT_REQUIRE(f.rows == 1);
	close(u);
	/* Seen as a normal user (no namespace of its own): the kernel
	   refused the forger's send, so nothing was tested. */
	if (!f.sent)
		return 100 + (f.err & 0x7f);
	return 0;
}

START_TEST(forged_reply_ignored)
{
	int st = pbt_run_in_child(forged_child, NULL);

	if (st >= 100 && st < 228)
		PBT_SKIP("the forged netlink message could not be sent here: %s",
			 strerror(st - 100));
	ck_assert_int_eq(st, 0);
}
END_TEST

Suite *suite_sockdiag(void)
{
	Suite *s = suite_create("sockdiag");
	TCase *tc = tcase_create("netlink");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, parse_rows_and_done);
	tcase_add_test(tc, parse_error_and_truncation);
	tcase_add_test(tc, callback_stops_walk);
	tcase_add_test(tc, dump_filters_port_and_state);
	tcase_add_test(tc, dump_both_families_in_one_walk);
	tcase_add_test(tc, dump_of_unknown_protocol_fails);
	tcase_add_test(tc, parse_done_and_error_payloads);
	tcase_add_test(tc, parse_message_lengths);
	tcase_add_test(tc, parse_attributes);
	tcase_add_test(tc, parse_row_fields);
	tcase_add_test(tc, callback_values);
	tcase_add_loop_test(tc, dump_port_range_ends, 0, 2);
	tcase_add_test(tc, dump_udp_and_bound_only);
	tcase_add_test(tc, callback_error_stops_dump);
	tcase_add_test(tc, unknown_protocol_per_family);
	tcase_add_loop_test(tc, system_calls_refused, 0, 7);
	tcase_add_test(tc, forged_reply_ignored);
	tcase_add_test(tc, parse_attributes_stay_inside);
	tcase_add_test(tc, parse_chunk_ends_unpadded);
	tcase_add_test(tc, tcp_both_families_one_walk);
	tcase_add_test(tc, stdin_closed);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
/* check_sockdiag.c - the netlink reader: its parser on crafted replies, and
   its dumps against the real kernel (port filter, states, both families). */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
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
	suite_add_tcase(s, tc);
	return s;
}

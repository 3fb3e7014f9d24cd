/* SPDX-License-Identifier: MIT */
/*
 * check_hostile.c - bad input, table-driven: each call must return -1 with
 * the documented errno and leave no descriptor behind (the fixture counts).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "testutil.h"

/* A few kinds of bad descriptor, made fresh for each case. */
enum badfd { FD_NEGATIVE, FD_CLOSED, FD_PIPE, FD_UNIX, FD_COUNT };

static int make_badfd(enum badfd k, int *extra)
{
	int p[2], fd;

	*extra = -1;
	switch (k) {
	case FD_NEGATIVE:
		return -1;
	case FD_CLOSED:
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		close(fd);
		return fd;
	case FD_PIPE:
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		*extra = p[1];
		return p[0];
	case FD_UNIX:
		return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	default:
		return -1;
	}
}

static const int badfd_errno[FD_COUNT] = { EBADF, EBADF, ENOTSOCK, 0 };

/* Every fd-taking function against every kind of bad descriptor. */
START_TEST(bad_descriptors)
{
	enum badfd k = (enum badfd)_i;
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	int extra, fd = make_badfd(k, &extra), want = badfd_errno[k];
	struct {
		const char *name;
		int r;
		int e;
	} got[8];
	size_t i, n = 0;

#define TRY(call) do { errno = 0; got[n].name = #call; got[n].r = (call); \
	got[n].e = errno; n++; } while (0)
	TRY(pb_set_reuseaddr(fd, 1));
	TRY(pb_set_reuseport(fd, 1));
	TRY(pb_set_v6only(fd, 1));
	TRY(pb_set_freebind(fd, 1));
	TRY(pb_set_bind_no_port(fd, 1));
	TRY(pb_set_local_port_range(fd, 1, 2));
	TRY(pb_bind_reuse(fd, (struct sockaddr *)&ss, len));
	TRY(pb_fd_matches(fd, SOCK_STREAM, "80"));
#undef TRY
	for (i = 0; i < n; i++) {
		if (k == FD_UNIX) {
			/* A Unix socket: IP options are "not supported";
			   binding an inet address to it is EINVAL. */
			if (strstr(got[i].name, "pb_fd_matches") ||
			    strstr(got[i].name, "pb_set_reuseaddr"))
				/* No match; SO_REUSEADDR is a socket-level
				   option any socket takes. */
				ck_assert_msg(got[i].r == 0, "%s", got[i].name);
			else if (strstr(got[i].name, "pb_set_reuseport"))
				/* Refused for non-inet sockets since 6.x. */
				ck_assert_msg(got[i].r == 0 || got[i].e == EOPNOTSUPP,
					      "%s: %s", got[i].name, strerror(got[i].e));
			else
				ck_assert_msg(got[i].r == -1 &&
					      (got[i].e == EOPNOTSUPP ||
					       got[i].e == ENOPROTOOPT ||
					       got[i].e == EINVAL),
					      "%s: %d, %s", got[i].name, got[i].r,
					      strerror(got[i].e));
			continue;
		}
		ck_assert_msg(got[i].r == -1 && got[i].e == want,
			      "%s on bad fd %d: %d, %s", got[i].name, (int)k,
			      got[i].r, strerror(got[i].e));
	}
	if (fd >= 0 && k != FD_CLOSED)
		close(fd);
	if (extra >= 0)
		close(extra);
}
END_TEST

/* Addresses of other families, and lengths that do not fit. */
START_TEST(bad_addresses)
{
	struct sockaddr_un sun;
	struct sockaddr_ll sll;
	struct sockaddr_storage ss, big[2];
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 80);
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_budget b = PB_BUDGET_INIT;
	char buf[PB_ADDRSTRLEN];
	const struct sockaddr *other[2];
	size_t i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	other[0] = (struct sockaddr *)&sun;
	other[1] = (struct sockaddr *)&sll;
	for (i = 0; i < 2; i++) {
		errno = 0;
		ck_assert_int_eq(pb_diagnose(SOCK_STREAM, other[i], sizeof(sun), 0, &d), -1);
		ck_assert_int_eq(errno, EAFNOSUPPORT);
		errno = 0;
		ck_assert_int_eq(pb_format_addr(other[i], sizeof(sun), buf, sizeof(buf)), -1);
		ck_assert_int_eq(errno, EAFNOSUPPORT);
		errno = 0;
		ck_assert_int_eq(pb_connect_from(SOCK_STREAM, NULL, 0, other[i],
						 sizeof(sun), 0, NULL), -1);
		ck_assert_int_eq(errno, EAFNOSUPPORT);
		errno = 0;
		ck_assert_int_eq(pb_port_budget(NULL, 0, other[i], sizeof(sun), &b), -1);
		ck_assert_int_eq(errno, EAFNOSUPPORT);
	}
	/* Too short, and too long (more than any sockaddr: the kernel's own
	   limit for bind(2)). */
	memset(big, 0, sizeof(big));
	memcpy(big, &ss, len);
	{
		socklen_t lens[] = { 0, 1, (socklen_t)sizeof(struct sockaddr_in) - 1,
				     (socklen_t)sizeof(big) };

		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			errno = 0;
			ck_assert_int_eq(pb_diagnose(SOCK_STREAM, (struct sockaddr *)big,
						     lens[i], 0, &d), -1);
			ck_assert_int_eq(errno, EINVAL);
			errno = 0;
			ck_assert_int_eq(pb_format_addr((struct sockaddr *)big, lens[i],
							buf, sizeof(buf)), -1);
			ck_assert_int_eq(errno, EINVAL);
			errno = 0;
			ck_assert_int_eq(pb_connect_from(SOCK_STREAM, NULL, 0,
							 (struct sockaddr *)big,
							 lens[i], 0, NULL), -1);
			ck_assert_int_eq(errno, EINVAL);
		}
	}
	/* NULL where it is not allowed. */
	errno = 0;
	ck_assert_int_eq(pb_diag_format(NULL, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_read_sysctls(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_port_budget(NULL, 0, NULL, 0, &b), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(""), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(-1, NULL, NULL, 1, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Specs: very long, and everything a spec-taking function does with a
   bad one. */
START_TEST(bad_specs)
{
	static const char *const pre[] = { "", "[", "", "127.0.0.1:" };
	static const char *const post[] = { "", "]:80", ":80", "" };
	char *fill = malloc(100001), *spec = malloc(100032);
	struct pb_diag d = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;

	ck_assert_ptr_nonnull(fill);
	ck_assert_ptr_nonnull(spec);
	memset(fill, '1', 100000);
	fill[100000] = '\0';
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		snprintf(spec, 100032, "%s%s%s", pre[i], fill, post[i]);
		errno = 0;
		ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(pb_listen(spec, 4, 0, NULL), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(pb_bind_udp(spec, 0, NULL), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(pb_listen_wait(spec, 4, 0, 0, NULL), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(pb_fd_matches(0, SOCK_STREAM, spec), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(pb_adopt(SOCK_STREAM, spec, NULL), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	free(fill);
	free(spec);
}
END_TEST

/* Ports at the edges work like any other.  65535 is pinned in a private
   namespace, where nothing else can hold it: free, then held by the
   listener made there.  Without a namespace (not root) the host's 65535
   may be anyone's, and only the kernel-picked port is checked. */
static int edge_port_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd;

	(void)arg;
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, "127.0.0.1:65535", 0, &d) ==
		    PB_CAUSE_NONE);
	fd = pb_listen("127.0.0.1:65535", 4, 0, &d);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(pbt_local_port(fd) == 65535);
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, "127.0.0.1:65535", 0, &d) ==
		    PB_CAUSE_LISTENER);
	PBT_REQUIRE(d.n_listen == 1 && d.holders[0].inode != 0);
	PBT_REQUIRE(pb_listen("127.0.0.1:65535", 4, 0, &d) == -1 &&
		    errno == EADDRINUSE);
	PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER);
	close(fd);
	/* And 1, the lowest: root binds it. */
	fd = pb_listen("127.0.0.1:1", 4, 0, NULL);
	PBT_REQUIRE(fd >= 0 && pbt_local_port(fd) == 1);
	close(fd);
	return 0;
}

START_TEST(edge_ports)
{
	int fd;

	fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ne(pbt_local_port(fd), 0);
	close(fd);
	PBT_IN_NETNS(edge_port_child, NULL);
}
END_TEST

/* Link-local IPv6 needs a scope: without one the kernel says EINVAL; an
   interface that does not exist, ENODEV; a real one whose address it is
   not, EADDRNOTAVAIL. */
START_TEST(link_local_scopes)
{
	char spec[64];
	unsigned lo = if_nametoindex("lo");

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	errno = 0;
	ck_assert_int_eq(pb_listen("[fe80::1]:0", 4, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_listen("[fe80::1%4000000]:0", 4, 0, NULL), -1);
	ck_assert_int_eq(errno, ENODEV);
	if (lo) {
		snprintf(spec, sizeof(spec), "[fe80::1%%%u]:0", lo);
		errno = 0;
		ck_assert_int_eq(pb_listen(spec, 4, 0, NULL), -1);
		ck_assert_int_eq(errno, EADDRNOTAVAIL);
		/* The diagnosis keeps the scope and says it is not local. */
		ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, NULL),
				 PB_CAUSE_ADDR_NOT_LOCAL);
	}
	errno = 0;
	ck_assert_int_eq(pb_listen("[fe80::1%no-such-if]:0", 4, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *suite_hostile(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("input");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_loop_test(tc, bad_descriptors, 0, FD_COUNT);
	tcase_add_test(tc, bad_addresses);
	tcase_add_test(tc, bad_specs);
	tcase_add_test(tc, edge_ports);
	tcase_add_test(tc, link_local_scopes);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
/* check_opt.c - every setter really sets its option, read back from the
   kernel with getsockopt; and fails the way the man page says. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <unistd.h>

#include "testutil.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

typedef int (*setter_fn)(int, int);

static const struct setter_case {
	const char *name;
	setter_fn set;
	int level, opt;
	int v6;			/* needs an IPv6 socket */
} setters[] = {
	{ "reuseaddr", pb_set_reuseaddr, SOL_SOCKET, SO_REUSEADDR, 0 },
	{ "reuseport", pb_set_reuseport, SOL_SOCKET, SO_REUSEPORT, 0 },
	{ "v6only", pb_set_v6only, IPPROTO_IPV6, IPV6_V6ONLY, 1 },
	{ "freebind", pb_set_freebind, IPPROTO_IP, IP_FREEBIND, 0 },
	{ "freebind6", pb_set_freebind, IPPROTO_IP, IP_FREEBIND, 1 },
	{ "bind_no_port", pb_set_bind_no_port, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 0 },
	{ "bind_no_port6", pb_set_bind_no_port, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1 },
};

START_TEST(setter_round_trip)
{
	const struct setter_case *c = &setters[_i];
	int fd;

	if (c->v6 && !pbt_have_ipv6())
		PBT_SKIP("%s: no IPv6 on this host", c->name);
	fd = pbt_socket(c->v6 ? "::1" : "127.0.0.1", SOCK_STREAM, 0);
	ck_assert_int_eq(c->set(fd, 1), 0);
	ck_assert_msg(pbt_getopt(fd, c->level, c->opt) == 1, "%s on", c->name);
	ck_assert_int_eq(c->set(fd, 0), 0);
	ck_assert_msg(pbt_getopt(fd, c->level, c->opt) == 0, "%s off", c->name);
	/* Any non-zero value means on, as for setsockopt itself. */
	ck_assert_int_eq(c->set(fd, 7), 0);
	ck_assert_msg(pbt_getopt(fd, c->level, c->opt) == 1, "%s 7", c->name);
	close(fd);
}
END_TEST

START_TEST(setter_bad_fd)
{
	const struct setter_case *c = &setters[_i];
	int p[2];

	errno = 0;
	ck_assert_int_eq(c->set(-1, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	errno = 0;
	ck_assert_int_eq(c->set(p[0], 1), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(v6only_on_ipv4_socket)
{
	int fd = pbt_socket("127.0.0.1", SOCK_STREAM, 0);

	errno = 0;
	ck_assert_int_eq(pb_set_v6only(fd, 1), -1);
	ck_assert_int_eq(errno, ENOPROTOOPT);
	close(fd);
}
END_TEST

static uint32_t read_range(int fd)
{
	uint32_t v = 0;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &v, &len), 0);
	return v;
}

START_TEST(local_port_range)
{
	int fd = pbt_socket("127.0.0.1", SOCK_STREAM, 0);

	if (pb_set_local_port_range(fd, 50000, 50009) < 0) {
		int e = errno;

		close(fd);
		ck_assert_int_eq(e, ENOPROTOOPT);
		PBT_SKIP("IP_LOCAL_PORT_RANGE not in this kernel (< 6.3)");
	}
	ck_assert_uint_eq(read_range(fd), 50000u | 50009u << 16);
	ck_assert_int_eq(pb_set_local_port_range(fd, 40000, 40000), 0);
	ck_assert_uint_eq(read_range(fd), 40000u | 40000u << 16);
	ck_assert_int_eq(pb_set_local_port_range(fd, 0, 0), 0);
	ck_assert_uint_eq(read_range(fd), 0);

	/* Refused before the kernel sees them; the old value stays. */
	ck_assert_int_eq(pb_set_local_port_range(fd, 2000, 3000), 0);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 3000, 2000), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 1, 65536), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 70000, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(read_range(fd), 2000u | 3000u << 16);
	/* The edges: 65535 on either side, lo == hi, and a lower bound
	   alone (hi 0) are the kernel's to take. */
	ck_assert_int_eq(pb_set_local_port_range(fd, 65535, 65535), 0);
	ck_assert_uint_eq(read_range(fd), 65535u | 65535u << 16);
	ck_assert_int_eq(pb_set_local_port_range(fd, 1, 65535), 0);
	ck_assert_uint_eq(read_range(fd), 1u | 65535u << 16);
	ck_assert_int_eq(pb_set_local_port_range(fd, 40000, 0), 0);
	ck_assert_uint_eq(read_range(fd), 40000u);
	ck_assert_int_eq(pb_set_local_port_range(fd, 0, 40000), 0);
	ck_assert_uint_eq(read_range(fd), 40000u << 16);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 65536, 65536), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 65536, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 0, 65536), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(fd, 40001, 40000), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(read_range(fd), 40000u << 16);
	close(fd);

	errno = 0;
	ck_assert_int_eq(pb_set_local_port_range(-1, 1, 2), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(local_port_range_v6)
{
	int fd;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	fd = pbt_socket("::1", SOCK_STREAM, 0);
	if (pb_set_local_port_range(fd, 50000, 50009) < 0) {
		close(fd);
		PBT_SKIP("IP_LOCAL_PORT_RANGE not in this kernel (< 6.3)");
	}
	ck_assert_uint_eq(read_range(fd), 50000u | 50009u << 16);
	close(fd);
}
END_TEST

/* The option does what it is for: bind(ip, 0) keeps no port, and connect
   gets one. */
START_TEST(bind_no_port_defers_port)
{
	int lfd = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(lfd);
	int fd = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	int s;

	ck_assert_int_eq(pb_set_bind_no_port(fd, 1), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_uint_eq(pbt_local_port(fd), 0);
	len = pbt_addr(&ss, "127.0.0.1", port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_uint_ne(pbt_local_port(fd), 0);
	s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(s, 0);
	close(s);
	close(fd);
	close(lfd);
}
END_TEST

Suite *suite_opt(void)
{
	Suite *s = suite_create("opt");
	TCase *tc = tcase_create("setters");
	int n = (int)(sizeof(setters) / sizeof(setters[0]));

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_loop_test(tc, setter_round_trip, 0, n);
	tcase_add_loop_test(tc, setter_bad_fd, 0, n);
	tcase_add_test(tc, v6only_on_ipv4_socket);
	tcase_add_test(tc, local_port_range);
	tcase_add_test(tc, local_port_range_v6);
	tcase_add_test(tc, bind_no_port_defers_port);
	suite_add_tcase(s, tc);
	return s;
}

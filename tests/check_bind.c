/* SPDX-License-Identifier: MIT */
/* check_bind.c - the bind helpers against the real kernel: restarts over
   TIME_WAIT, overlap of addresses, dual-stack, flags, and no fd leaks. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "testutil.h"
#include "addr.h"
#include "bind.h"
#include "sockdiag.h"

static int bind_plain(int fd, const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);

	return bind(fd, (struct sockaddr *)&ss, len);
}

static int bind_reuse(int fd, const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);

	return pb_bind_reuse(fd, (struct sockaddr *)&ss, len);
}

/* host as a spec writes it: "127.0.0.1", "[::]", "*". */
static int listen_at(const char *host, unsigned port, unsigned flags)
{
	char spec[64];

	snprintf(spec, sizeof(spec), "%s:%u", host, port);
	return pb_listen(spec, 16, flags, NULL);
}

/* ---- pb_bind_reuse */

START_TEST(bind_reuse_sets_option_on_tcp_only)
{
	int t = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	int u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);

	ck_assert_int_eq(bind_reuse(t, "127.0.0.1", 0), 0);
	ck_assert_int_eq(pbt_getopt(t, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_eq(bind_reuse(u, "127.0.0.1", 0), 0);
	ck_assert_int_eq(pbt_getopt(u, SOL_SOCKET, SO_REUSEADDR), 0);
	/* It never closes the caller's descriptor. */
	ck_assert_int_ge(fcntl(t, F_GETFD), 0);
	close(t);
	close(u);
}
END_TEST

START_TEST(bind_reuse_errors)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	int p[2], fd;

	errno = 0;
	ck_assert_int_eq(pb_bind_reuse(-1, (struct sockaddr *)&ss, len), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	errno = 0;
	ck_assert_int_eq(pb_bind_reuse(p[0], (struct sockaddr *)&ss, len), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);

	fd = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	errno = 0;
	ck_assert_int_eq(pb_bind_reuse(fd, NULL, len), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_bind_reuse(fd, (struct sockaddr *)&ss, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pb_bind_reuse(fd, (struct sockaddr *)&ss, len), 0);
	/* A second bind of the same socket: the kernel's EINVAL, kept. */
	errno = 0;
	ck_assert_int_eq(pb_bind_reuse(fd, (struct sockaddr *)&ss, len), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
}
END_TEST

/*
 * The restart, for real: a server that set SO_REUSEADDR serves connections
 * and closes them first, so its side of each waits in TIME_WAIT; then it
 * exits.  A plain bind() to its address fails; pb_bind_reuse() binds.
 */
static void restart_over_time_wait(const char *ip, int old_reuse)
{
	int lfd = pbt_listener(ip, 0, old_reuse);
	unsigned port = pbt_local_port(lfd);
	int i, fd;

	for (i = 0; i < 3; i++)
		pbt_make_time_wait(lfd, ip, port);
	close(lfd);

	fd = pbt_socket(ip, SOCK_STREAM, 0);
	errno = 0;
	ck_assert_int_eq(bind_plain(fd, ip, port), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(fd);

	fd = pbt_socket(ip, SOCK_STREAM, 0);
	errno = 0;
	if (old_reuse) {
		ck_assert_msg(bind_reuse(fd, ip, port) == 0,
			      "pb_bind_reuse after restart: %s", strerror(errno));
		ck_assert_int_eq(listen(fd, 4), 0);
	} else {
		/* Linux lets the bind through only when both sockets set the
		   option; the old one did not. */
		ck_assert_int_eq(bind_reuse(fd, ip, port), -1);
		ck_assert_int_eq(errno, EADDRINUSE);
	}
	close(fd);

	/* pb_listen behaves the same, and cleans up when it fails. */
	fd = listen_at(strchr(ip, ':') ? "[::1]" : "127.0.0.1", port, 0);
	if (old_reuse) {
		ck_assert_int_ge(fd, 0);
		close(fd);
	} else {
		ck_assert_int_eq(fd, -1);
		ck_assert_int_eq(errno, EADDRINUSE);
	}
}

START_TEST(restart_v4_old_set_reuseaddr)
{
	restart_over_time_wait("127.0.0.1", 1);
}
END_TEST

START_TEST(restart_v4_old_did_not)
{
	restart_over_time_wait("127.0.0.1", 0);
}
END_TEST

START_TEST(restart_v6_old_set_reuseaddr)
{
	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	restart_over_time_wait("::1", 1);
}
END_TEST

START_TEST(restart_v6_old_did_not)
{
	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	restart_over_time_wait("::1", 0);
}
END_TEST

/* Two bound sockets with SO_REUSEADDR both bind; the second listen() is
   where the conflict shows. */
START_TEST(conflict_shows_at_listen)
{
	int a = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	int b = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	unsigned port;

	ck_assert_int_eq(bind_reuse(a, "127.0.0.1", 0), 0);
	port = pbt_local_port(a);
	ck_assert_int_eq(bind_reuse(b, "127.0.0.1", port), 0);
	ck_assert_int_eq(listen(a, 4), 0);
	errno = 0;
	ck_assert_int_eq(listen(b, 4), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(a);
	close(b);
}
END_TEST

/* ---- pb_listen, pb_bind_udp */

START_TEST(listen_defaults)
{
	int fd = pb_listen("127.0.0.1:0", 8, 0, NULL);

	ck_assert_int_ge(fd, 0);
	pbt_assert_cloexec(fd);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_ACCEPTCONN), 1);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_uint_ne(pbt_local_port(fd), 0);
	close(fd);
}
END_TEST

START_TEST(listen_accepts_a_connection)
{
	int fd = pb_listen("127.0.0.1:0", 8, 0, NULL), c, s;

	ck_assert_int_ge(fd, 0);
	pbt_connect_pair(fd, "127.0.0.1", pbt_local_port(fd), &c, &s);
	ck_assert_int_eq(write(c, "x", 1), 1);
	{
		char b;

		ck_assert_int_eq(read(s, &b, 1), 1);
		ck_assert_int_eq(b, 'x');
	}
	close(c);
	close(s);
	close(fd);
}
END_TEST

START_TEST(listen_flags)
{
	int fd;

	fd = pb_listen("127.0.0.1:0", 8, PB_NONBLOCK | PB_REUSEPORT, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEPORT), 1);
	close(fd);

	fd = pb_listen("127.0.0.1:0", 8, PB_NO_REUSEADDR, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR), 0);
	close(fd);

	errno = 0;
	ck_assert_int_eq(pb_listen("127.0.0.1:0", 8, 0x80000000u, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_listen("127.0.0.1:0", 8, PB_FLAGS_ALL + 1, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_listen("127.0.0.1:0", 8, PB_UDP_REUSEADDR, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_listen("localhost:80", 8, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_listen(NULL, 8, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* 203.0.113.0/24 (TEST-NET-3) is on no interface: no traffic is sent. */
START_TEST(listen_freebind)
{
	int fd;

	errno = 0;
	ck_assert_int_eq(pb_listen("203.0.113.7:0", 8, 0, NULL), -1);
	ck_assert_int_eq(errno, EADDRNOTAVAIL);
	fd = pb_listen("203.0.113.7:0", 8, PB_FREEBIND, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pbt_getopt(fd, IPPROTO_IP, IP_FREEBIND), 1);
	close(fd);
}
END_TEST

START_TEST(udp_defaults_and_flags)
{
	int fd = pb_bind_udp("127.0.0.1:0", 0, NULL);

	ck_assert_int_ge(fd, 0);
	pbt_assert_cloexec(fd);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR), 0);
	close(fd);

	fd = pb_bind_udp("127.0.0.1:0", PB_UDP_REUSEADDR | PB_NONBLOCK, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);

	errno = 0;
	ck_assert_int_eq(pb_bind_udp("127.0.0.1:0", PB_UDP_REUSEADDR |
				     PB_NO_REUSEADDR, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_bind_udp("127.0.0.1:0", 0x100, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_bind_udp("", 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Without the flag a second UDP socket cannot bind the address (and so
   cannot take its datagrams). */
START_TEST(udp_no_steal_by_default)
{
	int a = pb_bind_udp("127.0.0.1:0", 0, NULL), b;
	unsigned port = pbt_local_port(a);
	char spec[32];

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	errno = 0;
	ck_assert_int_eq(pb_bind_udp(spec, PB_UDP_REUSEADDR, NULL), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(a);

	a = pb_bind_udp("127.0.0.1:0", PB_UDP_REUSEADDR, NULL);
	port = pbt_local_port(a);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	b = pb_bind_udp(spec, PB_UDP_REUSEADDR, NULL);
	ck_assert_int_ge(b, 0);
	close(a);
	close(b);
}
END_TEST

START_TEST(tcp_and_udp_same_port)
{
	int t = pb_listen("127.0.0.1:0", 8, 0, NULL), u, u2;
	unsigned port = pbt_local_port(t);
	char spec[32];

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	u = pb_bind_udp(spec, 0, NULL);
	ck_assert_msg(u >= 0, "UDP on the TCP port: %s", strerror(errno));
	ck_assert_uint_eq(pbt_local_port(u), port);
	/* While a second UDP socket on it is refused: tables are per protocol. */
	errno = 0;
	u2 = pb_bind_udp(spec, 0, NULL);
	ck_assert_int_eq(u2, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(u);
	close(t);
}
END_TEST

START_TEST(two_addresses_same_port)
{
	int a = pb_listen("127.0.0.1:0", 8, 0, NULL), b, w;
	unsigned port = pbt_local_port(a);

	b = listen_at("127.0.0.2", port, 0);
	ck_assert_msg(b >= 0, "127.0.0.2: %s", strerror(errno));
	ck_assert_uint_eq(pbt_local_port(b), port);
	/* The wildcard overlaps both. */
	errno = 0;
	w = listen_at("0.0.0.0", port, 0);
	ck_assert_int_eq(w, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(a);
	close(b);
}
END_TEST

START_TEST(wildcard_against_specific)
{
	int w = pb_listen("0.0.0.0:0", 8, 0, NULL), s;
	unsigned port = pbt_local_port(w);

	errno = 0;
	s = listen_at("127.0.0.1", port, 0);
	ck_assert_int_eq(s, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(w);
}
END_TEST

START_TEST(dual_stack_overlaps_ipv4)
{
	int d, v4, v6;
	unsigned port;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	d = pb_listen("*:0", 8, 0, NULL);
	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(pbt_getopt(d, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	port = pbt_local_port(d);
	errno = 0;
	v4 = listen_at("0.0.0.0", port, 0);
	ck_assert_int_eq(v4, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	errno = 0;
	v4 = listen_at("127.0.0.1", port, 0);
	ck_assert_int_eq(v4, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	errno = 0;
	v6 = listen_at("[::]", port, 0);
	ck_assert_int_eq(v6, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(d);
}
END_TEST

START_TEST(v6only_leaves_ipv4_free)
{
	int d, v4;
	unsigned port;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	port = pbt_free_port();
	d = listen_at("[::]", port, 0);
	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(pbt_getopt(d, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	v4 = listen_at("0.0.0.0", port, 0);
	ck_assert_msg(v4 >= 0, "0.0.0.0 beside [::] v6only: %s", strerror(errno));
	close(v4);
	close(d);

	/* And the other way round: [::] v6-only binds beside 0.0.0.0, while
	   the dual-stack wildcard does not. */
	port = pbt_free_port();
	v4 = listen_at("0.0.0.0", port, 0);
	ck_assert_int_ge(v4, 0);
	d = listen_at("[::]", port, 0);
	ck_assert_int_ge(d, 0);
	close(d);
	errno = 0;
	ck_assert_int_eq(listen_at("*", port, 0), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(v4);
}
END_TEST

START_TEST(v4_mapped_binds)
{
	int fd;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	fd = pb_listen("[::ffff:127.0.0.1]:0", 8, 0, NULL);
	ck_assert_msg(fd >= 0, "v4-mapped: %s", strerror(errno));
	ck_assert_int_eq(pbt_getopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	close(fd);
	fd = pb_listen("[::1]:0", 8, 0, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pbt_getopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	close(fd);
}
END_TEST

START_TEST(reuseport_shares)
{
	int a = pb_listen("127.0.0.1:0", 8, PB_REUSEPORT, NULL), b, c;
	unsigned port = pbt_local_port(a);

	b = listen_at("127.0.0.1", port, PB_REUSEPORT);
	ck_assert_msg(b >= 0, "second reuseport listener: %s", strerror(errno));
	/* Never silently: without the flag, the port is taken. */
	errno = 0;
	c = listen_at("127.0.0.1", port, 0);
	ck_assert_int_eq(c, -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(a);
	close(b);
}
END_TEST

START_TEST(failure_keeps_errno_and_why)
{
	int a = pb_listen("127.0.0.1:0", 8, 0, NULL);
	struct pb_diag d = PB_DIAG_INIT;
	char spec[32];

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(a));
	errno = 0;
	ck_assert_int_eq(pb_listen(spec, 8, 0, &d), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_uint_eq(d.size, sizeof(d));
	errno = 0;
	ck_assert_int_eq(pb_bind_udp("203.0.113.9:0", 0, &d), -1);
	ck_assert_int_eq(errno, EADDRNOTAVAIL);
	close(a);
}
END_TEST

/* ---- arguments refused before any system call: why says which */

/* The three spec-taking helpers, called the same way. */
static int call_helper(int which, const char *spec, unsigned flags,
		       struct pb_diag *why)
{
	switch (which) {
	case 0:
		return pb_listen(spec, 8, flags, why);
	case 1:
		return pb_bind_udp(spec, flags, why);
	default:
		return pb_listen_wait(spec, 8, flags, 0, why);
	}
}

static const char *const helper_names[] = {
	"pb_listen", "pb_bind_udp", "pb_listen_wait"
};

/* The call fails with errno EINVAL, and why, formatted, holds every one
   of want (NULL-terminated), the first at its start; its JSON names the
   argument and the spec. */
static void expect_refused(int which, const char *spec, unsigned flags,
			   int invalid, const char *json_spec,
			   const char *const *want)
{
	struct pb_diag d = PB_DIAG_INIT;
	char t[1024], j[4096], member[128];
	size_t i;

	d.flags = PB_DIAG_OWNERS;	/* kept, as a diagnosis keeps it */
	d.n_stored = 5;			/* an earlier answer: cleared */
	errno = 0;
	ck_assert_int_eq(call_helper(which, spec, flags, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(d.invalid == invalid, "%s: invalid %d", helper_names[which],
		      d.invalid);
	ck_assert_int_eq(d.cause, PB_CAUSE_OTHER);
	ck_assert_int_eq(d.err, EINVAL);
	ck_assert_int_eq(d.type, which == 1 ? SOCK_DGRAM : SOCK_STREAM);
	ck_assert_uint_eq(d.size, sizeof(d));
	ck_assert_uint_eq(d.flags, PB_DIAG_OWNERS);
	ck_assert_uint_eq(d.n_stored, 0);
	ck_assert_int_gt(pb_diag_format(&d, t, sizeof(t)), 0);
	ck_assert_msg(strncmp(t, want[0], strlen(want[0])) == 0, "%s: %s",
		      helper_names[which], t);
	for (i = 0; want[i]; i++)
		ck_assert_msg(strstr(t, want[i]), "%s: no \"%s\" in: %s",
			      helper_names[which], want[i], t);
	ck_assert_int_gt(pb_diag_json(&d, j, sizeof(j)), 0);
	snprintf(member, sizeof(member), "\"invalid\":\"%s\"",
		 invalid == PB_INVALID_SPEC ? "spec" : "flags");
	ck_assert_msg(strstr(j, member), "%s", j);
	if (json_spec)
		snprintf(member, sizeof(member), "\"spec\":\"%s\"", json_spec);
	else
		snprintf(member, sizeof(member), "\"spec\":null");
	ck_assert_msg(strstr(j, member), "%s", j);
}

/*
 * Issue 13: a spec that does not parse, or flags the helper does not
 * take, fail before any system call; why is filled all the same, and
 * its text names the argument and the spec.  Before, why was left as
 * it was and pb_diag_format failed on it, leaving the caller's buffer
 * untouched: a configuration typo printed garbage.
 */
START_TEST(refused_arguments_fill_why)
{
	int w = _i;
	const char *proto = w == 1 ? "udp " : "tcp ";
	char p1[64], p2[64], p3[64];
	const char *bad_port[] = { p1, " is not valid: EINVAL (22, Invalid"
				   " argument). Fix: write a numeric address",
				   NULL };
	const char *null_spec[] = { p2, NULL };
	const char *bad_flags[] = { p3, "the flags are not valid for this call",
				    NULL };
	const char *both_bad[] = { proto, "address spec \"localhost:80\": EINVAL"
				   " (22, Invalid argument): the flags are not"
				   " valid", NULL };
	const char *escaped[] = { proto, "address spec \"127.0.0.1:8?[31m\" is"
				  " not valid", NULL };

	snprintf(p1, sizeof(p1), "%saddress spec \"127.0.0.1:99999\"", proto);
	/* NULL and "" are no spec, not a spec "" to quote. */
	snprintf(p2, sizeof(p2), "%s: no address spec (NULL or \"\"): EINVAL",
		 w == 1 ? "udp" : "tcp");
	snprintf(p3, sizeof(p3), "%s127.0.0.1:8080: EINVAL (22, Invalid"
		 " argument): ", proto);
	expect_refused(w, "127.0.0.1:99999", 0, PB_INVALID_SPEC,
		       "127.0.0.1:99999", bad_port);
	expect_refused(w, NULL, 0, PB_INVALID_SPEC, NULL, null_spec);
	expect_refused(w, "", 0, PB_INVALID_SPEC, NULL, null_spec);
	expect_refused(w, "127.0.0.1:8080", 0x80000000u, PB_INVALID_FLAGS,
		       "127.0.0.1:8080", bad_flags);
	expect_refused(w, "localhost:80", 0x80000000u, PB_INVALID_FLAGS,
		       "localhost:80", both_bad);
	/* A control character is shown as '?', in the text and the JSON. */
	expect_refused(w, "127.0.0.1:8\033[31m", 0, PB_INVALID_SPEC,
		       "127.0.0.1:8?[31m", escaped);
	/* The flags each helper refuses. */
	if (w == 1)
		expect_refused(w, "127.0.0.1:8080", PB_UDP_REUSEADDR | PB_NO_REUSEADDR,
			       PB_INVALID_FLAGS, "127.0.0.1:8080", bad_flags);
	else
		expect_refused(w, "127.0.0.1:8080", PB_UDP_REUSEADDR,
			       PB_INVALID_FLAGS, "127.0.0.1:8080", bad_flags);
}
END_TEST

/* Refused flags still parse the spec: why's v6only is the spec's, as
   pb_diagnose(3) says: 1 for an IPv6 address, 0 for a v4-mapped one or
   the dual-stack wildcard, -1 for IPv4. */
START_TEST(refused_flags_keep_v6only)
{
	static const struct {
		const char *spec;
		int v6only;
	} c[] = {
		{ "[::1]:8080", 1 }, { "[::ffff:127.0.0.1]:8080", 0 },
		{ "*:8080", 0 }, { "127.0.0.1:8080", -1 },
	};
	size_t i;
	int w;

	for (w = 0; w < 3; w++) {
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			struct pb_diag d = PB_DIAG_INIT;

			errno = 0;
			ck_assert_int_eq(call_helper(w, c[i].spec, 0x80000000u, &d), -1);
			ck_assert_int_eq(errno, EINVAL);
			ck_assert_int_eq(d.invalid, PB_INVALID_FLAGS);
			ck_assert_msg(d.v6only == c[i].v6only, "%s %s: v6only %d, wanted %d",
				      helper_names[w], c[i].spec, d.v6only, c[i].v6only);
		}
	}
}
END_TEST

/* The example of pb_diagnose(3), word for word (one line there folded). */
START_TEST(refused_spec_text_as_documented)
{
	struct pb_diag d = PB_DIAG_INIT;
	char t[1024];

	ck_assert_int_eq(pb_listen("127.0.0.1:99999", -1, 0, &d), -1);
	ck_assert_int_gt(pb_diag_format(&d, t, sizeof(t)), 0);
	ck_assert_str_eq(t, "tcp address spec \"127.0.0.1:99999\" is not valid:"
			 " EINVAL (22, Invalid argument). Fix: write a numeric"
			 " address and a port from 0 to 65535, such as"
			 " \"127.0.0.1:8080\", \"[::1]:8080\", \"*:8080\" or"
			 " \"8080\"; host names are not looked up"
			 " (pb_parse_addr(3)).");
}
END_TEST

/* A spec longer than pb_diag.spec is cut, with "..." at its end. */
START_TEST(long_spec_is_cut)
{
	struct pb_diag d = PB_DIAG_INIT;
	char spec[300], t[1024];

	memset(spec, '1', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	ck_assert_int_eq(pb_listen(spec, 8, 0, &d), -1);
	ck_assert_int_eq(d.invalid, PB_INVALID_SPEC);
	ck_assert_uint_eq(strlen(d.spec), sizeof(d.spec) - 1);
	ck_assert_str_eq(d.spec + sizeof(d.spec) - 4, "...");
	ck_assert_int_eq(strncmp(d.spec, spec, sizeof(d.spec) - 4), 0);
	ck_assert_int_gt(pb_diag_format(&d, t, sizeof(t)), 0);
	ck_assert_msg(strstr(t, "111...\" is not valid"), "%s", t);
}
END_TEST

/* why itself refused: EINVAL, and not a byte of it written (its size is
   not known to be the caller's); a success writes nothing either. */
START_TEST(refused_why_is_not_written)
{
	struct pb_diag d, copy;
	int w, fd;

	for (w = 0; w < 3; w++) {
		memset(&d, 0x5a, sizeof(d));
		d.size = 16;
		copy = d;
		errno = 0;
		ck_assert_int_eq(call_helper(w, "127.0.0.1:99999", 0, &d), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(memcmp(&d, &copy, sizeof(d)), 0);

		memset(&d, 0x5a, sizeof(d));
		d.size = sizeof(d);
		d.flags = 0;
		copy = d;
		fd = call_helper(w, "127.0.0.1:0", 0, &d);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(memcmp(&d, &copy, sizeof(d)), 0);
		close(fd);
	}
}
END_TEST

/* A failure after the system calls began keeps the spec as given. */
START_TEST(failure_keeps_the_spec)
{
	int a = pb_listen("127.0.0.1:0", 8, PB_NO_REUSEADDR, NULL);
	struct pb_diag d = PB_DIAG_INIT;
	char spec[32];
	int w;

	ck_assert_int_ge(a, 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(a));
	for (w = 0; w < 3; w += 2) {
		memset(d.spec, 'z', sizeof(d.spec));
		ck_assert_int_eq(call_helper(w, spec, 0, &d), -1);
		ck_assert_int_eq(d.cause, PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.invalid, 0);
		ck_assert_str_eq(d.spec, spec);
	}
	close(a);
}
END_TEST

/* ---- pb_listen_wait and signals: a caught signal ends the wait */

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct waiter {
	char spec[64];
	struct pb_diag d;
	int r, err, timeout_ms;
	int64_t start_ms, end_ms;
	int started, done;
	int block;		/* a signal this thread blocks, or 0 */
};

static void *wait_in_thread(void *arg)
{
	struct waiter *w = arg;

	if (w->block) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, w->block);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	errno = 0;
	w->start_ms = now_ms();
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	w->r = pb_listen_wait(w->spec, 4, 0, w->timeout_ms, &w->d);
	w->err = errno;
	w->end_ms = now_ms();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A waiter on a port that TIME_WAIT holds, which SO_REUSEADDR cannot
   pass (the old listener did not set it). */
static void waiter_over_time_wait(struct waiter *w, int timeout_ms)
{
	struct pb_diag fresh = PB_DIAG_INIT;
	int lfd = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(lfd);

	pbt_make_time_wait(lfd, "127.0.0.1", port);
	close(lfd);
	memset(w, 0, sizeof(*w));
	snprintf(w->spec, sizeof(w->spec), "127.0.0.1:%u", port);
	w->d = fresh;
	w->timeout_ms = timeout_ms;
}

/*
 * A 10 s wait over a TIME_WAIT that SO_REUSEADDR cannot pass, and a
 * handler for SIGUSR1 installed with sa_flags.  The signal is sent after
 * 200 ms, and again every 200 ms while the wait goes on (one that lands
 * between two sleeps, while the call binds and diagnoses, is not seen).
 * The wait must end with EINTR soon after the first signal, with the
 * last diagnosis in why.
 */
static void signal_ends_wait(int sa_flags)
{
	struct sigaction sa, old;
	struct waiter w;
	pthread_t t;
	int64_t first = 0;
	int i;

	waiter_over_time_wait(&w, 10000);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = sa_flags;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
	caught = 0;

	ck_assert_int_eq(pthread_create(&t, NULL, wait_in_thread, &w), 0);
	for (i = 0; i < 25 && !__atomic_load_n(&w.done, __ATOMIC_ACQUIRE); i++) {
		struct timespec gap = { 0, 200 * 1000000L };

		nanosleep(&gap, NULL);
		if (__atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
			break;
		if (!first)
			first = now_ms();
		pthread_kill(t, SIGUSR1);
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);

	ck_assert_msg(first != 0, "the wait ended before any signal: %s",
		      strerror(w.err));
	ck_assert_int_eq(w.r, -1);
	ck_assert_msg(w.err == EINTR, "errno %s, not EINTR", strerror(w.err));
	ck_assert_int_ge(caught, 1);
	/* Soon: well before the 10 s, with seconds for a loaded machine. */
	ck_assert_msg(w.end_ms - first < 5000, "returned %lld ms after the signal",
		      (long long)(w.end_ms - first));
	/* why holds the diagnosis made before the interrupted sleep. */
	ck_assert_int_eq(w.d.cause, PB_CAUSE_TIME_WAIT);
	ck_assert_int_eq(w.d.err, EADDRINUSE);
	ck_assert_uint_ge(w.d.n_time_wait, 1);
}

START_TEST(wait_ends_on_signal)
{
	signal_ends_wait(0);
}
END_TEST

/* SA_RESTART restarts read() and the like, never a sleep: the wait ends
   all the same (documented in pb_listen(3)). */
START_TEST(wait_ends_on_signal_sa_restart)
{
	signal_ends_wait(SA_RESTART);
}
END_TEST

/*
 * A signal that lands while the wait binds or diagnoses, not while it
 * sleeps, ends it just as promptly: its handler has run, so the program
 * must get control back.  The attempt raises the signal itself, so it
 * comes exactly there, then binds for real over the TIME_WAIT.
 */
struct raising_attempt {
	const char *spec;
	int raised;
};

static int raise_then_bind(void *arg)
{
	struct raising_attempt *a = arg;
	int fd;

	if (!a->raised++)
		raise(SIGUSR1);
	fd = pb_listen(a->spec, 4, PB_NO_REUSEADDR, NULL);
	return fd >= 0 ? fd : -errno;
}

START_TEST(wait_ends_on_signal_between_sleeps)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct sigaction sa, old;
	struct raising_attempt a;
	struct pb_spec s;
	struct waiter w;
	int64_t t0, ms;
	int r;

	waiter_over_time_wait(&w, 0);
	ck_assert_int_eq(pb__parse_spec(w.spec, &s), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
	caught = 0;
	a.spec = w.spec;
	a.raised = 0;
	t0 = now_ms();
	r = pb__wait_out(raise_then_bind, &a, SOCK_STREAM,
			 (struct sockaddr *)&s.ss, s.len, s.v6only, 10000, &d);
	ms = now_ms() - t0;
	ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);
	ck_assert_int_eq(caught, 1);
	ck_assert_msg(r == -EINTR, "%d (%s), not -EINTR", r, strerror(-r));
	/* At once: well before the 10 s, with seconds for a loaded machine. */
	ck_assert_msg(ms < 5000, "the wait went on for %lld ms after the signal",
		      (long long)ms);
	ck_assert_int_eq(a.raised, 1);
	ck_assert_int_eq(d.cause, PB_CAUSE_TIME_WAIT);
}
END_TEST

/* Signals that run no handler in the waiting thread leave the wait
   alone: an ignored one, SIGCONT (default action), and one the thread
   blocks although a handler is installed. */
START_TEST(wait_goes_on_without_handler)
{
	struct sigaction ign, on, old1, old2;
	struct waiter w;
	pthread_t t;
	int64_t ms;

	waiter_over_time_wait(&w, 800);
	w.block = SIGUSR2;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	on = ign;
	on.sa_handler = on_signal;
	ck_assert_int_eq(sigaction(SIGUSR1, &ign, &old1), 0);
	ck_assert_int_eq(sigaction(SIGUSR2, &on, &old2), 0);
	caught = 0;

	ck_assert_int_eq(pthread_create(&t, NULL, wait_in_thread, &w), 0);
	{
		struct timespec gap = { 0, 250 * 1000000L };

		nanosleep(&gap, NULL);
	}
	pthread_kill(t, SIGUSR1);
	pthread_kill(t, SIGCONT);
	pthread_kill(t, SIGUSR2);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(sigaction(SIGUSR1, &old1, NULL), 0);
	ck_assert_int_eq(sigaction(SIGUSR2, &old2, NULL), 0);

	ms = w.end_ms - w.start_ms;
	ck_assert_int_eq(w.r, -1);
	ck_assert_msg(w.err == EADDRINUSE, "errno %s", strerror(w.err));
	ck_assert_msg(ms >= 790, "the wait ended after %lld ms", (long long)ms);
	/* The blocked SIGUSR2 stayed pending in the thread, and went with it. */
	ck_assert_int_eq(caught, 0);
}
END_TEST

/* ---- every flag combination, the options on the descriptor */

/* The socket options and file flags a returned descriptor has. */
static void expect_options(int fd, int type, unsigned flags, const char *what)
{
	int reuseaddr = type == SOCK_STREAM ? !(flags & PB_NO_REUSEADDR)
					    : (flags & PB_UDP_REUSEADDR) != 0;

	pbt_assert_cloexec(fd);
	ck_assert_msg(pbt_getopt(fd, SOL_SOCKET, SO_TYPE) == type, "%s", what);
	ck_assert_msg(!!(fcntl(fd, F_GETFL) & O_NONBLOCK) == !!(flags & PB_NONBLOCK),
		      "%s: O_NONBLOCK", what);
	ck_assert_msg(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR) == reuseaddr,
		      "%s: SO_REUSEADDR", what);
	ck_assert_msg(pbt_getopt(fd, SOL_SOCKET, SO_REUSEPORT) ==
		      !!(flags & PB_REUSEPORT), "%s: SO_REUSEPORT", what);
	ck_assert_msg(pbt_getopt(fd, IPPROTO_IP, IP_FREEBIND) ==
		      !!(flags & PB_FREEBIND), "%s: IP_FREEBIND", what);
	if (type == SOCK_STREAM)
		ck_assert_msg(pbt_getopt(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1,
			      "%s: not listening", what);
}

/* _i: the flags (all 64 combinations).  Each of the three helpers
   either returns a descriptor with exactly the options the flags ask
   for, or refuses flags it does not take with EINVAL. */
START_TEST(every_flag_combination)
{
	unsigned flags = (unsigned)_i;
	int udp_bad = (flags & (PB_UDP_REUSEADDR | PB_NO_REUSEADDR)) ==
		      (PB_UDP_REUSEADDR | PB_NO_REUSEADDR);
	int tcp_bad = (flags & PB_UDP_REUSEADDR) != 0;
	char what[64];
	int fd, w;

	for (w = 0; w < 3; w++) {
		int bad = w == 1 ? udp_bad : tcp_bad;

		snprintf(what, sizeof(what), "%s flags 0x%x", helper_names[w], flags);
		errno = 0;
		fd = call_helper(w, "127.0.0.1:0", flags, NULL);
		if (bad) {
			ck_assert_msg(fd == -1 && errno == EINVAL, "%s: %d %s", what,
				      fd, strerror(errno));
			continue;
		}
		ck_assert_msg(fd >= 0, "%s: %s", what, strerror(errno));
		/* No error on success, so no errno either. */
		ck_assert_msg(errno == 0, "%s: errno %d", what, errno);
		expect_options(fd, w == 1 ? SOCK_DGRAM : SOCK_STREAM, flags, what);
		close(fd);
	}
}
END_TEST

/* Bits beyond PB_FLAGS_ALL, one at a time: refused. */
START_TEST(unknown_flag_bits)
{
	unsigned bit;
	int w;

	for (bit = PB_FLAGS_ALL + 1; bit; bit <<= 1) {
		if (bit & PB_FLAGS_ALL)
			continue;
		for (w = 0; w < 3; w++) {
			errno = 0;
			ck_assert_int_eq(call_helper(w, "127.0.0.1:0", bit, NULL), -1);
			ck_assert_int_eq(errno, EINVAL);
		}
	}
}
END_TEST

/* ---- failures of each system call, through seccomp in a child */

struct refuse {
	long nr, arg0;
	int err;
};

static int refuse(const struct refuse *r)
{
	return pbt_seccomp_errno(r->nr, r->arg0, r->err);
}

#define NO_SECCOMP 78
/* ... and for "the signal mask cannot be refused here". */
#define NO_SIGMASK 79

/* setsockopt refused: each helper fails with its errno, closes what it
   opened, and says why; a helper that needs no option still works, so
   none is set that the flags did not ask for. */
static int setsockopt_refused_child(void *arg)
{
	static const struct {
		const char *spec;
		unsigned flags;
		int udp, ok;
	} c[] = {
		{ "127.0.0.1:0", 0, 0, 0 },			/* SO_REUSEADDR */
		{ "[::1]:0", PB_NO_REUSEADDR, 0, 0 },		/* IPV6_V6ONLY */
		{ "127.0.0.1:0", PB_NO_REUSEADDR | PB_REUSEPORT, 0, 0 },
		{ "127.0.0.1:0", PB_NO_REUSEADDR | PB_FREEBIND, 0, 0 },
		{ "127.0.0.1:0", PB_NO_REUSEADDR | PB_NONBLOCK, 0, 1 },
		{ "127.0.0.1:0", 0, 1, 1 },
		{ "127.0.0.1:0", PB_NONBLOCK | PB_NO_REUSEADDR, 1, 1 },
		{ "127.0.0.1:0", PB_UDP_REUSEADDR, 1, 0 },
		{ "127.0.0.1:0", PB_REUSEPORT, 1, 0 },
		{ "127.0.0.1:0", PB_FREEBIND, 1, 0 },
		{ "[::1]:0", 0, 1, 0 },
	};
	struct pb_diag d = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	int have6 = pbt_have_ipv6(), before, fd, t, u;
	size_t i;

	(void)arg;
	t = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	if (pbt_seccomp_errno(SYS_setsockopt, -1, EPERM) < 0)
		return NO_SECCOMP;
	/* pb_bind_reuse: TCP needs the option, UDP never takes it. */
	errno = 0;
	PBT_REQUIRE(pb_bind_reuse(t, (struct sockaddr *)&ss, len) == -1);
	PBT_REQUIRE(errno == EPERM);
	PBT_REQUIRE(pbt_local_port(t) == 0);	/* not bound */
	errno = 0;
	PBT_REQUIRE(pb_bind_reuse(u, (struct sockaddr *)&ss, len) == 0);
	PBT_REQUIRE(errno == 0);
	PBT_REQUIRE(pbt_local_port(u) != 0);
	close(t);
	close(u);
	before = pbt_count_fds();
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (strchr(c[i].spec, '[') && !have6)
			continue;
		d.cause = -1;
		errno = 0;
		fd = c[i].udp ? pb_bind_udp(c[i].spec, c[i].flags, &d)
			      : pb_listen(c[i].spec, 4, c[i].flags, &d);
		if (c[i].ok) {
			if (fd < 0) {
				fprintf(stderr, "case %zu: %s\n", i, strerror(errno));
				return 1;
			}
			close(fd);
			continue;
		}
		if (fd != -1 || errno != EPERM || d.err != EPERM) {
			fprintf(stderr, "case %zu: %d %s, why %d\n", i, fd,
				strerror(errno), d.err);
			return 1;
		}
		PBT_REQUIRE(strcmp(d.spec, c[i].spec) == 0);
		PBT_REQUIRE(pbt_count_fds() == before);
	}
	return 0;
}

START_TEST(setsockopt_refused)
{
	int st = pbt_run_in_child(setsockopt_refused_child, NULL);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* socket() refused: the errno and why.  For "*:p" on a host where IPv6
   sockets cannot be made, the IPv4 wildcard serves (and keeps the
   flags); "[::]:p" has no such fallback. */
static int socket_refused_child(void *arg)
{
	const struct refuse *r = arg;
	struct pb_diag d = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (refuse(r) < 0)
		return NO_SECCOMP;
	if (r->arg0 == AF_INET6 && r->err == EAFNOSUPPORT) {
		fd = pb_listen("*:0", 4, PB_NONBLOCK, &d);
		PBT_REQUIRE(fd >= 0);
		PBT_REQUIRE(getsockname(fd, (struct sockaddr *)&ss, &len) == 0);
		PBT_REQUIRE(ss.ss_family == AF_INET);
		PBT_REQUIRE(((struct sockaddr_in *)&ss)->sin_addr.s_addr == INADDR_ANY);
		PBT_REQUIRE(fcntl(fd, F_GETFL) & O_NONBLOCK);
		PBT_REQUIRE(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR) == 1);
		close(fd);
		fd = pb_bind_udp("*:0", 0, NULL);
		PBT_REQUIRE(fd >= 0);
		PBT_REQUIRE(pbt_getopt(fd, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
		close(fd);
		errno = 0;
		PBT_REQUIRE(pb_listen("[::]:0", 4, 0, &d) == -1);
		PBT_REQUIRE(errno == r->err && d.err == r->err);
		PBT_REQUIRE(pb_listen("127.0.0.1:0", 4, 0, NULL) >= 0);
		return 0;
	}
	if (r->arg0 == AF_INET6) {
		/* Refused for another reason than a missing IPv6: no
		   fallback, the error is the caller's. */
		errno = 0;
		PBT_REQUIRE(pb_listen("*:0", 4, 0, &d) == -1);
		PBT_REQUIRE(errno == r->err && d.err == r->err);
		return 0;
	}
	errno = 0;
	PBT_REQUIRE(pb_listen("127.0.0.1:0", 4, 0, &d) == -1);
	PBT_REQUIRE(errno == r->err && d.err == r->err);
	PBT_REQUIRE(strcmp(d.spec, "127.0.0.1:0") == 0);
	errno = 0;
	PBT_REQUIRE(pb_bind_udp("127.0.0.1:0", 0, &d) == -1);
	PBT_REQUIRE(errno == r->err);
	return 0;
}

START_TEST(socket_refused)
{
	static struct refuse r[] = {
		{ SYS_socket, AF_INET, EACCES },
		{ SYS_socket, AF_INET6, EAFNOSUPPORT },
		{ SYS_socket, -1, EMFILE },
		{ SYS_socket, AF_INET6, EACCES },
	};
	int st = pbt_run_in_child(socket_refused_child, &r[_i]);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* listen() fails after bind() passed: the listen errno, the descriptor
   closed, why filled; a UDP socket, never listened on, still binds. */
static int listen_refused_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	int before = pbt_count_fds(), u;

	(void)arg;
	if (pbt_seccomp_errno(SYS_listen, -1, EPERM) < 0)
		return NO_SECCOMP;
	errno = 0;
	PBT_REQUIRE(pb_listen("127.0.0.1:0", 4, 0, &d) == -1);
	PBT_REQUIRE(errno == EPERM && d.err == EPERM);
	PBT_REQUIRE(strcmp(d.spec, "127.0.0.1:0") == 0);
	PBT_REQUIRE(pbt_count_fds() == before);
	errno = 0;
	PBT_REQUIRE(pb_listen_wait("127.0.0.1:0", 4, 0, 2000, &d) == -1);
	PBT_REQUIRE(errno == EPERM);
	PBT_REQUIRE(pbt_count_fds() == before);
	u = pb_bind_udp("127.0.0.1:0", 0, NULL);
	PBT_REQUIRE(u >= 0);
	close(u);
	return 0;
}

START_TEST(listen_failure_reported)
{
	int st = pbt_run_in_child(listen_refused_child, NULL);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* EACCES as another uid, at the privileged-port limit and one above,
   in a namespace where the limit is set; EADDRNOTAVAIL; and why says
   which. */
static int unprivileged_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd;

	(void)arg;
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start", "2000") == 0);
	if (setgid(65534) < 0 || setuid(65534) < 0)
		return 1;
	errno = 0;
	PBT_REQUIRE(pb_listen("127.0.0.1:1999", 4, 0, &d) == -1);
	PBT_REQUIRE(errno == EACCES);
	PBT_REQUIRE(d.cause == PB_CAUSE_PRIVILEGED);
	errno = 0;
	PBT_REQUIRE(pb_bind_udp("127.0.0.1:1", 0, &d) == -1);
	PBT_REQUIRE(errno == EACCES);
	errno = 0;
	PBT_REQUIRE(pb_listen_wait("127.0.0.1:1999", 4, 0, 5000, &d) == -1);
	PBT_REQUIRE(errno == EACCES);
	PBT_REQUIRE(d.cause == PB_CAUSE_PRIVILEGED);
	fd = pb_listen("127.0.0.1:2000", 4, 0, NULL);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	fd = pb_bind_udp("127.0.0.1:2000", 0, NULL);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	errno = 0;
	PBT_REQUIRE(pb_listen("192.0.2.1:2000", 4, 0, &d) == -1);
	PBT_REQUIRE(errno == EADDRNOTAVAIL && d.cause == PB_CAUSE_ADDR_NOT_LOCAL);
	return 0;
}

/* IPV6_V6ONLY is set explicitly, whatever net.ipv6.bindv6only says:
   "*:p" stays dual-stack where the default is IPv6 only, and "[::]:p"
   IPv6 only where the default is dual-stack. */
static int bindv6only_child(void *arg)
{
	char spec[32];
	int fd, v4, i;

	(void)arg;
	for (i = 0; i < 2; i++) {
		PBT_REQUIRE(pbt_write_sysctl("net/ipv6/bindv6only", i ? "1" : "0") == 0);
		fd = pb_listen("*:0", 4, 0, NULL);
		PBT_REQUIRE(fd >= 0);
		PBT_REQUIRE(pbt_getopt(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 0);
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(fd));
		PBT_REQUIRE(pb_listen(spec, 4, 0, NULL) == -1 && errno == EADDRINUSE);
		close(fd);
		fd = pb_bind_udp("*:0", 0, NULL);
		PBT_REQUIRE(fd >= 0 && pbt_getopt(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 0);
		close(fd);
		fd = pb_listen("[::]:0", 4, 0, NULL);
		PBT_REQUIRE(fd >= 0);
		PBT_REQUIRE(pbt_getopt(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 1);
		snprintf(spec, sizeof(spec), "0.0.0.0:%u", pbt_local_port(fd));
		v4 = pb_listen(spec, 4, 0, NULL);
		PBT_REQUIRE(v4 >= 0);
		close(v4);
		close(fd);
	}
	return 0;
}

START_TEST(v6only_whatever_the_sysctl)
{
	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(bindv6only_child, NULL);
}
END_TEST

START_TEST(unprivileged_port_limit)
{
	PBT_IN_NETNS(unprivileged_child, NULL);
}
END_TEST

/* A daemon that closed its standard input: descriptor 0 is what the
   helpers return, a valid socket like any other. */
static int stdin_closed_child(void *arg)
{
	int fd;

	(void)arg;
	close(0);
	PBT_REQUIRE(pb_listen("127.0.0.1:0", 4, 0, NULL) == 0);
	PBT_REQUIRE(pbt_getopt(0, SOL_SOCKET, SO_ACCEPTCONN) == 1);
	close(0);
	PBT_REQUIRE(pb_bind_udp("127.0.0.1:0", 0, NULL) == 0);
	PBT_REQUIRE(pbt_local_port(0) != 0);
	close(0);
	{
		struct pb_diag d, copy;

		memset(&d, 0x5a, sizeof(d));
		d.size = sizeof(d);
		d.flags = 0;
		copy = d;
		PBT_REQUIRE(pb_listen_wait("127.0.0.1:0", 4, 0, 100, &d) == 0);
		PBT_REQUIRE(memcmp(&d, &copy, sizeof(d)) == 0);	/* success: untouched */
	}
	close(0);
	/* A stale EAFNOSUPPORT in errno is no failure of this socket(). */
	fd = pbt_count_fds();
	errno = EAFNOSUPPORT;
	PBT_REQUIRE(pb_listen("*:0", 4, 0, NULL) == 0);
	PBT_REQUIRE(pbt_count_fds() == fd + 1);	/* that one, no other */
	if (pbt_have_ipv6()) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		PBT_REQUIRE(getsockname(0, (struct sockaddr *)&ss, &len) == 0);
		PBT_REQUIRE(ss.ss_family == AF_INET6);
	}
	close(0);
	/* And one that fails: nothing left open at 0. */
	fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	PBT_REQUIRE(fd == 0);
	{
		char spec[32];

		snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(0));
		PBT_REQUIRE(pb_listen(spec, 4, 0, NULL) == -1);
		PBT_REQUIRE(fcntl(1, F_GETFD) >= 0);
	}
	return 0;
}

START_TEST(stdin_closed)
{
	ck_assert_int_eq(pbt_run_in_child(stdin_closed_child, NULL), 0);
}
END_TEST

/* ---- PB_ADOPT and PB_NONBLOCK on an inherited socket */

static int adopt_child(void *arg)
{
	char spec[32], pid[16];
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), fd, fl, i;
	struct refuse r = { SYS_fcntl, 3, EBADF };
	struct pb_diag d = PB_DIAG_INIT;

	(void)arg;
	PBT_REQUIRE(l >= 0);
	PBT_REQUIRE(dup2(l, 3) == 3);
	close(l);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(3));
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	/* Without PB_NONBLOCK the socket is left as it was... */
	PBT_REQUIRE(pb_listen(spec, 4, PB_ADOPT, NULL) == 3);
	PBT_REQUIRE(!(fcntl(3, F_GETFL) & O_NONBLOCK));
	PBT_REQUIRE(pb_listen_wait(spec, 4, PB_ADOPT, 0, NULL) == 3);
	PBT_REQUIRE(!(fcntl(3, F_GETFL) & O_NONBLOCK));
	/* ...with it, O_NONBLOCK is set. */
	fl = fcntl(3, F_GETFL);
	PBT_REQUIRE(pb_listen_wait(spec, 4, PB_ADOPT | PB_NONBLOCK, 0, NULL) == 3);
	PBT_REQUIRE(fcntl(3, F_GETFL) & O_NONBLOCK);
	PBT_REQUIRE(fcntl(3, F_SETFL, fl) == 0);
	PBT_REQUIRE(pb_listen(spec, 4, PB_ADOPT | PB_NONBLOCK | PB_REUSEPORT, NULL) == 3);
	PBT_REQUIRE(fcntl(3, F_GETFL) & O_NONBLOCK);
	/* It changes nothing else: no SO_REUSEPORT was set. */
	PBT_REQUIRE(pbt_getopt(3, SOL_SOCKET, SO_REUSEPORT) == 0);
	/* An adoption is a success like a bind: not a byte of why is
	   written, errno is kept (each helper, with and without the
	   O_NONBLOCK step). */
	for (i = 0; i < 4; i++) {
		struct pb_diag w, copy;
		unsigned fl_i = PB_ADOPT | (i & 1 ? PB_NONBLOCK : 0);

		memset(&w, 0x5a, sizeof(w));
		w.size = sizeof(w);
		w.flags = 0;
		copy = w;
		errno = EDOM;
		PBT_REQUIRE((i < 2 ? pb_listen(spec, 4, fl_i, &w)
			     : pb_listen_wait(spec, 4, fl_i, 0, &w)) == 3);
		PBT_REQUIRE(errno == EDOM);
		PBT_REQUIRE(memcmp(&w, &copy, sizeof(w)) == 0);
	}
	/* Not inherited (another address): a new socket, bound; why is
	   not written either. */
	{
		struct pb_diag w, copy;

		memset(&w, 0x5a, sizeof(w));
		w.size = sizeof(w);
		w.flags = 0;
		copy = w;
		fd = pb_listen("127.0.0.2:0", 4, PB_ADOPT | PB_NONBLOCK, &w);
		PBT_REQUIRE(fd > 3);
		PBT_REQUIRE(fcntl(fd, F_GETFL) & O_NONBLOCK);
		PBT_REQUIRE(memcmp(&w, &copy, sizeof(w)) == 0);
		close(fd);
	}
	/* The inherited socket cannot be configured: that errno, and why. */
	if (refuse(&r) < 0)
		return NO_SECCOMP;
	errno = 0;
	PBT_REQUIRE(pb_listen(spec, 4, PB_ADOPT | PB_NONBLOCK, &d) == -1);
	PBT_REQUIRE(errno == EBADF && d.err == EBADF);
	PBT_REQUIRE(strcmp(d.spec, spec) == 0);
	return 0;
}

START_TEST(adopt_nonblock)
{
	int st = pbt_run_in_child(adopt_child, NULL);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* ---- the wait: rounds, backoff, signals, with attempts made to order */

/* An attempt that fails as a bind over TIME_WAIT would, on an address
   nothing holds: the diagnosis says "none" (a holder that just left),
   so the wait tries again, backing off.  Each try's time is kept. */
struct counting {
	int n, succeed_at, raise_at, sig, refuse_at, no_seccomp;
	long refuse_nr;
	const char *spec;	/* try this for real, PB_NO_REUSEADDR */
	int64_t at[64];
};

static int fail_in_use(void *arg)
{
	struct counting *c = arg;

	if (c->n < 64)
		c->at[c->n] = now_ms();
	c->n++;
	if (c->raise_at && c->n == c->raise_at)
		raise(c->sig);
	if (c->refuse_at && c->n == c->refuse_at &&
	    pbt_seccomp_errno(c->refuse_nr, -1, EPERM) < 0) {
		c->no_seccomp = 1;
		return -ENOSYS;
	}
	if (c->succeed_at && c->n == c->succeed_at)
		return 0;
	if (c->spec) {
		int fd = pb_listen(c->spec, 4, PB_NO_REUSEADDR, NULL);

		if (fd >= 0)
			return fd;
		return -errno;
	}
	return -EADDRINUSE;
}

/* A port free now below the ephemeral range, where no bind to port 0
   and no connect of another test running beside this one (a normal
   user's run shares the host's ports) can take it while a wait looks at
   it; pbt_free_port's where the range starts too low. */
static unsigned quiet_port(void)
{
	unsigned lo = 32768, hi, seed = (unsigned)getpid() ^ (unsigned)now_ms();
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	int i;

	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2)
			lo = 32768;
		fclose(f);
	}
	for (i = 0; lo > 11000 && i < 100; i++) {
		unsigned port = 10000 + (unsigned)rand_r(&seed) % (lo - 10000);
		struct sockaddr_storage ss;
		socklen_t len = pbt_addr(&ss, "0.0.0.0", port);
		int fd = pbt_socket("0.0.0.0", SOCK_STREAM, 0), ok;

		ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
		close(fd);
		if (ok && pbt_have_ipv6()) {
			len = pbt_addr(&ss, "::", port);
			fd = pbt_socket("::", SOCK_STREAM, 0);
			ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
			close(fd);
		}
		if (ok)
			return port;
	}
	return pbt_free_port();
}

static int wait_free(struct counting *c, int timeout_ms, unsigned wflags,
		     struct pb_diag *d)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", quiet_port());

	d->size = sizeof(*d);
	/* The probes alone: a dump of the socket table walks the kernel's
	   whole hash (milliseconds), and a thousand rounds must stay fast. */
	d->flags = PB_DIAG_NO_NETLINK | PB_DIAG_NO_PROCNET;
	return pb__wait_out_flags(fail_in_use, c, SOCK_STREAM,
				  (struct sockaddr *)&ss, len, -1, timeout_ms,
				  wflags, d);
}

/*
 * The backoff after the announced expiry: 5, 10, 20, then 40 ms between
 * tries, never less (sleeps only grow on a busy machine), and the 40 is
 * the ceiling: at least one later gap is well under twice that.  The
 * timeout covers the whole call; the last failure is returned.
 */
START_TEST(wait_backoff_steps)
{
	static const int64_t step[] = { 5, 10, 20, 40, 40, 40, 40 };
	struct pb_diag d;
	struct counting c;
	int64_t t0, ms, best = 1000;
	int i, r;

	memset(&c, 0, sizeof(c));
	t0 = now_ms();
	r = wait_free(&c, 300, 0, &d);
	ms = now_ms() - t0;
	ck_assert_int_eq(r, -EADDRINUSE);
	ck_assert_int_eq(d.cause, PB_CAUSE_NONE);
	ck_assert_msg(ms >= 298, "ended after %lld ms", (long long)ms);
	ck_assert_int_ge(c.n, 2);
	/* Tries at 0, 5, 15, 35, then every 40 ms to 275, and one at the
	   timeout: 11 at most (a sleep may come 1 ms short of its step, as
	   the clock is read in whole milliseconds; that adds none). */
	ck_assert_int_le(c.n, 11);
	for (i = 1; i < c.n && i < 64; i++) {
		int64_t want = step[i - 1 < 6 ? i - 1 : 6], gap = c.at[i] - c.at[i - 1];

		if (i == c.n - 1)	/* cut short by the timeout */
			break;
		ck_assert_msg(gap >= want - 1, "gap %d: %lld ms, under %lld", i,
			      (long long)gap, (long long)want);
		if (i >= 5 && gap < best)
			best = gap;
	}
	if (c.n >= 8)
		ck_assert_msg(best < 75, "no gap after the fourth under 75 ms: %lld",
			      (long long)best);
}
END_TEST

/* A timeout of 0: one try, no sleep; success ends the wait at once. */
START_TEST(wait_zero_and_success)
{
	struct pb_diag d;
	struct counting c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(wait_free(&c, 0, 0, &d), -EADDRINUSE);
	ck_assert_int_eq(c.n, 1);
	memset(&c, 0, sizeof(c));
	c.succeed_at = 3;
	/* errno holds a stale EINTR: no signal came, the wait goes on. */
	errno = EINTR;
	ck_assert_int_eq(wait_free(&c, 5000, 0, &d), 0);
	ck_assert_int_eq(c.n, 3);
	/* A cause that does not pass by itself: no second try. */
	{
		int l = pb_listen("127.0.0.1:0", 4, 0, NULL);
		struct sockaddr_storage ss;
		socklen_t len = pbt_addr(&ss, "127.0.0.1", pbt_local_port(l));

		memset(&c, 0, sizeof(c));
		d.size = sizeof(d);
		d.flags = 0;
		ck_assert_int_eq(pb__wait_out(fail_in_use, &c, SOCK_STREAM,
					      (struct sockaddr *)&ss, len, -1, 5000, &d),
				 -EADDRINUSE);
		ck_assert_int_eq(c.n, 1);
		ck_assert_int_eq(d.cause, PB_CAUSE_LISTENER);
		close(l);
	}
}
END_TEST

/*
 * The rounds bound: a wait without a timeout whose sleeps cannot sleep
 * (ppoll refused) still ends, after exactly PB_WAIT_ROUNDS (1000, in
 * bind.c) tries; so does one that cannot block signals and sleeps with
 * clock_nanosleep (refused too).
 */
static int rounds_child(void *arg)
{
	struct pb_diag d;
	struct counting c;
	int unmasked = *(int *)arg;

	memset(&c, 0, sizeof(c));
	if (unmasked && pbt_sigmask_needed())
		return NO_SIGMASK;
	if (pbt_seccomp_errno(SYS_ppoll, -1, EPERM) < 0)
		return NO_SECCOMP;
	if (unmasked && (pbt_seccomp_errno(SYS_rt_sigprocmask, -1, EPERM) < 0 ||
			 pbt_seccomp_errno(SYS_clock_nanosleep, -1, EPERM) < 0))
		return NO_SECCOMP;
	PBT_REQUIRE(wait_free(&c, -1, 0, &d) == -EADDRINUSE);
	if (c.n != 1000) {
		fprintf(stderr, "%d tries\n", c.n);
		return 1;
	}
	return 0;
}

START_TEST(wait_rounds_exhausted)
{
	int unmasked = _i;
	int st = pbt_run_in_child(rounds_child, &unmasked);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	if (st == NO_SIGMASK)
		PBT_SKIP("%s", pbt_sigmask_needed());
	ck_assert_int_eq(st, 0);
}
END_TEST

/* Without a signal mask (rt_sigprocmask refused) the sleep is a plain
   clock_nanosleep: a handled signal during it still ends the wait. */
static int unmasked_signal_child(void *arg)
{
	struct sigaction sa;
	/* Again every 50 ms: one that lands while the wait tries rather
	   than sleeps is not seen (documented), the next one is. */
	struct itimerval it = { { 0, 50 * 1000 }, { 0, 150 * 1000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct pb_diag d;
	struct counting c;
	int64_t t0;
	int r;

	(void)arg;
	if (pbt_sigmask_needed())
		return NO_SIGMASK;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	PBT_REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	if (pbt_seccomp_errno(SYS_rt_sigprocmask, -1, EPERM) < 0)
		return NO_SECCOMP;
	memset(&c, 0, sizeof(c));
	PBT_REQUIRE(setitimer(ITIMER_REAL, &it, NULL) == 0);
	t0 = now_ms();
	r = wait_free(&c, 5000, 0, &d);
	PBT_REQUIRE(setitimer(ITIMER_REAL, &off, NULL) == 0);
	PBT_REQUIRE(r == -EINTR);
	PBT_REQUIRE(caught >= 1);
	PBT_REQUIRE(now_ms() - t0 < 2000);
	/* The wait went on sleeping and trying until then. */
	PBT_REQUIRE(c.n >= 2);
	return 0;
}

START_TEST(wait_unmasked_signal)
{
	int st = pbt_run_in_child(unmasked_signal_child, NULL);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	if (st == NO_SIGMASK)
		PBT_SKIP("%s", pbt_sigmask_needed());
	ck_assert_int_eq(st, 0);
}
END_TEST

/*
 * PB__WAIT_BLOCKED (the shim): a signal the thread blocked becomes
 * pending during the wait: the wait ends with -EINTR and the signal is
 * still pending, for the program's signalfd or sigwait.  _i: 0 raised
 * during a try (seen before the next sleep), 1 sent from another thread
 * during a sleep (the signalfd wakes it), 2 the same with signalfd
 * refused, 3 that during a sleep of a minute over a real TIME_WAIT (seen
 * at the end of a 250 ms slice), 4 none at all while sigpending fails
 * from the second try on (no signal is made up: the wait runs its time),
 * 5 like 3 with the signalfd, which is descriptor 0 (stdin closed): one
 * try, then the long sleep, not cut into slices (a signalfd wakes it),
 * ends as the signal comes, sent after the first slice would have ended.
 */
struct sender {
	pthread_t target;
	int delay_ms;
};

static void *send_later(void *arg)
{
	struct sender *s = arg;
	struct timespec ts = { 0, s->delay_ms * 1000000L };

	nanosleep(&ts, NULL);
	pthread_kill(s->target, SIGUSR1);
	return NULL;
}

static int blocked_child(void *arg)
{
	int how = *(int *)arg, r;
	struct pb_diag d;
	struct counting c;
	struct sender s;
	sigset_t set, p;
	pthread_t t;
	int64_t t0, ms;
	int lfd = -1, fds = 0;
	char spec[32];

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	PBT_REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	memset(&c, 0, sizeof(c));
	if (how == 3 || how == 5) {
		/* A TIME_WAIT that SO_REUSEADDR cannot pass. */
		lfd = pbt_listener("127.0.0.1", 0, 0);
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(lfd));
		pbt_make_time_wait(lfd, "127.0.0.1", pbt_local_port(lfd));
		close(lfd);
		c.spec = spec;
	}
	if ((how == 2 || how == 3) &&
	    pbt_seccomp_errno(SYS_signalfd4, -1, EMFILE) < 0)
		return NO_SECCOMP;
	if (how == 0) {
		c.raise_at = 3;
		c.sig = SIGUSR1;
	} else if (how == 4) {
		c.refuse_at = 2;
		c.refuse_nr = SYS_rt_sigpending;
	} else {
		s.target = pthread_self();
		/* Case 5: past the end of a 250 ms slice, which the
		   signalfd makes needless. */
		s.delay_ms = how == 5 ? 400 : 120;
		PBT_REQUIRE(pthread_create(&t, NULL, send_later, &s) == 0);
	}
	if (how == 5)
		close(0);
	fds = pbt_count_fds();
	t0 = now_ms();
	if (how == 3 || how == 5) {
		struct pb_spec ps;

		PBT_REQUIRE(pb__parse_spec(spec, &ps) == 0);
		d.size = sizeof(d);
		d.flags = 0;
		r = pb__wait_out_flags(fail_in_use, &c, SOCK_STREAM,
				       (struct sockaddr *)&ps.ss, ps.len, -1, 4000,
				       PB__WAIT_BLOCKED, &d);
		PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
		if (how == 3)
			/* A try, a slice of the long sleep, a try, and the
			   signal (another slice first if the sender was late,
			   as a loaded machine makes it); never a try without a
			   250 ms slice before it. */
			PBT_REQUIRE(c.n >= 2 &&
				    c.n <= 2 + (now_ms() - t0) / 240);
		else
			/* The signalfd (descriptor 0) wakes the one sleep,
			   whole: no second try at 250 ms. */
			PBT_REQUIRE(c.n == 1);
	} else {
		r = wait_free(&c, how == 4 ? 300 : 4000, PB__WAIT_BLOCKED, &d);
	}
	ms = now_ms() - t0;
	if (how != 0 && how != 4)
		PBT_REQUIRE(pthread_join(t, NULL) == 0);
	/* The signalfd is closed again, descriptor 0 too. */
	PBT_REQUIRE(pbt_count_fds() == fds);
	if (how == 5)
		PBT_REQUIRE(fcntl(0, F_GETFD) < 0);
	/* Without a signalfd: tries every 5, 10, 20, 40 ms until the
	   signal, seen before the next sleep. */
	if (how == 2 && r == -EINTR)
		PBT_REQUIRE(c.n >= 3);
	if (how == 4) {
		if (c.no_seccomp)
			return NO_SECCOMP;
		PBT_REQUIRE(r == -EADDRINUSE);
		PBT_REQUIRE(ms >= 298);
		PBT_REQUIRE(c.n >= 3);
		return 0;
	}
	if (r != -EINTR) {
		fprintf(stderr, "how %d: %d after %lld ms\n", how, r, (long long)ms);
		return 1;
	}
	if (how == 0)
		PBT_REQUIRE(c.n == 3);
	PBT_REQUIRE(ms < (how == 2 || how == 3 || how == 5 ? 1500 : 1000));
	if (how == 3)
		PBT_REQUIRE(ms >= 240);	/* the end of the first slice */
	PBT_REQUIRE(sigpending(&p) == 0 && sigismember(&p, SIGUSR1) == 1);
	/* The mask is the caller's again. */
	PBT_REQUIRE(sigprocmask(SIG_BLOCK, NULL, &p) == 0);
	PBT_REQUIRE(sigismember(&p, SIGUSR1) == 1 && sigismember(&p, SIGUSR2) == 0);
	if (how != 0)
		return 0;
	/* Already pending at entry: not watched; the wait runs its time. */
	memset(&c, 0, sizeof(c));
	t0 = now_ms();
	PBT_REQUIRE(wait_free(&c, 150, PB__WAIT_BLOCKED, &d) == -EADDRINUSE);
	PBT_REQUIRE(now_ms() - t0 >= 148);
	/* Without the flag a blocked signal is the program's business. */
	memset(&c, 0, sizeof(c));
	c.raise_at = 2;
	c.sig = SIGUSR2;
	sigaddset(&set, SIGUSR2);
	PBT_REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	t0 = now_ms();
	PBT_REQUIRE(wait_free(&c, 150, 0, &d) == -EADDRINUSE);
	PBT_REQUIRE(now_ms() - t0 >= 148);
	return 0;
}

START_TEST(wait_blocked_signal_pending)
{
	int how = _i;
	int st = pbt_run_in_child(blocked_child, &how);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* pb_listen_wait keeps its promises on the descriptor too: O_NONBLOCK
   exactly when asked, and owners looked up once, at the end. */
START_TEST(listen_wait_nonblock_and_owners)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd = pb_listen_wait("127.0.0.1:0", 4, PB_NONBLOCK, 100, &d), l;
	char spec[32];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	fd = pb_listen_wait("127.0.0.1:0", 4, 0, 100, &d);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);

	l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(l));
	d.flags = PB_DIAG_OWNERS;
	ck_assert_int_eq(pb_listen_wait(spec, 4, 0, 100, &d), -1);
	ck_assert_int_eq(d.cause, PB_CAUSE_LISTENER);
	ck_assert_uint_eq(d.flags, PB_DIAG_OWNERS);
	ck_assert(d.sources & PB_SRC_OWNERS);
	ck_assert_int_eq(d.holders[0].pid, getpid());
	ck_assert_str_eq(d.spec, spec);
	d.flags = 0;
	ck_assert_int_eq(pb_listen_wait(spec, 4, 0, 100, &d), -1);
	ck_assert(!(d.sources & PB_SRC_OWNERS));
	ck_assert_int_eq(d.holders[0].pid, 0);
	close(l);
}
END_TEST

/* Kill the TIME_WAIT socket of 127.0.0.1:port (SOCK_DESTROY, as ss -K
   does; root): 0, or -1. */
struct tw_row {
	unsigned rport;
	int n;
};

static int find_tw(const struct pb_sockent *e, void *arg)
{
	struct tw_row *t = arg;

	if (e->state == PB_TCP_TIME_WAIT) {
		t->rport = pb__addr_port((const struct sockaddr *)&e->remote);
		t->n++;
	}
	return 0;
}

static int destroy_time_wait(unsigned port)
{
	struct pb_portsel sel = { 0, port, port };
	struct tw_row t = { 0, 0 };
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} q;
	union {
		char b[512];
		struct nlmsghdr h;
	} a;
	struct nlmsgerr *e;
	int fd, ok;

	if (pb__sockdiag_dump(IPPROTO_TCP, AF_INET, 1u << PB_TCP_TIME_WAIT, &sel,
			      find_tw, &t) < 0 || t.n != 1)
		return -1;
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = SOCK_DESTROY;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	q.h.nlmsg_seq = 1;
	q.r.sdiag_family = AF_INET;
	q.r.sdiag_protocol = IPPROTO_TCP;
	q.r.idiag_states = ~0u;
	q.r.id.idiag_sport = htons((uint16_t)port);
	q.r.id.idiag_dport = htons((uint16_t)t.rport);
	q.r.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	q.r.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
	q.r.id.idiag_cookie[0] = q.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	ok = sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&k, sizeof(k)) ==
	     (ssize_t)sizeof(q) &&
	     recv(fd, &a, sizeof(a), 0) >= (ssize_t)NLMSG_LENGTH(sizeof(*e)) &&
	     a.h.nlmsg_type == NLMSG_ERROR;
	e = NLMSG_DATA(&a.h);
	close(fd);
	return ok && e->error == 0 ? 0 : -1;
}

struct killer {
	unsigned port;
	int delay_ms, r;
	pid_t tid;		/* the waiting thread, when set */
	int started;		/* set (atomically) just before its call */
};

/* Whether thread tid of this process is asleep (state S). */
static int thread_sleeping(pid_t tid)
{
	char path[64], buf[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/* Destroys the TIME_WAIT socket delay_ms after the waiting thread (when
   tid is set) went to sleep in its call: its first try has failed by
   then, whatever a loaded machine did to the timing before. */
static void *kill_later(void *arg)
{
	struct killer *k = arg;
	struct timespec ts = { 0, k->delay_ms * 1000000L };
	struct timespec tick = { 0, 1000000L };
	int i;

	for (i = 0; k->tid && i < 10000; i++) {
		if (__atomic_load_n(&k->started, __ATOMIC_ACQUIRE) &&
		    thread_sleeping(k->tid))
			break;
		nanosleep(&tick, NULL);
	}
	nanosleep(&ts, NULL);
	k->r = destroy_time_wait(k->port);
	return NULL;
}

/*
 * pb_listen_wait waits while TIME_WAIT holds the address, and binds as
 * soon as it is gone (here destroyed at 100 ms, the retry comes at the
 * 2 s timeout (time enough for the destroying thread on a loaded
 * machine), not the minute the socket had left), with errno as
 * before the call; in a daemon that closed its standard input the
 * socket it returns is descriptor 0.
 */
static int wait_then_bind_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct killer k;
	pthread_t t;
	char spec[32];
	int lfd, fd, no_stdin = *(int *)arg;
	int64_t t0, ms;

	lfd = pbt_listener("127.0.0.1", 0, 0);
	k.port = pbt_local_port(lfd);
	pbt_make_time_wait(lfd, "127.0.0.1", k.port);
	close(lfd);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", k.port);
	/* Held: one try, the diagnosis says so; a TIME_WAIT socket has no
	   owner to find. */
	d.flags = PB_DIAG_OWNERS;
	PBT_REQUIRE(pb_listen_wait(spec, 4, 0, 0, &d) == -1 && errno == EADDRINUSE);
	PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT && d.n_stored >= 1);
	PBT_REQUIRE(!(d.sources & PB_SRC_OWNERS) && d.holders[0].pid == 0);
	d.flags = 0;
	if (no_stdin)
		close(0);
	k.delay_ms = 100;
	k.r = -2;
	k.tid = (pid_t)syscall(SYS_gettid);
	k.started = 0;
	PBT_REQUIRE(pthread_create(&t, NULL, kill_later, &k) == 0);
	t0 = now_ms();
	errno = 1234;
	__atomic_store_n(&k.started, 1, __ATOMIC_RELEASE);
	fd = pb_listen_wait(spec, 4, PB_NONBLOCK, 2000, &d);
	ms = now_ms() - t0;
	PBT_REQUIRE(pthread_join(t, NULL) == 0);
	if (k.r < 0)
		return 77;	/* no SOCK_DESTROY here */
	if (fd < 0) {
		fprintf(stderr, "pb_listen_wait: %s after %lld ms\n",
			strerror(errno), (long long)ms);
		return 1;
	}
	PBT_REQUIRE(errno == 1234);
	PBT_REQUIRE(!no_stdin || fd == 0);
	/* The retry comes at the timeout (the socket had a minute left),
	   not before; the upper bound only says it did not wait out the
	   minute (a loaded machine may be seconds late). */
	if (ms < 1995 || ms >= 30000)
		fprintf(stderr, "bound after %lld ms\n", (long long)ms);
	PBT_REQUIRE(ms >= 1995 && ms < 30000);
	PBT_REQUIRE(pbt_local_port(fd) == k.port);
	PBT_REQUIRE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	PBT_REQUIRE(pbt_getopt(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1);
	close(fd);
	return 0;
}

START_TEST(wait_then_bind)
{
	const char *why;
	int no_stdin = _i;
	int st = pbt_run_in_netns(wait_then_bind_child, &no_stdin, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == 77)
		PBT_SKIP("SOCK_DESTROY refused: no CONFIG_INET_DIAG_DESTROY?");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* No scratch memory for the wait's diagnosis: one attempt, no wait. */
static int listen_wait_nomem_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), fd;
	char spec[32];
	int64_t t0;

	(void)arg;
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(l));
	if (pbt_seccomp_errno(SYS_mmap, 0, ENOMEM) < 0)
		return NO_SECCOMP;
	t0 = now_ms();
	errno = 0;
	PBT_REQUIRE(pb_listen_wait(spec, 4, 0, 3000, &d) == -1);
	PBT_REQUIRE(errno == EADDRINUSE && d.err == EADDRINUSE);
	PBT_REQUIRE(now_ms() - t0 < 1000);
	errno = 0;
	fd = pb_listen_wait("127.0.0.1:0", 4, PB_NONBLOCK, 3000, &d);
	PBT_REQUIRE(fd >= 0 && errno == 0);
	PBT_REQUIRE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	close(l);
	return 0;
}

START_TEST(listen_wait_no_memory)
{
	int st = pbt_run_in_child(listen_wait_nomem_child, NULL);

	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

Suite *suite_bind(void)
{
	Suite *s = suite_create("bind");
	TCase *tc = tcase_create("reuse");
	TCase *tl = tcase_create("helpers");
	TCase *tw = tcase_create("signals");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, bind_reuse_sets_option_on_tcp_only);
	tcase_add_test(tc, bind_reuse_errors);
	tcase_add_test(tc, restart_v4_old_set_reuseaddr);
	tcase_add_test(tc, restart_v4_old_did_not);
	tcase_add_test(tc, restart_v6_old_set_reuseaddr);
	tcase_add_test(tc, restart_v6_old_did_not);
	tcase_add_test(tc, conflict_shows_at_listen);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tl, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tl, listen_defaults);
	tcase_add_test(tl, listen_accepts_a_connection);
	tcase_add_test(tl, listen_flags);
	tcase_add_test(tl, listen_freebind);
	tcase_add_test(tl, udp_defaults_and_flags);
	tcase_add_test(tl, udp_no_steal_by_default);
	tcase_add_test(tl, tcp_and_udp_same_port);
	tcase_add_test(tl, two_addresses_same_port);
	tcase_add_test(tl, wildcard_against_specific);
	tcase_add_test(tl, dual_stack_overlaps_ipv4);
	tcase_add_test(tl, v6only_leaves_ipv4_free);
	tcase_add_test(tl, v4_mapped_binds);
	tcase_add_test(tl, reuseport_shares);
	tcase_add_test(tl, failure_keeps_errno_and_why);
	tcase_add_loop_test(tl, refused_arguments_fill_why, 0, 3);
	tcase_add_test(tl, refused_spec_text_as_documented);
	tcase_add_test(tl, refused_flags_keep_v6only);
	tcase_add_test(tl, long_spec_is_cut);
	tcase_add_test(tl, refused_why_is_not_written);
	tcase_add_test(tl, failure_keeps_the_spec);
	tcase_add_loop_test(tl, every_flag_combination, 0, 64);
	tcase_add_test(tl, unknown_flag_bits);
	tcase_add_test(tl, setsockopt_refused);
	tcase_add_loop_test(tl, socket_refused, 0, 4);
	tcase_add_test(tl, listen_failure_reported);
	tcase_add_test(tl, unprivileged_port_limit);
	tcase_add_test(tl, v6only_whatever_the_sysctl);
	tcase_add_test(tl, adopt_nonblock);
	tcase_add_test(tl, stdin_closed);
	tcase_add_test(tl, listen_wait_nonblock_and_owners);
	tcase_add_test(tl, listen_wait_no_memory);
	suite_add_tcase(s, tl);

	tcase_add_checked_fixture(tw, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tw, 30);
	tcase_add_test(tw, wait_ends_on_signal);
	tcase_add_test(tw, wait_ends_on_signal_sa_restart);
	tcase_add_test(tw, wait_ends_on_signal_between_sleeps);
	tcase_add_test(tw, wait_goes_on_without_handler);
	tcase_add_test(tw, wait_backoff_steps);
	tcase_add_test(tw, wait_zero_and_success);
	tcase_add_loop_test(tw, wait_rounds_exhausted, 0, 2);
	tcase_add_test(tw, wait_unmasked_signal);
	tcase_add_loop_test(tw, wait_blocked_signal_pending, 0, 6);
	tcase_add_loop_test(tw, wait_then_bind, 0, 2);
	suite_add_tcase(s, tw);
	return s;
}

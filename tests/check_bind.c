/* SPDX-License-Identifier: MIT */
/* check_bind.c - the bind helpers against the real kernel: restarts over
   TIME_WAIT, overlap of addresses, dual-stack, flags, and no fd leaks. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "addr.h"
#include "bind.h"

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
	tcase_add_test(tl, long_spec_is_cut);
	tcase_add_test(tl, refused_why_is_not_written);
	tcase_add_test(tl, failure_keeps_the_spec);
	suite_add_tcase(s, tl);

	tcase_add_checked_fixture(tw, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tw, 30);
	tcase_add_test(tw, wait_ends_on_signal);
	tcase_add_test(tw, wait_ends_on_signal_sa_restart);
	tcase_add_test(tw, wait_ends_on_signal_between_sleeps);
	tcase_add_test(tw, wait_goes_on_without_handler);
	suite_add_tcase(s, tw);
	return s;
}

/* SPDX-License-Identifier: MIT */
/*
 * check_client.c - pb_connect_from and the port budget against the real
 * kernel.  The exhaustion scenarios run in a private network namespace with
 * a 10-port ephemeral range (40000-40009) and listeners on fixed ports
 * 6001/6002, which nothing else can hold there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#define RANGE "40000 40009"
#define RANGE_LO 40000
#define RANGE_HI 40009

static socklen_t addr_of(struct sockaddr_storage *ss, const char *ip,
			 unsigned port)
{
	return pbt_addr(ss, ip, port);
}

/* ---- in a namespace: children report with PBT_REQUIRE */

static int listen_fixed(unsigned port)
{
	char spec[32];

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	return pb_listen(spec, 128, 0, NULL);
}

/* Close with RST: no TIME_WAIT left behind. */
static void abort_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static int naive_connect(const struct sockaddr_storage *dst, socklen_t len)
{
	struct sockaddr_storage src;
	socklen_t slen = addr_of(&src, "127.0.0.1", 0);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, slen) < 0 ||
	    connect(fd, (const struct sockaddr *)dst, len) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int ns_setup(void)
{
	if (pbt_write_sysctl("net/ipv4/ip_local_port_range", RANGE) < 0 ||
	    pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "0") < 0)
		return -1;
	return 0;
}

/* naive bind(ip, 0) + connect caps at the range for all destinations
   together; pb_connect_from gets the range for each destination. */
static int range_times_destinations(void *arg)
{
	struct sockaddr_storage dst[2], src;
	socklen_t dlen[2], slen;
	struct pb_diag why = PB_DIAG_INIT;
	int l1, l2, fds[64], n = 0, i, fd, last_err = 0;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	l1 = listen_fixed(6001);
	l2 = listen_fixed(6002);
	PBT_REQUIRE(l1 >= 0 && l2 >= 0);
	dlen[0] = addr_of(&dst[0], "127.0.0.1", 6001);
	dlen[1] = addr_of(&dst[1], "127.0.0.1", 6002);

	for (i = 0; i < 40; i++) {
		fd = naive_connect(&dst[i % 2], dlen[i % 2]);
		if (fd < 0) {
			last_err = errno;
			break;
		}
		fds[n++] = fd;
	}
	fprintf(stderr, "naive: %d connections, then %s\n", n, strerror(last_err));
	PBT_REQUIRE(n == 10);
	PBT_REQUIRE(last_err == EADDRINUSE);
	for (i = 0; i < n; i++)
		abort_close(fds[i]);

	slen = addr_of(&src, "127.0.0.1", 0);
	n = 0;
	for (i = 0; i < 60; i++) {
		fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
				     (struct sockaddr *)&dst[i % 2], dlen[i % 2],
				     0, &why);
		if (fd < 0) {
			last_err = errno;
			break;
		}
		PBT_REQUIRE(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR) == 0);
		fds[n++] = fd;
	}
	fprintf(stderr, "pb_connect_from: %d connections, then %s\n", n,
		strerror(last_err));
	PBT_REQUIRE(n == 20);
	PBT_REQUIRE(last_err == EADDRNOTAVAIL);
	/* Non-blocking changes nothing there: refused at once, explained. */
	why.cause = PB_CAUSE_NONE;
	PBT_REQUIRE(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
				    (struct sockaddr *)&dst[0], dlen[0],
				    PB_NONBLOCK, &why) == -1 && errno == EADDRNOTAVAIL);
	PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
	/* The failure is explained, with the numbers. */
	PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
	PBT_REQUIRE(why.err == EADDRNOTAVAIL);
	PBT_REQUIRE(why.port_range_lo == RANGE_LO && why.port_range_hi == RANGE_HI);
	PBT_REQUIRE(why.n_connected == 10);
	PBT_REQUIRE(why.n_time_wait == 0);
	PBT_REQUIRE(why.n_holders == 10);
	PBT_REQUIRE(why.peer.ss_family == AF_INET);
	{
		char text[1024];

		pb_diag_format(&why, text, sizeof(text));
		fprintf(stderr, "%s\n", text);
		PBT_REQUIRE(strstr(text, "-> 127.0.0.1:600") != NULL);
		PBT_REQUIRE(strstr(text, "10 connections to it") != NULL);
		PBT_REQUIRE(strstr(text, "40000-40009 (10 ports)") != NULL);
	}
	for (i = 0; i < n; i++)
		abort_close(fds[i]);

	/* UDP runs out too (connect() says EAGAIN there), and is told; the
	   TCP connection open towards the same destination is not one of
	   its holders (UDP's ports are its own). */
	fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			     (struct sockaddr *)&dst[0], dlen[0], 0, NULL);
	PBT_REQUIRE(fd >= 0);
	fds[59] = fd;
	n = 0;
	for (i = 0; i < 20; i++) {
		fd = pb_connect_from(SOCK_DGRAM, (struct sockaddr *)&src, slen,
				     (struct sockaddr *)&dst[0], dlen[0], 0, &why);
		if (fd < 0) {
			last_err = errno;
			break;
		}
		fds[n++] = fd;
	}
	PBT_REQUIRE(n == 10);
	PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
	PBT_REQUIRE(why.err == last_err);
	PBT_REQUIRE(why.type == SOCK_DGRAM);
	PBT_REQUIRE(why.port_range_lo == RANGE_LO && why.port_range_hi == RANGE_HI);
	PBT_REQUIRE(why.n_holders == 0 && why.n_connected == 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
	abort_close(fds[59]);
	close(l1);
	close(l2);
	return 0;
}

START_TEST(connect_from_reaches_range_times_destinations)
{
	PBT_IN_NETNS(range_times_destinations, NULL);
}
END_TEST

/* Leave the client side in TIME_WAIT: the client closes first. */
static void client_time_wait(int lfd, int c)
{
	int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	char b;
	struct pollfd p;

	PBT_REQUIRE(s >= 0);
	close(c);
	p.fd = s;
	p.events = POLLIN;
	PBT_REQUIRE(poll(&p, 1, 2000) == 1);
	PBT_REQUIRE(read(s, &b, 1) == 0);
	close(s);
}

static int connect_one(const struct sockaddr_storage *dst, socklen_t dlen,
		       struct pb_diag *why)
{
	struct sockaddr_storage src;
	socklen_t slen = addr_of(&src, "127.0.0.1", 0);

	return pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			       (const struct sockaddr *)dst, dlen, 0, why);
}

/* The budget's numbers are what the test made; tcp_tw_reuse decides
   whether TIME_WAIT ports come back. */
static int budget_and_tw_reuse(void *arg)
{
	struct sockaddr_storage dst, other;
	socklen_t dlen, olen;
	struct pb_budget b = PB_BUDGET_INIT;
	struct pb_diag why = PB_DIAG_INIT;
	struct timespec pause = { 1, 300000000 };
	int l1, l2, fds[10], i, fd;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	l1 = listen_fixed(6001);
	l2 = listen_fixed(6002);
	PBT_REQUIRE(l1 >= 0 && l2 >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	olen = addr_of(&other, "127.0.0.1", 6002);

	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.port_lo == RANGE_LO && b.port_hi == RANGE_HI);
	PBT_REQUIRE(b.usable == 10 && b.reserved == 0);
	PBT_REQUIRE(b.established + b.time_wait + b.other == 0);
	PBT_REQUIRE(b.available == 10);
	PBT_REQUIRE(b.tw_reuse == 0);
	PBT_REQUIRE(b.rate_per_s > 10.0 / 60 - 1e-9 && b.rate_per_s < 10.0 / 60 + 1e-9);
	PBT_REQUIRE(b.sources & PB_SRC_NETLINK);

	for (i = 0; i < 10; i++) {
		fds[i] = connect_one(&dst, dlen, NULL);
		PBT_REQUIRE(fds[i] >= 0);
	}
	/* One connection elsewhere: not in this destination's budget. */
	fd = connect_one(&other, olen, NULL);
	PBT_REQUIRE(fd >= 0);
	for (i = 0; i < 4; i++)
		client_time_wait(l1, fds[i]);

	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	fprintf(stderr, "budget: established %u time_wait %u other %u available %u\n",
		b.established, b.time_wait, b.other, b.available);
	PBT_REQUIRE(b.established == 6);
	PBT_REQUIRE(b.time_wait == 4);
	PBT_REQUIRE(b.other == 0);
	PBT_REQUIRE(b.available == 0);
	PBT_REQUIRE(b.time_wait_ms > 50000 && b.time_wait_ms <= 60000);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&other, olen, &b) == 0);
	PBT_REQUIRE(b.established == 1 && b.available == 9);
	/* (source, destination), as pb_connect_from: from 127.0.0.1, the
	   six are counted; from 127.0.0.2, which none of them uses, none.
	   The order the other way round counts towards 127.0.0.1:0. */
	{
		struct sockaddr_storage src;
		socklen_t slen = addr_of(&src, "127.0.0.1", 0);

		PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
					   (struct sockaddr *)&dst, dlen, &b) == 0);
		PBT_REQUIRE(b.established == 6 && b.time_wait == 4);
		slen = addr_of(&src, "127.0.0.2", 0);
		PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
					   (struct sockaddr *)&dst, dlen, &b) == 0);
		PBT_REQUIRE(b.established == 0 && b.time_wait == 0);
		/* None counted because the table was read through, every
		   row from 127.0.0.1 passed over: not a walk cut short. */
		PBT_REQUIRE(b.sources & PB_SRC_NETLINK);
		/* Any address is no filter: 0.0.0.0, and ::ffff:0.0.0.0
		   towards the IPv4-mapped destination. */
		slen = addr_of(&src, "0.0.0.0", 0);
		PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
					   (struct sockaddr *)&dst, dlen, &b) == 0);
		PBT_REQUIRE(b.established == 6 && b.time_wait == 4);
		{
			struct sockaddr_storage m;
			socklen_t mlen = addr_of(&m, "::ffff:127.0.0.1", 6001);

			slen = addr_of(&src, "::ffff:0.0.0.0", 0);
			PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
						   (struct sockaddr *)&m, mlen, &b) == 0);
			PBT_REQUIRE(b.established == 6 && b.time_wait == 4);
			slen = addr_of(&src, "::", 0);
			PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
						   (struct sockaddr *)&m, mlen, &b) == 0);
			PBT_REQUIRE(b.established == 6 && b.time_wait == 4);
		}
	}
	/* Not counted: a connection to the same port at another address,
	   and one from a port outside the range. */
	{
		int l3 = pb_listen("127.0.0.2:6001", 8, 0, NULL), x, y;
		struct sockaddr_storage d3, s5;
		socklen_t d3len = addr_of(&d3, "127.0.0.2", 6001);
		socklen_t s5len = addr_of(&s5, "127.0.0.1", 5000);

		PBT_REQUIRE(l3 >= 0);
		x = connect_one(&d3, d3len, NULL);
		y = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&s5, s5len,
				    (struct sockaddr *)&dst, dlen, 0, NULL);
		PBT_REQUIRE(x >= 0 && y >= 0);
		PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
		PBT_REQUIRE(b.established == 6 && b.time_wait == 4 && b.other == 0);
		abort_close(x);
		abort_close(y);
		close(l3);
	}

	/* All ten in TIME_WAIT; tcp_tw_reuse=0: no port comes back. */
	for (i = 4; i < 10; i++)
		client_time_wait(l1, fds[i]);
	PBT_REQUIRE(connect_one(&dst, dlen, &why) == -1 && errno == EADDRNOTAVAIL);
	PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
	PBT_REQUIRE(why.n_time_wait == 10 && why.n_connected == 0);
	PBT_REQUIRE(why.time_wait_ms > 50000);

	/* tcp_tw_reuse=1: TIME_WAIT ports older than the delay are reused. */
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "1") == 0);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.tw_reuse == 1);
	PBT_REQUIRE(b.rate_per_s > 10.0 * 1000 / b.tw_reuse_delay_ms - 1e-9);
	nanosleep(&pause, NULL);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.time_wait == 10 && b.time_wait_reusable == 10);
	PBT_REQUIRE(b.available == 10);
	fd = connect_one(&dst, dlen, &why);
	PBT_REQUIRE(fd >= 0);
	abort_close(fd);
	/* 2 is loopback only: still applies to 127.0.0.1. */
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "2") == 0);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.tw_reuse == 1);
	close(l1);
	close(l2);
	return 0;
}

START_TEST(budget_counts_and_tw_reuse)
{
	PBT_IN_NETNS(budget_and_tw_reuse, NULL);
}
END_TEST

static int reserved_skipped(void *arg)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	struct pb_budget b = PB_BUDGET_INIT;
	int l, fds[16], n = 0, i, fd;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports",
				     "40005,40007-40008,50000") == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.reserved == 3);
	PBT_REQUIRE(b.usable == 7);
	for (i = 0; i < 16; i++) {
		fd = connect_one(&dst, dlen, NULL);
		if (fd < 0)
			break;
		{
			unsigned p = pbt_local_port(fd);

			PBT_REQUIRE(p != 40005 && p != 40007 && p != 40008);
		}
		fds[n++] = fd;
	}
	PBT_REQUIRE(n == 7);
	for (i = 0; i < n; i++)
		abort_close(fds[i]);
	close(l);
	return 0;
}

START_TEST(reserved_ports_are_skipped)
{
	PBT_IN_NETNS(reserved_skipped, NULL);
}
END_TEST

/* A listener inside the ephemeral range is flagged by the budget. */
static int listener_in_range(void *arg)
{
	struct sockaddr_storage dst;
	socklen_t dlen = addr_of(&dst, "127.0.0.1", 6001);
	struct pb_budget b = PB_BUDGET_INIT;
	int l, in1, in2, in3;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "40005") == 0);
	in1 = listen_fixed(40003);
	in2 = pb_listen("[::1]:40003", 4, 0, NULL);	/* same port: once */
	in3 = listen_fixed(40005);			/* reserved: no warning */
	PBT_REQUIRE(l >= 0 && in1 >= 0 && in3 >= 0);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.n_listeners == 1);
	PBT_REQUIRE(b.listener_ports[0] == 40003);
	/* 10 ports, 1 reserved, 1 a listener holds: connect() gets 8. */
	PBT_REQUIRE(b.usable == 9);
	PBT_REQUIRE(b.available == 8);
	{
		int fds[12], n = 0, i, fd;

		while (n < 12 && (fd = connect_one(&dst, dlen, NULL)) >= 0)
			fds[n++] = fd;
		PBT_REQUIRE(n == 8);
		for (i = 0; i < n; i++)
			abort_close(fds[i]);
	}
	if (in2 >= 0)
		close(in2);
	close(in3);
	close(in1);
	close(l);
	return 0;
}

START_TEST(budget_flags_listener_in_range)
{
	PBT_IN_NETNS(listener_in_range, NULL);
}
END_TEST

static int per_socket_range(void *arg)
{
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen;
	struct pb_diag why = PB_DIAG_INIT;
	int l, fds[8], n = 0, i, fd;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	slen = addr_of(&src, "127.0.0.1", 0);
	for (i = 0; i < 8; i++) {
		fd = pb_connect_range(SOCK_STREAM, (struct sockaddr *)&src, slen,
				      (struct sockaddr *)&dst, dlen, 40002, 40004,
				      0, &why);
		if (fd < 0) {
			if (errno == ENOPROTOOPT)
				return 77;
			break;
		}
		PBT_REQUIRE(pbt_local_port(fd) >= 40002 && pbt_local_port(fd) <= 40004);
		fds[n++] = fd;
	}
	PBT_REQUIRE(n == 3);
	PBT_REQUIRE(errno == EADDRNOTAVAIL);
	PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
	/* The range that ran out is the socket's, not the system's. */
	PBT_REQUIRE(why.port_range_lo == 40002 && why.port_range_hi == 40004);
	PBT_REQUIRE(why.n_connected == 3);
	for (i = 0; i < n; i++)
		abort_close(fds[i]);
	close(l);
	return 0;
}

START_TEST(connect_range_narrows_ports)
{
	const char *why;
	int st = pbt_run_in_netns(per_socket_range, NULL, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == 77)
		PBT_SKIP("IP_LOCAL_PORT_RANGE not in this kernel (< 6.3)");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* ---- boundaries and failures of the helpers themselves */

/* Every option pb_connect_from sets, refused in turn (seccomp on the
   descriptor it will get): -1 with that errno, why "other" at the
   socket stage (no probe), the peer kept, no descriptor left open; and
   the combinations that set none of them still connect. */
static int options_refused(void *arg)
{
	struct sockaddr_storage dst, src0, srcp;
	socklen_t dlen, s0len, splen;
	struct pb_diag why = PB_DIAG_INIT;
	int l, next, fd, before;

	(void)arg;
	l = pb_listen("127.0.0.1:0", 16, 0, NULL);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", pbt_local_port(l));
	s0len = addr_of(&src0, "127.0.0.1", 0);
	splen = addr_of(&srcp, "127.0.0.1", pbt_free_port());
	/* Allowed, each option is set and the connection made. */
	fd = pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst, dlen,
			     PB_FREEBIND, &why);
	PBT_REQUIRE(fd >= 0 && pbt_getopt(fd, IPPROTO_IP, IP_FREEBIND) == 1);
	close(fd);
	next = open("/dev/null", O_RDONLY | O_CLOEXEC);
	PBT_REQUIRE(next >= 0);
	close(next);
	before = pbt_count_fds();
	if (pbt_seccomp_errno(__NR_setsockopt, next, EPERM) < 0)
		return 77;
#define REFUSED(call) do { \
	errno = 0; \
	why.cause = PB_CAUSE_NONE; \
	PBT_REQUIRE((call) == -1 && errno == EPERM); \
	PBT_REQUIRE(why.cause == PB_CAUSE_OTHER && why.err == EPERM); \
	PBT_REQUIRE(why.peer.ss_family == AF_INET && why.n_holders == 0); \
	PBT_REQUIRE(!(why.sources & PB_SRC_PROBE)); \
	PBT_REQUIRE(pbt_count_fds() == before); \
} while (0)
	REFUSED(pb_connect_range(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst,
				 dlen, 40000, 40009, 0, &why));
	REFUSED(pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst,
				dlen, PB_FREEBIND, &why));
	REFUSED(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src0, s0len,
				(struct sockaddr *)&dst, dlen, 0, &why));
	REFUSED(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&srcp, splen,
				(struct sockaddr *)&dst, dlen, 0, &why));
	REFUSED(pb_connect_from(SOCK_DGRAM, (struct sockaddr *)&src0, s0len,
				(struct sockaddr *)&dst, dlen, 0, &why));
#undef REFUSED
	/* No option to set: explicit port without SO_REUSEADDR, UDP with
	   an explicit port, no source at all. */
	fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&srcp, splen,
			     (struct sockaddr *)&dst, dlen, PB_NO_REUSEADDR, &why);
	PBT_REQUIRE(fd == next && pbt_local_port(fd) == ntohs(((struct sockaddr_in *)&srcp)->sin_port));
	close(fd);
	fd = pb_connect_from(SOCK_DGRAM, (struct sockaddr *)&srcp, splen,
			     (struct sockaddr *)&dst, dlen, 0, &why);
	PBT_REQUIRE(fd == next);
	close(fd);
	fd = pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst, dlen,
			     PB_NONBLOCK, &why);
	PBT_REQUIRE(fd == next);
	close(fd);
	close(l);
	return 0;
}

/* With descriptor 0 free (a daemon that closed stdin), the socket is 0,
   and that is a success like any other. */
static int fd_zero(void *arg)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), fd, st;

	(void)arg;
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", pbt_local_port(l));
	close(0);
	fd = pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst, dlen,
			     0, NULL);
	PBT_REQUIRE(fd == 0);
	PBT_REQUIRE(pbt_getopt(fd, SOL_SOCKET, SO_ERROR) == 0);
	close(fd);
	fd = pb_connect_from(SOCK_DGRAM, NULL, 0, (struct sockaddr *)&dst, dlen,
			     0, NULL);
	PBT_REQUIRE(fd == 0);
	close(fd);
	st = pb_listen("127.0.0.1:0", 4, 0, NULL);
	PBT_REQUIRE(st == 0);
	close(st);
	close(l);
	return 0;
}

START_TEST(connect_gets_descriptor_zero)
{
	ck_assert_int_eq(pbt_run_in_child(fd_zero, NULL), 0);
}
END_TEST

START_TEST(connect_options_refused)
{
	int st = pbt_run_in_child(options_refused, NULL);

	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/*
 * A blocking connect() that signals interrupt goes on in the kernel:
 * pb_connect_from waits for it (through more signals) and reports how it
 * ended.  The listener's queue is full, so the SYN is dropped and sent
 * again after 1 s; meanwhile the signal handler, at its fifth tick,
 * either accepts (the retry gets in: success) or closes the listener
 * (the retry is refused: ECONNREFUSED, explained).
 */
static volatile sig_atomic_t ticks;
static int intr_listener = -1, intr_accept;

static void on_tick(int sig)
{
	int fd;

	(void)sig;
	if (++ticks != 5)
		return;
	if (intr_accept) {
		fd = accept4(intr_listener, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
	} else {
		close(intr_listener);
	}
}

static int interrupted_connect(void *arg)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	struct pb_diag why = PB_DIAG_INIT;
	struct sigaction sa;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, off;
	int c, fd;

	int mode = *(const int *)arg;	/* 0 close, 1 accept, 2 poll refused */

	intr_accept = mode == 1;
	intr_listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(intr_listener >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 0);
	PBT_REQUIRE(bind(intr_listener, (struct sockaddr *)&dst, dlen) == 0);
	PBT_REQUIRE(listen(intr_listener, 0) == 0);
	dlen = addr_of(&dst, "127.0.0.1", pbt_local_port(intr_listener));
	/* Fill the queue (one connection for a backlog of 0). */
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(c >= 0 && connect(c, (struct sockaddr *)&dst, dlen) == 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;	/* no SA_RESTART */
	PBT_REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	if (mode == 2) {
		/* The wait itself fails: that error comes back. */
		if (pbt_seccomp_errno(__NR_poll, -1, ENOMEM) < 0 ||
		    pbt_seccomp_errno(__NR_ppoll, -1, ENOMEM) < 0)
			return 77;
	}
	PBT_REQUIRE(setitimer(ITIMER_REAL, &it, NULL) == 0);
	errno = 4242;
	fd = pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst, dlen,
			     0, &why);
	memset(&off, 0, sizeof(off));
	PBT_REQUIRE(setitimer(ITIMER_REAL, &off, NULL) == 0);
	if (mode == 2) {
		PBT_REQUIRE(ticks >= 1 && fd == -1 && errno == ENOMEM);
		PBT_REQUIRE(why.cause == PB_CAUSE_OTHER && why.err == ENOMEM);
		close(c);
		return 0;
	}
	PBT_REQUIRE(ticks > 5);		/* interrupted, and waited on */
	if (intr_accept) {
		PBT_REQUIRE(fd >= 0 && errno == 4242);
		PBT_REQUIRE(pbt_getopt(fd, SOL_SOCKET, SO_ERROR) == 0);
		close(fd);
	} else {
		PBT_REQUIRE(fd == -1 && errno == ECONNREFUSED);
		PBT_REQUIRE(why.cause == PB_CAUSE_OTHER && why.err == ECONNREFUSED);
	}
	close(c);
	return 0;
}

START_TEST(connect_interrupted_by_signals)
{
	int mode = _i, st = pbt_run_in_child(interrupted_connect, &mode);

	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* An explicit source port whose 4-tuple towards dst is in TIME_WAIT:
   EADDRNOTAVAIL, cause time-wait, the TIME_WAIT shown.  Without TCP
   timestamps, so that the kernel cannot take the TIME_WAIT over (with
   them, connect() from an explicitly bound port does). */
static int explicit_port_time_wait(void *arg)
{
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen;
	struct pb_diag why = PB_DIAG_INIT;
	int l, c, s;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_timestamps", "0") == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	slen = addr_of(&src, "127.0.0.1", 5000);
	c = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			    (struct sockaddr *)&dst, dlen, 0, NULL);
	PBT_REQUIRE(c >= 0);
	client_time_wait(l, c);
	s = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			    (struct sockaddr *)&dst, dlen, 0, &why);
	PBT_REQUIRE(s == -1 && errno == EADDRNOTAVAIL);
	PBT_REQUIRE(why.cause == PB_CAUSE_TIME_WAIT);
	PBT_REQUIRE(why.n_time_wait == 1 && why.n_connected == 0 && why.n_holders == 1);
	PBT_REQUIRE(why.n_stored == 1 && why.holders[0].state == PB_TCP_TIME_WAIT);
	PBT_REQUIRE(why.time_wait_ms > 50000 && why.time_wait_ms <= 60000);
	PBT_REQUIRE(why.peer.ss_family == AF_INET);
	PBT_REQUIRE(why.sources & PB_SRC_NETLINK);
	PBT_REQUIRE(why.sources & PB_SRC_ERRNO);
	/* Another destination from the same port: free. */
	{
		int l2 = listen_fixed(6002);
		socklen_t d2len;
		struct sockaddr_storage d2;

		d2len = addr_of(&d2, "127.0.0.1", 6002);
		s = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
				    (struct sockaddr *)&d2, d2len, 0, &why);
		PBT_REQUIRE(s >= 0 && pbt_local_port(s) == 5000);
		abort_close(s);
		close(l2);
	}
	close(l);
	return 0;
}

START_TEST(explicit_port_in_time_wait)
{
	PBT_IN_NETNS(explicit_port_time_wait, NULL);
}
END_TEST

/* Wait, bounded, until the kernel says c is in state (PB_TCP_*). */
static int wait_tcp_state(int c, int state)
{
	struct tcp_info ti;
	socklen_t len;
	int i;

	for (i = 0; i < 2000; i++) {
		len = sizeof(ti);
		if (getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
			return -1;
		if (ti.tcpi_state == state)
			return 0;
		poll(NULL, 0, 1);
	}
	return -1;
}

/* c closes first, then its server end s, seen at the end: c is left in
   TIME_WAIT. */
static void client_time_wait_of(int s, int c)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char b;

	/* Shut down, not closed: c's own state then says when the server's
	   FIN came (CLOSE: its TIME_WAIT has taken over the port). */
	PBT_REQUIRE(shutdown(c, SHUT_WR) == 0);
	PBT_REQUIRE(poll(&p, 1, 2000) == 1);
	PBT_REQUIRE(read(s, &b, 1) == 0);
	close(s);
	PBT_REQUIRE(wait_tcp_state(c, PB_TCP_CLOSE) == 0);
	close(c);
}

/* The connection of fds[0..n-1] whose local port is port, or -1. */
static int by_port(const int *fds, int n, unsigned port)
{
	int i;

	for (i = 0; i < n; i++)
		if (pbt_local_port(fds[i]) == port)
			return i;
	return -1;
}

/* A connection towards dst holds its port in whatever state: the
   exhaustion counts the ones in CLOSE_WAIT (the peer closed) and
   FIN_WAIT2 (we shut down) as open, as the ESTABLISHED ones, TIME_WAIT
   apart, and shows each.  A 6-port range: 2 established, 2 CLOSE_WAIT,
   1 FIN_WAIT2, 1 TIME_WAIT. */
static int every_state_holds(void *arg)
{
	struct sockaddr_storage dst, src, peer;
	socklen_t dlen, slen, plen;
	struct pb_diag why = PB_DIAG_INIT;
	int l, fds[8], acc[8], n = 0, i, k, fd, seen[16];
	char text[1024];

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range",
				     "40000 40005") == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	slen = addr_of(&src, "127.0.0.1", 0);
	for (i = 0; i < 8; i++) {
		fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
				     (struct sockaddr *)&dst, dlen, 0, &why);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	PBT_REQUIRE(n == 6 && errno == EADDRNOTAVAIL);
	PBT_REQUIRE(why.n_connected == 6 && why.n_time_wait == 0);
	/* The server's ends, in the order of ours. */
	for (i = 0; i < n; i++) {
		plen = sizeof(peer);
		fd = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		PBT_REQUIRE(fd >= 0);
		k = by_port(fds, n, ntohs(((struct sockaddr_in *)&peer)->sin_port));
		PBT_REQUIRE(k >= 0);
		acc[k] = fd;
	}
	/* 2, 3: the server closes, ours are in CLOSE_WAIT. */
	for (i = 2; i < 4; i++) {
		close(acc[i]);
		PBT_REQUIRE(wait_tcp_state(fds[i], PB_TCP_CLOSE_WAIT) == 0);
	}
	/* 4: ours shuts down, the server does not: FIN_WAIT2. */
	PBT_REQUIRE(shutdown(fds[4], SHUT_WR) == 0);
	PBT_REQUIRE(wait_tcp_state(fds[4], PB_TCP_FIN_WAIT2) == 0);
	/* 5: ours closes first: TIME_WAIT. */
	client_time_wait_of(acc[5], fds[5]);

	PBT_REQUIRE(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
				    (struct sockaddr *)&dst, dlen, 0, &why) == -1);
	PBT_REQUIRE(errno == EADDRNOTAVAIL);
	PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
	PBT_REQUIRE(why.port_range_lo == 40000 && why.port_range_hi == 40005);
	PBT_REQUIRE(why.n_connected == 5);
	PBT_REQUIRE(why.n_time_wait == 1);
	PBT_REQUIRE(why.n_holders == 6 && why.n_stored == 6);
	PBT_REQUIRE(why.sources & PB_SRC_NETLINK);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 6; i++)
		if (why.holders[i].state >= 0 && why.holders[i].state < 16)
			seen[why.holders[i].state]++;
	PBT_REQUIRE(seen[PB_TCP_ESTABLISHED] == 2 && seen[PB_TCP_CLOSE_WAIT] == 2 &&
		    seen[PB_TCP_FIN_WAIT2] == 1 && seen[PB_TCP_TIME_WAIT] == 1);
	/* TIME_WAIT last. */
	PBT_REQUIRE(why.holders[5].state == PB_TCP_TIME_WAIT);
	pb_diag_format(&why, text, sizeof(text));
	fprintf(stderr, "%s\n", text);
	PBT_REQUIRE(strstr(text, "6 connections to it hold ports"
			   " (5 open, 1 in TIME_WAIT") != NULL);

	for (i = 0; i < 5; i++)
		abort_close(fds[i]);
	for (i = 0; i < 5; i++)
		if (i < 2 || i == 4)
			abort_close(acc[i]);
	close(l);
	return 0;
}

START_TEST(connect_counts_every_state)
{
	PBT_IN_NETNS(every_state_holds, NULL);
}
END_TEST

/* The range that ran out, as the kernel intersects the socket's range
   with the system's (40000-40009): 39990-40004 gives 40000-40004,
   40005-50000 gives 40005-40009, and a range outside it is ignored by
   the kernel (the system's range runs out). */
static int range_intersections(void *arg)
{
	static const unsigned cases[][4] = {	/* lo, hi, want lo, want hi */
		{ 39990, 40004, 40000, 40004 },
		{ 40005, 50000, 40005, 40009 },
		{ 50000, 50010, 40000, 40009 },
		{ 40009, 40009, 40009, 40009 },
	};
	struct sockaddr_storage dst;
	socklen_t dlen;
	struct pb_diag why = PB_DIAG_INIT;
	int l, fds[16], n, i, k, fd;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	for (k = 0; k < 4; k++) {
		unsigned want = cases[k][3] - cases[k][2] + 1;

		for (n = 0; n < 16; n++) {
			fd = pb_connect_range(SOCK_STREAM, NULL, 0,
					      (struct sockaddr *)&dst, dlen,
					      cases[k][0], cases[k][1], 0, &why);
			if (fd < 0) {
				if (errno == ENOPROTOOPT)
					return 77;
				break;
			}
			fds[n] = fd;
		}
		PBT_REQUIRE(errno == EADDRNOTAVAIL);
		PBT_REQUIRE((unsigned)n == want);
		PBT_REQUIRE(why.cause == PB_CAUSE_PORTS_EXHAUSTED);
		PBT_REQUIRE(why.port_range_lo == cases[k][2] &&
			    why.port_range_hi == cases[k][3]);
		PBT_REQUIRE(why.n_connected == want && why.n_holders == want);
		for (i = 0; i < n; i++)
			abort_close(fds[i]);
	}
	close(l);
	return 0;
}

START_TEST(connect_range_intersections)
{
	const char *why;
	int st = pbt_run_in_netns(range_intersections, NULL, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == 77)
		PBT_SKIP("IP_LOCAL_PORT_RANGE not in this kernel (< 6.3)");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* The budget at its edges: more listeners in the range than it lists,
   every port reserved, tcp_tw_reuse 2 by each end's address, the reuse
   delay, and arguments of two families. */
static int budget_edges(void *arg)
{
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen;
	struct pb_budget b = PB_BUDGET_INIT;
	int l[9], i, saved;
	static const struct {
		const char *src, *dst;
		int reuse;
	} lb[] = {
		{ NULL, "127.0.0.1", 1 }, { NULL, "127.1.2.3", 1 },
		{ NULL, "10.1.2.3", 0 }, { NULL, "128.0.0.1", 0 },
		{ "127.0.0.1", "10.1.2.3", 1 }, { "10.1.2.4", "10.1.2.3", 0 },
		{ NULL, "::1", 1 }, { NULL, "::2", 0 }, { NULL, "2001:db8::1", 0 },
		{ NULL, "::ffff:127.0.0.1", 1 }, { NULL, "::ffff:10.1.2.3", 0 },
		{ "::1", "2001:db8::1", 1 }, { "2001:db8::2", "2001:db8::1", 0 },
		{ NULL, "0:0:0:0:0:ffff:7f00:1", 1 }, { NULL, "1::ffff:7f00:1", 0 },
	};

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	/* Nine listeners in the range: counted all, eight listed. */
	for (i = 0; i < 9; i++) {
		l[i] = listen_fixed(40000 + (unsigned)i);
		PBT_REQUIRE(l[i] >= 0);
	}
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.n_listeners == 9);
	PBT_REQUIRE(b.usable == 10 && b.available == 1);
	/* Towards 0.0.0.0:0 (nothing connects there): the listeners are no
	   connections. */
	{
		struct sockaddr_storage z;
		socklen_t zlen = addr_of(&z, "0.0.0.0", 0);

		PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&z, zlen, &b) == 0);
		PBT_REQUIRE(b.established + b.time_wait + b.other == 0);
		PBT_REQUIRE(b.n_listeners == 9 && b.available == 1);
	}
	for (i = 0; i < PB_BUDGET_LISTENERS; i++)
		PBT_REQUIRE(b.listener_ports[i] >= 40000 && b.listener_ports[i] <= 40008);
	close(l[8]);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.n_listeners == 8 && b.available == 2);
	for (i = 0; i < 8; i++)
		close(l[i]);

	/* Ports passed over (reserved, or a second listener on a port
	   already counted) do not end the walk: a listener on every port
	   of the range, on 127.0.0.1 and [::1], every other port reserved
	   (the even ones, then the odd ones: the kernel walks its listeners
	   roughly in an order of ports, so one of the two starts with a
	   reserved one). */
	{
		static const char *const res[] = {
			"40000,40002,40004,40006,40008",
			"40001,40003,40005,40007,40009",
		};
		int v4[10], v6[10], r;
		char spec[32];

		for (i = 0; i < 10; i++) {
			v4[i] = listen_fixed(40000 + (unsigned)i);
			PBT_REQUIRE(v4[i] >= 0);
			snprintf(spec, sizeof(spec), "[::1]:%u", 40000 + (unsigned)i);
			v6[i] = pb_listen(spec, 4, 0, NULL);
		}
		for (r = 0; r < 2; r++) {
			PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports",
						     res[r]) == 0);
			PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst,
						   dlen, &b) == 0);
			PBT_REQUIRE(b.reserved == 5 && b.usable == 5);
			PBT_REQUIRE(b.n_listeners == 5 && b.available == 0);
			for (i = 0; i < 5; i++)
				PBT_REQUIRE(b.listener_ports[i] % 2 == (unsigned)!r);
		}
		for (i = 0; i < 10; i++) {
			close(v4[i]);
			if (v6[i] >= 0)
				close(v6[i]);
		}
	}

	/* Every port reserved: nothing usable, nothing available. */
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports",
				     "40000-40009") == 0);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.reserved == 10 && b.usable == 0 && b.available == 0);
	PBT_REQUIRE(b.rate_per_s == 0.0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "50000") == 0);

	/* A range of one port: one usable. */
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "40000 40000") == 0);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.port_lo == 40000 && b.port_hi == 40000);
	PBT_REQUIRE(b.usable == 1 && b.available == 1);
	PBT_REQUIRE(b.sources & PB_SRC_SYSCTL);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", RANGE) == 0);

	/* tcp_tw_reuse 2: loopback at either end. */
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "2") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse_delay", "2000") == 0);
	for (i = 0; i < (int)(sizeof(lb) / sizeof(lb[0])); i++) {
		dlen = addr_of(&dst, lb[i].dst, 80);
		if (lb[i].src)
			slen = addr_of(&src, lb[i].src, 0);
		PBT_REQUIRE(pb_port_budget(lb[i].src ? (struct sockaddr *)&src : NULL,
					   lb[i].src ? slen : 0,
					   (struct sockaddr *)&dst, dlen, &b) == 0);
		if (b.tw_reuse != lb[i].reuse)
			fprintf(stderr, "%s -> %s: tw_reuse %d\n",
				lb[i].src ? lb[i].src : "-", lb[i].dst, b.tw_reuse);
		PBT_REQUIRE(b.tw_reuse == lb[i].reuse);
		PBT_REQUIRE(b.tw_reuse_delay_ms == 2000);
		PBT_REQUIRE(b.usable == 10);
		if (b.tw_reuse)
			PBT_REQUIRE(b.rate_per_s > 5.0 - 1e-9 && b.rate_per_s < 5.0 + 1e-9);
		else
			PBT_REQUIRE(b.rate_per_s > 10.0 / 60 - 1e-9 &&
				    b.rate_per_s < 10.0 / 60 + 1e-9);
	}
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "0") == 0);
	dlen = addr_of(&dst, "127.0.0.1", 80);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.tw_reuse == 0);

	/* Arguments: two families, a short source; errno kept on success. */
	slen = addr_of(&src, "::1", 0);
	errno = 0;
	PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
				   (struct sockaddr *)&dst, dlen, &b) == -1 &&
		    errno == EINVAL);
	slen = addr_of(&src, "127.0.0.1", 0);
	errno = 0;
	PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, 3,
				   (struct sockaddr *)&dst, dlen, &b) == -1 &&
		    errno == EINVAL);
	errno = 0;
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, NULL) == -1 &&
		    errno == EINVAL);
	saved = errno = 4242;
	PBT_REQUIRE(pb_port_budget((struct sockaddr *)&src, slen,
				   (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(errno == saved);
	return 0;
}

START_TEST(budget_at_the_edges)
{
	PBT_IN_NETNS(budget_edges, NULL);
}
END_TEST

/* TIME_WAIT ports come back once tcp_tw_reuse_delay old: none with a
   delay of 60 s (TIME_WAIT's whole life), all with 1 ms once they are a
   few ms old. */
static int tw_reuse_delay(void *arg)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	struct pb_budget b = PB_BUDGET_INIT;
	struct timespec ms = { 0, 5000000 };
	int l, fds[4], i;

	(void)arg;
	PBT_REQUIRE(ns_setup() == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "1") == 0);
	l = listen_fixed(6001);
	PBT_REQUIRE(l >= 0);
	dlen = addr_of(&dst, "127.0.0.1", 6001);
	for (i = 0; i < 4; i++) {
		fds[i] = connect_one(&dst, dlen, NULL);
		PBT_REQUIRE(fds[i] >= 0);
	}
	for (i = 0; i < 4; i++)
		client_time_wait(l, fds[i]);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse_delay", "60000") == 0);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.time_wait == 4 && b.time_wait_reusable == 0);
	PBT_REQUIRE(b.available == 6);
	/* One open, one half-closed (FIN_WAIT2: "other"): both hold. */
	{
		int o = connect_one(&dst, dlen, NULL), h = connect_one(&dst, dlen, NULL);
		int so = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		int sh = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		struct pollfd p = { .fd = -1, .events = POLLIN };
		char c;

		PBT_REQUIRE(o >= 0 && h >= 0 && so >= 0 && sh >= 0);
		PBT_REQUIRE(shutdown(h, SHUT_WR) == 0);
		/* The server end that reads EOF is h's: its peer's port. */
		{
			struct sockaddr_storage pa;
			socklen_t plen = sizeof(pa);

			PBT_REQUIRE(getpeername(sh, (struct sockaddr *)&pa, &plen) == 0);
			if (ntohs(((struct sockaddr_in *)&pa)->sin_port) != pbt_local_port(h)) {
				int t = sh;

				sh = so;
				so = t;
			}
		}
		p.fd = sh;
		PBT_REQUIRE(poll(&p, 1, 5000) == 1 && read(sh, &c, 1) == 0);
		PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
		PBT_REQUIRE(b.established == 1 && b.other == 1 && b.time_wait == 4);
		PBT_REQUIRE(b.available == 4);
		abort_close(o);
		abort_close(h);
		close(so);
		close(sh);
	}
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse_delay", "1") == 0);
	nanosleep(&ms, NULL);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b) == 0);
	PBT_REQUIRE(b.time_wait == 4 && b.time_wait_reusable == 4);
	PBT_REQUIRE(b.available == 10);
	PBT_REQUIRE(b.tw_reuse_delay_ms == 1);
	PBT_REQUIRE(b.rate_per_s > 10000.0 - 1e-6 && b.rate_per_s < 10000.0 + 1e-6);
	close(l);
	return 0;
}

START_TEST(budget_tw_reuse_delay)
{
	PBT_IN_NETNS(tw_reuse_delay, NULL);
}
END_TEST

/* ---- in the host namespace, on loopback */

START_TEST(connect_from_defaults)
{
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL), fd;
	struct sockaddr_storage dst, src;
	socklen_t dlen = addr_of(&dst, "127.0.0.1", pbt_local_port(l));
	socklen_t slen = addr_of(&src, "127.0.0.1", 0);

	fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			     (struct sockaddr *)&dst, dlen, 0, NULL);
	ck_assert_int_ge(fd, 0);
	pbt_assert_cloexec(fd);
	ck_assert_int_eq(pbt_getopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT), 1);
	ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_REUSEADDR), 0);
	ck_assert_uint_ne(pbt_local_port(fd), 0);
	close(fd);

	/* No source: the kernel picks address and port. */
	fd = pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst, dlen,
			     0, NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* Non-blocking: in progress is success, errno as it was (not
	   EINPROGRESS); completion via POLLOUT. */
	errno = 4242;
	fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			     (struct sockaddr *)&dst, dlen, PB_NONBLOCK, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(errno, 4242);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	{
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		ck_assert_int_eq(pbt_getopt(fd, SOL_SOCKET, SO_ERROR), 0);
	}
	close(fd);
	close(l);
}
END_TEST

START_TEST(explicit_source_port_is_shared)
{
	int l1 = pb_listen("127.0.0.1:0", 8, 0, NULL);
	int l2 = pb_listen("127.0.0.1:0", 8, 0, NULL);
	struct sockaddr_storage d1, d2, src;
	socklen_t d1len = addr_of(&d1, "127.0.0.1", pbt_local_port(l1));
	socklen_t d2len = addr_of(&d2, "127.0.0.1", pbt_local_port(l2));
	struct pb_diag why = PB_DIAG_INIT;
	unsigned port = pbt_free_port();	/* nobody holds it in TCP */
	socklen_t slen;
	int a, b;

	slen = addr_of(&src, "127.0.0.1", port);
	a = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			    (struct sockaddr *)&d1, d1len, 0, NULL);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(pbt_getopt(a, SOL_SOCKET, SO_REUSEADDR), 1);
	b = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
			    (struct sockaddr *)&d2, d2len, 0, NULL);
	ck_assert_msg(b >= 0, "second destination: %s", strerror(errno));
	ck_assert_uint_eq(pbt_local_port(a), port);
	ck_assert_uint_eq(pbt_local_port(b), port);
	/* The same 4-tuple again: taken, and why shows the connection. */
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
					 (struct sockaddr *)&d2, d2len, 0, &why), -1);
	ck_assert_int_eq(errno, EADDRNOTAVAIL);
	ck_assert_int_eq(why.cause, PB_CAUSE_CONNECTED);
	ck_assert_uint_eq(why.n_connected, 1);
	close(b);
	/* Without SO_REUSEADDR the port is taken, and why says by whom. */
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
					 (struct sockaddr *)&d2, d2len,
					 PB_NO_REUSEADDR, &why), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_int_eq(why.cause, PB_CAUSE_CONNECTED);
	close(a);
	close(l1);
	close(l2);

	/* UDP with an explicit port: never SO_REUSEADDR. */
	a = pb_bind_udp("127.0.0.1:0", 0, NULL);
	d1len = addr_of(&d1, "127.0.0.1", pbt_local_port(a));
	b = pb_connect_from(SOCK_DGRAM, (struct sockaddr *)&src, slen,
			    (struct sockaddr *)&d1, d1len, 0, NULL);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(pbt_getopt(b, SOL_SOCKET, SO_REUSEADDR), 0);
	ck_assert_uint_eq(pbt_local_port(b), port);
	close(b);
	close(a);
}
END_TEST

/* A refused call: -1 with errno err, and why, formatted, starts with
   head and holds tail; the JSON names the argument. */
static void expect_refused(int r, int err, const struct pb_diag *why,
			   int invalid, const char *json_name,
			   const char *head, const char *tail)
{
	char t[1024], j[4096], member[64];

	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, err);
	ck_assert_int_eq(why->invalid, invalid);
	ck_assert_int_eq(why->cause, PB_CAUSE_OTHER);
	ck_assert_int_eq(why->err, err);
	ck_assert_uint_eq(why->size, sizeof(*why));
	ck_assert_int_gt(pb_diag_format(why, t, sizeof(t)), 0);
	ck_assert_msg(strncmp(t, head, strlen(head)) == 0 && strstr(t, tail),
		      "want \"%s\" ... \"%s\": %s", head, tail, t);
	ck_assert_int_gt(pb_diag_json(why, j, sizeof(j)), 0);
	snprintf(member, sizeof(member), "\"invalid\":\"%s\"", json_name);
	ck_assert_msg(strstr(j, member), "%s", j);
}

/*
 * Issue 13: pb_connect_from and pb_connect_range fill why for the
 * arguments they refuse before any system call (before, why was left
 * as it was, and pb_diag_format failed on it).
 */
START_TEST(refused_arguments_fill_why)
{
	struct sockaddr_storage dst, src, src6;
	struct pb_diag why = PB_DIAG_INIT, copy;
	socklen_t dlen = addr_of(&dst, "127.0.0.1", 80);
	socklen_t slen = addr_of(&src, "127.0.0.2", 0);
	socklen_t s6len = addr_of(&src6, "::1", 0);
	const struct sockaddr *d = (struct sockaddr *)&dst;
	int r;

	errno = 0;
	r = pb_connect_from(7, NULL, 0, d, dlen, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_TYPE, "type",
		       "socket type 7 is not valid: EINVAL (22, Invalid"
		       " argument). Fix: use SOCK_STREAM or SOCK_DGRAM.", "");
	ck_assert_int_eq(why.peer.ss_family, AF_INET);

	errno = 0;
	r = pb_connect_from(SOCK_STREAM, NULL, 0, d, dlen, PB_REUSEPORT, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_FLAGS, "flags",
		       "tcp connection to 127.0.0.1:80: EINVAL (22, Invalid"
		       " argument): the flags", "Fix: pass only the PB_* flags");

	errno = 0;
	r = pb_connect_from(SOCK_DGRAM, NULL, 0, NULL, dlen, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_DST, "destination",
		       "udp connection: EINVAL (22, Invalid argument): the"
		       " destination address is not valid", "");

	errno = 0;
	r = pb_connect_from(SOCK_STREAM, NULL, 0, d, 3, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_DST, "destination",
		       "tcp connection: EINVAL", "the destination address");

	errno = 0;
	r = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src6, s6len, d,
			    dlen, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_SRC, "source",
		       "tcp [::1]:0 -> 127.0.0.1:80: EINVAL (22, Invalid"
		       " argument): the source address is not of the"
		       " destination's family.", "or NULL for any local address");

	errno = 0;
	r = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, 5, d, dlen, 0,
			    &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_SRC, "source",
		       "tcp connection to 127.0.0.1:80: EINVAL", "the source"
		       " address is not valid (shorter than its family needs");

	errno = 0;
	r = pb_connect_range(SOCK_STREAM, (struct sockaddr *)&src, slen, d, dlen,
			     50, 40, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_RANGE, "port-range",
		       "tcp 127.0.0.2:0 -> 127.0.0.1:80: EINVAL (22, Invalid"
		       " argument): the source port range 50-40 is not valid.", "");
	errno = 0;
	r = pb_connect_range(SOCK_STREAM, NULL, 0, d, dlen, 40000, 70000, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_RANGE, "port-range",
		       "tcp connection to 127.0.0.1:80", "range 40000-70000");
	/* The edges: 65535 is a port, 65536 is not, at either end. */
	errno = 0;
	r = pb_connect_range(SOCK_STREAM, NULL, 0, d, dlen, 1, 65536, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_RANGE, "port-range",
		       "tcp connection to 127.0.0.1:80", "range 1-65536");
	errno = 0;
	r = pb_connect_range(SOCK_STREAM, NULL, 0, d, dlen, 65536, 65536, 0, &why);
	expect_refused(r, EINVAL, &why, PB_INVALID_RANGE, "port-range",
		       "tcp connection to 127.0.0.1:80", "range 65536-65536");
	{
		static const unsigned ok[][2] = { { 65535, 65535 }, { 0, 65535 },
						  { 1, 1 } };
		int l = pb_listen("127.0.0.1:0", 4, 0, NULL), k, fd;
		struct sockaddr_storage ls;
		socklen_t llen = addr_of(&ls, "127.0.0.1", pbt_local_port(l));

		for (k = 0; k < 3; k++) {
			why.invalid = -1;
			fd = pb_connect_range(SOCK_STREAM, NULL, 0, (struct sockaddr *)&ls,
					      llen, ok[k][0], ok[k][1], 0, &why);
			if (fd < 0)	/* not refused as an argument */
				ck_assert_int_ne(why.invalid, PB_INVALID_RANGE);
			else
				close(fd);
		}
		close(l);
	}

	/* A family the library does not take: EAFNOSUPPORT, said so. */
	dst.ss_family = AF_UNIX;
	errno = 0;
	r = pb_connect_from(SOCK_STREAM, NULL, 0, d, dlen, 0, &why);
	expect_refused(r, EAFNOSUPPORT, &why, PB_INVALID_DST, "destination",
		       "tcp connection: EAFNOSUPPORT (97, Address family not"
		       " supported by protocol): the destination", "");
	dst.ss_family = AF_INET;

	/* why refused itself: not a byte written. */
	memset(&why, 0x5a, sizeof(why));
	why.size = 8;
	copy = why;
	errno = 0;
	ck_assert_int_eq(pb_connect_from(7, NULL, 0, d, dlen, 0, &why), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(memcmp(&why, &copy, sizeof(why)), 0);
}
END_TEST

START_TEST(connect_from_errors)
{
	struct sockaddr_storage dst, src, src6;
	struct pb_diag why = PB_DIAG_INIT;
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL);
	unsigned port = pbt_local_port(l);
	socklen_t dlen = addr_of(&dst, "127.0.0.1", port);
	socklen_t slen = addr_of(&src, "127.0.0.1", 0);
	socklen_t s6len = addr_of(&src6, "::1", 0);

	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst,
					 dlen, PB_REUSEPORT, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_RAW, NULL, 0, (struct sockaddr *)&dst,
					 dlen, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, NULL, 0, NULL, dlen, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src6, s6len,
					 (struct sockaddr *)&dst, dlen, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_connect_range(SOCK_STREAM, (struct sockaddr *)&src, slen,
					  (struct sockaddr *)&dst, dlen, 50, 40, 0,
					  NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	dst.ss_family = AF_UNIX;
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&dst,
					 dlen, 0, NULL), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);

	/* Refused: the errno of connect(), and a why that names the peer. */
	close(l);
	dlen = addr_of(&dst, "127.0.0.1", port);
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
					 (struct sockaddr *)&dst, dlen, 0, &why), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(why.cause, PB_CAUSE_OTHER);
	ck_assert_int_eq(why.err, ECONNREFUSED);
	ck_assert_int_eq(why.peer.ss_family, AF_INET);

	/* A source address that is not ours. */
	slen = addr_of(&src, "203.0.113.1", 0);
	errno = 0;
	ck_assert_int_eq(pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, slen,
					 (struct sockaddr *)&dst, dlen, 0, &why), -1);
	ck_assert_int_eq(errno, EADDRNOTAVAIL);
	ck_assert_int_eq(why.cause, PB_CAUSE_ADDR_NOT_LOCAL);
}
END_TEST

START_TEST(budget_arguments)
{
	struct sockaddr_storage dst;
	socklen_t dlen = addr_of(&dst, "127.0.0.1", 9);
	struct pb_budget b = PB_BUDGET_INIT, zero;
	struct pb_sysctls s = PB_SYSCTLS_INIT;

	memset(&zero, 0, sizeof(zero));
	ck_assert_int_eq(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &b), 0);
	ck_assert_int_eq(pb_read_sysctls(&s), 0);
	ck_assert_uint_eq(b.port_lo, s.port_lo);
	ck_assert_uint_eq(b.port_hi, s.port_hi);
	ck_assert_uint_eq(b.usable, s.port_hi - s.port_lo + 1 - s.reserved);
	errno = 0;
	ck_assert_int_eq(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, dlen, &zero), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_port_budget(NULL, 0, NULL, dlen, &b), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_port_budget(NULL, 0, (struct sockaddr *)&dst, 3, &b), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *suite_client(void)
{
	Suite *s = suite_create("client");
	TCase *tn = tcase_create("netns");
	TCase *th = tcase_create("host");

	tcase_add_checked_fixture(tn, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tn, 30);
	tcase_add_test(tn, connect_from_reaches_range_times_destinations);
	tcase_add_test(tn, budget_counts_and_tw_reuse);
	tcase_add_test(tn, reserved_ports_are_skipped);
	tcase_add_test(tn, budget_flags_listener_in_range);
	tcase_add_test(tn, connect_range_narrows_ports);
	tcase_add_test(tn, connect_options_refused);
	tcase_add_test(tn, connect_gets_descriptor_zero);
	tcase_add_loop_test(tn, connect_interrupted_by_signals, 0, 3);
	tcase_add_test(tn, explicit_port_in_time_wait);
	tcase_add_test(tn, connect_counts_every_state);
	tcase_add_test(tn, connect_range_intersections);
	tcase_add_test(tn, budget_at_the_edges);
	tcase_add_test(tn, budget_tw_reuse_delay);
	suite_add_tcase(s, tn);

	tcase_add_checked_fixture(th, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(th, connect_from_defaults);
	tcase_add_test(th, explicit_source_port_is_shared);
	tcase_add_test(th, connect_from_errors);
	tcase_add_test(th, refused_arguments_fill_why);
	tcase_add_test(th, budget_arguments);
	suite_add_tcase(s, th);
	return s;
}

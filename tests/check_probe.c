/* SPDX-License-Identifier: MIT */
/*
 * check_probe.c - lib/probe.c, the scratch-socket probes the diagnosis
 * falls back on, called directly (internal symbols of libportbind.a):
 * pb__probe_bind answers what a fresh socket with the given options would
 * meet, and pb__probe_connect whether something accepts; both give
 * -errno, keep the caller's errno and leave no descriptor behind (the
 * fixture counts them).  Failures of the probe's own system calls come
 * from the kernel: RLIMIT_NOFILE, and seccomp filters in a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "probe.h"
#include "testutil.h"

#define SKIPPED 77
#define ERRNO_MARK 4242

static int probe_bind(const char *ip, unsigned port, int type, int v6only,
		      unsigned reuse)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);
	int r;

	errno = ERRNO_MARK;
	r = pb__probe_bind(type, (struct sockaddr *)&ss, len, v6only, reuse);
	ck_assert_int_eq(errno, ERRNO_MARK);
	return r;
}

static int probe_connect(const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);
	int r;

	errno = ERRNO_MARK;
	r = pb__probe_connect((struct sockaddr *)&ss, len);
	ck_assert_int_eq(errno, ERRNO_MARK);
	return r;
}

/* A socket of type bound to ip:0 (the kernel picks), not listening. */
static int bound(const char *ip, int type, int reuseaddr, int reuseport)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, 0);
	int fd = pbt_socket(ip, type, reuseaddr), on = 1;

	if (reuseport)
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
					    sizeof(on)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

START_TEST(bind_free_and_held)
{
	int l = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(l);
	int u = bound("127.0.0.1", SOCK_DGRAM, 0, 0);
	unsigned uport = pbt_local_port(u);

	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1, 0), -EADDRINUSE);
	ck_assert_int_eq(probe_bind("0.0.0.0", port, SOCK_STREAM, -1, 0), -EADDRINUSE);
	/* TCP and UDP ports are apart. */
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_DGRAM, -1, 0), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", uport, SOCK_DGRAM, -1, 0), -EADDRINUSE);
	/* A probe leaves nothing bound: twice the same answer, and the
	   port is free the moment the holder goes. */
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_DGRAM, -1, 0), 0);
	close(l);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1, 0), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1, 0), 0);
	close(u);
	ck_assert_int_eq(probe_bind("127.0.0.1", uport, SOCK_DGRAM, -1, 0), 0);
	/* An address this host does not have. */
	ck_assert_int_eq(probe_bind("192.0.2.1", 0, SOCK_STREAM, -1, 0), -EADDRNOTAVAIL);
}
END_TEST

/* SO_REUSEADDR on both sides, neither listening: the kernel lets them
   share; either side without it, not. */
START_TEST(bind_reuseaddr)
{
	int a = bound("127.0.0.1", SOCK_STREAM, 1, 0);
	int b = bound("127.0.0.1", SOCK_STREAM, 0, 0);
	unsigned pa = pbt_local_port(a), pb = pbt_local_port(b);

	ck_assert_int_eq(probe_bind("127.0.0.1", pa, SOCK_STREAM, -1,
				    PB__PROBE_REUSEADDR), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", pa, SOCK_STREAM, -1, 0), -EADDRINUSE);
	ck_assert_int_eq(probe_bind("127.0.0.1", pa, SOCK_STREAM, -1,
				    PB__PROBE_REUSEPORT), -EADDRINUSE);
	ck_assert_int_eq(probe_bind("127.0.0.1", pb, SOCK_STREAM, -1,
				    PB__PROBE_REUSEADDR), -EADDRINUSE);
	close(a);
	close(b);
}
END_TEST

/* SO_REUSEPORT on both sides (same uid): shared; a listener counts. */
START_TEST(bind_reuseport)
{
	int a = bound("127.0.0.1", SOCK_STREAM, 0, 1);
	unsigned port = pbt_local_port(a);

	ck_assert_int_eq(listen(a, 4), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1,
				    PB__PROBE_REUSEPORT), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1,
				    PB__PROBE_REUSEADDR | PB__PROBE_REUSEPORT), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1,
				    PB__PROBE_REUSEADDR), -EADDRINUSE);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, -1, 0), -EADDRINUSE);
	close(a);
}
END_TEST

/* An IPv4 wildcard listener: an IPv6 wildcard probe meets it unless it
   is v6-only; v6only is an IPv6 matter only (an IPv4 probe with it
   set still binds, no IPV6_V6ONLY tried on it). */
START_TEST(bind_v6only)
{
	int l;
	unsigned port;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	l = pbt_listener("0.0.0.0", 0, 0);
	port = pbt_local_port(l);
	ck_assert_int_eq(probe_bind("::", port, SOCK_STREAM, 1, 0), 0);
	ck_assert_int_eq(probe_bind("::", port, SOCK_STREAM, 0, 0), -EADDRINUSE);
	close(l);
	l = pbt_listener("127.0.0.1", 0, 0);
	port = pbt_local_port(l);
	close(l);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, 1, 0), 0);
	ck_assert_int_eq(probe_bind("127.0.0.1", port, SOCK_STREAM, 0, 0), 0);
}
END_TEST

/* v6only -1 is the system's default (net.ipv6.bindv6only), 0 is 0 even
   where that default is 1: set it in a private namespace. */
static int v6only_default(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l, r;
	unsigned port;

	(void)arg;
	if (pbt_write_sysctl("net/ipv6/bindv6only", "1") < 0)
		return SKIPPED;
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = pbt_addr(&ss, "0.0.0.0", 0);
	PBT_REQUIRE(l >= 0 && bind(l, (struct sockaddr *)&ss, len) == 0 && listen(l, 4) == 0);
	len = sizeof(ss);
	PBT_REQUIRE(getsockname(l, (struct sockaddr *)&ss, &len) == 0);
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	len = pbt_addr(&ss, "::", port);
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, 0);
	PBT_REQUIRE(r == 0);
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, 0, 0);
	PBT_REQUIRE(r == -EADDRINUSE);
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, 1, 0);
	PBT_REQUIRE(r == 0);
	close(l);
	return 0;
}

START_TEST(bind_v6only_system_default)
{
	const char *why;
	int st;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	st = pbt_run_in_netns(v6only_default, NULL, &why);
	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == SKIPPED)
		PBT_SKIP("net.ipv6.bindv6only cannot be set in the namespace");
	ck_assert_int_eq(st, 0);
}
END_TEST

START_TEST(connect_listener_and_nothing)
{
	int l = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(l);

	ck_assert_int_eq(probe_connect("127.0.0.1", port), 0);
	/* The wildcard knocks on loopback. */
	ck_assert_int_eq(probe_connect("0.0.0.0", port), 0);
	/* Another address is asked as it is: 127.0.0.2 is not where the
	   listener is. */
	ck_assert_int_eq(probe_connect("127.0.0.2", port), -ECONNREFUSED);
	close(l);
	ck_assert_int_eq(probe_connect("127.0.0.1", port), -ECONNREFUSED);
	ck_assert_int_eq(probe_connect("0.0.0.0", port), -ECONNREFUSED);
}
END_TEST

START_TEST(connect_ipv6)
{
	int l;
	unsigned port;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	port = pbt_free_port();	/* nothing on it in IPv4 either */
	l = pbt_listener("::1", port, 0);
	ck_assert_int_eq(probe_connect("::1", port), 0);
	ck_assert_int_eq(probe_connect("::", port), 0);
	/* Not a wildcard: asked as it is (127.0.0.1 has no listener). */
	ck_assert_int_eq(probe_connect("::ffff:127.0.0.1", port), -ECONNREFUSED);
	close(l);
	ck_assert_int_eq(probe_connect("::1", port), -ECONNREFUSED);
	ck_assert_int_eq(probe_connect("::", port), -ECONNREFUSED);
}
END_TEST

/* Each knock is one connection, reset at once: the listener finds it in
   its queue, and no TIME_WAIT is left (SO_LINGER 0). */
START_TEST(connect_knock_is_reset)
{
	int l = pbt_listener("127.0.0.1", 0, 0), s;
	unsigned port = pbt_local_port(l);
	char c;

	ck_assert_int_eq(probe_connect("127.0.0.1", port), 0);
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(s, 0);
	errno = 0;
	ck_assert_int_eq(recv(s, &c, 1, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	close(s);
	close(l);
	/* Nothing of the knock holds the port: a plain bind takes it. */
	l = pbt_listener("127.0.0.1", port, 0);
	close(l);
}
END_TEST

/* A listener whose accept queue is full drops the SYN: the knock gives
   up after its bound (200 ms), not after SYN retries. */
START_TEST(connect_queue_full)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = pbt_socket("127.0.0.1", SOCK_STREAM, 0), c;
	unsigned port;
	struct timespec t0, t1;
	long ms;

	len = pbt_addr(&ss, "127.0.0.1", 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(listen(l, 0), 0);
	port = pbt_local_port(l);
	len = pbt_addr(&ss, "127.0.0.1", port);
	/* Backlog 0 queues one connection: fill it. */
	c = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&ss, len), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(probe_connect("127.0.0.1", port), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 150);
	ck_assert_int_lt(ms, 3000);
	close(c);
	close(l);
}
END_TEST

/* ---- the probes' own system calls failing */

static int at_fd_limit(void)
{
	struct rlimit rl;
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	close(fd);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	rl.rlim_cur = (rlim_t)fd;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static int no_descriptor(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", *(unsigned *)arg);

	PBT_REQUIRE(at_fd_limit() == 0);
	errno = ERRNO_MARK;
	PBT_REQUIRE(pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, 0) == -EMFILE);
	PBT_REQUIRE(errno == ERRNO_MARK);
	PBT_REQUIRE(pb__probe_connect((struct sockaddr *)&ss, len) == -EMFILE);
	PBT_REQUIRE(errno == ERRNO_MARK);
	return 0;
}

START_TEST(probes_without_descriptors)
{
	int l = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(l);

	ck_assert_int_eq(pbt_run_in_child(no_descriptor, &port), 0);
	close(l);
}
END_TEST

/* With descriptor 0 free the probe's socket is 0, a descriptor like any
   other. */
static int on_fd0(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", *(unsigned *)arg);

	close(0);
	PBT_REQUIRE(pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, 0) == -EADDRINUSE);
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1);
	PBT_REQUIRE(pb__probe_connect((struct sockaddr *)&ss, len) == 0);
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1);
	len = pbt_addr(&ss, "127.0.0.1", 0);
	PBT_REQUIRE(pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, 0) == 0);
	return 0;
}

START_TEST(probes_on_fd0)
{
	int l = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(l);

	ck_assert_int_eq(pbt_run_in_child(on_fd0, &port), 0);
	close(l);
}
END_TEST

/* setsockopt refused (EPERM): a probe that needs an option reports the
   refusal, not what its bind would have met, and does not bind; one that
   needs none binds as before. */
struct refused {
	unsigned port;		/* held by a listener (no SO_REUSEADDR) */
	unsigned free6;		/* nothing on it */
};

static int setsockopt_refused(void *arg)
{
	const struct refused *p = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

#ifdef __NR_setsockopt
	if (pbt_seccomp_errno(__NR_setsockopt, -1, EPERM) < 0)
		return SKIPPED;
#else
	return SKIPPED;
#endif
	len = pbt_addr(&ss, "127.0.0.1", p->port);
	errno = ERRNO_MARK;
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, PB__PROBE_REUSEADDR);
	PBT_REQUIRE(r == -EPERM && errno == ERRNO_MARK);
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, PB__PROBE_REUSEPORT);
	PBT_REQUIRE(r == -EPERM && errno == ERRNO_MARK);
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1,
			   PB__PROBE_REUSEADDR | PB__PROBE_REUSEPORT);
	PBT_REQUIRE(r == -EPERM);
	/* No option asked: the bind itself answers. */
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, 0);
	PBT_REQUIRE(r == -EADDRINUSE && errno == ERRNO_MARK);
	/* v6only on an IPv4 probe sets nothing. */
	r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, 1, 0);
	PBT_REQUIRE(r == -EADDRINUSE);
	if (p->free6) {
		len = pbt_addr(&ss, "::1", p->free6);
		r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, 1, 0);
		PBT_REQUIRE(r == -EPERM);
		r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, 0, 0);
		PBT_REQUIRE(r == -EPERM);
		r = pb__probe_bind(SOCK_STREAM, (struct sockaddr *)&ss, len, -1, 0);
		PBT_REQUIRE(r == 0);
	}
	/* The knock's SO_LINGER is best effort: refused, it still knocks. */
	len = pbt_addr(&ss, "127.0.0.1", p->port);
	PBT_REQUIRE(pb__probe_connect((struct sockaddr *)&ss, len) == 0);
	return 0;
}

START_TEST(probe_setsockopt_refused)
{
	struct refused p = { 0, 0 };
	int l = pbt_listener("127.0.0.1", 0, 0), l6 = -1, st;

	p.port = pbt_local_port(l);
	if (pbt_have_ipv6()) {
		l6 = pbt_listener("::1", 0, 0);
		p.free6 = pbt_local_port(l6);
		close(l6);
	}
	st = pbt_run_in_child(setsockopt_refused, &p);
	close(l);
	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* The knock's result cannot be read (getsockopt refused): that error. */
static int getsockopt_refused(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", *(unsigned *)arg);

#ifdef __NR_getsockopt
	if (pbt_seccomp_errno(__NR_getsockopt, -1, EACCES) < 0)
		return SKIPPED;
#else
	return SKIPPED;
#endif
	errno = ERRNO_MARK;
	PBT_REQUIRE(pb__probe_connect((struct sockaddr *)&ss, len) == -EACCES);
	PBT_REQUIRE(errno == ERRNO_MARK);
	return 0;
}

START_TEST(probe_getsockopt_refused)
{
	int l = pbt_listener("127.0.0.1", 0, 0), st;
	unsigned port = pbt_local_port(l);

	st = pbt_run_in_child(getsockopt_refused, &port);
	close(l);
	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

Suite *suite_probe(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("bind");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, bind_free_and_held);
	tcase_add_test(tc, bind_reuseaddr);
	tcase_add_test(tc, bind_reuseport);
	tcase_add_test(tc, bind_v6only);
	tcase_add_test(tc, bind_v6only_system_default);
	suite_add_tcase(s, tc);

	tc = tcase_create("connect");
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, connect_listener_and_nothing);
	tcase_add_test(tc, connect_ipv6);
	tcase_add_test(tc, connect_knock_is_reset);
	tcase_add_test(tc, connect_queue_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, probes_without_descriptors);
	tcase_add_test(tc, probes_on_fd0);
	tcase_add_test(tc, probe_setsockopt_refused);
	tcase_add_test(tc, probe_getsockopt_refused);
	suite_add_tcase(s, tc);
	return s;
}

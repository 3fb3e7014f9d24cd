/* SPDX-License-Identifier: MIT */
/*
 * check_dualstack.c - the bind-conflict rule for dual-stack IPv6 sockets
 * against the IPv4 wildcard, and SO_REUSEPORT, checked against real binds.
 *
 * A dual-stack socket (IPV6_V6ONLY=0) that bound [::] and then connected,
 * or was accepted on a dual-stack [::] listener, has a specific IPv6 local
 * address (::1 here) and still holds 0.0.0.0 at its port (portbind(7)).
 * Each scenario runs in a private network namespace, through netlink
 * (even loop index) and through /proc/net (odd), and every verdict is
 * held against what a real bind of the same address then does.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#include "testutil.h"

/* Can this process copy a descriptor through a pidfd (Linux 5.6; not
   under valgrind)?  0, or the errno that says why not. */
static int pidfd_getfd_errno(void)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0), copy, err;

	if (pidfd < 0)
		return errno;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, pidfd, 0);
	err = copy < 0 ? errno : 0;
	if (copy >= 0)
		close(copy);
	close(pidfd);
	return err;
#else
	return ENOSYS;
#endif
}

#define MODE_FLAGS(i) ((i) % 2 ? PB_DIAG_NO_NETLINK : PB_DIAG_NO_PROCNET)

struct mode {
	int i;
};

/* An AF_INET6 socket, IPV6_V6ONLY as given, optional SO_REUSEADDR. */
static int sock6(int type, int v6only, int reuseaddr)
{
	int fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0), on = 1;

	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			       sizeof(v6only)) == 0);
	if (reuseaddr)
		PBT_REQUIRE(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
				       sizeof(on)) == 0);
	return fd;
}

static void bind6(int fd, const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);

	PBT_REQUIRE(bind(fd, (struct sockaddr *)&ss, len) == 0);
}

static void connect_to(int fd, const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);

	PBT_REQUIRE(connect(fd, (struct sockaddr *)&ss, len) == 0);
}

/* What a real bind of ip:port does now, from a fresh socket: 0 or errno. */
static int real_bind(int type, const char *ip, unsigned port, int reuseaddr)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);
	int fd = pbt_socket(ip, type, reuseaddr), r = 0;

	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		r = errno;
	close(fd);
	return r;
}

static int diag_at(int i, int type, const char *ip, unsigned port,
		   struct pb_diag *d)
{
	struct pb_diag fresh = PB_DIAG_INIT;
	char spec[80];

	snprintf(spec, sizeof(spec), strchr(ip, ':') ? "[%s]:%u" : "%s:%u",
		 ip, port);
	*d = fresh;
	d->flags = MODE_FLAGS(i);
	return pb_diagnose_spec(type, spec, 0, d);
}

/* The verdict on 0.0.0.0:port agrees with the kernel: refused plain, and
   reuseaddr_helps as a real SO_REUSEADDR bind; with v4_free, 127.0.0.1:port
   is free, and said to be. */
static void require_any_held(int i, int type, unsigned port, int v4_free,
			     struct pb_diag *d)
{
	PBT_REQUIRE(real_bind(type, "0.0.0.0", port, 0) == EADDRINUSE);
	if (v4_free) {
		struct pb_diag other;

		PBT_REQUIRE(real_bind(type, "127.0.0.1", port, 0) == 0);
		PBT_REQUIRE(diag_at(i, type, "127.0.0.1", port, &other) ==
			    PB_CAUSE_NONE);
	}
	diag_at(i, type, "0.0.0.0", port, d);
	PBT_REQUIRE(d->reuseaddr_helps ==
		    (real_bind(type, "0.0.0.0", port, 1) == 0));
}

static void require_ipv4_any_held(int i, int type, unsigned port,
				  struct pb_diag *d)
{
	require_any_held(i, type, port, 1, d);
}

/* A client bound to [::]:P dual-stack, connected to [::1]:Q: it holds
   0.0.0.0:P; the verdict is "connected" with it as the holder. */
static int client_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int l = pbt_listener("::1", 0, 0), c = sock6(SOCK_STREAM, 0, 0), s;
	unsigned port;

	bind6(c, "::", 0);
	port = pbt_local_port(c);
	connect_to(c, "::1", pbt_local_port(l));
	s = accept(l, NULL, NULL);
	PBT_REQUIRE(s >= 0);
	require_ipv4_any_held(m->i, SOCK_STREAM, port, &d);
	/* As portbind(7) says it measured: only the IPv4 wildcard is met. */
	PBT_REQUIRE(real_bind(SOCK_STREAM, "127.0.0.6", port, 0) == 0);
	PBT_REQUIRE(real_bind(SOCK_STREAM, "::ffff:0.0.0.0", port, 0) == 0);
	PBT_REQUIRE(real_bind(SOCK_STREAM, "::ffff:127.0.0.6", port, 0) == 0);
	{
		struct pb_diag other;

		PBT_REQUIRE(diag_at(m->i, SOCK_STREAM, "::ffff:0.0.0.0", port,
				    &other) == PB_CAUSE_NONE);
	}
	PBT_REQUIRE(d.cause == PB_CAUSE_CONNECTED);
	PBT_REQUIRE(d.n_connected == 1 && d.n_holders == 1 && d.n_stored == 1);
	PBT_REQUIRE(d.holders[0].state == PB_TCP_ESTABLISHED);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET6);
	PBT_REQUIRE(d.reuseaddr_helps == 0);
	/* pb_listen's why says the same. */
	{
		struct pb_diag why = PB_DIAG_INIT;
		char spec[32];

		snprintf(spec, sizeof(spec), "0.0.0.0:%u", port);
		why.flags = MODE_FLAGS(m->i);
		PBT_REQUIRE(pb_listen(spec, 4, 0, &why) < 0 && errno == EADDRINUSE);
		PBT_REQUIRE(why.cause == PB_CAUSE_CONNECTED && why.n_connected == 1);
	}
	close(c);
	close(s);
	close(l);
	return 0;
}

START_TEST(dual_client_holds_ipv4_any)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(client_child, &m);
}
END_TEST

/* Connections accepted from ::1 on a dual-stack [::] listener that has
   closed: live, then orphaned in FIN_WAIT2 (the server closed, the client
   did not), beside two IPv4 TIME_WAIT sockets at 127.0.0.1:P. */
static int accepted_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int l = sock6(SOCK_STREAM, 0, 0), c = sock6(SOCK_STREAM, 1, 0), s, l4, k;
	unsigned port;

	bind6(l, "::", 0);
	PBT_REQUIRE(listen(l, 4) == 0);
	port = pbt_local_port(l);
	connect_to(c, "::1", port);
	s = accept(l, NULL, NULL);
	PBT_REQUIRE(s >= 0);
	close(l);

	require_ipv4_any_held(m->i, SOCK_STREAM, port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_CONNECTED && d.n_connected == 1 &&
		    d.n_holders == 1);

	/* Two IPv4 TIME_WAIT sockets beside it: 127.0.0.1 is not held by
	   the dual-stack connection, so a listener binds there. */
	l4 = pbt_listener("127.0.0.1", port, 1);
	PBT_REQUIRE(l4 >= 0);
	for (k = 0; k < 2; k++)
		PBT_REQUIRE(pbt_make_time_wait(l4, "127.0.0.1", port) == 0);
	close(l4);
	require_any_held(m->i, SOCK_STREAM, port, 0, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_CONNECTED);
	PBT_REQUIRE(d.n_connected == 1 && d.n_time_wait == 2 &&
		    d.n_holders == 3);

	/* The server closes first; the client does not: FIN_WAIT2, and
	   after close() an orphan the table shows without IPV6_V6ONLY. */
	close(s);
	for (k = 0; k < 200; k++) {
		diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
		if (d.n_stored && d.holders[0].state == PB_TCP_FIN_WAIT2)
			break;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	require_any_held(m->i, SOCK_STREAM, port, 0, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_CONNECTED);
	PBT_REQUIRE(d.n_connected == 1 && d.n_time_wait == 2);
	PBT_REQUIRE(d.holders[0].state == PB_TCP_FIN_WAIT2);
	close(c);
	return 0;
}

START_TEST(dual_accepted_and_orphan)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(accepted_child, &m);
}
END_TEST

/* A TIME_WAIT left at [::1]:P by a dual-stack server, alone: the verdict
   is time-wait, and pb_listen_wait waits instead of giving up. */
static int time_wait_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	struct timespec t0, t1;
	int l = sock6(SOCK_STREAM, 0, 0), fd;
	unsigned port;
	long ms;
	char spec[32];

	bind6(l, "::", 0);
	PBT_REQUIRE(listen(l, 4) == 0);
	port = pbt_local_port(l);
	PBT_REQUIRE(pbt_make_time_wait(l, "::1", port) == 0);
	close(l);
	require_ipv4_any_held(m->i, SOCK_STREAM, port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
	PBT_REQUIRE(d.n_time_wait == 1 && d.n_holders == 1 && d.n_stored == 1);
	PBT_REQUIRE(d.holders[0].state == PB_TCP_TIME_WAIT);
	PBT_REQUIRE(d.time_wait_ms > 50000 && d.time_wait_ms <= 60000);
	PBT_REQUIRE(d.reuseaddr_helps == 0);

	/* Waits the timeout out rather than failing at once. */
	snprintf(spec, sizeof(spec), "0.0.0.0:%u", port);
	d = (struct pb_diag)PB_DIAG_INIT;
	d.flags = MODE_FLAGS(m->i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = pb_listen_wait(spec, 4, 0, 600, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	PBT_REQUIRE(fd < 0 && errno == EADDRINUSE);
	PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
	PBT_REQUIRE(ms >= 550);
	return 0;
}

START_TEST(dual_time_wait_alone)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(time_wait_child, &m);
}
END_TEST

/* TIME_WAIT of an IPv6-only listener's connections does not hold
   0.0.0.0; next to an IPv4 TIME_WAIT, only that one is counted while the
   listener (whose IPV6_V6ONLY the table shows, or a knock finds) lives. */
static int v6only_time_wait_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int l = sock6(SOCK_STREAM, 1, 0), l4;
	unsigned port;

	bind6(l, "::", 0);
	PBT_REQUIRE(listen(l, 4) == 0);
	port = pbt_local_port(l);
	PBT_REQUIRE(pbt_make_time_wait(l, "::1", port) == 0);
	PBT_REQUIRE(real_bind(SOCK_STREAM, "0.0.0.0", port, 0) == 0);
	PBT_REQUIRE(diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d) ==
		    PB_CAUSE_NONE);
	l4 = pbt_listener("127.0.0.1", port, 0);
	PBT_REQUIRE(l4 >= 0);
	PBT_REQUIRE(pbt_make_time_wait(l4, "127.0.0.1", port) == 0);
	close(l4);
	PBT_REQUIRE(real_bind(SOCK_STREAM, "0.0.0.0", port, 0) == EADDRINUSE);
	diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
	PBT_REQUIRE(d.n_time_wait == 1 && d.n_holders == 1 && d.n_listen == 0);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET);
	close(l);
	/* The listener gone, nothing tells but the families at the port:
	   IPv4 only through AF_INET sockets, so the IPv6 ones are presumed
	   IPv6-only (portbind(7), rule 5), as they are. */
	diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
	PBT_REQUIRE(d.n_time_wait == 1 && d.n_holders == 1);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET);
	return 0;
}

START_TEST(v6only_time_wait_not_a_holder)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(v6only_time_wait_child, &m);
}
END_TEST

/* A dual-stack [::] UDP socket connected to ::1 holds 0.0.0.0 (bound). */
static int udp_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int u = sock6(SOCK_DGRAM, 0, 0);
	unsigned port;

	bind6(u, "::", 0);
	port = pbt_local_port(u);
	connect_to(u, "::1", 9);
	require_ipv4_any_held(m->i, SOCK_DGRAM, port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_bound == 1 && d.n_holders == 1 && d.n_stored == 1);
	PBT_REQUIRE(d.holders[0].protocol == IPPROTO_UDP);
	PBT_REQUIRE(d.reuseport_helps == -1);	/* UDP: never probed */
	close(u);
	return 0;
}

START_TEST(dual_udp_connected)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(udp_child, &m);
}
END_TEST

/* [::] listeners in /proc/net show no IPV6_V6ONLY: an IPv6-only one beside
   an IPv4 TIME_WAIT is no holder of 0.0.0.0 or 127.0.0.1, a dual-stack one
   is; and so for UDP beside an IPv4 socket connected from 127.0.0.1. */
static int proc_listener_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int v6only, l, l4;
	unsigned port;

	for (v6only = 0; v6only <= 1; v6only++) {
		port = pbt_free_port();
		l4 = pbt_listener("127.0.0.1", port, 1);
		PBT_REQUIRE(l4 >= 0);
		PBT_REQUIRE(pbt_make_time_wait(l4, "127.0.0.1", port) == 0);
		close(l4);
		l = sock6(SOCK_STREAM, v6only, 1);
		bind6(l, "::", port);
		PBT_REQUIRE(listen(l, 4) == 0);
		PBT_REQUIRE(real_bind(SOCK_STREAM, "0.0.0.0", port, 0) == EADDRINUSE);
		diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
		if (v6only) {
			PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
			PBT_REQUIRE(d.n_listen == 0 && d.n_holders == 1);
			PBT_REQUIRE(d.reuseaddr_helps == 1);
		} else {
			PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER);
			/* A listener settles it: listeners alone are counted,
			   through /proc as through netlink. */
			PBT_REQUIRE(d.n_listen == 1 && d.n_holders == 1);
			PBT_REQUIRE(d.n_stored == 1 && d.n_time_wait == 0);
		}
		PBT_REQUIRE(real_bind(SOCK_STREAM, "127.0.0.1", port, 0) == EADDRINUSE);
		diag_at(m->i, SOCK_STREAM, "127.0.0.1", port, &d);
		PBT_REQUIRE(d.cause == (v6only ? PB_CAUSE_TIME_WAIT : PB_CAUSE_LISTENER));
		PBT_REQUIRE(d.n_listen == (unsigned)!v6only);
		close(l);
	}
	for (v6only = 0; v6only <= 1; v6only++) {
		int u4 = pbt_socket("127.0.0.1", SOCK_DGRAM, 1);

		l = sock6(SOCK_DGRAM, v6only, 1);
		bind6(l, "::", 0);
		port = pbt_local_port(l);
		bind6(u4, "127.0.0.1", port);
		connect_to(u4, "127.0.0.2", 9);
		PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
		diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d);
		PBT_REQUIRE(d.cause == PB_CAUSE_BOUND);
		PBT_REQUIRE(d.n_bound == 2u - (unsigned)v6only);
		PBT_REQUIRE(d.n_holders == d.n_bound);
		close(u4);
		close(l);
	}
	return 0;
}

/* A socket at [::1] with no peer bound that address itself, so the kernel
   made it IPv6-only: it holds no IPv4 address, though /proc/net cannot
   show the option. */
static int bound_v6_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int u6 = sock6(SOCK_DGRAM, 0, 0), u4, l6, l4;
	unsigned port;

	bind6(u6, "::1", 0);
	/* The kernel set the option at that bind, as portbind(7) says. */
	PBT_REQUIRE(pbt_getopt(u6, IPPROTO_IPV6, IPV6_V6ONLY) == 1);
	port = pbt_local_port(u6);
	u4 = pbt_socket("0.0.0.0", SOCK_DGRAM, 0);
	bind6(u4, "0.0.0.0", port);
	connect_to(u4, "127.0.0.1", 9);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_bound == 1 && d.n_holders == 1);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET);
	close(u4);
	/* Beside a dual-stack socket at [::ffff:127.0.0.6] (which refuses
	   every probe of 0.0.0.0, so the table decides), [::1] still holds
	   no IPv4 address: it bound [::1] itself, even where /proc/net shows
	   nothing but an unconnected UDP row (CLOSE). */
	u4 = sock6(SOCK_DGRAM, 0, 0);
	bind6(u4, "::ffff:127.0.0.6", port);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_bound == 1 && d.n_holders == 1);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET6);
	PBT_REQUIRE(IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&d.holders[0].local)->sin6_addr));
	close(u4);
	close(u6);

	l6 = sock6(SOCK_STREAM, 0, 0);
	bind6(l6, "::1", 0);
	PBT_REQUIRE(listen(l6, 4) == 0);
	port = pbt_local_port(l6);
	l4 = pbt_listener("127.0.0.1", port, 0);
	PBT_REQUIRE(l4 >= 0);
	diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
	PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER);
	PBT_REQUIRE(d.n_listen == 1 && d.n_holders == 1);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET);
	close(l4);
	close(l6);

	/* A dual-stack [::] listener and a 127.0.0.1 one sharing the port
	   through SO_REUSEPORT: both hold 0.0.0.0, in /proc/net too. */
	{
		int on = 1;

		l6 = sock6(SOCK_STREAM, 0, 0);
		PBT_REQUIRE(setsockopt(l6, SOL_SOCKET, SO_REUSEPORT, &on,
				       sizeof(on)) == 0);
		bind6(l6, "::", 0);
		PBT_REQUIRE(listen(l6, 4) == 0);
		port = pbt_local_port(l6);
		l4 = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
		PBT_REQUIRE(setsockopt(l4, SOL_SOCKET, SO_REUSEPORT, &on,
				       sizeof(on)) == 0);
		bind6(l4, "127.0.0.1", port);
		PBT_REQUIRE(listen(l4, 4) == 0);
		diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
		PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER);
		PBT_REQUIRE(d.n_listen == 2 && d.n_holders == 2);
		close(l4);
		close(l6);
	}
	return 0;
}

START_TEST(bound_ipv6_address_is_v6only)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(bound_v6_child, &m);
}
END_TEST

static const char *port_spec(unsigned port)
{
	static char spec[32];

	snprintf(spec, sizeof(spec), "0.0.0.0:%u", port);
	return spec;
}

/* A socket the table does not show (bound-only TCP: never in /proc/net)
   refuses the address: the probes that settle IPv6 sockets of hidden
   IPV6_V6ONLY must not take its refusal for theirs. */
static int hidden_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int l6 = sock6(SOCK_STREAM, 1, 1), b4, l, c, s;
	unsigned port;

	/* An IPv6-only [::] listener and a bound-only 0.0.0.0 beside it. */
	bind6(l6, "::", 0);
	PBT_REQUIRE(listen(l6, 4) == 0);
	port = pbt_local_port(l6);
	b4 = pbt_socket("0.0.0.0", SOCK_STREAM, 1);
	bind6(b4, "0.0.0.0", port);
	PBT_REQUIRE(real_bind(SOCK_STREAM, "127.0.0.1", port, 0) == EADDRINUSE);
	PBT_REQUIRE(diag_at(m->i, SOCK_STREAM, "127.0.0.1", port, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_listen == 0 && d.n_holders == d.n_bound);
	close(l6);

	/* A client that bound [::1]:P itself (so IPv6-only), connected. */
	l = pbt_listener("::1", 0, 0);
	c = sock6(SOCK_STREAM, 0, 1);
	bind6(c, "::1", port);
	connect_to(c, "::1", pbt_local_port(l));
	s = accept(l, NULL, NULL);
	PBT_REQUIRE(s >= 0);
	/* No probe can tell (both have SO_REUSEADDR): the option is read
	   from the socket, which PB_DIAG_OWNERS allows. */
	d = (struct pb_diag)PB_DIAG_INIT;
	d.flags = MODE_FLAGS(m->i) | PB_DIAG_OWNERS;
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, port_spec(port), 0, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_connected == 0 && d.n_holders == d.n_bound);
	close(s);
	close(c);
	close(l);
	close(b4);
	return 0;
}

START_TEST(hidden_socket_not_taken_for_ipv6)
{
	struct mode m = { _i };
	int err = pidfd_getfd_errno();

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	if (err)
		PBT_SKIP("pidfd_getfd: %s (valgrind lacks it)", strerror(err));
	PBT_IN_NETNS(hidden_child, &m);
}
END_TEST

/* UDP compares IPv4 addresses as they are: a dual-stack UDP socket
   connected from [::] holds 127.0.0.6 too (the IPv4 address the kernel
   gives it), and an IPv6-only one connected from [::1] holds nothing of
   IPv4 beside an IPv4 socket that does. */
static int udp_lb6_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int u = sock6(SOCK_DGRAM, 0, 0), u4;
	unsigned port;

	bind6(u, "::", 0);
	port = pbt_local_port(u);
	connect_to(u, "::1", 9);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "127.0.0.6", port, 0) == EADDRINUSE);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "127.0.0.1", port, 0) == 0);
	PBT_REQUIRE(diag_at(m->i, SOCK_DGRAM, "127.0.0.6", port, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_bound == 1 && d.n_holders == 1);
	close(u);

	u = sock6(SOCK_DGRAM, 0, 0);
	bind6(u, "::1", 0);
	port = pbt_local_port(u);
	connect_to(u, "::1", 9);
	u4 = pbt_socket("127.0.0.1", SOCK_DGRAM, 1);
	bind6(u4, "127.0.0.1", port);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	PBT_REQUIRE(diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE(d.n_bound == 1 && d.n_holders == 1);
	PBT_REQUIRE(d.holders[0].local.ss_family == AF_INET);
	close(u4);
	close(u);
	return 0;
}

START_TEST(udp_compares_ipv4_as_it_is)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(udp_lb6_child, &m);
}
END_TEST

/* A dual-stack UDP socket connected from [::] to [::1], beside a dual-stack
   one on [::] that refuses every probe of 0.0.0.0 too: the probes cannot
   tell, and the option seen on the port's other IPv6 socket (dual-stack,
   the same in /proc/net by the spare addresses' probe) is presumed, not
   net.ipv6.bindv6only, which is 1 here; so is IPv4 seen only through
   IPv4-mapped addresses. */
static int presume_seen_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int h1 = sock6(SOCK_DGRAM, 0, 1), h2 = sock6(SOCK_DGRAM, 0, 1), h3, on = 1;
	unsigned port;

	PBT_REQUIRE(pbt_write_sysctl("net/ipv6/bindv6only", "1") == 0);
	bind6(h1, "::", 0);
	port = pbt_local_port(h1);
	bind6(h2, "::", port);
	connect_to(h2, "::1", 9);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	PBT_REQUIRE(diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE_MSG(d.n_bound == 2 && d.n_holders == 2, "%u bound, %u holders",
			d.n_bound, d.n_holders);
	close(h1);
	/* The connected one alone still refuses 0.0.0.0: it was a holder. */
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	close(h2);

	/* No option seen, IPv4 at the port only through an IPv4-mapped
	   address (a dual-stack socket on [::ffff:0.0.0.0]): dual-stack is
	   presumed, not net.ipv6.bindv6only. */
	h2 = sock6(SOCK_DGRAM, 0, 1);
	bind6(h2, "::", 0);
	port = pbt_local_port(h2);
	connect_to(h2, "::1", 9);
	h1 = sock6(SOCK_DGRAM, 0, 1);
	bind6(h1, "::ffff:0.0.0.0", port);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	PBT_REQUIRE(diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE_MSG(d.n_bound == 2 && d.n_holders == 2, "%u bound, %u holders",
			d.n_bound, d.n_holders);
	close(h1);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == EADDRINUSE);
	close(h2);
	if (m->i % 2)
		return 0;	/* /proc/net shows no option to disagree */

	/* Options that disagree (netlink shows both) and no IPv4 at the
	   port: the system's default, which made the connected socket
	   IPv6-only: no holder. */
	h1 = sock6(SOCK_DGRAM, 0, 1);
	bind6(h1, "::", 0);
	port = pbt_local_port(h1);
	h3 = sock6(SOCK_DGRAM, 1, 1);
	bind6(h3, "::", port);
	h2 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(h2 >= 0);
	PBT_REQUIRE(setsockopt(h2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0);
	bind6(h2, "::", port);
	connect_to(h2, "::1", 9);
	PBT_REQUIRE(pbt_getopt(h2, IPPROTO_IPV6, IPV6_V6ONLY) == 1);
	PBT_REQUIRE(diag_at(m->i, SOCK_DGRAM, "0.0.0.0", port, &d) ==
		    PB_CAUSE_BOUND);
	PBT_REQUIRE_MSG(d.n_bound == 1 && d.n_holders == 1, "%u bound, %u holders",
			d.n_bound, d.n_holders);
	close(h1);
	PBT_REQUIRE(real_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == 0);
	close(h3);
	close(h2);
	return 0;
}

START_TEST(presumed_as_the_port_shows)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(presume_seen_child, &m);
}
END_TEST

/* Connections whose IPV6_V6ONLY no table shows, beside a holder whose
   refusal hides theirs from every probe (a TIME_WAIT with SO_REUSEADDR,
   so they need the option too): the option is read from the sockets. */
static int owner_read_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int v6only, l, l4, c, s, i;
	unsigned port;

	for (v6only = 1; v6only >= 0; v6only--) {
		port = pbt_free_port();
		l4 = pbt_listener("127.0.0.1", port, 1);
		PBT_REQUIRE(l4 >= 0);
		PBT_REQUIRE(pbt_make_time_wait(l4, "127.0.0.1", port) == 0);
		close(l4);
		/* A port the kernel picks for [::1] may be this very one (the
		   TIME_WAIT is 127.0.0.1's): then another. */
		l = pbt_listener("::1", 0, 0);
		for (i = 0; i < 50 && pbt_local_port(l) == port; i++) {
			int again = pbt_listener("::1", 0, 0);

			close(l);
			l = again;
		}
		PBT_REQUIRE(pbt_local_port(l) != port);
		c = sock6(SOCK_STREAM, v6only, 1);
		bind6(c, v6only ? "::1" : "::", port);
		connect_to(c, "::1", pbt_local_port(l));
		s = accept(l, NULL, NULL);
		PBT_REQUIRE(s >= 0);
		PBT_REQUIRE(real_bind(SOCK_STREAM, "0.0.0.0", port, 0) == EADDRINUSE);
		/* Held by the connection too?  Read from the socket: with
		   PB_DIAG_OWNERS only (the caller pays for the /proc walk). */
		d = (struct pb_diag)PB_DIAG_INIT;
		d.flags = MODE_FLAGS(m->i) | PB_DIAG_OWNERS;
		pb_diagnose_spec(SOCK_STREAM, port_spec(port), 0, &d);
		if (v6only) {
			PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);
			PBT_REQUIRE(d.n_connected == 0 && d.n_holders == 1);
		} else {
			PBT_REQUIRE(d.cause == PB_CAUSE_CONNECTED);
			PBT_REQUIRE(d.n_connected == 1 && d.n_time_wait == 1);
			PBT_REQUIRE(d.sources & PB_SRC_OWNERS);
		}
		close(s);
		close(c);
		close(l);
	}
	return 0;
}

START_TEST(hidden_option_read_from_the_socket)
{
	struct mode m = { _i };
	int err = pidfd_getfd_errno();

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	if (err)
		PBT_SKIP("pidfd_getfd: %s (valgrind lacks it)", strerror(err));
	PBT_IN_NETNS(owner_read_child, &m);
}
END_TEST

START_TEST(ipv6_listener_v6only_unknown)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(proc_listener_child, &m);
}
END_TEST

/* A listener that set SO_REUSEPORT: a socket of the same uid with it binds
   beside it (reuseport_helps 1), one without does not; a listener without
   it lets nobody in (0). */
static int reuseport_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int with, fd;
	unsigned port;
	char spec[32];

	for (with = 0; with <= 1; with++) {
		port = pbt_free_port();
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
		fd = pb_listen(spec, 4, with ? PB_REUSEPORT : 0, NULL);
		PBT_REQUIRE(fd >= 0);
		PBT_REQUIRE(diag_at(m->i, SOCK_STREAM, "127.0.0.1", port, &d) ==
			    PB_CAUSE_LISTENER);
		PBT_REQUIRE(d.reuseaddr_helps == 0);
		PBT_REQUIRE(d.reuseport_helps == with);
		{
			int r = pb_listen(spec, 4, PB_REUSEPORT, NULL);

			PBT_REQUIRE((r >= 0) == with);
			if (r >= 0)
				close(r);
		}
		close(fd);
		/* Free now: every kind of socket binds. */
		PBT_REQUIRE(diag_at(m->i, SOCK_STREAM, "127.0.0.1", port, &d) ==
			    PB_CAUSE_NONE);
		PBT_REQUIRE(d.reuseaddr_helps == 1 && d.reuseport_helps == 1);
	}
	return 0;
}

START_TEST(reuseport_listener)
{
	struct mode m = { _i };

	PBT_IN_NETNS(reuseport_child, &m);
}
END_TEST

/*
 * A [::] listener whose IPV6_V6ONLY /proc/net does not show, beside IPv4
 * listeners on the loopback addresses the library probes to tell (its
 * spare addresses, 127.254.0.1 and .2): a probe there would meet them, not
 * the wildcard, so it must not be asked.  Through netlink the option is
 * read.  Every verdict is held against the kernel.
 */
static int spare_child(void *arg)
{
	const struct mode *m = arg;
	static const char *const spare[] = { "127.254.0.1", "127.254.0.2" };
	struct pb_diag d;
	int l6, l4[2], k, v6only;
	unsigned port;

	for (v6only = 1; v6only >= 0; v6only--) {
		for (k = 0; k <= 2; k++) {
			/* k IPv4 listeners on the spares (k = 0: none). */
			port = pbt_free_port();
			l6 = sock6(SOCK_STREAM, v6only, 0);
			bind6(l6, "::", port);
			PBT_REQUIRE(listen(l6, 4) == 0);
			l4[0] = l4[1] = -1;
			if (v6only) {
				int i;

				for (i = 0; i < k; i++) {
					l4[i] = pbt_listener(spare[i], port, 0);
					PBT_REQUIRE(l4[i] >= 0);
				}
			} else if (k) {
				close(l6);
				break;	/* a dual-stack [::] leaves no IPv4 */
			}
			PBT_REQUIRE(real_bind(SOCK_STREAM, "0.0.0.0", port, 0) ==
				    (v6only && !k ? 0 : EADDRINUSE));
			diag_at(m->i, SOCK_STREAM, "0.0.0.0", port, &d);
			if (v6only && !k) {
				PBT_REQUIRE(d.cause == PB_CAUSE_NONE);
				PBT_REQUIRE(d.n_holders == 0);
			} else {
				PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER);
				/* The IPv4 listeners, and the [::] one only when
				   it is dual-stack. */
				if (d.n_listen != (unsigned)(v6only ? k : 1))
					fprintf(stderr, "v6only %d, %d spares held: %u listeners\n",
						v6only, k, d.n_listen);
				PBT_REQUIRE(d.n_listen == (unsigned)(v6only ? k : 1));
				PBT_REQUIRE(d.n_holders == d.n_listen);
				PBT_REQUIRE(d.reuseaddr_helps == 0);
			}
			/* A spare itself, asked about: its own listener or the
			   dual-stack wildcard. */
			diag_at(m->i, SOCK_STREAM, spare[0], port, &d);
			PBT_REQUIRE(d.cause == (v6only && !k ? PB_CAUSE_NONE
						: PB_CAUSE_LISTENER));
			if (l4[0] >= 0)
				close(l4[0]);
			if (l4[1] >= 0)
				close(l4[1]);
			close(l6);
		}
	}
	return 0;
}

START_TEST(spare_addresses_held)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(spare_child, &m);
}
END_TEST

/*
 * SO_REUSEPORT lets in a socket of the same uid only: a listener that uid
 *65534 made with it is joined by that uid (reuseport_helps 1) and not
 * by root (0); the kernel's own binds agree.  UDP is never probed with
 * SO_REUSEPORT (the probe would join the group): -1.
 */
static int hold_as_nobody(int pipe_rd, int ready_wr, unsigned port, int type)
{
	char spec[32], b;
	int fd;

	PBT_REQUIRE(setresgid(65534, 65534, 65534) == 0);
	PBT_REQUIRE(setresuid(65534, 65534, 65534) == 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	fd = type == SOCK_STREAM ? pb_listen(spec, 4, PB_REUSEPORT, NULL)
				 : pb_bind_udp(spec, PB_REUSEPORT, NULL);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(write(ready_wr, "r", 1) == 1);
	while (read(pipe_rd, &b, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static int reuseport_real(const char *ip, unsigned port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);
	int fd = pbt_socket(ip, type, 1), on = 1, r = 0;

	PBT_REQUIRE(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == 0);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		r = errno;
	close(fd);
	return r;
}

static int reuseport_uid_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	int type;

	for (type = SOCK_STREAM; type <= SOCK_DGRAM; type++) {
		int go[2], ready[2], st;
		unsigned port = pbt_free_port();
		pid_t pid;
		char b;

		PBT_REQUIRE(pipe(go) == 0 && pipe(ready) == 0);
		fflush(NULL);
		pid = fork();
		PBT_REQUIRE(pid >= 0);
		if (pid == 0) {
			close(go[1]);
			close(ready[0]);
			_exit(hold_as_nobody(go[0], ready[1], port, type));
		}
		close(go[0]);
		close(ready[1]);
		PBT_REQUIRE(read(ready[0], &b, 1) == 1);
		/* Root: another uid's group. */
		PBT_REQUIRE(reuseport_real("127.0.0.1", port, type) == EADDRINUSE);
		diag_at(m->i, type, "127.0.0.1", port, &d);
		PBT_REQUIRE(d.cause == (type == SOCK_STREAM ? PB_CAUSE_LISTENER
							    : PB_CAUSE_BOUND));
		PBT_REQUIRE(d.holders[0].uid == 65534);
		PBT_REQUIRE(d.reuseport_helps == (type == SOCK_STREAM ? 0 : -1));
		/* uid 65534: its own group. */
		{
			pid_t q;

			fflush(NULL);
			q = fork();
			PBT_REQUIRE(q >= 0);
			if (q == 0) {
				if (setresuid(65534, 65534, 65534) != 0)
					_exit(2);
				if (reuseport_real("127.0.0.1", port, type) != 0)
					_exit(3);
				diag_at(m->i, type, "127.0.0.1", port, &d);
				_exit(d.reuseport_helps == (type == SOCK_STREAM ? 1 : -1)
				      ? 0 : 4);
			}
			PBT_REQUIRE(waitpid(q, &st, 0) == q);
			PBT_REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		close(go[1]);
		PBT_REQUIRE(waitpid(pid, &st, 0) == pid);
		PBT_REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		close(ready[0]);
	}
	return 0;
}

START_TEST(reuseport_other_uid)
{
	struct mode m = { _i };

	PBT_IN_NETNS(reuseport_uid_child, &m);
}
END_TEST

/* The verdict of pb_diagnose_spec on host:port (host "*" or "[...]"). */
static int spec_verdict(int i, const char *host, unsigned port,
			struct pb_diag *d)
{
	struct pb_diag fresh = PB_DIAG_INIT;
	char spec[80];

	snprintf(spec, sizeof(spec), "%s:%u", host, port);
	*d = fresh;
	d->flags = MODE_FLAGS(i);
	return pb_diagnose_spec(SOCK_STREAM, spec, 0, d);
}

/* What a real bind of [::]:port with IPV6_V6ONLY as given does: 0 or errno. */
static int real_bind6(int type, int v6only, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "::", port);
	int fd = sock6(type, v6only, 0), r = 0;

	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		r = errno;
	close(fd);
	return r;
}

/* An IPv6 address given without IPV6_V6ONLY (pb_diagnose on a sockaddr)
   is diagnosed as the system's default makes a socket: net.ipv6.bindv6only,
   0 and then 1; one given with it (a spec), with its own; the kernel's own
   bind agrees. */
static int bindv6only_child(void *arg)
{
	const struct mode *m = arg;
	struct pb_diag d;
	struct sockaddr_storage ss;
	socklen_t len;
	int l, v;

	l = pbt_listener("127.0.0.1", 0, 0);
	PBT_REQUIRE(l >= 0);
	len = pbt_addr(&ss, "::", pbt_local_port(l));
	for (v = 0; v <= 1; v++) {
		struct pb_diag fresh = PB_DIAG_INIT;

		PBT_REQUIRE(pbt_write_sysctl("net/ipv6/bindv6only", v ? "1" : "0") == 0);
		d = fresh;
		d.flags = MODE_FLAGS(m->i);
		PBT_REQUIRE(pb_diagnose(SOCK_STREAM, (struct sockaddr *)&ss, len, 0, &d) ==
			    (v ? PB_CAUSE_NONE : PB_CAUSE_LISTENER));
		PBT_REQUIRE(d.v6only == v);
		PBT_REQUIRE(real_bind(SOCK_STREAM, "::", pbt_local_port(l), 0) ==
			    (v ? 0 : EADDRINUSE));
		/* A spec that says the option ("*:P" dual-stack, "[::]:P"
		   IPv6-only) is diagnosed with it, whatever the default. */
		PBT_REQUIRE(spec_verdict(m->i, "*", pbt_local_port(l), &d) ==
			    PB_CAUSE_LISTENER);
		PBT_REQUIRE(d.v6only == 0);
		PBT_REQUIRE(spec_verdict(m->i, "[::]", pbt_local_port(l), &d) ==
			    PB_CAUSE_NONE);
		PBT_REQUIRE(d.v6only == 1);
		PBT_REQUIRE(real_bind6(SOCK_STREAM, 0, pbt_local_port(l)) ==
			    EADDRINUSE);
		PBT_REQUIRE(real_bind6(SOCK_STREAM, 1, pbt_local_port(l)) == 0);
	}
	close(l);
	return 0;
}

START_TEST(system_default_v6only)
{
	struct mode m = { _i };

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	PBT_IN_NETNS(bindv6only_child, &m);
}
END_TEST

Suite *suite_dualstack(void)
{
	Suite *s = suite_create("dualstack");
	TCase *tc = tcase_create("rule");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_loop_test(tc, dual_client_holds_ipv4_any, 0, 2);
	tcase_add_loop_test(tc, dual_accepted_and_orphan, 0, 2);
	tcase_add_loop_test(tc, dual_time_wait_alone, 0, 2);
	tcase_add_loop_test(tc, v6only_time_wait_not_a_holder, 0, 2);
	tcase_add_loop_test(tc, dual_udp_connected, 0, 2);
	tcase_add_loop_test(tc, ipv6_listener_v6only_unknown, 0, 2);
	tcase_add_loop_test(tc, bound_ipv6_address_is_v6only, 0, 2);
	tcase_add_loop_test(tc, hidden_socket_not_taken_for_ipv6, 0, 2);
	tcase_add_loop_test(tc, udp_compares_ipv4_as_it_is, 0, 2);
	tcase_add_loop_test(tc, presumed_as_the_port_shows, 0, 2);
	tcase_add_loop_test(tc, hidden_option_read_from_the_socket, 0, 2);
	tcase_add_loop_test(tc, reuseport_listener, 0, 2);
	tcase_add_loop_test(tc, reuseport_other_uid, 0, 2);
	tcase_add_loop_test(tc, spare_addresses_held, 0, 2);
	tcase_add_loop_test(tc, system_default_v6only, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

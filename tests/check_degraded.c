/* SPDX-License-Identifier: MIT */
/*
 * check_degraded.c - the library on a system that hides things: netlink
 * refused by a seccomp filter, /proc empty, IPv6 disabled, no descriptor
 * left.  It must degrade to what it can still tell, say so in the
 * pb_diag, and never crash or leak.  Each case runs in a forked child.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "testutil.h"

#define SKIPPED 77

static int netlink_refused(void *arg)
{
	int err = *(int *)arg, l, u, t;
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_budget b = PB_BUDGET_INIT;
	struct sockaddr_storage ss;
	socklen_t len;
	char spec[64], text[1024];

	l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	u = pb_bind_udp("127.0.0.1:0", 0, NULL);
	PBT_REQUIRE(l >= 0 && u >= 0);
	if (pbt_seccomp_errno(__NR_socket, AF_NETLINK, err) < 0)
		return SKIPPED;
	t = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	PBT_REQUIRE(t == -1 && errno == err);

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(l));
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(d.sources & PB_SRC_PROCNET);
	PBT_REQUIRE(!(d.sources & PB_SRC_NETLINK));
	PBT_REQUIRE(d.n_listen == 1);
	PBT_REQUIRE(pb_diag_format(&d, text, sizeof(text)) > 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(u));
	PBT_REQUIRE(pb_diagnose_spec(SOCK_DGRAM, spec, 0, &d) == PB_CAUSE_BOUND);
	PBT_REQUIRE(d.sources & PB_SRC_PROCNET);
	len = pbt_addr(&ss, "127.0.0.1", pbt_local_port(l));
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&ss, len, &b) == 0);
	PBT_REQUIRE(b.sources & PB_SRC_PROCNET);
	return 0;
}

START_TEST(classifier_without_netlink)
{
	static int errs[] = { EPERM, EAFNOSUPPORT };
	int st = pbt_run_in_child(netlink_refused, &errs[_i]);

	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* A private mount namespace with an empty tmpfs on /proc. */
static int empty_proc(void)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    /* The type is ignored for a propagation change; valgrind wants
	       a readable string there all the same. */
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/proc", "tmpfs", 0, NULL) < 0)
		return -1;
	return 0;
}

static int nothing_to_read(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	struct pb_budget b = PB_BUDGET_INIT;
	struct sockaddr_storage ss;
	socklen_t len;
	char spec[64], text[1024];
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), both = *(int *)arg;

	PBT_REQUIRE(l >= 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(l));
	if (empty_proc() < 0)
		return SKIPPED;
	if (both && pbt_seccomp_errno(__NR_socket, AF_NETLINK, EPERM) < 0)
		return SKIPPED;

	d.flags = PB_DIAG_OWNERS;
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(!(d.sources & PB_SRC_PROCNET));
	PBT_REQUIRE(!(d.sources & PB_SRC_OWNERS));	/* no /proc/PID/fd */
	if (both) {
		/* No table at all: a knock found the listener. */
		PBT_REQUIRE(!(d.sources & PB_SRC_NETLINK));
		PBT_REQUIRE(d.n_listen == 0);
	} else {
		PBT_REQUIRE(d.sources & PB_SRC_NETLINK);
		PBT_REQUIRE(d.n_listen == 1 && d.holders[0].pid == 0);
	}
	PBT_REQUIRE(pb_diag_format(&d, text, sizeof(text)) > 0);
	PBT_REQUIRE(pb_diag_json(&d, text, sizeof(text)) > 0);

	/* No /proc/sys: every value "not known". */
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 0 && s.port_hi == 0 && s.tcp_tw_reuse == -1 &&
		    s.unprivileged_port_start == -1 && s.bindv6only == -1);
	len = pbt_addr(&ss, "127.0.0.1", pbt_local_port(l));
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&ss, len, &b) == 0);
	PBT_REQUIRE(b.usable == 0 && !(b.sources & PB_SRC_SYSCTL));
	/* The helpers themselves need nothing from /proc. */
	PBT_REQUIRE(pb_listen("127.0.0.1:0", 4, 0, NULL) >= 0);
	return 0;
}

START_TEST(classifier_with_empty_proc)
{
	int both = _i;
	int st;

	if (geteuid() != 0)
		PBT_SKIP("needs root for a private mount namespace");
	st = pbt_run_in_child(nothing_to_read, &both);
	if (st == SKIPPED)
		PBT_SKIP("a private mount namespace cannot be made here");
	ck_assert_int_eq(st, 0);
}
END_TEST

static int ipv6_disabled(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char spec[64];
	int l, d;

	(void)arg;
	if (pbt_write_sysctl("net/ipv6/conf/all/disable_ipv6", "1") < 0 ||
	    pbt_write_sysctl("net/ipv6/conf/lo/disable_ipv6", "1") < 0)
		return SKIPPED;
	PBT_REQUIRE(pb_listen("[::1]:0", 4, 0, NULL) == -1 && errno == EADDRNOTAVAIL);
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, "[::1]:80", 0, NULL) ==
		    PB_CAUSE_ADDR_NOT_LOCAL);
	/* IPv4 goes on; the dual-stack wildcard still holds IPv4. */
	l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	PBT_REQUIRE(l >= 0);
	snprintf(spec, sizeof(spec), "*:%u", pbt_local_port(l));
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, NULL) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(pb_parse_addr(spec, &ss, &len) == 0);
	d = pb_listen("*:0", 4, 0, NULL);
	PBT_REQUIRE(d >= 0);
	close(d);
	close(l);
	return 0;
}

START_TEST(ipv6_disabled_by_sysctl)
{
	const char *why;
	int st = pbt_run_in_netns(ipv6_disabled, NULL, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == SKIPPED)
		PBT_SKIP("IPv6 cannot be disabled in this namespace");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* At RLIMIT_NOFILE: EMFILE comes back, explained, and nothing leaks. */
static int out_of_descriptors(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_budget b = PB_BUDGET_INIT;
	static struct pb_fdset set = PB_FDSET_INIT;
	struct rlimit rl = { 64, 64 };
	struct sockaddr_storage ss;
	socklen_t len;
	char spec[64];
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), fd, last = -1, before;

	(void)arg;
	PBT_REQUIRE(l >= 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(l));
	len = pbt_addr(&ss, "127.0.0.1", pbt_local_port(l));
	/* valgrind keeps descriptors of its own and refuses this. */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return SKIPPED;
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		last = fd;
	PBT_REQUIRE(errno == EMFILE && last >= 0);
	/* Count with one slot free (opendir needs it), then fill it again. */
	close(last);
	before = pbt_count_fds();
	last = open("/dev/null", O_RDONLY | O_CLOEXEC);

	PBT_REQUIRE(pb_listen("127.0.0.1:0", 4, 0, &d) == -1 && errno == EMFILE);
	PBT_REQUIRE(d.err == EMFILE && d.cause == PB_CAUSE_OTHER);
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_OTHER);
	PBT_REQUIRE(d.err == EMFILE);
	PBT_REQUIRE(pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&ss,
				    len, 0, &d) == -1 && errno == EMFILE);
	PBT_REQUIRE(pb_handoff_take("/nonexistent/ctl", 10, &set) == -1 &&
		    errno == EMFILE);
	PBT_REQUIRE(pb_handoff_listen("/nonexistent/ctl") == -1 && errno == EMFILE);
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&ss, len, &b) == 0);
	PBT_REQUIRE(pb_parse_addr("*:80", &ss, &len) == 0);

	close(last);
	PBT_REQUIRE(pbt_count_fds() == before);
	/* One slot free: the probes and the table need one at a time. */
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(pbt_count_fds() == before);
	return 0;
}

START_TEST(at_the_descriptor_limit)
{
	int st = pbt_run_in_child(out_of_descriptors, NULL);

	if (st == SKIPPED)
		PBT_SKIP("RLIMIT_NOFILE cannot be lowered here (under valgrind?)");
	ck_assert_int_eq(st, 0);
}
END_TEST

Suite *suite_degraded(void)
{
	Suite *s = suite_create("degraded");
	TCase *tc = tcase_create("systems");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_loop_test(tc, classifier_without_netlink, 0, 2);
	tcase_add_loop_test(tc, classifier_with_empty_proc, 0, 2);
	tcase_add_test(tc, ipv6_disabled_by_sysctl);
	tcase_add_test(tc, at_the_descriptor_limit);
	suite_add_tcase(s, tc);
	return s;
}

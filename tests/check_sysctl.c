/* SPDX-License-Identifier: MIT */
/* check_sysctl.c - pb_read_sysctls reads what /proc/sys says, and never
   writes it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int read_int(const char *path)
{
	char full[256];
	FILE *f;
	int v = -1;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	f = fopen(full, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

START_TEST(matches_proc)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	unsigned lo = 0, hi = 0;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u %u", &lo, &hi), 2);
	fclose(f);
	ck_assert_int_eq(pb_read_sysctls(&s), 0);
	ck_assert_uint_eq(s.size, sizeof(s));
	ck_assert_uint_eq(s.port_lo, lo);
	ck_assert_uint_eq(s.port_hi, hi);
	ck_assert_int_eq(s.tcp_tw_reuse, read_int("net/ipv4/tcp_tw_reuse"));
	ck_assert_int_eq(s.unprivileged_port_start,
			 read_int("net/ipv4/ip_unprivileged_port_start"));
	ck_assert_int_eq(s.tcp_max_tw_buckets, read_int("net/ipv4/tcp_max_tw_buckets"));
	ck_assert_int_eq(s.autobind_reuse, read_int("net/ipv4/ip_autobind_reuse"));
	ck_assert_int_eq(s.bindv6only, read_int("net/ipv6/bindv6only"));
	/* Absent on older kernels: -1, not 0. */
	ck_assert_int_eq(s.tcp_tw_reuse_delay_ms, read_int("net/ipv4/tcp_tw_reuse_delay"));
}
END_TEST

START_TEST(bad_arguments)
{
	struct pb_sysctls s;

	memset(&s, 0, sizeof(s));
	errno = 0;
	ck_assert_int_eq(pb_read_sysctls(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_read_sysctls(&s), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static int set_and_read(void *arg)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;

	(void)arg;
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "40000 40009") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports",
				     "1000,40001,40003-40005,40009-40100") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "1") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start", "3000") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 40000 && s.port_hi == 40009);
	/* 40001, 40003-40005, 40009: five of the range; 1000 is outside. */
	PBT_REQUIRE(s.reserved == 5);
	PBT_REQUIRE(s.tcp_tw_reuse == 1);
	PBT_REQUIRE(s.unprivileged_port_start == 3000);
	/* Read, never written: the values stay as set. */
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 5);
	return 0;
}

START_TEST(values_in_a_namespace)
{
	PBT_IN_NETNS(set_and_read, NULL);
}
END_TEST

Suite *suite_sysctl(void)
{
	Suite *s = suite_create("sysctl");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, matches_proc);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, values_in_a_namespace);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
/* check_addr.c - address specs in, socket addresses out, and back. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "testutil.h"

/* One spec and what it must give.  family 0: must fail with EINVAL.
   AF_UNSPEC-marked wildcard rows expect [::] where IPv6 exists, else
   0.0.0.0; their text is checked against the family actually given. */
#define WILD (-1)
static const struct spec_case {
	const char *spec;
	int family;
	const char *text;	/* pb_format_addr of the result */
} spec_cases[] = {
	/* good */
	{ "0.0.0.0:80", AF_INET, "0.0.0.0:80" },
	{ "127.0.0.1:8080", AF_INET, "127.0.0.1:8080" },
	{ "127.0.0.1:0", AF_INET, "127.0.0.1:0" },
	{ "255.255.255.255:65535", AF_INET, "255.255.255.255:65535" },
	{ "10.1.2.3:00080", AF_INET, "10.1.2.3:80" },
	{ "[::1]:8080", AF_INET6, "[::1]:8080" },
	{ "[::]:80", AF_INET6, "[::]:80" },
	{ "[2001:db8::1]:443", AF_INET6, "[2001:db8::1]:443" },
	{ "[::ffff:127.0.0.1]:9", AF_INET6, "[::ffff:127.0.0.1]:9" },
	{ "[fe80::1%1]:22", AF_INET6, NULL },
	{ "*:80", WILD, NULL },
	{ ":80", WILD, NULL },
	{ "80", WILD, NULL },
	{ "0", WILD, NULL },
	{ "*:65535", WILD, NULL },
	/* bad */
	{ NULL, 0, NULL },
	{ "", 0, NULL },
	{ ":", 0, NULL },
	{ "*", 0, NULL },
	{ "*:", 0, NULL },
	{ "[::1", 0, NULL },
	{ "[::1]", 0, NULL },
	{ "[::1]:", 0, NULL },
	{ "[::1]80", 0, NULL },
	{ "::1:80", 0, NULL },
	{ "[127.0.0.1]:80", 0, NULL },
	{ "1.2.3.4:65536", 0, NULL },
	{ "1.2.3.4:99999", 0, NULL },
	{ "1.2.3.4:123456", 0, NULL },
	{ "1.2.3.4:-1", 0, NULL },
	{ "1.2.3.4:+80", 0, NULL },
	{ "1.2.3.4: 80", 0, NULL },
	{ "1.2.3.4:80 ", 0, NULL },
	{ "1.2.3.4:0x50", 0, NULL },
	{ "1.2.3:80", 0, NULL },
	{ "1.2.3.4.5:80", 0, NULL },
	{ "256.1.1.1:80", 0, NULL },
	{ "127.1:80", 0, NULL },
	{ "host:80", 0, NULL },
	{ "localhost:80", 0, NULL },
	{ "1.2.3.4", 0, NULL },
	{ "**:80", 0, NULL },
	{ "[]:80", 0, NULL },
	{ "[::1%]:80", 0, NULL },
	{ "[::1%no-such-if0]:80", 0, NULL },
	{ "[::g]:80", 0, NULL },
	{ "[::1]:80:80", 0, NULL },
};

START_TEST(spec_table)
{
	const struct spec_case *c = &spec_cases[_i];
	struct sockaddr_storage ss, before;
	socklen_t len = 12345;
	char text[PB_ADDRSTRLEN];
	int r;

	memset(&ss, 0xa5, sizeof(ss));
	before = ss;
	errno = 0;
	r = pb_parse_addr(c->spec, &ss, &len);
	if (c->family == 0) {
		ck_assert_msg(r == -1 && errno == EINVAL,
			      "\"%s\": r=%d errno=%d, want EINVAL",
			      c->spec ? c->spec : "(null)", r, errno);
		/* Out-params are written only on success. */
		ck_assert_int_eq(len, 12345);
		ck_assert(memcmp(&ss, &before, sizeof(ss)) == 0);
		return;
	}
	ck_assert_msg(r == 0, "\"%s\": %s", c->spec, strerror(errno));
	if (c->family == WILD) {
		int fam = pbt_have_ipv6() ? AF_INET6 : AF_INET;

		ck_assert_int_eq(ss.ss_family, fam);
		ck_assert(fam == AF_INET6
			  ? IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)
			  : ((struct sockaddr_in *)&ss)->sin_addr.s_addr == 0);
	} else {
		ck_assert_int_eq(ss.ss_family, c->family);
	}
	ck_assert_int_eq(len, ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
					   : sizeof(struct sockaddr_in6));
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, text,
					sizeof(text)), 0);
	if (c->text)
		ck_assert_str_eq(text, c->text);
	/* Whatever it formats to parses back to the same address. */
	{
		struct sockaddr_storage again;
		socklen_t alen;

		ck_assert_int_eq(pb_parse_addr(text, &again, &alen), 0);
		ck_assert_int_eq(alen, len);
		ck_assert(memcmp(&again, &ss, len) == 0);
	}
}
END_TEST

START_TEST(spec_wildcard_port)
{
	struct sockaddr_storage ss;
	socklen_t len;

	ck_assert_int_eq(pb_parse_addr("*:8080", &ss, &len), 0);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
}
END_TEST

START_TEST(spec_scope_by_name)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char text[PB_ADDRSTRLEN];
	unsigned lo = if_nametoindex("lo");

	if (lo == 0)
		PBT_SKIP("no interface named lo");
	ck_assert_int_eq(pb_parse_addr("[fe80::1%lo]:80", &ss, &len), 0);
	ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_scope_id, lo);
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, text,
					sizeof(text)), 0);
	ck_assert_str_eq(text, "[fe80::1%lo]:80");
}
END_TEST

START_TEST(spec_null_outputs)
{
	struct sockaddr_storage ss;
	socklen_t len;

	errno = 0;
	ck_assert_int_eq(pb_parse_addr("127.0.0.1:1", NULL, &len), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_parse_addr("127.0.0.1:1", &ss, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* On failure buf holds "" when size > 0: a caller that prints it
   unchecked prints nothing rather than what was there. */
START_TEST(format_errors)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 8080);
	char buf[PB_ADDRSTRLEN];

	memset(buf, 'x', sizeof(buf));
	errno = 0;
	ck_assert_int_eq(pb_format_addr(NULL, len, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(buf[0], '\0');
	errno = 0;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, NULL, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(buf, 'x', sizeof(buf));
	errno = 0;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len - 1, buf,
					sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(buf[0], '\0');
	memset(buf, 'x', sizeof(buf));
	errno = 0;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, 1, buf,
					sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(buf[0], '\0');

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memset(buf, 'x', sizeof(buf));
	errno = 0;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&sun, sizeof(sun),
					buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	ck_assert_str_eq(buf, "");	/* before issue 13 (review): untouched */

	/* "127.0.0.1:8080" needs 15 bytes with its NUL. */
	memset(buf, 'x', sizeof(buf));
	errno = 0;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, buf, 14), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, buf, 15), 0);
	ck_assert_str_eq(buf, "127.0.0.1:8080");
}
END_TEST

START_TEST(format_longest_fits)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535);
	char buf[PB_ADDRSTRLEN];

	((struct sockaddr_in6 *)&ss)->sin6_scope_id = 4294967295u;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, buf,
					sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "]:65535"));
}
END_TEST

/* pb_format_addr writes addresses itself (the shim's failure path may not
   call inet_ntop): the same text as glibc's inet_ntop, for the addresses
   whose rules differ (zero runs: the longest, the first of equals, never
   one group alone; embedded IPv4) and for many random ones. */
static void same_as_inet_ntop(const unsigned char a6[16], unsigned port)
{
	struct sockaddr_in6 sin6;
	char host[INET6_ADDRSTRLEN], want[PB_ADDRSTRLEN], got[PB_ADDRSTRLEN];

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((unsigned short)port);
	memcpy(&sin6.sin6_addr, a6, 16);
	ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a6, host, sizeof(host)));
	snprintf(want, sizeof(want), "[%s]:%u", host, port);
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&sin6, sizeof(sin6), got,
					sizeof(got)), 0);
	ck_assert_str_eq(got, want);
}

START_TEST(format_matches_inet_ntop)
{
	static const char *const v6[] = {
		"::", "::1", "::2", "1::", "1::1", "::ffff:1.2.3.4", "::ffff:0.0.0.0",
		"::1.2.3.4", "::0.0.0.2", "::ffff:0:1.2.3.4", "::ffff", "::1:0:0",
		"1:0:0:2:0:0:0:3", "1:0:0:0:2:0:0:3", "1:0:2:0:3:0:4:0",
		"0:1:0:2:0:3:0:4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
		"::2:3:4:5:6:7:8", "1:0:0:0:0:0:0:0", "0:0:0:0:0:0:0:1",
		"2001:db8::ff00:42:8329", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"64:ff9b::192.0.2.33", "::ffff:ffff:ffff", "0:0:0:0:0:ffff:ffff:0",
		"abcd:ef01:2345:6789:abcd:ef01:2345:6789", "a:b:c:d:e:f:a:b",
	};
	unsigned char a6[16];
	struct sockaddr_in sin;
	char host[INET_ADDRSTRLEN], want[PB_ADDRSTRLEN], got[PB_ADDRSTRLEN];
	unsigned seed = 11, i, k;

	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		ck_assert_int_eq(inet_pton(AF_INET6, v6[i], a6), 1);
		same_as_inet_ntop(a6, i * 997 % 65536);
	}
	/* Random groups, each zero half the time: every shape of zero run. */
	for (i = 0; i < 20000; i++) {
		for (k = 0; k < 16; k += 2) {
			unsigned w = (unsigned)rand_r(&seed);

			w = (w & 1) ? 0 : w >> 1;
			if (w && (w & 0x300) == 0)
				w &= 0xff;	/* short groups too */
			a6[k] = (unsigned char)(w >> 8);
			a6[k + 1] = (unsigned char)w;
		}
		if (i % 7 == 0) {	/* mapped, and the old compatible form */
			memset(a6, 0, 10);
			a6[10] = a6[11] = i % 14 ? 0xff : 0;
		}
		same_as_inet_ntop(a6, (unsigned)rand_r(&seed) % 65536);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	for (i = 0; i < 20000; i++) {
		uint32_t v = (uint32_t)rand_r(&seed) * 2654435761u ^ (uint32_t)rand_r(&seed);

		if (i < 4)
			v = i == 0 ? 0 : i == 1 ? 0xffffffffu : i == 2 ? 0x7f000001u : 0x0a000001u;
		sin.sin_addr.s_addr = htonl(v);
		sin.sin_port = htons((unsigned short)(i * 31));
		inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
		snprintf(want, sizeof(want), "%s:%u", host, (i * 31) % 65536);
		ck_assert_int_eq(pb_format_addr((struct sockaddr *)&sin, sizeof(sin), got,
						sizeof(got)), 0);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

/* A scope names its interface as if_indextoname would; one that no
   interface has is written as its number, which parses back. */
START_TEST(format_scope)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "fe80::1", 22);
	unsigned lo = if_nametoindex("lo");
	char buf[PB_ADDRSTRLEN], name[IF_NAMESIZE], want[PB_ADDRSTRLEN];

	ck_assert_uint_ne(lo, 0);
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = lo;
	ck_assert_ptr_nonnull(if_indextoname(lo, name));
	snprintf(want, sizeof(want), "[fe80::1%%%s]:22", name);
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = 4000000000u;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, len, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "[fe80::1%4000000000]:22");
}
END_TEST

Suite *suite_addr(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("spec");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_loop_test(tc, spec_table, 0, (int)(sizeof(spec_cases) /
						    sizeof(spec_cases[0])));
	tcase_add_test(tc, spec_wildcard_port);
	tcase_add_test(tc, spec_scope_by_name);
	tcase_add_test(tc, spec_null_outputs);
	tcase_add_test(tc, format_errors);
	tcase_add_test(tc, format_longest_fits);
	tcase_add_test(tc, format_matches_inet_ntop);
	tcase_add_test(tc, format_scope);
	suite_add_tcase(s, tc);
	return s;
}

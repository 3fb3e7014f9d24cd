/* SPDX-License-Identifier: MIT */
/* check_addr.c - address specs in, socket addresses out, and back. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

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
	{ "*:00000", WILD, NULL },
	{ "080", WILD, NULL },
	{ "65535", WILD, NULL },
	{ ":0", WILD, NULL },
	/* the port at its bounds: five digits at most, 0..65535 */
	{ "1.2.3.4:65535", AF_INET, "1.2.3.4:65535" },
	{ "1.2.3.4:09", AF_INET, "1.2.3.4:9" },
	{ "1.2.3.4:19", AF_INET, "1.2.3.4:19" },
	{ "1.2.3.4:00000", AF_INET, "1.2.3.4:0" },
	{ "[::1]:65535", AF_INET6, "[::1]:65535" },
	{ "[::1]:0", AF_INET6, "[::1]:0" },
	{ "[::1]:00080", AF_INET6, "[::1]:80" },
	{ "[0000:0000:0000:0000:0000:ffff:255.255.255.255]:1", AF_INET6,
	  "[::ffff:255.255.255.255]:1" },
	/* a numeric scope: at most 15 characters, at most 2^32 - 1 */
	{ "[fe80::1%4294967295]:80", AF_INET6, "[fe80::1%4294967295]:80" },
	{ "[fe80::1%000004294967295]:80", AF_INET6, "[fe80::1%4294967295]:80" },
	{ "[fe80::1%2147483648]:80", AF_INET6, "[fe80::1%2147483648]:80" },
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
	/* the port: one digit too many, one past 65535, a byte just
	   outside '0'..'9' */
	{ "1.2.3.4:000080", 0, NULL },
	{ "1.2.3.4:65536", 0, NULL },
	{ "[::1]:65536", 0, NULL },
	{ "[::1]:000000", 0, NULL },
	{ "65536", 0, NULL },
	{ "*:65536", 0, NULL },
	{ "000080", 0, NULL },
	{ "1.2.3.4:8/", 0, NULL },
	{ "1.2.3.4:/", 0, NULL },
	{ "1.2.3.4:8:", 0, NULL },
	{ "1.2.3.4::", 0, NULL },
	{ "1.2.3.4:8a", 0, NULL },
	{ "1.2.3.4:\t80", 0, NULL },
	{ "1.2.3.4:80\n", 0, NULL },
	{ "[::1]:+80", 0, NULL },
	{ "[::1]:-0", 0, NULL },
	{ "[::1]: 80", 0, NULL },
	{ "[::1]:80 ", 0, NULL },
	{ "[::1]:80]", 0, NULL },
	{ "[::1]::80", 0, NULL },
	{ "-1", 0, NULL },
	{ "+80", 0, NULL },
	{ " 80", 0, NULL },
	{ "80 ", 0, NULL },
	/* the host */
	{ " 1.2.3.4:80", 0, NULL },
	{ "1.2.3.4 :80", 0, NULL },
	{ "01.2.3.4:80", 0, NULL },
	{ "1.2.3.04:80", 0, NULL },
	{ "0x7f.0.0.1:80", 0, NULL },
	{ "1.2.3.4.:80", 0, NULL },
	{ "x:80", 0, NULL },
	{ "*x:80", 0, NULL },
	{ "x*:80", 0, NULL },
	{ "[*]:80", 0, NULL },
	{ "[[::1]]:80", 0, NULL },
	{ "[ ::1]:80", 0, NULL },
	{ "[::1 ]:80", 0, NULL },
	{ "[%lo]:80", 0, NULL },
	{ "[::1%lo%lo]:80", 0, NULL },
	{ "[::1%lo ]:80", 0, NULL },
	{ "::ffff:1.2.3.4:80", 0, NULL },
	{ "]:80", 0, NULL },
	{ "[:80", 0, NULL },
	{ "[::1]", 0, NULL },
	/* a numeric scope of 16 characters, or past 2^32 - 1 */
	{ "[fe80::1%0000000000000001]:80", 0, NULL },
	{ "[fe80::1%4294967296]:80", 0, NULL },
	{ "[fe80::1%99999999999]:80", 0, NULL },
	{ "[fe80::1%18446744073709551617]:80", 0, NULL },
	{ "[fe80::1%-1]:80", 0, NULL },
	{ "[fe80::1%+1]:80", 0, NULL },
	{ "[fe80::1%1x]:80", 0, NULL },
	/* a scope name no interface has, 15 and 16 characters */
	{ "[fe80::1%nosuchinterfac]:80", 0, NULL },
	{ "[fe80::1%nosuchinterface]:80", 0, NULL },
	/* longer than any host part: refused before it is copied */
	{ "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%0000000000000001]:80", 0, NULL },
	{ "[0000:0000:0000:0000:0000:ffff:255.255.255.255%000000000000001x]:80", 0, NULL },
	{ "255.255.255.2555:80", 0, NULL },
	{ "0255.255.255.255:80", 0, NULL },
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

/* The host part is inet_pton's to judge: every IPv4 text it takes (and
   no other) with a port is a spec of that address, and every IPv6 text
   inside brackets.  Texts at the edges of what it takes: leading zeros,
   short forms, signs, spaces, one group too many or too few. */
START_TEST(spec_host_is_inet_pton)
{
	static const char *const v4[] = {
		"0.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3.256", "01.2.3.4",
		"1.02.3.4", "1.2.3.00", "1.2.3.0", "00.0.0.0", "1.2.3", "1.2.3.4.5",
		"1..2.3", ".1.2.3", "1.2.3.", "+1.2.3.4", "-1.2.3.4", "1.2.3.4 ",
		"0x1.2.3.4", "1.2.3.4a", "127.1", "2130706433", "9.9.9.9",
		"199.199.199.199", "249.250.251.255", "1.2.3.-4",
	};
	static const char *const v6[] = {
		"::", "::1", "1::", "::ffff:1.2.3.4", "::ffff:1.2.3.256",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
		"1::2::3", ":::", "1:::2", "12345::", "0000:0000::1", "00000::1",
		"::1.2.3", "::1.2.3.4.5", "fe80::1", "FE80::A", "g::1", "::1 ",
		" ::1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
		"::ffff:01.2.3.4", ":1::", "1:", "", "0:0:0:0:0:0:0:0",
	};
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]) + sizeof(v6) / sizeof(v6[0]); i++) {
		int six = i >= sizeof(v4) / sizeof(v4[0]);
		const char *host = six ? v6[i - sizeof(v4) / sizeof(v4[0])] : v4[i];
		unsigned char want[16];
		struct sockaddr_storage ss;
		socklen_t len;
		char spec[128];
		int ok = inet_pton(six ? AF_INET6 : AF_INET, host, want) == 1;
		int r;

		snprintf(spec, sizeof(spec), six ? "[%s]:4242" : "%s:4242", host);
		errno = 0;
		r = pb_parse_addr(spec, &ss, &len);
		ck_assert_msg(r == (ok ? 0 : -1), "\"%s\": %d, inet_pton says %d",
			      spec, r, ok);
		if (!ok) {
			ck_assert_int_eq(errno, EINVAL);
			continue;
		}
		if (six) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

			ck_assert_int_eq(len, sizeof(*s6));
			ck_assert_int_eq(s6->sin6_family, AF_INET6);
			ck_assert(memcmp(&s6->sin6_addr, want, 16) == 0);
			ck_assert_uint_eq(ntohs(s6->sin6_port), 4242);
			ck_assert_uint_eq(s6->sin6_scope_id, 0);
			ck_assert_uint_eq(s6->sin6_flowinfo, 0);
		} else {
			const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

			ck_assert_int_eq(len, sizeof(*s4));
			ck_assert_int_eq(s4->sin_family, AF_INET);
			ck_assert(memcmp(&s4->sin_addr, want, 4) == 0);
			ck_assert_uint_eq(ntohs(s4->sin_port), 4242);
		}
	}
}
END_TEST

/* Overlong specs of every shape are refused, not copied: a host part one
   past the longest that can be valid, and far past it, in brackets and
   not (AddressSanitizer sees a copy past a buffer). */
START_TEST(spec_overlong)
{
	static const size_t lens[] = { 15, 16, 17, 62, 63, 64, 65, 200, 4000 };
	char *spec = malloc(8192);
	struct sockaddr_storage ss;
	socklen_t len = 7;
	size_t i, k;

	ck_assert_ptr_nonnull(spec);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		/* "1.1.1.1...": dots and ones, never a valid address */
		for (k = 0; k < lens[i]; k++)
			spec[k] = k % 2 ? '.' : '1';
		strcpy(spec + lens[i], ":80");
		errno = 0;
		ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), -1);
		ck_assert_int_eq(errno, EINVAL);
		/* "[::1::1::...]" and "[::1%000...1]" */
		spec[0] = '[';
		for (k = 1; k <= lens[i]; k++)
			spec[k] = k % 3 ? ':' : '1';
		strcpy(spec + lens[i] + 1, "]:80");
		errno = 0;
		ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), -1);
		ck_assert_int_eq(errno, EINVAL);
		memcpy(spec, "[::1%", 5);
		for (k = 5; k < lens[i] + 5; k++)
			spec[k] = '0';
		spec[k - 1] = '1';
		strcpy(spec + k, "]:80");
		if (lens[i] < IF_NAMESIZE) {	/* "%000000000000001": 1 */
			ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), 0);
			ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_scope_id, 1);
			len = 7;
			continue;
		}
		errno = 0;
		ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), -1);
		ck_assert_int_eq(errno, EINVAL);
		/* a port of many digits */
		memset(spec, '0', lens[i]);
		spec[lens[i]] = '\0';
		ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), -1);
	}
	ck_assert_int_eq(len, 7);
	free(spec);
}
END_TEST

/* A scope is stored as it is given: an index, or a name's index. */
START_TEST(spec_scope_values)
{
	static const struct { const char *spec; uint32_t scope; } rows[] = {
		{ "[fe80::1%0]:1", 0 },
		{ "[fe80::1%9]:1", 9 },
		{ "[fe80::1%10]:1", 10 },
		{ "[fe80::1%000000000000009]:1", 9 },
		{ "[fe80::1%4294967295]:1", 4294967295u },
		{ "[fe80::1%4294967294]:1", 4294967294u },
		{ "[::ffff:1.2.3.4%7]:1", 7 },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;
	unsigned lo = if_nametoindex("lo");

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_msg(pb_parse_addr(rows[i].spec, &ss, &len) == 0, "%s",
			      rows[i].spec);
		ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_scope_id,
				  rows[i].scope);
	}
	if (lo) {
		char spec[64];

		ck_assert_int_eq(pb_parse_addr("[::1%lo]:1", &ss, &len), 0);
		ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_scope_id, lo);
		/* digits then a name: a name, which no interface has */
		snprintf(spec, sizeof(spec), "[::1%%%ulo]:1", lo);
		ck_assert_int_eq(pb_parse_addr(spec, &ss, &len), -1);
	}
}
END_TEST

/* "[::ffff:a.b.c.d]" is the IPv4 side of a dual-stack socket, any other
   bracketed address IPv6 only, "*" both: what pb_listen sets, and the
   kernel then takes the bind. */
START_TEST(spec_v6only_meaning)
{
	static const struct { const char *spec; int v6only; } rows[] = {
		{ "[::ffff:127.0.0.1]:0", 0 },
		{ "[::1]:0", 1 },
		{ "[::]:0", 1 },
		{ "*:0", 0 },
	};
	size_t i;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int fd = pb_listen(rows[i].spec, 1, 0, NULL);

		ck_assert_msg(fd >= 0, "%s: %s", rows[i].spec, strerror(errno));
		ck_assert_int_eq(pbt_getopt(fd, IPPROTO_IPV6, IPV6_V6ONLY),
				 rows[i].v6only);
		close(fd);
	}
}
END_TEST

/* Without IPv6 (socket(AF_INET6) refused with EAFNOSUPPORT, as with
   ipv6.disable=1), "*:P", ":P" and "P" are 0.0.0.0:P; any other refusal
   of the scratch socket is not taken for a host without IPv6.  errno is
   kept, and the scratch socket closed. */
static int no_ipv6_child(void *arg)
{
	static const char *const specs[] = { "*:8080", ":8080", "8080" };
	int err = *(const int *)arg, fds;
	size_t i;

	if (pbt_seccomp_errno(__NR_socket, AF_INET6, err) < 0)
		return 77;
	fds = pbt_count_fds();
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct sockaddr_storage ss;
		socklen_t len = 0;
		char text[PB_ADDRSTRLEN];

		memset(&ss, 0xa5, sizeof(ss));
		errno = 4321;
		PBT_REQUIRE(pb_parse_addr(specs[i], &ss, &len) == 0);
		PBT_REQUIRE(errno == 4321);
		PBT_REQUIRE(pbt_count_fds() == fds);
		PBT_REQUIRE(pb_format_addr((struct sockaddr *)&ss, len, text,
					   sizeof(text)) == 0);
		if (err == EAFNOSUPPORT) {
			const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

			PBT_REQUIRE(len == sizeof(struct sockaddr_in));
			PBT_REQUIRE(s4->sin_family == AF_INET);
			PBT_REQUIRE(s4->sin_addr.s_addr == htonl(INADDR_ANY));
			PBT_REQUIRE(ntohs(s4->sin_port) == 8080);
			/* the rest of the storage zeroed, not left as it was */
			PBT_REQUIRE(((const unsigned char *)&ss)[sizeof(*s4)] == 0);
			PBT_REQUIRE(strcmp(text, "0.0.0.0:8080") == 0);
		} else {
			PBT_REQUIRE(len == sizeof(struct sockaddr_in6));
			PBT_REQUIRE(strcmp(text, "[::]:8080") == 0);
		}
	}
	/* An explicit address is never changed. */
	{
		struct sockaddr_storage ss;
		socklen_t len;

		PBT_REQUIRE(pb_parse_addr("[::1]:1", &ss, &len) == 0);
		PBT_REQUIRE(ss.ss_family == AF_INET6);
		PBT_REQUIRE(pb_parse_addr("[::]:1", &ss, &len) == 0);
		PBT_REQUIRE(ss.ss_family == AF_INET6);
	}
	return 0;
}

static void run_no_ipv6(int err)
{
	int st = pbt_run_in_child(no_ipv6_child, &err);

	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}

START_TEST(spec_wildcard_without_ipv6)
{
	run_no_ipv6(EAFNOSUPPORT);
}
END_TEST

START_TEST(spec_wildcard_ipv6_socket_refused_otherwise)
{
	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	run_no_ipv6(EMFILE);
}
END_TEST

/* pb_format_addr's length rules, family by family, at each edge: one
   byte short of the structure (EINVAL), exactly it, the whole storage,
   one byte past any socket address (EINVAL, as bind(2) says); a family
   that is neither (EAFNOSUPPORT) once its family member is there. */
START_TEST(format_lengths)
{
	struct sockaddr_storage ss;
	char buf[PB_ADDRSTRLEN];
	struct { int fam; socklen_t len; int err; const char *text; } rows[] = {
		{ AF_INET, 0, EINVAL, NULL },
		{ AF_INET, 1, EINVAL, NULL },
		{ AF_INET, sizeof(sa_family_t), EINVAL, NULL },
		{ AF_INET, sizeof(struct sockaddr_in) - 1, EINVAL, NULL },
		{ AF_INET, sizeof(struct sockaddr_in), 0, "10.0.0.1:65535" },
		{ AF_INET, sizeof(struct sockaddr_in6), 0, "10.0.0.1:65535" },
		{ AF_INET, sizeof(struct sockaddr_storage), 0, "10.0.0.1:65535" },
		{ AF_INET, sizeof(struct sockaddr_storage) + 1, EINVAL, NULL },
		{ AF_INET, 0x7fffffff, EINVAL, NULL },
		{ AF_INET6, 1, EINVAL, NULL },
		{ AF_INET6, sizeof(struct sockaddr_in), EINVAL, NULL },
		{ AF_INET6, sizeof(struct sockaddr_in6) - 1, EINVAL, NULL },
		{ AF_INET6, sizeof(struct sockaddr_in6), 0, "[2001:db8::1]:0" },
		{ AF_INET6, sizeof(struct sockaddr_storage), 0, "[2001:db8::1]:0" },
		{ AF_INET6, sizeof(struct sockaddr_storage) + 1, EINVAL, NULL },
		{ AF_UNIX, 1, EINVAL, NULL },
		{ AF_UNIX, sizeof(sa_family_t), EAFNOSUPPORT, NULL },
		{ AF_UNIX, sizeof(struct sockaddr_un), EAFNOSUPPORT, NULL },
		{ AF_UNIX, sizeof(struct sockaddr_storage) + 1, EINVAL, NULL },
		{ AF_UNSPEC, sizeof(struct sockaddr_storage), EAFNOSUPPORT, NULL },
		{ AF_PACKET, sizeof(struct sockaddr_storage), EAFNOSUPPORT, NULL },
		{ AF_NETLINK, sizeof(struct sockaddr_storage), EAFNOSUPPORT, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r;

		memset(&ss, 0, sizeof(ss));
		if (rows[i].fam == AF_INET)
			pbt_addr(&ss, "10.0.0.1", 65535);
		else if (rows[i].fam == AF_INET6)
			pbt_addr(&ss, "2001:db8::1", 0);
		ss.ss_family = (sa_family_t)rows[i].fam;
		memset(buf, 'x', sizeof(buf));
		errno = 1234;
		r = pb_format_addr((struct sockaddr *)&ss, rows[i].len, buf, sizeof(buf));
		if (rows[i].err) {
			ck_assert_msg(r == -1 && errno == rows[i].err,
				      "row %zu: %d, errno %d", i, r, errno);
			ck_assert_str_eq(buf, "");
		} else {
			ck_assert_msg(r == 0, "row %zu: %s", i, strerror(errno));
			ck_assert_int_eq(errno, 1234);	/* kept on success */
			ck_assert_str_eq(buf, rows[i].text);
		}
	}
	/* The kernel agrees on the edges for IPv4. */
	{
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		ck_assert_int_ge(fd, 0);
		pbt_addr(&ss, "127.0.0.1", 0);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss,
				      sizeof(struct sockaddr_in) - 1), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss,
				      sizeof(struct sockaddr_storage) + 1), -1);
		ck_assert_int_eq(errno, EINVAL);
		close(fd);
	}
	/* NULL: EINVAL, whichever is NULL and whatever the size. */
	errno = 0;
	ck_assert_int_eq(pb_format_addr(NULL, 0, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	pbt_addr(&ss, "10.0.0.1", 1);
	errno = 0;
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&ss, sizeof(ss), NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* The buffer at every size that matters, for the longest texts of each
   form: 0 (not one byte written), 1, one short of the text and its NUL
   (ENOSPC, ""), exactly enough, and more. */
static void format_sizes_of(const struct sockaddr_storage *ss, socklen_t len,
			    const char *want)
{
	size_t need = strlen(want) + 1, sizes[] = { 1, 2, need - 2, need - 1,
						     need, need + 1, PB_ADDRSTRLEN };
	char buf[PB_ADDRSTRLEN + 8];
	size_t i;

	ck_assert_uint_le(need, PB_ADDRSTRLEN);
	memset(buf, 'x', sizeof(buf));
	errno = 0;
	ck_assert_int_eq(pb_format_addr((const struct sockaddr *)ss, len, buf, 0), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(buf[0], 'x');
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		errno = 1234;
		if (sizes[i] < need) {
			ck_assert_int_eq(pb_format_addr((const struct sockaddr *)ss,
							len, buf, sizes[i]), -1);
			ck_assert_int_eq(errno, ENOSPC);
			ck_assert_str_eq(buf, "");
		} else {
			ck_assert_int_eq(pb_format_addr((const struct sockaddr *)ss,
							len, buf, sizes[i]), 0);
			ck_assert_int_eq(errno, 1234);
			ck_assert_str_eq(buf, want);
		}
		/* nothing past size */
		ck_assert_int_eq(buf[sizes[i]], 'x');
	}
}

START_TEST(format_buffer_sizes)
{
	struct sockaddr_storage ss;
	socklen_t len;

	len = pbt_addr(&ss, "255.255.255.255", 65535);
	format_sizes_of(&ss, len, "255.255.255.255:65535");
	len = pbt_addr(&ss, "0.0.0.0", 0);
	format_sizes_of(&ss, len, "0.0.0.0:0");
	len = pbt_addr(&ss, "::", 0);
	format_sizes_of(&ss, len, "[::]:0");
	len = pbt_addr(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	format_sizes_of(&ss, len, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	len = pbt_addr(&ss, "::ffff:255.255.255.254", 1);
	format_sizes_of(&ss, len, "[::ffff:255.255.255.254]:1");
	/* the longest: an embedded IPv4 address and a ten-digit scope */
	len = pbt_addr(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535);
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = 4294967295u;
	format_sizes_of(&ss, len, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535");
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = 2147483648u;
	format_sizes_of(&ss, len, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%2147483648]:65535");
}
END_TEST

/* An interface name is written only when it parses back as that name
   and needs no quoting; any other is written as its index.  In a private
   network namespace, lo is renamed to each edge: bytes just inside and
   just outside the printable range, and each byte the spec syntax or a
   quoted string gives a meaning. */
static int rename_lo(const char *from, const char *to)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", from);
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0 && (ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags &= ~IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (r == 0) {
		snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "%s", to);
		r = ioctl(fd, SIOCSIFNAME, &ifr);
	}
	close(fd);
	return r;
}

static int scope_names_child(void *arg)
{
	static const struct { const char *name; int shown; } rows[] = {
		{ "a!b~c", 1 }, { "abcdefghijklmno", 1 }, { "x", 1 },
		{ "eth0.1-2_3", 1 }, { "a[b", 0 }, { "a]b", 0 },
		{ "a\"b", 0 }, { "a\\b", 0 }, { "a\001b", 0 }, { "\037", 0 },
		{ "a\177", 0 }, { "a\200", 0 }, { "\377", 0 },
	};
	const char *cur = "lo";
	unsigned idx = if_nametoindex("lo");
	size_t i;

	(void)arg;
	PBT_REQUIRE(idx != 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sockaddr_storage ss, back;
		socklen_t len = pbt_addr(&ss, "fe80::1", 22), blen;
		char buf[PB_ADDRSTRLEN], want[PB_ADDRSTRLEN];
		int fds = pbt_count_fds();

		if (rename_lo(cur, rows[i].name) != 0) {
			fprintf(stderr, "rename to name %zu: %s\n", i, strerror(errno));
			return 1;
		}
		cur = rows[i].name;
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = idx;
		if (rows[i].shown)
			snprintf(want, sizeof(want), "[fe80::1%%%s]:22", rows[i].name);
		else
			snprintf(want, sizeof(want), "[fe80::1%%%u]:22", idx);
		errno = 777;
		PBT_REQUIRE(pb_format_addr((struct sockaddr *)&ss, len, buf,
					   sizeof(buf)) == 0);
		PBT_REQUIRE(errno == 777);
		PBT_REQUIRE(pbt_count_fds() == fds);
		if (strcmp(buf, want) != 0) {
			fprintf(stderr, "name %zu: \"%s\", want \"%s\"\n", i, buf, want);
			return 1;
		}
		/* and it parses back to the same scope */
		PBT_REQUIRE(pb_parse_addr(buf, &back, &blen) == 0);
		PBT_REQUIRE(((struct sockaddr_in6 *)&back)->sin6_scope_id == idx);
	}
	return 0;
}

START_TEST(format_scope_names)
{
	PBT_IN_NETNS(scope_names_child, NULL);
}
END_TEST

/* Where the scratch socket for the name cannot be had, the index. */
static int scope_no_socket_child(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "fe80::1", 22);
	char buf[PB_ADDRSTRLEN], want[PB_ADDRSTRLEN];
	unsigned lo = if_nametoindex("lo");

	(void)arg;
	PBT_REQUIRE(lo != 0);
	if (pbt_seccomp_errno(__NR_socket, AF_UNIX, EMFILE) < 0)
		return 77;
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = lo;
	snprintf(want, sizeof(want), "[fe80::1%%%u]:22", lo);
	errno = 555;
	PBT_REQUIRE(pb_format_addr((struct sockaddr *)&ss, len, buf, sizeof(buf)) == 0);
	PBT_REQUIRE(errno == 555);
	PBT_REQUIRE(strcmp(buf, want) == 0);
	return 0;
}

START_TEST(format_scope_without_socket)
{
	int st = pbt_run_in_child(scope_no_socket_child, NULL);

	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* The scratch sockets (the IPv6 check of "*:P", the scope name's lookup)
   are closed whatever descriptor they get: 0 too, when a daemon closed
   its stdin.  Nothing is left open, and the answers are the same. */
static int fd0_child(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[PB_ADDRSTRLEN], want[PB_ADDRSTRLEN];
	unsigned lo = if_nametoindex("lo");
	char name[IF_NAMESIZE];

	(void)arg;
	PBT_REQUIRE(lo != 0 && if_indextoname(lo, name) != NULL);
	close(0);
	errno = 0;
	PBT_REQUIRE(pb_parse_addr("*:80", &ss, &len) == 0);
	PBT_REQUIRE(ss.ss_family == (pbt_have_ipv6() ? AF_INET6 : AF_INET));
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1 && errno == EBADF);
	len = pbt_addr(&ss, "fe80::1", 22);
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = lo;
	snprintf(want, sizeof(want), "[fe80::1%%%s]:22", name);
	PBT_REQUIRE(pb_format_addr((struct sockaddr *)&ss, len, buf, sizeof(buf)) == 0);
	PBT_REQUIRE(strcmp(buf, want) == 0);
	errno = 0;
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1 && errno == EBADF);
	return 0;
}

START_TEST(scratch_socket_on_fd_0)
{
	ck_assert_int_eq(pbt_run_in_child(fd0_child, NULL), 0);
}
END_TEST

Suite *suite_addr(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("spec");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	/* CPU-bound loops (thousands of texts compared): on a loaded machine
	   (load 45 on 2 CPUs) they outlast Check's default 4 s. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, spec_table, 0, (int)(sizeof(spec_cases) /
						    sizeof(spec_cases[0])));
	tcase_add_test(tc, spec_wildcard_port);
	tcase_add_test(tc, spec_scope_by_name);
	tcase_add_test(tc, spec_null_outputs);
	tcase_add_test(tc, format_errors);
	tcase_add_test(tc, format_longest_fits);
	tcase_add_test(tc, format_matches_inet_ntop);
	tcase_add_test(tc, format_scope);
	tcase_add_test(tc, spec_host_is_inet_pton);
	tcase_add_test(tc, spec_overlong);
	tcase_add_test(tc, spec_scope_values);
	tcase_add_test(tc, spec_v6only_meaning);
	tcase_add_test(tc, spec_wildcard_without_ipv6);
	tcase_add_test(tc, spec_wildcard_ipv6_socket_refused_otherwise);
	tcase_add_test(tc, format_lengths);
	tcase_add_test(tc, format_buffer_sizes);
	tcase_add_test(tc, format_scope_names);
	tcase_add_test(tc, format_scope_without_socket);
	tcase_add_test(tc, scratch_socket_on_fd_0);
	suite_add_tcase(s, tc);
	return s;
}

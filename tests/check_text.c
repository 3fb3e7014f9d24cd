/* SPDX-License-Identifier: MIT */
/*
 * check_text.c - the library's own tools, tested directly (the runner
 * links libportbind.a, where the internal pb__ symbols are visible):
 * lib/text.c (pb__fmt, pb__vfmt, pb__parse_num), lib/scratch.c
 * (pb__scratch_get/put) and the inline helpers of lib/internal.h.
 *
 * pb__fmt is held against the C library's snprintf, byte for byte over the
 * whole buffer (so also nothing written past the size it is given), for
 * every conversion, flag, width and length modifier text.h promises, at
 * the extremes of each type and cut at every buffer size.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "internal.h"
#include "scratch.h"
#include "text.h"
#include "testutil.h"

#define BUF 512
#define FILL 0x7e

/* pb__vfmt with no format attribute: the directives text.h leaves to
   "copied as written" are not printf's, so gcc must not check them. */
static int raw_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pb__vfmt(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* fmt with its arguments through pb__vfmt and vsnprintf into buffers of
   the given size inside BUF bytes of FILL: the same return, the same
   bytes, none past size.  Then again at every size from 0 to the
   length + 1, so every cut of the text is compared. */
__attribute__((format(printf, 2, 3)))
static void same_as_libc(int line, const char *fmt, ...)
{
	char got[BUF], want[BUF];
	va_list ap, aq;
	int n, m;
	size_t size, len;

	va_start(ap, fmt);
	va_copy(aq, ap);
	memset(want, FILL, sizeof(want));
	m = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	ck_assert_msg(m >= 0 && m < BUF - 1, "line %d: libc says %d", line, m);
	len = (size_t)m;
	for (size = 0; size <= len + 1; size++) {
		va_copy(aq, ap);
		memset(want, FILL, sizeof(want));
		m = vsnprintf(want, size, fmt, aq);
		va_end(aq);
		va_copy(aq, ap);
		memset(got, FILL, sizeof(got));
		n = pb__vfmt(got, size, fmt, aq);
		va_end(aq);
		ck_assert_msg(n == m, "line %d, size %zu: \"%s\" gives %d, libc %d",
			      line, size, fmt, n, m);
		ck_assert_msg(memcmp(got, want, sizeof(got)) == 0,
			      "line %d, size %zu: \"%s\" gives \"%.*s\", libc \"%.*s\"",
			      line, size, fmt, (int)len, got, (int)len, want);
	}
	va_end(ap);
}
#define SAME(...) same_as_libc(__LINE__, __VA_ARGS__)

/* Exactly this text and return, nothing past size written. */
static void expect(const char *got, int n, const char *want, size_t size)
{
	size_t i, len = strlen(want);

	ck_assert_int_eq(n, (int)len);
	if (size == 0) {
		ck_assert_int_eq((unsigned char)got[0], FILL);
		return;
	}
	ck_assert_msg(strncmp(got, want, size - 1) == 0 &&
		      got[len < size ? len : size - 1] == '\0',
		      "\"%s\", wanted \"%.*s\"", got, (int)(size - 1), want);
	for (i = (len < size ? len : size - 1) + 1; i < BUF; i++)
		ck_assert_msg((unsigned char)got[i] == FILL, "byte %zu written", i);
}

START_TEST(fmt_integers)
{
	SAME("%d %i %d %d", 0, 7, -7, 1234567890);
	SAME("%d|%d", INT_MAX, INT_MIN);
	SAME("%u|%u|%u", 0u, 42u, UINT_MAX);
	SAME("%x|%X|%x|%X", 0u, 0xabcdefu, 0x9abcdefu, UINT_MAX);
	SAME("%ld|%ld|%ld", 0L, LONG_MAX, LONG_MIN);
	SAME("%li|%lu|%lx|%lX", -1L, ULONG_MAX, ULONG_MAX, 0xfeedUL);
	SAME("%lld|%lld|%lli", LLONG_MAX, LLONG_MIN, -1000000000000LL);
	SAME("%llu|%llx|%llX", ULLONG_MAX, ULLONG_MAX, 0x123456789abcdefULL);
	SAME("%zu|%zx|%zX|%zd", (size_t)SIZE_MAX, (size_t)SIZE_MAX, (size_t)48879, (ssize_t)1234);
	SAME("%hd|%hu|%hx|%hhu", (short)-1234, (unsigned short)65535,
	     (unsigned short)0xbeef, (unsigned char)255);
	/* The length modifier chooses how much is read: a wide argument
	   after a narrow one, and back. */
	SAME("%d %lld %d %zu %u", -1, LLONG_MIN, 5, (size_t)6, 7u);
}
END_TEST

START_TEST(fmt_width_and_flags)
{
	SAME("[%5d][%-5d][%05d]", 42, 42, 42);
	SAME("[%5d][%-5d][%05d]", -42, -42, -42);
	SAME("[%1d][%2d][%3d][%4d]", -42, -42, -42, -42);
	SAME("[%2d][%3d][%03d][%-3d]", 123, 123, 123, 123);
	SAME("[%05d][%5d][%-5d]", 0, 0, 0);
	SAME("[%08x][%-8X][%8lx][%020llu]", 0xbeefu, 0xbeefu, 0xbeefUL, 12345ULL);
	SAME("[%25ld][%-25ld][%025ld]", LONG_MIN, LONG_MIN, LONG_MIN);
	SAME("[%012d][%12d]", INT_MIN, INT_MIN);
	SAME("[%4u][%5u][%6u]", 12345u, 12345u, 12345u);
	SAME("[%300d]", 1);
	SAME("[%-300d]", -1);
	SAME("[%0300x]", 0xfu);
}
END_TEST

/* '-' wins over '0' in either order, as in C (gcc's format check
   refuses to see the two together, so no snprintf to compare with). */
START_TEST(fmt_left_beats_zero)
{
	char buf[BUF];
	int n;

	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "[%-05d][%0-5d][%-05u][%-0s]", -42, 7, 9u, "ab");
	expect(buf, n, "[-42  ][7    ][9    ][ab]", sizeof(buf));
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "[%-06x][%00-3d]", 0xabu, -1);
	expect(buf, n, "[ab    ][-1 ]", sizeof(buf));
}
END_TEST

START_TEST(fmt_strings_and_chars)
{
	const char *volatile nul = NULL;
	char buf[BUF];
	int n;

	SAME("%s|%s|%s", "", "a", "hello, world");
	SAME("[%8s][%-8s][%2s]", "abc", "abc", "abc");
	SAME("[%.0s][%.1s][%.3s][%.4s][%.9s]", "abc", "abc", "abc", "abc", "abc");
	SAME("[%.*s][%.*s][%.*s]", 2, "abcdef", 0, "abcdef", 6, "abcdef");
	SAME("[%.*s]", -1, "abcdef");	/* a negative precision is none */
	SAME("[%6.2s][%-6.2s][%1.3s]", "abcdef", "abcdef", "abcdef");
	SAME("[%.12s]", "short");
	SAME("%c%c%c|%c", 'a', 'Z', '0', ' ');
	SAME("x%cy", 0);
	SAME("%%|100%%|%d%%", 50);
	SAME("no directive at all");
	SAME("%s=%d (%s) %c", "port", 8080, "held", '!');

	/* NULL is "(null)", as in glibc. */
	memset(buf, FILL, sizeof(buf));
	n = pb__fmt(buf, sizeof(buf), "<%s>", nul);
	expect(buf, n, "<(null)>", sizeof(buf));
}
END_TEST

/* A directive that is not text.h's comes out as written, arguments
   untouched; "%n" above all never writes anywhere. */
START_TEST(fmt_unknown_directives)
{
	static const struct {
		const char *fmt, *want;
	} c[] = {
		{ "a%qb", "a%qb" },
		{ "%5q", "%5q" },
		{ "%-08lq!", "%-08lq!" },
		{ "%.3q", "%.3q" },
		{ "%n", "%n" },
		{ "%f|%e|%p", "%f|%e|%p" },
		{ "end%", "end%" },
		{ "end%5", "end%5" },
		{ "end%-0", "end%-0" },
		{ "end%l", "end%l" },
		{ "end%.", "end%." },
		{ "%", "%" },
	};
	char buf[BUF];
	size_t i, size;
	int n;

	for (i = 0; i < PB_ARRAY_SIZE(c); i++) {
		memset(buf, FILL, sizeof(buf));
		n = raw_fmt(buf, sizeof(buf), c[i].fmt, 111, 222);
		expect(buf, n, c[i].want, sizeof(buf));
		for (size = 0; size <= strlen(c[i].want); size++) {
			memset(buf, FILL, sizeof(buf));
			n = raw_fmt(buf, size, c[i].fmt, 111, 222);
			expect(buf, n, c[i].want, size);
		}
	}
	/* The arguments after an unknown directive are still the next
	   directives' own. */
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%q%d-%s", 5, "x");
	expect(buf, n, "%q5-x", sizeof(buf));
}
END_TEST

/* Cut at the buffer: exactly full, one short, one byte, none. */
START_TEST(fmt_truncation)
{
	char buf[BUF];
	int n;

	memset(buf, FILL, sizeof(buf));
	n = pb__fmt(buf, 6, "%d", -1234);
	expect(buf, n, "-1234", 6);
	memset(buf, FILL, sizeof(buf));
	n = pb__fmt(buf, 5, "%d", -1234);
	expect(buf, n, "-1234", 5);
	ck_assert_str_eq(buf, "-123");
	memset(buf, FILL, sizeof(buf));
	n = pb__fmt(buf, 1, "%s", "abc");
	expect(buf, n, "abc", 1);
	ck_assert_str_eq(buf, "");
	memset(buf, FILL, sizeof(buf));
	n = pb__fmt(buf, 0, "%s:%u", "abc", 80u);
	expect(buf, n, "abc:80", 0);
	/* size 0: buf is not even read or written (NULL is fine). */
	ck_assert_int_eq(pb__fmt(NULL, 0, "%d%s", 12345, "xyz"), 8);
	/* A width far past the buffer: counted, not written. */
	memset(buf, FILL, sizeof(buf));
	n = pb__fmt(buf, 4, "%900d", 1);
	ck_assert_int_eq(n, 900);
	ck_assert_str_eq(buf, "   ");
	ck_assert_int_eq((unsigned char)buf[4], FILL);
}
END_TEST

/* Widths and precisions are bounded while they are read, so a huge
   one can neither overflow an int nor run a long time. */
START_TEST(fmt_huge_width)
{
	char buf[64];
	int n;

	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%99999999999999999999d|", 1);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 200000);
	ck_assert_uint_eq(strlen(buf), (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%.99999999999999999999s|", "abc");
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 200);
	/* Up to 999 the width is exactly what is asked. */
	n = pb__fmt(NULL, 0, "%999d", 1);
	ck_assert_int_eq(n, 999);
	n = pb__fmt(NULL, 0, "%-999s|", "x");
	ck_assert_int_eq(n, 1000);
}
END_TEST

/* Where the bounds are: a width's digits are read while it is under
   1000, a precision's while it is under 100000; a digit after that ends
   the directive, which is then copied as written. */
START_TEST(fmt_width_precision_bounds)
{
	char buf[BUF];
	int n;

	ck_assert_int_eq(raw_fmt(NULL, 0, "%1000d", 1), 1000);
	ck_assert_int_eq(raw_fmt(NULL, 0, "%9990d", 1), 9990);
	ck_assert_int_eq(raw_fmt(NULL, 0, "%9999d", 1), 9999);
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%10000d", 1);
	expect(buf, n, "%10000d", sizeof(buf));
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%10009d", 1);
	expect(buf, n, "%10009d", sizeof(buf));

	ck_assert_int_eq(raw_fmt(NULL, 0, "%.99999s", "ab"), 2);
	ck_assert_int_eq(raw_fmt(NULL, 0, "%.100000s", "ab"), 2);
	ck_assert_int_eq(raw_fmt(NULL, 0, "%.999999s", "ab"), 2);
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%.1000000s", "ab");
	expect(buf, n, "%.1000000s", sizeof(buf));
	memset(buf, FILL, sizeof(buf));
	n = raw_fmt(buf, sizeof(buf), "%.1000009s", "ab");
	expect(buf, n, "%.1000009s", sizeof(buf));
}
END_TEST

/* ---- pb__parse_num */

static void parses(const char *s, int base, unsigned long long max,
		   long long want, size_t used)
{
	const char *end = NULL;
	long long v = pb__parse_num(s, base, max, &end);

	ck_assert_msg(v == want, "\"%s\" base %d max %llu: %lld, wanted %lld",
		      s, base, max, v, want);
	ck_assert_msg(end == s + used, "\"%s\": %td used, wanted %zu", s,
		      end - s, used);
	/* end may be NULL */
	ck_assert_int_eq(pb__parse_num(s, base, max, NULL), want);
}

static void refused(const char *s, int base, unsigned long long max)
{
	const char *end = s - 1;	/* untouched on failure */

	ck_assert_msg(pb__parse_num(s, base, max, &end) == -1,
		      "\"%s\" base %d max %llu accepted", s, base, max);
	ck_assert_ptr_eq(end, s - 1);
	ck_assert_int_eq(pb__parse_num(s, base, max, NULL), -1);
}

START_TEST(parse_digits)
{
	static const char in[] = " 123";

	parses("0", 10, 100, 0, 1);
	parses("7", 10, 100, 7, 1);
	parses("123", 10, 1000, 123, 3);
	parses("123abc", 10, 1000, 123, 3);
	parses("0123 ", 10, 1000, 123, 4);
	parses("9/", 10, 100, 9, 1);
	parses("4:5", 10, 100, 4, 1);
	parses("ff", 16, 1000, 255, 2);
	parses("FF", 16, 1000, 255, 2);
	parses("aF09", 16, 100000, 0xaf09, 4);
	/* Each end of each digit range. */
	parses("A", 16, 100, 10, 1);
	parses("a", 16, 100, 10, 1);
	parses("F", 16, 100, 15, 1);
	parses("f", 16, 100, 15, 1);
	parses("0", 16, 100, 0, 1);
	parses("9", 16, 100, 9, 1);
	parses("Aa0", 16, 10000, 0xaa0, 3);
	parses("0x10", 16, 100, 0, 1);
	parses("fg", 16, 100, 15, 1);
	parses("Fg", 16, 100, 15, 1);
	parses("9a", 10, 100, 9, 1);
	parses("00000000000000000000000042", 10, 100, 42, 26);
	/* The characters next to the digit ranges are not digits. */
	refused("/", 10, 100);
	refused(":", 10, 100);
	refused("a", 10, 100);
	refused("`", 16, 100);
	refused("g", 16, 100);
	refused("@", 16, 100);
	refused("G", 16, 100);
	/* No sign, no blank, nothing at all. */
	refused("", 10, 100);
	refused("-1", 10, 100);
	refused("+1", 10, 100);
	refused(in, 10, 1000);
	parses(in + 1, 10, 1000, 123, 3);
}
END_TEST

START_TEST(parse_bounds)
{
	/* Exactly max, and one past it, across digit positions. */
	parses("65535", 10, 65535, 65535, 5);
	refused("65536", 10, 65535);
	refused("65540", 10, 65535);
	refused("70000", 10, 65535);
	refused("655350", 10, 65535);
	parses("2147483647", 10, 0x7fffffff, 0x7fffffff, 10);
	refused("2147483648", 10, 0x7fffffff);
	parses("2147483648", 10, 2147483648ULL, 2147483648LL, 10);
	refused("2147483649", 10, 2147483648ULL);
	parses("ffff", 16, 0xffff, 0xffff, 4);
	refused("10000", 16, 0xffff);
	parses("10", 10, 10, 10, 2);
	refused("11", 10, 10);
	parses("19", 10, 19, 19, 2);
	refused("20", 10, 19);
	parses("0", 10, 0, 0, 1);
	parses("000", 10, 0, 0, 3);
	refused("1", 10, 0);
	/* A single digit over a small max. */
	parses("5", 10, 5, 5, 1);
	refused("6", 10, 5);
	refused("9", 10, 5);
	refused("77", 10, 5);
	refused("f", 16, 14);
	parses("e", 16, 14, 14, 1);
	/* At most INT64_MAX whatever max says: the result is a long long. */
	parses("9223372036854775807", 10, ~0ULL, INT64_MAX, 19);
	refused("9223372036854775808", 10, ~0ULL);
	parses("7fffffffffffffff", 16, ~0ULL, INT64_MAX, 16);
	refused("8000000000000000", 16, ~0ULL);
	parses("9223372036854775806", 10, INT64_MAX - 1, INT64_MAX - 1, 19);
	refused("9223372036854775807", 10, INT64_MAX - 1);
	/* Far past any integer type: refused, not wrapped. */
	refused("18446744073709551616", 10, ~0ULL);
	refused("99999999999999999999999999999", 10, ~0ULL);
	refused("fffffffffffffffffff", 16, ~0ULL);
}
END_TEST

/* ---- pb__scratch_get / pb__scratch_put */

/* Whether every page of [p, p + size) is mapped: mincore(2) fails with
   ENOMEM on a range with a hole (and, unlike msync, valgrind does not
   take an unmapped range for an error of the program's). */
static int mapped(const void *p, size_t size)
{
	static unsigned char vec[4096];
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)(page - 1);
	size_t len = size + ((uintptr_t)p - start);

	ck_assert_uint_le((len + page - 1) / page, sizeof(vec));
	return mincore((void *)start, len, vec) == 0;
}

START_TEST(scratch_zeroed_and_returned)
{
	static const size_t sizes[] = { 1, 100, 4096, 4097, 3 * 4096, 256 * 1024 };
	size_t i, j;

	for (i = 0; i < PB_ARRAY_SIZE(sizes); i++) {
		unsigned char *p;

		errno = 4242;
		p = pb__scratch_get(sizes[i]);
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(errno, 4242);
		ck_assert_uint_eq((uintptr_t)p % 4096, 0);
		for (j = 0; j < sizes[i] && p[j] == 0; j++)
			;
		ck_assert_msg(j == sizes[i], "byte %zu of %zu not zero", j, sizes[i]);
		memset(p, 0xff, sizes[i]);
		ck_assert(mapped(p, sizes[i]));
		pb__scratch_put(p, sizes[i]);
		ck_assert_int_eq(errno, 4242);
		ck_assert_msg(!mapped(p, sizes[i]), "still mapped after put");
		ck_assert_int_eq(errno, ENOMEM);
	}
}
END_TEST

START_TEST(scratch_nothing_asked)
{
	errno = 4242;
	ck_assert_ptr_null(pb__scratch_get(0));
	ck_assert_int_eq(errno, 4242);
	pb__scratch_put(NULL, 4096);
	ck_assert_int_eq(errno, 4242);
	/* What munmap refuses (not page-aligned) leaves errno alone too. */
	pb__scratch_put((void *)1, 4096);
	ck_assert_int_eq(errno, 4242);
}
END_TEST

START_TEST(scratch_refused)
{
	/* More than any address space holds: NULL, errno untouched. */
	errno = 4242;
	ck_assert_ptr_null(pb__scratch_get(SIZE_MAX - 4095));
	ck_assert_int_eq(errno, 4242);
}
END_TEST

/* mmap itself failing (seccomp): NULL, errno as it was. */
static int scratch_without_mmap(void *arg)
{
	(void)arg;
#ifdef __NR_mmap
	if (pbt_seccomp_errno(__NR_mmap, -1, ENOMEM) < 0)
		return 77;
#else
	return 77;
#endif
	errno = 4242;
	PBT_REQUIRE(pb__scratch_get(4096) == NULL);
	PBT_REQUIRE(errno == 4242);
	return 0;
}

START_TEST(scratch_mmap_fails)
{
	int st = pbt_run_in_child(scratch_without_mmap, NULL);

	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* ---- lib/internal.h */

START_TEST(internal_sockopt_int)
{
	int fd = pbt_socket("127.0.0.1", SOCK_STREAM, 1), v = -1;

	ck_assert_int_eq(pb__sockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(pb__sockopt_int(fd, SOL_SOCKET, SO_TYPE, &v), 0);
	ck_assert_int_eq(v, SOCK_STREAM);
	close(fd);
	errno = 0;
	ck_assert_int_eq(pb__sockopt_int(fd, SOL_SOCKET, SO_TYPE, &v), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* Every asynchronous signal blocked; the six a fault or seccomp raises
   in the thread itself left deliverable. */
START_TEST(internal_async_signals)
{
	static const int sync_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS };
	sigset_t set;
	int sig;
	size_t i;

	sigemptyset(&set);
	pb__async_signals(&set);
	/* The classic signals (glibc keeps 32 and 33 for itself). */
	for (sig = 1; sig < 32; sig++) {
		int sync = 0;

		for (i = 0; i < PB_ARRAY_SIZE(sync_sigs); i++)
			sync |= sig == sync_sigs[i];
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		ck_assert_msg(sigismember(&set, sig) == !sync, "signal %d", sig);
	}
	ck_assert_int_eq(sigismember(&set, SIGRTMIN), 1);
	ck_assert_int_eq(sigismember(&set, SIGRTMAX), 1);
}
END_TEST

static int close_fd0(void *arg)
{
	int fd;

	(void)arg;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	PBT_REQUIRE(fd >= 0 && dup2(fd, 0) == 0);
	close(fd);
	errno = 4242;
	pb__close_keep_errno(0);
	PBT_REQUIRE(errno == 4242);
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1 && errno == EBADF);
	return 0;
}

START_TEST(internal_close_keep_errno)
{
	int fd = pbt_socket("127.0.0.1", SOCK_STREAM, 0);

	errno = 4242;
	pb__close_keep_errno(fd);
	ck_assert_int_eq(errno, 4242);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	/* Nothing to close: errno as it was. */
	errno = 4242;
	pb__close_keep_errno(-1);
	ck_assert_int_eq(errno, 4242);
	/* A close that fails (already closed) keeps it too. */
	pb__close_keep_errno(fd);
	ck_assert_int_eq(errno, 4242);
	/* Descriptor 0 is a descriptor like any other. */
	ck_assert_int_eq(pbt_run_in_child(close_fd0, NULL), 0);
}
END_TEST

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(internal_now_ms)
{
	struct timespec nap = { 0, 30 * 1000000 };
	int64_t before, now, after;
	int i;

	for (i = 0; i < 5; i++) {
		before = mono_ms();
		now = pb__now_ms();
		after = mono_ms();
		ck_assert_int_le(before, now);
		ck_assert_int_le(now, after);
		ck_assert_int_le(after - before, 1000);
		nanosleep(&nap, NULL);
	}
	before = pb__now_ms();
	nanosleep(&nap, NULL);
	ck_assert_int_ge(pb__now_ms() - before, 30);
}
END_TEST

START_TEST(internal_ret)
{
	errno = 4242;
	ck_assert_int_eq(pb__ret(0), 0);
	ck_assert_int_eq(errno, 4242);
	ck_assert_int_eq(pb__ret(17), 17);
	ck_assert_int_eq(errno, 4242);
	ck_assert_int_eq(pb__ret(-EADDRINUSE), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_int_eq(pb__ret(-1), -1);
	ck_assert_int_eq(errno, 1);
	ck_assert_uint_eq(PB_ARRAY_SIZE((int[7]){ 0 }), 7);
}
END_TEST

Suite *suite_text(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("fmt");

	tcase_add_test(tc, fmt_integers);
	tcase_add_test(tc, fmt_width_and_flags);
	tcase_add_test(tc, fmt_left_beats_zero);
	tcase_add_test(tc, fmt_strings_and_chars);
	tcase_add_test(tc, fmt_unknown_directives);
	tcase_add_test(tc, fmt_truncation);
	tcase_add_test(tc, fmt_huge_width);
	tcase_add_test(tc, fmt_width_precision_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_num");
	tcase_add_test(tc, parse_digits);
	tcase_add_test(tc, parse_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("scratch");
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, scratch_zeroed_and_returned);
	tcase_add_test(tc, scratch_nothing_asked);
	tcase_add_test(tc, scratch_refused);
	tcase_add_test(tc, scratch_mmap_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("internal");
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, internal_sockopt_int);
	tcase_add_test(tc, internal_async_signals);
	tcase_add_test(tc, internal_close_keep_errno);
	tcase_add_test(tc, internal_now_ms);
	tcase_add_test(tc, internal_ret);
	suite_add_tcase(s, tc);
	return s;
}

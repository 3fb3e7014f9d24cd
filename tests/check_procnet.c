/* SPDX-License-Identifier: MIT */
/* check_procnet.c - the /proc/net reader: lines as the kernel writes them,
   malformed lines, and a real dump. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"
#include "procnet.h"

static const char v4_listen[] =
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
	"00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n";
static const char v4_tw[] =
	"   1: 0100007F:1F90 0100007F:AE50 06 00000000:00000000 03:00000FA0 "
	"00000000     0        0 0 3 0000000000000000\n";
static const char v6_listen[] =
	"   0: 00000000000000000000000001000000:0050 "
	"00000000000000000000000000000000:0000 0A 00000000:00000000 "
	"00:00000000 00000000   101        0 777 1 0000000000000000 100 0 0 10 0\n";

START_TEST(parse_v4_listener)
{
	struct pb_sockent e;
	char a[PB_ADDRSTRLEN];

	ck_assert_int_eq(pb__procnet_parse_line(v4_listen, AF_INET, IPPROTO_TCP,
						100, &e), 0);
	ck_assert_int_eq(e.state, PB_TCP_LISTEN);
	ck_assert_uint_eq(e.uid, 1000);
	ck_assert_uint_eq(e.inode, 4242);
	ck_assert_int_eq(e.v6only, -1);
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&e.local,
					sizeof(e.local), a, sizeof(a)), 0);
	/* The kernel prints the address word in host order. */
	if (htonl(1) != 1)
		ck_assert_str_eq(a, "127.0.0.1:8080");
}
END_TEST

START_TEST(parse_v4_time_wait)
{
	struct pb_sockent e;

	ck_assert_int_eq(pb__procnet_parse_line(v4_tw, AF_INET, IPPROTO_TCP,
						100, &e), 0);
	ck_assert_int_eq(e.state, PB_TCP_TIME_WAIT);
	/* 0xFA0 = 4000 ticks of 1/100 s. */
	ck_assert_uint_eq(e.expires_ms, 40000);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&e.remote)->sin_port), 0xAE50);
	ck_assert_int_eq(pb__procnet_parse_line(v4_tw, AF_INET, IPPROTO_UDP,
						100, &e), 0);
	ck_assert_uint_eq(e.expires_ms, 0);
}
END_TEST

START_TEST(parse_v6)
{
	struct pb_sockent e;
	char a[PB_ADDRSTRLEN];

	ck_assert_int_eq(pb__procnet_parse_line(v6_listen, AF_INET6, IPPROTO_TCP,
						100, &e), 0);
	ck_assert_int_eq(e.family, AF_INET6);
	ck_assert_uint_eq(e.inode, 777);
	pb_format_addr((struct sockaddr *)&e.local, sizeof(e.local), a, sizeof(a));
	if (htonl(1) != 1)
		ck_assert_str_eq(a, "[::1]:80");
	/* The family must match the file: a v6 line is not a v4 line. */
	ck_assert_int_eq(pb__procnet_parse_line(v6_listen, AF_INET, IPPROTO_TCP,
						100, &e), -EINVAL);
}
END_TEST

static const char *const bad_lines[] = {
	"",
	"\n",
	"  sl  local_address rem_address   st tx_queue rx_queue\n",
	"   0: 0100007F:1F90\n",
	"   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"   0: 0100007F:FFFFF 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"   0: 0100007F1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0\n",
	"   0: 0100007F:1F90 00000000:0000 1FF 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"x: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	/* No address where one belongs: the fields after would read as a
	   whole row if the missing ones were skipped. */
	"0: 0A 00:00 0A:0 0 0 0 9\n",
	"0: 0100007F:1F90 0A 00:00 0A:0 0 0 0 9\n",
	/* The slot number is decimal. */
	"a: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"A1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	": 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"12 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
};

/* Slot numbers of every decimal digit, with or without the blank the
   kernel puts after the colon. */
START_TEST(parse_slot_numbers)
{
	static const char *const sl[] = { "0", "9", "19", "1234567890", "  99" };
	struct pb_sockent e;
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(sl) / sizeof(sl[0]); i++) {
		snprintf(line, sizeof(line), "%s: 0100007F:1F90 00000000:0000 0A "
			 "0:0 0:0 0 5 0 77\n", sl[i]);
		ck_assert_msg(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 100,
						     &e) == 0, "%s", line);
		ck_assert_uint_eq(e.inode, 77);
		snprintf(line, sizeof(line), "%s:0100007F:1F90 00000000:0000 0A "
			 "0:0 0:0 0 5 0 78\n", sl[i]);
		ck_assert_msg(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 100,
						     &e) == 0, "%s", line);
		ck_assert_uint_eq(e.inode, 78);
		ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&e.local)->sin_port), 0x1F90);
	}
}
END_TEST

START_TEST(parse_rejects_bad_lines)
{
	struct pb_sockent e;

	ck_assert_int_eq(pb__procnet_parse_line(bad_lines[_i], AF_INET,
						IPPROTO_TCP, 100, &e), -EINVAL);
}
END_TEST

/* Every row a walk hands over: how many, and the first few. */
struct rows {
	int n;
	int stop_at;		/* > 0: return -ECANCELED on that row */
	struct pb_sockent e[8];
};

static int collect(const struct pb_sockent *e, void *arg)
{
	struct rows *r = arg;

	if (r->n < 8)
		r->e[r->n] = *e;
	r->n++;
	if (r->stop_at && r->n == r->stop_at)
		return -ECANCELED;
	return r->n % 2;	/* kept and passed over: both read on */
}

START_TEST(dump_real_table)
{
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	unsigned port = pbt_local_port(fd);
	struct pb_portsel sel = { 0, port, port };
	struct rows r;
	struct stat st;

	memset(&r, 0, sizeof(r));
	errno = 0;
	ck_assert_int_eq(pb__procnet_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES,
					  &sel, collect, &r), 0);
	ck_assert_int_eq(errno, 0);
	/* Exactly our listener: the port is the kernel's pick, bound once. */
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(r.e[0].inode, st.st_ino);
	ck_assert_int_eq(r.e[0].state, PB_TCP_LISTEN);
	ck_assert_int_eq(r.e[0].family, AF_INET);
	ck_assert_int_eq(r.e[0].protocol, IPPROTO_TCP);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&r.e[0].local)->sin_port),
			  port);
	/* The state filter and the other protocol: none. */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(pb__procnet_dump(IPPROTO_TCP, AF_INET,
					  1u << PB_TCP_TIME_WAIT, &sel, collect, &r), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_int_eq(pb__procnet_dump(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES,
					  &sel, collect, &r), 0);
	ck_assert_int_eq(r.n, 0);
	/* Remote ports: a listener's is 0, not ours. */
	sel.remote = 1;
	ck_assert_int_eq(pb__procnet_dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES,
					  &sel, collect, &r), 0);
	ck_assert_int_eq(r.n, 0);
	close(fd);
}
END_TEST

/* ---- hex digits, one at a time */

/* A TCP v4 line with this address text and port text. */
static void v4_line(char *buf, size_t size, const char *addr, const char *port,
		    const char *st)
{
	snprintf(buf, size, "   0: %s:%s 00000000:0000 %s 00000000:00000000 "
		 "00:00000000 00000000  1000        0 4242 1 0000000000000000\n",
		 addr, port, st);
}

static uint32_t word0(const struct pb_sockent *e)
{
	uint32_t w;

	memcpy(&w, &((const struct sockaddr_in *)&e->local)->sin_addr, 4);
	return w;
}

/* Every hex digit, each case, at every position, gives its value. */
START_TEST(parse_every_hex_digit)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	struct pb_sockent e;
	char line[256], addr[9];
	size_t i, pos;

	for (i = 0; digits[i]; i++) {
		unsigned v = i < 16 ? (unsigned)i : (unsigned)i - 6;

		for (pos = 0; pos < 8; pos++) {
			memset(addr, '0', 8);
			addr[8] = '\0';
			addr[pos] = digits[i];
			v4_line(line, sizeof(line), addr, "1F90", "0A");
			ck_assert_msg(pb__procnet_parse_line(line, AF_INET,
							     IPPROTO_TCP, 100, &e) == 0,
				      "'%c' at %zu refused", digits[i], pos);
			ck_assert_msg(word0(&e) == (uint32_t)v << (4 * (7 - pos)),
				      "'%c' at %zu: %08x", digits[i], pos,
				      (unsigned)word0(&e));
			/* Four bytes of address, nothing past them. */
			ck_assert_int_eq(memcmp(((struct sockaddr_in *)&e.local)->sin_zero,
						"\0\0\0\0\0\0\0\0", 8), 0);
		}
	}
	v4_line(line, sizeof(line), "FEDCBA98", "1F90", "0A");
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 100,
						&e), 0);
	ck_assert_uint_eq(word0(&e), 0xFEDCBA98u);
	v4_line(line, sizeof(line), "76543210", "1F90", "0A");
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 100,
						&e), 0);
	ck_assert_uint_eq(word0(&e), 0x76543210u);
}
END_TEST

/* The characters just outside each digit range, and others, anywhere
   in the address, make the line invalid. */
START_TEST(parse_refuses_near_digits)
{
	static const char near[] = "/:@G`g \t-xX.\x7f\x80\xff";
	struct pb_sockent e;
	char line[256], addr[9];
	size_t i, pos;

	for (i = 0; near[i]; i++) {
		for (pos = 0; pos < 8; pos++) {
			memcpy(addr, "0100007F", 9);
			addr[pos] = near[i];
			v4_line(line, sizeof(line), addr, "1F90", "0A");
			ck_assert_msg(pb__procnet_parse_line(line, AF_INET,
							     IPPROTO_TCP, 100, &e) == -EINVAL,
				      "0x%02x at %zu taken", (unsigned char)near[i], pos);
		}
	}
}
END_TEST

/* IPv6: 32 digits, four words, each in its place. */
START_TEST(parse_v6_words)
{
	static const char row[] =
		"   3: 0123456789ABCDEFfedcba9876543210:FFFF "
		"00000000000000000000000000000000:0000 0A 00000000:00000000 "
		"00:00000000 00000000 4294967295 0 18446744073709551615 1\n";
	struct pb_sockent e;
	uint32_t w[4];
	char line[256];

	ck_assert_int_eq(pb__procnet_parse_line(row, AF_INET6, IPPROTO_TCP, 100,
						&e), 0);
	memcpy(w, &((struct sockaddr_in6 *)&e.local)->sin6_addr, 16);
	ck_assert_uint_eq(w[0], 0x01234567u);
	ck_assert_uint_eq(w[1], 0x89ABCDEFu);
	ck_assert_uint_eq(w[2], 0xfedcba98u);
	ck_assert_uint_eq(w[3], 0x76543210u);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in6 *)&e.local)->sin6_port), 65535);
	ck_assert_uint_eq(e.uid, 4294967295u);
	ck_assert_uint_eq(e.inode, 18446744073709551615ULL);
	ck_assert_int_eq(e.protocol, IPPROTO_TCP);
	ck_assert_int_eq(e.v6only, -1);
	/* A bad digit in the last word. */
	snprintf(line, sizeof(line), "%s", row);
	line[6 + 31] = 'g';
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET6, IPPROTO_TCP, 100,
						&e), -EINVAL);
	/* And in the remote address. */
	snprintf(line, sizeof(line), "%s", row);
	line[6 + 32 + 6 + 31] = '/';
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET6, IPPROTO_TCP, 100,
						&e), -EINVAL);
}
END_TEST

/* Address lengths other than 8 and 32, the wrong family's length, ports
   past 16 bits, states past 8 bits: refused.  The limits themselves:
   taken. */
START_TEST(parse_lengths_and_limits)
{
	static const struct {
		const char *addr, *port, *st;
		int family, ok;
	} c[] = {
		{ "0100007F", "FFFF", "FF", AF_INET, 1 },
		{ "0100007F", "0", "0", AF_INET, 1 },
		{ "0100007F", "10000", "0A", AF_INET, 0 },
		{ "0100007F", "FFFFFFFFFFFFFFFFFFFF", "0A", AF_INET, 0 },
		{ "0100007F", "", "0A", AF_INET, 0 },
		{ "0100007F", "x", "0A", AF_INET, 0 },
		{ "0100007F", "1F90", "100", AF_INET, 0 },
		{ "0100007F", "1F90", "x", AF_INET, 0 },
		{ "100007F", "1F90", "0A", AF_INET, 0 },
		{ "00100007F", "1F90", "0A", AF_INET, 0 },
		{ "", "1F90", "0A", AF_INET, 0 },
		{ "0100007F", "1F90", "0A", AF_INET6, 0 },
		{ "0000000000000000000000000100000", "1F90", "0A", AF_INET6, 0 },
		{ "000000000000000000000000001000000", "1F90", "0A", AF_INET6, 0 },
		{ "00000000000000000000000001000000", "1F90", "0A", AF_INET, 0 },
		{ "00000000000000000000000001000000", "1F90", "0A", AF_INET6, 1 },
		{ "0000000000000000", "1F90", "0A", AF_INET6, 0 },
	};
	struct pb_sockent e;
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].family == AF_INET6)
			snprintf(line, sizeof(line), "0: %s:%s "
				 "00000000000000000000000000000000:0000 %s 0:0 0:0 0 7 0 9\n",
				 c[i].addr, c[i].port, c[i].st);
		else
			snprintf(line, sizeof(line), "0: %s:%s 00000000:0000 %s "
				 "0:0 0:0 0 7 0 9\n", c[i].addr, c[i].port, c[i].st);
		ck_assert_msg(pb__procnet_parse_line(line, c[i].family, IPPROTO_TCP,
						     100, &e) == (c[i].ok ? 0 : -EINVAL),
			      "case %zu: %s", i, line);
		if (c[i].ok) {
			ck_assert_uint_eq(e.uid, 7);
			ck_assert_uint_eq(e.inode, 9);
		}
	}
	v4_line(line, sizeof(line), "0100007F", "FFFF", "FF");
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_UDP, 100,
						&e), 0);
	ck_assert_int_eq(e.state, 255);
	ck_assert_int_eq(e.protocol, IPPROTO_UDP);
	ck_assert_int_eq(e.family, AF_INET);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&e.local)->sin_port), 65535);
}
END_TEST

/* TIME_WAIT's time left: ticks to ms, for TCP TIME_WAIT only, and only
   with a tick rate to convert by. */
START_TEST(parse_time_wait_expiry)
{
	struct pb_sockent e;
	char line[256];

	snprintf(line, sizeof(line), "1: 0100007F:1F90 0100007F:AE50 06 0:0 "
		 "03:00000FA0 0 0 0 0\n");
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 250,
						&e), 0);
	ck_assert_uint_eq(e.expires_ms, 16000);
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 1, &e), 0);
	ck_assert_uint_eq(e.expires_ms, 4000000);
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 0, &e), 0);
	ck_assert_uint_eq(e.expires_ms, 0);
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, -1, &e), 0);
	ck_assert_uint_eq(e.expires_ms, 0);
	/* Another state with a timer: no expiry. */
	snprintf(line, sizeof(line), "1: 0100007F:1F90 0100007F:AE50 05 0:0 "
		 "03:00000FA0 0 0 0 0\n");
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 100,
						&e), 0);
	ck_assert_uint_eq(e.expires_ms, 0);
	snprintf(line, sizeof(line), "1: 0100007F:1F90 0100007F:AE50 07 0:0 "
		 "03:00000FA0 0 0 0 0\n");
	ck_assert_int_eq(pb__procnet_parse_line(line, AF_INET, IPPROTO_TCP, 100,
						&e), 0);
	ck_assert_uint_eq(e.expires_ms, 0);
}
END_TEST

/* ---- a /proc/net written by hand, in a private mount namespace */


static int in_fake_proc(int (*fn)(void *), void *arg, const char **why)
{
	static const char *const dirs[] = {
		"/proc/net",
		NULL
	};

	return pbt_run_on_tmpfs("/proc", dirs, fn, arg, why);
}

#define PBT_IN_FAKE_PROC(fn, arg) do { \
	const char *why_; \
	int st_ = in_fake_proc((fn), (arg), &why_); \
	if (st_ < 0) \
		PBT_SKIP("%s", why_); \
	ck_assert_int_eq(st_, 0); \
} while (0)

static void put_n(const char *name, const char *text, size_t n)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/net/%s", name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(write(fd, text, n) == (ssize_t)n);
	close(fd);
}

static void put(const char *name, const char *text)
{
	put_n(name, text, strlen(text));
}

static const char header[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
	"retrnsmt   uid  timeout inode\n";

/* A v4 row: local 127.0.0.1:lport, remote 127.0.0.1:rport, state, inode. */
static void row(char *buf, size_t size, unsigned lport, unsigned rport,
		unsigned st, unsigned inode)
{
	snprintf(buf, size, "   0: 0100007F:%04X 0100007F:%04X %02X 00000000:00000000 "
		 "00:00000000 00000000     0        0 %u 1 0000000000000000\n",
		 lport, rport, st, inode);
}

static int dump(int protocol, int family, uint32_t states, int remote,
		unsigned lo, unsigned hi, struct rows *r)
{
	struct pb_portsel sel = { remote, lo, hi };

	memset(r, 0, sizeof(*r));
	return pb__procnet_dump(protocol, family, states, &sel, collect, r);
}

/* Ports at each end of the range, and one past; local or remote. */
static int port_range_child(void *arg)
{
	char text[2048], *p = text;
	struct rows r;
	unsigned ports[] = { 999, 1000, 1001, 1999, 2000, 2001 };
	size_t i;

	(void)arg;
	p += sprintf(p, "%s", header);
	for (i = 0; i < 6; i++) {
		row(p, sizeof(text) - (size_t)(p - text), ports[i], 50000 + (unsigned)i,
		    PB_TCP_LISTEN, 100 + (unsigned)i);
		p += strlen(p);
	}
	put("tcp", text);
	put("tcp6", header);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, 0, 1000, 2000, &r) == 0);
	PBT_REQUIRE(r.n == 4);
	PBT_REQUIRE(r.e[0].inode == 101 && r.e[3].inode == 104);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, 0, 1000, 1000, &r) == 0);
	PBT_REQUIRE(r.n == 1 && r.e[0].inode == 101);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, 1, 50001, 50004, &r) == 0);
	PBT_REQUIRE(r.n == 4 && r.e[0].inode == 101 && r.e[3].inode == 104);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, 1, 1000, 2000, &r) == 0);
	PBT_REQUIRE(r.n == 0);
	/* The IPv6 file only: nothing there. */
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET6, PB__ALL_STATES, 0, 0, 65535, &r) == 0);
	PBT_REQUIRE(r.n == 0);
	/* UDP reads its own files: none here. */
	PBT_REQUIRE(dump(IPPROTO_UDP, AF_UNSPEC, PB__ALL_STATES, 0, 0, 65535, &r) == -ENOENT);
	return 0;
}

START_TEST(fake_port_range)
{
	PBT_IN_FAKE_PROC(port_range_child, NULL);
}
END_TEST

/* States: only the bits asked for; a state past the 32 bits of the mask
   never matches, whatever the mask. */
static int states_child(void *arg)
{
	char text[4096], *p = text;
	unsigned st[] = { 1, 6, 7, 10, 13, 31, 32, 33, 64, 255 };
	struct rows r;
	size_t i;

	(void)arg;
	p += sprintf(p, "%s", header);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		row(p, sizeof(text) - (size_t)(p - text), 80, 0, st[i], 1 + (unsigned)i);
		p += strlen(p);
	}
	put("tcp", text);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 6);
	PBT_REQUIRE(r.e[5].state == 31);
	/* Bit 0 and bit 1: 32 and 64 would alias them on a shift that wraps. */
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, 3u, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 1 && r.e[0].state == 1);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, 1u << 31, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 1 && r.e[0].state == 31);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, (1u << 6) | (1u << 10), 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 2 && r.e[0].state == 6 && r.e[1].state == 10);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, 0, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 0);
	/* No tcp6: no IPv6 here, nothing to list, no error. */
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_UNSPEC, 1u << 7, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 1 && r.e[0].inode == 3);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET6, PB__ALL_STATES, 0, 0, 65535, &r) == -ENOENT);
	return 0;
}

START_TEST(fake_states)
{
	PBT_IN_FAKE_PROC(states_child, NULL);
}
END_TEST

/*
 * Line lengths: the header is skipped; a line longer than any the kernel
 * writes is skipped whole (its tail, a valid row, is not read as one);
 * the longest line that fits is read; a last line without its newline is
 * read; bad lines between good ones are passed over.
 */
static int lines_child(void *arg)
{
	char text[8192], r1[256], *p = text;
	struct rows r;
	size_t n;

	(void)arg;
	p += sprintf(p, "%s", header);
	/* 1: longest that fits: 510 characters and the newline. */
	row(r1, sizeof(r1), 80, 0, 10, 1);
	n = strlen(r1) - 1;
	memcpy(p, r1, n);
	memset(p + n, ' ', 510 - n);
	p += 510;
	*p++ = '\n';
	/* 2: one longer, 511 and the newline, skipped... */
	row(r1, sizeof(r1), 80, 0, 10, 2);
	n = strlen(r1) - 1;
	memcpy(p, r1, n);
	memset(p + n, ' ', 511 - n);
	p += 511;
	*p++ = '\n';
	/* 3: far longer, whose tail past 511 is a row of its own. */
	memset(p, ' ', 600);
	p += 600;
	row(p, 256, 80, 0, 10, 3);
	p += strlen(p);
	/* 4: garbage, then 5: good, then 6: good without a newline. */
	p += sprintf(p, "garbage line\n");
	row(p, 256, 80, 0, 10, 5);
	p += strlen(p);
	row(p, 256, 80, 0, 10, 6);
	p += strlen(p) - 1;
	*p = '\0';
	put("tcp", text);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, 0, 80, 80, &r) == 0);
	if (r.n != 3 || r.e[0].inode != 1 || r.e[1].inode != 5 || r.e[2].inode != 6) {
		fprintf(stderr, "%d rows: %llu %llu %llu\n", r.n, r.e[0].inode,
			r.e[1].inode, r.e[2].inode);
		return 1;
	}
	/* The first line is the header whatever it holds. */
	row(r1, sizeof(r1), 80, 0, 10, 7);
	put("udp", r1);
	PBT_REQUIRE(dump(IPPROTO_UDP, AF_INET, PB__ALL_STATES, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 0);
	/* A line that starts with a NUL, a line with no ':' after its
	   number, a good row, and a last line too long, with no newline. */
	p = text;
	p += sprintf(p, "%s", header);
	*p++ = '\0';
	p += sprintf(p, "junk\n");
	p += sprintf(p, "   0 0100007F:0050 0100007F:0000 0A 0:0 0:0 0 0 0 9\n");
	row(p, 256, 80, 0, 10, 8);
	p += strlen(p);
	memset(p, ' ', 700);
	p += 700;
	row(p, 256, 80, 0, 10, 10);
	p += strlen(p) - 1;
	put_n("udp", text, (size_t)(p - text));
	PBT_REQUIRE(dump(IPPROTO_UDP, AF_INET, PB__ALL_STATES, 0, 80, 80, &r) == 0);
	PBT_REQUIRE(r.n == 1 && r.e[0].inode == 8);
	/* An empty file: no rows, no error. */
	put("udp6", "");
	PBT_REQUIRE(dump(IPPROTO_UDP, AF_INET6, PB__ALL_STATES, 0, 0, 65535, &r) == 0);
	PBT_REQUIRE(r.n == 0);
	return 0;
}

START_TEST(fake_line_lengths)
{
	PBT_IN_FAKE_PROC(lines_child, NULL);
}
END_TEST

/*
 * Files that are missing or cannot be read, and a callback that stops:
 * -ENOENT only when no file of the protocol exists; any other failure is
 * returned at once (the IPv6 file is not read after the IPv4 one
 * failed); errno stays as it was.
 */
static int errors_child(void *arg)
{
	char text[1024];
	struct rows r;

	(void)arg;
	/* Neither file. */
	errno = 1234;
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, 0, 0, 65535, &r) == -ENOENT);
	PBT_REQUIRE(errno == 1234);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET, PB__ALL_STATES, 0, 0, 65535, &r) == -ENOENT);
	/* tcp6 alone. */
	snprintf(text, sizeof(text), "%s   0: 00000000000000000000000001000000:0050 "
		 "00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 66\n", header);
	put("tcp6", text);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, 0, 0, 65535, &r) == 0);
	PBT_REQUIRE(r.n == 1 && r.e[0].inode == 66 && r.e[0].family == AF_INET6);
	/* tcp a directory: read fails, -EIO, and tcp6 is not read. */
	PBT_REQUIRE(mkdir("/proc/net/tcp", 0755) == 0);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, 0, 0, 65535, &r) == -EIO);
	PBT_REQUIRE(r.n == 0);
	PBT_REQUIRE(errno == 1234);
	/* A link that loops: that errno, not -ENOENT. */
	PBT_REQUIRE(symlink("udp", "/proc/net/udp") == 0);
	PBT_REQUIRE(dump(IPPROTO_UDP, AF_INET, PB__ALL_STATES, 0, 0, 65535, &r) == -ELOOP);
	PBT_REQUIRE(symlink("udp6", "/proc/net/udp6") == 0);
	PBT_REQUIRE(dump(IPPROTO_UDP, AF_INET6, PB__ALL_STATES, 0, 0, 65535, &r) == -ELOOP);
	PBT_REQUIRE(rmdir("/proc/net/tcp") == 0);
	/* The callback stops the walk: its value, and no more rows, not
	   even from the other file. */
	snprintf(text, sizeof(text), "%s", header);
	row(text + strlen(text), 200, 80, 0, 10, 1);
	row(text + strlen(text), 200, 80, 0, 10, 2);
	row(text + strlen(text), 200, 80, 0, 10, 3);
	put("tcp", text);
	memset(&r, 0, sizeof(r));
	r.stop_at = 2;
	{
		struct pb_portsel sel = { 0, 0, 65535 };

		PBT_REQUIRE(pb__procnet_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES,
					     &sel, collect, &r) == -ECANCELED);
		PBT_REQUIRE(r.n == 2);
		memset(&r, 0, sizeof(r));
		r.stop_at = 4;
		PBT_REQUIRE(pb__procnet_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES,
					     &sel, collect, &r) == -ECANCELED);
		PBT_REQUIRE(r.n == 4 && r.e[3].family == AF_INET6);
	}
	/* tcp alone (a kernel without IPv6): its rows, and success. */
	PBT_REQUIRE(unlink("/proc/net/tcp6") == 0);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES, 0, 0, 65535, &r) == 0);
	PBT_REQUIRE(r.n == 3 && r.e[2].inode == 3 && r.e[2].family == AF_INET);
	PBT_REQUIRE(dump(IPPROTO_TCP, AF_INET6, PB__ALL_STATES, 0, 0, 65535, &r) == -ENOENT);
	PBT_REQUIRE(r.n == 0);
	PBT_REQUIRE(errno == 1234);
	return 0;
}

START_TEST(fake_missing_and_unreadable)
{
	PBT_IN_FAKE_PROC(errors_child, NULL);
}
END_TEST

Suite *suite_procnet(void)
{
	Suite *s = suite_create("procnet");
	TCase *tc = tcase_create("lines");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, parse_v4_listener);
	tcase_add_test(tc, parse_v4_time_wait);
	tcase_add_test(tc, parse_v6);
	tcase_add_loop_test(tc, parse_rejects_bad_lines, 0,
			    (int)(sizeof(bad_lines) / sizeof(bad_lines[0])));
	tcase_add_test(tc, dump_real_table);
	tcase_add_test(tc, parse_every_hex_digit);
	tcase_add_test(tc, parse_slot_numbers);
	tcase_add_test(tc, parse_refuses_near_digits);
	tcase_add_test(tc, parse_v6_words);
	tcase_add_test(tc, parse_lengths_and_limits);
	tcase_add_test(tc, parse_time_wait_expiry);
	tcase_add_test(tc, fake_port_range);
	tcase_add_test(tc, fake_states);
	tcase_add_test(tc, fake_line_lengths);
	tcase_add_test(tc, fake_missing_and_unreadable);
	suite_add_tcase(s, tc);
	return s;
}

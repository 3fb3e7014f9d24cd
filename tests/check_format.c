/* SPDX-License-Identifier: MIT */
/* check_format.c - the paragraph and the JSON, on diagnoses built by hand
   (every cause) and on real ones. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>

#include "format.h"
#include "testutil.h"

/* ---- a strict little JSON syntax checker: 1 when s is one value */

static const char *json_value(const char *s);

static const char *json_ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static const char *json_string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	for (; *s && *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				int k;

				for (k = 1; k <= 4; k++)
					if (!isxdigit((unsigned char)s[k]))
						return NULL;
				s += 4;
			} else if (!strchr("\"\\/bfnrt", *s) || !*s) {
				return NULL;
			}
		}
	}
	return *s == '"' ? s + 1 : NULL;
}

static const char *json_list(const char *s, char close, int object)
{
	s = json_ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (object) {
			s = json_string(json_ws(s));
			if (!s)
				return NULL;
			s = json_ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = json_value(s);
		if (!s)
			return NULL;
		s = json_ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *s)
{
	s = json_ws(s);
	if (*s == '{')
		return json_list(s, '}', 1);
	if (*s == '[')
		return json_list(s, ']', 0);
	if (*s == '"')
		return json_string(s);
	if (!strncmp(s, "true", 4))
		return s + 4;
	if (!strncmp(s, "false", 5))
		return s + 5;
	if (!strncmp(s, "null", 4))
		return s + 4;
	if (*s == '-' || isdigit((unsigned char)*s)) {
		char *end;

		strtod(s, &end);
		return end;
	}
	return NULL;
}

static int json_ok(const char *s)
{
	const char *end = json_value(s);

	return end && *json_ws(end) == '\0';
}

/* ---- diagnoses built by hand */

static void set_v4(struct sockaddr_storage *ss, const char *ip, unsigned port)
{
	pbt_addr(ss, ip, port);
}

static struct pb_diag base(enum pb_cause cause, int err)
{
	struct pb_diag d = PB_DIAG_INIT;

	d.cause = cause;
	d.err = err;
	d.type = SOCK_STREAM;
	d.reuseaddr_helps = -1;
	d.reuseport_helps = -1;
	d.unprivileged_port_start = -1;
	d.cap_net_bind_service = -1;
	set_v4(&d.addr, "127.0.0.1", 8080);
	return d;
}

static void add_tw(struct pb_diag *d, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct pb_holder *h = &d->holders[d->n_stored];

		if (d->n_stored < PB_DIAG_HOLDERS) {
			memset(h, 0, sizeof(*h));
			h->state = PB_TCP_TIME_WAIT;
			h->protocol = IPPROTO_TCP;
			h->v6only = -1;
			h->expires_ms = 41000 - i;
			set_v4(&h->local, "127.0.0.1", 8080);
			set_v4(&h->remote, "127.0.0.1", 40000 + i);
			d->n_stored++;
		}
		d->n_holders++;
		d->n_time_wait++;
	}
	d->time_wait_ms = 41000;
}

static char *format(const struct pb_diag *d)
{
	int n = pb_diag_format(d, NULL, 0);
	char *buf;

	ck_assert_int_gt(n, 0);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pb_diag_format(d, buf, (size_t)n + 1), n);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	return buf;
}

/* Each needle must appear, in this order. */
static void assert_in_order(const char *text, const char *const *needles)
{
	const char *at = text;

	for (; *needles; needles++) {
		const char *p = strstr(at, *needles);

		ck_assert_msg(p, "\"%s\" missing (or out of order) in: %s",
			      *needles, text);
		at = p + strlen(*needles);
	}
}

START_TEST(time_wait_paragraph)
{
	struct pb_diag d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	static const char *const helps[] = {
		"tcp 127.0.0.1:8080", "EADDRINUSE (98", "TIME_WAIT",
		"TIME_WAIT 127.0.0.1:8080 -> 127.0.0.1:40000", "and 7 more",
		"last expires in 41 s", "Fix: set SO_REUSEADDR", NULL };
	static const char *const waits[] = {
		"tcp 127.0.0.1:8080", "EADDRINUSE", "did not set SO_REUSEADDR: free in 41 s",
		"Fix: wait", NULL };
	char *t;

	add_tw(&d, 10);
	d.reuseaddr_helps = 1;
	t = format(&d);
	assert_in_order(t, helps);
	free(t);
	d.reuseaddr_helps = 0;
	t = format(&d);
	assert_in_order(t, waits);
	free(t);
	{
		char j[4096];

		ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
		/* TIME_WAIT keeps no uid or inode: null, not root's 0. */
		ck_assert_ptr_nonnull(strstr(j, "\"uid\":null,\"inode\":null"));
		ck_assert_ptr_nonnull(strstr(j, "\"expires_ms\":41000"));
	}
}
END_TEST

/* "*:80" and "[::]:80" are different addresses; so is their text. */
START_TEST(dual_stack_address_text)
{
	struct pb_diag d = base(PB_CAUSE_NONE, 0);
	char t[512];

	pbt_addr(&d.addr, "::", 8080);
	d.v6only = 0;
	pb_diag_format(&d, t, sizeof(t));
	ck_assert_msg(strncmp(t, "tcp *:8080:", 11) == 0, "%s", t);
	pb_diag_json(&d, t, sizeof(t));
	ck_assert_ptr_nonnull(strstr(t, "\"address\":\"*:8080\""));
	d.v6only = 1;
	pb_diag_format(&d, t, sizeof(t));
	ck_assert_msg(strncmp(t, "tcp [::]:8080:", 14) == 0, "%s", t);
	/* A real diagnosis: the IPV6_V6ONLY it was judged with, for a
	   dual-stack wildcard and for IPv4, of an address a listener holds
	   (a cause known before the call, not read back from it). */
	{
		int fd = pb_listen("*:0", 1, 0, NULL), fd4;
		char spec[32];

		ck_assert_int_ge(fd, 0);
		snprintf(spec, sizeof(spec), "*:%u", pbt_local_port(fd));
		d = (struct pb_diag)PB_DIAG_INIT;
		ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d),
				 PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.cause, PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.v6only, pbt_have_ipv6() ? 0 : -1);
		pb_diag_format(&d, t, sizeof(t));
		ck_assert_msg(strncmp(t, "tcp ", 4) == 0 && strstr(t, spec) == t + 4,
			      "%s", t);
		fd4 = pb_listen("127.0.0.1:0", 1, 0, NULL);
		ck_assert_int_ge(fd4, 0);
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(fd4));
		d = (struct pb_diag)PB_DIAG_INIT;
		ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d),
				 PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.cause, PB_CAUSE_LISTENER);
		ck_assert_int_eq(d.v6only, -1);
		close(fd4);
		close(fd);
	}
}
END_TEST

START_TEST(every_cause_has_a_fix)
{
	static const struct { enum pb_cause c; int err; const char *words; } rows[] = {
		{ PB_CAUSE_NONE, 0, "can be bound now" },
		{ PB_CAUSE_LISTENER, EADDRINUSE, "listening socket" },
		{ PB_CAUSE_TIME_WAIT, EADDRINUSE, "TIME_WAIT" },
		{ PB_CAUSE_CONNECTED, EADDRINUSE, "open connection" },
		{ PB_CAUSE_BOUND, EADDRINUSE, "bound but not listening" },
		{ PB_CAUSE_PRIVILEGED, EACCES, "ip_unprivileged_port_start = 1024" },
		{ PB_CAUSE_ADDR_NOT_LOCAL, EADDRNOTAVAIL, "not an address of this host" },
		{ PB_CAUSE_PORTS_EXHAUSTED, EADDRNOTAVAIL, "32768-60999 (28232 ports)" },
		{ PB_CAUSE_OTHER, EINVAL, "EINVAL (22" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pb_diag d = base(rows[i].c, rows[i].err);
		char *t, *j;
		int n;

		d.unprivileged_port_start = 1024;
		d.cap_net_bind_service = 0;
		d.port_range_lo = 32768;
		d.port_range_hi = 60999;
		if (rows[i].c == PB_CAUSE_LISTENER) {
			d.n_listen = d.n_holders = d.n_stored = 1;
			d.holders[0].state = PB_TCP_LISTEN;
			d.holders[0].pid = 42;
			snprintf(d.holders[0].comm, sizeof(d.holders[0].comm), "nginx");
			set_v4(&d.holders[0].local, "0.0.0.0", 8080);
		}
		t = format(&d);
		ck_assert_msg(strncmp(t, "tcp 127.0.0.1:8080", 18) == 0, "%s", t);
		ck_assert_msg(strstr(t, rows[i].words), "%s: %s",
			      pb_cause_name(rows[i].c), t);
		if (rows[i].c != PB_CAUSE_NONE)
			ck_assert_msg(strstr(t, "Fix: "), "no fix: %s", t);
		if (rows[i].c == PB_CAUSE_LISTENER)
			ck_assert_ptr_nonnull(strstr(t, "stop pid 42 (nginx)"));
		free(t);

		n = pb_diag_json(&d, NULL, 0);
		ck_assert_int_gt(n, 0);
		j = malloc((size_t)n + 1);
		ck_assert_int_eq(pb_diag_json(&d, j, (size_t)n + 1), n);
		ck_assert_msg(json_ok(j), "bad JSON: %s", j);
		{
			char want[64];

			snprintf(want, sizeof(want), "\"cause\":\"%s\"",
				 pb_cause_name(rows[i].c));
			ck_assert_msg(strstr(j, want), "%s not in %s", want, j);
		}
		free(j);
	}
}
END_TEST

START_TEST(snprintf_contract)
{
	struct pb_diag d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	char small[16], big[2048];
	int n;

	add_tw(&d, 3);
	n = pb_diag_format(&d, big, sizeof(big));
	ck_assert_int_gt(n, 16);
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(pb_diag_format(&d, small, sizeof(small)), n);
	ck_assert_int_eq(small[15], '\0');
	ck_assert(strncmp(small, big, 15) == 0);
	ck_assert_int_eq(pb_diag_json(&d, small, sizeof(small)), (int)pb_diag_json(&d, NULL, 0));
	ck_assert_int_eq(small[15], '\0');

	errno = 0;
	ck_assert_int_eq(pb_diag_format(NULL, big, sizeof(big)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_diag_format(&d, NULL, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	d.size = 0;
	errno = 0;
	ck_assert_int_eq(pb_diag_json(&d, big, sizeof(big)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A command name with quotes and control bytes still makes valid JSON. */
START_TEST(json_escapes)
{
	struct pb_diag d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	char j[4096];

	d.n_listen = d.n_holders = d.n_stored = 1;
	d.holders[0].state = PB_TCP_LISTEN;
	d.holders[0].pid = 7;
	memcpy(d.holders[0].comm, "a\"b\\c\td\x01", 9);
	set_v4(&d.holders[0].local, "0.0.0.0", 8080);
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	/* Quotes and backslashes are escaped; control bytes do not pass. */
	ck_assert_ptr_nonnull(strstr(j, "\"command\":\"a\\\"b\\\\c?d?\""));
}
END_TEST

/* A process picks its own name: it must not break the one-line paragraph,
   reach a terminal as escapes, or make JSON that is not UTF-8. */
START_TEST(hostile_command_names)
{
	static const char *const names[] = {
		"x\nFix: rm -rf /", "\033[31mRED\033[0m", "\xff\xfe\xc3", "\r\t\b",
	};
	size_t i, k;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct pb_diag d = base(PB_CAUSE_LISTENER, EADDRINUSE);
		char t[2048], j[4096];

		d.n_listen = d.n_holders = d.n_stored = 1;
		d.holders[0].state = PB_TCP_LISTEN;
		d.holders[0].pid = 9;
		snprintf(d.holders[0].comm, sizeof(d.holders[0].comm), "%s", names[i]);
		set_v4(&d.holders[0].local, "0.0.0.0", 8080);
		pb_diag_format(&d, t, sizeof(t));
		pb_diag_json(&d, j, sizeof(j));
		for (k = 0; t[k]; k++)
			ck_assert_msg((unsigned char)t[k] >= 0x20 &&
				      (unsigned char)t[k] < 0x7f,
				      "byte 0x%02x in text", (unsigned char)t[k]);
		for (k = 0; j[k]; k++)
			ck_assert_msg((unsigned char)j[k] >= 0x20 &&
				      (unsigned char)j[k] < 0x7f,
				      "byte 0x%02x in JSON", (unsigned char)j[k]);
		ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	}
}
END_TEST

/* errnos are worded by the library's own table (strerror may allocate
   through gettext): the words glibc gives in the C locale, so the text
   reads as it did.  An errno outside the table: its number only. */
START_TEST(errno_words)
{
	static const int errs[] = {
		EADDRINUSE, EADDRNOTAVAIL, EACCES, EPERM, EINVAL, EAFNOSUPPORT,
		ENOPROTOOPT, EPROTONOSUPPORT, EOPNOTSUPP, EMFILE, ENFILE, ENOBUFS,
		ENOMEM, ENODEV, EBADF, ENOTSOCK, ECONNREFUSED, ETIMEDOUT,
		ENETUNREACH, EHOSTUNREACH, EISCONN, EINPROGRESS, EALREADY, EAGAIN,
		EINTR, ENOENT, EFAULT, ENOSYS, ENOTDIR, EROFS, ELOOP, ENAMETOOLONG,
		EPROTOTYPE, ENETDOWN, ECONNRESET, EPIPE, ENOTCONN, EPROTO, ENOSPC,
		EIO,
	};
	char t[2048], want[160];
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct pb_diag d = base(PB_CAUSE_OTHER, errs[i]);

		/* The first 25 have a name: "EADDRINUSE (98, words)". */
		snprintf(want, sizeof(want), i < 25 ? "(%d, %s): " : "errno %d (%s): ",
			 errs[i], strerror(errs[i]));
		pb_diag_format(&d, t, sizeof(t));
		ck_assert_msg(strstr(t, want), "\"%s\" not in %s", want, t);
	}
	{
		struct pb_diag d = base(PB_CAUSE_OTHER, 4000);

		pb_diag_format(&d, t, sizeof(t));
		ck_assert_msg(strstr(t, "tcp 127.0.0.1:8080: errno 4000: not a port conflict"),
			      "%s", t);
	}
}
END_TEST

/* The JSON message is the paragraph, escaped: written straight into the
   string rather than copied through a buffer. */
START_TEST(json_message_is_the_paragraph)
{
	struct pb_diag d = base(PB_CAUSE_CONNECTED, EADDRINUSE);
	char t[2048], j[4096], u[2048];
	const char *m;
	size_t k = 0;

	d.n_connected = d.n_holders = d.n_stored = 1;
	d.reuseaddr_helps = 0;
	d.holders[0].state = PB_TCP_ESTABLISHED;
	d.holders[0].pid = 12;
	memcpy(d.holders[0].comm, "q\"uo\\te", 8);
	set_v4(&d.holders[0].local, "127.0.0.1", 8080);
	set_v4(&d.holders[0].remote, "127.0.0.1", 40000);
	pb_diag_format(&d, t, sizeof(t));
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	m = strstr(j, "\"message\":\"");
	ck_assert_ptr_nonnull(m);
	for (m += 11; *m && *m != '"' && k + 1 < sizeof(u); m++) {
		if (*m == '\\')
			m++;
		u[k++] = *m;
	}
	u[k] = '\0';
	ck_assert_str_eq(u, t);
	ck_assert_ptr_nonnull(strstr(t, "pid 12 (q\"uo\\te)"));
	/* Measured without a buffer, as snprintf would. */
	ck_assert_int_eq(pb_diag_json(&d, NULL, 0), (int)strlen(j));
}
END_TEST

/* The "message" of a JSON object, unescaped into u (\uXXXX: ASCII only,
   as the library writes it); 0 when there is none or it does not fit. */
static int json_message(const char *j, char *u, size_t size)
{
	const char *m = strstr(j, ",\"message\":\"");
	size_t k = 0;

	if (!m)
		return 0;
	for (m += 12; *m && *m != '"'; m++) {
		char c = *m;

		if (c == '\\') {
			m++;
			if (*m == 'u') {
				c = (char)strtol((char[]){ m[1], m[2], m[3], m[4], 0 },
						 NULL, 16);
				m += 4;
			} else {
				c = *m;
			}
		}
		if (k + 1 >= size)
			return 0;
		u[k++] = c;
	}
	u[k] = '\0';
	return *m == '"';
}

/* The JSON of d: valid, printable ASCII, and its message the paragraph. */
static void assert_json_of(const struct pb_diag *d)
{
	static char t[8192], j[16384], u[8192];
	int n = pb_diag_json(d, j, sizeof(j));
	size_t k;

	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)sizeof(j));
	ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	for (k = 0; j[k] >= 0x20 && j[k] < 0x7f; k++)
		;
	ck_assert_msg(!j[k], "byte %d in %s", j[k], j);
	ck_assert_int_eq(pb_diag_json(d, NULL, 0), n);
	ck_assert_int_gt(pb_diag_format(d, t, sizeof(t)), 0);
	ck_assert_msg(json_message(j, u, sizeof(u)), "no message: %s", j);
	ck_assert_str_eq(u, t);
}

/*
 * Issue 13 (review): the message of a refused argument was not escaped.
 * Before, put_spec wrote its quotes bare and the PB_INVALID_SPEC fix
 * quoted its sample specs bare: every refused spec made invalid JSON.
 * Now every byte of the message is escaped, for every PB_INVALID_* and
 * every spec, whoever filled spec[] (a helper, or the caller itself with
 * quotes, backslashes, control and 8-bit bytes and no NUL).
 */
START_TEST(json_refused_arguments)
{
	static const char *const specs[] = {
		"", "127.0.0.1:99999", "bo\"gus\\", "\"", "\\", "\\\"\\u0022",
		"a\001b\037c\177d", "\x80\xff\xc3\xa9:80", "[::1]:\"80\"",
	};
	struct pb_diag d;
	int inv;
	size_t i;

	for (inv = PB_INVALID_SPEC; inv <= PB_INVALID_RANGE; inv++) {
		for (i = 0; i < sizeof(specs) / sizeof(specs[0]) + 2; i++) {
			d = base(PB_CAUSE_OTHER, EINVAL);
			d.invalid = inv;
			memset(&d.addr, 0, sizeof(d.addr));
			if (i < sizeof(specs) / sizeof(specs[0]))
				snprintf(d.spec, sizeof(d.spec), "%s", specs[i]);
			else if (i == sizeof(specs) / sizeof(specs[0]))
				memset(d.spec, '"', sizeof(d.spec)); /* no NUL */
			else
				memset(d.spec, 0xff, sizeof(d.spec));
			if (inv == PB_INVALID_RANGE) {
				d.port_range_lo = 9;
				d.port_range_hi = 3;
			}
			assert_json_of(&d);
			/* With an address and a peer too. */
			set_v4(&d.addr, "127.0.0.1", 8080);
			set_v4(&d.peer, "127.0.0.2", 80);
			assert_json_of(&d);
		}
	}
	/* And as the helpers fill it. */
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		d = (struct pb_diag)PB_DIAG_INIT;
		ck_assert_int_eq(pb_listen(specs[i], 1, 0, &d), -1);
		ck_assert_int_eq(d.invalid, PB_INVALID_SPEC);
		assert_json_of(&d);
		d = (struct pb_diag)PB_DIAG_INIT;
		ck_assert_int_eq(pb_bind_udp(specs[i], 0x80000000u, &d), -1);
		assert_json_of(&d);
	}
}
END_TEST

/* A NULL spec is no spec: said so, not quoted as "" (issue 13, review). */
START_TEST(null_spec_is_no_spec)
{
	struct pb_diag d = PB_DIAG_INIT;
	char t[1024], j[4096];

	ck_assert_int_eq(pb_listen(NULL, 1, 0, &d), -1);
	ck_assert_int_gt(pb_diag_format(&d, t, sizeof(t)), 0);
	ck_assert_msg(!strncmp(t, "tcp: no address spec (NULL or \"\"): EINVAL", 41),
		      "%s", t);
	ck_assert_ptr_null(strstr(t, "address spec \"\""));
	ck_assert_int_gt(pb_diag_json(&d, j, sizeof(j)), 0);
	ck_assert_ptr_nonnull(strstr(j, ",\"spec\":null,\"invalid\":\"spec\","));
	assert_json_of(&d);
}
END_TEST

/* A small deterministic generator (xorshift32) for the random diagnoses. */
static unsigned next_rand(unsigned *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Random diagnoses, refused arguments and hostile specs among them: the
 * JSON is always valid and its message always the paragraph.  On the old
 * code the first struct with invalid set and a spec failed.
 */
START_TEST(json_random_diagnoses)
{
	static const int fams[] = { 0, AF_INET, AF_INET6, AF_UNIX };
	struct pb_diag *d = malloc(sizeof(*d));
	unsigned x = 0x2545f491u, it, i;

	ck_assert_ptr_nonnull(d);
	for (it = 0; it < 2000; it++) {
		unsigned char *p = (unsigned char *)d;

		for (i = 0; i < sizeof(*d); i++)
			p[i] = (unsigned char)next_rand(&x);
		d->size = sizeof(*d);
		d->flags &= PB_DIAG_FLAGS_ALL;
		d->n_stored %= PB_DIAG_HOLDERS + 1;
		d->cause = (enum pb_cause)(next_rand(&x) % 10);
		d->type = next_rand(&x) % 2 ? SOCK_STREAM : SOCK_DGRAM;
		d->err = (int)(next_rand(&x) % 150) - 10;	/* negative too */
		d->invalid = (int)(next_rand(&x) % (PB_INVALID_RANGE + 1));
		d->addr.ss_family = (sa_family_t)fams[next_rand(&x) % 4];
		d->peer.ss_family = (sa_family_t)fams[next_rand(&x) % 4];
		if (!d->invalid && d->addr.ss_family != AF_INET &&
		    d->addr.ss_family != AF_INET6)
			d->addr.ss_family = AF_INET;
		if (next_rand(&x) % 4 == 0)
			d->spec[0] = '\0';
		else if (next_rand(&x) % 2)	/* a spec of '"' and '\\' */
			for (i = 0; i + 1 < sizeof(d->spec); i++)
				d->spec[i] = next_rand(&x) % 2 ? '"' : '\\';
		for (i = 0; i < PB_DIAG_HOLDERS; i++) {
			d->holders[i].local.ss_family = (sa_family_t)fams[next_rand(&x) % 3];
			d->holders[i].remote.ss_family = (sa_family_t)fams[next_rand(&x) % 3];
			d->holders[i].state = (int)(next_rand(&x) % 13);
			d->holders[i].protocol = next_rand(&x) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		}
		assert_json_of(d);
	}
	free(d);
}
END_TEST

/* PB_DIAG_INIT alone is initialised but says nothing: refused. */
START_TEST(unfilled_is_refused)
{
	struct pb_diag d = PB_DIAG_INIT;
	char t[256];

	errno = 0;
	ck_assert_int_eq(pb_diag_format(&d, t, sizeof(t)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_diag_json(&d, t, sizeof(t)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A real diagnosis of a real listener, both renderings. */
START_TEST(real_listener)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	char spec[64], text[2048], j[4096], want[96];

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(fd));
	d.flags = PB_DIAG_OWNERS;
	ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d), PB_CAUSE_LISTENER);
	pb_diag_format(&d, text, sizeof(text));
	snprintf(want, sizeof(want), "LISTEN %s uid %u pid %d", spec,
		 (unsigned)getuid(), (int)getpid());
	ck_assert_msg(strstr(text, want), "\"%s\" not in %s", want, text);
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	snprintf(want, sizeof(want), "\"pid\":%d", (int)getpid());
	ck_assert_ptr_nonnull(strstr(j, want));
	ck_assert_ptr_nonnull(strstr(j, "\"sources\":[\"probe\",\"netlink\",\"owners\"]"));
	close(fd);
}
END_TEST

/* ---- whom the fix is for */

static const char *const reader_names[] = { "author", "operator", "shim" };

/* The paragraph for one reader, in a buffer the caller frees: the
   author's and the operator's through pb_diag_format (the request bit
   chooses), the shim's through the internal entry it calls. */
static char *format_for(struct pb_diag *d, int reader)
{
	unsigned flags = d->flags;
	char *buf;
	int n;

	if (reader == PB__READER_OPERATOR)
		d->flags |= PB_DIAG_OPERATOR;
	else
		d->flags &= ~PB_DIAG_OPERATOR;
	n = reader == PB__READER_SHIM ? pb__diag_format_for(d, reader, NULL, 0)
				      : pb_diag_format(d, NULL, 0);
	ck_assert_int_gt(n, 0);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	if (reader == PB__READER_SHIM)
		ck_assert_int_eq(pb__diag_format_for(d, reader, buf, (size_t)n + 1), n);
	else
		ck_assert_int_eq(pb_diag_format(d, buf, (size_t)n + 1), n);
	d->flags = flags;
	return buf;
}

/* The text for reader holds want. */
static void expect_text(struct pb_diag *d, int reader, const char *want)
{
	char *t = format_for(d, reader);

	ck_assert_msg(strstr(t, want), "want \"%s\" in: %s", want, t);
	free(t);
}

static void add_holder(struct pb_diag *d, int state, unsigned uid)
{
	struct pb_holder *h = &d->holders[d->n_stored++];

	memset(h, 0, sizeof(*h));
	h->state = state;
	h->protocol = d->type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
	h->v6only = -1;
	h->uid = uid;
	h->inode = 4711;
	h->pid = 812;
	snprintf(h->comm, sizeof(h->comm), "nginx");
	set_v4(&h->local, "127.0.0.1", 8080);
	if (state == PB_TCP_ESTABLISHED)
		set_v4(&h->remote, "127.0.0.1", 40000);
	d->n_holders++;
	switch (state) {
	case PB_TCP_LISTEN:
		d->n_listen++;
		break;
	case PB_TCP_ESTABLISHED:
		d->n_connected++;
		break;
	default:
		d->n_bound++;
		break;
	}
}

/* Every cause, with every answer the probes can give, as each reader
   reads it: one fix, and for the operator and the shim's reader nothing
   they would have to write a program for (no library call or flag). */
START_TEST(every_cause_for_every_reader)
{
	static const struct { enum pb_cause c; int err, type, state; } rows[] = {
		{ PB_CAUSE_NONE, 0, SOCK_STREAM, 0 },
		{ PB_CAUSE_LISTENER, EADDRINUSE, SOCK_STREAM, PB_TCP_LISTEN },
		{ PB_CAUSE_TIME_WAIT, EADDRINUSE, SOCK_STREAM, PB_TCP_TIME_WAIT },
		{ PB_CAUSE_CONNECTED, EADDRINUSE, SOCK_STREAM, PB_TCP_ESTABLISHED },
		{ PB_CAUSE_BOUND, EADDRINUSE, SOCK_STREAM, PB_TCP_CLOSE },
		{ PB_CAUSE_BOUND, EADDRINUSE, SOCK_DGRAM, PB_TCP_CLOSE },
		{ PB_CAUSE_PRIVILEGED, EACCES, SOCK_STREAM, 0 },
		{ PB_CAUSE_ADDR_NOT_LOCAL, EADDRNOTAVAIL, SOCK_STREAM, 0 },
		{ PB_CAUSE_PORTS_EXHAUSTED, EADDRNOTAVAIL, SOCK_STREAM, 0 },
		{ PB_CAUSE_PORTS_EXHAUSTED, EADDRINUSE, SOCK_STREAM, 0 },
		{ PB_CAUSE_OTHER, EADDRINUSE, SOCK_STREAM, 0 },
		{ PB_CAUSE_OTHER, EINVAL, SOCK_STREAM, 0 },
		{ PB_CAUSE_OTHER, EMFILE, SOCK_STREAM, 0 },
		{ PB_CAUSE_OTHER, ENOPROTOOPT, SOCK_STREAM, 0 },
	};
	size_t i;
	int rah, rp, reader, cap;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
	for (rah = -1; rah <= 1; rah++)
	for (rp = -1; rp <= 1; rp++)
	for (cap = 0; cap <= 1; cap++)
	for (reader = PB__READER_AUTHOR; reader <= PB__READER_SHIM; reader++) {
		struct pb_diag d = base(rows[i].c, rows[i].err);
		char *t;

		d.type = rows[i].type;
		d.reuseaddr_helps = rah;
		d.reuseport_helps = rp;
		d.unprivileged_port_start = 1024;
		d.cap_net_bind_service = cap;
		d.port_range_lo = 32768;
		d.port_range_hi = 60999;
		if (rows[i].state == PB_TCP_TIME_WAIT)
			add_tw(&d, 2);
		else if (rows[i].state)
			add_holder(&d, rows[i].state, (unsigned)geteuid());
		t = format_for(&d, reader);
		if (rows[i].c != PB_CAUSE_NONE)
			ck_assert_msg(strstr(t, " Fix: ") &&
				      strstr(strstr(t, " Fix: ") + 1, " Fix: ") == NULL,
				      "%s, %s: not one fix: %s",
				      pb_cause_name(rows[i].c), reader_names[reader], t);
		if (reader != PB__READER_AUTHOR)
			ck_assert_msg(!strstr(t, "pb_") && !strstr(t, "PB_"),
				      "%s (%s, reuseaddr %d, reuseport %d): an API"
				      " call for someone who cannot make one: %s",
				      reader_names[reader], pb_cause_name(rows[i].c),
				      rah, rp, t);
		/* A sentence starts with a capital. */
		ck_assert_msg(!strstr(t, ". whether") && !strstr(t, ". the"),
			      "%s: %s", reader_names[reader], t);
		/* The shim's reader runs an unmodified program: its
		   options are not theirs to set. */
		if (reader == PB__READER_SHIM)
			ck_assert_msg(!strstr(t, "set SO_REUSEADDR in") &&
				      !strstr(t, "set SO_REUSEPORT in") &&
				      !strstr(t, "Fix: set SO_"),
				      "shim: %s", t);
		free(t);
	}
}
END_TEST

/* Finding 4 of issue 12: under the shim the TIME_WAIT fix named
   pb_listen_wait and SO_REUSEADDR in the server, which a person running
   an unmodified program can do neither of. */
START_TEST(time_wait_for_each_reader)
{
	struct pb_diag d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	static const char *const author[] = {
		"did not set SO_REUSEADDR: free in 41 s",
		"Fix: wait (pb_listen_wait waits exactly that long), and set"
		" SO_REUSEADDR in the server", NULL };
	static const char *const operator[] = {
		"did not set SO_REUSEADDR: free in 41 s",
		"Fix: wait before starting the server: portbind-why --wait 65"
		" 127.0.0.1:8080 && exec the server.",
		"LD_PRELOAD=libportbind-preload.so", NULL };
	static const char *const shim[] = {
		"did not set SO_REUSEADDR: free in 41 s",
		"Fix: start the program with PORTBIND_WAIT=65 in its environment:"
		" bind then waits until they expire.", NULL };
	static const char *const shim_helps[] = {
		"a server that sets SO_REUSEADDR binds now.",
		"This program did not set SO_REUSEADDR",
		"Fix: start the program with PORTBIND_WAIT=65", NULL };
	static const char *const operator_helps[] = {
		"a server that sets SO_REUSEADDR binds now.",
		"Fix: start the server now if it sets SO_REUSEADDR",
		"portbind-why --wait 65 127.0.0.1:8080.", NULL };
	char *t;

	add_tw(&d, 3);
	d.reuseaddr_helps = 0;
	t = format_for(&d, PB__READER_AUTHOR);
	assert_in_order(t, author);
	free(t);
	t = format_for(&d, PB__READER_OPERATOR);
	assert_in_order(t, operator);
	free(t);
	t = format_for(&d, PB__READER_SHIM);
	assert_in_order(t, shim);
	ck_assert_msg(!strstr(t, "pb_listen_wait"), "%s", t);
	free(t);
	d.reuseaddr_helps = 1;
	t = format_for(&d, PB__READER_SHIM);
	assert_in_order(t, shim_helps);
	free(t);
	t = format_for(&d, PB__READER_OPERATOR);
	assert_in_order(t, operator_helps);
	ck_assert_msg(!strstr(t, "pb_bind_reuse"), "%s", t);
	free(t);

	/* The address as a shell takes it: "*:P" as the bare port, a
	   bracketed one quoted. */
	d.reuseaddr_helps = 0;
	pbt_addr(&d.addr, "::", 8080);
	d.v6only = 0;
	expect_text(&d, PB__READER_OPERATOR, "portbind-why --wait 65 8080 && exec");
	pbt_addr(&d.addr, "::1", 8080);
	d.v6only = 1;
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_msg(strstr(t, "portbind-why --wait 65 '[::1]:8080' && exec"),
		      "%s", t);
	free(t);
}
END_TEST

/* Finding 2 of issue 12: a listener that set SO_REUSEPORT was met with
   "SO_REUSEADDR never passes a listener. Fix: stop the process". */
START_TEST(reuseport_listener)
{
	struct pb_diag d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	static const char *const author[] = {
		"SO_REUSEADDR never passes a listener, but this one set"
		" SO_REUSEPORT: a new listener of uid ", " on 127.0.0.1:8080 with"
		" SO_REUSEPORT binds beside it now, and new connections are then"
		" spread over both",
		"Fix: to start a new server beside it", "let it listen on"
		" 127.0.0.1:8080, the holder's address, with SO_REUSEPORT"
		" (PB_REUSEPORT), then stop the old one (net.ipv4.tcp_migrate_req=1"
		" moves its queued connections instead of resetting them); else"
		" stop pid 812 (nginx), or choose another port.", NULL };
	static const char *const operator[] = {
		"but this one set SO_REUSEPORT",
		"Fix: a server of uid ", " that listens on 127.0.0.1:8080, the"
		" holder's address, with SO_REUSEPORT can start beside it now",
		"else stop pid 812 (nginx)", NULL };
	static const char *const shim[] = {
		"but this one set SO_REUSEPORT",
		"Fix: this program did not set SO_REUSEPORT, and the shim never"
		" sets it: stop pid 812 (nginx), or give the program another port.",
		NULL };
	char *t, want[160], j[4096];

	add_holder(&d, PB_TCP_LISTEN, (unsigned)geteuid());
	d.reuseaddr_helps = 0;
	d.reuseport_helps = 1;
	t = format_for(&d, PB__READER_AUTHOR);
	assert_in_order(t, author);
	ck_assert_msg(!strstr(t, "never passes a listener. Fix: stop"), "%s", t);
	free(t);
	t = format_for(&d, PB__READER_OPERATOR);
	assert_in_order(t, operator);
	free(t);
	t = format_for(&d, PB__READER_SHIM);
	assert_in_order(t, shim);
	free(t);
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_msg(strstr(j, "\"reuseport_helps\":true,\"spec\":null,"
			     "\"invalid\":null,\"message\":"), "%s", j);

	d.reuseport_helps = 0;
	expect_text(&d, PB__READER_AUTHOR, "SO_REUSEADDR never passes a listener, and"
		    " SO_REUSEPORT does not pass this one (it passes"
		    " only a listener that set it too, of the same"
		    " user). Fix: stop pid 812 (nginx)");
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_ptr_nonnull(strstr(j, "\"reuseport_helps\":false,"));

	/* The probe speaks for this process's user: for another user's
	   holder, what that user's server would meet is not known. */
	d.holders[0].uid = (unsigned)geteuid() + 1;
	snprintf(want, sizeof(want), "and SO_REUSEPORT does not pass this one"
		 " for this user; whether it would for uid %u, the holder's, is"
		 " not known: ask as that user. Fix:", (unsigned)geteuid() + 1);
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_msg(strstr(t, want), "\"%s\" not in %s", want, t);
	free(t);
	/* The author cannot "ask as that user" from inside a program: the
	   command that asks is named. */
	snprintf(want, sizeof(want), "whether it would for uid %u, the holder's,"
		 " is not known: portbind-why --reuseport, run as uid %u, tells."
		 " Fix:", (unsigned)geteuid() + 1, (unsigned)geteuid() + 1);
	t = format_for(&d, PB__READER_AUTHOR);
	ck_assert_msg(strstr(t, want) && !strstr(t, "ask as"), "\"%s\" not in %s",
		      want, t);
	free(t);
	d.reuseport_helps = -1;
	snprintf(want, sizeof(want), "whether SO_REUSEPORT would pass it is not"
		 " known (the holder belongs to uid %u", (unsigned)geteuid() + 1);
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_msg(strstr(t, want), "\"%s\" not in %s", want, t);
	free(t);
	snprintf(want, sizeof(want), "only a socket of that user can share its"
		 " port: portbind-why --reuseport, run as uid %u, tells). Fix:",
		 (unsigned)geteuid() + 1);
	t = format_for(&d, PB__READER_AUTHOR);
	ck_assert_msg(strstr(t, want) && !strstr(t, "ask as"), "\"%s\" not in %s",
		      want, t);
	free(t);
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_ptr_nonnull(strstr(j, "\"reuseport_helps\":null,"));
	ck_assert_msg(json_ok(j), "bad JSON: %s", j);
}
END_TEST

/* Review of issue 12, 1: a reuseport listener on 0.0.0.0:8080 asked about
   as "*:8080" (a dual-stack [::]): a new listener there binds, but forms
   its own group, and every IPv4 connection keeps going to the old one.
   The text promised a spread and a restart that refuses nothing. */
START_TEST(reuseport_group_is_the_holders_address)
{
	struct pb_diag d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	static const char *const other_author[] = {
		"but this one set SO_REUSEPORT: a socket of uid 1000 with"
		" SO_REUSEPORT binds *:8080 beside it now, but the connections the"
		" holder takes stay with it: the kernel spreads connections only"
		" among listeners on the same address in the same family"
		" (0.0.0.0:8080)",
		"Fix: to start a new server beside it (a restart that refuses no"
		" connection), let it listen on 0.0.0.0:8080, the holder's address,"
		" with SO_REUSEPORT (PB_REUSEPORT)", NULL };
	static const char *const same_operator[] = {
		"but this one set SO_REUSEPORT: a new listener of uid 1000 on"
		" 0.0.0.0:8080 with SO_REUSEPORT binds beside it now, and new"
		" connections are then spread over both",
		"Fix: a server of uid 1000 that listens on 0.0.0.0:8080, the"
		" holder's address, with SO_REUSEPORT can start beside it now", NULL };
	char *t;
	int reader;

	pbt_addr(&d.addr, "::", 8080);
	d.v6only = 0;
	add_holder(&d, PB_TCP_LISTEN, 1000);
	set_v4(&d.holders[0].local, "0.0.0.0", 8080);
	d.reuseaddr_helps = 0;
	d.reuseport_helps = 1;
	for (reader = PB__READER_AUTHOR; reader <= PB__READER_SHIM; reader++) {
		t = format_for(&d, reader);
		ck_assert_msg(!strstr(t, "spread over both") &&
			      strstr(t, "the connections the holder takes stay with it"),
			      "%s: %s", reader_names[reader], t);
		if (reader == PB__READER_AUTHOR)
			assert_in_order(t, other_author);
		free(t);
	}
	/* A dual-stack [::] holder asked about as "[::]:8080" IPv6-only:
	   another group too. */
	pbt_addr(&d.holders[0].local, "::", 8080);
	d.holders[0].v6only = 0;
	d.v6only = 1;
	expect_text(&d, PB__READER_OPERATOR, "binds [::]:8080 beside it now, but the"
		    " connections the holder takes stay with it:");
	/* ... and as "*:8080": the same group. */
	d.v6only = 0;
	expect_text(&d, PB__READER_OPERATOR, "a new listener of uid 1000 on *:8080 with"
		    " SO_REUSEPORT binds beside it now, and new"
		    " connections are then spread over both");
	/* The holder's own IPv4 address: the same group. */
	set_v4(&d.addr, "0.0.0.0", 8080);
	d.v6only = -1;
	set_v4(&d.holders[0].local, "0.0.0.0", 8080);
	d.holders[0].v6only = -1;
	t = format_for(&d, PB__READER_OPERATOR);
	assert_in_order(t, same_operator);
	free(t);
	/* 127.0.0.1 beside a 0.0.0.0 holder: another group. */
	set_v4(&d.addr, "127.0.0.1", 8080);
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_msg(strstr(t, "binds 127.0.0.1:8080 beside it now, but the"
			     " connections the holder takes stay with it") && !strstr(t, "spread over both"), "%s", t);
	free(t);
}
END_TEST

/* Review of issue 12, 5: the author and the shim's reader were told to
   "ask as root" or "ask as that user", which they cannot do from where
   they read; and the shim's reader, who cannot set SO_REUSEPORT, read
   about it when it does not help. */
START_TEST(advice_they_can_act_on)
{
	static const enum pb_cause causes[] = {
		PB_CAUSE_LISTENER, PB_CAUSE_CONNECTED, PB_CAUSE_BOUND };
	static const int states[] = {
		PB_TCP_LISTEN, PB_TCP_ESTABLISHED, PB_TCP_CLOSE };
	unsigned other = (unsigned)geteuid() + 1;
	size_t i;
	int rp, reader;

	for (i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
	for (rp = -1; rp <= 1; rp++)
	for (reader = PB__READER_AUTHOR; reader <= PB__READER_SHIM; reader++) {
		struct pb_diag d = base(causes[i], EADDRINUSE);
		char *t;

		add_holder(&d, states[i], other);
		d.holders[0].pid = 0;	/* the owner is not readable */
		d.flags |= PB_DIAG_OWNERS;
		d.reuseaddr_helps = 0;
		d.reuseport_helps = rp;
		t = format_for(&d, reader);
		if (reader != PB__READER_OPERATOR) {
			ck_assert_msg(!strstr(t, "ask as"), "%s, reuseport %d: %s",
				      reader_names[reader], rp, t);
			ck_assert_msg(strstr(t, "its owner is not readable by this"
					     " user: portbind-why -p, run as"
					     " root, names it)"),
				      "%s, reuseport %d: %s",
				      reader_names[reader], rp, t);
		}
		if (reader == PB__READER_SHIM && rp != 1)
			ck_assert_msg(!strstr(t, "SO_REUSEPORT"),
				      "shim, reuseport %d: %s", rp, t);
		if (reader == PB__READER_SHIM && rp == 1)
			ck_assert_msg(strstr(t, "SO_REUSEPORT"), "shim: %s", t);
		free(t);
	}
}
END_TEST

/* Review of issue 12, 6: pb_listen sets SO_REUSEADDR unless told not
   to, and the author's fix says so where it asks for the option. */
START_TEST(author_fix_names_pb_listen_default)
{
	struct pb_diag d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);

	add_tw(&d, 1);
	d.reuseaddr_helps = 0;
	d.reuseport_helps = 0;
	expect_text(&d, PB__READER_AUTHOR, "set SO_REUSEADDR in the server so its next"
		    " restart binds at once (pb_listen sets it unless"
		    " PB_NO_REUSEADDR).");
	d.reuseport_helps = 1;
	expect_text(&d, PB__READER_AUTHOR, "restart binds at once (pb_listen sets it"
		    " unless PB_NO_REUSEADDR).");
	d.reuseaddr_helps = 1;
	expect_text(&d, PB__READER_AUTHOR, "Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen"
		    " sets it unless PB_NO_REUSEADDR).");

	d = base(PB_CAUSE_CONNECTED, EADDRINUSE);
	add_holder(&d, PB_TCP_ESTABLISHED, (unsigned)geteuid());
	d.reuseaddr_helps = 1;
	expect_text(&d, PB__READER_AUTHOR, "Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen"
		    " sets it unless PB_NO_REUSEADDR).");
}
END_TEST

/* Review of issue 12, 8: the object's members keep their documented
   order, "message" last; and (issue 13) a hostile n_stored is refused
   before anything is read, with an empty string left in the buffer. */
START_TEST(json_member_order)
{
	static const char *const order[] = {
		"{\"protocol\":", ",\"address\":", ",\"peer\":", ",\"errno\":",
		",\"errno_value\":", ",\"cause\":", ",\"reuseaddr_helps\":",
		",\"sources\":", ",\"counts\":", ",\"time_wait_ms\":",
		",\"holders\":", ",\"unprivileged_port_start\":",
		",\"cap_net_bind_service\":", ",\"port_range\":",
		",\"reuseport_helps\":", ",\"spec\":", ",\"invalid\":",
		",\"message\":", NULL };
	struct pb_diag d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	char j[8192];

	add_holder(&d, PB_TCP_LISTEN, (unsigned)geteuid());
	d.holders[0].pid = 0;
	d.reuseport_helps = 1;
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	assert_in_order(j, order);
	ck_assert_msg(strstr(j, "\"port_range\":null,\"reuseport_helps\":true,"
			     "\"spec\":null,\"invalid\":null,\"message\":\""),
		      "%s", j);
}
END_TEST

/*
 * Issue 13: a count beyond its array is EINVAL, before anything is read.
 * Before, pb_diag_format took n_stored = 100000 and printed a paragraph
 * (a struct whose holders have owners far past it printed "stop pid N"
 * with N from outside the struct).  The struct here is a heap block of
 * exactly its size: a read past it is reported by AddressSanitizer.
 */
START_TEST(count_beyond_array)
{
	static const unsigned bad[] = { PB_DIAG_HOLDERS + 1, 100000, 0xffffffffu };
	struct pb_diag *d = malloc(sizeof(*d));
	char t[4096], j[8192];
	size_t i;

	ck_assert_ptr_nonnull(d);
	*d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	add_holder(d, PB_TCP_LISTEN, (unsigned)geteuid());
	d->holders[0].pid = 0;	/* the owner walk would go on past it */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d->n_stored = bad[i];
		memset(t, 'x', sizeof(t));
		memset(j, 'x', sizeof(j));
		errno = 0;
		ck_assert_int_eq(pb_diag_format(d, t, sizeof(t)), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_str_eq(t, "");
		errno = 0;
		ck_assert_int_eq(pb_diag_json(d, j, sizeof(j)), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_str_eq(j, "");
		ck_assert_int_eq(pb__diag_format_for(d, PB__READER_SHIM, t, sizeof(t)), -1);
	}
	/* The array full is fine. */
	d->n_stored = PB_DIAG_HOLDERS;
	for (i = 1; i < PB_DIAG_HOLDERS; i++)
		d->holders[i] = d->holders[0];
	ck_assert_int_gt(pb_diag_format(d, t, sizeof(t)), 0);
	ck_assert_int_gt(pb_diag_json(d, j, sizeof(j)), 0);
	ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	/* So is an invalid outside PB_INVALID_*: refused. */
	d->invalid = PB_INVALID_RANGE + 1;
	ck_assert_int_eq(pb_diag_format(d, t, sizeof(t)), -1);
	d->invalid = -1;
	ck_assert_int_eq(pb_diag_json(d, j, sizeof(j)), -1);
	free(d);
}
END_TEST

/* Issue 13 (review): a holder whose address cannot be formatted (family
   0, AF_UNIX: a caller's struct) shows "?", and the writers, which
   succeed, leave errno as it was (pb_format_addr set EAFNOSUPPORT). */
START_TEST(unformattable_holder_keeps_errno)
{
	static const sa_family_t fam[] = { 0, AF_UNIX };
	struct pb_diag *d = malloc(sizeof(*d));
	char t[4096], j[8192];
	size_t i;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		*d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
		add_tw(d, 1);
		memset(&d->holders[0].local, 0, sizeof(d->holders[0].local));
		d->holders[0].remote.ss_family = fam[i];
		d->holders[0].local.ss_family = fam[i];
		errno = 1234;
		ck_assert_int_gt(pb_diag_format(d, t, sizeof(t)), 0);
		ck_assert_int_eq(errno, 1234);
		ck_assert_int_gt(pb_diag_json(d, j, sizeof(j)), 0);
		ck_assert_int_eq(errno, 1234);
		ck_assert_msg(json_ok(j), "bad JSON: %s", j);
	}
	free(d);
}
END_TEST

/* Issue 13: with size > 0 the buffer is always a string, also when the
   call fails; with size 0 (and buf NULL) nothing is written. */
START_TEST(failure_leaves_a_string)
{
	struct pb_diag d = PB_DIAG_INIT;	/* filled by no diagnosis */
	struct pb_diag ok = base(PB_CAUSE_NONE, 0);
	char t[64];

	memset(t, 'x', sizeof(t));
	ck_assert_int_eq(pb_diag_format(&d, t, sizeof(t)), -1);
	ck_assert_str_eq(t, "");
	memset(t, 'x', sizeof(t));
	ck_assert_int_eq(pb_diag_json(&d, t, sizeof(t)), -1);
	ck_assert_str_eq(t, "");
	memset(t, 'x', sizeof(t));
	ck_assert_int_eq(pb_diag_format(NULL, t, sizeof(t)), -1);
	ck_assert_str_eq(t, "");
	memset(t, 'x', sizeof(t));
	ck_assert_int_eq(pb_diag_json(NULL, t, 1), -1);
	ck_assert_int_eq(t[0], '\0');
	ck_assert_int_eq(t[1], 'x');
	memset(t, 'x', sizeof(t));
	d.size = 0;
	ck_assert_int_eq(pb_diag_format(&d, t, sizeof(t)), -1);
	ck_assert_str_eq(t, "");
	memset(t, 'x', sizeof(t));
	ok.flags = 0x80000000u;	/* a request bit that does not exist */
	ck_assert_int_eq(pb_diag_json(&ok, t, sizeof(t)), -1);
	ck_assert_str_eq(t, "");
	/* Size 0: not one byte. */
	memset(t, 'x', sizeof(t));
	ck_assert_int_eq(pb_diag_format(&d, t, 0), -1);
	ck_assert_int_eq(t[0], 'x');
	ck_assert_int_eq(pb_diag_format(&d, NULL, 0), -1);
	/* And a success cut short is a string too. */
	ok.flags = 0;
	ck_assert_int_gt(pb_diag_format(&ok, t, 8), 7);
	ck_assert_uint_eq(strlen(t), 7);
}
END_TEST

/* SO_REUSEPORT where it matters for the other causes. */
START_TEST(reuseport_other_causes)
{
	struct pb_diag d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	char *t;

	add_tw(&d, 1);
	d.reuseaddr_helps = 0;
	d.reuseport_helps = 1;
	expect_text(&d, PB__READER_AUTHOR, "They carry SO_REUSEPORT, so a server that sets"
		    " SO_REUSEPORT binds now. Fix: set SO_REUSEPORT"
		    " (PB_REUSEPORT) to bind now");

	d = base(PB_CAUSE_CONNECTED, EADDRINUSE);
	add_holder(&d, PB_TCP_ESTABLISHED, (unsigned)geteuid());
	d.reuseaddr_helps = 0;
	d.reuseport_helps = 1;
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_msg(strstr(t, "but it set SO_REUSEPORT: a server of the same"
			     " user that sets SO_REUSEPORT binds now. Fix: start"
			     " the server now if it sets SO_REUSEPORT"), "%s", t);
	ck_assert_msg(!strstr(t, "nothing binds"), "%s", t);
	free(t);
	/* Another user's connections: the probe's 0 is this user's only. */
	d.reuseport_helps = 0;
	d.holders[0].uid = (unsigned)geteuid() + 1;
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_msg(strstr(t, "so a server binds only once they close;"
			     " SO_REUSEPORT does not pass them for this user;"
			     " whether it would for uid") &&
		      !strstr(t, "nothing binds"), "%s", t);
	free(t);
	d.holders[0].uid = (unsigned)geteuid();
	expect_text(&d, PB__READER_OPERATOR, "so nothing binds until they close; SO_REUSEPORT"
		    " does not pass them either. Fix: stop pid 812");

	d = base(PB_CAUSE_BOUND, EADDRINUSE);
	add_holder(&d, PB_TCP_CLOSE, (unsigned)geteuid());
	d.reuseaddr_helps = 0;
	d.reuseport_helps = 1;
	t = format_for(&d, PB__READER_AUTHOR);
	ck_assert_msg(strstr(t, "It set SO_REUSEPORT: a socket of the same user"
			     " with SO_REUSEPORT binds and listens beside it now."
			     " Fix: set SO_REUSEPORT (PB_REUSEPORT) to share it"),
		      "%s", t);
	free(t);
	d.reuseport_helps = 0;
	expect_text(&d, PB__READER_AUTHOR, ". SO_REUSEADDR does not pass it, SO_REUSEPORT"
		    " does not pass it either. Fix: stop pid 812");

	/* UDP: never probed, and the text says so. */
	d = base(PB_CAUSE_BOUND, EADDRINUSE);
	d.type = SOCK_DGRAM;
	add_holder(&d, PB_TCP_CLOSE, (unsigned)geteuid());
	expect_text(&d, PB__READER_OPERATOR, ". Whether SO_REUSEPORT would pass it is not known"
		    " (it is not probed for UDP)");
}
END_TEST

/* PB_DIAG_OPERATOR is a request bit like the others: accepted by
   pb_diagnose, kept in the result, chosen by pb_diag_format. */
START_TEST(operator_bit_round_trip)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd = pb_listen("127.0.0.1:0", 4, PB_NO_REUSEADDR, NULL);
	char spec[64], t[2048];

	ck_assert_int_ge(fd, 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(fd));
	d.flags = PB_DIAG_OPERATOR;
	ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d), PB_CAUSE_LISTENER);
	ck_assert_uint_eq(d.flags & PB_DIAG_OPERATOR, PB_DIAG_OPERATOR);
	ck_assert_int_gt(pb_diag_format(&d, t, sizeof(t)), 0);
	ck_assert_msg(!strstr(t, "PB_") && !strstr(t, "pb_"), "%s", t);
	ck_assert_int_eq(pb__diag_format_for(&d, 3, t, sizeof(t)), -1);
	close(fd);
}
END_TEST

/* ---- the texts the pages and the README show are the code's */

/* A file of the source tree, every run of white space made one space
   (pages and the README fold the paragraph), in a buffer to free.  Found
   from the top of the tree, or from the test binary's place in it. */
static char *tree_text(const char *rel)
{
	char path[4200], *buf, *w;
	const char *slash = strrchr(pbt_self, '/');
	FILE *f = fopen(rel, "re");
	long n;
	size_t got, i;

	if (!f && slash) {
		snprintf(path, sizeof(path), "%.*s/../%s",
			 (int)(slash - pbt_self), pbt_self, rel);
		f = fopen(path, "re");
	}
	ck_assert_msg(f != NULL, "%s: cannot open", rel);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	got = fread(buf, 1, (size_t)n, f);
	fclose(f);
	for (i = 0, w = buf; i < got; i++) {
		if (isspace((unsigned char)buf[i])) {
			if (w > buf && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = buf[i];
		}
	}
	*w = '\0';
	return buf;
}

static void assert_documented(const char *rel, const char *text)
{
	char *doc = tree_text(rel);

	ck_assert_msg(strstr(doc, text), "%s does not show what the code"
		      " writes:\n%s", rel, text);
	free(doc);
}

static void add_listener(struct pb_diag *d, const char *ip, unsigned port,
			 unsigned uid, int pid, const char *comm)
{
	struct pb_holder *h = &d->holders[d->n_stored++];

	memset(h, 0, sizeof(*h));
	h->state = PB_TCP_LISTEN;
	h->protocol = IPPROTO_TCP;
	h->v6only = -1;
	h->uid = uid;
	h->pid = pid;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	set_v4(&h->local, ip, port);
	d->n_holders++;
	d->n_listen++;
}

static void add_tw_from(struct pb_diag *d, unsigned port, unsigned rport,
			unsigned ms)
{
	struct pb_holder *h = &d->holders[d->n_stored++];

	memset(h, 0, sizeof(*h));
	h->state = PB_TCP_TIME_WAIT;
	h->protocol = IPPROTO_TCP;
	h->v6only = -1;
	h->expires_ms = ms;
	set_v4(&h->local, "127.0.0.1", port);
	set_v4(&h->remote, "127.0.0.1", rport);
	d->n_holders++;
	d->n_time_wait++;
	if (ms > d->time_wait_ms)
		d->time_wait_ms = ms;
}

/* The examples of pb_diagnose(3), portbind-why(1), portbind-preload(8)
   and the README, made again from the diagnoses they show. */
START_TEST(documented_examples)
{
	static const unsigned why_tw[] = { 39194, 39180, 39192 };
	static const unsigned readme_tw[] = { 35742, 35760, 35744 };
	struct pb_diag d;
	char *t;
	unsigned i;

	/* pb_diagnose(3): a listener, for the author. */
	d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	d.reuseaddr_helps = d.reuseport_helps = 0;
	add_listener(&d, "0.0.0.0", 8080, 33, 812, "nginx");
	t = format_for(&d, PB__READER_AUTHOR);
	assert_documented("man/pb_diagnose.3", t);
	free(t);

	/* pb_diagnose(3): TIME_WAIT without SO_REUSEADDR, for the author,
	   and the operator's fix. */
	d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	d.reuseaddr_helps = d.reuseport_helps = 0;
	add_tw_from(&d, 8080, 40000, 41000);
	t = format_for(&d, PB__READER_AUTHOR);
	assert_documented("man/pb_diagnose.3", t);
	free(t);
	t = format_for(&d, PB__READER_OPERATOR);
	ck_assert_ptr_nonnull(strstr(t, "Fix: "));
	assert_documented("man/pb_diagnose.3", strstr(t, "Fix: "));
	free(t);

	/* The rest show holders of root's or uid 1000's, as root or that
	   user asks: the text says more to another user. */
	if (geteuid() != 0) {
		pbt_skip(__func__, "the other examples show what root reads");
		return;
	}

	/* portbind-why(1) and the README: a listener on "*:8080". */
	d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	pbt_addr(&d.addr, "::", 8080);
	d.v6only = 0;
	d.reuseaddr_helps = d.reuseport_helps = 0;
	add_listener(&d, "127.0.0.1", 8080, 0, 24583, "restart-server");
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("man/portbind-why.1", t);
	free(t);
	d.holders[0].pid = 26134;
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("README", t);
	free(t);

	/* portbind-why(1): a listener that set SO_REUSEPORT. */
	d.holders[0].pid = 3310;
	d.holders[0].uid = 1000;
	snprintf(d.holders[0].comm, sizeof(d.holders[0].comm), "server");
	set_v4(&d.holders[0].local, "0.0.0.0", 8080);
	d.reuseport_helps = 1;
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("man/portbind-why.1", t);
	free(t);

	/* portbind-why(1) and the README: three TIME_WAIT sockets, with
	   and without SO_REUSEADDR. */
	d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	d.reuseaddr_helps = 1;
	for (i = 0; i < 3; i++)
		add_tw_from(&d, 8080, why_tw[i], 59792 - 2 * i);
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("man/portbind-why.1", t);
	free(t);
	d.reuseaddr_helps = d.reuseport_helps = 0;
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("man/portbind-why.1", t);
	free(t);
	d.reuseaddr_helps = 1;
	d.reuseport_helps = -1;
	for (i = 0; i < 3; i++)
		set_v4(&d.holders[i].remote, "127.0.0.1", readme_tw[i]);
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("README", t);
	free(t);

	/* portbind-why(1): a privileged port. */
	d = base(PB_CAUSE_PRIVILEGED, EACCES);
	set_v4(&d.addr, "127.0.0.1", 80);
	d.unprivileged_port_start = 1024;
	d.cap_net_bind_service = 0;
	t = format_for(&d, PB__READER_OPERATOR);
	assert_documented("man/portbind-why.1", t);
	free(t);

	/* portbind-preload(8) and the README: the shim's lines. */
	d = base(PB_CAUSE_LISTENER, EADDRINUSE);
	set_v4(&d.addr, "127.0.0.1", 8000);
	d.reuseaddr_helps = d.reuseport_helps = 0;
	add_listener(&d, "127.0.0.1", 8000, 0, 4242, "restart-server");
	t = format_for(&d, PB__READER_SHIM);
	assert_documented("man/portbind-preload.8", t);
	assert_documented("README", t);
	free(t);
	d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	set_v4(&d.addr, "127.0.0.1", 8000);
	d.reuseaddr_helps = d.reuseport_helps = 0;
	add_tw_from(&d, 8000, 51234, 47200);
	t = format_for(&d, PB__READER_SHIM);
	assert_documented("man/portbind-preload.8", t);
	free(t);
}
END_TEST

/* ---- SO_REUSEPORT end to end: real listeners, the library's probe, the
   kernel's own answer */

START_TEST(real_reuseport_listener)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd = pb_listen("127.0.0.1:0", 4, PB_REUSEPORT, NULL), plain, beside;
	char spec[64], t[2048], j[4096], same[256], fix[256];

	ck_assert_int_ge(fd, 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(fd));
	d.flags = PB_DIAG_OPERATOR;
	ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d), PB_CAUSE_LISTENER);
	ck_assert_int_eq(d.reuseport_helps, 1);
	pb_diag_format(&d, t, sizeof(t));
	snprintf(same, sizeof(same), "SO_REUSEADDR never passes a listener, but"
		 " this one set SO_REUSEPORT: a new listener of uid %u on %s with"
		 " SO_REUSEPORT binds beside it now", (unsigned)geteuid(), spec);
	snprintf(fix, sizeof(fix), "Fix: a server of uid %u that listens on %s,"
		 " the holder's address, with SO_REUSEPORT can start beside it now",
		 (unsigned)geteuid(), spec);
	ck_assert_msg(strstr(t, same) && strstr(t, fix), "%s", t);
	ck_assert_int_lt(pb_diag_json(&d, j, sizeof(j)), (int)sizeof(j));
	ck_assert_msg(strstr(j, "\"reuseport_helps\":true,\"spec\":\""),
		      "%s", j);
	/* The kernel agrees: a server that sets it binds and listens. */
	beside = pb_listen(spec, 4, PB_REUSEPORT, NULL);
	ck_assert_int_ge(beside, 0);
	close(beside);

	/* A listener without it, of the same user: neither option passes. */
	plain = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert_int_ge(plain, 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(plain));
	d.flags = 0;
	ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d), PB_CAUSE_LISTENER);
	ck_assert_int_eq(d.reuseport_helps, 0);
	pb_diag_format(&d, t, sizeof(t));
	ck_assert_msg(strstr(t, "SO_REUSEPORT does not pass this one (it passes"
			     " only a listener that set it too, of the same"
			     " user). Fix: stop"), "%s", t);
	ck_assert_int_eq(pb_listen(spec, 4, PB_REUSEPORT, NULL), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(plain);
	close(fd);
}
END_TEST

/* Root's listener with SO_REUSEPORT, asked about by uid 65534: the probe
   fails for this user, and the text does not pretend to know what the
   holder's user would meet. */
static int reuseport_other_user_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	int fd = pb_listen("127.0.0.1:0", 4, PB_REUSEPORT, NULL);
	gid_t none = 65534;
	char spec[64], t[2048];

	(void)arg;
	PBT_REQUIRE(fd >= 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(fd));
	PBT_REQUIRE(setgroups(1, &none) == 0);
	PBT_REQUIRE(setresgid(65534, 65534, 65534) == 0);
	PBT_REQUIRE(setresuid(65534, 65534, 65534) == 0);
	d.flags = PB_DIAG_OPERATOR;
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(d.reuseport_helps == 0);
	PBT_REQUIRE(pb_diag_format(&d, t, sizeof(t)) > 0);
	if (!strstr(t, "and SO_REUSEPORT does not pass this one for this user;"
		       " whether it would for uid 0, the holder's, is not known:"
		       " ask as that user. Fix: stop")) {
		fprintf(stderr, "%s\n", t);
		return 1;
	}
	/* The kernel agrees for this user. */
	PBT_REQUIRE(pb_listen(spec, 4, PB_REUSEPORT, NULL) == -1 &&
		    errno == EADDRINUSE);
	return 0;
}

/* Connections to 127.0.0.1:port taken by each of two listeners, of
   CONNS made; -1 when a step fails.  Accepts are counted after all the
   connects complete (the handshake needs no accept), without blocking. */
#define CONNS 20
static int count_accepts(int a, int b, unsigned port, int *na, int *nb)
{
	struct sockaddr_storage to;
	int c[CONNS], i, fd;

	set_v4(&to, "127.0.0.1", port);
	for (i = 0; i < CONNS; i++) {
		c[i] = pb_connect_from(SOCK_STREAM, NULL, 0,
				       (const struct sockaddr *)&to,
				       sizeof(struct sockaddr_in), 0, NULL);
		if (c[i] < 0)
			return -1;
	}
	*na = *nb = 0;
	while ((fd = accept4(a, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		(*na)++;
		close(fd);
	}
	while ((fd = accept4(b, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		(*nb)++;
		close(fd);
	}
	for (i = 0; i < CONNS; i++)
		close(c[i]);
	return *na + *nb == CONNS ? 0 : -1;
}

/*
 * Review of issue 12, 1, end to end: a reuseport listener on 0.0.0.0:P.
 * What the text says of a new listener on "*:P" and on 0.0.0.0:P is held
 * against where the kernel then sends connections to 127.0.0.1:P.
 */
static int reuseport_group_child(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	int old = pb_listen("0.0.0.0:0", CONNS, PB_REUSEPORT | PB_NONBLOCK, NULL);
	int beside, na, nb;
	unsigned port;
	char spec[64], t[2048];

	(void)arg;
	PBT_REQUIRE(old >= 0);
	port = pbt_local_port(old);

	/* "*:P": the bind passes, the connections stay with the old one. */
	snprintf(spec, sizeof(spec), "*:%u", port);
	d.flags = PB_DIAG_OPERATOR;
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(d.reuseport_helps == 1);
	PBT_REQUIRE(pb_diag_format(&d, t, sizeof(t)) > 0);
	if (!strstr(t, "the connections the holder takes stay with it") ||
	    strstr(t, "spread over both")) {
		fprintf(stderr, "%s\n", t);
		return 1;
	}
	beside = pb_listen(spec, CONNS, PB_REUSEPORT | PB_NONBLOCK, NULL);
	PBT_REQUIRE(beside >= 0);
	PBT_REQUIRE(count_accepts(old, beside, port, &na, &nb) == 0);
	if (nb != 0) {
		fprintf(stderr, "*:%u took %d of %d\n", port, nb, CONNS);
		return 1;
	}
	close(beside);

	/* 0.0.0.0:P, the holder's address: spread over both. */
	snprintf(spec, sizeof(spec), "0.0.0.0:%u", port);
	d = (struct pb_diag)PB_DIAG_INIT;
	d.flags = PB_DIAG_OPERATOR;
	PBT_REQUIRE(pb_diagnose_spec(SOCK_STREAM, spec, 0, &d) == PB_CAUSE_LISTENER);
	PBT_REQUIRE(pb_diag_format(&d, t, sizeof(t)) > 0);
	if (!strstr(t, "spread over both")) {
		fprintf(stderr, "%s\n", t);
		return 1;
	}
	beside = pb_listen(spec, CONNS, PB_REUSEPORT | PB_NONBLOCK, NULL);
	PBT_REQUIRE(beside >= 0);
	PBT_REQUIRE(count_accepts(old, beside, port, &na, &nb) == 0);
	/* All 20 to one side by chance: 2 in 2^20. */
	if (na == 0 || nb == 0) {
		fprintf(stderr, "0.0.0.0:%u: %d and %d\n", port, na, nb);
		return 1;
	}
	close(beside);
	close(old);
	return 0;
}

START_TEST(real_reuseport_group)
{
	PBT_IN_NETNS(reuseport_group_child, NULL);
}
END_TEST

START_TEST(real_reuseport_other_user)
{
	PBT_IN_NETNS(reuseport_other_user_child, NULL);
}
END_TEST

/* ---- the JSON object, member by member */

/* The top-level members of the object j: their names in order into
   names (joined by ','), and the raw text of member key's value into val;
   0 when j is not one object. */
static int json_members(const char *j, char *names, size_t nsize,
			const char *key, char *val, size_t vsize)
{
	const char *s = json_ws(j);

	names[0] = '\0';
	if (val)
		val[0] = '\0';
	if (*s++ != '{')
		return 0;
	for (;;) {
		const char *k = json_ws(s), *ke = json_string(k), *v, *ve;
		size_t len;

		if (!ke)
			return 0;
		len = (size_t)(ke - k - 2);
		if (strlen(names) + len + 2 >= nsize)
			return 0;
		if (names[0])
			strcat(names, ",");
		strncat(names, k + 1, len);
		s = json_ws(ke);
		if (*s++ != ':')
			return 0;
		v = json_ws(s);
		ve = json_value(v);
		if (!ve)
			return 0;
		if (val && key && strlen(key) == len && !strncmp(k + 1, key, len)) {
			if ((size_t)(ve - v) >= vsize)
				return 0;
			memcpy(val, v, (size_t)(ve - v));
			val[ve - v] = '\0';
		}
		s = json_ws(ve);
		if (*s == '}')
			return *json_ws(s + 1) == '\0';
		if (*s++ != ',')
			return 0;
	}
}

static const char json_keys[] = "protocol,address,peer,errno,errno_value,"
	"cause,reuseaddr_helps,sources,counts,time_wait_ms,holders,"
	"unprivileged_port_start,cap_net_bind_service,port_range,"
	"reuseport_helps,spec,invalid,message";

/* Member key of d's JSON is want (its raw JSON text). */
static void json_member_is(const char *j, const char *key, const char *want)
{
	char names[512], val[4096];

	ck_assert_msg(json_members(j, names, sizeof(names), key, val, sizeof(val)),
		      "not one object: %s", j);
	ck_assert_msg(!strcmp(val, want), "\"%s\": %s, want %s in %s", key, val,
		      want, j);
}

static const char *tri(int v)
{
	return v < 0 ? "null" : v ? "true" : "false";
}

/* What the JSON of d must say, worked out here from d, member by
   member: every member there, in its order, each value the struct's. */
static void json_agrees(const struct pb_diag *d)
{
	static char j[16384];
	char names[512], want[512];
	static const char *const inv[] = { "null", "\"spec\"", "\"flags\"",
		"\"type\"", "\"source\"", "\"destination\"", "\"port-range\"" };
	unsigned i;
	int n = pb_diag_json(d, j, sizeof(j));

	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)sizeof(j));
	ck_assert_msg(json_members(j, names, sizeof(names), NULL, NULL, 0), "%s", j);
	ck_assert_str_eq(names, json_keys);
	json_member_is(j, "protocol", d->type == SOCK_DGRAM ? "\"udp\"" : "\"tcp\"");
	snprintf(want, sizeof(want), "%d", d->err);
	json_member_is(j, "errno_value", want);
	if (d->err == 0)
		json_member_is(j, "errno", "null");
	snprintf(want, sizeof(want), "\"%s\"", pb_cause_name(d->cause));
	json_member_is(j, "cause", want);
	json_member_is(j, "reuseaddr_helps", tri(d->reuseaddr_helps));
	json_member_is(j, "reuseport_helps", tri(d->reuseport_helps));
	json_member_is(j, "cap_net_bind_service", tri(d->cap_net_bind_service));
	snprintf(want, sizeof(want), "{\"total\":%u,\"listen\":%u,\"time_wait\":%u,"
		 "\"connected\":%u,\"bound\":%u}", d->n_holders, d->n_listen,
		 d->n_time_wait, d->n_connected, d->n_bound);
	json_member_is(j, "counts", want);
	snprintf(want, sizeof(want), "%u", d->time_wait_ms);
	json_member_is(j, "time_wait_ms", want);
	if (d->unprivileged_port_start < 0)
		snprintf(want, sizeof(want), "null");
	else
		snprintf(want, sizeof(want), "%d", d->unprivileged_port_start);
	json_member_is(j, "unprivileged_port_start", want);
	if (d->port_range_hi)
		snprintf(want, sizeof(want), "[%u,%u]", d->port_range_lo, d->port_range_hi);
	else
		snprintf(want, sizeof(want), "null");
	json_member_is(j, "port_range", want);
	json_member_is(j, "invalid", inv[d->invalid]);
	if (d->peer.ss_family != AF_INET && d->peer.ss_family != AF_INET6)
		json_member_is(j, "peer", "null");
	else {
		char a[PB_ADDRSTRLEN];

		ck_assert_int_eq(pb_format_addr((const struct sockaddr *)&d->peer,
						sizeof(d->peer), a, sizeof(a)), 0);
		snprintf(want, sizeof(want), "\"%s\"", a);
		json_member_is(j, "peer", want);
	}
	if (d->addr.ss_family != AF_INET && d->addr.ss_family != AF_INET6)
		json_member_is(j, "address", "null");
	if (!d->spec[0])
		json_member_is(j, "spec", "null");
	/* sources: the names of the bits set, in bit order */
	{
		static const char *const src[] = { "errno", "probe", "netlink",
						   "procnet", "owners", "sysctl" };

		snprintf(want, sizeof(want), "[");
		for (i = 0; i < 6; i++)
			if (d->sources & (1u << i))
				snprintf(want + strlen(want), sizeof(want) - strlen(want),
					 "%s\"%s\"", want[1] ? "," : "", src[i]);
		strcat(want, "]");
		json_member_is(j, "sources", want);
	}
	/* holders: one object each, as many as stored */
	{
		char val[8192];
		const char *h;
		unsigned count = 0;

		ck_assert(json_members(j, names, sizeof(names), "holders", val, sizeof(val)));
		for (h = strstr(val, "{\"state\":"); h; h = strstr(h + 1, "{\"state\":"))
			count++;
		ck_assert_uint_eq(count, d->n_stored);
	}
}

/* ---- golden texts: whole paragraphs, compared byte for byte
 *
 * A diagnosis is described in one line of "key=value" words, so that the
 * table below reads as what it tests:
 *   c=CAUSE (pb_cause_name, or a number)  e=ERRNO (name or number)
 *   t=udp  a=ADDRESS (as pb_format_addr writes it)  v6=V6ONLY  p=PEER
 *   rah= rp= ups= cap= (the struct's values)  lo= hi=  f=FLAGS
 *   inv=PB_INVALID_*  spec=TEXT  specfill=C (spec[] all C, no NUL)
 *   more=N (holders counted, not stored)
 *   h=HOLDERS, one letter each, in order:
 *     L  LISTEN 127.0.0.1:8080, this user, pid 812 (nginx)
 *     l  LISTEN 127.0.0.1:8080, another user, owner not known
 *     W  LISTEN 0.0.0.0:8080, this user, owner not known
 *     6  LISTEN [::]:8080 dual-stack (IPV6_V6ONLY 0), this user
 *     T  TIME_WAIT 127.0.0.1:8080 -> 127.0.0.1:4000N, 41 s - N s left
 *     E  ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000, this user, pid 812
 *     e  ESTABLISHED, another user, owner not known
 *     B  bound (CLOSE) 127.0.0.1:8080, this user, pid 812
 *     b  bound, another user, owner not known
 *     U  UDP bound 127.0.0.1:8080, this user, pid 812
 *     u  UDP connected to 127.0.0.1:53, this user, owner not known
 *     0-9 A-C  a TCP socket in that state (10 is A), with a peer
 *     X  a TCP socket in state 99, with a peer of family 0
 *     Z  a TCP socket in state -3, with a peer
 *     V  LISTEN [::1]:8080 IPv6-only, this user, owner not known
 *     v  LISTEN [::]:8080, IPV6_V6ONLY not known, this user
 *     N  LISTEN 127.0.0.1:8080, pid 77 with no command name
 *     H  LISTEN 127.0.0.1:8080, pid 78 named with control and 8-bit bytes
 *     P  LISTEN 127.0.0.1:8080, this user, pid 1 (systemd: socket activation)
 *     D  a TCP socket in state 13, one past the last state name
 *     F  LISTEN, pid 90 with a command name of 16 bytes and no NUL
 *     G  LISTEN, pid 91 with a command name of 15 characters
 *     Q  ESTABLISHED, local address of family 0, peer AF_UNIX (a caller's
 *        struct: neither can be written)
 * In the expected texts @U stands for this process's euid, @O for
 * another uid (euid + 1).
 */
static unsigned me(void)
{
	return (unsigned)geteuid();
}

static const struct { const char *name; int err; } err_names[] = {
	{ "EADDRINUSE", EADDRINUSE }, { "EADDRNOTAVAIL", EADDRNOTAVAIL },
	{ "EACCES", EACCES }, { "EPERM", EPERM }, { "EINVAL", EINVAL },
	{ "EMFILE", EMFILE }, { "ENFILE", ENFILE }, { "ENOBUFS", ENOBUFS },
	{ "ENOMEM", ENOMEM }, { "ENOPROTOOPT", ENOPROTOOPT },
	{ "EAFNOSUPPORT", EAFNOSUPPORT }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ETIMEDOUT", ETIMEDOUT }, { "ENETUNREACH", ENETUNREACH },
	{ "EHOSTUNREACH", EHOSTUNREACH }, { "ENOENT", ENOENT },
	{ "EIO", EIO }, { "ENODEV", ENODEV },
};

static void golden_addr(struct sockaddr_storage *ss, const char *text)
{
	socklen_t len;

	if (pb_parse_addr(text, ss, &len) != 0)
		ck_abort_msg("golden: bad address %s", text);
}

static void golden_holder(struct pb_diag *d, char kind)
{
	struct pb_holder *h;
	unsigned i = d->n_stored;

	ck_assert_uint_lt(d->n_stored, PB_DIAG_HOLDERS);
	h = &d->holders[d->n_stored++];
	memset(h, 0, sizeof(*h));
	h->protocol = IPPROTO_TCP;
	h->v6only = -1;
	h->uid = me();
	h->inode = 4711 + i;
	set_v4(&h->local, "127.0.0.1", 8080);
	set_v4(&h->remote, "127.0.0.1", 40000);
	if (strchr("LEBU", kind)) {
		h->pid = 812;
		snprintf(h->comm, sizeof(h->comm), "nginx");
	}
	if (strchr("leb", kind))
		h->uid = me() + 1;
	switch (kind) {
	case 'L': case 'l': case 'W': case '6':
		h->state = PB_TCP_LISTEN;
		memset(&h->remote, 0, sizeof(h->remote));
		if (kind == 'W')
			set_v4(&h->local, "0.0.0.0", 8080);
		if (kind == '6') {
			golden_addr(&h->local, "[::]:8080");
			h->v6only = 0;
		}
		break;
	case 'T':
		h->state = PB_TCP_TIME_WAIT;
		h->uid = 0;
		h->inode = 0;
		h->expires_ms = 41000 - 1000 * i;
		set_v4(&h->remote, "127.0.0.1", 40000 + i);
		break;
	case 'E': case 'e':
		h->state = PB_TCP_ESTABLISHED;
		break;
	case 'B': case 'b':
		h->state = PB_TCP_CLOSE;
		memset(&h->remote, 0, sizeof(h->remote));
		break;
	case 'U':
		h->protocol = IPPROTO_UDP;
		h->state = PB_TCP_CLOSE;
		memset(&h->remote, 0, sizeof(h->remote));
		break;
	case 'u':
		h->protocol = IPPROTO_UDP;
		h->state = PB_TCP_ESTABLISHED;
		set_v4(&h->remote, "127.0.0.1", 53);
		break;
	case 'X':
		h->state = 99;
		memset(&h->remote, 0, sizeof(h->remote));
		break;
	case 'Z':
		h->state = -3;
		break;
	case 'V': case 'v':
		h->state = PB_TCP_LISTEN;
		memset(&h->remote, 0, sizeof(h->remote));
		golden_addr(&h->local, kind == 'V' ? "[::1]:8080" : "[::]:8080");
		h->v6only = kind == 'V' ? 1 : -1;
		break;
	case 'P':
		h->state = PB_TCP_LISTEN;
		memset(&h->remote, 0, sizeof(h->remote));
		h->pid = 1;
		snprintf(h->comm, sizeof(h->comm), "systemd");
		break;
	case 'Q':
		h->state = PB_TCP_ESTABLISHED;
		memset(&h->local, 0, sizeof(h->local));
		memset(&h->remote, 0, sizeof(h->remote));
		h->remote.ss_family = AF_UNIX;
		break;
	case 'D':
		h->state = 13;
		break;
	case 'F': case 'G':
		h->state = PB_TCP_LISTEN;
		memset(&h->remote, 0, sizeof(h->remote));
		h->pid = kind == 'F' ? 90 : 91;
		memset(h->comm, kind == 'F' ? 'f' : 'g', sizeof(h->comm));
		if (kind == 'G')
			h->comm[15] = '\0';
		break;
	case 'N': case 'H':
		h->state = PB_TCP_LISTEN;
		memset(&h->remote, 0, sizeof(h->remote));
		h->pid = kind == 'N' ? 77 : 78;
		if (kind == 'H')
			memcpy(h->comm, "a\tb\x7f\x80\xff\x1f ~z", 11);
		break;
	default:
		ck_assert_msg(isdigit((unsigned char)kind) || (kind >= 'A' && kind <= 'C'),
			      "golden: holder kind %c", kind);
		h->state = isdigit((unsigned char)kind) ? kind - '0' : kind - 'A' + 10;
		break;
	}
	d->n_holders++;
	if (h->state == PB_TCP_LISTEN)
		d->n_listen++;
	else if (h->state == PB_TCP_TIME_WAIT) {
		d->n_time_wait++;
		if (h->expires_ms > d->time_wait_ms)
			d->time_wait_ms = h->expires_ms;
	} else if (h->state == PB_TCP_CLOSE || h->protocol == IPPROTO_UDP)
		d->n_bound++;
	else
		d->n_connected++;
}

static void golden_diag(const char *desc, struct pb_diag *d)
{
	char words[512], *w, *save = NULL;

	*d = base(PB_CAUSE_NONE, 0);
	snprintf(words, sizeof(words), "%s", desc);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *v = strchr(w, '=');
		long n;
		size_t i;

		ck_assert_msg(v != NULL, "golden: word %s", w);
		*v++ = '\0';
		n = strtol(v, NULL, 0);
		if (!strcmp(w, "c")) {
			d->cause = (enum pb_cause)n;
			for (i = 0; i <= PB_CAUSE_OTHER; i++)
				if (!strcmp(v, pb_cause_name((enum pb_cause)i)))
					d->cause = (enum pb_cause)i;
		} else if (!strcmp(w, "e")) {
			d->err = (int)n;
			for (i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
				if (!strcmp(v, err_names[i].name))
					d->err = err_names[i].err;
		} else if (!strcmp(w, "t")) {
			d->type = !strcmp(v, "udp") ? SOCK_DGRAM : (int)n;
		} else if (!strcmp(w, "a")) {
			if (!strcmp(v, "none"))
				memset(&d->addr, 0, sizeof(d->addr));
			else
				golden_addr(&d->addr, v);
			d->v6only = d->addr.ss_family == AF_INET6 ? 1 : -1;
		} else if (!strcmp(w, "v6")) {
			d->v6only = (int)n;
		} else if (!strcmp(w, "p")) {
			golden_addr(&d->peer, v);
		} else if (!strcmp(w, "rah")) {
			d->reuseaddr_helps = (int)n;
		} else if (!strcmp(w, "rp")) {
			d->reuseport_helps = (int)n;
		} else if (!strcmp(w, "ups")) {
			d->unprivileged_port_start = (int)n;
		} else if (!strcmp(w, "cap")) {
			d->cap_net_bind_service = (int)n;
		} else if (!strcmp(w, "lo")) {
			d->port_range_lo = (unsigned)n;
		} else if (!strcmp(w, "hi")) {
			d->port_range_hi = (unsigned)n;
		} else if (!strcmp(w, "f")) {
			d->flags = (unsigned)n;
		} else if (!strcmp(w, "inv")) {
			d->invalid = (int)n;
		} else if (!strcmp(w, "spec")) {
			snprintf(d->spec, sizeof(d->spec), "%s", v);
		} else if (!strcmp(w, "specfill")) {	/* every byte, no NUL */
			memset(d->spec, v[0], sizeof(d->spec));
		} else if (!strcmp(w, "more")) {
			d->n_holders += (unsigned)n;
		} else if (!strcmp(w, "src")) {
			d->sources = (unsigned)n;
		} else if (!strcmp(w, "h")) {
			for (; *v; v++)
				golden_holder(d, *v);
		} else {
			ck_abort_msg("golden: key %s", w);
		}
	}
}

/* want with @U and @O put in. */
static void golden_expand(const char *want, char *out, size_t size)
{
	size_t k = 0;

	for (; *want && k + 12 < size; want++) {
		if (want[0] == '@' && (want[1] == 'U' || want[1] == 'O')) {
			k += (size_t)snprintf(out + k, size - k, "%u",
					      me() + (want[1] == 'O'));
			want++;
		} else {
			out[k++] = *want;
		}
	}
	ck_assert_msg(!*want, "golden: expected text too long");
	out[k] = '\0';
}

/* The text as a C string literal, uids as @U/@O, for a mismatch report
   (and for a new row). */
static void golden_print(const char *what, const char *got)
{
	static const char *const pre[] = { "uid ", "\"uid\":" };
	char mine[2][16], other[2][16];
	size_t nm[2], no[2], k;

	for (k = 0; k < 2; k++) {
		nm[k] = (size_t)snprintf(mine[k], sizeof(mine[k]), "%s%u", pre[k], me());
		no[k] = (size_t)snprintf(other[k], sizeof(other[k]), "%s%u", pre[k],
					 me() + 1);
	}
	fprintf(stderr, "%s\n\t  \"", what);
	while (*got) {
		for (k = 0; k < 2; k++)
			if ((!strncmp(got, mine[k], nm[k]) &&
			     !isdigit((unsigned char)got[nm[k]])) ||
			    (!strncmp(got, other[k], no[k]) &&
			     !isdigit((unsigned char)got[no[k]])))
				break;
		if (k < 2) {
			int o = !strncmp(got, other[k], no[k]) &&
				!isdigit((unsigned char)got[no[k]]);

			fputs(k ? "\\\"uid\\\":" : "uid ", stderr);
			fputs(o ? "@O" : "@U", stderr);
			got += o ? no[k] : nm[k];
		} else {
			if (*got == '"' || *got == '\\')
				fputc('\\', stderr);
			fputc(*got++, stderr);
		}
	}
	fputs("\" },\n", stderr);
}

#define ALL (-1)
static const struct golden {
	const char *desc;
	int reader;		/* PB__READER_*, or ALL: the same for the three */
	const char *want;
} goldens[] = {
	{ "c=none", ALL,
	  "tcp 127.0.0.1:8080: nothing holds it; it can be bound now." },
	{ "c=none a=[::1]:8080", ALL,
	  "tcp [::1]:8080: nothing holds it; it can be bound now." },
	{ "c=none a=[::]:8080 v6=0", ALL,
	  "tcp *:8080: nothing holds it; it can be bound now." },
	{ "c=none a=[::]:8080 v6=1", ALL,
	  "tcp [::]:8080: nothing holds it; it can be bound now." },
	{ "c=none t=udp a=[fe80::1%4294967295]:0", ALL,
	  "udp [fe80::1%4294967295]:0: nothing holds it; it can be bound now." },
	{ "c=none a=[::ffff:127.0.0.1]:65535 v6=0", ALL,
	  "tcp [::ffff:127.0.0.1]:65535: nothing holds it; it can be bound "
	  "now." },
	{ "c=listener e=EADDRINUSE rp=0 h=L", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener, and SO_REUSEPORT "
	  "does not pass this one (it passes only a listener that set it "
	  "too, of the same user). Fix: stop pid 812 (nginx), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=L", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener, and SO_REUSEPORT "
	  "does not pass this one (it passes only a listener that set it "
	  "too, of the same user). Fix: stop pid 812 (nginx), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=L", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener. Fix: stop pid 812 "
	  "(nginx), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=l", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "for this user; whether it would for uid @O, the holder's, is not "
	  "known: portbind-why --reuseport, run as uid @O, tells. Fix: stop "
	  "the process that holds it (portbind-why -p names it), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=l", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "for this user; whether it would for uid @O, the holder's, is not "
	  "known: ask as that user. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=l", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=l f=1", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "for this user; whether it would for uid @O, the holder's, is not "
	  "known: portbind-why --reuseport, run as uid @O, tells. Fix: stop "
	  "the process that holds it (its owner is not readable by this "
	  "user: portbind-why -p, run as root, names it), or choose another "
	  "port." },
	{ "c=listener e=EADDRINUSE rp=0 h=l f=1", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "for this user; whether it would for uid @O, the holder's, is not "
	  "known: ask as that user. Fix: stop the process that holds it (its "
	  "owner is not readable by this user: ask as root), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=l f=1", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener. Fix: stop the process that holds it (its "
	  "owner is not readable by this user: portbind-why -p, run as root, "
	  "names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=W", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=W", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=W", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=W f=1", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop the process that holds it (its owner is not readable by "
	  "this user: portbind-why -p, run as root, names it), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=W f=1", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop the process that holds it (its owner is not readable by "
	  "this user: ask as root), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=W f=1", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener. Fix: stop the process that holds it (its "
	  "owner is not readable by this user: portbind-why -p, run as root, "
	  "names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=-1 h=l", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener; whether SO_REUSEPORT would pass it is "
	  "not known (the holder belongs to uid @O, and only a socket of "
	  "that user can share its port: portbind-why --reuseport, run as "
	  "uid @O, tells). Fix: stop the process that holds it (portbind-why "
	  "-p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=-1 h=l", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener; whether SO_REUSEPORT would pass it is "
	  "not known (the holder belongs to uid @O, and only a socket of "
	  "that user can share its port: ask as that user). Fix: stop the "
	  "process that holds it (portbind-why -p names it), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=-1 h=l", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @O. SO_REUSEADDR "
	  "never passes a listener. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=-1 h=L", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener; whether "
	  "SO_REUSEPORT would pass it is not known (no probe could tell). "
	  "Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=-1 h=L", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener; whether "
	  "SO_REUSEPORT would pass it is not known (no probe could tell). "
	  "Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=-1 h=L", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener. Fix: stop pid 812 "
	  "(nginx), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=-1 t=udp h=L", PB__READER_AUTHOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener; whether "
	  "SO_REUSEPORT would pass it is not known (it is not probed for "
	  "UDP). Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=-1 t=udp h=L", PB__READER_OPERATOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener; whether "
	  "SO_REUSEPORT would pass it is not known (it is not probed for "
	  "UDP). Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=-1 t=udp h=L", PB__READER_SHIM,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener. Fix: stop pid 812 "
	  "(nginx), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=0.0.0.0:8080 h=W", PB__READER_AUTHOR,
	  "tcp 0.0.0.0:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, but this one set SO_REUSEPORT: a new "
	  "listener of uid @U on 0.0.0.0:8080 with SO_REUSEPORT binds beside "
	  "it now, and new connections are then spread over both. Fix: to "
	  "start a new server beside it (a restart that refuses no "
	  "connection), let it listen on 0.0.0.0:8080, the holder's address, "
	  "with SO_REUSEPORT (PB_REUSEPORT), then stop the old one "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=0.0.0.0:8080 h=W", PB__READER_OPERATOR,
	  "tcp 0.0.0.0:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, but this one set SO_REUSEPORT: a new "
	  "listener of uid @U on 0.0.0.0:8080 with SO_REUSEPORT binds beside "
	  "it now, and new connections are then spread over both. Fix: a "
	  "server of uid @U that listens on 0.0.0.0:8080, the holder's "
	  "address, with SO_REUSEPORT can start beside it now and the old "
	  "one be stopped after (net.ipv4.tcp_migrate_req=1 moves its queued "
	  "connections instead of resetting them); else stop the process "
	  "that holds it (portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=0.0.0.0:8080 h=W", PB__READER_SHIM,
	  "tcp 0.0.0.0:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 0.0.0.0:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, but this one set SO_REUSEPORT: a new "
	  "listener of uid @U on 0.0.0.0:8080 with SO_REUSEPORT binds beside "
	  "it now, and new connections are then spread over both. Fix: this "
	  "program did not set SO_REUSEPORT, and the shim never sets it: "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=0.0.0.0:8080 h=L", PB__READER_AUTHOR,
	  "tcp 0.0.0.0:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener, but this one set "
	  "SO_REUSEPORT: a socket of uid @U with SO_REUSEPORT binds "
	  "0.0.0.0:8080 beside it now, but the connections the holder takes "
	  "stay with it: the kernel spreads connections only among listeners "
	  "on the same address in the same family (127.0.0.1:8080). Fix: to "
	  "start a new server beside it (a restart that refuses no "
	  "connection), let it listen on 127.0.0.1:8080, the holder's "
	  "address, with SO_REUSEPORT (PB_REUSEPORT), then stop the old one "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop pid 812 (nginx), or choose another "
	  "port." },
	{ "c=listener e=EADDRINUSE rp=1 a=0.0.0.0:8080 h=L", PB__READER_OPERATOR,
	  "tcp 0.0.0.0:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener, but this one set "
	  "SO_REUSEPORT: a socket of uid @U with SO_REUSEPORT binds "
	  "0.0.0.0:8080 beside it now, but the connections the holder takes "
	  "stay with it: the kernel spreads connections only among listeners "
	  "on the same address in the same family (127.0.0.1:8080). Fix: a "
	  "server of uid @U that listens on 127.0.0.1:8080, the holder's "
	  "address, with SO_REUSEPORT can start beside it now and the old "
	  "one be stopped after (net.ipv4.tcp_migrate_req=1 moves its queued "
	  "connections instead of resetting them); else stop pid 812 "
	  "(nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=0.0.0.0:8080 h=L", PB__READER_SHIM,
	  "tcp 0.0.0.0:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx). SO_REUSEADDR never passes a listener, but this one set "
	  "SO_REUSEPORT: a socket of uid @U with SO_REUSEPORT binds "
	  "0.0.0.0:8080 beside it now, but the connections the holder takes "
	  "stay with it: the kernel spreads connections only among listeners "
	  "on the same address in the same family (127.0.0.1:8080). Fix: "
	  "this program did not set SO_REUSEPORT, and the shim never sets "
	  "it: stop pid 812 (nginx), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 h=T", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read): TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. SO_REUSEADDR never passes a "
	  "listener, but this one set SO_REUSEPORT: a new socket of the same "
	  "user with SO_REUSEPORT binds beside it now; it shares the "
	  "connections only if it binds the holder's exact address, in the "
	  "same family. Fix: stop the process that holds it (portbind-why -p "
	  "names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 h=T", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read): TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. SO_REUSEADDR never passes a "
	  "listener, but this one set SO_REUSEPORT: a new socket of the same "
	  "user with SO_REUSEPORT binds beside it now; it shares the "
	  "connections only if it binds the holder's exact address, in the "
	  "same family. Fix: stop the process that holds it (portbind-why -p "
	  "names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 h=T", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read): TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. SO_REUSEADDR never passes a "
	  "listener, but this one set SO_REUSEPORT: a new socket of the same "
	  "user with SO_REUSEPORT binds beside it now; it shares the "
	  "connections only if it binds the holder's exact address, in the "
	  "same family. Fix: this program did not set SO_REUSEPORT, and the "
	  "shim never sets it: stop the process that holds it (portbind-why "
	  "-p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read). SO_REUSEADDR never passes a listener, "
	  "but this one set SO_REUSEPORT: a new socket of the same user with "
	  "SO_REUSEPORT binds beside it now; it shares the connections only "
	  "if it binds the holder's exact address, in the same family. Fix: "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read). SO_REUSEADDR never passes a listener, "
	  "but this one set SO_REUSEPORT: a new socket of the same user with "
	  "SO_REUSEPORT binds beside it now; it shares the connections only "
	  "if it binds the holder's exact address, in the same family. Fix: "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read). SO_REUSEADDR never passes a listener, "
	  "but this one set SO_REUSEPORT: a new socket of the same user with "
	  "SO_REUSEPORT binds beside it now; it shares the connections only "
	  "if it binds the holder's exact address, in the same family. Fix: "
	  "this program did not set SO_REUSEPORT, and the shim never sets "
	  "it: stop the process that holds it (portbind-why -p names it), or "
	  "give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read). SO_REUSEADDR never passes a listener, "
	  "and SO_REUSEPORT does not pass this one (it passes only a "
	  "listener that set it too, of the same user). Fix: stop the "
	  "process that holds it (portbind-why -p names it), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read). SO_REUSEADDR never passes a listener, "
	  "and SO_REUSEPORT does not pass this one (it passes only a "
	  "listener that set it too, of the same user). Fix: stop the "
	  "process that holds it (portbind-why -p names it), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read). SO_REUSEADDR never passes a listener. "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=7 h=TL", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; LISTEN 127.0.0.1:8080 uid @U pid "
	  "812 (nginx). SO_REUSEADDR never passes a listener, but this one "
	  "set SO_REUSEPORT: a new listener of uid @U on 127.0.0.1:8080 with "
	  "SO_REUSEPORT binds beside it now, and new connections are then "
	  "spread over both. Fix: to start a new server beside it (a restart "
	  "that refuses no connection), let it listen on 127.0.0.1:8080, the "
	  "holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop the "
	  "old one (net.ipv4.tcp_migrate_req=1 moves its queued connections "
	  "instead of resetting them); else stop pid 812 (nginx), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=7 h=TL", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; LISTEN 127.0.0.1:8080 uid @U pid "
	  "812 (nginx). SO_REUSEADDR never passes a listener, but this one "
	  "set SO_REUSEPORT: a new listener of uid @U on 127.0.0.1:8080 with "
	  "SO_REUSEPORT binds beside it now, and new connections are then "
	  "spread over both. Fix: a server of uid @U that listens on "
	  "127.0.0.1:8080, the holder's address, with SO_REUSEPORT can start "
	  "beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop pid 812 (nginx), or choose another "
	  "port." },
	{ "c=listener e=EADDRINUSE rp=7 h=TL", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; LISTEN 127.0.0.1:8080 uid @U pid "
	  "812 (nginx). SO_REUSEADDR never passes a listener, but this one "
	  "set SO_REUSEPORT: a new listener of uid @U on 127.0.0.1:8080 with "
	  "SO_REUSEPORT binds beside it now, and new connections are then "
	  "spread over both. Fix: this program did not set SO_REUSEPORT, and "
	  "the shim never sets it: stop pid 812 (nginx), or give the program "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=0 h=6", PB__READER_AUTHOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a new listener "
	  "of uid @U on *:8080 with SO_REUSEPORT binds beside it now, and "
	  "new connections are then spread over both. Fix: to start a new "
	  "server beside it (a restart that refuses no connection), let it "
	  "listen on *:8080, the holder's address, with SO_REUSEPORT "
	  "(PB_REUSEPORT), then stop the old one (net.ipv4.tcp_migrate_req=1 "
	  "moves its queued connections instead of resetting them); else "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=0 h=6", PB__READER_OPERATOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a new listener "
	  "of uid @U on *:8080 with SO_REUSEPORT binds beside it now, and "
	  "new connections are then spread over both. Fix: a server of uid "
	  "@U that listens on *:8080, the holder's address, with "
	  "SO_REUSEPORT can start beside it now and the old one be stopped "
	  "after (net.ipv4.tcp_migrate_req=1 moves its queued connections "
	  "instead of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=0 h=6", PB__READER_SHIM,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a new listener "
	  "of uid @U on *:8080 with SO_REUSEPORT binds beside it now, and "
	  "new connections are then spread over both. Fix: this program did "
	  "not set SO_REUSEPORT, and the shim never sets it: stop the "
	  "process that holds it (portbind-why -p names it), or give the "
	  "program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=1 h=6", PB__READER_AUTHOR,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family (*:8080). Fix: to start a new server beside it (a restart "
	  "that refuses no connection), let it listen on *:8080, the "
	  "holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop the "
	  "old one (net.ipv4.tcp_migrate_req=1 moves its queued connections "
	  "instead of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=1 h=6", PB__READER_OPERATOR,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family (*:8080). Fix: a server of uid @U that listens on *:8080, "
	  "the holder's address, with SO_REUSEPORT can start beside it now "
	  "and the old one be stopped after (net.ipv4.tcp_migrate_req=1 "
	  "moves its queued connections instead of resetting them); else "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=1 h=6", PB__READER_SHIM,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family (*:8080). Fix: this program did not set SO_REUSEPORT, and "
	  "the shim never sets it: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 h=6", PB__READER_AUTHOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::1]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family (*:8080). Fix: to start a new server beside it (a restart "
	  "that refuses no connection), let it listen on *:8080, the "
	  "holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop the "
	  "old one (net.ipv4.tcp_migrate_req=1 moves its queued connections "
	  "instead of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 h=6", PB__READER_OPERATOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::1]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family (*:8080). Fix: a server of uid @U that listens on *:8080, "
	  "the holder's address, with SO_REUSEPORT can start beside it now "
	  "and the old one be stopped after (net.ipv4.tcp_migrate_req=1 "
	  "moves its queued connections instead of resetting them); else "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 h=6", PB__READER_SHIM,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::1]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family (*:8080). Fix: this program did not set SO_REUSEPORT, and "
	  "the shim never sets it: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=LLLL", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 4 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); LISTEN 127.0.0.1:8080 uid @U pid 812 (nginx); LISTEN "
	  "127.0.0.1:8080 uid @U pid 812 (nginx); and 1 more. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=LLLL", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 4 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); LISTEN 127.0.0.1:8080 uid @U pid 812 (nginx); LISTEN "
	  "127.0.0.1:8080 uid @U pid 812 (nginx); and 1 more. SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=LLLL", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 4 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); LISTEN 127.0.0.1:8080 uid @U pid 812 (nginx); LISTEN "
	  "127.0.0.1:8080 uid @U pid 812 (nginx); and 1 more. SO_REUSEADDR "
	  "never passes a listener. Fix: stop pid 812 (nginx), or give the "
	  "program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=LlLL more=5", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 4 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); LISTEN 127.0.0.1:8080 uid @O; LISTEN 127.0.0.1:8080 uid "
	  "@U pid 812 (nginx); and 6 more. SO_REUSEADDR never passes a "
	  "listener, and SO_REUSEPORT does not pass this one (it passes only "
	  "a listener that set it too, of the same user). Fix: stop pid 812 "
	  "(nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=LlLL more=5", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 4 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); LISTEN 127.0.0.1:8080 uid @O; LISTEN 127.0.0.1:8080 uid "
	  "@U pid 812 (nginx); and 6 more. SO_REUSEADDR never passes a "
	  "listener, and SO_REUSEPORT does not pass this one (it passes only "
	  "a listener that set it too, of the same user). Fix: stop pid 812 "
	  "(nginx), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=LlLL more=5", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 4 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); LISTEN 127.0.0.1:8080 uid @O; LISTEN 127.0.0.1:8080 uid "
	  "@U pid 812 (nginx); and 6 more. SO_REUSEADDR never passes a "
	  "listener. Fix: stop pid 812 (nginx), or give the program another "
	  "port." },
	{ "c=listener e=EADDRINUSE rp=0 h=WWWWWWWW", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 8 listening sockets: LISTEN 0.0.0.0:8080 uid @U; LISTEN "
	  "0.0.0.0:8080 uid @U; LISTEN 0.0.0.0:8080 uid @U; and 5 more. "
	  "SO_REUSEADDR never passes a listener, and SO_REUSEPORT does not "
	  "pass this one (it passes only a listener that set it too, of the "
	  "same user). Fix: stop the process that holds it (portbind-why -p "
	  "names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=WWWWWWWW", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 8 listening sockets: LISTEN 0.0.0.0:8080 uid @U; LISTEN "
	  "0.0.0.0:8080 uid @U; LISTEN 0.0.0.0:8080 uid @U; and 5 more. "
	  "SO_REUSEADDR never passes a listener, and SO_REUSEPORT does not "
	  "pass this one (it passes only a listener that set it too, of the "
	  "same user). Fix: stop the process that holds it (portbind-why -p "
	  "names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=WWWWWWWW", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 8 listening sockets: LISTEN 0.0.0.0:8080 uid @U; LISTEN "
	  "0.0.0.0:8080 uid @U; LISTEN 0.0.0.0:8080 uid @U; and 5 more. "
	  "SO_REUSEADDR never passes a listener. Fix: stop the process that "
	  "holds it (portbind-why -p names it), or give the program another "
	  "port." },
	{ "c=time-wait e=EADDRINUSE rah=1 h=T", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. Fix: set SO_REUSEADDR "
	  "(pb_bind_reuse; pb_listen sets it unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=1 h=T", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. Fix: start the server "
	  "now if it sets SO_REUSEADDR, as most do; run one that does not "
	  "under LD_PRELOAD=libportbind-preload.so, which binds over them, "
	  "or wait for them first: portbind-why --wait 65 127.0.0.1:8080." },
	{ "c=time-wait e=EADDRINUSE rah=1 h=T", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. This program did not set "
	  "SO_REUSEADDR, and the shim binds over them with it only when the "
	  "socket table shows TIME_WAIT sockets alone. Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire." },
	{ "c=time-wait e=EADDRINUSE rah=1 h=TTT more=7", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 3 sockets in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40001 expires in 40 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40002 expires in 39 s; and 7 more. The last expires in "
	  "41 s, but a server that sets SO_REUSEADDR binds now. Fix: set "
	  "SO_REUSEADDR (pb_bind_reuse; pb_listen sets it unless "
	  "PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=1 h=TTT more=7", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 3 sockets in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40001 expires in 40 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40002 expires in 39 s; and 7 more. The last expires in "
	  "41 s, but a server that sets SO_REUSEADDR binds now. Fix: start "
	  "the server now if it sets SO_REUSEADDR, as most do; run one that "
	  "does not under LD_PRELOAD=libportbind-preload.so, which binds "
	  "over them, or wait for them first: portbind-why --wait 65 "
	  "127.0.0.1:8080." },
	{ "c=time-wait e=EADDRINUSE rah=1 h=TTT more=7", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 3 sockets in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40001 expires in 40 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40002 expires in 39 s; and 7 more. The last expires in "
	  "41 s, but a server that sets SO_REUSEADDR binds now. This program "
	  "did not set SO_REUSEADDR, and the shim binds over them with it "
	  "only when the socket table shows TIME_WAIT sockets alone. Fix: "
	  "start the program with PORTBIND_WAIT=65 in its environment: bind "
	  "then waits until they expire." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::]:8080 v6=0 h=T", PB__READER_AUTHOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held only by "
	  "1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. Fix: set SO_REUSEADDR "
	  "(pb_bind_reuse; pb_listen sets it unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::]:8080 v6=0 h=T", PB__READER_OPERATOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held only by "
	  "1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. Fix: start the server "
	  "now if it sets SO_REUSEADDR, as most do; run one that does not "
	  "under LD_PRELOAD=libportbind-preload.so, which binds over them, "
	  "or wait for them first: portbind-why --wait 65 8080." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::]:8080 v6=0 h=T", PB__READER_SHIM,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held only by "
	  "1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. This program did not set "
	  "SO_REUSEADDR, and the shim binds over them with it only when the "
	  "socket table shows TIME_WAIT sockets alone. Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::1]:8080 h=T", PB__READER_AUTHOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. Fix: set SO_REUSEADDR "
	  "(pb_bind_reuse; pb_listen sets it unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::1]:8080 h=T", PB__READER_OPERATOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. Fix: start the server "
	  "now if it sets SO_REUSEADDR, as most do; run one that does not "
	  "under LD_PRELOAD=libportbind-preload.so, which binds over them, "
	  "or wait for them first: portbind-why --wait 65 '[::1]:8080'." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::1]:8080 h=T", PB__READER_SHIM,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The last expires in 41 s, but a "
	  "server that sets SO_REUSEADDR binds now. This program did not set "
	  "SO_REUSEADDR, and the shim binds over them with it only when the "
	  "socket table shows TIME_WAIT sockets alone. Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=1 h=T", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). They carry "
	  "SO_REUSEPORT, so a server that sets SO_REUSEPORT binds now. Fix: "
	  "set SO_REUSEPORT (PB_REUSEPORT) to bind now, or wait "
	  "(pb_listen_wait waits exactly that long); and set SO_REUSEADDR in "
	  "the server so its next restart binds at once (pb_listen sets it "
	  "unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=1 h=T", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). They carry "
	  "SO_REUSEPORT, so a server that sets SO_REUSEPORT binds now. Fix: "
	  "start the server now if it sets SO_REUSEPORT; else wait before "
	  "starting the server: portbind-why --wait 65 127.0.0.1:8080 && "
	  "exec the server. Running it under "
	  "LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR on its "
	  "listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=1 h=T", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 h=TT", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 2 sockets in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40001 expires in 40 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait (pb_listen_wait waits "
	  "exactly that long), and set SO_REUSEADDR in the server so its "
	  "next restart binds at once (pb_listen sets it unless "
	  "PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 h=TT", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 2 sockets in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40001 expires in 40 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait before starting the server: "
	  "portbind-why --wait 65 127.0.0.1:8080 && exec the server. Running "
	  "it under LD_PRELOAD=libportbind-preload.so, which sets "
	  "SO_REUSEADDR on its listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 h=TT", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 2 sockets in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40001 expires in 40 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=-1 h=T", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Whether "
	  "SO_REUSEPORT would pass them is not known (no probe could tell). "
	  "Fix: wait (pb_listen_wait waits exactly that long), and set "
	  "SO_REUSEADDR in the server so its next restart binds at once "
	  "(pb_listen sets it unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=-1 h=T", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Whether "
	  "SO_REUSEPORT would pass them is not known (no probe could tell). "
	  "Fix: wait before starting the server: portbind-why --wait 65 "
	  "127.0.0.1:8080 && exec the server. Running it under "
	  "LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR on its "
	  "listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=-1 h=T", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=time-wait e=EADDRINUSE rah=-1 rp=-1 t=udp h=T", PB__READER_AUTHOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Whether "
	  "SO_REUSEPORT would pass them is not known (it is not probed for "
	  "UDP). Fix: wait (pb_listen_wait waits exactly that long), and set "
	  "SO_REUSEADDR in the server so its next restart binds at once "
	  "(pb_listen sets it unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=-1 rp=-1 t=udp h=T", PB__READER_OPERATOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Whether "
	  "SO_REUSEPORT would pass them is not known (it is not probed for "
	  "UDP). Fix: wait before starting the server: portbind-why --wait "
	  "65 127.0.0.1:8080 && exec the server. Running it under "
	  "LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR on its "
	  "listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=-1 rp=-1 t=udp h=T", PB__READER_SHIM,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 a=[::]:8080 v6=0 h=T", PB__READER_AUTHOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held only by "
	  "1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait (pb_listen_wait waits "
	  "exactly that long), and set SO_REUSEADDR in the server so its "
	  "next restart binds at once (pb_listen sets it unless "
	  "PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 a=[::]:8080 v6=0 h=T", PB__READER_OPERATOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held only by "
	  "1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait before starting the server: "
	  "portbind-why --wait 65 8080 && exec the server. Running it under "
	  "LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR on its "
	  "listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 a=[::]:8080 v6=0 h=T", PB__READER_SHIM,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held only by "
	  "1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=1 a=[2001:db8::1]:8080 h=T", PB__READER_AUTHOR,
	  "tcp [2001:db8::1]:8080: EADDRINUSE (98, Address already in use): "
	  "held only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). They carry "
	  "SO_REUSEPORT, so a server that sets SO_REUSEPORT binds now. Fix: "
	  "set SO_REUSEPORT (PB_REUSEPORT) to bind now, or wait "
	  "(pb_listen_wait waits exactly that long); and set SO_REUSEADDR in "
	  "the server so its next restart binds at once (pb_listen sets it "
	  "unless PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=1 a=[2001:db8::1]:8080 h=T", PB__READER_OPERATOR,
	  "tcp [2001:db8::1]:8080: EADDRINUSE (98, Address already in use): "
	  "held only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). They carry "
	  "SO_REUSEPORT, so a server that sets SO_REUSEPORT binds now. Fix: "
	  "start the server now if it sets SO_REUSEPORT; else wait before "
	  "starting the server: portbind-why --wait 65 '[2001:db8::1]:8080' "
	  "&& exec the server. Running it under "
	  "LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR on its "
	  "listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=1 a=[2001:db8::1]:8080 h=T", PB__READER_SHIM,
	  "tcp [2001:db8::1]:8080: EADDRINUSE (98, Address already in use): "
	  "held only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=time-wait e=EADDRINUSE rah=2 rp=0 h=T", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait (pb_listen_wait waits "
	  "exactly that long), and set SO_REUSEADDR in the server so its "
	  "next restart binds at once (pb_listen sets it unless "
	  "PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=2 rp=0 h=T", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait before starting the server: "
	  "portbind-why --wait 65 127.0.0.1:8080 && exec the server. Running "
	  "it under LD_PRELOAD=libportbind-preload.so, which sets "
	  "SO_REUSEADDR on its listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=2 rp=0 h=T", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "only by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=connected e=EADDRINUSE p=192.0.2.1:80 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRINUSE (98, Address "
	  "already in use): this source port already has a connection to "
	  "that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Fix: "
	  "use source port 0 and let connect() pick (pb_connect_from), or "
	  "another source port." },
	{ "c=connected e=EADDRINUSE p=192.0.2.1:80 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRINUSE (98, Address "
	  "already in use): this source port already has a connection to "
	  "that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Fix: "
	  "let the client pick its source port (port 0), or give it another "
	  "one." },
	{ "c=connected e=EADDRINUSE p=192.0.2.1:80 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRINUSE (98, Address "
	  "already in use): this source port already has a connection to "
	  "that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Fix: "
	  "let the client pick its source port (port 0), or give it another "
	  "one." },
	{ "c=connected e=EADDRINUSE p=[2001:db8::1]:443 a=[::1]:8080 h=E", PB__READER_AUTHOR,
	  "tcp [::1]:8080 -> [2001:db8::1]:443: EADDRINUSE (98, Address "
	  "already in use): this source port already has a connection to "
	  "that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Fix: "
	  "use source port 0 and let connect() pick (pb_connect_from), or "
	  "another source port." },
	{ "c=connected e=EADDRINUSE p=[2001:db8::1]:443 a=[::1]:8080 h=E", PB__READER_OPERATOR,
	  "tcp [::1]:8080 -> [2001:db8::1]:443: EADDRINUSE (98, Address "
	  "already in use): this source port already has a connection to "
	  "that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Fix: "
	  "let the client pick its source port (port 0), or give it another "
	  "one." },
	{ "c=connected e=EADDRINUSE p=[2001:db8::1]:443 a=[::1]:8080 h=E", PB__READER_SHIM,
	  "tcp [::1]:8080 -> [2001:db8::1]:443: EADDRINUSE (98, Address "
	  "already in use): this source port already has a connection to "
	  "that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Fix: "
	  "let the client pick its source port (port 0), or give it another "
	  "one." },
	{ "c=connected e=EADDRINUSE rah=1 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). A server that sets "
	  "SO_REUSEADDR binds now. Fix: set SO_REUSEADDR (pb_bind_reuse; "
	  "pb_listen sets it unless PB_NO_REUSEADDR)." },
	{ "c=connected e=EADDRINUSE rah=1 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). A server that sets "
	  "SO_REUSEADDR binds now. Fix: start the server now if it sets "
	  "SO_REUSEADDR, as most do; for one that does not, stop pid 812 "
	  "(nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=1 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). A server that sets "
	  "SO_REUSEADDR binds now. This program did not set SO_REUSEADDR, "
	  "and the shim adds it at bind() only over TIME_WAIT sockets alone. "
	  "Fix: stop pid 812 (nginx), or end those connections, then start "
	  "the program again." },
	{ "c=connected e=EADDRINUSE rah=1 h=e", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. A server that sets SO_REUSEADDR binds "
	  "now. Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen sets it "
	  "unless PB_NO_REUSEADDR)." },
	{ "c=connected e=EADDRINUSE rah=1 h=e", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. A server that sets SO_REUSEADDR binds "
	  "now. Fix: start the server now if it sets SO_REUSEADDR, as most "
	  "do; for one that does not, stop the process that holds it "
	  "(portbind-why -p names it), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=1 h=e", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. A server that sets SO_REUSEADDR binds "
	  "now. This program did not set SO_REUSEADDR, and the shim adds it "
	  "at bind() only over TIME_WAIT sockets alone. Fix: stop the "
	  "process that holds it (portbind-why -p names it), or end those "
	  "connections, then start the program again." },
	{ "c=connected e=EADDRINUSE rah=1 h=e f=1", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. A server that sets SO_REUSEADDR binds "
	  "now. Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen sets it "
	  "unless PB_NO_REUSEADDR)." },
	{ "c=connected e=EADDRINUSE rah=1 h=e f=1", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. A server that sets SO_REUSEADDR binds "
	  "now. Fix: start the server now if it sets SO_REUSEADDR, as most "
	  "do; for one that does not, stop the process that holds it (its "
	  "owner is not readable by this user: ask as root), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=1 h=e f=1", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. A server that sets SO_REUSEADDR binds "
	  "now. This program did not set SO_REUSEADDR, and the shim adds it "
	  "at bind() only over TIME_WAIT sockets alone. Fix: stop the "
	  "process that holds it (its owner is not readable by this user: "
	  "portbind-why -p, run as root, names it), or end those "
	  "connections, then start the program again." },
	{ "c=connected e=EADDRINUSE rah=0 rp=1 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, but it set SO_REUSEPORT: a server of the same "
	  "user that sets SO_REUSEPORT binds now. Fix: set SO_REUSEPORT "
	  "(PB_REUSEPORT), or stop pid 812 (nginx), or close those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=1 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, but it set SO_REUSEPORT: a server of the same "
	  "user that sets SO_REUSEPORT binds now. Fix: start the server now "
	  "if it sets SO_REUSEPORT; else stop pid 812 (nginx), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=1 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, but it set SO_REUSEPORT: a server of the same "
	  "user that sets SO_REUSEPORT binds now. Fix: this program did not "
	  "set SO_REUSEPORT, and the shim never sets it: stop pid 812 "
	  "(nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop pid 812 (nginx), or close "
	  "those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop pid 812 (nginx), or end "
	  "those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close. Fix: "
	  "stop pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=e", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. Their socket did not set SO_REUSEADDR, "
	  "so a server binds only once they close; SO_REUSEPORT does not "
	  "pass them for this user; whether it would for uid @O, the "
	  "holder's, is not known: portbind-why --reuseport, run as uid @O, "
	  "tells. Fix: stop the process that holds it (portbind-why -p names "
	  "it), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=e", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. Their socket did not set SO_REUSEADDR, "
	  "so a server binds only once they close; SO_REUSEPORT does not "
	  "pass them for this user; whether it would for uid @O, the "
	  "holder's, is not known: ask as that user. Fix: stop the process "
	  "that holds it (portbind-why -p names it), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=e", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. Their socket did not set SO_REUSEADDR, "
	  "so a server binds only once they close. Fix: stop the process "
	  "that holds it (portbind-why -p names it), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=-1 h=e", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. Their socket did not set SO_REUSEADDR, "
	  "so a server binds only once they close; whether SO_REUSEPORT "
	  "would pass them is not known (the holder belongs to uid @O, and "
	  "only a socket of that user can share its port: portbind-why "
	  "--reuseport, run as uid @O, tells). Fix: stop the process that "
	  "holds it (portbind-why -p names it), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=-1 h=e", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. Their socket did not set SO_REUSEADDR, "
	  "so a server binds only once they close; whether SO_REUSEPORT "
	  "would pass them is not known (the holder belongs to uid @O, and "
	  "only a socket of that user can share its port: ask as that user). "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=-1 h=e", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @O. Their socket did not set SO_REUSEADDR, "
	  "so a server binds only once they close. Fix: stop the process "
	  "that holds it (portbind-why -p names it), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=-1 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close; whether "
	  "SO_REUSEPORT would pass them is not known (no probe could tell). "
	  "Fix: stop pid 812 (nginx), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=-1 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close; whether "
	  "SO_REUSEPORT would pass them is not known (no probe could tell). "
	  "Fix: stop pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=-1 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close. Fix: "
	  "stop pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=-1 rp=-1 t=udp h=E", PB__READER_AUTHOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close; whether "
	  "SO_REUSEPORT would pass them is not known (it is not probed for "
	  "UDP). Fix: stop pid 812 (nginx), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=-1 rp=-1 t=udp h=E", PB__READER_OPERATOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close; whether "
	  "SO_REUSEPORT would pass them is not known (it is not probed for "
	  "UDP). Fix: stop pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=-1 rp=-1 t=udp h=E", PB__READER_SHIM,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close. Fix: "
	  "stop pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=TE", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; ESTABLISHED 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not set "
	  "SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop pid 812 (nginx), or close "
	  "those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=TE", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; ESTABLISHED 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not set "
	  "SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop pid 812 (nginx), or end "
	  "those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=TE", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s; ESTABLISHED 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U pid 812 (nginx). Their socket did not set "
	  "SO_REUSEADDR, so a server binds only once they close. Fix: stop "
	  "pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=EE", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 open connections and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx); ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Their "
	  "socket did not set SO_REUSEADDR, so nothing binds until they "
	  "close; SO_REUSEPORT does not pass them either. Fix: stop pid 812 "
	  "(nginx), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=EE", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 open connections and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx); ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Their "
	  "socket did not set SO_REUSEADDR, so nothing binds until they "
	  "close; SO_REUSEPORT does not pass them either. Fix: stop pid 812 "
	  "(nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=EE", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 open connections and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx); ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx). Their "
	  "socket did not set SO_REUSEADDR, so a server binds only once they "
	  "close. Fix: stop pid 812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=12345689", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 7 open connections and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U; SYN_SENT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; SYN_RECV 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; and 5 more. Their socket did not set "
	  "SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=12345689", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 7 open connections and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U; SYN_SENT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; SYN_RECV 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; and 5 more. Their socket did not set "
	  "SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=12345689", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 7 open connections and no listener: ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U; SYN_SENT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; SYN_RECV 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; and 5 more. Their socket did not set "
	  "SO_REUSEADDR, so a server binds only once they close. Fix: stop "
	  "the process that holds it (portbind-why -p names it), or end "
	  "those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=BCX0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 3 open connections and no listener: BOUND 127.0.0.1:8080 uid "
	  "@U pid 812 (nginx); NEW_SYN_RECV 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; ? 127.0.0.1:8080 uid @U; and 1 more. "
	  "Their socket did not set SO_REUSEADDR, so nothing binds until "
	  "they close; SO_REUSEPORT does not pass them either. Fix: stop pid "
	  "812 (nginx), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=BCX0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 3 open connections and no listener: BOUND 127.0.0.1:8080 uid "
	  "@U pid 812 (nginx); NEW_SYN_RECV 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; ? 127.0.0.1:8080 uid @U; and 1 more. "
	  "Their socket did not set SO_REUSEADDR, so nothing binds until "
	  "they close; SO_REUSEPORT does not pass them either. Fix: stop pid "
	  "812 (nginx), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=BCX0", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 3 open connections and no listener: BOUND 127.0.0.1:8080 uid "
	  "@U pid 812 (nginx); NEW_SYN_RECV 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U; ? 127.0.0.1:8080 uid @U; and 1 more. "
	  "Their socket did not set SO_REUSEADDR, so a server binds only "
	  "once they close. Fix: stop pid 812 (nginx), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=X0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 open connections and no listener: ? 127.0.0.1:8080 uid @U; ? "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U. Their socket did not "
	  "set SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=X0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 open connections and no listener: ? 127.0.0.1:8080 uid @U; ? "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U. Their socket did not "
	  "set SO_REUSEADDR, so nothing binds until they close; SO_REUSEPORT "
	  "does not pass them either. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=X0", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 open connections and no listener: ? 127.0.0.1:8080 uid @U; ? "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U. Their socket did not "
	  "set SO_REUSEADDR, so a server binds only once they close. Fix: "
	  "stop the process that holds it (portbind-why -p names it), or end "
	  "those connections." },
	{ "c=bound e=EADDRINUSE t=udp rp=1 h=U", PB__READER_AUTHOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 UDP socket: UDP bound 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "It set SO_REUSEPORT: a socket of the same user with SO_REUSEPORT "
	  "binds beside it now (the datagrams are then spread over both). "
	  "Fix: stop pid 812 (nginx), or choose another port; do not share a "
	  "unicast UDP port with SO_REUSEADDR: the datagrams go to one "
	  "socket only." },
	{ "c=bound e=EADDRINUSE t=udp rp=1 h=U", PB__READER_OPERATOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 UDP socket: UDP bound 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "It set SO_REUSEPORT: a socket of the same user with SO_REUSEPORT "
	  "binds beside it now (the datagrams are then spread over both). "
	  "Fix: stop pid 812 (nginx), or choose another port." },
	{ "c=bound e=EADDRINUSE t=udp rp=1 h=U", PB__READER_SHIM,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 UDP socket: UDP bound 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "It set SO_REUSEPORT: a socket of the same user with SO_REUSEPORT "
	  "binds beside it now (the datagrams are then spread over both). "
	  "Fix: stop pid 812 (nginx), or give the program another port." },
	{ "c=bound e=EADDRINUSE t=udp rp=0 h=UU", PB__READER_AUTHOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 UDP sockets: UDP bound 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); UDP bound 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "SO_REUSEPORT does not pass it. Fix: stop pid 812 (nginx), or "
	  "choose another port; do not share a unicast UDP port with "
	  "SO_REUSEADDR: the datagrams go to one socket only." },
	{ "c=bound e=EADDRINUSE t=udp rp=0 h=UU", PB__READER_OPERATOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 UDP sockets: UDP bound 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); UDP bound 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "SO_REUSEPORT does not pass it. Fix: stop pid 812 (nginx), or "
	  "choose another port." },
	{ "c=bound e=EADDRINUSE t=udp rp=0 h=UU", PB__READER_SHIM,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 UDP sockets: UDP bound 127.0.0.1:8080 uid @U pid 812 "
	  "(nginx); UDP bound 127.0.0.1:8080 uid @U pid 812 (nginx). Fix: "
	  "stop pid 812 (nginx), or give the program another port." },
	{ "c=bound e=EADDRINUSE t=udp rp=-1 h=u", PB__READER_AUTHOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 UDP socket: UDP connected 127.0.0.1:8080 -> 127.0.0.1:53 uid "
	  "@U. Whether SO_REUSEPORT would pass it is not known (it is not "
	  "probed for UDP). Fix: stop the process that holds it "
	  "(portbind-why -p names it), or choose another port; do not share "
	  "a unicast UDP port with SO_REUSEADDR: the datagrams go to one "
	  "socket only." },
	{ "c=bound e=EADDRINUSE t=udp rp=-1 h=u", PB__READER_OPERATOR,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 UDP socket: UDP connected 127.0.0.1:8080 -> 127.0.0.1:53 uid "
	  "@U. Whether SO_REUSEPORT would pass it is not known (it is not "
	  "probed for UDP). Fix: stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=bound e=EADDRINUSE t=udp rp=-1 h=u", PB__READER_SHIM,
	  "udp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 UDP socket: UDP connected 127.0.0.1:8080 -> 127.0.0.1:53 uid "
	  "@U. Fix: stop the process that holds it (portbind-why -p names "
	  "it), or give the program another port." },
	{ "c=bound e=EADDRINUSE rah=1 h=B", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). A server that sets SO_REUSEADDR binds now, but "
	  "the first of the two to listen() wins. Fix: stop pid 812 (nginx), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=1 h=B", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). A server that sets SO_REUSEADDR binds now, but "
	  "the first of the two to listen() wins. Fix: stop pid 812 (nginx), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=1 h=B", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). A server that sets SO_REUSEADDR binds now, but "
	  "the first of the two to listen() wins. The shim never adds "
	  "SO_REUSEADDR over a socket that is bound and not listening: it "
	  "may be a lock or a reservation. Fix: stop pid 812 (nginx), or "
	  "give the program another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=1 h=B", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). It set SO_REUSEPORT: a socket of the same user "
	  "with SO_REUSEPORT binds and listens beside it now. Fix: set "
	  "SO_REUSEPORT (PB_REUSEPORT) to share it, or stop pid 812 (nginx), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=1 h=B", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). It set SO_REUSEPORT: a socket of the same user "
	  "with SO_REUSEPORT binds and listens beside it now. Fix: a server "
	  "that sets SO_REUSEPORT can start beside it now, as the same user; "
	  "else stop pid 812 (nginx), or choose another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=1 h=B", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). It set SO_REUSEPORT: a socket of the same user "
	  "with SO_REUSEPORT binds and listens beside it now. Fix: this "
	  "program did not set SO_REUSEPORT, and the shim never sets it: "
	  "stop pid 812 (nginx), or give the program another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=0 h=B", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). SO_REUSEADDR does not pass it, SO_REUSEPORT does "
	  "not pass it either. Fix: stop pid 812 (nginx), or choose another "
	  "port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=0 h=B", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). SO_REUSEADDR does not pass it, SO_REUSEPORT does "
	  "not pass it either. Fix: stop pid 812 (nginx), or choose another "
	  "port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=0 h=B", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). SO_REUSEADDR does not pass it. Fix: stop pid 812 "
	  "(nginx), or give the program another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=0 h=b", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O. "
	  "SO_REUSEADDR does not pass it, SO_REUSEPORT does not pass it "
	  "either for this user; whether it would for uid @O, the holder's, "
	  "is not known: portbind-why --reuseport, run as uid @O, tells. "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=0 h=b", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O. "
	  "SO_REUSEADDR does not pass it, SO_REUSEPORT does not pass it "
	  "either for this user; whether it would for uid @O, the holder's, "
	  "is not known: ask as that user. Fix: stop the process that holds "
	  "it (portbind-why -p names it), or choose another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=0 h=b", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O. "
	  "SO_REUSEADDR does not pass it. Fix: stop the process that holds "
	  "it (portbind-why -p names it), or give the program another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=-1 h=b", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O. "
	  "SO_REUSEADDR does not pass it; whether SO_REUSEPORT would pass it "
	  "is not known (the holder belongs to uid @O, and only a socket of "
	  "that user can share its port: portbind-why --reuseport, run as "
	  "uid @O, tells). Fix: stop the process that holds it (portbind-why "
	  "-p names it), or choose another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=-1 h=b", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O. "
	  "SO_REUSEADDR does not pass it; whether SO_REUSEPORT would pass it "
	  "is not known (the holder belongs to uid @O, and only a socket of "
	  "that user can share its port: ask as that user). Fix: stop the "
	  "process that holds it (portbind-why -p names it), or choose "
	  "another port." },
	{ "c=bound e=EADDRINUSE rah=0 rp=-1 h=b", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O. "
	  "SO_REUSEADDR does not pass it. Fix: stop the process that holds "
	  "it (portbind-why -p names it), or give the program another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=-1 h=B", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). Whether SO_REUSEPORT would pass it is not known "
	  "(no probe could tell). Fix: stop pid 812 (nginx), or choose "
	  "another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=-1 h=B", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). Whether SO_REUSEPORT would pass it is not known "
	  "(no probe could tell). Fix: stop pid 812 (nginx), or choose "
	  "another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=-1 h=B", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). Fix: stop pid 812 (nginx), or give the program "
	  "another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=0 h=BB", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 sockets bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx); BOUND 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "SO_REUSEPORT does not pass it either. Fix: stop pid 812 (nginx), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=0 h=BB", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 sockets bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx); BOUND 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "SO_REUSEPORT does not pass it either. Fix: stop pid 812 (nginx), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=0 h=BB", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 sockets bound but not listening: BOUND 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx); BOUND 127.0.0.1:8080 uid @U pid 812 (nginx). "
	  "Fix: stop pid 812 (nginx), or give the program another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=-1", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a socket bound but not listening (the socket table read does "
	  "not list such sockets: Linux before 6.7, or /proc/net). Whether "
	  "SO_REUSEPORT would pass it is not known (no probe could tell). "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=-1", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a socket bound but not listening (the socket table read does "
	  "not list such sockets: Linux before 6.7, or /proc/net). Whether "
	  "SO_REUSEPORT would pass it is not known (no probe could tell). "
	  "Fix: stop the process that holds it (portbind-why -p names it), "
	  "or choose another port." },
	{ "c=bound e=EADDRINUSE rah=-1 rp=-1", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a socket bound but not listening (the socket table read does "
	  "not list such sockets: Linux before 6.7, or /proc/net). Fix: stop "
	  "the process that holds it (portbind-why -p names it), or give the "
	  "program another port." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1024 cap=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1024, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), let systemd bind the port (a socket unit) and "
	  "adopt it (PB_ADOPT), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1024 cap=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1024, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1024 cap=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1024, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant it with "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's systemd "
	  "unit (not with setcap: the shim does nothing in a program with "
	  "file capabilities), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or give the program a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1024 cap=1", ALL,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1024, and "
	  "this process has CAP_NET_BIND_SERVICE, so another rule refused "
	  "it: a security module (SELinux, AppArmor) or a seccomp filter. "
	  "Fix: check the audit log (journalctl -k, ausearch -m avc) for the "
	  "denial." },
	{ "c=privileged e=EACCES a=[::1]:443 ups=-1 cap=-1", PB__READER_AUTHOR,
	  "tcp [::1]:443: EACCES (13, Permission denied): port 443 is taken "
	  "to be privileged: net.ipv4.ip_unprivileged_port_start could not "
	  "be read (it is 1024 unless changed), and this process may lack "
	  "CAP_NET_BIND_SERVICE (its capabilities could not be read). Fix: "
	  "grant CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on "
	  "the binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), let systemd bind the port (a socket unit) and "
	  "adopt it (PB_ADOPT), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=[::1]:443 ups=-1 cap=-1", PB__READER_OPERATOR,
	  "tcp [::1]:443: EACCES (13, Permission denied): port 443 is taken "
	  "to be privileged: net.ipv4.ip_unprivileged_port_start could not "
	  "be read (it is 1024 unless changed), and this process may lack "
	  "CAP_NET_BIND_SERVICE (its capabilities could not be read). Fix: "
	  "grant CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on "
	  "the binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=[::1]:443 ups=-1 cap=-1", PB__READER_SHIM,
	  "tcp [::1]:443: EACCES (13, Permission denied): port 443 is taken "
	  "to be privileged: net.ipv4.ip_unprivileged_port_start could not "
	  "be read (it is 1024 unless changed), and this process may lack "
	  "CAP_NET_BIND_SERVICE (its capabilities could not be read). Fix: "
	  "grant it with AmbientCapabilities=CAP_NET_BIND_SERVICE in the "
	  "program's systemd unit (not with setcap: the shim does nothing in "
	  "a program with file capabilities), lower "
	  "net.ipv4.ip_unprivileged_port_start (sysctl), or give the program "
	  "a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=0 cap=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 0, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), let systemd bind the port (a socket unit) and "
	  "adopt it (PB_ADOPT), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=0 cap=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 0, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=0 cap=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 0, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant it with "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's systemd "
	  "unit (not with setcap: the shim does nothing in a program with "
	  "file capabilities), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or give the program a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=81 cap=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 81, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), let systemd bind the port (a socket unit) and "
	  "adopt it (PB_ADOPT), or use a port >= 81." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=81 cap=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 81, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or use a port >= 81." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=81 cap=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 81, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant it with "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's systemd "
	  "unit (not with setcap: the shim does nothing in a program with "
	  "file capabilities), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or give the program a port >= 81." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=192.0.2.1:8080", PB__READER_AUTHOR,
	  "tcp 192.0.2.1:8080: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): 192.0.2.1 is not an address of this host. Fix: bind an "
	  "address the host has (ip -brief address), the wildcard (*:8080), "
	  "or set IP_FREEBIND (PB_FREEBIND) to bind before the address comes "
	  "up." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=192.0.2.1:8080", PB__READER_OPERATOR,
	  "tcp 192.0.2.1:8080: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): 192.0.2.1 is not an address of this host. Fix: "
	  "configure the server to bind an address the host has (ip -brief "
	  "address) or the wildcard (*:8080); to let it bind before the "
	  "address comes up, set net.ipv4.ip_nonlocal_bind=1 (sysctl)." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=192.0.2.1:8080", PB__READER_SHIM,
	  "tcp 192.0.2.1:8080: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): 192.0.2.1 is not an address of this host. Fix: "
	  "configure the program to bind an address the host has (ip -brief "
	  "address) or the wildcard (*:8080); to let it bind before the "
	  "address comes up, set net.ipv4.ip_nonlocal_bind=1 (sysctl)." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=[2001:db8::1]:65535", PB__READER_AUTHOR,
	  "tcp [2001:db8::1]:65535: EADDRNOTAVAIL (99, Cannot assign "
	  "requested address): [2001:db8::1] is not an address of this host. "
	  "Fix: bind an address the host has (ip -brief address), the "
	  "wildcard (*:65535), or set IP_FREEBIND (PB_FREEBIND) to bind "
	  "before the address comes up." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=[2001:db8::1]:65535", PB__READER_OPERATOR,
	  "tcp [2001:db8::1]:65535: EADDRNOTAVAIL (99, Cannot assign "
	  "requested address): [2001:db8::1] is not an address of this host. "
	  "Fix: configure the server to bind an address the host has (ip "
	  "-brief address) or the wildcard (*:65535); to let it bind before "
	  "the address comes up, set net.ipv6.ip_nonlocal_bind=1 (sysctl)." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=[2001:db8::1]:65535", PB__READER_SHIM,
	  "tcp [2001:db8::1]:65535: EADDRNOTAVAIL (99, Cannot assign "
	  "requested address): [2001:db8::1] is not an address of this host. "
	  "Fix: configure the program to bind an address the host has (ip "
	  "-brief address) or the wildcard (*:65535); to let it bind before "
	  "the address comes up, set net.ipv6.ip_nonlocal_bind=1 (sysctl)." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=[::]:0 v6=0", PB__READER_AUTHOR,
	  "tcp *:0: EADDRNOTAVAIL (99, Cannot assign requested address): * "
	  "is not an address of this host. Fix: bind an address the host has "
	  "(ip -brief address), the wildcard (*:0), or set IP_FREEBIND "
	  "(PB_FREEBIND) to bind before the address comes up." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=[::]:0 v6=0", PB__READER_OPERATOR,
	  "tcp *:0: EADDRNOTAVAIL (99, Cannot assign requested address): * "
	  "is not an address of this host. Fix: configure the server to bind "
	  "an address the host has (ip -brief address) or the wildcard "
	  "(*:0); to let it bind before the address comes up, set "
	  "net.ipv6.ip_nonlocal_bind=1 (sysctl)." },
	{ "c=addr-not-local e=EADDRNOTAVAIL a=[::]:0 v6=0", PB__READER_SHIM,
	  "tcp *:0: EADDRNOTAVAIL (99, Cannot assign requested address): * "
	  "is not an address of this host. Fix: configure the program to "
	  "bind an address the host has (ip -brief address) or the wildcard "
	  "(*:0); to let it bind before the address comes up, set "
	  "net.ipv6.ip_nonlocal_bind=1 (sysctl)." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999 h=EEET more=5", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left towards "
	  "that destination: 9 connections to it hold ports (3 open, 1 in "
	  "TIME_WAIT, the last expires in 38 s): ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx); ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx); "
	  "ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 "
	  "(nginx); and 6 more. net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: never bind a client's port before connect() "
	  "unless with IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); "
	  "spread connections over more destinations or source addresses; "
	  "let net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the "
	  "range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999 h=EEET more=5", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left towards "
	  "that destination: 9 connections to it hold ports (3 open, 1 in "
	  "TIME_WAIT, the last expires in 38 s): ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx); ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx); "
	  "ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 "
	  "(nginx); and 6 more. net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999 h=EEET more=5", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left towards "
	  "that destination: 9 connections to it hold ports (3 open, 1 in "
	  "TIME_WAIT, the last expires in 38 s): ESTABLISHED 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U pid 812 (nginx); ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx); "
	  "ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 "
	  "(nginx); and 6 more. net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left towards "
	  "that destination: 1 connection to it holds ports (1 open, 0 in "
	  "TIME_WAIT): ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U "
	  "pid 812 (nginx). net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: never bind a client's port before connect() "
	  "unless with IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); "
	  "spread connections over more destinations or source addresses; "
	  "let net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the "
	  "range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left towards "
	  "that destination: 1 connection to it holds ports (1 open, 0 in "
	  "TIME_WAIT): ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U "
	  "pid 812 (nginx). net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left towards "
	  "that destination: 1 connection to it holds ports (1 open, 0 in "
	  "TIME_WAIT): ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U "
	  "pid 812 (nginx). net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=[2001:db8::2]:443 a=[::]:0 v6=1 lo=1 hi=1 h=T", PB__READER_AUTHOR,
	  "tcp [::]:0 -> [2001:db8::2]:443: EADDRNOTAVAIL (99, Cannot assign "
	  "requested address): no free local port is left towards that "
	  "destination: 1 connection to it holds ports (0 open, 1 in "
	  "TIME_WAIT, the last expires in 41 s): TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. net.ipv4.ip_local_port_range is "
	  "1-1 (1 port). Fix: never bind a client's port before connect() "
	  "unless with IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); "
	  "spread connections over more destinations or source addresses; "
	  "let net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the "
	  "range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=[2001:db8::2]:443 a=[::]:0 v6=1 lo=1 hi=1 h=T", PB__READER_OPERATOR,
	  "tcp [::]:0 -> [2001:db8::2]:443: EADDRNOTAVAIL (99, Cannot assign "
	  "requested address): no free local port is left towards that "
	  "destination: 1 connection to it holds ports (0 open, 1 in "
	  "TIME_WAIT, the last expires in 41 s): TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. net.ipv4.ip_local_port_range is "
	  "1-1 (1 port). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "'[2001:db8::2]:443' counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=[2001:db8::2]:443 a=[::]:0 v6=1 lo=1 hi=1 h=T", PB__READER_SHIM,
	  "tcp [::]:0 -> [2001:db8::2]:443: EADDRNOTAVAIL (99, Cannot assign "
	  "requested address): no free local port is left towards that "
	  "destination: 1 connection to it holds ports (0 open, 1 in "
	  "TIME_WAIT, the last expires in 41 s): TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. net.ipv4.ip_local_port_range is "
	  "1-1 (1 port). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "'[2001:db8::2]:443' counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 32768-60999 (28232 ports). Fix: "
	  "never bind a client's port before connect() unless with "
	  "IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); spread "
	  "connections over more destinations or source addresses; let "
	  "net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 32768-60999 (28232 ports). Fix: "
	  "widen the range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses; portbind-why --budget 192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=32768 hi=60999", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 32768-60999 (28232 ports). Fix: "
	  "widen the range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses; portbind-why --budget 192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL lo=32768 hi=60999", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 32768-60999 (28232 ports). Fix: "
	  "never bind a client's port before connect() unless with "
	  "IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); spread "
	  "connections over more destinations or source addresses; let "
	  "net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL lo=32768 hi=60999", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 32768-60999 (28232 ports). Fix: "
	  "widen the range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL lo=32768 hi=60999", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 32768-60999 (28232 ports). Fix: "
	  "widen the range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 lo=32768 hi=60999", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:0: EADDRINUSE (98, Address already in use): no free "
	  "local port is left. net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: a server should bind a fixed port outside "
	  "that range; a client should not bind before connect(), or set "
	  "IP_BIND_ADDRESS_NO_PORT (pb_connect_from) so ports are shared "
	  "across destinations; or widen the range." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 lo=32768 hi=60999", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:0: EADDRINUSE (98, Address already in use): no free "
	  "local port is left. net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), or stop the programs that hold "
	  "many ports (ss -tuanp lists them)." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 lo=32768 hi=60999", PB__READER_SHIM,
	  "tcp 127.0.0.1:0: EADDRINUSE (98, Address already in use): no free "
	  "local port is left. net.ipv4.ip_local_port_range is 32768-60999 "
	  "(28232 ports). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), or stop the programs that hold "
	  "many ports (ss -tuanp lists them)." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 lo=60999 hi=32768", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:0: EADDRINUSE (98, Address already in use): no free "
	  "local port is left. Fix: a server should bind a fixed port "
	  "outside that range; a client should not bind before connect(), or "
	  "set IP_BIND_ADDRESS_NO_PORT (pb_connect_from) so ports are shared "
	  "across destinations; or widen the range." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 lo=60999 hi=32768", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:0: EADDRINUSE (98, Address already in use): no free "
	  "local port is left. Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), or stop the programs that hold "
	  "many ports (ss -tuanp lists them)." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 lo=60999 hi=32768", PB__READER_SHIM,
	  "tcp 127.0.0.1:0: EADDRINUSE (98, Address already in use): no free "
	  "local port is left. Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), or stop the programs that hold "
	  "many ports (ss -tuanp lists them)." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 p=192.0.2.1:80 lo=0 hi=0 h=E", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:0 -> 192.0.2.1:80: EADDRINUSE (98, Address already "
	  "in use): no free local port is left towards that destination: 1 "
	  "connection to it holds ports (1 open, 0 in TIME_WAIT): "
	  "ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 "
	  "(nginx). Fix: never bind a client's port before connect() unless "
	  "with IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); spread "
	  "connections over more destinations or source addresses; let "
	  "net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the range." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 p=192.0.2.1:80 lo=0 hi=0 h=E", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:0 -> 192.0.2.1:80: EADDRINUSE (98, Address already "
	  "in use): no free local port is left towards that destination: 1 "
	  "connection to it holds ports (1 open, 0 in TIME_WAIT): "
	  "ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 "
	  "(nginx). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRINUSE a=127.0.0.1:0 p=192.0.2.1:80 lo=0 hi=0 h=E", PB__READER_SHIM,
	  "tcp 127.0.0.1:0 -> 192.0.2.1:80: EADDRINUSE (98, Address already "
	  "in use): no free local port is left towards that destination: 1 "
	  "connection to it holds ports (1 open, 0 in TIME_WAIT): "
	  "ESTABLISHED 127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 "
	  "(nginx). Fix: widen the range (sysctl "
	  "net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1 reuse "
	  "TIME_WAIT ports for new connections, or spread them over more "
	  "destinations or source addresses; portbind-why --budget "
	  "192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL a=127.0.0.1:0 lo=0 hi=65535", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:0: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 0-65535 (65536 ports). Fix: never "
	  "bind a client's port before connect() unless with "
	  "IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); spread "
	  "connections over more destinations or source addresses; let "
	  "net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL a=127.0.0.1:0 lo=0 hi=65535", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:0: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 0-65535 (65536 ports). Fix: widen "
	  "the range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL a=127.0.0.1:0 lo=0 hi=65535", PB__READER_SHIM,
	  "tcp 127.0.0.1:0: EADDRNOTAVAIL (99, Cannot assign requested "
	  "address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 0-65535 (65536 ports). Fix: widen "
	  "the range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses." },
	{ "c=other e=EACCES ups=1024", ALL,
	  "tcp 127.0.0.1:8080: EACCES (13, Permission denied): refused "
	  "although port 8080 is not privileged "
	  "(net.ipv4.ip_unprivileged_port_start = 1024): a security module "
	  "(SELinux, AppArmor) or a seccomp filter said no. Fix: check the "
	  "audit log." },
	{ "c=other e=EPERM ups=0", ALL,
	  "tcp 127.0.0.1:8080: EPERM (1, Operation not permitted): refused "
	  "although port 8080 is not privileged "
	  "(net.ipv4.ip_unprivileged_port_start = 0): a security module "
	  "(SELinux, AppArmor) or a seccomp filter said no. Fix: check the "
	  "audit log." },
	{ "c=other e=EACCES ups=-1", ALL,
	  "tcp 127.0.0.1:8080: EACCES (13, Permission denied): not a port "
	  "conflict. Fix: the system refused it; check capabilities and the "
	  "audit log." },
	{ "c=other e=EPERM ups=-1", ALL,
	  "tcp 127.0.0.1:8080: EPERM (1, Operation not permitted): not a "
	  "port conflict. Fix: the system refused it; check capabilities and "
	  "the audit log." },
	{ "c=other e=EADDRINUSE", ALL,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): in "
	  "use, but no holder could be found. Fix: list the port's sockets "
	  "with ss -tuanp and retry." },
	{ "c=other e=EMFILE", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EMFILE (24, Too many open files): not a port "
	  "conflict. Fix: the process is out of descriptors: close some, or "
	  "raise RLIMIT_NOFILE (ulimit -n, LimitNOFILE=)." },
	{ "c=other e=EMFILE", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EMFILE (24, Too many open files): not a port "
	  "conflict. Fix: the process is out of descriptors: raise its limit "
	  "(ulimit -n, or LimitNOFILE= in its systemd unit)." },
	{ "c=other e=EMFILE", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EMFILE (24, Too many open files): not a port "
	  "conflict. Fix: the process is out of descriptors: raise its limit "
	  "(ulimit -n, or LimitNOFILE= in its systemd unit)." },
	{ "c=other e=ENFILE", ALL,
	  "tcp 127.0.0.1:8080: ENFILE (23, Too many open files in system): "
	  "not a port conflict. Fix: the system is out of descriptors: raise "
	  "fs.file-max." },
	{ "c=other e=ENOBUFS", ALL,
	  "tcp 127.0.0.1:8080: ENOBUFS (105, No buffer space available): not "
	  "a port conflict. Fix: the kernel is short of memory for sockets." },
	{ "c=other e=ENOMEM", ALL,
	  "tcp 127.0.0.1:8080: ENOMEM (12, Cannot allocate memory): not a "
	  "port conflict. Fix: the kernel is short of memory for sockets." },
	{ "c=other e=ENOPROTOOPT", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: ENOPROTOOPT (92, Protocol not available): not "
	  "a port conflict. Fix: this kernel lacks a socket option that was "
	  "asked for; drop the flag that asks for it." },
	{ "c=other e=ENOPROTOOPT", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: ENOPROTOOPT (92, Protocol not available): not "
	  "a port conflict. Fix: this kernel lacks a socket option the "
	  "program asked for: run it on a newer kernel, or configure it not "
	  "to use that option." },
	{ "c=other e=ENOPROTOOPT", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: ENOPROTOOPT (92, Protocol not available): not "
	  "a port conflict. Fix: this kernel lacks a socket option the "
	  "program asked for: run it on a newer kernel, or configure it not "
	  "to use that option." },
	{ "c=other e=EAFNOSUPPORT", ALL,
	  "tcp 127.0.0.1:8080: EAFNOSUPPORT (97, Address family not "
	  "supported by protocol): not a port conflict. Fix: this kernel "
	  "lacks the address family (IPv6 disabled?): use an IPv4 address." },
	{ "c=other e=EINVAL", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): not a port "
	  "conflict. Fix: the socket is already bound, or the address does "
	  "not fit it (an IPv4-mapped address on an IPv6-only socket)." },
	{ "c=other e=EINVAL", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): not a port "
	  "conflict. Fix: the program bound a socket twice, or gave it an "
	  "address of the wrong kind (an IPv4-mapped address on an IPv6-only "
	  "socket): check the address it is configured with." },
	{ "c=other e=EINVAL", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): not a port "
	  "conflict. Fix: the program bound a socket twice, or gave it an "
	  "address of the wrong kind (an IPv4-mapped address on an IPv6-only "
	  "socket): check the address it is configured with." },
	{ "c=other e=ECONNREFUSED p=192.0.2.1:80", ALL,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: ECONNREFUSED (111, Connection "
	  "refused): not a port conflict. Fix: nothing listens at the "
	  "destination: start the service, or check the address and port." },
	{ "c=other e=ETIMEDOUT p=192.0.2.1:80", ALL,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: ETIMEDOUT (110, Connection "
	  "timed out): not a port conflict. Fix: the destination did not "
	  "answer: check that it is up and that no firewall drops the "
	  "traffic." },
	{ "c=other e=ENETUNREACH p=[2001:db8::1]:80", ALL,
	  "tcp 127.0.0.1:8080 -> [2001:db8::1]:80: ENETUNREACH (101, Network "
	  "is unreachable): not a port conflict. Fix: no route to the "
	  "destination: check the address and the routing table (ip route "
	  "get)." },
	{ "c=other e=EHOSTUNREACH p=192.0.2.1:80", ALL,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EHOSTUNREACH (113, No route "
	  "to host): not a port conflict. Fix: no route to the destination: "
	  "check the address and the routing table (ip route get)." },
	{ "c=other e=ENOENT", ALL,
	  "tcp 127.0.0.1:8080: errno 2 (No such file or directory): not a "
	  "port conflict. Fix: see bind(2), listen(2) and socket(2) for this "
	  "error." },
	{ "c=other e=EIO", ALL,
	  "tcp 127.0.0.1:8080: errno 5 (Input/output error): not a port "
	  "conflict. Fix: see bind(2), listen(2) and socket(2) for this "
	  "error." },
	{ "c=other e=ENODEV", ALL,
	  "tcp 127.0.0.1:8080: ENODEV (19, No such device): not a port "
	  "conflict. Fix: see bind(2), listen(2) and socket(2) for this "
	  "error." },
	{ "c=other e=4000", ALL,
	  "tcp 127.0.0.1:8080: errno 4000: not a port conflict. Fix: see "
	  "bind(2), listen(2) and socket(2) for this error." },
	{ "c=other e=-5", ALL,
	  "tcp 127.0.0.1:8080: errno -5: not a port conflict. Fix: see "
	  "bind(2), listen(2) and socket(2) for this error." },
	{ "c=other e=0", ALL,
	  "tcp 127.0.0.1:8080: not a port conflict. Fix: see bind(2), "
	  "listen(2) and socket(2) for this error." },
	{ "c=42 e=EADDRINUSE", ALL,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): in "
	  "use, but no holder could be found. Fix: list the port's sockets "
	  "with ss -tuanp and retry." },
	{ "c=-1 e=EINVAL", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): not a port "
	  "conflict. Fix: the socket is already bound, or the address does "
	  "not fit it (an IPv4-mapped address on an IPv6-only socket)." },
	{ "c=-1 e=EINVAL", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): not a port "
	  "conflict. Fix: the program bound a socket twice, or gave it an "
	  "address of the wrong kind (an IPv4-mapped address on an IPv6-only "
	  "socket): check the address it is configured with." },
	{ "c=-1 e=EINVAL", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): not a port "
	  "conflict. Fix: the program bound a socket twice, or gave it an "
	  "address of the wrong kind (an IPv4-mapped address on an IPv6-only "
	  "socket): check the address it is configured with." },
	{ "c=other e=EINVAL inv=1 a=none spec=bogus:99999", ALL,
	  "tcp address spec \"bogus:99999\" is not valid: EINVAL (22, "
	  "Invalid argument). Fix: write a numeric address and a port from 0 "
	  "to 65535, such as \"127.0.0.1:8080\", \"[::1]:8080\", \"*:8080\" "
	  "or \"8080\"; host names are not looked up (pb_parse_addr(3))." },
	{ "c=other e=EINVAL inv=1 a=none", ALL,
	  "tcp: no address spec (NULL or \"\"): EINVAL (22, Invalid "
	  "argument). Fix: write a numeric address and a port from 0 to "
	  "65535, such as \"127.0.0.1:8080\", \"[::1]:8080\", \"*:8080\" or "
	  "\"8080\"; host names are not looked up (pb_parse_addr(3))." },
	{ "c=other e=EINVAL inv=1 a=none t=udp spec=x\"y\\z", ALL,
	  "udp address spec \"x\"y\\z\" is not valid: EINVAL (22, Invalid "
	  "argument). Fix: write a numeric address and a port from 0 to "
	  "65535, such as \"127.0.0.1:8080\", \"[::1]:8080\", \"*:8080\" or "
	  "\"8080\"; host names are not looked up (pb_parse_addr(3))." },
	{ "c=other e=EINVAL inv=2 a=none", ALL,
	  "tcp call: EINVAL (22, Invalid argument): the flags are not valid "
	  "for this call (a bit it does not take, or PB_UDP_REUSEADDR with "
	  "PB_NO_REUSEADDR or on TCP). Fix: pass only the PB_* flags its "
	  "manual page lists." },
	{ "c=other e=EINVAL inv=2 a=none spec=*:80", ALL,
	  "tcp address spec \"*:80\": EINVAL (22, Invalid argument): the "
	  "flags are not valid for this call (a bit it does not take, or "
	  "PB_UDP_REUSEADDR with PB_NO_REUSEADDR or on TCP). Fix: pass only "
	  "the PB_* flags its manual page lists." },
	{ "c=other e=EINVAL inv=2", ALL,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): the flags are "
	  "not valid for this call (a bit it does not take, or "
	  "PB_UDP_REUSEADDR with PB_NO_REUSEADDR or on TCP). Fix: pass only "
	  "the PB_* flags its manual page lists." },
	{ "c=other e=EINVAL inv=2 a=none p=192.0.2.1:80", ALL,
	  "tcp connection to 192.0.2.1:80: EINVAL (22, Invalid argument): "
	  "the flags are not valid for this call (a bit it does not take, or "
	  "PB_UDP_REUSEADDR with PB_NO_REUSEADDR or on TCP). Fix: pass only "
	  "the PB_* flags its manual page lists." },
	{ "c=other e=EINVAL inv=3 a=none", ALL,
	  "socket type 1 is not valid: EINVAL (22, Invalid argument). Fix: "
	  "use SOCK_STREAM or SOCK_DGRAM." },
	{ "c=other e=EINVAL inv=3 a=none t=-7", ALL,
	  "socket type -7 is not valid: EINVAL (22, Invalid argument). Fix: "
	  "use SOCK_STREAM or SOCK_DGRAM." },
	{ "c=other e=EINVAL inv=4 p=[::1]:80", ALL,
	  "tcp 127.0.0.1:8080 -> [::1]:80: EINVAL (22, Invalid argument): "
	  "the source address is not of the destination's family. Fix: give "
	  "a source of the destination's family, with its length, or NULL "
	  "for any local address." },
	{ "c=other e=EINVAL inv=4 a=none p=[::1]:80", ALL,
	  "tcp connection to [::1]:80: EINVAL (22, Invalid argument): the "
	  "source address is not valid (shorter than its family needs, or "
	  "not IPv4 or IPv6). Fix: give a source of the destination's "
	  "family, with its length, or NULL for any local address." },
	{ "c=other e=EINVAL inv=4", ALL,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): the source "
	  "address is not valid (shorter than its family needs, or not IPv4 "
	  "or IPv6). Fix: give a source of the destination's family, with "
	  "its length, or NULL for any local address." },
	{ "c=other e=EINVAL inv=5 a=none", ALL,
	  "tcp connection: EINVAL (22, Invalid argument): the destination "
	  "address is not valid (NULL, shorter than its family needs, or not "
	  "IPv4 or IPv6). Fix: give an IPv4 or IPv6 destination, with its "
	  "length." },
	{ "c=other e=EINVAL inv=5 a=[::1]:0", ALL,
	  "tcp [::1]:0: EINVAL (22, Invalid argument): the destination "
	  "address is not valid (NULL, shorter than its family needs, or not "
	  "IPv4 or IPv6). Fix: give an IPv4 or IPv6 destination, with its "
	  "length." },
	{ "c=other e=EINVAL inv=6 a=none p=192.0.2.1:80 lo=9 hi=3", ALL,
	  "tcp connection to 192.0.2.1:80: EINVAL (22, Invalid argument): "
	  "the source port range 9-3 is not valid. Fix: give a range lo-hi "
	  "with lo <= hi <= 65535." },
	{ "c=other e=EINVAL inv=6 lo=0 hi=65536", ALL,
	  "tcp 127.0.0.1:8080: EINVAL (22, Invalid argument): the source "
	  "port range 0-65536 is not valid. Fix: give a range lo-hi with lo "
	  "<= hi <= 65535." },
	{ "c=other e=EAFNOSUPPORT inv=5 a=none spec=a", ALL,
	  "tcp address spec \"a\": EAFNOSUPPORT (97, Address family not "
	  "supported by protocol): the destination address is not valid "
	  "(NULL, shorter than its family needs, or not IPv4 or IPv6). Fix: "
	  "give an IPv4 or IPv6 destination, with its length." },
	{ "c=listener e=EADDRINUSE rp=0 h=Z", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read): ? 127.0.0.1:8080 -> 127.0.0.1:40000 uid "
	  "@U. SO_REUSEADDR never passes a listener, and SO_REUSEPORT does "
	  "not pass this one (it passes only a listener that set it too, of "
	  "the same user). Fix: stop the process that holds it (portbind-why "
	  "-p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=Z", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read): ? 127.0.0.1:8080 -> 127.0.0.1:40000 uid "
	  "@U. SO_REUSEADDR never passes a listener, and SO_REUSEPORT does "
	  "not pass this one (it passes only a listener that set it too, of "
	  "the same user). Fix: stop the process that holds it (portbind-why "
	  "-p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=Z", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by a listening socket (it accepted a test connection; the socket "
	  "table could not be read): ? 127.0.0.1:8080 -> 127.0.0.1:40000 uid "
	  "@U. SO_REUSEADDR never passes a listener. Fix: stop the process "
	  "that holds it (portbind-why -p names it), or give the program "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=NH", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 77 (?); "
	  "LISTEN 127.0.0.1:8080 uid @U pid 78 (a?b???? ~z). SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop pid 77 (?), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=NH", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 77 (?); "
	  "LISTEN 127.0.0.1:8080 uid @U pid 78 (a?b???? ~z). SO_REUSEADDR "
	  "never passes a listener, and SO_REUSEPORT does not pass this one "
	  "(it passes only a listener that set it too, of the same user). "
	  "Fix: stop pid 77 (?), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=NH", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 77 (?); "
	  "LISTEN 127.0.0.1:8080 uid @U pid 78 (a?b???? ~z). SO_REUSEADDR "
	  "never passes a listener. Fix: stop pid 77 (?), or give the "
	  "program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 h=V", PB__READER_AUTHOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a new listener "
	  "of uid @U on [::1]:8080 with SO_REUSEPORT binds beside it now, "
	  "and new connections are then spread over both. Fix: to start a "
	  "new server beside it (a restart that refuses no connection), let "
	  "it listen on [::1]:8080, the holder's address, with SO_REUSEPORT "
	  "(PB_REUSEPORT), then stop the old one (net.ipv4.tcp_migrate_req=1 "
	  "moves its queued connections instead of resetting them); else "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 h=V", PB__READER_OPERATOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a new listener "
	  "of uid @U on [::1]:8080 with SO_REUSEPORT binds beside it now, "
	  "and new connections are then spread over both. Fix: a server of "
	  "uid @U that listens on [::1]:8080, the holder's address, with "
	  "SO_REUSEPORT can start beside it now and the old one be stopped "
	  "after (net.ipv4.tcp_migrate_req=1 moves its queued connections "
	  "instead of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 h=V", PB__READER_SHIM,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a new listener "
	  "of uid @U on [::1]:8080 with SO_REUSEPORT binds beside it now, "
	  "and new connections are then spread over both. Fix: this program "
	  "did not set SO_REUSEPORT, and the shim never sets it: stop the "
	  "process that holds it (portbind-why -p names it), or give the "
	  "program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 v6=0 h=V", PB__READER_AUTHOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::1]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::1]:8080). Fix: to start a new server beside it (a "
	  "restart that refuses no connection), let it listen on [::1]:8080, "
	  "the holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop "
	  "the old one (net.ipv4.tcp_migrate_req=1 moves its queued "
	  "connections instead of resetting them); else stop the process "
	  "that holds it (portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 v6=0 h=V", PB__READER_OPERATOR,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::1]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::1]:8080). Fix: a server of uid @U that listens on "
	  "[::1]:8080, the holder's address, with SO_REUSEPORT can start "
	  "beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::1]:8080 v6=0 h=V", PB__READER_SHIM,
	  "tcp [::1]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::1]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::1]:8080). Fix: this program did not set SO_REUSEPORT, "
	  "and the shim never sets it: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::2]:8080 h=V", PB__READER_AUTHOR,
	  "tcp [::2]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::2]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::1]:8080). Fix: to start a new server beside it (a "
	  "restart that refuses no connection), let it listen on [::1]:8080, "
	  "the holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop "
	  "the old one (net.ipv4.tcp_migrate_req=1 moves its queued "
	  "connections instead of resetting them); else stop the process "
	  "that holds it (portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::2]:8080 h=V", PB__READER_OPERATOR,
	  "tcp [::2]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::2]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::1]:8080). Fix: a server of uid @U that listens on "
	  "[::1]:8080, the holder's address, with SO_REUSEPORT can start "
	  "beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::2]:8080 h=V", PB__READER_SHIM,
	  "tcp [::2]:8080: EADDRINUSE (98, Address already in use): held by "
	  "1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::2]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::1]:8080). Fix: this program did not set SO_REUSEPORT, "
	  "and the shim never sets it: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=0 h=v", PB__READER_AUTHOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds *:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::]:8080). Fix: to start a new server beside it (a "
	  "restart that refuses no connection), let it listen on [::]:8080, "
	  "the holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop "
	  "the old one (net.ipv4.tcp_migrate_req=1 moves its queued "
	  "connections instead of resetting them); else stop the process "
	  "that holds it (portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=0 h=v", PB__READER_OPERATOR,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds *:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::]:8080). Fix: a server of uid @U that listens on "
	  "[::]:8080, the holder's address, with SO_REUSEPORT can start "
	  "beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=0 h=v", PB__READER_SHIM,
	  "tcp *:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds *:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::]:8080). Fix: this program did not set SO_REUSEPORT, "
	  "and the shim never sets it: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=1 h=v", PB__READER_AUTHOR,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::]:8080). Fix: to start a new server beside it (a "
	  "restart that refuses no connection), let it listen on [::]:8080, "
	  "the holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop "
	  "the old one (net.ipv4.tcp_migrate_req=1 moves its queued "
	  "connections instead of resetting them); else stop the process "
	  "that holds it (portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=1 h=v", PB__READER_OPERATOR,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::]:8080). Fix: a server of uid @U that listens on "
	  "[::]:8080, the holder's address, with SO_REUSEPORT can start "
	  "beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::]:8080 v6=1 h=v", PB__READER_SHIM,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held by 1 "
	  "listening socket: LISTEN [::]:8080 uid @U. SO_REUSEADDR never "
	  "passes a listener, but this one set SO_REUSEPORT: a socket of uid "
	  "@U with SO_REUSEPORT binds [::]:8080 beside it now, but the "
	  "connections the holder takes stay with it: the kernel spreads "
	  "connections only among listeners on the same address in the same "
	  "family ([::]:8080). Fix: this program did not set SO_REUSEPORT, "
	  "and the shim never sets it: stop the process that holds it "
	  "(portbind-why -p names it), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=127.0.0.1:8080 h=V", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, but this one set SO_REUSEPORT: a socket "
	  "of uid @U with SO_REUSEPORT binds 127.0.0.1:8080 beside it now, "
	  "but the connections the holder takes stay with it: the kernel "
	  "spreads connections only among listeners on the same address in "
	  "the same family ([::1]:8080). Fix: to start a new server beside "
	  "it (a restart that refuses no connection), let it listen on "
	  "[::1]:8080, the holder's address, with SO_REUSEPORT "
	  "(PB_REUSEPORT), then stop the old one (net.ipv4.tcp_migrate_req=1 "
	  "moves its queued connections instead of resetting them); else "
	  "stop the process that holds it (portbind-why -p names it), or "
	  "choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=127.0.0.1:8080 h=V", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, but this one set SO_REUSEPORT: a socket "
	  "of uid @U with SO_REUSEPORT binds 127.0.0.1:8080 beside it now, "
	  "but the connections the holder takes stay with it: the kernel "
	  "spreads connections only among listeners on the same address in "
	  "the same family ([::1]:8080). Fix: a server of uid @U that "
	  "listens on [::1]:8080, the holder's address, with SO_REUSEPORT "
	  "can start beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop the process that holds it "
	  "(portbind-why -p names it), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=127.0.0.1:8080 h=V", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN [::1]:8080 uid @U. SO_REUSEADDR "
	  "never passes a listener, but this one set SO_REUSEPORT: a socket "
	  "of uid @U with SO_REUSEPORT binds 127.0.0.1:8080 beside it now, "
	  "but the connections the holder takes stay with it: the kernel "
	  "spreads connections only among listeners on the same address in "
	  "the same family ([::1]:8080). Fix: this program did not set "
	  "SO_REUSEPORT, and the shim never sets it: stop the process that "
	  "holds it (portbind-why -p names it), or give the program another "
	  "port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::ffff:127.0.0.1]:8080 v6=0 h=L", PB__READER_AUTHOR,
	  "tcp [::ffff:127.0.0.1]:8080: EADDRINUSE (98, Address already in "
	  "use): held by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). SO_REUSEADDR never passes a listener, but this "
	  "one set SO_REUSEPORT: a socket of uid @U with SO_REUSEPORT binds "
	  "[::ffff:127.0.0.1]:8080 beside it now, but the connections the "
	  "holder takes stay with it: the kernel spreads connections only "
	  "among listeners on the same address in the same family "
	  "(127.0.0.1:8080). Fix: to start a new server beside it (a restart "
	  "that refuses no connection), let it listen on 127.0.0.1:8080, the "
	  "holder's address, with SO_REUSEPORT (PB_REUSEPORT), then stop the "
	  "old one (net.ipv4.tcp_migrate_req=1 moves its queued connections "
	  "instead of resetting them); else stop pid 812 (nginx), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::ffff:127.0.0.1]:8080 v6=0 h=L", PB__READER_OPERATOR,
	  "tcp [::ffff:127.0.0.1]:8080: EADDRINUSE (98, Address already in "
	  "use): held by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). SO_REUSEADDR never passes a listener, but this "
	  "one set SO_REUSEPORT: a socket of uid @U with SO_REUSEPORT binds "
	  "[::ffff:127.0.0.1]:8080 beside it now, but the connections the "
	  "holder takes stay with it: the kernel spreads connections only "
	  "among listeners on the same address in the same family "
	  "(127.0.0.1:8080). Fix: a server of uid @U that listens on "
	  "127.0.0.1:8080, the holder's address, with SO_REUSEPORT can start "
	  "beside it now and the old one be stopped after "
	  "(net.ipv4.tcp_migrate_req=1 moves its queued connections instead "
	  "of resetting them); else stop pid 812 (nginx), or choose another "
	  "port." },
	{ "c=listener e=EADDRINUSE rp=1 a=[::ffff:127.0.0.1]:8080 v6=0 h=L", PB__READER_SHIM,
	  "tcp [::ffff:127.0.0.1]:8080: EADDRINUSE (98, Address already in "
	  "use): held by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx). SO_REUSEADDR never passes a listener, but this "
	  "one set SO_REUSEPORT: a socket of uid @U with SO_REUSEPORT binds "
	  "[::ffff:127.0.0.1]:8080 beside it now, but the connections the "
	  "holder takes stay with it: the kernel spreads connections only "
	  "among listeners on the same address in the same family "
	  "(127.0.0.1:8080). Fix: this program did not set SO_REUSEPORT, and "
	  "the shim never sets it: stop pid 812 (nginx), or give the program "
	  "another port." },
	{ "c=none a=[::1]:8080 v6=0", ALL,
	  "tcp [::1]:8080: nothing holds it; it can be bound now." },
	{ "c=none a=[::ffff:0.0.0.0]:8080 v6=0", ALL,
	  "tcp [::ffff:0.0.0.0]:8080: nothing holds it; it can be bound now." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=Z", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ? 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U. Their socket did not set SO_REUSEADDR, so "
	  "nothing binds until they close; SO_REUSEPORT does not pass them "
	  "either. Fix: stop the process that holds it (portbind-why -p "
	  "names it), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=Z", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ? 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U. Their socket did not set SO_REUSEADDR, so "
	  "nothing binds until they close; SO_REUSEPORT does not pass them "
	  "either. Fix: stop the process that holds it (portbind-why -p "
	  "names it), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=Z", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ? 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U. Their socket did not set SO_REUSEADDR, so "
	  "a server binds only once they close. Fix: stop the process that "
	  "holds it (portbind-why -p names it), or end those connections." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=1 hi=1", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 1-1 (1 port). Fix: never bind a "
	  "client's port before connect() unless with "
	  "IP_BIND_ADDRESS_NO_PORT (as pb_connect_from does); spread "
	  "connections over more destinations or source addresses; let "
	  "net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or widen the range." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=1 hi=1", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 1-1 (1 port). Fix: widen the "
	  "range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses; portbind-why --budget 192.0.2.1:80 counts what is left." },
	{ "c=ports-exhausted e=EADDRNOTAVAIL p=192.0.2.1:80 lo=1 hi=1", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080 -> 192.0.2.1:80: EADDRNOTAVAIL (99, Cannot "
	  "assign requested address): no free local port is left. "
	  "net.ipv4.ip_local_port_range is 1-1 (1 port). Fix: widen the "
	  "range (sysctl net.ipv4.ip_local_port_range), let "
	  "net.ipv4.tcp_tw_reuse=1 reuse TIME_WAIT ports for new "
	  "connections, or spread them over more destinations or source "
	  "addresses; portbind-why --budget 192.0.2.1:80 counts what is left." },
	{ "c=privileged e=EACCES a=127.0.0.1:8080 ups=-1 cap=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EACCES (13, Permission denied): port 8080 is "
	  "taken to be privileged: net.ipv4.ip_unprivileged_port_start could "
	  "not be read (it is 1024 unless changed), and this process lacks "
	  "CAP_NET_BIND_SERVICE. Fix: grant CAP_NET_BIND_SERVICE (setcap "
	  "cap_net_bind_service=+ep on the binary, or "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd unit), "
	  "let systemd bind the port (a socket unit) and adopt it "
	  "(PB_ADOPT), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:8080 ups=-1 cap=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EACCES (13, Permission denied): port 8080 is "
	  "taken to be privileged: net.ipv4.ip_unprivileged_port_start could "
	  "not be read (it is 1024 unless changed), and this process lacks "
	  "CAP_NET_BIND_SERVICE. Fix: grant CAP_NET_BIND_SERVICE (setcap "
	  "cap_net_bind_service=+ep on the binary, or "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd unit), "
	  "lower net.ipv4.ip_unprivileged_port_start (sysctl), or use a port "
	  ">= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:8080 ups=-1 cap=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EACCES (13, Permission denied): port 8080 is "
	  "taken to be privileged: net.ipv4.ip_unprivileged_port_start could "
	  "not be read (it is 1024 unless changed), and this process lacks "
	  "CAP_NET_BIND_SERVICE. Fix: grant it with "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's systemd "
	  "unit (not with setcap: the shim does nothing in a program with "
	  "file capabilities), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or give the program a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=-1 cap=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "taken to be privileged: net.ipv4.ip_unprivileged_port_start could "
	  "not be read (it is 1024 unless changed), and this process lacks "
	  "CAP_NET_BIND_SERVICE. Fix: grant CAP_NET_BIND_SERVICE (setcap "
	  "cap_net_bind_service=+ep on the binary, or "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd unit), "
	  "let systemd bind the port (a socket unit) and adopt it "
	  "(PB_ADOPT), or use a port >= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=-1 cap=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "taken to be privileged: net.ipv4.ip_unprivileged_port_start could "
	  "not be read (it is 1024 unless changed), and this process lacks "
	  "CAP_NET_BIND_SERVICE. Fix: grant CAP_NET_BIND_SERVICE (setcap "
	  "cap_net_bind_service=+ep on the binary, or "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd unit), "
	  "lower net.ipv4.ip_unprivileged_port_start (sysctl), or use a port "
	  ">= 1024." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=-1 cap=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "taken to be privileged: net.ipv4.ip_unprivileged_port_start could "
	  "not be read (it is 1024 unless changed), and this process lacks "
	  "CAP_NET_BIND_SERVICE. Fix: grant it with "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's systemd "
	  "unit (not with setcap: the shim does nothing in a program with "
	  "file capabilities), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or give the program a port >= 1024." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::ffff:127.0.0.1]:8080 v6=0 h=T", PB__READER_AUTHOR,
	  "tcp [::ffff:127.0.0.1]:8080: EADDRINUSE (98, Address already in "
	  "use): held only by 1 socket in TIME_WAIT: TIME_WAIT "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 expires in 41 s. The last "
	  "expires in 41 s, but a server that sets SO_REUSEADDR binds now. "
	  "Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen sets it unless "
	  "PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::ffff:127.0.0.1]:8080 v6=0 h=T", PB__READER_OPERATOR,
	  "tcp [::ffff:127.0.0.1]:8080: EADDRINUSE (98, Address already in "
	  "use): held only by 1 socket in TIME_WAIT: TIME_WAIT "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 expires in 41 s. The last "
	  "expires in 41 s, but a server that sets SO_REUSEADDR binds now. "
	  "Fix: start the server now if it sets SO_REUSEADDR, as most do; "
	  "run one that does not under LD_PRELOAD=libportbind-preload.so, "
	  "which binds over them, or wait for them first: portbind-why "
	  "--wait 65 '[::ffff:127.0.0.1]:8080'." },
	{ "c=time-wait e=EADDRINUSE rah=1 a=[::ffff:127.0.0.1]:8080 v6=0 h=T", PB__READER_SHIM,
	  "tcp [::ffff:127.0.0.1]:8080: EADDRINUSE (98, Address already in "
	  "use): held only by 1 socket in TIME_WAIT: TIME_WAIT "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 expires in 41 s. The last "
	  "expires in 41 s, but a server that sets SO_REUSEADDR binds now. "
	  "This program did not set SO_REUSEADDR, and the shim binds over "
	  "them with it only when the socket table shows TIME_WAIT sockets "
	  "alone. Fix: start the program with PORTBIND_WAIT=65 in its "
	  "environment: bind then waits until they expire." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 a=[::]:8080 v6=1 h=T", PB__READER_AUTHOR,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held only "
	  "by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait (pb_listen_wait waits "
	  "exactly that long), and set SO_REUSEADDR in the server so its "
	  "next restart binds at once (pb_listen sets it unless "
	  "PB_NO_REUSEADDR)." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 a=[::]:8080 v6=1 h=T", PB__READER_OPERATOR,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held only "
	  "by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). SO_REUSEPORT "
	  "does not pass them either. Fix: wait before starting the server: "
	  "portbind-why --wait 65 '[::]:8080' && exec the server. Running it "
	  "under LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR "
	  "on its listener, makes its next restart bind at once." },
	{ "c=time-wait e=EADDRINUSE rah=0 rp=0 a=[::]:8080 v6=1 h=T", PB__READER_SHIM,
	  "tcp [::]:8080: EADDRINUSE (98, Address already in use): held only "
	  "by 1 socket in TIME_WAIT: TIME_WAIT 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 expires in 41 s. The previous process did not set "
	  "SO_REUSEADDR: free in 41 s (TIME_WAIT lasts 60 s). Fix: start the "
	  "program with PORTBIND_WAIT=65 in its environment: bind then waits "
	  "until they expire. The shim sets SO_REUSEADDR on the program's "
	  "listener, so the restart after this one binds at once." },
	{ "c=listener e=EADDRINUSE rp=0 h=P", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 1 "
	  "(systemd). SO_REUSEADDR never passes a listener, and SO_REUSEPORT "
	  "does not pass this one (it passes only a listener that set it "
	  "too, of the same user). Fix: stop pid 1 (systemd), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=P", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 1 "
	  "(systemd). SO_REUSEADDR never passes a listener, and SO_REUSEPORT "
	  "does not pass this one (it passes only a listener that set it "
	  "too, of the same user). Fix: stop pid 1 (systemd), or choose "
	  "another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=P", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 listening socket: LISTEN 127.0.0.1:8080 uid @U pid 1 "
	  "(systemd). SO_REUSEADDR never passes a listener. Fix: stop pid 1 "
	  "(systemd), or give the program another port." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=Q", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED ? -> ? uid @U. "
	  "Their socket did not set SO_REUSEADDR, so nothing binds until "
	  "they close; SO_REUSEPORT does not pass them either. Fix: stop the "
	  "process that holds it (portbind-why -p names it), or close those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=Q", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED ? -> ? uid @U. "
	  "Their socket did not set SO_REUSEADDR, so nothing binds until "
	  "they close; SO_REUSEPORT does not pass them either. Fix: stop the "
	  "process that holds it (portbind-why -p names it), or end those "
	  "connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=Q", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ESTABLISHED ? -> ? uid @U. "
	  "Their socket did not set SO_REUSEADDR, so a server binds only "
	  "once they close. Fix: stop the process that holds it "
	  "(portbind-why -p names it), or end those connections." },
	{ "c=bound e=EADDRINUSE rah=1 h=bP", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O; "
	  "LISTEN 127.0.0.1:8080 uid @U pid 1 (systemd). A server that sets "
	  "SO_REUSEADDR binds now, but the first of the two to listen() "
	  "wins. Fix: stop pid 1 (systemd), or choose another port." },
	{ "c=bound e=EADDRINUSE rah=1 h=bP", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O; "
	  "LISTEN 127.0.0.1:8080 uid @U pid 1 (systemd). A server that sets "
	  "SO_REUSEADDR binds now, but the first of the two to listen() "
	  "wins. Fix: stop pid 1 (systemd), or choose another port." },
	{ "c=bound e=EADDRINUSE rah=1 h=bP", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 socket bound but not listening: BOUND 127.0.0.1:8080 uid @O; "
	  "LISTEN 127.0.0.1:8080 uid @U pid 1 (systemd). A server that sets "
	  "SO_REUSEADDR binds now, but the first of the two to listen() "
	  "wins. The shim never adds SO_REUSEADDR over a socket that is "
	  "bound and not listening: it may be a lock or a reservation. Fix: "
	  "stop pid 1 (systemd), or give the program another port." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=D", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ? 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U. Their socket did not set SO_REUSEADDR, so "
	  "nothing binds until they close; SO_REUSEPORT does not pass them "
	  "either. Fix: stop the process that holds it (portbind-why -p "
	  "names it), or close those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=D", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ? 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U. Their socket did not set SO_REUSEADDR, so "
	  "nothing binds until they close; SO_REUSEPORT does not pass them "
	  "either. Fix: stop the process that holds it (portbind-why -p "
	  "names it), or end those connections." },
	{ "c=connected e=EADDRINUSE rah=0 rp=0 h=D", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 1 open connection and no listener: ? 127.0.0.1:8080 -> "
	  "127.0.0.1:40000 uid @U. Their socket did not set SO_REUSEADDR, so "
	  "a server binds only once they close. Fix: stop the process that "
	  "holds it (portbind-why -p names it), or end those connections." },
	{ "c=listener e=EADDRINUSE rp=0 h=FG", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 90 "
	  "(fffffffffffffff); LISTEN 127.0.0.1:8080 uid @U pid 91 "
	  "(ggggggggggggggg). SO_REUSEADDR never passes a listener, and "
	  "SO_REUSEPORT does not pass this one (it passes only a listener "
	  "that set it too, of the same user). Fix: stop pid 90 "
	  "(fffffffffffffff), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=FG", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 90 "
	  "(fffffffffffffff); LISTEN 127.0.0.1:8080 uid @U pid 91 "
	  "(ggggggggggggggg). SO_REUSEADDR never passes a listener, and "
	  "SO_REUSEPORT does not pass this one (it passes only a listener "
	  "that set it too, of the same user). Fix: stop pid 90 "
	  "(fffffffffffffff), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=FG", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 90 "
	  "(fffffffffffffff); LISTEN 127.0.0.1:8080 uid @U pid 91 "
	  "(ggggggggggggggg). SO_REUSEADDR never passes a listener. Fix: "
	  "stop pid 90 (fffffffffffffff), or give the program another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=GF", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 91 "
	  "(ggggggggggggggg); LISTEN 127.0.0.1:8080 uid @U pid 90 "
	  "(fffffffffffffff). SO_REUSEADDR never passes a listener, and "
	  "SO_REUSEPORT does not pass this one (it passes only a listener "
	  "that set it too, of the same user). Fix: stop pid 91 "
	  "(ggggggggggggggg), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=GF", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 91 "
	  "(ggggggggggggggg); LISTEN 127.0.0.1:8080 uid @U pid 90 "
	  "(fffffffffffffff). SO_REUSEADDR never passes a listener, and "
	  "SO_REUSEPORT does not pass this one (it passes only a listener "
	  "that set it too, of the same user). Fix: stop pid 91 "
	  "(ggggggggggggggg), or choose another port." },
	{ "c=listener e=EADDRINUSE rp=0 h=GF", PB__READER_SHIM,
	  "tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): held "
	  "by 2 listening sockets: LISTEN 127.0.0.1:8080 uid @U pid 91 "
	  "(ggggggggggggggg); LISTEN 127.0.0.1:8080 uid @U pid 90 "
	  "(fffffffffffffff). SO_REUSEADDR never passes a listener. Fix: "
	  "stop pid 91 (ggggggggggggggg), or give the program another port." },
	{ "c=other e=EINVAL inv=1 a=none specfill=s", ALL,
	  "tcp address spec "
	  "\"sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss\" "
	  "is not valid: EINVAL (22, Invalid argument). Fix: write a numeric "
	  "address and a port from 0 to 65535, such as \"127.0.0.1:8080\", "
	  "\"[::1]:8080\", \"*:8080\" or \"8080\"; host names are not looked "
	  "up (pb_parse_addr(3))." },
	{ "c=other e=EINVAL inv=2 a=none specfill=t", ALL,
	  "tcp address spec "
	  "\"ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt\": "
	  "EINVAL (22, Invalid argument): the flags are not valid for this "
	  "call (a bit it does not take, or PB_UDP_REUSEADDR with "
	  "PB_NO_REUSEADDR or on TCP). Fix: pass only the PB_* flags its "
	  "manual page lists." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1 cap=0", PB__READER_AUTHOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), let systemd bind the port (a socket unit) and "
	  "adopt it (PB_ADOPT), or use a port >= 1." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1 cap=0", PB__READER_OPERATOR,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant "
	  "CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on the "
	  "binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
	  "systemd unit), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or use a port >= 1." },
	{ "c=privileged e=EACCES a=127.0.0.1:80 ups=1 cap=0", PB__READER_SHIM,
	  "tcp 127.0.0.1:80: EACCES (13, Permission denied): port 80 is "
	  "privileged: below net.ipv4.ip_unprivileged_port_start = 1, and "
	  "this process lacks CAP_NET_BIND_SERVICE. Fix: grant it with "
	  "AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's systemd "
	  "unit (not with setcap: the shim does nothing in a program with "
	  "file capabilities), lower net.ipv4.ip_unprivileged_port_start "
	  "(sysctl), or give the program a port >= 1." },
};

/* The text at every buffer size that matters: 0 (nothing written, NULL
   allowed), 1 (""), one short of the NUL, exactly enough, one more; the
   return always the whole length, errno kept, nothing written past size,
   a cut text a prefix. */
static void sizes_agree(const struct pb_diag *d, int json, const char *full)
{
	size_t n = strlen(full), sizes[] = { 1, 2, n / 2, n - 1, n, n + 1, n + 2 };
	char *buf = malloc(n + 8);
	size_t i, k;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t s = sizes[i];
		int r;

		memset(buf, 'x', n + 8);
		errno = 4242;
		r = json ? pb_diag_json(d, buf, s) : pb_diag_format(d, buf, s);
		ck_assert_int_eq(r, (int)n);
		ck_assert_int_eq(errno, 4242);
		k = s - 1 < n ? s - 1 : n;
		ck_assert_msg(!strncmp(buf, full, k) && buf[k] == '\0',
			      "size %zu: \"%s\"", s, buf);
		ck_assert_int_eq(buf[s], 'x');
	}
	memset(buf, 'x', n + 8);
	errno = 4242;
	ck_assert_int_eq(json ? pb_diag_json(d, buf, 0) : pb_diag_format(d, buf, 0),
			 (int)n);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_int_eq(json ? pb_diag_json(d, NULL, 0) : pb_diag_format(d, NULL, 0),
			 (int)n);
	ck_assert_int_eq(errno, 4242);
	free(buf);
}

START_TEST(golden_paragraphs)
{
	static char want[8192];
	struct pb_diag *d = malloc(sizeof(*d));
	size_t i;
	int bad = 0, reader;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		golden_diag(goldens[i].desc, d);
		golden_expand(goldens[i].want, want, sizeof(want));
		for (reader = PB__READER_AUTHOR; reader <= PB__READER_SHIM; reader++) {
			char *t;

			if (goldens[i].reader != ALL && goldens[i].reader != reader)
				continue;
			t = format_for(d, reader);
			if (strcmp(t, want)) {
				char what[600];

				snprintf(what, sizeof(what), "\t{ \"%s\", %s,",
					 goldens[i].desc,
					 goldens[i].reader == ALL ? "ALL" :
					 reader == PB__READER_AUTHOR ? "PB__READER_AUTHOR" :
					 reader == PB__READER_OPERATOR ? "PB__READER_OPERATOR"
								       : "PB__READER_SHIM");
				golden_print(what, t);
				bad++;
			} else if (reader != PB__READER_SHIM) {
				unsigned flags = d->flags;

				if (reader == PB__READER_OPERATOR)
					d->flags |= PB_DIAG_OPERATOR;
				sizes_agree(d, 0, t);
				assert_json_of(d);
				json_agrees(d);
				if (reader == PB__READER_AUTHOR) {
					static char j[16384];

					ck_assert_int_lt(pb_diag_json(d, j, sizeof(j)),
							 (int)sizeof(j));
					sizes_agree(d, 1, j);
				}
				d->flags = flags;
			}
			free(t);
		}
	}
	free(d);
	ck_assert_msg(bad == 0, "%d paragraphs differ (above, as rows)", bad);
}
END_TEST

/* Whole JSON objects for the diagnoses that differ in what the members
   hold (the paragraphs above cover the message). */
static const struct {
	const char *desc, *want;
} json_goldens[] = {
	{ "c=none src=63 ups=1024 cap=1 lo=32768 hi=60999 rah=1 rp=1",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":null,\"errno_value\":0,\"cause\":\"none\","
	  "\"reuseaddr_helps\":true,\"sources\":[\"errno\",\"probe\","
	  "\"netlink\",\"procnet\",\"owners\",\"sysctl\"],"
	  "\"counts\":{\"total\":0,\"listen\":0,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":0},\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":1024,\"cap_net_bind_service\":true,"
	  "\"port_range\":[32768,60999],\"reuseport_helps\":true,"
	  "\"spec\":null,\"invalid\":null,\"message\":\"tcp 127.0.0.1:8080: "
	  "nothing holds it; it can be bound now.\"}" },
	{ "c=listener e=EADDRINUSE rp=0 rah=0 src=21 a=[::]:8080 v6=0 h=6LNH cap=0 ups=0",
	  "{\"protocol\":\"tcp\",\"address\":\"*:8080\",\"peer\":null,"
	  "\"errno\":\"EADDRINUSE\",\"errno_value\":98,"
	  "\"cause\":\"listener\",\"reuseaddr_helps\":false,"
	  "\"sources\":[\"errno\",\"netlink\",\"owners\"],"
	  "\"counts\":{\"total\":4,\"listen\":4,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":0},\"time_wait_ms\":0,"
	  "\"holders\":[{\"state\":\"LISTEN\",\"protocol\":\"tcp\","
	  "\"local\":\"[::]:8080\",\"remote\":null,\"uid\":@U,\"inode\":4711,"
	  "\"v6only\":false,\"expires_ms\":null,\"pid\":null,"
	  "\"command\":null},{\"state\":\"LISTEN\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4712,\"v6only\":null,\"expires_ms\":null,\"pid\":812,"
	  "\"command\":\"nginx\"},{\"state\":\"LISTEN\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4713,\"v6only\":null,\"expires_ms\":null,\"pid\":77,"
	  "\"command\":\"?\"},{\"state\":\"LISTEN\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4714,\"v6only\":null,\"expires_ms\":null,\"pid\":78,"
	  "\"command\":\"a?b???? ~z\"}],\"unprivileged_port_start\":0,"
	  "\"cap_net_bind_service\":false,\"port_range\":null,"
	  "\"reuseport_helps\":false,\"spec\":null,\"invalid\":null,"
	  "\"message\":\"tcp *:8080: EADDRINUSE (98, Address already in "
	  "use): held by 4 listening sockets: LISTEN [::]:8080 uid @U; "
	  "LISTEN 127.0.0.1:8080 uid @U pid 812 (nginx); LISTEN "
	  "127.0.0.1:8080 uid @U pid 77 (?); and 1 more. SO_REUSEADDR never "
	  "passes a listener, and SO_REUSEPORT does not pass this one (it "
	  "passes only a listener that set it too, of the same user). Fix: "
	  "stop pid 812 (nginx), or choose another port.\"}" },
	{ "c=time-wait e=EADDRINUSE rah=1 rp=-1 src=10 h=TTTTTTTT more=3",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":\"EADDRINUSE\",\"errno_value\":98,"
	  "\"cause\":\"time-wait\",\"reuseaddr_helps\":true,"
	  "\"sources\":[\"probe\",\"procnet\"],\"counts\":{\"total\":11,"
	  "\"listen\":0,\"time_wait\":8,\"connected\":0,\"bound\":0},"
	  "\"time_wait_ms\":41000,\"holders\":[{\"state\":\"TIME_WAIT\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:40000\",\"uid\":null,\"inode\":null,"
	  "\"v6only\":null,\"expires_ms\":41000,\"pid\":null,"
	  "\"command\":null},{\"state\":\"TIME_WAIT\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:40001\","
	  "\"uid\":null,\"inode\":null,\"v6only\":null,\"expires_ms\":40000,"
	  "\"pid\":null,\"command\":null},{\"state\":\"TIME_WAIT\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:40002\",\"uid\":null,\"inode\":null,"
	  "\"v6only\":null,\"expires_ms\":39000,\"pid\":null,"
	  "\"command\":null},{\"state\":\"TIME_WAIT\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:40003\","
	  "\"uid\":null,\"inode\":null,\"v6only\":null,\"expires_ms\":38000,"
	  "\"pid\":null,\"command\":null},{\"state\":\"TIME_WAIT\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:40004\",\"uid\":null,\"inode\":null,"
	  "\"v6only\":null,\"expires_ms\":37000,\"pid\":null,"
	  "\"command\":null},{\"state\":\"TIME_WAIT\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:40005\","
	  "\"uid\":null,\"inode\":null,\"v6only\":null,\"expires_ms\":36000,"
	  "\"pid\":null,\"command\":null},{\"state\":\"TIME_WAIT\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:40006\",\"uid\":null,\"inode\":null,"
	  "\"v6only\":null,\"expires_ms\":35000,\"pid\":null,"
	  "\"command\":null},{\"state\":\"TIME_WAIT\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:40007\","
	  "\"uid\":null,\"inode\":null,\"v6only\":null,\"expires_ms\":34000,"
	  "\"pid\":null,\"command\":null}],\"unprivileged_port_start\":null,"
	  "\"cap_net_bind_service\":null,\"port_range\":null,"
	  "\"reuseport_helps\":null,\"spec\":null,\"invalid\":null,"
	  "\"message\":\"tcp 127.0.0.1:8080: EADDRINUSE (98, Address already "
	  "in use): held only by 8 sockets in TIME_WAIT: TIME_WAIT "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 expires in 41 s; TIME_WAIT "
	  "127.0.0.1:8080 -> 127.0.0.1:40001 expires in 40 s; TIME_WAIT "
	  "127.0.0.1:8080 -> 127.0.0.1:40002 expires in 39 s; and 8 more. "
	  "The last expires in 41 s, but a server that sets SO_REUSEADDR "
	  "binds now. Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen sets "
	  "it unless PB_NO_REUSEADDR).\"}" },
	{ "c=connected e=EADDRINUSE rah=0 rp=5 p=[2001:db8::1]:443 h=EuUBXZ",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":\"[2001:db8::1]:443\",\"errno\":\"EADDRINUSE\","
	  "\"errno_value\":98,\"cause\":\"connected\","
	  "\"reuseaddr_helps\":false,\"sources\":[],\"counts\":{\"total\":6,"
	  "\"listen\":0,\"time_wait\":0,\"connected\":3,\"bound\":3},"
	  "\"time_wait_ms\":0,\"holders\":[{\"state\":\"ESTABLISHED\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:40000\",\"uid\":@U,\"inode\":4711,"
	  "\"v6only\":null,\"expires_ms\":null,\"pid\":812,"
	  "\"command\":\"nginx\"},{\"state\":\"UDP connected\","
	  "\"protocol\":\"udp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:53\",\"uid\":@U,\"inode\":4712,"
	  "\"v6only\":null,\"expires_ms\":null,\"pid\":null,"
	  "\"command\":null},{\"state\":\"UDP bound\",\"protocol\":\"udp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4713,\"v6only\":null,\"expires_ms\":null,\"pid\":812,"
	  "\"command\":\"nginx\"},{\"state\":\"BOUND\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4714,\"v6only\":null,\"expires_ms\":null,\"pid\":812,"
	  "\"command\":\"nginx\"},{\"state\":\"?\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4715,\"v6only\":null,\"expires_ms\":null,\"pid\":null,"
	  "\"command\":null},{\"state\":\"?\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:40000\","
	  "\"uid\":@U,\"inode\":4716,\"v6only\":null,\"expires_ms\":null,"
	  "\"pid\":null,\"command\":null}],\"unprivileged_port_start\":null,"
	  "\"cap_net_bind_service\":null,\"port_range\":null,"
	  "\"reuseport_helps\":true,\"spec\":null,\"invalid\":null,"
	  "\"message\":\"tcp 127.0.0.1:8080 -> [2001:db8::1]:443: EADDRINUSE "
	  "(98, Address already in use): this source port already has a "
	  "connection to that destination (a 4-tuple is unique): ESTABLISHED "
	  "127.0.0.1:8080 -> 127.0.0.1:40000 uid @U pid 812 (nginx); UDP "
	  "connected 127.0.0.1:8080 -> 127.0.0.1:53 uid @U; UDP bound "
	  "127.0.0.1:8080 uid @U pid 812 (nginx); and 3 more. Fix: use "
	  "source port 0 and let connect() pick (pb_connect_from), or "
	  "another source port.\"}" },
	{ "c=bound e=EADDRINUSE t=udp rp=-9 h=Ub",
	  "{\"protocol\":\"udp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":\"EADDRINUSE\",\"errno_value\":98,"
	  "\"cause\":\"bound\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":2,\"listen\":0,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":2},\"time_wait_ms\":0,"
	  "\"holders\":[{\"state\":\"UDP bound\",\"protocol\":\"udp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4711,\"v6only\":null,\"expires_ms\":null,\"pid\":812,"
	  "\"command\":\"nginx\"},{\"state\":\"BOUND\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@O,"
	  "\"inode\":4712,\"v6only\":null,\"expires_ms\":null,\"pid\":null,"
	  "\"command\":null}],\"unprivileged_port_start\":null,"
	  "\"cap_net_bind_service\":null,\"port_range\":null,"
	  "\"reuseport_helps\":null,\"spec\":null,\"invalid\":null,"
	  "\"message\":\"udp 127.0.0.1:8080: EADDRINUSE (98, Address already "
	  "in use): held by 2 UDP sockets: UDP bound 127.0.0.1:8080 uid @U "
	  "pid 812 (nginx); BOUND 127.0.0.1:8080 uid @O. Whether "
	  "SO_REUSEPORT would pass it is not known (it is not probed for "
	  "UDP). Fix: stop pid 812 (nginx), or choose another port; do not "
	  "share a unicast UDP port with SO_REUSEADDR: the datagrams go to "
	  "one socket only.\"}" },
	{ "c=other e=4000 inv=6 a=none spec=x\"y\\\\z lo=9 hi=3 cap=0",
	  "{\"protocol\":\"tcp\",\"address\":null,\"peer\":null,"
	  "\"errno\":\"4000\",\"errno_value\":4000,\"cause\":\"other\","
	  "\"reuseaddr_helps\":null,\"sources\":[],\"counts\":{\"total\":0,"
	  "\"listen\":0,\"time_wait\":0,\"connected\":0,\"bound\":0},"
	  "\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":false,"
	  "\"port_range\":[9,3],\"reuseport_helps\":null,"
	  "\"spec\":\"x\\\"y\\\\\\\\z\",\"invalid\":\"port-range\","
	  "\"message\":\"tcp address spec \\\"x\\\"y\\\\\\\\z\\\": errno "
	  "4000: the source port range 9-3 is not valid. Fix: give a range "
	  "lo-hi with lo <= hi <= 65535.\"}" },
	{ "c=other e=EINVAL inv=1 a=none t=udp spec=bogus",
	  "{\"protocol\":\"udp\",\"address\":null,\"peer\":null,"
	  "\"errno\":\"EINVAL\",\"errno_value\":22,\"cause\":\"other\","
	  "\"reuseaddr_helps\":null,\"sources\":[],\"counts\":{\"total\":0,"
	  "\"listen\":0,\"time_wait\":0,\"connected\":0,\"bound\":0},"
	  "\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":\"bogus\","
	  "\"invalid\":\"spec\",\"message\":\"udp address spec \\\"bogus\\\" "
	  "is not valid: EINVAL (22, Invalid argument). Fix: write a numeric "
	  "address and a port from 0 to 65535, such as "
	  "\\\"127.0.0.1:8080\\\", \\\"[::1]:8080\\\", \\\"*:8080\\\" or "
	  "\\\"8080\\\"; host names are not looked up (pb_parse_addr(3)).\"}" },
	{ "c=other e=EINVAL inv=2",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":\"EINVAL\",\"errno_value\":22,"
	  "\"cause\":\"other\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":0,\"listen\":0,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":0},\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":null,"
	  "\"invalid\":\"flags\",\"message\":\"tcp 127.0.0.1:8080: EINVAL "
	  "(22, Invalid argument): the flags are not valid for this call (a "
	  "bit it does not take, or PB_UDP_REUSEADDR with PB_NO_REUSEADDR or "
	  "on TCP). Fix: pass only the PB_* flags its manual page lists.\"}" },
	{ "c=other e=EINVAL inv=3 a=none t=9",
	  "{\"protocol\":\"tcp\",\"address\":null,\"peer\":null,"
	  "\"errno\":\"EINVAL\",\"errno_value\":22,\"cause\":\"other\","
	  "\"reuseaddr_helps\":null,\"sources\":[],\"counts\":{\"total\":0,"
	  "\"listen\":0,\"time_wait\":0,\"connected\":0,\"bound\":0},"
	  "\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":null,"
	  "\"invalid\":\"type\",\"message\":\"socket type 9 is not valid: "
	  "EINVAL (22, Invalid argument). Fix: use SOCK_STREAM or "
	  "SOCK_DGRAM.\"}" },
	{ "c=other e=EINVAL inv=4 p=[::1]:80",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":\"[::1]:80\",\"errno\":\"EINVAL\",\"errno_value\":22,"
	  "\"cause\":\"other\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":0,\"listen\":0,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":0},\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":null,"
	  "\"invalid\":\"source\",\"message\":\"tcp 127.0.0.1:8080 -> "
	  "[::1]:80: EINVAL (22, Invalid argument): the source address is "
	  "not of the destination's family. Fix: give a source of the "
	  "destination's family, with its length, or NULL for any local "
	  "address.\"}" },
	{ "c=other e=EAFNOSUPPORT inv=5 a=none",
	  "{\"protocol\":\"tcp\",\"address\":null,\"peer\":null,"
	  "\"errno\":\"EAFNOSUPPORT\",\"errno_value\":97,\"cause\":\"other\","
	  "\"reuseaddr_helps\":null,\"sources\":[],\"counts\":{\"total\":0,"
	  "\"listen\":0,\"time_wait\":0,\"connected\":0,\"bound\":0},"
	  "\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":null,"
	  "\"invalid\":\"destination\",\"message\":\"tcp connection: "
	  "EAFNOSUPPORT (97, Address family not supported by protocol): the "
	  "destination address is not valid (NULL, shorter than its family "
	  "needs, or not IPv4 or IPv6). Fix: give an IPv4 or IPv6 "
	  "destination, with its length.\"}" },
	{ "c=other e=0 f=8 a=[fe80::1%4294967295]:1",
	  "{\"protocol\":\"tcp\",\"address\":\"[fe80::1%4294967295]:1\","
	  "\"peer\":null,\"errno\":null,\"errno_value\":0,"
	  "\"cause\":\"other\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":0,\"listen\":0,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":0},\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":null,"
	  "\"invalid\":null,\"message\":\"tcp [fe80::1%4294967295]:1: not a "
	  "port conflict. Fix: see bind(2), listen(2) and socket(2) for this "
	  "error.\"}" },
	{ "c=connected e=EADDRINUSE rp=0 h=QP",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":\"EADDRINUSE\",\"errno_value\":98,"
	  "\"cause\":\"connected\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":2,\"listen\":1,\"time_wait\":0,"
	  "\"connected\":1,\"bound\":0},\"time_wait_ms\":0,"
	  "\"holders\":[{\"state\":\"ESTABLISHED\",\"protocol\":\"tcp\","
	  "\"local\":\"?\",\"remote\":\"?\",\"uid\":@U,\"inode\":4711,"
	  "\"v6only\":null,\"expires_ms\":null,\"pid\":null,"
	  "\"command\":null},{\"state\":\"LISTEN\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4712,\"v6only\":null,\"expires_ms\":null,\"pid\":1,"
	  "\"command\":\"systemd\"}],\"unprivileged_port_start\":null,"
	  "\"cap_net_bind_service\":null,\"port_range\":null,"
	  "\"reuseport_helps\":false,\"spec\":null,\"invalid\":null,"
	  "\"message\":\"tcp 127.0.0.1:8080: EADDRINUSE (98, Address already "
	  "in use): held by 1 open connection and no listener: ESTABLISHED ? "
	  "-> ? uid @U; LISTEN 127.0.0.1:8080 uid @U pid 1 (systemd). Their "
	  "socket did not set SO_REUSEADDR, so nothing binds until they "
	  "close; SO_REUSEPORT does not pass them either. Fix: stop pid 1 "
	  "(systemd), or close those connections.\"}" },
	{ "c=listener e=EADDRINUSE rp=0 h=FGD specfill=u",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":\"EADDRINUSE\",\"errno_value\":98,"
	  "\"cause\":\"listener\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":3,\"listen\":2,\"time_wait\":0,"
	  "\"connected\":1,\"bound\":0},\"time_wait_ms\":0,"
	  "\"holders\":[{\"state\":\"LISTEN\",\"protocol\":\"tcp\","
	  "\"local\":\"127.0.0.1:8080\",\"remote\":null,\"uid\":@U,"
	  "\"inode\":4711,\"v6only\":null,\"expires_ms\":null,\"pid\":90,"
	  "\"command\":\"fffffffffffffff\"},{\"state\":\"LISTEN\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\",\"remote\":null,"
	  "\"uid\":@U,\"inode\":4712,\"v6only\":null,\"expires_ms\":null,"
	  "\"pid\":91,\"command\":\"ggggggggggggggg\"},{\"state\":\"?\","
	  "\"protocol\":\"tcp\",\"local\":\"127.0.0.1:8080\","
	  "\"remote\":\"127.0.0.1:40000\",\"uid\":@U,\"inode\":4713,"
	  "\"v6only\":null,\"expires_ms\":null,\"pid\":null,"
	  "\"command\":null}],\"unprivileged_port_start\":null,"
	  "\"cap_net_bind_service\":null,\"port_range\":null,"
	  "\"reuseport_helps\":false,"
	  "\"spec\":\"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu\","
	  "\"invalid\":null,\"message\":\"tcp 127.0.0.1:8080: EADDRINUSE (98,"
	  " Address already in use): held by 2 listening sockets: LISTEN "
	  "127.0.0.1:8080 uid @U pid 90 (fffffffffffffff); LISTEN "
	  "127.0.0.1:8080 uid @U pid 91 (ggggggggggggggg); ? 127.0.0.1:8080 "
	  "-> 127.0.0.1:40000 uid @U. SO_REUSEADDR never passes a listener, "
	  "and SO_REUSEPORT does not pass this one (it passes only a "
	  "listener that set it too, of the same user). Fix: stop pid 90 "
	  "(fffffffffffffff), or choose another port.\"}" },
	{ "c=42 e=ENOENT",
	  "{\"protocol\":\"tcp\",\"address\":\"127.0.0.1:8080\","
	  "\"peer\":null,\"errno\":\"2\",\"errno_value\":2,"
	  "\"cause\":\"unknown\",\"reuseaddr_helps\":null,\"sources\":[],"
	  "\"counts\":{\"total\":0,\"listen\":0,\"time_wait\":0,"
	  "\"connected\":0,\"bound\":0},\"time_wait_ms\":0,\"holders\":[],"
	  "\"unprivileged_port_start\":null,\"cap_net_bind_service\":null,"
	  "\"port_range\":null,\"reuseport_helps\":null,\"spec\":null,"
	  "\"invalid\":null,\"message\":\"tcp 127.0.0.1:8080: errno 2 (No "
	  "such file or directory): not a port conflict. Fix: see bind(2), "
	  "listen(2) and socket(2) for this error.\"}" },
};

START_TEST(golden_json)
{
	static char want[16384], j[16384];
	struct pb_diag *d = malloc(sizeof(*d));
	size_t i;
	int bad = 0;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < sizeof(json_goldens) / sizeof(json_goldens[0]); i++) {
		golden_diag(json_goldens[i].desc, d);
		golden_expand(json_goldens[i].want, want, sizeof(want));
		ck_assert_int_lt(pb_diag_json(d, j, sizeof(j)), (int)sizeof(j));
		if (strcmp(j, want)) {
			char what[600];

			snprintf(what, sizeof(what), "\t{ \"%s\",", json_goldens[i].desc);
			golden_print(what, j);
			bad++;
		}
		json_agrees(d);
		assert_json_of(d);
	}
	free(d);
	ck_assert_msg(bad == 0, "%d objects differ (above, as rows)", bad);
}
END_TEST

/* What the writers refuse, at each edge of each rule (pb_diagnose(3),
   ERRORS): the struct's size one byte short of the 0.1.0 layout and
   exactly it; a request bit one past PB_DIAG_FLAGS_ALL; invalid one
   outside PB_INVALID_* on each side; no address with invalid 0 and
   with it set; n_stored at and one past PB_DIAG_HOLDERS.  A refusal is
   -1, EINVAL and "" in the buffer; an acceptance keeps errno. */
START_TEST(writers_refuse_at_each_edge)
{
	static const sa_family_t fams[] = { AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6 };
	struct pb_diag *d = malloc(sizeof(*d));
	char t[4096];
	size_t i;

	ck_assert_ptr_nonnull(d);
#define EXPECT(ok) do { \
		int json_; \
		for (json_ = 0; json_ <= 1; json_++) { \
			int r_; \
			memset(t, 'x', sizeof(t)); \
			errno = 4321; \
			r_ = json_ ? pb_diag_json(d, t, sizeof(t)) \
				   : pb_diag_format(d, t, sizeof(t)); \
			if (ok) { \
				ck_assert_int_gt(r_, 0); \
				ck_assert_int_eq(errno, 4321); \
				ck_assert_uint_eq(strlen(t), (size_t)r_); \
			} else { \
				ck_assert_int_eq(r_, -1); \
				ck_assert_int_eq(errno, EINVAL); \
				ck_assert_str_eq(t, ""); \
			} \
		} \
		errno = 4321; \
		ck_assert_int_eq(pb__diag_format_for(d, PB__READER_SHIM, t, \
						     sizeof(t)) > 0, !!(ok)); \
	} while (0)

	*d = base(PB_CAUSE_TIME_WAIT, EADDRINUSE);
	add_tw(d, 1);
	EXPECT(1);
	d->size = offsetof(struct pb_diag, holders) + sizeof(d->holders) - 1;
	EXPECT(0);
	d->size = offsetof(struct pb_diag, holders) + sizeof(d->holders);
	EXPECT(1);
	d->size = 0;
	EXPECT(0);
	d->size = sizeof(*d);

	d->flags = PB_DIAG_FLAGS_ALL;
	EXPECT(1);
	d->flags = PB_DIAG_FLAGS_ALL + 1;
	EXPECT(0);
	d->flags = 0;

	for (d->invalid = -1; d->invalid <= PB_INVALID_RANGE + 1; d->invalid++)
		EXPECT(d->invalid >= 0 && d->invalid <= PB_INVALID_RANGE);
	d->invalid = 0;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		d->addr.ss_family = fams[i];
		d->invalid = 0;
		EXPECT(fams[i] == AF_INET || fams[i] == AF_INET6);
		d->invalid = PB_INVALID_SPEC;
		EXPECT(1);
	}
	d->invalid = 0;
	pbt_addr(&d->addr, "127.0.0.1", 8080);

	d->n_stored = PB_DIAG_HOLDERS;
	for (i = 1; i < PB_DIAG_HOLDERS; i++)
		d->holders[i] = d->holders[0];
	EXPECT(1);
	d->n_stored = PB_DIAG_HOLDERS + 1;
	EXPECT(0);
	d->n_stored = 1;
#undef EXPECT

	/* A buffer of size 0 may be NULL; one of any other size may not. */
	errno = 4321;
	ck_assert_int_gt(pb_diag_format(d, NULL, 0), 0);
	ck_assert_int_gt(pb_diag_json(d, NULL, 0), 0);
	ck_assert_int_eq(errno, 4321);
	ck_assert_int_eq(pb_diag_format(d, NULL, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_diag_json(d, NULL, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	free(d);
}
END_TEST

Suite *suite_format(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("text");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	/* CPU-bound loops (thousands of texts compared): on a loaded machine
	   (load 45 on 2 CPUs) they outlast Check's default 4 s. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, time_wait_paragraph);
	tcase_add_test(tc, dual_stack_address_text);
	tcase_add_test(tc, every_cause_has_a_fix);
	tcase_add_test(tc, snprintf_contract);
	tcase_add_test(tc, json_escapes);
	tcase_add_test(tc, hostile_command_names);
	tcase_add_test(tc, unfilled_is_refused);
	tcase_add_test(tc, real_listener);
	tcase_add_test(tc, errno_words);
	tcase_add_test(tc, json_message_is_the_paragraph);
	tcase_add_test(tc, json_refused_arguments);
	tcase_add_test(tc, null_spec_is_no_spec);
	tcase_add_test(tc, json_random_diagnoses);
	tcase_add_test(tc, every_cause_for_every_reader);
	tcase_add_test(tc, time_wait_for_each_reader);
	tcase_add_test(tc, reuseport_listener);
	tcase_add_test(tc, reuseport_other_causes);
	tcase_add_test(tc, reuseport_group_is_the_holders_address);
	tcase_add_test(tc, advice_they_can_act_on);
	tcase_add_test(tc, author_fix_names_pb_listen_default);
	tcase_add_test(tc, json_member_order);
	tcase_add_test(tc, count_beyond_array);
	tcase_add_test(tc, unformattable_holder_keeps_errno);
	tcase_add_test(tc, failure_leaves_a_string);
	tcase_add_test(tc, operator_bit_round_trip);
	tcase_add_test(tc, documented_examples);
	tcase_add_test(tc, real_reuseport_listener);
	tcase_add_test(tc, real_reuseport_other_user);
	tcase_add_test(tc, real_reuseport_group);
	tcase_add_test(tc, golden_paragraphs);
	tcase_add_test(tc, golden_json);
	tcase_add_test(tc, writers_refuse_at_each_edge);
	suite_add_tcase(s, tc);
	return s;
}

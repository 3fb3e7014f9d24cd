/* SPDX-License-Identifier: MIT */
/*
 * addr.c - "host:port" specs to socket addresses and back.
 *
 * Numeric only: a name that needs DNS is an error, never a lookup, so that
 * parsing is fast, deterministic and safe to call before the network is up.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "addr.h"
#include "internal.h"

/* Longest host part we accept inside brackets: an IPv6 text address plus
   "%" and an interface name. */
#define PB_HOST_MAX (INET6_ADDRSTRLEN + 1 + IF_NAMESIZE)

/* "0".."65535", digits only: no sign, no space, no hex. */
static int parse_port(const char *s, in_port_t *port)
{
	unsigned long v = 0;
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 5)
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[n] - '0');
	}
	if (n == 0 || v > 65535)
		return -EINVAL;
	*port = htons((uint16_t)v);
	return 0;
}

/* A scope is an interface name or index: "eth0", "2". */
static int parse_scope(const char *s, uint32_t *scope)
{
	unsigned long long v = 0;
	size_t n;

	if (*s == '\0' || strlen(s) >= IF_NAMESIZE)
		return -EINVAL;
	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		v = v * 10 + (unsigned long long)(s[n] - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	if (s[n] == '\0') {
		*scope = (uint32_t)v;
		return 0;
	}
	*scope = if_nametoindex(s);
	return *scope ? 0 : -EINVAL;
}

static int parse_v6(const char *host, size_t hostlen, in_port_t port,
		    struct pb_spec *out)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	char buf[PB_HOST_MAX + 1];
	char *pct;
	uint32_t scope = 0;

	if (hostlen == 0 || hostlen > PB_HOST_MAX)
		return -EINVAL;
	memcpy(buf, host, hostlen);
	buf[hostlen] = '\0';
	pct = strchr(buf, '%');
	if (pct) {
		*pct = '\0';
		if (parse_scope(pct + 1, &scope) < 0)
			return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return -EINVAL;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = port;
	sin6->sin6_scope_id = scope;
	out->len = sizeof(*sin6);
	/* A v4-mapped address cannot be bound on an IPv6-only socket (EINVAL):
	   it means the IPv4 side of a dual-stack socket. */
	out->v6only = IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) ? 0 : 1;
	return 0;
}

static int parse_v4(const char *host, size_t hostlen, in_port_t port,
		    struct pb_spec *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	char buf[INET_ADDRSTRLEN];

	if (hostlen == 0 || hostlen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, host, hostlen);
	buf[hostlen] = '\0';
	memset(out, 0, sizeof(*out));
	/* inet_pton is strict: dotted quad only, no "127.1", no octal. */
	if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
		return -EINVAL;
	sin->sin_family = AF_INET;
	sin->sin_port = port;
	out->len = sizeof(*sin);
	out->v6only = -1;
	return 0;
}

/* "*:p", ":p", "p": [::] dual-stack; pb__spec_to_ipv4_any() downgrades it
   on a host without IPv6. */
static void wildcard(in_port_t port, struct pb_spec *out)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_any;
	sin6->sin6_port = port;
	out->len = sizeof(*sin6);
	out->v6only = 0;
	out->dual = 1;
}

void pb__spec_to_ipv4_any(struct pb_spec *s)
{
	in_port_t port = ((struct sockaddr_in6 *)&s->ss)->sin6_port;
	struct sockaddr_in *sin = (struct sockaddr_in *)&s->ss;

	memset(&s->ss, 0, sizeof(s->ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	sin->sin_port = port;
	s->len = sizeof(*sin);
	s->v6only = -1;
}

int pb__parse_spec(const char *spec, struct pb_spec *out)
{
	const char *colon, *end;
	in_port_t port;

	if (!spec || !out)
		return -EINVAL;

	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		if (parse_port(end + 2, &port) < 0)
			return -EINVAL;
		return parse_v6(spec + 1, (size_t)(end - spec - 1), port, out);
	}

	colon = strrchr(spec, ':');
	if (!colon) {
		if (parse_port(spec, &port) < 0)
			return -EINVAL;
		wildcard(port, out);
		return 0;
	}
	if (parse_port(colon + 1, &port) < 0)
		return -EINVAL;
	if (colon == spec || (colon == spec + 1 && spec[0] == '*')) {
		wildcard(port, out);
		return 0;
	}
	/* Another colon in the host: an IPv6 address without brackets, which
	   is ambiguous ("::1:80"), so refused. */
	if (memchr(spec, ':', (size_t)(colon - spec)))
		return -EINVAL;
	return parse_v4(spec, (size_t)(colon - spec), port, out);
}

/* Does this host speak IPv6 at all?  A scratch socket answers: the kernel
   refuses AF_INET6 with EAFNOSUPPORT when IPv6 is not built or is disabled
   at boot (ipv6.disable=1). */
int pb__have_ipv6(void)
{
	int saved = errno;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		int ok = errno != EAFNOSUPPORT;

		errno = saved;
		return ok;
	}
	close(fd);
	errno = saved;
	return 1;
}

PB_EXPORT int pb_parse_addr(const char *spec, struct sockaddr_storage *out,
			    socklen_t *outlen)
{
	struct pb_spec s;
	int r;

	if (!out || !outlen)
		return pb__ret(-EINVAL);
	r = pb__parse_spec(spec, &s);
	if (r < 0)
		return pb__ret(r);
	if (s.dual && !pb__have_ipv6())
		pb__spec_to_ipv4_any(&s);
	memcpy(out, &s.ss, sizeof(*out));
	*outlen = s.len;
	return 0;
}

/* Length of a valid inet address, or -errno for a bad one. */
int pb__addr_len(const struct sockaddr *sa, socklen_t len)
{
	/* Longer than any socket address: bind(2) says EINVAL too. */
	if (!sa || len < (socklen_t)sizeof(sa_family_t) ||
	    len > (socklen_t)sizeof(struct sockaddr_storage))
		return -EINVAL;
	switch (sa->sa_family) {
	case AF_INET:
		if (len < (socklen_t)sizeof(struct sockaddr_in))
			return -EINVAL;
		return (int)sizeof(struct sockaddr_in);
	case AF_INET6:
		if (len < (socklen_t)sizeof(struct sockaddr_in6))
			return -EINVAL;
		return (int)sizeof(struct sockaddr_in6);
	default:
		return -EAFNOSUPPORT;
	}
}

unsigned pb__addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

/* An address as 16 bytes, IPv4 and IPv4-mapped alike, so that a v4 peer
   seen by a dual-stack socket compares equal to the plain v4 address. */
void pb__addr_norm(const struct sockaddr_storage *ss, uint8_t out[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (ss->ss_family == AF_INET) {
		memcpy(out, mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

/*
 * Address text without inet_ntop, snprintf or if_indextoname, so that the
 * shim's failure path can word an address inside a signal handler or a
 * forked child of a threaded program: no locale, no allocation, no lock.
 * The text is the one glibc's inet_ntop writes (RFC 5952: lower case, no
 * leading zeros, the longest run of two or more zero groups shortened to
 * "::", the first of equal runs; dotted IPv4 for ::ffff:a.b.c.d and the
 * deprecated ::a.b.c.d).
 */
struct text {
	char *p;
	size_t room, len;	/* len counts past room */
};

static void text_put(struct text *t, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, t->len++)
		if (t->len < t->room)
			t->p[t->len] = s[i];
}

static void text_num(struct text *t, unsigned v, unsigned base)
{
	char d[10];
	size_t n = 0;

	do {
		d[sizeof(d) - 1 - n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && n < sizeof(d));
	text_put(t, d + sizeof(d) - n, n);
}

static void text_v4(struct text *t, const unsigned char *b)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			text_put(t, ".", 1);
		text_num(t, b[i], 10);
	}
}

static void text_v6(struct text *t, const unsigned char *b)
{
	unsigned w[8];
	int i, base = -1, len = 0, cur = -1, curlen = 0;

	for (i = 0; i < 8; i++, b += 2)
		w[i] = (unsigned)b[0] << 8 | b[1];
	b -= 16;
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, curlen = 0;
			curlen++;
			if (curlen > len)
				base = cur, len = curlen;
		} else {
			cur = -1;
		}
	}
	if (len < 2)
		base = -1;
	for (i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + len) {
			if (i == base)
				text_put(t, ":", 1);
			continue;
		}
		if (i)
			text_put(t, ":", 1);
		/* An IPv4 address inside: mapped, or the old compatible form
		   (but not ::1, and not ::). */
		if (i == 6 && base == 0 &&
		    (len == 6 || (len == 7 && w[7] != 1) ||
		     (len == 5 && w[5] == 0xffff))) {
			text_v4(t, b + 12);
			return;
		}
		text_num(t, w[i], 16);
	}
	if (base >= 0 && base + len == 8)
		text_put(t, ":", 1);
}

/* An interface name as the kernel has it, asked with one ioctl on a
   scratch socket (if_indextoname's own way, minus its library state).
   Only a name that parses back and needs no quoting is used: its length,
   else 0 and the caller writes the number. */
static size_t scope_name(uint32_t index, char name[IF_NAMESIZE])
{
	struct ifreq ifr;
	int saved = errno, fd, ok = 0;
	size_t i = 0;

	name[0] = '\0';
	if (index > INT32_MAX)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		errno = saved;
		return 0;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = (int)index;
	if (ioctl(fd, SIOCGIFNAME, &ifr) == 0) {
		ok = 1;
		for (i = 0; i + 1 < IF_NAMESIZE && ifr.ifr_name[i]; i++) {
			char c = ifr.ifr_name[i];

			if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' ||
			    c == '%' || c == '[' || c == ']')
				ok = 0;
			name[i] = c;
		}
		name[i] = '\0';
	}
	close(fd);
	errno = saved;
	return ok ? i : 0;
}

PB_EXPORT int pb_format_addr(const struct sockaddr *sa, socklen_t len,
			     char *buf, size_t size)
{
	struct text t = { buf, size, 0 };
	int r;

	/* Whatever the outcome, buf is a string: "" on failure. */
	if (buf && size)
		buf[0] = '\0';
	r = pb__addr_len(sa, len);
	if (r < 0)
		return pb__ret(r);
	if (!buf)
		return pb__ret(-EINVAL);

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		text_v4(&t, (const unsigned char *)&sin->sin_addr);
		text_put(&t, ":", 1);
		text_num(&t, ntohs(sin->sin_port), 10);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		char name[IF_NAMESIZE];

		text_put(&t, "[", 1);
		text_v6(&t, sin6->sin6_addr.s6_addr);
		if (sin6->sin6_scope_id) {
			/* The name reads better; the number still parses back
			   where the interface has gone away. */
			size_t n = scope_name(sin6->sin6_scope_id, name);

			text_put(&t, "%", 1);
			if (n)
				text_put(&t, name, n);
			else
				text_num(&t, sin6->sin6_scope_id, 10);
		}
		text_put(&t, "]:", 2);
		text_num(&t, ntohs(sin6->sin6_port), 10);
	}
	if (t.len >= size) {
		if (size)
			buf[0] = '\0';
		return pb__ret(-ENOSPC);
	}
	buf[t.len] = '\0';
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * procnet.c - the socket table from /proc/net/{tcp,tcp6,udp,udp6}, for
 * systems that refuse NETLINK_SOCK_DIAG (seccomp, old containers).
 *
 * What it cannot tell, and netlink can: IPV6_V6ONLY (an IPv6 wildcard is
 * taken as dual-stack, the Linux default), and bound-but-not-listening TCP
 * sockets (never listed there).  It is also about nine times slower: the
 * kernel formats every socket as text and no filter runs in the kernel.
 * Lines are read one at a time through stdio's fixed buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "internal.h"
#include "procnet.h"

/* "0100007F" (IPv4) or 32 hex digits (IPv6): 32-bit words as the kernel
   printed them, in its own byte order, so copying the words back in this
   machine's order restores the address bytes. */
static int parse_hex_addr(const char *s, size_t n, uint32_t *words)
{
	size_t w, i;

	if (n != 8 && n != 32)
		return -1;
	for (w = 0; w < n / 8; w++) {
		uint32_t v = 0;

		for (i = 0; i < 8; i++) {
			char c = s[w * 8 + i];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else
				return -1;
			v = v << 4 | d;
		}
		words[w] = v;
	}
	return (int)(n / 8);
}

static void set_addr(struct sockaddr_storage *ss, int family,
		     const uint32_t *words, unsigned port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, words, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, words, 16);
	}
}

/* "ADDR:PORT" starting at *p; advances *p past it. */
static int parse_endpoint(const char **p, int family,
			  struct sockaddr_storage *ss)
{
	const char *s = *p, *colon;
	uint32_t words[4];
	char *end;
	unsigned long port;
	int n;

	while (*s == ' ')
		s++;
	colon = strchr(s, ':');
	if (!colon)
		return -1;
	n = parse_hex_addr(s, (size_t)(colon - s), words);
	if (n != (family == AF_INET ? 1 : 4))
		return -1;
	port = strtoul(colon + 1, &end, 16);
	if (end == colon + 1 || port > 65535)
		return -1;
	set_addr(ss, family, words, (unsigned)port);
	*p = end;
	return 0;
}

/*
 * One data line:
 *   sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
 * "when" is in clock ticks; for TIME_WAIT (tr 3) it is the time left.
 */
int pb__procnet_parse_line(const char *line, int family, int protocol,
			   long clk_tck, struct pb_sockent *e)
{
	const char *p = line;
	unsigned st, tr;
	unsigned long when, uid;
	unsigned long long inode;
	char *end;

	memset(e, 0, sizeof(*e));
	while (*p == ' ')
		p++;
	strtoul(p, &end, 10);			/* sl */
	if (end == p || *end != ':')
		return -EINVAL;
	p = end + 1;
	if (parse_endpoint(&p, family, &e->local) < 0 ||
	    parse_endpoint(&p, family, &e->remote) < 0)
		return -EINVAL;
	if (sscanf(p, " %x %*x:%*x %x:%lx %*x %lu %*d %llu", &st, &tr, &when,
		   &uid, &inode) != 5 || st > 255)
		return -EINVAL;
	e->family = family;
	e->protocol = protocol;
	e->state = (int)st;
	e->uid = (unsigned)uid;
	e->inode = inode;
	e->v6only = -1;
	if (st == PB_TCP_TIME_WAIT && protocol == IPPROTO_TCP && clk_tck > 0)
		e->expires_ms = (unsigned)(when * 1000UL / (unsigned long)clk_tck);
	return 0;
}

static int selected(const struct pb_sockent *e, const struct pb_portsel *sel)
{
	unsigned port = pb__addr_port((const struct sockaddr *)
				      (sel->remote ? &e->remote : &e->local));

	return port >= sel->lo && port <= sel->hi;
}

static int dump_file(const char *path, int family, int protocol,
		     uint32_t states, const struct pb_portsel *sel, long clk_tck,
		     pb_sockent_fn fn, void *arg)
{
	char line[512];
	struct pb_sockent e;
	FILE *f = fopen(path, "re");
	int r = 0, first = 1;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (n && line[n - 1] != '\n' && !feof(f)) {
			/* Longer than any line the kernel writes: skip it. */
			int c;

			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (first) {		/* the column header */
			first = 0;
			continue;
		}
		if (pb__procnet_parse_line(line, family, protocol, clk_tck, &e) < 0)
			continue;
		if (!selected(&e, sel) || e.state >= 32 ||
		    !(states & (1u << e.state)))
			continue;
		r = fn(&e, arg);
		if (r < 0)
			break;
		r = 0;	/* kept or passed over: read on */
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int pb__procnet_dump(int protocol, int family, uint32_t states,
		     const struct pb_portsel *sel, pb_sockent_fn fn, void *arg)
{
	/* /proc/net is the namespace of the process's first thread; the
	   calling thread's may be another (netns.c): thread-self (Linux
	   3.17) names its own. */
	static const char *const files[2][2][2] = {
		{ { "/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6" },
		  { "/proc/thread-self/net/udp", "/proc/thread-self/net/udp6" } },
		{ { "/proc/net/tcp", "/proc/net/tcp6" },
		  { "/proc/net/udp", "/proc/net/udp6" } },
	};
	int saved = errno, r = 0, seen = 0;
	int old = access("/proc/thread-self/net", F_OK) != 0;
	int udp = protocol != IPPROTO_TCP;
	const char *v4 = files[old][udp][0];
	const char *v6 = files[old][udp][1];
	long clk_tck = sysconf(_SC_CLK_TCK);

	if (family != AF_INET6) {
		r = dump_file(v4, AF_INET, protocol, states, sel, clk_tck, fn, arg);
		if (r < 0 && r != -ENOENT)
			goto out;
		seen |= r == 0;
	}
	if (family != AF_INET) {
		/* No tcp6 file: a kernel without IPv6, nothing to list. */
		r = dump_file(v6, AF_INET6, protocol, states, sel, clk_tck, fn, arg);
		if (r < 0 && r != -ENOENT)
			goto out;
		seen |= r == 0;
	}
	r = seen ? 0 : -ENOENT;
out:
	errno = saved;
	return r;
}

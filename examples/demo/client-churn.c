/* SPDX-License-Identifier: MIT */
/*
 * client-churn - why clients run out of source ports, and how not to.
 *
 *	client-churn [-n RANGE_SIZE] [-d DESTS]
 *
 * A TCP connection is one 4-tuple: source address and port, destination
 * address and port.  So one source port can carry a connection to every
 * destination at once.  A client that calls bind(ip, 0) before connect()
 * throws that away: bind() must pick the port before it knows the
 * destination, so the kernel gives it a port no other socket has bound,
 * and each connection costs a port of the ephemeral range for every
 * destination.  pb_connect_range() (like pb_connect_from()) binds the
 * address with IP_BIND_ADDRESS_NO_PORT, and the kernel picks the port at
 * connect(), with the whole 4-tuple known.
 *
 * Both are shown against DESTS local listeners (default 2), on a range of
 * RANGE_SIZE source ports (default 16) set per socket with
 * IP_LOCAL_PORT_RANGE (Linux 6.3): the top of net.ipv4.ip_local_port_range,
 * so no sysctl changes and the rest of the host keeps its ports.  The
 * naive client stops after RANGE_SIZE connections in all; pb_connect_range
 * gets RANGE_SIZE to each destination.  (With an odd RANGE_SIZE the naive
 * client may get one less: bind() scans an even number of ports from a
 * random offset.)
 *
 * Loopback only; every connection is closed with a reset at the end, so
 * that none is left in TIME_WAIT and the demo can run again at once.
 * Exit status 0 when pb_connect_range got more connections than the naive
 * client, 0 too (with a note) on a kernel without IP_LOCAL_PORT_RANGE;
 * 1 when it did not or something failed, 2 on bad usage.
 */
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

/* Linux 6.3 <linux/in.h>; libc headers may not have it yet. */
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

#define MAX_RANGE     1024
#define MAX_DESTS     16
#define LISTEN_TRIES  32
#define BACKLOG       128

struct dest {
	int lfd;                       /* the listener */
	struct sockaddr_in addr;       /* where it listens */
	char name[PB_ADDRSTRLEN];
	unsigned int connected;        /* connections to it in this phase */
	int full;                      /* pb_connect_range ran out of ports */
};

/* Every descriptor the demo holds, so it can close them all. */
struct fdset {
	int *fd;
	size_t n, cap;
};

struct churn {
	unsigned int lo, hi, range;    /* the per-socket source port range */
	unsigned int ndest;
	struct dest dest[MAX_DESTS];
	struct fdset clients, servers;
	unsigned char *port_used;      /* one byte per port of lo..hi */
};

static void usage(void)
{
	fprintf(stderr, "usage: client-churn [-n RANGE_SIZE] [-d DESTS]\n");
	exit(2);
}

static unsigned int parse_num(const char *s, const char *what,
			      unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || s[0] == '-' || v < min ||
	    v > max)
		errx(2, "%s wants a number from %lu to %lu, not \"%s\"", what,
		     min, max, s);
	return (unsigned int)v;
}

/* Each connection is two descriptors here, client and server side. */
static void raise_nofile(unsigned long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		err(1, "getrlimit");
	if (rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ?
		rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		err(1, "setrlimit");
	if (rl.rlim_cur < need)
		errx(1, "needs %lu descriptors, the limit is %lu: lower -n or -d",
		     need, (unsigned long)rl.rlim_cur);
}

static void keep(struct fdset *s, int fd)
{
	if (s->n == s->cap)
		errx(1, "internal: more descriptors than planned");
	s->fd[s->n++] = fd;
}

/*
 * Close every descriptor of the set.  With rst, SO_LINGER {1, 0} first:
 * close() then sends a reset and the socket is gone at once, instead of
 * waiting 60 s in TIME_WAIT on a port this demo wants back next run.
 */
static void close_all(struct fdset *s, int rst)
{
	static const struct linger lg = { 1, 0 };
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (rst && setsockopt(s->fd[i], SOL_SOCKET, SO_LINGER, &lg,
				      sizeof(lg)) < 0)
			warn("SO_LINGER");
		close(s->fd[i]);
	}
	s->n = 0;
}

static unsigned int local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		err(1, "getsockname");
	return ntohs(sin.sin_port);
}

/*
 * A listener on 127.0.0.1, port chosen by the kernel -- from the same
 * ephemeral range.  One that lands inside lo..hi would hold one of the
 * demo's few source ports (the very trap portbind-why --budget warns
 * about), so such a port is given back and another one asked for.
 */
static void start_dest(struct churn *c, struct dest *d)
{
	struct pb_diag why = PB_DIAG_INIT;
	socklen_t len;
	unsigned int port;
	int i;

	for (i = 0; i < LISTEN_TRIES; i++) {
		d->lfd = pb_listen("127.0.0.1:0", BACKLOG, PB_NONBLOCK, &why);
		if (d->lfd < 0)
			err(1, "pb_listen 127.0.0.1:0");
		port = local_port(d->lfd);
		if (port < c->lo || port > c->hi)
			break;
		close(d->lfd);
		d->lfd = -1;
	}
	if (d->lfd < 0)
		errx(1, "every listener landed inside %u-%u", c->lo, c->hi);
	len = sizeof(d->addr);
	if (getsockname(d->lfd, (struct sockaddr *)&d->addr, &len) < 0)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)&d->addr, len, d->name,
			   sizeof(d->name)) < 0)
		err(1, "pb_format_addr");
}

/* Accept what has arrived, without waiting: the listeners are
   non-blocking, and each connect() on loopback has queued its
   connection by the time it returns. */
static void drain(struct churn *c, const struct dest *d)
{
	int fd;

	for (;;) {
		fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			keep(&c->servers, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		err(1, "accept %s", d->name);
	}
}

static void show_budget(const struct churn *c, unsigned int total)
{
	struct pb_budget b = PB_BUDGET_INIT;
	const struct dest *d = &c->dest[0];

	if (pb_port_budget(NULL, 0, (const struct sockaddr *)&d->addr,
			   sizeof(d->addr), &b) < 0) {
		warn("pb_port_budget %s", d->name);
		return;
	}
	printf("  %4u connected, %u to %s: budget %u established,"
	       " %u available\n", total, d->connected, d->name,
	       b.established, b.available);
}

/* How many source ports the client sockets use; 0 outside lo..hi. */
static unsigned int distinct_ports(struct churn *c, unsigned int *outside)
{
	unsigned int n = 0, port;
	size_t i;

	memset(c->port_used, 0, c->range);
	*outside = 0;
	for (i = 0; i < c->clients.n; i++) {
		port = local_port(c->clients.fd[i]);
		if (port < c->lo || port > c->hi) {
			(*outside)++;
			continue;
		}
		if (!c->port_used[port - c->lo]++)
			n++;
	}
	return n;
}

static void show_ports(struct churn *c, unsigned int total)
{
	unsigned int outside, n = distinct_ports(c, &outside);

	printf("  %u connections over %u source ports", total, n);
	if (n && total > n)
		printf(": each port serves up to %u destinations",
		       (total + n - 1) / n);
	putchar('\n');
	if (outside)
		printf("  note: %u source ports outside %u-%u\n", outside,
		       c->lo, c->hi);
}

static void end_phase(struct churn *c)
{
	unsigned int i;

	/* Clients first, with a reset: the server side then holds dead
	   sockets that close without a FIN, so no TIME_WAIT anywhere. */
	close_all(&c->clients, 1);
	close_all(&c->servers, 0);
	for (i = 0; i < c->ndest; i++) {
		c->dest[i].connected = 0;
		c->dest[i].full = 0;
	}
}

/*
 * (a) socket, the per-socket range, bind(127.0.0.1:0), connect(),
 * round-robin, until a call fails.  Returns the connections made.
 */
static unsigned int naive(struct churn *c, unsigned int step)
{
	const uint32_t range = c->lo | (uint32_t)c->hi << 16;
	struct sockaddr_in src;
	const char *call = NULL;
	unsigned int total = 0, limit = c->range * c->ndest;
	int fd, e = 0;

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	printf("\n(a) naive: bind(127.0.0.1:0), then connect(), round-robin\n"
	       "    bind() picks the port before the destination is known, so"
	       " it takes a port\n    that no other socket has bound: one port"
	       " per connection, whatever the\n    destination\n");
	/* The bound is what the kernel could give if it shared ports; it
	   does not, so the loop ends well before. */
	while (total <= limit) {
		struct dest *d = &c->dest[total % c->ndest];

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			err(1, "socket");
		if (setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range,
			       sizeof(range)) < 0)
			err(1, "IP_LOCAL_PORT_RANGE");
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			call = "bind(127.0.0.1:0)";
		else if (connect(fd, (struct sockaddr *)&d->addr,
				 sizeof(d->addr)) < 0)
			call = "connect";
		if (call) {
			e = errno;
			close(fd);
			break;
		}
		keep(&c->clients, fd);
		d->connected++;
		total++;
		drain(c, d);
		if (total % step == 0)
			show_budget(c, total);
	}
	if (call)
		printf("  stopped after %u connections: %s: %s\n", total, call,
		       strerror(e));
	else
		printf("  %u connections and no failure\n", total);
	show_ports(c, total);
	end_phase(c);
	return total;
}

/* Words of s on lines of at most WRAP columns, each after two spaces. */
#define WRAP 76
static void print_wrapped(const char *s)
{
	const char *w;
	size_t len, col = 0;

	for (;;) {
		while (*s == ' ' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		for (w = s; *s && *s != ' ' && *s != '\n'; s++)
			;
		len = (size_t)(s - w);
		if (col > 0 && col + 1 + len > WRAP) {
			putchar('\n');
			col = 0;
		}
		fputs(col ? " " : "  ", stdout);
		col += col ? 1 : 2;
		fwrite(w, 1, len, stdout);
		col += len;
	}
	if (col)
		putchar('\n');
}

/* pb_diag_format's paragraph, wrapped. */
static void print_diag(const struct pb_diag *why)
{
	char *buf;
	int n;

	n = pb_diag_format(why, NULL, 0);
	if (n < 0) {
		warn("pb_diag_format");
		return;
	}
	buf = malloc((size_t)n + 1);
	if (!buf)
		err(1, "malloc");
	if (pb_diag_format(why, buf, (size_t)n + 1) >= 0)
		print_wrapped(buf);
	free(buf);
}

/*
 * (b) pb_connect_range(), round-robin over the destinations that still
 * take connections, until each one has run out of ports.  Returns the
 * connections made.
 */
static unsigned int with_library(struct churn *c, unsigned int step)
{
	struct pb_diag why = PB_DIAG_INIT, last = PB_DIAG_INIT;
	const struct pb_diag init = PB_DIAG_INIT;
	struct sockaddr_in src;
	unsigned int total = 0, open = c->ndest, round, i;
	int fd, e = 0;

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	printf("\n(b) pb_connect_range(127.0.0.1:0 -> destination, %u-%u)\n"
	       "    the kernel picks the port at connect(), with the whole"
	       " 4-tuple known\n    (IP_BIND_ADDRESS_NO_PORT): a port in use"
	       " towards one destination is free\n    for the others\n",
	       c->lo, c->hi);
	/* At most one round more than the ports: a kernel that gave more
	   would not be the one described here, and the loop ends anyway. */
	for (round = 0; open > 0 && round <= c->range; round++) {
		for (i = 0; i < c->ndest; i++) {
			struct dest *d = &c->dest[i];

			if (d->full)
				continue;
			why = init;
			fd = pb_connect_range(SOCK_STREAM,
					      (struct sockaddr *)&src,
					      sizeof(src),
					      (struct sockaddr *)&d->addr,
					      sizeof(d->addr), c->lo, c->hi, 0,
					      &why);
			if (fd < 0) {
				e = errno;
				if (e != EADDRNOTAVAIL && e != EADDRINUSE)
					err(1, "pb_connect_range %s", d->name);
				d->full = 1;
				open--;
				last = why;
				printf("  %s: full after %u connections: %s\n",
				       d->name, d->connected, strerror(e));
				continue;
			}
			keep(&c->clients, fd);
			d->connected++;
			total++;
			drain(c, d);
			if (total % (step * c->ndest) == 0)
				show_budget(c, total);
		}
	}
	show_ports(c, total);
	if (e) {
		printf("  the last failure, as pb_diag_format() tells it:\n");
		print_diag(&last);
	}
	end_phase(c);
	return total;
}

int main(int argc, char **argv)
{
	static struct churn c;
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	unsigned int naive_n, lib_n, step, i;
	unsigned long cap;
	uint32_t range;
	int opt, fd;

	c.range = 16;
	c.ndest = 2;
	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		switch (opt) {
		case 'n':
			c.range = parse_num(optarg, "-n", 1, MAX_RANGE);
			break;
		case 'd':
			/* One destination: both clients get the range,
			   nothing to compare. */
			c.ndest = parse_num(optarg, "-d", 2, MAX_DESTS);
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();

	if (pb_read_sysctls(&s) < 0)
		err(1, "pb_read_sysctls");
	if (s.port_hi == 0 || s.port_hi < s.port_lo)
		errx(1, "net.ipv4.ip_local_port_range cannot be read");
	/* The listeners' ports come from the same range, and must stay
	   out of the demo's part of it: leave them at least half. */
	if (s.port_hi - s.port_lo + 1 < 2 * c.range)
		errx(1, "net.ipv4.ip_local_port_range %u-%u is too small for"
		     " -n %u: use at most -n %u", s.port_lo, s.port_hi,
		     c.range, (s.port_hi - s.port_lo + 1) / 2);
	/* The top of the range: the kernel intersects the socket's range
	   with the system one, so it must lie inside. */
	c.hi = s.port_hi;
	c.lo = s.port_hi - c.range + 1;

	/* Before anything else: without the option, the demo would need a
	   sysctl change, which it never makes. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	range = c.lo | (uint32_t)c.hi << 16;
	if (setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range,
		       sizeof(range)) < 0) {
		if (errno != ENOPROTOOPT)
			err(1, "IP_LOCAL_PORT_RANGE");
		printf("this kernel has no IP_LOCAL_PORT_RANGE (Linux 6.3 and"
		       " later have it): a small\nsource port range would"
		       " take a change of net.ipv4.ip_local_port_range,\nwhich"
		       " this demo does not make.  Nothing to show.\n");
		close(fd);
		return 0;
	}
	close(fd);

	/* Planned descriptors: one round more than the ports, both sides. */
	cap = 2ul * (c.range + 1) * c.ndest;
	raise_nofile(cap + c.ndest + 16);
	c.clients.cap = c.servers.cap = cap / 2 + 1;
	c.clients.fd = calloc(c.clients.cap, sizeof(int));
	c.servers.fd = calloc(c.servers.cap, sizeof(int));
	c.port_used = calloc(c.range, 1);
	if (!c.clients.fd || !c.servers.fd || !c.port_used)
		err(1, "calloc");

	printf("ephemeral range %u-%u (%u ports); each socket here gets\n"
	       "%u-%u (%u ports) with IP_LOCAL_PORT_RANGE, so no sysctl"
	       " changes\n", s.port_lo, s.port_hi, s.port_hi - s.port_lo + 1,
	       c.lo, c.hi, c.range);
	if (s.reserved)
		printf("note: net.ipv4.ip_local_reserved_ports holds %u of"
		       " those ports; the kernel\nskips any inside %u-%u,"
		       " and both clients get fewer connections\n",
		       s.reserved, c.lo, c.hi);
	for (i = 0; i < c.ndest; i++)
		start_dest(&c, &c.dest[i]);
	printf("%u destinations:", c.ndest);
	for (i = 0; i < c.ndest; i++)
		printf(" %s", c.dest[i].name);
	printf("\npb_port_budget() counts the system range; the per-socket"
	       " range is the one\nthat runs out here\n");

	step = c.range / 4 ? c.range / 4 : 1;
	naive_n = naive(&c, step);
	lib_n = with_library(&c, step);

	for (i = 0; i < c.ndest; i++)
		close(c.dest[i].lfd);
	free(c.clients.fd);
	free(c.servers.fd);
	free(c.port_used);

	printf("\nnaive: %u connections; pb_connect_range: %u connections"
	       " (%u destinations x %u ports)\n", naive_n, lib_n, c.ndest,
	       c.range);
	if (lib_n <= naive_n) {
		printf("no difference shown: something else uses ports in"
		       " %u-%u?\n", c.lo, c.hi);
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * capture_sockdiag.c - record real NETLINK_SOCK_DIAG reply chunks as seeds
 * for fuzz_netlink.  Not part of the library or its tests.
 *
 *	clang -D_GNU_SOURCE -o build/fuzz/capture_sockdiag \
 *		tests/fuzz/capture_sockdiag.c
 *	build/fuzz/capture_sockdiag tests/fuzz/corpus/fuzz_netlink
 *
 * Run as root it works in a fresh network namespace, so the dumps hold
 * only the sockets made here (a listener per family, an IPv6-only and a
 * dual-stack one, an established pair, a TIME_WAIT socket, bound UDP
 * sockets) and nothing of the host.  Unprivileged it dumps the host's own
 * table instead.  Every request carries sequence number 1, the number
 * fuzz_netlink passes to the parser; each recv() is written to its own
 * file, byte for byte, as the parser would get it.
 */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCPDIAG_GETSOCK
#define TCPDIAG_GETSOCK 18
#endif

#define SEQ 1

static const char *outdir;

/* Bring lo up in the new namespace: it starts down. */
static void loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		err(1, "socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err(1, "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err(1, "SIOCSIFFLAGS");
	close(fd);
}

/* A socket bound to addr (port 0: the kernel picks), listening for TCP.
   v6only < 0 leaves IPV6_V6ONLY alone. */
static int bound(int family, int type, const char *addr, int v6only,
		 struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		err(1, "socket");
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		*len = sizeof(*sin6);
	}
	if (v6only >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
				      sizeof(v6only)) < 0)
		err(1, "IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)ss, *len) < 0)
		err(1, "bind %s", addr);
	if (getsockname(fd, (struct sockaddr *)ss, len) < 0)
		err(1, "getsockname");
	if (type == SOCK_STREAM && listen(fd, 8) < 0)
		err(1, "listen");
	return fd;
}

static int connected(const struct sockaddr_storage *to, socklen_t len)
{
	int fd = socket(to->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)to, len) < 0)
		err(1, "connect");
	return fd;
}

static void save(const char *name, int k, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%d", outdir, name, k);
	f = fopen(path, "we");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		err(1, "%s", path);
	printf("%s: %zu bytes\n", path, len);
}

/* Send one dump request, save every chunk of the reply until DONE or an
   error message.  bad_filter adds bytecode the kernel's audit refuses, for
   an NLMSG_ERROR reply. */
static void dump(const char *name, int compat, int family, int protocol,
		 uint8_t ext, int bad_filter)
{
	union {
		struct nlmsghdr h;
		char b[NLMSG_SPACE(sizeof(struct inet_diag_req_v2)) +
		       NLA_HDRLEN + sizeof(struct inet_diag_bc_op)];
	} q;
	union { char b[32768]; struct nlmsghdr h; } buf;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int k = 0, done = 0;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		err(1, "netlink");
	memset(&q, 0, sizeof(q));
	if (compat) {
		/* The old TCP request: both families in one walk. */
		struct inet_diag_req *r = NLMSG_DATA(&q.h);

		q.h.nlmsg_type = TCPDIAG_GETSOCK;
		q.h.nlmsg_len = NLMSG_LENGTH(sizeof(*r));
		r->idiag_family = AF_INET;
		r->idiag_states = ~0u;
		r->idiag_ext = ext;
	} else {
		struct inet_diag_req_v2 *r = NLMSG_DATA(&q.h);

		q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		q.h.nlmsg_len = NLMSG_LENGTH(sizeof(*r));
		r->sdiag_family = (uint8_t)family;
		r->sdiag_protocol = (uint8_t)protocol;
		r->idiag_states = ~0u;
		r->idiag_ext = ext;
	}
	if (bad_filter) {
		struct nlattr *a = (struct nlattr *)(q.b + NLMSG_ALIGN(q.h.nlmsg_len));
		struct inet_diag_bc_op *op = (struct inet_diag_bc_op *)(a + 1);

		a->nla_type = INET_DIAG_REQ_BYTECODE;
		a->nla_len = NLA_HDRLEN + sizeof(*op);
		op->code = 0xff;	/* no such operation */
		op->yes = sizeof(*op);
		op->no = sizeof(*op) + 4;
		q.h.nlmsg_len = NLMSG_ALIGN(q.h.nlmsg_len) + a->nla_len;
	}
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.h.nlmsg_seq = SEQ;
	if (sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		err(1, "sendto");
	while (!done) {
		ssize_t n = recv(fd, buf.b, sizeof(buf.b), 0);
		size_t len;
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err(1, "recv");
		save(name, k++, buf.b, (size_t)n);
		len = (size_t)n;
		for (h = &buf.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR)
				done = 1;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage l4, l6, dual, u4, u6, tmp;
	socklen_t len4, len6, lend, len;
	int fds[16], n = 0, c, a;
	/* Everything a dump can be asked for: info, congestion, memory... */
	uint8_t ext = (1 << (INET_DIAG_MEMINFO - 1)) | (1 << (INET_DIAG_INFO - 1)) |
		      (1 << (INET_DIAG_VEGASINFO - 1)) | (1 << (INET_DIAG_CONG - 1)) |
		      (1 << (INET_DIAG_TOS - 1)) | (1 << (INET_DIAG_TCLASS - 1)) |
		      (1 << (INET_DIAG_SKMEMINFO - 1));

	if (argc != 2)
		errx(2, "usage: %s OUTDIR", argv[0]);
	outdir = argv[1];
	if (unshare(CLONE_NEWNET) == 0)
		loopback_up();
	else
		warn("unshare(CLONE_NEWNET): dumping the host's own table");

	fds[n++] = bound(AF_INET, SOCK_STREAM, "127.0.0.1", -1, &l4, &len4);
	fds[n++] = bound(AF_INET6, SOCK_STREAM, "::1", 1, &l6, &len6);
	fds[n++] = bound(AF_INET6, SOCK_STREAM, "::", 0, &dual, &lend);
	fds[n++] = bound(AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &u4, &len);
	fds[n++] = bound(AF_INET6, SOCK_DGRAM, "::1", 1, &u6, &len);
	fds[n++] = bound(AF_INET, SOCK_STREAM, "127.0.0.1", -1, &tmp, &len);

	/* An established pair over IPv4 and one over IPv6. */
	fds[n++] = connected(&l4, len4);
	if ((fds[n++] = accept4(fds[0], NULL, NULL, SOCK_CLOEXEC)) < 0)
		err(1, "accept");
	fds[n++] = connected(&l6, len6);
	if ((fds[n++] = accept4(fds[1], NULL, NULL, SOCK_CLOEXEC)) < 0)
		err(1, "accept");

	/* A TIME_WAIT socket: the side that closes first keeps it. */
	c = connected(&l4, len4);
	if ((a = accept4(fds[0], NULL, NULL, SOCK_CLOEXEC)) < 0)
		err(1, "accept");
	close(c);
	usleep(100000);
	close(a);
	usleep(100000);

	dump("tcp4", 0, AF_INET, IPPROTO_TCP, ext, 0);
	dump("tcp6", 0, AF_INET6, IPPROTO_TCP, ext, 0);
	dump("tcp-compat", 1, AF_UNSPEC, IPPROTO_TCP, 0, 0);
	dump("udp4", 0, AF_INET, IPPROTO_UDP, 0, 0);
	dump("udp6", 0, AF_INET6, IPPROTO_UDP, 0, 0);
	/* Refused before the dump starts: NLMSG_ERROR. */
	dump("bad-filter", 0, AF_INET, IPPROTO_TCP, 0, 1);
	/* No handler for this protocol: found out inside the dump, so the
	   kernel says it in NLMSG_DONE's payload (-ENOENT), not NLMSG_ERROR.
	   Kept as regress/fuzz_netlink-done-errno, not as a seed. */
	dump("no-handler", 0, AF_INET, 254, 0, 0);

	while (n > 0)
		close(fds[--n]);
	return 0;
}

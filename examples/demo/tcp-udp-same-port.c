/* SPDX-License-Identifier: MIT */
/*
 * tcp-udp-same-port - TCP and UDP keep separate port tables.
 *
 *	tcp-udp-same-port [ADDRESS]       (default 127.0.0.1:0)
 *
 * A TCP listener takes a port (the kernel's choice for port 0), then a UDP
 * socket binds the very same address and port: no conflict, because a
 * port number is only unique within one protocol.  Both are then used
 * over loopback, one datagram and one connection.  A second UDP bind on
 * that port does fail, which shows the UDP table really holds it.
 */
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

#define WAIT_MS 2000 /* loopback answers at once; this only bounds a bug */

/* The bound address of fd, also as text. */
static void local_addr(int fd, struct sockaddr_storage *ss, socklen_t *len,
		       char *text, size_t size)
{
	*len = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, len) < 0)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)ss, *len, text, size) < 0)
		err(1, "pb_format_addr");
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/*
 * The user's spec with its port replaced.  Rewriting the spec, rather
 * than formatting the bound address, keeps the host part exactly as the
 * user meant it: "*:0" stays the dual-stack wildcard, where the formatted
 * address "[::]:P" would parse back as IPv6-only.  The port is what
 * follows the last colon, or the whole spec ("8080").
 */
static void spec_with_port(const char *spec, unsigned port, char *buf,
			   size_t size)
{
	const char *colon = strrchr(spec, ':');
	int hostlen = colon ? (int)(colon - spec) : 0;
	int n;

	n = snprintf(buf, size, "%.*s%s%u", hostlen, spec, colon ? ":" : "",
		     port);
	if (n < 0 || (size_t)n >= size)
		errx(1, "%s: address too long", spec);
}

/* Talking to a wildcard means talking to this host: use loopback, which is
   what the kernel would pick anyway, so the output names a real address. */
static void wildcard_to_loopback(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss->ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
	}
}

static void wait_readable(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		err(1, "poll");
	if (r == 0)
		errx(1, "%s: nothing after %d ms", what, WAIT_MS);
}

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "127.0.0.1:0";
	struct sockaddr_storage tss, uss, peer, to;
	socklen_t tlen, ulen, plen;
	char tname[PB_ADDRSTRLEN], uname[PB_ADDRSTRLEN], pname[PB_ADDRSTRLEN];
	char uspec[PB_ADDRSTRLEN + 8], msg[64];
	static const char hello[] = "hello over udp";
	ssize_t n;
	int tfd, ufd, ufd2, cfd, afd;

	if (argc > 2) {
		fprintf(stderr, "usage: tcp-udp-same-port [ADDRESS]\n");
		return 2;
	}

	/* TCP first: with port 0 the kernel picks a port free for TCP. */
	tfd = pb_listen(spec, 4, 0, NULL);
	if (tfd < 0)
		err(1, "pb_listen %s", spec);
	local_addr(tfd, &tss, &tlen, tname, sizeof(tname));
	printf("TCP listening on %s\n", tname);

	/* UDP on the same port.  Nothing here asks for sharing: no
	   SO_REUSEADDR (pb_bind_udp never sets it by default), no
	   SO_REUSEPORT.  It binds because the TCP socket is not in the
	   UDP table at all. */
	spec_with_port(spec, port_of(&tss), uspec, sizeof(uspec));
	ufd = pb_bind_udp(uspec, 0, NULL);
	if (ufd < 0)
		err(1, "pb_bind_udp %s", uspec);
	local_addr(ufd, &uss, &ulen, uname, sizeof(uname));
	printf("UDP bound to    %s\n", uname);
	if (port_of(&uss) != port_of(&tss))
		errx(1, "UDP got port %u, TCP has %u", port_of(&uss),
		     port_of(&tss));

	/* Within one protocol the port is taken: a second UDP socket on the
	   same address is refused. */
	ufd2 = pb_bind_udp(uspec, 0, NULL);
	if (ufd2 >= 0)
		errx(1, "a second UDP bind to %s succeeded", uspec);
	if (errno != EADDRINUSE)
		err(1, "second pb_bind_udp %s: unexpected error", uspec);
	printf("second UDP bind to %s: %s (as expected)\n", uspec,
	       strerror(errno));

	/* One datagram, from the UDP socket to itself. */
	to = uss;
	wildcard_to_loopback(&to);
	if (sendto(ufd, hello, sizeof(hello) - 1, 0, (struct sockaddr *)&to,
		   ulen) < 0)
		err(1, "sendto");
	wait_readable(ufd, "UDP");
	plen = sizeof(peer);
	n = recvfrom(ufd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&peer,
		     &plen);
	if (n < 0)
		err(1, "recvfrom");
	msg[n] = '\0';
	if (pb_format_addr((struct sockaddr *)&peer, plen, pname,
			   sizeof(pname)) < 0)
		err(1, "pb_format_addr");
	printf("UDP: received \"%s\" from %s\n", msg, pname);

	/* One connection to the TCP listener.  Loopback completes the
	   handshake inside connect(); the poll only bounds a surprise. */
	to = tss;
	wildcard_to_loopback(&to);
	cfd = socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		err(1, "socket");
	if (connect(cfd, (struct sockaddr *)&to, tlen) < 0)
		err(1, "connect %s", tname);
	wait_readable(tfd, "TCP accept");
	plen = sizeof(peer);
	afd = accept4(tfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
	if (afd < 0)
		err(1, "accept");
	if (pb_format_addr((struct sockaddr *)&peer, plen, pname,
			   sizeof(pname)) < 0)
		err(1, "pb_format_addr");
	printf("TCP: accepted a connection from %s\n", pname);

	printf("port %u is held by TCP and UDP at once: "
	       "their port tables are separate\n", port_of(&tss));

	/* The client closes first, so no TIME_WAIT is left on the port. */
	close(cfd);
	close(afd);
	close(ufd);
	close(tfd);
	return 0;
}

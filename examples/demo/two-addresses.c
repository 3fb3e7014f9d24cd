/* SPDX-License-Identifier: MIT */
/*
 * two-addresses - one port, two specific addresses, and the wildcard.
 *
 *	two-addresses
 *
 * A TCP port is taken per local address: listeners on 127.0.0.1:P and
 * 127.0.0.2:P coexist (all of 127.0.0.0/8 is local on Linux).  The
 * wildcard 0.0.0.0:P overlaps both, though, and the kernel refuses an
 * overlapping bind when either socket listens -- SO_REUSEADDR, which
 * pb_listen() sets on all three, does not change that: it only lets a
 * bind pass sockets that are not listening.
 *
 * Exit status 0 when the kernel behaved as described.
 */
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

static int listen_on(const char *spec)
{
	char name[PB_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = pb_listen(spec, 4, 0, NULL);
	if (fd < 0) {
		/* A host where only 127.0.0.1 itself is configured (not
		   Linux's whole 127/8) says so here. */
		if (errno == EADDRNOTAVAIL)
			err(1, "%s: not a local address on this host", spec);
		err(1, "pb_listen %s", spec);
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)&ss, len, name, sizeof(name)) < 0)
		err(1, "pb_format_addr");
	printf("listening on %s\n", name);
	return fd;
}

static unsigned bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		err(1, "getsockname");
	return ntohs(sin.sin_port);
}

int main(void)
{
	char spec2[32], wild[32];
	unsigned port;
	int fd1, fd2, fd3;

	/* The kernel picks a port free on 127.0.0.1 ... */
	fd1 = listen_on("127.0.0.1:0");
	port = bound_port(fd1);

	/* ... and the same number is free on 127.0.0.2: another address is
	   another key in the port table. */
	snprintf(spec2, sizeof(spec2), "127.0.0.2:%u", port);
	fd2 = listen_on(spec2);

	/* 0.0.0.0 means every local address, 127.0.0.1 and 127.0.0.2
	   included, so it collides with both listeners. */
	snprintf(wild, sizeof(wild), "0.0.0.0:%u", port);
	fd3 = pb_listen(wild, 4, 0, NULL);
	if (fd3 >= 0) {
		printf("wildcard %s bound: not the behaviour explained here\n",
		       wild);
		close(fd3);
		return 1;
	}
	if (errno != EADDRINUSE)
		err(1, "pb_listen %s: unexpected error", wild);
	printf("wildcard %s: %s\n", wild, strerror(errno));
	printf("as expected: the wildcard overlaps every specific address, "
	       "and a listener on either side makes the overlap a conflict\n");

	close(fd2);
	close(fd1);
	return 0;
}

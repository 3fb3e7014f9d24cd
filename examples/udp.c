/* SPDX-License-Identifier: MIT */
/*
 * udp - a UDP server whose port no other program can quietly share.
 *
 *	udp [ADDRESS]	(default *:8053; 127.0.0.1:0 lets the kernel choose)
 *
 * Shows pb_bind_udp(): unlike a TCP listener, a UDP socket gets no
 * SO_REUSEADDR (on Linux it would let another socket bind the same port
 * and take unicast datagrams meant for this one), so a second copy fails
 * with EADDRINUSE and a paragraph naming the first.  The TCP port of the
 * same number is a separate table: `listen` can hold it at the same time.
 *
 * It prints "bound ADDRESS", then sends every datagram back to its sender.
 * Stop it with a signal.
 *
 *	$ ./udp 127.0.0.1:8053 &
 *	$ ./client -u 127.0.0.1:8053 127.0.0.1:0 ping
 *	reply: ping
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "*:8053";
	struct pb_diag why = PB_DIAG_INIT;
	struct sockaddr_storage ss, peer;
	socklen_t len = sizeof(ss), peerlen;
	char msg[1024], name[PB_ADDRSTRLEN], buf[1500];
	ssize_t n;
	int fd;

	fd = pb_bind_udp(spec, 0, &why);
	if (fd == -1) {
		int e = errno;

		if (pb_diag_format(&why, msg, sizeof(msg)) == -1) {
			errno = e;
			err(1, "bind udp %s", spec);
		}
		errx(1, "%s", msg);
	}

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)&ss, len, name, sizeof(name)))
		err(1, "pb_format_addr");
	printf("bound %s\n", name);
	fflush(stdout);

	for (;;) {
		peerlen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
		    &peerlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(1, "recvfrom");
		}
		/* A lost answer is UDP's business: no retry. */
		(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer,
		    peerlen);
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * client - connect from a chosen source address, and explain a failure.
 *
 *	client [-u] DESTINATION [SOURCE [MESSAGE]]
 *
 * Shows pb_connect_from(): SOURCE (default: any address) with port 0 lets
 * the kernel pick the source port at connect() from the whole 4-tuple
 * (IP_BIND_ADDRESS_NO_PORT), so one port serves many destinations instead
 * of one.  When no port is left, or the connection fails, the diagnosis
 * says why (ports-exhausted: how many connections to that destination
 * hold ports, the range, the fix).  -u sends a UDP datagram instead.
 *
 * It sends MESSAGE (default "hello"; "" sends nothing, for a server that
 * speaks first), prints "reply: ..." and closes first.  Try it against
 * the listen and udp examples:
 *
 *	$ ./listen 127.0.0.1:8080 &
 *	$ ./client 127.0.0.1:8080 127.0.0.1:0 hi
 *	reply: hi
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <portbind.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage src, dst;
	socklen_t srclen = 0, dstlen;
	struct pb_diag why = PB_DIAG_INIT;
	struct timeval tv = { 5, 0 };
	const char *message;
	int type = SOCK_STREAM, fd;
	char msg[1024], reply[512];
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "-u") == 0) {
		type = SOCK_DGRAM;
		argc--;
		argv++;
	}
	if (argc < 2 || argc > 4)
		errx(2, "usage: client [-u] DESTINATION [SOURCE [MESSAGE]]");
	if (pb_parse_addr(argv[1], &dst, &dstlen) == -1)
		err(2, "%s", argv[1]);
	if (argc > 2 && pb_parse_addr(argv[2], &src, &srclen) == -1)
		err(2, "%s", argv[2]);
	message = argc > 3 ? argv[3] : "hello";

	fd = pb_connect_from(type, srclen ? (struct sockaddr *)&src : NULL,
	    srclen, (struct sockaddr *)&dst, dstlen, 0, &why);
	if (fd == -1) {
		int e = errno;

		if (pb_diag_format(&why, msg, sizeof(msg)) == -1) {
			errno = e;
			err(1, "connect to %s", argv[1]);
		}
		errx(1, "%s", msg);
	}

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		err(1, "SO_RCVTIMEO");
	if (*message && send(fd, message, strlen(message), MSG_NOSIGNAL) == -1)
		err(1, "send");
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	if (n == -1)
		err(1, "recv");
	reply[n] = '\0';
	printf("reply: %s\n", reply);
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * echo-client - send one line to an echo server, print the reply.
 *
 *	echo-client ADDRESS MESSAGE
 *
 * It waits for the server to close before closing itself, so the server is
 * the side that ends in TIME_WAIT (see restart-server.c).  Exit status 0
 * when the reply is the message sent.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <portbind.h>

/* A server that accepts and never answers must not hang the client. */
#define TIMEOUT_S 5

int main(int argc, char **argv)
{
	struct timeval tv = { TIMEOUT_S, 0 };
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char line[1024], reply[1024];
	size_t len, got = 0;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: echo-client ADDRESS MESSAGE\n");
		return 2;
	}
	if (pb_parse_addr(argv[1], &ss, &sslen) < 0)
		err(2, "%s", argv[1]);
	if (strchr(argv[2], '\n'))
		errx(2, "MESSAGE must be one line");
	len = (size_t)snprintf(line, sizeof(line), "%s\n", argv[2]);
	if (len >= sizeof(line))
		errx(2, "MESSAGE is longer than %zu bytes", sizeof(line) - 2);

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		err(1, "setsockopt");
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0)
		err(1, "connect %s", argv[1]);

	/* No shutdown(SHUT_WR) after sending: that would send our FIN first
	   and put the TIME_WAIT on this side instead of the server's. */
	if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len)
		err(1, "send");

	/* Read until the server closes (EOF), then close. */
	while (got < sizeof(reply) - 1) {
		n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "recv");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	reply[got] = '\0';
	close(fd);

	printf("reply: %s", reply);
	if (got == 0 || reply[got - 1] != '\n')
		putchar('\n');
	return got == len && memcmp(reply, line, len) == 0 ? 0 : 1;
}

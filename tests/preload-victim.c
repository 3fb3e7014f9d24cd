/* SPDX-License-Identifier: MIT */
/*
 * preload-victim.c - a server as careless as many in the wild, built
 * WITHOUT libportbind: it binds without SO_REUSEADDR.  Used by
 * tests/preload.sh to show what libportbind-preload.so changes.
 *
 *	preload-victim PORT [CONNECTIONS]
 * Binds 127.0.0.1:PORT, listens, prints "listening PORT", serves
 * CONNECTIONS connections (default 0) by reading a request, writing one
 * line and closing first (its side goes to TIME_WAIT), then exits 0.  Exit 1 when bind or
 * listen fails, after perror().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, c, n;

	if (argc < 2)
		return 2;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = argc > 2 ? atoi(argv[2]) : 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("preload-victim: bind");
		return 1;
	}
	if (listen(fd, 8) < 0) {
		perror("preload-victim: listen");
		return 1;
	}
	printf("listening %s\n", argv[1]);
	fflush(stdout);
	while (n-- > 0) {
		char line[64];

		c = accept(fd, NULL, NULL);
		if (c < 0)
			return 1;
		/* Read the request first: closing on unread data would send
		   a reset, and leave no TIME_WAIT. */
		if (read(c, line, sizeof(line)) < 0)
			return 1;
		if (write(c, "bye\n", 4) != 4)
			return 1;
		close(c);
	}
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * listen - a TCP server that says why it cannot listen.
 *
 *	listen [ADDRESS]	(default *:8080; 127.0.0.1:0 lets the kernel
 *				 choose the port)
 *
 * Shows pb_listen() with its diagnosis: when the port is taken the program
 * prints who holds it and what to do, in one paragraph, instead of
 * "Address already in use".  On success it prints "listening on ADDRESS"
 * and answers each connection with what the client sent, then lets the
 * client close first (so the TIME_WAIT stays on the client's side).
 * Stop it with a signal.
 *
 *	$ ./listen 127.0.0.1:8080 &
 *	$ ./listen 127.0.0.1:8080
 *	listen: tcp 127.0.0.1:8080: EADDRINUSE (98, ...): held by 1 listening
 *	socket: ...
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <portbind.h>

/* -1 when accept(2) failed in a way to retry (network, fds, memory). */
static int accept_retry(int fd)
{
	int c = accept(fd, NULL, NULL);

	if (c != -1)
		return c;
	switch (errno) {
	case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
		(void)poll(NULL, 0, 100);       /* let some fds close first */
		return -1;
	case ECONNABORTED: case EINTR: case EPROTO: case ENETDOWN:
	case ENOPROTOOPT: case EHOSTDOWN: case ENONET: case EHOSTUNREACH:
	case EOPNOTSUPP: case ENETUNREACH: case EAGAIN:
		return -1;
	}
	err(1, "accept");
}

/* Answer one client: read a request, send it back, wait for its close. */
static void serve(int c)
{
	struct timeval tv = { 5, 0 };  /* a silent client cannot hold us */
	char buf[512];
	ssize_t n;

	if (setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		return;
	n = recv(c, buf, sizeof(buf), 0);
	if (n > 0 && send(c, buf, (size_t)n, MSG_NOSIGNAL) == n)
		while (recv(c, buf, sizeof(buf), 0) > 0)
			continue;       /* until the client closes */
}

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "*:8080";
	struct pb_diag why = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char msg[1024], name[PB_ADDRSTRLEN];
	int fd, c;

	fd = pb_listen(spec, 128, 0, &why);
	if (fd == -1) {
		int e = errno;

		/* The paragraph when there is one; else errno says why. */
		if (pb_diag_format(&why, msg, sizeof(msg)) == -1) {
			errno = e;
			err(1, "listen on %s", spec);
		}
		errx(1, "%s", msg);
	}

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)&ss, len, name, sizeof(name)))
		err(1, "pb_format_addr");
	printf("listening on %s\n", name);
	fflush(stdout);

	for (;;) {
		if ((c = accept_retry(fd)) == -1)
			continue;
		serve(c);
		close(c);
	}
}

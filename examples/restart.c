/* SPDX-License-Identifier: MIT */
/*
 * restart - get the port back after a crash, waiting only when waiting helps.
 *
 *	restart [ADDRESS [SECONDS]]	(default *:8080, at most 65 s)
 *
 * Shows pb_listen_wait().  After a server crashed or was restarted, its
 * old connections linger in TIME_WAIT for up to 60 s.  pb_listen sets
 * SO_REUSEADDR, which binds over them at once when the old server set it
 * too; when it did not, pb_listen_wait sleeps until the last one expires
 * (never longer than SECONDS) and binds then.  Anything that time will
 * not cure -- a live listener, a privileged port, an address that is not
 * local -- fails at once, with the paragraph that says why.
 *
 * It prints "listening on ADDRESS" once bound, accepts and closes
 * connections until stopped with a signal.
 *
 *	$ ./restart 127.0.0.1:8080 70
 *	listening on 127.0.0.1:8080
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
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

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "*:8080";
	int seconds = argc > 2 ? atoi(argv[2]) : 65;
	struct pb_diag why = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char msg[1024], name[PB_ADDRSTRLEN];
	int fd, c;

	if (seconds < 0 || seconds > 3600)
		errx(2, "SECONDS: 0 to 3600");
	fd = pb_listen_wait(spec, 128, 0, seconds * 1000, &why);
	if (fd == -1) {
		int e = errno;

		if (pb_diag_format(&why, msg, sizeof(msg)) == -1) {
			errno = e;
			err(1, "listen on %s", spec);
		}
		/* After SECONDS, TIME_WAIT sockets that still hold the port
		   are what the paragraph describes. */
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
		close(c);
	}
}

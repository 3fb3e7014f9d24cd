/* SPDX-License-Identifier: MIT */
/*
 * activation - one start-up for systemd socket activation and for a start
 * by hand.
 *
 *	activation [ADDRESS]	(default *:8080)
 *
 * Shows pb_listen_fds() and PB_ADOPT.  Under socket activation the service
 * manager binds the socket and passes it as descriptor 3 (LISTEN_FDS,
 * LISTEN_PID, LISTEN_FDNAMES; no libsystemd needed); pb_listen(...,
 * PB_ADOPT, ...) then takes the passed socket that matches ADDRESS instead
 * of binding a second one, and binds ADDRESS itself when nothing matches.
 * So the unit's ListenStream= and the program's address must agree: on
 * the same port, a mismatch shows as a bind that fails next to the
 * passed socket ("127.0.0.1:8080" passed, "*:8080" asked).
 *
 * It prints "adopted fd N (NAME) for ADDRESS" or "listening on ADDRESS"
 * with the address bound (the port the kernel chose for port 0),
 * then accepts and closes connections until stopped with a signal.
 *
 *	$ systemd-socket-activate -l 127.0.0.1:8080 --fdname=web \
 *	      ./activation 127.0.0.1:8080
 *	adopted fd 3 (web) for 127.0.0.1:8080
 *	$ ./activation 127.0.0.1:8080
 *	listening on 127.0.0.1:8080
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
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
	struct pb_diag why = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char msg[1024], name[64], addr[PB_ADDRSTRLEN];
	int n, fd, c;

	/* At start-up, before any thread: it reads the environment. */
	n = pb_listen_fds(0);
	if (n == -1)
		err(1, "pb_listen_fds");

	fd = pb_listen(spec, 128, PB_ADOPT, &why);
	if (fd == -1) {
		int e = errno;

		if (pb_diag_format(&why, msg, sizeof(msg)) == -1) {
			errno = e;
			err(1, "listen on %s", spec);
		}
		errx(1, "%s", msg);
	}

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    pb_format_addr((struct sockaddr *)&ss, len, addr, sizeof(addr)))
		err(1, "getsockname");
	if (fd >= PB_LISTEN_FDS_START && fd < PB_LISTEN_FDS_START + n) {
		if (pb_listen_fd_name(fd, name, sizeof(name)) == -1)
			snprintf(name, sizeof(name), "no name");
		printf("adopted fd %d (%s) for %s\n", fd, name, addr);
	} else {
		printf("listening on %s\n", addr);
	}
	fflush(stdout);

	for (;;) {
		if ((c = accept_retry(fd)) == -1)
			continue;
		close(c);
	}
}

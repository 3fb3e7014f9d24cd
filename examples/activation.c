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
 * It prints "adopted fd N (NAME) for ADDRESS" or "listening on ADDRESS",
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
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "*:8080";
	struct pb_diag why = PB_DIAG_INIT;
	char msg[1024], name[64];
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

	if (fd >= PB_LISTEN_FDS_START && fd < PB_LISTEN_FDS_START + n) {
		if (pb_listen_fd_name(fd, name, sizeof(name)) == -1)
			snprintf(name, sizeof(name), "no name");
		printf("adopted fd %d (%s) for %s\n", fd, name, spec);
	} else {
		printf("listening on %s\n", spec);
	}
	fflush(stdout);

	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			err(1, "accept");
		}
		close(c);
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * handoff - restart without refusing a connection: the running server
 * hands its listening socket to its successor.
 *
 *	handoff [ADDRESS [CONTROL]]	(default 127.0.0.1:8080 and
 *					 /tmp/handoff-example.ctl)
 *
 * Shows pb_handoff_take(), pb_handoff_listen() and pb_handoff_give(): it
 * adopts the socket for ADDRESS that a predecessor at CONTROL hands it, or
 * binds ADDRESS; greets clients with "hello from PID"; hands the socket to
 * the next copy, then exits.  Queued connections wait for the successor.
 * A hand-off keeps the address: handed another, the copy says so and
 * serves on it.  It prints "listening on ADDRESS" or "took over ADDRESS".
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
	const char *spec = argc > 1 ? argv[1] : "127.0.0.1:8080";
	const char *path = argc > 2 ? argv[2] : "/tmp/handoff-example.ctl";
	const char *const names[] = { "web" };
	static struct pb_fdset set = PB_FDSET_INIT; /* 16 KiB: static */
	struct pb_diag why = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct pollfd p[2];
	char msg[1024], got[PB_ADDRSTRLEN];
	int adopted, moved, fd, ctl, c;

	if (pb_handoff_take(path, 2000, &set) == -1)
		err(1, "hand-off from %s", path);
	fd = pb_fdset_adopt(&set, SOCK_STREAM, spec, "web");
	moved = fd == -1 && set.n > 0;  /* handed another address: keep it */
	if (moved)
		fd = pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web");
	adopted = fd != -1;
	pb_fdset_close(&set);   /* whatever else it passed */
	if (!adopted)
		fd = pb_listen(spec, 128, 0, &why);
	if (fd == -1) {
		int e = errno;

		if (pb_diag_format(&why, msg, sizeof(msg)) == -1) {
			errno = e;
			err(1, "listen on %s", spec);
		}
		errx(1, "%s", msg);
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    pb_format_addr((struct sockaddr *)&ss, len, got, sizeof(got)))
		err(1, "getsockname");
	if (moved && adopted)
		warnx("handed %s, asked for %s: serving on %s (a hand-off keeps "
		    "the address; stop, then start, to move)", got, spec, got);
	ctl = pb_handoff_listen(path);
	if (ctl == -1)
		err(1, "hand-off socket %s", path);
	printf("%s %s\n", adopted ? "took over" : "listening on", got);
	fflush(stdout);

	p[0].fd = fd, p[1].fd = ctl;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) == -1) {
			if (errno != EINTR)
				err(1, "poll");
			continue;
		}
		if (p[1].revents & POLLIN) {
			/* A short timeout: not every peer is a successor. */
			if (pb_handoff_give(ctl, &fd, names, 1, 500) == 0) {
				printf("handed off\n");
				return 0;
			}
			warn("hand-off failed, still serving");
		}
		if ((p[0].revents & POLLIN) && (c = accept_retry(fd)) != -1) {
			if (dprintf(c, "hello from %ld\n", (long)getpid()) < 0)
				warn("write");
			close(c);
		}
	}
}

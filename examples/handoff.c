/* SPDX-License-Identifier: MIT */
/*
 * handoff - restart without refusing a connection: the running server
 * hands its listening socket to its successor.
 *
 *	handoff [ADDRESS [CONTROL]]	(default 127.0.0.1:8080 and
 *					 /tmp/handoff-example.ctl)
 *
 * Shows pb_handoff_take(), pb_handoff_listen() and pb_handoff_give().  At
 * start the program asks CONTROL for a predecessor's sockets, which come
 * back in a struct pb_fdset; it adopts the one for ADDRESS from the set
 * (pb_fdset_adopt), or binds ADDRESS when there is none.  It then serves, and listens on CONTROL for a successor: to restart, start
 * the new copy; the old one gives it the socket and exits.  Connections
 * queued on the socket stay queued: the successor accepts them.
 *
 * It prints "listening on ADDRESS" or "took over ADDRESS", and "handed
 * off" before it exits.  It greets each connection with "hello from PID".
 *
 *	$ ./handoff 127.0.0.1:8080 &
 *	listening on 127.0.0.1:8080
 *	$ ./handoff 127.0.0.1:8080 &
 *	handed off
 *	took over 127.0.0.1:8080
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "127.0.0.1:8080";
	const char *path = argc > 2 ? argv[2] : "/tmp/handoff-example.ctl";
	const char *const names[] = { "web" };
	static struct pb_fdset set = PB_FDSET_INIT; /* 16 KiB: static */
	struct pb_diag why = PB_DIAG_INIT;
	struct pollfd p[2];
	char msg[1024];
	int adopted, fd, ctl, c, n;

	/* 0: no predecessor answered at path. */
	if (pb_handoff_take(path, 2000, &set) == -1)
		err(1, "hand-off from %s", path);
	fd = pb_fdset_adopt(&set, SOCK_STREAM, spec, "web");
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
	ctl = pb_handoff_listen(path);
	if (ctl == -1)
		err(1, "hand-off socket %s", path);
	printf("%s %s\n", adopted ? "took over" : "listening on", spec);
	fflush(stdout);

	p[0].fd = fd;
	p[1].fd = ctl;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (p[1].revents & POLLIN) {
			/* A short timeout: not every peer is a successor. */
			if (pb_handoff_give(ctl, &fd, names, 1, 500) == 0) {
				/* The successor holds the socket now. */
				printf("handed off\n");
				return 0;
			}
			warn("hand-off failed, still serving");
		}
		if (p[0].revents & POLLIN) {
			c = accept(fd, NULL, NULL);
			if (c == -1)
				continue;
			n = snprintf(msg, sizeof(msg), "hello from %ld\n",
			    (long)getpid());
			if (write(c, msg, (size_t)n) == -1)
				warn("write");
			close(c);
		}
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * preload-probe.c - the shim's edges, from a program built WITHOUT
 * libportbind (tests/preload.sh runs it under LD_PRELOAD).  Prints one
 * word per mode, "ok" or what went wrong; exits 0 when it survived.
 *
 *	preload-probe efault            a bad address pointer: EFAULT back
 *	preload-probe untouched PORT    only TCP with a port gets SO_REUSEADDR
 *	preload-probe fd2sock PORT      stderr closed, the socket is fd 2
 *	preload-probe epipe PORT        stderr a pipe nobody reads
 *	preload-probe listen PORT       two SO_REUSEADDR sockets: listen fails
 * PORT is held by a listener (fd2sock, epipe) or free (untouched, listen).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_in at(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static int reuse(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	return v;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int port = argc > 2 ? atoi(argv[2]) : 0;
	struct sockaddr_in sin = at(port);
	int fd, r, e, p[2];

	if (!strcmp(mode, "efault")) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		errno = 0;
		r = bind(fd, (const struct sockaddr *)(unsigned long)8, 16);
		e = errno;
		printf(r == -1 && e == EFAULT ? "ok\n" : "bad: %d %s\n", r, strerror(e));
		return 0;
	}
	if (!strcmp(mode, "untouched")) {
		struct sockaddr_in zero = at(0);
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int t0 = socket(AF_INET, SOCK_STREAM, 0);
		int tp = socket(AF_INET, SOCK_STREAM, 0);
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		int x = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/pbprobe.%d", (int)getpid());
		if (bind(t0, (struct sockaddr *)&zero, sizeof(zero)) ||
		    bind(tp, (struct sockaddr *)&sin, sizeof(sin)) ||
		    bind(u, (struct sockaddr *)&sin, sizeof(sin)) ||
		    bind(x, (struct sockaddr *)&sun, sizeof(sun))) {
			printf("bad: bind %s\n", strerror(errno));
			return 0;
		}
		unlink(sun.sun_path);
		printf(reuse(t0) == 0 && reuse(tp) == 1 && reuse(u) == 0 &&
		       reuse(x) == 0 ? "ok\n" : "bad: %d %d %d %d\n",
		       reuse(t0), reuse(tp), reuse(u), reuse(x));
		return 0;
	}
	if (!strcmp(mode, "fd2sock")) {
		close(2);
		fd = socket(AF_INET, SOCK_STREAM, 0);	/* gets fd 2 */
		r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		e = errno;
		printf(fd == 2 && r == -1 && e == EADDRINUSE ? "ok\n" : "bad: fd %d %s\n",
		       fd, strerror(e));
		return 0;
	}
	if (!strcmp(mode, "epipe")) {
		if (pipe(p) < 0 || dup2(p[1], 2) < 0)
			return 1;
		close(p[0]);	/* nobody reads stderr now */
		close(p[1]);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		e = errno;
		printf(r == -1 && e == EADDRINUSE ? "ok\n" : "bad: %s\n", strerror(e));
		return 0;
	}
	if (!strcmp(mode, "listen")) {
		int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
		int on = 1;

		setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(a, (struct sockaddr *)&sin, sizeof(sin)) ||
		    bind(b, (struct sockaddr *)&sin, sizeof(sin)) || listen(a, 4)) {
			printf("bad: setup %s\n", strerror(errno));
			return 0;
		}
		errno = 0;
		r = listen(b, 4);
		e = errno;
		printf(r == -1 && e == EADDRINUSE ? "ok\n" : "bad: %s\n", strerror(e));
		return 0;
	}
	return 2;
}

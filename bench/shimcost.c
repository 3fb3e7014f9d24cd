/* SPDX-License-Identifier: MIT */
/*
 * shimcost - what libportbind-preload.so adds to a successful bind(), in a
 * private network namespace.
 *
 * The shim is loaded with dlopen (RTLD_LOCAL: it does not replace this
 * program's bind) and its bind() is called through the pointer dlsym
 * gives, beside libc's bind() and beside the same system calls made by
 * hand (getsockopt SO_TYPE, bind, setsockopt SO_REUSEADDR for TCP).
 * Batches of ITERS calls alternate (shim, plain, by hand...) so all see
 * the same noise; only the bind is timed, not socket() and close().  The
 * figure is the median of the per-call means of BATCHES batches.
 *
 *	shimcost [PATH-TO-SHIM]    (default ../libportbind-preload.so)
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define BATCHES 31
#define ITERS   400

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

enum how { SHIM, PLAIN, BY_HAND };

static bind_fn shim_bind;

/* Mean ns per bind over one batch, or -1 on a failure. */
static double batch(enum how how, int type, unsigned port)
{
	struct sockaddr_in sin;
	uint64_t total = 0, t0;
	int i, fd, r, v, one = 1;
	socklen_t len;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	for (i = 0; i < ITERS; i++) {
		fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		t0 = now_ns();
		switch (how) {
		case SHIM:
			r = shim_bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			break;
		case PLAIN:
			r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			break;
		default:
			len = sizeof(v);
			r = getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
			if (r == 0)
				r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			if (r == 0 && type == SOCK_STREAM && port)
				r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
					       sizeof(one));
			break;
		}
		total += now_ns() - t0;
		close(fd);
		if (r < 0)
			return -1;
	}
	return (double)total / ITERS;
}

/* One row; the shim's ratio to the calls by hand, or -1. */
static double row(const char *what, const char *calls, int type, unsigned port)
{
	double s[BATCHES], p[BATCHES], h[BATCHES], ms, mp, mh;
	int i;

	batch(SHIM, type, port);	/* warm-up */
	batch(PLAIN, type, port);
	batch(BY_HAND, type, port);
	for (i = 0; i < BATCHES; i++) {
		s[i] = batch(SHIM, type, port);
		p[i] = batch(PLAIN, type, port);
		h[i] = batch(BY_HAND, type, port);
		if (s[i] < 0 || p[i] < 0 || h[i] < 0) {
			printf("| %s | failed (%s) | | | | |\n", what, strerror(errno));
			return -1;
		}
	}
	ms = median(s, BATCHES);
	mp = median(p, BATCHES);
	mh = median(h, BATCHES);
	printf("| %s | %.2f µs | %.2f µs | %.2f× | %s: %.2f µs | %.2f× |\n", what,
	       ms / 1000, mp / 1000, ms / mp, calls, mh / 1000, ms / mh);
	return ms / mh;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "../libportbind-preload.so";
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	void *h;
	double tcp, udp, zero;
	char meas[160];
	unsigned port;
	int fd;

	if (netns_private() < 0) {
		printf("(skipped: no private network namespace: needs root)\n");
		return 0;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h || !(shim_bind = (bind_fn)dlsym(h, "bind"))) {
		printf("(skipped: cannot load %s: %s)\n", path, dlerror());
		return 0;
	}
	/* A port for the namespace's lo: nothing else lives there, and a
	   socket that never connected leaves no TIME_WAIT. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return 1;
	port = ntohs(sin.sin_port);
	close(fd);

	printf("A successful bind() through libportbind-preload.so against libc's "
	       "bind() and against the shim's system calls made by hand; median of "
	       "%d batches of %d binds, the three alternating:\n\n", BATCHES, ITERS);
	printf("| bind | shim | plain bind | shim / plain | by hand | shim / by hand |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	tcp = row("TCP 127.0.0.1:P", "getsockopt+bind+setsockopt", SOCK_STREAM, port);
	udp = row("UDP 127.0.0.1:P", "getsockopt+bind", SOCK_DGRAM, port);
	zero = row("TCP 127.0.0.1:0", "getsockopt+bind", SOCK_STREAM, 0);
	snprintf(meas, sizeof(meas), "TCP %.2f×, UDP %.2f×, port 0 %.2f×", tcp, udp, zero);
	target_line("the shim's successful bind, against its system calls by hand",
		    "≤ 1.15× (no work beyond the system calls)", meas,
		    tcp > 0 && udp > 0 && zero > 0 && tcp <= 1.15 && udp <= 1.15 &&
		    zero <= 1.15 ? "PASS" : "MISS", NULL);
	return 0;
}

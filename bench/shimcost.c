/* SPDX-License-Identifier: MIT */
/*
 * shimcost - what libportbind-preload.so adds to a successful bind(), and
 * to the bind() and listen() of a TCP server, in a private network
 * namespace.
 *
 * The shim is loaded with dlopen (RTLD_LOCAL: it does not replace this
 * program's calls) and its bind() and listen() are called through the
 * pointers dlsym gives, beside libc's and beside the same system calls
 * made by hand (bind; for a TCP listen getsockname, getsockopt SO_TYPE,
 * getsockopt and setsockopt SO_REUSEADDR, listen).  Batches of ITERS
 * calls alternate (shim, plain, by hand...) so all see the same noise;
 * only the calls are timed, not socket() and close().  The figure is the
 * median of the per-call means of BATCHES batches.
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
typedef int (*listen_fn)(int, int);

enum how { SHIM, PLAIN, BY_HAND };

static bind_fn shim_bind;
static listen_fn shim_listen;

/* The shim's listen() on a TCP socket bound to a port, by hand. */
static int listen_by_hand(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int v, one = 1;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0)
		return -1;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len) < 0)
		return -1;
	if (v == 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -1;
	return listen(fd, 16);
}

/* Mean ns per bind (and listen, when asked) over one batch, or -1 on a
   failure. */
static double batch(enum how how, int type, unsigned port, int with_listen)
{
	struct sockaddr_in sin;
	uint64_t total = 0, t0;
	int i, fd, r;

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
			if (r == 0 && with_listen)
				r = shim_listen(fd, 16);
			break;
		case PLAIN:
			r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			if (r == 0 && with_listen)
				r = listen(fd, 16);
			break;
		default:
			r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			if (r == 0 && with_listen)
				r = listen_by_hand(fd);
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
static double row(const char *what, const char *calls, int type, unsigned port,
		  int with_listen)
{
	double s[BATCHES], p[BATCHES], h[BATCHES], ms, mp, mh;
	int i;

	batch(SHIM, type, port, with_listen);	/* warm-up */
	batch(PLAIN, type, port, with_listen);
	batch(BY_HAND, type, port, with_listen);
	for (i = 0; i < BATCHES; i++) {
		s[i] = batch(SHIM, type, port, with_listen);
		p[i] = batch(PLAIN, type, port, with_listen);
		h[i] = batch(BY_HAND, type, port, with_listen);
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
	double tcp, tcpb, udp, zero;
	char meas[160];
	unsigned port;
	int fd;

	if (netns_private() < 0) {
		printf("(skipped: no private network namespace: needs root)\n");
		return 0;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h || !(shim_bind = (bind_fn)dlsym(h, "bind")) ||
	    !(shim_listen = (listen_fn)dlsym(h, "listen"))) {
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

	printf("A successful bind() (and listen(), for a TCP server) through "
	       "libportbind-preload.so against libc's and against the shim's system "
	       "calls made by hand; median of %d batches of %d, the three "
	       "alternating:\n\n", BATCHES, ITERS);
	printf("| calls | shim | plain | shim / plain | by hand | shim / by hand |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	tcp = row("TCP 127.0.0.1:P bind+listen",
		  "bind+getsockname+getsockopt×2+setsockopt+listen", SOCK_STREAM, port, 1);
	tcpb = row("TCP 127.0.0.1:P bind", "bind", SOCK_STREAM, port, 0);
	udp = row("UDP 127.0.0.1:P bind", "bind", SOCK_DGRAM, port, 0);
	zero = row("TCP 127.0.0.1:0 bind", "bind", SOCK_STREAM, 0, 0);
	snprintf(meas, sizeof(meas), "TCP bind+listen %.2f×, TCP bind %.2f×, UDP %.2f×, "
		 "port 0 %.2f×", tcp, tcpb, udp, zero);
	target_line("the shim's successful calls, against its system calls by hand",
		    "≤ 1.15× (no work beyond the system calls)", meas,
		    tcp > 0 && tcpb > 0 && udp > 0 && zero > 0 && tcp <= 1.15 &&
		    tcpb <= 1.15 && udp <= 1.15 && zero <= 1.15 ? "PASS" : "MISS", NULL);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * syscost - wall time of pb_listen and pb_bind_reuse against the
 * hand-written sequence, in a private network namespace.
 *
 * Batches of ITERS calls alternate (library, raw, library, raw...) so that
 * both sides see the same noise; only the call itself is timed (socket()
 * and close() of pb_bind_reuse's socket are not).  The figure is the median
 * of the per-call means of BATCHES batches.  Prints Markdown rows and adds
 * nothing to the targets (the syscall count is the target: run.sh).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

#include "bench.h"

#define BATCHES 31
#define ITERS   400

enum op { PB_L4, RAW_L4, PB_L6, RAW_L6, PB_BR, RAW_BR };

/* Mean ns per call over one batch, or -1 on a failure. */
static double batch(enum op op)
{
	struct sockaddr_in sin;
	uint64_t total = 0, t0;
	int i, fd, r, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < ITERS; i++) {
		fd = -1;
		if (op == PB_BR || op == RAW_BR) {
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				return -1;
		}
		t0 = now_ns();
		switch (op) {
		case PB_L4:
			r = fd = pb_listen("127.0.0.1:0", 128, 0, NULL);
			break;
		case RAW_L4:
			r = fd = raw_listen(AF_INET, "127.0.0.1", 0);
			break;
		case PB_L6:
			r = fd = pb_listen("[::1]:0", 128, 0, NULL);
			break;
		case RAW_L6:
			r = fd = raw_listen(AF_INET6, "::1", 1);
			break;
		case PB_BR:
			r = pb_bind_reuse(fd, (struct sockaddr *)&sin, sizeof(sin));
			break;
		default:
			r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (r == 0)
				r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
			break;
		}
		total += now_ns() - t0;
		if (fd >= 0)
			close(fd);
		if (r < 0)
			return -1;
	}
	return (double)total / ITERS;
}

static void pair(const char *what, const char *raw, enum op lib, enum op base)
{
	double l[BATCHES], b[BATCHES], ml, mb;
	int i;

	batch(lib);		/* warm-up */
	batch(base);
	for (i = 0; i < BATCHES; i++) {
		l[i] = batch(lib);
		b[i] = batch(base);
		if (l[i] < 0 || b[i] < 0) {
			printf("| %s | failed | | |\n", what);
			return;
		}
	}
	ml = median(l, BATCHES);
	mb = median(b, BATCHES);
	printf("| %s | %.2f µs | %s: %.2f µs | %.2f× |\n", what, ml / 1000, raw,
	       mb / 1000, ml / mb);
}

int main(void)
{
	if (netns_private() < 0) {
		printf("(skipped: no private network namespace: needs root)\n");
		return 0;
	}
	printf("Wall time per call, median of %d batches of %d calls, "
	       "library and raw batches alternating:\n\n", BATCHES, ITERS);
	printf("| call | libportbind | hand-written baseline | ratio |\n");
	printf("|---|---:|---:|---:|\n");
	pair("pb_listen(\"127.0.0.1:0\")", "socket+setsockopt+bind+listen",
	     PB_L4, RAW_L4);
	pair("pb_listen(\"[::1]:0\")", "socket+2 setsockopt+bind+listen",
	     PB_L6, RAW_L6);
	pair("pb_bind_reuse(127.0.0.1:0)", "setsockopt+bind", PB_BR, RAW_BR);
	return 0;
}

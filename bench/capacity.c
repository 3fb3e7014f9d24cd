/* SPDX-License-Identifier: MIT */
/*
 * capacity - how many connections one client source address holds open at
 * once, in a namespace whose ip_local_port_range has 100 ports.
 *
 * To D destinations (listeners 127.0.0.1:6001..600D, outside the range),
 * round robin, until the first failure:
 *   naive           socket, bind(127.0.0.1:0), connect: the kernel picks a
 *                   port free for every destination;
 *   pb_connect_from src 127.0.0.1:0: IP_BIND_ADDRESS_NO_PORT, the port is
 *                   picked at connect() for the 4-tuple.
 * Each (way, D) in a fresh namespace; every connection closed with a reset
 * afterwards.  The bound on tries is range x D + 50.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

#include "bench.h"

#define RANGE_LO 40000
#define RANGE_HI 40099
#define RANGE    (RANGE_HI - RANGE_LO + 1)
#define MAX_D    4

struct cap {
	int d;
	int pb;
	int done;
	char err[160];
	long reached;
	int err_no;
	char cause[24];
	double ms;
};

static void run(struct cap *C)
{
	static int fds[RANGE * MAX_D + 64];
	struct sockaddr_in src, dst[MAX_D];
	int lfd[MAX_D], i, n = 0, limit = RANGE * C->d + 50;
	char range[32];
	double t0;

	if (netns_private() < 0) {
		snprintf(C->err, sizeof(C->err), "netns: %s", strerror(errno));
		return;
	}
	snprintf(range, sizeof(range), "%d %d", RANGE_LO, RANGE_HI);
	if (sysctl_write("/proc/sys/net/ipv4/ip_local_port_range", range) < 0) {
		snprintf(C->err, sizeof(C->err), "sysctl: %s", strerror(errno));
		return;
	}
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < C->d; i++) {
		lfd[i] = tcp_listener("127.0.0.1", 6001 + (unsigned)i, 1, 1024);
		if (lfd[i] < 0) {
			snprintf(C->err, sizeof(C->err), "listen: %s", strerror(errno));
			return;
		}
		dst[i] = src;
		dst[i].sin_port = htons((uint16_t)(6001 + i));
	}
	t0 = now_ms();
	while (n < limit) {
		const struct sockaddr *to = (const struct sockaddr *)&dst[n % C->d];
		int fd;

		if (C->pb) {
			struct pb_diag why = PB_DIAG_INIT;

			fd = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src,
					     sizeof(src), to, sizeof(dst[0]), 0, &why);
			if (fd < 0) {
				C->err_no = errno;
				snprintf(C->cause, sizeof(C->cause), "%s",
					 pb_cause_name(why.cause));
				break;
			}
		} else {
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0 ||
			    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
			    connect(fd, to, sizeof(dst[0])) < 0) {
				C->err_no = errno;
				if (fd >= 0)
					close(fd);
				break;
			}
		}
		fds[n++] = fd;
	}
	C->ms = now_ms() - t0;
	C->reached = n;
	for (i = 0; i < n; i++)
		close_rst(fds[i]);
	for (i = 0; i < C->d; i++)
		close(lfd[i]);
	C->done = 1;
}

int main(void)
{
	static const int ds[] = { 1, 2, 4 };
	struct cap *c;
	char meas[256];
	int i, k, allok = 1;
	size_t j;

	if (geteuid() != 0) {
		printf("(skipped: private network namespaces need root)\n");
		return 0;
	}
	c = shared_alloc(sizeof(*c) * 6);
	for (j = 0; j < 3; j++)
		for (k = 0; k < 2; k++) {
			struct cap *C = &c[j * 2 + (size_t)k];
			pid_t pid;

			C->d = ds[j];
			C->pb = k;
			pid = fork_child(60);
			if (pid == 0) {
				run(C);
				_exit(0);
			}
			if (pid > 0)
				reap(pid, 65000);
		}
	printf("ip_local_port_range %d-%d (%d ports); one source address, "
	       "127.0.0.1; connections held open until the first failure.\n\n",
	       RANGE_LO, RANGE_HI, RANGE);
	printf("| destinations | target (range × D) | naive bind(ip,0)+connect | pb_connect_from | pb vs naive | first failure: naive / pb |\n");
	printf("|---:|---:|---:|---:|---:|---|\n");
	meas[0] = '\0';
	for (j = 0; j < 3; j++) {
		struct cap *N = &c[j * 2], *P = &c[j * 2 + 1];
		char buf[64];

		if (!N->done || !P->done) {
			printf("| %d | %d | %s | %s | | |\n", ds[j], RANGE * ds[j],
			       N->done ? "" : N->err, P->done ? "" : P->err);
			allok = 0;
			continue;
		}
		printf("| %d | %d | %ld | %ld | %.1f× | %s / %s (%s) |\n", ds[j],
		       RANGE * ds[j], N->reached, P->reached,
		       N->reached ? (double)P->reached / (double)N->reached : 0,
		       strerror(N->err_no), strerror(P->err_no), P->cause);
		if (P->reached < RANGE * ds[j])
			allok = 0;
		snprintf(buf, sizeof(buf), "%sD=%d: %ld (naive %ld)", j ? "; " : "",
			 ds[j], P->reached, N->reached);
		strncat(meas, buf, sizeof(meas) - strlen(meas) - 1);
	}
	for (i = 0; i < 6; i++)
		if (!c[i].done)
			fprintf(stderr, "capacity: %s\n", c[i].err);
	target_line("client connections from one source address to D destinations",
		    "range × D (100, 200, 400); the naive way stops at the range",
		    meas, allok ? "PASS" : "MISS",
		    allok ? NULL : "pb_connect_from stopped short of range × D");
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * hammer - open connections to a line server as fast as it answers, and
 * count how each one ended.
 *
 *	hammer -t SECONDS [-c CONCURRENCY] ADDRESS
 *
 * CONCURRENCY connections (default 4) are kept in flight from one poll(2)
 * loop.  Each connects, sends one line, and reads the reply until the
 * server closes (the server closes first, so the TIME_WAIT sockets pile
 * up on its side, not on this client's ephemeral ports).  A finished
 * connection is replaced at once.  After SECONDS, or on SIGTERM or
 * SIGINT, no new connection starts; those in flight finish (each is
 * bounded by CONN_MS), and one line is printed:
 *
 *	attempted N ok N refused N reset N other N
 *
 *  ok       a whole reply line arrived
 *  refused  connect failed with ECONNREFUSED: no listener on the port
 *  reset    the connection was established, then reset (ECONNRESET, EPIPE)
 *           or closed before the reply: what a client sees when a
 *           listener closes with the connection still in its queue
 *  other    anything else, timeouts included (details on stderr)
 *
 * Meant for loopback: there is no pacing, and every attempt that fails is
 * retried at once, so during an outage "refused" counts attempts, not
 * clients.  Exit status 0 when the run completed.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <portbind.h>

#define MAX_CONCURRENCY 256
#define CONN_MS         3000   /* one connection, from connect to EOF */
#define REPLY_LEN       512
#define MAX_SECONDS     3600

enum state { IDLE, CONNECTING, READING };

struct slot {
	int fd;
	enum state state;
	size_t got;
	long long deadline;
	char reply[REPLY_LEN];
};

struct counts {
	unsigned long attempted, ok, refused, reset, other;
	unsigned long timeouts;
	int first_other;               /* errno of the first "other", or 0 */
};

struct hammer {
	struct sockaddr_storage dst;
	socklen_t dstlen;
	unsigned long seq;
	struct counts n;
	struct slot slot[MAX_CONCURRENCY];
	struct pollfd pfd[MAX_CONCURRENCY];
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* When ppoll finds a descriptor ready, Linux does not deliver a pending
   signal that the call's mask unblocked: under load the handler might
   never run, so look for a pending stop signal on every round. */
static int stop_pending(const sigset_t *stops)
{
	static const struct timespec zero = { 0, 0 };

	if (!stop_requested && sigtimedwait(stops, NULL, &zero) > 0)
		stop_requested = 1;
	return stop_requested;
}

static void usage(void)
{
	fprintf(stderr, "usage: hammer -t SECONDS [-c CONCURRENCY] ADDRESS\n");
	exit(2);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v > 0 && v <= MAX_SECONDS))
		errx(2, "-t wants seconds, more than 0 and at most %d, not \"%s\"",
		     MAX_SECONDS, s);
	return v;
}

static unsigned parse_concurrency(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || s[0] == '-' || v == 0 ||
	    v > MAX_CONCURRENCY)
		errx(2, "-c wants 1 to %d, not \"%s\"", MAX_CONCURRENCY, s);
	return (unsigned)v;
}

/* How a connection ended: ok, or the errno that ended it (0 for EOF before
   the whole reply, ETIMEDOUT for our own timeout). */
static void finish(struct hammer *h, struct slot *sl, int ok, int e)
{
	if (ok)
		h->n.ok++;
	else if (e == ECONNREFUSED)
		h->n.refused++;
	else if (e == ECONNRESET || e == EPIPE || e == 0)
		h->n.reset++;
	else {
		h->n.other++;
		if (e == ETIMEDOUT)
			h->n.timeouts++;
		if (!h->n.first_other)
			h->n.first_other = e;
	}
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
	sl->state = IDLE;
}

/* The connection is up: send the request, then wait for the reply. */
static void send_line(struct hammer *h, struct slot *sl)
{
	char line[64];
	int len;

	len = snprintf(line, sizeof(line), "hello %lu\n", ++h->seq);
	if (send(sl->fd, line, (size_t)len, MSG_NOSIGNAL) != len) {
		/* A short send of 20 bytes into an empty buffer: no. */
		finish(h, sl, 0, errno);
		return;
	}
	sl->state = READING;
}

static void start(struct hammer *h, struct slot *sl)
{
	h->n.attempted++;
	sl->got = 0;
	sl->deadline = now_ms() + CONN_MS;
	sl->fd = socket(h->dst.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sl->fd < 0) {
		finish(h, sl, 0, errno);
		return;
	}
	if (connect(sl->fd, (struct sockaddr *)&h->dst, h->dstlen) == 0) {
		send_line(h, sl);
		return;
	}
	if (errno == EINPROGRESS) {
		sl->state = CONNECTING;
		return;
	}
	finish(h, sl, 0, errno);
}

static void progress(struct hammer *h, struct slot *sl, short revents)
{
	socklen_t len = sizeof(int);
	int e = 0;
	ssize_t n;

	if (sl->state == CONNECTING) {
		if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			e = errno;
		if (e)
			finish(h, sl, 0, e);
		else if (revents & POLLOUT)
			send_line(h, sl);
		return;
	}

	n = recv(sl->fd, sl->reply + sl->got, sizeof(sl->reply) - sl->got, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		finish(h, sl, 0, errno);
		return;
	}
	sl->got += (size_t)n;
	if (n == 0 || sl->got == sizeof(sl->reply))
		finish(h, sl, memchr(sl->reply, '\n', sl->got) != NULL, 0);
}

static void run(struct hammer *h, unsigned conc, double seconds)
{
	long long end = now_ms() + (long long)(seconds * 1000);
	sigset_t block, unblocked;
	int busy;
	unsigned i;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, &unblocked) < 0)
		err(1, "sigprocmask");

	for (i = 0; i < conc; i++) {
		h->slot[i].fd = -1;
		h->slot[i].state = IDLE;
	}
	do {
		struct timespec ts = { 0, 50 * 1000000L };
		int starting = !stop_pending(&block) && now_ms() < end;
		long long now;

		busy = 0;
		for (i = 0; i < conc; i++) {
			struct slot *sl = &h->slot[i];

			/* At most one new attempt per slot and round. */
			if (sl->state == IDLE && starting)
				start(h, sl);
			h->pfd[i].fd = sl->fd;
			h->pfd[i].events = sl->state == CONNECTING ? POLLOUT
								   : POLLIN;
			h->pfd[i].revents = 0;
			busy |= sl->state != IDLE;
		}
		if (!busy && !starting)
			break;
		/* Every attempt failed on the spot (no listener): pause a
		   millisecond rather than spin. */
		if (!busy)
			ts.tv_nsec = 1000000L;
		if (ppoll(h->pfd, conc, &ts, &unblocked) < 0 && errno != EINTR)
			err(1, "ppoll");

		now = now_ms();
		for (i = 0; i < conc; i++) {
			struct slot *sl = &h->slot[i];

			if (sl->state == IDLE)
				continue;
			if (h->pfd[i].revents)
				progress(h, sl, h->pfd[i].revents);
			if (sl->state != IDLE && now >= sl->deadline)
				finish(h, sl, 0, ETIMEDOUT);
		}
	} while (busy || (!stop_pending(&block) && now_ms() < end));
}

int main(int argc, char **argv)
{
	static struct hammer h;
	struct sigaction sa;
	double seconds = 0;
	unsigned conc = 4;
	int opt;

	while ((opt = getopt(argc, argv, "t:c:")) != -1) {
		switch (opt) {
		case 't':
			seconds = parse_seconds(optarg);
			break;
		case 'c':
			conc = parse_concurrency(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || seconds == 0)
		usage();
	h.dstlen = sizeof(h.dst);
	if (pb_parse_addr(argv[optind], &h.dst, &h.dstlen) < 0)
		err(2, "%s", argv[optind]);

	/* Background jobs of a shell start with SIGINT ignored. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		err(1, "sigaction");

	run(&h, conc, seconds);

	printf("attempted %lu ok %lu refused %lu reset %lu other %lu\n",
	       h.n.attempted, h.n.ok, h.n.refused, h.n.reset, h.n.other);
	if (h.n.other)
		fprintf(stderr, "hammer: other: %lu timeouts; first: %s\n",
			h.n.timeouts, strerror(h.n.first_other));
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * handoff-server - a tiny line server that can be restarted three ways.
 *
 *	handoff-server [-m MODE] [-c CTLPATH] [-d MS] ADDRESS
 *
 * Each connection sends one line; the server answers with one line, then
 * closes.  Connections are served side by side from one poll(2) loop.
 * -d MS makes each answer take MS milliseconds of that loop, as work
 * would: a busy server, with connections waiting in its accept queue.
 * When the server accepts, it prints "ready pid N on ADDRESS (HOW)" and
 * flushes, so that a script knows when the next restart may begin
 * (examples/restart-demo.sh, with examples/hammer as the client).
 *
 * MODE says how a restart works:
 *
 *  handoff    (the default) zero downtime.  At start the server asks a
 *             predecessor listening at CTLPATH for its listening socket
 *             (pb_handoff_take, into a struct pb_fdset), adopts it from
 *             that set (pb_fdset_adopt), or binds one when there was no
 *             predecessor.  It then
 *             listens at CTLPATH itself.  When a successor connects there,
 *             the server gives it the listening socket (pb_handoff_give),
 *             stops accepting, finishes the connections it already
 *             accepted, and exits.  The socket never closes: connections
 *             queued on it, not yet accepted, are accepted by the
 *             successor.  Nothing is refused, nothing is reset.
 *  rebind     stop, then start: SIGTERM closes the listener, and the next
 *             run binds again (pb_listen sets SO_REUSEADDR, as
 *             pb_bind_reuse does, so TIME_WAIT sockets do not stop it).
 *             Between the two the port has no listener, and connections
 *             are refused; closing the listener resets the connections
 *             still in its queue.
 *  reuseport  overlap: every run binds with SO_REUSEPORT (PB_REUSEPORT),
 *             the next run starts while the old one still listens, then
 *             the old one gets SIGTERM.  No gap, but closing a reuseport
 *             listener resets the connections queued on it, unless
 *             net.ipv4.tcp_migrate_req is 1 (Linux 5.14), which moves them
 *             to another listener of the group.
 *
 * In every mode SIGTERM or SIGINT stops accepting, finishes the accepted
 * connections (at most DRAIN_MS) and exits 0.  CTLPATH defaults to
 * "handoff-server.ctl" in the current directory and is used in handoff
 * mode only.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <portbind.h>

#define BACKLOG        512
#define MAX_CONN       256   /* connections served at once */
#define LINE_LEN       256   /* longest request line read */
#define CONN_MS        5000  /* a client that sends nothing is dropped */
#define DRAIN_MS       5000  /* bound on finishing accepted connections */
#define HANDOFF_MS     2000  /* bound on taking over at start */
#define GIVE_MS        500   /* bound on one hand-off attempt: the control
				socket is readable for any connection, a
				probe too, and the loop waits meanwhile */
#define ACCEPT_BATCH   64    /* accepts per wakeup, so clients get turns */
#define MAX_DELAY_MS   1000
#define LISTENER_NAME  "line"

enum mode { MODE_HANDOFF, MODE_REBIND, MODE_REUSEPORT };

struct conn {
	int fd;
	size_t len;
	long long deadline;            /* CLOCK_MONOTONIC, ms */
	char buf[LINE_LEN];
};

struct server {
	enum mode mode;
	const char *ctlpath;
	int lfd;                       /* the listener; -1 once given away */
	int ctl;                       /* hand-off control socket, or -1 */
	unsigned delay_ms;             /* -d: the work each answer takes */
	sigset_t stops;                /* SIGTERM, SIGINT */
	unsigned nconn;
	unsigned long served;
	struct conn conn[MAX_CONN];
	struct pollfd pfd[2 + MAX_CONN];
};

/* Set by SIGTERM and SIGINT, read by the loop between two ppoll calls. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * The stop signals stay blocked outside ppoll, and a signal that comes
 * while ppoll waits cuts the wait.  But when ppoll finds a descriptor
 * ready, Linux puts the old mask back without delivering the pending
 * signal, so under steady load the handler might never run: take a
 * pending stop signal here too.
 */
static int stop_pending(const sigset_t *stops)
{
	static const struct timespec zero = { 0, 0 };

	if (!stop_requested && sigtimedwait(stops, NULL, &zero) > 0)
		stop_requested = 1;
	return stop_requested;
}

static void usage(void)
{
	fprintf(stderr, "usage: handoff-server [-m handoff|rebind|reuseport] "
		"[-c CTLPATH] [-d MS] ADDRESS\n");
	exit(2);
}

static unsigned parse_delay(const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || arg[0] == '-' ||
	    v > MAX_DELAY_MS)
		errx(2, "-d wants 0 to %d milliseconds, not \"%s\"",
		     MAX_DELAY_MS, arg);
	return (unsigned)v;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(struct server *s, unsigned i)
{
	close(s->conn[i].fd);
	s->conn[i].fd = -1;
}

/*
 * Read what the client sent; once the line is complete (or the buffer
 * full, or the client done sending), answer and close.  The server closes
 * first, after the whole request was read: closing with unread data would
 * make the kernel reset the connection instead of ending it.
 */
static void conn_serve(struct server *s, unsigned i)
{
	struct conn *c = &s->conn[i];
	char reply[LINE_LEN + 32];
	ssize_t n;
	int len;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_close(s, i);      /* the client reset: nothing to answer */
		return;
	}
	c->len += (size_t)n;
	if (n > 0 && c->len < sizeof(c->buf) && !memchr(c->buf, '\n', c->len))
		return;                /* the rest of the line is on its way */

	if (s->delay_ms) {
		struct timespec work = { (time_t)(s->delay_ms / 1000),
					 (long)(s->delay_ms % 1000) * 1000000L };

		/* The whole loop waits, as it would for real work. */
		while (nanosleep(&work, &work) < 0 && errno == EINTR)
			;
	}

	/* "pid N: " and the line, so a client can tell who answered.  The
	   reply fits an empty send buffer: one non-blocking send does. */
	len = snprintf(reply, sizeof(reply), "pid %ld: %.*s%s", (long)getpid(),
		       (int)c->len, c->buf,
		       c->len && c->buf[c->len - 1] == '\n' ? "" : "\n");
	if (len > 0 && (size_t)len < sizeof(reply))
		(void)send(c->fd, reply, (size_t)len, MSG_NOSIGNAL);
	s->served++;
	conn_close(s, i);
}

/* Take what the accept queue holds, as much as there is room for. */
static void accept_batch(struct server *s)
{
	int k;

	for (k = 0; k < ACCEPT_BATCH && s->nconn < MAX_CONN &&
		    !stop_pending(&s->stops); k++) {
		struct conn *c;
		int fd;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* EAGAIN: the queue is empty, or during a hand-off
			   the other process took the connection first. */
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* One aborted connection, not the listener. */
			if (errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				warn("accept");
				return;
			}
			err(1, "accept");
		}
		c = &s->conn[s->nconn++];
		c->fd = fd;
		c->len = 0;
		c->deadline = now_ms() + CONN_MS;
		/* The request is usually there already: no poll round. */
		conn_serve(s, s->nconn - 1);
		if (c->fd < 0)
			s->nconn--;
	}
}

/* Drop closed connections from the table, keeping the order. */
static void conn_compact(struct server *s)
{
	unsigned i, j = 0;

	for (i = 0; i < s->nconn; i++)
		if (s->conn[i].fd >= 0)
			s->conn[j++] = s->conn[i];
	s->nconn = j;
}

/* Stop accepting for good.  Closing a listener that no other process
   holds resets the connections in its accept queue. */
static void stop_listening(struct server *s)
{
	if (s->lfd >= 0)
		close(s->lfd);
	s->lfd = -1;
	if (s->ctl >= 0) {
		/* Nobody took over: the path is still ours to remove. */
		close(s->ctl);
		s->ctl = -1;
		if (unlink(s->ctlpath) < 0 && errno != ENOENT)
			warn("unlink %s", s->ctlpath);
	}
}

/*
 * A successor knocked at the control socket: give it the listener.  After
 * pb_handoff_give returns 0 the successor holds the very same socket, so
 * closing our descriptor closes nothing: the queue stays, and the
 * successor accepts from it.  The path now belongs to the successor (it
 * listens there next), so it is not removed.  If the hand-off fails,
 * this server goes on serving.
 */
static int hand_off(struct server *s)
{
	const char *const names[] = { LISTENER_NAME };

	if (pb_handoff_give(s->ctl, &s->lfd, names, 1, GIVE_MS) < 0) {
		/* Nothing changed: same socket, same control path. */
		warn("hand-off failed, still serving");
		return -1;
	}
	close(s->lfd);
	s->lfd = -1;
	close(s->ctl);
	s->ctl = -1;
	printf("handed off pid %ld, draining %u\n", (long)getpid(), s->nconn);
	fflush(stdout);
	return 0;
}

static void serve(struct server *s)
{
	long long drain_end = 0;
	sigset_t unblocked;
	unsigned i;

	/* The stop signals are taken only inside ppoll or by stop_pending,
	   so that one that comes between the check and the wait cannot be
	   missed. */
	sigemptyset(&s->stops);
	sigaddset(&s->stops, SIGTERM);
	sigaddset(&s->stops, SIGINT);
	if (sigprocmask(SIG_BLOCK, &s->stops, &unblocked) < 0)
		err(1, "sigprocmask");

	for (;;) {
		struct timespec ts = { 0, 100 * 1000000L };
		long long now;
		int n;

		if (s->lfd >= 0 && stop_pending(&s->stops))
			stop_listening(s);
		now = now_ms();
		if (s->lfd < 0 && drain_end == 0)
			drain_end = now + DRAIN_MS;
		if (s->lfd < 0 && (s->nconn == 0 || now >= drain_end))
			break;

		/* A full table stops accepting for a while: the kernel
		   queues the next connections meanwhile. */
		s->pfd[0].fd = s->nconn < MAX_CONN ? s->lfd : -1;
		s->pfd[0].events = POLLIN;
		s->pfd[1].fd = s->ctl;
		s->pfd[1].events = POLLIN;
		for (i = 0; i < s->nconn; i++) {
			s->pfd[2 + i].fd = s->conn[i].fd;
			s->pfd[2 + i].events = POLLIN;
			s->pfd[2 + i].revents = 0;
		}
		n = ppoll(s->pfd, 2 + s->nconn, &ts, &unblocked);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "ppoll");

		for (i = 0; i < s->nconn; i++) {
			if (s->pfd[2 + i].revents)
				conn_serve(s, i);
			else if (now >= s->conn[i].deadline)
				conn_close(s, i);
		}
		conn_compact(s);
		if (s->ctl >= 0 && (s->pfd[1].revents & POLLIN))
			(void)hand_off(s);
		if (s->lfd >= 0 && (s->pfd[0].revents & POLLIN))
			accept_batch(s);
		conn_compact(s);
	}

	for (i = 0; i < s->nconn; i++)
		conn_close(s, i);
	if (sigprocmask(SIG_SETMASK, &unblocked, NULL) < 0)
		err(1, "sigprocmask");
}

/*
 * The listener for this run.  In handoff mode a predecessor, if one is
 * listening at ctlpath, passes its socket first, into set, and
 * pb_fdset_adopt takes it from there; the first run finds no predecessor
 * and binds.  PB_ADOPT makes pb_listen adopt a socket that systemd passed
 * (LISTEN_FDS) instead of binding, so the server runs under socket
 * activation as it is.  set is static: about 16 KiB.
 */
static int open_listener(struct server *s, const char *spec, int *adopted)
{
	static struct pb_fdset set = PB_FDSET_INIT;
	struct pb_diag why = PB_DIAG_INIT;
	char msg[1024], name[64];
	/* Non-blocking: during a hand-off two processes wait on the same
	   queue, and a blocking accept would hang in the one that lost the
	   race for a connection.  PB_NONBLOCK applies to an adopted socket
	   too. */
	unsigned flags = PB_NONBLOCK;
	int fd;

	switch (s->mode) {
	case MODE_HANDOFF:
		if (pb_handoff_take(s->ctlpath, HANDOFF_MS, &set) < 0)
			err(1, "hand-off from %s", s->ctlpath);
		fd = pb_fdset_adopt(&set, SOCK_STREAM, spec, NULL);
		/* Whatever else the predecessor passed is not ours to keep. */
		pb_fdset_close(&set);
		if (fd >= 0) {
			/* As PB_NONBLOCK would: the set hands it over as the
			   predecessor left it. */
			if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
				err(1, "fcntl");
			*adopted = 1;
			return fd;
		}
		flags |= PB_ADOPT;
		break;
	case MODE_REUSEPORT:
		flags |= PB_REUSEPORT;
		break;
	case MODE_REBIND:
		break;
	}

	fd = pb_listen(spec, BACKLOG, flags, &why);
	if (fd < 0) {
		if (why.cause != PB_CAUSE_NONE &&
		    pb_diag_format(&why, msg, sizeof(msg)) >= 0)
			errx(1, "%s", msg);
		err(1, "listen on %s", spec);
	}

	/* Only an inherited socket has a name. */
	*adopted = pb_listen_fd_name(fd, name, sizeof(name)) == 0;
	return fd;
}

int main(int argc, char **argv)
{
	static struct server s;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char addr[PB_ADDRSTRLEN];
	struct sigaction sa;
	int opt, adopted;

	s.mode = MODE_HANDOFF;
	s.ctlpath = "handoff-server.ctl";
	s.ctl = -1;
	while ((opt = getopt(argc, argv, "m:c:d:")) != -1) {
		switch (opt) {
		case 'm':
			if (strcmp(optarg, "handoff") == 0)
				s.mode = MODE_HANDOFF;
			else if (strcmp(optarg, "rebind") == 0)
				s.mode = MODE_REBIND;
			else if (strcmp(optarg, "reuseport") == 0)
				s.mode = MODE_REUSEPORT;
			else
				usage();
			break;
		case 'c':
			s.ctlpath = optarg;
			break;
		case 'd':
			s.delay_ms = parse_delay(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	/* A shell starts background jobs with SIGINT ignored; take both
	   signals back, without SA_RESTART so that they cut the wait. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		err(1, "sigaction");

	s.lfd = open_listener(&s, argv[optind], &adopted);

	/* After the take: a predecessor still listens at the path until
	   it has given its socket away. */
	if (s.mode == MODE_HANDOFF) {
		s.ctl = pb_handoff_listen(s.ctlpath);
		if (s.ctl < 0)
			err(1, "hand-off socket %s", s.ctlpath);
	}

	if (getsockname(s.lfd, (struct sockaddr *)&ss, &sslen) < 0)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)&ss, sslen, addr, sizeof(addr)) < 0)
		err(1, "pb_format_addr");
	printf("ready pid %ld on %s (%s)\n", (long)getpid(), addr,
	       adopted ? "adopted" : "bound");
	fflush(stdout);

	serve(&s);

	printf("exit pid %ld served %lu\n", (long)getpid(), s.served);
	fflush(stdout);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * restart - how long a restarted server is down, with 1000 connections in
 * TIME_WAIT left by the old one, and what clients see over 20 restarts
 * under load.
 *
 * Each scenario runs in its own private network namespace.  The old server
 * listens on 0.0.0.0:8080 (with or without SO_REUSEADDR), serves 1000
 * connections and closes each first (so 1000 TIME_WAIT sockets hold the
 * port), then exits.  The new server then tries, one way per scenario:
 *
 *   plain bind     socket + bind (no SO_REUSEADDR), retried every 100 ms
 *                  (systemd's default RestartSec), for 70 s at most;
 *   blind retry    nginx: SO_REUSEADDR, bind, 5 tries 500 ms apart, then
 *                  it gives up;
 *   pb_bind_reuse  one call (SO_REUSEADDR + bind);
 *   pb_listen_wait the cause-aware retry, timeout 70 s;
 *   hand-off       the old server does not exit first: it gives its
 *                  listener to the new one (pb_handoff_give/take,
 *                  pb_listen with PB_ADOPT), then exits.
 *
 * "down" is the time from the old server's exit (its reaping) until the
 * new one has accepted a connection.  For the waits, an observer thread
 * polls the kernel's table every millisecond near the announced expiry, to
 * see when the last TIME_WAIT socket really goes; the table gives how long
 * after that the new server bound.  The long scenarios (about 61 s each)
 * run side by side, each in its own namespace, while the short ones and the
 * load test run one after the other.
 *
 * Load test: 4 client processes connect, send a line and read the answer
 * as fast as they can, while a line server is restarted 20 times, about
 * every 100 ms: by closing and binding again (pb_listen, SO_REUSEADDR:
 * the baseline), and by the hand-off.  Refused and reset connections are
 * counted (a refused connect is retried at once, so "refused" counts
 * attempts, not clients).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <portbind.h>
#include "sockdiag.h"

#include "bench.h"

#define PORT        8080
#define N_TW        1000
#define PLAIN_EVERY 100.0      /* ms between plain bind tries */
#define BOUND_MS    70000.0    /* plain bind and pb_listen_wait give up */
#define RESTARTS    20
#define CLIENTS     4

enum strat { S_PLAIN, S_NGINX, S_BINDREUSE, S_WAIT, S_HANDOFF, N_STRAT };

static const char *const strat_name[N_STRAT] = {
	"plain bind, retried every 100 ms",
	"blind retry (nginx: 5 × 500 ms)",
	"pb_bind_reuse",
	"cause-aware retry (pb_listen_wait)",
	"hand-off (pb_handoff_give/take)",
};

struct scen {
	int reuse;
	enum strat s;
	int done;
	char err[200];
	int accepted;		/* the new server accepted a connection */
	int err_no;		/* how it failed, when it did */
	char cause[24];		/* the diagnosis of that failure */
	double down_ms;		/* exit -> accepting (or -> giving up) */
	double exit_after_accept_ms; /* hand-off: old exited this long after */
	long attempts;
	long tw_at_exit;
	double announced_ms;	/* longest TIME_WAIT left at the exit */
	int observed;		/* the observer saw the last one go */
	double gone_ms;		/* when, after the exit */
	double bound_ms;	/* when the new one bound, after the exit */
	double t_count;		/* when the old one counted its TIME_WAIT */
	double t_done;		/* when the new one had its answer */
};

struct loadres {
	int done;
	char err[200];
	int handoff;
	int restarts;
	long ok, refused, reset, other;
	volatile int stop;
	long c_ok[CLIENTS], c_refused[CLIENTS], c_reset[CLIENTS], c_other[CLIENTS];
};

static char ctlpath[128];

static struct sockaddr_in addr_of(const char *ip)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(PORT);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* ---- the table: TIME_WAIT on the port ------------------------------ */

struct twcount { long n; unsigned max_ms; };

static int tw_cb(const struct pb_sockent *e, void *arg)
{
	struct twcount *c = arg;

	c->n++;
	if (e->expires_ms > c->max_ms)
		c->max_ms = e->expires_ms;
	return 0;
}

static long tw_on_port(unsigned *max_ms)
{
	struct twcount c = { 0, 0 };
	struct pb_portsel sel = { 0, PORT, PORT };

	if (pb__sockdiag_dump(IPPROTO_TCP, AF_UNSPEC, 1u << PB_TCP_TIME_WAIT,
			      &sel, tw_cb, &c) < 0)
		return -1;
	if (max_ms)
		*max_ms = c.max_ms;
	return c.n;
}

struct observer {
	pthread_t th;
	double t_exit, announced_abs, gone_abs;
	volatile int stop;
	int seen;
};

static void *observe(void *arg)
{
	struct observer *o = arg;
	double end = o->t_exit + BOUND_MS + 5000;

	while (!o->stop && now_ms() < o->announced_abs - 500)
		sleep_ms(20);
	while (!o->stop && now_ms() < end) {
		if (tw_on_port(NULL) == 0) {
			o->gone_abs = now_ms();
			o->seen = 1;
			break;
		}
		sleep_ms(1);
	}
	return NULL;
}

/* ---- the old server ------------------------------------------------ */

static void old_server(struct scen *S, int handoff, int readyfd)
{
	int reuse = S->reuse;
	unsigned max_ms = 0;
	int lfd = tcp_listener("0.0.0.0", PORT, reuse, 2048), k, ctl;
	const char *names[] = { "http" };

	if (lfd < 0)
		_exit(10);
	for (k = 0; k < N_TW; k++) {
		int c = tcp_connect("127.0.0.1", PORT), a;

		if (c < 0 || (a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			_exit(11);
		close(a);	/* the server closes first: TIME_WAIT on 8080 */
		close(c);
	}
	/* Counted here, so that the new server starts the moment this one
	   is gone. */
	S->tw_at_exit = tw_on_port(&max_ms);
	S->announced_ms = max_ms;
	S->t_count = now_ms();
	if (!handoff)
		_exit(0);
	ctl = pb_handoff_listen(ctlpath);
	if (ctl < 0)
		_exit(12);
	if (write(readyfd, "r", 1) != 1)
		_exit(13);
	if (pb_handoff_give(ctl, &lfd, names, 1, 10000) < 0)
		_exit(14);
	close(ctl);
	_exit(0);
}

/* ---- the new server, one way per scenario --------------------------- */

static int plain_try(int reuse)
{
	struct sockaddr_in sin = addr_of("0.0.0.0");
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if ((reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse,
				 sizeof(reuse)) < 0) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 128) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void note_cause(struct scen *S, int err)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct sockaddr_in sin = addr_of("0.0.0.0");

	S->err_no = err;
	pb_diagnose(SOCK_STREAM, (struct sockaddr *)&sin, sizeof(sin), err, &d);
	snprintf(S->cause, sizeof(S->cause), "%s", pb_cause_name(d.cause));
}

/* Returns the listening fd or -1 (then S says why). */
static int new_server(struct scen *S, double t_exit)
{
	struct pb_diag why = PB_DIAG_INIT;
	int fd = -1, k;

	switch (S->s) {
	case S_PLAIN:
		for (;;) {
			S->attempts++;
			fd = plain_try(0);
			if (fd >= 0 || errno != EADDRINUSE ||
			    now_ms() - t_exit > BOUND_MS)
				break;
			sleep_ms(PLAIN_EVERY);
		}
		break;
	case S_NGINX:
		for (k = 0; k < 5; k++) {
			S->attempts++;
			fd = plain_try(1);
			if (fd >= 0 || errno != EADDRINUSE)
				break;
			sleep_ms(500);
		}
		break;
	case S_BINDREUSE: {
		struct sockaddr_in sin = addr_of("0.0.0.0");

		S->attempts = 1;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 &&
		    (pb_bind_reuse(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		     listen(fd, 128) < 0)) {
			int e = errno;

			close(fd);
			errno = e;
			fd = -1;
		}
		break;
	}
	case S_WAIT:
		S->attempts = 1;	/* one call: its retries are its own */
		fd = pb_listen_wait("0.0.0.0:8080", 128, 0, (int)BOUND_MS, &why);
		if (fd < 0)
			snprintf(S->cause, sizeof(S->cause), "%s",
				 pb_cause_name(why.cause));
		break;
	case S_HANDOFF:
		S->attempts = 1;
		if (pb_handoff_take(ctlpath, 10000) < 1) {
			fd = -1;
			break;
		}
		fd = pb_listen("0.0.0.0:8080", 128, PB_ADOPT, &why);
		break;
	default:
		break;
	}
	S->t_done = now_ms();
	if (fd < 0 && S->s != S_WAIT)
		note_cause(S, errno);
	else if (fd < 0)
		S->err_no = errno;
	return fd;
}

static void scenario(struct scen *S)
{
	struct observer o;
	int pfd[2], fd, c, a;
	pid_t old;
	double t_exit = 0, t_acc;
	unsigned max_ms = 0;
	char r;

	memset(&o, 0, sizeof(o));
	if (netns_private() < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(S->err, sizeof(S->err), "netns: %s", strerror(errno));
		return;
	}
	snprintf(ctlpath, sizeof(ctlpath), "/tmp/pbbench-restart-%d.ctl",
		 (int)getpid());
	old = fork_child(40);
	if (old < 0)
		return;
	if (old == 0)
		old_server(S, S->s == S_HANDOFF, pfd[1]);
	close(pfd[1]);
	if (S->s == S_HANDOFF) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };

		if (poll(&p, 1, 20000) != 1 || read(pfd[0], &r, 1) != 1) {
			snprintf(S->err, sizeof(S->err), "old server not ready");
			reap(old, 100);
			return;
		}
	} else {
		int st = -1;

		/* Blocking: the old server's watchdog bounds it. */
		while (waitpid(old, &st, 0) < 0 && errno == EINTR)
			;
		t_exit = now_ms();
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			snprintf(S->err, sizeof(S->err), "old server failed (%d)", st);
			return;
		}
	}
	close(pfd[0]);
	max_ms = (unsigned)S->announced_ms;
	if (S->s == S_PLAIN || S->s == S_WAIT) {
		o.t_exit = t_exit;
		o.announced_abs = S->t_count + max_ms;
		if (pthread_create(&o.th, NULL, observe, &o) != 0) {
			snprintf(S->err, sizeof(S->err), "pthread_create failed");
			return;
		}
	}

	fd = new_server(S, t_exit);
	if (fd >= 0) {
		double t_bound = S->t_done;

		c = tcp_connect("127.0.0.1", PORT);
		a = c < 0 ? -1 : accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		t_acc = now_ms();
		if (a >= 0) {
			S->accepted = 1;
			close(c);	/* the client first: no TIME_WAIT on 8080 */
			close(a);
		} else if (c >= 0) {
			close(c);
		}
		close(fd);
		if (S->s == S_HANDOFF) {
			int st = reap(old, 15000);

			t_exit = now_ms();
			S->exit_after_accept_ms = t_exit - t_acc;
			if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				snprintf(S->err, sizeof(S->err),
					 "old server failed the hand-off (%d)", st);
			/* The listener never closed: no time without one. */
			S->down_ms = 0;
		} else {
			S->down_ms = t_acc - t_exit;
			S->bound_ms = t_bound - t_exit;
		}
	} else {
		S->down_ms = S->t_done - t_exit;
		if (S->s == S_HANDOFF)
			reap(old, 100);
	}
	if (S->s == S_PLAIN || S->s == S_WAIT) {
		/* Bounded: the observer gives up 5 s after the bound.  Failed,
		   or bound while TIME_WAIT still holds the port: nothing to
		   observe. */
		if (fd < 0 || tw_on_port(NULL) > 0)
			o.stop = 1;
		pthread_join(o.th, NULL);
		S->observed = o.seen;
		S->gone_ms = o.gone_abs - t_exit;
	}
	unlink(ctlpath);
	S->done = 1;
}

/* ---- the load test -------------------------------------------------- */

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

static void serve_one(int lfd)
{
	struct timeval tv = { 1, 0 };
	char buf[256], reply[64];
	size_t got = 0;
	int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), len;

	if (a < 0)
		return;
	setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < sizeof(buf)) {
		ssize_t n = recv(a, buf + got, sizeof(buf) - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	len = snprintf(reply, sizeof(reply), "pid %d\n", (int)getpid());
	(void)send(a, reply, (size_t)len, MSG_NOSIGNAL);
	close(a);		/* the server closes first, as servers do */
}

/* One run of the line server.  handoff: take the listener from the
   predecessor, if any, and give it to the successor. */
static void line_server(int handoff, int readyfd)
{
	const char *names[] = { "line" };
	struct sigaction sa;
	int lfd, ctl = -1, k;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	if (handoff && pb_handoff_take(ctlpath, 5000) < 0)
		_exit(20);
	lfd = pb_listen("127.0.0.1:8080", 511, PB_NONBLOCK | (handoff ? PB_ADOPT : 0),
			NULL);
	if (lfd < 0)
		_exit(21);
	if (handoff && (ctl = pb_handoff_listen(ctlpath)) < 0)
		_exit(22);
	if (write(readyfd, "r", 1) != 1)
		_exit(23);
	close(readyfd);
	while (!term) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 }, { ctl, POLLIN, 0 } };

		if (poll(p, ctl >= 0 ? 2 : 1, 50) <= 0)
			continue;
		if (p[0].revents & POLLIN)
			for (k = 0; k < 64 && !term; k++)
				serve_one(lfd);
		if (ctl >= 0 && (p[1].revents & POLLIN) &&
		    pb_handoff_give(ctl, &lfd, names, 1, 5000) == 0) {
			/* The successor has the socket: stop accepting. */
			close(lfd);
			close(ctl);
			_exit(0);
		}
	}
	close(lfd);
	_exit(0);
}

static void client(struct loadres *L, int i)
{
	struct sockaddr_in sin = addr_of("127.0.0.1");
	struct timeval tv = { 2, 0 };

	while (!L->stop) {
		char buf[128];
		size_t got = 0;
		ssize_t n;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			L->c_other[i]++;
			sleep_ms(1);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			if (errno == ECONNREFUSED)
				L->c_refused[i]++;
			else if (errno == ECONNRESET)
				L->c_reset[i]++;
			else
				L->c_other[i]++;
			close(fd);
			continue;
		}
		if (send(fd, "ping\n", 5, MSG_NOSIGNAL) != 5) {
			if (errno == ECONNRESET || errno == EPIPE)
				L->c_reset[i]++;
			else
				L->c_other[i]++;
			close(fd);
			continue;
		}
		for (;;) {
			n = recv(fd, buf + got, sizeof(buf) - got, 0);
			if (n <= 0 || got + (size_t)n >= sizeof(buf))
				break;
			got += (size_t)n;
		}
		if (n == 0 && got > 0)
			L->c_ok[i]++;
		else if (n == 0 || errno == ECONNRESET)
			L->c_reset[i]++;	/* closed or reset before the reply */
		else
			L->c_other[i]++;
		close(fd);
	}
	_exit(0);
}

static pid_t start_server(struct loadres *L, int handoff)
{
	struct pollfd p;
	int pfd[2];
	pid_t pid;
	char r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork_child(60);
	if (pid == 0) {
		close(pfd[0]);
		line_server(handoff, pfd[1]);
	}
	close(pfd[1]);
	p.fd = pfd[0];
	p.events = POLLIN;
	if (pid < 0 || poll(&p, 1, 5000) != 1 || read(pfd[0], &r, 1) != 1) {
		snprintf(L->err, sizeof(L->err), "server did not start");
		close(pfd[0]);
		if (pid > 0)
			reap(pid, 100);
		return -1;
	}
	close(pfd[0]);
	return pid;
}

static void load_test(struct loadres *L)
{
	pid_t cur, nxt, cl[CLIENTS];
	int i;

	if (netns_private() < 0) {
		snprintf(L->err, sizeof(L->err), "netns: %s", strerror(errno));
		return;
	}
	snprintf(ctlpath, sizeof(ctlpath), "/tmp/pbbench-load-%d.ctl", (int)getpid());
	cur = start_server(L, L->handoff);
	if (cur < 0)
		return;
	for (i = 0; i < CLIENTS; i++) {
		cl[i] = fork_child(60);
		if (cl[i] == 0)
			client(L, i);
	}
	sleep_ms(200);
	for (i = 0; i < RESTARTS; i++) {
		if (!L->handoff) {
			kill(cur, SIGTERM);
			reap(cur, 5000);
		}
		nxt = start_server(L, L->handoff);
		if (nxt < 0)
			break;
		if (L->handoff && reap(cur, 5000) < 0) {
			snprintf(L->err, sizeof(L->err), "old server did not exit");
			cur = nxt;
			break;
		}
		cur = nxt;
		L->restarts++;
		sleep_ms(100);
	}
	L->stop = 1;
	for (i = 0; i < CLIENTS; i++) {
		if (cl[i] > 0)
			reap(cl[i], 5000);
		L->ok += L->c_ok[i];
		L->refused += L->c_refused[i];
		L->reset += L->c_reset[i];
		L->other += L->c_other[i];
	}
	kill(cur, SIGTERM);
	reap(cur, 5000);
	unlink(ctlpath);
	L->done = L->restarts == RESTARTS;
}

/* ---- main ------------------------------------------------------------ */

static pid_t run_scen(struct scen *S)
{
	pid_t pid = fork_child(100);

	if (pid == 0) {
		scenario(S);
		_exit(0);
	}
	return pid;
}

static void fmt_scen(const struct scen *S, char *out, size_t n, char *extra,
		     size_t en)
{
	extra[0] = '\0';
	if (!S->done) {
		snprintf(out, n, "failed: %s", S->err[0] ? S->err : "?");
		return;
	}
	if (S->accepted) {
		if (S->s == S_HANDOFF)
			snprintf(out, n, "accepting all along; down 0 ms (the old one exited %.1f ms after the new one accepted)",
				 S->exit_after_accept_ms);
		else
			snprintf(out, n, "accepting after %.1f ms", S->down_ms);
		if (S->observed && (S->s == S_PLAIN || S->s == S_WAIT))
			snprintf(extra, en, "last TIME_WAIT gone at %.3f s (announced %.3f s); bound %+.1f ms after",
				 S->gone_ms / 1000, S->announced_ms / 1000,
				 S->bound_ms - S->gone_ms);
	} else {
		snprintf(out, n, "gave up after %.1f ms: %s (%s)", S->down_ms,
			 strerror(S->err_no), S->cause[0] ? S->cause : "?");
	}
}

int main(void)
{
	struct scen *sc;
	struct loadres *ld;
	pid_t longp[3], pid;
	int nlong = 0, i, k;
	char out[256], extra[256], meas[256];
	const struct scen *wait_no = NULL, *wait_yes = NULL, *br_yes = NULL,
			  *nginx_no = NULL, *plain_no = NULL;

	if (geteuid() != 0) {
		printf("(skipped: private network namespaces need root)\n");
		return 0;
	}
	sc = shared_alloc(sizeof(*sc) * 2 * N_STRAT);
	ld = shared_alloc(sizeof(*ld) * 2);
	for (k = 0; k < 2; k++)
		for (i = 0; i < N_STRAT; i++) {
			sc[k * N_STRAT + i].reuse = k;
			sc[k * N_STRAT + i].s = (enum strat)i;
		}
	/* The long ones side by side: both plain binds and the wait with an
	   old server that did not set SO_REUSEADDR. */
	longp[nlong++] = run_scen(&sc[0 * N_STRAT + S_PLAIN]);
	longp[nlong++] = run_scen(&sc[0 * N_STRAT + S_WAIT]);
	longp[nlong++] = run_scen(&sc[1 * N_STRAT + S_PLAIN]);
	sleep_ms(500);
	for (k = 0; k < 2; k++)
		for (i = 0; i < N_STRAT; i++) {
			if (i == S_PLAIN || (k == 0 && i == S_WAIT))
				continue;
			pid = run_scen(&sc[k * N_STRAT + i]);
			if (pid > 0)
				reap(pid, 30000);
		}
	for (k = 0; k < 2; k++) {
		ld[k].handoff = k;
		pid = fork_child(100);
		if (pid == 0) {
			load_test(&ld[k]);
			_exit(0);
		}
		if (pid > 0)
			reap(pid, 60000);
	}
	for (i = 0; i < nlong; i++)
		if (longp[i] > 0)
			reap(longp[i], 95000);

	printf("Old server on 0.0.0.0:%d served %d connections and closed each first "
	       "(%d TIME_WAIT on the port), then exited; each row in its own "
	       "namespace. \"down\": from the old server's exit until the new one "
	       "accepted.\n\n", PORT, N_TW, N_TW);
	printf("| new server | old set SO_REUSEADDR | TIME_WAIT at exit | tries | outcome | vs the last TIME_WAIT expiry |\n");
	printf("|---|---|---:|---:|---|---|\n");
	for (k = 0; k < 2; k++)
		for (i = 0; i < N_STRAT; i++) {
			const struct scen *S = &sc[k * N_STRAT + i];

			fmt_scen(S, out, sizeof(out), extra, sizeof(extra));
			printf("| %s | %s | %ld | %ld | %s | %s |\n", strat_name[i],
			       k ? "yes" : "no", S->tw_at_exit, S->attempts, out,
			       extra[0] ? extra : "-");
		}
	printf("\nRestarts under load: %d restarts about every 100 ms, %d clients "
	       "connecting, sending a line and reading the answer in a loop "
	       "(\"refused\" counts connect attempts).\n\n", RESTARTS, CLIENTS);
	printf("| restart | restarts | answered | refused | reset | other |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (k = 0; k < 2; k++) {
		const struct loadres *L = &ld[k];

		if (!L->restarts && L->err[0]) {
			printf("| %s | failed: %s | | | | |\n",
			       k ? "hand-off" : "close + pb_listen (SO_REUSEADDR)", L->err);
			continue;
		}
		printf("| %s | %d | %ld | %ld | %ld | %ld |\n",
		       k ? "hand-off (pb_handoff_give/take, PB_ADOPT)" :
			   "close, then pb_listen again (baseline)",
		       L->restarts, L->ok, L->refused, L->reset, L->other);
	}

	/* ---- targets ---- */
	wait_no = &sc[0 * N_STRAT + S_WAIT];
	wait_yes = &sc[1 * N_STRAT + S_WAIT];
	br_yes = &sc[1 * N_STRAT + S_BINDREUSE];
	nginx_no = &sc[0 * N_STRAT + S_NGINX];
	plain_no = &sc[0 * N_STRAT + S_PLAIN];
	if (br_yes->done) {
		int ok = br_yes->accepted && br_yes->attempts == 1;

		snprintf(meas, sizeof(meas),
			 "pb_bind_reuse: %s, first try, %.2f ms; pb_listen_wait: %.2f ms; "
			 "plain bind: %.1f s",
			 br_yes->accepted ? "accepting" : "failed", br_yes->down_ms,
			 wait_yes->down_ms, sc[1 * N_STRAT + S_PLAIN].down_ms / 1000);
		target_line("restart over TIME_WAIT left by a server that set SO_REUSEADDR",
			    "no wait at all", meas, ok ? "PASS" : "MISS",
			    ok ? NULL : "pb_bind_reuse did not bind at once");
	}
	if (wait_no->done) {
		double after = wait_no->bound_ms - wait_no->gone_ms;
		int ok = wait_no->accepted && wait_no->observed && after <= 100;

		if (wait_no->accepted && wait_no->observed)
			snprintf(meas, sizeof(meas),
				 "bound %.1f ms after the last expiry (%.3f s after the exit; "
				 "plain bind every 100 ms: %.1f ms after); blind retry gave up at %.1f s",
				 after, wait_no->bound_ms / 1000,
				 plain_no->observed ? plain_no->bound_ms - plain_no->gone_ms : -1,
				 nginx_no->down_ms / 1000);
		else
			snprintf(meas, sizeof(meas), "%s", wait_no->accepted ?
				 "bound; expiry not observed" : "did not bind");
		target_line("restart over TIME_WAIT left by a server that did not set SO_REUSEADDR",
			    "cause-aware retry binds within 100 ms of the last expiry; never gives up early",
			    meas, ok ? "PASS" : "MISS",
			    ok ? NULL : "%s", !wait_no->accepted ? "pb_listen_wait gave up" :
			    !wait_no->observed ? "the expiry was not observed" :
			    "late: the retry backs off after the announced expiry");
	}
	if (ld[1].restarts) {
		long bad = ld[1].refused + ld[1].reset;
		int ok = bad == 0 && ld[1].restarts == RESTARTS && ld[1].ok > 0;

		snprintf(meas, sizeof(meas),
			 "%ld refused, %ld reset over %d restarts (%ld answered); "
			 "close + bind again: %ld refused, %ld reset",
			 ld[1].refused, ld[1].reset, ld[1].restarts, ld[1].ok,
			 ld[0].refused, ld[0].reset);
		target_line("connections refused or reset over 20 hand-off restarts under load",
			    "0", meas, ok ? "PASS" : "MISS",
			    ok ? NULL : "%ld refused or reset; %ld other", bad, ld[1].other);
	}
	return 0;
}

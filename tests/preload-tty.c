/* SPDX-License-Identifier: MIT */
/*
 * preload-tty.c - the shim's line and terminals, from a program built
 * WITHOUT libportbind (tests/preload.sh runs it under LD_PRELOAD).  Each
 * mode makes a pseudo-terminal, starts a copy of itself ("bind PORT": one
 * failing bind, nothing of its own written) with the terminal set up as
 * the mode says, and reads what reached the other side.  Prints "ok",
 * "skipped: why" or what went wrong.
 *
 *	fg TAKEN      the slave is the controlling terminal, the program in
 *	              its foreground process group: the line reaches it
 *	bg TAKEN      the same terminal with tostop, the program a background
 *	              job: it is not stopped, and nothing is written
 *	bgnotostop TAKEN  a background job, tostop clear: the line reaches it
 *	master TAKEN  the master on descriptor 2 (inherited): nothing is
 *	              written, so the slave side reads no input
 *	bind TAKEN    (the copy) exit 0 when bind failed with EADDRINUSE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int taken_bind(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r, e;

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	e = errno;
	close(fd);
	return r == -1 && e == EADDRINUSE ? 0 : 1;
}

/* Everything readable on fd within ms of quiet, NUL-terminated. */
static void drain(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < size - 1 && poll(&p, 1, ms) == 1 && (p.revents & POLLIN)) {
		n = read(fd, buf + got, size - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
}

/* Read fd into buf while the process child runs (a full terminal would
   block it), until it has ended (its status in *st), then what is left,
   until 300 ms of quiet.  Bounded: 60 s of 100 ms rounds, then the child
   is killed. */
static void drain_until_exit(int fd, char *buf, size_t size, pid_t child,
			     int *st)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;
	int i, r, ended = 0;

	for (i = 0; i < 600 && !ended; i++) {
		r = poll(&p, 1, 100);
		if (r == 1 && (p.revents & POLLIN) && got < size - 1) {
			n = read(fd, buf + got, size - 1 - got);
			if (n > 0)
				got += (size_t)n;
		} else if (r == 1) {
			poll(NULL, 0, 20);	/* a hangup, no data: no spin */
		}
		ended = waitpid(child, st, WNOHANG) == child;
	}
	if (!ended) {
		kill(child, SIGKILL);
		waitpid(child, st, 0);
	}
	drain(fd, buf + got, size - got, 300);
}

static void run_copy(const char *port)
{
	char *argv[] = { (char *)"pbtty", (char *)"bind", (char *)port, NULL };
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	/* By its own path: the line names the program by its command name,
	   which an exec of /proc/self/exe would make "exe". */
	if (n <= 0)
		_exit(126);
	path[n] = '\0';
	execv(path, argv);
	_exit(126);
}

/*
 * The session: a child makes the slave its controlling terminal and its
 * standard streams, sets tostop as asked, and runs the copy in the
 * foreground or as a background job.  It exits 0 when the copy exited 0,
 * 3 when the copy was stopped (then killed), 4 on a setup failure.
 */
static int session(int m, const char *port, int background, int tostop)
{
	struct termios t;
	pid_t job;
	int s, st, i;

	if (setsid() < 0 || (s = open(ptsname(m), O_RDWR)) < 0 ||
	    ioctl(s, TIOCSCTTY, 0) < 0 || tcgetattr(s, &t) < 0)
		return 4;
	close(m);
	if (tostop)
		t.c_lflag |= TOSTOP;
	else
		t.c_lflag &= ~(tcflag_t)TOSTOP;
	if (tcsetattr(s, TCSANOW, &t) < 0 || dup2(s, 0) < 0 || dup2(s, 1) < 0 ||
	    dup2(s, 2) < 0)
		return 4;
	if (s > 2)
		close(s);
	job = fork();
	if (job == 0) {
		if (background)
			setpgid(0, 0);	/* the session leader's group stays in front */
		run_copy(port);
	}
	if (job < 0)
		return 4;
	if (background)
		setpgid(job, job);
	/* Bounded: 1500 rounds of 20 ms (30 s: a loaded machine). */
	for (i = 0; i < 1500; i++) {
		pid_t w = waitpid(job, &st, WUNTRACED | WNOHANG);

		if (w == job && WIFSTOPPED(st)) {
			kill(job, SIGKILL);
			waitpid(job, &st, 0);
			return 3;
		}
		if (w == job)
			return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 5;
		usleep(20 * 1000);
	}
	kill(job, SIGKILL);
	waitpid(job, &st, 0);
	return 6;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "", *port = argc > 2 ? argv[2] : "0";
	char buf[4096], want[128];
	int m, s = -1, st, bg, found;
	pid_t child;

	if (!strcmp(mode, "bind"))
		return taken_bind(atoi(port));
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		printf("skipped: no pseudo-terminal (%s)\n", strerror(errno));
		return 0;
	}
	snprintf(want, sizeof(want), "pbtty: bind: tcp 127.0.0.1:%s: EADDRINUSE", port);
	if (!strcmp(mode, "master")) {
		struct termios t;

		/* The slave is held open here, without echo, so that what is
		   written to the master waits as its input. */
		s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (s < 0 || tcgetattr(s, &t) < 0)
			return printf("bad: slave\n"), 0;
		t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
		tcsetattr(s, TCSANOW, &t);
		child = fork();
		if (child == 0) {
			if (dup2(m, 2) < 0)
				_exit(4);
			run_copy(port);
		}
		waitpid(child, &st, 0);
		drain(s, buf, sizeof(buf), 300);
		printf(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !buf[0] ? "ok\n" :
		       "bad: exit %d, the slave read \"%s\"\n", st, buf);
		return 0;
	}
	bg = !strcmp(mode, "bg") || !strcmp(mode, "bgnotostop");
	if (!bg && strcmp(mode, "fg"))
		return 2;
	child = fork();
	if (child == 0)
		_exit(session(m, port, bg, !strcmp(mode, "bg")));
	drain_until_exit(m, buf, sizeof(buf), child, &st);
	found = strstr(buf, want) != NULL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("bad: the session ended with %d (3: the job was stopped)\n",
		       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	else if (!strcmp(mode, "bg") ? found : !found)
		printf("bad: the terminal got \"%s\"\n", buf);
	else
		printf("ok\n");
	return 0;
}

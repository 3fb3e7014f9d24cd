/* SPDX-License-Identifier: MIT */
/*
 * preload-race.c - what happens to the program while the shim's failure
 * path runs, made deterministic: this program (built WITHOUT libportbind,
 * with -rdynamic so that the shim's calls to recvmsg and write reach the
 * definitions below first) acts at the very moment the shim diagnoses
 * (its netlink recvmsg) or writes its line.  Prints "ok" or what went
 * wrong.
 *
 *	swapfd2 TAKEN FILE  during the diagnosis, descriptor 2 (a 2>> log) is
 *	                    closed and FILE, a data file, takes it: nothing of
 *	                    the shim's may reach FILE
 *	sigdiag TW          SIGTERM (a handler, SA_RESTART) sent during the
 *	                    first diagnosis of a PORTBIND_WAIT wait: the wait
 *	                    ends at once, bind gives EADDRINUSE
 *	sigpipe TAKEN       SIGPIPE sent (kill) while the shim writes its line
 *	                    to a pipe that has a reader: the program's handler
 *	                    runs once, the signal is not swallowed
 *	sigpipe TAKEN noreader  the same, stderr (inherited) a pipe nobody
 *	                    reads: the write fails with EPIPE, the kernel's
 *	                    SIGPIPE is taken back, the one sent is not
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { NONE, SWAP, SIGNAL, PIPESIG };
static volatile int armed;
static const char *data_path;

ssize_t recvmsg(int fd, struct msghdr *mh, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	int what = armed;

	if (!real)
		real = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	if (what == SWAP || what == SIGNAL) {
		armed = NONE;
		if (what == SWAP) {
			/* What another thread may do meanwhile: close stderr
			   and open its data file, which takes descriptor 2. */
			close(2);
			if (open(data_path, O_RDWR | O_CREAT | O_TRUNC, 0600) != 2 ||
			    write(2, "record\n", 7) != 7)
				abort();
		} else {
			kill(getpid(), SIGTERM);
		}
	}
	return real(fd, mh, flags);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (armed == PIPESIG && fd == 2) {
		armed = NONE;
		kill(getpid(), SIGPIPE);	/* someone else's SIGPIPE */
	}
	return real(fd, buf, n);
}

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	(void)sig;
	got++;
}

static int taken_bind(int port, int *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	*err = errno;
	close(fd);
	return r;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int port = argc > 2 ? atoi(argv[2]) : 0, r, e;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	if (!strcmp(mode, "swapfd2") && argc > 3) {
		struct stat st;

		data_path = argv[3];
		armed = SWAP;
		r = taken_bind(port, &e);
		if (r != -1 || e != EADDRINUSE || armed != NONE)
			printf("bad: bind %d (%s), the diagnosis %s\n", r, strerror(e),
			       armed ? "did not run" : "ran");
		else if (fstat(2, &st) < 0 || st.st_size != 7)
			printf("bad: the data file on fd 2 has %lld bytes, not 7\n",
			       (long long)st.st_size);
		else
			printf("ok\n");
		return 0;
	}
	if (!strcmp(mode, "sigdiag")) {
		long long t0, ms;

		sigaction(SIGTERM, &sa, NULL);
		armed = SIGNAL;
		t0 = now_ms();
		r = taken_bind(port, &e);
		ms = now_ms() - t0;
		/* PORTBIND_WAIT=20 (preload.sh): at once, on a loaded machine. */
		if (r == -1 && e == EADDRINUSE && got == 1 && armed == NONE && ms < 5000)
			printf("ok\n");
		else
			printf("bad: bind %d (%s) after %lld ms, handler ran %d times\n", r,
			       strerror(e), ms, (int)got);
		return 0;
	}
	if (!strcmp(mode, "sigpipe")) {
		if (argc > 3 && !strcmp(argv[3], "noreader")) {
			char *args[] = { argv[0], argv[1], argv[2], (char *)"run", NULL };
			int p[2];

			/* Set up here, inherited by the next run. */
			if (pipe(p) < 0 || dup2(p[1], 2) < 0)
				return 1;
			close(p[0]);
			close(p[1]);
			execv("/proc/self/exe", args);
			return 1;
		}
		sigaction(SIGPIPE, &sa, NULL);
		armed = PIPESIG;
		r = taken_bind(port, &e);
		if (r == -1 && e == EADDRINUSE && armed == NONE && got == 1)
			printf("ok\n");
		else
			printf("bad: bind %d (%s), the line %s, handler ran %d times\n", r,
			       strerror(e), armed ? "not written" : "written", (int)got);
		return 0;
	}
	return 2;
}

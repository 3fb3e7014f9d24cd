/* SPDX-License-Identifier: MIT */
/*
 * fuzz_listenfds.c - libFuzzer target for the socket-activation
 * environment parser (activate.c).
 *
 * The input is split at NUL and newline bytes into strings:
 *	[p<LISTEN_PID>] LISTEN_FDS LISTEN_FDNAMES [PORTBIND_FDS PORTBIND_FDNAMES]
 * A first string starting with 'p' is LISTEN_PID ("P": LISTEN_PID unset);
 * otherwise LISTEN_PID is this process (the case where descriptors get
 * adopted).  PORTBIND_PID is always this process when PORTBIND_FDS is
 * given: the variables the hand-off once wrote, which nothing reads any
 * more (with LISTEN_PID unset, no descriptor may have a name).  Missing
 * strings (all, for an empty input) leave their variable
 * unset.  Then pb_listen_fds(0), pb_listen_fd_name() for fds 3..10,
 * pb_listen_fds(1), and the environment is cleared again.
 *
 * Descriptors.  pb_listen_fds() touches fds from 3 up, and only with
 * fcntl(): it checks that 3..3+n-1 are all open, then sets FD_CLOEXEC on
 * them.  Whatever this process holds from 3 up (our parent's, libFuzzer's)
 * is left where it is, since code may remember those numbers; start-up
 * only makes sure 3, 4 and 5 are open (with /dev/null where free) so that
 * a small LISTEN_FDS succeeds.  Each run then puts the flags of the open
 * run 3..first_free-1 back as they were: an accidental success cannot
 * leave a trace.  A descriptor left open at first_free after a run is a
 * leak (abort()), and so is any result that adopts more than are open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portbind.h"

#define FUZZ_MIN_OPEN 3			/* fds 3, 4, 5 open at least */
#define FUZZ_MAX_RUN 1024		/* longest open run we track from 3 */
#define FUZZ_STRINGS 5

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const vars[] = {
	"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
	"PORTBIND_PID", "PORTBIND_FDS", "PORTBIND_FDNAMES",
};

/* The run of open fds from PB_LISTEN_FDS_START: [3, first_free). */
static int first_free;
static int saved_flags[FUZZ_MAX_RUN];

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void clear_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	clear_env();
	/* open() takes the lowest free number: fill the holes below 6. */
	for (;;) {
		for (fd = PB_LISTEN_FDS_START; is_open(fd); fd++)
			;
		if (fd >= PB_LISTEN_FDS_START + FUZZ_MIN_OPEN)
			break;
		if (open("/dev/null", O_RDONLY) != fd) {
			fprintf(stderr, "fuzz_listenfds: cannot open fd %d\n", fd);
			abort();
		}
	}
	if (fd >= PB_LISTEN_FDS_START + FUZZ_MAX_RUN) {
		fprintf(stderr, "fuzz_listenfds: over %d fds open from 3\n",
			FUZZ_MAX_RUN);
		abort();
	}
	first_free = fd;
	return 0;
}

/* "NAME=value" for putenv, owned by the caller: no copy stays behind in
   the C library as setenv's would, run after run. */
static char *env_string(const char *name, const char *value, size_t len)
{
	size_t nlen = strlen(name);
	char *s = malloc(nlen + 1 + len + 1);

	if (!s)
		abort();
	memcpy(s, name, nlen);
	s[nlen] = '=';
	memcpy(s + nlen + 1, value, len);
	s[nlen + 1 + len] = '\0';
	if (putenv(s) != 0)
		abort();
	return s;
}

static void check_names(int activated)
{
	char buf[8];
	int fd;

	errno = 0;
	if (pb_listen_fd_name(-1, buf, sizeof(buf)) != -1 || errno != EINVAL)
		abort();

	for (fd = PB_LISTEN_FDS_START; fd <= 10; fd++) {
		char name[256], small[4];
		int r, e, rs, es;

		memset(name, 'x', sizeof(name));
		errno = 0;
		r = pb_listen_fd_name(fd, name, sizeof(name));
		e = errno;
		if (!activated && (r != -1 || e != ENOENT))
			abort();
		if (r == 0) {
			size_t n = strnlen(name, sizeof(name));

			/* A name is one field: non-empty, no separator. */
			if (n == 0 || n >= sizeof(name) || strchr(name, ':'))
				abort();
		} else if (r != -1 || (e != ENOENT && e != ENOSPC)) {
			abort();
		}

		/* A smaller buffer: the same answer, or ENOSPC for a name
		   that does not fit it. */
		errno = 0;
		rs = pb_listen_fd_name(fd, small, sizeof(small));
		es = errno;
		if (r == 0 && strlen(name) < sizeof(small)) {
			if (rs != 0 || strcmp(small, name) != 0)
				abort();
		} else if (r == 0 || e == ENOSPC) {
			if (rs != -1 || es != ENOSPC)
				abort();
		} else if (rs != -1 || es != e) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *str[FUZZ_STRINGS];
	size_t len[FUZZ_STRINGS], n = 0, start = 0, i;
	char *owned[6], pid[16], *copy;
	int nowned = 0, r, r2, e, fd, activated = 1;

	/* A NUL-terminated copy: NUL and '\n' both split it. */
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; size > 0 && i <= size && n < FUZZ_STRINGS; i++) {
		if (i == size || copy[i] == '\0' || copy[i] == '\n') {
			str[n] = copy + start;
			len[n] = i - start;
			n++;
			start = i + 1;
		}
	}

	for (fd = PB_LISTEN_FDS_START; fd < first_free; fd++)
		saved_flags[fd - PB_LISTEN_FDS_START] = fcntl(fd, F_GETFD);
	if (is_open(first_free))
		abort();	/* someone left one open between runs */

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	i = 0;
	if (n > 0 && len[0] > 0 && str[0][0] == 'p') {
		owned[nowned++] = env_string("LISTEN_PID", str[0] + 1, len[0] - 1);
		i = 1;
	} else if (n > 0 && len[0] > 0 && str[0][0] == 'P') {
		i = 1;
		activated = 0;
	} else {
		owned[nowned++] = env_string("LISTEN_PID", pid, strlen(pid));
	}
	if (i < n)
		owned[nowned++] = env_string("LISTEN_FDS", str[i], len[i]);
	if (i + 1 < n)
		owned[nowned++] = env_string("LISTEN_FDNAMES", str[i + 1], len[i + 1]);
	if (i + 2 < n) {
		owned[nowned++] = env_string("PORTBIND_PID", pid, strlen(pid));
		owned[nowned++] = env_string("PORTBIND_FDS", str[i + 2], len[i + 2]);
	}
	if (i + 3 < n)
		owned[nowned++] = env_string("PORTBIND_FDNAMES", str[i + 3], len[i + 3]);

	errno = 0;
	r = pb_listen_fds(0);
	e = errno;
	if (r == -1) {
		if (e != EINVAL && e != EBADF)
			abort();
	} else if (r < 0 || r > first_free - PB_LISTEN_FDS_START) {
		abort();	/* adopted descriptors that are not there */
	} else {
		for (fd = PB_LISTEN_FDS_START; fd < PB_LISTEN_FDS_START + r; fd++)
			if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
				abort();
	}

	check_names(activated);

	/* Again, unsetting: the same answer, and the variables are gone. */
	errno = 0;
	r2 = pb_listen_fds(1);
	if (r2 != r || (r2 == -1 && errno != e))
		abort();
	if (getenv("LISTEN_PID") || getenv("LISTEN_FDS") ||
	    getenv("LISTEN_FDNAMES"))
		abort();

	clear_env();
	while (nowned > 0)
		free(owned[--nowned]);
	free(copy);

	if (is_open(first_free))
		abort();	/* a descriptor leaked */
	for (fd = PB_LISTEN_FDS_START; fd < first_free; fd++)
		if (fcntl(fd, F_SETFD, saved_flags[fd - PB_LISTEN_FDS_START]) < 0)
			abort();
	return 0;
}

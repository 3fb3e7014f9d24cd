/* SPDX-License-Identifier: MIT */
/*
 * coverage-dump.c - linked into the Check runner of `make coverage` only,
 * with -Wl,--wrap=_exit.  gcov writes a process's counters (the .gcda
 * files) from an exit handler, and _exit(2) runs none: every forked test
 * child that ends with _exit (pbt_run_in_child, pbt_run_in_netns, the
 * fault-injection children) would take what it covered with it.  Here
 * _exit writes them first.
 *
 * A child that cannot open the files (a seccomp filter refusing openat,
 * a uid that may not write them) would have gcov print a line for each
 * of them; it is tried on one file first (make check exports
 * PB_BUILDDIR), and such a child exits without writing: its lines count
 * as not run, so the report errs low.  One at its RLIMIT_NOFILE gets its
 * soft limit raised to the hard one first (test children lower only the
 * soft one, as they must to stay able to raise it back).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

void __gcov_dump(void);
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

static int can_write_counters(void)
{
	const char *dir = getenv("PB_BUILDDIR");
	char path[4096];
	int fd;

	if (!dir)
		return 1;
	/* An empty file is what gcov makes of a missing one. */
	if ((size_t)snprintf(path, sizeof(path), "%s/build/tests/testutil.gcda",
			     dir) >= sizeof(path))
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EMFILE) {
		/* A test of RLIMIT_NOFILE: the hard limit leaves room. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
				fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		}
	}
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

void __wrap__exit(int status)
{
	if (can_write_counters())
		__gcov_dump();
	__real__exit(status);
}

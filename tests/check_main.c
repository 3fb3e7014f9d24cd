/* SPDX-License-Identifier: MIT */
/*
 * check_main.c - the one runner.  Fork mode by default (each test in its
 * own process, so a crash is a failure, not the end of the run); the suites
 * also pass with CK_FORK=no, for valgrind and the sanitizers.  Check
 * has no "skipped" result; testutil.c records skips apart and the last
 * line ("N checks: P passed, F failed, S skipped") is the run's result.
 *
 * Isolation.  As root, every test runs in a private network namespace
 * with only lo, up: in fork mode a fresh one for each test (the fixture
 * that pbt_tcase_create puts first in every TCase), with CK_FORK=no one
 * for the whole process.  Two runs at once, or a run beside a busy host,
 * then never see each other's ports.  Where no namespace can be made (not
 * root, unshare refused, or PBT_ISOLATE=no) the tests run in the caller's
 * namespace as they always could, and one line says so.
 *
 * Parallel.  In fork mode the suites run in PBT_JOBS worker processes at
 * once (4 by default; most tests wait on the kernel, not the CPU), the
 * longest first, the longest suites split in shards (every Kth test).
 * Each worker's output is kept apart and printed whole when it ends; the
 * counts of all are added into the one last line.  PBT_JOBS=1, CK_FORK=no
 * and Check's log files (CK_LOG_FILE_NAME, CK_XML_LOG_FILE_NAME,
 * CK_TAP_LOG_FILE_NAME: one file, one writer) run the suites one after the
 * other in this process, as before.  CK_RUN_SUITE and CK_RUN_CASE select
 * as with Check alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* Here the real ones are wrapped. */
#undef tcase_create
#undef _tcase_add_test

/* ---- the suites: table order is the serial order; tenths (of a second,
 *      roughly, on an idle machine) put the long ones first in parallel,
 *      and shards splits a long suite among workers. */
static const struct suite_def {
	const char *name;	/* as suite_create names it (CK_RUN_SUITE) */
	Suite *(*make)(void);
	int tenths, shards;
} suites[] = {
	{ "version", suite_version, 1, 1 },
	{ "skips", suite_skips, 1, 1 },
	{ "addr", suite_addr, 2, 1 },
	{ "opt", suite_opt, 1, 1 },
	{ "bind", suite_bind, 50, 2 },
	{ "sockdiag", suite_sockdiag, 1, 1 },
	{ "procnet", suite_procnet, 1, 1 },
	{ "diag", suite_diag, 8, 1 },
	{ "format", suite_format, 2, 1 },
	{ "client", suite_client, 14, 1 },
	{ "sysctl", suite_sysctl, 1, 1 },
	{ "activate", suite_activate, 1, 1 },
	{ "handoff", suite_handoff, 110, 5 },
	{ "hostile", suite_hostile, 1, 1 },
	{ "degraded", suite_degraded, 2, 1 },
	{ "threads", suite_threads, 30, 1 },
	{ "stack", suite_stack, 4, 1 },
	{ "dualstack", suite_dualstack, 18, 1 },
	{ "oracle", suite_oracle, 50, 2 },
	{ "abi", suite_abi, 2, 1 },
	{ "owner", suite_owner, 5, 1 },
	{ "text", suite_text, 1, 1 },
	{ "probe", suite_probe, 2, 1 },
	{ "audit", suite_audit, 60, 3 },
	{ "netns", suite_netns, 10, 1 },
};
#define NSUITES (int)(sizeof(suites) / sizeof(suites[0]))

/* ---- isolation: the fixture every TCase gets first */

static int netns_each_test;	/* fork mode, root: a fresh namespace a test */
static pid_t test_parent;	/* fork mode: the runner that forks each test */

static void netns_setup(void)
{
	/* A test that hangs ends with the runner that forked it, killed or
	   not: Check gives each test a process group of its own, and the
	   test's time limit lives in the runner, so nothing else would stop
	   it.  (Its own children end by their bounded waits.) */
	if (test_parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != test_parent))
		_exit(1);
	if (!netns_each_test)
		return;
	/* The runner made one before the run: failing now is a failure. */
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %s",
		      strerror(errno));
	ck_assert_msg(pbt_lo_up() == 0, "lo up in the test's namespace: %s",
		      strerror(errno));
}

TCase *pbt_tcase_create(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, netns_setup, NULL);
	return tc;
}

/* ---- sharding: this process keeps the tests whose index in its suite,
 *      counted as they are added, is shard_of modulo shards. */
static int shard_of, shards = 1, shard_next;

void pbt_tcase_add_test(TCase *tc, const TTest *ttest, int signal,
			int allowed_exit_value, int start, int end)
{
	if (shard_next++ % shards == shard_of)
		_tcase_add_test(tc, ttest, signal, allowed_exit_value, start,
				end);
}

/* Make a namespace here (in a child when probe): NULL, or why not. */
static const char *netns_try(int probe)
{
	static char why[128];
	pid_t pid;
	int st, err = 0;

	if (getenv("PBT_ISOLATE") && strcmp(getenv("PBT_ISOLATE"), "no") == 0)
		return "PBT_ISOLATE=no";
	if (geteuid() != 0)
		return "not root";
	if (probe) {
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			err = errno;
		} else if (pid == 0) {
			if (unshare(CLONE_NEWNET) < 0)
				_exit(errno & 0xff);
			_exit(pbt_lo_up() < 0 ? 255 : 0);
		} else {
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			err = WIFEXITED(st) ? WEXITSTATUS(st) : 254;
		}
	} else if (unshare(CLONE_NEWNET) < 0) {
		err = errno;
	} else if (pbt_lo_up() < 0) {
		err = 255;
	}
	if (err == 0)
		return NULL;
	if (err >= 254)
		snprintf(why, sizeof(why), "lo cannot be brought up in one");
	else
		snprintf(why, sizeof(why), "unshare(CLONE_NEWNET): %s",
			 strerror(err));
	return why;
}

static void isolate(int forking)
{
	const char *why = netns_try(forking);

	if (why) {
		printf("check_portbind: isolation off (%s): the tests share "
		       "this network namespace with whatever else runs in it\n",
		       why);
		return;
	}
	netns_each_test = forking;
	printf("check_portbind: isolation: %s\n", forking ?
	       "each test in its own network namespace" :
	       "the tests in a network namespace of their own");
}

/* ---- one after the other, in this process */

static int run_serial(void)
{
	const char *only = getenv("CK_RUN_SUITE");
	SRunner *sr = NULL;
	int i, failed;

	for (i = 0; i < NSUITES; i++) {
		if (only && *only && strcmp(only, suites[i].name) != 0)
			continue;
		if (!sr)
			sr = srunner_create(suites[i].make());
		else
			srunner_add_suite(sr, suites[i].make());
	}
	if (!sr)
		sr = srunner_create(NULL);
	if (pbt_skips_begin(sr) < 0) {
		perror("check_portbind: mmap for the record of skips");
		return EXIT_FAILURE;
	}
	if (srunner_fork_status(sr) != CK_NOFORK)
		test_parent = getpid();
	srunner_run_all(sr, CK_ENV);
	/* Check's own summary counts a skipped test as passed: ours follows
	   it and decides. */
	fflush(stdout);
	failed = pbt_skips_report(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- in parallel workers */

struct job {
	const struct suite_def *def;
	int shard;
	pid_t pid;
	int out, lines;		/* its output, and its lines of skips */
	struct timespec t0;	/* when it started */
	struct pbt_tally *tally;	/* shared with the worker */
	int *done;			/* set by the worker once tallied */
};

/* A worker: the job's suite (its shard) in this process, its counts in
   the shared tally. */
static void worker(struct job *j, pid_t runner)
{
	SRunner *sr;
	FILE *lines;

	/* A runner that is killed takes its workers with it.  SIGKILL, not
	   SIGTERM: on SIGTERM Check's runner kills its whole process group,
	   which is the runner's (and make's) too. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != runner)
		_exit(2);
	if (dup2(j->out, 1) < 0 || dup2(j->out, 2) < 0)
		_exit(3);
	shard_of = j->shard;
	shards = j->def->shards;
	if (shards > 1)
		printf("suite %s, shard %d of %d (its tests %d, %d, %d, ...):\n",
		       j->def->name, j->shard + 1, shards, j->shard + 1,
		       j->shard + 1 + shards, j->shard + 1 + 2 * shards);
	sr = srunner_create(j->def->make());
	if (pbt_skips_begin(sr) < 0) {
		perror("check_portbind: mmap for the record of skips");
		_exit(4);
	}
	test_parent = getpid();
	srunner_run_all(sr, CK_ENV);
	fflush(NULL);
	lines = fdopen(j->lines, "w");
	if (!lines)
		_exit(5);
	pbt_skips_tally(sr, j->tally, lines);
	if (fclose(lines) != 0)
		_exit(6);
	__atomic_store_n(j->done, 1, __ATOMIC_SEQ_CST);
	fflush(NULL);
	_exit(0);
}

/* Copy what fd holds, from its start, to stdout. */
static void print_whole(int fd)
{
	char buf[8192];
	ssize_t n;

	fflush(stdout);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && write(1, buf, (size_t)n) != n)
			return;
}

static int start_job(struct job *jobs, int nj, int k)
{
	struct job *j = &jobs[k];
	pid_t runner = getpid();
	int i;

	j->out = memfd_create("check-out", MFD_CLOEXEC);
	j->lines = memfd_create("check-skips", MFD_CLOEXEC);
	if (j->out < 0 || j->lines < 0)
		return -1;
	/* The worker, its tests and their children all write: appending. */
	if (fcntl(j->out, F_SETFL, O_APPEND) < 0)
		return -1;
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	j->pid = fork();
	if (j->pid < 0)
		return -1;
	if (j->pid == 0) {
		for (i = 0; i < nj; i++)	/* the other workers' files */
			if (i != k && jobs[i].pid > 0 && jobs[i].out >= 0) {
				close(jobs[i].out);
				close(jobs[i].lines);
			}
		worker(j, runner);
	}
	return 0;
}

static int by_length(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->def->tenths != y->def->tenths)
		return y->def->tenths - x->def->tenths;
	return (int)(x->def - y->def) * 64 + (x->shard - y->shard);
}

static int run_parallel(int njobs_max)
{
	const char *only = getenv("CK_RUN_SUITE");
	struct job jobs[NSUITES * 8];
	struct pbt_tally *tallies, sum = { 0, 0, 0, 0 };
	int *done, nj = 0, next = 0, running = 0, broken = 0, i, k, st, ok;
	struct timespec now;
	pid_t pid;

	for (i = 0; i < NSUITES; i++) {
		if (only && *only && strcmp(only, suites[i].name) != 0)
			continue;
		for (k = 0; k < suites[i].shards && k < 8; k++) {
			memset(&jobs[nj], 0, sizeof(jobs[nj]));
			jobs[nj].def = &suites[i];
			jobs[nj].shard = k;
			jobs[nj].out = jobs[nj].lines = -1;
			nj++;
		}
	}
	qsort(jobs, (size_t)nj, sizeof(jobs[0]), by_length);
	tallies = mmap(NULL, sizeof(*tallies) * (size_t)(nj + 1) +
		       sizeof(int) * (size_t)(nj + 1), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tallies == MAP_FAILED) {
		perror("check_portbind: mmap for the workers' counts");
		return EXIT_FAILURE;
	}
	done = (int *)(tallies + nj + 1);
	for (k = 0; k < nj; k++) {
		jobs[k].tally = &tallies[k];
		jobs[k].done = &done[k];
	}
	while (next < nj || running > 0) {
		while (running < njobs_max && next < nj) {
			if (start_job(jobs, nj, next) < 0) {
				perror("check_portbind: starting a worker");
				broken++;
				jobs[next].pid = -1;
			} else {
				running++;
			}
			next++;
		}
		if (running == 0)
			continue;
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("check_portbind: waitpid");
			return EXIT_FAILURE;
		}
		for (k = 0; k < nj && jobs[k].pid != pid; k++)
			;
		if (k == nj)
			continue;	/* not a worker (none other is forked) */
		running--;
		ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		     __atomic_load_n(jobs[k].done, __ATOMIC_SEQ_CST);
		/* A worker that ran nothing (CK_RUN_CASE chose none of its
		   tests) has nothing to say. */
		if (!ok || jobs[k].tally->checks > 0) {
			print_whole(jobs[k].out);
			clock_gettime(CLOCK_MONOTONIC, &now);
			printf("(suite %s", jobs[k].def->name);
			if (jobs[k].def->shards > 1)
				printf(", shard %d of %d", jobs[k].shard + 1,
				       jobs[k].def->shards);
			printf(": %.1f s)\n",
			       (double)(now.tv_sec - jobs[k].t0.tv_sec) +
			       (double)(now.tv_nsec - jobs[k].t0.tv_nsec) /
			       1e9);
		}
		if (!ok) {
			printf("check_portbind: FAILED: the worker of suite %s "
			       "(shard %d of %d) ended with %s %d before its "
			       "count\n", jobs[k].def->name, jobs[k].shard + 1,
			       jobs[k].def->shards, WIFEXITED(st) ? "status" :
			       "signal", WIFEXITED(st) ? WEXITSTATUS(st) :
			       WTERMSIG(st));
			broken++;
			jobs[k].done = NULL;
		}
		close(jobs[k].out);
		jobs[k].out = -1;
	}
	/* Every skip, in the order of the table, then the counts of all:
	   the last line is the result. */
	for (k = 0; k < nj; k++) {
		if (!jobs[k].done)
			continue;
		sum.checks += jobs[k].tally->checks;
		sum.passed += jobs[k].tally->passed;
		sum.failed += jobs[k].tally->failed;
		sum.skipped += jobs[k].tally->skipped;
	}
	sum.failed += broken;
	for (i = 0; i < NSUITES; i++)
		for (k = 0; k < nj; k++)
			if (jobs[k].def == &suites[i] && jobs[k].lines >= 0) {
				if (jobs[k].done)
					print_whole(jobs[k].lines);
				close(jobs[k].lines);
			}
	if (broken)
		printf("  FAILED: %d worker%s without a count\n", broken,
		       broken == 1 ? "" : "s");
	fflush(stdout);
	pbt_tally_print(&sum);
	munmap(tallies, sizeof(*tallies) * (size_t)(nj + 1) +
	       sizeof(int) * (size_t)(nj + 1));
	return sum.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	const char *fork_env = getenv("CK_FORK"), *jobs_env = getenv("PBT_JOBS");
	int forking = !(fork_env && strcmp(fork_env, "no") == 0), jobs = 4;

	if (!realpath(argv[0], pbt_self))
		snprintf(pbt_self, sizeof(pbt_self), "%s", argv[0]);
	/* Re-executed by the socket-activation test as the service. */
	if (argc == 2 && strcmp(argv[1], "activation-child") == 0)
		return pbt_activation_child();
	/* Re-executed by check_audit.c as a socket-activated service. */
	if (argc == 2 && strcmp(argv[1], "hold") == 0)
		return pbt_hold_child();
	/* Re-executed by check_skips.c, to count a run of known outcomes. */
	if (argc == 2 && strcmp(argv[1], "skip-selftest") == 0)
		return pbt_skip_selftest();

	/* A test that writes to a socket its peer closed must see EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* Check's timeouts stop a test that hangs; they are no test of
	   speed.  A loaded machine (other suites, this one's workers) makes
	   a test of a second take several: unless the caller chose either,
	   15 s where a TCase names none (Check's own is 4 s), and every
	   timeout doubled. */
	if (!getenv("CK_DEFAULT_TIMEOUT") && !getenv("CK_TIMEOUT_MULTIPLIER")) {
		setenv("CK_DEFAULT_TIMEOUT", "15", 1);
		setenv("CK_TIMEOUT_MULTIPLIER", "2", 1);
	}

	if (jobs_env && *jobs_env) {
		jobs = atoi(jobs_env);
		if (jobs < 1 || jobs > 64) {
			fprintf(stderr, "check_portbind: PBT_JOBS=%s: not 1 to 64\n",
				jobs_env);
			return EXIT_FAILURE;
		}
	}
	if (getenv("CK_LOG_FILE_NAME") || getenv("CK_XML_LOG_FILE_NAME") ||
	    getenv("CK_TAP_LOG_FILE_NAME"))
		jobs = 1;
	isolate(forking);
	fflush(stdout);
	if (!forking || jobs == 1)
		return run_serial();
	return run_parallel(jobs);
}

/* SPDX-License-Identifier: MIT */
/*
 * check_skips.c - the runner's own count of skips (testutil.c).  Check
 * counts a test that returns as passed, so a test that skips (not root, no
 * IPv6, ...) would pass unseen.  Here the runner is executed again as
 * "check_portbind skip-selftest", which runs a suite of known outcomes
 * (one pass, one failure, skips in a test, in a loop test and in a child
 * process, and a test that leaks a descriptor before it skips), in fork
 * and in no-fork mode; its last lines must count each as what it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

/* ---- the suite of known outcomes, run by pbt_skip_selftest() */

START_TEST(sk_pass)
{
	ck_assert_int_eq(1 + 1, 2);
}
END_TEST

START_TEST(sk_fail)
{
	ck_abort_msg("this one fails on purpose");
}
END_TEST

START_TEST(sk_skip)
{
	PBT_SKIP("reason one");
}
END_TEST

START_TEST(sk_skip_loop)
{
	PBT_SKIP("reason loop");
}
END_TEST

static int skip_in_child(void *arg)
{
	(void)arg;
	pbt_skip("sk_skip_in_child", "reason child");
	return 0;
}

START_TEST(sk_skip_in_child)
{
	ck_assert_int_eq(pbt_run_in_child(skip_in_child, NULL), 0);
}
END_TEST

/* The mistake check_handoff.c once made: a descriptor opened before the
   skip.  The fd fixture fails it, and a failure is not a skip. */
START_TEST(sk_skip_after_leak)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	PBT_SKIP("reason leak");
}
END_TEST

int pbt_skip_selftest(void)
{
	Suite *s = suite_create("skipself");
	TCase *tc = tcase_create("outcomes");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, sk_pass);
	tcase_add_test(tc, sk_skip);
	tcase_add_test(tc, sk_fail);
	tcase_add_loop_test(tc, sk_skip_loop, 0, 2);
	tcase_add_test(tc, sk_skip_in_child);
	tcase_add_test(tc, sk_skip_after_leak);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* The caller's selection of suites is not this run's. */
	unsetenv("CK_RUN_SUITE");
	unsetenv("CK_RUN_CASE");
	unsetenv("CK_INCLUDE_TAGS");
	unsetenv("CK_EXCLUDE_TAGS");
	if (pbt_skips_begin(sr) < 0)
		return 2;
	srunner_run_all(sr, CK_NORMAL);
	fflush(stdout);
	failed = pbt_skips_report(sr);
	fflush(stdout);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* ---- the test: run it and read what it counted */

/* Run "pbt_self skip-selftest" with CK_FORK=fork_mode, or with run_case
   the whole runner in parallel with CK_RUN_CASE=run_case; its output
   (stdout and stderr) in buf, its exit status returned. */
static int run_self(const char *fork_mode, const char *run_case, char *buf,
		    size_t size)
{
	char arg0[] = "check_portbind", arg1[] = "skip-selftest";
	char *argv[] = { arg0, run_case ? NULL : arg1, NULL };
	struct pollfd p;
	size_t len = 0;
	int pfd[2], st, i;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(3);
		setenv("CK_FORK", fork_mode, 1);
		if (run_case) {
			unsetenv("CK_RUN_SUITE");
			setenv("CK_RUN_CASE", run_case, 1);
			setenv("PBT_JOBS", "4", 1);
		}
		execv(pbt_self, argv);
		_exit(4);
	}
	close(pfd[1]);
	p.fd = pfd[0];
	p.events = POLLIN;
	/* Bounded: 300 polls of 100 ms, and the buffer's size. */
	for (i = 0; i < 300 && len + 1 < size; i++) {
		if (poll(&p, 1, 100) == 0)
			continue;
		n = read(pfd[0], buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(pfd[0]);
	if (i == 300)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	ck_assert_msg(i < 300, "the self-test ran for more than 30 s:\n%s", buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The start of out's last line (out ends with a newline). */
static const char *last_line(const char *out)
{
	size_t n = strlen(out);

	if (n > 0 && out[n - 1] == '\n')
		n--;
	while (n > 0 && out[n - 1] != '\n')
		n--;
	return out + n;
}

static void assert_has(const char *out, const char *line)
{
	ck_assert_msg(strstr(out, line) != NULL,
		      "missing \"%s\" in the self-test's output:\n%s", line, out);
}

START_TEST(skips_counted_apart)
{
	static const char *const mode[] = { "yes", "no" };
	static char out[16384];
	int st = run_self(mode[_i], NULL, out, sizeof(out));
	const char *last;

	/* Check itself counts the 4 skips as passes (71%)... */
	assert_has(out, "71%: Checks: 7, Failures: 2, Errors: 0");
	/* ... the runner's count does not. */
	assert_has(out, "7 checks: 1 passed, 2 failed, 4 skipped ");
	assert_has(out, "\n  skipped: outcomes/sk_skip: reason one\n");
	assert_has(out, "\n  skipped: outcomes/sk_skip_loop (2 iterations): "
		   "reason loop\n");
	assert_has(out, "\n  skipped: outcomes/sk_skip_in_child: reason child\n");
	assert_has(out, "\n  FAILED after its skip: outcomes/sk_skip_after_leak: "
		   "reason leak\n");
	assert_has(out, "descriptor leak: ");
	ck_assert_msg(st == 1, "exit status %d, not 1 (a failure):\n%s", st, out);
	/* The count is the last line, after the skips. */
	last = last_line(out);
	ck_assert_msg(strncmp(last, "7 checks: ", 10) == 0,
		      "the last line is not the count: \"%s\"", last);
}
END_TEST

/* In parallel, a case that one suite has: only its worker speaks, and
   the count is the last line. */
START_TEST(parallel_prints_only_what_ran)
{
	static char out[65536];
	const char *last;
	int st = run_self("yes", "version", out, sizeof(out));

	ck_assert_msg(st == 0, "exit status %d:\n%s", st, out);
	assert_has(out, "(suite version: ");
	ck_assert_msg(strstr(out, "Checks: 0,") == NULL &&
		      strstr(out, "(suite skips") == NULL &&
		      strstr(out, "(suite handoff") == NULL,
		      "the workers that ran nothing printed:\n%s", out);
	last = last_line(out);
	ck_assert_msg(strncmp(last, "0 checks: ", 10) != 0 &&
		      strstr(last, " checks: ") != NULL &&
		      strstr(last, " 0 failed, 0 skipped") != NULL,
		      "the last line is not the count: \"%s\"\n%s", last, out);
}
END_TEST

Suite *suite_skips(void)
{
	Suite *s = suite_create("skips");
	TCase *tc = tcase_create("count");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, skips_counted_apart, 0, 2);
	tcase_add_test(tc, parallel_prints_only_what_ran);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
/*
 * check_main.c - the one runner.  Fork mode by default (each test in its
 * own process, so a crash is a failure, not the end of the run); the suites
 * also pass with CK_FORK=no, for valgrind and the sanitizers.  Check
 * has no "skipped" result; testutil.c records skips apart and the last
 * line ("N checks: P passed, F failed, S skipped") is the run's result.
 */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (!realpath(argv[0], pbt_self))
		snprintf(pbt_self, sizeof(pbt_self), "%s", argv[0]);
	/* Re-executed by the socket-activation test as the service. */
	if (argc == 2 && strcmp(argv[1], "activation-child") == 0)
		return pbt_activation_child();
	/* Re-executed by check_skips.c, to count a run of known outcomes. */
	if (argc == 2 && strcmp(argv[1], "skip-selftest") == 0)
		return pbt_skip_selftest();

	/* A test that writes to a socket its peer closed must see EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	sr = srunner_create(suite_version());
	srunner_add_suite(sr, suite_skips());
	srunner_add_suite(sr, suite_addr());
	srunner_add_suite(sr, suite_opt());
	srunner_add_suite(sr, suite_bind());
	srunner_add_suite(sr, suite_sockdiag());
	srunner_add_suite(sr, suite_procnet());
	srunner_add_suite(sr, suite_diag());
	srunner_add_suite(sr, suite_format());
	srunner_add_suite(sr, suite_client());
	srunner_add_suite(sr, suite_sysctl());
	srunner_add_suite(sr, suite_activate());
	srunner_add_suite(sr, suite_handoff());
	srunner_add_suite(sr, suite_hostile());
	srunner_add_suite(sr, suite_degraded());
	srunner_add_suite(sr, suite_threads());
	srunner_add_suite(sr, suite_stack());
	srunner_add_suite(sr, suite_dualstack());
	srunner_add_suite(sr, suite_oracle());
	srunner_add_suite(sr, suite_abi());
	srunner_add_suite(sr, suite_text());
	srunner_add_suite(sr, suite_probe());
	if (pbt_skips_begin(sr) < 0) {
		perror("check_portbind: mmap for the record of skips");
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_ENV);
	/* Check's own summary counts a skipped test as passed: ours follows
	   it and decides. */
	fflush(stdout);
	failed = pbt_skips_report(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * check_main.c - the one runner.  Fork mode by default (each test in its
 * own process, so a crash is a failure, not the end of the run); the suites
 * also pass with CK_FORK=no, for valgrind and the sanitizers.
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

	/* A test that writes to a socket its peer closed must see EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	sr = srunner_create(suite_version());
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
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

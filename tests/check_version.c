/* SPDX-License-Identifier: MIT */
/* check_version.c - pb_version() and the header agree. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

START_TEST(version_matches_header)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", PB_VERSION_MAJOR,
		 PB_VERSION_MINOR, PB_VERSION_PATCH);
	ck_assert_str_eq(pb_version(), want);
}
END_TEST

Suite *suite_version(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("version");

	tcase_add_test(tc, version_matches_header);
	suite_add_tcase(s, tc);
	return s;
}

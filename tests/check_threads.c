/* SPDX-License-Identifier: MIT */
/*
 * check_threads.c - many threads at once through the helpers and the
 * classifier, in a bounded loop.  Run normally it checks the answers; run
 * under ThreadSanitizer (make SANITIZE=thread, CI) it checks for races.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define THREADS 8
#define ROUNDS 60

struct shared {
	char listen_spec[64];	/* a live listener */
	char tw_spec[64];	/* a port some TIME_WAIT sockets hold */
	int errors;
};

static void *worker(void *arg)
{
	struct shared *s = arg;
	struct pb_diag d = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len;
	char text[1024];
	int i, fd, bad = 0;

	for (i = 0; i < ROUNDS; i++) {
		fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
		if (fd < 0)
			bad++;
		else
			close(fd);
		fd = pb_bind_udp("127.0.0.1:0", 0, NULL);
		if (fd < 0)
			bad++;
		else
			close(fd);
		if (pb_diagnose_spec(SOCK_STREAM, s->listen_spec, 0, &d) !=
		    PB_CAUSE_LISTENER)
			bad++;
		if (pb_diag_format(&d, text, sizeof(text)) <= 0 ||
		    !strstr(text, "listening"))
			bad++;
		if (pb_diagnose_spec(SOCK_STREAM, s->tw_spec, EADDRINUSE, &d) !=
		    PB_CAUSE_TIME_WAIT)
			bad++;
		if (pb_diag_json(&d, text, sizeof(text)) <= 0)
			bad++;
		if (pb_parse_addr("*:8080", &ss, &len) < 0)
			bad++;
		if (pb_format_addr((struct sockaddr *)&ss, len, text, sizeof(text)) < 0)
			bad++;
	}
	return (void *)(long)bad;
}

START_TEST(threads_at_once)
{
	struct shared s;
	pthread_t t[THREADS];
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), lt, i;
	long bad = 0;
	void *r;

	memset(&s, 0, sizeof(s));
	snprintf(s.listen_spec, sizeof(s.listen_spec), "127.0.0.1:%u",
		 pbt_local_port(l));
	lt = pbt_listener("127.0.0.1", 0, 0);
	snprintf(s.tw_spec, sizeof(s.tw_spec), "127.0.0.1:%u", pbt_local_port(lt));
	for (i = 0; i < 3; i++)
		pbt_make_time_wait(lt, "127.0.0.1", pbt_local_port(lt));
	close(lt);

	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &s), 0);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &r), 0);
		bad += (long)r;
	}
	ck_assert_msg(bad == 0, "%ld wrong answers under concurrency", bad);
	close(l);
}
END_TEST

Suite *suite_threads(void)
{
	Suite *s = suite_create("threads");
	TCase *tc = tcase_create("concurrent");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, threads_at_once);
	suite_add_tcase(s, tc);
	return s;
}

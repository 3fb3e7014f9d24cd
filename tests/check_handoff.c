/* SPDX-License-Identifier: MIT */
/*
 * check_handoff.c - two real processes hand a listening socket over, with
 * a connection waiting in its accept queue that the successor serves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

struct dir {
	char path[64];
	char sock[96];
};

static void make_dir(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/pbt-handoff.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->path));
	snprintf(d->sock, sizeof(d->sock), "%s/ctl", d->path);
}

static void remove_dir(struct dir *d)
{
	unlink(d->sock);
	rmdir(d->path);
}

static int read_line(int fd, char *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 5000) != 1)
		return -1;
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

struct successor {
	const char *sock;
	unsigned port;
};

/* The new server: take, adopt, serve two connections, make its own
   control socket where the old one was. */
static int successor(void *arg)
{
	const struct successor *s = arg;
	char spec[64], name[32], buf[32];
	int fd, c, i, ctl;

	PBT_REQUIRE(pb_handoff_take(s->sock, 5000) == 1);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", s->port);
	fd = pb_listen(spec, 8, PB_ADOPT, NULL);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(pb_listen_fd_name(fd, name, sizeof(name)) == 0);
	PBT_REQUIRE(strcmp(name, "web") == 0);
	PBT_REQUIRE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	for (i = 0; i < 2; i++) {
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		PBT_REQUIRE(c >= 0);
		PBT_REQUIRE(read_line(c, buf, sizeof(buf)) > 0);
		PBT_REQUIRE(write(c, "served by successor\n", 20) == 20);
		close(c);
	}
	/* The old server freed the path: the successor can offer it next. */
	ctl = pb_handoff_listen(s->sock);
	PBT_REQUIRE(ctl >= 0);
	close(ctl);
	unlink(s->sock);
	close(fd);
	return 0;
}

static int connect_to(unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", port);
	int c = pbt_socket("127.0.0.1", SOCK_STREAM, 0);

	ck_assert_int_eq(connect(c, (struct sockaddr *)&ss, len), 0);
	return c;
}

START_TEST(handoff_keeps_queued_connection)
{
	struct dir d;
	struct successor s;
	const char *names[] = { "web" };
	char buf[64];
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL), ctl, c1, c2, st;
	pid_t pid;

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	pbt_assert_cloexec(ctl);
	s.sock = d.sock;
	s.port = pbt_local_port(l);

	/* Someone checks whether the path is alive (connects, says nothing):
	   that must not spoil the hand-off that follows. */
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);

	/* A client waits in the old server's accept queue, never accepted. */
	c1 = connect_to(s.port);
	ck_assert_int_eq(write(c1, "first\n", 6), 6);

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(successor(&s));

	ck_assert_int_eq(pb_handoff_give(ctl, &l, names, 1, 5000), 0);
	/* The old server stops: its copy closes, the socket lives on. */
	close(l);
	close(ctl);
	c2 = connect_to(s.port);	/* not refused */
	ck_assert_int_eq(write(c2, "second\n", 7), 7);
	ck_assert_int_gt(read_line(c1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "served by successor\n");
	ck_assert_int_gt(read_line(c2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "served by successor\n");
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "successor: %d", st);
	close(c1);
	close(c2);
	remove_dir(&d);
}
END_TEST

START_TEST(take_without_predecessor)
{
	struct dir d;

	make_dir(&d);
	/* A first start: nothing to take, not an error. */
	ck_assert_int_eq(pb_handoff_take(d.sock, 100), 0);
	remove_dir(&d);
}
END_TEST

START_TEST(listen_stale_and_live_paths)
{
	struct dir d;
	int a, b;

	make_dir(&d);
	a = pb_handoff_listen(d.sock);
	ck_assert_int_ge(a, 0);
	/* Live: someone answers there. */
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	/* Stale: the server died and left its path. */
	close(a);
	b = pb_handoff_listen(d.sock);
	ck_assert_int_ge(b, 0);
	close(b);
	/* A path that is not a socket is never removed. */
	unlink(d.sock);
	{
		int f = open(d.sock, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

		ck_assert_int_ge(f, 0);
		close(f);
	}
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(d.sock), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	remove_dir(&d);
}
END_TEST

START_TEST(give_arguments_and_timeout)
{
	struct dir d;
	const char *bad[] = { "a:b" };
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, minus = -1;
	char longpath[200];

	make_dir(&d);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 0, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, PB_HANDOFF_MAX + 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &minus, NULL, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, bad, 1, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* No successor comes. */
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 50), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(pb_handoff_listen(longpath), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(pb_handoff_take(NULL, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

/* A stranger (another uid) gets nothing. */
static int stranger(void *arg)
{
	const char *sock = arg;

	PBT_REQUIRE(setresgid(65534, 65534, 65534) == 0);
	PBT_REQUIRE(setresuid(65534, 65534, 65534) == 0);
	PBT_REQUIRE(pb_handoff_take(sock, 2000) == -1);
	return 0;
}

START_TEST(give_refuses_other_uid)
{
	struct dir d;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), ctl, st;
	pid_t pid;

	if (geteuid() != 0)
		PBT_SKIP("needs root to run a peer as another uid");
	make_dir(&d);
	ck_assert_int_eq(chmod(d.path, 0755), 0);
	ctl = pb_handoff_listen(d.sock);
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(chmod(d.sock, 0777), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(stranger(d.sock));
	errno = 0;
	ck_assert_int_eq(pb_handoff_give(ctl, &l, NULL, 1, 3000), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "stranger: %d", st);
	close(ctl);
	close(l);
	remove_dir(&d);
}
END_TEST

Suite *suite_handoff(void)
{
	Suite *s = suite_create("handoff");
	TCase *tc = tcase_create("handoff");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, handoff_keeps_queued_connection);
	tcase_add_test(tc, take_without_predecessor);
	tcase_add_test(tc, listen_stale_and_live_paths);
	tcase_add_test(tc, give_arguments_and_timeout);
	tcase_add_test(tc, give_refuses_other_uid);
	suite_add_tcase(s, tc);
	return s;
}

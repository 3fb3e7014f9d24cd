/* SPDX-License-Identifier: MIT */
/*
 * check_activate.c - socket activation as a service manager does it: the
 * parent makes the sockets, forks, the child puts them at fd 3 and on,
 * sets LISTEN_PID to its own pid and LISTEN_FDS, and execs the service
 * (this runner again, as "check_portbind activation-child").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "testutil.h"

static int cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* ---- the service side, after exec */

/*
 * After a hand-off, the server executes itself again: same pid, same
 * environment, the taken socket closed on exec.  The take left no trace
 * in the environment, so a listener the new program opens on the old
 * number is never adopted as the socket the hand-off brought.
 */
static int reexec_child(const char *want_s)
{
	int want = atoi(want_s), fd = -1, i, spare[8], nspare = 0;
	char **e;

	PBT_REQUIRE(fcntl(want, F_GETFD) == -1 && errno == EBADF);
	for (e = environ; *e; e++)
		PBT_REQUIRE(strncmp(*e, "PORTBIND_", 9) != 0);
	/* Fill the lower free numbers until a listener gets the old one. */
	for (i = 0; i < 8 && fd != want; i++) {
		fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
		PBT_REQUIRE(fd >= 0 && fd <= want);
		if (fd != want)
			spare[nspare++] = fd;
	}
	PBT_REQUIRE(fd == want);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, "127.0.0.1:0", NULL) == -1 &&
		    errno == ENOENT);
	PBT_REQUIRE(pb_listen_fd_name(want, (char[16]){0}, 16) == -1 &&
		    errno == ENOENT);
	while (nspare > 0)
		close(spare[--nspare]);
	close(fd);
	return 0;
}

int pbt_activation_child(void)
{
	const char *port_s = getenv("PBT_PORT");
	char spec[64], name[64];
	int fd, before;

	if (getenv("PBT_REEXEC_FD"))
		return reexec_child(getenv("PBT_REEXEC_FD"));

	PBT_REQUIRE(port_s != NULL);
	/* Inherited across exec, so not close-on-exec yet. */
	PBT_REQUIRE(!cloexec(3) && !cloexec(4));
	PBT_REQUIRE(pb_listen_fds(0) == 2);
	PBT_REQUIRE(cloexec(3) && cloexec(4));
	PBT_REQUIRE(pb_listen_fd_name(3, name, sizeof(name)) == 0);
	PBT_REQUIRE(strcmp(name, "web") == 0);
	PBT_REQUIRE(pb_listen_fd_name(4, name, sizeof(name)) == 0);
	PBT_REQUIRE(strcmp(name, "dns") == 0);
	/* On failure name is "" (before issue 13, review: untouched). */
	strcpy(name, "junk");
	PBT_REQUIRE(pb_listen_fd_name(4, name, 3) == -1 && errno == ENOSPC);
	PBT_REQUIRE(name[0] == '\0' && name[1] == 'u');
	strcpy(name, "junk");
	PBT_REQUIRE(pb_listen_fd_name(5, name, sizeof(name)) == -1 && errno == ENOENT);
	PBT_REQUIRE(name[0] == '\0');
	strcpy(name, "junk");
	PBT_REQUIRE(pb_listen_fd_name(-1, name, sizeof(name)) == -1 && errno == EINVAL);
	PBT_REQUIRE(name[0] == '\0');
	strcpy(name, "junk");
	PBT_REQUIRE(pb_listen_fd_name(3, name, 0) == -1 && errno == EINVAL);
	PBT_REQUIRE(name[0] == 'j');

	snprintf(spec, sizeof(spec), "127.0.0.1:%s", port_s);
	PBT_REQUIRE(pb_fd_matches(3, SOCK_STREAM, spec) == 1);
	PBT_REQUIRE(pb_fd_matches(4, SOCK_DGRAM, spec) == 1);
	PBT_REQUIRE(pb_fd_matches(3, SOCK_DGRAM, spec) == 0);
	PBT_REQUIRE(pb_fd_matches(3, SOCK_STREAM, "127.0.0.2:0") == 0);
	PBT_REQUIRE(pb_fd_matches(3, SOCK_STREAM, "127.0.0.1:0") == 1);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, NULL) == 3);
	PBT_REQUIRE(pb_adopt(SOCK_DGRAM, NULL, "dns") == 4);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "dns") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, "127.0.0.3:80", NULL) == -1 &&
		    errno == ENOENT);

	/* "Adopt if inherited, else bind": no new socket when inherited. */
	before = pbt_count_fds();
	PBT_REQUIRE(pb_listen(spec, 8, PB_ADOPT, NULL) == 3);
	PBT_REQUIRE(pb_bind_udp(spec, PB_ADOPT, NULL) == 4);
	PBT_REQUIRE(pbt_count_fds() == before);
	fd = pb_listen("127.0.0.1:0", 8, PB_ADOPT | PB_NONBLOCK, NULL);
	PBT_REQUIRE(fd == 3);
	PBT_REQUIRE(fcntl(3, F_GETFL) & O_NONBLOCK);
	fd = pb_listen("127.0.0.2:0", 8, PB_ADOPT, NULL);	/* not inherited */
	PBT_REQUIRE(fd > 4);
	close(fd);

	/* Unset: gone for everyone after. */
	PBT_REQUIRE(pb_listen_fds(1) == 2);
	PBT_REQUIRE(!getenv("LISTEN_FDS") && !getenv("LISTEN_PID") &&
		    !getenv("LISTEN_FDNAMES"));
	PBT_REQUIRE(pb_listen_fds(0) == 0);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, NULL) == -1 && errno == ENOENT);
	return 0;
}

/* ---- the manager side */

START_TEST(activation_across_exec)
{
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL);
	unsigned port = pbt_local_port(l);
	char spec[64];
	int u, st;
	pid_t pid;

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	u = pb_bind_udp(spec, 0, NULL);
	ck_assert_int_ge(u, 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char p[16], me[16], arg0[] = "check_portbind",
		     arg1[] = "activation-child";
		char *argv[] = { arg0, arg1, NULL };

		/* Move them out of the way first: l or u may be 3 or 4. */
		int a = fcntl(l, F_DUPFD, 10), b = fcntl(u, F_DUPFD, 10);

		if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0)
			_exit(90);
		snprintf(p, sizeof(p), "%u", port);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		setenv("PBT_PORT", p, 1);
		setenv("LISTEN_PID", me, 1);
		setenv("LISTEN_FDS", "2", 1);
		setenv("LISTEN_FDNAMES", "web:dns", 1);
		execv(pbt_self, argv);
		_exit(91);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "service side failed: status %d", st);
	close(u);
	close(l);
}
END_TEST

/* In a child of the test: a socket at fd 3 and the given variables. */
struct env_case {
	const char *pid;	/* NULL: unset; "self": our pid */
	const char *fds;
	int want;		/* pb_listen_fds result */
	int want_errno;
	int nofile;		/* RLIMIT_NOFILE, 0: 1024; with 5, fd 4
				   is a socket too */
	int no_rlimit;		/* getrlimit(2) fails (seccomp) */
};

#define SKIPPED 77

static const struct env_case env_cases[] = {
	{ "self", "1", 1, 0, 0, 0 },
	{ NULL, "1", 0, 0, 0, 0 },			/* no LISTEN_PID: none */
	{ "1", "1", 0, 0, 0, 0 },			/* another process's */
	{ "self", NULL, 0, 0, 0, 0 },
	{ "self", "abc", -1, EINVAL, 0, 0 },
	{ "self", "", -1, EINVAL, 0, 0 },
	{ "self", "-1", -1, EINVAL, 0, 0 },
	{ "self", "+1", -1, EINVAL, 0, 0 },
	{ "self", " 1", -1, EINVAL, 0, 0 },
	{ "self", "1x", -1, EINVAL, 0, 0 },
	{ "self", "99999999999999999999", -1, EINVAL, 0, 0 },
	{ "self", "2147483647", -1, EINVAL, 0, 0 },
	{ "self", "100000", -1, EINVAL, 0, 0 },	/* past RLIMIT_NOFILE */
	{ "self", "2", -1, EBADF, 0, 0 },		/* fd 4 is not open */
	{ "abc", "1", -1, EINVAL, 0, 0 },
	{ "0", "1", -1, EINVAL, 0, 0 },
	{ "", "1", -1, EINVAL, 0, 0 },
	/* Every bound at it and one past: LISTEN_FDS up to what the
	   process may open from fd 3 on (1024 - 3), LISTEN_PID up to
	   INT_MAX, digits '0' to '9' and not their neighbours. */
	{ "self", "1021", -1, EBADF, 0, 0 },
	{ "self", "1022", -1, EINVAL, 0, 0 },
	{ "self", "1030", -1, EINVAL, 0, 0 },
	{ "self", "10210", -1, EINVAL, 0, 0 },
	{ "self", "2", 2, 0, 5, 0 },
	/* Issue 14: a limit under 13 let a count through (max - digit
	   wrapped around): EBADF, not EINVAL; under 3, any count. */
	{ "self", "3", -1, EINVAL, 5, 0 },
	{ "self", "9", -1, EINVAL, 5, 0 },
	{ "self", "1", -1, EINVAL, 3, 0 },
	{ "self", "0", 0, 0, 3, 0 },
	{ "self", "1", -1, EINVAL, 2, 0 },
	{ "self", "0", 0, 0, 0, 0 },
	{ "self", "00", 0, 0, 0, 0 },
	{ "self", "01", 1, 0, 0, 0 },
	{ "self", "/", -1, EINVAL, 0, 0 },
	{ "self", ":", -1, EINVAL, 0, 0 },
	{ "self", "1/", -1, EINVAL, 0, 0 },
	{ "self", "1:", -1, EINVAL, 0, 0 },
	{ "2147483647", "1", 0, 0, 0, 0 },
	{ "2147483648", "1", -1, EINVAL, 0, 0 },
	{ "99999999999", "1", -1, EINVAL, 0, 0 },
	{ "00", "1", -1, EINVAL, 0, 0 },
	{ "/", "1", -1, EINVAL, 0, 0 },
	{ ":", "1", -1, EINVAL, 0, 0 },
	{ "1:", "1", -1, EINVAL, 0, 0 },
	/* Without RLIMIT_NOFILE to go by: INT_MAX - 3. */
	{ "self", "2147483644", -1, EBADF, 0, 1 },
	{ "self", "2147483645", -1, EINVAL, 0, 1 },
};

static int env_child(void *arg)
{
	const struct env_case *c = arg;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL), a, r;
	struct rlimit rl;
	char me[16];

	PBT_REQUIRE(l >= 0);
	/* The soft limit only: the hard one stays (valgrind refuses to
	   change it). */
	PBT_REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
	a = fcntl(l, F_DUPFD, 10);
	PBT_REQUIRE(a >= 0 && dup2(a, 3) == 3);
	close(4);
	if (c->nofile) {
		PBT_REQUIRE(dup2(a, 4) == 4);
		close(a);
		rl.rlim_cur = (rlim_t)c->nofile;
	}
	PBT_REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	PBT_REQUIRE(!cloexec(3));
	snprintf(me, sizeof(me), "%d", (int)getpid());
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	if (c->pid)
		setenv("LISTEN_PID", strcmp(c->pid, "self") ? c->pid : me, 1);
	if (c->fds)
		setenv("LISTEN_FDS", c->fds, 1);
	setenv("LISTEN_FDNAMES", "a:b", 1);
	if (c->no_rlimit &&
	    pbt_seccomp_errno(__NR_prlimit64, -1, EPERM) < 0)
		return SKIPPED;
	errno = 0;
	r = pb_listen_fds(1);
	if (r != c->want || (r < 0 && errno != c->want_errno)) {
		fprintf(stderr, "LISTEN_PID=%s LISTEN_FDS=%s: %d errno %d\n",
			c->pid ? c->pid : "-", c->fds ? c->fds : "-", r, errno);
		return 1;
	}
	/* Nothing adopted unless it succeeded; the variables are gone. */
	PBT_REQUIRE(cloexec(3) == (r > 0));
	if (c->nofile)
		PBT_REQUIRE(cloexec(4) == (r > 1));
	PBT_REQUIRE(!getenv("LISTEN_PID") && !getenv("LISTEN_FDS") &&
		    !getenv("LISTEN_FDNAMES"));
	return 0;
}

START_TEST(listen_fds_environment)
{
	struct env_case c = env_cases[_i];
	int st = pbt_run_in_child(env_child, &c);

	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_msg(st == 0, "case %d", _i);
}
END_TEST

/* fd moved to number at (closing what was there, and fd). */
static void put_at(int fd, int at)
{
	int tmp = fcntl(fd, F_DUPFD, 30);

	PBT_REQUIRE(tmp >= 0 && dup2(tmp, at) == at);
	close(tmp);
	if (fd != at)
		close(fd);
}

/* An activation set of three, as a service manager leaves it: a TCP
   listener on 127.0.0.1 at 3, a bound UDP socket at 4, a TCP listener
   on 127.0.0.2 at 5; the variables for this process, and their names.
   The port of 5 in *port5. */
static void activation_set(const char *names, unsigned *port5)
{
	int l = pbt_listener("127.0.0.1", 0, 0);
	int u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	int x = pbt_listener("127.0.0.2", 0, 0);
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	char me[16];

	PBT_REQUIRE(l >= 0 && u >= 0 && x >= 0);
	PBT_REQUIRE(bind(u, (struct sockaddr *)&ss, len) == 0);
	*port5 = pbt_local_port(x);
	put_at(l, 3);
	put_at(u, 4);
	put_at(x, 5);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	setenv("LISTEN_PID", me, 1);
	setenv("LISTEN_FDS", "3", 1);
	if (names)
		setenv("LISTEN_FDNAMES", names, 1);
	else
		unsetenv("LISTEN_FDNAMES");
}

/* The name of fd in a buffer of size bytes: 0 and the name, or -errno
   and "" (buf untouched only when size is 0). */
static int name_in(int fd, size_t size, char *out)
{
	char buf[64];

	memset(buf, 'j', sizeof(buf));
	errno = EDOM;
	if (pb_listen_fd_name(fd, buf, size) == 0) {
		PBT_REQUIRE(errno == EDOM);
		strcpy(out, buf);
		return 0;
	}
	PBT_REQUIRE(size == 0 ? buf[0] == 'j' : buf[0] == '\0');
	return -errno;
}

static int names_child(void *arg)
{
	char n[64];
	unsigned port5;

	(void)arg;
	activation_set("web::a:extra", &port5);
	/* A name fits with its NUL, and not a byte less. */
	PBT_REQUIRE(name_in(3, 4, n) == 0 && strcmp(n, "web") == 0);
	PBT_REQUIRE(name_in(3, 3, n) == -ENOSPC);
	PBT_REQUIRE(name_in(5, 2, n) == 0 && strcmp(n, "a") == 0);
	PBT_REQUIRE(name_in(5, 1, n) == -ENOSPC);
	PBT_REQUIRE(name_in(5, 0, n) == -EINVAL);
	/* An empty field, and one past the descriptors passed. */
	PBT_REQUIRE(name_in(4, 64, n) == -ENOENT);
	PBT_REQUIRE(name_in(6, 64, n) == -ENOENT);
	PBT_REQUIRE(name_in(2, 64, n) == -ENOENT);
	PBT_REQUIRE(name_in(0, 64, n) == -ENOENT);	/* a number, not passed */
	/* Fewer names than descriptors; none at all. */
	setenv("LISTEN_FDNAMES", "web", 1);
	PBT_REQUIRE(name_in(3, 64, n) == 0 && strcmp(n, "web") == 0);
	PBT_REQUIRE(name_in(4, 64, n) == -ENOENT);
	setenv("LISTEN_FDNAMES", ":", 1);
	PBT_REQUIRE(name_in(3, 64, n) == -ENOENT);
	PBT_REQUIRE(name_in(4, 64, n) == -ENOENT);
	unsetenv("LISTEN_FDNAMES");
	PBT_REQUIRE(name_in(3, 64, n) == -ENOENT);
	/* Meant for another process: nothing is ours. */
	setenv("LISTEN_FDNAMES", "web:dns:web", 1);
	setenv("LISTEN_PID", "1", 1);
	PBT_REQUIRE(name_in(3, 64, n) == -ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == -1 && errno == ENOENT);
	return 0;
}

START_TEST(listen_fd_name_bounds)
{
	ck_assert_int_eq(pbt_run_in_child(names_child, NULL), 0);
}
END_TEST

/* By name: the whole name, not a prefix or a longer one; by name and
   spec: both; the variables stay unless asked; errno kept on success. */
static int adopt_child(void *arg)
{
	char spec[64];
	unsigned port5;

	(void)arg;
	activation_set("web:dns:web", &port5);
	errno = EDOM;
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "we") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "webx") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_DGRAM, NULL, "web") == -1 && errno == ENOENT);
	errno = EDOM;
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == 3 && errno == EDOM);
	PBT_REQUIRE(pb_adopt(SOCK_DGRAM, NULL, "dns") == 4 && errno == EDOM);
	snprintf(spec, sizeof(spec), "127.0.0.2:%u", port5);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, "web") == 5);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, "dns") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, NULL) == 5);
	snprintf(spec, sizeof(spec), "127.0.0.2:%u", port5 == 65535 ? 1 : port5 + 1);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, spec, NULL) == -1 && errno == ENOENT);
	PBT_REQUIRE(cloexec(3) && cloexec(4) && cloexec(5));
	/* Kept, then removed, all three. */
	errno = EDOM;
	PBT_REQUIRE(pb_listen_fds(0) == 3 && errno == EDOM);
	PBT_REQUIRE(getenv("LISTEN_PID") && getenv("LISTEN_FDS") &&
		    getenv("LISTEN_FDNAMES"));
	PBT_REQUIRE(pb_listen_fds(1) == 3 && errno == EDOM);
	PBT_REQUIRE(!getenv("LISTEN_PID") && !getenv("LISTEN_FDS") &&
		    !getenv("LISTEN_FDNAMES"));
	/* A descriptor in the middle closed: none adopted. */
	activation_set("a:b:c", &port5);
	PBT_REQUIRE(fcntl(3, F_SETFD, 0) == 0 && fcntl(5, F_SETFD, 0) == 0);
	close(4);
	PBT_REQUIRE(pb_listen_fds(0) == -1 && errno == EBADF);
	PBT_REQUIRE(!cloexec(3) && !cloexec(5));
	return 0;
}

START_TEST(adopt_names_exactly)
{
	ck_assert_int_eq(pbt_run_in_child(adopt_child, NULL), 0);
}
END_TEST

enum { AK_SOCKOPT, AK_SOCKNAME, AK_FCNTL, AK_SERVER_NAME, AK_LAST = AK_SERVER_NAME };

/* What the kernel can make fail in the checks of a socket: the errno,
   never a wrong answer; an entry that could not be adopted stays. */
static int activate_fault(void *arg)
{
	const int which = *(const int *)arg;
	static struct pb_fdset set = PB_FDSET_INIT;
	unsigned port5;
	int r, e;

	activation_set("web:dns:x", &port5);
	set.n = 1;
	set.fds[0] = 3;
	strcpy(set.names[0], "web");
	if (which == AK_SOCKOPT) {
		if (pbt_seccomp_errno(__NR_getsockopt, 3, ENOBUFS) < 0)
			return SKIPPED;
		r = pb_fd_matches(3, SOCK_STREAM, "127.0.0.1:0");
	} else if (which == AK_SOCKNAME) {
		if (pbt_seccomp_errno(__NR_getsockname, 3, ENOBUFS) < 0)
			return SKIPPED;
		r = pb_fd_matches(3, SOCK_STREAM, "127.0.0.1:0");
	} else if (which == AK_FCNTL) {
		if (pbt_seccomp_errno(__NR_fcntl, 3, ENOBUFS) < 0)
			return SKIPPED;
		r = pb_adopt(SOCK_STREAM, NULL, "web");
		PBT_REQUIRE(r == -1 && errno == ENOBUFS);
		r = pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web");
		PBT_REQUIRE(set.fds[0] == 3);
	} else {
		/* A datagram socket whose address cannot be read is no
		   socket to adopt by name, and none to give. */
		if (pbt_seccomp_errno(__NR_getsockname, 4, ENOBUFS) < 0)
			return SKIPPED;
		r = pb_adopt(SOCK_DGRAM, NULL, "dns");
		PBT_REQUIRE(r == -1 && errno == ENOENT);
		r = pb_handoff_give(0, (const int[]){ 4 }, NULL, 1, 0);
	}
	e = errno;
	if (r != -1 || e != ENOBUFS) {
		fprintf(stderr, "case %d: %d, errno %d\n", which, r, e);
		return 1;
	}
	return 0;
}

START_TEST(activate_kernel_failures)
{
	int st = pbt_run_in_child(activate_fault, &_i);

	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_msg(st == 0, "case %d: %d", _i, st);
}
END_TEST

START_TEST(fd_matches_rules)
{
	int t, p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	errno = 0;
	ck_assert_int_eq(pb_fd_matches(p[0], SOCK_STREAM, "80"), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(pb_fd_matches(0, SOCK_RAW, "80"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_fd_matches(0, SOCK_STREAM, "nohost:80"), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* A bound TCP socket that does not listen is no listener. */
	t = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);

		ck_assert_int_eq(bind(t, (struct sockaddr *)&ss, len), 0);
	}
	ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, "127.0.0.1:0"), 0);
	close(t);

	/* The port: the same one, or any for port 0; another is no match,
	   not an error. */
	t = pbt_listener("127.0.0.1", 0, 0);
	{
		char spec[32];
		unsigned port = pbt_local_port(t);

		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
		ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, spec), 1);
		snprintf(spec, sizeof(spec), "127.0.0.1:%u",
			 port == 65535 ? 1024 : port + 1);
		errno = EDOM;
		ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, spec), 0);
		ck_assert_int_eq(errno, EDOM);
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port - 1);
		ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, spec), 0);
	}
	close(t);

	/* A Unix listener is no inet socket, whatever the spec. */
	t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(t, 0);
	{
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
			 "pbt-match-%d", (int)getpid());
		ck_assert_int_eq(bind(t, (struct sockaddr *)&sun, sizeof(sun)), 0);
		ck_assert_int_eq(listen(t, 1), 0);
	}
	ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, "0"), 0);
	ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, "127.0.0.1:0"), 0);
	close(t);
	/* A datagram socket is never asked to listen. */
	t = pb_bind_udp("127.0.0.1:0", 0, NULL);
	ck_assert_int_ge(t, 0);
	ck_assert_int_eq(pb_fd_matches(t, SOCK_DGRAM, "127.0.0.1:0"), 1);
	ck_assert_int_eq(pb_fd_matches(t, SOCK_STREAM, "127.0.0.1:0"), 0);
	ck_assert_int_eq(pb_fd_matches(t, SOCK_DGRAM, "127.0.0.2:0"), 0);
	close(t);
}
END_TEST

/* "*:p" on a host without IPv6 is 0.0.0.0 (the kernel refuses AF_INET6
   sockets here: seccomp). */
static int no_ipv6(void *arg)
{
	int any = pb_listen("0.0.0.0:0", 4, 0, NULL);
	int lo = pb_listen("127.0.0.1:0", 4, 0, NULL);
	int unix_l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun;
	char spec[32];

	(void)arg;
	PBT_REQUIRE(any >= 0 && lo >= 0 && unix_l >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	sun.sun_path[1] = 'a';
	sun.sun_path[6] = 'z';
	PBT_REQUIRE(bind(unix_l, (struct sockaddr *)&sun,
			 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 7)) == 0);
	PBT_REQUIRE(listen(unix_l, 1) == 0);
	if (pbt_seccomp_errno(__NR_socket, AF_INET6, EAFNOSUPPORT) < 0)
		return SKIPPED;
	snprintf(spec, sizeof(spec), "*:%u", pbt_local_port(any));
	PBT_REQUIRE(pb_fd_matches(any, SOCK_STREAM, spec) == 1);
	PBT_REQUIRE(pb_fd_matches(any, SOCK_STREAM, "*:0") == 1);
	PBT_REQUIRE(pb_fd_matches(lo, SOCK_STREAM, "*:0") == 0);
	/* A Unix listener is none, even one whose address has zeros where
	   an AF_INET one has its address (an abstract name "\0a\0\0\0\0z"). */
	PBT_REQUIRE(pb_fd_matches(unix_l, SOCK_STREAM, "*:0") == 0);
	return 0;
}

START_TEST(fd_matches_without_ipv6)
{
	int st, any = -1;

	/* With IPv6, 0.0.0.0 is not what "*" binds. */
	if (pbt_have_ipv6()) {
		any = pb_listen("0.0.0.0:0", 4, 0, NULL);
		ck_assert_int_ge(any, 0);
		ck_assert_int_eq(pb_fd_matches(any, SOCK_STREAM, "*:0"), 0);
		close(any);
	}
	st = pbt_run_in_child(no_ipv6, NULL);
	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* "*:p" is the dual-stack wildcard, "[::]:p" the IPv6-only one. */
START_TEST(fd_matches_ipv6_rules)
{
	int d, v6;

	/* Before anything is opened: a skip leaves nothing behind. */
	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	d = pb_listen("*:0", 4, 0, NULL);
	v6 = pb_listen("[::]:0", 4, 0, NULL);
	ck_assert_int_eq(pb_fd_matches(d, SOCK_STREAM, "*:0"), 1);
	ck_assert_int_eq(pb_fd_matches(d, SOCK_STREAM, "[::]:0"), 0);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "[::]:0"), 1);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "*:0"), 0);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "0.0.0.0:0"), 0);
	close(d);
	close(v6);
	/* A specific address: the same one, not another, not the other
	   family's; the dual-stack "*" is no specific address. */
	v6 = pb_listen("[::1]:0", 4, 0, NULL);
	d = pb_listen("127.0.0.1:0", 4, 0, NULL);
	ck_assert(v6 >= 0 && d >= 0);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "[::1]:0"), 1);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "[::2]:0"), 0);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "[::]:0"), 0);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "*:0"), 0);
	ck_assert_int_eq(pb_fd_matches(v6, SOCK_STREAM, "127.0.0.1:0"), 0);
	ck_assert_int_eq(pb_fd_matches(d, SOCK_STREAM, "[::1]:0"), 0);
	ck_assert_int_eq(pb_fd_matches(d, SOCK_STREAM, "[::ffff:127.0.0.1]:0"), 0);
	close(d);
	close(v6);
}
END_TEST

/*
 * pb_fdset_adopt on a set made by hand, as a take leaves it: by name, by
 * spec, each socket once; entries that are no server socket (a
 * connection, a closed number, a file) are passed over with errno as it
 * was; the set is checked; names that fill their room are not read past.
 */
START_TEST(fdset_adopt_rules)
{
	static struct pb_fdset set = PB_FDSET_INIT;
	int l = pb_listen("127.0.0.1:0", 4, 0, NULL);
	int u = pb_bind_udp("127.0.0.1:0", 0, NULL);
	int c = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int l2 = pb_listen("127.0.0.2:0", 4, 0, NULL), fd;
	char spec[64];

	ck_assert(l >= 0 && u >= 0 && c >= 0 && devnull >= 0 && l2 >= 0);
	set.n = 6;
	set.fds[0] = 999;		/* closed */
	set.fds[1] = devnull;
	set.fds[2] = c;
	set.fds[3] = l;
	set.fds[4] = u;
	set.fds[5] = l2;
	strcpy(set.names[0], "web");
	strcpy(set.names[1], "web");
	strcpy(set.names[2], "web");
	strcpy(set.names[3], "web");
	strcpy(set.names[4], "dns");
	memset(set.names[5], 'x', PB_FDNAME_MAX);	/* no NUL */

	/* Name and spec: both must match, as portbind.h says (it said the
	   name alone decided, before issue 13): "web" is l, the spec l2. */
	snprintf(spec, sizeof(spec), "127.0.0.2:%u", pbt_local_port(l2));
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, spec, "web"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(set.fds[3], l);
	/* By name: the first entry that is a server socket of the type. */
	errno = 4242;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web"), l);
	ck_assert_int_eq(errno, 4242);
	ck_assert_int_eq(set.fds[3], -1);
	ck_assert_int_eq(set.fds[2], c);	/* passed over, still there */
	/* Once only. */
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web"), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "dns"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_DGRAM, NULL, "dns"), u);
	/* By spec; a name that does not fit its room matches nothing. */
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, spec, "xxx"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, spec, NULL), l2);
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, spec, NULL), -1);
	/* Socket activation is another matter: pb_adopt and PB_ADOPT never
	   see a set. */
	ck_assert_int_eq(pb_adopt(SOCK_STREAM, NULL, "web"), -1);
	ck_assert_int_eq(errno, ENOENT);

	/* The arguments and the set are checked. */
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(NULL, SOCK_STREAM, NULL, "web"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_RAW, NULL, "web"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, "nohost:1", NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	set.n = PB_HANDOFF_MAX + 1;
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_fdset_close(&set), -1);
	ck_assert_int_eq(errno, EINVAL);
	set.n = 6;
	set.size = offsetof(struct pb_fdset, names);
	errno = 0;
	ck_assert_int_eq(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web"), -1);
	ck_assert_int_eq(errno, EINVAL);
	set.size = sizeof(set);
	errno = 0;
	ck_assert_int_eq(pb_fdset_close(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* What nobody adopted is closed with the set; the adopted stay. */
	set.fds[0] = -1;
	errno = 4242;
	ck_assert_int_eq(pb_fdset_close(&set), 0);
	ck_assert_int_eq(errno, 4242);
	ck_assert_int_eq(fcntl(devnull, F_GETFD), -1);
	ck_assert_int_eq(fcntl(c, F_GETFD), -1);
	ck_assert_int_ge(fcntl(l, F_GETFD), 0);
	ck_assert_int_ge(fcntl(u, F_GETFD), 0);
	for (fd = 0; fd < 6; fd++)
		ck_assert_int_eq(set.fds[fd], -1);
	ck_assert_int_eq(pb_fdset_close(&set), 0);	/* again: nothing */
	close(l);
	close(u);
	close(l2);
}
END_TEST

/* A set's edges: descriptor 0 is a descriptor like any other; entries
   past n are not the set's; n up to 64; sizes from 0.1.0's up. */
static int fdset_edges_child(void *arg)
{
	static struct pb_fdset set = PB_FDSET_INIT;
	int l = pbt_listener("127.0.0.1", 0, 0);
	int x = pbt_listener("127.0.0.1", 0, 0);
	unsigned i;

	(void)arg;
	PBT_REQUIRE(l >= 0 && x >= 0);
	put_at(l, 0);
	set.n = 1;
	set.fds[0] = 0;
	set.fds[1] = x;
	strcpy(set.names[0], "web");
	strcpy(set.names[1], "web");
	PBT_REQUIRE(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web") == 0);
	PBT_REQUIRE(set.fds[0] == -1);
	PBT_REQUIRE(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web") == -1 &&
		    errno == ENOENT);
	PBT_REQUIRE(set.fds[1] == x);
	set.fds[0] = 0;
	PBT_REQUIRE(pb_fdset_close(&set) == 0);
	PBT_REQUIRE(fcntl(0, F_GETFD) == -1 && set.fds[0] == -1);
	PBT_REQUIRE(fcntl(x, F_GETFD) >= 0 && set.fds[1] == x);
	/* 64 entries; a size one byte short of 0.1.0's; a larger one. */
	set.n = PB_HANDOFF_MAX;
	for (i = 0; i < PB_HANDOFF_MAX; i++)
		set.fds[i] = -1;
	set.fds[PB_HANDOFF_MAX - 1] = x;
	PBT_REQUIRE(pb_fdset_adopt(&set, SOCK_STREAM, NULL, "") == x);
	set.size = sizeof(set) - 1;
	PBT_REQUIRE(pb_fdset_close(&set) == -1 && errno == EINVAL);
	set.size = sizeof(set) + 64;
	PBT_REQUIRE(pb_fdset_close(&set) == 0);
	close(x);
	return 0;
}

START_TEST(fdset_edges)
{
	ck_assert_int_eq(pbt_run_in_child(fdset_edges_child, NULL), 0);
}
END_TEST

/* Socket activation by name alone: a socket at the number that neither
   listens (stream) nor is bound (datagram) is not adopted. */
static int unbound_child(void *arg)
{
	int s = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	int d = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	char me[16];

	(void)arg;
	PBT_REQUIRE(s >= 0 && d >= 0);
	PBT_REQUIRE(dup2(s, 3) == 3 && dup2(d, 4) == 4);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	setenv("LISTEN_PID", me, 1);
	setenv("LISTEN_FDS", "2", 1);
	setenv("LISTEN_FDNAMES", "web:dns", 1);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == -1 && errno == ENOENT);
	PBT_REQUIRE(pb_adopt(SOCK_DGRAM, NULL, "dns") == -1 && errno == ENOENT);
	PBT_REQUIRE(listen(3, 4) == 0);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == 3);

	/* A Unix listener at the number (a program's own control socket
	   after a re-exec) is not an inherited port. */
	{
		struct sockaddr_un sun;
		int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		PBT_REQUIRE(u >= 0);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		/* Abstract: nothing left in the file system. */
		snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
			 "pbt-adopt-%d", (int)getpid());
		PBT_REQUIRE(bind(u, (struct sockaddr *)&sun,
				 (socklen_t)sizeof(sun)) == 0);
		PBT_REQUIRE(listen(u, 4) == 0);
		PBT_REQUIRE(dup2(u, 3) == 3);
		close(u);
		PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == -1 &&
			    errno == ENOENT);
	}
	return 0;
}

/* A descriptor of the name that is no server socket is passed over,
   and the next one of that name is adopted: the search goes on. */
static int passed_over_child(void *arg)
{
	int s = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	int l = pbt_listener("127.0.0.1", 0, 0);
	int u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	char me[16];

	(void)arg;
	PBT_REQUIRE(s >= 0 && l >= 0 && u >= 0);
	put_at(s, 3);
	put_at(u, 4);
	put_at(l, 5);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	setenv("LISTEN_PID", me, 1);
	setenv("LISTEN_FDS", "3", 1);
	setenv("LISTEN_FDNAMES", "web:web:web", 1);
	PBT_REQUIRE(pb_adopt(SOCK_STREAM, NULL, "web") == 5);
	PBT_REQUIRE(pb_adopt(SOCK_DGRAM, NULL, "web") == -1 && errno == ENOENT);
	return 0;
}

START_TEST(adopt_by_name_needs_a_server_socket)
{
	ck_assert_int_eq(pbt_run_in_child(unbound_child, NULL), 0);
	ck_assert_int_eq(pbt_run_in_child(passed_over_child, NULL), 0);
}
END_TEST

START_TEST(adopt_after_reexec)
{
	static struct pb_fdset set = PB_FDSET_INIT;
	char dir[] = "/tmp/pbt-reexec.XXXXXX", path[64], num[16];
	const char *const names[] = { "web" };
	int l = pb_listen("127.0.0.1:0", 8, 0, NULL), ctl, st;
	pid_t pid;

	ck_assert_int_ge(l, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	ctl = pb_handoff_listen(path);
	ck_assert_int_ge(ctl, 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char arg0[] = "check_portbind", arg1[] = "activation-child";
		char *argv[] = { arg0, arg1, NULL };
		int fd;

		close(ctl);
		close(l);
		if (pb_handoff_take(path, 5000, &set) != 1)
			_exit(80);
		/* Only the set has it. */
		if (pb_adopt(SOCK_STREAM, NULL, "web") != -1 || errno != ENOENT)
			_exit(83);
		fd = pb_fdset_adopt(&set, SOCK_STREAM, NULL, "web");
		if (fd < 0)
			_exit(81);
		snprintf(num, sizeof(num), "%d", fd);
		setenv("PBT_REEXEC_FD", num, 1);
		execv(pbt_self, argv);
		_exit(82);
	}
	ck_assert_int_eq(pb_handoff_give(ctl, &l, names, 1, 5000), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "re-executed side failed: status %d", st);
	close(ctl);
	close(l);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(adopt_arguments)
{
	errno = 0;
	ck_assert_int_eq(pb_adopt(SOCK_STREAM, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_adopt(SOCK_RAW, "80", NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_listen_fd_name(-1, (char[8]){0}, 8), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *suite_activate(void)
{
	Suite *s = suite_create("activate");
	TCase *tc = tcase_create("listen_fds");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, activation_across_exec);
	tcase_add_loop_test(tc, listen_fds_environment, 0,
			    (int)(sizeof(env_cases) / sizeof(env_cases[0])));
	tcase_add_test(tc, fd_matches_rules);
	tcase_add_test(tc, fd_matches_ipv6_rules);
	tcase_add_test(tc, fd_matches_without_ipv6);
	tcase_add_test(tc, adopt_arguments);
	tcase_add_test(tc, fdset_adopt_rules);
	tcase_add_test(tc, fdset_edges);
	tcase_add_test(tc, adopt_after_reexec);
	tcase_add_test(tc, adopt_by_name_needs_a_server_socket);
	tcase_add_test(tc, listen_fd_name_bounds);
	tcase_add_test(tc, adopt_names_exactly);
	tcase_add_loop_test(tc, activate_kernel_failures, 0, AK_LAST + 1);
	suite_add_tcase(s, tc);
	return s;
}

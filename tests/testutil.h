/* SPDX-License-Identifier: MIT */
/* testutil.h - fixtures shared by the suites: real sockets on loopback. */
#ifndef PB_TESTUTIL_H
#define PB_TESTUTIL_H

#include <check.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <unistd.h>

#include "portbind.h"

/* Suites, one per lib/ file. */
Suite *suite_version(void);
Suite *suite_addr(void);
Suite *suite_opt(void);
Suite *suite_bind(void);
Suite *suite_diag(void);
Suite *suite_sockdiag(void);
Suite *suite_procnet(void);
Suite *suite_format(void);
Suite *suite_client(void);
Suite *suite_sysctl(void);
Suite *suite_activate(void);
Suite *suite_handoff(void);
Suite *suite_hostile(void);
Suite *suite_degraded(void);
Suite *suite_threads(void);
Suite *suite_stack(void);
Suite *suite_dualstack(void);
Suite *suite_oracle(void);
/* The runner's count of skips (check_skips.c), and the suite of known
   outcomes it runs, as "check_portbind skip-selftest". */
Suite *suite_skips(void);
int pbt_skip_selftest(void);
Suite *suite_abi(void);
Suite *suite_owner(void);
Suite *suite_text(void);
Suite *suite_probe(void);
Suite *suite_audit(void);
Suite *suite_netns(void);
/* The exec'd side of check_audit.c's socket-activated service
   ("check_portbind hold"): keeps its descriptors until killed. */
int pbt_hold_child(void);

/* The service side of the activation test, run after exec; the runner's
   own path to exec (not /proc/self/exe: under valgrind that is valgrind). */
int pbt_activation_child(void);
extern char pbt_self[4096];

/* Checked fixture: every test must leave as many descriptors open as it
   found.  Add with tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown). */
void pbt_fd_setup(void);
void pbt_fd_teardown(void);
int pbt_count_fds(void);

/* Check has no "skipped" result: a test that returns passes.  A skip is
   therefore recorded apart, in a shared page that the forked test
   processes write (pbt_skip) and the runner reads after the run
   (pbt_skips_report), which counts a recorded skip whose test otherwise
   passed as skipped, never as passed.  PBT_SKIP prints "<test>: skipped:
   <reason>", records it and returns from the test; a caller of pbt_skip
   must return right after it too, and must skip before it opens
   anything (the fd fixture still checks a skipped test). */
#define PBT_SKIP(...) do { pbt_skip(__func__, __VA_ARGS__); return; } while (0)
void pbt_skip(const char *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Before srunner_run_all: make the shared record of skips for sr's run.
   0, or -1 when it cannot be made (then nothing can run honestly). */
int pbt_skips_begin(SRunner *sr);
/* After the run: print each skip with its reason, then (the last line)
   "N checks: P passed, F failed, S skipped"; returns F (Check's failures and errors, plus any
   skip recorded outside a test). */
int pbt_skips_report(SRunner *sr);
/* The same count without the summary line: into *t, and each skip's
   line (and any stray skip's) written to lines when it is not NULL.
   check_main.c adds up its parallel workers' counts so. */
struct pbt_tally {
	int checks, passed, failed, skipped;
};
void pbt_skips_tally(SRunner *sr, struct pbt_tally *t, FILE *lines);
/* The summary line of a tally, to stdout. */
void pbt_tally_print(const struct pbt_tally *t);

/* ---- isolation and sharding (check_main.c)
 *
 * Every TCase is made by pbt_tcase_create (tcase_create is this macro in
 * every suite), which adds the runner's isolation fixture first: in fork
 * mode, as root, each test then runs in a fresh network namespace with lo
 * up, before pbt_fd_setup counts its descriptors.  Tests are added through
 * pbt_tcase_add_test, which lets a parallel worker of the runner keep
 * every Kth test of a suite only (a shard). */
TCase *pbt_tcase_create(const char *name);
void pbt_tcase_add_test(TCase *tc, const TTest *ttest, int signal,
			int allowed_exit_value, int start, int end);
#define tcase_create(name) pbt_tcase_create(name)
#define _tcase_add_test pbt_tcase_add_test

int pbt_have_ipv6(void);
int pbt_kernel_at_least(int major, int minor);
/* A TCP port nothing holds on any IPv4 or IPv6 address, TIME_WAIT
   included (earlier tests leave some): a test that then binds other
   families or addresses on it meets only its own sockets. */
unsigned pbt_free_port(void);

/* Fill a sockaddr for a numeric address and port. */
socklen_t pbt_addr(struct sockaddr_storage *ss, const char *ip, unsigned port);
unsigned pbt_local_port(int fd);
int pbt_getopt(int fd, int level, int name);
void pbt_assert_cloexec(int fd);

/* A socket of the family of ip, SOCK_CLOEXEC, optional SO_REUSEADDR. */
int pbt_socket(const char *ip, int type, int reuseaddr);
/* Bind (and listen when backlog >= 0) a fresh TCP socket; port 0 picks. */
int pbt_listener(const char *ip, unsigned port, int reuseaddr);

/* Leave the server side of a connection to ip:port in TIME_WAIT: connect,
   accept, the server closes first, the client reads EOF and closes.  The
   listener lfd stays open.  Returns 0, or -1 on a setup failure. */
int pbt_make_time_wait(int lfd, const char *ip, unsigned port);

/* A connected pair over the listener lfd: *client and *server. */
void pbt_connect_pair(int lfd, const char *ip, unsigned port, int *client,
		      int *server);



/* ---- private network namespaces, in a forked child */

/* In a child: print where and why, and fail the child. */
#define PBT_REQUIRE(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
	_exit(1); } } while (0)
/* The same with what was measured: PBT_REQUIRE_MSG(t < 10000, "took %ld
   ms", t) prints "file:line: failed: t < 10000: took 12003 ms". */
#define PBT_REQUIRE_MSG(cond, ...) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: failed: %s: ", __FILE__, __LINE__, #cond); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	_exit(1); } } while (0)

/* Fork; in the child enter a new network namespace with lo up and run
   fn(arg), whose return is the child's exit status.  The parent reaps it.
   Returns the status, or -1 with *reason set when a namespace cannot be
   made here (not root, unshare refused): the caller reports a skip. */
int pbt_run_in_netns(int (*fn)(void *), void *arg, const char **reason);
/* The whole of most namespace tests: run fn(arg) there, pass when it
   returns 0, skip with the reason where no namespace can be made. */
#define PBT_IN_NETNS(fn, arg) do { \
	const char *pbt_why_; \
	int pbt_st_ = pbt_run_in_netns((fn), (arg), &pbt_why_); \
	if (pbt_st_ < 0) \
		PBT_SKIP("%s", pbt_why_); \
	ck_assert_int_eq(pbt_st_, 0); \
} while (0)
/* Bring lo up in the current network namespace: 0 or -1. */
int pbt_lo_up(void);
/* Write a sysctl inside the child's namespace ("net/ipv4/..."): 0 or -1. */
int pbt_write_sysctl(const char *path, const char *value);
/* Fork a child that runs fn(arg) and reap it; its exit status. */
/* fn(arg) in a forked child, whose exit status is fn's result. */
pid_t pbt_fork_child(int (*fn)(void *), void *arg);
int pbt_run_in_child(int (*fn)(void *), void *arg);

/* Fault injection by the kernel itself: from now on, system call nr
   fails with err in this process (and its children, for good), when the
   low 32 bits of its first argument equal arg0, or for any argument when
   arg0 is -1.  Filters stack: call it once a system call.  It cannot be
   undone, so call it only in a forked child (pbt_run_in_child,
   pbt_run_in_netns).  0, or -1 where seccomp filters cannot be installed
   (another architecture, a kernel without them, a memory or signal-mask
   call under valgrind): the caller skips. */
int pbt_seccomp_errno(long nr, long arg0, int err);

/* In a forked child: a private mount namespace with an empty tmpfs on
   mnt and the directories dirs (full paths, NULL-terminated; dirs may be
   NULL) made in it, then fn(arg).  Its status, or -1 with *why set when
   that cannot be made here (not root, mount refused): the caller skips. */
int pbt_run_on_tmpfs(const char *mnt, const char *const *dirs,
		     int (*fn)(void *), void *arg, const char **why);

/* Why mmap cannot be refused to this process (a sanitizer's or
   valgrind's own allocator needs it): a reason to skip, or NULL. */
const char *pbt_mmap_needed(void);

/* Why the signal mask cannot be refused to this process (with
   rt_sigprocmask failing, ThreadSanitizer's runtime aborts when a
   signal arrives, valgrind at once): a reason to skip, or NULL. */
const char *pbt_sigmask_needed(void);

/* Whether this process runs under valgrind (it preloads vgpreload_*):
   no seccomp filter on its memory calls, and the kernel never sees an
   RLIMIT_NOFILE set there. */
int pbt_under_valgrind(void);

/* Why pidfd_open(2) and pidfd_getfd(2) cannot be used here (a kernel
   before 5.6, a process without CAP_SYS_PTRACE over itself, valgrind
   3.19, which lacks both), the library's way to read another process's
   IPV6_V6ONLY: a reason to skip, or NULL. */
const char *pbt_pidfd_missing(void);
#endif

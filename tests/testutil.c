/* SPDX-License-Identifier: MIT */
/* testutil.c - fixtures shared by the suites. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "testutil.h"

static int fds_at_start;
char pbt_self[4096];

int pbt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	/* No ck_assert here: also used in children that run no test. */
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

void pbt_fd_setup(void)
{
	fds_at_start = pbt_count_fds();
}

void pbt_fd_teardown(void)
{
	ck_assert_msg(pbt_count_fds() == fds_at_start,
		      "descriptor leak: %d open, %d at start", pbt_count_fds(),
		      fds_at_start);
}

/* ---- skips
 *
 * Check knows pass, failure and error only.  A skip is recorded here, in
 * a page mapped MAP_SHARED before the run: in fork mode each test is a
 * child of the runner and writes its record where the runner reads it
 * after the run; with CK_FORK=no it is the same process.  A record names
 * its test by the index its result will have in srunner_results(): the
 * runner adds one result per test, in order, so while a test runs that
 * index is the number of results so far.
 */
#define SKIPS_MAX 1024

struct skip_rec {
	int result;
	char test[64];
	char reason[184];
};

struct skip_table {
	int n;				/* records made; above SKIPS_MAX some were lost */
	struct skip_rec rec[SKIPS_MAX];
};

static struct skip_table *skips;
static SRunner *skips_runner;

/* START_TEST(x) makes a function x_fn: its test is called x. */
static void test_name(char *dst, size_t size, const char *func)
{
	size_t n = strlen(func);

	if (n > 3 && strcmp(func + n - 3, "_fn") == 0)
		n -= 3;
	snprintf(dst, size, "%.*s", (int)n, func);
}

static const struct skip_rec *skip_for(int result)
{
	int i, n = skips ? skips->n : 0;

	for (i = 0; i < n && i < SKIPS_MAX; i++)
		if (skips->rec[i].result == result)
			return &skips->rec[i];
	return NULL;
}

void pbt_skip(const char *test, const char *fmt, ...)
{
	char name[sizeof(((struct skip_rec *)0)->test)];
	char reason[sizeof(((struct skip_rec *)0)->reason)];
	struct skip_rec *r;
	va_list ap;
	int at, i;

	test_name(name, sizeof(name), test);
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: skipped: %s\n", name, reason);
	if (!skips)
		return;			/* not under the runner (a re-executed child) */
	at = srunner_ntests_run(skips_runner);
	if (skip_for(at))
		return;			/* one record per test: its first reason */
	i = __atomic_fetch_add(&skips->n, 1, __ATOMIC_SEQ_CST);
	if (i >= SKIPS_MAX)
		return;			/* counted as lost by pbt_skips_report */
	r = &skips->rec[i];
	snprintf(r->test, sizeof(r->test), "%s", name);
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	__atomic_store_n(&r->result, at, __ATOMIC_SEQ_CST);
}

int pbt_skips_begin(SRunner *sr)
{
	void *p = mmap(NULL, sizeof(*skips), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return -1;
	skips = p;		/* zeroed; kept to the end of the process */
	for (i = 0; i < SKIPS_MAX; i++)
		skips->rec[i].result = -1;
	skips_runner = sr;
	return 0;
}

/* Loop tests run their iterations one after the other: a skip of every
   iteration for the same reason is shown once, with the count. */
static int same_skip(const struct skip_rec *a, const struct skip_rec *b)
{
	return a && b && strcmp(a->test, b->test) == 0 &&
	       strcmp(a->reason, b->reason) == 0;
}

void pbt_skips_tally(SRunner *sr, struct pbt_tally *t, FILE *lines)
{
	TestResult **res = srunner_results(sr);
	int n = srunner_ntests_run(sr), made = skips ? skips->n : 0;
	int stray = 0, i, run;
	const struct skip_rec *r;

	memset(t, 0, sizeof(*t));
	t->checks = n;
	for (i = 0; i < n; i++) {
		if (tr_rtype(res[i]) != CK_PASS)
			t->failed++;
		else if (skip_for(i))
			t->skipped++;
		else
			t->passed++;
	}
	for (i = 0; i < made && i < SKIPS_MAX; i++)
		if (skips->rec[i].result < 0 || skips->rec[i].result >= n)
			stray++;
	if (made > SKIPS_MAX)
		stray += made - SKIPS_MAX;
	t->failed += stray;
	for (i = 0; lines && i < n; i += run) {
		r = skip_for(i);
		for (run = 1; i + run < n && same_skip(r, skip_for(i + run)) &&
		     tr_rtype(res[i + run]) == tr_rtype(res[i]); run++)
			;
		if (!r)
			continue;
		fprintf(lines, "  %s: %s/%s", tr_rtype(res[i]) == CK_PASS ?
			"skipped" : "FAILED after its skip", tr_tcname(res[i]),
			r->test);
		if (run > 1)
			fprintf(lines, " (%d iterations)", run);
		fprintf(lines, ": %s\n", r->reason);
	}
	if (stray && lines)
		fprintf(lines, "  FAILED: %d skip%s recorded outside any test or "
			"lost (more than %d)\n", stray, stray == 1 ? "" : "s",
			SKIPS_MAX);
	free(res);
}

void pbt_tally_print(const struct pbt_tally *t)
{
	printf("%d checks: %d passed, %d failed, %d skipped "
	       "(Check's count above takes a skipped check for a pass; this "
	       "count is the result)\n", t->checks, t->passed, t->failed,
	       t->skipped);
}

int pbt_skips_report(SRunner *sr)
{
	struct pbt_tally t;

	/* The skips first: the count is the last line. */
	pbt_skips_tally(sr, &t, stdout);
	fflush(stdout);
	pbt_tally_print(&t);
	return t.failed;
}

int pbt_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 0;
	return a > major || (a == major && b >= minor);
}

/* bind(wildcard, 0) picks a port free for every address of the family,
   TIME_WAIT sockets included; the other family is then checked. */
unsigned pbt_free_port(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned port = 0;
	int i, fd, ok, on = 1;

	for (i = 0; i < 50; i++) {
		fd = pbt_socket("0.0.0.0", SOCK_STREAM, 0);
		len = pbt_addr(&ss, "0.0.0.0", 0);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
		port = pbt_local_port(fd);
		close(fd);
		if (!pbt_have_ipv6())
			return port;
		fd = pbt_socket("::", SOCK_STREAM, 0);
		ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
					    sizeof(on)), 0);
		len = pbt_addr(&ss, "::", port);
		ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
		close(fd);
		if (ok)
			return port;
	}
	ck_abort_msg("no port free in both families after 50 tries");
	return 0;
}

int pbt_have_ipv6(void)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "::1", 0);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok;

	if (fd < 0)
		return 0;
	ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return ok;
}

socklen_t pbt_addr(struct sockaddr_storage *ss, const char *ip, unsigned port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		return sizeof(*s4);
	}
}

unsigned pbt_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int pbt_getopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

void pbt_assert_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	ck_assert_int_ge(fl, 0);
	ck_assert_msg(fl & FD_CLOEXEC, "fd %d lacks FD_CLOEXEC", fd);
}

int pbt_socket(const char *ip, int type, int reuseaddr)
{
	int fd = socket(strchr(ip, ':') ? AF_INET6 : AF_INET,
			type | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	if (reuseaddr)
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR,
					    &reuseaddr, sizeof(reuseaddr)), 0);
	return fd;
}

int pbt_listener(const char *ip, unsigned port, int reuseaddr)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);
	int fd = pbt_socket(ip, SOCK_STREAM, reuseaddr);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(listen(fd, 64), 0);
	return fd;
}

void pbt_connect_pair(int lfd, const char *ip, unsigned port, int *client,
		      int *server)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, ip, port);

	*client = pbt_socket(ip, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(*client, (struct sockaddr *)&ss, len), 0);
	*server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(*server, 0);
}

/* Wait (bounded) until fd is readable; 1 when it is. */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

int pbt_make_time_wait(int lfd, const char *ip, unsigned port)
{
	int c, s;
	char b;

	pbt_connect_pair(lfd, ip, port, &c, &s);
	/* The side that closes first goes to TIME_WAIT: make it the server. */
	close(s);
	ck_assert_msg(wait_readable(c, 10000), "no FIN from server");
	ck_assert_int_eq(read(c, &b, 1), 0);
	close(c);
	return 0;
}

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

int pbt_lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r;
}

int pbt_write_sysctl(const char *path, const char *value)
{
	char full[256];
	FILE *f;
	int r;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	f = fopen(full, "we");
	if (!f)
		return -1;
	r = fputs(value, f) < 0;
	r |= fclose(f) != 0;
	return r ? -1 : 0;
}

static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -2;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

#define NETNS_SKIP 77

int pbt_run_in_netns(int (*fn)(void *), void *arg, const char **reason)
{
	pid_t pid;
	int st;

	*reason = NULL;
	if (geteuid() != 0) {
		*reason = "needs root for a private network namespace";
		return -1;
	}
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(NETNS_SKIP);
		if (pbt_lo_up() < 0)
			_exit(NETNS_SKIP);
		_exit(fn(arg));
	}
	st = reap(pid);
	if (st == NETNS_SKIP) {
		*reason = "unshare(CLONE_NEWNET) refused here";
		return -1;
	}
	return st;
}

int pbt_run_on_tmpfs(const char *mnt, const char *const *dirs,
		     int (*fn)(void *), void *arg, const char **why)
{
	static char reason[160];
	pid_t pid;
	int st;

	*why = NULL;
	if (geteuid() != 0) {
		*why = "needs root for a private mount namespace";
		return -1;
	}
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    /* Strings, not NULL, where they are ignored:
		       valgrind reads them. */
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("pbt", mnt, "tmpfs", 0, "mode=0755") < 0)
			_exit(NETNS_SKIP);
		for (; dirs && *dirs; dirs++)
			if (mkdir(*dirs, 0755) < 0)
				_exit(NETNS_SKIP);
		_exit(fn(arg));
	}
	st = reap(pid);
	if (st == NETNS_SKIP) {
		snprintf(reason, sizeof(reason),
			 "cannot mount a tmpfs on %s in a mount namespace", mnt);
		*why = reason;
		return -1;
	}
	return st;
}

pid_t pbt_fork_child(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

int pbt_run_in_child(int (*fn)(void *), void *arg)
{
	return reap(pbt_fork_child(fn, arg));
}

#if defined(__x86_64__)
# define PBT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define PBT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

int pbt_under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");

	/* valgrind preloads its own objects into the program it runs. */
	return pre && strstr(pre, "vgpreload") != NULL;
}

/* The memory and signal-mask calls valgrind makes for itself, and the
   resource-limit ones it answers itself (RLIMIT_NOFILE, RLIMIT_DATA). */
static int valgrinds_own_call(long nr)
{
	static const long own[] = {
#ifdef SYS_prlimit64
		SYS_prlimit64,
#endif
#ifdef SYS_getrlimit
		SYS_getrlimit,
#endif
#ifdef SYS_mmap
		SYS_mmap,
#endif
#ifdef SYS_mmap2
		SYS_mmap2,
#endif
		SYS_munmap, SYS_mprotect, SYS_mremap, SYS_brk,
		SYS_rt_sigprocmask,
	};
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i] == nr)
			return 1;
	return 0;
}

int pbt_seccomp_errno(long nr, long arg0, int err)
{
	/* Under valgrind the program's memory and resource-limit calls
	   are valgrind's own (it answers them itself or makes them for its
	   own memory), and it aborts when its rt_sigprocmask fails: no
	   filter on those there.  Any other call is the program's. */
	if (pbt_under_valgrind() && valgrinds_own_call(nr)) {
		fprintf(stderr, "testutil: no seccomp filter on system call %ld"
			" under valgrind (its own)\n", nr);
		return -1;
	}
#ifdef PBT_AUDIT_ARCH
	unsigned ret = SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PBT_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 4),
		/* Any argument: straight to the error. */
		BPF_STMT(BPF_JMP | BPF_JA, arg0 < 0 ? 2u : 0u),
		/* The low half of args[0] (little-endian). */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)arg0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return 0;
#else
	(void)nr;
	(void)arg0;
	(void)err;
	return -1;
#endif
}

const char *pbt_mmap_needed(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	return "a sanitizer's allocator needs mmap";
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
     __has_feature(memory_sanitizer)
	return "a sanitizer's allocator needs mmap";
# endif
#endif
	if (pbt_under_valgrind())
		return "valgrind needs mmap";
	return NULL;
}

const char *pbt_sigmask_needed(void)
{
#if defined(__SANITIZE_THREAD__)
	return "ThreadSanitizer's runtime needs rt_sigprocmask";
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
	return "ThreadSanitizer's runtime needs rt_sigprocmask";
# endif
#endif
	/* valgrind asserts when its own rt_sigprocmask fails. */
	if (pbt_under_valgrind())
		return "valgrind needs rt_sigprocmask";
	return NULL;
}

const char *pbt_pidfd_missing(void)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	int saved = errno;
	long fd = syscall(SYS_pidfd_open, (long)getpid(), 0L), dup = -1;

	/* Both calls: pidfd_getfd may be refused where pidfd_open is not
	   (no CAP_SYS_PTRACE over the process, an old sandbox). */
	if (fd >= 0) {
		dup = syscall(SYS_pidfd_getfd, fd, fd, 0L);
		if (dup >= 0)
			close((int)dup);
		close((int)fd);
	}
	errno = saved;
	if (dup >= 0)
		return NULL;
#endif
	return pbt_under_valgrind() ? "pidfd_open(2) or pidfd_getfd(2) is missing under valgrind"
				    : "pidfd_open(2) or pidfd_getfd(2) is missing here";
}

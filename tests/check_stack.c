/* SPDX-License-Identifier: MIT */
/*
 * check_stack.c - every path of the library in a thread whose stack is
 * PTHREAD_STACK_MIN (16 KiB on x86_64), the failing ones above all: they
 * read the socket table, walk /proc and format text.
 *
 * The stack is ours (pthread_attr_setstack) with 256 KiB of PROT_NONE
 * below it, so an overflow faults (the test dies on SIGSEGV: a failure)
 * instead of writing into whatever lies below.  (glibc ignores the guard
 * size for a stack the caller gives, so the guard is mapped here; the
 * thread's TLS and descriptor take the top of the 16 KiB, as they do in
 * a stack glibc allocates.)  The stack is painted
 * before the thread starts; afterwards the lowest byte no longer painted
 * tells how deep the call went, and the project's budget (no path over
 * 8 KiB, portbind(3)) is checked from the library call down.
 *
 * The thread only calls and records; the checks run in the test's own
 * thread (Check's failure path needs more stack than 16 KiB).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "testutil.h"
#include "diag.h"
#include "internal.h"

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define PBT_UNDER_VALGRIND() RUNNING_ON_VALGRIND
# endif
#endif
#ifndef PBT_UNDER_VALGRIND
/* valgrind preloads its own objects into the program it runs. */
# define PBT_UNDER_VALGRIND() \
	(getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload"))
#endif

/* Sanitizers keep shadow frames and redzones on the stack: 16 KiB is far
   too little for an instrumented program, with or without the library. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
# define PBT_SANITIZED "built with AddressSanitizer or ThreadSanitizer"
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
     __has_feature(memory_sanitizer)
#  define PBT_SANITIZED "built with a sanitizer that needs large stacks"
# endif
#endif

#ifndef PBT_SANITIZED

#define GUARD_BYTES (256 * 1024)
#define PAINT 0xa5
/* The budget named in portbind(3): no path of the library over 8 KiB. */
#define PATH_BUDGET 8192

struct job {
	void (*body)(struct job *);
	/* in */
	char spec[80];
	unsigned flags;
	int type, err_in;
	struct sockaddr_storage a, b;
	socklen_t alen, blen;
	/* out */
	int r, err;
	struct pb_diag d;
	char text[1024];
	int text_len;
	uintptr_t call_sp;	/* the body's stack pointer at the call */
	size_t used;		/* bytes of stack below call_sp touched */
	int measured;
};

/* The caller's stack pointer, near enough: a frame of its own. */
__attribute__((noinline)) static uintptr_t stack_here(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

static void *entry(void *arg)
{
	struct job *j = arg;

	j->body(j);
	return NULL;
}

/*
 * Run j->body in a thread with a PTHREAD_STACK_MIN stack over a large
 * guard; measure how deep it went, and check it against the budget.
 */
/* PTHREAD_STACK_MIN bytes of painted stack over GUARD_BYTES of PROT_NONE:
   the lowest usable byte; *map_out for munmap (map_size bytes). */
static uint8_t *small_stack(uint8_t **map_out, size_t *map_size)
{
	size_t stack = PTHREAD_STACK_MIN, total = GUARD_BYTES + stack;
	uint8_t *map, *lo;

	/* Enough for the library, and what a careful program may choose. */
	ck_assert_uint_le(stack, 64 * 1024);
	map = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	lo = map + GUARD_BYTES;
	ck_assert_int_eq(mprotect(lo, stack, PROT_READ | PROT_WRITE), 0);
	memset(lo, PAINT, stack);
	*map_out = map;
	*map_size = total;
	return lo;
}

/* How deep j's library call went into the painted stack at lo; checked
   against the budget.  Not under valgrind: a dead thread's stack is not
   the program's to read there. */
static void measure(struct job *j, const uint8_t *lo, uint8_t *map,
		    size_t map_size, const char *test)
{
	size_t i, stack = PTHREAD_STACK_MIN;

	if (!PBT_UNDER_VALGRIND() && j->call_sp) {
		for (i = 0; i < stack && lo[i] == PAINT; i++)
			;
		ck_assert_msg(i > 0, "the stack was used to its last byte");
		ck_assert_uint_gt(j->call_sp, (uintptr_t)(lo + i));
		j->used = j->call_sp - (uintptr_t)(lo + i);
		j->measured = 1;
	}
	munmap(map, map_size);
	/* PBT_STACK_REPORT=1: how deep each path went. */
	if (j->measured && getenv("PBT_STACK_REPORT"))
		fprintf(stderr, "%s: %zu bytes of stack\n", test, j->used);
	if (j->measured)
		ck_assert_msg(j->used <= PATH_BUDGET,
			      "the library used %zu bytes of stack (budget %d)",
			      j->used, PATH_BUDGET);
}

/*
 * Run j->body in a thread with a PTHREAD_STACK_MIN stack over a large
 * guard; measure how deep it went, and check it against the budget.
 */
static void run_small(struct job *j, const char *test)
{
	pthread_attr_t attr;
	pthread_t t;
	uint8_t *map;
	size_t map_size;
	uint8_t *lo = small_stack(&map, &map_size);

	ck_assert_int_eq(pthread_attr_init(&attr), 0);
	ck_assert_int_eq(pthread_attr_setstack(&attr, lo, PTHREAD_STACK_MIN), 0);
	ck_assert_int_eq(pthread_create(&t, &attr, entry, j), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
	measure(j, lo, map, map_size, test);
}

#define RUN_SMALL(j) run_small((j), __func__)

static void spec_of(struct job *j, const char *host, unsigned port)
{
	snprintf(j->spec, sizeof(j->spec), strchr(host, ':') ? "[%s]:%u" : "%s:%u",
		 host, port);
}

/* ---- the bodies: what runs on the small stack */

/* The diagnosis the caller gets lives in the caller's frame, as a
   program's would: 2.8 KiB of the 16. */
static void body_listen(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	why.flags = j->flags;
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_listen(j->spec, 4, 0, &why);
	j->err = errno;
	j->d = why;
}

static void body_bind_udp(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	why.flags = j->flags;
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_bind_udp(j->spec, 0, &why);
	j->err = errno;
	j->d = why;
}

static void body_diagnose(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	why.flags = j->flags;
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_diagnose(j->type, (struct sockaddr *)&j->a, j->alen,
			   j->err_in, &why);
	j->err = errno;
	j->d = why;
}

/* No out: the library finds room for its own struct. */
static void body_diagnose_no_out(struct job *j)
{
	j->call_sp = stack_here();
	j->r = pb_diagnose(j->type, (struct sockaddr *)&j->a, j->alen,
			   j->err_in, NULL);
}

/* What the LD_PRELOAD shim calls on a failing bind(). */
static void body_shim_diagnose(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	why.flags = PB_DIAG_OWNERS | PB_DIAG_NO_PROCNET;
	j->call_sp = stack_here();
	j->r = pb__diagnose(j->type, (struct sockaddr *)&j->a, j->alen, -1,
			    j->err_in, &why);
	j->d = why;
}

static void body_listen_wait(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	why.flags = j->flags;
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_listen_wait(j->spec, 4, 0, 200, &why);
	j->err = errno;
	j->d = why;
}

static void body_connect_from(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	why.flags = j->flags;
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_connect_from(SOCK_STREAM, (struct sockaddr *)&j->a, j->alen,
			       (struct sockaddr *)&j->b, j->blen, 0, &why);
	j->err = errno;
	j->d = why;
}

/* pb_connect_from's diagnosis when no source port was left: the sockets
   towards the destination are counted (budget.c). */
static void body_diagnose_exhausted(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;

	j->call_sp = stack_here();
	j->r = pb__diagnose_connect(SOCK_STREAM, NULL,
				    (struct sockaddr *)&j->b, EADDRNOTAVAIL,
				    PB__AT_CONNECT, 0, 0, &why);
	j->d = why;
}

static void body_port_budget(struct job *j)
{
	struct pb_budget b = PB_BUDGET_INIT;

	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_port_budget(NULL, 0, (struct sockaddr *)&j->b, j->blen, &b);
	j->err = errno;
	j->text_len = (int)b.usable;
}

static void body_read_sysctls(struct job *j)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;

	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_read_sysctls(&s);
	j->err = errno;
	j->text_len = (int)s.port_hi;
}

/* The restart audit: the table, the walk of /proc, the options read
   through a copy of each descriptor, the verdicts, all from the caller's
   thread.  text_len: the entries. */
static void body_audit(struct job *j)
{
	struct pb_audit *a = NULL;

	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_audit_run(-1, 0, &a);
	j->err = errno;
	j->text_len = (int)pb_audit_count(a);
	pb_audit_free(a);
}

/* A diagnosis in a namespace given by a descriptor (j->err_in): the
   caller's thread only makes and waits for the one that enters it. */
static void body_diagnose_netns(struct job *j)
{
	struct pb_diag d = PB_DIAG_INIT;

	d.flags = j->flags;
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_diagnose_netns(j->err_in, SOCK_STREAM, j->spec, EADDRINUSE,
				 &d);
	j->err = errno;
	j->d = d;
}

/* The text forms of an answer made in the main thread (j->d). */
static void body_format(struct job *j)
{
	char buf[512];

	j->call_sp = stack_here();
	j->r = pb_diag_format(&j->d, buf, sizeof(buf));
	memcpy(j->text, buf, sizeof(buf));
}

static void body_json(struct job *j)
{
	char buf[1024];

	j->call_sp = stack_here();
	j->r = pb_diag_json(&j->d, buf, sizeof(buf));
	memcpy(j->text, buf, sizeof(buf));
}

/* What a take brings: about 16.5 KiB, never on the small stack. */
static struct pb_fdset stack_set = PB_FDSET_INIT;

static void body_handoff_take(struct job *j)
{
	errno = 0;
	j->call_sp = stack_here();
	j->r = pb_handoff_take(j->spec, 200, &stack_set);
	j->err = errno;
}

/* The short ones, all in one thread: addresses, options, success paths,
   socket activation and the hand-off's control socket.  j->r: 0, or the
   line of the first check that failed. */
#define STEP(cond) do { if (!(cond) && !j->r) j->r = __LINE__; } while (0)

static void body_the_rest(struct job *j)
{
	struct pb_diag why = PB_DIAG_INIT;
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[80];
	int fd, ctl;

	j->r = 0;
	j->call_sp = stack_here();
	STEP(pb_version() != NULL);
	STEP(strcmp(pb_cause_name(PB_CAUSE_TIME_WAIT), "time-wait") == 0);
	STEP(pb_parse_addr("[::1]:8080", &ss, &len) == 0);
	STEP(pb_format_addr((struct sockaddr *)&ss, len, buf, sizeof(buf)) == 0);
	STEP(strcmp(buf, "[::1]:8080") == 0);
	STEP(pb_listen_fds(0) == 0);
	STEP(pb_adopt(SOCK_STREAM, "127.0.0.1:0", NULL) == -1);
	STEP(pb_fdset_adopt(&stack_set, SOCK_STREAM, "127.0.0.1:0", NULL) == -1);
	STEP(pb_fdset_close(&stack_set) == 0);
	fd = pb_listen("127.0.0.1:0", 4, PB_NONBLOCK | PB_ADOPT, &why);
	STEP(fd >= 0);
	if (fd >= 0) {
		STEP(pb_fd_matches(fd, SOCK_STREAM, "127.0.0.1:0") == 1);
		STEP(pb_set_reuseaddr(fd, 1) == 0);
		STEP(pb_set_reuseport(fd, 0) == 0);
		STEP(pb_set_v6only(fd, 0) == -1);	/* an IPv4 socket */
		STEP(pb_set_freebind(fd, 0) == 0);
		STEP(pb_set_bind_no_port(fd, 0) == 0);
		close(fd);
	}
	fd = pb_bind_udp("127.0.0.1:0", 0, NULL);
	STEP(fd >= 0);
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	STEP(pb_bind_reuse(fd, (struct sockaddr *)&j->a, j->alen) == 0);
	close(fd);
	ctl = pb_handoff_listen(j->spec);
	STEP(ctl >= 0);
	if (ctl >= 0)
		close(ctl);
}

/* ---- the tests */

static int pid_of_holders(const struct pb_diag *d)
{
	unsigned i;

	for (i = 0; i < d->n_stored && i < PB_DIAG_HOLDERS; i++)
		if (d->holders[i].pid)
			return d->holders[i].pid;
	return 0;
}

/* The path of issue 11: pb_listen fails on a port a listener holds, and
   the answer names the listener's process (netlink, then /proc/PID/fd). */
START_TEST(listen_over_listener_with_owners)
{
	struct job j = { .body = body_listen, .flags = PB_DIAG_OWNERS };
	int lfd = pbt_listener("127.0.0.1", 0, 1);

	spec_of(&j, "127.0.0.1", pbt_local_port(lfd));
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, -1);
	ck_assert_int_eq(j.err, EADDRINUSE);
	ck_assert_int_eq(j.d.cause, PB_CAUSE_LISTENER);
	ck_assert_uint_eq(j.d.sources & PB_SRC_NETLINK, PB_SRC_NETLINK);
	ck_assert_int_eq(pid_of_holders(&j.d), getpid());
	close(lfd);
}
END_TEST

START_TEST(listen_over_listener_v6)
{
	struct job j = { .body = body_listen, .flags = PB_DIAG_OWNERS };
	int lfd;

	if (!pbt_have_ipv6())
		PBT_SKIP("no IPv6 on this host");
	lfd = pbt_listener("::1", 0, 1);
	spec_of(&j, "::1", pbt_local_port(lfd));
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, -1);
	ck_assert_int_eq(j.d.cause, PB_CAUSE_LISTENER);
	close(lfd);
}
END_TEST

/* TIME_WAIT that SO_REUSEADDR cannot pass: every table walk is made. */
START_TEST(listen_over_time_wait)
{
	struct job j = { .body = body_listen, .flags = PB_DIAG_OWNERS };
	int lfd = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(lfd);

	pbt_make_time_wait(lfd, "127.0.0.1", port);
	close(lfd);
	spec_of(&j, "127.0.0.1", port);
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, -1);
	ck_assert_int_eq(j.err, EADDRINUSE);
	ck_assert_int_eq(j.d.cause, PB_CAUSE_TIME_WAIT);
	ck_assert_uint_ge(j.d.n_time_wait, 1);
}
END_TEST

/* The same through /proc/net (stdio) and through probes alone. */
START_TEST(listen_over_listener_procnet_and_knock)
{
	static const unsigned modes[] = {
		PB_DIAG_NO_NETLINK | PB_DIAG_OWNERS,
		PB_DIAG_NO_NETLINK | PB_DIAG_NO_PROCNET,
	};
	int lfd = pbt_listener("127.0.0.1", 0, 1);
	size_t m;

	for (m = 0; m < PB_ARRAY_SIZE(modes); m++) {
		struct job j = { .body = body_listen, .flags = modes[m] };

		spec_of(&j, "127.0.0.1", pbt_local_port(lfd));
		RUN_SMALL(&j);
		ck_assert_int_eq(j.r, -1);
		ck_assert_int_eq(j.d.cause, PB_CAUSE_LISTENER);
	}
	close(lfd);
}
END_TEST

START_TEST(bind_udp_over_bound)
{
	struct job j = { .body = body_bind_udp, .flags = PB_DIAG_OWNERS };
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);
	int fd = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	spec_of(&j, "127.0.0.1", pbt_local_port(fd));
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, -1);
	ck_assert_int_eq(j.err, EADDRINUSE);
	ck_assert_int_eq(j.d.cause, PB_CAUSE_BOUND);
	ck_assert_int_eq(pid_of_holders(&j.d), getpid());
	close(fd);
}
END_TEST

/* pb_diagnose on each cause a test can make cheaply. */
struct cause_case {
	const char *ip;
	int type, err;
	enum pb_cause want;
};

static void diagnose_small(int type, const char *ip, unsigned port, int err,
			   unsigned flags, enum pb_cause want, const char *test)
{
	struct job j = { .body = body_diagnose, .flags = flags, .type = type,
			 .err_in = err };
	char label[96];

	j.alen = pbt_addr(&j.a, ip, port);
	snprintf(label, sizeof(label), "%s (%s)", test, pb_cause_name(want));
	run_small(&j, label);
	ck_assert_msg(j.r == (int)want, "%s port %u: cause %s, not %s", ip,
		      port, pb_cause_name(j.r), pb_cause_name(want));
	ck_assert_int_eq(j.d.cause, want);
}

START_TEST(diagnose_each_cause)
{
	int lfd = pbt_listener("127.0.0.1", 0, 0), c, s, b, u;
	unsigned lport = pbt_local_port(lfd), free_port;
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", 0);

	diagnose_small(SOCK_STREAM, "127.0.0.1", lport, 0, PB_DIAG_OWNERS,
		       PB_CAUSE_LISTENER, __func__);

	/* connected: the listener gone, an accepted connection left */
	pbt_connect_pair(lfd, "127.0.0.1", lport, &c, &s);
	close(lfd);
	diagnose_small(SOCK_STREAM, "127.0.0.1", lport, 0, PB_DIAG_OWNERS,
		       PB_CAUSE_CONNECTED, __func__);
	close(c);
	close(s);

	/* bound, not listening (TCP), and UDP */
	b = pbt_socket("127.0.0.1", SOCK_STREAM, 0);
	ck_assert_int_eq(bind(b, (struct sockaddr *)&ss, len), 0);
	diagnose_small(SOCK_STREAM, "127.0.0.1", pbt_local_port(b), EADDRINUSE,
		       0, PB_CAUSE_BOUND, __func__);
	close(b);
	u = pbt_socket("127.0.0.1", SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(u, (struct sockaddr *)&ss, len), 0);
	diagnose_small(SOCK_DGRAM, "127.0.0.1", pbt_local_port(u), 0,
		       PB_DIAG_NO_NETLINK, PB_CAUSE_BOUND, __func__);
	close(u);

	free_port = pbt_free_port();
	diagnose_small(SOCK_STREAM, "127.0.0.1", free_port, 0, 0,
		       PB_CAUSE_NONE, __func__);
	diagnose_small(SOCK_STREAM, "203.0.113.1", 80, 0, 0,
		       PB_CAUSE_ADDR_NOT_LOCAL, __func__);
	diagnose_small(SOCK_STREAM, "127.0.0.1", 0, EADDRINUSE, 0,
		       PB_CAUSE_PORTS_EXHAUSTED, __func__);
	/* EACCES below the limit (1024 unless the host changed it). */
	diagnose_small(SOCK_STREAM, "127.0.0.1", 1, EACCES, 0,
		       PB_CAUSE_PRIVILEGED, __func__);
	diagnose_small(SOCK_STREAM, "127.0.0.1", free_port, ECONNRESET, 0,
		       PB_CAUSE_OTHER, __func__);
}
END_TEST

START_TEST(diagnose_without_out)
{
	struct job j = { .body = body_diagnose_no_out, .type = SOCK_STREAM };
	int lfd = pbt_listener("127.0.0.1", 0, 1);

	j.alen = pbt_addr(&j.a, "127.0.0.1", pbt_local_port(lfd));
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, PB_CAUSE_LISTENER);
	close(lfd);
}
END_TEST

START_TEST(shim_diagnosis)
{
	struct job j = { .body = body_shim_diagnose, .type = SOCK_STREAM,
			 .err_in = EADDRINUSE };
	int lfd = pbt_listener("127.0.0.1", 0, 1);

	j.alen = pbt_addr(&j.a, "127.0.0.1", pbt_local_port(lfd));
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, PB_CAUSE_LISTENER);
	ck_assert_int_eq(pid_of_holders(&j.d), getpid());
	ck_assert_uint_eq(j.d.sources & PB_SRC_PROCNET, 0);
	close(lfd);
}
END_TEST

/* The shim's failing bind() may run inside a signal handler, on a small
   alternate stack: the same diagnosis there, errno kept. */
static struct job *in_handler;

static void diagnose_in_handler(int sig)
{
	int saved = errno;

	(void)sig;
	in_handler->body(in_handler);
	in_handler->err = errno == saved;
}

START_TEST(shim_diagnosis_in_signal_handler)
{
	struct job j = { .body = body_shim_diagnose, .type = SOCK_STREAM,
			 .err_in = EADDRINUSE };
	struct sigaction sa, old;
	stack_t alt, old_alt;
	uint8_t *map, *lo;
	size_t map_size;
	int lfd = pbt_listener("127.0.0.1", 0, 1);

	j.alen = pbt_addr(&j.a, "127.0.0.1", pbt_local_port(lfd));
	lo = small_stack(&map, &map_size);
	memset(&alt, 0, sizeof(alt));
	alt.ss_sp = lo;
	alt.ss_size = PTHREAD_STACK_MIN;
	ck_assert_int_eq(sigaltstack(&alt, &old_alt), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = diagnose_in_handler;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
	in_handler = &j;
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);
	ck_assert_int_eq(sigaltstack(&old_alt, NULL), 0);
	measure(&j, lo, map, map_size, __func__);

	ck_assert_int_eq(j.r, PB_CAUSE_LISTENER);
	ck_assert_int_eq(pid_of_holders(&j.d), getpid());
	ck_assert_int_eq(j.err, 1);	/* errno as the handler found it */
	close(lfd);
}
END_TEST

START_TEST(listen_wait_times_out)
{
	struct job j = { .body = body_listen_wait, .flags = PB_DIAG_OWNERS };
	int lfd = pbt_listener("127.0.0.1", 0, 0);
	unsigned port = pbt_local_port(lfd);

	pbt_make_time_wait(lfd, "127.0.0.1", port);
	close(lfd);
	spec_of(&j, "127.0.0.1", port);
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, -1);
	ck_assert_int_eq(j.err, EADDRINUSE);
	ck_assert_int_eq(j.d.cause, PB_CAUSE_TIME_WAIT);
}
END_TEST

/* An explicit source port a listener holds: bind() fails, diagnosed. */
START_TEST(connect_from_fails)
{
	struct job j = { .body = body_connect_from, .flags = PB_DIAG_OWNERS };
	int lfd = pbt_listener("127.0.0.1", 0, 1);
	unsigned port = pbt_local_port(lfd);

	j.alen = pbt_addr(&j.a, "127.0.0.1", port);
	j.blen = pbt_addr(&j.b, "127.0.0.1", port);
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, -1);
	ck_assert_int_eq(j.err, EADDRINUSE);
	ck_assert_int_eq(j.d.cause, PB_CAUSE_LISTENER);
	close(lfd);
}
END_TEST

START_TEST(connect_exhausted_diagnosis)
{
	struct job j = { .body = body_diagnose_exhausted };
	int lfd = pbt_listener("127.0.0.1", 0, 1), c, s;
	unsigned port = pbt_local_port(lfd);

	pbt_connect_pair(lfd, "127.0.0.1", port, &c, &s);
	j.blen = pbt_addr(&j.b, "127.0.0.1", port);
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, PB_CAUSE_PORTS_EXHAUSTED);
	/* The connection just made is one of those towards dst. */
	ck_assert_uint_ge(j.d.n_connected, 1);
	close(c);
	close(s);
	close(lfd);
}
END_TEST

START_TEST(port_budget)
{
	struct job j = { .body = body_port_budget };
	int lfd = pbt_listener("127.0.0.1", 0, 1);

	j.blen = pbt_addr(&j.b, "127.0.0.1", pbt_local_port(lfd));
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, 0);
	ck_assert_int_gt(j.text_len, 0);	/* usable ports */
	close(lfd);
}
END_TEST

START_TEST(read_sysctls)
{
	struct job j = { .body = body_read_sysctls };

	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, 0);
	ck_assert_int_gt(j.text_len, 0);	/* port_hi */
}
END_TEST

START_TEST(audit)
{
	struct job j = { .body = body_audit };
	int lfd = pbt_listener("127.0.0.1", 0, 1), c, s;

	pbt_connect_pair(lfd, "127.0.0.1", pbt_local_port(lfd), &c, &s);
	RUN_SMALL(&j);
	ck_assert_int_eq(j.r, 0);
	ck_assert_int_ge(j.text_len, 1);	/* this listener at least */
	close(c);
	close(s);
	close(lfd);
}
END_TEST

START_TEST(diagnose_netns)
{
	struct job j = { .body = body_diagnose_netns, .flags = PB_DIAG_OWNERS };
	int lfd = pbt_listener("127.0.0.1", 0, 1);
	int ns = pb_netns_open("/proc/self/ns/net");

	ck_assert_int_ge(ns, 0);
	j.err_in = ns;
	spec_of(&j, "127.0.0.1", pbt_local_port(lfd));
	RUN_SMALL(&j);
	if (j.r == -1 && j.err == EPERM) {
		close(ns);
		close(lfd);
		PBT_SKIP("entering a network namespace needs CAP_SYS_ADMIN");
	}
	ck_assert_int_eq(j.r, PB_CAUSE_LISTENER);
	ck_assert_int_eq(pid_of_holders(&j.d), getpid());
	close(ns);
	close(lfd);
}
END_TEST

/* A full answer (holders, owners) made here, formatted there. */
static void full_answer(struct pb_diag *d, int *lfd)
{
	struct pb_diag fresh = PB_DIAG_INIT;
	char spec[64];

	*lfd = pbt_listener("127.0.0.1", 0, 1);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(*lfd));
	*d = fresh;
	d->flags = PB_DIAG_OWNERS;
	ck_assert_int_eq(pb_diagnose_spec(SOCK_STREAM, spec, EADDRINUSE, d),
			 PB_CAUSE_LISTENER);
}

START_TEST(diag_format)
{
	struct job j = { .body = body_format };
	int lfd;

	full_answer(&j.d, &lfd);
	RUN_SMALL(&j);
	ck_assert_int_gt(j.r, 0);
	ck_assert_ptr_nonnull(strstr(j.text, "listen"));
	close(lfd);
}
END_TEST

START_TEST(diag_json)
{
	struct job j = { .body = body_json };
	int lfd;

	full_answer(&j.d, &lfd);
	RUN_SMALL(&j);
	ck_assert_int_gt(j.r, 0);
	ck_assert_ptr_nonnull(strstr(j.text, "\"cause\""));
	close(lfd);
}
END_TEST

START_TEST(handoff_take_missing)
{
	struct job j = { .body = body_handoff_take };

	snprintf(j.spec, sizeof(j.spec), "/nonexistent-pb-%d/ctl", (int)getpid());
	RUN_SMALL(&j);
	/* Nobody listens there: nothing to take. */
	ck_assert_int_eq(j.r, 0);
}
END_TEST

START_TEST(the_rest)
{
	struct job j = { .body = body_the_rest };
	char dir[] = "/tmp/pbstack.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(j.spec, sizeof(j.spec), "%s/ctl", dir);
	j.alen = pbt_addr(&j.a, "127.0.0.1", 0);
	RUN_SMALL(&j);
	unlink(j.spec);
	rmdir(dir);
	ck_assert_msg(j.r == 0, "the check at line %d failed", j.r);
}
END_TEST

/* ---- no scratch memory: mmap refused */


#define SKIPPED 77

/* What portbind(3) promises when the system refuses scratch memory. */
static int without_scratch(void *arg)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_budget b = PB_BUDGET_INIT;
	struct sockaddr_storage ss;
	socklen_t len;
	char spec[64], tw_spec[64];
	int lfd, twl, fd, i;
	int64_t t0;

	(void)arg;
	lfd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	PBT_REQUIRE(lfd >= 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pbt_local_port(lfd));
	twl = pbt_listener("127.0.0.1", 0, 0);
	snprintf(tw_spec, sizeof(tw_spec), "127.0.0.1:%u", pbt_local_port(twl));
	pbt_make_time_wait(twl, "127.0.0.1", pbt_local_port(twl));
	close(twl);
	if (pbt_seccomp_errno(__NR_mmap, -1, ENOMEM) < 0)
		return SKIPPED;
	PBT_REQUIRE(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0) == MAP_FAILED && errno == ENOMEM);

	/* A diagnosis without netlink's buffer: /proc/net or the probes,
	   and no owners (their walk needs a buffer too). */
	d.flags = PB_DIAG_OWNERS;
	PBT_REQUIRE(pb_listen(spec, 4, 0, &d) == -1 && errno == EADDRINUSE);
	PBT_REQUIRE(d.cause == PB_CAUSE_LISTENER);
	PBT_REQUIRE(!(d.sources & (PB_SRC_NETLINK | PB_SRC_OWNERS)));
	for (i = 0; i < (int)d.n_stored; i++)
		PBT_REQUIRE(d.holders[i].pid == 0);

	/* No room for an answer nobody passed: "other". */
	len = pbt_addr(&ss, "127.0.0.1", pbt_local_port(lfd));
	PBT_REQUIRE(pb_diagnose(SOCK_STREAM, (struct sockaddr *)&ss, len, 0,
				NULL) == PB_CAUSE_OTHER);

	/* pb_listen_wait tries once: no wait over TIME_WAIT.  Its 20 s would
	   all be spent if it waited (TIME_WAIT lasts 60 s); half of them is
	   "at once" however loaded the machine. */
	t0 = pb__now_ms();
	PBT_REQUIRE(pb_listen_wait(tw_spec, 4, 0, 20000, &d) == -1);
	PBT_REQUIRE(errno == EADDRINUSE);
	t0 = pb__now_ms() - t0;
	PBT_REQUIRE_MSG(t0 < 10000, "took %lld ms of its 20000",
			(long long)t0);
	PBT_REQUIRE(d.cause == PB_CAUSE_TIME_WAIT);

	/* The budget without its port maps. */
	PBT_REQUIRE(pb_port_budget(NULL, 0, (struct sockaddr *)&ss, len, &b) == 0);
	PBT_REQUIRE(b.usable > 0 && b.reserved == 0 && b.n_listeners == 0);

	/* A bind that succeeds needs no memory at all. */
	fd = pb_listen("127.0.0.1:0", 4, 0, &d);
	PBT_REQUIRE(fd >= 0);
	close(fd);
	close(lfd);
	return 0;
}

START_TEST(no_scratch_memory)
{
	int st;

	if (PBT_UNDER_VALGRIND())
		PBT_SKIP("a seccomp filter on mmap would stop valgrind itself");
	st = pbt_run_in_child(without_scratch, NULL);
	if (st == SKIPPED)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* The harness itself: a thread that needs more than the stack faults in
   the guard (the child dies on SIGSEGV) rather than writing below it. */
static void body_too_deep(struct job *j)
{
	volatile char big[64 * 1024];
	size_t i;

	for (i = sizeof(big); i > 0; i -= 512)
		big[i - 1] = (char)i;
	j->r = big[sizeof(big) - 1];
}

START_TEST(harness_overflow_faults)
{
	struct job j = { .body = body_too_deep };

	RUN_SMALL(&j);
	ck_abort_msg("a 64 KiB frame ran on a 16 KiB stack");
}
END_TEST

#else /* PBT_SANITIZED */

START_TEST(needs_a_plain_build)
{
	PBT_SKIP("%s", PBT_SANITIZED);
}
END_TEST

#endif

Suite *suite_stack(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("16k");

#ifdef PBT_SANITIZED
	tcase_add_test(tc, needs_a_plain_build);
	suite_add_tcase(s, tc);
#else
	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, listen_over_listener_with_owners);
	tcase_add_test(tc, listen_over_listener_v6);
	tcase_add_test(tc, listen_over_time_wait);
	tcase_add_test(tc, listen_over_listener_procnet_and_knock);
	tcase_add_test(tc, bind_udp_over_bound);
	tcase_add_test(tc, diagnose_each_cause);
	tcase_add_test(tc, diagnose_without_out);
	tcase_add_test(tc, shim_diagnosis);
	tcase_add_test(tc, shim_diagnosis_in_signal_handler);
	tcase_add_test(tc, listen_wait_times_out);
	tcase_add_test(tc, connect_from_fails);
	tcase_add_test(tc, connect_exhausted_diagnosis);
	tcase_add_test(tc, port_budget);
	tcase_add_test(tc, read_sysctls);
	tcase_add_test(tc, audit);
	tcase_add_test(tc, diagnose_netns);
	tcase_add_test(tc, diag_format);
	tcase_add_test(tc, diag_json);
	tcase_add_test(tc, handoff_take_missing);
	tcase_add_test(tc, the_rest);
	tcase_add_test(tc, no_scratch_memory);
	suite_add_tcase(s, tc);

	/* Only in fork mode: the test dies, by design. */
	if (!getenv("CK_FORK") || strcmp(getenv("CK_FORK"), "no") != 0) {
		TCase *hz = tcase_create("harness");

		tcase_add_test_raise_signal(hz, harness_overflow_faults, SIGSEGV);
		suite_add_tcase(s, hz);
	}
#endif
	return s;
}

/* SPDX-License-Identifier: MIT */
/*
 * preload-asyncsafe.c - the shim's failure path where only async-signal-
 * safe code may run, from a program built WITHOUT libportbind
 * (tests/preload.sh runs it under LD_PRELOAD with PORTBIND_LOG=FILE).
 *
 * It replaces malloc and its family (forwarding to glibc's __libc_*
 * functions) and a set of functions that are not async-signal-safe
 * (forwarding through dlsym), and counts every call any of them gets while
 * a bind() is in progress: the count must be 0.  Its malloc takes a lock
 * of its own, as a real allocator does, so that a child forked while
 * another thread is inside malloc deadlocks if it allocates.
 *
 *	preload-asyncsafe plain PORT    one failing bind
 *	preload-asyncsafe handler PORT  the failing bind inside a signal handler
 *	                                that interrupted malloc
 *	preload-asyncsafe fork PORT     in the child of a fork made while a
 *	                                second thread is inside malloc
 *	preload-asyncsafe stack PORT    in a thread with a PTHREAD_STACK_MIN
 *	                                stack and a 256 KiB guard region
 * PORT is held by a listener.  Prints "ok", or what went wrong; a crash
 * or a deadlock (a watchdog alarm kills it) is a failure too.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static volatile int counting;
static volatile int allocs, forbidden;
static char forbidden_name[160];
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
/* The helper thread parks inside malloc while this is set. */
static volatile int park, parked;
/* The next malloc raises SIGUSR1 with the heap lock held. */
static volatile int raise_inside;

static void heap_enter(void)
{
	if (counting)
		allocs++;
	pthread_mutex_lock(&heap_lock);
	if (raise_inside) {
		raise_inside = 0;
		raise(SIGUSR1);
	}
	if (park && !parked) {
		parked = 1;
		while (park)
			usleep(1000);
	}
}

static void heap_leave(void)
{
	pthread_mutex_unlock(&heap_lock);
}

void *malloc(size_t n)
{
	void *p;

	heap_enter();
	p = __libc_malloc(n);
	heap_leave();
	return p;
}

void *calloc(size_t a, size_t b)
{
	void *p;

	heap_enter();
	p = __libc_calloc(a, b);
	heap_leave();
	return p;
}

void *realloc(void *q, size_t n)
{
	void *p;

	heap_enter();
	p = __libc_realloc(q, n);
	heap_leave();
	return p;
}

void free(void *q)
{
	if (!q)
		return;
	heap_enter();
	__libc_free(q);
	heap_leave();
}

void *memalign(size_t a, size_t n)
{
	void *p;

	heap_enter();
	p = __libc_memalign(a, n);
	heap_leave();
	return p;
}

void *aligned_alloc(size_t a, size_t n)
{
	return memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
	void *p = memalign(a, n);

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

/* Not async-signal-safe, each of them: taken note of, then done. */
static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		abort();
	return f;
}

/* Counted, and named once in forbidden_name (no stdio: this may be a
   signal handler). */
static void bad(const char *name)
{
	size_t have, n = strlen(name);

	if (!counting)
		return;
	forbidden++;
	if (strstr(forbidden_name, name))
		return;
	have = strlen(forbidden_name);
	if (have + n + 2 < sizeof(forbidden_name)) {
		if (have)
			forbidden_name[have++] = ' ';
		memcpy(forbidden_name + have, name, n + 1);
	}
}

static char *(*real_strerror)(int);
static int (*real_vsnprintf)(char *, size_t, const char *, va_list);
static const char *(*real_inet_ntop)(int, const void *, char *, socklen_t);
static char *(*real_if_indextoname)(unsigned, char *);
static int (*real_vfprintf)(FILE *, const char *, va_list);
static FILE *(*real_fopen)(const char *, const char *);
static void (*real_vsyslog)(int, const char *, va_list);
static struct tm *(*real_localtime_r)(const time_t *, struct tm *);
static char *(*real_setlocale)(int, const char *);
static char *(*real_dcgettext)(const char *, const char *, int);
static long (*real_strtol)(const char *, char **, int);
static unsigned long (*real_strtoul)(const char *, char **, int);
static unsigned long long (*real_strtoull)(const char *, char **, int);
static int (*real_vsscanf)(const char *, const char *, va_list);

char *strerror(int e)
{
	bad("strerror");
	return real_strerror(e);
}

int vsnprintf(char *b, size_t n, const char *f, va_list ap)
{
	bad("vsnprintf");
	return real_vsnprintf(b, n, f, ap);
}

int snprintf(char *b, size_t n, const char *f, ...)
{
	va_list ap;
	int r;

	bad("snprintf");
	va_start(ap, f);
	r = real_vsnprintf(b, n, f, ap);
	va_end(ap);
	return r;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t n)
{
	bad("inet_ntop");
	return real_inet_ntop(af, src, dst, n);
}

char *if_indextoname(unsigned i, char *name)
{
	bad("if_indextoname");
	return real_if_indextoname(i, name);
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	bad("fprintf");
	va_start(ap, fmt);
	r = real_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

FILE *fopen(const char *path, const char *mode)
{
	bad("fopen");
	return real_fopen(path, mode);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	bad("syslog");
	va_start(ap, fmt);
	real_vsyslog(pri, fmt, ap);
	va_end(ap);
}

struct tm *localtime_r(const time_t *t, struct tm *tm)
{
	bad("localtime_r");
	return real_localtime_r(t, tm);
}

char *setlocale(int c, const char *l)
{
	bad("setlocale");
	return real_setlocale(c, l);
}

char *dcgettext(const char *d, const char *m, int c)
{
	bad("dcgettext");
	return real_dcgettext(d, m, c);
}

long strtol(const char *s, char **end, int base)
{
	bad("strtol");
	return real_strtol(s, end, base);
}

unsigned long strtoul(const char *s, char **end, int base)
{
	bad("strtoul");
	return real_strtoul(s, end, base);
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	bad("strtoull");
	return real_strtoull(s, end, base);
}

int __isoc99_sscanf(const char *s, const char *fmt, ...);
int __isoc99_sscanf(const char *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	bad("sscanf");
	va_start(ap, fmt);
	r = real_vsscanf(s, fmt, ap);
	va_end(ap);
	return r;
}

static void resolve(void)
{
	real_strerror = (char *(*)(int))real("strerror");
	real_vsnprintf = (int (*)(char *, size_t, const char *, va_list))real("vsnprintf");
	real_inet_ntop = (const char *(*)(int, const void *, char *, socklen_t))real("inet_ntop");
	real_if_indextoname = (char *(*)(unsigned, char *))real("if_indextoname");
	real_vfprintf = (int (*)(FILE *, const char *, va_list))real("vfprintf");
	real_fopen = (FILE *(*)(const char *, const char *))real("fopen");
	real_vsyslog = (void (*)(int, const char *, va_list))real("vsyslog");
	real_localtime_r = (struct tm *(*)(const time_t *, struct tm *))real("localtime_r");
	real_setlocale = (char *(*)(int, const char *))real("setlocale");
	real_dcgettext = (char *(*)(const char *, const char *, int))real("dcgettext");
	real_strtol = (long (*)(const char *, char **, int))real("strtol");
	real_strtoul = (unsigned long (*)(const char *, char **, int))real("strtoul");
	real_strtoull = (unsigned long long (*)(const char *, char **, int))real("strtoull");
	real_vsscanf = (int (*)(const char *, const char *, va_list))real("vsscanf");
}

static int port;
static volatile int bind_result, bind_errno;

/* The failing bind, counted. */
static void failing_bind(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	counting = 1;
	bind_result = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	bind_errno = errno;
	counting = 0;
	close(fd);
}

/* "ok", or what was wrong, on stdout (with write: no stdio in children). */
static int verdict(void)
{
	char msg[160];
	int n;

	if (bind_result == -1 && bind_errno == EADDRINUSE && allocs == 0 &&
	    forbidden == 0)
		n = snprintf(msg, sizeof(msg), "ok\n");
	else
		n = snprintf(msg, sizeof(msg),
			     "bad: bind %d errno %d, %d allocations, %d unsafe calls (%s)\n",
			     bind_result, bind_errno, allocs, forbidden, forbidden_name);
	if (write(1, msg, (size_t)n) != n)
		return 1;
	return msg[0] == 'o' ? 0 : 1;
}

static void on_signal(int sig)
{
	(void)sig;
	failing_bind();
}

static void *churn(void *arg)
{
	(void)arg;
	/* Parks inside malloc, with the heap lock held, until the fork. */
	park = 1;
	free(malloc(64));
	return NULL;
}

static void *small(void *arg)
{
	(void)arg;
	failing_bind();
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	int i;

	if (argc < 3)
		return 2;
	resolve();
	port = (int)strtol(argv[2], NULL, 10);
	alarm(20);			/* a deadlock is a failure, not a hang */
	if (!strcmp(mode, "plain")) {
		failing_bind();
		return verdict();
	}
	if (!strcmp(mode, "handler")) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGUSR1, &sa, NULL);
		raise_inside = 1;
		free(malloc(32));
		return verdict();
	}
	if (!strcmp(mode, "fork")) {
		pthread_t t;
		pid_t pid;
		int st;

		if (pthread_create(&t, NULL, churn, NULL) != 0)
			return 1;
		for (i = 0; i < 5000 && !parked; i++)
			usleep(1000);
		if (!parked) {
			printf("bad: the helper thread never got inside malloc\n");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			alarm(10);
			failing_bind();
			_exit(verdict());
		}
		park = 0;
		pthread_join(t, NULL);
		if (pid < 0 || waitpid(pid, &st, 0) != pid) {
			printf("bad: fork\n");
			return 1;
		}
		if (!WIFEXITED(st)) {
			printf("bad: the child died of signal %d%s\n", WTERMSIG(st),
			       WTERMSIG(st) == SIGALRM ? " (deadlocked)" : "");
			return 1;
		}
		return WEXITSTATUS(st);
	}
	if (!strcmp(mode, "stack")) {
		pthread_attr_t a;
		pthread_t t;

		pthread_attr_init(&a);
		if (pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN) != 0 ||
		    pthread_attr_setguardsize(&a, 256 * 1024) != 0 ||
		    pthread_create(&t, &a, small, NULL) != 0) {
			printf("bad: thread\n");
			return 1;
		}
		pthread_join(t, NULL);
		return verdict();
	}
	return 2;
}

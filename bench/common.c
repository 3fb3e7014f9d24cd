/* SPDX-License-Identifier: MIT */
/*
 * common.c - timing, statistics, namespaces, processes: what every
 * benchmark program needs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double now_ms(void)
{
	return (double)now_ns() / 1e6;
}

void sleep_until_ms(double deadline_ms)
{
	struct timespec ts;
	uint64_t ns = (uint64_t)(deadline_ms * 1e6);

	ts.tv_sec = (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void sleep_ms(double ms)
{
	if (ms > 0)
		sleep_until_ms(now_ms() + ms);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int netns_private(void)
{
	struct ifreq ifr;
	int fd, r;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r;
}

int sysctl_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

pid_t fork_child(unsigned secs)
{
	pid_t parent = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGALRM, SIG_DFL);
		alarm(secs);
	}
	return pid;
}

int reap(pid_t pid, double ms)
{
	double end = now_ms() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= end)
			break;
		sleep_ms(1);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset(p, 0, size);
	return p;
}

long spawn_count_lines(const char *const argv[], double timeout_ms,
		       struct rusage *ru, int *status)
{
	return spawn_capture(argv, timeout_ms, NULL, 0, ru, status);
}

long spawn_capture(const char *const argv[], double timeout_ms, char *out,
		   size_t outsize, struct rusage *ru, int *status)
{
	size_t kept = 0;
	posix_spawn_file_actions_t fa;
	int pfd[2], st = 0, killed = 0;
	long lines = 0;
	pid_t pid;
	char buf[65536];
	double end = now_ms() + timeout_ms;
	struct rusage u;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = end - now_ms();
		ssize_t n, i;

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(&p, 1, (int)left + 1) <= 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (out && kept + 1 < outsize) {
			size_t k = outsize - 1 - kept;

			if ((size_t)n < k)
				k = (size_t)n;
			memcpy(out + kept, buf, k);
			kept += k;
		}
	}
	close(pfd[0]);
	if (out && outsize)
		out[kept] = '\0';
	while (wait4(pid, &st, 0, &u) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (ru)
		*ru = u;
	if (status)
		*status = st;
	return killed ? -1 : lines;
}

int spawn_null(const char *const argv[], double timeout_ms, struct rusage *ru)
{
	posix_spawn_file_actions_t fa;
	struct rusage u;
	int st = 0, pfd, killed = 0;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		double end = now_ms() + timeout_ms;
		int r;

		do {
			double left = end - now_ms();

			r = left > 0 ? poll(&p, 1, (int)left + 1) : 0;
		} while (r < 0 && errno == EINTR);
		if (r <= 0) {		/* the bound, or poll failed */
			kill(pid, SIGKILL);
			killed = 1;
		}
		close(pfd);
		while (wait4(pid, &st, 0, &u) < 0) {
			if (errno != EINTR)
				return -1;
		}
	} else {		/* no pidfd (Linux < 5.3): poll wait4 */
		double end = now_ms() + timeout_ms;
		pid_t r;

		while ((r = wait4(pid, &st, WNOHANG, &u)) == 0 && now_ms() < end)
			sleep_ms(0.2);
		if (r == 0) {
			kill(pid, SIGKILL);
			killed = 1;
			r = wait4(pid, &st, 0, &u);
		}
		if (r < 0)
			return -1;
	}
	if (ru)
		*ru = u;
	return killed ? -1 : st;
}

int have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);

		if (n && n + strlen(name) + 2 < sizeof(buf)) {
			memcpy(buf, path, n);
			buf[n] = '/';
			strcpy(buf + n + 1, name);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		if (!c)
			break;
		path = c + 1;
	}
	return 0;
}

void target_line(const char *figure, const char *target, const char *measured,
		 const char *verdict, const char *fmt, ...)
{
	const char *file = getenv("PB_BENCH_TARGETS");
	char note[2048] = "";
	va_list ap;
	FILE *f;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(note, sizeof(note), fmt, ap);
		va_end(ap);
	}
	if (!file || !*file)
		return;
	f = fopen(file, "ae");
	if (!f)
		return;
	fprintf(f, "%s\t%s\t%s\t%s\t%s\n", figure, target, measured, verdict, note);
	fclose(f);
}

long vm_kib(const char *field)
{
	char buf[4096], *p;
	size_t flen = strlen(field);
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, field, flen) == 0 && p[flen] == ':')
			return strtol(p + flen + 1, NULL, 10);
	}
	return -1;
}

static void sin_of(struct sockaddr_in *sin, const char *ip, unsigned port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
}

int tcp_listener(const char *ip, unsigned port, int reuseaddr, int backlog)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sin_of(&sin, ip, port);
	if ((reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuseaddr,
				     sizeof(reuseaddr)) < 0) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, backlog) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int tcp_connect(const char *ip, unsigned port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sin_of(&sin, ip, port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void close_rst(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

long tw_alive(void)
{
	char line[512];
	long total = 0, n;
	int found = 0;
	FILE *f = fopen("/proc/slabinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "tw_sock_TCP", 11) != 0)
			continue;
		if (sscanf(line, "%*s %ld", &n) == 1) {
			total += n;
			found = 1;
		}
	}
	fclose(f);
	return found ? total : -1;
}

void wait_tw_below(long limit, double ms)
{
	double end = now_ms() + ms;
	long n;

	while ((n = tw_alive()) >= 0 && n > limit && now_ms() < end)
		sleep_ms(50);
}

int raw_listen(int family, const char *ip, int v6only)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &s->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &s->sin6_addr);
		len = sizeof(*s);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

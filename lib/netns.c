/* SPDX-License-Identifier: MIT */
/*
 * netns.c - work done inside another network namespace.
 *
 * setns(2) moves only the thread that calls it.  The caller's threads
 * must stay where they are (a server's accept loop in one of them would
 * otherwise find itself in a container), so the work runs in a thread
 * made for it: it enters the namespace, does the work and ends; nothing
 * has to be moved back.  Sockets that thread opens (netlink, probes)
 * belong to the namespace it entered; /proc/sys/net answers for it too.
 * /proc/net does not: it is the namespace of the process's first thread,
 * so procnet.c reads /proc/thread-self/net.
 *
 * The thread starts with every signal blocked, so none of the program's
 * handlers ever runs on it, and the caller waits for it with
 * pthread_join: the whole call is as long as the work.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "diag.h"
#include "internal.h"
#include "netns.h"
#include "text.h"

#ifndef CLONE_NEWNET
#define CLONE_NEWNET 0x40000000
#endif
/* linux/nsfs.h: NS_GET_NSTYPE, Linux 4.11. */
/* linux/magic.h */
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE 0xb703
#endif

/* Room for the work's stack: a diagnosis keeps large buffers in scratch
   memory, so this is generous. */
#define PB__NETNS_STACK ((size_t)256 * 1024)

struct netns_job {
	int fd;
	int (*fn)(void *);
	void *arg;
	int result;
};

static void *netns_thread(void *p)
{
	struct netns_job *j = p;

	if (syscall(SYS_setns, j->fd, CLONE_NEWNET) < 0)
		j->result = -errno;
	else
		j->result = j->fn(j->arg);
	return NULL;
}

int pb__in_netns(int netns_fd, int (*fn)(void *), void *arg)
{
	struct netns_job job = { netns_fd, fn, arg, -EINVAL };
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, caller;
	int r;

	if (netns_fd == -1)
		return fn(arg);
	if (netns_fd < 0)
		return -EBADF;
	r = pb__netns_check(netns_fd);
	if (r < 0)
		return r;
	r = pthread_attr_init(&attr);
	if (r != 0)
		return -r;	/* GCOVR_EXCL_LINE: glibc's never fails */
	pthread_attr_setstacksize(&attr, PB__NETNS_STACK);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &caller);
	r = pthread_create(&t, &attr, netns_thread, &job);
	pthread_sigmask(SIG_SETMASK, &caller, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0)
		return -r;
	pthread_join(t, NULL);
	return job.result;
}

/* 0 when fd is a network namespace, -EINVAL when it is another file (or
   namespace), -EBADF when it is no descriptor. */
int pb__netns_check(int fd)
{
	struct statfs fs;
	int type, saved = errno;

	if (fstatfs(fd, &fs) < 0)
		return -errno;
	/* Only nsfs holds namespaces (a file elsewhere answers ENOTTY
	   below too). */
	if (fs.f_type != NSFS_MAGIC)
		return -EINVAL;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0) {
		int err = errno;

		errno = saved;
		/* Before Linux 4.11 nsfs cannot say: setns(2) will. */
		return err == ENOTTY ? 0 : -EINVAL;
	}
	return type == CLONE_NEWNET ? 0 : -EINVAL;
}

/* "1234": digits only, a process id. */
static int is_pid(const char *s)
{
	const char *end;
	long long v = pb__parse_num(s, 10, INT_MAX, &end);

	return v > 0 && *end == '\0';
}

int pb__netns_open(const char *ns)
{
	char buf[sizeof("/run/netns/") + NAME_MAX];
	const char *path = buf;
	struct statfs fs;
	int pfd, fd, r;

	if (!ns || !*ns)
		return -EINVAL;
	if (strchr(ns, '/')) {
		path = ns;
	} else if (is_pid(ns)) {
		pb__fmt(buf, sizeof(buf), "/proc/%s/ns/net", ns);
	} else {
		/* A name ip-netns(8) made: one path component, not "." or
		   "..". */
		if (!strcmp(ns, ".") || !strcmp(ns, "..") ||
		    strlen(ns) > NAME_MAX)
			return -EINVAL;
		pb__fmt(buf, sizeof(buf), "/run/netns/%s", ns);
	}
	/* A path first, opening nothing: a FIFO would block the open, a
	   terminal could become the caller's, a device could act on it. */
	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (fstatfs(pfd, &fs) < 0 || fs.f_type != NSFS_MAGIC) {
		close(pfd);
		return -EINVAL;
	}
	pb__fmt(buf, sizeof(buf), "/proc/self/fd/%d", pfd);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : 0;
	close(pfd);
	if (r == 0)
		r = pb__netns_check(fd);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

PB_EXPORT int pb_netns_open(const char *ns)
{
	int saved = errno;
	int r = pb__netns_open(ns);

	if (r >= 0)
		errno = saved;
	return pb__ret(r);
}

struct diag_job {
	int type;
	const char *spec;
	int err;
	struct pb_diag *out;
};

static int diag_in_ns(void *p)
{
	struct diag_job *j = p;

	return pb__diagnose_spec(j->type, j->spec, j->err, j->out);
}

PB_EXPORT int pb_diagnose_netns(int netns_fd, int type, const char *spec,
				int err, struct pb_diag *out)
{
	struct diag_job j = { type, spec, err, out };
	int saved = errno;
	int r;

	/* The arguments are refused here, as pb_diagnose_spec would, before
	   a thread is made for them. */
	r = pb__diag_check(out);
	if (r == 0 && (type != SOCK_STREAM && type != SOCK_DGRAM))
		r = -EINVAL;
	if (r == 0)
		r = pb__in_netns(netns_fd, diag_in_ns, &j);
	if (r >= 0)
		errno = saved;
	return pb__ret(r);
}

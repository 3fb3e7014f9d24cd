/* SPDX-License-Identifier: MIT */
/*
 * owner.c - socket inode -> owning process, by walking /proc/PID/fd.
 *
 * Opt-in (PB_DIAG_OWNERS): it reads a link for every descriptor of every
 * process it may look at, so it costs far more than the table lookup.  It
 * stops as soon as every holder asked about has an owner.  A process that
 * shares a socket with its children (a forked server) is reported once:
 * the first one found.  TIME_WAIT sockets have no inode and so no owner.
 * Without privileges only the caller's own processes can be seen.
 *
 * The same walk, asked by diag.c with PB_DIAG_OWNERS only, reads the
 * IPV6_V6ONLY that the socket table hides from a copy of the owner's
 * descriptor (pidfd_getfd); the shim never asks for it.
 *
 * The LD_PRELOAD shim runs this walk on a failing bind(), wherever that
 * bind() is: maybe in a signal handler, a forked child of a threaded
 * program, or a thread with a 16 KiB stack.  So: raw system calls only
 * (getdents64, no opendir), no malloc, no stdio or strtol (lib/text.h
 * instead), and the directory buffers come from scratch memory, not the
 * stack.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "internal.h"
#include "owner.h"
#include "scratch.h"
#include "text.h"

/* One getdents64 buffer; two are in use at once (/proc, /proc/PID/fd),
   taken as one scratch block. */
#define PB_DENTS_BUF ((size_t)4096)
#define PB_DENTS_SCRATCH (2 * PB_DENTS_BUF)

/* One directory entry as getdents64 returns it. */
struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * Call fn(name, arg) for each entry of the directory dirfd, reading with
 * getdents64 into buf (PB_DENTS_BUF bytes, 8-aligned): no opendir, no
 * malloc, so the walk is as safe as its system calls.  Stops when fn
 * returns non-zero and returns that.
 */
static int each_entry(int dirfd, char *buf,
		      int (*fn)(int dirfd, const char *name, void *arg),
		      void *arg)
{
	long n, off;
	int r;

	for (;;) {
		n = syscall(SYS_getdents64, dirfd, buf, PB_DENTS_BUF);
		if (n <= 0)
			return 0;
		for (off = 0; off < n; ) {
			const struct dirent64_raw *e =
				(const struct dirent64_raw *)(const void *)(buf + off);

			/* The kernel's records; still, never step past n
			   or stand still. */
			if (e->d_reclen < offsetof(struct dirent64_raw, d_name) + 1 ||
			    e->d_reclen > n - off)
				return 0;	/* GCOVR_EXCL_LINE: the kernel writes whole records */
			off += e->d_reclen;
			if (e->d_name[0] == '.')
				continue;
			r = fn(dirfd, e->d_name, arg);
			if (r)
				return r;
		}
	}
}

static void read_comm(int procfd, int pid, char *comm, size_t size)
{
	char path[32];
	ssize_t n;
	int fd;

	pb__fmt(path, sizeof(path), "%d/comm", pid);
	comm[0] = '\0';
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, size - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	if (comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

/* Matches "socket:[12345]". */
static unsigned long long link_inode(const char *link)
{
	const char *end;
	long long ino;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	ino = pb__parse_num(link + 8, 10, ~0ULL, &end);
	return ino > 0 && *end == ']' ? (unsigned long long)ino : 0;
}

struct walk {
	struct pb_holder *h;
	unsigned n, want, found;
	int procfd;
	int pid;
	char *fd_dents;		/* the inner walk's buffer */
	int v6only;		/* read IPV6_V6ONLY, not the owner */
};

/* The IPV6_V6ONLY of descriptor fd of process pid, read through a copy of
   it (pidfd_getfd(2), Linux 5.6: root, or a process this one may
   ptrace); the process is not disturbed.  1, 0, or -1. */
static int peek_v6only(int pid, const char *fdname, unsigned long long ino)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	struct stat st;
	const char *end;
	long long fd = pb__parse_num(fdname, 10, 0x7fffffff, &end);
	int pidfd, copy, v = -1;

	if (fd < 0 || *end != '\0')
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fd, 0);
	close(pidfd);
	if (copy < 0)
		return -1;
	/* The pid or the descriptor number may have been reused since the
	   link was read: only the socket of that inode answers. */
	if (fstat(copy, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    (unsigned long long)st.st_ino != ino ||
	    pb__sockopt_int(copy, IPPROTO_IPV6, IPV6_V6ONLY, &v) < 0)
		v = -1;
	close(copy);
	return v < 0 ? -1 : v != 0;
#else
	(void)pid;
	(void)fdname;
	(void)ino;
	return -1;
#endif
}

/* Give every unowned holder with this inode the process. */
static int on_fd(int dirfd, const char *name, void *arg)
{
	struct walk *w = arg;
	char link[64];
	unsigned long long ino;
	ssize_t len;
	unsigned i;

	len = readlinkat(dirfd, name, link, sizeof(link) - 1);
	if (len <= 0)
		return 0;
	link[len] = '\0';
	ino = link_inode(link);
	if (!ino)
		return 0;
	for (i = 0; i < w->n; i++) {
		if (w->v6only) {
			if (w->h[i].inode == ino && w->h[i].v6only < 0) {
				w->h[i].v6only = peek_v6only(w->pid, name, ino);
				w->found += w->h[i].v6only >= 0;
			}
			continue;
		}
		if (w->h[i].inode == ino && w->h[i].pid == 0) {
			w->h[i].pid = w->pid;
			read_comm(w->procfd, w->pid, w->h[i].comm,
				  sizeof(w->h[i].comm));
			w->found++;
		}
	}
	return w->found >= w->want;
}

static int on_pid(int procfd, const char *name, void *arg)
{
	struct walk *w = arg;
	char path[32];
	const char *end;
	long long pid;
	int fd, r;

	pid = pb__parse_num(name, 10, 0x7fffffff, &end);
	if (pid <= 0 || *end != '\0')
		return 0;
	pb__fmt(path, sizeof(path), "%lld/fd", pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone, or not ours to read */
	w->pid = (int)pid;
	r = each_entry(fd, w->fd_dents, on_fd, w);
	close(fd);
	return r;
}

static int walk_proc(struct pb_holder *h, unsigned n, int v6only)
{
	struct walk w = { h, n, 0, 0, -1, 0, NULL, v6only };
	char *dents;
	unsigned i;
	int saved = errno;

	for (i = 0; i < n; i++)
		if (h[i].inode != 0 && (v6only ? h[i].v6only < 0 : h[i].pid == 0))
			w.want++;
	if (w.want == 0)
		return 0;
	dents = pb__scratch_get(PB_DENTS_SCRATCH);
	if (!dents)
		return -ENOMEM;
	w.fd_dents = dents + PB_DENTS_BUF;
	w.procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.procfd < 0) {
		int err = errno;

		pb__scratch_put(dents, PB_DENTS_SCRATCH);
		errno = saved;
		return -err;
	}
	each_entry(w.procfd, dents, on_pid, &w);
	close(w.procfd);
	pb__scratch_put(dents, PB_DENTS_SCRATCH);
	errno = saved;
	return (int)w.found;
}

/* Fill pid and comm of the holders by inode: how many were found, or
   -errno when /proc cannot be read (-ENOMEM: no scratch memory). */
int pb__find_owners(struct pb_holder *h, unsigned n)
{
	return walk_proc(h, n, 0);
}

/* Fill the IPV6_V6ONLY the socket table did not show, of the holders with
   an owner this process may look into: how many were read, or -errno. */
int pb__owners_v6only(struct pb_holder *h, unsigned n)
{
	return walk_proc(h, n, 1);
}

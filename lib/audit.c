/* SPDX-License-Identifier: MIT */
/*
 * audit.c - pb_audit_run: would every service of this host come back if
 * it were restarted now?
 *
 * One pass over each source, whatever the number of sockets:
 *  1. the listening TCP sockets and the unconnected UDP ones: the
 *     entries;
 *  2. every other TCP socket whose local port one of them listens on
 *     (connections, TIME_WAIT, bound-only): what a restart meets;
 *  3. one walk of /proc/PID/fd, matching socket inodes against a hash of
 *     those rows: who holds what;
 *  4. for each entry's service, the socket's real options through a copy
 *     of its descriptor (pidfd_getfd(2): root, or a process this one may
 *     ptrace), its user and capabilities (/proc/PID/status), and whether
 *     the socket was passed in (LISTEN_PID and LISTEN_FDS in
 *     /proc/PID/environ);
 *  5. the verdicts, from the kernel's bind rules (see pb_audit_run(3)).
 *
 * This is never on the shim's path: it may allocate and use stdio.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "abi.h"
#include "addr.h"
#include "diag.h"
#include "internal.h"
#include "netns.h"
#include "sysctl.h"
#include "table.h"
#include "text.h"

#define TCPF(s) (1u << (s))

/* How far up the process tree a descendant is looked for. */
#define MAX_DEPTH 64
/* TIME_WAIT lasts this long (TCP_TIMEWAIT_LEN): what a connection closed
   by the stop will hold the address for. */
#define TIME_WAIT_MS 60000u
/* An environment larger than this is not read through. */
#define MAX_ENVIRON ((size_t)1 << 20)
/* CAP_NET_BIND_SERVICE's bit in CapEff. */
#define CAP_BIND_BIT 10

/* A descriptor of a process that holds one of the rows. */
struct holder {
	size_t ref;		/* the row: row_at(ref) */
	int pid;
	int fd;
};

/* One socket of the table that matters to the audit. */
struct row {
	struct sockaddr_storage local;
	unsigned long long inode;
	unsigned int uid;
	unsigned int expires_ms;
	int protocol;
	int state;
	int v6only;
	int ifindex;
	unsigned int port;
	unsigned int n_procs;		/* processes holding it */
	int last_pid;			/* the walk's last one */
	size_t h_start;			/* its holders: hold[h_start...] */
};

/* A process that holds one of the rows. */
struct proc {
	int pid;
	int ppid;
	char comm[16];
	int euid;		/* -1 not read */
	int cap_bind;		/* CAP_NET_BIND_SERVICE in CapEff: 1, 0, -1 */
	int status_read;
	int env_read;
	int listen_fds;		/* LISTEN_FDS when LISTEN_PID is this pid */
};

struct pb_audit {
	size_t n;
	struct pb_audit_entry *e;
};

struct vec {
	struct row *v;
	size_t n, cap;
};

struct audit {
	struct vec items;	/* listeners, bound UDP */
	struct vec conns;	/* other TCP rows at the listening ports */
	struct vec uconns;	/* connected UDP sockets */
	struct proc *procs;
	size_t n_procs, cap_procs;
	struct holder *hold;		/* by row, then pid: one per process */
	size_t n_hold, cap_hold;
	/* pid -> ppid of the processes read that hold nothing */
	int *pc_pid, *pc_ppid;
	size_t pc_cap, pc_n;
	/* inode -> row ref, as row_at numbers them */
	unsigned long long *keys;
	size_t *vals;
	size_t hcap;
	uint8_t ports[PB__PORT_MAP_BYTES];	/* TCP listening ports */
	uint8_t reserved[PB__PORT_MAP_BYTES];
	unsigned port_lo, port_hi;
	int unpriv_start;
	int refused;		/* a /proc/PID/fd could not be read */
	int cur_pid;
	int cur_proc_added;
};

/* An array of n elements of size bytes with room for *cap, given room
   for one more (the room doubled when full, from first): the array, or
   NULL (the old one is then still the caller's). */
static void *grow(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t want = *cap ? *cap * 2 : first;
	void *q;

	if (n < *cap)
		return arr;
	q = realloc(arr, want * size);
	if (q)
		*cap = want;
	return q;
}

static int vec_push(struct vec *v, const struct row *r)
{
	struct row *p = grow(v->v, &v->cap, v->n, sizeof(*p), 64);

	if (!p)
		return -ENOMEM;
	v->v = p;
	v->v[v->n++] = *r;
	return 0;
}

static void row_of(struct row *r, const struct pb_sockent *e)
{
	memset(r, 0, sizeof(*r));
	r->local = e->local;
	r->inode = e->inode;
	r->uid = e->uid;
	r->expires_ms = e->expires_ms;
	r->protocol = e->protocol;
	r->state = e->state;
	r->v6only = e->family == AF_INET6 ? e->v6only : -1;
	r->ifindex = e->ifindex;
	r->port = pb__addr_port((const struct sockaddr *)&e->local);
}

static int on_item(const struct pb_sockent *e, void *arg)
{
	struct audit *a = arg;
	struct row r;
	int err;

	row_of(&r, e);
	if (r.port == 0)
		return 0;
	/* UDP: the unconnected sockets, what a server binds, are entries;
	   a connected one (a client's) is not, but it is on its port all
	   the same, for a restart to meet. */
	if (e->protocol == IPPROTO_UDP && e->state != PB_TCP_CLOSE)
		err = vec_push(&a->uconns, &r);
	else
		err = vec_push(&a->items, &r);
	if (err < 0)
		return err;
	if (e->protocol == IPPROTO_TCP)
		a->ports[r.port / 8] |= (uint8_t)(1u << (r.port % 8));
	return 1;
}

static int on_conn(const struct pb_sockent *e, void *arg)
{
	struct audit *a = arg;
	struct row r;
	int err;

	row_of(&r, e);
	if (!(a->ports[r.port / 8] & (1u << (r.port % 8))))
		return 0;
	err = vec_push(&a->conns, &r);
	return err < 0 ? err : 1;
}

/* ---- inode -> row */

static size_t hash_slot(const struct audit *a, unsigned long long ino)
{
	/* Fibonacci hashing: inodes are close together. */
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 20) & (a->hcap - 1);
}

/* Rows are numbered items first, then conns, then uconns. */
static struct row *row_at(const struct audit *a, size_t ref)
{
	if (ref < a->items.n)
		return &a->items.v[ref];
	ref -= a->items.n;
	if (ref < a->conns.n)
		return &a->conns.v[ref];
	return &a->uconns.v[ref - a->conns.n];
}

static int hash_build(struct audit *a)
{
	size_t rows = a->items.n + a->conns.n + a->uconns.n;
	size_t want = 2 * rows + 16, i;

	for (a->hcap = 16; a->hcap < want; a->hcap *= 2)
		;
	a->keys = calloc(a->hcap, sizeof(*a->keys));
	a->vals = calloc(a->hcap, sizeof(*a->vals));
	if (!a->keys || !a->vals)
		return -ENOMEM;
	for (i = 0; i < rows; i++) {
		const struct row *r = row_at(a, i);
		size_t s;

		if (r->inode == 0)
			continue;
		for (s = hash_slot(a, r->inode); a->keys[s] != 0;
		     s = (s + 1) & (a->hcap - 1))
			if (a->keys[s] == r->inode)
				break;
		if (a->keys[s] == r->inode)
			continue;	/* the same socket twice: the first */
		a->keys[s] = r->inode;
		a->vals[s] = i;
	}
	return 0;
}

/* The row of inode ino: 0 and its ref, or -1 when none. */
static int hash_find(const struct audit *a, unsigned long long ino,
		     size_t *ref)
{
	size_t s;

	for (s = hash_slot(a, ino); a->keys[s] != 0; s = (s + 1) & (a->hcap - 1))
		if (a->keys[s] == ino) {
			*ref = a->vals[s];
			return 0;
		}
	return -1;
}

/* ---- /proc */

/* Read a small /proc file whole: its length, or -errno. */
static ssize_t read_file(int dirfd, const char *path, char *buf, size_t size)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* ppid and comm from /proc/PID/stat: "pid (comm) S ppid ...", where comm
   may hold any byte, ')' too: the last ')' ends it.  0, or -errno. */
static int read_stat(int pid, int *ppid, char comm[16])
{
	char path[32], buf[512];
	const char *open_paren, *close_paren, *end;
	long long v;
	size_t n;

	pb__fmt(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    close_paren[1] != ' ' || !close_paren[2] || close_paren[3] != ' ')
		return -EINVAL;
	if (comm) {
		n = (size_t)(close_paren - open_paren - 1);
		if (n > 15)
			n = 15;
		memcpy(comm, open_paren + 1, n);
		comm[n] = '\0';
	}
	v = pb__parse_num(close_paren + 4, 10, INT_MAX, &end);
	if (v < 0 || *end != ' ')
		return -EINVAL;
	*ppid = (int)v;
	return 0;
}

static struct proc *proc_find(struct audit *a, int pid)
{
	size_t lo = 0, hi = a->n_procs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->procs[mid].pid == pid)
			return &a->procs[mid];
		if (a->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int proc_add(struct audit *a, int pid)
{
	struct proc *p = grow(a->procs, &a->cap_procs, a->n_procs, sizeof(*p), 32);

	if (!p)
		return -ENOMEM;
	a->procs = p;
	p = &a->procs[a->n_procs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = -1;
	p->euid = -1;
	p->cap_bind = -1;
	if (read_stat(pid, &p->ppid, p->comm) < 0)
		p->ppid = -1;
	return 0;
}

static int on_fd(struct audit *a, int dirfd, const char *name)
{
	char link[64];
	const char *end;
	long long ino, fd;
	struct holder *h;
	struct row *r;
	size_t ref;
	ssize_t len;

	len = readlinkat(dirfd, name, link, sizeof(link) - 1);
	if (len <= 9 || memcmp(link, "socket:[", 8) != 0)
		return 0;
	link[len] = '\0';
	ino = pb__parse_num(link + 8, 10, ~0ULL, &end);
	if (ino <= 0 || *end != ']')
		return 0;
	if (hash_find(a, (unsigned long long)ino, &ref) < 0)
		return 0;
	fd = pb__parse_num(name, 10, INT_MAX, &end);
	if (fd < 0 || *end != '\0')
		return 0;
	/* A process counts once, whatever descriptors it holds: the walk
	   reads one process's descriptors together. */
	r = row_at(a, ref);
	if (r->n_procs && r->last_pid == a->cur_pid)
		return 0;
	h = grow(a->hold, &a->cap_hold, a->n_hold, sizeof(*h), 256);
	if (!h)
		return -ENOMEM;
	a->hold = h;
	a->hold[a->n_hold].ref = ref;
	a->hold[a->n_hold].pid = a->cur_pid;
	a->hold[a->n_hold].fd = (int)fd;
	a->n_hold++;
	r->n_procs++;
	r->last_pid = a->cur_pid;
	if (!a->cur_proc_added) {
		int err = proc_add(a, a->cur_pid);

		if (err < 0)
			return err;
		a->cur_proc_added = 1;
	}
	return 0;
}

static int walk_proc(struct audit *a)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	int r = 0;

	if (!proc)
		return -errno;
	while (r == 0 && (de = readdir(proc)) != NULL) {
		char path[32];
		const char *end;
		long long pid = pb__parse_num(de->d_name, 10, INT_MAX, &end);
		struct dirent *fe;
		DIR *fds;
		int dfd;

		if (pid <= 0 || *end != '\0')
			continue;
		pb__fmt(path, sizeof(path), "%lld/fd", pid);
		dfd = openat(dirfd(proc), path,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			/* Gone (ENOENT, ESRCH): nothing to see.  Not ours to
			   read: the answer is partial, and says so.  Out of
			   descriptors or memory: no answer. */
			if (errno == EACCES || errno == EPERM)
				a->refused = 1;
			else if (errno == EMFILE || errno == ENFILE ||
				 errno == ENOMEM) {
				r = -errno;
				break;
			}
			continue;
		}
		fds = fdopendir(dfd);
		if (!fds) {
			/* Its fstat says ENOENT once the process is gone
			   (Linux 6.2 on counts the descriptors there). */
			int err = errno;

			close(dfd);
			if (err == ENOMEM) {
				r = -err;
				break;
			}
			continue;
		}
		a->cur_pid = (int)pid;
		a->cur_proc_added = 0;
		while (r == 0 && (fe = readdir(fds)) != NULL)
			if (fe->d_name[0] != '.')
				r = on_fd(a, dirfd(fds), fe->d_name);
		closedir(fds);
	}
	closedir(proc);
	return r;
}

static int cmp_proc(const void *x, const void *y)
{
	const struct proc *p = x, *q = y;

	return (p->pid > q->pid) - (p->pid < q->pid);
}

/* The parents of processes that hold nothing, read once each. */
static int ppid_cached(struct audit *a, int pid)
{
	size_t s, i;
	int ppid;

	if (a->pc_cap) {
		for (s = (size_t)pid * 2654435761u & (a->pc_cap - 1);
		     a->pc_pid[s] != 0; s = (s + 1) & (a->pc_cap - 1))
			if (a->pc_pid[s] == pid)
				return a->pc_ppid[s];
	}
	if (read_stat(pid, &ppid, NULL) < 0)
		ppid = -1;
	if (2 * (a->pc_n + 1) > a->pc_cap) {
		size_t cap = a->pc_cap ? a->pc_cap * 2 : 64;
		int *pids = calloc(cap, sizeof(*pids));
		int *ppids = calloc(cap, sizeof(*ppids));

		if (!pids || !ppids) {
			free(pids);
			free(ppids);
			return ppid;	/* read again next time */
		}
		for (i = 0; i < a->pc_cap; i++) {
			if (!a->pc_pid[i])
				continue;
			for (s = (size_t)a->pc_pid[i] * 2654435761u & (cap - 1);
			     pids[s] != 0; s = (s + 1) & (cap - 1))
				;
			pids[s] = a->pc_pid[i];
			ppids[s] = a->pc_ppid[i];
		}
		free(a->pc_pid);
		free(a->pc_ppid);
		a->pc_pid = pids;
		a->pc_ppid = ppids;
		a->pc_cap = cap;
	}
	for (s = (size_t)pid * 2654435761u & (a->pc_cap - 1); a->pc_pid[s] != 0;
	     s = (s + 1) & (a->pc_cap - 1))
		;
	a->pc_pid[s] = pid;
	a->pc_ppid[s] = ppid;
	a->pc_n++;
	return ppid;
}

static int ppid_of(struct audit *a, int pid)
{
	const struct proc *p = proc_find(a, pid);

	return p ? p->ppid : ppid_cached(a, pid);
}

/* Is pid the service top or one of its descendants? */
static int in_service(struct audit *a, int pid, int top)
{
	int depth;

	for (depth = 0; pid > 0 && depth < MAX_DEPTH; depth++) {
		if (pid == top)
			return 1;
		pid = ppid_of(a, pid);
	}
	return 0;
}

/* Effective uid and CAP_NET_BIND_SERVICE, from /proc/PID/status. */
#define STATUS_BUF 8192
static void read_status(struct proc *p)
{
	char path[32];
	char *buf;
	const char *s, *end;
	long long v;

	if (p->status_read)
		return;
	p->status_read = 1;
	buf = malloc(STATUS_BUF);
	if (!buf)
		return;
	pb__fmt(path, sizeof(path), "/proc/%d/status", p->pid);
	if (read_file(AT_FDCWD, path, buf, STATUS_BUF) < 0) {
		free(buf);
		return;
	}
	/* "Uid:" real, effective, saved, filesystem */
	s = strstr(buf, "\nUid:\t");
	if (s)
		s = strchr(s + 6, '\t');
	if (s) {
		v = pb__parse_num(s + 1, 10, UINT_MAX, &end);
		if (v >= 0 && *end == '\t')
			p->euid = (int)v;
	}
	s = strstr(buf, "\nCapEff:\t");
	if (s) {
		v = pb__parse_num(s + 9, 16, (unsigned long long)LLONG_MAX, &end);
		if (v >= 0 && *end == '\n')
			p->cap_bind = (int)(((unsigned long long)v >> CAP_BIND_BIT) & 1);
	}
	free(buf);
}

/* LISTEN_FDS when LISTEN_PID names this process, from the environment
   it was started with (/proc/PID/environ: root, or the same user). */
static void read_environ(struct proc *p)
{
	char path[32];
	char *buf;
	ssize_t n;
	size_t i;
	long long listen_pid = -1, listen_fds = -1;

	if (p->env_read)
		return;
	p->env_read = 1;
	buf = malloc(MAX_ENVIRON);
	if (!buf)
		return;
	pb__fmt(path, sizeof(path), "/proc/%d/environ", p->pid);
	n = read_file(AT_FDCWD, path, buf, MAX_ENVIRON);
	for (i = 0; n > 0 && i < (size_t)n; i += strlen(buf + i) + 1) {
		const char *end;

		if (!strncmp(buf + i, "LISTEN_PID=", 11))
			listen_pid = pb__parse_num(buf + i + 11, 10, INT_MAX,
						   &end);
		else if (!strncmp(buf + i, "LISTEN_FDS=", 11))
			listen_fds = pb__parse_num(buf + i + 11, 10, INT_MAX,
						   &end);
	}
	free(buf);
	if (listen_pid == p->pid && listen_fds > 0)
		p->listen_fds = (int)listen_fds;
}

/* ---- a socket's options, through a copy of its descriptor */

struct opts {
	int reuseaddr, reuseport, v6only, err;
};

static void read_opts(int pid, int fd, unsigned long long ino, int family,
		      struct opts *o)
{
	o->reuseaddr = o->reuseport = o->v6only = -1;
	o->err = 0;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	{
		struct stat st;
		int pidfd, copy, v;

		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			o->err = errno;
			return;
		}
		copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (copy < 0)
			o->err = errno;
		close(pidfd);
		if (copy < 0)
			return;
		/* The descriptor may have been closed and its number reused
		   since its link was read: only that inode answers. */
		if (fstat(copy, &st) < 0 || !S_ISSOCK(st.st_mode) ||
		    (unsigned long long)st.st_ino != ino) {
			o->err = ESRCH;
			close(copy);
			return;
		}
		if (pb__sockopt_int(copy, SOL_SOCKET, SO_REUSEADDR, &v) == 0)
			o->reuseaddr = v != 0;
		if (pb__sockopt_int(copy, SOL_SOCKET, SO_REUSEPORT, &v) == 0)
			o->reuseport = v != 0;
		if (family == AF_INET6 &&
		    pb__sockopt_int(copy, IPPROTO_IPV6, IPV6_V6ONLY, &v) == 0)
			o->v6only = v != 0;
		if (o->reuseaddr < 0 || o->reuseport < 0)
			o->err = errno;
		close(copy);
	}
#else
	(void)pid;
	(void)fd;
	(void)ino;
	(void)family;
	o->err = ENOSYS;
#endif
}

/* The options of a row through any of its holders. */
static void row_opts(const struct audit *a, const struct row *r,
		     struct opts *o)
{
	const struct holder *h = &a->hold[r->h_start];
	unsigned i;

	o->reuseaddr = o->reuseport = o->v6only = -1;
	o->err = ESRCH;
	for (i = 0; i < r->n_procs; i++) {
		read_opts(h[i].pid, h[i].fd, r->inode, r->local.ss_family, o);
		if (o->err == 0)
			return;
	}
}

/* ---- verdicts */

/* Three-valued logic: 1 yes, 0 no, -1 not known. */
static int tri_and(int x, int y)
{
	if (x == 0 || y == 0)
		return 0;
	return x == 1 && y == 1 ? 1 : -1;
}

static int tri_or(int x, int y)
{
	if (x == 1 || y == 1)
		return 1;
	return x == 0 && y == 0 ? 0 : -1;
}

/*
 * Does a new socket with the options (ra, rp) and the uid pass a socket
 * left on the address with (ra2, rp2, uid2) in state state2?  As
 * inet_bind_conflict(): SO_REUSEADDR on both passes any state but LISTEN;
 * SO_REUSEPORT on both passes TIME_WAIT, and the rest when the uids are
 * equal.
 */
static int passes(int ra, int rp, unsigned uid, int ra2, int rp2,
		  unsigned uid2, int state2)
{
	int by_addr = state2 == PB_TCP_LISTEN ? 0 : tri_and(ra, ra2);
	int by_port = tri_and(rp, rp2);

	if (by_port == 1 && state2 != PB_TCP_TIME_WAIT && uid != uid2)
		by_port = 0;
	return tri_or(by_addr, by_port);
}

/*
 * A "no" of the rule, for a new socket with SO_REUSEPORT, against
 * another service's socket: Linux keeps, per port, a shortcut for
 * SO_REUSEPORT (the bind bucket's fastreuseport, set by an earlier
 * socket with the option), and a socket that matches it binds without
 * the conflict check against the others.  Whether it is set turns on
 * the order in which sockets bound, which no table shows: not known.
 */
static int fast_path(const struct pb_audit_entry *e, int pass)
{
	return pass == 0 && e->reuseport == 1 ? -1 : pass;
}

/* What one left-over socket does to the restart. */
struct judged {
	int maybe;		/* the row may not meet the address: a "no"
				   is not known */
	int fail_no, wait_no, unknown;
	unsigned fail_blocks, wait_blocks, unknown_blocks;
	unsigned until_ms;
};

static void judge(struct judged *j, int pass, unsigned block, int ends,
		  unsigned until_ms)
{
	if (pass == 1)
		return;
	if (pass == -1 || j->maybe) {
		j->unknown = 1;
		j->unknown_blocks |= block;
		return;
	}
	if (!ends) {
		j->fail_no = 1;
		j->fail_blocks |= block;
		return;
	}
	j->wait_no = 1;
	j->wait_blocks |= block;
	if (until_ms > j->until_ms)
		j->until_ms = until_ms;
}

/* Closing the connection at the stop leaves TIME_WAIT: a connection this
   side has not yet seen the peer close.  One the peer closed first
   (CLOSE_WAIT, LAST_ACK) ends without it. */
static int leaves_time_wait(int state)
{
	return state != PB_TCP_CLOSE_WAIT && state != PB_TCP_LAST_ACK &&
	       state != PB_TCP_CLOSE && state != PB__TCP_BOUND_INACTIVE;
}

static int is_set(const uint8_t *map, unsigned port)
{
	return (map[port / 8] >> (port % 8)) & 1;
}

/* The conns at the port: conns[] is sorted by port. */
static size_t first_at(const struct vec *c, unsigned port)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->v[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_proto_port(const void *x, const void *y)
{
	const struct row *p = x, *q = y;

	if (p->protocol != q->protocol)
		return p->protocol < q->protocol ? -1 : 1;
	return (p->port > q->port) - (p->port < q->port);
}

static int cmp_holder(const void *x, const void *y)
{
	const struct holder *p = x, *q = y;

	if (p->ref != q->ref)
		return p->ref < q->ref ? -1 : 1;
	return (p->pid > q->pid) - (p->pid < q->pid);
}

/* Each row's holders together, by pid: hold[h_start...]. */
static void index_holders(struct audit *a)
{
	size_t i;

	if (a->n_hold == 0)
		return;
	qsort(a->hold, a->n_hold, sizeof(*a->hold), cmp_holder);
	for (i = a->n_hold; i-- > 0; )
		row_at(a, a->hold[i].ref)->h_start = i;
}

static int cmp_port(const void *x, const void *y)
{
	const struct row *p = x, *q = y;

	return (p->port > q->port) - (p->port < q->port);
}

/* Sockets bound to two different devices (SO_BINDTODEVICE) never meet. */
static int other_device(const struct row *x, const struct row *y)
{
	return x->ifindex && y->ifindex && x->ifindex != y->ifindex;
}

/* The first entry of the protocol at the port: items[] is sorted by
   protocol, then port. */
static size_t items_first(const struct audit *a, int protocol,
			  unsigned port)
{
	size_t lo = 0, hi = a->items.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct row *r = &a->items.v[mid];

		if (r->protocol < protocol ||
		    (r->protocol == protocol && r->port < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Every holder of r inside the service of top? */
static int all_in_service(struct audit *a, const struct row *r, int top)
{
	const struct holder *h = &a->hold[r->h_start];
	unsigned i;

	if (r->n_procs == 0 || top <= 0)
		return 0;
	for (i = 0; i < r->n_procs; i++)
		if (!in_service(a, h[i].pid, top))
			return 0;
	return 1;
}

/* A process holding r outside the service of top (any holder when
   top is 0); 0 when none. */
static int outside_holder(struct audit *a, const struct row *r, int top)
{
	const struct holder *h = &a->hold[r->h_start];
	unsigned i;

	for (i = 0; i < r->n_procs; i++)
		if (top <= 0 || !in_service(a, h[i].pid, top))
			return h[i].pid;
	return 0;
}

/* Does pid hold r?  Its holders are sorted by pid. */
static int holds(const struct audit *a, const struct row *r, int pid)
{
	size_t lo = r->h_start, hi = r->h_start + r->n_procs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->hold[mid].pid == pid)
			return 1;
		if (a->hold[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int is_systemd(struct audit *a, int pid)
{
	const struct proc *p = proc_find(a, pid);

	return p && !strcmp(p->comm, "systemd");
}

/*
 * The service of a socket: the holder none of whose ancestors holds it
 * (the lowest such pid when there are several: unrelated holders).  A
 * systemd that runs as pid 1 and holds it beside others is the service
 * manager that passed it (init_too), not the service.
 */
static int service_of(struct audit *a, const struct row *r, int *init_too)
{
	const struct holder *h = &a->hold[r->h_start];
	unsigned i;
	int best = 0;

	*init_too = 0;
	for (i = 0; i < r->n_procs; i++) {
		int pid = h[i].pid, up = pid, depth, top = 1;

		if (pid == 1 && r->n_procs > 1 && is_systemd(a, 1)) {
			*init_too = 1;
			continue;
		}
		for (depth = 0; depth < MAX_DEPTH; depth++) {
			up = ppid_of(a, up);
			if (up <= 0 || (up == 1 && *init_too))
				break;
			if (holds(a, r, up)) {
				top = 0;
				break;
			}
		}
		if (top && (best == 0 || pid < best))
			best = pid;
	}
	if (best == 0 && r->n_procs)
		best = h[0].pid;
	return best;
}

static void audit_entry(struct audit *a, const struct row *it,
			struct pb_audit_entry *e)
{
	const struct holder *hold = &a->hold[it->h_start];
	struct judged j;
	struct opts o = { -1, -1, -1, ESRCH };
	struct proc *svc = NULL;
	int init_too = 0, top, inherited = 0, share;
	unsigned i;
	size_t c;

	memset(e, 0, sizeof(*e));
	memset(&j, 0, sizeof(j));
	e->size = sizeof(*e);
	e->protocol = it->protocol;
	e->uid = it->uid;
	e->inode = it->inode;
	e->local = it->local;
	e->fd = -1;
	e->n_procs = it->n_procs;
	e->service_uid = -1;

	top = service_of(a, it, &init_too);
	if (top > 0) {
		e->pid = top;
		svc = proc_find(a, top);
		for (i = 0; i < it->n_procs; i++)
			if (hold[i].pid == top) {
				e->fd = hold[i].fd;
				break;
			}
		if (svc) {
			memcpy(e->comm, svc->comm, sizeof(e->comm));
			read_status(svc);
			e->service_uid = svc->euid;
		}
		read_opts(top, e->fd, it->inode, it->local.ss_family, &o);
		if (o.err != 0 && it->n_procs > 1) {
			struct opts other;

			row_opts(a, it, &other);
			if (other.err == 0)
				o = other;
		}
	} else {
		/* No process found: none to restart, or one this process may
		   not look into (not root).  Whoever holds the socket may
		   keep it through the restart: unknown, unless the options
		   that would pass it are known (they are not). */
		o.err = a->refused ? EACCES : ESRCH;
	}
	e->reuseaddr = o.reuseaddr;
	e->reuseport = o.reuseport;
	e->options_err = o.err;
	e->v6only = it->local.ss_family == AF_INET6
		    ? (o.v6only >= 0 ? o.v6only : it->v6only) : -1;

	/* Socket activation: the socket was passed in, or the service
	   manager (pid 1) keeps it too. */
	if (svc && e->fd >= PB_LISTEN_FDS_START) {
		read_environ(svc);
		inherited = svc->listen_fds > 0 &&
			    e->fd < PB_LISTEN_FDS_START + svc->listen_fds;
	}
	/* A socket unit waiting for its service: systemd alone holds it. */
	if (init_too || (top == 1 && is_systemd(a, 1)))
		inherited = 1;
	if (inherited)
		e->hazards |= PB_HAZARD_INHERITED;

	/* The socket itself, held on by processes outside the service: it
	   stays, and the new socket binds beside it only if it may share
	   it (SO_REUSEPORT; on UDP SO_REUSEADDR too).  When some processes
	   could not be looked into (not root), one of them may hold it. */
	share = tri_or(e->reuseport,
		       it->protocol == IPPROTO_UDP ? e->reuseaddr : 0);
	if (top > 0 && !inherited) {
		for (i = 0; i < it->n_procs; i++) {
			int pid = hold[i].pid;

			if ((pid == 1 && init_too) || in_service(a, pid, top))
				continue;
			if (share == 1) {
				e->hazards |= PB_HAZARD_SHARED;
				if (!e->shared_pid)
					e->shared_pid = pid;
				continue;
			}
			e->n_outliving++;
			if (!e->outliving_pid)
				e->outliving_pid = pid;
			judge(&j, share, PB_BLOCK_OUTLIVING, 0, 0);
		}
		if (a->refused)
			judge(&j, share == 1 ? 1 : -1, PB_BLOCK_OUTLIVING, 0, 0);
	}

	/* No process found: none to restart, or none this process may look
	   into (not root).  Whoever holds the socket may keep it. */
	if (top == 0)
		judge(&j, -1, PB_BLOCK_OUTLIVING, 0, 0);

	/* Other entries at the port, of other services: they stay.  That
	   they bound beside this one does not say that it can bind beside
	   them: the kernel's order matters (a [::] socket that is not
	   IPV6_V6ONLY binds beside a listener on 0.0.0.0, which then
	   cannot bind again beside it).  So the rule decides, with their
	   options: shared (SO_REUSEPORT; on UDP SO_REUSEADDR too), or a
	   holder that stops it. */
	for (c = items_first(a, it->protocol, it->port);
	     c < a->items.n && a->items.v[c].protocol == it->protocol &&
	     a->items.v[c].port == it->port; c++) {
		const struct row *o2 = &a->items.v[c];
		struct opts oo;
		int pass, pid2;

		if (o2 == it || o2->inode == it->inode ||
		    other_device(it, o2) ||
		    !pb__addr_overlaps(&it->local, e->v6only, &o2->local,
				       o2->v6only, it->protocol))
			continue;
		if (top > 0 && all_in_service(a, o2, top))
			continue;	/* the service's own: closed too */
		pid2 = outside_holder(a, o2, top);
		row_opts(a, o2, &oo);
		pass = passes(e->reuseaddr, e->reuseport, it->uid,
			      oo.reuseaddr, oo.reuseport, o2->uid, o2->state);
		if (pass == 1) {
			e->hazards |= PB_HAZARD_SHARED;
			if (!e->shared_pid)
				e->shared_pid = pid2;
			continue;
		}
		e->n_outliving++;
		if (!e->outliving_pid)
			e->outliving_pid = pid2;
		judge(&j, fast_path(e, pass), PB_BLOCK_HOLDER, 0, 0);
	}

	/* UDP: connected sockets of other services on the address stay,
	   and the kernel checks them as it checks the unconnected ones. */
	if (it->protocol == IPPROTO_UDP && !inherited) {
		for (c = first_at(&a->uconns, it->port);
		     c < a->uconns.n && a->uconns.v[c].port == it->port; c++) {
			const struct row *r = &a->uconns.v[c];
			struct opts o2;

			int ov = pb__addr_overlaps(&it->local, e->v6only,
						   &r->local, r->v6only,
						   IPPROTO_UDP);

			if (!ov || other_device(it, r) ||
			    (top > 0 && all_in_service(a, r, top)))
				continue;
			j.maybe = ov == PB__OVERLAP_MAYBE;
			e->n_outliving++;
			if (!e->outliving_pid)
				e->outliving_pid = outside_holder(a, r, top);
			row_opts(a, r, &o2);
			judge(&j, fast_path(e, passes(e->reuseaddr, e->reuseport,
						      it->uid, o2.reuseaddr,
						      o2.reuseport, r->uid,
						      r->state)),
			      PB_BLOCK_HOLDER, 0, 0);
		}
	}

	/* TCP: what is left on the address once the service has stopped. */
	if (it->protocol == IPPROTO_TCP && !inherited) {
		int own_pass = tri_or(e->reuseaddr, e->reuseport);

		for (c = first_at(&a->conns, it->port);
		     c < a->conns.n && a->conns.v[c].port == it->port; c++) {
			const struct row *r = &a->conns.v[c];
			struct opts o2 = { -1, -1, -1, ESRCH };
			int ov, read = 0;

			if (other_device(it, r))
				continue;
			ov = pb__addr_overlaps(&it->local, e->v6only, &r->local,
					       r->v6only, IPPROTO_TCP);
			/* It turns on the row's IPV6_V6ONLY, which the table
			   shows only for listening and bound sockets: read it
			   from a holder; else the row is judged unknown (it may
			   not meet the address at all). */
			if (ov == PB__OVERLAP_MAYBE && r->n_procs) {
				row_opts(a, r, &o2);
				read = 1;
				if (o2.v6only >= 0)
					ov = pb__addr_overlaps(&it->local, e->v6only,
							       &r->local, o2.v6only,
							       IPPROTO_TCP);
			}
			if (!ov)
				continue;
			j.maybe = ov == PB__OVERLAP_MAYBE;
			if (r->state == PB_TCP_TIME_WAIT) {
				/* It carries the options of the socket it was:
				   the listener's, for an accepted one. */
				e->n_time_wait++;
				if (r->expires_ms > e->time_wait_ms)
					e->time_wait_ms = r->expires_ms;
				judge(&j, own_pass, PB_BLOCK_TIME_WAIT, 1,
				      r->expires_ms);
			} else if (r->n_procs == 0) {
				/* Closing with no process (inode 0) or held by
				   none: it goes by itself, into TIME_WAIT.  Held
				   by a process this one cannot see (not root):
				   it may outlive the service, and only options
				   that pass it anyway settle it. */
				int seen = r->inode == 0 || !a->refused;

				e->n_connections++;
				judge(&j, seen || own_pass == 1 ? own_pass : -1,
				      PB_BLOCK_CONNECTIONS, 1, TIME_WAIT_MS);
			} else if (top > 0 && all_in_service(a, r, top)) {
				e->n_connections++;
				if (leaves_time_wait(r->state))
					judge(&j, own_pass, PB_BLOCK_CONNECTIONS,
					      1, TIME_WAIT_MS);
			} else {
				/* sock_diag says CLOSE for a bound-only socket
				   (and for a connection caught closing). */
				int bound = r->state == PB_TCP_CLOSE;

				e->n_outliving++;
				if (!e->outliving_pid)
					e->outliving_pid = a->hold[r->h_start].pid;
				if (!read)
					row_opts(a, r, &o2);
				judge(&j, fast_path(e, passes(e->reuseaddr,
						 e->reuseport, it->uid,
						 o2.reuseaddr, o2.reuseport,
						 r->uid, r->state)),
				      bound ? PB_BLOCK_HOLDER : PB_BLOCK_OUTLIVING,
				      0, 0);
			}
		}
	}

	j.maybe = 0;
	if (j.fail_no) {
		e->verdict = PB_RESTART_FAIL;
		e->blocks = j.fail_blocks | j.wait_blocks;
	} else if (j.wait_no) {
		e->verdict = PB_RESTART_WAIT;
		e->blocks = j.wait_blocks;
		e->until_ms = j.until_ms;
	} else if (j.unknown) {
		e->verdict = PB_RESTART_UNKNOWN;
		e->blocks = j.unknown_blocks;
	} else {
		e->verdict = PB_RESTART_OK;
	}

	if (it->port >= a->port_lo && it->port <= a->port_hi &&
	    a->port_lo > 0 && !is_set(a->reserved, it->port))
		e->hazards |= PB_HAZARD_EPHEMERAL;
	if (a->unpriv_start > 0 && it->port < (unsigned)a->unpriv_start &&
	    svc && svc->euid > 0 && svc->cap_bind == 0 && !inherited)
		e->hazards |= PB_HAZARD_PRIVILEGED;
}

/* ---- order: worst service first */

struct ranked {
	struct pb_audit_entry e;
	int service_worst;
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *p = x, *q = y;
	unsigned pp, qp;

	if (p->service_worst != q->service_worst)
		return q->service_worst - p->service_worst;
	/* "No process" after the services with one. */
	if (p->e.pid != q->e.pid) {
		if (p->e.pid == 0 || q->e.pid == 0)
			return p->e.pid == 0 ? 1 : -1;
		return p->e.pid < q->e.pid ? -1 : 1;
	}
	if (p->e.verdict != q->e.verdict)
		return q->e.verdict - p->e.verdict;
	if (p->e.protocol != q->e.protocol)
		return p->e.protocol < q->e.protocol ? -1 : 1;
	pp = pb__addr_port((const struct sockaddr *)&p->e.local);
	qp = pb__addr_port((const struct sockaddr *)&q->e.local);
	if (pp != qp)
		return pp < qp ? -1 : 1;
	if (p->e.local.ss_family != q->e.local.ss_family)
		return p->e.local.ss_family < q->e.local.ss_family ? -1 : 1;
	return (p->e.inode > q->e.inode) - (p->e.inode < q->e.inode);
}

static int cmp_by_pid(const void *x, const void *y)
{
	const struct ranked *p = x, *q = y;

	return (p->e.pid > q->e.pid) - (p->e.pid < q->e.pid);
}

static int rank(struct ranked *r, size_t n)
{
	size_t i, k;

	qsort(r, n, sizeof(*r), cmp_by_pid);
	for (i = 0; i < n; i = k) {
		int worst = r[i].e.verdict;

		for (k = i; k < n && r[k].e.pid == r[i].e.pid; k++)
			if (r[k].e.verdict > worst)
				worst = r[k].e.verdict;
		while (i < k)
			r[i++].service_worst = worst;
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	return 0;
}

/* ---- the run */

static void audit_free_work(struct audit *a)
{
	free(a->items.v);
	free(a->conns.v);
	free(a->uconns.v);
	free(a->procs);
	free(a->hold);
	free(a->pc_pid);
	free(a->pc_ppid);
	free(a->keys);
	free(a->vals);
}

static int read_tables(struct audit *a)
{
	struct pb_portsel sel = { 0, 1, 65535 };
	unsigned lo = 65536, hi = 0, p;
	int r;

	r = pb__table_read(IPPROTO_TCP, TCPF(PB_TCP_LISTEN), &sel, 0, on_item,
			   a);
	if (r < 0)
		return r;
	r = pb__table_read(IPPROTO_UDP, TCPF(PB_TCP_CLOSE) |
			   TCPF(PB_TCP_ESTABLISHED), &sel, 0, on_item, a);
	if (r < 0)
		return r;
	if (a->uconns.n > 0)
		qsort(a->uconns.v, a->uconns.n, sizeof(*a->uconns.v), cmp_port);
	/* qsort's base may not be NULL, even for no element (C11 7.22.5). */
	if (a->items.n > 0)
		qsort(a->items.v, a->items.n, sizeof(*a->items.v), cmp_proto_port);
	for (p = 1; p < 65536; p++)
		if (is_set(a->ports, p)) {
			if (p < lo)
				lo = p;
			hi = p;
		}
	if (hi == 0)
		return 0;	/* no listener: no connection to look at */
	sel.lo = lo;
	sel.hi = hi;
	r = pb__table_read(IPPROTO_TCP, PB__ALL_STATES & ~TCPF(PB_TCP_LISTEN),
			   &sel, 0, on_conn, a);
	if (r < 0)
		return r;
	if (a->conns.n > 0)
		qsort(a->conns.v, a->conns.n, sizeof(*a->conns.v), cmp_port);
	return 0;
}

static int run(void *arg)
{
	struct pb_audit **out = arg;
	struct audit *a = calloc(1, sizeof(*a));
	struct ranked *ranked = NULL;
	struct pb_audit *res = NULL;
	size_t i;
	int r;

	if (!a)
		return -ENOMEM;
	if (pb__sysctl_range("net.ipv4.ip_local_port_range", &a->port_lo,
			     &a->port_hi) < 0)
		a->port_lo = a->port_hi = 0;
	if (pb__reserved_map(a->reserved) < 0)
		memset(a->reserved, 0, sizeof(a->reserved));
	if (pb__sysctl_int("net.ipv4.ip_unprivileged_port_start",
			   &a->unpriv_start) < 0)
		a->unpriv_start = -1;

	r = read_tables(a);
	if (r == 0)
		r = hash_build(a);
	if (r == 0)
		r = walk_proc(a);
	if (r < 0)
		goto out;
	if (a->n_procs > 0)
		qsort(a->procs, a->n_procs, sizeof(*a->procs), cmp_proc);
	index_holders(a);

	res = calloc(1, sizeof(*res));
	ranked = calloc(a->items.n ? a->items.n : 1, sizeof(*ranked));
	if (!res || !ranked) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < a->items.n; i++)
		audit_entry(a, &a->items.v[i], &ranked[i].e);
	rank(ranked, a->items.n);
	res->e = calloc(a->items.n ? a->items.n : 1, sizeof(*res->e));
	if (!res->e) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < a->items.n; i++)
		res->e[i] = ranked[i].e;
	res->n = a->items.n;
	*out = res;
	res = NULL;
	r = 0;
out:
	free(ranked);
	if (res)
		free(res->e);
	free(res);
	audit_free_work(a);
	free(a);
	return r;
}

PB_EXPORT int pb_audit_run(int netns_fd, unsigned flags, struct pb_audit **out)
{
	int saved = errno;
	int r;

	if (!out)
		return pb__ret(-EINVAL);
	*out = NULL;
	if (flags != 0)
		return pb__ret(-EINVAL);
	r = pb__in_netns(netns_fd, run, out);
	if (r >= 0)
		errno = saved;
	return pb__ret(r);
}

PB_EXPORT size_t pb_audit_count(const struct pb_audit *a)
{
	return a ? a->n : 0;
}

PB_EXPORT int pb_audit_get(const struct pb_audit *a, size_t i,
			   struct pb_audit_entry *out)
{
	if (!a || !out || pb__abi_check(out->size, PB__AUDIT_ENTRY_SIZE_0_1) < 0)
		return pb__ret(-EINVAL);
	if (i >= a->n)
		return pb__ret(-ERANGE);
	pb__abi_copy_out(out, out->size, &a->e[i], sizeof(a->e[i]));
	return 0;
}

PB_EXPORT void pb_audit_free(struct pb_audit *a)
{
	int saved = errno;

	if (a) {
		free(a->e);
		free(a);
	}
	errno = saved;
}

PB_EXPORT const char *pb_restart_name(enum pb_restart r)
{
	static const char *const names[] = { "ok", "unknown", "wait", "fail" };

	return (unsigned)r < PB_ARRAY_SIZE(names) ? names[r] : "?";
}

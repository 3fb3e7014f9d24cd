/* SPDX-License-Identifier: MIT */
/*
 * activate.c - inherited listeners: socket activation (the LISTEN_FDS
 * protocol of sd_listen_fds(3), without libsystemd), and adopting them or
 * the descriptors a hand-off brought (handoff.c returns those in the
 * caller's struct pb_fdset, never in the environment).
 *
 * Socket activation's channel is the environment: these functions read it
 * as it is when called and keep nothing; only pb_listen_fds, asked to,
 * changes it.  getenv races with a setenv, unsetenv or putenv in another
 * thread (C gives it no lock): the caller keeps those apart, as
 * sd_listen_fds(3) says too.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi.h"
#include "activate.h"
#include "addr.h"
#include "internal.h"

/* Digits only, no sign or space, at most max. */
static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!s || !*s)
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		unsigned long d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned long)(s[i] - '0');
		/* A digit above a max under 10 too (max - d would wrap). */
		if (d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The highest descriptor number this process may have, plus one. */
static unsigned long fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > INT_MAX)
		return INT_MAX;
	return (unsigned long)rl.rlim_cur;
}

/*
 * The socket-activation set: 0 and *n = 0 when there is none for this
 * process, 0 and *n when there is, -EINVAL when malformed.
 */
static int activation_set(unsigned long *n)
{
	const char *pid_s = getenv("LISTEN_PID");
	const char *fds_s = getenv("LISTEN_FDS");
	unsigned long pid, lim;

	*n = 0;
	if (!pid_s)
		return 0;
	if (parse_ulong(pid_s, INT_MAX, &pid) < 0 || pid == 0)
		return -EINVAL;
	if ((pid_t)pid != getpid())
		return 0;	/* meant for another process: not ours */
	if (!fds_s)
		return 0;
	/* A count that reaches past what this process may open cannot be
	   real: refused before any descriptor is touched.  A limit of 3 or
	   less leaves room for none. */
	lim = fd_limit();
	if (parse_ulong(fds_s, lim > PB_LISTEN_FDS_START ?
			lim - PB_LISTEN_FDS_START : 0, n) < 0)
		return -EINVAL;
	return 0;
}

PB_EXPORT int pb_listen_fds(int unset_environment)
{
	unsigned long n, i;
	int r = activation_set(&n);

	if (r == 0) {
		/* Every descriptor must be there before any is adopted. */
		for (i = 0; i < n; i++)
			if (fcntl(PB_LISTEN_FDS_START + (int)i, F_GETFD) < 0) {
				r = -EBADF;
				break;
			}
	}
	if (r == 0) {
		for (i = 0; i < n; i++) {
			int fd = PB_LISTEN_FDS_START + (int)i;
			int fl = fcntl(fd, F_GETFD);

			if (fl >= 0 && !(fl & FD_CLOEXEC))
				fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
		}
		r = (int)n;
	}
	if (unset_environment) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	return pb__ret(r);
}

/* The k-th field of a sep-separated list: its start and length. */
static int nth_field(const char *list, char sep, unsigned long k,
		     const char **start, size_t *len)
{
	const char *p = list, *end;

	if (!list)
		return -ENOENT;
	for (;;) {
		end = strchr(p, sep);
		if (k == 0) {
			*start = p;
			*len = end ? (size_t)(end - p) : strlen(p);
			return 0;
		}
		if (!end)
			return -ENOENT;
		p = end + 1;
		k--;
	}
}

/* One inherited descriptor and its name (not NUL-terminated). */
struct inherited {
	int fd;
	const char *name;
	size_t namelen;
};

typedef int (*inherited_fn)(const struct inherited *in, void *arg);

/* Call fn for each descriptor of the activation set.  Stops at fn's
   first non-zero result and returns it. */
static int for_each_inherited(inherited_fn fn, void *arg)
{
	const char *names = getenv("LISTEN_FDNAMES");
	struct inherited in;
	unsigned long n, i;
	int r;

	if (activation_set(&n) == 0) {
		for (i = 0; i < n; i++) {
			in.fd = PB_LISTEN_FDS_START + (int)i;
			if (nth_field(names, ':', i, &in.name, &in.namelen) < 0) {
				in.name = "";
				in.namelen = 0;
			}
			r = fn(&in, arg);
			if (r)
				return r;
		}
	}
	return 0;
}

struct name_query {
	int fd;
	char *buf;
	size_t size;
};

static int name_of(const struct inherited *in, void *arg)
{
	struct name_query *q = arg;

	if (in->fd != q->fd)
		return 0;
	if (in->namelen == 0)
		return -ENOENT;
	if (in->namelen >= q->size)
		return -ENOSPC;
	memcpy(q->buf, in->name, in->namelen);
	q->buf[in->namelen] = '\0';
	return 1;
}

PB_EXPORT int pb_listen_fd_name(int fd, char *buf, size_t size)
{
	struct name_query q = { fd, buf, size };
	int r;

	/* Whatever the outcome, buf is a string: "" on failure. */
	if (buf && size)
		buf[0] = '\0';
	if (fd < 0 || !buf || size == 0)
		return pb__ret(-EINVAL);
	r = for_each_inherited(name_of, &q);
	return pb__ret(r == 1 ? 0 : r < 0 ? r : -ENOENT);
}

/* 1, 0, or -errno. */
static int fd_matches(int fd, int type, const struct pb_spec *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int v, v6only = -1;

	memset(&ss, 0, sizeof(ss));
	if (pb__sockopt_int(fd, SOL_SOCKET, SO_TYPE, &v) < 0)
		return -errno;
	if (v != type)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return 0;
	if (ss.ss_family == AF_INET6 &&
	    pb__sockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only) < 0)
		return -errno;	/* GCOVR_EXCL_LINE: an AF_INET6 socket has it; SO_TYPE just succeeded on fd */
	if (pb__addr_port((const struct sockaddr *)&s->ss) != 0 &&
	    pb__addr_port((struct sockaddr *)&ss) !=
	    pb__addr_port((const struct sockaddr *)&s->ss))
		return 0;

	if (s->dual) {
		/* "*:p": the dual-stack wildcard, or 0.0.0.0 on a host
		   without IPv6, where that is what "*" binds. */
		if (ss.ss_family == AF_INET6) {
			if (!IN6_IS_ADDR_UNSPECIFIED(
				    &((struct sockaddr_in6 *)&ss)->sin6_addr) ||
			    v6only != 0)
				return 0;
		} else if (((struct sockaddr_in *)&ss)->sin_addr.s_addr !=
				   htonl(INADDR_ANY) || pb__have_ipv6()) {
			return 0;
		}
	} else if (ss.ss_family != s->ss.ss_family) {
		return 0;
	} else if (ss.ss_family == AF_INET) {
		if (((struct sockaddr_in *)&ss)->sin_addr.s_addr !=
		    ((const struct sockaddr_in *)&s->ss)->sin_addr.s_addr)
			return 0;
	} else {
		const struct in6_addr *want =
			&((const struct sockaddr_in6 *)&s->ss)->sin6_addr;

		if (memcmp(&((struct sockaddr_in6 *)&ss)->sin6_addr, want,
			   sizeof(*want)) != 0)
			return 0;
		/* "[::]:p" is IPv6 only; a dual-stack [::] is "*:p". */
		if (IN6_IS_ADDR_UNSPECIFIED(want) && v6only != 1)
			return 0;
	}
	if (type == SOCK_STREAM) {
		if (pb__sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN, &v) < 0)
			return -errno;	/* GCOVR_EXCL_LINE: every socket has it; SO_TYPE just succeeded on fd */
		if (!v)
			return 0;
	}
	return 1;
}

PB_EXPORT int pb_fd_matches(int fd, int type, const char *spec)
{
	struct pb_spec s;
	int r;

	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return pb__ret(-EINVAL);
	r = pb__parse_spec(spec, &s);
	if (r < 0)
		return pb__ret(r);
	return pb__ret(fd_matches(fd, type, &s));
}

/*
 * A socket a server can use as it is: an IPv4 or IPv6 socket that listens
 * (its type, SOCK_STREAM or SOCK_SEQPACKET), or a datagram socket bound to
 * a port (SOCK_DGRAM).  0 for anything else, a descriptor that is no
 * socket among them; -errno when a query fails otherwise.  getsockopt
 * comes first, not fstat: on a descriptor that is no socket it fails
 * (ENOTSOCK) without asking its file system anything, which a FUSE file
 * system served by a hand-off peer could make wait.
 */
int pb__server_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int domain, type, on;

	if (pb__sockopt_int(fd, SOL_SOCKET, SO_DOMAIN, &domain) < 0)
		return errno == ENOTSOCK ? 0 : -errno;
	if (pb__sockopt_int(fd, SOL_SOCKET, SO_TYPE, &type) < 0)
		return -errno;	/* GCOVR_EXCL_LINE: SO_DOMAIN just succeeded on fd */
	if (domain != AF_INET && domain != AF_INET6)
		return 0;
	if (type == SOCK_STREAM || type == SOCK_SEQPACKET) {
		if (pb__sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN, &on) < 0)
			return -errno;	/* GCOVR_EXCL_LINE: SO_DOMAIN just succeeded on fd */
		return on ? type : 0;
	}
	if (type != SOCK_DGRAM)
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	return pb__addr_port((struct sockaddr *)&ss) != 0 ? SOCK_DGRAM : 0;
}

struct adopt_query {
	int type;
	const struct pb_spec *spec;	/* NULL: by name alone */
	const char *name;
	int fd;
};

static int adopt_one(const struct inherited *in, void *arg)
{
	struct adopt_query *q = arg;

	if (q->name && (strlen(q->name) != in->namelen ||
			memcmp(q->name, in->name, in->namelen) != 0))
		return 0;
	if (q->spec) {
		if (fd_matches(in->fd, q->type, q->spec) != 1)
			return 0;
	} else if (pb__server_socket(in->fd) != q->type) {
		/* By name alone: still a socket of the type asked for, that
		   a server can use as it is.  A number a program reused for
		   a connection, a fresh socket or its own Unix control
		   socket is not what the variables describe. */
		return 0;
	}
	q->fd = in->fd;
	return 1;
}

/* FD_CLOEXEC on fd: 0, or -errno. */
static int set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -errno;
	if (!(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -errno;	/* GCOVR_EXCL_LINE: F_GETFD just succeeded on fd */
	return 0;
}

/* The adopted fd, or -errno; used by pb_listen's PB_ADOPT too. */
int pb__adopt(int type, const struct pb_spec *spec, const char *name)
{
	struct adopt_query q = { type, spec, name, -1 };
	int r, saved = errno;

	/* Descriptors passed over (closed, not sockets) fail their checks
	   with an errno that is not the caller's business. */
	if (for_each_inherited(adopt_one, &q) != 1) {
		errno = saved;
		return -ENOENT;
	}
	r = set_cloexec(q.fd);
	if (r < 0)
		return r;
	errno = saved;
	return q.fd;
}

/* type and spec as pb_adopt checks them, spec parsed into *s. */
static int adopt_args(int type, const char *spec, const char *name,
		      struct pb_spec *s)
{
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return -EINVAL;
	if (!spec && !name)
		return -EINVAL;
	return spec ? pb__parse_spec(spec, s) : 0;
}

PB_EXPORT int pb_adopt(int type, const char *spec, const char *name)
{
	struct pb_spec s;
	int r = adopt_args(type, spec, name, &s);

	if (r < 0)
		return pb__ret(r);
	return pb__ret(pb__adopt(type, spec ? &s : NULL, name));
}

/* ---- a hand-off's set, the caller's memory */

/* set is a struct pb_fdset from PB_FDSET_INIT (of this release or a later
   one) whose count fits its array: 0, or -EINVAL. */
int pb__fdset_check(const struct pb_fdset *set)
{
	if (!set || pb__abi_check(set->size, PB__FDSET_SIZE_0_1) < 0 ||
	    set->n > PB_HANDOFF_MAX)
		return -EINVAL;
	return 0;
}

/* Entry i of set, seen as an inherited descriptor: its name must end
   inside its room (the caller's memory: never read past it). */
static void set_entry(const struct pb_fdset *set, unsigned i,
		      struct inherited *in)
{
	const char *end = memchr(set->names[i], '\0', PB_FDNAME_MAX);

	in->fd = set->fds[i];
	in->name = set->names[i];
	in->namelen = end ? (size_t)(end - set->names[i]) : PB_FDNAME_MAX;
}

PB_EXPORT int pb_fdset_adopt(struct pb_fdset *set, int type, const char *spec,
			     const char *name)
{
	struct adopt_query q;
	struct inherited in;
	struct pb_spec s;
	unsigned i;
	int r, saved = errno;

	r = pb__fdset_check(set);
	if (r == 0)
		r = adopt_args(type, spec, name, &s);
	if (r < 0)
		return pb__ret(r);
	q.type = type;
	q.spec = spec ? &s : NULL;
	q.name = name;
	q.fd = -1;
	for (i = 0; i < set->n; i++) {
		if (set->fds[i] < 0)
			continue;	/* adopted or closed already */
		set_entry(set, i, &in);
		if (adopt_one(&in, &q) != 1)
			continue;
		r = set_cloexec(q.fd);
		if (r < 0)
			return pb__ret(r);
		set->fds[i] = -1;	/* the caller's now, and only once */
		errno = saved;
		return q.fd;
	}
	errno = saved;
	return pb__ret(-ENOENT);
}

PB_EXPORT int pb_fdset_close(struct pb_fdset *set)
{
	unsigned i;
	int saved = errno;

	if (pb__fdset_check(set) < 0)
		return pb__ret(-EINVAL);
	for (i = 0; i < set->n; i++) {
		if (set->fds[i] >= 0)
			close(set->fds[i]);
		set->fds[i] = -1;
	}
	errno = saved;
	return 0;
}

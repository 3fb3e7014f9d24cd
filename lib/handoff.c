/* SPDX-License-Identifier: MIT */
/*
 * handoff.c - pass listening sockets to a successor over a Unix socket.
 *
 * Why it restarts with no refused and no reset connection: the successor
 * receives the very same sockets (SCM_RIGHTS duplicates descriptors, not
 * sockets).  The listening socket, with its accept queue, never closes;
 * for a while both processes may accept from it; then the old one stops.
 * Compare closing and binding again (a window with nothing listening:
 * refused) and an SO_REUSEPORT overlap (closing a reuseport listener resets
 * the connections queued on it, unless net.ipv4.tcp_migrate_req=1).
 *
 * Wire, over SOCK_SEQPACKET (each message arrives whole; see handoff.h):
 *   successor -> "PBH1" hello (a connection that says nothing, or anything
 *                else, is not a successor: it is closed and skipped);
 *   old       -> header, names (each NUL-terminated), descriptors as
 *                ancillary data;
 *   successor -> one ack byte once it holds and has recorded them;
 *   old       -> removes its control path, closes: the successor returns
 *                on that EOF, and may create its own control socket there.
 * Until the ack, nothing changes for the old server: on any failure it
 * keeps its path and can hand off again.  Only a peer with the same uid,
 * or root, is served, on either side.
 *
 * The peer is another process, possibly hostile even with our uid: every
 * byte and every descriptor it sends is checked before anything is kept,
 * every wait (connect included) ends at the caller's deadline, and a
 * signal only restarts the wait it interrupted, never extends it.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "handoff.h"
#include "internal.h"
#include "text.h"

/* listen(2) backlog of the control socket.  A full backlog is a live
   server (EAGAIN on a non-blocking AF_UNIX connect). */
#define PB_HANDOFF_BACKLOG 4
/* Connections the giver holds while it waits for their hello, and how
   long each may stay silent: a real successor says hello as soon as it
   has connected, so the limit only sheds idle or hostile peers. */
#define PB_HANDOFF_PENDING 8
#define PB_HANDOFF_HELLO_MS 1000
/* How long pb_handoff_listen waits for another starter's directory lock
   (held for a few system calls: bind, connect, unlink, bind, listen). */
#define PB_HANDOFF_LOCK_MS 1000

/* ---- the wire format: pure checks, shared with the fuzzers */

static int name_char_ok(unsigned char c)
{
	/* The names travel ':'-separated in the environment. */
	return c >= 0x21 && c <= 0x7e && c != ':';
}

int pb__handoff_check_name(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (i >= PB_HANDOFF_NAME_MAX || !name_char_ok((unsigned char)name[i]))
			return -EINVAL;
	return 0;
}

int pb__handoff_build(char *buf, size_t size, const char *const *names, int n)
{
	struct pb__handoff_hdr hdr;
	size_t off = sizeof(hdr), nl;
	int i;

	if (n < 1 || n > PB_HANDOFF_MAX || size < sizeof(hdr))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const char *name = names && names[i] ? names[i] : "";

		if (pb__handoff_check_name(name) < 0)
			return -EINVAL;
		nl = strlen(name) + 1;
		if (nl > size - off)
			return -ENOSPC;
		memcpy(buf + off, name, nl);
		off += nl;
	}
	memcpy(hdr.magic, PB_HANDOFF_MAGIC, PB_HANDOFF_MAGIC_LEN);
	hdr.n = (uint32_t)n;
	hdr.names_len = (uint32_t)(off - sizeof(hdr));
	memcpy(buf, &hdr, sizeof(hdr));
	return (int)off;
}

int pb__handoff_check_msg(const void *msg, size_t len,
			  const struct pb__handoff_rx *rx)
{
	const unsigned char *names = (const unsigned char *)msg +
				     sizeof(struct pb__handoff_hdr);
	struct pb__handoff_hdr hdr;
	size_t i, run = 0, seen = 0, names_len;

	/* What came with the bytes: all of it, of the one expected kind. */
	if (rx->msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	if (rx->other_cmsgs != 0)
		return -EPROTO;
	if (rx->nfds < 1 || rx->nfds > PB_HANDOFF_MAX)
		return -EPROTO;
	for (i = 0; i < rx->nfds; i++)
		if (rx->kinds[i] != PB__FD_LISTENER &&
		    rx->kinds[i] != PB__FD_DATAGRAM)
			return -EPROTO;

	/* The header, agreeing with itself, the length and the descriptors. */
	if (len < sizeof(hdr))
		return -EPROTO;
	memcpy(&hdr, msg, sizeof(hdr));
	names_len = len - sizeof(hdr);
	if (memcmp(hdr.magic, PB_HANDOFF_MAGIC, PB_HANDOFF_MAGIC_LEN) != 0 ||
	    hdr.n != rx->nfds || hdr.names_len != names_len)
		return -EPROTO;

	/* Exactly n names, each NUL-terminated, each short and printable. */
	for (i = 0; i < names_len; i++) {
		if (names[i] == '\0') {
			seen++;
			run = 0;
		} else if (!name_char_ok(names[i]) ||
			   ++run > PB_HANDOFF_NAME_MAX) {
			return -EPROTO;
		}
	}
	if (seen != rx->nfds || names[names_len - 1] != '\0')
		return -EPROTO;
	return (int)rx->nfds;
}

int pb__handoff_join_names(const char *names, size_t names_len, char *out,
			   size_t size)
{
	size_t i;

	/* n NUL-terminated names joined by n-1 colons and ended by one NUL
	   take names_len bytes, exactly. */
	if (names_len == 0 || size < names_len || names[names_len - 1] != '\0')
		return -ENOSPC;
	for (i = 0; i + 1 < names_len; i++) {
		if (names[i])
			out[i] = names[i];
		else
			out[i] = ':';
	}
	out[names_len - 1] = '\0';
	return 0;
}

int pb__handoff_check_hello(const void *buf, size_t len, int msg_flags)
{
	if (msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	if (len != PB_HANDOFF_MAGIC_LEN ||
	    memcmp(buf, PB_HANDOFF_MAGIC, PB_HANDOFF_MAGIC_LEN) != 0)
		return -EPROTO;
	return 0;
}

int pb__handoff_check_ack(const void *buf, size_t len, int msg_flags)
{
	if (msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	if (len != 1 || *(const char *)buf != PB_HANDOFF_ACK)
		return -EPROTO;
	return 0;
}

static int int_opt(int fd, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, level, name, v, &len);
}

int pb__handoff_fd_kind(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int domain, type, on;

	/* getsockopt first, not fstat: on a descriptor that is no socket it
	   fails (ENOTSOCK) without asking its file system anything, which a
	   FUSE file system served by the peer could make wait. */
	if (int_opt(fd, SOL_SOCKET, SO_DOMAIN, &domain) < 0)
		return errno == ENOTSOCK ? PB__FD_WRONG : -errno;
	if (int_opt(fd, SOL_SOCKET, SO_TYPE, &type) < 0)
		return -errno;
	if (domain != AF_INET && domain != AF_INET6)
		return PB__FD_WRONG;
	if (type == SOCK_STREAM || type == SOCK_SEQPACKET) {
		if (int_opt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on) < 0)
			return -errno;
		return on ? PB__FD_LISTENER : PB__FD_WRONG;
	}
	if (type != SOCK_DGRAM)
		return PB__FD_WRONG;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	return pb__addr_port((struct sockaddr *)&ss) != 0 ? PB__FD_DATAGRAM
							   : PB__FD_WRONG;
}

/* ---- waiting, within a deadline (-1: none) */

/* Milliseconds left for poll(2): -1 without a deadline, 0 once past. */
static int ms_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - pb__now_ms();
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

static int past(int64_t deadline)
{
	return deadline >= 0 && pb__now_ms() >= deadline;
}

/* Wait for events on fd until deadline.  0, or -errno.  A caught signal
   restarts the wait with what is left of the time. */
static int wait_for(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	for (;;) {
		r = poll(&p, 1, ms_left(deadline));
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Sleep up to ms, never past deadline (a signal may end it early). */
static void pause_ms(int ms, int64_t deadline)
{
	int left = ms_left(deadline);

	if (left >= 0 && left < ms)
		ms = left;
	if (ms > 0)
		poll(NULL, 0, ms);
}

/* One message on a non-blocking socket, whole, before deadline. */
static int send_msg(int fd, const struct msghdr *mh, int64_t deadline)
{
	int r;

	for (;;) {
		if (sendmsg(fd, mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_for(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
}

static int send_bytes(int fd, void *buf, size_t len, int64_t deadline)
{
	struct msghdr mh;
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	return send_msg(fd, &mh, deadline);
}

/* A message of at most size bytes, before deadline, with no room for
   ancillary data: descriptors a peer attaches are closed by the kernel,
   and *flags has MSG_CTRUNC.  Its length (0: end of file), or -errno. */
static ssize_t recv_bytes(int fd, void *buf, size_t size, int *flags,
			  int64_t deadline)
{
	struct msghdr mh;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	ssize_t got;
	int r;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		got = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (got >= 0) {
			*flags = mh.msg_flags;
			return got;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_for(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

static int fill_sun(struct sockaddr_un *sun, const char *path, socklen_t *len)
{
	size_t n;

	if (!path || !*path)
		return -EINVAL;
	n = strlen(path);
	if (n >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

/* The peer is us, or root: nobody else gets (or gives) our sockets. */
static int peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (cred.uid != geteuid() && cred.uid != 0)
		return -EPERM;
	return 0;
}

/* ---- listening for a successor */

/*
 * Starters of one path take turns: each holds an exclusive flock(2) on
 * the path's directory from its first bind to its listen, so the check
 * "nobody answers there" and the unlink and bind that follow it are one
 * step for every libportbind caller.  Without it, a second starter could
 * find the first one's fresh socket not yet listening (refused: "stale")
 * and remove it, and both would succeed.  A process that removes the path
 * without taking the lock is outside this rule.  The locked directory
 * descriptor, or -errno.
 */
static int lock_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	int64_t deadline;
	int d, r, wait = 1;

	if (!slash) {
		memcpy(dir, ".", 2);
	} else if (slash == path) {
		memcpy(dir, "/", 2);
	} else {
		/* path fits sun_path (fill_sun checked), so its head does. */
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return -errno;
	deadline = pb__now_ms() + PB_HANDOFF_LOCK_MS;
	while (flock(d, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		if (r != -EWOULDBLOCK && r != -EINTR) {
			pb__close_keep_errno(d);
			return r;
		}
		if (past(deadline)) {
			pb__close_keep_errno(d);
			return -ETIMEDOUT;
		}
		pause_ms(wait, deadline);
		if (wait < 8)
			wait *= 2;
	}
	return d;
}

/* Does a server listen at sun?  1 yes (it accepted, or its backlog is
   full), 0 refused (nobody: a stale path), -ENOENT gone, else -errno. */
static int probe_alive(const struct sockaddr_un *sun, socklen_t len)
{
	int fd, r, tries;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 8; tries++) {
		r = connect(fd, (const struct sockaddr *)sun, len) == 0 ? 0 : -errno;
		if (r != -EINTR)
			break;
	}
	pb__close_keep_errno(fd);
	if (r == 0 || r == -EAGAIN || r == -EINPROGRESS)
		return 1;
	if (r == -ECONNREFUSED)
		return 0;
	return r;
}

/* Bind fd at path, removing a stale socket there.  Called with the
   directory lock held.  0, or -errno. */
static int claim_path(int fd, const struct sockaddr_un *sun, socklen_t len,
		      const char *path)
{
	struct stat st;
	int tries, r;

	for (tries = 0; tries < 3; tries++) {
		if (bind(fd, (const struct sockaddr *)sun, len) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
		r = probe_alive(sun, len);
		if (r == -ENOENT)
			continue;	/* removed meanwhile: bind again */
		if (r != 0)
			return -EADDRINUSE;	/* alive, or not ours to judge */
		if (lstat(path, &st) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		/* A path that is not a socket is never removed. */
		if (!S_ISSOCK(st.st_mode))
			return -EADDRINUSE;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	return -EADDRINUSE;
}

PB_EXPORT int pb_handoff_listen(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd, dir, r, saved = errno;

	r = fill_sun(&sun, path, &len);
	if (r < 0)
		return pb__ret(r);
	dir = lock_dir(path);
	if (dir < 0)
		return pb__ret(dir);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = claim_path(fd, &sun, len, path);
	if (r == 0 && listen(fd, PB_HANDOFF_BACKLOG) < 0) {
		r = -errno;
		unlink(path);
	}
out:
	/* Unlocked only now that the socket listens: a starter that comes
	   next finds it alive. */
	pb__close_keep_errno(dir);
	if (r < 0) {
		pb__close_keep_errno(fd);
		return pb__ret(r);
	}
	errno = saved;	/* the steps that failed on the way do not count */
	return fd;
}

/* ---- giving */

struct pending {
	int fd;
	int64_t until;		/* closed if still silent then */
};

/* Has conn said hello?  1 yes, 0 not yet, -errno: it is no successor. */
static int said_hello(int conn)
{
	char buf[8];
	ssize_t got;
	int flags = 0;

	got = recv_bytes(conn, buf, sizeof(buf), &flags, 0);
	if (got == -ETIMEDOUT)
		return 0;
	if (got < 0)
		return (int)got;
	return pb__handoff_check_hello(buf, (size_t)got, flags) == 0 ? 1 : -EPROTO;
}

static void drop(struct pending *p, int *np, int i)
{
	close(p[i].fd);
	p[i] = p[--*np];
}

/*
 * The first connection on ctl that says hello, from a trusted uid.  Up to
 * PB_HANDOFF_PENDING connections wait for their hello at once, each for
 * PB_HANDOFF_HELLO_MS at most; a connection of another uid, one that says
 * anything else or closes is dropped, and when all places are taken the
 * oldest silent one makes room: no peer holds the call while a successor
 * waits.  The connection, or -errno.
 */
static int accept_successor(int ctl, int64_t deadline)
{
	struct pending p[PB_HANDOFF_PENDING];
	struct pollfd pfd[PB_HANDOFF_PENDING + 1];
	int np = 0, found = -1, i, k, h, r, ms, c, oldest;
	int64_t now;

	for (;;) {
		now = pb__now_ms();
		ms = ms_left(deadline);
		pfd[0].fd = ctl;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		for (i = 0; i < np; i++) {
			int64_t left = p[i].until - now;

			if (left < 0)
				left = 0;
			if (ms < 0 || left < ms)
				ms = (int)left;
			pfd[i + 1].fd = p[i].fd;
			pfd[i + 1].events = POLLIN;
			pfd[i + 1].revents = 0;
		}
		r = poll(pfd, (nfds_t)np + 1, ms);
		if (r < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		now = pb__now_ms();
		/* From the last: a dropped entry takes the last one's place,
		   which was looked at already. */
		for (i = np - 1; i >= 0; i--) {
			if (r > 0 && pfd[i + 1].revents) {
				k = said_hello(p[i].fd);
				if (k == 1) {
					found = p[i].fd;
					p[i] = p[--np];
					break;
				}
				if (k < 0) {
					drop(p, &np, i);
					continue;
				}
			}
			if (p[i].until <= now)
				drop(p, &np, i);
		}
		if (found >= 0)
			break;
		for (k = 0; r > 0 && (pfd[0].revents & POLLIN) &&
			    k < PB_HANDOFF_PENDING; k++) {
			c = accept4(ctl, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (c < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == EINTR || errno == ECONNABORTED)
					break;
				r = -errno;
				goto out;
			}
			/* Another uid, or one that says something else or
			   nothing ever: closed, skipped. */
			if (peer_trusted(c) < 0 || (h = said_hello(c)) < 0) {
				close(c);
				continue;
			}
			if (h == 1) {
				found = c;
				break;
			}
			if (np == PB_HANDOFF_PENDING) {
				for (oldest = 0, i = 1; i < np; i++)
					if (p[i].until < p[oldest].until)
						oldest = i;
				drop(p, &np, oldest);
			}
			p[np].fd = c;
			p[np].until = now + PB_HANDOFF_HELLO_MS;
			np++;
		}
		if (found >= 0)
			break;
		if (past(deadline)) {
			r = -ETIMEDOUT;
			break;
		}
	}
out:
	while (np > 0)
		drop(p, &np, np - 1);
	if (found >= 0)
		return found;
	return r < 0 ? r : -ETIMEDOUT;
}

PB_EXPORT int pb_handoff_give(int ctl, const int *fds, const char *const *names,
			      int n, int timeout_ms)
{
	union {
		char b[CMSG_SPACE(PB_HANDOFF_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char *msg, ack[8];
	struct sockaddr_un self;
	socklen_t selflen = sizeof(self);
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	int64_t deadline = timeout_ms < 0 ? -1 : pb__now_ms() + timeout_ms;
	ssize_t got;
	int conn = -1, i, r, len, flags = 0, saved = errno;

	if (ctl < 0 || !fds || n < 1 || n > PB_HANDOFF_MAX)
		return pb__ret(-EINVAL);
	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			return pb__ret(-EINVAL);
		if (names && names[i] && pb__handoff_check_name(names[i]) < 0)
			return pb__ret(-EINVAL);
	}
	/* Only what the successor will accept: no point sending the rest. */
	for (i = 0; i < n; i++) {
		r = pb__handoff_fd_kind(fds[i]);
		if (r < 0)
			return pb__ret(r);
		if (r == PB__FD_WRONG)
			return pb__ret(-EINVAL);
	}
	msg = malloc(PB_HANDOFF_BUF);
	if (!msg)
		return -1;
	len = pb__handoff_build(msg, PB_HANDOFF_BUF, names, n);
	if (len < 0) {
		r = len;
		goto out;
	}

	conn = accept_successor(ctl, deadline);
	if (conn < 0) {
		r = conn;
		conn = -1;
		goto out;
	}

	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = msg;
	iov.iov_len = (size_t)len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	r = send_msg(conn, &mh, deadline);
	if (r < 0)
		goto out;
	/* Done when the successor says it holds them.  An end of file or
	   another answer is a protocol failure; a failing recv says why. */
	got = recv_bytes(conn, ack, sizeof(ack), &flags, deadline);
	if (got < 0) {
		r = (int)got;
		goto out;
	}
	r = pb__handoff_check_ack(ack, (size_t)got, flags);
	if (r < 0)
		goto out;
	/* Only now give up the path: the successor creates its own control
	   socket there once this connection closes. */
	memset(&self, 0, sizeof(self));
	if (getsockname(ctl, (struct sockaddr *)&self, &selflen) == 0 &&
	    self.sun_family == AF_UNIX && self.sun_path[0])
		unlink(self.sun_path);
	r = 0;
out:
	if (conn >= 0)
		pb__close_keep_errno(conn);
	free(msg);
	if (r == 0)
		errno = saved;
	return pb__ret(r);
}

/* ---- taking */

/* Write the checked set into the environment, where pb_adopt finds it. */
static int record(const int *fds, const char *names, size_t names_len, int n)
{
	char *list, *inos, *nm, pid[16];
	size_t off = 0, ioff = 0;
	struct stat st;
	int i, r = 0;

	/* "%d," at most 12 bytes each, "%llu," 21; the names joined take
	   names_len. */
	list = malloc((size_t)n * 12 + 1);
	inos = malloc((size_t)n * 22 + 1);
	nm = malloc(names_len);
	if (!list || !inos || !nm) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		off += (size_t)pb__fmt(list + off, 13, "%s%d", i ? "," : "", fds[i]);
		/* The socket's identity: after an exec() of this same process
		   the number may hold another descriptor (see activate.c). */
		if (fstat(fds[i], &st) < 0) {
			r = -errno;
			goto out;
		}
		ioff += (size_t)pb__fmt(inos + ioff, 23, "%s%llu", i ? "," : "",
					(unsigned long long)st.st_ino);
	}
	r = pb__handoff_join_names(names, names_len, nm, names_len);
	if (r < 0)
		goto out;
	pb__fmt(pid, sizeof(pid), "%d", (int)getpid());
	if (setenv("PORTBIND_FDS", list, 1) < 0 ||
	    setenv("PORTBIND_FDINOS", inos, 1) < 0 ||
	    setenv("PORTBIND_FDNAMES", nm, 1) < 0 ||
	    setenv("PORTBIND_PID", pid, 1) < 0)
		r = -errno;
out:
	free(list);
	free(inos);
	free(nm);
	return r;
}

/*
 * Connect fd to sun before deadline.  A non-blocking AF_UNIX connect fails
 * with EAGAIN while the listener's backlog is full (a server that does not
 * accept): tried again, with growing pauses, until the deadline.
 */
static int connect_by(int fd, const struct sockaddr_un *sun, socklen_t len,
		      int64_t deadline)
{
	int r, wait = 1, err;

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sun, len) == 0)
			return 0;
		r = -errno;
		if (r == -EISCONN)
			return 0;
		if (r == -EINPROGRESS || r == -EALREADY) {
			socklen_t el = sizeof(err);

			r = wait_for(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				return -errno;
			return -err;
		}
		if (r != -EAGAIN && r != -EINTR)
			return r;
		if (past(deadline))
			return -ETIMEDOUT;
		pause_ms(wait, deadline);
		if (wait < 16)
			wait *= 2;
	}
}

/* Keep the descriptors of one SCM_RIGHTS payload; close what has no room. */
static void keep_fds(const struct cmsghdr *c, int *fds, size_t *nfds)
{
	const unsigned char *data = CMSG_DATA(c);
	size_t k, i;
	int fd;

	k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	for (i = 0; i < k; i++) {
		memcpy(&fd, data + i * sizeof(int), sizeof(int));
		if (*nfds < PB_HANDOFF_MAX)
			fds[(*nfds)++] = fd;
		else
			close(fd);
	}
}

/* What the taker receives, off its stack: the message, the ancillary
   data and what became of the descriptors. */
struct take_buf {
	int fds[PB_HANDOFF_MAX];
	unsigned char kinds[PB_HANDOFF_MAX];
	char msg[PB_HANDOFF_BUF];
	union {		/* last: clang sees CMSG_SPACE as variable */
		char b[CMSG_SPACE(PB_HANDOFF_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
};

PB_EXPORT int pb_handoff_take(const char *path, int timeout_ms)
{
	struct sockaddr_un sun;
	struct pb__handoff_rx rx;
	struct take_buf *tb = NULL;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	int64_t deadline = timeout_ms < 0 ? -1 : pb__now_ms() + timeout_ms;
	socklen_t len;
	char hello[] = PB_HANDOFF_MAGIC, ack = PB_HANDOFF_ACK;
	ssize_t got;
	size_t i, nfds = 0, other = 0;
	int fd, r, n, saved = errno;

	r = fill_sun(&sun, path, &len);
	if (r < 0)
		return pb__ret(r);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	r = connect_by(fd, &sun, len, deadline);
	if (r < 0) {
		pb__close_keep_errno(fd);
		/* Nobody there: a first start, nothing to take. */
		if (r == -ENOENT || r == -ECONNREFUSED) {
			errno = saved;
			return 0;
		}
		return pb__ret(r);
	}
	r = peer_trusted(fd);
	if (r < 0)
		goto out;
	r = send_bytes(fd, hello, PB_HANDOFF_MAGIC_LEN, deadline);
	if (r < 0)
		goto out;
	tb = malloc(sizeof(*tb));
	if (!tb) {
		r = -ENOMEM;
		goto out;
	}

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = tb->msg;
		iov.iov_len = sizeof(tb->msg);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = tb->cbuf.b;
		mh.msg_controllen = sizeof(tb->cbuf.b);
		got = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (got >= 0)
			break;
		r = -errno;
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			r = wait_for(fd, POLLIN, deadline);
		else if (r == -EINTR)
			r = 0;
		if (r < 0)
			goto out;
	}
	/* Every descriptor that came is ours to close until all is checked,
	   whatever else is wrong with the message. */
	if (mh.msg_controllen > 0) {
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_len < CMSG_LEN(0))
				break;
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS)
				keep_fds(c, tb->fds, &nfds);
			else
				other++;
		}
	}
	for (i = 0; i < nfds; i++) {
		r = pb__handoff_fd_kind(tb->fds[i]);
		tb->kinds[i] = r < 0 ? PB__FD_WRONG : (unsigned char)r;
	}
	rx.msg_flags = mh.msg_flags;
	rx.nfds = nfds;
	rx.other_cmsgs = other;
	rx.kinds = tb->kinds;
	n = pb__handoff_check_msg(tb->msg, (size_t)got, &rx);
	if (n < 0) {
		r = n;
		goto out;
	}
	/* Checked in full: only now is anything kept. */
	r = record(tb->fds, tb->msg + sizeof(struct pb__handoff_hdr),
		   (size_t)got - sizeof(struct pb__handoff_hdr), n);
	if (r < 0)
		goto out;
	r = send_bytes(fd, &ack, 1, deadline);
	if (r < 0) {
		/* Not acknowledged: the old server keeps serving, and these
		   numbers must not be adopted later. */
		unsetenv("PORTBIND_FDS");
		unsetenv("PORTBIND_FDINOS");
		unsetenv("PORTBIND_FDNAMES");
		unsetenv("PORTBIND_PID");
		goto out;
	}
	/* The old server frees its control path, then closes: wait for
	   that (within the deadline), so the path is free when we return. */
	{
		char eof[8];
		int fl;

		(void)recv_bytes(fd, eof, sizeof(eof), &fl, deadline);
	}
	r = n;
	nfds = 0;	/* kept */
out:
	for (i = 0; i < nfds; i++)
		pb__close_keep_errno(tb->fds[i]);
	free(tb);
	pb__close_keep_errno(fd);
	if (r >= 0)
		errno = saved;
	return pb__ret(r);
}

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
 * Wire, over SOCK_SEQPACKET (each message arrives whole):
 *   successor -> "PBH1" hello (a connection that says nothing else, like
 *                a liveness probe, is not a successor and is skipped);
 *   old       -> header, names (each NUL-terminated), descriptors as
 *                ancillary data;
 *   successor -> one ack byte once it holds and has recorded them;
 *   old       -> removes its control path, closes: the successor returns
 *                on that EOF, and may create its own control socket there.
 * Until the ack, nothing changes for the old server: on any failure it
 * keeps its path and can hand off again.  Only a peer with the same uid,
 * or root, is served, on either side.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "internal.h"

#define PB_HANDOFF_MAGIC "PBH1"
#define PB_HANDOFF_NAME_MAX 255		/* as systemd's FileDescriptorName= */
#define PB_HANDOFF_ACK 'K'

struct handoff_hdr {
	char magic[4];
	uint32_t n;
	uint32_t names_len;
};

#define PB_HANDOFF_BUF (sizeof(struct handoff_hdr) + \
			(size_t)PB_HANDOFF_MAX * (PB_HANDOFF_NAME_MAX + 1))

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

/* Wait for events on fd until deadline (-1: none).  0, or -errno. */
static int wait_for(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r, ms;

	for (;;) {
		ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - pb__now_ms();

			ms = left > 0 ? (left > INT32_MAX ? INT32_MAX : (int)left) : 0;
		}
		r = poll(&p, 1, ms);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

PB_EXPORT int pb_handoff_listen(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	socklen_t len;
	int fd, probe, r;

	r = fill_sun(&sun, path, &len);
	if (r < 0)
		return pb__ret(r);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, len) < 0) {
		r = -errno;
		if (r != -EADDRINUSE)
			goto fail;
		/* A path left by a server that died: nobody answers there.
		   A live one answers: then the path is really in use. */
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe < 0) {
			r = -errno;
			goto fail;
		}
		if (connect(probe, (struct sockaddr *)&sun, len) == 0 ||
		    errno != ECONNREFUSED) {
			close(probe);
			goto fail;
		}
		close(probe);
		if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) ||
		    unlink(path) < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0) {
			r = -EADDRINUSE;
			goto fail;
		}
	}
	if (listen(fd, 4) < 0) {
		r = -errno;
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return pb__ret(r);
}

static int check_name(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		/* The names travel ':'-separated in the environment. */
		if (c < 0x21 || c > 0x7e || c == ':' || i >= PB_HANDOFF_NAME_MAX)
			return -EINVAL;
	}
	return 0;
}

/*
 * The next connection on ctl that says hello, from a trusted uid.  Others
 * (a probe that only checked whether we are alive, a stranger) are closed
 * and skipped until the deadline.  The connection, or -errno.
 */
static int accept_successor(int ctl, int64_t deadline)
{
	char hello[8];
	int conn, r;
	ssize_t got;

	for (;;) {
		r = wait_for(ctl, POLLIN, deadline);
		if (r < 0)
			return r;
		conn = accept4(ctl, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				continue;
			return -errno;
		}
		r = peer_trusted(conn);
		if (r < 0) {
			close(conn);
			return r;
		}
		r = wait_for(conn, POLLIN, deadline);
		if (r == 0) {
			do
				got = recv(conn, hello, sizeof(hello), 0);
			while (got < 0 && errno == EINTR);
			if (got == 4 && memcmp(hello, PB_HANDOFF_MAGIC, 4) == 0)
				return conn;
		}
		close(conn);
		if (r < 0)
			return r;
	}
}

PB_EXPORT int pb_handoff_give(int ctl, const int *fds, const char *const *names,
			      int n, int timeout_ms)
{
	union {
		char b[CMSG_SPACE(PB_HANDOFF_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char *msg;
	struct handoff_hdr hdr;
	struct sockaddr_un self;
	socklen_t selflen = sizeof(self);
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	int64_t deadline = timeout_ms < 0 ? -1 : pb__now_ms() + timeout_ms;
	size_t off, nl;
	int conn = -1, i, r;
	char ack = 0;

	if (ctl < 0 || !fds || n < 1 || n > PB_HANDOFF_MAX)
		return pb__ret(-EINVAL);
	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			return pb__ret(-EINVAL);
		if (names && names[i] && check_name(names[i]) < 0)
			return pb__ret(-EINVAL);
	}
	msg = malloc(PB_HANDOFF_BUF);
	if (!msg)
		return -1;

	memcpy(hdr.magic, PB_HANDOFF_MAGIC, 4);
	hdr.n = (uint32_t)n;
	off = sizeof(hdr);
	for (i = 0; i < n; i++) {
		const char *name = names && names[i] ? names[i] : "";

		nl = strlen(name) + 1;
		memcpy(msg + off, name, nl);
		off += nl;
	}
	hdr.names_len = (uint32_t)(off - sizeof(hdr));
	memcpy(msg, &hdr, sizeof(hdr));

	conn = accept_successor(ctl, deadline);
	if (conn < 0) {
		r = conn;
		conn = -1;
		goto out;
	}

	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = msg;
	iov.iov_len = off;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	while (sendmsg(conn, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			r = -errno;
			goto out;
		}
	}
	/* Done when the successor says it holds them. */
	r = wait_for(conn, POLLIN, deadline);
	if (r < 0)
		goto out;
	if (recv(conn, &ack, 1, 0) != 1 || ack != PB_HANDOFF_ACK) {
		r = -EPROTO;
		goto out;
	}
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
	return pb__ret(r);
}

/* Write the set into the environment, where pb_adopt finds it. */
static int record(const int *fds, const char *names, int n)
{
	char *list, *inos, *nm, pid[16];
	size_t off = 0, ioff = 0, noff = 0, nl;
	const char *p = names;
	struct stat st;
	int i, r = 0;

	list = malloc((size_t)n * 12 + 1);
	inos = malloc((size_t)n * 22 + 1);
	nm = malloc((size_t)n * (PB_HANDOFF_NAME_MAX + 1) + 1);
	if (!list || !inos || !nm) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		off += (size_t)snprintf(list + off, 13, "%s%d", i ? "," : "", fds[i]);
		/* The socket's identity: after an exec() of this same process
		   the number may hold another descriptor (see activate.c). */
		if (fstat(fds[i], &st) < 0) {
			r = -errno;
			goto out;
		}
		ioff += (size_t)snprintf(inos + ioff, 23, "%s%llu", i ? "," : "",
					 (unsigned long long)st.st_ino);
		nl = strlen(p);
		if (i)
			nm[noff++] = ':';
		memcpy(nm + noff, p, nl);
		noff += nl;
		p += nl + 1;
	}
	list[off] = '\0';
	inos[ioff] = '\0';
	nm[noff] = '\0';
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
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

PB_EXPORT int pb_handoff_take(const char *path, int timeout_ms)
{
	union {
		char b[CMSG_SPACE(PB_HANDOFF_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_un sun;
	struct handoff_hdr hdr;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	int64_t deadline = timeout_ms < 0 ? -1 : pb__now_ms() + timeout_ms;
	int fds[PB_HANDOFF_MAX];
	socklen_t len;
	char *msg = NULL, ack = PB_HANDOFF_ACK;
	ssize_t got;
	size_t i, names_seen, nfds = 0;
	int fd, r;

	r = fill_sun(&sun, path, &len);
	if (r < 0)
		return pb__ret(r);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
		r = -errno;
		close(fd);
		/* Nobody there: a first start, nothing to take. */
		if (r == -ENOENT || r == -ECONNREFUSED)
			return 0;
		return pb__ret(r);
	}
	r = peer_trusted(fd);
	if (r < 0)
		goto out;
	while (send(fd, PB_HANDOFF_MAGIC, 4, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			r = -errno;
			goto out;
		}
	}
	msg = malloc(PB_HANDOFF_BUF);
	if (!msg) {
		r = -ENOMEM;
		goto out;
	}
	r = wait_for(fd, POLLIN, deadline);
	if (r < 0)
		goto out;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = msg;
	iov.iov_len = PB_HANDOFF_BUF;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof(cbuf.b);
	do
		got = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		r = -errno;
		goto out;
	}
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			if (nfds + k > PB_HANDOFF_MAX)
				k = PB_HANDOFF_MAX - nfds;
			memcpy(fds + nfds, CMSG_DATA(c), k * sizeof(int));
			nfds += k;
		}
	}
	/* Everything is checked before anything is kept. */
	r = -EPROTO;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		goto out;
	if ((size_t)got < sizeof(hdr))
		goto out;
	memcpy(&hdr, msg, sizeof(hdr));
	if (memcmp(hdr.magic, PB_HANDOFF_MAGIC, 4) != 0 || hdr.n == 0 ||
	    hdr.n != nfds || hdr.names_len != (size_t)got - sizeof(hdr))
		goto out;
	for (i = 0, names_seen = 0; i < hdr.names_len; i++) {
		char ch = msg[sizeof(hdr) + i];

		if (ch == '\0')
			names_seen++;
		else if ((unsigned char)ch < 0x21 || (unsigned char)ch > 0x7e ||
			 ch == ':')
			goto out;
	}
	if (names_seen != nfds || (hdr.names_len && msg[got - 1] != '\0'))
		goto out;
	r = record(fds, msg + sizeof(hdr), (int)nfds);
	if (r < 0)
		goto out;
	while (send(fd, &ack, 1, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			/* Not acknowledged: the old server keeps serving, and
			   these numbers must not be adopted later. */
			r = -errno;
			unsetenv("PORTBIND_FDS");
			unsetenv("PORTBIND_FDINOS");
			unsetenv("PORTBIND_FDNAMES");
			unsetenv("PORTBIND_PID");
			goto out;
		}
	}
	/* The old server frees its control path, then closes: wait for
	   that, so the path is free when we return. */
	if (wait_for(fd, POLLIN, deadline) == 0) {
		char eof;

		while (recv(fd, &eof, 1, 0) < 0 && errno == EINTR)
			;
	}
	r = (int)nfds;
	nfds = 0;	/* kept */
out:
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	free(msg);
	pb__close_keep_errno(fd);
	return pb__ret(r);
}

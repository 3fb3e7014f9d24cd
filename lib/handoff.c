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
 *   successor -> one ack byte once it holds and has checked them;
 *   old       -> removes its control path, shuts the connection down and
 *                closes: the successor returns on that EOF (shutdown: even
 *                while a child forked meanwhile holds a copy of it), and
 *                may create its own control socket there.
 * Until the ack, nothing changes for the old server: on any failure it
 * keeps its path and can hand off again.  A successor that goes away
 * before its ack (killed by its service manager) is skipped like a silent
 * one, and the next one served; so is one that has not acked a second
 * after the descriptors were sent.  A giver that stops short of the ack
 * (skip, deadline, signal) first refuses it (SHUT_RD: the successor's send
 * fails), then looks whether it came already: if so, the hand-off is
 * done.  An old server that closes with the ack unread (one killed, or
 * another implementation) never saw it: the successor reads that reset
 * as a failed take.  Only a peer with the same uid, or
 * root, is served, on either side.
 *
 * The control socket is bound at an absolute path, so that the path the
 * old server removes is its own socket's wherever the program has moved
 * since (chdir), never a file of the program's.
 *
 * The peer is another process, possibly hostile even with our uid: every
 * byte and every descriptor it sends is checked before anything is kept,
 * and every wait (connect included) ends at the caller's deadline, or
 * at once when a signal handler runs: the caller's Ctrl-C, or a service
 * manager's stop, is not held up by a hand-off.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "activate.h"
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
/* How long a peer that said hello has for its ack once the descriptors
   are sent, before the giver skips it and serves the next one: a real
   successor answers as soon as it has checked them. */
#define PB_HANDOFF_ACK_MS 1000
/* How long pb_handoff_listen waits for the predecessor that the last
   take took from to remove its path (a take may return before that). */
#define PB_HANDOFF_GONE_MS 1000
/* How long pb_handoff_listen waits for another starter's directory lock
   (held for a few system calls: bind, connect, unlink, bind, listen). */
#define PB_HANDOFF_LOCK_MS 1000

/* ---- the wire format: pure checks, shared with the fuzzers */

static int name_char_ok(unsigned char c)
{
	/* Printable ASCII with no space, and no ':', as systemd's
	   FileDescriptorName=: a name can go on in LISTEN_FDNAMES. */
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

int pb__handoff_split_names(const char *names, size_t names_len, unsigned n,
			    char (*out)[PB_FDNAME_MAX])
{
	size_t off = 0, len;
	unsigned i;

	for (i = 0; i < n; i++) {
		const char *end;

		if (off >= names_len)
			return -EPROTO;
		end = memchr(names + off, '\0', names_len - off);
		if (!end)
			return -EPROTO;
		len = (size_t)(end - (names + off));
		if (len >= PB_FDNAME_MAX)
			return -EPROTO;
		memcpy(out[i], names + off, len + 1);
		off += len + 1;
	}
	return off == names_len ? 0 : -EPROTO;
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

int pb__handoff_fd_kind(int fd)
{
	int r = pb__server_socket(fd);

	if (r < 0)
		return r;
	if (r == SOCK_STREAM || r == SOCK_SEQPACKET)
		return PB__FD_LISTENER;
	return r == SOCK_DGRAM ? PB__FD_DATAGRAM : PB__FD_WRONG;
}

/* ---- waiting, within a deadline, until a caught signal */

/*
 * Every call runs with the catchable asynchronous signals blocked and
 * waits in ppoll(2) with the caller's own mask: a signal that comes while
 * the call is not waiting stays pending, and the next wait ends on it at
 * once (the pselect(2) pattern).  With poll(2) alone, a handler that ran
 * between two waits would go unnoticed and the next wait would sleep its
 * whole time.  Signals that faults and traps raise are never blocked: the
 * kernel kills a thread that raises one it blocks, and a seccomp filter's
 * SIGSYS must reach its handler.
 */
struct waits {
	int64_t deadline;	/* pb__now_ms() time; -1: none */
	sigset_t caller;	/* the caller's mask, restored on return */
};

static void hold_signals(struct waits *w, int timeout_ms)
{
	sigset_t set;

	pb__async_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, &w->caller);
	w->deadline = timeout_ms < 0 ? -1 : pb__now_ms() + timeout_ms;
}

/* A signal that came meanwhile is handled here, as the call returns. */
static void release_signals(const struct waits *w)
{
	pthread_sigmask(SIG_SETMASK, &w->caller, NULL);
}

/* Milliseconds left: -1 without a deadline, 0 once past. */
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

/* ppoll(2) for ms (-1: without bound) with the caller's mask: the number
   of ready descriptors, 0 when the time is up, -EINTR when a handler ran,
   or -errno.  A signal that is ignored runs no handler: the kernel goes
   on waiting by itself. */
static int wait_fds(struct pollfd *p, nfds_t n, int ms, const struct waits *w)
{
	struct timespec ts;
	int r;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	r = ppoll(p, n, ms < 0 ? NULL : &ts, &w->caller);
	return r < 0 ? -errno : r;
}

/* Wait for events on fd until the deadline: 0, -ETIMEDOUT, -EINTR, or
   -errno. */
static int wait_for(int fd, short events, const struct waits *w)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = wait_fds(&p, 1, ms_left(w->deadline), w);

	if (r > 0)
		return 0;
	return r == 0 ? -ETIMEDOUT : r;
}

/* Sleep up to ms, never past the deadline: 0, or -EINTR. */
static int pause_ms(int ms, const struct waits *w)
{
	int left = ms_left(w->deadline);

	if (left >= 0 && left < ms)
		ms = left;
	if (ms > 0 && wait_fds(NULL, 0, ms, w) == -EINTR)
		return -EINTR;
	return 0;
}

/* One message on a non-blocking socket, whole, before the deadline.  The
   socket calls never block, so no handler runs in them: EINTR from one
   is only tried again. */
static int send_msg(int fd, const struct msghdr *mh, const struct waits *w)
{
	int r;

	for (;;) {
		if (sendmsg(fd, mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			return 0;
		if (errno == EINTR)
			continue;	/* GCOVR_EXCL_LINE: MSG_DONTWAIT never sleeps */
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		/* GCOVR_EXCL_START: one message or two a connection, the first read before the second: the send buffer is never full */
		r = wait_for(fd, POLLOUT, w);
		if (r < 0)
			return r;
		/* GCOVR_EXCL_STOP */
	}
}

static int send_bytes(int fd, void *buf, size_t len, const struct waits *w)
{
	struct msghdr mh;
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	return send_msg(fd, &mh, w);
}

/* A message of at most size bytes, before the deadline, with no room for
   ancillary data: descriptors a peer attaches are closed by the kernel,
   and *flags has MSG_CTRUNC.  Its length (0: end of file), or -errno.
   w NULL: no wait at all (-ETIMEDOUT when nothing is there). */
static ssize_t recv_bytes(int fd, void *buf, size_t size, int *flags,
			  const struct waits *w)
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
			continue;	/* GCOVR_EXCL_LINE: MSG_DONTWAIT never sleeps */
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (!w)
			return -ETIMEDOUT;
		r = wait_for(fd, POLLIN, w);
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

/*
 * Close a connection we are done with so that its peer sees the end at
 * once: shutdown(2) first.  A close alone ends nothing while another
 * process holds the same connection, such as a child that another thread
 * forked meanwhile (close-on-exec acts only at execve(2)): the peer would
 * wait for that child's exit.
 */
static void end_conn(int fd)
{
	int saved = errno;

	shutdown(fd, SHUT_RDWR);
	close(fd);
	errno = saved;
}

/* The predecessor the last successful take in this process took from,
   when that take returned before the predecessor's close: its pid (0:
   none) and its path, made absolute, which may still be there a moment.
   pb_handoff_listen at that path waits for it to go, once.  The library's
   one piece of process-wide state: a take and a listen in two threads
   meet here, so it is only touched under its lock, for a copy. */
struct taken_from {
	pid_t pid;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};
static struct taken_from taken_from;
static pthread_mutex_t taken_from_lock = PTHREAD_MUTEX_INITIALIZER;

/* The lock is only ever tried, a bounded number of times: the record is
   a hint (without it a listen fails at once instead of waiting for the
   predecessor), so a lock held by a thread that a fork(2) left behind in
   a child costs the hint, never a hang. */
static int taken_from_lock_try(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (pthread_mutex_trylock(&taken_from_lock) == 0)
			return 0;
		sched_yield();	/* GCOVR_EXCL_LINE: held for a copy only; a fork(2) in that instant is a race no test arranges */
	}
	return -1;	/* GCOVR_EXCL_LINE: as above */
}

static void taken_from_set(const struct taken_from *t)
{
	if (taken_from_lock_try() < 0)
		return;	/* GCOVR_EXCL_LINE: see taken_from_lock_try */
	taken_from = *t;
	pthread_mutex_unlock(&taken_from_lock);
}

/* The predecessor's pid if it was taken from at path (once: the record
   is cleared), else 0. */
static pid_t taken_from_claim(const char *path)
{
	pid_t pid = 0;

	if (taken_from_lock_try() < 0)
		return 0;	/* GCOVR_EXCL_LINE: see taken_from_lock_try */
	if (taken_from.pid > 0 && strcmp(taken_from.path, path) == 0) {
		pid = taken_from.pid;
		taken_from.pid = 0;
	}
	pthread_mutex_unlock(&taken_from_lock);
	return pid;
}

/* ---- listening for a successor */

/*
 * path made absolute against the current directory, into out (size
 * bytes, sun_path's): 0, or -ENAMETOOLONG when it does not fit, or
 * getcwd's -errno.  The giver removes the path its control socket is
 * bound to once a successor holds the sockets; bound relative, that path
 * would be looked up from wherever the program is by then, and could
 * name another file of the program's.
 */
static int absolute_path(const char *path, char *out, size_t size)
{
	size_t n = strlen(path), d;

	if (path[0] == '/') {
		if (n >= size)
			return -ENAMETOOLONG;
		memcpy(out, path, n + 1);
		return 0;
	}
	if (!getcwd(out, size))
		return errno == ERANGE ? -ENAMETOOLONG : -errno;
	d = strlen(out);
	if (d > 1)
		out[d++] = '/';	/* "/" ends in one already */
	if (n >= size - d)
		return -ENAMETOOLONG;
	memcpy(out + d, path, n + 1);
	return 0;
}

/*
 * Starters of one path take turns: each holds an exclusive flock(2) on
 * the path's directory from its first bind to its listen, so the check
 * "nobody answers there" and the unlink and bind that follow it are one
 * step for every libportbind caller.  Without it, a second starter could
 * find the first one's fresh socket not yet listening (refused: "stale")
 * and remove it, and both would succeed.  A process that removes the path
 * without taking the lock is outside this rule.  The locked directory
 * descriptor, or -errno (-EINTR: a handler ran while it waited).
 */
static int lock_dir(const char *path, struct waits *w)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	int d, r, wait = 1;

	if (!slash) {
		memcpy(dir, ".", 2);	/* GCOVR_EXCL_LINE: pb_handoff_listen passes absolute paths */
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
	w->deadline = pb__now_ms() + PB_HANDOFF_LOCK_MS;
	while (flock(d, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		if (r != -EWOULDBLOCK && r != -EINTR) {
			pb__close_keep_errno(d);
			return r;
		}
		if (past(w->deadline)) {
			pb__close_keep_errno(d);
			return -ETIMEDOUT;
		}
		if (pause_ms(wait, w) < 0) {
			pb__close_keep_errno(d);
			return -EINTR;
		}
		if (wait < 8)
			wait *= 2;
	}
	return d;
}

/* Does a server listen at sun?  1 yes (it accepted, or its backlog is
   full), 0 refused (nobody: a stale path), -ENOENT gone, else -errno.
   *pid: the listener's process when it accepted, else 0. */
static int probe_alive(const struct sockaddr_un *sun, socklen_t len,
		       pid_t *pid)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd, r, tries;

	*pid = 0;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 8; tries++) {
		r = connect(fd, (const struct sockaddr *)sun, len) == 0 ? 0 : -errno;
		if (r != -EINTR)
			break;
	}
	if (r == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		*pid = cred.pid;
	pb__close_keep_errno(fd);
	if (r == 0 || r == -EAGAIN || r == -EINPROGRESS)
		return 1;
	if (r == -ECONNREFUSED)
		return 0;
	return r;
}

/* Bind fd at path, removing a stale socket there.  Called with the
   directory lock held.  A live path whose listener is the predecessor
   this process took from is given up to PB_HANDOFF_GONE_MS to be removed:
   that take may have returned before the removal (its time ran out, or a
   signal handler ran), and the removal is on its way.  Meanwhile the
   file is watched, not connected to again: each connection would take a
   place in a backlog that the busy predecessor does not empty.  0, or
   -errno (-EINTR: a handler ran meanwhile). */
static int claim_path(int fd, const struct sockaddr_un *sun, socklen_t len,
		      const char *path, struct waits *w)
{
	struct stat st;
	pid_t pid, pred;
	ino_t ino = 0;
	int tries, r;

	pred = taken_from_claim(path);
	for (tries = 0; tries < 3; tries++) {
		if (bind(fd, (const struct sockaddr *)sun, len) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
		if (ino && !past(w->deadline) && lstat(path, &st) == 0 &&
		    st.st_ino == ino) {
			if (pause_ms(5, w) < 0)
				return -EINTR;
			tries--;	/* bounded by the deadline */
			continue;
		}
		r = probe_alive(sun, len, &pid);
		if (r == -ENOENT)
			continue;	/* removed meanwhile: bind again */
		if (r == 1 && pred > 0 && pid == pred && !ino &&
		    lstat(path, &st) == 0) {
			ino = st.st_ino;
			w->deadline = pb__now_ms() + PB_HANDOFF_GONE_MS;
			tries--;
			continue;
		}
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
	char abs[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un sun;
	struct waits w;
	socklen_t len;
	int fd = -1, dir, r, saved = errno;

	if (!path || !*path)
		return pb__ret(-EINVAL);
	r = absolute_path(path, abs, sizeof(abs));
	if (r < 0)
		return pb__ret(r);
	r = fill_sun(&sun, abs, &len);
	if (r < 0)
		return pb__ret(r);	/* GCOVR_EXCL_LINE: absolute_path made it fit */
	hold_signals(&w, -1);
	dir = lock_dir(abs, &w);
	if (dir < 0) {
		r = dir;
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = claim_path(fd, &sun, len, abs, &w);
	if (r == 0 && listen(fd, PB_HANDOFF_BACKLOG) < 0) {
		r = -errno;
		unlink(abs);
	}
out:
	/* Unlocked only now that the socket listens: a starter that comes
	   next finds it alive. */
	pb__close_keep_errno(dir);
	release_signals(&w);
	if (r < 0) {
		pb__close_keep_errno(fd);
		return pb__ret(r);
	}
	errno = saved;	/* the steps that failed on the way do not count */
	return fd;
}

/* ---- giving */

/* Connections accepted that have not said hello yet. */
struct pending {
	int fd;
	int64_t until;		/* closed if still silent then */
};

struct pendings {
	struct pending p[PB_HANDOFF_PENDING];
	int n;
};

/* Has conn said hello?  1 yes, 0 not yet, -errno: it is no successor. */
static int said_hello(int conn)
{
	char buf[8];
	ssize_t got;
	int flags = 0;

	got = recv_bytes(conn, buf, sizeof(buf), &flags, NULL);
	if (got == -ETIMEDOUT)
		return 0;
	if (got < 0)
		return (int)got;
	return pb__handoff_check_hello(buf, (size_t)got, flags) == 0 ? 1 : -EPROTO;
}

static void drop(struct pendings *ps, int i)
{
	end_conn(ps->p[i].fd);
	ps->p[i] = ps->p[--ps->n];
}

/*
 * The first connection on ctl that says hello, from a trusted uid.  Up to
 * PB_HANDOFF_PENDING connections wait for their hello at once, each for
 * PB_HANDOFF_HELLO_MS at most; a connection of another uid, one that says
 * anything else or closes is dropped, and when all places are taken the
 * oldest silent one makes room: no peer holds the call while a successor
 * waits.  The others stay in ps for the next round, should this one fail.
 * The connection, or -errno.
 */
static int accept_successor(int ctl, struct pendings *ps, const struct waits *w)
{
	struct pollfd pfd[PB_HANDOFF_PENDING + 1];
	struct pending *p = ps->p;
	int found = -1, i, k, h, r, ms, c, oldest;
	int64_t now;

	for (;;) {
		now = pb__now_ms();
		ms = ms_left(w->deadline);
		pfd[0].fd = ctl;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		for (i = 0; i < ps->n; i++) {
			int64_t left = p[i].until - now;

			if (left < 0)
				left = 0;
			if (ms < 0 || left < ms)
				ms = (int)left;
			pfd[i + 1].fd = p[i].fd;
			pfd[i + 1].events = POLLIN;
			pfd[i + 1].revents = 0;
		}
		r = wait_fds(pfd, (nfds_t)ps->n + 1, ms, w);
		if (r < 0)
			return r;
		now = pb__now_ms();
		/* From the last: a dropped entry takes the last one's place,
		   which was looked at already. */
		for (i = ps->n - 1; i >= 0; i--) {
			if (r > 0 && pfd[i + 1].revents) {
				k = said_hello(p[i].fd);
				if (k == 1) {
					found = p[i].fd;
					p[i] = p[--ps->n];
					break;
				}
				if (k < 0) {
					drop(ps, i);
					continue;
				}
			}
			if (p[i].until <= now)
				drop(ps, i);
		}
		if (found >= 0)
			return found;
		/* One connection a round, each after poll said one is
		   there: a ctl the caller made blocking never blocks here. */
		if (r > 0 && (pfd[0].revents & POLLIN)) {
			c = accept4(ctl, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (c < 0) {
				if (errno != EAGAIN && errno != EWOULDBLOCK &&
				    errno != EINTR && errno != ECONNABORTED)
					return -errno;
				goto next;
			}
			/* Another uid, or one that says something else or
			   nothing ever: closed, skipped. */
			if (peer_trusted(c) < 0 || (h = said_hello(c)) < 0) {
				end_conn(c);
				goto next;
			}
			if (h == 1)
				return c;
			if (ps->n == PB_HANDOFF_PENDING) {
				for (oldest = 0, i = 1; i < ps->n; i++)
					if (p[i].until < p[oldest].until)
						oldest = i;
				drop(ps, oldest);
			}
			p[ps->n].fd = c;
			p[ps->n].until = now + PB_HANDOFF_HELLO_MS;
			ps->n++;
		}
next:
		if (past(w->deadline))
			return -ETIMEDOUT;
	}
}

/*
 * Send the message to conn, a connection that said hello, and wait for
 * its ack: 0 when it came; 1 when the peer went away first (a successor
 * killed by its service manager), at whatever point, answered something
 * else, or did not answer within PB_HANDOFF_ACK_MS (a killed successor
 * whose child still holds its connection): it is skipped, and the
 * descriptors it may have got died with it or are its own business; or
 * -errno (the deadline, a signal, a failing system call).
 */
static int offer(int conn, const struct msghdr *mh, const struct waits *w)
{
	struct waits each = *w;
	char ack[8];
	ssize_t got;
	int r, flags = 0;
	int64_t until = pb__now_ms() + PB_HANDOFF_ACK_MS;

	if (each.deadline < 0 || each.deadline > until)
		each.deadline = until;
	r = send_msg(conn, mh, &each);
	if (r == -EPIPE || r == -ECONNRESET || r == -ENOTCONN)
		return 1;
	if (r == -ETIMEDOUT && !past(w->deadline))
		return 1;	/* GCOVR_EXCL_LINE: the send never waits (send_msg) */
	if (r < 0)
		return r;
	got = recv_bytes(conn, ack, sizeof(ack), &flags, &each);
	if (got == 0 || got == -ECONNRESET)
		return 1;
	if (got == -ETIMEDOUT && !past(w->deadline))
		return 1;
	if (got < 0)
		return (int)got;
	return pb__handoff_check_ack(ack, (size_t)got, flags) == 0 ? 0 : 1;
}

/* Remove the path ctl is bound to, if it still leads to a socket.  A
   relative path (a ctl not made by pb_handoff_listen) is left alone: it
   would be looked up from the current directory, maybe another one than
   at bind time.  A full sun_path has no NUL: end is its terminator. */
static void unlink_own_path(int ctl)
{
	struct {
		struct sockaddr_un un;
		char end;
	} self;
	socklen_t len = sizeof(self.un);
	struct stat st;

	memset(&self, 0, sizeof(self));
	if (getsockname(ctl, (struct sockaddr *)&self.un, &len) < 0 ||
	    self.un.sun_family != AF_UNIX || self.un.sun_path[0] != '/')
		return;
	if (lstat(self.un.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(self.un.sun_path);
}

/*
 * Done with conn after offer() gave r.  Short of an ack (skipped, the
 * deadline, a signal), refuse any answer from now on, shutdown(SHUT_RD):
 * the peer's send of it fails; then look whether it came before that.
 * If it did, the peer holds the descriptors and took our path as given:
 * the hand-off is done after all, r 0.  Then end the connection so that
 * the peer sees it at once; with r 0 our path is removed first, for the
 * peer binds there once it sees the end.  The outcome, 0, 1 or -errno.
 */
static int settle(int conn, int ctl, int r)
{
	char ack[8];
	ssize_t got;
	int flags = 0;

	if (r != 0) {
		shutdown(conn, SHUT_RD);
		got = recv_bytes(conn, ack, sizeof(ack), &flags, NULL);
		if (got > 0 &&
		    pb__handoff_check_ack(ack, (size_t)got, flags) == 0)
			r = 0;
	}
	if (r == 0)
		unlink_own_path(ctl);
	end_conn(conn);
	return r;
}

/* What the giver sends, off its stack. */
struct give_buf {
	char msg[PB_HANDOFF_BUF];
	union {		/* last: clang sees CMSG_SPACE as variable */
		char b[CMSG_SPACE(PB_HANDOFF_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
};

PB_EXPORT int pb_handoff_give(int ctl, const int *fds, const char *const *names,
			      int n, int timeout_ms)
{
	struct give_buf *gb;
	struct pendings ps;
	struct waits w;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	int conn, i, r, len, saved = errno;

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
	gb = calloc(1, sizeof(*gb));
	if (!gb)
		return -1;
	len = pb__handoff_build(gb->msg, sizeof(gb->msg), names, n);
	/* GCOVR_EXCL_START: names checked above, and the buffer holds the largest message */
	if (len < 0) {
		free(gb);
		return pb__ret(len);
	}
	/* GCOVR_EXCL_STOP */
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = gb->msg;
	iov.iov_len = (size_t)len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = gb->cbuf.b;
	mh.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));

	hold_signals(&w, timeout_ms);
	ps.n = 0;
	/* Each round serves one peer that said hello; one that goes away
	   before its ack leaves the others, pending or to come, their turn.
	   Bounded by the deadline, or ended by a signal, as every wait. */
	do {
		conn = accept_successor(ctl, &ps, &w);
		if (conn < 0) {
			r = conn;
			break;
		}
		r = settle(conn, ctl, offer(conn, &mh, &w));
	} while (r == 1);
	while (ps.n > 0)
		drop(&ps, ps.n - 1);
	release_signals(&w);
	free(gb);
	if (r == 0)
		errno = saved;
	return pb__ret(r);
}

/* ---- taking */

/*
 * Connect fd to sun before the deadline.  A non-blocking AF_UNIX connect
 * fails with EAGAIN while the listener's backlog is full (a server that
 * does not accept): tried again, with growing pauses, until the deadline.
 */
static int connect_by(int fd, const struct sockaddr_un *sun, socklen_t len,
		      const struct waits *w)
{
	int r, wait = 1, err;

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sun, len) == 0)
			return 0;
		r = -errno;
		/* GCOVR_EXCL_START: an AF_UNIX connect completes or fails at once (EAGAIN: backlog full) */
		if (r == -EISCONN)
			return 0;
		if (r == -EINPROGRESS || r == -EALREADY) {
			socklen_t el = sizeof(err);

			r = wait_for(fd, POLLOUT, w);
			if (r < 0)
				return r;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				return -errno;
			return -err;
		}
		/* GCOVR_EXCL_STOP */
		if (r != -EAGAIN && r != -EINTR)
			return r;
		if (past(w->deadline))
			return -ETIMEDOUT;
		if (pause_ms(wait, w) < 0)
			return -EINTR;
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
			close(fd);	/* GCOVR_EXCL_LINE: cbuf holds 64: the kernel closes the rest (MSG_CTRUNC) */
	}
}

/* What the taker receives, off its stack: the message, the ancillary
   data, what became of the descriptors, and the names of a checked
   message. */
struct take_buf {
	int fds[PB_HANDOFF_MAX];
	unsigned char kinds[PB_HANDOFF_MAX];
	char msg[PB_HANDOFF_BUF];
	size_t len;			/* of the message in msg */
	char names[PB_HANDOFF_MAX][PB_FDNAME_MAX];
	union {		/* last: clang sees CMSG_SPACE as variable */
		char b[CMSG_SPACE(PB_HANDOFF_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
};

/* The predecessor's message on fd, its descriptors in tb->fds (*nfds of
   them, ours to close from here on, whatever else is wrong with it): the
   number of descriptors of a message checked in full, or -errno. */
static int receive_set(int fd, struct take_buf *tb, size_t *nfds,
		       const struct waits *w)
{
	struct pb__handoff_rx rx;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	ssize_t got;
	size_t i, other = 0;
	int r;

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
		/* Closed before it sent anything, its end full of our
		   unread hello: as a close without a word, no hand-off. */
		if (r == -ECONNRESET)
			return -EPROTO;
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			r = wait_for(fd, POLLIN, w);
		else if (r == -EINTR)
			r = 0;	/* GCOVR_EXCL_LINE: MSG_DONTWAIT never sleeps */
		if (r < 0)
			return r;
	}
	if (mh.msg_controllen > 0) {
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_len < CMSG_LEN(0))
				break;	/* GCOVR_EXCL_LINE: the kernel writes whole headers */
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS)
				keep_fds(c, tb->fds, nfds);
			else
				other++;	/* GCOVR_EXCL_LINE: no SO_PASSCRED/PASSSEC/PASSPIDFD here: the kernel adds no other kind */
		}
	}
	for (i = 0; i < *nfds; i++) {
		r = pb__handoff_fd_kind(tb->fds[i]);
		tb->kinds[i] = r < 0 ? PB__FD_WRONG : (unsigned char)r;
	}
	rx.msg_flags = mh.msg_flags;
	rx.nfds = *nfds;
	rx.other_cmsgs = other;
	rx.kinds = tb->kinds;
	tb->len = (size_t)got;
	/* An end of file reads as an empty message: EPROTO too. */
	return pb__handoff_check_msg(tb->msg, (size_t)got, &rx);
}

/* The checked set into set, which is the caller's from here on: only
   once the take has succeeded, so that a failed take leaves it as it
   was. */
static void hand_over(struct pb_fdset *set, const struct take_buf *tb,
		      unsigned n, pid_t pid)
{
	unsigned i;

	set->n = n;
	set->pid = pid;
	for (i = 0; i < n; i++) {
		/* The name and its NUL, then zeros: what follows the NUL in
		   the heap buffer is not the caller's to see. */
		size_t len = strnlen(tb->names[i], PB_FDNAME_MAX - 1);

		set->fds[i] = tb->fds[i];
		memcpy(set->names[i], tb->names[i], len);
		memset(set->names[i] + len, 0, PB_FDNAME_MAX - len);
	}
}

PB_EXPORT int pb_handoff_take(const char *path, int timeout_ms,
			      struct pb_fdset *set)
{
	struct sockaddr_un sun;
	struct take_buf *tb = NULL;
	struct taken_from cut;
	struct waits w;
	socklen_t len;
	char hello[] = PB_HANDOFF_MAGIC, ack = PB_HANDOFF_ACK, eof[8];
	ssize_t got;
	size_t i, nfds = 0;
	struct ucred pred;
	socklen_t pl = sizeof(pred);
	int fd, r, n = 0, fl, saved = errno;
	unsigned k;

	r = pb__fdset_check(set);
	if (r < 0)
		return pb__ret(r);
	/* A set that still holds descriptors would lose them. */
	for (k = 0; k < set->n; k++)
		if (set->fds[k] >= 0)
			return pb__ret(-EBUSY);
	r = fill_sun(&sun, path, &len);
	if (r < 0)
		return pb__ret(r);
	memset(&pred, 0, sizeof(pred));
	hold_signals(&w, timeout_ms);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = connect_by(fd, &sun, len, &w);
	if (r == -ENOENT || r == -ECONNREFUSED) {
		/* Nobody there: a first start, nothing to take. */
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	r = peer_trusted(fd);
	if (r < 0)
		goto out;
	r = send_bytes(fd, hello, PB_HANDOFF_MAGIC_LEN, &w);
	if (r == -EPIPE || r == -ECONNRESET)
		r = -EPROTO;	/* closed without a word */
	if (r < 0)
		goto out;
	tb = malloc(sizeof(*tb));
	if (!tb) {
		r = -ENOMEM;
		goto out;
	}
	n = receive_set(fd, tb, &nfds, &w);
	if (n < 0) {
		r = n;
		goto out;
	}
	/* Checked in full: only now is anything kept. */
	r = pb__handoff_split_names(tb->msg + sizeof(struct pb__handoff_hdr),
				    tb->len - sizeof(struct pb__handoff_hdr),
				    (unsigned)n, tb->names);
	if (r < 0)
		goto out;	/* GCOVR_EXCL_LINE: pb__handoff_check_msg checked the same names */
	/* GCOVR_EXCL_START: SO_PEERCRED succeeded on fd already (peer_trusted) */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &pred, &pl) < 0) {
		r = -errno;
		goto out;
	}
	/* GCOVR_EXCL_STOP */
	r = send_bytes(fd, &ack, 1, &w);
	/* Gone before our answer: it never saw it, and keeps serving. */
	if (r == -EPIPE || r == -ECONNRESET)
		r = -ECONNRESET;
	if (r < 0)
		goto out;
	/*
	 * The old server frees its control path, then closes: wait for that
	 * (within the deadline), so that the path is free when we return.
	 * It closes with our answer unread (its own deadline ran out, or a
	 * signal ended its call): a reset, and it goes on serving with its
	 * path, so the hand-off did not happen.  An end of file is the
	 * hand-off done; the deadline or a signal during this wait only ends
	 * a courtesy: the answer is sent, the descriptors ours.
	 */
	got = recv_bytes(fd, eof, sizeof(eof), &fl, &w);
	if (got == -ECONNRESET) {
		r = -ECONNRESET;
		goto out;
	}
	/* Cut short: its path may still be there a moment, which our own
	   pb_handoff_listen there waits for. */
	memset(&cut, 0, sizeof(cut));
	if (got != 0 &&
	    absolute_path(path, cut.path, sizeof(cut.path)) == 0)
		cut.pid = pred.pid;
	taken_from_set(&cut);
	hand_over(set, tb, (unsigned)n, pred.pid);
	r = n;
	nfds = 0;	/* the caller's now */
out:
	if (r == 0) {
		set->n = 0;
		set->pid = 0;
	}
	for (i = 0; i < nfds; i++)
		pb__close_keep_errno(tb->fds[i]);
	free(tb);
	if (fd >= 0)
		end_conn(fd);
	release_signals(&w);
	if (r >= 0)
		errno = saved;
	return pb__ret(r);
}

/* SPDX-License-Identifier: MIT */
/*
 * preload-probe.c - the shim's edges, from a program built WITHOUT
 * libportbind (tests/preload.sh runs it under LD_PRELOAD).  Prints one
 * word per mode, "ok" (or "skipped: why") or what went wrong; exits 0 when
 * it survived.  TAKEN is a port a listener holds, FREE one nobody holds,
 * TW one held by a TIME_WAIT that SO_REUSEADDR cannot pass.
 *
 *	efault                 a bad address pointer: EFAULT back
 *	untouched FREE         only a TCP listener with a port gets
 *	                       SO_REUSEADDR (IPv4, and IPv6 at 24 bytes, RFC
 *	                       2133's length), at listen(), not at bind()
 *	lock FREE              a socket bound, not listening: no other socket
 *	                       binds its port, with SO_REUSEADDR or through
 *	                       the shim
 *	rebind TW              TW held by TIME_WAIT that carries SO_REUSEADDR:
 *	                       bind passes it, the option back to 0 after;
 *	                       listen sets it
 *	listenfail FREE        listen fails (EINVAL: a connected socket): the
 *	                       option the shim set is back to 0, errno EINVAL
 *	fd2sock TAKEN          stderr closed, the socket being bound is fd 2
 *	epipe TAKEN            stderr (inherited) a pipe nobody reads
 *	fullpipe TAKEN         stderr (inherited) a full pipe whose reader
 *	                       never reads
 *	listen FREE            two SO_REUSEADDR sockets: listen fails
 *	datafile TAKEN FILE    stdio closed, a data file took fd 2
 *	appendfile TAKEN FILE  the same, the data file opened O_APPEND
 *	popen TAKEN FILE       stdout and stderr closed, popen("cat >FILE")'s
 *	                       pipe took fd 2 (exit 0 when it did)
 *	madepipe TAKEN         fd 2 a pipe the program made (pipe, dup2), read
 *	                       by a child: nothing written
 *	selfpipe TAKEN         fd 2 (inherited) a pipe whose read end the
 *	                       program holds
 *	pty TAKEN              fd 2 a pseudo-terminal that is not the
 *	                       controlling terminal: nothing written
 *	inetsock TAKEN         fd 2 a TCP connection: nothing written
 *	unixsock TAKEN         fd 2 one end of a socketpair: nothing written
 *	journal TAKEN          fd 2 connected to /run/systemd/journal/stdout
 *	                       (root: a private mount namespace)
 *	syslog TAKEN [auto]    the datagram /dev/log gets (root: a private
 *	                       mount namespace); auto: fd 2 a data file
 *	calls FREE TAKEN       binds between markers, for strace; errno kept
 *	seccomp TAKEN HOW      a seccomp filter: kill or errno on
 *	                       process_vm_readv; deny or enosys: most of what
 *	                       the failure path may use refused
 *	sigwait TW             SIGTERM 200 ms into a PORTBIND_WAIT: the
 *	                       handler runs, bind returns at once
 *	sigfd TW [nosfd]       SIGTERM blocked and taken from a signalfd
 *	                       (nosfd: signalfd refused by seccomp, taken
 *	                       with sigtimedwait), sent 300 ms into a
 *	                       PORTBIND_WAIT: bind returns at once, the
 *	                       signal is still there for the program
 *	plainbind RESERVED     bind without SO_REUSEADDR, then listen: prints
 *	                       "refused" when bind fails with EADDRINUSE
 *	bindonly FREE          bind without listening (a lock), print "bound",
 *	                       hold it until killed (at most 10 s)
 *	hostile TAKEN          names itself (comm) with escapes
 *	holder                 a child named with escapes holds the port; prints it
 *	title TAKEN            overwrites its argv[0] (setproctitle), then binds
 *	errno                  errno as main() found it
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in at(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static int reuse(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	return v;
}

/* bind(TCP socket, 127.0.0.1:port): 0 when it failed with EADDRINUSE. */
static int taken_bind(int port)
{
	struct sockaddr_in sin = at(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r, e;

	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	e = errno;
	close(fd);
	return r == -1 && e == EADDRINUSE ? 0 : -1;
}

/* What is waiting on fd within ms, NUL-terminated; its length. */
static ssize_t drain(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return 0;
	n = recv(fd, buf, size - 1, MSG_DONTWAIT);
	if (n < 0 && errno == ENOTSOCK)
		n = read(fd, buf, size - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return n;
}

static int verdict(int good, const char *what)
{
	printf(good ? "ok\n" : "bad: %s\n", what);
	return 0;
}

/* A private mount namespace (root only): 0, or -1 after printing why. */
static int private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		printf("skipped: no private mount namespace (%s): needs root\n",
		       strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("bad: mount --make-rprivate: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int unix_server(const char *path, int type)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0))
		return -1;
	return fd;
}

static int journal(int port)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096], want[128];
	int srv, cli, acc;

	if (private_mounts() < 0)
		return 0;
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0 ||
	    mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0)
		return verdict(0, "cannot make /run/systemd/journal");
	srv = unix_server("/run/systemd/journal/stdout", SOCK_STREAM);
	cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/run/systemd/journal/stdout");
	if (srv < 0 || cli < 0 || connect(cli, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    (acc = accept(srv, NULL, NULL)) < 0 || dup2(cli, 2) < 0)
		return verdict(0, "journal socket");
	if (taken_bind(port) < 0)
		return verdict(0, "bind did not fail with EADDRINUSE");
	drain(acc, buf, sizeof(buf), 1000);
	snprintf(want, sizeof(want), "<3>probe: bind: tcp 127.0.0.1:%d: EADDRINUSE", port);
	if (strncmp(buf, want, strlen(want)) != 0 || buf[strlen(buf) - 1] != '\n')
		return verdict(0, buf[0] ? buf : "nothing reached the journal stream");
	return verdict(1, "");
}

static int syslog_mode(int port, int automatic)
{
	char buf[4096];
	int srv, data = -1;

	if (private_mounts() < 0)
		return 0;
	if (mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") < 0)
		return verdict(0, "cannot mount a tmpfs on /dev");
	srv = unix_server("/dev/log", SOCK_DGRAM);
	if (srv < 0)
		return verdict(0, "cannot bind /dev/log");
	if (automatic) {
		close(2);
		data = open("/dev/data", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (data != 2)
			return verdict(0, "the data file did not get fd 2");
	}
	if (taken_bind(port) < 0)
		return verdict(0, "bind did not fail with EADDRINUSE");
	if (automatic && lseek(data, 0, SEEK_END) != 0)
		return verdict(0, "the data file on fd 2 was written to");
	drain(srv, buf, sizeof(buf), 1000);
	/* preload.sh checks the format. */
	printf("%s\n", buf[0] ? buf : "(nothing)");
	return 0;
}

static void mark(const char *what)
{
	/* Seen by strace as write(-1, "PBMARK-..."), answered EBADF. */
	if (write(-1, what, strlen(what)) >= 0)
		abort();
}

static int calls(int free_port, int taken)
{
	struct sockaddr_in sin = at(free_port), zero = at(0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int z = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int x = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int bad = 0, on = 1;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/pbprobe.%d", (int)getpid());
	unlink(sun.sun_path);
	/* z: the program's own SO_REUSEADDR, on a port the kernel chose. */
	setsockopt(z, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* errno is set after each marker (whose write set it to EBADF) and
	   must be the same after the call. */
	mark("PBMARK-tcp");
	errno = 4242;
	bad |= bind(t, (struct sockaddr *)&sin, sizeof(sin)) != 0 || errno != 4242;
	mark("PBMARK-udp");
	errno = 4242;
	bad |= bind(u, (struct sockaddr *)&sin, sizeof(sin)) != 0 || errno != 4242;
	mark("PBMARK-unix");
	errno = 4242;
	bad |= bind(x, (struct sockaddr *)&sun, sizeof(sun)) != 0 || errno != 4242;
	mark("PBMARK-zero");
	errno = 4242;
	bad |= bind(z, (struct sockaddr *)&zero, sizeof(zero)) != 0 || errno != 4242;
	mark("PBMARK-check");
	bad |= reuse(t) != 0;
	mark("PBMARK-listen");
	errno = 4242;
	bad |= listen(t, 4) != 0 || errno != 4242;
	mark("PBMARK-listenset");
	errno = 4242;
	bad |= listen(z, 4) != 0 || errno != 4242;
	mark("PBMARK-listenunix");
	errno = 4242;
	bad |= listen(x, 4) != 0 || errno != 4242;
	mark("PBMARK-end");
	unlink(sun.sun_path);
	if (bad)
		return verdict(0, "a bind or listen failed, or changed errno");
	if (reuse(t) != 1 || reuse(u) != 0 || reuse(x) != 0 || reuse(z) != 1)
		return verdict(0, "SO_REUSEADDR where it does not belong");
	mark("PBMARK-taken");
	bad = taken_bind(taken);
	mark("PBMARK-done");
	return verdict(!bad, "the taken port did not give EADDRINUSE");
}

/* A filter: the listed system calls get action, the rest run. */
static int filter(const int *nrs, int n, unsigned action)
{
	struct sock_filter f[64];
	struct sock_fprog prog;
	int i, k = 0;

	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (i = 0; i < n; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)nrs[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)k;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* A port the kernel chose for type just now, free again (a race with
   the rest of the machine is left, but a short one). */
static int pick_port(int type)
{
	struct sockaddr_in sin = at(0);
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int seccomp_mode(int taken, const char *how)
{
	static const int vm[] = { SYS_process_vm_readv };
	/* Most of what the failure path may call, but what a program
	   surely needs to go on (and write, to print the verdict). */
	static const int extra[] = {
		SYS_process_vm_readv, SYS_socket, SYS_openat, SYS_getdents64,
		SYS_ioctl, SYS_sendto, SYS_sendmsg, SYS_recvmsg, SYS_recvfrom,
		SYS_getpeername, SYS_fstatfs, SYS_mmap, SYS_readlinkat,
		SYS_connect, SYS_fcntl,
#ifdef SYS_poll
		SYS_poll,
#endif
		SYS_ppoll,
	};
	struct sockaddr_in sin = at(pick_port(SOCK_STREAM)), sinu = at(pick_port(SOCK_DGRAM));
	struct sockaddr_in zero = at(0), tk = at(taken);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int z = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int x = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int k = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r, e, ok = 0;
	char msg[200];

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/pbprobe.%d", (int)getpid());
	unlink(sun.sun_path);
	if (!strcmp(how, "kill"))
		r = filter(vm, 1, SECCOMP_RET_KILL_PROCESS);
	else if (!strcmp(how, "errno"))
		r = filter(vm, 1, SECCOMP_RET_ERRNO | EPERM);
	else if (!strcmp(how, "deny"))
		r = filter(extra, (int)(sizeof(extra) / sizeof(extra[0])),
			   SECCOMP_RET_ERRNO | EPERM);
	else
		r = filter(extra, (int)(sizeof(extra) / sizeof(extra[0])),
			   SECCOMP_RET_ERRNO | ENOSYS);
	if (r < 0) {
		printf("skipped: seccomp filters cannot be installed (%s)\n", strerror(errno));
		return 0;
	}
	/* ok counts the checks passed, in order: the first failed one is
	   ok + 1. */
	errno = 4242;
	if (bind(t, (struct sockaddr *)&sin, sizeof(sin)) == 0 && errno == 4242 && ++ok &&
	    bind(u, (struct sockaddr *)&sinu, sizeof(sinu)) == 0 && errno == 4242 && ++ok &&
	    bind(x, (struct sockaddr *)&sun, sizeof(sun)) == 0 && errno == 4242 && ++ok &&
	    bind(z, (struct sockaddr *)&zero, sizeof(zero)) == 0 && errno == 4242 && ++ok &&
	    listen(t, 4) == 0 && errno == 4242 && reuse(t) == 1)
		ok++;
	e = errno;
	unlink(sun.sun_path);
	if (ok < 5) {
		r = snprintf(msg, sizeof(msg), "bad: success path, check %d: %s\n", ok + 1,
			     strerror(e));
		return write(1, msg, (size_t)r) == r ? 0 : 1;
	}
	r = bind(k, (struct sockaddr *)&tk, sizeof(tk));
	e = errno;
	r = snprintf(msg, sizeof(msg), r == -1 && e == EADDRINUSE ? "ok\n"
		     : "bad: taken port: %d %s\n", r, strerror(e));
	/* write(2): stdio may want memory the filter refuses. */
	return write(1, msg, (size_t)r) == r ? 0 : 1;
}

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sigwait_mode(int port)
{
	struct sockaddr_in sin = at(port);
	struct sigaction sa;
	long long t0, ms;
	pid_t parent = getpid(), child;
	int fd, r, e, st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sa.sa_flags = SA_RESTART;	/* the harder case: restarting calls */
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	t0 = now_ms();
	child = fork();
	if (child == 0) {
		usleep(200 * 1000);
		kill(parent, SIGTERM);
		_exit(0);
	}
	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	e = errno;
	ms = now_ms() - t0;
	waitpid(child, &st, 0);
	close(fd);
	/* Not before the signal; the upper bound leaves a loaded machine
	   its seconds, well short of preload.sh's PORTBIND_WAIT=20. */
	if (r == -1 && e == EADDRINUSE && got_term && ms >= 150 && ms < 5000) {
		printf("ok\n");
		return 0;
	}
	printf("bad: bind %d (%s) after %lld ms, handler %s\n", r, strerror(e), ms,
	       got_term ? "ran" : "did not run");
	return 0;
}

/* A signal the program blocks and takes itself (sd-event, sigwait): the
   wait ends when it becomes pending, and leaves it pending. */
static int sigfd_mode(int port, int nosfd)
{
	static const int nrs[] = { SYS_signalfd4, SYS_signalfd };
	struct sockaddr_in sin = at(port);
	struct signalfd_siginfo si;
	struct timespec zero = { 0, 0 };
	sigset_t set;
	long long t0, ms;
	pid_t parent = getpid(), child;
	int fd, sfd = -1, r, e, st, got = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (nosfd) {
		if (filter(nrs, 2, SECCOMP_RET_ERRNO | EPERM) < 0)
			return verdict(0, "no seccomp filter");
		if (signalfd(-1, &set, SFD_CLOEXEC) >= 0 || errno != EPERM)
			return verdict(0, "the filter lets signalfd through");
	} else if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		return verdict(0, "no signalfd");
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	t0 = now_ms();
	child = fork();
	if (child == 0) {
		usleep(300 * 1000);
		kill(parent, SIGTERM);
		_exit(0);
	}
	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	e = errno;
	ms = now_ms() - t0;
	waitpid(child, &st, 0);
	close(fd);
	if (nosfd)
		got = sigtimedwait(&set, NULL, &zero) == SIGTERM;
	else
		got = read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
		      si.ssi_signo == SIGTERM;
	if (r == -1 && e == EADDRINUSE && got && ms >= 250 && ms < 5000) {
		printf("ok\n");
		return 0;
	}
	printf("bad: bind %d (%s) after %lld ms, SIGTERM %s\n", r, strerror(e), ms,
	       got ? "read" : "not there");
	return 0;
}

/* bind without SO_REUSEADDR, listen: "refused", or "bound" (the port was
   taken from whoever had it). */
static int plainbind_mode(int port)
{
	struct sockaddr_in sin = at(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r, e;

	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	e = errno;
	if (r == 0 && listen(fd, 8) == 0)
		printf("bound\n");
	else if (r == -1 && e == EADDRINUSE)
		printf("refused\n");
	else
		printf("bad: bind %d (%s)\n", r, strerror(e));
	close(fd);
	return 0;
}

/* Hold FREE as a lock for another process: bound, never listening. */
static int bindonly_mode(int port)
{
	struct sockaddr_in sin = at(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return verdict(0, strerror(errno));
	printf("bound\n");
	fflush(stdout);
	alarm(10);	/* the script's kill ends it sooner */
	for (;;)
		pause();
}

/* A port held by a socket bound and not listening (a lock): neither a
   second bind through the shim nor a socket with SO_REUSEADDR gets it. */
static int lock_mode(int port)
{
	struct sockaddr_in sin = at(port);
	int a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1, rb, eb, rc, ec;

	if (bind(a, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return verdict(0, "the first bind failed");
	rb = bind(b, (struct sockaddr *)&sin, sizeof(sin));
	eb = errno;
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	rc = bind(c, (struct sockaddr *)&sin, sizeof(sin));
	ec = errno;
	if (reuse(a) != 0 || reuse(b) != 0)
		return verdict(0, "SO_REUSEADDR on a socket that only binds");
	if (rb == 0 || eb != EADDRINUSE)
		return verdict(0, "a second bind through the shim took the port");
	return verdict(rc == -1 && ec == EADDRINUSE,
		       "a SO_REUSEADDR socket took the port");
}

/* Over TIME_WAIT that carries SO_REUSEADDR: bind passes it (the shim's
   retry) and leaves the option as it was; listen sets it. */
static int rebind_mode(int port)
{
	struct sockaddr_in sin = at(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	errno = 4242;
	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (r < 0 || errno != 4242)
		return verdict(0, r < 0 ? strerror(errno) : "errno changed");
	if (reuse(fd) != 0)
		return verdict(0, "SO_REUSEADDR left on after the retry");
	if (listen(fd, 4) < 0)
		return verdict(0, "listen failed");
	return verdict(reuse(fd) == 1, "no SO_REUSEADDR on the listener");
}

/* A listen that fails after the shim set SO_REUSEADDR for it. */
static int listenfail_mode(int port)
{
	struct sockaddr_in sin = at(port);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r, e;

	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 1) < 0 ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return verdict(0, "setup");
	r = listen(c, 1);	/* connected, with a port: EINVAL */
	e = errno;
	if (r != -1 || e != EINVAL)
		return verdict(0, r == 0 ? "listen succeeded" : strerror(e));
	return verdict(reuse(c) == 0, "SO_REUSEADDR left on after a failed listen");
}

/* Runs this program again as MODE PORT ARG: what it inherits is what a
   parent gave it. */
static int again(char **argv, const char *arg)
{
	char *args[] = { argv[0], argv[1], argv[2], (char *)arg, NULL };

	execv("/proc/self/exe", args);
	return 1;
}

int main(int argc, char **argv)
{
	int errno_at_main = errno;
	const char *mode = argc > 1 ? argv[1] : "";
	int port = argc > 2 ? atoi(argv[2]) : 0;
	struct sockaddr_in sin = at(port);
	int fd, r, e, p[2];
	char buf[4096];

	if (!strcmp(mode, "efault")) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		errno = 0;
		r = bind(fd, (const struct sockaddr *)(unsigned long)8, 16);
		e = errno;
		printf(r == -1 && e == EFAULT ? "ok\n" : "bad: %d %s\n", r, strerror(e));
		return 0;
	}
	if (!strcmp(mode, "untouched")) {
		struct sockaddr_in zero = at(0);
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int t0 = socket(AF_INET, SOCK_STREAM, 0);
		int tp = socket(AF_INET, SOCK_STREAM, 0);
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		int x = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/pbprobe.%d", (int)getpid());
		if (bind(t0, (struct sockaddr *)&zero, sizeof(zero)) ||
		    bind(tp, (struct sockaddr *)&sin, sizeof(sin)) ||
		    bind(u, (struct sockaddr *)&sin, sizeof(sin)) ||
		    bind(x, (struct sockaddr *)&sun, sizeof(sun))) {
			printf("bad: bind %s\n", strerror(errno));
			return 0;
		}
		unlink(sun.sun_path);
		/* IPv6 at RFC 2133's length (no sin6_scope_id) is still IPv6. */
		{
			struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
			int t6 = socket(AF_INET6, SOCK_STREAM, 0);

			s6.sin6_port = htons((unsigned short)port);
			s6.sin6_addr = in6addr_loopback;
			if (t6 >= 0 && (bind(t6, (struct sockaddr *)&s6, 24) < 0 ||
					reuse(t6) != 0 || listen(t6, 1) < 0 ||
					reuse(t6) != 1)) {
				printf("bad: IPv6 at 24 bytes: %s, reuse %d\n",
				       strerror(errno), reuse(t6));
				return 0;
			}
		}
		if (reuse(tp) != 0) {
			printf("bad: a bound TCP socket got SO_REUSEADDR\n");
			return 0;
		}
		if (reuse(t0) != 0) {
			printf("bad: a port-0 bind got SO_REUSEADDR\n");
			return 0;
		}
		/* A port the kernel chose at bind counts at listen too. */
		if (listen(tp, 1) < 0 || listen(x, 1) < 0 || listen(t0, 1) < 0) {
			printf("bad: listen %s\n", strerror(errno));
			return 0;
		}
		printf(reuse(t0) == 1 && reuse(tp) == 1 && reuse(u) == 0 &&
		       reuse(x) == 0 ? "ok\n" : "bad: %d %d %d %d\n",
		       reuse(t0), reuse(tp), reuse(u), reuse(x));
		return 0;
	}
	if (!strcmp(mode, "fd2sock")) {
		close(2);
		fd = socket(AF_INET, SOCK_STREAM, 0);	/* gets fd 2 */
		r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		e = errno;
		printf(fd == 2 && r == -1 && e == EADDRINUSE ? "ok\n" : "bad: fd %d %s\n",
		       fd, strerror(e));
		return 0;
	}
	/* Descriptor 2 set up here, then inherited by a new run of this
	   program (argv[3] "run"), as a parent's pipe is. */
	if (!strcmp(mode, "epipe")) {
		if (argc > 3)
			return verdict(taken_bind(port) == 0,
				       "bind did not fail with EADDRINUSE");
		if (pipe(p) < 0 || dup2(p[1], 2) < 0)
			return 1;
		close(p[0]);	/* nobody reads stderr now */
		close(p[1]);
		return again(argv, "run");
	}
	if (!strcmp(mode, "selfpipe")) {
		if (argc > 3) {
			fd = atoi(argv[3]);
			if (taken_bind(port) < 0)
				return verdict(0, "bind did not fail with EADDRINUSE");
			fcntl(fd, F_SETFL, O_NONBLOCK);
			r = (int)read(fd, buf, sizeof(buf));
			return verdict(r < 0 && errno == EAGAIN,
				       "a line went into the program's own pipe");
		}
		if (pipe(p) < 0 || dup2(p[1], 2) < 0)
			return 1;
		close(p[1]);	/* p[0] stays: the program's own read end */
		snprintf(buf, sizeof(buf), "%d", p[0]);
		return again(argv, buf);
	}
	if (!strcmp(mode, "fullpipe")) {
		/* fd 2 a blocking pipe, full, whose reader (a child) never
		   reads. */
		pid_t child;
		int st;

		if (argc > 3) {
			alarm(5);	/* a blocked write would be killed here */
			r = taken_bind(port);
			alarm(0);
			child = atoi(argv[3]);
			kill(child, SIGTERM);
			waitpid(child, &st, 0);
			return verdict(r == 0, "bind did not fail with EADDRINUSE");
		}
		if (pipe(p) < 0)
			return 1;
		child = fork();
		if (child == 0) {
			close(p[1]);
			alarm(10);
			for (;;)
				pause();
		}
		close(p[0]);
		memset(buf, 'x', sizeof(buf));
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		while (write(p[1], buf, sizeof(buf)) > 0 || write(p[1], buf, 1) > 0)
			;
		fcntl(p[1], F_SETFL, 0);
		dup2(p[1], 2);
		close(p[1]);
		snprintf(buf, sizeof(buf), "%d", (int)child);
		return again(argv, buf);
	}
	if (!strcmp(mode, "madepipe")) {
		/* The pipe to a helper the program started, on fd 2. */
		pid_t child;
		int st, n = 0;

		if (pipe(p) < 0)
			return 1;
		child = fork();
		if (child == 0) {
			close(p[1]);
			alarm(10);
			while ((r = (int)read(p[0], buf, sizeof(buf))) > 0)
				n += r;
			_exit(n == 0 ? 0 : 1);
		}
		close(p[0]);
		if (dup2(p[1], 2) < 0)
			return 1;
		close(p[1]);
		r = taken_bind(port);
		close(2);
		waitpid(child, &st, 0);
		return verdict(r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			       "a line went into the pipe to the program's helper");
	}
	if (!strcmp(mode, "popen") && argc > 3) {
		/* A daemon with stdout and stderr closed starts a helper: the
		   pipe's write end (glibc: pipe2(O_CLOEXEC)) takes fd 2. */
		char cmd[4200];
		FILE *f;

		close(1);
		close(2);
		snprintf(cmd, sizeof(cmd), "cat > '%s'", argv[3]);
		f = popen(cmd, "w");
		if (!f)
			return 1;
		if (fileno(f) != 2)
			return 4;	/* preload.sh says the setup failed */
		if (fputs("data 1\n", f) < 0 || fflush(f) != 0)
			return 1;
		r = taken_bind(port);
		if (fputs("data 2\n", f) < 0 || pclose(f) != 0)
			return 1;
		return r == 0 ? 0 : 3;
	}
	if (!strcmp(mode, "listen")) {
		int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
		int on = 1;

		setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(a, (struct sockaddr *)&sin, sizeof(sin)) ||
		    bind(b, (struct sockaddr *)&sin, sizeof(sin)) || listen(a, 4)) {
			printf("bad: setup %s\n", strerror(errno));
			return 0;
		}
		errno = 0;
		r = listen(b, 4);
		e = errno;
		printf(r == -1 && e == EADDRINUSE ? "ok\n" : "bad: %s\n", strerror(e));
		return 0;
	}
	if ((!strcmp(mode, "datafile") || !strcmp(mode, "appendfile")) && argc > 3) {
		static const char rec[] = "record 1\nrecord 2\n";
		struct stat st;

		close(0);
		close(1);
		close(2);
		/* The daemon's own files: fd 0 and 1 to /dev/null, and its
		   data file, which gets fd 2. */
		open("/dev/null", O_RDWR);
		open("/dev/null", O_RDWR);
		fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC |
			  (!strcmp(mode, "appendfile") ? O_APPEND : 0), 0600);
		if (fd != 2 || write(fd, rec, 9) != 9)
			return 1;
		if (taken_bind(port) < 0 || write(fd, rec + 9, 9) != 9 ||
		    fstat(fd, &st) < 0)
			return 1;
		return st.st_size == 18 ? 0 : 3;	/* no stdout: the exit says */
	}
	if (!strcmp(mode, "pty")) {
		int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), s;

		if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
		    (s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
		    dup2(s, 2) < 0) {
			printf("skipped: no pseudo-terminal (%s)\n", strerror(errno));
			return 0;
		}
		if (taken_bind(port) < 0)
			return verdict(0, "bind did not fail with EADDRINUSE");
		return verdict(drain(m, buf, sizeof(buf), 200) == 0,
			       "a line went to a terminal that is not the controlling one");
	}
	if (!strcmp(mode, "inetsock")) {
		struct sockaddr_in me = at(0);
		socklen_t len = sizeof(me);
		int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

		if (bind(l, (struct sockaddr *)&me, sizeof(me)) < 0 || listen(l, 1) < 0 ||
		    getsockname(l, (struct sockaddr *)&me, &len) < 0 ||
		    connect(c, (struct sockaddr *)&me, sizeof(me)) < 0 ||
		    (a = accept(l, NULL, NULL)) < 0 || dup2(c, 2) < 0)
			return verdict(0, "tcp connection");
		if (taken_bind(port) < 0)
			return verdict(0, "bind did not fail with EADDRINUSE");
		return verdict(drain(a, buf, sizeof(buf), 200) == 0,
			       "a line went into the program's TCP connection");
	}
	if (!strcmp(mode, "unixsock")) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0 ||
		    dup2(p[0], 2) < 0)
			return 1;
		if (taken_bind(port) < 0)
			return verdict(0, "bind did not fail with EADDRINUSE");
		return verdict(drain(p[1], buf, sizeof(buf), 200) == 0,
			       "a line went into the program's own socket");
	}
	if (!strcmp(mode, "journal"))
		return journal(port);
	if (!strcmp(mode, "syslog"))
		return syslog_mode(port, argc > 3 && !strcmp(argv[3], "auto"));
	if (!strcmp(mode, "calls") && argc > 3)
		return calls(port, atoi(argv[3]));
	if (!strcmp(mode, "seccomp") && argc > 3)
		return seccomp_mode(port, argv[3]);
	if (!strcmp(mode, "sigwait"))
		return sigwait_mode(port);
	if (!strcmp(mode, "lock"))
		return lock_mode(port);
	if (!strcmp(mode, "listenfail"))
		return listenfail_mode(port);
	if (!strcmp(mode, "rebind"))
		return rebind_mode(port);
	if (!strcmp(mode, "holder")) {
		/* A holder whose name (comm) carries escapes and a newline. */
		struct sockaddr_in me = at(0);
		socklen_t len = sizeof(me);
		int l, st;
		pid_t child;

		if (pipe(p) < 0)
			return 1;
		child = fork();
		if (child == 0) {
			prctl(PR_SET_NAME, "h\033[2J\nFAKE:\x9b", 0, 0, 0);
			l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (bind(l, (struct sockaddr *)&me, sizeof(me)) < 0 || listen(l, 1) < 0 ||
			    getsockname(l, (struct sockaddr *)&me, &len) < 0 ||
			    write(p[1], &me.sin_port, sizeof(me.sin_port)) != sizeof(me.sin_port))
				_exit(1);
			alarm(10);	/* the parent's SIGTERM ends it sooner */
			for (;;)
				pause();
		}
		if (child < 0 || read(p[0], &me.sin_port, sizeof(me.sin_port)) !=
				 sizeof(me.sin_port))
			return 1;
		r = taken_bind(ntohs(me.sin_port));
		kill(child, SIGTERM);
		waitpid(child, &st, 0);
		printf("%d\n", r == 0 ? ntohs(me.sin_port) : -1);
		return 0;
	}
	if (!strcmp(mode, "hostile")) {
		prctl(PR_SET_NAME, "pb\033[2J\nFAKE:\233x", 0, 0, 0);
		return taken_bind(port) == 0 ? 0 : 1;
	}
	if (!strcmp(mode, "title")) {
		/* What setproctitle does: the bytes of argv[0] (where
		   program_invocation_short_name points) are the title now. */
		memset(argv[0], '\001', strlen(argv[0]));
		return taken_bind(port) == 0 ? 0 : 1;
	}
	if (!strcmp(mode, "errno")) {
		printf("%d\n", errno_at_main);
		return 0;
	}
	if (!strcmp(mode, "sigfd"))
		return sigfd_mode(port, argc > 3 && !strcmp(argv[3], "nosfd"));
	if (!strcmp(mode, "plainbind"))
		return plainbind_mode(port);
	if (!strcmp(mode, "bindonly"))
		return bindonly_mode(port);
	return 2;
}

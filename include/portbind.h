/* SPDX-License-Identifier: MIT */
/*
 * portbind.h - bind ports safely, survive restarts, explain why a port is busy.
 *
 * Conventions (see portbind(3)):
 *  - functions that create a descriptor return it, or -1;
 *  - every other function returns 0, or -1;
 *  - on -1, errno says why, as bind(2) would, so err(3) just works;
 *  - every descriptor the library opens is close-on-exec;
 *  - a failing call closes what it opened and leaves errno as the failing
 *    system call set it;
 *  - nothing prints or exits.
 *
 * Thread safety (the whole statement is in portbind(3)): every function
 * may be called from several threads at once, each call on its own
 * objects: a struct pb_diag, a struct pb_fdset (or any struct or buffer)
 * that two threads use at once, they use in turns.  One exception: the
 * environment, which C and POSIX give no lock.  pb_listen_fds(1) unsets
 * LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES: the only change the library
 * ever makes to the environment, and only when asked.  pb_listen_fds,
 * pb_listen_fd_name, pb_adopt, and pb_listen, pb_bind_udp and
 * pb_listen_wait with PB_ADOPT read those variables, so they race with a
 * setenv, unsetenv or putenv (or a pb_listen_fds(1)) in another thread:
 * call them at start-up, or where no other thread changes the
 * environment.  Nothing else reads or writes it; a hand-off's results come
 * back in the caller's struct pb_fdset.  What the library keeps between
 * calls, and its lock: see portbind(3).
 */
#ifndef PORTBIND_H
#define PORTBIND_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PB_VERSION_MAJOR 0
#define PB_VERSION_MINOR 1
#define PB_VERSION_PATCH 0

/* "MAJOR.MINOR.PATCH" of the library actually loaded. */
const char *pb_version(void);

/*
 * Option setters.  fd is the caller's socket and is never closed; on is
 * taken as a boolean.  ENOPROTOOPT where the system lacks the option.
 */
int pb_set_reuseaddr(int fd, int on);
int pb_set_reuseport(int fd, int on);
int pb_set_v6only(int fd, int on);
int pb_set_freebind(int fd, int on);
int pb_set_bind_no_port(int fd, int on);      /* IP_BIND_ADDRESS_NO_PORT */
int pb_set_local_port_range(int fd, unsigned lo, unsigned hi); /* IP_LOCAL_PORT_RANGE */

/*
 * Drop-in for bind(2) in restart-safe servers.  A stream socket gets
 * SO_REUSEADDR, then binds; a datagram socket binds WITHOUT SO_REUSEADDR
 * (on Linux the option lets another socket steal unicast datagrams).
 */
int pb_bind_reuse(int fd, const struct sockaddr *addr, socklen_t addrlen);

/*
 * Address specs, numeric only:
 *   "127.0.0.1:8080"  "0.0.0.0:80"        IPv4
 *   "[::1]:8080"      "[::]:80"           IPv6 (a helper binds it IPv6-only)
 *   "[fe80::1%eth0]:80"                   IPv6 with a scope (name or number)
 *   "*:80"  ":80"  "80"                   every address of both families
 * EINVAL for anything else.
 */
int pb_parse_addr(const char *spec, struct sockaddr_storage *out, socklen_t *outlen);
int pb_format_addr(const struct sockaddr *sa, socklen_t len, char *buf, size_t size);

/* Room pb_format_addr needs for any address: "[" v6 "%" ifname "]:" port. */
#define PB_ADDRSTRLEN 72

/*
 * Intent flags for pb_listen() and pb_bind_udp().  0 is the safe default:
 * close-on-exec, SO_REUSEADDR on TCP, never SO_REUSEADDR on UDP, IPV6_V6ONLY
 * set explicitly from the spec, no SO_REUSEPORT.  Unknown bits: EINVAL.
 */
#define PB_NONBLOCK       0x0001u /* O_NONBLOCK on the new socket */
#define PB_REUSEPORT      0x0002u /* SO_REUSEPORT: share the port (same uid) */
#define PB_FREEBIND       0x0004u /* IP_FREEBIND: bind an address not (yet) local */
#define PB_NO_REUSEADDR   0x0008u /* TCP: do not set SO_REUSEADDR */
#define PB_UDP_REUSEADDR  0x0010u /* UDP only: set SO_REUSEADDR (multicast
                                     receivers; lets others take datagrams) */
#define PB_ADOPT          0x0020u /* adopt a matching socket-activated
                                     socket (pb_adopt) if any, else bind */
#define PB_FLAGS_ALL      0x003fu

struct pb_diag;

/*
 * why may be NULL.  When it is not (and was set up with PB_DIAG_INIT), a
 * failure fills it: with the diagnosis (pb_diagnose) of the address and
 * the failing call's errno, or, for arguments refused before any system
 * call, with which one (invalid, cause "other", err EINVAL...).
 */
int pb_listen(const char *spec, int backlog, unsigned flags, struct pb_diag *why);
int pb_bind_udp(const char *spec, unsigned flags, struct pb_diag *why);

/*
 * pb_listen that waits out a cause that will pass by itself: when the
 * address is held only by TIME_WAIT sockets that SO_REUSEADDR cannot pass,
 * it sleeps until the last one expires (never past timeout_ms) and binds
 * then.  Any other cause (a listener, EACCES, EADDRNOTAVAIL...) fails at
 * once.  timeout_ms < 0 waits as long as the TIME_WAIT sockets last.
 */
int pb_listen_wait(const char *spec, int backlog, unsigned flags,
                   int timeout_ms, struct pb_diag *why);

/*
 * Cause classification.
 */
enum pb_cause {
	PB_CAUSE_NONE = 0,        /* "none":            nothing holds the address */
	PB_CAUSE_LISTENER,        /* "listener":        an active listening socket */
	PB_CAUSE_TIME_WAIT,       /* "time-wait":       only TIME_WAIT sockets */
	PB_CAUSE_CONNECTED,       /* "connected":       open connections, no listener */
	PB_CAUSE_BOUND,           /* "bound":           bound, not listening (or UDP) */
	PB_CAUSE_PRIVILEGED,      /* "privileged":      EACCES, port below the limit */
	PB_CAUSE_ADDR_NOT_LOCAL,  /* "addr-not-local":  EADDRNOTAVAIL on bind */
	PB_CAUSE_PORTS_EXHAUSTED, /* "ports-exhausted": no ephemeral port left */
	PB_CAUSE_OTHER            /* "other" */
};


/* Kernel TCP states as sock_diag and /proc/net report them. */
enum pb_tcp_state {
	PB_TCP_ESTABLISHED = 1,
	PB_TCP_SYN_SENT,
	PB_TCP_SYN_RECV,
	PB_TCP_FIN_WAIT1,
	PB_TCP_FIN_WAIT2,
	PB_TCP_TIME_WAIT,
	PB_TCP_CLOSE,             /* bound, not listening; every bound UDP socket */
	PB_TCP_CLOSE_WAIT,
	PB_TCP_LAST_ACK,
	PB_TCP_LISTEN,
	PB_TCP_CLOSING
};

/* One socket that overlaps the address asked about. */
struct pb_holder {
	int state;                     /* enum pb_tcp_state */
	int protocol;                  /* IPPROTO_TCP or IPPROTO_UDP */
	int v6only;                    /* 1, 0; -1 for IPv4 or when not known */
	unsigned int uid;              /* owner uid (0 for TIME_WAIT: not kept) */
	unsigned long long inode;      /* socket inode (0 for TIME_WAIT) */
	unsigned int expires_ms;       /* TIME_WAIT: milliseconds left */
	int pid;                       /* owner process, 0 when not looked up */
	char comm[16];                 /* its command name, "" when not known */
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
};

/* Where an answer came from: bits of pb_diag.sources. */
#define PB_SRC_ERRNO      0x01u
#define PB_SRC_PROBE      0x02u
#define PB_SRC_NETLINK    0x04u
#define PB_SRC_PROCNET    0x08u
#define PB_SRC_OWNERS     0x10u
#define PB_SRC_SYSCTL     0x20u

/* Requests: bits of pb_diag.flags, set before the call. */
#define PB_DIAG_OWNERS      0x01u /* find owner pid and command (walks /proc) */
#define PB_DIAG_NO_NETLINK  0x02u /* do not ask sock_diag */
#define PB_DIAG_NO_PROCNET  0x04u /* do not read /proc/net */
#define PB_DIAG_OPERATOR    0x08u /* the text's fix is for an operator at a
                                     shell (portbind-why), not for the
                                     program's author */
#define PB_DIAG_FLAGS_ALL   0x0fu

#define PB_DIAG_HOLDERS 8

/* pb_diag.invalid: which argument a helper (pb_listen, pb_bind_udp,
   pb_listen_wait, pb_connect_from, pb_connect_range) refused. */
#define PB_INVALID_SPEC   1 /* the address spec: NULL or not valid */
#define PB_INVALID_FLAGS  2 /* flags: an unknown bit, or two that clash */
#define PB_INVALID_TYPE   3 /* type: not SOCK_STREAM or SOCK_DGRAM */
#define PB_INVALID_SRC    4 /* the source address: short, not IPv4 or
                               IPv6, or of another family than dst */
#define PB_INVALID_DST    5 /* the destination: NULL, short, not IPv4/6 */
#define PB_INVALID_RANGE  6 /* the port range lo..hi */

/*
 * The result of a diagnosis.  Declare it as
 *	struct pb_diag d = PB_DIAG_INIT;
 * ABI: size says how much of the struct the caller has.  Later releases
 * append members after holders[], never before it, and never reorder or
 * remove one; the library accepts any size from this (0.1.0) layout's up
 * and writes only what size holds.  A count larger than its array
 * (n_stored > PB_DIAG_HOLDERS) is EINVAL.  Use designated initialisers.
 */
struct pb_diag {
	size_t size;                   /* sizeof(struct pb_diag), from PB_DIAG_INIT */
	unsigned int flags;            /* in: PB_DIAG_* requests */

	enum pb_cause cause;           /* out: the verdict */
	int err;                       /* the errno that was classified */
	int type;                      /* SOCK_STREAM or SOCK_DGRAM */
	struct sockaddr_storage addr;  /* the address asked about */
	unsigned int sources;          /* PB_SRC_* that answered */

	int reuseaddr_helps;           /* 1: a new socket with SO_REUSEADDR binds
	                                  now; 0: it does not; -1: not known */
	unsigned int n_holders;        /* overlapping sockets found; when a
	                                  listener settles the verdict only
	                                  listeners are looked for (cheap) */
	unsigned int n_listen;
	unsigned int n_time_wait;
	unsigned int n_connected;      /* established and other live states */
	unsigned int n_bound;          /* bound, not listening; UDP */
	unsigned int time_wait_ms;     /* longest TIME_WAIT time left */

	int unprivileged_port_start;   /* net.ipv4.ip_unprivileged_port_start, -1 */
	int cap_net_bind_service;      /* 1, 0; -1 when not known */
	unsigned int port_range_lo;    /* net.ipv4.ip_local_port_range, 0 */
	unsigned int port_range_hi;

	int v6only;                    /* IPv6 addr: the IPV6_V6ONLY judged
	                                  with (0: dual-stack, "*:port");
	                                  -1 for IPv4 */
	struct sockaddr_storage peer;  /* the destination, after a failed
	                                  connect (pb_connect_from); else
	                                  all zero */
	int reuseport_helps;           /* TCP: 1: a new socket of this
	                                  process's uid with SO_REUSEPORT (and
	                                  SO_REUSEADDR) binds now; 0: it does
	                                  not; -1: not known (UDP: never probed,
	                                  see pb_diagnose(3)) */
	int invalid;                   /* PB_INVALID_*: the argument a helper
	                                  refused before any system call
	                                  (cause "other", err the errno it
	                                  returned); 0 */
	char spec[PB_ADDRSTRLEN];      /* the address spec a helper was given
	                                  (printable ASCII, "..." at the end
	                                  when cut); "" when none */

	/* The variable part, last: later members go after it. */
	unsigned int n_stored;         /* holders[] entries filled, at most
	                                  PB_DIAG_HOLDERS (more: EINVAL) */
	struct pb_holder holders[PB_DIAG_HOLDERS]; /* listeners first */
};

/*
 * Client side.  A connected socket from src to dst, without wasting source
 * ports: with src's port 0 the kernel picks the port at connect() with the
 * whole 4-tuple (IP_BIND_ADDRESS_NO_PORT), so one port serves many
 * destinations; an explicit source port gets SO_REUSEADDR so that it can.
 * src may be NULL (any local address).  Flags: PB_NONBLOCK (returns while
 * the connection is in progress), PB_FREEBIND, PB_NO_REUSEADDR; others
 * EINVAL.  On failure why, if not NULL, says why (ports-exhausted...).
 */
int pb_connect_from(int type, const struct sockaddr *src, socklen_t srclen,
                    const struct sockaddr *dst, socklen_t dstlen,
                    unsigned flags, struct pb_diag *why);
/* The same, with the source port taken from lo..hi (IP_LOCAL_PORT_RANGE,
   Linux 6.3; ENOPROTOOPT before), within net.ipv4.ip_local_port_range. */
int pb_connect_range(int type, const struct sockaddr *src, socklen_t srclen,
                     const struct sockaddr *dst, socklen_t dstlen,
                     unsigned lo, unsigned hi, unsigned flags,
                     struct pb_diag *why);

/* The system values that decide port use, read (never written) from
   /proc/sys.  A value that cannot be read is -1 (ranges: 0).  ABI: later
   members are appended at the end, never reordered; any size from this
   (0.1.0) layout's up is accepted, and only what size holds is written. */
struct pb_sysctls {
	size_t size;                   /* from PB_SYSCTLS_INIT */
	unsigned int port_lo;          /* net.ipv4.ip_local_port_range */
	unsigned int port_hi;
	unsigned int reserved;         /* of those, in ip_local_reserved_ports */
	int tcp_tw_reuse;              /* 0 off, 1 on, 2 loopback only */
	int tcp_tw_reuse_delay_ms;     /* -1 where the kernel lacks it */
	int unprivileged_port_start;   /* net.ipv4.ip_unprivileged_port_start */
	int autobind_reuse;            /* net.ipv4.ip_autobind_reuse */
	int tcp_max_tw_buckets;
	int bindv6only;                /* net.ipv6.bindv6only */
	unsigned int unused0;          /* always 0: fills what would be tail
	                                  padding, so that sizeof is where the
	                                  last member ends; not to be used */
};
#ifdef __cplusplus
/* C++ (any standard from C++11): a value-initialised struct with its size
   set, so that no member is left out of an initialiser list (which
   -Wmissing-field-initializers reports). */
inline struct pb_sysctls pb_cxx_sysctls_init(void)
{
	struct pb_sysctls v = {};

	v.size = sizeof(v);
	return v;
}
#define PB_SYSCTLS_INIT pb_cxx_sysctls_init()
#else
#define PB_SYSCTLS_INIT { .size = sizeof(struct pb_sysctls) }
#endif
int pb_read_sysctls(struct pb_sysctls *out);

/* How many new TCP connections one destination can still take.  ABI as
   struct pb_diag's: later members are appended after listener_ports[],
   never before it, never reordered; any size from this (0.1.0) layout's
   up is accepted, and only what size holds is written. */
#define PB_BUDGET_LISTENERS 8
struct pb_budget {
	size_t size;                   /* from PB_BUDGET_INIT */
	unsigned int port_lo;          /* the ephemeral range */
	unsigned int port_hi;
	unsigned int reserved;         /* reserved ports inside it */
	unsigned int usable;           /* range size less the reserved */
	unsigned int established;      /* ports in use towards dst, by state */
	unsigned int time_wait;
	unsigned int other;
	unsigned int available;        /* usable less those in use */
	unsigned int time_wait_ms;     /* longest TIME_WAIT left towards dst */
	int tw_reuse;                  /* 1 when tcp_tw_reuse applies to dst */
	int tw_reuse_delay_ms;         /* how old a TIME_WAIT must be to reuse */
	double rate_per_s;             /* sustainable new connections/s to dst */
	unsigned int sources;          /* PB_SRC_* that answered */
	unsigned int time_wait_reusable; /* of time_wait, ports connect() may
	                                  take again now (tw_reuse, older than
	                                  the delay); counted in available */
	unsigned int unused0;          /* always 0: fills what would be tail
	                                  padding (the arrays end at sizeof);
	                                  not to be used */

	/* The variable part, last: later members go after it. */
	unsigned int n_listeners;      /* TCP listening ports inside the range
	                                  and not reserved: connect() cannot
	                                  use them, and may take them first;
	                                  listener_ports[] holds the first
	                                  PB_BUDGET_LISTENERS of them */
	unsigned int listener_ports[PB_BUDGET_LISTENERS];
};
#ifdef __cplusplus
/* C++ (any standard from C++11): a value-initialised struct with its size
   set, so that no member is left out of an initialiser list (which
   -Wmissing-field-initializers reports). */
inline struct pb_budget pb_cxx_budget_init(void)
{
	struct pb_budget v = {};

	v.size = sizeof(v);
	return v;
}
#define PB_BUDGET_INIT pb_cxx_budget_init()
#else
#define PB_BUDGET_INIT { .size = sizeof(struct pb_budget) }
#endif
/* Source first, as everywhere: src may be NULL (every local address). */
int pb_port_budget(const struct sockaddr *src, socklen_t srclen,
                   const struct sockaddr *dst, socklen_t dstlen,
                   struct pb_budget *out);

/*
 * Zero-downtime restarts.
 *
 * Socket activation, as sd_listen_fds(3) (no libsystemd): the number of
 * descriptors passed from PB_LISTEN_FDS_START on, 0 when none or
 * LISTEN_PID is not this process, -1 with EINVAL when the variables are
 * malformed (nothing is adopted then).  Adopted descriptors get
 * FD_CLOEXEC.  unset_environment: remove LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES (whatever the outcome): the one call that changes the
 * environment, and only when asked.
 */
#define PB_LISTEN_FDS_START 3
int pb_listen_fds(int unset_environment);
/* The name the service manager gave an inherited fd (LISTEN_FDNAMES):
   0, or -1 with ENOENT (no name), ENOSPC. */
int pb_listen_fd_name(int fd, char *buf, size_t size);

/* 1 when fd is a socket of type bound to what spec says (a port 0 in spec
   matches any port), listening if SOCK_STREAM; 0 when not; -1 and errno. */
int pb_fd_matches(int fd, int type, const char *spec);
/* A socket-activated socket (LISTEN_FDS) for this service: the first of
   type type that matches every criterion given, name (when not NULL) and
   spec (when not NULL, as pb_fd_matches); at least one of them is given
   (both NULL: EINVAL).  By name alone, only an IPv4 or IPv6 socket that
   a server can use as it is (listening for SOCK_STREAM).  The fd
   (FD_CLOEXEC), or -1 with ENOENT.  A hand-off's sockets are in the
   caller's struct pb_fdset instead: pb_fdset_adopt. */
int pb_adopt(int type, const char *spec, const char *name);

/*
 * Hand-off: a running server passes its listening sockets, with names, to
 * its successor over a Unix socket (SCM_RIGHTS); the successor accepts on
 * the very same sockets, so no connection is refused or reset.
 *   old:  ctl = pb_handoff_listen(path);   ... on a restart request:
 *         pb_handoff_give(ctl, fds, names, n, 5000); then stop accepting,
 *         drain, exit.
 *   new:  static struct pb_fdset set = PB_FDSET_INIT;
 *         pb_handoff_take(path, 5000, &set);
 *         fd = pb_fdset_adopt(&set, SOCK_STREAM, "*:80", "web");
 *                                          (named "web" AND on *:80)
 *         if (fd == -1) fd = pb_listen("*:80", ...);
 *         pb_fdset_close(&set);            (what nobody adopted)
 * Only a peer of the same uid (or root) is served.  What a take brings is
 * returned in the caller's set, nowhere else: the environment is not
 * touched.
 */
#define PB_HANDOFF_MAX 64              /* descriptors one hand-off carries */
#define PB_FDNAME_MAX 256              /* a name's room, its NUL included
                                          (systemd's FileDescriptorName=
                                          allows 255 characters) */
/* The descriptors one take brought.  About 16.5 KiB: keep it static, in
   memory the program allocated, or in main's frame, not on a small
   thread's stack. */
struct pb_fdset {
	size_t size;                   /* from PB_FDSET_INIT */
	unsigned int n;                /* entries taken: fds[0..n) */
	pid_t pid;                     /* the process they came from */
	int fds[PB_HANDOFF_MAX];       /* -1 once adopted or closed */
	char names[PB_HANDOFF_MAX][PB_FDNAME_MAX]; /* "" when unnamed */
};
#ifdef __cplusplus
/* C++ (any standard from C++11): a value-initialised struct with its size
   set, so that no member is left out of an initialiser list (which
   -Wmissing-field-initializers reports). */
inline struct pb_fdset pb_cxx_fdset_init(void)
{
	struct pb_fdset v = {};

	v.size = sizeof(v);
	return v;
}
#define PB_FDSET_INIT pb_cxx_fdset_init()
#else
#define PB_FDSET_INIT { .size = sizeof(struct pb_fdset) }
#endif
int pb_handoff_listen(const char *path);
int pb_handoff_give(int ctl, const int *fds, const char *const *names, int n,
                    int timeout_ms);
/* How many descriptors were taken into set (0: no predecessor at path);
   set is written only on success, and must hold no descriptor yet. */
int pb_handoff_take(const char *path, int timeout_ms, struct pb_fdset *set);
/* The set's first socket of type type that matches every criterion
   given, name and spec, as pb_adopt; it leaves the set (fds[i] becomes
   -1), so no socket is handed out twice.  The fd (FD_CLOEXEC), or -1
   with ENOENT. */
int pb_fdset_adopt(struct pb_fdset *set, int type, const char *spec,
                   const char *name);
/* Close every descriptor still in set: 0, or -1 with EINVAL. */
int pb_fdset_close(struct pb_fdset *set);

/* Why can't addr be bound?  See pb_diagnose(3). */
int pb_diagnose(int type, const struct sockaddr *addr, socklen_t addrlen,
                int err, struct pb_diag *out);
/* The same for an address spec, with its IPV6_V6ONLY meaning ("[::]:80" is
   IPv6-only, "*:80" both families). */
int pb_diagnose_spec(int type, const char *spec, int err, struct pb_diag *out);
const char *pb_cause_name(enum pb_cause c);

/* snprintf-like: the length needed, not counting the NUL; -1 and EINVAL for
   a NULL, uninitialised or inconsistent d (n_stored > PB_DIAG_HOLDERS).
   With size > 0, buf always ends up a string: "" when they fail.
   pb_diag_format writes one paragraph for a person; pb_diag_json one JSON
   object for programs. */
int pb_diag_format(const struct pb_diag *d, char *buf, size_t size);
int pb_diag_json(const struct pb_diag *d, char *buf, size_t size);

#ifdef __cplusplus
/* C++ (any standard from C++11): a value-initialised struct with its size
   set, so that no member is left out of an initialiser list (which
   -Wmissing-field-initializers reports). */
inline struct pb_diag pb_cxx_diag_init(void)
{
	struct pb_diag v = {};

	v.size = sizeof(v);
	return v;
}
#define PB_DIAG_INIT pb_cxx_diag_init()
#else
#define PB_DIAG_INIT { .size = sizeof(struct pb_diag) }
#endif


/*
 * Network namespaces (pb_netns_open(3)).  A namespace is given by a
 * descriptor; the library enters it in a thread of its own, created for
 * the call and gone when it returns, so the caller's threads stay where
 * they are.  Entering needs CAP_SYS_ADMIN over the namespace: without it
 * the call fails with EPERM, and never answers for the caller's own
 * namespace instead.
 *
 * pb_netns_open: a network namespace descriptor (O_CLOEXEC) from a name
 * under /run/netns ("blue"), a path ("/proc/1234/ns/net", any path with
 * a '/'), or a process id ("1234": that process's namespace).  -1 with
 * ENOENT (no such name or process), EINVAL (not a network namespace, or
 * an empty or bad string), or what open(2) says.
 */
int pb_netns_open(const char *ns);
/* pb_diagnose_spec inside the network namespace netns_fd (-1: the
   caller's own, exactly pb_diagnose_spec).  Owner processes
   (PB_DIAG_OWNERS) are given as this process sees them. */
int pb_diagnose_netns(int netns_fd, int type, const char *spec, int err,
                      struct pb_diag *out);

/*
 * Restart audit (pb_audit_run(3)): every listening TCP socket and every
 * bound, unconnected UDP socket of a network namespace, grouped by the
 * service (process) that holds it, each with a verdict on restarting
 * that service now: would its new socket bind at once?
 */
enum pb_restart {
	PB_RESTART_OK = 0,        /* "ok":      it binds at once */
	PB_RESTART_UNKNOWN,       /* "unknown": what decides it cannot be
	                             read here (options_err says why) */
	PB_RESTART_WAIT,          /* "wait":    its bind fails, until until_ms
	                             from now; then it binds */
	PB_RESTART_FAIL           /* "fail":    its bind fails, with no end
	                             known (another process holds on) */
};

/* pb_audit_entry.blocks: what stops a restart now (wait, fail, unknown). */
#define PB_BLOCK_TIME_WAIT    0x01u /* TIME_WAIT on the address, which the
                                       service cannot pass: it sets neither
                                       SO_REUSEADDR nor SO_REUSEPORT */
#define PB_BLOCK_CONNECTIONS  0x02u /* its own connections on the address:
                                       the stop closes them into TIME_WAIT,
                                       which it cannot pass either */
#define PB_BLOCK_OUTLIVING    0x04u /* sockets on the address held by other
                                       processes, which a stop of this
                                       service does not close (the socket
                                       itself, connections, bound sockets) */
#define PB_BLOCK_HOLDER       0x08u /* another service's socket on the
                                       address (a listener, a bound
                                       socket) that the new socket cannot
                                       pass: that they bound side by side
                                       does not say it can bind again */

/* pb_audit_entry.hazards: what may go wrong while the service is down. */
#define PB_HAZARD_EPHEMERAL   0x01u /* the port is in ip_local_port_range
                                       and not in ip_local_reserved_ports:
                                       an outbound connection can take it */
#define PB_HAZARD_PRIVILEGED  0x02u /* below ip_unprivileged_port_start, and
                                       the service runs as a user other than
                                       root without CAP_NET_BIND_SERVICE */
#define PB_HAZARD_INHERITED   0x04u /* socket activation: the socket was
                                       passed in (LISTEN_FDS), or pid 1
                                       holds it too; the restart does not
                                       bind at all */
#define PB_HAZARD_SHARED      0x08u /* another service shares the address
                                       (SO_REUSEPORT, or SO_REUSEADDR on
                                       UDP): it takes all the traffic while
                                       this one is down */

/*
 * One socket of the audit.  Declare it as
 *	struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;
 * ABI as struct pb_diag's: later members are appended at the end, never
 * before, never reordered; any size from this layout's up is accepted and
 * only what size holds is written.
 */
struct pb_audit_entry {
	size_t size;                   /* from PB_AUDIT_ENTRY_INIT */
	int protocol;                  /* IPPROTO_TCP (listening) or
	                                  IPPROTO_UDP (bound) */
	int verdict;                   /* enum pb_restart */
	unsigned int blocks;           /* PB_BLOCK_*: why not, or what could
	                                  not be read (unknown) */
	unsigned int hazards;          /* PB_HAZARD_* */
	unsigned int until_ms;         /* wait: how long from now until a
	                                  restart now binds; else 0 */
	unsigned int uid;              /* the socket's owner uid */
	unsigned long long inode;      /* the socket's inode */
	struct sockaddr_storage local; /* the address it is bound to */

	int pid;                       /* the service: the topmost process
	                                  holding the socket (pid 1 only when
	                                  no other does), as the caller sees
	                                  processes; 0 when none was found */
	char comm[16];                 /* its command name; "" with pid 0 */
	int fd;                        /* the socket's descriptor in pid; -1 */
	unsigned int n_procs;          /* processes holding the socket */
	int service_uid;               /* pid's effective uid; -1 */

	int reuseaddr;                 /* SO_REUSEADDR of the socket: 1, 0, or
	                                  -1 not known (see options_err) */
	int reuseport;                 /* SO_REUSEPORT: 1, 0, -1 */
	int v6only;                    /* IPV6_V6ONLY: 1, 0; -1 for IPv4 or
	                                  not known */
	int options_err;               /* why the options are not known: EPERM
	                                  (no right to copy the socket: not
	                                  root), ESRCH (no process found),
	                                  ENOSYS (no pidfd_getfd), ...; 0 */

	unsigned int n_time_wait;      /* TIME_WAIT sockets on the address */
	unsigned int time_wait_ms;     /* when the last of them expires */
	unsigned int n_connections;    /* the service's own connections (and
	                                  closing ones with no process) */
	unsigned int n_outliving;      /* sockets held by other processes */
	int outliving_pid;             /* one of those processes; 0 */
	int shared_pid;                /* a service sharing the address; 0 */
};
#ifdef __cplusplus
/* C++ (any standard from C++11): a value-initialised struct with its size
   set, so that no member is left out of an initialiser list (which
   -Wmissing-field-initializers reports). */
inline struct pb_audit_entry pb_cxx_audit_entry_init(void)
{
	struct pb_audit_entry v = {};

	v.size = sizeof(v);
	return v;
}
#define PB_AUDIT_ENTRY_INIT pb_cxx_audit_entry_init()
#else
#define PB_AUDIT_ENTRY_INIT { .size = sizeof(struct pb_audit_entry) }
#endif

/* The audit's result, opaque: pb_audit_run makes it, pb_audit_free frees
   it.  Entries come worst first: the services by their worst verdict
   (fail, wait, unknown, ok), each service's entries together. */
struct pb_audit;
/* netns_fd: -1 for the caller's namespace, or a descriptor from
   pb_netns_open.  flags: 0 (other bits: EINVAL).  0, or -1 and errno
   (*out is then NULL). */
int pb_audit_run(int netns_fd, unsigned flags, struct pb_audit **out);
/* Entries in a: 0 for NULL. */
size_t pb_audit_count(const struct pb_audit *a);
/* Entry i into out (size checked): 0, or -1 with EINVAL (NULL, a bad
   size) or ERANGE (i >= pb_audit_count). */
int pb_audit_get(const struct pb_audit *a, size_t i,
                 struct pb_audit_entry *out);
void pb_audit_free(struct pb_audit *a);
/* "ok", "unknown", "wait", "fail"; "?" for a value not in the enum. */
const char *pb_restart_name(enum pb_restart r);

#ifdef __cplusplus
}
#endif

#endif /* PORTBIND_H */

/* SPDX-License-Identifier: MIT */
/*
 * format.c - a diagnosis as one paragraph for a person, or one JSON object
 * for a program.  Both are snprintf-like: they return the length needed
 * and never write past size, so a caller can size its buffer in one call.
 *
 * The paragraph's order is fixed, because operators scan it: the protocol
 * and address, the errno, the cause, the holders, the system value that
 * matters, one concrete fix.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "text.h"

/*
 * Everything here runs on the LD_PRELOAD shim's failure path, which may be
 * inside a signal handler or a forked child of a threaded program: the
 * text is made with pb__vfmt (no locale, no allocation, no lock), errnos
 * are worded from the table below rather than by strerror (which goes
 * through gettext), and no buffer bigger than an address is on the stack.
 */

/* An appending writer that keeps counting after the buffer is full.  json:
   the text goes inside a JSON string, so what a process chose (its name)
   is escaped as it is written. */
struct out {
	char *buf;
	size_t size;
	size_t len;
	int json;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started above */
	n = pb__vfmt(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* A string in JSON's quoting: '"' and '\\' escaped, control characters as
   \u00XX, everything else as it is. */
static void put_escaped(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			put_char(o, '\\');
			put_char(o, (char)c);
		} else if (c < 0x20) {
			put(o, "\\u00");
			put_char(o, hex[c >> 4]);
			put_char(o, hex[c & 15]);
		} else {
			put_char(o, (char)c);
		}
	}
}

/* Text another process chose, inside the paragraph: as it is in the
   paragraph, escaped when the paragraph is a JSON string. */
static void put_chosen(struct out *o, const char *s)
{
	if (o->json)
		put_escaped(o, s);
	else
		put(o, "%s", s);
}

static int finish(struct out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
	return o->len > 0x7fffffff ? 0x7fffffff : (int)o->len;
}

/* The errnos a bind, listen, connect or socket call gives, with the words
   glibc's strerror has for them in the C locale (tests/check_format.c
   compares), so the paragraph reads the same as before and needs no
   locale. */
static const struct {
	int err;
	const char *name, *words;
} errno_names[] = {
	{ EADDRINUSE, "EADDRINUSE", "Address already in use" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address" },
	{ EACCES, "EACCES", "Permission denied" },
	{ EPERM, "EPERM", "Operation not permitted" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol" },
	{ ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported" },
	{ EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported" },
	{ EMFILE, "EMFILE", "Too many open files" },
	{ ENFILE, "ENFILE", "Too many open files in system" },
	{ ENOBUFS, "ENOBUFS", "No buffer space available" },
	{ ENOMEM, "ENOMEM", "Cannot allocate memory" },
	{ ENODEV, "ENODEV", "No such device" },
	{ EBADF, "EBADF", "Bad file descriptor" },
	{ ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket" },
	{ ECONNREFUSED, "ECONNREFUSED", "Connection refused" },
	{ ETIMEDOUT, "ETIMEDOUT", "Connection timed out" },
	{ ENETUNREACH, "ENETUNREACH", "Network is unreachable" },
	{ EHOSTUNREACH, "EHOSTUNREACH", "No route to host" },
	{ EISCONN, "EISCONN", "Transport endpoint is already connected" },
	{ EINPROGRESS, "EINPROGRESS", "Operation now in progress" },
	{ EALREADY, "EALREADY", "Operation already in progress" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ EINTR, "EINTR", "Interrupted system call" },
};

/* Unnamed errnos: the words glibc has for a few more that these calls
   can give; NULL for the rest. */
static const struct {
	int err;
	const char *words;
} errno_words[] = {
	{ ENOENT, "No such file or directory" },
	{ EFAULT, "Bad address" },
	{ ENOSYS, "Function not implemented" },
	{ ENOTDIR, "Not a directory" },
	{ EROFS, "Read-only file system" },
	{ ELOOP, "Too many levels of symbolic links" },
	{ ENAMETOOLONG, "File name too long" },
	{ EPROTOTYPE, "Protocol wrong type for socket" },
	{ ENETDOWN, "Network is down" },
	{ ECONNRESET, "Connection reset by peer" },
	{ EPIPE, "Broken pipe" },
	{ ENOTCONN, "Transport endpoint is not connected" },
	{ EPROTO, "Protocol error" },
	{ ENOSPC, "No space left on device" },
	{ EIO, "Input/output error" },
};

static const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < PB_ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

static const char *errno_text(int err)
{
	size_t i;

	for (i = 0; i < PB_ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].words;
	for (i = 0; i < PB_ARRAY_SIZE(errno_words); i++)
		if (errno_words[i].err == err)
			return errno_words[i].words;
	return NULL;
}

static const char *state_name(int state, int protocol)
{
	static const char *const names[] = {
		"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV",
	};

	if (protocol == IPPROTO_UDP)
		return state == PB_TCP_ESTABLISHED ? "UDP connected" : "UDP bound";
	if (state == PB_TCP_CLOSE)
		return "BOUND";
	if (state < 0 || (size_t)state >= PB_ARRAY_SIZE(names))
		return "?";
	return names[state];
}

/* A command name is whatever its process set (prctl, argv[0]): keep
   printable ASCII only, so a name cannot break the one-line paragraph,
   smuggle terminal escapes to an operator, or make JSON invalid UTF-8. */
static void clean_comm(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && in[i]; i++)
		out[i] = (char)(in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?');
	out[i] = '\0';
	if (i == 0 && size > 1)
		out[0] = '?', out[1] = '\0';
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	if (pb_format_addr((const struct sockaddr *)ss, sizeof(*ss), buf, size) < 0 &&
	    size > 1)
		buf[0] = '?', buf[1] = '\0';
}

/* Seconds, rounded up: "free in 41 s" must not promise too early. */
static unsigned secs(unsigned ms)
{
	return (ms + 999) / 1000;
}

/* One line of advice for errors that are not about the port. */
static const char *other_fix(int err)
{
	switch (err) {
	case EMFILE:
		return "the process is out of descriptors: close some, or raise"
		       " RLIMIT_NOFILE (ulimit -n, LimitNOFILE=).";
	case ENFILE:
		return "the system is out of descriptors: raise fs.file-max.";
	case ENOBUFS:
	case ENOMEM:
		return "the kernel is short of memory for sockets.";
	case ENOPROTOOPT:
		return "this kernel lacks a socket option that was asked for;"
		       " drop the flag that asks for it.";
	case EAFNOSUPPORT:
		return "this kernel lacks the address family (IPv6 disabled?):"
		       " use an IPv4 address.";
	case EINVAL:
		return "the socket is already bound, or the address does not fit"
		       " it (an IPv4-mapped address on an IPv6-only socket).";
	case EPERM:
	case EACCES:
		return "the system refused it; check capabilities and the audit"
		       " log.";
	case ECONNREFUSED:
		return "nothing listens at the destination: start the service,"
		       " or check the address and port.";
	case ETIMEDOUT:
		return "the destination did not answer: check that it is up and"
		       " that no firewall drops the traffic.";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "no route to the destination: check the address and the"
		       " routing table (ip route get).";
	default:
		return "see bind(2), listen(2) and socket(2) for this error.";
	}
}

static int has_peer(const struct pb_diag *d)
{
	return d->peer.ss_family == AF_INET || d->peer.ss_family == AF_INET6;
}

static const char *proto(const struct pb_diag *d)
{
	return d->type == SOCK_DGRAM ? "udp" : "tcp";
}

static void put_holder(struct out *o, const struct pb_holder *h)
{
	char local[PB_ADDRSTRLEN], remote[PB_ADDRSTRLEN];
	int has_peer = h->state != PB_TCP_LISTEN && h->state != PB_TCP_CLOSE &&
		       h->remote.ss_family != 0;

	addr_text(&h->local, local, sizeof(local));
	put(o, "%s %s", state_name(h->state, h->protocol), local);
	if (has_peer) {
		addr_text(&h->remote, remote, sizeof(remote));
		put(o, " -> %s", remote);
	}
	if (h->state == PB_TCP_TIME_WAIT)
		put(o, " expires in %u s", secs(h->expires_ms));
	else
		put(o, " uid %u", h->uid);
	if (h->pid > 0) {
		char comm[sizeof(h->comm)];

		clean_comm(h->comm, comm, sizeof(comm));
		put(o, " pid %d (", h->pid);
		put_chosen(o, comm);
		put(o, ")");
	}
}

#define FORMAT_HOLDERS 3

static void put_holders(struct out *o, const struct pb_diag *d)
{
	unsigned i, n = d->n_stored < FORMAT_HOLDERS ? d->n_stored : FORMAT_HOLDERS;

	if (n == 0)
		return;
	put(o, ": ");
	for (i = 0; i < n; i++) {
		if (i)
			put(o, "; ");
		put_holder(o, &d->holders[i]);
	}
	if (d->n_holders > n)
		put(o, "; and %u more", d->n_holders - n);
}

/* The first holder with a known process, for "stop pid N (cmd)". */
static const struct pb_holder *owner(const struct pb_diag *d)
{
	unsigned i;

	for (i = 0; i < d->n_stored; i++)
		if (d->holders[i].pid > 0)
			return &d->holders[i];
	return NULL;
}

static void put_stop_owner(struct out *o, const struct pb_diag *d)
{
	const struct pb_holder *h = owner(d);

	if (h) {
		char comm[sizeof(h->comm)];

		clean_comm(h->comm, comm, sizeof(comm));
		put(o, "stop pid %d (", h->pid);
		put_chosen(o, comm);
		put(o, ")");
	} else if (d->flags & PB_DIAG_OWNERS)
		put(o, "stop the process that holds it (its owner is not"
		       " readable by this user: ask as root)");
	else
		put(o, "stop the process that holds it (portbind-why -p names it)");
}

static void put_port_range(struct out *o, const struct pb_diag *d)
{
	if (d->port_range_hi >= d->port_range_lo && d->port_range_hi)
		put(o, " net.ipv4.ip_local_port_range is %u-%u (%u ports).",
		    d->port_range_lo, d->port_range_hi,
		    d->port_range_hi - d->port_range_lo + 1);
}

static void put_cause(struct out *o, const struct pb_diag *d, const char *addr)
{
	unsigned port = pb__addr_port((const struct sockaddr *)&d->addr);

	switch (d->cause) {
	case PB_CAUSE_NONE:
		put(o, "nothing holds it; it can be bound now.");
		return;
	case PB_CAUSE_LISTENER:
		if (d->n_listen)
			put(o, "held by %u listening socket%s", d->n_listen,
			    d->n_listen == 1 ? "" : "s");
		else
			put(o, "held by a listening socket (it accepted a test"
			       " connection; the socket table could not be read)");
		put_holders(o, d);
		put(o, ". SO_REUSEADDR never passes a listener. Fix: ");
		put_stop_owner(o, d);
		put(o, ", or choose another port.");
		return;
	case PB_CAUSE_TIME_WAIT:
		put(o, "held only by %u socket%s in TIME_WAIT", d->n_time_wait,
		    d->n_time_wait == 1 ? "" : "s");
		put_holders(o, d);
		if (d->reuseaddr_helps == 1)
			put(o, ". The last expires in %u s, but a server that sets"
			       " SO_REUSEADDR binds now. Fix: set SO_REUSEADDR"
			       " (pb_bind_reuse).", secs(d->time_wait_ms));
		else
			put(o, ". The previous process did not set SO_REUSEADDR:"
			       " free in %u s (TIME_WAIT lasts 60 s). Fix: wait"
			       " (pb_listen_wait waits exactly that long), and set"
			       " SO_REUSEADDR in the server so its next restart binds"
			       " at once.", secs(d->time_wait_ms));
		return;
	case PB_CAUSE_CONNECTED:
		if (has_peer(d)) {
			/* pb_connect_from with an explicit source port. */
			put(o, "this source port already has a connection to"
			       " that destination (a 4-tuple is unique)");
			put_holders(o, d);
			put(o, ". Fix: use source port 0 and let connect() pick"
			       " (pb_connect_from), or another source port.");
			return;
		}
		put(o, "held by %u open connection%s and no listener",
		    d->n_connected, d->n_connected == 1 ? "" : "s");
		put_holders(o, d);
		if (d->reuseaddr_helps == 1)
			put(o, ". A server that sets SO_REUSEADDR binds now. Fix: set"
			       " SO_REUSEADDR (pb_bind_reuse).");
		else {
			put(o, ". Their socket did not set SO_REUSEADDR, so nothing"
			       " binds until they close. Fix: ");
			put_stop_owner(o, d);
			put(o, ", or close those connections.");
		}
		return;
	case PB_CAUSE_BOUND:
		if (d->type == SOCK_DGRAM) {
			put(o, "held by %u UDP socket%s", d->n_bound,
			    d->n_bound == 1 ? "" : "s");
			put_holders(o, d);
			put(o, ". Fix: ");
			put_stop_owner(o, d);
			put(o, ", or choose another port; do not share a unicast UDP"
			       " port with SO_REUSEADDR: the datagrams go to one"
			       " socket only.");
			return;
		}
		if (d->n_bound)
			put(o, "held by %u socket%s bound but not listening",
			    d->n_bound, d->n_bound == 1 ? "" : "s");
		else
			put(o, "held by a socket bound but not listening (the"
			       " socket table read does not list such sockets:"
			       " Linux before 6.7, or /proc/net)");
		put_holders(o, d);
		if (d->reuseaddr_helps == 1)
			put(o, ". A server that sets SO_REUSEADDR binds now, but the"
			       " first of the two to listen() wins. Fix: ");
		else
			put(o, ". Fix: ");
		put_stop_owner(o, d);
		put(o, ", or choose another port.");
		return;
	case PB_CAUSE_PRIVILEGED:
		put(o, "port %u is privileged: below"
		       " net.ipv4.ip_unprivileged_port_start = %d, and this process",
		    port, d->unprivileged_port_start);
		if (d->cap_net_bind_service == 1) {
			put(o, " has CAP_NET_BIND_SERVICE, so another rule refused"
			       " it: a security module (SELinux, AppArmor) or a"
			       " seccomp filter. Fix: check the audit log (journalctl"
			       " -k, ausearch -m avc) for the denial.");
			return;
		}
		put(o, " lacks CAP_NET_BIND_SERVICE. Fix: grant"
		       " CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on"
		       " the binary, or AmbientCapabilities=CAP_NET_BIND_SERVICE in"
		       " its systemd unit), or use a port >= %d.",
		    d->unprivileged_port_start > 0 ? d->unprivileged_port_start : 1024);
		return;
	case PB_CAUSE_ADDR_NOT_LOCAL: {
		/* The host part alone: "[2001:db8::1]" or "192.0.2.1". */
		const char *colon = strrchr(addr, ':');
		int hostlen = colon ? (int)(colon - addr) : (int)strlen(addr);

		put(o, "%.*s is not an address of this host. Fix: bind an"
		       " address the host has (ip -brief address), the wildcard"
		       " (*:%u), or set IP_FREEBIND (PB_FREEBIND) to bind before"
		       " the address comes up.", hostlen, addr, port);
		return;
	}
	case PB_CAUSE_PORTS_EXHAUSTED:
		if (has_peer(d) && d->n_holders) {
			put(o, "no free local port is left towards that"
			       " destination: %u connection%s to it hold%s ports"
			       " (%u open, %u in TIME_WAIT",
			    d->n_holders, d->n_holders == 1 ? "" : "s",
			    d->n_holders == 1 ? "s" : "", d->n_connected,
			    d->n_time_wait);
			if (d->n_time_wait)
				put(o, ", the last expires in %u s",
				    secs(d->time_wait_ms));
			put(o, ")");
			put_holders(o, d);
			put(o, ".");
		} else {
			put(o, "no free local port is left.");
		}
		put_port_range(o, d);
		if (d->err == EADDRINUSE && !has_peer(d))	/* bind(ip, 0) */
			put(o, " Fix: a server should bind a fixed port outside"
			       " that range; a client should not bind before"
			       " connect(), or set IP_BIND_ADDRESS_NO_PORT"
			       " (pb_connect_from) so ports are shared across"
			       " destinations; or widen the range.");
		else
			put(o, " Fix: never bind a client's port before connect()"
			       " unless with IP_BIND_ADDRESS_NO_PORT (as"
			       " pb_connect_from does); spread connections over more"
			       " destinations or source addresses; let"
			       " net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports; or"
			       " widen the range.");
		return;
	case PB_CAUSE_OTHER:
	default:
		if ((d->err == EACCES || d->err == EPERM) &&
		    d->unprivileged_port_start >= 0)
			put(o, "refused although port %u is not privileged"
			       " (net.ipv4.ip_unprivileged_port_start = %d): a security"
			       " module (SELinux, AppArmor) or a seccomp filter said no."
			       " Fix: check the audit log.",
			    port, d->unprivileged_port_start);
		else if (d->err == EADDRINUSE)
			put(o, "in use, but no holder could be found. Fix: list the"
			       " port's sockets with ss -tuanp and retry.");
		else
			put(o, "not a port conflict. Fix: %s", other_fix(d->err));
		return;
	}
}

static int check_diag(const struct pb_diag *d, char *buf, size_t size)
{
	/* A struct that no diagnosis filled has no address to speak of. */
	if (!d || pb__diag_check(d) < 0 || (!buf && size) ||
	    (d->addr.ss_family != AF_INET && d->addr.ss_family != AF_INET6)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The address asked about as a spec would say it: a dual-stack [::] is
   "*:port", so it cannot be mistaken for the IPv6-only "[::]:port". */
static void target_text(const struct pb_diag *d, char *addr, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&d->addr;

	if (d->addr.ss_family == AF_INET6 && d->v6only == 0 &&
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		pb__fmt(addr, size, "*:%u", ntohs(sin6->sin6_port));
	else
		addr_text(&d->addr, addr, size);
}

static void put_address(struct out *o, const struct pb_diag *d, char *addr,
			size_t size)
{
	target_text(d, addr, size);
	put(o, "%s %s", proto(d), addr);
	if (has_peer(d)) {
		char peer[PB_ADDRSTRLEN];

		addr_text(&d->peer, peer, sizeof(peer));
		put(o, " -> %s", peer);
	}
}

/* The paragraph, into o: pb_diag_format's text, or the JSON "message". */
static void put_paragraph(struct out *o, const struct pb_diag *d)
{
	char addr[PB_ADDRSTRLEN];

	put_address(o, d, addr, sizeof(addr));
	if (d->err) {
		const char *name = errno_name(d->err), *words = errno_text(d->err);

		if (name)
			put(o, ": %s (%d, %s): ", name, d->err, words);
		else if (words)
			put(o, ": errno %d (%s): ", d->err, words);
		else
			put(o, ": errno %d: ", d->err);
	} else {
		put(o, ": ");
	}
	put_cause(o, d, addr);
}

PB_EXPORT int pb_diag_format(const struct pb_diag *d, char *buf, size_t size)
{
	struct out o = { buf, size, 0, 0 };

	if (check_diag(d, buf, size) < 0)
		return -1;
	put_paragraph(&o, d);
	return finish(&o);
}

/* ---- JSON */

static void put_json_string(struct out *o, const char *s)
{
	put_char(o, '"');
	put_escaped(o, s);
	put_char(o, '"');
}

static void put_json_tristate(struct out *o, const char *key, int v)
{
	put(o, ",\"%s\":%s", key, v < 0 ? "null" : v ? "true" : "false");
}

static void put_json_holder(struct out *o, const struct pb_holder *h)
{
	char a[PB_ADDRSTRLEN];

	put(o, "{\"state\":");
	put_json_string(o, state_name(h->state, h->protocol));
	put(o, ",\"protocol\":\"%s\"", h->protocol == IPPROTO_UDP ? "udp" : "tcp");
	addr_text(&h->local, a, sizeof(a));
	put(o, ",\"local\":");
	put_json_string(o, a);
	if (h->remote.ss_family && h->state != PB_TCP_LISTEN &&
	    h->state != PB_TCP_CLOSE) {
		addr_text(&h->remote, a, sizeof(a));
		put(o, ",\"remote\":");
		put_json_string(o, a);
	} else {
		put(o, ",\"remote\":null");
	}
	/* TIME_WAIT keeps neither: 0 would read as root. */
	if (h->state == PB_TCP_TIME_WAIT)
		put(o, ",\"uid\":null,\"inode\":null");
	else
		put(o, ",\"uid\":%u,\"inode\":%llu", h->uid, h->inode);
	put_json_tristate(o, "v6only", h->v6only);
	if (h->state == PB_TCP_TIME_WAIT)
		put(o, ",\"expires_ms\":%u", h->expires_ms);
	else
		put(o, ",\"expires_ms\":null");
	if (h->pid > 0) {
		char comm[sizeof(h->comm)];

		clean_comm(h->comm, comm, sizeof(comm));
		put(o, ",\"pid\":%d,\"command\":", h->pid);
		put_json_string(o, comm);
	} else {
		put(o, ",\"pid\":null,\"command\":null");
	}
	put(o, "}");
}

PB_EXPORT int pb_diag_json(const struct pb_diag *d, char *buf, size_t size)
{
	static const struct { unsigned bit; const char *name; } srcs[] = {
		{ PB_SRC_ERRNO, "errno" }, { PB_SRC_PROBE, "probe" },
		{ PB_SRC_NETLINK, "netlink" }, { PB_SRC_PROCNET, "procnet" },
		{ PB_SRC_OWNERS, "owners" }, { PB_SRC_SYSCTL, "sysctl" },
	};
	struct out o = { buf, size, 0, 0 };
	char addr[PB_ADDRSTRLEN];
	const char *en;
	unsigned i, first = 1;

	if (check_diag(d, buf, size) < 0)
		return -1;
	target_text(d, addr, sizeof(addr));
	put(&o, "{\"protocol\":\"%s\",\"address\":", proto(d));
	put_json_string(&o, addr);
	if (has_peer(d)) {
		addr_text(&d->peer, addr, sizeof(addr));
		put(&o, ",\"peer\":");
		put_json_string(&o, addr);
	} else {
		put(&o, ",\"peer\":null");
	}
	en = errno_name(d->err);
	if (d->err == 0)
		put(&o, ",\"errno\":null");
	else if (en)
		put(&o, ",\"errno\":\"%s\"", en);
	else
		put(&o, ",\"errno\":\"%d\"", d->err);
	put(&o, ",\"errno_value\":%d,\"cause\":\"%s\"", d->err,
	    pb_cause_name(d->cause));
	put_json_tristate(&o, "reuseaddr_helps", d->reuseaddr_helps);
	put(&o, ",\"sources\":[");
	for (i = 0; i < PB_ARRAY_SIZE(srcs); i++) {
		if (!(d->sources & srcs[i].bit))
			continue;
		put(&o, "%s\"%s\"", first ? "" : ",", srcs[i].name);
		first = 0;
	}
	put(&o, "],\"counts\":{\"total\":%u,\"listen\":%u,\"time_wait\":%u,"
		"\"connected\":%u,\"bound\":%u}", d->n_holders, d->n_listen,
	    d->n_time_wait, d->n_connected, d->n_bound);
	put(&o, ",\"time_wait_ms\":%u,\"holders\":[", d->time_wait_ms);
	for (i = 0; i < d->n_stored && i < PB_DIAG_HOLDERS; i++) {
		if (i)
			put(&o, ",");
		put_json_holder(&o, &d->holders[i]);
	}
	put(&o, "]");
	if (d->unprivileged_port_start >= 0)
		put(&o, ",\"unprivileged_port_start\":%d", d->unprivileged_port_start);
	else
		put(&o, ",\"unprivileged_port_start\":null");
	put_json_tristate(&o, "cap_net_bind_service", d->cap_net_bind_service);
	if (d->port_range_hi)
		put(&o, ",\"port_range\":[%u,%u]", d->port_range_lo, d->port_range_hi);
	else
		put(&o, ",\"port_range\":null");

	/* The paragraph too, so a tool can show both without a second call
	   for the text: written straight into the string, escaped as it goes
	   (only a process name can need it), with no copy on the stack. */
	put(&o, ",\"message\":\"");
	o.json = 1;
	put_paragraph(&o, d);
	o.json = 0;
	put(&o, "\"}");
	return finish(&o);
}

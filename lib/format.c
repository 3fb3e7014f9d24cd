/* SPDX-License-Identifier: MIT */
/*
 * format.c - a diagnosis as one paragraph for a person, or one JSON object
 * for a program.  Both are snprintf-like: they return the length needed
 * and never write past size, so a caller can size its buffer in one call.
 *
 * The paragraph's order is fixed, because operators scan it: the protocol
 * and address, the errno, the cause, the holders, the system value that
 * matters, one concrete fix.
 *
 * The fix is one its reader can apply, and there are three readers: the
 * author of the program that calls the library (the library's calls and
 * flags), an operator at a shell (PB_DIAG_OPERATOR, as portbind-why asks:
 * commands and settings, never a call), and whoever runs an unmodified
 * program under the LD_PRELOAD shim (its environment, the program's
 * configuration: neither its code nor its socket options are theirs).
 * Only the fix and the sentences that lead to it differ; the verdict,
 * the holders and the numbers read the same for all three.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "diag.h"
#include "format.h"
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
   the text goes inside a JSON string, so every byte put writes is escaped
   as it is written, whoever wrote the format or chose the argument (the
   JSON around the string is written with json 0).  reader: whom the fix
   is for (enum pb__reader). */
struct out {
	char *buf;
	size_t size;
	size_t len;
	int json;
	int reader;
};

__attribute__((format(printf, 2, 0)))
static void put_vraw(struct out *o, const char *fmt, va_list ap)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n;

	n = pb__vfmt(room ? o->buf + o->len : NULL, room, fmt, ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* One byte in JSON's quoting: '"' and '\\' escaped, control characters
   and bytes from 0x7f up as \u00XX (so that the text stays ASCII, and
   valid UTF-8 whatever a caller put in a buffer), the rest as it is. */
static void put_escaped_char(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		put_char(o, '\\');
		put_char(o, (char)c);
	} else if (c < 0x20 || c >= 0x7f) {
		put_char(o, '\\');
		put_char(o, 'u');
		put_char(o, '0');
		put_char(o, '0');
		put_char(o, hex[c >> 4]);
		put_char(o, hex[c & 15]);
	} else {
		put_char(o, (char)c);
	}
}

/* At most max bytes of s, escaped. */
static void put_escaped_n(struct out *o, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		put_escaped_char(o, (unsigned char)s[i]);
}

static void put_escaped(struct out *o, const char *s)
{
	put_escaped_n(o, s, (size_t)-1);
}

/* n bytes of t (which needs no escaping, or is escaped now), padded to
   width as pb__vfmt pads: pad before unless left, spaces after. */
static void put_padded(struct out *o, const char *t, size_t n, int width,
		       char pad, int left, int escape)
{
	size_t i;
	int w;

	for (w = width - (int)n; !left && w > 0; w--)
		put_char(o, pad);
	for (i = 0; i < n; i++) {
		if (escape)
			put_escaped_char(o, (unsigned char)t[i]);
		else
			put_char(o, t[i]);
	}
	for (w = width - (int)n; left && w > 0; w--)
		put_char(o, ' ');
}

/* One number conversion of put's format in JSON mode: u, negative when
   neg, in base 10 or 16 (upper: 'X'), padded as pb__vfmt pads.  Digits
   and a sign never need escaping. */
static void put_number(struct out *o, unsigned long long u, int neg,
		       char conv, int width, char pad, int left)
{
	char t[24];
	int n = conv == 'x' ? pb__fmt(t, sizeof(t), "%llx", u)
	      : conv == 'X' ? pb__fmt(t, sizeof(t), "%llX", u)
			    : pb__fmt(t, sizeof(t), "%llu", u);

	if (n < 0 || (size_t)n >= sizeof(t))
		n = 0;
	if (neg && pad == '0' && !left) {
		/* pb__vfmt puts the sign before the zeros */
		put_char(o, '-');
		put_padded(o, t, (size_t)n, width - 1, pad, left, 0);
	} else {
		if (neg && !left)
			for (; width > n + 1; width--)
				put_char(o, ' ');
		if (neg) {
			put_char(o, '-');
			width--;
		}
		put_padded(o, t, (size_t)n, width, pad, left, 0);
	}
}

/*
 * The paragraph's writer.  Outside JSON, pb__vfmt's text as it is.  In
 * JSON mode (the paragraph is the "message" string) the format is walked
 * here, with pb__vfmt's conversions (text.h) less widths, and every byte
 * of the literal text and of each %s argument escaped, so that no
 * sentence and no argument, now or later, can end the string early.
 */
__attribute__((format(printf, 2, 0)))
static void put_vjson(struct out *o, const char *fmt, va_list ap)
{
	const char *f;

	for (f = fmt; *f; f++) {
		const char *start = f;
		int width = 0, prec = -1, lng = 0, left = 0;
		char pad = ' ';

		if (*f != '%') {
			put_escaped_char(o, (unsigned char)*f);
			continue;
		}
		for (f++; *f == '-' || *f == '0'; f++) {
			if (*f == '-')
				left = 1;
			else
				pad = '0';
		}
		while (*f >= '0' && *f <= '9' && width < 1000)
			width = width * 10 + (*f++ - '0');
		if (*f == '.') {
			prec = 0;
			if (*++f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else {
				while (*f >= '0' && *f <= '9' && prec < 100000)
					prec = prec * 10 + (*f++ - '0');
			}
		}
		for (;; f++) {
			if (*f == 'l')
				lng++;
			else if (*f == 'z')
				lng = 3;
			else if (*f != 'h')
				break;
		}
		switch (*f) {
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n = 0;

			if (!str)
				str = "(null)";
			while (str[n] && (prec < 0 || n < (size_t)prec))
				n++;
			put_padded(o, str, n, width, ' ', left, 1);
			break;
		}
		case 'c':
			put_escaped_char(o, (unsigned char)va_arg(ap, int));
			break;
		case 'd':
		case 'i': {
			long long v = lng == 0 ? va_arg(ap, int)
				    : lng == 1 ? va_arg(ap, long)
				    : lng == 3 ? (long long)va_arg(ap, size_t)
				    : va_arg(ap, long long);
			unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
						     : (unsigned long long)v;

			put_number(o, u, v < 0, 'u', width, pad, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long u = lng == 0 ? va_arg(ap, unsigned)
					     : lng == 1 ? va_arg(ap, unsigned long)
					     : lng == 3 ? va_arg(ap, size_t)
					     : va_arg(ap, unsigned long long);

			put_number(o, u, 0, *f, width, pad, left);
			break;
		}
		case '%':
			put_char(o, '%');
			break;
		default:
			/* Not a conversion: the directive as written, as
			   pb__vfmt copies it. */
			for (; start <= f && *start; start++)
				put_escaped_char(o, (unsigned char)*start);
			if (!*f)
				f--;
			break;
		}
	}
}

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTBEGIN(clang-analyzer-valist.Uninitialized): started above */
	if (o->json)
		put_vjson(o, fmt, ap);
	else
		put_vraw(o, fmt, ap);
	/* NOLINTEND(clang-analyzer-valist.Uninitialized) */
	va_end(ap);
}

/* Text another process chose, inside the paragraph: put escapes it when
   the paragraph is a JSON string. */
static void put_chosen(struct out *o, const char *s)
{
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

/* An address the writers cannot format (a caller's struct may hold one)
   is "?", and errno stays as it was: the writers succeed. */
static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	int saved = errno;

	if (pb_format_addr((const struct sockaddr *)ss, sizeof(*ss), buf, size) < 0 &&
	    size > 1)
		buf[0] = '?', buf[1] = '\0';
	errno = saved;
}

/* Seconds, rounded up: "free in 41 s" must not promise too early. */
static unsigned secs(unsigned ms)
{
	return (ms + 999) / 1000;
}

/* One line of advice for errors that are not about the port.  Most read
   the same for every reader; where the program's author and the person
   who runs it can do different things, each gets its own. */
static const char *other_fix(int err, int reader)
{
	int author = reader == PB__READER_AUTHOR;

	switch (err) {
	case EMFILE:
		return author ? "the process is out of descriptors: close some, or"
				" raise RLIMIT_NOFILE (ulimit -n, LimitNOFILE=)."
			      : "the process is out of descriptors: raise its limit"
				" (ulimit -n, or LimitNOFILE= in its systemd unit).";
	case ENFILE:
		return "the system is out of descriptors: raise fs.file-max.";
	case ENOBUFS:
	case ENOMEM:
		return "the kernel is short of memory for sockets.";
	case ENOPROTOOPT:
		return author ? "this kernel lacks a socket option that was asked"
				" for; drop the flag that asks for it."
			      : "this kernel lacks a socket option the program"
				" asked for: run it on a newer kernel, or configure"
				" it not to use that option.";
	case EAFNOSUPPORT:
		return "this kernel lacks the address family (IPv6 disabled?):"
		       " use an IPv4 address.";
	case EINVAL:
		return author ? "the socket is already bound, or the address does"
				" not fit it (an IPv4-mapped address on an"
				" IPv6-only socket)."
			      : "the program bound a socket twice, or gave it an"
				" address of the wrong kind (an IPv4-mapped address"
				" on an IPv6-only socket): check the address it is"
				" configured with.";
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
	unsigned i, n = d->n_stored < PB_DIAG_HOLDERS ? d->n_stored : PB_DIAG_HOLDERS;

	for (i = 0; i < n; i++)
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
	} else if (d->flags & PB_DIAG_OWNERS) {
		/* The operator can ask again as root; the author and the
		   shim's reader are told the command that does. */
		put(o, "stop the process that holds it (its owner is not"
		       " readable by this user: %s)",
		    o->reader == PB__READER_OPERATOR ? "ask as root"
						     : "portbind-why -p, run as root,"
						       " names it");
	}
	else
		put(o, "stop the process that holds it (portbind-why -p names it)");
}

/* The end of most fixes: the way around the holder that needs nobody's
   cooperation. */
static void put_other_port(struct out *o)
{
	if (o->reader == PB__READER_SHIM)
		put(o, ", or give the program another port.");
	else
		put(o, ", or choose another port.");
}

static void put_port_range(struct out *o, const struct pb_diag *d)
{
	unsigned n = d->port_range_hi - d->port_range_lo + 1;

	if (d->port_range_hi >= d->port_range_lo && d->port_range_hi)
		put(o, " net.ipv4.ip_local_port_range is %u-%u (%u port%s).",
		    d->port_range_lo, d->port_range_hi, n, n == 1 ? "" : "s");
}

/* reuseport_helps as the text uses it: 1, 0, -1 (not known, and the
   text says why), or RP_SILENT (the text says nothing of SO_REUSEPORT). */
#define RP_SILENT (-2)

/* reuseport_helps as 1, 0 or -1, whatever else the caller put there. */
static int reuseport_helps(const struct pb_diag *d)
{
	return d->reuseport_helps < 0 ? -1 : d->reuseport_helps != 0;
}

/*
 * What the paragraph says about SO_REUSEPORT.  The shim's reader runs a
 * program that did not set the option and cannot make it: only a yes is
 * worth their reading (it explains why a server that sets it would
 * start); a no or a not-known is left out.
 */
static int reuseport_said(const struct out *o, const struct pb_diag *d)
{
	int rp = reuseport_helps(d);

	if (o->reader == PB__READER_SHIM && rp != 1)
		return RP_SILENT;
	return rp;
}

/* The first stored holder that is a live socket (TIME_WAIT keeps no
   owner). */
static const struct pb_holder *live_holder(const struct pb_diag *d)
{
	unsigned i, n = d->n_stored < PB_DIAG_HOLDERS ? d->n_stored : PB_DIAG_HOLDERS;

	for (i = 0; i < n; i++)
		if (d->holders[i].state != PB_TCP_TIME_WAIT)
			return &d->holders[i];
	return NULL;
}

/*
 * reuseport_helps is 0: that is the probe's answer, for a socket of this
 * process's user.  SO_REUSEPORT shares a live socket's port only within
 * its user, so for a holder of another user the answer that matters
 * (would that user's server bind?) is not known: say so.  geteuid() is a
 * plain system call, safe on the shim's failure path.
 */
static const struct pb_holder *holder_of_other_user(const struct pb_diag *d)
{
	const struct pb_holder *h = live_holder(d);

	return h && h->uid != (unsigned)geteuid() ? h : NULL;
}

/* How the answer for another user's holder is had: the operator can ask
   as that user; the author is told the command that asks. */
static void put_ask_uid(struct out *o, unsigned uid)
{
	if (o->reader == PB__READER_OPERATOR)
		put(o, "ask as that user");
	else
		put(o, "portbind-why --reuseport, run as uid %u, tells", uid);
}

static int put_reuseport_other_user(struct out *o, const struct pb_diag *d)
{
	const struct pb_holder *h = holder_of_other_user(d);

	if (!h)
		return 0;
	put(o, " for this user; whether it would for uid %u, the holder's, is"
	       " not known: ", h->uid);
	put_ask_uid(o, h->uid);
	return 1;
}

/*
 * reuseport_helps is -1: say why it is not known.  The probe binds as
 * this process's user, and SO_REUSEPORT lets only a socket of the
 * holder's user share a live socket's port: for another user's holder
 * the probe cannot answer the question that matters (would that user's
 * server bind?).  geteuid() is a plain system call, safe on the shim's
 * failure path.
 */
static void put_reuseport_unknown(struct out *o, const struct pb_diag *d,
				  const char *what, int sentence)
{
	const struct pb_holder *h = holder_of_other_user(d);

	put(o, "%s SO_REUSEPORT would pass %s is not known (",
	    sentence ? "Whether" : "whether", what);
	if (d->type == SOCK_DGRAM)
		put(o, "it is not probed for UDP");
	else if (h) {
		put(o, "the holder belongs to uid %u, and only a socket of that"
		       " user can share its port: ", h->uid);
		put_ask_uid(o, h->uid);
	} else
		put(o, "no probe could tell");
	put(o, ")");
}

/* The address as an argument to portbind-why in a shell: "*:P" as the
   bare port, a bracketed IPv6 address in quotes (the shell takes [...] as
   a pattern). */
static void put_why_arg(struct out *o, const char *addr)
{
	if (addr[0] == '*' && addr[1] == ':') {
		put_chosen(o, addr + 2);
	} else if (addr[0] == '[') {
		put(o, "'");
		put_chosen(o, addr);
		put(o, "'");
	} else {
		put_chosen(o, addr);
	}
}

/* An address as a spec would say it: a dual-stack [::] is "*:port", so
   it cannot be mistaken for the IPv6-only "[::]:port". */
static void spec_text(const struct sockaddr_storage *ss, int v6only,
		      char *buf, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 && v6only == 0 &&
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		pb__fmt(buf, size, "*:%u", ntohs(sin6->sin6_port));
	else
		addr_text(ss, buf, size);
}

/*
 * Would a listener on the address asked about join the holder's
 * SO_REUSEPORT group?  The kernel groups reuseport listeners by family,
 * exact address and IPV6_V6ONLY (inet_reuseport_add_sock), and spreads a
 * connection only within the group its lookup found: a dual-stack [::]:P
 * beside a 0.0.0.0:P listener binds, but every IPv4 connection still goes
 * to 0.0.0.0:P, and tcp_migrate_req moves none across groups.  1: the
 * same group; 0: another, or not known (an IPv6 holder whose
 * IPV6_V6ONLY the socket table did not give).
 */
static int same_reuseport_group(const struct pb_diag *d,
				const struct pb_holder *h)
{
	if (d->addr.ss_family != h->local.ss_family)
		return 0;
	if (d->addr.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&d->addr)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&h->local)->sin_addr.s_addr;
	return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)&d->addr)->sin6_addr,
				  &((const struct sockaddr_in6 *)&h->local)->sin6_addr) &&
	       h->v6only >= 0 && (h->v6only != 0) == (d->v6only != 0);
}

/*
 * A listener that set SO_REUSEPORT, and the probe bound beside it as
 * this user: what a new listener gets depends on where it binds.  Only
 * one on the holder's own address, in its family, shares the holder's
 * connections (a restart that refuses none); one elsewhere binds but
 * gets none of the connections the holder takes.
 */
static void put_reuseport_listener(struct out *o, const struct pb_diag *d,
				   const char *addr)
{
	const struct pb_holder *h = live_holder(d);
	char at[PB_ADDRSTRLEN];

	if (!h) {
		put(o, ", but this one set SO_REUSEPORT: a new socket of the same"
		       " user with SO_REUSEPORT binds beside it now; it shares"
		       " the connections only if it binds the holder's exact"
		       " address, in the same family. Fix: ");
		if (o->reader == PB__READER_SHIM)
			put(o, "this program did not set SO_REUSEPORT, and the"
			       " shim never sets it: ");
		return;
	}
	spec_text(&h->local, h->v6only, at, sizeof(at));
	if (same_reuseport_group(d, h)) {
		put(o, ", but this one set SO_REUSEPORT: a new listener of uid %u"
		       " on %s with SO_REUSEPORT binds beside it now, and new"
		       " connections are then spread over both", h->uid, at);
	} else {
		put(o, ", but this one set SO_REUSEPORT: a socket of uid %u with"
		       " SO_REUSEPORT binds %s beside it now, but the connections"
		       " the holder takes stay with it: the kernel spreads"
		       " connections only among listeners on the same address in"
		       " the same family (%s)", h->uid, addr, at);
	}
	put(o, ". Fix: ");
	if (o->reader == PB__READER_AUTHOR)
		put(o, "to start a new server beside it (a restart that refuses"
		       " no connection), let it listen on %s, the holder's"
		       " address, with SO_REUSEPORT (PB_REUSEPORT), then stop the"
		       " old one (net.ipv4.tcp_migrate_req=1 moves its queued"
		       " connections instead of resetting them); else ", at);
	else if (o->reader == PB__READER_OPERATOR)
		put(o, "a server of uid %u that listens on %s, the holder's"
		       " address, with SO_REUSEPORT can start beside it now and"
		       " the old one be stopped after (net.ipv4.tcp_migrate_req=1"
		       " moves its queued connections instead of resetting"
		       " them); else ", h->uid, at);
	else
		put(o, "this program did not set SO_REUSEPORT, and the shim"
		       " never sets it: ");
}

static void put_listener(struct out *o, const struct pb_diag *d,
			 const char *addr)
{
	int rp = reuseport_said(o, d);

	if (d->n_listen)
		put(o, "held by %u listening socket%s", d->n_listen,
		    d->n_listen == 1 ? "" : "s");
	else
		put(o, "held by a listening socket (it accepted a test"
		       " connection; the socket table could not be read)");
	put_holders(o, d);
	put(o, ". SO_REUSEADDR never passes a listener");
	if (rp == 1) {
		put_reuseport_listener(o, d, addr);
	} else {
		if (rp == 0) {
			put(o, ", and SO_REUSEPORT does not pass this one");
			if (!put_reuseport_other_user(o, d))
				put(o, " (it passes only a listener that set it"
				       " too, of the same user)");
		} else if (rp == -1) {
			put(o, "; ");
			put_reuseport_unknown(o, d, "it", 0);
		}
		put(o, ". Fix: ");
	}
	put_stop_owner(o, d);
	put_other_port(o);
}

static void put_time_wait(struct out *o, const struct pb_diag *d,
			  const char *addr)
{
	int rp = reuseport_said(o, d);

	put(o, "held only by %u socket%s in TIME_WAIT", d->n_time_wait,
	    d->n_time_wait == 1 ? "" : "s");
	put_holders(o, d);
	if (d->reuseaddr_helps == 1) {
		put(o, ". The last expires in %u s, but a server that sets"
		       " SO_REUSEADDR binds now.", secs(d->time_wait_ms));
		if (o->reader == PB__READER_AUTHOR) {
			put(o, " Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen"
			       " sets it unless PB_NO_REUSEADDR).");
		} else if (o->reader == PB__READER_OPERATOR) {
			put(o, " Fix: start the server now if it sets"
			       " SO_REUSEADDR, as most do; run one that does not"
			       " under LD_PRELOAD=libportbind-preload.so, which"
			       " binds over them, or wait for them first:"
			       " portbind-why --wait 65 ");
			put_why_arg(o, addr);
			put(o, ".");
		} else {
			put(o, " This program did not set SO_REUSEADDR, and the"
			       " shim binds over them with it only when the socket"
			       " table shows TIME_WAIT sockets alone. Fix: start the"
			       " program with PORTBIND_WAIT=65 in its environment:"
			       " bind then waits until they expire.");
		}
		return;
	}
	put(o, ". The previous process did not set SO_REUSEADDR: free in %u s"
	       " (TIME_WAIT lasts 60 s).", secs(d->time_wait_ms));
	/* The shim's reader cannot give an unmodified program the
	   option: what it would do is no use to them. */
	if (o->reader == PB__READER_SHIM)
		;
	else if (rp == 1)
		put(o, " They carry SO_REUSEPORT, so a server that sets"
		       " SO_REUSEPORT binds now.");
	else if (rp == 0)
		put(o, " SO_REUSEPORT does not pass them either.");
	else if (rp == -1) {
		put(o, " ");
		put_reuseport_unknown(o, d, "them", 1);
		put(o, ".");
	}
	switch (o->reader) {
	case PB__READER_AUTHOR:
		if (rp == 1)
			put(o, " Fix: set SO_REUSEPORT (PB_REUSEPORT) to bind now,"
			       " or wait (pb_listen_wait waits exactly that long);"
			       " and set SO_REUSEADDR in the server so its next"
			       " restart binds at once (pb_listen sets it unless"
			       " PB_NO_REUSEADDR).");
		else
			put(o, " Fix: wait (pb_listen_wait waits exactly that long),"
			       " and set SO_REUSEADDR in the server so its next"
			       " restart binds at once (pb_listen sets it unless"
			       " PB_NO_REUSEADDR).");
		break;
	case PB__READER_OPERATOR:
		put(o, " Fix: %swait before starting the server:"
		       " portbind-why --wait 65 ",
		    rp == 1 ? "start the server now if it sets SO_REUSEPORT; else " : "");
		put_why_arg(o, addr);
		put(o, " && exec the server. Running it under"
		       " LD_PRELOAD=libportbind-preload.so, which sets SO_REUSEADDR"
		       " on its listener, makes its next restart bind at once.");
		break;
	default:
		put(o, " Fix: start the program with PORTBIND_WAIT=65 in its"
		       " environment: bind then waits until they expire. The shim"
		       " sets SO_REUSEADDR on the program's listener, so the"
		       " restart after this one binds at once.");
		break;
	}
}

/* After pb_connect_from with an explicit source port. */
static void put_four_tuple(struct out *o, const struct pb_diag *d)
{
	put(o, "this source port already has a connection to that"
	       " destination (a 4-tuple is unique)");
	put_holders(o, d);
	if (o->reader == PB__READER_AUTHOR)
		put(o, ". Fix: use source port 0 and let connect() pick"
		       " (pb_connect_from), or another source port.");
	else
		put(o, ". Fix: let the client pick its source port (port 0),"
		       " or give it another one.");
}

static void put_connected(struct out *o, const struct pb_diag *d)
{
	int rp = reuseport_said(o, d);

	if (has_peer(d)) {
		put_four_tuple(o, d);
		return;
	}
	put(o, "held by %u open connection%s and no listener",
	    d->n_connected, d->n_connected == 1 ? "" : "s");
	put_holders(o, d);
	if (d->reuseaddr_helps == 1) {
		put(o, ". A server that sets SO_REUSEADDR binds now.");
		if (o->reader == PB__READER_AUTHOR) {
			put(o, " Fix: set SO_REUSEADDR (pb_bind_reuse; pb_listen"
			       " sets it unless PB_NO_REUSEADDR).");
			return;
		}
		if (o->reader == PB__READER_OPERATOR)
			put(o, " Fix: start the server now if it sets"
			       " SO_REUSEADDR, as most do; for one that does not, ");
		else
			put(o, " This program did not set SO_REUSEADDR, and the"
			       " shim adds it at bind() only over TIME_WAIT sockets"
			       " alone. Fix: ");
		put_stop_owner(o, d);
		put(o, ", or end those connections%s.",
		    o->reader == PB__READER_SHIM ? ", then start the program again"
						 : "");
		return;
	}
	if (rp == 1) {
		put(o, ". Their socket did not set SO_REUSEADDR, but it set"
		       " SO_REUSEPORT: a server of the same user that sets"
		       " SO_REUSEPORT binds now. Fix: ");
		if (o->reader == PB__READER_AUTHOR)
			put(o, "set SO_REUSEPORT (PB_REUSEPORT), or ");
		else if (o->reader == PB__READER_OPERATOR)
			put(o, "start the server now if it sets SO_REUSEPORT; else ");
		else
			put(o, "this program did not set SO_REUSEPORT, and the"
			       " shim never sets it: ");
	} else {
		put(o, ". Their socket did not set SO_REUSEADDR, so ");
		if (rp == 0 && holder_of_other_user(d)) {
			/* The probe spoke for this user only. */
			put(o, "a server binds only once they close; SO_REUSEPORT"
			       " does not pass them");
			put_reuseport_other_user(o, d);
		} else if (rp == 0) {
			put(o, "nothing binds until they close; SO_REUSEPORT does"
			       " not pass them either");
		} else if (rp == -1) {
			put(o, "a server binds only once they close; ");
			put_reuseport_unknown(o, d, "them", 0);
		} else {
			put(o, "a server binds only once they close");
		}
		put(o, ". Fix: ");
	}
	put_stop_owner(o, d);
	put(o, o->reader == PB__READER_AUTHOR ? ", or close those connections."
					      : ", or end those connections.");
}

static void put_bound(struct out *o, const struct pb_diag *d)
{
	int rp = reuseport_said(o, d);

	if (d->type == SOCK_DGRAM) {
		put(o, "held by %u UDP socket%s", d->n_bound,
		    d->n_bound == 1 ? "" : "s");
		put_holders(o, d);
		if (rp == 1)
			put(o, ". It set SO_REUSEPORT: a socket of the same user"
			       " with SO_REUSEPORT binds beside it now (the"
			       " datagrams are then spread over both)");
		else if (rp == 0)
			put(o, ". SO_REUSEPORT does not pass it");
		else if (rp == -1) {
			put(o, ". ");
			put_reuseport_unknown(o, d, "it", 1);
		}
		put(o, ". Fix: ");
		put_stop_owner(o, d);
		if (o->reader == PB__READER_AUTHOR)
			put(o, ", or choose another port; do not share a unicast"
			       " UDP port with SO_REUSEADDR: the datagrams go to"
			       " one socket only.");
		else
			put_other_port(o);
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
	if (d->reuseaddr_helps == 1) {
		put(o, ". A server that sets SO_REUSEADDR binds now, but the"
		       " first of the two to listen() wins.");
		if (o->reader == PB__READER_SHIM)
			put(o, " The shim never adds SO_REUSEADDR over a socket"
			       " that is bound and not listening: it may be a lock"
			       " or a reservation.");
		put(o, " Fix: ");
	} else if (rp == 1) {
		put(o, ". It set SO_REUSEPORT: a socket of the same user with"
		       " SO_REUSEPORT binds and listens beside it now. Fix: ");
		if (o->reader == PB__READER_AUTHOR)
			put(o, "set SO_REUSEPORT (PB_REUSEPORT) to share it, or ");
		else if (o->reader == PB__READER_OPERATOR)
			put(o, "a server that sets SO_REUSEPORT can start beside"
			       " it now, as the same user; else ");
		else
			put(o, "this program did not set SO_REUSEPORT, and the"
			       " shim never sets it: ");
	} else {
		if (d->reuseaddr_helps == 0)
			put(o, ". SO_REUSEADDR does not pass it");
		if (rp == 0) {
			put(o, "%s SO_REUSEPORT does not pass it either",
			    d->reuseaddr_helps == 0 ? "," : ".");
			put_reuseport_other_user(o, d);
		} else if (rp == -1) {
			put(o, "%s ", d->reuseaddr_helps == 0 ? ";" : ".");
			put_reuseport_unknown(o, d, "it",
					      d->reuseaddr_helps != 0);
		}
		put(o, ". Fix: ");
	}
	put_stop_owner(o, d);
	put_other_port(o);
}

static void put_privileged(struct out *o, const struct pb_diag *d,
			   unsigned port)
{
	int above = d->unprivileged_port_start > 0 ? d->unprivileged_port_start
						   : 1024;

	/* The limit can be unknown (no /proc/sys, a kernel before 4.11):
	   then the verdict is the usual limit's, and the text says so. */
	if (d->unprivileged_port_start >= 0)
		put(o, "port %u is privileged: below"
		       " net.ipv4.ip_unprivileged_port_start = %d, and this"
		       " process", port, d->unprivileged_port_start);
	else
		put(o, "port %u is taken to be privileged:"
		       " net.ipv4.ip_unprivileged_port_start could not be read"
		       " (it is 1024 unless changed), and this process", port);
	if (d->cap_net_bind_service == 1) {
		put(o, " has CAP_NET_BIND_SERVICE, so another rule refused"
		       " it: a security module (SELinux, AppArmor) or a"
		       " seccomp filter. Fix: check the audit log (journalctl"
		       " -k, ausearch -m avc) for the denial.");
		return;
	}
	if (d->cap_net_bind_service < 0)
		put(o, " may lack CAP_NET_BIND_SERVICE (its capabilities could"
		       " not be read).");
	else
		put(o, " lacks CAP_NET_BIND_SERVICE.");
	switch (o->reader) {
	case PB__READER_AUTHOR:
		put(o, " Fix: grant CAP_NET_BIND_SERVICE (setcap"
		       " cap_net_bind_service=+ep on the binary, or"
		       " AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd"
		       " unit), let systemd bind the port (a socket unit) and"
		       " adopt it (PB_ADOPT), or use a port >= %d.", above);
		break;
	case PB__READER_OPERATOR:
		put(o, " Fix: grant CAP_NET_BIND_SERVICE (setcap"
		       " cap_net_bind_service=+ep on the binary, or"
		       " AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd"
		       " unit), lower net.ipv4.ip_unprivileged_port_start (sysctl),"
		       " or use a port >= %d.", above);
		break;
	default:
		/* A program with file capabilities runs with AT_SECURE: the
		   shim does nothing there. */
		put(o, " Fix: grant it with"
		       " AmbientCapabilities=CAP_NET_BIND_SERVICE in the program's"
		       " systemd unit (not with setcap: the shim does nothing in a"
		       " program with file capabilities), lower"
		       " net.ipv4.ip_unprivileged_port_start (sysctl), or give the"
		       " program a port >= %d.", above);
		break;
	}
}

static void put_not_local(struct out *o, const struct pb_diag *d,
			  const char *addr, unsigned port)
{
	/* The host part alone: "[2001:db8::1]" or "192.0.2.1". */
	const char *colon = strrchr(addr, ':');
	int hostlen = colon ? (int)(colon - addr) : (int)strlen(addr);

	put(o, "%.*s is not an address of this host.", hostlen, addr);
	if (o->reader == PB__READER_AUTHOR) {
		put(o, " Fix: bind an address the host has (ip -brief address),"
		       " the wildcard (*:%u), or set IP_FREEBIND (PB_FREEBIND) to"
		       " bind before the address comes up.", port);
		return;
	}
	put(o, " Fix: configure the %s to bind an address the host has (ip"
	       " -brief address) or the wildcard (*:%u); to let it bind before"
	       " the address comes up, set %s=1 (sysctl).",
	    o->reader == PB__READER_SHIM ? "program" : "server", port,
	    d->addr.ss_family == AF_INET6 ? "net.ipv6.ip_nonlocal_bind"
					  : "net.ipv4.ip_nonlocal_bind");
}

static void put_exhausted(struct out *o, const struct pb_diag *d)
{
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
	if (o->reader != PB__READER_AUTHOR) {
		if (d->err == EADDRINUSE && !has_peer(d)) {	/* bind(ip, 0) */
			put(o, " Fix: widen the range (sysctl"
			       " net.ipv4.ip_local_port_range), or stop the programs"
			       " that hold many ports (ss -tuanp lists them).");
			return;
		}
		put(o, " Fix: widen the range (sysctl"
		       " net.ipv4.ip_local_port_range), let net.ipv4.tcp_tw_reuse=1"
		       " reuse TIME_WAIT ports for new connections, or spread"
		       " them over more destinations or source addresses");
		if (has_peer(d)) {
			char peer[PB_ADDRSTRLEN];

			addr_text(&d->peer, peer, sizeof(peer));
			put(o, "; portbind-why --budget ");
			put_why_arg(o, peer);
			put(o, " counts what is left");
		}
		put(o, ".");
		return;
	}
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
}

static void put_cause(struct out *o, const struct pb_diag *d, const char *addr)
{
	unsigned port = pb__addr_port((const struct sockaddr *)&d->addr);

	switch (d->cause) {
	case PB_CAUSE_NONE:
		put(o, "nothing holds it; it can be bound now.");
		return;
	case PB_CAUSE_LISTENER:
		put_listener(o, d, addr);
		return;
	case PB_CAUSE_TIME_WAIT:
		put_time_wait(o, d, addr);
		return;
	case PB_CAUSE_CONNECTED:
		put_connected(o, d);
		return;
	case PB_CAUSE_BOUND:
		put_bound(o, d);
		return;
	case PB_CAUSE_PRIVILEGED:
		put_privileged(o, d, port);
		return;
	case PB_CAUSE_ADDR_NOT_LOCAL:
		put_not_local(o, d, addr, port);
		return;
	case PB_CAUSE_PORTS_EXHAUSTED:
		put_exhausted(o, d);
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
			put(o, "not a port conflict. Fix: %s",
			    other_fix(d->err, o->reader));
		return;
	}
}


static int has_addr(const struct pb_diag *d)
{
	return d->addr.ss_family == AF_INET || d->addr.ss_family == AF_INET6;
}

/*
 * What the two writers check before reading d: its size, and every count
 * and index in it against what it has, so that a struct of any content
 * is never read past its end.  A struct that no diagnosis filled has no
 * address and no refused argument to speak of.  On failure buf, when it
 * has room, is the empty string: a caller that prints it unchecked
 * prints nothing rather than garbage.
 */
static int check_diag(const struct pb_diag *d, char *buf, size_t size)
{
	if (buf && size)
		buf[0] = '\0';
	if (!d || pb__diag_check(d) < 0 || (!buf && size) ||
	    d->n_stored > PB_DIAG_HOLDERS ||
	    d->invalid < 0 || d->invalid > PB_INVALID_RANGE ||
	    (!has_addr(d) && !d->invalid)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void put_address(struct out *o, const struct pb_diag *d, char *addr,
			size_t size)
{
	spec_text(&d->addr, d->v6only, addr, size);
	put(o, "%s %s", proto(d), addr);
	if (has_peer(d)) {
		char peer[PB_ADDRSTRLEN];

		addr_text(&d->peer, peer, sizeof(peer));
		put(o, " -> %s", peer);
	}
}

/* The spec as the caller gave it, quoted: printable ASCII only, even
   when the caller filled spec[] itself (and with no NUL).  Not for an
   empty spec[], which is no spec: a NULL one, or "". */
static void put_spec(struct out *o, const struct pb_diag *d)
{
	char spec[sizeof(d->spec)];

	clean_comm(d->spec, spec, sizeof(spec));
	put(o, "address spec \"");
	put_chosen(o, spec);
	put(o, "\"");
}

/* "EINVAL (22, Invalid argument)", or what is known of another errno. */
static void put_errno(struct out *o, int err)
{
	const char *name = errno_name(err), *words = errno_text(err);

	if (name)
		put(o, "%s (%d, %s)", name, err, words);
	else if (words)
		put(o, "errno %d (%s)", err, words);
	else
		put(o, "errno %d", err);
}

/*
 * A helper refused an argument before any system call (d->invalid): the
 * paragraph names the argument, and the spec or the addresses it was
 * given, so that a typo in a configuration file reads as one.
 */
static void put_invalid(struct out *o, const struct pb_diag *d)
{
	char addr[PB_ADDRSTRLEN];

	if (d->invalid == PB_INVALID_TYPE) {
		put(o, "socket type %d is not valid: ", d->type);
		put_errno(o, d->err);
		put(o, ". Fix: use SOCK_STREAM or SOCK_DGRAM.");
		return;
	}
	if (d->invalid == PB_INVALID_SPEC) {
		if (d->spec[0]) {
			put(o, "%s ", proto(d));
			put_spec(o, d);
			put(o, " is not valid: ");
		} else {
			put(o, "%s: no address spec (NULL or \"\"): ", proto(d));
		}
		put_errno(o, d->err);
		put(o, ". Fix: write a numeric address and a port from 0 to"
		       " 65535, such as \"127.0.0.1:8080\", \"[::1]:8080\","
		       " \"*:8080\" or \"8080\"; host names are not looked up"
		       " (pb_parse_addr(3)).");
		return;
	}
	if (has_addr(d)) {
		put_address(o, d, addr, sizeof(addr));	/* "tcp 127.0.0.1:80" */
	} else {
		put(o, "%s ", proto(d));
		if (has_peer(d)) {
			addr_text(&d->peer, addr, sizeof(addr));
			put(o, "connection to %s", addr);
		} else if (d->spec[0]) {
			put_spec(o, d);
		} else {
			put(o, "%s", d->invalid == PB_INVALID_FLAGS ? "call"
							     : "connection");
		}
	}
	put(o, ": ");
	put_errno(o, d->err);
	switch (d->invalid) {
	case PB_INVALID_FLAGS:
		put(o, ": the flags are not valid for this call (a bit it does"
		       " not take, or PB_UDP_REUSEADDR with PB_NO_REUSEADDR or"
		       " on TCP). Fix: pass only the PB_* flags its manual page"
		       " lists.");
		break;
	case PB_INVALID_SRC:
		if (has_addr(d) && has_peer(d))
			put(o, ": the source address is not of the destination's"
			       " family.");
		else
			put(o, ": the source address is not valid (shorter than"
			       " its family needs, or not IPv4 or IPv6).");
		put(o, " Fix: give a source of the destination's family, with"
		       " its length, or NULL for any local address.");
		break;
	case PB_INVALID_DST:
		put(o, ": the destination address is not valid (NULL, shorter"
		       " than its family needs, or not IPv4 or IPv6). Fix: give"
		       " an IPv4 or IPv6 destination, with its length.");
		break;
	default:	/* PB_INVALID_RANGE */
		put(o, ": the source port range %u-%u is not valid. Fix: give"
		       " a range lo-hi with lo <= hi <= 65535.",
		    d->port_range_lo, d->port_range_hi);
		break;
	}
}

/* The paragraph, into o: pb_diag_format's text, or the JSON "message". */
static void put_paragraph(struct out *o, const struct pb_diag *d)
{
	char addr[PB_ADDRSTRLEN];

	if (d->invalid) {
		put_invalid(o, d);
		return;
	}
	put_address(o, d, addr, sizeof(addr));
	put(o, ": ");
	if (d->err) {
		put_errno(o, d->err);
		put(o, ": ");
	}
	put_cause(o, d, addr);
}

/* The reader a caller's request bits name: the program's author unless
   PB_DIAG_OPERATOR asks for the person at a shell. */
static int reader_of(const struct pb_diag *d)
{
	return d->flags & PB_DIAG_OPERATOR ? PB__READER_OPERATOR
					   : PB__READER_AUTHOR;
}

int pb__diag_format_for(const struct pb_diag *d, int reader, char *buf,
			size_t size)
{
	struct out o = { buf, size, 0, 0, reader };

	if (check_diag(d, buf, size) < 0)
		return -1;
	if (reader != PB__READER_AUTHOR && reader != PB__READER_OPERATOR &&
	    reader != PB__READER_SHIM) {
		errno = EINVAL;
		return -1;
	}
	put_paragraph(&o, d);
	return finish(&o);
}

PB_EXPORT int pb_diag_format(const struct pb_diag *d, char *buf, size_t size)
{
	if (check_diag(d, buf, size) < 0)
		return -1;
	return pb__diag_format_for(d, reader_of(d), buf, size);
}

/* ---- JSON */

/* pb_diag.invalid, as JSON names it; checked by check_diag. */
static const char *const invalid_names[] = {
	"", "spec", "flags", "type", "source", "destination", "port-range",
};

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
	struct out o = { buf, size, 0, 0, PB__READER_AUTHOR };
	char addr[PB_ADDRSTRLEN];
	const char *en;
	unsigned i, first = 1;

	if (check_diag(d, buf, size) < 0)
		return -1;
	o.reader = reader_of(d);
	put(&o, "{\"protocol\":\"%s\",\"address\":", proto(d));
	if (has_addr(d)) {
		spec_text(&d->addr, d->v6only, addr, sizeof(addr));
		put_json_string(&o, addr);
	} else {
		put(&o, "null");
	}
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
	/* Members added after the first release go here, after all the
	   older ones and before "message", which stays last. */
	put_json_tristate(&o, "reuseport_helps", reuseport_helps(d));
	if (d->spec[0]) {
		char spec[sizeof(d->spec)];

		clean_comm(d->spec, spec, sizeof(spec));
		put(&o, ",\"spec\":");
		put_json_string(&o, spec);
	} else {
		put(&o, ",\"spec\":null");
	}
	if (d->invalid)
		put(&o, ",\"invalid\":\"%s\"", invalid_names[d->invalid]);
	else
		put(&o, ",\"invalid\":null");

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

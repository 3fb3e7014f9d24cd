/* SPDX-License-Identifier: MIT */
/*
 * portbind-why - say why an address cannot be bound, for an operator.
 *
 *	portbind-why [-t|-u] [-p] [--json] [--wait SECS] [-N NS]
 *	             [--reuseaddr|--reuseport] ADDRESS|PORT
 *	portbind-why --audit [--json] [-N NS]
 *	portbind-why [--json] --budget DST
 *
 * It asks pb_diagnose_spec() the question a server asks when bind() fails,
 * without binding anything itself for longer than a probe, and prints the
 * library's paragraph (cause, holders, fix), worded for an operator
 * (PB_DIAG_OPERATOR: commands and settings, not library calls), then one
 * line per socket that holds the address.  --json prints the library's
 * JSON object instead.
 *
 * "Can be bound" means by a plain bind(2), unless --reuseaddr says the
 * server that comes next sets SO_REUSEADDR (a TIME_WAIT that carries the
 * option, or connections that set it, do not stop it then), or
 * --reuseport that it sets SO_REUSEPORT and SO_REUSEADDR and runs as this
 * user.  The default is the plain bind: this tool cannot know what the
 * next server sets, and what a plain bind passes, every server passes.
 *
 * --budget asks the client's question instead: how many new connections
 * can DST still take from here (pb_port_budget()), and how fast.
 *
 * --audit asks the question before a deploy: for every listening TCP
 * socket and bound UDP socket, would its service, restarted now, bind
 * again at once (pb_audit_run())?  A table worst first, or one JSON
 * object (its members are fixed: portbind-why(1)).
 *
 * -N NS asks inside another network namespace (pb_netns_open(): a name
 * under /run/netns, a path, a pid), for a diagnosis, --wait included,
 * and for --audit; never for --budget, which has no call that can.
 * Without the right to enter it (CAP_SYS_ADMIN) the tool says so and
 * exits 2: it never answers about its own namespace instead.
 *
 * Exit status: 0 when the address can be bound now, 1 when it is held or
 * refused (the cause says why), 2 on bad usage or an error.  So a script
 * can run "portbind-why --wait 65 :8080 && exec server" after a restart,
 * or "portbind-why --reuseaddr --wait 65 :8080 && exec server" for a
 * server that sets SO_REUSEADDR, which then starts at once over TIME_WAIT
 * that carries the option.
 * With --budget: 0 when DST has source ports available, 1 when it has
 * none left, 2 on bad usage or an error.
 * With --audit: 0 when every service would bind again at once, 1 when at
 * least one would wait or fail, 3 when none is known to but some verdict
 * is unknown (not root: the options cannot be read), 2 on bad usage or
 * an error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <portbind.h>

#define EXIT_FREE   0
#define EXIT_HELD   1
#define EXIT_USAGE  2

/* Between two tries of --wait: never spin faster than MIN_NAP_MS; a live
   holder (listener, connection) is looked at again every POLL_MS; TIME_WAIT
   is slept out in one go for a plain bind, plus SLACK_MS for the kernel's
   timer to fire, and looked at again at least every TW_POLL_MS for a bind
   with an option. */
#define MIN_NAP_MS  50
#define POLL_MS     250
#define TW_POLL_MS  1000
#define SLACK_MS    20

/* Linux 6.7 names a bound, never-listening TCP socket TCP_BOUND_INACTIVE
   (13) where it used to say CLOSE; older headers lack the name. */
#define TCP_STATE_BOUND_INACTIVE 13

/* What the next server sets, so what "can be bound" means. */
enum need {
	NEED_PLAIN,		/* a plain bind(2): the default */
	NEED_REUSEADDR,		/* --reuseaddr: bind with SO_REUSEADDR */
	NEED_REUSEPORT,		/* --reuseport: SO_REUSEPORT and SO_REUSEADDR */
};

static const char usage_line[] =
	"usage: portbind-why [-t|-u] [-p] [--json] [--wait SECS] [-N NS]\n"
	"                    [--reuseaddr|--reuseport] ADDRESS|PORT\n"
	"       portbind-why --audit [--json] [-N NS]\n"
	"       portbind-why [--json] -b|--budget DST\n";

static const char help_text[] =
	"\n"
	"Say why ADDRESS cannot be bound, and who holds it.\n"
	"  ADDRESS     127.0.0.1:8080, [::1]:8080, [::]:8080 (IPv6 only),\n"
	"              *:8080 or :8080 or 8080 (every address, both families)\n"
	"  -t, --tcp   a TCP port (the default)\n"
	"  -u, --udp   a UDP port\n"
	"  -p, --processes\n"
	"              show the process of each holder (root sees all of them)\n"
	"  --json      print one JSON object instead of text\n"
	"  --wait SECS wait until the address can be bound, at most SECS seconds\n"
	"  --reuseaddr can be bound by a server that sets SO_REUSEADDR (most\n"
	"              do): TIME_WAIT that carries the option does not count\n"
	"  --reuseport can be bound by a server of this user that sets\n"
	"              SO_REUSEPORT and SO_REUSEADDR\n"
	"              (default: by a plain bind, which every server can do)\n"
	"  -N, --netns NS\n"
	"              in another network namespace: a name under /run/netns,\n"
	"              a path (/proc/PID/ns/net) or a process id (needs root)\n"
	"  -a, --audit instead: every listening TCP and bound UDP socket, by\n"
	"              service, and whether a restart of it now binds at once\n"
	"  -b, --budget DST\n"
	"              instead: the source ports left for new TCP connections\n"
	"              to DST (127.0.0.1:6001, [::1]:443), the rate they allow,\n"
	"              and listeners inside the ephemeral port range\n"
	"  -h, --help  this text\n"
	"  -V, --version\n"
	"Exit status: 0 can be bound now (as the options above say), 1 held or\n"
	"refused, 2 usage or error.\n"
	"With --audit: 0 every service would bind again at once, 1 some would\n"
	"wait or fail, 3 none known to, some unknown (not root), 2 usage or error.\n"
	"With --budget: 0 ports left, 1 none left, 2 usage or error.\n";

/* -h: the whole text on stdout; a mistake: the one line on stderr. */
static void usage(FILE *f, int status)
{
	fputs(usage_line, f);
	if (status == EXIT_SUCCESS)
		fputs(help_text, f);
	exit(status);
}

/* SECS: a number of seconds, decimals allowed ("0.5"), up to a day. */
static double parse_seconds(const char *s)
{
	double v;
	char *end;
	size_t i;

	/* Plain decimal only: strtod alone would take " 1", "0x10", "1e2". */
	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '.')
			errx(EXIT_USAGE, "--wait wants seconds from 0 to 86400,"
			     " not \"%s\"", s);
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
	    v > 86400)
		errx(EXIT_USAGE, "--wait wants seconds from 0 to 86400, not \"%s\"",
		     s);
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		err(EXIT_USAGE, "clock_gettime");
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	/* A signal that does not kill us (SIGCHLD, SIGWINCH...) cuts the
	   nap short; sleep the rest. */
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Can the next server bind the address now, given what it sets?  The
 * library's probes answer for SO_REUSEADDR (reuseaddr_helps) and for
 * SO_REUSEPORT with SO_REUSEADDR as this user (reuseport_helps); -1, not
 * known, is not a yes.
 */
static int can_bind(const struct pb_diag *d, enum need need)
{
	if (d->cause == PB_CAUSE_NONE)
		return 1;
	if (d->err != EADDRINUSE)
		return 0;	/* EACCES, EADDRNOTAVAIL: no option helps */
	if (need >= NEED_REUSEADDR && d->reuseaddr_helps == 1)
		return 1;
	return need == NEED_REUSEPORT && d->reuseport_helps == 1;
}

/*
 * How long to sleep while only TIME_WAIT sockets hold the address.  A
 * plain bind waits for every one of them: time_wait_ms, the last one's
 * expiry.  A bind with SO_REUSEADDR (or SO_REUSEPORT) waits only for
 * those that did not carry the option, and they may go first: an old
 * server without it leaves TIME_WAIT that expires before a newer one's
 * with it.  The table does not say which is which, and may list fewer
 * than there are, so wake when the first listed one expires, and at
 * least every TW_POLL_MS, and let the probe say.
 */
static long long time_wait_nap(const struct pb_diag *d, enum need need)
{
	unsigned i, n = d->n_stored < PB_DIAG_HOLDERS ? d->n_stored
						      : PB_DIAG_HOLDERS;
	long long first = d->time_wait_ms;

	if (need == NEED_PLAIN)
		return first + SLACK_MS;
	for (i = 0; i < n; i++)
		if (d->holders[i].state == PB_TCP_TIME_WAIT &&
		    d->holders[i].expires_ms < first)
			first = d->holders[i].expires_ms;
	first += SLACK_MS;
	return first < TW_POLL_MS ? first : TW_POLL_MS;
}

/*
 * Diagnose once, or, with a deadline, until the address can be bound as
 * need says or the time is up.  Leaves the last answer in *d and returns
 * whether it can be bound; exits with status 2 when the library refuses
 * the question (a bad spec).
 */
static void netns_refused(const char *ns);

/* A spec that does not parse: say what is accepted, and exit 2. */
static void bad_spec(const char *spec)
{
	/* Names are not resolved: say what is accepted. */
	warn("%s", spec);
	errx(EXIT_USAGE, "ADDRESS is numeric, port 0 to 65535: "
	     "127.0.0.1:8080, [::1]:8080, [::]:8080, *:8080 or 8080");
}

/* The spec checked before a namespace is entered, so that a failure in
   there is the namespace's, not the spec's. */
static void check_spec(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (pb_parse_addr(spec, &ss, &len) < 0) {
		if (errno != EINVAL)
			err(EXIT_USAGE, "%s", spec);
		bad_spec(spec);
	}
}

/*
 * In the network namespace nsfd (-1: this process's own; ns is what -N
 * named, for messages).
 */
static int diagnose(int nsfd, const char *ns, int type, const char *spec,
		    unsigned flags, enum need need, long long deadline,
		    struct pb_diag *d)
{
	const struct pb_diag init = PB_DIAG_INIT;
	long long left, nap;
	int r;

	if (nsfd >= 0)
		check_spec(spec);
	for (;;) {
		*d = init;
		d->flags = flags;
		r = pb_diagnose_netns(nsfd, type, spec, 0, d);
		if (r < 0) {
			/* Never an answer about this namespace instead.  The
			   spec was found good above, so an EINVAL here is
			   the namespace's. */
			if (nsfd >= 0)
				netns_refused(ns);
			if (errno != EINVAL)
				err(EXIT_USAGE, "%s", spec);
			bad_spec(spec);
		}
		if (can_bind(d, need) || deadline < 0)
			return can_bind(d, need);
		left = deadline - now_ms();
		if (left <= 0)
			return 0;

		/* TIME_WAIT ends at a known time: sleep until then.  Anything
		   else ends when someone acts: look again soon. */
		nap = r == PB_CAUSE_TIME_WAIT ? time_wait_nap(d, need) : POLL_MS;
		if (nap < MIN_NAP_MS)
			nap = MIN_NAP_MS;
		if (nap > left)
			nap = left;
		nap_ms(nap);
	}
}

static const char *state_name(const struct pb_holder *h)
{
	if (h->protocol == IPPROTO_UDP)
		return "UDP";
	switch (h->state) {
	case PB_TCP_ESTABLISHED:	return "ESTABLISHED";
	case PB_TCP_SYN_SENT:		return "SYN_SENT";
	case PB_TCP_SYN_RECV:		return "SYN_RECV";
	case PB_TCP_FIN_WAIT1:		return "FIN_WAIT1";
	case PB_TCP_FIN_WAIT2:		return "FIN_WAIT2";
	case PB_TCP_TIME_WAIT:		return "TIME_WAIT";
	case PB_TCP_CLOSE_WAIT:		return "CLOSE_WAIT";
	case PB_TCP_LAST_ACK:		return "LAST_ACK";
	case PB_TCP_LISTEN:		return "LISTEN";
	case PB_TCP_CLOSING:		return "CLOSING";
	case PB_TCP_CLOSE:		/* bound, never listened */
	case TCP_STATE_BOUND_INACTIVE:
		return "BOUND";
	default:
		return "?";
	}
}

/* A listener or a merely bound socket has no peer worth showing. */
static int has_peer(const struct pb_holder *h)
{
	if (h->protocol == IPPROTO_UDP)
		return h->state == PB_TCP_ESTABLISHED; /* a connected UDP socket */
	return h->state != PB_TCP_LISTEN && h->state != PB_TCP_CLOSE &&
	       h->state != TCP_STATE_BOUND_INACTIVE;
}

/*
 * "[::]:80" alone does not say whether the socket takes IPv4 too, and that
 * is the very thing that makes it hold 0.0.0.0:80 or not.
 */
static const char *wildcard_kind(const struct pb_holder *h)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&h->local;

	if (h->local.ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		return "";
	if (h->v6only == 0)
		return " (dual-stack)";
	if (h->v6only == 1)
		return " (IPv6 only)";
	return "";
}

/* "LOCAL" or "LOCAL -> REMOTE", into buf. */
static void holder_addrs(const struct pb_holder *h, char *buf, size_t size)
{
	char local[PB_ADDRSTRLEN], remote[PB_ADDRSTRLEN];

	if (pb_format_addr((const struct sockaddr *)&h->local,
			   sizeof(h->local), local, sizeof(local)) < 0)
		snprintf(local, sizeof(local), "?");
	if (!has_peer(h)) {
		snprintf(buf, size, "%s%s", local, wildcard_kind(h));
		return;
	}
	if (pb_format_addr((const struct sockaddr *)&h->remote,
			   sizeof(h->remote), remote, sizeof(remote)) < 0)
		snprintf(remote, sizeof(remote), "?");
	snprintf(buf, size, "%s -> %s", local, remote);
}

/*
 * A process names itself (prctl, argv[0]): print only printable ASCII, so
 * that a name cannot move the operator's cursor, clear the screen or
 * start a line of its own.  The library's paragraph and JSON do the same.
 */
static const char *printable_comm(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && in[i]; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
	return i ? out : "?";
}

/*
 * One line per stored holder, columns aligned:
 *   LISTEN     127.0.0.1:80                uid 33  inode 4711  pid 42 (nginx)
 *   TIME_WAIT  127.0.0.1:80 -> 10.0.0.5:5150  expires in 41 s
 */
static void print_holders(const struct pb_diag *d, int owners)
{
	char addrs[PB_DIAG_HOLDERS][2 * PB_ADDRSTRLEN + 8];
	char comm[sizeof(d->holders[0].comm)];
	unsigned int i, n = d->n_stored;
	int width = 0, w;

	if (n > PB_DIAG_HOLDERS)
		n = PB_DIAG_HOLDERS;
	for (i = 0; i < n; i++) {
		holder_addrs(&d->holders[i], addrs[i], sizeof(addrs[i]));
		w = (int)strlen(addrs[i]);
		if (w > width)
			width = w;
	}

	for (i = 0; i < n; i++) {
		const struct pb_holder *h = &d->holders[i];

		printf("  %-11s  %-*s", state_name(h), width, addrs[i]);
		if (h->protocol == IPPROTO_TCP && h->state == PB_TCP_TIME_WAIT) {
			/* The kernel keeps neither owner nor inode for a
			   TIME_WAIT socket: uid 0 here would read as root. */
			printf("  expires in %u s", (h->expires_ms + 999) / 1000);
		} else {
			printf("  uid %u", h->uid);
			if (h->inode)
				printf("  inode %llu", h->inode);
			if (h->pid > 0)
				printf("  pid %d (%s)", h->pid,
				       printable_comm(h->comm, comm,
						      sizeof(comm)));
			else if (owners)
				/* Another user's /proc/PID/fd is closed to
				   us; root sees every owner. */
				printf("  pid unknown%s",
				       geteuid() != 0 ? " (needs root)" : "");
		}
		putchar('\n');
	}
	if (d->n_holders > n)
		printf("  and %u more\n", d->n_holders - n);
}

/* pb_diag_format or pb_diag_json into a buffer of the size it asks for. */
static char *render(int (*fmt)(const struct pb_diag *, char *, size_t),
		    const struct pb_diag *d, const char *what)
{
	char *buf;
	int n;

	n = fmt(d, NULL, 0);
	if (n < 0)
		err(EXIT_USAGE, "%s", what);
	buf = malloc((size_t)n + 1);
	if (!buf)
		err(EXIT_USAGE, "malloc");
	if (fmt(d, buf, (size_t)n + 1) < 0)
		err(EXIT_USAGE, "%s", what);
	return buf;
}

static void print_line(const char *s)
{
	size_t len = strlen(s);

	fputs(s, stdout);
	if (len == 0 || s[len - 1] != '\n')
		putchar('\n');
}

/*
 * --budget: the client's side.  A source port is unique per destination,
 * not per host, so the question is asked about one destination.
 */

/* A destination: a real address and a port, not a wildcard to bind. */
static int is_destination(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return sin->sin_port != 0 && sin->sin_addr.s_addr != INADDR_ANY;
	if (ss->ss_family == AF_INET6)
		return sin6->sin6_port != 0 &&
		       !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	return 0;
}

static const char *tw_reuse_text(int v)
{
	switch (v) {
	case 0:		return "off";
	case 1:		return "on";
	case 2:		return "loopback only";
	default:	return "?";
	}
}

/*
 * The length of the UTF-8 sequence at s (at most max bytes), and its code
 * point in *cp; 0 when it is not valid UTF-8 (a stray byte, a sequence
 * cut short, an overlong form, a surrogate, past U+10FFFF).
 */
static size_t utf8_seq(const unsigned char *s, size_t max, unsigned *cp)
{
	static const unsigned lowest[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, i;
	unsigned v;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		v = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > max)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < lowest[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/*
 * A JSON string from bytes that may be anything (a command name is the
 * process's choice, a scope name in --budget's destination the user's),
 * in ASCII whatever the input: quote and backslash
 * escaped, a control byte as \u00XX, a character of valid UTF-8 as its
 * code point (\uXXXX, a surrogate pair past U+FFFF), and every byte that
 * is not valid UTF-8 as U+FFFD, the replacement character.
 */
static void json_bytes(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;
	unsigned cp;

	putchar('"');
	for (i = 0; i < max && u[i]; i += n) {
		n = 1;
		if (u[i] == '"' || u[i] == '\\')
			printf("\\%c", u[i]);
		else if (u[i] < 0x20 || u[i] == 0x7f)
			printf("\\u%04x", u[i]);
		else if (u[i] < 0x7f)
			putchar(u[i]);
		else if ((n = utf8_seq(u + i, strnlen(s + i, max - i), &cp)) == 0) {
			n = 1;
			fputs("\\ufffd", stdout);
		} else if (cp > 0xffff) {
			cp -= 0x10000;
			printf("\\u%04x\\u%04x", 0xd800 + (cp >> 10),
			       0xdc00 + (cp & 0x3ff));
		} else {
			printf("\\u%04x", cp);
		}
	}
	putchar('"');
}

static void budget_json(const char *dst, const struct pb_budget *b,
			int tcp_tw_reuse)
{
	static const struct { unsigned int bit; const char *name; } srcs[] = {
		{ PB_SRC_ERRNO, "errno" }, { PB_SRC_PROBE, "probe" },
		{ PB_SRC_NETLINK, "netlink" }, { PB_SRC_PROCNET, "procnet" },
		{ PB_SRC_OWNERS, "owners" }, { PB_SRC_SYSCTL, "sysctl" },
	};
	unsigned int i, n, first = 1;

	printf("{\"protocol\":\"tcp\",\"destination\":");
	json_bytes(dst, strlen(dst));
	if (b->port_hi)
		printf(",\"port_range\":[%u,%u],\"range_size\":%u", b->port_lo,
		       b->port_hi, b->port_hi - b->port_lo + 1);
	else
		printf(",\"port_range\":null,\"range_size\":0");
	printf(",\"reserved\":%u,\"usable\":%u", b->reserved, b->usable);
	printf(",\"in_use\":{\"total\":%u,\"established\":%u,\"time_wait\":%u,"
	       "\"other\":%u}", b->established + b->time_wait + b->other,
	       b->established, b->time_wait, b->other);
	printf(",\"available\":%u,\"time_wait_ms\":%u", b->available,
	       b->time_wait_ms);
	printf(",\"tw_reuse\":%s", b->tw_reuse ? "true" : "false");
	if (tcp_tw_reuse >= 0)
		printf(",\"tcp_tw_reuse\":%d", tcp_tw_reuse);
	else
		printf(",\"tcp_tw_reuse\":null");
	if (b->tw_reuse_delay_ms >= 0)
		printf(",\"tw_reuse_delay_ms\":%d", b->tw_reuse_delay_ms);
	else
		printf(",\"tw_reuse_delay_ms\":null");
	/* NaN and infinity are not JSON. */
	if (isfinite(b->rate_per_s) && b->rate_per_s >= 0)
		printf(",\"rate_per_s\":%.1f", b->rate_per_s);
	else
		printf(",\"rate_per_s\":null");
	n = b->n_listeners < PB_BUDGET_LISTENERS ?
		b->n_listeners : PB_BUDGET_LISTENERS;
	printf(",\"listeners_in_range\":{\"total\":%u,\"ports\":[",
	       b->n_listeners);
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", b->listener_ports[i]);
	printf("]},\"sources\":[");
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		if (!(b->sources & srcs[i].bit))
			continue;
		printf("%s\"%s\"", first ? "" : ",", srcs[i].name);
		first = 0;
	}
	printf("]}\n");
}

static void budget_text(const char *dst, const struct pb_budget *b,
			int tcp_tw_reuse)
{
	unsigned int i, n;

	printf("tcp port budget towards %s, from any local address\n", dst);
	printf("  range       %u-%u, %u ports (net.ipv4.ip_local_port_range)\n",
	       b->port_lo, b->port_hi, b->port_hi - b->port_lo + 1);
	printf("  reserved    %u (net.ipv4.ip_local_reserved_ports)\n",
	       b->reserved);
	printf("  usable      %u\n", b->usable);
	printf("  in use      %u: %u established, %u time-wait, %u other\n",
	       b->established + b->time_wait + b->other, b->established,
	       b->time_wait, b->other);
	printf("  available   %u\n", b->available);
	if (b->time_wait)
		printf("  time-wait   the last one expires in %u s\n",
		       (b->time_wait_ms + 999) / 1000);
	else
		printf("  time-wait   none\n");
	printf("  tw_reuse    %s", b->tw_reuse ? "applies" : "does not apply");
	if (tcp_tw_reuse >= 0)
		printf(": net.ipv4.tcp_tw_reuse = %d (%s)", tcp_tw_reuse,
		       tw_reuse_text(tcp_tw_reuse));
	if (b->tw_reuse && b->tw_reuse_delay_ms >= 0)
		printf("\n              connect() reuses a port %d ms into"
		       " TIME_WAIT", b->tw_reuse_delay_ms);
	putchar('\n');
	/* Every new connection ends in TIME_WAIT on the side that closes
	   first; when that is the client, the port comes back after 60 s,
	   or after the reuse delay where tcp_tw_reuse applies. */
	if (isfinite(b->rate_per_s) && b->tw_reuse &&
	    b->tw_reuse_delay_ms > 0)
		printf("  rate        %.1f new connections/s (%u ports / %d ms"
		       " reuse delay)\n", b->rate_per_s, b->usable,
		       b->tw_reuse_delay_ms);
	else if (isfinite(b->rate_per_s))
		printf("  rate        %.1f new connections/s (%u ports / 60 s in"
		       " TIME_WAIT)\n", b->rate_per_s, b->usable);

	n = b->n_listeners < PB_BUDGET_LISTENERS ?
		b->n_listeners : PB_BUDGET_LISTENERS;
	for (i = 0; i < n; i++)
		printf("warning: port %u listens inside the ephemeral range"
		       " %u-%u; an outbound connection can take it first\n",
		       b->listener_ports[i], b->port_lo, b->port_hi);
	if (b->n_listeners > n)
		printf("warning: and %u more listening ports inside the"
		       " ephemeral range\n", b->n_listeners - n);
}

static int budget(const char *spec, int json)
{
	struct pb_budget b = PB_BUDGET_INIT;
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char dst[PB_ADDRSTRLEN];
	int tcp_tw_reuse = -1;

	if (pb_parse_addr(spec, &ss, &len) < 0) {
		if (errno != EINVAL)
			err(EXIT_USAGE, "%s", spec);
		warn("%s", spec);
		errx(EXIT_USAGE, "DST is numeric, with a port: 127.0.0.1:6001"
		     " or [::1]:443");
	}
	if (!is_destination(&ss))
		errx(EXIT_USAGE, "%s: DST is where a client connects to: an"
		     " address and a port, such as 127.0.0.1:6001 or"
		     " [::1]:443", spec);
	if (pb_port_budget(NULL, 0, (struct sockaddr *)&ss, len, &b) < 0)
		err(EXIT_USAGE, "pb_port_budget %s", spec);
	/* Without the range there is no budget to speak of. */
	if (b.port_hi == 0)
		errx(EXIT_USAGE, "net.ipv4.ip_local_port_range cannot be read");
	/* Only to name the sysctl's value; the budget says whether it
	   applies to this destination. */
	if (pb_read_sysctls(&s) == 0)
		tcp_tw_reuse = s.tcp_tw_reuse;
	if (pb_format_addr((struct sockaddr *)&ss, len, dst, sizeof(dst)) < 0)
		err(EXIT_USAGE, "pb_format_addr");

	if (json)
		budget_json(dst, &b, tcp_tw_reuse);
	else
		budget_text(dst, &b, tcp_tw_reuse);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_USAGE, "stdout");
	return b.available > 0 ? EXIT_FREE : EXIT_HELD;
}

/*
 * --audit: every listening TCP socket and bound UDP socket of the
 * namespace, each with the library's verdict on restarting its service
 * now (pb_audit_run).  The library sorts them worst first, a service's
 * sockets together; this part only groups, words and prints them.
 */

/* Exit statuses of --audit (EXIT_USAGE, 2, is shared). */
#define EXIT_AUDIT_OK       0	/* every service binds again at once */
#define EXIT_AUDIT_FAILS    1	/* at least one would wait or fail */
#define EXIT_AUDIT_UNKNOWN  3	/* none known to fail, some not known */

/* Where a socket's reason lines start, and how wide the table's text
   is wrapped: within 80 columns with room to spare (a man page shows it
   indented by 5). */
#define REASON_INDENT  10
#define TABLE_WIDTH    75
/* The address column's least width: "255.255.255.255:65535" fits. */
#define ADDR_MIN_WIDTH 21

/* One service: entries [first, first + n) of the audit. */
struct service {
	size_t first, n;
	int verdict;		/* the worst of its sockets' */
};

struct audit_view {
	struct pb_audit_entry *e;	/* every entry, in the library's order */
	size_t n;
	struct service *svc;
	size_t n_svc;
	unsigned int count[PB_RESTART_FAIL + 1];	/* sockets by verdict */
	long long now_s, now_ns;	/* wall clock when the audit returned */
};

static const char *const block_names[] = {
	"time-wait", "connections", "outliving", "holder"
};
static const char *const hazard_names[] = {
	"ephemeral", "privileged", "inherited", "shared"
};

/* The errno's name, as errno.h spells it, for what the audit returns. */
static const char *errno_name(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ESRCH, "ESRCH" }, { EACCES, "EACCES" },
		{ ENOSYS, "ENOSYS" }, { ENOENT, "ENOENT" }, { EBADF, "EBADF" },
		{ EINVAL, "EINVAL" }, { ENOMEM, "ENOMEM" },
		{ EMFILE, "EMFILE" }, { ENFILE, "ENFILE" },
		{ ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOPROTOOPT, "ENOPROTOOPT" }, { EAGAIN, "EAGAIN" },
		{ EINTR, "EINTR" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return NULL;
}

/* Why the options are not known, for the table: a few words. */
static const char *options_err_text(int e)
{
	switch (e) {
	case EPERM:	return "not root";
	case ESRCH:	return "no process";
	case EACCES:	return "no access";
	case ENOSYS:	return "no pidfd_getfd";
	default:	return strerror(e);
	}
}

/* A process's command name, printable, from /proc (pids this process
   sees); "" when it cannot be read. */
static void proc_comm(int pid, char *out, size_t size)
{
	char path[64], raw[32];
	FILE *f;
	size_t n;

	out[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(raw, 1, sizeof(raw) - 1, f);
	fclose(f);
	raw[n] = '\0';
	if (n && raw[n - 1] == '\n')
		raw[n - 1] = '\0';
	if (raw[0])
		printable_comm(raw, out, size);
}

/* "pid 812 (nginx)", or "pid 812" when its name cannot be read. */
static void pid_words(int pid, char *out, size_t size)
{
	char comm[32];

	proc_comm(pid, comm, sizeof(comm));
	if (comm[0])
		snprintf(out, size, "pid %d (%s)", pid, comm);
	else
		snprintf(out, size, "pid %d", pid);
}

static unsigned int entry_port(const struct pb_audit_entry *e)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&e->local;
	const struct sockaddr_in6 *sin6 =
		(const struct sockaddr_in6 *)&e->local;

	if (e->local.ss_family == AF_INET)
		return ntohs(sin->sin_port);
	if (e->local.ss_family == AF_INET6)
		return ntohs(sin6->sin6_port);
	return 0;
}

static void entry_addr(const struct pb_audit_entry *e, char *buf,
		       size_t size)
{
	if (pb_format_addr((const struct sockaddr *)&e->local,
			   sizeof(e->local), buf, size) < 0)
		snprintf(buf, size, "?");
}

/* Seconds, rounded up: "binds in 41 s" is never early. */
static unsigned int ms_to_s(unsigned int ms)
{
	return ms / 1000 + (ms % 1000 != 0);
}

/* The wall-clock second from which a restart binds: now + until_ms,
   rounded up. */
static time_t until_time(const struct audit_view *v, unsigned int ms)
{
	long long ns = v->now_ns + (long long)(ms % 1000) * 1000000;
	long long s = v->now_s + ms / 1000 + ns / 1000000000;

	if (ns % 1000000000)
		s++;
	return (time_t)s;
}

/*
 * Why a socket's restart waits or fails, or what is not known, in one
 * sentence: "12 TIME_WAIT without SO_REUSEADDR: binds in 41 s (at
 * 02:10:05)".  clock adds the local time of day (the table); the JSON
 * has it as "until".
 */
static void entry_reason(const struct audit_view *v,
			 const struct pb_audit_entry *e, int clock,
			 char *buf, size_t size)
{
	char part[4][160], who[64], at[32];
	size_t n = 0, i, len;
	int known = e->reuseaddr >= 0 && e->reuseport >= 0;

	if (e->blocks & PB_BLOCK_TIME_WAIT)
		snprintf(part[n++], sizeof(part[0]), known ?
			 "%u TIME_WAIT without SO_REUSEADDR" :
			 "%u TIME_WAIT, which only SO_REUSEADDR passes",
			 e->n_time_wait);
	if (e->blocks & PB_BLOCK_CONNECTIONS)
		snprintf(part[n++], sizeof(part[0]),
			 "%u connection%s of its own left in TIME_WAIT by the"
			 " stop%s", e->n_connections,
			 e->n_connections == 1 ? "" : "s",
			 known ? "" : ", which only SO_REUSEADDR passes");
	if (e->pid <= 0) {
		/* Whoever holds it is not seen: one of another user (not
		   root), or of another pid namespace. */
		snprintf(part[n++], sizeof(part[0]), "no process holding it"
			 " is found, and whoever does may keep it through the"
			 " restart");
	} else if (e->blocks & PB_BLOCK_OUTLIVING) {
		if (e->outliving_pid > 0) {
			pid_words(e->outliving_pid, who, sizeof(who));
			snprintf(part[n++], sizeof(part[0]),
				 "%u socket%s held by %s outlive%s it",
				 e->n_outliving, e->n_outliving == 1 ? "" : "s",
				 who, e->n_outliving == 1 ? "s" : "");
		} else {
			snprintf(part[n++], sizeof(part[0]),
				 "%u socket%s of other processes outlive%s it",
				 e->n_outliving, e->n_outliving == 1 ? "" : "s",
				 e->n_outliving == 1 ? "s" : "");
		}
	}
	if (e->blocks & PB_BLOCK_HOLDER)
		snprintf(part[n++], sizeof(part[0]), "another socket holds the"
			 " address and does not share it");

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? "; " : "", part[i]);
	}
	len = strlen(buf);
	switch (e->verdict) {
	case PB_RESTART_WAIT:
		at[0] = '\0';
		if (clock) {
			time_t t = until_time(v, e->until_ms);
			struct tm tm;

			if (localtime_r(&t, &tm))
				strftime(at, sizeof(at), " (at %H:%M:%S)", &tm);
		}
		snprintf(buf + len, size - len, "%sbinds in %u s%s",
			 n ? ": " : "", ms_to_s(e->until_ms), at);
		break;
	case PB_RESTART_FAIL:
		snprintf(buf + len, size - len, "%s", n ? ": fails while"
			 " they last" : "fails");
		break;
	case PB_RESTART_UNKNOWN:
		if (e->pid > 0)
			snprintf(buf + len, size - len, "%swhether it binds at"
				 " once depends on the socket's options, not"
				 " known here", n ? ": " : "");
		break;
	default:
		/* ok: say what it passes, when there is something. */
		if (e->n_time_wait && e->n_connections)
			snprintf(buf + len, size - len, "binds over %u"
				 " TIME_WAIT and its %u connection%s (it sets"
				 " %s)", e->n_time_wait, e->n_connections,
				 e->n_connections == 1 ? "" : "s",
				 e->reuseport == 1 ? "SO_REUSEPORT" :
				 "SO_REUSEADDR");
		else if (e->n_time_wait)
			snprintf(buf + len, size - len, "binds over %u"
				 " TIME_WAIT (it sets %s)", e->n_time_wait,
				 e->reuseport == 1 ? "SO_REUSEPORT" :
				 "SO_REUSEADDR");
		else if (e->n_connections)
			snprintf(buf + len, size - len, "binds over its %u"
				 " connection%s (it sets %s)", e->n_connections,
				 e->n_connections == 1 ? "" : "s",
				 e->reuseport == 1 ? "SO_REUSEPORT" :
				 "SO_REUSEADDR");
		else if (e->hazards & PB_HAZARD_INHERITED)
			snprintf(buf + len, size - len, "inherited: the"
				 " restart does not bind");
		else
			snprintf(buf + len, size - len, "binds at once");
		break;
	}
}

/* "reuseaddr=1 reuseport=0 v6only=1", or why they are not known. */
static void entry_options(const struct pb_audit_entry *e, char *buf,
			  size_t size)
{
	const char *name;

	if (e->reuseaddr < 0 || e->reuseport < 0) {
		name = errno_name(e->options_err);
		if (e->options_err && name)
			snprintf(buf, size, "options unknown: %s (%s)", name,
				 options_err_text(e->options_err));
		else if (e->options_err)
			snprintf(buf, size, "options unknown: %s",
				 options_err_text(e->options_err));
		else
			snprintf(buf, size, "options unknown");
		return;
	}
	snprintf(buf, size, "reuseaddr=%d reuseport=%d", e->reuseaddr,
		 e->reuseport);
	/* IPV6_V6ONLY means nothing to an IPv4 socket. */
	if (e->local.ss_family == AF_INET6) {
		size_t len = strlen(buf);

		if (e->v6only >= 0)
			snprintf(buf + len, size - len, " v6only=%d",
				 e->v6only);
		else
			snprintf(buf + len, size - len, " v6only=?");
	}
}

/* What may go wrong while the service is down, one line each. */
static int entry_hazard(const struct pb_audit_entry *e, unsigned int bit,
			char *buf, size_t size)
{
	char who[64];

	if (!(e->hazards & bit))
		return 0;
	switch (bit) {
	case PB_HAZARD_EPHEMERAL:
		snprintf(buf, size, "hazard: ephemeral: the port is in"
			 " ip_local_port_range and not reserved; an outbound"
			 " connection can take it while the service is down");
		break;
	case PB_HAZARD_PRIVILEGED:
		snprintf(buf, size, "hazard: privileged: the port is below"
			 " ip_unprivileged_port_start, and the service's user"
			 " is not root and lacks CAP_NET_BIND_SERVICE");
		break;
	case PB_HAZARD_INHERITED:
		snprintf(buf, size, "hazard: inherited: socket activation"
			 " passed the socket in; a restart does not bind it");
		break;
	default:
		if (e->shared_pid > 0) {
			pid_words(e->shared_pid, who, sizeof(who));
			snprintf(buf, size, "hazard: shared with %s through %s:"
				 " it takes all the traffic while this one is"
				 " down", who, e->protocol == IPPROTO_UDP ?
				 "SO_REUSEPORT or SO_REUSEADDR" :
				 "SO_REUSEPORT");
		} else {
			snprintf(buf, size, "hazard: shared with another"
				 " service, which takes all the traffic while"
				 " this one is down");
		}
		break;
	}
	return 1;
}

/* text, wrapped at word boundaries to TABLE_WIDTH, every line indented. */
static void print_wrapped(const char *text, int indent)
{
	int room = TABLE_WIDTH - indent;
	const char *p = text;

	while (*p) {
		int len = (int)strlen(p), cut = len;

		if (len > room) {
			/* The last space that leaves the line within room;
			   a word longer than the room goes whole. */
			for (cut = room; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				for (cut = room; p[cut] && p[cut] != ' '; cut++)
					;
		}
		printf("%*s%.*s\n", indent, "", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* The service's user: "root (0)", "uid 1000" when it has no name. */
static void user_words(int uid, char *buf, size_t size)
{
	char name[64];
	struct passwd *pw;

	if (uid < 0) {
		snprintf(buf, size, "user unknown");
		return;
	}
	pw = getpwuid((uid_t)uid);
	if (pw && pw->pw_name && pw->pw_name[0]) {
		printable_comm(pw->pw_name, name, sizeof(name));
		snprintf(buf, size, "user %s (%d)", name, uid);
	} else {
		snprintf(buf, size, "uid %d", uid);
	}
}

static void audit_text(const struct audit_view *v, const char *ns)
{
	char addr[PB_ADDRSTRLEN], opts[96], line[PATH_MAX + 256], user[96];
	char comm[sizeof(v->e[0].comm) + 1], shown_ns[PATH_MAX];
	int width = ADDR_MIN_WIDTH, w;
	size_t i, k;
	unsigned int bit;

	for (i = 0; i < v->n; i++) {
		entry_addr(&v->e[i], addr, sizeof(addr));
		w = (int)strlen(addr);
		if (w > width)
			width = w;
	}
	for (k = 0; k < v->n_svc; k++) {
		const struct service *s = &v->svc[k];
		const struct pb_audit_entry *h = &v->e[s->first];

		if (h->pid > 0) {
			char shown[sizeof(comm)];

			memcpy(comm, h->comm, sizeof(h->comm));
			comm[sizeof(h->comm)] = '\0';
			user_words(h->service_uid, user, sizeof(user));
			snprintf(line, sizeof(line), "pid %d (%s), %s: %s",
				 h->pid, printable_comm(comm, shown,
							sizeof(shown)),
				 user,
				 pb_restart_name((enum pb_restart)s->verdict));
		} else {
			snprintf(line, sizeof(line), "no process found: %s",
				 pb_restart_name((enum pb_restart)s->verdict));
		}
		print_wrapped(line, 0);
		for (i = s->first; i < s->first + s->n; i++) {
			const struct pb_audit_entry *e = &v->e[i];

			entry_addr(e, addr, sizeof(addr));
			entry_options(e, opts, sizeof(opts));
			printf("  %-7s %-3s  %-*s  %s\n",
			       pb_restart_name((enum pb_restart)e->verdict),
			       e->protocol == IPPROTO_UDP ? "udp" : "tcp",
			       width, addr, opts);
			entry_reason(v, e, 1, line, sizeof(line));
			print_wrapped(line, REASON_INDENT);
			for (bit = PB_HAZARD_EPHEMERAL;
			     bit <= PB_HAZARD_SHARED; bit <<= 1)
				if (entry_hazard(e, bit, line, sizeof(line)))
					print_wrapped(line, REASON_INDENT);
		}
	}
	snprintf(line, sizeof(line), "%zu service%s, %zu socket%s%s%s: %u"
		 " fail, %u wait, %u unknown, %u ok", v->n_svc,
		 v->n_svc == 1 ? "" : "s", v->n, v->n == 1 ? "" : "s",
		 ns ? " in netns " : "",
		 ns ? printable_comm(ns, shown_ns, sizeof(shown_ns)) : "",
		 v->count[PB_RESTART_FAIL], v->count[PB_RESTART_WAIT],
		 v->count[PB_RESTART_UNKNOWN], v->count[PB_RESTART_OK]);
	print_wrapped(line, 0);
}

static void json_tristate(const char *name, int v)
{
	printf(",\"%s\":%s", name, v < 0 ? "null" : v ? "true" : "false");
}

static void json_pid(const char *name, int pid)
{
	if (pid > 0)
		printf(",\"%s\":%d", name, pid);
	else
		printf(",\"%s\":null", name);
}

static void json_flags(const char *name, unsigned int bits,
		       const char *const *names, size_t n)
{
	size_t i;
	int first = 1;

	printf(",\"%s\":[", name);
	for (i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		printf("%s\"%s\"", first ? "" : ",", names[i]);
		first = 0;
	}
	putchar(']');
}

static void json_socket(const struct audit_view *v,
			const struct pb_audit_entry *e)
{
	char addr[PB_ADDRSTRLEN], reason[512], when[32];
	const char *name;

	entry_addr(e, addr, sizeof(addr));
	printf("{\"protocol\":\"%s\",\"address\":",
	       e->protocol == IPPROTO_UDP ? "udp" : "tcp");
	json_bytes(addr, sizeof(addr));
	printf(",\"port\":%u,\"inode\":%llu,\"uid\":%u", entry_port(e),
	       e->inode, e->uid);
	if (e->fd >= 0)
		printf(",\"fd\":%d", e->fd);
	else
		printf(",\"fd\":null");
	printf(",\"processes\":%u,\"verdict\":\"%s\"", e->n_procs,
	       pb_restart_name((enum pb_restart)e->verdict));
	if (e->verdict == PB_RESTART_WAIT) {
		time_t t = until_time(v, e->until_ms);
		struct tm tm;

		if (gmtime_r(&t, &tm) &&
		    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			printf(",\"until_ms\":%u,\"until\":\"%s\"", e->until_ms,
			       when);
		else
			printf(",\"until_ms\":%u,\"until\":null", e->until_ms);
	} else {
		printf(",\"until_ms\":null,\"until\":null");
	}
	json_flags("blocks", e->blocks, block_names,
		   sizeof(block_names) / sizeof(block_names[0]));
	json_flags("hazards", e->hazards, hazard_names,
		   sizeof(hazard_names) / sizeof(hazard_names[0]));
	json_tristate("reuseaddr", e->reuseaddr);
	json_tristate("reuseport", e->reuseport);
	json_tristate("v6only", e->v6only);
	name = e->options_err ? errno_name(e->options_err) : NULL;
	if (name)
		printf(",\"options_error\":\"%s\"", name);
	else if (e->options_err)
		printf(",\"options_error\":\"errno %d\"", e->options_err);
	else
		printf(",\"options_error\":null");
	printf(",\"time_wait\":%u,\"time_wait_ms\":%u,\"connections\":%u,"
	       "\"outliving\":%u", e->n_time_wait, e->time_wait_ms,
	       e->n_connections, e->n_outliving);
	json_pid("outliving_pid", e->outliving_pid);
	json_pid("shared_pid", e->shared_pid);
	entry_reason(v, e, 0, reason, sizeof(reason));
	printf(",\"reason\":");
	json_bytes(reason, sizeof(reason));
	putchar('}');
}

static void audit_json(const struct audit_view *v, const char *ns)
{
	size_t i, k;

	printf("{\"version\":1,\"netns\":");
	if (ns)
		json_bytes(ns, strlen(ns));
	else
		printf("null");
	printf(",\"root\":%s,\"would_fail\":%s,\"unknown\":%s",
	       geteuid() == 0 ? "true" : "false",
	       v->count[PB_RESTART_WAIT] + v->count[PB_RESTART_FAIL] ?
	       "true" : "false",
	       v->count[PB_RESTART_UNKNOWN] ? "true" : "false");
	printf(",\"counts\":{\"services\":%zu,\"sockets\":%zu,\"fail\":%u,"
	       "\"wait\":%u,\"unknown\":%u,\"ok\":%u},\"services\":[",
	       v->n_svc, v->n, v->count[PB_RESTART_FAIL],
	       v->count[PB_RESTART_WAIT], v->count[PB_RESTART_UNKNOWN],
	       v->count[PB_RESTART_OK]);
	for (k = 0; k < v->n_svc; k++) {
		const struct service *s = &v->svc[k];
		const struct pb_audit_entry *h = &v->e[s->first];

		if (h->pid > 0) {
			printf("%s{\"pid\":%d,\"command\":", k ? "," : "",
			       h->pid);
			json_bytes(h->comm, sizeof(h->comm));
			if (h->service_uid >= 0)
				printf(",\"uid\":%d", h->service_uid);
			else
				printf(",\"uid\":null");
		} else {
			printf("%s{\"pid\":null,\"command\":null,\"uid\":null",
			       k ? "," : "");
		}
		printf(",\"verdict\":\"%s\",\"sockets\":[",
		       pb_restart_name((enum pb_restart)s->verdict));
		for (i = s->first; i < s->first + s->n; i++) {
			if (i > s->first)
				putchar(',');
			json_socket(v, &v->e[i]);
		}
		printf("]}");
	}
	printf("]}\n");
}

/* The namespace that -N names, or exit 2 saying why it cannot be had. */
static int open_netns(const char *ns)
{
	char shown[PATH_MAX];
	int fd = pb_netns_open(ns);

	if (fd >= 0)
		return fd;
	printable_comm(ns, shown, sizeof(shown));
	switch (errno) {
	case ENOENT:
		errx(EXIT_USAGE, "-N %s: no such network namespace (a name"
		     " under /run/netns, a path, or a process id)", shown);
		break;
	case EINVAL:
		errx(EXIT_USAGE, "-N %s: not a network namespace name, path"
		     " or process id", shown);
		break;
	case EACCES:
	case EPERM:
		/* /proc/PID/ns/net of another user's process. */
		if (geteuid() != 0)
			errx(EXIT_USAGE, "-N %s: permission denied: opening"
			     " another user's namespace needs root", shown);
		/* Root too is refused where ptrace(2) is (Yama's
		   ptrace_scope 3, a security module, a process of an
		   outer user namespace). */
		errx(EXIT_USAGE, "-N %s: permission denied: this system does"
		     " not let even root look into that process (ptrace"
		     " access is refused)", shown);
		break;
	default:
		err(EXIT_USAGE, "-N %s", shown);
	}
	return -1;
}

/*
 * pb_diagnose_netns or pb_audit_run failed in the namespace -N named:
 * EPERM, no right to enter it; EINVAL, setns(2) took it for no network
 * namespace.  Exit 2 with the reason, never an answer about this one.
 */
static void netns_refused(const char *ns)
{
	char shown[PATH_MAX];
	int e = errno;

	printable_comm(ns, shown, sizeof(shown));
	if (e == EPERM)
		errx(EXIT_USAGE, "-N %s: entering a network namespace needs"
		     " CAP_SYS_ADMIN: run as root", shown);
	if (e == EINVAL)
		errx(EXIT_USAGE, "-N %s: not a network namespace", shown);
	errno = e;
	err(EXIT_USAGE, "-N %s", shown);
}

/* Group the entries by service: the library keeps each service's
   entries together, so a service is a run of one pid (pid 0, no process
   found, is one group of its own). */
static void group_services(struct audit_view *v)
{
	size_t i;

	v->svc = calloc(v->n ? v->n : 1, sizeof(*v->svc));
	if (!v->svc)
		err(EXIT_USAGE, "calloc");
	for (i = 0; i < v->n; i++) {
		const struct pb_audit_entry *e = &v->e[i];
		struct service *s = v->n_svc ? &v->svc[v->n_svc - 1] : NULL;
		int verdict = e->verdict;

		if (verdict < PB_RESTART_OK || verdict > PB_RESTART_FAIL)
			errx(EXIT_USAGE, "pb_audit_get: verdict %d", verdict);
		v->count[verdict]++;
		if (!s || v->e[s->first].pid != e->pid) {
			s = &v->svc[v->n_svc++];
			s->first = i;
			s->n = 0;
			s->verdict = verdict;
		}
		s->n++;
		if (verdict > s->verdict)
			s->verdict = verdict;
	}
}

static int audit(const char *ns, int json)
{
	const struct pb_audit_entry init = PB_AUDIT_ENTRY_INIT;
	struct audit_view v;
	struct pb_audit *a;
	struct timespec ts;
	int fd = -1;
	size_t i;

	memset(&v, 0, sizeof(v));
	if (ns)
		fd = open_netns(ns);
	if (pb_audit_run(fd, 0, &a) < 0) {
		if (ns)
			netns_refused(ns);
		err(EXIT_USAGE, "pb_audit_run");
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		err(EXIT_USAGE, "clock_gettime");
	v.now_s = ts.tv_sec;
	v.now_ns = ts.tv_nsec;
	if (fd >= 0)
		close(fd);

	v.n = pb_audit_count(a);
	v.e = calloc(v.n ? v.n : 1, sizeof(*v.e));
	if (!v.e)
		err(EXIT_USAGE, "calloc");
	for (i = 0; i < v.n; i++) {
		v.e[i] = init;
		if (pb_audit_get(a, i, &v.e[i]) < 0)
			err(EXIT_USAGE, "pb_audit_get");
	}
	pb_audit_free(a);
	group_services(&v);

	/* The options are read with pidfd_getfd, which takes root: say
	   once, on stderr, why verdicts that depend on them are unknown. */
	if (v.count[PB_RESTART_UNKNOWN] && geteuid() != 0)
		warnx("not root: %u verdict%s unknown: the sockets' options"
		      " and other users' processes cannot be read; run as"
		      " root",
		      v.count[PB_RESTART_UNKNOWN],
		      v.count[PB_RESTART_UNKNOWN] == 1 ? "" : "s");

	if (json) {
		audit_json(&v, ns);
	} else if (v.n == 0) {
		char shown[PATH_MAX];

		printf("nothing listens%s%s: no listening TCP socket and no"
		       " bound UDP socket\n", ns ? " in network namespace " : "",
		       ns ? printable_comm(ns, shown, sizeof(shown)) : "");
	} else {
		audit_text(&v, ns);
	}
	free(v.svc);
	free(v.e);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_USAGE, "stdout");
	if (v.count[PB_RESTART_WAIT] + v.count[PB_RESTART_FAIL])
		return EXIT_AUDIT_FAILS;
	return v.count[PB_RESTART_UNKNOWN] ? EXIT_AUDIT_UNKNOWN : EXIT_AUDIT_OK;
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_WAIT, OPT_REUSEADDR, OPT_REUSEPORT };
	static const struct option longopts[] = {
		{ "tcp",       no_argument,       NULL, 't' },
		{ "udp",       no_argument,       NULL, 'u' },
		{ "processes", no_argument,       NULL, 'p' },
		{ "json",      no_argument,       NULL, OPT_JSON },
		{ "wait",      required_argument, NULL, OPT_WAIT },
		{ "reuseaddr", no_argument,       NULL, OPT_REUSEADDR },
		{ "reuseport", no_argument,       NULL, OPT_REUSEPORT },
		{ "budget",    required_argument, NULL, 'b' },
		{ "audit",     no_argument,       NULL, 'a' },
		{ "netns",     required_argument, NULL, 'N' },
		{ "help",      no_argument,       NULL, 'h' },
		{ "version",   no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct pb_diag d = PB_DIAG_INIT;
	enum need need = NEED_PLAIN;
	long long deadline = -1;
	unsigned flags = 0;
	int type = SOCK_STREAM, json = 0, need_set = 0, free_now;
	int type_set = 0, do_audit = 0, nsfd = -1;
	const char *spec, *budget_dst = NULL, *ns = NULL;
	char *text;
	int opt;

	while ((opt = getopt_long(argc, argv, "tuphVb:aN:", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			type = SOCK_STREAM;
			type_set = 1;
			break;
		case 'u':
			type = SOCK_DGRAM;
			type_set = 1;
			break;
		case 'p':
			flags |= PB_DIAG_OWNERS;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_WAIT:
			deadline = now_ms() +
				(long long)(parse_seconds(optarg) * 1000 + 0.5);
			break;
		case OPT_REUSEADDR:
		case OPT_REUSEPORT:
			if (need_set)
				errx(EXIT_USAGE, "--reuseaddr and --reuseport"
				     " are given once, and not both");
			need = opt == OPT_REUSEADDR ? NEED_REUSEADDR
						    : NEED_REUSEPORT;
			need_set = 1;
			break;
		case 'b':
			budget_dst = optarg;
			break;
		case 'a':
			do_audit = 1;
			break;
		case 'N':
			ns = optarg;
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
			break;
		case 'V':
			printf("portbind-why (libportbind %s)\n", pb_version());
			return EXIT_SUCCESS;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (do_audit) {
		/* Every socket, whatever its protocol, with the verdict of the
		   server that set it up: nothing to wait for or to ask. */
		if (argc != optind || type_set || flags || deadline >= 0 ||
		    need_set || budget_dst) {
			warnx("--audit goes only with --json and -N");
			usage(stderr, EXIT_USAGE);
		}
		return audit(ns, json);
	}
	if (budget_dst && ns) {
		/* The budget has no call that runs in another namespace. */
		warnx("--budget cannot look into another namespace (-N)");
		usage(stderr, EXIT_USAGE);
	}
	if (budget_dst) {
		/* A budget is about TCP connections to one destination:
		   nothing to wait for, no holders to name. */
		if (argc != optind || type != SOCK_STREAM || flags ||
		    deadline >= 0 || need_set) {
			warnx("--budget takes one DST and goes only with"
			      " --json");
			usage(stderr, EXIT_USAGE);
		}
		return budget(budget_dst, json);
	}
	if (argc - optind != 1)
		usage(stderr, EXIT_USAGE);
	spec = argv[optind];
	/* SO_REUSEADDR and SO_REUSEPORT are TCP's answers here: on UDP the
	   library probes neither for what a server would want. */
	if (need_set && type != SOCK_STREAM)
		errx(EXIT_USAGE, "--reuseaddr and --reuseport are for TCP");

	/* The clock starts at --wait's parse, before the first try: SECS is
	   the whole time the operator waits.  The text is for the operator:
	   commands and settings, not library calls. */
	if (ns)
		nsfd = open_netns(ns);
	free_now = diagnose(nsfd, ns, type, spec, flags | PB_DIAG_OPERATOR,
			    need, deadline, &d);
	if (nsfd >= 0)
		close(nsfd);

	if (json) {
		text = render(pb_diag_json, &d, "pb_diag_json");
		print_line(text);
	} else {
		text = render(pb_diag_format, &d, "pb_diag_format");
		print_line(text);
		if (d.n_stored > 0 || d.n_holders > 0)
			print_holders(&d, (flags & PB_DIAG_OWNERS) != 0);
	}
	free(text);

	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_USAGE, "stdout");
	return free_now ? EXIT_FREE : EXIT_HELD;
}

/* SPDX-License-Identifier: MIT */
/*
 * audit - which services would not come back if restarted now?
 *
 *	audit [NETNS]
 *
 * Shows pb_audit_run(), pb_audit_get() and pb_netns_open().  The audit
 * takes every listening TCP socket and every bound UDP socket of a
 * network namespace (this one, or NETNS: a name under /run/netns, a path
 * such as /proc/1234/ns/net, or a process id) and says, for the service
 * that holds each, whether a restart now would bind it again at once.
 * This program prints one line for each socket whose service would not
 * ("wait": not before a time; "fail": not while another process holds
 * on) or where that cannot be known here ("unknown": the socket's own
 * options decide and could not be read, which needs root), and nothing
 * for the others.  portbind-why --audit prints the whole table.
 *
 * Exit status, as portbind-why --audit's: 0 when every service would bind
 * at once, 1 when one would not, 3 when none is known not to but some
 * verdict is unknown, 2 on an error.
 *
 *	$ ./audit
 *	wait tcp 127.0.0.1:8080 pid 4242 (server): connections; binds in 60000 ms
 */
#include <err.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

/* The names portbind-why --audit --json gives the PB_BLOCK_* bits. */
static const char *const blocks[] = {
	"time-wait", "connections", "outliving", "holder"
};

/* A process names itself: show only printable ASCII of its name. */
static const char *printable(char *s)
{
	for (char *p = s; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	return s;
}

static void show(struct pb_audit_entry *e)
{
	char addr[PB_ADDRSTRLEN];

	if (pb_format_addr((struct sockaddr *)&e->local, sizeof(e->local),
	    addr, sizeof(addr)) == -1)
		strcpy(addr, "?");
	printf("%s %s %s", pb_restart_name(e->verdict),
	    e->protocol == IPPROTO_UDP ? "udp" : "tcp", addr);
	if (e->pid > 0)
		printf(" pid %d (%s):", e->pid, printable(e->comm));
	else
		printf(" (no process):");
	for (unsigned b = 0; b < 4; b++)
		if (e->blocks & (1u << b))
			printf(" %s", blocks[b]);
	if (e->verdict == PB_RESTART_WAIT)
		printf("; binds in %u ms", e->until_ms);
	if (e->verdict == PB_RESTART_FAIL && e->outliving_pid > 0)
		printf("; pid %d holds on", e->outliving_pid);
	if (e->verdict == PB_RESTART_UNKNOWN && e->options_err != 0)
		printf("; options not read: %s", strerror(e->options_err));
	printf("\n");
}

int main(int argc, char **argv)
{
	struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;
	struct pb_audit *a;
	int ns = -1, worst = PB_RESTART_OK;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		errx(2, "usage: audit [NETNS]");
	/* The namespace's descriptor: the audit runs in a thread of its
	   own that enters it; this program's threads stay where they are. */
	if (argc == 2 && (ns = pb_netns_open(argv[1])) == -1)
		err(2, "%s", argv[1]);
	if (pb_audit_run(ns, 0, &a) == -1)
		err(2, "audit");
	if (ns != -1)
		close(ns);

	/* Worst first: the services that would fail, then those that would
	   wait, then the unknown, then the rest. */
	for (size_t i = 0; i < pb_audit_count(a); i++) {
		if (pb_audit_get(a, i, &e) == -1)
			err(2, "pb_audit_get");
		if (e.verdict == PB_RESTART_OK)
			continue;
		show(&e);
		if (e.verdict > worst)
			worst = e.verdict;
	}
	pb_audit_free(a);

	if (worst == PB_RESTART_UNKNOWN)
		return 3;
	return worst == PB_RESTART_OK ? 0 : 1;
}

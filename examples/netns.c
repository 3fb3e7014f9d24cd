/* SPDX-License-Identifier: MIT */
/*
 * netns - why can this address not be bound inside that namespace?
 *
 *	netns NETNS ADDRESS
 *
 * Shows pb_netns_open() and pb_diagnose_netns(): the diagnosis of
 * pb_diagnose_spec, made inside another network namespace, such as a
 * container's.  NETNS is a name under /run/netns (as ip netns add makes
 * it), a path such as /proc/1234/ns/net, or a process id (that process's
 * namespace).  The library enters the namespace in a thread of its own,
 * made for the call, so the program's threads stay where they are.
 * Entering needs CAP_SYS_ADMIN (root): without it the call fails with
 * EPERM, and never answers for this namespace instead.  Owner processes
 * are named by the pids this program sees.
 *
 * Exit status: 0 when the address can be bound now in NETNS, 1 when it is
 * held (or refused for another reason), 2 on an error.
 *
 *	$ sudo ./netns 4242 127.0.0.1:8080
 *	tcp 127.0.0.1:8080: nothing holds it; it can be bound now.
 */
#include <err.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

int main(int argc, char **argv)
{
	struct pb_diag d = PB_DIAG_INIT;
	char text[4096];
	int ns, cause;

	if (argc != 3)
		errx(2, "usage: netns NETNS ADDRESS");
	ns = pb_netns_open(argv[1]);
	if (ns == -1)
		err(2, "%s", argv[1]);

	d.flags = PB_DIAG_OWNERS | PB_DIAG_OPERATOR;
	cause = pb_diagnose_netns(ns, SOCK_STREAM, argv[2], 0, &d);
	if (cause == -1)
		err(2, "%s in %s", argv[2], argv[1]);
	close(ns);

	if (pb_diag_format(&d, text, sizeof(text)) == -1)
		err(2, "pb_diag_format");
	printf("%s\n", text);
	return cause == PB_CAUSE_NONE ? 0 : 1;
}

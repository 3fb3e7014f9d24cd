/* SPDX-License-Identifier: MIT */
/*
 * diagnose - why can this address not be bound? (a tiny portbind-why)
 *
 *	diagnose [-u] [-j] ADDRESS
 *
 * Shows pb_diagnose_spec() and the two ways to print its answer:
 * pb_diag_format() for a person, pb_diag_json() for a program.  The
 * diagnosis probes the address and reads the kernel's socket table; it
 * binds nothing that outlives the call.  -u asks about UDP instead of
 * TCP; -j prints one JSON object instead of the paragraph.
 *
 * Exit status: 0 when the address can be bound now, 1 when it is held (or
 * cannot be bound for another reason), 2 on bad usage.
 *
 *	$ ./diagnose 127.0.0.1:8080
 *	tcp 127.0.0.1:8080: nothing holds it; it can be bound now.
 *	$ ./diagnose -j 127.0.0.1:8080
 *	{"protocol":"tcp","address":"127.0.0.1:8080",...,"cause":"none",...}
 */
#include <err.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <portbind.h>

int main(int argc, char **argv)
{
	struct pb_diag d = PB_DIAG_INIT;
	int type = SOCK_STREAM, json = 0, cause, n;
	char text[4096];

	for (; argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0';
	    argc--, argv++) {
		if (strcmp(argv[1], "-u") == 0)
			type = SOCK_DGRAM;
		else if (strcmp(argv[1], "-j") == 0)
			json = 1;
		else
			break;
	}
	if (argc != 2)
		errx(2, "usage: diagnose [-u] [-j] ADDRESS");

	/* err 0: the library tries the address itself to learn the errno. */
	cause = pb_diagnose_spec(type, argv[1], 0, &d);
	if (cause == -1)
		err(2, "%s", argv[1]);

	n = json ? pb_diag_json(&d, text, sizeof(text))
		 : pb_diag_format(&d, text, sizeof(text));
	if (n == -1)
		err(2, "%s", json ? "pb_diag_json" : "pb_diag_format");
	/* n is the length needed: a longer text was cut, still terminated. */
	printf("%s%s\n", text, (size_t)n >= sizeof(text) ? "..." : "");

	return cause == PB_CAUSE_NONE ? 0 : 1;
}

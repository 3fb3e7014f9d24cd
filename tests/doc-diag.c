/* SPDX-License-Identifier: MIT */
/*
 * The library's texts that the man pages and the README show without a
 * tool that prints them: tests/docoutput.py runs this in the scenario of
 * each such example and compares what it prints with the page.
 *
 *	doc-diag [-o] [-p] [-f] SPEC
 *		pb_diagnose_spec(SOCK_STREAM, SPEC) and pb_diag_format: the
 *		text for the program's author, for an operator with -o; -p
 *		names the owners (PB_DIAG_OWNERS); -f prints from "Fix: " on.
 *	doc-diag -l SPEC
 *		pb_listen(SPEC), which must fail: the text of its why.
 *	doc-diag -c SRC DST...
 *		pb_connect_from(SRC, DST) to each DST in turn, round and round,
 *		keeping every connection, until one fails: its text.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <portbind.h>

#define MAX_CONN 4096

static void print_text(const struct pb_diag *d, int fix_only)
{
	static char text[8192];
	const char *t = text;

	if (pb_diag_format(d, text, sizeof(text)) < 0)
		err(2, "pb_diag_format");
	if (fix_only) {
		t = strstr(text, "Fix: ");
		if (!t)
			errx(2, "no fix in: %s", text);
	}
	printf("%s\n", t);
}

static int churn(int argc, char **argv)
{
	static struct sockaddr_storage dst[16];
	static socklen_t dstlen[16];
	struct sockaddr_storage src;
	socklen_t srclen;
	struct pb_diag why = PB_DIAG_INIT;
	int n = argc - 1, i, made;

	if (n < 1 || n > 16)
		errx(2, "-c SRC DST... (1 to 16 destinations)");
	if (pb_parse_addr(argv[0], &src, &srclen) < 0)
		err(2, "%s", argv[0]);
	for (i = 0; i < n; i++)
		if (pb_parse_addr(argv[1 + i], &dst[i], &dstlen[i]) < 0)
			err(2, "%s", argv[1 + i]);
	/* The descriptors stay open until exit: each holds its port. */
	for (made = 0; made < MAX_CONN; made++) {
		i = made % n;
		if (pb_connect_from(SOCK_STREAM, (struct sockaddr *)&src, srclen,
				    (struct sockaddr *)&dst[i], dstlen[i], 0,
				    &why) < 0) {
			print_text(&why, 0);
			return 0;
		}
	}
	errx(2, "%d connections and no failure", made);
}

static int listen_fails(const char *spec)
{
	struct pb_diag why = PB_DIAG_INIT;
	int fd = pb_listen(spec, 16, 0, &why);

	if (fd >= 0)
		errx(2, "pb_listen %s: bound", spec);
	print_text(&why, 0);
	return 0;
}

int main(int argc, char **argv)
{
	struct pb_diag d = PB_DIAG_INIT;
	int c, fix_only = 0;

	while ((c = getopt(argc, argv, "clopf")) != -1) {
		switch (c) {
		case 'c':
			return churn(argc - optind, argv + optind);
		case 'l':
			if (optind + 1 != argc)
				return 2;
			return listen_fails(argv[optind]);
		case 'o':
			d.flags |= PB_DIAG_OPERATOR;
			break;
		case 'p':
			d.flags |= PB_DIAG_OWNERS;
			break;
		case 'f':
			fix_only = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc)
		errx(2, "usage: doc-diag [-o] [-p] [-f] SPEC | -l SPEC | -c SRC DST...");
	if (pb_diagnose_spec(SOCK_STREAM, argv[optind], 0, &d) < 0)
		err(2, "pb_diagnose_spec %s", argv[optind]);
	print_text(&d, fix_only);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * restart-server - a TCP echo server that closes first, to show why
 * servers need SO_REUSEADDR to restart at once.
 *
 *	restart-server [-n] [-c COUNT] ADDRESS
 *
 * Each connection gets one line echoed back, then the server closes.  The
 * side that closes first is the one that waits in TIME_WAIT (twice the
 * maximum segment lifetime, 60 s on Linux), and those TIME_WAIT sockets
 * keep the server's local address busy after the server has gone.
 *
 * Restarted with pb_bind_reuse() the server binds at once.  Restarted
 * with -n ("naive": plain bind(2), no SO_REUSEADDR) it fails with "Address
 * already in use" until the last TIME_WAIT socket expires.
 *
 * ADDRESS is a spec such as 127.0.0.1:8080; port 0 lets the kernel choose,
 * and the "listening on" line tells which port it chose.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <portbind.h>

/* A client that connects and never sends must not hold the server. */
#define CLIENT_TIMEOUT_S 5

static void usage(void)
{
	fprintf(stderr, "usage: restart-server [-n] [-c COUNT] ADDRESS\n");
	exit(2);
}

static unsigned long parse_count(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || s[0] == '-' || v == 0)
		errx(2, "-c wants a positive number, not \"%s\"", s);
	return v;
}

/*
 * Read one line (or whatever fits, or whatever came before EOF), send it
 * back, close.  The whole line must be read before close(): closing with
 * unread data in the receive queue makes the kernel send a reset instead
 * of a FIN, and a reset leaves no TIME_WAIT behind, which is the very
 * thing this demo wants to show.
 */
static void echo_one(int cfd, const char *peer)
{
	struct timeval tv = { CLIENT_TIMEOUT_S, 0 };
	char buf[1024];
	size_t len = 0;
	ssize_t n;

	if (setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		warn("setsockopt %s", peer);

	while (len < sizeof(buf)) {
		n = recv(cfd, buf + len, sizeof(buf) - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn("recv from %s", peer);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n))
			break;
	}

	/* MSG_NOSIGNAL: a client that left must not kill the server with
	   SIGPIPE. */
	if (len > 0 && send(cfd, buf, len, MSG_NOSIGNAL) < 0)
		warn("send to %s", peer);

	/* The server closes first: this socket now goes to FIN_WAIT and,
	   once the client closes too, to TIME_WAIT. */
	close(cfd);
	printf("echoed %zu bytes to %s, closed first\n", len, peer);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char addr[PB_ADDRSTRLEN], peer[PB_ADDRSTRLEN];
	unsigned long count = 0, served = 0; /* 0: run forever */
	const char *spec;
	int naive = 0;
	int fd, opt;

	while ((opt = getopt(argc, argv, "nc:")) != -1) {
		switch (opt) {
		case 'n':
			naive = 1;
			break;
		case 'c':
			count = parse_count(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	spec = argv[optind];

	/* A shell starts background jobs with SIGINT ignored, and an ignored
	   signal stays ignored across exec.  Ask for the default back, so
	   that SIGINT and SIGTERM both simply end the server. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	sslen = sizeof(ss);
	if (pb_parse_addr(spec, &ss, &sslen) < 0)
		err(2, "%s", spec);

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");

	/* The one line that differs.  pb_bind_reuse() sets SO_REUSEADDR
	   first, which lets the bind pass the TIME_WAIT sockets a previous
	   run left behind (they carry the option too, inherited from that
	   run's listener).  A live listener still refuses it. */
	if ((naive ? bind(fd, (struct sockaddr *)&ss, sslen)
		   : pb_bind_reuse(fd, (struct sockaddr *)&ss, sslen)) < 0)
		err(1, "bind %s", spec);
	if (listen(fd, 16) < 0)
		err(1, "listen %s", spec);

	/* Read the address back: with port 0 only the kernel knows it. */
	sslen = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0)
		err(1, "getsockname");
	if (pb_format_addr((struct sockaddr *)&ss, sslen, addr, sizeof(addr)) < 0)
		err(1, "pb_format_addr");
	printf("listening on %s (pid %ld)%s\n", addr, (long)getpid(),
	       naive ? " [naive bind]" : "");
	fflush(stdout);

	while (count == 0 || served < count) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		int cfd;

		/* accept() blocks: no polling, no busy loop. */
		cfd = accept4(fd, (struct sockaddr *)&from, &fromlen,
			      SOCK_CLOEXEC);
		if (cfd < 0) {
			/* Errors that belong to one aborted connection, not
			   to the listener: go on with the next one. */
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EPROTO)
				continue;
			err(1, "accept");
		}
		if (pb_format_addr((struct sockaddr *)&from, fromlen, peer,
				   sizeof(peer)) < 0)
			snprintf(peer, sizeof(peer), "?");
		echo_one(cfd, peer);
		served++;
	}
	close(fd);
	return 0;
}

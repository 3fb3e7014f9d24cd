/* SPDX-License-Identifier: MIT */
/*
 * sysmark - one success path between two markers, for strace to count.
 *
 *	strace -f -qq -o TRACE ./sysmark MODE
 *
 * Between write(-1, "PBMARK-BEGIN") and write(-1, "PBMARK-END") (both fail
 * with EBADF, so they are cheap and easy to find) the program makes exactly
 * the calls of MODE, nothing else:
 *
 *   pb_listen4  pb_listen("127.0.0.1:0")    raw_listen4  socket, SO_REUSEADDR, bind, listen
 *   pb_listen6  pb_listen("[::1]:0")        raw_listen6  socket, SO_REUSEADDR, IPV6_V6ONLY, bind, listen
 *   pb_listen_dual pb_listen("*:0")         raw_listen_dual  the same on [::] with IPV6_V6ONLY 0
 *   pb_bind_reuse  pb_bind_reuse(127.0.0.1:0) on a socket made before
 *   raw_bind_reuse setsockopt(SO_REUSEADDR), bind
 *
 * Binds port 0 on loopback only.  Exit 0 when the path succeeded.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portbind.h>

#include "bench.h"

static void mark(const char *m)
{
	ssize_t r = write(-1, m, strlen(m));

	(void)r;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	const char *m = argc > 1 ? argv[1] : "";
	int fd = -1, r = -1, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (strstr(m, "bind_reuse"))
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	mark("PBMARK-BEGIN");
	if (!strcmp(m, "pb_listen4"))
		r = pb_listen("127.0.0.1:0", 128, 0, NULL);
	else if (!strcmp(m, "raw_listen4"))
		r = raw_listen(AF_INET, "127.0.0.1", 0);
	else if (!strcmp(m, "pb_listen6"))
		r = pb_listen("[::1]:0", 128, 0, NULL);
	else if (!strcmp(m, "raw_listen6"))
		r = raw_listen(AF_INET6, "::1", 1);
	else if (!strcmp(m, "pb_listen_dual"))
		r = pb_listen("*:0", 128, 0, NULL);
	else if (!strcmp(m, "raw_listen_dual"))
		r = raw_listen(AF_INET6, "::", 0);
	else if (!strcmp(m, "pb_bind_reuse"))
		r = pb_bind_reuse(fd, (struct sockaddr *)&sin, sizeof(sin));
	else if (!strcmp(m, "raw_bind_reuse"))
		r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0
			? -1 : bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	mark("PBMARK-END");

	if (r < 0) {
		fprintf(stderr, "sysmark: %s failed\n", m);
		return 1;
	}
	return 0;
}

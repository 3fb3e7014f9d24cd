/* SPDX-License-Identifier: MIT */
/*
 * fuzz_procnet.c - libFuzzer target for the /proc/net line parser
 * (procnet.c).
 *
 * The input is split into lines; each line, with its '\n' as fgets() gives
 * it to the parser, is copied into a buffer of exactly its size and parsed
 * as a line of /proc/net/tcp, tcp6, udp and udp6.  Checked besides memory
 * safety (abort(): a finding): a line is taken (0) or refused (-EINVAL),
 * and a taken one is a well-formed entry of the family and protocol asked,
 * whose addresses pb_format_addr can write.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "portbind.h"
#include "procnet.h"

/* What sysconf(_SC_CLK_TCK) says on Linux everywhere. */
#define FUZZ_CLK_TCK 100

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(const struct sockaddr_storage *ss, int family)
{
	char text[PB_ADDRSTRLEN];
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in)
					  : sizeof(struct sockaddr_in6);

	if (ss->ss_family != family)
		abort();
	if (pb_format_addr((const struct sockaddr *)ss, len, text,
			   sizeof(text)) != 0)
		abort();
}

static void parse_as(const char *line, int family, int protocol)
{
	struct pb_sockent e;
	int r;

	memset(&e, 0xa5, sizeof(e));
	r = pb__procnet_parse_line(line, family, protocol, FUZZ_CLK_TCK, &e);
	if (r == -EINVAL)
		return;
	if (r != 0)
		abort();
	if (e.family != family || e.protocol != protocol)
		abort();
	if (e.state < 0 || e.state > 255 || e.v6only != -1)
		abort();
	/* Only a TCP TIME_WAIT line has a time left. */
	if (e.expires_ms != 0 &&
	    (e.state != PB_TCP_TIME_WAIT || protocol != IPPROTO_TCP))
		abort();
	check_addr(&e.local, family);
	check_addr(&e.remote, family);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const int protocols[] = { IPPROTO_TCP, IPPROTO_UDP };
	size_t start = 0;

	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) + 1 : size - start;
		char *line = malloc(len + 1);
		size_t f, p;

		if (!line)
			abort();
		memcpy(line, data + start, len);
		line[len] = '\0';
		for (f = 0; f < sizeof(families) / sizeof(families[0]); f++)
			for (p = 0; p < sizeof(protocols) / sizeof(protocols[0]); p++)
				parse_as(line, families[f], protocols[p]);
		free(line);
		start += len;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * fuzz_spec.c - libFuzzer target for the address-spec parser (addr.c).
 *
 * The input, NUL-terminated, is a spec for pb_parse_addr.  What the fuzzer
 * checks besides memory safety (abort() marks a finding):
 *  - a refused spec fails with EINVAL and leaves the out-params alone;
 *  - an accepted one gives an inet address of the right length, which
 *    pb_format_addr writes in PB_ADDRSTRLEN, snprintf-exact: one byte
 *    short is ENOSPC with "" written;
 *  - the text parses back to the same address, byte for byte.
 * Only the parser and the formatter run: the sockets they open themselves
 * (the IPv6 probe, interface names) are the only ones.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "portbind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Exactly size + 1 bytes, so AddressSanitizer sees a read past the NUL. */
static char *terminated(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void check_round_trip(const struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_storage again;
	socklen_t alen = 0;
	char text[PB_ADDRSTRLEN], exact[PB_ADDRSTRLEN];
	size_t n;

	if (ss->ss_family == AF_INET) {
		if (len != sizeof(struct sockaddr_in))
			abort();
	} else if (ss->ss_family == AF_INET6) {
		if (len != sizeof(struct sockaddr_in6))
			abort();
	} else {
		abort();
	}

	if (pb_format_addr((const struct sockaddr *)ss, len, text,
			   sizeof(text)) != 0)
		abort();
	n = strlen(text);

	/* snprintf-exact: n + 1 bytes are enough, n are not. */
	memset(exact, 'x', sizeof(exact));
	errno = 0;
	if (pb_format_addr((const struct sockaddr *)ss, len, exact, n) != -1 ||
	    errno != ENOSPC || (n > 0 && exact[0] != '\0'))
		abort();
	if (pb_format_addr((const struct sockaddr *)ss, len, exact, n + 1) != 0 ||
	    strcmp(exact, text) != 0)
		abort();

	if (pb_parse_addr(text, &again, &alen) != 0)
		abort();
	if (alen != len || memcmp(&again, ss, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss, before;
	socklen_t len = 12345;
	char *spec = terminated(data, size);
	int r;

	memset(&ss, 0xa5, sizeof(ss));
	memcpy(&before, &ss, sizeof(ss));
	errno = 0;
	r = pb_parse_addr(spec, &ss, &len);
	if (r == 0) {
		check_round_trip(&ss, len);
	} else if (r != -1 || errno != EINVAL || len != 12345 ||
		   memcmp(&ss, &before, sizeof(ss)) != 0) {
		/* Refused: EINVAL, out-params written only on success. */
		abort();
	}
	free(spec);
	return 0;
}

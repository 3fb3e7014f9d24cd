/* SPDX-License-Identifier: MIT */
/* addr.h - addr.c: address specs and socket addresses.  Never installed. */
#ifndef PB_ADDR_H
#define PB_ADDR_H

#include <stdint.h>
#include <sys/socket.h>

/* A parsed address spec.  v6only says what a helper must set on the socket:
   1 for "[v6]:p", 0 for v4-mapped and for the dual-stack wildcard, -1 for
   IPv4.  dual marks "*:p", which falls back to 0.0.0.0 without IPv6. */
struct pb_spec {
	struct sockaddr_storage ss;
	socklen_t len;
	int v6only;
	int dual;
};

int pb__parse_spec(const char *spec, struct pb_spec *out);
void pb__spec_to_ipv4_any(struct pb_spec *s);
/* Length of a valid inet address, or -errno for a bad one. */
int pb__addr_len(const struct sockaddr *sa, socklen_t len);
unsigned pb__addr_port(const struct sockaddr *sa);
/* An address as 16 bytes, IPv4 and IPv4-mapped alike. */
void pb__addr_norm(const struct sockaddr_storage *ss, uint8_t out[16]);
int pb__have_ipv6(void);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * opt.c - the reuse-option setters.
 *
 * Thin on purpose: one setsockopt each, errno from the kernel untouched, so
 * that "not supported here" reaches the caller as ENOPROTOOPT instead of
 * being papered over.  Where the C library's headers lack a constant that
 * the kernel has, it is defined here with the kernel's value.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "internal.h"

#if defined(__linux__)
# ifndef IP_FREEBIND
#  define IP_FREEBIND 15
# endif
# ifndef IP_BIND_ADDRESS_NO_PORT
#  define IP_BIND_ADDRESS_NO_PORT 24
# endif
# ifndef IP_LOCAL_PORT_RANGE
#  define IP_LOCAL_PORT_RANGE 51      /* Linux 6.3 */
# endif
#endif

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

PB_EXPORT int pb_set_reuseaddr(int fd, int on)
{
	return set_int(fd, SOL_SOCKET, SO_REUSEADDR, on != 0);
}

PB_EXPORT int pb_set_reuseport(int fd, int on)
{
#ifdef SO_REUSEPORT
	return set_int(fd, SOL_SOCKET, SO_REUSEPORT, on != 0);
#else
	(void)fd, (void)on;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

PB_EXPORT int pb_set_v6only(int fd, int on)
{
	return set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, on != 0);
}

/* IP_FREEBIND at the IP level serves IPv6 sockets too on Linux: the flag
   lives in the shared inet part of the socket. */
PB_EXPORT int pb_set_freebind(int fd, int on)
{
#ifdef IP_FREEBIND
	return set_int(fd, IPPROTO_IP, IP_FREEBIND, on != 0);
#else
	(void)fd, (void)on;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

PB_EXPORT int pb_set_bind_no_port(int fd, int on)
{
#ifdef IP_BIND_ADDRESS_NO_PORT
	return set_int(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, on != 0);
#else
	(void)fd, (void)on;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

/*
 * The kernel packs the range as lo | hi << 16 and intersects it with
 * net.ipv4.ip_local_port_range at connect time (a range that does not
 * overlap it is ignored).  0, 0 resets the socket to the system range.
 */
PB_EXPORT int pb_set_local_port_range(int fd, unsigned lo, unsigned hi)
{
#ifdef IP_LOCAL_PORT_RANGE
	uint32_t v;

	if (lo > 65535 || hi > 65535 || (hi != 0 && lo > hi)) {
		errno = EINVAL;
		return -1;
	}
	v = (uint32_t)lo | (uint32_t)hi << 16;
	return setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &v, sizeof(v));
#else
	(void)fd, (void)lo, (void)hi;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

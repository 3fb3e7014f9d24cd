/* SPDX-License-Identifier: MIT */
/*
 * sysctl.c - read the system values a diagnosis quotes.  Read only: the
 * library never changes a sysctl.  Names are given as in sysctl(8),
 * "net.ipv4.ip_local_port_range", and read from /proc/sys.
 *
 * The shim's failing bind() reads some of these (pb__sysctl_int,
 * pb__sysctl_range, pb__cap_net_bind_service), maybe inside a signal
 * handler: raw system calls and lib/text.h only, no stdio, no strtol
 * (locale), no malloc; buffers beyond a few dozen bytes come from scratch.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "abi.h"
#include "internal.h"
#include "scratch.h"
#include "sysctl.h"
#include "text.h"

int pb__sysctl_read(const char *name, char *buf, size_t size)
{
	char path[128];
	size_t i, n = strlen("/proc/sys/");
	ssize_t got;
	int fd, saved = errno;

	if (size == 0 || strlen(name) + n >= sizeof(path))
		return -EINVAL;
	memcpy(path, "/proc/sys/", n);
	for (i = 0; name[i]; i++)
		path[n + i] = (char)(name[i] == '.' ? '/' : name[i]);
	path[n + i] = '\0';

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		errno = saved;
		return -err;
	}
	do
		got = read(fd, buf, size - 1);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		int err = errno;

		close(fd);
		errno = saved;
		return -err;
	}
	close(fd);
	buf[got] = '\0';
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = '\0';
	errno = saved;
	return (int)got;
}

/* Blanks the kernel puts between the numbers of a vector sysctl. */
static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The first number of the value, an int, optionally negative. */
int pb__sysctl_int(const char *name, int *out)
{
	char buf[32];
	const char *p;
	long long v;
	int neg, r = pb__sysctl_read(name, buf, sizeof(buf));

	if (r < 0)
		return r;
	p = skip_blanks(buf);
	neg = *p == '-';
	v = pb__parse_num(p + neg, 10, neg ? 2147483648ULL : 2147483647ULL,
			  NULL);
	if (v < 0)
		return -EINVAL;
	*out = neg ? (int)-v : (int)v;
	return 0;
}

/* "32768\t60999" */
int pb__sysctl_range(const char *name, unsigned *lo, unsigned *hi)
{
	char buf[64];
	const char *p;
	long long a, b;
	int r = pb__sysctl_read(name, buf, sizeof(buf));

	if (r < 0)
		return r;
	a = pb__parse_num(skip_blanks(buf), 10, 65535, &p);
	if (a < 0)
		return -EINVAL;
	b = pb__parse_num(skip_blanks(p), 10, 65535, NULL);
	if (b < 0)
		return -EINVAL;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

/* 1 when CAP_NET_BIND_SERVICE is in this thread's effective set, 0 when
   not, -1 when the system will not say. */
int pb__cap_net_bind_service(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int saved = errno;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &h, data) < 0) {
		errno = saved;
		return -1;
	}
	return (int)((data[CAP_NET_BIND_SERVICE / 32].effective >>
		      (CAP_NET_BIND_SERVICE % 32)) & 1u);
}

/* Room for the ip_local_reserved_ports text.  The kernel writes at most
   about a page of it, whole entries only (measured on 6.18: 4092 bytes of
   a list of 14116 ports); 64 KiB covers the largest pages.  Scratch
   memory, touched only as far as the kernel writes. */
#define PB_RESERVED_TEXT ((size_t)64 * 1024)

static int parse_reserved(const char *p, uint8_t map[PB__PORT_MAP_BYTES])
{
	long long a, b, port;

	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		a = pb__parse_num(p, 10, 65535, &p);
		if (a < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			b = pb__parse_num(p + 1, 10, 65535, &p);
			if (b < a)	/* also no number: -1 */
				return -EINVAL;
		}
		for (port = a; port <= b; port++)
			map[port / 8] |= (uint8_t)(1u << (port % 8));
	}
	return 0;
}

/*
 * net.ipv4.ip_local_reserved_ports ("1000,2000-3000" or empty) as a bitmap
 * of 65536 bits.  0, or -errno when it cannot be read or parsed (-ENOMEM:
 * no scratch memory for the text).
 */
int pb__reserved_map(uint8_t map[PB__PORT_MAP_BYTES])
{
	char *buf = pb__scratch_get(PB_RESERVED_TEXT);
	int r;

	memset(map, 0, PB__PORT_MAP_BYTES);
	if (!buf)
		return -ENOMEM;
	r = pb__sysctl_read("net.ipv4.ip_local_reserved_ports", buf,
			    PB_RESERVED_TEXT);
	/* A text that filled the buffer may have been cut short. */
	if (r >= 0 && (size_t)r >= PB_RESERVED_TEXT - 1)
		r = -EOVERFLOW;
	if (r >= 0)
		r = parse_reserved(buf, map);
	if (r < 0)
		memset(map, 0, PB__PORT_MAP_BYTES);
	pb__scratch_put(buf, PB_RESERVED_TEXT);
	return r < 0 ? r : 0;
}

/* How many ports of lo..hi a port bitmap has. */
unsigned pb__ports_in_map(const uint8_t map[PB__PORT_MAP_BYTES], unsigned lo,
			  unsigned hi)
{
	unsigned port, n = 0;

	for (port = lo; port <= hi && port <= 65535; port++)
		n += (map[port / 8] >> (port % 8)) & 1u;
	return n;
}

/* How many ports of lo..hi are reserved; -errno when unreadable. */
int pb__reserved_in_range(unsigned lo, unsigned hi)
{
	uint8_t *map = pb__scratch_get(PB__PORT_MAP_BYTES);
	int r;

	if (!map)
		return -ENOMEM;
	r = pb__reserved_map(map);
	if (r == 0)
		r = (int)pb__ports_in_map(map, lo, hi);
	pb__scratch_put(map, PB__PORT_MAP_BYTES);
	return r;
}

static int read_or_minus_one(const char *name)
{
	int v;

	return pb__sysctl_int(name, &v) == 0 ? v : -1;
}

PB_EXPORT int pb_read_sysctls(struct pb_sysctls *out)
{
	struct pb_sysctls s;
	int r;

	if (!out || pb__abi_check(out->size, PB__SYSCTLS_SIZE_0_1) < 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&s, 0, sizeof(s));
	if (pb__sysctl_range("net.ipv4.ip_local_port_range", &s.port_lo,
			     &s.port_hi) < 0)
		s.port_lo = s.port_hi = 0;
	r = s.port_hi ? pb__reserved_in_range(s.port_lo, s.port_hi) : 0;
	s.reserved = r > 0 ? (unsigned)r : 0;
	s.tcp_tw_reuse = read_or_minus_one("net.ipv4.tcp_tw_reuse");
	s.tcp_tw_reuse_delay_ms = read_or_minus_one("net.ipv4.tcp_tw_reuse_delay");
	s.unprivileged_port_start =
		read_or_minus_one("net.ipv4.ip_unprivileged_port_start");
	s.autobind_reuse = read_or_minus_one("net.ipv4.ip_autobind_reuse");
	s.tcp_max_tw_buckets = read_or_minus_one("net.ipv4.tcp_max_tw_buckets");
	s.bindv6only = read_or_minus_one("net.ipv6.bindv6only");
	pb__abi_copy_out(out, out->size, &s, sizeof(s));
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * scratch.c - temporary buffers from mmap(2).  Two system calls per use,
 * only on paths that already cost many (a diagnosis reads the socket
 * table): worth it to keep large buffers off stacks that may be 16 KiB,
 * and out of malloc, which is not async-signal-safe.
 */
#include <errno.h>
#include <sys/mman.h>

#include "scratch.h"

void *pb__scratch_get(size_t size)
{
	int saved = errno;
	void *p;

	if (size == 0)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = saved;
	return p == MAP_FAILED ? NULL : p;
}

void pb__scratch_put(void *p, size_t size)
{
	int saved = errno;

	if (p)
		munmap(p, size);
	errno = saved;
}

/* SPDX-License-Identifier: MIT */
/*
 * scratch.h - memory for large temporary buffers, off the caller's stack
 * and outside malloc.  Never installed.
 */
#ifndef PB_SCRATCH_H
#define PB_SCRATCH_H

#include <stddef.h>

/*
 * size bytes of zeroed memory, page-granular, from mmap(2): usable where
 * malloc is not (a signal handler, a forked child of a threaded program)
 * and never on the stack, so that every path of the library fits a
 * 16 KiB thread.  NULL when the system refuses (errno is left alone): the
 * caller then does without, with a shorter answer.  Give it back with
 * pb__scratch_put and the same size.
 */
void *pb__scratch_get(size_t size);
void pb__scratch_put(void *p, size_t size);

#endif

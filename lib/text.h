/* SPDX-License-Identifier: MIT */
/*
 * text.h - text in and out without libc's stdio, strtol or locale, for
 * code that may run inside a signal handler or a forked child of a
 * threaded program (the LD_PRELOAD shim's failure path).  Never installed.
 */
#ifndef PB_TEXT_H
#define PB_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * snprintf for the conversions the library uses: %d %i %u %x %X with the
 * length modifiers h, l, ll and z, the flags '0' and '-' and a width; %s with a
 * precision (".N" or ".*"); %c; %%.  No locale, no allocation, no lock,
 * so it is async-signal-safe.  Returns the length the whole text needs,
 * and, when size > 0, always leaves buf NUL-terminated.  An unknown
 * conversion is copied as it is.
 */
int pb__vfmt(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4)))
int pb__fmt(char *buf, size_t size, const char *fmt, ...);

/*
 * An unsigned number in base 10 or 16 (digits only: no sign, no space,
 * no "0x"), at most max.  The value, with *end after the last digit, or
 * -1 when there is no digit or the value passes max (*end untouched).
 */
long long pb__parse_num(const char *s, int base, unsigned long long max,
			const char **end);

#endif

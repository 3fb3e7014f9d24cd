/* SPDX-License-Identifier: MIT */
/* version.c - the version of the library that is actually loaded. */
#include "internal.h"

#define PB_STR_(x) #x
#define PB_STR(x) PB_STR_(x)

PB_EXPORT const char *pb_version(void)
{
	return PB_STR(PB_VERSION_MAJOR) "." PB_STR(PB_VERSION_MINOR) "."
	       PB_STR(PB_VERSION_PATCH);
}

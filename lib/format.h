/* SPDX-License-Identifier: MIT */
/* format.h - format.c: a diagnosis as text.  Never installed. */
#ifndef PB_FORMAT_H
#define PB_FORMAT_H

#include <stddef.h>

#include "portbind.h"

/* pb_diag_format's paragraph, with the fix worded for reader:
   the program's author (pb_diag_format's default: the library's calls and
   flags), an operator at a shell (PB_DIAG_OPERATOR: commands and
   settings), or the person who runs an unmodified program under the
   LD_PRELOAD shim (its environment variables, the program's
   configuration).  Async-signal-safe. */
enum pb__reader {
	PB__READER_AUTHOR,
	PB__READER_OPERATOR,
	PB__READER_SHIM
};
int pb__diag_format_for(const struct pb_diag *d, int reader, char *buf,
			size_t size);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * abi.h - abi.c: how the growable public structs (struct pb_diag,
 * pb_budget, pb_sysctls, pb_fdset, pb_audit_entry) cross the library's boundary.
 *
 * Each starts with its size, which the caller's *_INIT macro set from the
 * header it was built with.  The library accepts any size from the
 * struct's 0.1.0 layout up and writes only what the caller's size holds:
 * a program built against 0.1.0 keeps working when members are appended.
 */
#ifndef PB_ABI_H
#define PB_ABI_H

#include <stddef.h>

#include "portbind.h"

/*
 * The oldest size accepted: where the last member of the 0.1.0 layout
 * ends.  Written from that member, not as sizeof, so that a member
 * appended later leaves it as it is; abi.c checks at compile time that
 * every 0.1.0 member lies within it, and that it is sizeof at 0.1.0 (no
 * tail padding, on LP64 and ILP32: the unused0 members fill it), so that a
 * member appended later starts past every 0.1.0 caller's struct and its
 * size tells the two apart.
 *
 * struct pb_holder is an element of pb_diag.holders[]: it can never grow
 * (holders[1] would move).  A later per-holder field needs an array of its
 * own after holders[], indexed as holders[] is.
 */
#define PB__MEMBER_END(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#define PB__DIAG_SIZE_0_1    PB__MEMBER_END(struct pb_diag, holders)
#define PB__BUDGET_SIZE_0_1  PB__MEMBER_END(struct pb_budget, listener_ports)
#define PB__SYSCTLS_SIZE_0_1 PB__MEMBER_END(struct pb_sysctls, unused0)
#define PB__FDSET_SIZE_0_1   PB__MEMBER_END(struct pb_fdset, names)
#define PB__AUDIT_ENTRY_SIZE_0_1 PB__MEMBER_END(struct pb_audit_entry, shared_pid)

/* 0 when a caller's struct of size bytes holds at least oldest (its
   0.1.0 layout), else -EINVAL. */
int pb__abi_check(size_t size, size_t oldest);

/*
 * Copy full, a whole struct of full_size bytes that the library built,
 * to the caller's out, whose size member says out_size (checked): only
 * the first min(out_size, full_size) bytes are written, and out's size
 * member stays out_size.  full and out may be the same memory.
 */
void pb__abi_copy_out(void *out, size_t out_size, const void *full,
		      size_t full_size);

#endif /* PB_ABI_H */

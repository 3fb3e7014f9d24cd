/* SPDX-License-Identifier: MIT */
/*
 * abi.c - the one size-aware copy-out of the growable public structs.
 *
 * A caller built against an older header passes a smaller struct: the
 * library builds the whole current struct where it likes and gives the
 * caller the part its size holds, no more.  A caller built against a newer
 * header passes a larger one: the members this library does not know are
 * left as the caller set them.  Runs on the shim's failure path: mem*
 * only.
 */
#include <errno.h>
#include <string.h>

#include "abi.h"

/* Every struct starts with its size: pb__abi_copy_out writes it there. */
_Static_assert(offsetof(struct pb_diag, size) == 0, "pb_diag.size first");
_Static_assert(offsetof(struct pb_budget, size) == 0, "pb_budget.size first");
_Static_assert(offsetof(struct pb_sysctls, size) == 0, "pb_sysctls.size first");
_Static_assert(offsetof(struct pb_audit_entry, size) == 0,
	       "pb_audit_entry.size first");

/* Every member of the 0.1.0 layout lies within the oldest size, so a
   0.1.0 caller's struct holds each of them; a member moved behind the
   arrays, or a constant taken from the wrong member, fails here. */
#define PB__IN_0_1(type, member, oldest) \
	_Static_assert(PB__MEMBER_END(type, member) <= (oldest), \
		       #type "." #member " is outside its 0.1.0 size")
#define PB__DIAG_0_1(m) PB__IN_0_1(struct pb_diag, m, PB__DIAG_SIZE_0_1)
PB__DIAG_0_1(size);
PB__DIAG_0_1(flags);
PB__DIAG_0_1(cause);
PB__DIAG_0_1(err);
PB__DIAG_0_1(type);
PB__DIAG_0_1(addr);
PB__DIAG_0_1(sources);
PB__DIAG_0_1(reuseaddr_helps);
PB__DIAG_0_1(n_holders);
PB__DIAG_0_1(n_listen);
PB__DIAG_0_1(n_time_wait);
PB__DIAG_0_1(n_connected);
PB__DIAG_0_1(n_bound);
PB__DIAG_0_1(time_wait_ms);
PB__DIAG_0_1(unprivileged_port_start);
PB__DIAG_0_1(cap_net_bind_service);
PB__DIAG_0_1(port_range_lo);
PB__DIAG_0_1(port_range_hi);
PB__DIAG_0_1(v6only);
PB__DIAG_0_1(peer);
PB__DIAG_0_1(reuseport_helps);
PB__DIAG_0_1(invalid);
PB__DIAG_0_1(spec);
PB__DIAG_0_1(n_stored);
PB__DIAG_0_1(holders);

#define PB__BUDGET_0_1(m) PB__IN_0_1(struct pb_budget, m, PB__BUDGET_SIZE_0_1)
PB__BUDGET_0_1(size);
PB__BUDGET_0_1(port_lo);
PB__BUDGET_0_1(port_hi);
PB__BUDGET_0_1(reserved);
PB__BUDGET_0_1(usable);
PB__BUDGET_0_1(established);
PB__BUDGET_0_1(time_wait);
PB__BUDGET_0_1(other);
PB__BUDGET_0_1(available);
PB__BUDGET_0_1(time_wait_ms);
PB__BUDGET_0_1(tw_reuse);
PB__BUDGET_0_1(tw_reuse_delay_ms);
PB__BUDGET_0_1(rate_per_s);
PB__BUDGET_0_1(sources);
PB__BUDGET_0_1(time_wait_reusable);
PB__BUDGET_0_1(unused0);
PB__BUDGET_0_1(n_listeners);
PB__BUDGET_0_1(listener_ports);

#define PB__SYSCTLS_0_1(m) PB__IN_0_1(struct pb_sysctls, m, PB__SYSCTLS_SIZE_0_1)
PB__SYSCTLS_0_1(size);
PB__SYSCTLS_0_1(port_lo);
PB__SYSCTLS_0_1(port_hi);
PB__SYSCTLS_0_1(reserved);
PB__SYSCTLS_0_1(tcp_tw_reuse);
PB__SYSCTLS_0_1(tcp_tw_reuse_delay_ms);
PB__SYSCTLS_0_1(unprivileged_port_start);
PB__SYSCTLS_0_1(autobind_reuse);
PB__SYSCTLS_0_1(tcp_max_tw_buckets);
PB__SYSCTLS_0_1(bindv6only);
PB__SYSCTLS_0_1(unused0);

#define PB__FDSET_0_1(m) PB__IN_0_1(struct pb_fdset, m, PB__FDSET_SIZE_0_1)
PB__FDSET_0_1(size);
PB__FDSET_0_1(n);
PB__FDSET_0_1(pid);
PB__FDSET_0_1(fds);
PB__FDSET_0_1(names);

#define PB__AUDIT_0_1(m) \
	PB__IN_0_1(struct pb_audit_entry, m, PB__AUDIT_ENTRY_SIZE_0_1)
PB__AUDIT_0_1(size);
PB__AUDIT_0_1(protocol);
PB__AUDIT_0_1(verdict);
PB__AUDIT_0_1(blocks);
PB__AUDIT_0_1(hazards);
PB__AUDIT_0_1(until_ms);
PB__AUDIT_0_1(uid);
PB__AUDIT_0_1(inode);
PB__AUDIT_0_1(local);
PB__AUDIT_0_1(pid);
PB__AUDIT_0_1(comm);
PB__AUDIT_0_1(fd);
PB__AUDIT_0_1(n_procs);
PB__AUDIT_0_1(service_uid);
PB__AUDIT_0_1(reuseaddr);
PB__AUDIT_0_1(reuseport);
PB__AUDIT_0_1(v6only);
PB__AUDIT_0_1(options_err);
PB__AUDIT_0_1(n_time_wait);
PB__AUDIT_0_1(time_wait_ms);
PB__AUDIT_0_1(n_connections);
PB__AUDIT_0_1(n_outliving);
PB__AUDIT_0_1(outliving_pid);
PB__AUDIT_0_1(shared_pid);

/* The variable part is last at 0.1.0: the count just before its array. */
_Static_assert(offsetof(struct pb_diag, holders) - PB__MEMBER_END(struct pb_diag, n_stored) <
	       sizeof(struct pb_holder), "pb_diag: n_stored, then holders[]");
_Static_assert(offsetof(struct pb_budget, listener_ports) ==
	       PB__MEMBER_END(struct pb_budget, n_listeners),
	       "pb_budget: n_listeners, then listener_ports[]");

/* No tail padding at 0.1.0 (a member appended later would land in a
   0.1.0 caller's padding, where the size could not tell the two apart):
   tests/check_abi.c holds each oldest size equal to sizeof at 0.1.0, and
   make abicheck refuses a member appended into padding.  Not asserted
   here, where the first member a later release appends would fail it. */

int pb__abi_check(size_t size, size_t oldest)
{
	return size >= oldest ? 0 : -EINVAL;
}

void pb__abi_copy_out(void *out, size_t out_size, const void *full,
		      size_t full_size)
{
	size_t n = out_size < full_size ? out_size : full_size;

	if (out != full)
		memmove(out, full, n);
	/* The size the caller set, not the library's. */
	memcpy(out, &out_size, sizeof(out_size));
}

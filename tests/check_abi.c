/* SPDX-License-Identifier: MIT */
/*
 * check_abi.c - the growable structs across the library's boundary
 * (lib/abi.c): every entry point that fills a struct pb_diag, pb_budget,
 * pb_sysctls or pb_audit_entry takes any size from the struct's 0.1.0 layout up, writes
 * no byte past the caller's size, leaves the members of a newer header
 * alone, and refuses a size one byte short of the 0.1.0 layout without
 * writing anything.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abi.h"
#include "format.h"
#include "internal.h"
#include "testutil.h"

/* Bytes after the caller's struct, and the members a newer header
   would have: each must read as it was set. */
#define GUARD 64
#define GUARD_BYTE 0xa5
#define NEWER_BYTE 0x5a

/* A listener on 127.0.0.1 that the calls below run into. */
static int busy_fd = -1;
static struct sockaddr_storage busy;
static socklen_t busy_len;
static char busy_spec[64];

static void busy_setup(void)
{
	busy_fd = pbt_listener("127.0.0.1", 0, 0);
	ck_assert_int_ge(busy_fd, 0);
	busy_len = pbt_addr(&busy, "127.0.0.1", pbt_local_port(busy_fd));
	snprintf(busy_spec, sizeof(busy_spec), "127.0.0.1:%u",
		 pbt_local_port(busy_fd));
}

/* One entry point, called with a caller's struct of any size.  ok: the
   value it returns when the struct was accepted (-1 for a helper that
   fails and explains why). */
struct entry {
	const char *name;
	size_t oldest, full;
	int (*call)(void *p);
	int ok;
	int (*sane)(const void *p);	/* what it wrote makes sense */
};

static int diagnose(void *p)
{
	return pb_diagnose(SOCK_STREAM, (struct sockaddr *)&busy, busy_len,
			   EADDRINUSE, p);
}

static int diagnose_spec(void *p)
{
	return pb_diagnose_spec(SOCK_STREAM, busy_spec, 0, p);
}

static int listen_busy(void *p)
{
	return pb_listen(busy_spec, 4, 0, p);
}

static int listen_wait_busy(void *p)
{
	return pb_listen_wait(busy_spec, 4, 0, 0, p);
}

static int udp_bad_spec(void *p)
{
	return pb_bind_udp("127.0.0.1:99999", 0, p);
}

static int connect_bad_flags(void *p)
{
	return pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&busy,
			       busy_len, PB_ADOPT, p);
}

static int connect_refused(void *p)
{
	struct sockaddr_storage ss;
	socklen_t len = pbt_addr(&ss, "127.0.0.1", pbt_free_port());

	return pb_connect_from(SOCK_STREAM, NULL, 0, (struct sockaddr *)&ss,
			       len, 0, p);
}

static int budget(void *p)
{
	return pb_port_budget(NULL, 0, (struct sockaddr *)&busy, busy_len, p);
}

/* The audit's entry of the busy listener (this process's). */
static int audit_get(void *p)
{
	struct pb_audit *a = NULL;
	struct pb_audit_entry e = PB_AUDIT_ENTRY_INIT;
	struct stat st;
	size_t i;
	int r = -2;

	if (fstat(busy_fd, &st) < 0 || pb_audit_run(-1, 0, &a) < 0)
		return -3;
	for (i = 0; i < pb_audit_count(a); i++)
		if (pb_audit_get(a, i, &e) == 0 &&
		    e.inode == (unsigned long long)st.st_ino) {
			r = pb_audit_get(a, i, p);
			break;
		}
	pb_audit_free(a);
	return r;
}

static int sysctls(void *p)
{
	return pb_read_sysctls(p);
}

/* An empty set (n 0, as PB_FDSET_INIT leaves it): nothing to close. */
static int fdset_close(void *p)
{
	return pb_fdset_close(p);
}

static int fdset_empty(const void *p)
{
	const struct pb_fdset *set = p;

	return set->n == 0;
}

static int listener_seen(const void *p)
{
	const struct pb_diag *d = p;

	return d->cause == PB_CAUSE_LISTENER && d->n_stored == 1 &&
	       d->holders[0].state == PB_TCP_LISTEN &&
	       d->reuseaddr_helps == 0;
}

static int listener_seen_no_spec(const void *p)
{
	const struct pb_diag *d = p;

	return listener_seen(p) && d->spec[0] == '\0' && d->invalid == 0;
}

static int listener_seen_with_spec(const void *p)
{
	const struct pb_diag *d = p;

	return listener_seen(p) && strcmp(d->spec, busy_spec) == 0;
}

static int spec_refused(const void *p)
{
	const struct pb_diag *d = p;

	return d->invalid == PB_INVALID_SPEC && d->err == EINVAL &&
	       strcmp(d->spec, "127.0.0.1:99999") == 0;
}

static int flags_refused(const void *p)
{
	const struct pb_diag *d = p;

	return d->invalid == PB_INVALID_FLAGS && d->err == EINVAL &&
	       d->peer.ss_family == AF_INET;
}

static int refused(const void *p)
{
	const struct pb_diag *d = p;

	return d->cause == PB_CAUSE_OTHER && d->err == ECONNREFUSED &&
	       d->peer.ss_family == AF_INET;
}

static int audit_entry_sane(const void *p)
{
	const struct pb_audit_entry *e = p;
	struct stat st;

	return fstat(busy_fd, &st) == 0 &&
	       e->inode == (unsigned long long)st.st_ino &&
	       e->protocol == IPPROTO_TCP && e->pid == getpid() &&
	       e->fd == busy_fd && e->verdict == PB_RESTART_OK &&
	       e->local.ss_family == AF_INET;
}

static int budget_sane(const void *p)
{
	const struct pb_budget *b = p;

	return b->port_hi >= b->port_lo && b->port_hi > 0 &&
	       b->n_listeners <= 65536 && b->usable <= 65536 && !b->unused0;
}

static int sysctls_sane(const void *p)
{
	const struct pb_sysctls *s = p;

	return s->port_hi >= s->port_lo && s->port_hi > 0 &&
	       s->tcp_tw_reuse >= 0 && !s->unused0;
}

#define DIAG(n, f, ok, sane) \
	{ n, PB__DIAG_SIZE_0_1, sizeof(struct pb_diag), f, ok, sane }
static const struct entry entries[] = {
	DIAG("pb_diagnose", diagnose, PB_CAUSE_LISTENER, listener_seen_no_spec),
	DIAG("pb_diagnose_spec", diagnose_spec, PB_CAUSE_LISTENER,
	     listener_seen_with_spec),
	DIAG("pb_listen", listen_busy, -1, listener_seen_with_spec),
	DIAG("pb_listen_wait", listen_wait_busy, -1, listener_seen_with_spec),
	DIAG("pb_bind_udp (bad spec)", udp_bad_spec, -1, spec_refused),
	DIAG("pb_connect_from (bad flags)", connect_bad_flags, -1, flags_refused),
	DIAG("pb_connect_from (refused)", connect_refused, -1, refused),
	{ "pb_port_budget", PB__BUDGET_SIZE_0_1, sizeof(struct pb_budget),
	  budget, 0, budget_sane },
	{ "pb_read_sysctls", PB__SYSCTLS_SIZE_0_1, sizeof(struct pb_sysctls),
	  sysctls, 0, sysctls_sane },
	{ "pb_fdset_close", PB__FDSET_SIZE_0_1, sizeof(struct pb_fdset),
	  fdset_close, 0, fdset_empty },
	{ "pb_audit_get", PB__AUDIT_ENTRY_SIZE_0_1,
	  sizeof(struct pb_audit_entry), audit_get, 0, audit_entry_sane },
};

/* A caller's struct of size bytes as its *_INIT makes it (zero, size
   set), in a block with room for GUARD more; newer: how many of its last
   bytes are members of a newer header, set to NEWER_BYTE. */
static unsigned char *caller_struct(size_t size, size_t newer)
{
	unsigned char *p = malloc(size + GUARD);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, size);
	memset(p + size - newer, NEWER_BYTE, newer);
	memset(p + size, GUARD_BYTE, GUARD);
	memcpy(p, &size, sizeof(size));
	return p;
}

static void assert_bytes(const struct entry *e, const unsigned char *p,
			 size_t from, size_t to, unsigned char want,
			 const char *what)
{
	size_t i;

	for (i = from; i < to; i++)
		ck_assert_msg(p[i] == want, "%s: %s byte %zu written (0x%02x)",
			      e->name, what, i, p[i]);
}

static size_t size_of(const unsigned char *p)
{
	size_t size;

	memcpy(&size, p, sizeof(size));
	return size;
}

/* A caller built against 0.1.0: accepted, filled, not a byte more. */
START_TEST(oldest_size_accepted)
{
	const struct entry *e = &entries[_i];
	unsigned char *p;
	int r;

	busy_setup();
	ck_assert_uint_le(e->oldest, e->full);
	p = caller_struct(e->oldest, 0);
	errno = 0;
	r = e->call(p);
	ck_assert_msg(r == e->ok, "%s: %d, errno %d", e->name, r, errno);
	ck_assert_uint_eq(size_of(p), e->oldest);
	ck_assert_msg(e->sane(p), "%s: not filled", e->name);
	assert_bytes(e, p, e->oldest, e->oldest + GUARD, GUARD_BYTE, "guard");
	free(p);
	close(busy_fd);
}
END_TEST

/* One byte short of the 0.1.0 layout: EINVAL, and nothing written. */
START_TEST(smaller_size_refused)
{
	const struct entry *e = &entries[_i];
	size_t size = e->oldest - 1;
	unsigned char *p;

	busy_setup();
	p = caller_struct(size, 0);
	errno = 0;
	ck_assert_msg(e->call(p) == -1 && errno == EINVAL, "%s: errno %d",
		      e->name, errno);
	ck_assert_uint_eq(size_of(p), size);
	assert_bytes(e, p, sizeof(size_t), size, 0, "struct");
	assert_bytes(e, p, size, size + GUARD, GUARD_BYTE, "guard");
	free(p);
	close(busy_fd);
}
END_TEST

/* A caller built against a newer header, whose struct has 64 more bytes
   of members this library does not know: accepted, and those are left
   as the caller set them. */
START_TEST(newer_size_accepted)
{
	const struct entry *e = &entries[_i];
	size_t size = e->full + 64;
	unsigned char *p;
	int r;

	busy_setup();
	p = caller_struct(size, 64);
	errno = 0;
	r = e->call(p);
	ck_assert_msg(r == e->ok, "%s: %d, errno %d", e->name, r, errno);
	ck_assert_uint_eq(size_of(p), size);
	ck_assert_msg(e->sane(p), "%s: not filled", e->name);
	assert_bytes(e, p, e->full, size, NEWER_BYTE, "newer member");
	assert_bytes(e, p, size, size + GUARD, GUARD_BYTE, "guard");
	free(p);
	close(busy_fd);
}
END_TEST

/* The oldest sizes are the 0.1.0 layout's: the arrays last, nothing of
   0.1.0 outside them.  On x86_64 and i386 the numbers themselves are
   pinned, so that a member inserted before the arrays fails here too. */
START_TEST(oldest_sizes_are_0_1)
{
	ck_assert_uint_eq(PB__DIAG_SIZE_0_1,
			  offsetof(struct pb_diag, holders) +
			  PB_DIAG_HOLDERS * sizeof(struct pb_holder));
	ck_assert_uint_eq(PB__BUDGET_SIZE_0_1,
			  offsetof(struct pb_budget, listener_ports) +
			  PB_BUDGET_LISTENERS * sizeof(unsigned int));
	ck_assert_uint_ge(offsetof(struct pb_diag, holders),
			  offsetof(struct pb_diag, n_stored) + sizeof(unsigned int));
	ck_assert_uint_gt(offsetof(struct pb_diag, n_stored),
			  offsetof(struct pb_diag, spec));
	ck_assert_uint_gt(offsetof(struct pb_budget, n_listeners),
			  offsetof(struct pb_budget, time_wait_reusable));
	/* No tail padding (issue 13, review): before, pb_budget was 112
	   bytes with its last member ending at 108 (pb_sysctls 48 and 44
	   on LP64), so a member appended later would have landed in a
	   0.1.0 caller's padding. */
	ck_assert_uint_eq(PB__DIAG_SIZE_0_1, sizeof(struct pb_diag));
	ck_assert_uint_eq(PB__BUDGET_SIZE_0_1, sizeof(struct pb_budget));
	ck_assert_uint_eq(PB__SYSCTLS_SIZE_0_1, sizeof(struct pb_sysctls));
	ck_assert_uint_eq(PB__FDSET_SIZE_0_1, sizeof(struct pb_fdset));
	ck_assert_uint_eq(PB__AUDIT_ENTRY_SIZE_0_1, sizeof(struct pb_audit_entry));
	ck_assert_uint_eq(PB__AUDIT_ENTRY_SIZE_0_1,
			  offsetof(struct pb_audit_entry, shared_pid) + sizeof(int));
#if defined(__x86_64__) && defined(__LP64__)
	ck_assert_uint_eq(PB__AUDIT_ENTRY_SIZE_0_1, 240);
	ck_assert_uint_eq(PB__DIAG_SIZE_0_1, 2856);
	ck_assert_uint_eq(PB__BUDGET_SIZE_0_1, 112);
	ck_assert_uint_eq(PB__SYSCTLS_SIZE_0_1, 48);
	ck_assert_uint_eq(PB__FDSET_SIZE_0_1, 16656);
#elif defined(__i386__)
	ck_assert_uint_eq(PB__DIAG_SIZE_0_1, 2844);
	ck_assert_uint_eq(PB__BUDGET_SIZE_0_1, 104);
	ck_assert_uint_eq(PB__SYSCTLS_SIZE_0_1, 44);
	ck_assert_uint_eq(PB__FDSET_SIZE_0_1, 16652);
	ck_assert_uint_eq(PB__AUDIT_ENTRY_SIZE_0_1, 236);
#endif
}
END_TEST

/* pb_diag_format and pb_diag_json read a 0.1.0 caller's struct in a
   block of exactly its size: AddressSanitizer reports any read past
   it. */
START_TEST(format_reads_within_oldest)
{
	struct pb_diag *d = malloc(PB__DIAG_SIZE_0_1);
	char t[2048], j[4096];

	busy_setup();
	ck_assert_ptr_nonnull(d);
	memset(d, 0, PB__DIAG_SIZE_0_1);
	d->size = PB__DIAG_SIZE_0_1;
	d->flags = PB_DIAG_OPERATOR;
	ck_assert_int_eq(diagnose_spec(d), PB_CAUSE_LISTENER);
	ck_assert_int_gt(pb_diag_format(d, t, sizeof(t)), 0);
	ck_assert_msg(strstr(t, "held by 1 listening socket"), "%s", t);
	ck_assert_int_gt(pb_diag_json(d, j, sizeof(j)), 0);
	ck_assert_int_gt(pb__diag_format_for(d, PB__READER_SHIM, t, sizeof(t)), 0);
	ck_assert_int_eq(listen_busy(d), -1);
	ck_assert_int_gt(pb_diag_format(d, t, sizeof(t)), 0);
	ck_assert_int_eq(udp_bad_spec(d), -1);
	ck_assert_int_gt(pb_diag_json(d, j, sizeof(j)), 0);
	free(d);
	close(busy_fd);
}
END_TEST

/* The one copy-out itself: min(sizes) bytes, the caller's size kept. */
START_TEST(copy_out)
{
	unsigned char full[64], out[80];
	size_t size;

	memset(full, 1, sizeof(full));
	size = 7777;
	memcpy(full, &size, sizeof(size));

	memset(out, 9, sizeof(out));
	size = 40;
	memcpy(out, &size, sizeof(size));
	pb__abi_copy_out(out, 40, full, sizeof(full));
	ck_assert_uint_eq(size_of(out), 40);
	ck_assert_int_eq(out[sizeof(size_t)], 1);
	ck_assert_int_eq(out[39], 1);
	ck_assert_int_eq(out[40], 9);

	memset(out, 9, sizeof(out));
	pb__abi_copy_out(out, sizeof(out), full, sizeof(full));
	ck_assert_uint_eq(size_of(out), sizeof(out));
	ck_assert_int_eq(out[63], 1);
	ck_assert_int_eq(out[64], 9);

	ck_assert_int_eq(pb__abi_check(10, 10), 0);
	ck_assert_int_eq(pb__abi_check(11, 10), 0);
	ck_assert_int_eq(pb__abi_check(9, 10), -EINVAL);
	ck_assert_int_eq(pb__abi_check(0, 1), -EINVAL);
	ck_assert_int_eq(pb__abi_check(SIZE_MAX, 10), 0);
}
END_TEST

/* Built in the caller's own struct (full == out): nothing moves but the
   size, which goes back to the caller's, whichever is larger. */
START_TEST(copy_out_in_place)
{
	unsigned char buf[64];
	size_t size, i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i + 1);
	size = 7777;
	memcpy(buf, &size, sizeof(size));
	pb__abi_copy_out(buf, 48, buf, sizeof(buf));
	ck_assert_uint_eq(size_of(buf), 48);
	for (i = sizeof(size_t); i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], (int)(i + 1));
	pb__abi_copy_out(buf, 100, buf, sizeof(buf));
	ck_assert_uint_eq(size_of(buf), 100);
	for (i = sizeof(size_t); i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], (int)(i + 1));
}
END_TEST

/* The caller's struct smaller than a size_t's worth past its size member
   still gets exactly what its size holds, no byte more. */
START_TEST(copy_out_exact_sizes)
{
	unsigned char full[32], out[48];
	size_t n;

	memset(full, 0x11, sizeof(full));
	for (n = sizeof(size_t); n <= sizeof(full) + 8; n++) {
		size_t i, lim = n < sizeof(full) ? n : sizeof(full);

		memset(out, 0xee, sizeof(out));
		pb__abi_copy_out(out, n, full, sizeof(full));
		ck_assert_uint_eq(size_of(out), n);
		for (i = sizeof(size_t); i < sizeof(out); i++)
			ck_assert_msg(out[i] == (i < lim ? 0x11 : 0xee),
				      "size %zu: byte %zu is %#x", n, i, out[i]);
	}
}
END_TEST

Suite *suite_abi(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("sizes");
	int n = (int)PB_ARRAY_SIZE(entries);

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_loop_test(tc, oldest_size_accepted, 0, n);
	tcase_add_loop_test(tc, smaller_size_refused, 0, n);
	tcase_add_loop_test(tc, newer_size_accepted, 0, n);
	tcase_add_test(tc, oldest_sizes_are_0_1);
	tcase_add_test(tc, format_reads_within_oldest);
	tcase_add_test(tc, copy_out);
	tcase_add_test(tc, copy_out_in_place);
	tcase_add_test(tc, copy_out_exact_sizes);
	suite_add_tcase(s, tc);
	return s;
}

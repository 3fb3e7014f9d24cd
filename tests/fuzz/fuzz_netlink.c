/* SPDX-License-Identifier: MIT */
/*
 * fuzz_netlink.c - libFuzzer target for the sock_diag reply parser
 * (sockdiag.c), fed raw bytes as one recv() chunk from the kernel.
 *
 * The chunk is copied into a buffer of exactly its size: malloc aligns it
 * for struct nlmsghdr as the library's own receive buffer is, and
 * AddressSanitizer catches any read past the end.  The sequence number is
 * fixed at 1, the first one the library sends; the seeds (real replies,
 * see capture_sockdiag.c) carry it, and the fuzzer learns other values
 * from the comparison.  Checked besides memory safety (abort(): a finding):
 *  - every row handed to the callback is a well-formed inet entry whose
 *    addresses pb_format_addr can write;
 *  - a callback's negative result stops the walk and is returned as is;
 *  - "done" (1) is not returned for a dump that failed: the kernel reports
 *    an error met during a dump as a negative int in NLMSG_DONE's payload
 *    (netlink_dump(), dump_done_errno), not as NLMSG_ERROR.
 */
#include <linux/netlink.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "portbind.h"
#include "sockdiag.h"

#define FUZZ_SEQ 1

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	int protocol;
	unsigned long rows;
	unsigned long stop_after;	/* 0: never stop */
	unsigned long long sum;		/* every field read ends up here */
};

static void touch_addr(const struct sockaddr_storage *ss, int family,
		       struct walk *w)
{
	char text[PB_ADDRSTRLEN];
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in)
					  : sizeof(struct sockaddr_in6);

	if (ss->ss_family != family)
		abort();
	if (pb_format_addr((const struct sockaddr *)ss, len, text,
			   sizeof(text)) != 0)
		abort();
	w->sum += strlen(text);
}

static int touch(const struct pb_sockent *e, void *arg)
{
	struct walk *w = arg;

	if (e->family != AF_INET && e->family != AF_INET6)
		abort();
	if (e->protocol != w->protocol)
		abort();
	if (e->v6only < -1 || e->v6only > 1)
		abort();
	/* Linux 6.7's bound-inactive state is reported as CLOSE. */
	if (e->state < 0 || e->state > 255 || e->state == PB__TCP_BOUND_INACTIVE)
		abort();
	/* Only TIME_WAIT rows carry a time left. */
	if (e->expires_ms != 0 && e->state != PB_TCP_TIME_WAIT)
		abort();
	touch_addr(&e->local, e->family, w);
	touch_addr(&e->remote, e->family, w);
	w->sum += (unsigned)e->state + e->uid + e->inode + e->expires_ms +
		  (unsigned)(e->v6only + 1);
	if (++w->rows == w->stop_after)
		return -ECANCELED;
	return 0;
}

/*
 * The payload of the NLMSG_DONE a walk that returned 1 stopped at: the
 * first message of our sequence number of that type, framed as the parser
 * frames them (it returns early, with an error, on any other message of
 * ours that is not a row).  0 when the message has no room for an int.
 */
static int done_errno(const char *p, size_t len)
{
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)p;
		size_t step;

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
			break;
		if (h->nlmsg_seq == FUZZ_SEQ && h->nlmsg_type == NLMSG_DONE) {
			int err;

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(err)))
				return 0;
			memcpy(&err, p + NLMSG_HDRLEN, sizeof(err));
			return err;
		}
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	abort();	/* 1 without a DONE of ours */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk all = { IPPROTO_TCP, 0, 0, 0 };
	struct walk first = { IPPROTO_UDP, 0, 1, 0 };
	void *chunk = malloc(size ? size : 1);
	int r, r1;

	if (!chunk)
		abort();
	memcpy(chunk, data, size);

	r = pb__sockdiag_parse_chunk(chunk, size, FUZZ_SEQ, IPPROTO_TCP,
				     touch, &all);
	/* 1: done, 0: read on, or -errno. */
	if (r > 1)
		abort();
	if (r == 1 && done_errno(chunk, size) < 0)
		abort();	/* a failed dump taken for a complete one */

	/* The same chunk again, stopped by the callback at the first row. */
	r1 = pb__sockdiag_parse_chunk(chunk, size, FUZZ_SEQ, IPPROTO_UDP,
				      touch, &first);
	if (all.rows > 0 ? (r1 != -ECANCELED || first.rows != 1)
			 : (r1 != r || first.rows != 0))
		abort();

	free(chunk);
	return 0;
}

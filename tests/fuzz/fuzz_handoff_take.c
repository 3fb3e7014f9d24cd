/* SPDX-License-Identifier: MIT */
/*
 * fuzz_handoff_take.c - libFuzzer target for what the hand-off taker reads
 * (handoff.c): the old server's message, and what recvmsg(2) said came
 * with it.
 *
 * Input layout:
 *	byte 0	bit 0: MSG_TRUNC, bit 1: MSG_CTRUNC, bits 2-3: ancillary
 *		messages other than SCM_RIGHTS (0..3), bit 4: the descriptor
 *		count is the header's (when the message has one), else byte 1;
 *		bit 5: every descriptor of an adoptable kind, else byte 2 says
 *		(bit i%8 set: descriptor i is of the wrong kind).
 *	byte 1	descriptors received (0..255), unless bit 4
 *	byte 2	kind pattern
 *	rest	the message bytes, copied into a buffer of exactly their size
 * The check pb_handoff_take runs, pb__handoff_check_msg, must not read
 * outside the message, and (abort(): a finding) must accept exactly the
 * well-formed messages, checked here again independently; an accepted
 * message's names must split into exactly its n entries of the caller's
 * struct pb_fdset, each as long as in the message; a count one off never
 * splits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rules, written again the plain way. */
static int well_formed(const unsigned char *msg, size_t len,
		       const struct pb__handoff_rx *rx)
{
	struct pb__handoff_hdr hdr;
	size_t i, start, names = 0;

	if (rx->msg_flags || rx->other_cmsgs || rx->nfds == 0 ||
	    rx->nfds > PB_HANDOFF_MAX)
		return 0;
	for (i = 0; i < rx->nfds; i++)
		if (rx->kinds[i] == PB__FD_WRONG)
			return 0;
	if (len < sizeof(hdr))
		return 0;
	memcpy(&hdr, msg, sizeof(hdr));
	if (memcmp(hdr.magic, "PBH1", 4) != 0 || hdr.n != rx->nfds ||
	    hdr.names_len != len - sizeof(hdr))
		return 0;
	start = sizeof(hdr);
	for (i = sizeof(hdr); i < len; i++) {
		if (msg[i] != '\0')
			continue;
		if (i - start > 255)
			return 0;
		names++;
		start = i + 1;
	}
	if (start != len || names != rx->nfds)
		return 0;	/* a last name without its NUL */
	for (i = sizeof(hdr); i < len; i++)
		if (msg[i] != '\0' && (msg[i] < 0x21 || msg[i] > 0x7e ||
				       msg[i] == ':'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char kinds[256];
	struct pb__handoff_rx rx;
	struct pb__handoff_hdr hdr;
	unsigned char *msg;
	char (*split)[PB_FDNAME_MAX];
	size_t len, i, names_len, off;
	int r;

	if (size < 3)
		return 0;
	len = size - 3;
	msg = malloc(len ? len : 1);
	if (!msg)
		abort();
	memcpy(msg, data + 3, len);

	rx.msg_flags = ((data[0] & 1) ? MSG_TRUNC : 0) |
		       ((data[0] & 2) ? MSG_CTRUNC : 0);
	rx.other_cmsgs = (data[0] >> 2) & 3;
	rx.nfds = data[1];
	if ((data[0] & 0x10) && len >= sizeof(hdr)) {
		memcpy(&hdr, msg, sizeof(hdr));
		rx.nfds = hdr.n < sizeof(kinds) ? hdr.n : sizeof(kinds) - 1;
	}
	for (i = 0; i < rx.nfds; i++)
		kinds[i] = (data[0] & 0x20) || !((data[2] >> (i % 8)) & 1)
			   ? (unsigned char)(i % 2 ? PB__FD_DATAGRAM : PB__FD_LISTENER)
			   : PB__FD_WRONG;
	rx.kinds = kinds;

	r = pb__handoff_check_msg(msg, len, &rx);
	if (r != -EPROTO && (r < 1 || r > PB_HANDOFF_MAX || (size_t)r != rx.nfds))
		abort();
	if ((r > 0) != well_formed(msg, len, &rx))
		abort();

	if (r > 0) {
		const char *names = (const char *)msg + sizeof(hdr);

		names_len = len - sizeof(hdr);
		split = malloc(sizeof(*split) * PB_HANDOFF_MAX);
		if (!split)
			abort();
		if (pb__handoff_split_names(names, names_len, (unsigned)r,
					    split) != 0)
			abort();
		for (i = 0, off = 0; i < (size_t)r; i++) {
			if (strcmp(split[i], names + off) != 0)
				abort();
			off += strlen(split[i]) + 1;
		}
		if (off != names_len)
			abort();
		/* One name too few, or too many, never splits. */
		if (pb__handoff_split_names(names, names_len, (unsigned)r - 1,
					    split) != -EPROTO)
			abort();
		if (r < PB_HANDOFF_MAX &&
		    pb__handoff_split_names(names, names_len, (unsigned)r + 1,
					    split) != -EPROTO)
			abort();
		free(split);
	}
	free(msg);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * fuzz_handoff_give.c - libFuzzer target for what the hand-off giver reads
 * (handoff.c): the hello of each connection and the successor's ack; and
 * the message the giver builds from names, which the taker's check must
 * accept exactly when every name is one the giver may send.
 *
 * Input layout:
 *	byte 0	bit 0: MSG_TRUNC, bit 1: MSG_CTRUNC (as recvmsg(2) reports)
 *	rest	for the hello and the ack: the bytes read, copied into a
 *		buffer of exactly their size; for the builder: names split at
 *		'\n' (at most PB_HANDOFF_MAX + 1 of them)
 * abort() is a finding: a hello or ack other than the one expected taken,
 * the expected one refused, or a built message the taker refuses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build_and_check(const char *text, size_t len)
{
	const char *names[PB_HANDOFF_MAX + 1];
	unsigned char kinds[PB_HANDOFF_MAX + 1];
	struct pb__handoff_rx rx;
	char *copy, *p, *buf;
	int n = 0, valid = 1, r, i;

	copy = malloc(len + 1);
	buf = malloc(PB_HANDOFF_BUF);
	if (!copy || !buf)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (p = copy; n <= PB_HANDOFF_MAX; n++) {
		char *nl = strchr(p, '\n');

		names[n] = p;
		if (!nl) {
			n++;
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *s = (const unsigned char *)names[i];
		size_t k;

		for (k = 0; s[k]; k++)
			if (k >= PB_HANDOFF_NAME_MAX || s[k] < 0x21 ||
			    s[k] > 0x7e || s[k] == ':')
				valid = 0;
	}
	if (n > PB_HANDOFF_MAX)
		valid = 0;
	r = pb__handoff_build(buf, PB_HANDOFF_BUF, names, n);
	if (!valid) {
		if (r != -EINVAL)
			abort();
	} else {
		if (r < (int)sizeof(struct pb__handoff_hdr) ||
		    (size_t)r > PB_HANDOFF_BUF)
			abort();
		for (i = 0; i < n; i++)
			kinds[i] = PB__FD_LISTENER;
		rx.msg_flags = 0;
		rx.nfds = (size_t)n;
		rx.other_cmsgs = 0;
		rx.kinds = kinds;
		if (pb__handoff_check_msg(buf, (size_t)r, &rx) != n)
			abort();
		/* And every name alone passes the giver's own check. */
		for (i = 0; i < n; i++)
			if (pb__handoff_check_name(names[i]) != 0)
				abort();
		/* Too small a buffer is refused, never overrun. */
		if (r > (int)sizeof(struct pb__handoff_hdr) &&
		    pb__handoff_build(buf, (size_t)r - 1, names, n) != -ENOSPC)
			abort();
	}
	free(buf);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf;
	size_t len;
	int flags, hello, ack;

	if (size < 1)
		return 0;
	flags = ((data[0] & 1) ? MSG_TRUNC : 0) | ((data[0] & 2) ? MSG_CTRUNC : 0);
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, len);

	hello = pb__handoff_check_hello(buf, len, flags);
	if (hello != 0 && hello != -EPROTO)
		abort();
	if ((hello == 0) != (!flags && len == 4 && memcmp(buf, "PBH1", 4) == 0))
		abort();
	ack = pb__handoff_check_ack(buf, len, flags);
	if (ack != 0 && ack != -EPROTO)
		abort();
	if ((ack == 0) != (!flags && len == 1 && buf[0] == 'K'))
		abort();

	build_and_check((const char *)data + 1, len);
	free(buf);
	return 0;
}

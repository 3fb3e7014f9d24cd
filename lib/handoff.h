/* SPDX-License-Identifier: MIT */
/*
 * handoff.h - the hand-off wire format and the checks both sides make on
 * what they read, as pure functions of the bytes (and, for the taker, of
 * what came with them), so that the tests and the fuzzers run the very
 * code the library runs.  Never installed.
 */
#ifndef PB_HANDOFF_H
#define PB_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "portbind.h"

#define PB_HANDOFF_MAGIC "PBH1"		/* the successor's hello */
#define PB_HANDOFF_MAGIC_LEN 4
#define PB_HANDOFF_NAME_MAX (PB_FDNAME_MAX - 1) /* 255, as systemd's
						   FileDescriptorName= */
#define PB_HANDOFF_ACK 'K'

/* The message the old server sends: this header, then one NUL-terminated
   name per descriptor, names_len bytes in all; the descriptors travel as
   one SCM_RIGHTS ancillary message.  Both ends are on one host: native
   byte order. */
struct pb__handoff_hdr {
	char magic[PB_HANDOFF_MAGIC_LEN];
	uint32_t n;
	uint32_t names_len;
};

/* The largest well-formed message. */
#define PB_HANDOFF_BUF (sizeof(struct pb__handoff_hdr) + \
			(size_t)PB_HANDOFF_MAX * (PB_HANDOFF_NAME_MAX + 1))

/* What a received descriptor is.  Only the kinds a server can adopt
   (pb_fdset_adopt) are accepted: a listening TCP-like socket, or a
   bound datagram socket, of AF_INET or AF_INET6. */
#define PB__FD_WRONG 0
#define PB__FD_LISTENER 1
#define PB__FD_DATAGRAM 2

/* Everything recvmsg(2) told the taker besides the bytes. */
struct pb__handoff_rx {
	int msg_flags;			/* msghdr.msg_flags */
	size_t nfds;			/* descriptors received (SCM_RIGHTS) */
	size_t other_cmsgs;		/* ancillary messages of any other kind */
	const unsigned char *kinds;	/* nfds entries, PB__FD_* */
};

/*
 * The taker's check of the whole message, made before anything is kept:
 * the number of descriptors (1..PB_HANDOFF_MAX), or -EPROTO.  Nothing is
 * read outside msg[0..len).
 */
int pb__handoff_check_msg(const void *msg, size_t len,
			  const struct pb__handoff_rx *rx);

/* The n names of a checked message, one per entry of out, each
   NUL-terminated: 0, or -EPROTO when names[0..names_len) does not hold
   exactly n names that fit. */
int pb__handoff_split_names(const char *names, size_t names_len, unsigned n,
			    char (*out)[PB_FDNAME_MAX]);

/* The giver's checks of what it reads: 0 for the successor's hello (or
   its ack), -EPROTO for anything else (len 0 is an end of file). */
int pb__handoff_check_hello(const void *buf, size_t len, int msg_flags);
int pb__handoff_check_ack(const void *buf, size_t len, int msg_flags);

/* A name the giver may send: 0, or -EINVAL. */
int pb__handoff_check_name(const char *name);

/* The message for n names (NULL or entries NULL: no name) into buf:
   its length, or -EINVAL (a bad name), -ENOSPC (too small). */
int pb__handoff_build(char *buf, size_t size, const char *const *names, int n);

/* What fd is (PB__FD_*), or -errno when it cannot be examined. */
int pb__handoff_fd_kind(int fd);

#endif

/* SPDX-License-Identifier: MIT */
/* owner.h - owner.c: the processes behind sockets, by a walk of /proc
   (opt-in: it costs).  Never installed. */
#ifndef PB_OWNER_H
#define PB_OWNER_H

#include "portbind.h"

/* Fill pid and comm of the holders by inode: how many were found, or
   -errno when /proc cannot be read (-ENOMEM: no scratch memory). */
int pb__find_owners(struct pb_holder *h, unsigned n);

/* Fill the IPV6_V6ONLY the socket table did not show, of the holders with
   an owner this process may look into: how many were read, or -errno. */
int pb__owners_v6only(struct pb_holder *h, unsigned n);

#endif

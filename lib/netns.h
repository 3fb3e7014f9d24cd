/* SPDX-License-Identifier: MIT */
/* netns.h - netns.c: work inside another network namespace.  Never
   installed. */
#ifndef PB_NETNS_H
#define PB_NETNS_H

/* fn(arg) in a thread of its own that entered the network namespace
   netns_fd (the caller's threads stay where they are), or in the caller
   when netns_fd < 0: fn's result, or -errno when the namespace could not
   be entered (-EPERM without CAP_SYS_ADMIN over it, -EINVAL when it is
   not a network namespace) or the thread not made. */
int pb__in_netns(int netns_fd, int (*fn)(void *), void *arg);
/* 0 when fd is a network namespace, else -errno. */
int pb__netns_check(int fd);
/* pb_netns_open: the descriptor, or -errno. */
int pb__netns_open(const char *ns);

#endif

/* SPDX-License-Identifier: MIT */
/* activate.h - activate.c: sockets passed in by systemd or a hand-off.
   Never installed. */
#ifndef PB_ACTIVATE_H
#define PB_ACTIVATE_H

struct pb_spec;

/* The passed socket for spec (and name, when not NULL) as the caller's
   descriptor, or -errno; pb_adopt, and pb_listen's PB_ADOPT. */
int pb__adopt(int type, const struct pb_spec *spec, const char *name);

/* A socket a server can use as it is (listening, or a bound datagram
   socket, of AF_INET or AF_INET6): 1, 0 for anything else, or -errno. */
int pb__server_socket(int fd);

#endif

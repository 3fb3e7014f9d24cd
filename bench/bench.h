/* SPDX-License-Identifier: MIT */
/*
 * bench.h - helpers shared by the benchmark programs (never installed).
 *
 * Every figure a benchmark prints is a ratio against a baseline measured in
 * the same run (the machines are noisy); an absolute time is shown only
 * beside its baseline.  Every loop is bounded, every child is reaped, and
 * every child dies with its parent (PR_SET_PDEATHSIG).
 */
#ifndef PB_BENCH_H
#define PB_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Monotonic clock. */
uint64_t now_ns(void);
double now_ms(void);
void sleep_ms(double ms);
void sleep_until_ms(double deadline_ms);

/* Median of n values (sorts v in place); 0 when n is 0. */
double median(double *v, size_t n);

/* Enter a private network namespace with lo up.  0, or -1 and errno. */
int netns_private(void);

/* What a careful hand-written server does: socket, SO_REUSEADDR,
   IPV6_V6ONLY for IPv6, bind ip port 0, listen.  The fd, or -1 with
   nothing left open. */
int raw_listen(int family, const char *ip, int v6only);
/* Write a /proc/sys value (per network namespace under /proc/sys/net). */
int sysctl_write(const char *path, const char *value);

/* fork() whose child dies with the parent and has a watchdog of secs
   (SIGKILL by alarm).  Returns as fork(). */
pid_t fork_child(unsigned secs);
/* waitpid with a bound: wait at most ms, then SIGKILL and reap.  The
   status, or -1 when the child had to be killed. */
int reap(pid_t pid, double ms);

/* Shared memory for results passed back by forked children. */
void *shared_alloc(size_t size);

/*
 * Run argv (PATH searched) as a process: posix_spawn, stdout into a pipe
 * whose lines are counted (stderr to /dev/null), wait4.  Bounded by
 * timeout_ms (then SIGKILL).  Returns the number of lines read, or -1 when
 * it could not be started or was killed; *ru gets the child's usage when
 * not NULL; *status its wait status.
 */
long spawn_count_lines(const char *const argv[], double timeout_ms,
		       struct rusage *ru, int *status);
/* The same, keeping the first outsize - 1 bytes of stdout in out (NUL
   terminated) when out is not NULL. */
long spawn_capture(const char *const argv[], double timeout_ms, char *out,
		   size_t outsize, struct rusage *ru, int *status);

/*
 * Run argv (PATH searched) with stdout and stderr to /dev/null, as a timed
 * command would be: posix_spawn, then wait4 bounded by timeout_ms (a
 * pidfd polled, so the wait adds no latency; SIGKILL at the bound).  The
 * wait status, or -1 when it could not be started or was killed; *ru gets
 * the child's usage when not NULL.
 */
int spawn_null(const char *const argv[], double timeout_ms, struct rusage *ru);

/* Program on PATH?  1 or 0. */
int have_program(const char *name);

/*
 * The table at the end: one line per target, appended to the file named
 * by $PB_BENCH_TARGETS (tab-separated: figure, target, measured, verdict,
 * note).  verdict: "PASS", "MISS" or "n/a".
 */
void target_line(const char *figure, const char *target, const char *measured,
		 const char *verdict, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* TIME_WAIT sockets alive in the whole kernel (all namespaces): the
   active objects of the tw_sock_TCP and tw_sock_TCPv6 slabs; -1 when
   /proc/slabinfo cannot be read.  A namespace's TIME_WAIT sockets stay in
   the shared hash table (and cost every walk) until its clean-up has
   purged them, some time after its last process exited. */
long tw_alive(void);
/* Wait (at most ms) until tw_alive() <= limit. */
void wait_tw_below(long limit, double ms);

/* Peak and current resident size of this process, KiB (VmHWM, VmRSS). */
long vm_kib(const char *field);

/* Local socket helpers (blocking, loopback).  -1 and errno on failure. */
int tcp_listener(const char *ip, unsigned port, int reuseaddr, int backlog);
int tcp_connect(const char *ip, unsigned port);
/* Close with SO_LINGER 0: a reset, no TIME_WAIT left behind. */
void close_rst(int fd);

#endif

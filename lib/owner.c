/* SPDX-License-Identifier: MIT */
/*
 * owner.c - socket inode -> owning process, by walking /proc/PID/fd.
 *
 * Opt-in (PB_DIAG_OWNERS): it reads a link for every descriptor of every
 * process it may look at, so it costs far more than the table lookup.  It
 * stops as soon as every holder asked about has an owner.  A process that
 * shares a socket with its children (a forked server) is reported once:
 * the first one found.  TIME_WAIT sockets have no inode and so no owner.
 * Without privileges only the caller's own processes can be seen.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "table.h"

static void read_comm(int pid, char *comm, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, size - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	if (comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

/* Matches "socket:[12345]". */
static unsigned long long link_inode(const char *link)
{
	char *end;
	unsigned long long ino;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	ino = strtoull(link + 8, &end, 10);
	return *end == ']' ? ino : 0;
}

/* Give every unowned holder with this inode the process; count them. */
static unsigned claim(struct pb_holder *h, unsigned n, unsigned long long ino,
		      int pid)
{
	unsigned i, got = 0;

	for (i = 0; i < n; i++) {
		if (h[i].inode == ino && h[i].pid == 0) {
			h[i].pid = pid;
			read_comm(pid, h[i].comm, sizeof(h[i].comm));
			got++;
		}
	}
	return got;
}

static unsigned scan_pid(int pid, struct pb_holder *h, unsigned n)
{
	char path[64], link[64];
	struct dirent *e;
	unsigned got = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;	/* gone, or not ours to read */
	while ((e = readdir(d)) != NULL) {
		unsigned long long ino;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		ino = link_inode(link);
		if (ino)
			got += claim(h, n, ino, pid);
	}
	closedir(d);
	return got;
}

int pb__find_owners(struct pb_holder *h, unsigned n)
{
	unsigned i, want = 0, found = 0;
	struct dirent *e;
	DIR *proc;
	int saved = errno;

	for (i = 0; i < n; i++)
		if (h[i].inode != 0 && h[i].pid == 0)
			want++;
	if (want == 0)
		return 0;
	proc = opendir("/proc");
	if (!proc) {
		int err = errno;

		errno = saved;
		return -err;
	}
	while (found < want && (e = readdir(proc)) != NULL) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid > 0x7fffffffL)
			continue;
		found += scan_pid((int)pid, h, n);
	}
	closedir(proc);
	errno = saved;
	return (int)found;
}

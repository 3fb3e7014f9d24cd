/* SPDX-License-Identifier: MIT */
/* check_sysctl.c - pb_read_sysctls reads what /proc/sys says, and never
   writes it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>

#include "testutil.h"
#include "sysctl.h"

static int read_int(const char *path)
{
	char full[256];
	FILE *f;
	int v = -1;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	f = fopen(full, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

START_TEST(matches_proc)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	unsigned lo = 0, hi = 0;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u %u", &lo, &hi), 2);
	fclose(f);
	ck_assert_int_eq(pb_read_sysctls(&s), 0);
	ck_assert_uint_eq(s.size, sizeof(s));
	ck_assert_uint_eq(s.port_lo, lo);
	ck_assert_uint_eq(s.port_hi, hi);
	ck_assert_int_eq(s.tcp_tw_reuse, read_int("net/ipv4/tcp_tw_reuse"));
	ck_assert_int_eq(s.unprivileged_port_start,
			 read_int("net/ipv4/ip_unprivileged_port_start"));
	ck_assert_int_eq(s.tcp_max_tw_buckets, read_int("net/ipv4/tcp_max_tw_buckets"));
	ck_assert_int_eq(s.autobind_reuse, read_int("net/ipv4/ip_autobind_reuse"));
	ck_assert_int_eq(s.bindv6only, read_int("net/ipv6/bindv6only"));
	/* Absent on older kernels: -1, not 0. */
	ck_assert_int_eq(s.tcp_tw_reuse_delay_ms, read_int("net/ipv4/tcp_tw_reuse_delay"));
}
END_TEST

START_TEST(bad_arguments)
{
	struct pb_sysctls s;

	memset(&s, 0, sizeof(s));
	errno = 0;
	ck_assert_int_eq(pb_read_sysctls(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pb_read_sysctls(&s), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/*
 * "Read, never written", made able to fail: a seccomp filter traps any
 * open for writing (open or openat with O_WRONLY or O_RDWR, and openat2,
 * whose flags it cannot see), and a SIGSYS handler counts the attempts.
 * A sysctl cannot be written without such an open, so rewriting a value
 * with itself is caught as surely as changing it.
 */
static volatile sig_atomic_t write_attempts;

/* A child's status for "no seccomp here" (77 is the netns helper's). */
#define NO_SECCOMP 78

#if defined(__x86_64__)
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si;
	write_attempts++;
	/* The trapped call returns what rax holds: make it fail. */
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = -EPERM;
}
#endif

static int trap_writes(void)
{
#if defined(__x86_64__)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* openat2's flags are in memory: trapped whatever they are. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 8, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* openat's flags are args[2], open's args[1]. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_WRONLY | O_RDWR, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return 0;
#else
	return -1;
#endif
}

static int set_and_read(void *arg)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;

	(void)arg;
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "40000 40009") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports",
				     "1000,40001,40003-40005,40009-40100") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "1") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start", "3000") == 0);
	if (trap_writes() < 0)
		return NO_SECCOMP;
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 40000 && s.port_hi == 40009);
	/* 40001, 40003-40005, 40009: five of the range; 1000 is outside. */
	PBT_REQUIRE(s.reserved == 5);
	PBT_REQUIRE(s.tcp_tw_reuse == 1);
	PBT_REQUIRE(s.unprivileged_port_start == 3000);
	/* Read, never written: not one open for writing, not one write. */
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 5);
	PBT_REQUIRE(write_attempts == 0);
	/* The trap works: a write of the same value is seen. */
	PBT_REQUIRE(syscall(SYS_open, "/proc/sys/net/ipv4/tcp_tw_reuse",
			    O_WRONLY | O_CLOEXEC) < 0);
	PBT_REQUIRE(write_attempts == 1);
	PBT_REQUIRE(openat(AT_FDCWD, "/proc/sys/net/ipv4/tcp_tw_reuse",
			   O_RDWR | O_CLOEXEC) < 0);
	PBT_REQUIRE(write_attempts == 2);
	/* Opening for reading, as the library does, is not. */
	{
		int fd = open("/proc/sys/net/ipv4/tcp_tw_reuse", O_RDONLY | O_CLOEXEC);

		PBT_REQUIRE(fd >= 0);
		close(fd);
	}
	PBT_REQUIRE(write_attempts == 2);
	return 0;
}

START_TEST(values_in_a_namespace)
{
	const char *why;
	int st = pbt_run_in_netns(set_and_read, NULL, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/*
 * The kernel's own limits, written in a private namespace, read back
 * exactly: the widest and narrowest port ranges, every tcp_tw_reuse
 * mode, bindv6only, ip_unprivileged_port_start from 0 up to the range's
 * start; a value the kernel refuses leaves the old one.
 */
static int limits_child(void *arg)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	static const char *const reuse[] = { "0", "1", "2" };
	int i;

	(void)arg;
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start", "0") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "1 65535") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "0-65535") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_max_tw_buckets", "2147483647") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 1 && s.port_hi == 65535);
	PBT_REQUIRE(s.reserved == 65535);
	PBT_REQUIRE(s.unprivileged_port_start == 0);
	PBT_REQUIRE(s.tcp_max_tw_buckets == 2147483647);
	PBT_REQUIRE(s.unused0 == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "65535") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 1);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "1,65534") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 2);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "\n") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_max_tw_buckets", "0") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.tcp_max_tw_buckets == 0);

	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "65535 65535") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 65535 && s.port_hi == 65535);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start", "65535") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.unprivileged_port_start == 65535);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_unprivileged_port_start", "1024") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.unprivileged_port_start == 1024);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "1024 1024") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 1024 && s.port_hi == 1024);

	for (i = 0; i < 3; i++) {
		PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", reuse[i]) == 0);
		PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.tcp_tw_reuse == i);
	}
	/* Refused by the kernel: the value stays. */
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "3") < 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/tcp_tw_reuse", "-1") < 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "10 9") < 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "0 10") < 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "1 65536") < 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.tcp_tw_reuse == 2);
	PBT_REQUIRE(s.port_lo == 1024 && s.port_hi == 1024);
	for (i = 0; i < 2; i++) {
		PBT_REQUIRE(pbt_write_sysctl("net/ipv6/bindv6only", i ? "1" : "0") == 0);
		PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.bindv6only == i);
	}
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_autobind_reuse", "1") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.autobind_reuse == 1);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_autobind_reuse", "0") == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.autobind_reuse == 0);
	return 0;
}

START_TEST(kernel_limits_in_a_namespace)
{
	PBT_IN_NETNS(limits_child, NULL);
}
END_TEST

/* ---- values the kernel would never write, on a /proc/sys made by hand */


/* In a forked child: a private mount namespace with a tmpfs on
   /proc/sys, its net/ipv4 and net/ipv6 made, then fn(arg). */
static int in_fake_sys(int (*fn)(void *), void *arg, const char **why)
{
	static const char *const dirs[] = {
		"/proc/sys/net",
		"/proc/sys/net/ipv4",
		"/proc/sys/net/ipv6",
		NULL
	};

	return pbt_run_on_tmpfs("/proc/sys", dirs, fn, arg, why);
}

#define PBT_IN_FAKE_SYS(fn, arg) do { \
	const char *why_; \
	int st_ = in_fake_sys((fn), (arg), &why_); \
	if (st_ < 0) \
		PBT_SKIP("%s", why_); \
	ck_assert_int_eq(st_, 0); \
} while (0)

/* /proc/sys/<path> holds exactly text (n bytes). */
static void put_n(const char *path, const char *text, size_t n)
{
	char full[256];
	int fd;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	PBT_REQUIRE(fd >= 0);
	PBT_REQUIRE(write(fd, text, n) == (ssize_t)n);
	close(fd);
}

static void put(const char *path, const char *text)
{
	put_n(path, text, strlen(text));
}

static int int_of(const char *text, int *v)
{
	put("net/ipv4/pbt_int", text);
	*v = 12345;
	return pb__sysctl_int("net.ipv4.pbt_int", v);
}

/* An int: the whole int range and no more, a sign, blanks before. */
static int ints_child(void *arg)
{
	static const struct {
		const char *text;
		int r, v;
	} c[] = {
		{ "0\n", 0, 0 }, { "1", 0, 1 }, { "-1\n", 0, -1 },
		{ "2147483647\n", 0, 2147483647 },
		{ "-2147483648\n", 0, -2147483647 - 1 },
		{ "2147483648\n", -EINVAL, 12345 },
		{ "-2147483649\n", -EINVAL, 12345 },
		{ "99999999999999999999\n", -EINVAL, 12345 },
		{ " \t 42\n", 0, 42 }, { "42 7\n", 0, 42 }, { "42\t7", 0, 42 },
		{ "007", 0, 7 }, { "\n", -EINVAL, 12345 }, { "", -EINVAL, 12345 },
		{ "-", -EINVAL, 12345 }, { "--1", -EINVAL, 12345 },
		{ "+1", -EINVAL, 12345 }, { "x1", -EINVAL, 12345 },
		{ "0x10", 0, 0 }, { "- 1", -EINVAL, 12345 },
	};
	size_t i;
	int v, r;

	(void)arg;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		r = int_of(c[i].text, &v);
		if (r != c[i].r || v != c[i].v) {
			fprintf(stderr, "\"%s\": %d, %d; not %d, %d\n", c[i].text, r,
				v, c[i].r, c[i].v);
			return 1;
		}
	}
	PBT_REQUIRE(pb__sysctl_int("net.ipv4.pbt_none", &v) == -ENOENT);
	return 0;
}

START_TEST(fake_int_values)
{
	PBT_IN_FAKE_SYS(ints_child, NULL);
}
END_TEST

/* A range: two numbers from 0 to 65535 with blanks between. */
static int ranges_child(void *arg)
{
	static const struct {
		const char *text;
		int r;
		unsigned lo, hi;
	} c[] = {
		{ "32768\t60999\n", 0, 32768, 60999 },
		{ "0 65535", 0, 0, 65535 },
		{ "65535 0", 0, 65535, 0 },
		{ "  1 \t 2  \n", 0, 1, 2 },
		{ "65536 1", -EINVAL, 7, 7 },
		{ "1 65536", -EINVAL, 7, 7 },
		{ "5", -EINVAL, 7, 7 },
		{ "5 ", -EINVAL, 7, 7 },
		{ "", -EINVAL, 7, 7 },
		{ "-1 5", -EINVAL, 7, 7 },
		{ "1 -5", -EINVAL, 7, 7 },
		{ "a b", -EINVAL, 7, 7 },
	};
	unsigned lo, hi;
	size_t i;
	int r;

	(void)arg;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		put("net/ipv4/pbt_range", c[i].text);
		lo = hi = 7;
		r = pb__sysctl_range("net.ipv4.pbt_range", &lo, &hi);
		if (r != c[i].r || lo != c[i].lo || hi != c[i].hi) {
			fprintf(stderr, "\"%s\": %d %u %u\n", c[i].text, r, lo, hi);
			return 1;
		}
	}
	lo = hi = 7;
	PBT_REQUIRE(pb__sysctl_range("net.ipv4.pbt_none", &lo, &hi) == -ENOENT);
	PBT_REQUIRE(lo == 7 && hi == 7);
	return 0;
}

START_TEST(fake_range_values)
{
	PBT_IN_FAKE_SYS(ranges_child, NULL);
}
END_TEST

/* The raw read: trailing newlines and blanks go, the text is cut to the
   buffer, names too long for the path and empty buffers are refused,
   errors come back as -errno, errno is kept. */
static int read_child(void *arg)
{
	char buf[16], name[160];
	size_t n;

	(void)arg;
	put("net/ipv4/pbt_text", "a b \n \n");
	errno = 555;
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, sizeof(buf)) == 3);
	PBT_REQUIRE(strcmp(buf, "a b") == 0);
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, 3) == 1);
	PBT_REQUIRE(strcmp(buf, "a") == 0);
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, 2) == 1);
	PBT_REQUIRE(strcmp(buf, "a") == 0);
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, 1) == 0);
	PBT_REQUIRE(buf[0] == '\0');
	memset(buf, 'z', sizeof(buf));
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, 0) == -EINVAL);
	PBT_REQUIRE(buf[0] == 'z');
	put("net/ipv4/pbt_text", " \n");
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, sizeof(buf)) == 0);
	PBT_REQUIRE(buf[0] == '\0');
	put("net/ipv4/pbt_text", "");
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, sizeof(buf)) == 0);
	/* An empty value read while errno is EINTR from some earlier call:
	   read once, no retry on a read that did not fail. */
	errno = EINTR;
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_text", buf, sizeof(buf)) == 0);
	PBT_REQUIRE(errno == EINTR);
	errno = 555;
	PBT_REQUIRE(pb__sysctl_read("net.ipv4.pbt_none", buf, sizeof(buf)) == -ENOENT);
	/* A directory: opened, the read fails. */
	PBT_REQUIRE(pb__sysctl_read("net.ipv4", buf, sizeof(buf)) == -EISDIR);
	PBT_REQUIRE(errno == 555);
	/* "/proc/sys/" and the name fill the 128-byte path but its NUL:
	   taken; one byte longer: refused before any system call. */
	n = 128 - 1 - strlen("/proc/sys/");
	memset(name, 'q', sizeof(name));
	memcpy(name, "net.ipv4.", 9);
	name[n] = '\0';
	{
		char path[200];

		snprintf(path, sizeof(path), "net/ipv4/%s", name + 9);
		put(path, "9");
	}
	PBT_REQUIRE(pb__sysctl_read(name, buf, sizeof(buf)) == 1);
	PBT_REQUIRE(strcmp(buf, "9") == 0);
	name[n] = 'q';
	name[n + 1] = '\0';
	PBT_REQUIRE(pb__sysctl_read(name, buf, sizeof(buf)) == -EINVAL);
	PBT_REQUIRE(errno == 555);
	return 0;
}

START_TEST(fake_raw_reads)
{
	PBT_IN_FAKE_SYS(read_child, NULL);
}
END_TEST

/* ip_local_reserved_ports as the kernel writes it, and as it never does. */
static int reserved_child(void *arg)
{
	static const struct {
		const char *text;
		int r;
		unsigned lo, hi, n;
	} c[] = {
		{ "1000,2000-3000\n", 0, 0, 65535, 1002 },
		{ "1000,2000-3000\n", 0, 1000, 1000, 1 },
		{ "1000,2000-3000\n", 0, 1001, 1999, 0 },
		{ "1000,2000-3000\n", 0, 2000, 2000, 1 },
		{ "1000,2000-3000\n", 0, 3000, 3000, 1 },
		{ "1000,2000-3000\n", 0, 2999, 3001, 2 },
		{ "0-65535\n", 0, 0, 65535, 65536 },
		{ "0-65535\n", 0, 65535, 65535, 1 },
		{ "0-65535\n", 0, 65535, 70000, 1 },
		{ "0-65535\n", 0, 5, 4, 0 },
		{ "0\n", 0, 0, 0, 1 },
		{ "65535", 0, 65534, 65535, 1 },
		{ "", 0, 0, 65535, 0 },
		{ "\n", 0, 0, 65535, 0 },
		{ "1,,2, 3\t4", 0, 0, 65535, 4 },
		{ ",", 0, 0, 65535, 0 },
		{ "7-7", 0, 0, 65535, 1 },
		{ "5-3", -EINVAL, 0, 65535, 0 },
		{ "5-", -EINVAL, 0, 65535, 0 },
		{ "-5", -EINVAL, 0, 65535, 0 },
		{ "65536", -EINVAL, 0, 65535, 0 },
		{ "1-65536", -EINVAL, 0, 65535, 0 },
		{ "1,x", -EINVAL, 0, 65535, 0 },
		{ "1;2", -EINVAL, 0, 65535, 0 },
	};
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	size_t i;
	int r;

	(void)arg;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		put("net/ipv4/ip_local_reserved_ports", c[i].text);
		r = pb__reserved_in_range(c[i].lo, c[i].hi);
		if (r != (c[i].r < 0 ? c[i].r : (int)c[i].n)) {
			fprintf(stderr, "\"%s\" %u-%u: %d\n", c[i].text, c[i].lo,
				c[i].hi, r);
			return 1;
		}
	}
	/* Through pb_read_sysctls: only the range's; none when unreadable. */
	put("net/ipv4/ip_local_port_range", "2000 2999");
	put("net/ipv4/ip_local_reserved_ports", "1000,1999-2001,2998-3000");
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 2000 && s.port_hi == 2999 && s.reserved == 4);
	put("net/ipv4/ip_local_reserved_ports", "2000-1999");
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 0);
	/* A text that fails half-way leaves no port of it in the map. */
	{
		static uint8_t map[PB__PORT_MAP_BYTES];

		put("net/ipv4/ip_local_reserved_ports", "1000,2000-2002,x");
		memset(map, 0xff, sizeof(map));
		PBT_REQUIRE(pb__reserved_map(map) == -EINVAL);
		PBT_REQUIRE(pb__ports_in_map(map, 0, 65535) == 0);
	}
	/* Missing: that error, not one about its length. */
	PBT_REQUIRE(unlink("/proc/sys/net/ipv4/ip_local_reserved_ports") == 0);
	PBT_REQUIRE(pb__reserved_in_range(0, 65535) == -ENOENT);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 0);
	return 0;
}

START_TEST(fake_reserved_ports)
{
	PBT_IN_FAKE_SYS(reserved_child, NULL);
}
END_TEST

/* A text as long as the buffer may have been cut: refused, not half
   read; one byte shorter is read whole. */
static int reserved_long_child(void *arg)
{
	const size_t size = 64 * 1024;
	char *t = malloc(size + 8);
	size_t n;

	(void)arg;
	PBT_REQUIRE(t != NULL);
	/* "1,1,...,1,22": size - 2 bytes, which fit with the NUL. */
	for (n = 0; n < size - 4; n += 2)
		memcpy(t + n, "1,", 2);
	memcpy(t + n, "22", 2);
	n += 2;
	PBT_REQUIRE(n == size - 2);
	put_n("net/ipv4/ip_local_reserved_ports", t, n);
	PBT_REQUIRE(pb__reserved_in_range(0, 65535) == 2);
	PBT_REQUIRE(pb__reserved_in_range(22, 22) == 1);
	/* "...,222": size - 1 bytes, all the buffer holds: maybe cut. */
	t[n++] = '2';
	put_n("net/ipv4/ip_local_reserved_ports", t, n);
	PBT_REQUIRE(pb__reserved_in_range(0, 65535) == -EOVERFLOW);
	t[n++] = '2';
	put_n("net/ipv4/ip_local_reserved_ports", t, n);
	PBT_REQUIRE(pb__reserved_in_range(0, 65535) == -EOVERFLOW);
	free(t);
	return 0;
}

START_TEST(fake_reserved_too_long)
{
	PBT_IN_FAKE_SYS(reserved_long_child, NULL);
}
END_TEST

/* Every member from its own file: distinct values, none swapped; a file
   that is missing or unreadable gives -1 (ranges: 0), not an error. */
static int members_child(void *arg)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;

	(void)arg;
	put("net/ipv4/ip_local_port_range", "40000 40010");
	put("net/ipv4/ip_local_reserved_ports", "40010");
	put("net/ipv4/tcp_tw_reuse", "2\n");
	put("net/ipv4/tcp_tw_reuse_delay", "1000\n");
	put("net/ipv4/ip_unprivileged_port_start", "1023\n");
	put("net/ipv4/ip_autobind_reuse", "3\n");
	put("net/ipv4/tcp_max_tw_buckets", "-7\n");
	put("net/ipv6/bindv6only", "4\n");
	memset(&s, 0x5a, sizeof(s));
	s.size = sizeof(s);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.size == sizeof(s));
	PBT_REQUIRE(s.port_lo == 40000 && s.port_hi == 40010 && s.reserved == 1);
	PBT_REQUIRE(s.tcp_tw_reuse == 2);
	PBT_REQUIRE(s.tcp_tw_reuse_delay_ms == 1000);
	PBT_REQUIRE(s.unprivileged_port_start == 1023);
	PBT_REQUIRE(s.autobind_reuse == 3);
	PBT_REQUIRE(s.tcp_max_tw_buckets == -7);
	PBT_REQUIRE(s.bindv6only == 4);
	PBT_REQUIRE(s.unused0 == 0);
	/* Unreadable: -1 each, and the range 0 0 with no reserved count. */
	PBT_REQUIRE(unlink("/proc/sys/net/ipv4/tcp_tw_reuse_delay") == 0);
	PBT_REQUIRE(unlink("/proc/sys/net/ipv6/bindv6only") == 0);
	put("net/ipv4/tcp_tw_reuse", "x");
	put("net/ipv4/ip_local_port_range", "40000");
	errno = 321;
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(errno == 321);
	PBT_REQUIRE(s.tcp_tw_reuse_delay_ms == -1 && s.bindv6only == -1);
	PBT_REQUIRE(s.tcp_tw_reuse == -1);
	PBT_REQUIRE(s.port_lo == 0 && s.port_hi == 0 && s.reserved == 0);
	PBT_REQUIRE(s.unprivileged_port_start == 1023);
	/* A range of 0 0 asks for no reserved count; 0 1 does. */
	put("net/ipv4/ip_local_reserved_ports", "0-1");
	put("net/ipv4/ip_local_port_range", "0 0");
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 0);
	put("net/ipv4/ip_local_port_range", "0 1");
	PBT_REQUIRE(pb_read_sysctls(&s) == 0 && s.reserved == 2);
	return 0;
}

START_TEST(fake_every_member)
{
	PBT_IN_FAKE_SYS(members_child, NULL);
}
END_TEST

/* A daemon that closed its standard input: each value opens as
   descriptor 0, a valid one, and is read all the same. */
static int stdin_closed_child(void *arg)
{
	struct pb_sysctls a = PB_SYSCTLS_INIT, b = PB_SYSCTLS_INIT;

	(void)arg;
	PBT_REQUIRE(pb_read_sysctls(&a) == 0);
	close(0);
	PBT_REQUIRE(pb_read_sysctls(&b) == 0);
	PBT_REQUIRE(memcmp(&a, &b, sizeof(a)) == 0);
	PBT_REQUIRE(b.port_hi != 0 && b.tcp_tw_reuse >= 0);
	PBT_REQUIRE(fcntl(0, F_GETFD) < 0);
	return 0;
}

START_TEST(stdin_closed)
{
	ck_assert_int_eq(pbt_run_in_child(stdin_closed_child, NULL), 0);
}
END_TEST

/* An older caller's struct (the 0.1.0 size): filled to its size only;
   smaller than that: EINVAL, nothing written. */
START_TEST(struct_sizes)
{
	struct pb_sysctls s;
	unsigned char raw[sizeof(s) + 16];
	size_t oldest = offsetof(struct pb_sysctls, unused0) + sizeof(s.unused0);

	memset(raw, 0xa5, sizeof(raw));
	memcpy(raw, &oldest, sizeof(oldest));
	ck_assert_int_eq(pb_read_sysctls((struct pb_sysctls *)(void *)raw), 0);
	ck_assert_uint_eq(raw[oldest], 0xa5);
	memcpy(&s, raw, sizeof(s));
	ck_assert_uint_eq(s.size, oldest);
	ck_assert_uint_ne(s.port_hi, 0xa5a5a5a5u);
	ck_assert_int_ne(s.bindv6only, (int)0xa5a5a5a5);

	memset(raw, 0xa5, sizeof(raw));
	oldest--;
	memcpy(raw, &oldest, sizeof(oldest));
	errno = 0;
	ck_assert_int_eq(pb_read_sysctls((struct pb_sysctls *)(void *)raw), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(raw[sizeof(oldest)], 0xa5);

	/* A later caller's, larger: filled as far as this release knows,
	   the rest left. */
	memset(raw, 0xa5, sizeof(raw));
	oldest = sizeof(raw);
	memcpy(raw, &oldest, sizeof(oldest));
	ck_assert_int_eq(pb_read_sysctls((struct pb_sysctls *)(void *)raw), 0);
	ck_assert_uint_eq(raw[sizeof(s)], 0xa5);
	memcpy(&oldest, raw, sizeof(oldest));
	ck_assert_uint_eq(oldest, sizeof(raw));
}
END_TEST

/* CAP_NET_BIND_SERVICE of this thread: 1 with it, 0 once dropped, -1
   when capget is refused; errno kept. */
static int cap_child(void *arg)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	(void)arg;
	errno = 44;
	PBT_REQUIRE(pb__cap_net_bind_service() == 1);
	PBT_REQUIRE(syscall(SYS_capget, &h, d) == 0);
	d[CAP_NET_BIND_SERVICE / 32].effective &= ~(1u << (CAP_NET_BIND_SERVICE % 32));
	PBT_REQUIRE(syscall(SYS_capset, &h, d) == 0);
	PBT_REQUIRE(pb__cap_net_bind_service() == 0);
	/* Back in the effective set (still permitted), then refused. */
	d[CAP_NET_BIND_SERVICE / 32].effective |= 1u << (CAP_NET_BIND_SERVICE % 32);
	PBT_REQUIRE(syscall(SYS_capset, &h, d) == 0);
	PBT_REQUIRE(pb__cap_net_bind_service() == 1);
	if (pbt_seccomp_errno(SYS_capget, -1, EPERM) < 0)
		return 77;
	PBT_REQUIRE(pb__cap_net_bind_service() == -1);
	PBT_REQUIRE(errno == 44);
	return 0;
}

START_TEST(cap_net_bind_service)
{
	int st;

	if (geteuid() != 0)
		PBT_SKIP("needs root to hold CAP_NET_BIND_SERVICE");
	st = pbt_run_in_child(cap_child, NULL);
	if (st == 77)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* No scratch memory for the reserved list: -ENOMEM, and pb_read_sysctls
   still answers, with no reserved count. */
static int no_memory_child(void *arg)
{
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	uint8_t map[PB__PORT_MAP_BYTES];

	(void)arg;
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_port_range", "40000 40009") == 0);
	PBT_REQUIRE(pbt_write_sysctl("net/ipv4/ip_local_reserved_ports", "40001") == 0);
	PBT_REQUIRE(pb__reserved_in_range(40000, 40009) == 1);
	if (pbt_seccomp_errno(SYS_mmap, 0, ENOMEM) < 0)
		return NO_SECCOMP;
	PBT_REQUIRE(pb__reserved_in_range(40000, 40009) == -ENOMEM);
	memset(map, 0xff, sizeof(map));
	PBT_REQUIRE(pb__reserved_map(map) == -ENOMEM);
	PBT_REQUIRE(map[0] == 0 && map[sizeof(map) - 1] == 0);
	PBT_REQUIRE(pb_read_sysctls(&s) == 0);
	PBT_REQUIRE(s.port_lo == 40000 && s.reserved == 0);
	return 0;
}

START_TEST(no_scratch_memory)
{
	const char *why;
	int st = pbt_run_in_netns(no_memory_child, NULL, &why);

	if (st < 0)
		PBT_SKIP("%s", why);
	if (st == NO_SECCOMP)
		PBT_SKIP("seccomp filters cannot be installed here");
	ck_assert_int_eq(st, 0);
}
END_TEST

/* Counting a bitmap: lo..hi inclusive, never past port 65535. */
START_TEST(ports_in_map_bounds)
{
	static uint8_t map[PB__PORT_MAP_BYTES];

	memset(map, 0, sizeof(map));
	map[0] = 0x01;			/* port 0 */
	map[8191] = 0x80;		/* port 65535 */
	map[1000 / 8] |= (uint8_t)(1u << (1000 % 8));
	ck_assert_uint_eq(pb__ports_in_map(map, 0, 65535), 3);
	ck_assert_uint_eq(pb__ports_in_map(map, 0, 0), 1);
	ck_assert_uint_eq(pb__ports_in_map(map, 1, 999), 0);
	ck_assert_uint_eq(pb__ports_in_map(map, 1000, 1000), 1);
	ck_assert_uint_eq(pb__ports_in_map(map, 1001, 65534), 0);
	ck_assert_uint_eq(pb__ports_in_map(map, 65535, 65535), 1);
	ck_assert_uint_eq(pb__ports_in_map(map, 65535, 4000000000u), 1);
	ck_assert_uint_eq(pb__ports_in_map(map, 1001, 0), 0);
}
END_TEST

/* The bitmap is read up to its last byte and not one past: here it
   ends where an inaccessible page begins. */
START_TEST(ports_in_map_stays_inside)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t span = ((PB__PORT_MAP_BYTES + (size_t)page - 1) / (size_t)page) *
		      (size_t)page;
	uint8_t *base = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *map;

	ck_assert_ptr_ne(base, MAP_FAILED);
	ck_assert_int_eq(mprotect(base + span, (size_t)page, PROT_NONE), 0);
	map = base + span - PB__PORT_MAP_BYTES;
	memset(map, 0xff, PB__PORT_MAP_BYTES);
	ck_assert_uint_eq(pb__ports_in_map(map, 0, 4294967295u), 65536);
	ck_assert_uint_eq(pb__ports_in_map(map, 65535, 65536), 1);
	ck_assert_int_eq(munmap(base, span + (size_t)page), 0);
}
END_TEST

Suite *suite_sysctl(void)
{
	Suite *s = suite_create("sysctl");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, matches_proc);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, values_in_a_namespace);
	tcase_add_test(tc, kernel_limits_in_a_namespace);
	tcase_add_test(tc, fake_int_values);
	tcase_add_test(tc, fake_range_values);
	tcase_add_test(tc, fake_raw_reads);
	tcase_add_test(tc, fake_reserved_ports);
	tcase_add_test(tc, fake_reserved_too_long);
	tcase_add_test(tc, fake_every_member);
	tcase_add_test(tc, struct_sizes);
	tcase_add_test(tc, stdin_closed);
	tcase_add_test(tc, cap_net_bind_service);
	tcase_add_test(tc, no_scratch_memory);
	tcase_add_test(tc, ports_in_map_bounds);
	tcase_add_test(tc, ports_in_map_stays_inside);
	suite_add_tcase(s, tc);
	return s;
}

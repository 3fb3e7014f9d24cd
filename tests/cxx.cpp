// SPDX-License-Identifier: MIT
// cxx.cpp - <portbind.h> from C++ (tests/cxx.sh builds it with
// -Wall -Wextra -Werror -pedantic at C++11, C++17 and C++20): every
// *_INIT macro, automatic and static, and a call of every function the
// header declares, linked to libportbind.a.  Exit status 0 when every
// size member is the sizeof of its struct and the calls behaved.
#include <portbind.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int failed;

static void expect(bool ok, const char *what)
{
	if (!ok) {
		std::printf("not ok - %s\n", what);
		failed = 1;
	}
}

int main()
{
	struct pb_diag d = PB_DIAG_INIT;
	struct pb_budget b = PB_BUDGET_INIT;
	struct pb_sysctls s = PB_SYSCTLS_INIT;
	static struct pb_fdset f = PB_FDSET_INIT;
	static struct pb_diag sd = PB_DIAG_INIT;
	pb_diag plain = PB_DIAG_INIT;	// without the struct keyword
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char buf[4096], path[64];
	int l, fd, c;

	expect(d.size == sizeof(struct pb_diag), "PB_DIAG_INIT size");
	expect(sd.size == sizeof(struct pb_diag), "static PB_DIAG_INIT size");
	expect(plain.size == sizeof(pb_diag), "pb_diag size");
	expect(b.size == sizeof(struct pb_budget), "PB_BUDGET_INIT size");
	expect(s.size == sizeof(struct pb_sysctls), "PB_SYSCTLS_INIT size");
	expect(f.size == sizeof(struct pb_fdset), "PB_FDSET_INIT size");
	expect(d.flags == 0 && d.n_stored == 0 && d.spec[0] == '\0',
	       "PB_DIAG_INIT zero");
	expect(f.n == 0 && f.names[0][0] == '\0', "PB_FDSET_INIT zero");

	expect(std::strcmp(pb_version(), "0.1.0") >= 0, "pb_version");
	expect(pb_parse_addr("127.0.0.1:0", &ss, &sl) == 0, "pb_parse_addr");
	expect(pb_format_addr(reinterpret_cast<struct sockaddr *>(&ss), sl, buf,
			      sizeof(buf)) == 0, "pb_format_addr");

	l = pb_listen("127.0.0.1:0", 4, 0, &d);
	expect(l >= 0, "pb_listen");
	expect(pb_set_reuseaddr(l, 1) == 0, "pb_set_reuseaddr");
	expect(pb_set_reuseport(l, 0) == 0, "pb_set_reuseport");
	expect(pb_set_freebind(l, 0) == 0, "pb_set_freebind");
	(void)pb_set_v6only(l, 1);	// EINVAL or ENOPROTOOPT on IPv4
	(void)pb_set_bind_no_port(l, 0);
	(void)pb_set_local_port_range(l, 0, 0);
	expect(pb_fd_matches(l, SOCK_STREAM, "127.0.0.1:0") == 1, "pb_fd_matches");
	sl = sizeof(ss);
	getsockname(l, reinterpret_cast<struct sockaddr *>(&ss), &sl);
	c = pb_connect_from(SOCK_STREAM, NULL, 0,
			    reinterpret_cast<struct sockaddr *>(&ss), sl, 0, &d);
	expect(c >= 0, "pb_connect_from");
	if (c >= 0)
		close(c);
	c = pb_connect_range(SOCK_STREAM, NULL, 0,
			     reinterpret_cast<struct sockaddr *>(&ss), sl,
			     40000, 40100, 0, &d);
	if (c >= 0)
		close(c);
	expect(pb_port_budget(NULL, 0, reinterpret_cast<struct sockaddr *>(&ss),
			      sl, &b) == 0 && b.size == sizeof(b), "pb_port_budget");
	expect(pb_read_sysctls(&s) == 0 && s.size == sizeof(s), "pb_read_sysctls");

	// Busy now: the diagnosis, both texts.
	std::snprintf(buf, sizeof(buf), "127.0.0.1:%u",
		      ntohs(reinterpret_cast<struct sockaddr_in *>(&ss)->sin_port));
	expect(pb_listen(buf, 4, PB_NO_REUSEADDR, &d) == -1 && errno == EADDRINUSE,
	       "pb_listen busy");
	expect(d.size == sizeof(d), "size kept");
	expect(pb_diag_format(&d, buf, sizeof(buf)) > 0, "pb_diag_format");
	expect(pb_diag_json(&d, buf, sizeof(buf)) > 0, "pb_diag_json");
	expect(pb_diagnose(SOCK_STREAM, reinterpret_cast<struct sockaddr *>(&ss),
			   sl, EADDRINUSE, &sd) == PB_CAUSE_LISTENER, "pb_diagnose");
	expect(pb_diagnose_spec(SOCK_STREAM, "127.0.0.1:1", 0, &plain) >= 0,
	       "pb_diagnose_spec");
	expect(std::strcmp(pb_cause_name(PB_CAUSE_LISTENER), "listener") == 0,
	       "pb_cause_name");
	fd = pb_bind_udp("127.0.0.1:0", 0, NULL);
	expect(fd >= 0, "pb_bind_udp");
	if (fd >= 0)
		close(fd);
	fd = pb_listen_wait("127.0.0.1:0", 4, 0, 100, NULL);
	expect(fd >= 0, "pb_listen_wait");
	if (fd >= 0)
		close(fd);

	// Activation: nothing passed to this process.
	unsetenv("LISTEN_PID");
	expect(pb_listen_fds(0) == 0, "pb_listen_fds");
	expect(pb_listen_fd_name(3, buf, sizeof(buf)) == -1, "pb_listen_fd_name");
	expect(pb_adopt(SOCK_STREAM, "127.0.0.1:1", NULL) == -1, "pb_adopt");

	// A hand-off with nobody on the other end: the calls, no more.
	std::snprintf(path, sizeof(path), "/tmp/pb-cxx.%ld.sock", (long)getpid());
	c = pb_handoff_listen(path);
	expect(c >= 0, "pb_handoff_listen");
	expect(pb_handoff_give(c, &l, NULL, 1, 10) == -1, "pb_handoff_give");
	if (c >= 0)
		close(c);
	unlink(path);
	expect(pb_handoff_take(path, 10, &f) == 0 && f.n == 0, "pb_handoff_take");
	expect(pb_fdset_adopt(&f, SOCK_STREAM, "127.0.0.1:1", NULL) == -1,
	       "pb_fdset_adopt");
	expect(pb_fdset_close(&f) == 0 && f.size == sizeof(f), "pb_fdset_close");
	expect(pb_bind_reuse(l, reinterpret_cast<struct sockaddr *>(&ss), sl) == -1,
	       "pb_bind_reuse");
	close(l);
	if (!failed)
		std::printf("ok - every macro and function from C++\n");
	return failed;
}

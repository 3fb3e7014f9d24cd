/* SPDX-License-Identifier: MIT */
/* check_procnet.c - the /proc/net reader: lines as the kernel writes them,
   malformed lines, and a real dump. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "procnet.h"

static const char v4_listen[] =
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
	"00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n";
static const char v4_tw[] =
	"   1: 0100007F:1F90 0100007F:AE50 06 00000000:00000000 03:00000FA0 "
	"00000000     0        0 0 3 0000000000000000\n";
static const char v6_listen[] =
	"   0: 00000000000000000000000001000000:0050 "
	"00000000000000000000000000000000:0000 0A 00000000:00000000 "
	"00:00000000 00000000   101        0 777 1 0000000000000000 100 0 0 10 0\n";

START_TEST(parse_v4_listener)
{
	struct pb_sockent e;
	char a[PB_ADDRSTRLEN];

	ck_assert_int_eq(pb__procnet_parse_line(v4_listen, AF_INET, IPPROTO_TCP,
						100, &e), 0);
	ck_assert_int_eq(e.state, PB_TCP_LISTEN);
	ck_assert_uint_eq(e.uid, 1000);
	ck_assert_uint_eq(e.inode, 4242);
	ck_assert_int_eq(e.v6only, -1);
	ck_assert_int_eq(pb_format_addr((struct sockaddr *)&e.local,
					sizeof(e.local), a, sizeof(a)), 0);
	/* The kernel prints the address word in host order. */
	if (htonl(1) != 1)
		ck_assert_str_eq(a, "127.0.0.1:8080");
}
END_TEST

START_TEST(parse_v4_time_wait)
{
	struct pb_sockent e;

	ck_assert_int_eq(pb__procnet_parse_line(v4_tw, AF_INET, IPPROTO_TCP,
						100, &e), 0);
	ck_assert_int_eq(e.state, PB_TCP_TIME_WAIT);
	/* 0xFA0 = 4000 ticks of 1/100 s. */
	ck_assert_uint_eq(e.expires_ms, 40000);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&e.remote)->sin_port), 0xAE50);
	ck_assert_int_eq(pb__procnet_parse_line(v4_tw, AF_INET, IPPROTO_UDP,
						100, &e), 0);
	ck_assert_uint_eq(e.expires_ms, 0);
}
END_TEST

START_TEST(parse_v6)
{
	struct pb_sockent e;
	char a[PB_ADDRSTRLEN];

	ck_assert_int_eq(pb__procnet_parse_line(v6_listen, AF_INET6, IPPROTO_TCP,
						100, &e), 0);
	ck_assert_int_eq(e.family, AF_INET6);
	ck_assert_uint_eq(e.inode, 777);
	pb_format_addr((struct sockaddr *)&e.local, sizeof(e.local), a, sizeof(a));
	if (htonl(1) != 1)
		ck_assert_str_eq(a, "[::1]:80");
	/* The family must match the file: a v6 line is not a v4 line. */
	ck_assert_int_eq(pb__procnet_parse_line(v6_listen, AF_INET, IPPROTO_TCP,
						100, &e), -EINVAL);
}
END_TEST

static const char *const bad_lines[] = {
	"",
	"\n",
	"  sl  local_address rem_address   st tx_queue rx_queue\n",
	"   0: 0100007F:1F90\n",
	"   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"   0: 0100007F:FFFFF 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"   0: 0100007F1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0\n",
	"   0: 0100007F:1F90 00000000:0000 1FF 00000000:00000000 00:00000000 00000000 0 0 1\n",
	"x: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
};

START_TEST(parse_rejects_bad_lines)
{
	struct pb_sockent e;

	ck_assert_int_eq(pb__procnet_parse_line(bad_lines[_i], AF_INET,
						IPPROTO_TCP, 100, &e), -EINVAL);
}
END_TEST

static int count(const struct pb_sockent *e, void *arg)
{
	struct pb_sockent *last = arg;

	*last = *e;
	last->protocol++;	/* a count, in a field no row uses that high */
	return 0;
}

START_TEST(dump_real_table)
{
	int fd = pb_listen("127.0.0.1:0", 4, 0, NULL);
	unsigned port = pbt_local_port(fd);
	struct pb_portsel sel = { 0, port, port };
	struct pb_sockent last;
	struct stat st;

	memset(&last, 0, sizeof(last));
	last.protocol = -1000;
	ck_assert_int_eq(pb__procnet_dump(IPPROTO_TCP, AF_UNSPEC, PB__ALL_STATES,
					  &sel, count, &last), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(last.inode, st.st_ino);
	ck_assert_int_eq(last.state, PB_TCP_LISTEN);
	close(fd);
}
END_TEST

Suite *suite_procnet(void)
{
	Suite *s = suite_create("procnet");
	TCase *tc = tcase_create("lines");

	tcase_add_checked_fixture(tc, pbt_fd_setup, pbt_fd_teardown);
	tcase_add_test(tc, parse_v4_listener);
	tcase_add_test(tc, parse_v4_time_wait);
	tcase_add_test(tc, parse_v6);
	tcase_add_loop_test(tc, parse_rejects_bad_lines, 0,
			    (int)(sizeof(bad_lines) / sizeof(bad_lines[0])));
	tcase_add_test(tc, dump_real_table);
	suite_add_tcase(s, tc);
	return s;
}

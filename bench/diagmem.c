/* SPDX-License-Identifier: MIT */
/*
 * diagmem - the memory one pb_diagnose costs, in a fresh process.
 *
 *	diagmem PORT
 *
 * Diagnoses 0.0.0.0:PORT after EADDRINUSE and prints one line:
 *	"HWM_BEFORE_KIB HWM_AFTER_KIB CAUSE N_TIME_WAIT"
 * (VmHWM, the peak resident size, before and after the call).  A fresh,
 * small process makes the peak the diagnosis's own, not a benchmark's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <portbind.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct pb_diag d = PB_DIAG_INIT;
	struct sockaddr_in sin;
	long before, after;

	if (argc != 2)
		return 2;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	before = vm_kib("VmHWM");
	pb_diagnose(SOCK_STREAM, (struct sockaddr *)&sin, sizeof(sin), EADDRINUSE, &d);
	after = vm_kib("VmHWM");
	printf("%ld %ld %s %u\n", before, after, pb_cause_name(d.cause),
	       d.n_time_wait);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watch-probe: the stopwatch of bench/watch-bench.sh. Runs a command (the wipe) and, from
 * the moment it starts, looks one conntrack entry up every 0.5 ms over ctnetlink:
 *
 *   watch-probe PROTO SRC SPORT DST DPORT -- COMMAND [ARGS...]
 *
 * Prints "gone_ms back_ms latency_ms cmd_ms": when the entry was first found missing,
 * when it was found present again for good (present for 500 ms after its last absence),
 * the difference, and how long the command ran; times from the command's start. Exits 1
 * when the entry never went or never came back within 10 s.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/heal_nl.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct ctg_ct_entry e = {.family = 2};
	double t0, gone = -1, last_absent = -1, cmd_end = -1;
	pid_t pid;
	int st;

	if (argc < 8 || strcmp(argv[6], "--")) {
		fprintf(stderr, "usage: watch-probe tcp|udp SRC SPORT DST DPORT -- COMMAND...\n");
		return 2;
	}
	e.l4proto = strcmp(argv[1], "udp") ? 6 : 17;
	if (inet_pton(AF_INET, argv[2], e.orig.src.b) != 1 ||
	    inet_pton(AF_INET, argv[4], e.orig.dst.b) != 1)
		return 2;
	e.orig.sport = (uint16_t)atoi(argv[3]);
	e.orig.dport = (uint16_t)atoi(argv[5]);
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		execvp(argv[7], argv + 7);
		_exit(127);
	}
	while (now_ms() - t0 < 10000) {
		int r = ctg_heal_nl_exists(&e);
		double t = now_ms() - t0;

		if (cmd_end < 0 && waitpid(pid, &st, WNOHANG) == pid)
			cmd_end = t;
		if (r == 0) {
			if (gone < 0)
				gone = t;
			last_absent = t;
		} else if (r == 1 && gone >= 0 && cmd_end >= 0 && t - last_absent >= 500) {
			printf("%.1f %.1f %.1f %.1f\n", gone, last_absent, last_absent - gone, cmd_end);
			return 0;
		}
		usleep(500);
	}
	if (cmd_end < 0)
		waitpid(pid, &st, 0);
	printf("%.1f -1 -1 %.1f\n", gone, cmd_end);
	return 1;
}

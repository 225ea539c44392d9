// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse-bench FILE [RUNS]: parse an iptables-save file to the IR and compare, in the same
 * run, with `iptables-restore --test` on the same file inside a throwaway network
 * namespace (root; skipped otherwise). Prints times, the ratio, and peak memory (maxrss)
 * of the parse against the file size. Times are CPU time (user + system, the child's for
 * iptables-restore) because wall time is noise on a shared machine; wall is printed too. Generate a
 * kube-proxy-like input with tools/gen-kube-proxy.py --rules 100000. Figures, not assertions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* user + system CPU seconds of this process (who = RUSAGE_SELF) or its children */
static double cpu(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* One parse; returns CPU seconds (wall in *wall) or -1. */
static double parse_once(const char *path, size_t *rules, double *wall)
{
	struct ctg_diags *d = ctg_diags_new();
	double t0 = now(), c0 = cpu(RUSAGE_SELF), t;
	struct ctg_ruleset *rs = ctg_ruleset_parse_file(path, CTG_FAMILY_IPV4, d);

	t = cpu(RUSAGE_SELF) - c0;
	*wall = now() - t0;
	if (!rs || ctg_diags_errors(d)) {
		fprintf(stderr, "parse-bench: %s: %s\n", path,
			rs ? "parse errors" : strerror(errno));
		t = -1;
	} else {
		*rules = ctg_ruleset_rule_count(rs);
	}
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
	return t;
}

static int run(char *const argv[], const char *stdin_path)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = stdin_path ? open(stdin_path, O_RDONLY) : open("/dev/null", O_RDONLY);
		int nul = open("/dev/null", O_WRONLY);

		if (fd < 0 || nul < 0)
			_exit(127);
		dup2(fd, 0);
		dup2(nul, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* iptables-restore --test in a fresh netns; CPU seconds (wall in *wall) or -1. */
static double restore_test(const char *path, double *wall)
{
	char ns[64];
	char *add[] = {"ip", "netns", "add", ns, NULL};
	char *del[] = {"ip", "netns", "del", ns, NULL};
	char *test[] = {"ip", "netns", "exec", ns, "iptables-restore", "--test", NULL};
	double t0, c0, t = -1;

	if (geteuid() != 0)
		return -1;
	snprintf(ns, sizeof(ns), "ctg-ruleset-%d-bench", (int)getpid());
	if (run(add, NULL) != 0)
		return -1;
	t0 = now();
	c0 = cpu(RUSAGE_CHILDREN);
	if (run(test, path) == 0) {
		t = cpu(RUSAGE_CHILDREN) - c0;
		*wall = now() - t0;
	} else
		fprintf(stderr, "parse-bench: iptables-restore --test failed\n");
	run(del, NULL);
	return t;
}

int main(int argc, char **argv)
{
	struct stat st;
	struct rusage ru;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double first, best, t, base, wall, bwall, base_wall = 0;
	size_t rules = 0;
	long maxrss_kb;

	if (argc < 2 || stat(argv[1], &st)) {
		fprintf(stderr, "usage: parse-bench FILE [RUNS]\n");
		return 2;
	}
	first = parse_once(argv[1], &rules, &wall);
	bwall = wall;
	if (first < 0)
		return 1;
	getrusage(RUSAGE_SELF, &ru);
	maxrss_kb = ru.ru_maxrss;
	best = first;
	for (int i = 1; i < runs; i++) {
		t = parse_once(argv[1], &rules, &wall);
		if (t >= 0 && t < best)
			best = t;
		if (t >= 0 && wall < bwall)
			bwall = wall;
	}
	base = restore_test(argv[1], &base_wall);
	printf("file: %s, %.1f MB, %zu rules\n", argv[1], (double)st.st_size / 1e6, rules);
	printf("ctguard parse to IR: best %.3f s CPU of %d runs (first %.3f s; best wall %.3f s), "
	       "%.0f rules/s\n",
	       best, runs, first, bwall, (double)rules / best);
	printf("peak memory (maxrss): %.1f MB = %.2fx the file size\n", (double)maxrss_kb / 1024.0,
	       (double)maxrss_kb * 1024.0 / (double)st.st_size);
	if (base >= 0)
		printf("iptables-restore --test (own netns): %.3f s CPU (wall %.3f s)\n"
		       "ratio: ctguard is %.1fx faster (CPU; wall %.1fx)\n",
		       base, base_wall, base / best, base_wall / bwall);
	else
		printf("iptables-restore --test: not measured (needs root and iptables)\n");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse-bench FILE [RUNS]: parse an iptables-save file to the IR and compare, in the same
 * run, with `iptables-restore --test` on the same file, each run a process of its own in a
 * network namespace of its own (root; skipped otherwise). The parser runs on one thread, as
 * iptables-restore does. Ours is measured two ways, best of RUNS each: a process per parse
 * (what one ctguard run pays: all memory fresh from the kernel) and RUNS parses in one
 * process (the allocator reuses the last parse's memory). Prints wall and CPU time (user +
 * system), the ratios against iptables-restore and peak memory (maxrss) against the file
 * size. Generate a kube-proxy-like input with tools/gen-kube-proxy.py --rules 100000.
 * Figures, not assertions.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

struct result {
	double first, best, bwall; /* CPU of the first run, best CPU, best wall */
	size_t rules;
	long maxrss_kb; /* the peak of one parse */
	int ok;
};

/* RUNS parses one after the other in this process: best CPU and wall; peak
 * memory after the first. */
static void parses(const char *path, int runs, struct result *r)
{
	struct rusage ru;
	double wall, t;

	memset(r, 0, sizeof(*r));
	r->first = r->best = parse_once(path, &r->rules, &r->bwall);
	getrusage(RUSAGE_SELF, &ru);
	r->maxrss_kb = ru.ru_maxrss;
	r->ok = r->first >= 0;
	for (int i = 1; r->ok && i < runs; i++) {
		t = parse_once(path, &r->rules, &wall);
		if (t >= 0 && t < r->best)
			r->best = t;
		if (t >= 0 && wall < r->bwall)
			r->bwall = wall;
	}
}

/* parses() in a child process (memory of its own); its figures come through a pipe. */
static int parses_in_child(const char *path, int runs, struct result *res)
{
	int fd[2], st;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct result r;

		close(fd[0]);
		parses(path, runs, &r);
		_exit(write(fd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(fd[1]);
	st = read(fd[0], res, sizeof(*res)) == (ssize_t)sizeof(*res) ? 0 : -1;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return st == 0 && res->ok ? 0 : -1;
}

/* RUNS parses, each in a process of its own (as one ctguard run, or one
 * iptables-restore, pays it): best CPU and wall, highest peak memory. 0 or -1. */
static int measure_fresh(const char *path, int runs, struct result *res)
{
	for (int i = 0; i < runs; i++) {
		struct result r;

		if (parses_in_child(path, 1, &r))
			return -1;
		if (i == 0) {
			*res = r;
			continue;
		}
		if (r.best < res->best)
			res->best = r.best;
		if (r.bwall < res->bwall)
			res->bwall = r.bwall;
		if (r.maxrss_kb > res->maxrss_kb)
			res->maxrss_kb = r.maxrss_kb;
	}
	return 0;
}

/* RUNS parses one after the other in one child process (the allocator reuses
 * the memory of the previous parse). 0 or -1. */
static int measure_warm(const char *path, int runs, struct result *res)
{
	return parses_in_child(path, runs, res);
}

/*
 * One `iptables-restore --test < path` in a network namespace of its own (the child
 * unshares it: no `ip netns exec` in the figure). CPU seconds of the child (wall in *wall),
 * or -1.
 */
static double restore_once(const char *path, double *wall)
{
	double t0 = now(), c0 = cpu(RUSAGE_CHILDREN);
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(path, O_RDONLY), nul = open("/dev/null", O_WRONLY);

		if (fd < 0 || nul < 0 || unshare(CLONE_NEWNET))
			_exit(127);
		dup2(fd, 0);
		dup2(nul, 1);
		execlp("iptables-restore", "iptables-restore", "--test", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "parse-bench: iptables-restore --test failed\n");
		return -1;
	}
	*wall = now() - t0;
	return cpu(RUSAGE_CHILDREN) - c0;
}

/* The best CPU and the best wall time of RUNS iptables-restore --test runs, as for ours. */
static double restore_test(const char *path, int runs, double *wall)
{
	double best = -1, w;

	if (geteuid() != 0)
		return -1;
	for (int i = 0; i < runs; i++) {
		double t = restore_once(path, &w);

		if (t < 0)
			return -1;
		if (best < 0 || t < best)
			best = t;
		if (i == 0 || w < *wall)
			*wall = w;
	}
	return best;
}

static void report(const char *what, const struct result *r, double size, double base,
		   double base_wall)
{
	printf("  %-40s best wall %.3f s, CPU %.3f s; peak memory %.1f MB = %.2fx the file\n", what,
	       r->bwall, r->best, (double)r->maxrss_kb / 1024.0,
	       (double)r->maxrss_kb * 1024.0 / size);
	if (base >= 0)
		printf("  %-40s %.1fx faster than iptables-restore --test in wall time, %.1fx in "
		       "CPU "
		       "time\n",
		       "", base_wall / r->bwall, base / r->best);
}

int main(int argc, char **argv)
{
	struct stat st;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	struct result fresh, warm;
	double base, base_wall = 0, size;

	if (argc < 2 || stat(argv[1], &st)) {
		fprintf(stderr, "usage: parse-bench FILE [RUNS]\n");
		return 2;
	}
	size = (double)st.st_size;
	if (measure_fresh(argv[1], runs, &fresh) || measure_warm(argv[1], runs, &warm))
		return 1;
	base = restore_test(argv[1], runs, &base_wall);
	printf("file: %s, %.1f MB, %zu rules; best of %d runs each\n", argv[1], size / 1e6,
	       fresh.rules, runs);
	if (base >= 0)
		printf("iptables-restore --test, a process per run (own netns): wall %.3f s, CPU "
		       "%.3f s\n",
		       base_wall, base);
	else
		printf("iptables-restore --test: not measured (needs root and iptables)\n");
	printf("ctguard parse to IR, one thread:\n");
	report("a process per parse (one ctguard run)", &fresh, size, base, base_wall);
	report("parses in one process (memory reused)", &warm, size, base, base_wall);
	return 0;
}

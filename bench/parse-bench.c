// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse-bench FILE [RUNS]: parse an iptables-save file to the IR and compare, in the same
 * run, with `iptables-restore --test` on the same file inside a throwaway network
 * namespace (root; skipped otherwise), best of RUNS runs like ours. The parse is measured twice,
 * each in a child process of its own (its own peak memory): with one thread (CTG_PARSE_SERIAL) and
 * as the library parses by default (a big table's rule lines in a thread per online CPU). Prints
 * the best wall and CPU time (user + system, all threads) of RUNS parses, the ratios against
 * iptables-restore (single-threaded; its CPU time is its wall time), and peak memory
 * (maxrss) against the file size. Generate a kube-proxy-like input with
 * tools/gen-kube-proxy.py --rules 100000. Figures, not assertions.
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
static double parse_once(const char *path, unsigned flags, size_t *rules, double *wall)
{
	struct ctg_diags *d = ctg_diags_new();
	double t0 = now(), c0 = cpu(RUSAGE_SELF), t;
	struct ctg_ruleset *rs = ctg_ruleset_parse_file_ex(path, CTG_FAMILY_IPV4, flags, d);

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
	long maxrss_kb; /* after the first run: the peak of one parse */
	int ok;
};

/* RUNS parses with FLAGS in a child process (its own peak memory); 0 or -1. */
static int measure(const char *path, int runs, unsigned flags, struct result *res)
{
	int fd[2], st;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct result r = {0};
		struct rusage ru;
		double wall, t;

		close(fd[0]);
		r.first = r.best = parse_once(path, flags, &r.rules, &r.bwall);
		getrusage(RUSAGE_SELF, &ru);
		r.maxrss_kb = ru.ru_maxrss;
		r.ok = r.first >= 0;
		for (int i = 1; r.ok && i < runs; i++) {
			t = parse_once(path, flags, &r.rules, &wall);
			if (t >= 0 && t < r.best)
				r.best = t;
			if (t >= 0 && wall < r.bwall)
				r.bwall = wall;
		}
		_exit(write(fd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(fd[1]);
	st = read(fd[0], res, sizeof(*res)) == (ssize_t)sizeof(*res) ? 0 : -1;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return st == 0 && res->ok ? 0 : -1;
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

static void report(const char *what, const struct result *r, int runs, double size, double base,
		   double base_wall)
{
	printf("ctguard parse to IR, %s: best %.3f s CPU of %d runs (first %.3f s), best wall "
	       "%.3f s, %.0f rules/s\n",
	       what, r->best, runs, r->first, r->bwall, (double)r->rules / r->bwall);
	printf("  peak memory (maxrss): %.1f MB = %.2fx the file size\n",
	       (double)r->maxrss_kb / 1024.0, (double)r->maxrss_kb * 1024.0 / size);
	if (base >= 0)
		printf("  ratio: %.1fx faster than iptables-restore --test in wall time, %.1fx in "
		       "CPU "
		       "time\n",
		       base_wall / r->bwall, base / r->best);
}

int main(int argc, char **argv)
{
	struct stat st;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	struct result serial, par;
	double base, base_wall = 0;

	if (argc < 2 || stat(argv[1], &st)) {
		fprintf(stderr, "usage: parse-bench FILE [RUNS]\n");
		return 2;
	}
	if (measure(argv[1], runs, CTG_PARSE_SERIAL, &serial) || measure(argv[1], runs, 0, &par))
		return 1;
	base = restore_test(argv[1], runs, &base_wall);
	printf("file: %s, %.1f MB, %zu rules; %ld online CPUs\n", argv[1], (double)st.st_size / 1e6,
	       par.rules, sysconf(_SC_NPROCESSORS_ONLN));
	if (base >= 0)
		printf("iptables-restore --test (own netns), best of %d runs: %.3f s CPU, wall "
		       "%.3f s\n",
		       runs, base, base_wall);
	else
		printf("iptables-restore --test: not measured (needs root and iptables)\n");
	report("one thread (CTG_PARSE_SERIAL)", &serial, runs, (double)st.st_size, base, base_wall);
	report("default (a thread per CPU for big tables)", &par, runs, (double)st.st_size, base,
	       base_wall);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct-join-bench CONNTRACK_FILE [SS_FILE|-] [LOCAL_ADDR|-] [RUNS]: the data path of check/audit/
 * conns on offline inputs: ctg_ct_read_file, ctg_sock_read_ss_file and ctg_conns_join.
 * Baseline measured in the same run: reading the file into memory (read(2), no parsing).
 * Prints best-of-RUNS wall and CPU seconds per step; never asserts.
 * (input: tools/gen-ct.py --conns 1000000 --rules 10 --ct ct.txt --ruleset /dev/null)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

static double clk(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct lap {
	double wall, cpu;
};

static void lap_start(struct lap *l)
{
	l->wall = clk(CLOCK_MONOTONIC);
	l->cpu = clk(CLOCK_PROCESS_CPUTIME_ID);
}

static void lap_end(struct lap *l, struct lap *best)
{
	double w = clk(CLOCK_MONOTONIC) - l->wall, c = clk(CLOCK_PROCESS_CPUTIME_ID) - l->cpu;

	if (best->wall == 0 || w < best->wall)
		best->wall = w;
	if (best->cpu == 0 || c < best->cpu)
		best->cpu = c;
}

static size_t slurp_only(const char *path)
{
	static char buf[1 << 20];
	size_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	close(fd);
	return total;
}

int main(int argc, char **argv)
{
	struct lap l, base = {0}, rd = {0}, ss = {0}, join = {0};
	const char *ssf = argc > 2 ? argv[2] : NULL;
	int runs = argc > 4 ? atoi(argv[4]) : 3;
	struct ctg_addr_set locals;
	size_t nct = 0, nsock = 0, nconn = 0, bytes = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ct-join-bench CONNTRACK_FILE [SS_FILE|-] [LOCAL] [RUNS]\n");
		return 2;
	}
	if (ssf && !strcmp(ssf, "-"))
		ssf = NULL;
	ctg_addr_set_init(&locals);
	if (argc > 3 && strcmp(argv[3], "-")) {
		struct ctg_addr a;
		int fam = strchr(argv[3], ':') ? 10 : 2;

		if (ctg_addr_parse(fam, argv[3], &a) || ctg_addr_set_add(&locals, fam, &a))
			return 2;
	}
	for (int r = 0; r < runs; r++) {
		struct ctg_ct_table ct;
		struct ctg_sock_table st;
		struct ctg_conn_table conns;
		struct ctg_diags *d = ctg_diags_new();

		ctg_ct_table_init(&ct);
		ctg_sock_table_init(&st);
		ctg_conn_table_init(&conns);
		lap_start(&l);
		bytes = slurp_only(argv[1]);
		lap_end(&l, &base);
		lap_start(&l);
		if (ctg_ct_read_file(&ct, argv[1], d))
			return 1;
		lap_end(&l, &rd);
		lap_start(&l);
		if (ssf && ctg_sock_read_ss_file(&st, ssf, d))
			return 1;
		lap_end(&l, &ss);
		lap_start(&l);
		if (ctg_conns_join(&st, &ct, locals.n ? &locals : NULL, 32768, 60999, &conns))
			return 1;
		lap_end(&l, &join);
		nct = ct.n;
		nsock = st.n;
		nconn = conns.n;
		ctg_conn_table_release(&conns);
		ctg_sock_table_release(&st);
		ctg_ct_table_release(&ct);
		ctg_diags_free(d);
	}
	printf("%zu entries (%zu bytes), %zu sockets, %zu rows; best of %d (wall / cpu s)\n", nct,
	       bytes, nsock, nconn, runs);
	printf("  read(2) only (baseline)  %.3f / %.3f\n", base.wall, base.cpu);
	printf("  ctg_ct_read_file         %.3f / %.3f  (%.1fx baseline wall)\n", rd.wall, rd.cpu,
	       base.wall > 0 ? rd.wall / base.wall : 0);
	printf("  ctg_sock_read_ss_file    %.3f / %.3f\n", ss.wall, ss.cpu);
	printf("  ctg_conns_join           %.3f / %.3f\n", join.wall, join.cpu);
	printf("  read + join              %.3f / %.3f\n", rd.wall + ss.wall + join.wall,
	       rd.cpu + ss.cpu + join.cpu);
	ctg_addr_set_release(&locals);
	return 0;
}

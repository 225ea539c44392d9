// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check-bench: `ctguard check --method all` analysis time on a large conntrack table,
 * memoised vs the plain linear evaluator, in one run.
 *
 *   check-bench RULES CONNTRACK [LOCAL_ADDR] [LINEAR_SAMPLE]
 *
 * The memoised analysis runs on every connection. The linear one runs on LINEAR_SAMPLE
 * connections spread evenly over the table (default 20000; 0 = all) and is extrapolated;
 * the sample's verdicts are compared with the memoised ones (any difference is printed
 * and makes the exit status 1). Figures only, no thresholds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

#include "analysis/impact.h"

static double clk(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clk(CLOCK_MONOTONIC);
}

static double cpu(void)
{
	return clk(CLOCK_PROCESS_CPUTIME_ID);
}


static size_t differences(const struct ctg_impact *a, const struct ctg_impact *b, const size_t *map,
			  size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++)
		for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
			const struct ctg_impact_verdict *x = ctg_impact_get(a, map[i], m);
			const struct ctg_impact_verdict *y = ctg_impact_get(b, i, m);

			if (x->outcome != y->outcome || x->fails != y->fails ||
			    x->stop.rule != y->stop.rule || x->stop.chain != y->stop.chain) {
				if (bad++ < 5)
					fprintf(stderr, "differ: conn %zu method %d: %s vs %s\n",
						map[i], m, ctg_impact_outcome_name(x->outcome),
						ctg_impact_outcome_name(y->outcome));
			}
		}
	return bad;
}

int main(int argc, char **argv)
{
	struct ctg_ct_table cts;
	struct ctg_sock_table socks;
	struct ctg_conn_table conns;
	struct ctg_addr_set locals;
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs;
	struct ctg_impact_conn *ic, *sample;
	struct ctg_impact_local loc;
	struct ctg_impact_input in = {.tcp_loose = -1, .tcp_be_liberal = -1, .methods = 7};
	struct ctg_impact rm, rl;
	size_t nsample, *map, bad;
	double t0, c0, t_parse, t_memo, t_lin, c_memo, c_lin;

	if (argc < 3) {
		fprintf(stderr, "usage: check-bench RULES CONNTRACK [LOCAL] [SAMPLE]\n");
		return 2;
	}
	t0 = now();
	rs = ctg_ruleset_parse_file(argv[1], CTG_FAMILY_IPV4, d);
	ctg_ct_table_init(&cts);
	ctg_sock_table_init(&socks);
	ctg_conn_table_init(&conns);
	ctg_addr_set_init(&locals);
	if (!rs || ctg_diags_errors(d) || ctg_ct_read_file(&cts, argv[2], d)) {
		fprintf(stderr, "check-bench: cannot read inputs\n");
		return 2;
	}
	loc.family = 2;
	ctg_addr_parse(2, argc > 3 ? argv[3] : "10.50.0.1", &loc.addr);
	ctg_addr_set_add(&locals, 2, &loc.addr);
	if (ctg_conns_join(&socks, &cts, &locals, 32768, 60999, &conns))
		return 3;
	t_parse = now() - t0;
	ic = calloc(conns.n + 1, sizeof(*ic));
	nsample = argc > 4 ? strtoul(argv[4], NULL, 10) : 20000;
	if (!nsample || nsample > conns.n)
		nsample = conns.n;
	sample = calloc(nsample + 1, sizeof(*sample));
	map = calloc(nsample + 1, sizeof(*map));
	if (!ic || !sample || !map)
		return 3;
	for (size_t i = 0; i < conns.n; i++)
		ctg_impact_conn_from_conn(&conns.v[i], &ic[i]);
	for (size_t i = 0; i < nsample; i++) {
		map[i] = (size_t)((double)i * conns.n / nsample);
		sample[i] = ic[map[i]];
	}
	in.cur4 = in.cand4 = rs;
	in.cts = &cts;
	in.local = &loc;
	in.nlocal = 1;
	in.conns = ic;
	in.nconns = conns.n;
	if (getenv("CHECK_BENCH_OVERHEAD")) {
		in.methods = 0;
		t0 = now();
		c0 = cpu();
		ctg_impact_run(&in, &rm);
		printf("  overhead only (no methods):  %8.3f s wall %.3f s cpu\n", now() - t0,
		       cpu() - c0);
		ctg_impact_release(&rm);
		in.methods = 7;
	}
	t0 = now();
	c0 = cpu();
	if (ctg_impact_run(&in, &rm))
		return 3;
	t_memo = now() - t0;
	c_memo = cpu() - c0;
	in.conns = sample;
	in.nconns = nsample;
	in.no_memo = true;
	t0 = now();
	c0 = cpu();
	if (ctg_impact_run(&in, &rl))
		return 3;
	t_lin = now() - t0;
	c_lin = cpu() - c0;
	bad = differences(&rm, &rl, map, nsample);
	printf("check-bench: %s (%zu rules), %zu connections, --method all\n", argv[1],
	       ctg_ruleset_rule_count(rs), conns.n);
	printf("  inputs (parse + join):       %8.3f s\n", t_parse);
	printf("  memoised analysis:           %8.3f s wall, %.3f s cpu (%zu keys evaluated, "
	       "%llu rules visited)\n",
	       t_memo, c_memo, rm.evaluated, (unsigned long long)rm.rules_visited);
	printf("  linear analysis, %zu conns: %8.3f s wall, %.3f s cpu -> %.3f s wall for all "
	       "(extrapolated)\n",
	       nsample, t_lin, c_lin, t_lin * conns.n / nsample);
	printf("  speed-up memo vs linear:     %8.1fx wall, %.1fx cpu\n",
	       t_lin * conns.n / nsample / t_memo, c_lin * conns.n / nsample / c_memo);
	printf("  outcomes (restart): safe %zu, cut %zu, at-risk %zu, nat-lost %zu, unknown %zu\n",
	       rm.count[CTG_IMPACT_RESTART][CTG_OUT_SAFE],
	       rm.count[CTG_IMPACT_RESTART][CTG_OUT_CUT],
	       rm.count[CTG_IMPACT_RESTART][CTG_OUT_AT_RISK],
	       rm.count[CTG_IMPACT_RESTART][CTG_OUT_NAT_LOST],
	       rm.count[CTG_IMPACT_RESTART][CTG_OUT_UNKNOWN]);
	printf("  differential check on the sample: %zu differences\n", bad);
	ctg_impact_release(&rm);
	ctg_impact_release(&rl);
	free(ic);
	free(sample);
	free(map);
	ctg_conn_table_release(&conns);
	ctg_ct_table_release(&cts);
	ctg_sock_table_release(&socks);
	ctg_addr_set_release(&locals);
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
	return bad ? 1 : 0;
}

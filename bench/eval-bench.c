// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval-bench: cost of the linear evaluator. Prints figures, never asserts.
 *   1. per rule visited: synthetic chains of 1k/10k non-matching rules, against the
 *      per-packet overhead of a rule-less ruleset measured in the same run (baseline);
 *   2. 1M packets against the largest corpus ruleset given (first file that parses),
 *      plain (ctstate given) and as flow packets through a conntrack view.
 * Usage: eval-bench [-n PACKETS] [RULESET...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/eval.h"
#include "../tools/corpus-read.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct ctg_ruleset *parse_text(const char *text, enum ctg_family fam)
{
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs = ctg_ruleset_parse(text, strlen(text), "synthetic", fam, d);

	if (rs && ctg_diags_errors(d)) {
		ctg_ruleset_free(rs);
		rs = NULL;
	}
	ctg_diags_free(d);
	return rs;
}

/* INPUT with n rules "-s 10.a.b.c/32 -p tcp --dport P -j ACCEPT" none of which matches. */
static struct ctg_ruleset *synthetic(unsigned n)
{
	size_t cap = 128 + (size_t)n * 64, len = 0;
	char *t = malloc(cap);
	struct ctg_ruleset *rs;

	len += (size_t)snprintf(t + len, cap - len,
				"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
				":OUTPUT ACCEPT [0:0]\n");
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len,
					"-A INPUT -s 10.%u.%u.%u/32 -p tcp -m tcp --dport %u -j "
					"ACCEPT\n",
					(i >> 16) & 255, (i >> 8) & 255, i & 255, 1 + i % 60000);
	snprintf(t + len, cap - len, "COMMIT\n");
	rs = parse_text(t, CTG_FAMILY_IPV4);
	free(t);
	return rs;
}

static struct ctg_pkt base_pkt(enum ctg_family fam)
{
	struct ctg_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = (uint8_t)fam;
	p.l4proto = 6;
	p.tcp_flags = CTG_TH_ACK;
	p.sport = 40000;
	p.dport = 3306;
	p.ttl = 64;
	p.len = 100;
	p.mark_known = true;
	p.ctstate = CTG_CTS_NEW;
	p.iif = "eth0";
	p.src.b[0] = 192;
	p.src.b[1] = 168;
	p.src.b[3] = 7;
	return p;
}

/* Returns ns per packet; *visited = rules visited per packet. */
static double run_plain(const struct ctg_ruleset *rs, unsigned n, double *visited)
{
	struct ctg_eval_env env;
	struct ctg_pkt p = base_pkt(rs->family);
	struct ctg_eval_result r;
	uint64_t v = 0;
	double t0;

	ctg_eval_env_init(&env);
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		p.sport = (uint16_t)(1024 + i % 50000);
		ctg_eval_packet(rs, CTG_PATH_LOCAL_IN, &p, &env, NULL, &r);
		v += r.rules_visited;
	}
	*visited = (double)v / n;
	return (now() - t0) * 1e9 / n;
}

static void per_rule(void)
{
	struct ctg_ruleset *base = synthetic(0);
	double vis, b, t;
	unsigned sizes[] = {1000, 10000};

	if (!base) {
		printf("per-rule: synthetic ruleset does not parse, skipped\n");
		return;
	}
	b = run_plain(base, 200000, &vis);
	printf("baseline (no rules): %.1f ns/packet\n", b);
	for (unsigned k = 0; k < 2; k++) {
		struct ctg_ruleset *rs = synthetic(sizes[k]);

		if (!rs)
			continue;
		t = run_plain(rs, sizes[k] == 1000 ? 20000 : 2000, &vis);
		printf("linear %5u rules: %.0f ns/packet, %.0f rules visited, %.2f ns/rule "
		       "visited (%.0fx baseline)\n",
		       sizes[k], t, vis, (t - b) / vis, t / b);
		ctg_ruleset_free(rs);
	}
	ctg_ruleset_free(base);
}

struct pool {
	struct ctg_addr a[256];
	size_t n;
};

static void pool_fill(struct pool *pl, const struct ctg_ruleset *rs)
{
	memset(pl, 0, sizeof(*pl));
	for (int t = 0; t < CTG_TABLE_MAX; t++)
		for (uint32_t c = 0; c < rs->tables[t].nchains; c++)
			for (uint32_t i = 0; i < rs->tables[t].chains[c].nrules && pl->n < 250;
			     i++) {
				const struct ctg_rule *r = &rs->tables[t].chains[c].rules[i];

				if (r->src_set)
					pl->a[pl->n++] = r->src;
				if (r->dst_set)
					pl->a[pl->n++] = r->dst;
			}
	while (pl->n < 256) {
		for (int b = 0; b < 16; b++)
			pl->a[pl->n].b[b] = rs->family == 2 && b >= 4 ? 0 : (uint8_t)rnd();
		pl->n++;
	}
}

static void random_pkt(const struct ctg_ruleset *rs, const struct pool *pl, struct ctg_pkt *p)
{
	static const uint16_t ports[] = {22, 25, 53, 80, 123, 443, 3306, 5432, 8080, 40000};
	static const uint8_t states[] = {CTG_CTS_NEW, CTG_CTS_ESTABLISHED, CTG_CTS_INVALID};

	*p = base_pkt(rs->family);
	p->l4proto = rnd() % 4 ? 6 : 17;
	p->src = pl->a[rnd() % pl->n];
	p->dst = pl->a[rnd() % pl->n];
	p->sport = ports[rnd() % 10];
	p->dport = ports[rnd() % 10];
	p->ctstate = states[rnd() % 3];
	p->iif_unknown = true;
}

static void corpus(const char *path, unsigned n)
{
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs = NULL;
	struct ctg_eval_env env;
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct pool pl;
	struct ctg_pkt *pk = malloc(sizeof(*pk) * 4096);
	uint64_t visited = 0, uncertain = 0;
	double t0, t;

	size_t len;
	char *text = ctg_corpus_read_deanon(path, &len);

	for (int f = 0; f < 2 && !rs && text; f++) {
		ctg_diags_free(d);
		d = ctg_diags_new();
		rs = ctg_ruleset_parse(text, len, path, f ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4, d);
		if (rs && ctg_diags_errors(d)) {
			ctg_ruleset_free(rs);
			rs = NULL;
		}
	}
	ctg_diags_free(d);
	free(text);
	if (!rs) {
		printf("%s: does not parse, skipped\n", path);
		goto out;
	}
	ctg_eval_env_init(&env);
	pool_fill(&pl, rs);
	for (unsigned i = 0; i < 4096; i++)
		random_pkt(rs, &pl, &pk[i]);
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		struct ctg_eval_result r;

		ctg_eval_packet(rs, (enum ctg_eval_path)(i % 3), &pk[i & 4095], &env, NULL, &r);
		visited += r.rules_visited;
		uncertain += !r.certain;
	}
	t = now() - t0;
	printf("%s: %zu rules, %u packets in %.2f s: %.0f ns/packet, %.1f rules visited/packet, "
	       "%.2f ns/rule visited, %.2f Mpps, %.1f%% uncertain\n",
	       path, rs->nrules, n, t, t * 1e9 / n, (double)visited / n,
	       t * 1e9 / (double)(visited ? visited : 1), n / t / 1e6, 100.0 * uncertain / n);
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		struct ctg_flow_result f;

		if (!(i & 0xffff))
			ctg_ct_view_reset(v);
		ctg_eval_flow_packet(rs, v, &env, (enum ctg_eval_path)(i % 3), &pk[i & 4095], true,
				     NULL, &f);
	}
	t = now() - t0;
	printf("  as flow packets (conntrack view, commit): %.0f ns/packet, %.2f Mpps\n",
	       t * 1e9 / n, n / t / 1e6);
	ctg_ruleset_free(rs);
out:
	ctg_ct_view_free(v);
	free(pk);
}

int main(int argc, char **argv)
{
	unsigned n = 1000000;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		n = (unsigned)strtoul(argv[2], NULL, 10);
		i = 3;
	}
	per_rule();
	for (; i < argc; i++)
		corpus(argv[i], n);
	return 0;
}
